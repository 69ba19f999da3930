/* SPDX-License-Identifier: MIT */
/* attrib.c - head attribution, logit lens, ablation sweep and patching,
 * read from the forward pass's trace (see attrib.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "kernels.h"
#include "xmalloc.h"

int
attrib_doc_tokens(const int *doc, size_t len, int bos, int block_size, int *tok, int *tgt)
{
	int n = (size_t)block_size < len + 1 ? block_size : (int)len + 1, pos;

	for (pos = 0; pos < n; pos++) {
		tok[pos] = pos == 0 ? bos : doc[pos - 1];
		tgt[pos] = (size_t)pos < len ? doc[pos] : bos;
	}
	return n;
}

double
attrib_trace_loss(const struct trace *tr)
{
	double sum = 0.0;
	int t;

	if (tr->n_pos <= 0)
		return NAN;
	for (t = 0; t < tr->n_pos; t++)
		sum += tr->loss[t];
	/* loss = (1 / n) * sum(losses), as train.c and the reference */
	return (1.0 / tr->n_pos) * sum;
}

/* lm_head . x for one residual vector: the forward's own kernel, so that
 * the last lens point is the logits bit for bit. */
static void
lm_head_apply(const struct model *m, const double *x, double *out)
{
	const struct tensor *t = model_tensor(m, TENSOR_LM_HEAD, -1);

	kernel_linear_forward(out, (size_t)m->cfg.vocab_size, m->p + t->off, x,
	    (size_t)m->cfg.n_embd, 1, m->cfg.vocab_size, m->cfg.n_embd);
}

void
attrib_head_logits(const struct model *m, const struct trace *tr, int pos, int layer, int head,
    double *out, double *tmp)
{
	const int C = m->cfg.n_embd, D = m->head_dim;
	const struct tensor *wo = model_tensor(m, TENSOR_WO, layer);
	const double *cat = tr->att_cat + trace_lt(tr, layer, pos) * C + (size_t)head * D;

	/* attn_wo is stored [in][out]: the head's D input rows are contiguous */
	kernel_linear_forward(tmp, (size_t)C, m->p + wo->off + (size_t)head * D * C, cat,
	    (size_t)D, 1, C, D);
	lm_head_apply(m, tmp, out);
}

void
attrib_parts_init(struct attrib_parts *p, const struct model_config *cfg)
{
	size_t V = (size_t)cfg->vocab_size, L = (size_t)cfg->n_layer, H = (size_t)cfg->n_head;

	p->embed = xcalloc(V, sizeof(double));
	p->head = xcalloc(L * H * V, sizeof(double));
	p->mlp = xcalloc(L * V, sizeof(double));
	p->sum = xcalloc(V, sizeof(double));
	p->tmp = xcalloc((size_t)cfg->n_embd, sizeof(double));
}

void
attrib_parts_free(struct attrib_parts *p)
{
	free(p->embed);
	free(p->head);
	free(p->mlp);
	free(p->sum);
	free(p->tmp);
	memset(p, 0, sizeof *p);
}

double
attrib_decompose(const struct model *m, const struct trace *tr, int pos, struct attrib_parts *p)
{
	const int V = m->cfg.vocab_size, L = m->cfg.n_layer, H = m->cfg.n_head, C = m->cfg.n_embd;
	const double *logits = tr->logits + (size_t)pos * V;
	double err = 0.0;
	int l, h, v;

	lm_head_apply(m, tr->x0 + (size_t)pos * C, p->embed);
	memcpy(p->sum, p->embed, (size_t)V * sizeof(double));
	for (l = 0; l < L; l++)
		for (h = 0; h < H; h++) {
			double *o = p->head + ((size_t)l * H + h) * V;

			attrib_head_logits(m, tr, pos, l, h, o, p->tmp);
			for (v = 0; v < V; v++)
				p->sum[v] += o[v];
		}
	for (l = 0; l < L; l++) {
		double *o = p->mlp + (size_t)l * V;

		lm_head_apply(m, tr->fc2 + trace_lt(tr, l, pos) * C, o);
		for (v = 0; v < V; v++)
			p->sum[v] += o[v];
	}
	for (v = 0; v < V; v++)
		if (fabs(p->sum[v] - logits[v]) > err || isnan(p->sum[v]))
			err = isnan(p->sum[v]) ? INFINITY : fabs(p->sum[v] - logits[v]);
	return err;
}

/* ---- lens ---- */

