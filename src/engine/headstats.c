/* SPDX-License-Identifier: MIT */
/* headstats.c - per-head attention statistics read from a trace. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "headstats.h"
#include "train.h"
#include "xmalloc.h"

int
headstats_first_pos(int n_pos)
{
	if (n_pos >= 3)
		return 2;
	return n_pos >= 2 ? 1 : n_pos;
}

int
headstats_from_trace(const struct trace *tr, struct headstat *out)
{
	const int L = tr->cfg.n_layer, H = tr->cfg.n_head, T = tr->cfg.block_size;
	const int t0 = headstats_first_pos(tr->n_pos), n = tr->n_pos - t0;
	int l, h, t, j;

	for (l = 0; l < L; l++)
		for (h = 0; h < H; h++) {
			struct headstat *o = &out[l * H + h];
			double ent = 0.0, prev = 0.0, bos = 0.0;

			for (t = t0; t < tr->n_pos; t++) {
				const double *w = tr->att_w + trace_lth(tr, l, t, h) * T;
				double e = 0.0;

				for (j = 0; j <= t; j++)
					if (w[j] > 0.0)
						e -= w[j] * log(w[j]);
				ent += e;
				prev += w[t - 1];
				bos += w[0];
			}
			o->entropy = n > 0 ? ent / n : NAN;
			o->prev = n > 0 ? prev / n : NAN;
			o->bos = n > 0 ? bos / n : NAN;
		}
	return n > 0 ? n : 0;
}

int
headstats_probe(const struct model *m, struct trace *tr, const int *tok, int n_tok,
    struct headstat *out)
{
	const int bos = m->cfg.vocab_size - 1;
	int pos, n = n_tok + 1;

	if (n > m->cfg.block_size)
		n = m->cfg.block_size;
	trace_reset(tr);
	tr->head_mask = 0;
	for (pos = 0; pos < n; pos++)
		model_forward(m, tr, pos == 0 ? bos : tok[pos - 1], pos + 1 < n ? tok[pos] : -1);
	return headstats_from_trace(tr, out);
}

void
headstats_grad(const struct model *m, const double *grad, const double *p_before,
    const double *p_after, struct gradstat *out)
{
	static const enum tensor_kind qkv[3] = { TENSOR_WQ, TENSOR_WK, TENSOR_WV };
	const int L = m->cfg.n_layer, H = m->cfg.n_head, hd = m->head_dim;
	int l, h, k, r, c;

	for (l = 0; l < L; l++)
		for (h = 0; h < H; h++) {
			double g2 = 0.0, u2 = 0.0, w2 = 0.0;

			/* sums in one fixed order: q, k, v rows, then wo's columns */
			for (k = 0; k < 4; k++) {
				const struct tensor *t = model_tensor(m, k < 3 ? qkv[k] : TENSOR_WO, l);
				const int rows = k < 3 ? hd : t->rows, cols = k < 3 ? t->cols : hd;

				for (r = 0; r < rows; r++)
					for (c = 0; c < cols; c++) {
						size_t i = k < 3 ? model_index(t, h * hd + r, c) :
						    model_index(t, r, h * hd + c);
						double d = p_after[i] - p_before[i];

						g2 += grad[i] * grad[i];
						u2 += d * d;
						w2 += p_before[i] * p_before[i];
					}
			}
			out[l * H + h].grad_norm = sqrt(g2);
			out[l * H + h].update_ratio = w2 > 0.0 ? sqrt(u2) / sqrt(w2) : NAN;
		}
}

int
headstats_block_norms(const struct model *m, const struct tensor *t, const double *v, double *out)
{
	const int H = m->cfg.n_head, hd = m->head_dim;
	const int rows = t->kind == TENSOR_WQ || t->kind == TENSOR_WK || t->kind == TENSOR_WV;
	int h, r, c;

	if (!rows && t->kind != TENSOR_WO)
		return 0;
	for (h = 0; h < H; h++) {
		const int r0 = rows ? h * hd : 0, r1 = rows ? r0 + hd : t->rows;
		const int c0 = rows ? 0 : h * hd, c1 = rows ? t->cols : c0 + hd;
		double s = 0.0;

		for (r = r0; r < r1; r++)
			for (c = c0; c < c1; c++) {
				double x = v[model_index(t, r, c)];

				s += x * x;
			}
		out[h] = sqrt(s);
	}
	return H;
}

long
headstats_series(struct trainer *t, long to, struct trace *tr, const int *tok, int n_tok,
    struct headstat *out, struct gradstat *gout)
{
	const size_t nh = (size_t)t->model.cfg.n_layer * t->model.cfg.n_head;
	const size_t b = t->model.n_params * sizeof(double);
	double *before = NULL;
	struct step_stats st;
	long k = 0;

	if (to > t->n_steps)
		to = t->n_steps;
	if (to < t->step)
		return 0;
	if (gout)
		before = xmalloc(b);
	headstats_probe(&t->model, tr, tok, n_tok, out);
	for (k = 1; t->step < to; k++) {
		if (gout)
			memcpy(before, t->model.p, b);
		trainer_step(t, &st);
		if (gout)
			headstats_grad(&t->model, t->grad, before, t->model.p, gout + (size_t)(k - 1) * nh);
		headstats_probe(&t->model, tr, tok, n_tok, out + (size_t)k * nh);
	}
	free(before);
	return k;
}
