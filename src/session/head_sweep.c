/* SPDX-License-Identifier: MIT */
/* head_sweep.c - see head_sweep.h. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head_sweep.h"
#include "store_sweep.h"
#include "xmalloc.h"

static const struct head_sweep *sort_h;

/* Highest loss first (NaN last), then by mask. */
static int
cmp_rows(const void *a, const void *b)
{
	const struct head_sweep *h = sort_h;
	int i = *(const int *)a, j = *(const int *)b;
	const double *v = h->finished ? h->sw.dataset_loss : h->sw.text_loss;
	double x = v[i], y = v[j];

	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x > y ? -1 : 1;
	return h->sw.mask[i] < h->sw.mask[j] ? -1 : h->sw.mask[i] > h->sw.mask[j];
}

static void
sweep_sort(struct head_sweep *h)
{
	int i;

	for (i = 0; i < h->sw.n_masks; i++)
		h->order[i] = i;
	sort_h = h;
	qsort(h->order, (size_t)h->sw.n_masks, sizeof *h->order, cmp_rows);
	sort_h = NULL;
}

char *
head_sweep_off_text(const struct model_config *cfg, uint64_t mask, char *buf, size_t n)
{
	size_t len = 0;
	int l, k;

	if (n)
		buf[0] = '\0';
	for (l = 0; l < cfg->n_layer; l++)
		for (k = 0; k < cfg->n_head; k++) {
			int w;

			if (!(mask & model_head_bit(cfg, l, k)) || len >= n)
				continue;
			w = snprintf(buf + len, n - len, "%sL%dH%d", len ? " " : "", l, k);
			if (w > 0)
				len += (size_t)w;
		}
	return buf;
}

/* Fill the dataset losses the cache holds; the rest become h->todo. */
static void
sweep_read_cache(struct head_sweep *h)
{
	struct store_sweep_row *rows = NULL;
	char off[STORE_SWEEP_OFFLEN];
	int n_rows = 0, i, k, n_todo = 0;

	/* a read error only means computing everything */
	if (h->cache.st && store_sweep_get(h->cache.st, h->cache.run_id, h->cache.step, &rows,
	    &n_rows) < 0)
		n_rows = 0;
	h->todo_at = xcalloc((size_t)h->sw.n_masks, sizeof *h->todo_at);
	for (i = 0; i < h->sw.n_masks; i++) {
		head_sweep_off_text(&h->m->cfg, h->sw.mask[i], off, sizeof off);
		for (k = 0; k < n_rows && strcmp(rows[k].off, off); k++)
			;
		if (k < n_rows) {
			h->sw.dataset_loss[i] = rows[k].dataset_loss;
			h->n_cached++;
		} else
			h->todo_at[n_todo++] = i;
	}
	free(rows);
	h->todo.n_masks = n_todo;
	h->todo.mask = xcalloc((size_t)n_todo + 1, sizeof *h->todo.mask);
	h->todo.text_loss = xcalloc((size_t)n_todo + 1, sizeof(double));
	h->todo.dataset_loss = xcalloc((size_t)n_todo + 1, sizeof(double));
	for (i = 0; i < n_todo; i++)
		h->todo.mask[i] = h->sw.mask[h->todo_at[i]];
}

/* The computed losses into sw, and into the cache through a writer of our
 * own (the session's connection is a reader). */
static void
sweep_write_cache(struct head_sweep *h)
{
	char err[STORE_ERRLEN];
	struct store_sweep_row *rows;
	struct store *w = NULL;
	int i, n = h->todo.n_masks;

	for (i = 0; i < n; i++)
		h->sw.dataset_loss[h->todo_at[i]] = h->todo.dataset_loss[i];
	if (!h->cache.st || !h->cache.db || !n || !h->total)
		return;
	if (!(w = store_open(h->cache.db, 0, 0, err, sizeof err))) {
		h->write_failed = 1;
		return;
	}
	/* every row in one transaction: one commit for the whole sweep */
	rows = xcalloc((size_t)n, sizeof *rows);
	for (i = 0; i < n; i++) {
		head_sweep_off_text(&h->m->cfg, h->todo.mask[i], rows[i].off, sizeof rows[i].off);
		rows[i].dataset_loss = h->todo.dataset_loss[i];
	}
	if (store_sweep_put_rows(w, h->cache.run_id, h->cache.step, rows, n) < 0)
		h->write_failed = 1;
	else
		h->n_written += n;
	free(rows);
	store_close(w);
}