char *
attrib_lens_name(int point, char *buf, size_t n)
{
	if (point <= 0)
		snprintf(buf, n, "embed");
	else
		snprintf(buf, n, "L%d.%s", (point - 1) / 2, (point - 1) % 2 ? "mlp" : "attn");
	return buf;
}

const double *
attrib_lens_resid(const struct trace *tr, int pos, int point)
{
	const int C = tr->cfg.n_embd;

	if (point <= 0)
		return tr->x0 + (size_t)pos * C;
	if ((point - 1) % 2 == 0)
		return tr->x_mid + trace_lt(tr, (point - 1) / 2, pos) * C;
	return tr->x_out + trace_lt(tr, (point - 1) / 2, pos) * C;
}

void
attrib_lens(const struct model *m, const struct trace *tr, int pos, int point, double *out)
{
	lm_head_apply(m, attrib_lens_resid(tr, pos, point), out);
}

/* ---- sweep ---- */

int
attrib_sweep_masks(const struct model_config *cfg, uint64_t *masks, int max)
{
	int N = cfg->n_layer * cfg->n_head, n = 0, i, j;

#define PUT(x) do { if (masks && n < max) masks[n] = (x); n++; } while (0)
	if (N <= ATTRIB_SWEEP_ALL) {
		uint64_t x;

		for (x = 0; x < (uint64_t)1 << N; x++)
			PUT(x);
		return n;
	}
	PUT(0);
	for (i = 0; i < N; i++)
		PUT((uint64_t)1 << i);
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++)
			PUT(((uint64_t)1 << i) | ((uint64_t)1 << j));
#undef PUT
	return n;
}

void
attrib_sweep_init(struct attrib_sweep *sw, const struct model_config *cfg)
{
	int i;

	sw->n_masks = attrib_sweep_masks(cfg, NULL, 0);
	sw->mask = xcalloc((size_t)sw->n_masks, sizeof *sw->mask);
	sw->text_loss = xcalloc((size_t)sw->n_masks, sizeof(double));
	sw->dataset_loss = xcalloc((size_t)sw->n_masks, sizeof(double));
	attrib_sweep_masks(cfg, sw->mask, sw->n_masks);
	for (i = 0; i < sw->n_masks; i++)
		sw->text_loss[i] = sw->dataset_loss[i] = NAN;
}

void
attrib_sweep_free(struct attrib_sweep *sw)
{
	free(sw->mask);
	free(sw->text_loss);
	free(sw->dataset_loss);
	memset(sw, 0, sizeof *sw);
}

/* The first layer with a head off in mask; n_layer when none. */
static int
first_off_layer(const struct model_config *cfg, uint64_t mask)
{
	int l;

	for (l = 0; l < cfg->n_layer; l++)
		if ((mask >> (l * cfg->n_head)) & (((uint64_t)2 << (cfg->n_head - 1)) - 1))
			return l;
	return cfg->n_layer;
}

struct sweep_ctx {
	const struct model *m;
	struct trace tr;
	int *order;      /* [n_masks] indices, first-off layer descending */
	int *first;      /* [n_masks] first-off layer of each mask */
	double *loss;    /* [n_masks] one document's losses */
};

/* The losses of one sequence under every mask. The all-on pass comes
 * first; a mask whose first switched-off layer is f needs the layers
 * before f and layer f's att_head as the all-on pass has them, which
 * holds after any mask whose first switched-off layer is >= f: hence the
 * order. */
static void
sweep_seq(struct sweep_ctx *x, const struct attrib_sweep *sw, const int *tok, const int *tgt,
    int n)
{
	int k;

	trace_reset(&x->tr);
	x->tr.head_mask = 0;
	model_forward_seq(x->m, &x->tr, tok, tgt, n);
	for (k = 0; k < sw->n_masks; k++) {
		int i = x->order[k];

		if (sw->mask[i]) {
			x->tr.head_mask = sw->mask[i];
			model_forward_from_concat(x->m, &x->tr, x->first[i]);
		}
		x->loss[i] = attrib_trace_loss(&x->tr);
	}
}

struct attrib_sweep_job {
	struct sweep_ctx x;
	const struct dataset *ds;
	struct attrib_sweep *sw;
	double *sum;     /* [n_masks] dataset losses added so far, in document order */
	int *dt, *dg;    /* [T] one document's tokens and targets */
	size_t next;     /* the next document */
};

