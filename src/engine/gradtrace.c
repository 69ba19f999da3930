/* SPDX-License-Identifier: MIT */
/* gradtrace.c - the buffers a recorded backward pass and Adam update are
 * copied into, and which gradient belongs to which op of the forward pass.
 * The copying itself is in model.c and kernels.c, where the values are. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gradtrace.h"
#include "stepper.h"
#include "xmalloc.h"

void
grad_trace_init(struct grad_trace *g, const struct model_config *cfg)
{
	size_t T = (size_t)cfg->block_size, C = (size_t)cfg->n_embd, V = (size_t)cfg->vocab_size;
	size_t L = (size_t)cfg->n_layer, H = (size_t)cfg->n_head, F = 4 * C;

	memset(g, 0, sizeof *g);
	g->cfg = *cfg;
#define A(f, n) g->f = xcalloc((n), sizeof(double))
	A(d_prob_tgt, T); A(d_logit_sum, T); A(d_probs, T * V); A(d_logits, T * V);
	A(d_x_out, L * T * C); A(d_relu, L * T * F); A(d_fc1, L * T * F); A(d_xn2, L * T * C);
	A(d_ln2_scale, L * T); A(d_x_mid, L * T * C); A(d_att_cat, L * T * C);
	A(d_att_head, L * T * C); A(d_att_w, L * T * H * T); A(d_att_sum, L * T * H);
	A(d_att_exp, L * T * H * T); A(d_att_score, L * T * H * T);
	A(d_k_share, L * T * T * C); A(d_v_share, L * T * T * C);
	A(d_q, L * T * C); A(d_k, L * T * C); A(d_v, L * T * C); A(d_xn1, L * T * C);
	A(d_ln1_scale, L * T); A(d_x_in, L * T * C); A(d_ln0_scale, T); A(d_emb, T * C);
#undef A
}

void
grad_trace_free(struct grad_trace *g)
{
	double **f[] = {
		&g->d_prob_tgt, &g->d_logit_sum, &g->d_probs, &g->d_logits, &g->d_x_out,
		&g->d_relu, &g->d_fc1, &g->d_xn2, &g->d_ln2_scale, &g->d_x_mid, &g->d_att_cat,
		&g->d_att_head, &g->d_att_w, &g->d_att_sum, &g->d_att_exp, &g->d_att_score,
		&g->d_k_share, &g->d_v_share, &g->d_q, &g->d_k, &g->d_v, &g->d_xn1,
		&g->d_ln1_scale, &g->d_x_in, &g->d_ln0_scale, &g->d_emb,
	};
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		free(*f[i]);
	memset(g, 0, sizeof *g);
}

const double *
op_grad(const struct grad_trace *g, const struct op *op, int *n)
{
	const struct model_config *c = &g->cfg;
	const int C = c->n_embd, T = c->block_size, V = c->vocab_size, H = c->n_head;
	const int F = 4 * C, D = C / H, t = op->pos, l = op->layer;
	const size_t lt = (size_t)(l < 0 ? 0 : l) * T + t, lth = lt * H + (op->head < 0 ? 0 : op->head);
	const double *p = NULL;
	int len = C;

	if (t < 0 || t >= g->n_pos || l >= c->n_layer || op->head >= H) {
		if (n)
			*n = 0;
		return NULL;
	}
	switch (op->kind) {
	case OP_EMBED: case OP_EMBED_SUM: p = g->d_emb + (size_t)t * C; break;
	/* x0 is layer 0's input */
	case OP_RMSNORM_IN: p = g->d_x_in + (size_t)t * C; break;
	case OP_RESIDUAL: p = g->d_x_in + lt * C; break;
	case OP_RMSNORM_ATTN: p = g->d_xn1 + lt * C; break;
	case OP_Q: p = g->d_q + lt * C; break;
	case OP_K: case OP_KV_CACHE: p = g->d_k + lt * C; break;
	case OP_V: p = g->d_v + lt * C; break;
	case OP_HEAD_QKV: p = g->d_q + lt * C + op->head * D; len = D; break;
	case OP_ATTN_SCORES: p = g->d_att_score + lth * T; len = t + 1; break;
	case OP_ATTN_WEIGHTS: p = g->d_att_w + lth * T; len = t + 1; break;
	case OP_HEAD_OUT: p = g->d_att_head + lt * C + op->head * D; len = D; break;
	case OP_CONCAT: p = g->d_att_cat + lt * C; break;
	case OP_ATTN_WO: case OP_ATTN_RESIDUAL: p = g->d_x_mid + lt * C; break;
	case OP_RMSNORM_MLP: p = g->d_xn2 + lt * C; break;
	case OP_MLP_FC1: p = g->d_fc1 + lt * F; len = F; break;
	case OP_RELU: p = g->d_relu + lt * F; len = F; break;
	case OP_MLP_FC2: case OP_MLP_RESIDUAL: p = g->d_x_out + lt * C; break;
	case OP_LOGITS: p = g->d_logits + (size_t)t * V; len = V; break;
	case OP_PROBS: p = g->d_probs + (size_t)t * V; len = V; break;
	default: break;   /* the backward's own ops: their values are g's arrays */
	}
	if (n)
		*n = p ? len : 0;
	return p;
}

void
grad_trace_put_attn(struct grad_trace *rec, const struct trace *tr, int l, const double *dcat)
{
	const int C = tr->cfg.n_embd, H = tr->cfg.n_head, D = C / H, n = tr->n_pos;
	const size_t lt0 = trace_lt(tr, l, 0);
	int t, h;

	memcpy(rec->d_att_cat + lt0 * C, dcat, (size_t)n * C * sizeof(double));
	memcpy(rec->d_att_head + lt0 * C, dcat, (size_t)n * C * sizeof(double));
	for (h = 0; h < H; h++)
		if ((tr->head_mask >> (l * H + h)) & 1u)
			for (t = 0; t < n; t++)
				memset(rec->d_att_head + (lt0 + t) * C + h * D, 0, (size_t)D * sizeof(double));
}

void
grad_trace_put_qkv(struct grad_trace *rec, const struct trace *tr, int l, const double *dqkv)
{
	const int C = tr->cfg.n_embd, n = tr->n_pos;
	const size_t lt0 = trace_lt(tr, l, 0);
	int t;

	for (t = 0; t < n; t++) {
		const double *r = dqkv + (size_t)t * 3 * C;

		memcpy(rec->d_q + (lt0 + t) * C, r, (size_t)C * sizeof(double));
		memcpy(rec->d_k + (lt0 + t) * C, r + C, (size_t)C * sizeof(double));
		memcpy(rec->d_v + (lt0 + t) * C, r + 2 * C, (size_t)C * sizeof(double));
	}
}

void
adam_record_init(struct adam_record *r, size_t n)
{
	memset(r, 0, sizeof *r);
	r->m_hat = xcalloc(n, sizeof(double));
	r->v_hat = xcalloc(n, sizeof(double));
	r->update = xcalloc(n, sizeof(double));
}

void
adam_record_free(struct adam_record *r)
{
	free(r->m_hat);
	free(r->v_hat);
	free(r->update);
	memset(r, 0, sizeof *r);
}