int
head_sweep_begin(struct head_sweep *h, const struct model *m, const struct dataset *ds,
    const int *tok, const int *tgt, int n, const uint64_t *masks, int n_masks,
    const struct head_sweep_cache *c)
{
	struct attrib_sweep_job *j;

	memset(h, 0, sizeof *h);
	h->m = m;
	if (masks) {
		h->sw.n_masks = n_masks;
		h->sw.mask = xcalloc((size_t)n_masks + 1, sizeof *h->sw.mask);
		h->sw.text_loss = xcalloc((size_t)n_masks + 1, sizeof(double));
		h->sw.dataset_loss = xcalloc((size_t)n_masks + 1, sizeof(double));
		memcpy(h->sw.mask, masks, (size_t)n_masks * sizeof *masks);
	} else
		attrib_sweep_init(&h->sw, &m->cfg);
	if (h->sw.n_masks < 1) {
		attrib_sweep_free(&h->sw);
		return -1;
	}
	if (c && c->st) {
		h->cache = *c;
		h->cache.db = NULL;
		if (c->db && path_copy(h->db, c->db) == 0)
			h->cache.db = h->db;
	}
	/* the input's losses at once, every mask (no documents) */
	j = attrib_sweep_begin(m, NULL, tok, tgt, n, &h->sw);
	attrib_sweep_end(j);
	sweep_read_cache(h);
	h->order = xmalloc((size_t)h->sw.n_masks * sizeof *h->order);
	h->total = h->todo.n_masks && ds ? ds->n_docs : 0;
	h->job = attrib_sweep_begin(m, ds, NULL, NULL, 0, &h->todo);
	sweep_sort(h);
	if (!h->total)
		head_sweep_step(h, 0);
	return 0;
}

int
head_sweep_start(struct head_sweep *h, const struct debug_session *s)
{
	const int T = s->cfg.block_size, bos = s->cfg.vocab_size - 1;
	const struct debug_run *r = s->run;
	struct head_sweep_cache c = { 0 };
	int *doc, *tok, *tgt, i, k = 0, n, rc;

	/* the input's characters as a document, scored as training scores it */
	doc = xmalloc(((size_t)s->n_input + 1) * sizeof *doc);
	for (i = 0; i < s->n_input; i++) {
		int t = dataset_token(s->ds, s->input[i]);

		if (t >= 0)
			doc[k++] = t;
	}
	tok = xmalloc((size_t)T * sizeof *tok);
	tgt = xmalloc((size_t)T * sizeof *tgt);
	n = attrib_doc_tokens(doc, (size_t)k, bos, T, tok, tgt);
	free(doc);
	if (r && r->st && r->id > 0) {
		c.st = r->st;
		c.db = r->path;
		c.run_id = r->id;
		c.step = debug_run_step(r);
	}
	rc = head_sweep_begin(h, s->m, s->ds, tok, tgt, n, NULL, 0, &c);
	if (rc < 0) {
		free(tok);
		free(tgt);
		return -1;
	}
	h->tok = tok;
	h->tgt = tgt;
	h->n = n;
	return 0;
}

int
head_sweep_step(struct head_sweep *h, size_t max_docs)
{
	if (h->finished || !h->job)
		return h->finished;
	h->done = h->total ? attrib_sweep_step(h->job, max_docs) : 0;
	if (h->done >= h->total) {
		attrib_sweep_end(h->job);
		h->job = NULL;
		h->finished = 1;
		sweep_write_cache(h);
		sweep_sort(h);
	}
	return h->finished;
}

void
head_sweep_free(struct head_sweep *h)
{
	if (h->job)
		attrib_sweep_end(h->job);
	attrib_sweep_free(&h->sw);
	attrib_sweep_free(&h->todo);
	free(h->todo_at);
	free(h->tok);
	free(h->tgt);
	free(h->order);
	memset(h, 0, sizeof *h);
}