struct attrib_sweep_job *
attrib_sweep_begin(const struct model *m, const struct dataset *ds, const int *tok,
    const int *tgt, int n, struct attrib_sweep *sw)
{
	const struct model_config *c = &m->cfg;
	struct attrib_sweep_job *j = xcalloc(1, sizeof *j);
	int i, k;

	j->x.m = m;
	j->ds = ds;
	j->sw = sw;
	trace_init(&j->x.tr, c);
	j->x.order = xcalloc((size_t)sw->n_masks + 1, sizeof(int));
	j->x.first = xcalloc((size_t)sw->n_masks + 1, sizeof(int));
	j->x.loss = xcalloc((size_t)sw->n_masks + 1, sizeof(double));
	j->sum = xcalloc((size_t)sw->n_masks + 1, sizeof(double));
	j->dt = xcalloc((size_t)c->block_size, sizeof(int));
	j->dg = xcalloc((size_t)c->block_size, sizeof(int));
	for (i = 0; i < sw->n_masks; i++) {
		j->x.first[i] = first_off_layer(c, sw->mask[i]);
		/* insertion sort, stable, by first-off layer descending */
		for (k = i; k > 0 && j->x.first[j->x.order[k - 1]] < j->x.first[i]; k--)
			j->x.order[k] = j->x.order[k - 1];
		j->x.order[k] = i;
	}
	for (i = 0; i < sw->n_masks; i++)
		sw->text_loss[i] = sw->dataset_loss[i] = NAN;
	if (n > 0) {
		sweep_seq(&j->x, sw, tok, tgt, n);
		for (i = 0; i < sw->n_masks; i++)
			sw->text_loss[i] = j->x.loss[i];
	}
	return j;
}

size_t
attrib_sweep_step(struct attrib_sweep_job *j, size_t max_docs)
{
	const struct dataset *ds = j->ds;
	struct attrib_sweep *sw = j->sw;
	size_t n_docs = ds ? ds->n_docs : 0, stop = j->next + max_docs;
	int i;

	if (stop > n_docs || stop < j->next)
		stop = n_docs;
	for (; j->next < stop; j->next++) {
		int nd = attrib_doc_tokens(dataset_doc(ds, j->next), dataset_doc_len(ds, j->next),
		    ds->n_vocab, j->x.tr.cfg.block_size, j->dt, j->dg);

		sweep_seq(&j->x, sw, j->dt, j->dg, nd);
		for (i = 0; i < sw->n_masks; i++)
			j->sum[i] += j->x.loss[i];
	}
	if (n_docs > 0 && j->next == n_docs)
		for (i = 0; i < sw->n_masks; i++)
			sw->dataset_loss[i] = j->sum[i] / (double)n_docs;
	return j->next;
}

void
attrib_sweep_end(struct attrib_sweep_job *j)
{
	if (!j)
		return;
	free(j->dt);
	free(j->dg);
	free(j->sum);
	free(j->x.order);
	free(j->x.first);
	free(j->x.loss);
	trace_free(&j->x.tr);
	free(j);
}

int
attrib_sweep_run(const struct model *m, const struct dataset *ds, const int *tok, const int *tgt,
    int n, struct attrib_sweep *sw, attrib_progress_fn progress, void *arg)
{
	struct attrib_sweep_job *j = attrib_sweep_begin(m, ds, tok, tgt, n, sw);
	size_t n_docs = ds ? ds->n_docs : 0, done = 0;
	int rc = 0;

	while (done < n_docs) {
		done = attrib_sweep_step(j, 1);
		if (progress && progress(arg, done, n_docs)) {
			rc = done < n_docs;
			break;
		}
	}
	attrib_sweep_end(j);
	return rc;
}

/* ---- patching ---- */

int
attrib_patch_head(const struct model *m, struct trace *tr, const struct trace *src, int layer,
    int head, int pos)
{
	const int C = m->cfg.n_embd, D = m->head_dim;
	size_t at;

	if (layer < 0 || layer >= m->cfg.n_layer || head < 0 || head >= m->cfg.n_head ||
	    pos < 0 || pos >= tr->n_pos || src->n_pos != tr->n_pos ||
	    src->cfg.n_embd != C || src->cfg.n_layer != m->cfg.n_layer ||
	    src->cfg.block_size != tr->cfg.block_size)
		return -1;
	at = trace_lt(tr, layer, pos) * C + (size_t)head * D;
	memcpy(tr->att_head + at, src->att_head + at, (size_t)D * sizeof(double));
	model_forward_from_concat(m, tr, layer);
	return 0;
}
