/* SPDX-License-Identifier: MIT */
/* head_sweep.c - see head_sweep.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "head_sweep.h"
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

int
head_sweep_start(struct head_sweep *h, const struct debug_session *s)
{
	const int T = s->cfg.block_size, bos = s->cfg.vocab_size - 1;
	int *doc, i, k = 0;

	memset(h, 0, sizeof *h);
	attrib_sweep_init(&h->sw, &s->cfg);
	if (h->sw.n_masks < 1) {
		attrib_sweep_free(&h->sw);
		return -1;
	}
	/* the input's characters as a document, scored as training scores it */
	doc = xmalloc(((size_t)s->n_input + 1) * sizeof *doc);
	for (i = 0; i < s->n_input; i++) {
		int t = dataset_token(s->ds, s->input[i]);

		if (t >= 0)
			doc[k++] = t;
	}
	h->tok = xmalloc((size_t)T * sizeof *h->tok);
	h->tgt = xmalloc((size_t)T * sizeof *h->tgt);
	h->n = attrib_doc_tokens(doc, (size_t)k, bos, T, h->tok, h->tgt);
	free(doc);
	h->order = xmalloc((size_t)h->sw.n_masks * sizeof *h->order);
	h->total = s->ds->n_docs;
	h->job = attrib_sweep_begin(s->m, s->ds, h->tok, h->tgt, h->n, &h->sw);
	sweep_sort(h);
	if (!h->total)
		head_sweep_step(h, 0);
	return 0;
}

int
head_sweep_step(struct head_sweep *h, size_t max_docs)
{
	if (h->finished || !h->job)
		return h->finished;
	h->done = attrib_sweep_step(h->job, max_docs);
	if (h->done >= h->total) {
		attrib_sweep_end(h->job);
		h->job = NULL;
		h->finished = 1;
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
	free(h->tok);
	free(h->tgt);
	free(h->order);
	memset(h, 0, sizeof *h);
}
