/* SPDX-License-Identifier: MIT */
/* model.c - the MicroGPT forward pass (recording a trace), its backward
 * pass, and Adam. Over 800 lines on purpose: see the end of this comment.
 *
 * The forward pass mirrors microgpt.py operation for operation: every sum
 * starts from zero and adds terms left to right; a division by a Value is a
 * multiplication by pow(x, -1) (Value.__truediv__); rmsnorm's scale is
 * pow(ms + 1e-5, -0.5). The per-position powers (x ** -1, -2, -0.5, -1.5)
 * go through kernel_pow_m1 and its kin: pow()'s bits, mostly without
 * calling it. Linear layers are stored transposed, [in][out], so
 * that the loop over outputs is innermost and contiguous: each output's sum
 * still adds its terms in input order, so vectorising across outputs
 * changes no bit. The backward pass adds every gradient in the order the
 * reference's scalar autograd adds it (see "backward" below), and Adam calls
 * pow where CPython does, so training is bit-identical too.
 *
 * The file is long on purpose: the backward's summation order is
 * derived from the forward's graph node by node, and both read the one
 * trace layout; one file keeps the two checkable together. */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradtrace.h"
#include "kernels.h"
#include "model.h"
#include "rng.h"
#include "xmalloc.h"

#define INIT_STD 0.08

size_t
model_config_params(const struct model_config *c)
{
	size_t C = (size_t)c->n_embd;

	return (size_t)c->vocab_size * C * 2 + (size_t)c->block_size * C +
	    (size_t)c->n_layer * (4 * C * C + 8 * C * C);
}

uint64_t
model_config_bytes(const struct model_config *c)
{
	uint64_t C = (uint64_t)c->n_embd, T = (uint64_t)c->block_size;
	uint64_t L = (uint64_t)c->n_layer, H = (uint64_t)c->n_head, V = (uint64_t)c->vocab_size;
	uint64_t params = (uint64_t)model_config_params(c);
	uint64_t per_layer = T * (4 + 16 * C + 3 * H + 3 * H * T);
	uint64_t trace = T * (5 + 4 * C + 4 * V) + L * per_layer;

	/* p, g, m, v, a replay copy; the trace and the backward's own buffers
	 * (about one more trace) */
	return 8 * (5 * params + 2 * trace);
}

int
model_config_check(const struct model_config *c, char *err, size_t errlen)
{
	uint64_t bytes;

	if (c->vocab_size < 2 || c->vocab_size > 1 << 21) {
		snprintf(err, errlen, "vocab size %d is out of range", c->vocab_size);
		return -1;
	}
	if (c->n_embd < 1 || c->n_embd > MODEL_MAX_DIM) {
		snprintf(err, errlen, "n_embd %d is out of range (1..%d)", c->n_embd, MODEL_MAX_DIM);
		return -1;
	}
	if (c->n_head < 1 || c->n_head > c->n_embd) {
		snprintf(err, errlen, "n_head %d is out of range (1..n_embd)", c->n_head);
		return -1;
	}
	if (c->n_embd % c->n_head) {
		snprintf(err, errlen, "n_embd %d is not divisible by n_head %d", c->n_embd, c->n_head);
		return -1;
	}
	if (c->n_layer < 1 || c->n_layer > 64) {
		snprintf(err, errlen, "n_layer %d is out of range (1..64)", c->n_layer);
		return -1;
	}
	if ((uint64_t)c->n_layer * (uint64_t)c->n_head > 64) {
		snprintf(err, errlen, "n_layer x n_head is %d; at most 64 heads in all are supported",
		    c->n_layer * c->n_head);
		return -1;
	}
	if (c->block_size < 1 || c->block_size > MODEL_MAX_DIM) {
		snprintf(err, errlen, "block_size %d is out of range (1..%d)", c->block_size, MODEL_MAX_DIM);
		return -1;
	}
	bytes = model_config_bytes(c);
	if (bytes > MODEL_MAX_BYTES) {
		snprintf(err, errlen, "this model would need %.1f GiB of memory (limit %.0f GiB)",
		    (double)bytes / (1 << 30), (double)MODEL_MAX_BYTES / (1 << 30));
		return -1;
	}
	return 0;
}

static void
add_tensor(struct model *m, enum tensor_kind k, int layer, int rows, int cols,
    int transposed, const char *name, size_t *off)
{
	struct tensor *t = &m->tensors[m->n_tensors++];

	t->kind = k;
	t->layer = layer;
	t->rows = rows;
	t->cols = cols;
	t->off = *off;
	t->transposed = transposed;
	if (layer < 0)
		snprintf(t->name, sizeof t->name, "%s", name);
	else
		snprintf(t->name, sizeof t->name, "layer%d.%s", layer, name);
	*off += (size_t)rows * cols;
}

void
model_init(struct model *m, const struct model_config *cfg)
{
	int C = cfg->n_embd, l;
	size_t off = 0;

	memset(m, 0, sizeof *m);
	m->cfg = *cfg;
	m->head_dim = C / cfg->n_head;
	m->tensors = xcalloc(3 + 6 * (size_t)cfg->n_layer, sizeof *m->tensors);
	add_tensor(m, TENSOR_WTE, -1, cfg->vocab_size, C, 0, "wte", &off);
	add_tensor(m, TENSOR_WPE, -1, cfg->block_size, C, 0, "wpe", &off);
	add_tensor(m, TENSOR_LM_HEAD, -1, cfg->vocab_size, C, 1, "lm_head", &off);
	for (l = 0; l < cfg->n_layer; l++) {
		add_tensor(m, TENSOR_WQ, l, C, C, 1, "attn_wq", &off);
		add_tensor(m, TENSOR_WK, l, C, C, 1, "attn_wk", &off);
		add_tensor(m, TENSOR_WV, l, C, C, 1, "attn_wv", &off);
		add_tensor(m, TENSOR_WO, l, C, C, 1, "attn_wo", &off);
		add_tensor(m, TENSOR_FC1, l, 4 * C, C, 1, "mlp_fc1", &off);
		add_tensor(m, TENSOR_FC2, l, C, 4 * C, 1, "mlp_fc2", &off);
	}
	m->n_params = off;
	m->p = xcalloc(off, sizeof *m->p);
	m->inv_C = model_pow((double)C, -1.0);
	m->attn_scale = model_attn_scale(cfg);
}

void
model_free(struct model *m)
{
	free(m->tensors);
	free(m->p);
	memset(m, 0, sizeof *m);
}

size_t
model_index(const struct tensor *t, int row, int col)
{
	return t->off + (t->transposed ? (size_t)col * t->rows + row : (size_t)row * t->cols + col);
}

const struct tensor *
model_tensor(const struct model *m, enum tensor_kind k, int layer)
{
	int i;

	for (i = 0; i < m->n_tensors; i++)
		if (m->tensors[i].kind == k && (layer < 0 || m->tensors[i].layer == layer))
			return &m->tensors[i];
	return NULL;
}

void
model_randomize(struct model *m, struct rng *r)
{
	int i, row, col;

	for (i = 0; i < m->n_tensors; i++) {
		const struct tensor *t = &m->tensors[i];

		for (row = 0; row < t->rows; row++)
			for (col = 0; col < t->cols; col++)
				m->p[model_index(t, row, col)] = rng_gauss(r, 0.0, INIT_STD);
	}
}

void
model_to_ref(const struct model *m, const double *in, double *out)
{
	int i, row, col;

	for (i = 0; i < m->n_tensors; i++) {
		const struct tensor *t = &m->tensors[i];

		for (row = 0; row < t->rows; row++)
			for (col = 0; col < t->cols; col++)
				out[t->off + (size_t)row * t->cols + col] = in[model_index(t, row, col)];
	}
}

void
model_from_ref(const struct model *m, const double *in, double *out)
{
	int i, row, col;

	for (i = 0; i < m->n_tensors; i++) {
		const struct tensor *t = &m->tensors[i];

		for (row = 0; row < t->rows; row++)
			for (col = 0; col < t->cols; col++)
				out[model_index(t, row, col)] = in[t->off + (size_t)row * t->cols + col];
	}
}

/* ---- the trace ---- */

void
trace_init(struct trace *tr, const struct model_config *cfg)
{
	size_t T = (size_t)cfg->block_size, C = (size_t)cfg->n_embd, V = (size_t)cfg->vocab_size;
	size_t L = (size_t)cfg->n_layer, H = (size_t)cfg->n_head, F = 4 * C;

	memset(tr, 0, sizeof *tr);
	tr->cfg = *cfg;
	tr->token = xcalloc(T, sizeof *tr->token);
	tr->target = xcalloc(T, sizeof *tr->target);
#define A(f, n, shape) tr->f = xcalloc((n), sizeof(double));
	TRACE_FIELDS(A)
#undef A
	tr->att_inv = xcalloc(L * T * H, sizeof(double));
	tr->logit_inv = xcalloc(T, sizeof(double));
}

void
trace_free(struct trace *tr)
{
#define F(f, n, shape) free(tr->f);
	TRACE_FIELDS(F)
#undef F
	free(tr->att_inv);
	free(tr->logit_inv);
	free(tr->token);
	free(tr->target);
	memset(tr, 0, sizeof *tr);
}

void
trace_reset(struct trace *tr)
{
	tr->n_pos = 0;
}

/* ---- forward kernels, each in the reference's order of operations ---- */

double
model_pow(double x, double y)
{
	/* CPython evaluates x ** y by calling the C library's pow() with an
	 * exponent known only at run time. With a constant exponent compilers
	 * rewrite pow(x, -1.0) as 1.0/x (gcc and clang, at any -O) and
	 * pow(x, 0.5) as sqrt(x) (clang): correctly rounded, but glibc's pow()
	 * is not, and differs from 1/x in about 0.08 % of inputs. Reading the
	 * exponent through a volatile keeps the real call. */
	volatile double e = y;

	return pow(x, e);
}

double
model_attn_scale(const struct model_config *c)
{
	/* `/ head_dim**0.5` is `* (head_dim ** 0.5) ** -1` */
	return model_pow(model_pow((double)(c->n_embd / c->n_head), 0.5), -1.0);
}

/* y = x * (mean(x^2) + eps)^-0.5 for rows t < rows (stride n): records
 * each row's mean square and scale. The scales' powers as one batch. */
static void
rmsnorm_forward(double *restrict y, const double *restrict x, int rows, int n, double inv_n,
    double *restrict ms_out, double *restrict scale_out)
{
	int i, t;

	for (t = 0; t < rows; t++) {
		const double *xt = x + (size_t)t * n;
		double ss = 0.0;

		for (i = 0; i < n; i++)
			ss += xt[i] * xt[i];
		ms_out[t] = ss * inv_n;
	}
	kernel_pow_neg_n(scale_out, ms_out, MODEL_RMS_EPS, (size_t)rows, -0.5);
	for (t = 0; t < rows; t++)
		for (i = 0; i < n; i++)
			y[(size_t)t * n + i] = x[(size_t)t * n + i] * scale_out[t];
}

/* exp() without its errno wrapper where that can be had: glibc's exp is
 * a wrapper that calls __ieee754_exp (the multiarch core, FMA here) and
 * then only looks at the result to set errno, a tenth of a softmax's time.
 * The core is the same function, so the same bits. It is reached by a weak
 * reference: a static link that has exp has it (one member of libm.a
 * defines both); a shared libm does not export it, nor does another C
 * library, and the reference is then null and exp() is called. */
#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__i386__))
extern double __ieee754_exp(double) __attribute__((weak));
#define MODEL_EXP_CORE 1
#endif

static inline double
model_exp(double x)
{
#ifdef MODEL_EXP_CORE
	if (__ieee754_exp)
		return __ieee754_exp(x);
#endif
	return exp(x);
}

/* softmax with the maximum subtracted; e / total is e * total^-1. In two
 * halves, so that a layer's totals ** -1 are one batch between them:
 * softmax_exp records the maximum, e and the total; softmax_apply
 * p = e * inv.
 *
 * At the maximum's first place x - max is +0 when max is finite, and
 * exp(+0) is exactly 1 (C11 F.10.3.1), so that one is not called: a
 * quarter of an attention row's exp calls at the default size (the row
 * at position 0 is only that one). The sum keeps its order. */
static void
softmax_exp(double *restrict e, const double *restrict x, int n, double *max_out,
    double *sum_out)
{
	double mx = x[0], total = 0.0;
	int i, im = 0, skip;

	for (i = 1; i < n; i++)
		if (x[i] > mx) {
			mx = x[i];
			im = i;
		}
	skip = isfinite(mx) ? im : n;
	for (i = 0; i < skip; i++) {
		e[i] = model_exp(x[i] - mx);
		total += e[i];
	}
	if (i < n) {
		e[i] = 1.0;
		total += 1.0;
		for (i++; i < n; i++) {
			e[i] = model_exp(x[i] - mx);
			total += e[i];
		}
	}
	*max_out = mx;
	*sum_out = total;
}

static void
softmax_apply(double *restrict p, const double *restrict e, int n, double inv)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = e[i] * inv;
}

void
model_softmax_temp(const double *logits, int n, double temperature, double *probs)
{
	double inv_t = kernel_pow_m1(temperature), mx, total = 0.0, inv;
	int i;

	for (i = 0; i < n; i++)
		probs[i] = logits[i] * inv_t;
	mx = probs[0];
	for (i = 1; i < n; i++)
		if (probs[i] > mx)
			mx = probs[i];
	for (i = 0; i < n; i++) {
		probs[i] = model_exp(probs[i] - mx);
		total += probs[i];
	}
	inv = kernel_pow_m1(total);
	for (i = 0; i < n; i++)
		probs[i] *= inv;
}

/* Tensor k of layer l (l is ignored for wte, wpe and lm_head): they are
 * created in enum order, wte, wpe, lm_head, then wq..fc2 layer by layer. */
static const struct tensor *
tensor_at(const struct model *m, enum tensor_kind k, int l)
{
	return &m->tensors[k <= TENSOR_LM_HEAD ? (int)k : 3 + 6 * l + (int)(k - TENSOR_WQ)];
}

/* A tensor's weights (internal layout). */
static const double *
weight(const struct model *m, enum tensor_kind k, int l)
{
	return m->p + tensor_at(m, k, l)->off;
}

/* A head's output: out[j] = w[0] v[0][j] + ... + w[t] v[t][j], each j its
 * own sum from 0.0, u ascending; the D <= 8 sums side by side (a vector
 * where D is a constant 4 or 8), not one chain after another. */
static inline __attribute__((always_inline)) void
head_sum(double *restrict out, const double *restrict w, const double *restrict v, int C, int t,
    const int D)
{
	double acc[8];
	int j, u;

	for (j = 0; j < D; j++)
		acc[j] = 0.0;
	for (u = 0; u <= t; u++)
		for (j = 0; j < D; j++)
			acc[j] += w[u] * v[(size_t)u * C + j];
	for (j = 0; j < D; j++)
		out[j] = acc[j];
}

/* Layer l's attention up to the heads' outputs for positions t0..t0+n-1:
 * rmsnorm, q k v, scores, softmax, weighted sums into att_head. x is the
 * layer input of position t0, rows at stride C. */
static void
layer_forward_heads(const struct model *m, struct trace *tr, int l, int t0, int n,
    const double *x)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, H = c->n_head, D = m->head_dim, T = c->block_size;
	const double inv_C = m->inv_C;
	const double inv_sqrt_d = m->attn_scale;
	size_t lt0 = trace_lt(tr, l, 0), ls = trace_lt(tr, l, t0);
	double *xn1 = tr->xn1 + ls * C;
	int h, j, u, t;

	rmsnorm_forward(xn1, x, n, C, inv_C, &tr->ln1_ms[ls], &tr->ln1_scale[ls]);
	kernel_linear_forward(tr->q + ls * C, C, weight(m, TENSOR_WQ, l), xn1, C, n, C, C);
	kernel_linear_forward(tr->k + ls * C, C, weight(m, TENSOR_WK, l), xn1, C, n, C, C);
	kernel_linear_forward(tr->v + ls * C, C, weight(m, TENSOR_WV, l), xn1, C, n, C, C);

	for (t = t0; t < t0 + n; t++) {
		const double *q = tr->q + (lt0 + t) * C;

		for (h = 0; h < H; h++) {
			size_t lth = trace_lth(tr, l, t, h);
			double *score = tr->att_score + lth * T, *e = tr->att_exp + lth * T;
			const double *qh = q + h * D;

			for (u = 0; u <= t; u++) {
				const double *kh = tr->k + (lt0 + u) * C + h * D;
				double dot = 0.0;

				for (j = 0; j < D; j++)
					dot += qh[j] * kh[j];
				score[u] = dot * inv_sqrt_d;
			}
			softmax_exp(e, score, t + 1, &tr->att_max[lth], &tr->att_sum[lth]);
		}
	}
	kernel_pow_neg_n(tr->att_inv + trace_lth(tr, l, t0, 0), tr->att_sum + trace_lth(tr, l, t0, 0),
	    0.0, (size_t)n * H, -1.0);
	for (t = t0; t < t0 + n; t++) {
		size_t lt = lt0 + t;
		double *head = tr->att_head + lt * C;

		for (h = 0; h < H; h++) {
			size_t lth = trace_lth(tr, l, t, h);
			double *e = tr->att_exp + lth * T, *w = tr->att_w + lth * T;

			softmax_apply(w, e, t + 1, tr->att_inv[lth]);
			if (D == 4)
				head_sum(head + h * D, w, tr->v + lt0 * C + h * D, C, t, 4);
			else if (D == 8)
				head_sum(head + h * D, w, tr->v + lt0 * C + h * D, C, t, 8);
			else   /* other head sizes eight outputs at a time */
				for (j = 0; j < D; j += 8)
					head_sum(head + h * D + j, w, tr->v + lt0 * C + h * D + j, C, t,
					    D - j < 8 ? D - j : 8);
		}
	}
}

/* Layer l from the concatenation on for positions t0..t0+n-1: att_cat
 * from att_head under the head mask, attn_wo, the residual, rmsnorm, the
 * MLP and its residual. x as above. */
static void
layer_forward_rest(const struct model *m, struct trace *tr, int l, int t0, int n,
    const double *x)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, H = c->n_head, D = m->head_dim, F = 4 * C;
	const double inv_C = m->inv_C;
	size_t ls = trace_lt(tr, l, t0);
	double *y;
	int h, i, j, t;

	for (t = 0; t < n; t++) {
		const double *head = tr->att_head + (ls + t) * C;
		double *cat = tr->att_cat + (ls + t) * C;

		for (h = 0; h < H; h++)
			for (j = 0; j < D; j++)
				cat[h * D + j] = (tr->head_mask >> (l * H + h)) & 1u ? 0.0 : head[h * D + j];
	}
	kernel_linear_forward(tr->att_proj + ls * C, C, weight(m, TENSOR_WO, l),
	    tr->att_cat + ls * C, C, n, C, C);
	for (t = 0; t < n; t++) {
		size_t lt = ls + t;

		y = tr->x_mid + lt * C;
		for (i = 0; i < C; i++)
			y[i] = tr->att_proj[lt * C + i] + x[(size_t)t * C + i];
	}
	rmsnorm_forward(tr->xn2 + ls * C, tr->x_mid + ls * C, n, C, inv_C, &tr->ln2_ms[ls],
	    &tr->ln2_scale[ls]);
	kernel_linear_forward(tr->fc1 + ls * F, F, weight(m, TENSOR_FC1, l), tr->xn2 + ls * C, C,
	    n, F, C);
	for (i = 0; i < n * F; i++) {
		double a = tr->fc1[ls * F + i];

		tr->relu[ls * F + i] = a > 0 ? a : 0.0;
	}
	kernel_linear_forward(tr->fc2 + ls * C, C, weight(m, TENSOR_FC2, l), tr->relu + ls * F, F,
	    n, C, F);
	for (i = 0; i < n * C; i++)
		tr->x_out[ls * C + i] = tr->fc2[ls * C + i] + tr->x_mid[ls * C + i];
}

/* The logits, probabilities and losses of positions t0..t0+n-1 from the
 * last residual x (position t0's row, stride C). */
static void
logits_forward(const struct model *m, struct trace *tr, int t0, int n, const double *x)
{
	const int C = m->cfg.n_embd, V = m->cfg.vocab_size;
	int t;

	kernel_linear_forward(tr->logits + (size_t)t0 * V, V, weight(m, TENSOR_LM_HEAD, 0), x, C,
	    n, V, C);
	for (t = t0; t < t0 + n; t++)
		softmax_exp(tr->logit_exp + (size_t)t * V, tr->logits + (size_t)t * V, V,
		    &tr->logit_max[t], &tr->logit_sum[t]);
	kernel_pow_neg_n(tr->logit_inv + t0, tr->logit_sum + t0, 0.0, (size_t)n, -1.0);
	for (t = t0; t < t0 + n; t++) {
		softmax_apply(tr->probs + (size_t)t * V, tr->logit_exp + (size_t)t * V, V,
		    tr->logit_inv[t]);
		tr->loss[t] = tr->target[t] >= 0 ? -log(tr->probs[(size_t)t * V + tr->target[t]]) : NAN;
	}
}

/* The layer input of layer l at position t0 (rows at stride C). */
static const double *
layer_input(const struct trace *tr, int l, int t0)
{
	const int C = tr->cfg.n_embd;

	return l ? tr->x_out + trace_lt(tr, l - 1, t0) * C : tr->x0 + (size_t)t0 * C;
}

void
model_forward_seq(const struct model *m, struct trace *tr, const int *tokens, const int *targets,
    int n)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, t0 = tr->n_pos;
	const double inv_C = m->inv_C;
	double *y;
	int l, i, t;

	/* Position by position where a position needs its predecessors
	 * (attention) or is cheap; each linear layer over all n positions at
	 * once. Every value is computed by the same operations as for one
	 * position at a time, so the trace does not depend on n. */
	for (t = t0; t < t0 + n; t++) {
		int token = tokens[t - t0];

		tr->token[t] = token;
		tr->target[t] = targets[t - t0];
		memcpy(tr->tok_emb + (size_t)t * C, weight(m, TENSOR_WTE, 0) + (size_t)token * C,
		    C * sizeof(double));
		memcpy(tr->pos_emb + (size_t)t * C, weight(m, TENSOR_WPE, 0) + (size_t)t * C,
		    C * sizeof(double));
		y = tr->emb + (size_t)t * C;
		for (i = 0; i < C; i++)
			y[i] = tr->tok_emb[(size_t)t * C + i] + tr->pos_emb[(size_t)t * C + i];
	}
	rmsnorm_forward(tr->x0 + (size_t)t0 * C, tr->emb + (size_t)t0 * C, n, C, inv_C,
	    &tr->ln0_ms[t0], &tr->ln0_scale[t0]);
	for (l = 0; l < c->n_layer; l++) {
		layer_forward_heads(m, tr, l, t0, n, layer_input(tr, l, t0));
		layer_forward_rest(m, tr, l, t0, n, layer_input(tr, l, t0));
	}
	logits_forward(m, tr, t0, n, layer_input(tr, c->n_layer, t0));
	tr->n_pos = t0 + n;
}

void
model_forward_from_concat(const struct model *m, struct trace *tr, int layer)
{
	int l, n = tr->n_pos;

	if (n <= 0 || layer < 0 || layer >= m->cfg.n_layer)
		return;
	layer_forward_rest(m, tr, layer, 0, n, layer_input(tr, layer, 0));
	for (l = layer + 1; l < m->cfg.n_layer; l++) {
		layer_forward_heads(m, tr, l, 0, n, layer_input(tr, l, 0));
		layer_forward_rest(m, tr, l, 0, n, layer_input(tr, l, 0));
	}
	logits_forward(m, tr, 0, n, layer_input(tr, m->cfg.n_layer, 0));
}

void
model_forward(const struct model *m, struct trace *tr, int token, int target)
{
	model_forward_seq(m, tr, &token, &target, 1);
}

void
model_reforward(const struct model *m, struct trace *tr)
{
	int n = tr->n_pos;

	tr->n_pos = 0;
	if (n > 0)
		model_forward_seq(m, tr, tr->token, tr->target, n);
}

/* ---- backward ----
 *
 * microgpt.py differentiates a scalar graph: backward() orders it by a
 * depth-first search from the loss (children in the order each node holds
 * them) and walks that order in reverse, doing child.grad += local_grad *
 * v.grad. So every gradient here is a sum of its consumers' contributions,
 * added from zero in the reverse of the order in which the search finished
 * those consumers, each contribution one rounded product. That order
 * depends only on the graph's shape, and docs/ACCURACY.md derives it for
 * each kind of node; the code below adds in exactly that order:
 *
 * - a weight is used once per position: positions last to first;
 * - a linear layer's input x[j] feeds every output: outputs last to first
 *   (lm_head: the target's row last, the search reaches it first);
 * - the normed x of attention feeds q, k and v: for heads last to first,
 *   v, k, q, each dimension last to first (at position 0, where q[j] and
 *   k[j] are reached together, v then k[j], q[j] pairs);
 * - k and v rows of the cache: later positions first;
 * - softmax: e[u] gets e[u]/total's share first, then the total's;
 *   every e[u] * total**-1 is its own node, so the total sums them last u
 *   first;
 * - rmsnorm: the scale sums its uses last to first; an input x[j] gets its
 *   residual use first (when it has one), then x[j] * scale, then x[j]*x[j]
 *   twice (the same node twice as a child).
 *
 * A switched-off head passes no gradient (its slice of att_cat is a
 * constant zero). */

struct backward {
	double *wref;   /* [n_params] this step's linear weights in the reference
	                 * layout [out][in] (embedding tables unused) */
	int    *iota;   /* [max(V, F)] 0, 1, 2, ...: rows of a plain layer */
	int    *row_C;  /* [max(V, F)] k*C: rows of lm_head, wo, fc1 ([.][C]) */
	int    *row_F;  /* [C] k*F: rows of fc2 ([C][F]) */
	int    *qkv_row[2], *qkv_dy[2]; /* [3C] the q/k/v sum order, positions
	                                 * t > 0 ([0]) and t == 0 ([1]) */
	double *dx;     /* [T][C] gradient of the residual stream */
	double *dxn;    /* [T][C] gradient of a normed x */
	double *dqkv;   /* [T][3C] per position: dq, dk, dv */
	double *dcat;   /* [T][C] */
	double *dmid;   /* [T][C] */
	double *dh;     /* [T][F] */
	double *dw;     /* [T] attention weights of one head */
	double *ddot;   /* [T] attention dots of one head */
	double *dlogit; /* [T][V] */
	double *gtgt;   /* [T] the target logit's gradient */
	double *pw;     /* [T][H] a batch of powers (kernel_pow_neg_n) */
	struct grad_trace *rec; /* NULL, or where each gradient is copied as it
	                         * is computed (backward_record) */
};

void
backward_record(struct backward *b, struct grad_trace *g)
{
	b->rec = g;
}

struct backward *
backward_new(const struct model_config *c)
{
	struct backward *b = xcalloc(1, sizeof *b);
	size_t T = (size_t)c->block_size, C = (size_t)c->n_embd, V = (size_t)c->vocab_size;
	size_t F = 4 * C, N = V > F ? V : F, i;
	int H = c->n_head, D = c->n_embd / c->n_head, h, j, k, d, pos;

	b->wref = xcalloc(model_config_params(c), sizeof(double));
	b->iota = xcalloc(N, sizeof(int));
	b->row_C = xcalloc(N, sizeof(int));
	b->row_F = xcalloc(C, sizeof(int));
	for (i = 0; i < N; i++) {
		b->iota[i] = (int)i;
		b->row_C[i] = (int)(i * C);
	}
	for (i = 0; i < C; i++)
		b->row_F[i] = (int)(i * F);
	/* The q/k/v order, ascending (the kernel sums it from the end):
	 * head by head, q then k then v (position 0: q[j] k[j] pairs, then
	 * v). Rows of wq, wk, wv follow each other in wref (C*C apart). */
	for (pos = 0; pos < 2; pos++) {
		b->qkv_row[pos] = xcalloc(3 * C, sizeof(int));
		b->qkv_dy[pos] = xcalloc(3 * C, sizeof(int));
		k = 0;
		for (h = 0; h < H; h++) {
			for (j = 0; j < 2 * D; j++) {
				int which = pos ? j % 2 : j / D;
				int o;

				d = pos ? j / 2 : j % D;
				o = h * D + d;

				b->qkv_row[pos][k] = which * (int)(C * C) + o * (int)C;
				b->qkv_dy[pos][k++] = which * (int)C + o;
			}
			for (d = 0; d < D; d++) {
				b->qkv_row[pos][k] = 2 * (int)(C * C) + (h * D + d) * (int)C;
				b->qkv_dy[pos][k++] = 2 * (int)C + h * D + d;
			}
		}
	}
	b->dx = xcalloc(T * C, sizeof(double));
	b->dxn = xcalloc(T * C, sizeof(double));
	b->dqkv = xcalloc(T * 3 * C, sizeof(double));
	b->dcat = xcalloc(T * C, sizeof(double));
	b->dmid = xcalloc(T * C, sizeof(double));
	b->dh = xcalloc(T * F, sizeof(double));
	b->dw = xcalloc(T, sizeof(double));
	b->ddot = xcalloc(T, sizeof(double));
	b->dlogit = xcalloc(T * V, sizeof(double));
	b->gtgt = xcalloc(T, sizeof(double));
	b->pw = xcalloc(T * (size_t)H, sizeof(double));
	return b;
}

void
backward_free(struct backward *b)
{
	int i;

	if (!b)
		return;
	free(b->wref); free(b->iota); free(b->row_C); free(b->row_F);
	for (i = 0; i < 2; i++) {
		free(b->qkv_row[i]);
		free(b->qkv_dy[i]);
	}
	free(b->dx); free(b->dxn); free(b->dqkv); free(b->dcat); free(b->dmid);
	free(b->dh); free(b->dw); free(b->ddot); free(b->dlogit); free(b->gtgt); free(b->pw);
	free(b);
}

/* rmsnorm_backward's last loop, res a constant: with the residual's
 * share dres[j] first, or without. */
static inline __attribute__((always_inline)) void
rmsnorm_dx(double *restrict dx, const double *restrict dres, const double *restrict dy,
    const double *restrict x, int n, double scale, double gss, const int res)
{
	int j;

	for (j = 0; j < n; j++) {
		double d = res ? dres[j] + scale * dy[j] : scale * dy[j];

		d += x[j] * gss;
		dx[j] = d + x[j] * gss;
	}
}

/* y = x * scale, scale = (ss * C^-1 + eps) ** -0.5, ss = sum x*x:
 * pw = (ms + eps) ** -1.5;
 * dx[j] = ((dres[j] + scale dy[j]) + x[j] gss) + x[j] gss, the residual's
 * share first when there is one (dres != NULL). */
static void
rmsnorm_backward(double *restrict dx, const double *restrict dres, const double *restrict dy,
    const double *restrict x, int n, double inv_n, double pw, double scale, double *ds_rec)
{
	double ds = 0.0, da, gss;
	int j;

	for (j = n - 1; j >= 0; j--)
		ds += x[j] * dy[j];
	if (ds_rec)
		*ds_rec = ds;
	/* scale = a ** -0.5: local gradient -0.5 * a ** -1.5 (pw, computed
	 * for all positions at once by the caller) */
	da = (-0.5 * pw) * ds;
	gss = inv_n * da;
	/* the test outside the loop, not in it: then each is a vector loop */
	if (dres)
		rmsnorm_dx(dx, dres, dy, x, n, scale, gss, 1);
	else
		rmsnorm_dx(dx, dres, dy, x, n, scale, gss, 0);
}

/* One layer's attention, all positions and heads: from dcat (the heads'
 * outputs) to dqkv. Positions last to first, so that the cache rows k[u]
 * and v[u] gather later positions' shares first. Built for a head size
 * known at compile time (dim: 4 and 8, the usual ones; 0 any) and without
 * the record (has_rec 0): the head's vectors then stay in registers and
 * the record's stores, which may alias, leave the loops. */
static inline __attribute__((always_inline)) void
attention_backward_body(const struct model *m, const struct trace *tr, int l, struct backward *b,
    const int dim, const int has_rec)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, H = c->n_head, D = dim ? dim : m->head_dim, T = c->block_size;
	const int n = tr->n_pos;
	const size_t lt0 = trace_lt(tr, l, 0), C3 = 3 * (size_t)C;
	const double scale = m->attn_scale;
	const double *kc = tr->k + lt0 * C, *vc = tr->v + lt0 * C;
	struct grad_trace *rec = has_rec ? b->rec : NULL;
	int t, h, u, j;

	memset(b->dqkv, 0, (size_t)n * C3 * sizeof(double));
	/* every (t, h)'s total ** -2 at once */
	kernel_pow_neg_n(b->pw, tr->att_sum + trace_lth(tr, l, 0, 0), 0.0, (size_t)n * H, -2.0);
	for (t = n - 1; t >= 0; t--) {
		const double *q = tr->q + (lt0 + t) * C;

		for (h = 0; h < H; h++) {
			size_t lth = trace_lth(tr, l, t, h);
			const double *w = tr->att_w + lth * T, *e = tr->att_exp + lth * T;
			const double *dc = b->dcat + (size_t)t * C + h * D;
			double inv = tr->att_inv[lth], lg_total, dtot = 0.0;
			double *dq = b->dqkv + (size_t)t * C3 + h * D;

			if ((tr->head_mask >> (l * H + h)) & 1u)
				continue;
			/* w[u] = e[u] * total**-1 feeds head_out[j] for every j */
			for (u = 0; u <= t; u++) {
				const double *vu = vc + (size_t)u * C + h * D;
				double s = 0.0;

				for (j = D - 1; j >= 0; j--)
					s += vu[j] * dc[j];
				b->dw[u] = s;
			}
			lg_total = -b->pw[(size_t)t * H + h];
			for (u = t; u >= 0; u--)
				dtot += lg_total * (e[u] * b->dw[u]);
			/* score = dot * scale, e = exp(score - max) */
			for (u = 0; u <= t; u++) {
				double de = inv * b->dw[u] + dtot, dscore = e[u] * de;

				b->ddot[u] = scale * dscore;
				if (rec) {
					rec->d_att_exp[lth * T + u] = de;
					rec->d_att_score[lth * T + u] = dscore;
				}
			}
			if (rec) {
				memcpy(rec->d_att_w + lth * T, b->dw, (size_t)(t + 1) * sizeof(double));
				rec->d_att_sum[lth] = dtot;
			}
			/* dq[j] = k[t][j] ddot[t] + ... + k[0][j] ddot[0], each j
			 * its own sum from 0.0 (dq is zero from the memset) */
			if (dim) {
				double sq[8];   /* dim is 4 or 8 */

				for (j = 0; j < D; j++)
					sq[j] = 0.0;
				for (u = t; u >= 0; u--)
					for (j = 0; j < D; j++)
						sq[j] += kc[(size_t)u * C + h * D + j] * b->ddot[u];
				for (j = 0; j < D; j++)
					dq[j] = sq[j];
			} else
				for (j = 0; j < D; j++) {
					double s = 0.0;

					for (u = t; u >= 0; u--)
						s += kc[(size_t)u * C + h * D + j] * b->ddot[u];
					dq[j] = s;
				}
			/* k[u] and v[u] take their shares: dk[u][j] += q[j] ddot[u],
			 * dv[u][j] += w[u] dc[j] */
			if (dim && !has_rec) {
				/* copies in registers, all loads before the stores: the
				 * compiler cannot tell dqkv from the others */
				double qh[8], dch[8];   /* dim is 4 or 8 */

				for (j = 0; j < D; j++) {
					qh[j] = q[h * D + j];
					dch[j] = dc[j];
				}
				for (u = 0; u <= t; u++) {
					double *dk = b->dqkv + (size_t)u * C3 + C + h * D, *dv = dk + C;
					double dd = b->ddot[u], wu = w[u], nk[8], nv[8];

					for (j = 0; j < D; j++) {
						nk[j] = dk[j] + qh[j] * dd;
						nv[j] = dv[j] + wu * dch[j];
					}
					for (j = 0; j < D; j++) {
						dk[j] = nk[j];
						dv[j] = nv[j];
					}
				}
				continue;
			}
			for (u = 0; u <= t; u++) {
				double *dk = b->dqkv + (size_t)u * C3 + C + h * D;
				double *dv = dk + C;

				double *rk = rec ? rec->d_k_share + ((lt0 + t) * T + u) * C + h * D : NULL;
				double *rv = rec ? rec->d_v_share + ((lt0 + t) * T + u) * C + h * D : NULL;

				for (j = 0; j < D; j++) {
					double sk = q[h * D + j] * b->ddot[u], sv = w[u] * dc[j];

					dk[j] += sk;
					dv[j] += sv;
					if (rec) {
						rk[j] = sk;
						rv[j] = sv;
					}
				}
			}
		}
	}
}

#ifdef HAVE_TARGET_CLONES
__attribute__((target_clones("default", "avx2", "avx512f")))
#endif
static void
attention_backward(const struct model *m, const struct trace *tr, int l, struct backward *b)
{
	if (b->rec)
		attention_backward_body(m, tr, l, b, 0, 1);
	else if (m->head_dim == 4)
		attention_backward_body(m, tr, l, b, 4, 0);
	else if (m->head_dim == 8)
		attention_backward_body(m, tr, l, b, 8, 0);
	else
		attention_backward_body(m, tr, l, b, 0, 0);
}

/* The linear weights in the reference layout, for the input gradients'
 * sums over outputs (contiguous in the input index). */
static void
weights_to_ref(const struct model *m, double *wref)
{
	int i;

	for (i = 0; i < m->n_tensors; i++) {
		const struct tensor *t = &m->tensors[i];

		if (t->transposed)   /* p: [cols][rows] -> wref: [rows][cols] */
			kernel_transpose(wref + t->off, m->p + t->off, t->rows, t->cols);
	}
}

void
model_backward(const struct model *m, const struct trace *tr, double *g, struct backward *b)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, T = c->block_size, V = c->vocab_size, F = 4 * C;
	const int n = tr->n_pos, L = c->n_layer;
	const double inv_n = 1.0 / n, inv_C = m->inv_C;
	const struct tensor *te = tensor_at(m, TENSOR_WTE, 0), *tp = tensor_at(m, TENSOR_WPE, 0);
	const struct tensor *th = tensor_at(m, TENSOR_LM_HEAD, 0);
	struct grad_trace *rec = b->rec;
	const size_t nC = (size_t)n * C * sizeof(double), nF = (size_t)n * F * sizeof(double);
	int l, t, i;

	weights_to_ref(m, b->wref);
	if (rec) {
		rec->n_pos = n;
		rec->d_loss_t = inv_n;
	}
	memset(g + te->off, 0, (size_t)V * C * sizeof *g);
	memset(g + tp->off, 0, (size_t)T * C * sizeof *g);

	/* loss = (1/n) * sum(-log(p[target])), p = e * total**-1: only the
	 * target's probability is in the graph, so a logit gets e * total.grad,
	 * the target's e[target] * (total**-1 * p.grad + total.grad). */
	kernel_pow_neg_n(b->pw, tr->logit_sum, 0.0, (size_t)n, -2.0);
	for (t = 0; t < n; t++) {
		const double *e = tr->logit_exp + (size_t)t * V;
		double *dl = b->dlogit + (size_t)t * V;
		int tgt = tr->target[t];
		double inv = tr->logit_inv[t];
		double gp = (1.0 / tr->probs[(size_t)t * V + tgt]) * -inv_n;
		double dtot = -b->pw[t] * (e[tgt] * gp);

		for (i = 0; i < V; i++)
			dl[i] = e[i] * dtot;
		dl[tgt] = e[tgt] * (inv * gp + dtot);
		if (rec) {
			rec->d_prob_tgt[t] = gp;
			rec->d_logit_sum[t] = dtot;
			memset(rec->d_probs + (size_t)t * V, 0, (size_t)V * sizeof(double));
			rec->d_probs[(size_t)t * V + tgt] = gp;
			memcpy(rec->d_logits + (size_t)t * V, dl, (size_t)V * sizeof(double));
		}
	}
	{
		const double *xf = tr->x_out + trace_lt(tr, L - 1, 0) * C;
		const double *w = b->wref + th->off;

		kernel_linear_backward_w(g + th->off, xf, C, b->dlogit, V, n, V, C);
		/* the target's row is added last: sum the others (a zero in its
		 * place adds nothing), then it */
		for (t = 0; t < n; t++) {
			int tgt = tr->target[t];

			b->gtgt[t] = b->dlogit[(size_t)t * V + tgt];
			b->dlogit[(size_t)t * V + tgt] = 0.0;
		}
		kernel_linear_backward_x(b->dx, C, b->dlogit, V, w, b->row_C, b->iota, n, V, C);
		for (t = 0; t < n; t++) {
			const double *wt = w + (size_t)tr->target[t] * C;

			for (i = 0; i < C; i++)
				b->dx[(size_t)t * C + i] += wt[i] * b->gtgt[t];
		}
	}

	for (l = L - 1; l >= 0; l--) {
		const size_t lt0 = trace_lt(tr, l, 0);
		const double *xin = l ? tr->x_out + trace_lt(tr, l - 1, 0) * C : tr->x0;
		const struct tensor *tq = tensor_at(m, TENSOR_WQ, l), *to = tensor_at(m, TENSOR_WO, l);
		const struct tensor *t1 = tensor_at(m, TENSOR_FC1, l), *t2 = tensor_at(m, TENSOR_FC2, l);

		/* MLP: x_out = fc2(relu(fc1(rmsnorm(x_mid)))) + x_mid; dx is x_out's */
		if (rec)
			memcpy(rec->d_x_out + lt0 * C, b->dx, nC);
		kernel_linear_backward_w(g + t2->off, tr->relu + lt0 * F, F, b->dx, C, n, C, F);
		kernel_linear_backward_x(b->dh, F, b->dx, C, b->wref + t2->off, b->row_F, b->iota,
		    n, C, F);
		if (rec)
			memcpy(rec->d_relu + lt0 * F, b->dh, nF);
		for (t = 0; t < n; t++) {
			const double *a = tr->fc1 + (lt0 + t) * F;
			double *dh = b->dh + (size_t)t * F;

			/* a select, not a branch: taken half the time at random */
			for (i = 0; i < F; i++)
				dh[i] = a[i] > 0 ? dh[i] : 0.0;
		}
		kernel_linear_backward_w(g + t1->off, tr->xn2 + lt0 * C, C, b->dh, F, n, F, C);
		kernel_linear_backward_x(b->dxn, C, b->dh, F, b->wref + t1->off, b->row_C, b->iota,
		    n, F, C);
		if (rec) {
			memcpy(rec->d_fc1 + lt0 * F, b->dh, nF);
			memcpy(rec->d_xn2 + lt0 * C, b->dxn, nC);
		}
		kernel_pow_neg_n(b->pw, tr->ln2_ms + lt0, MODEL_RMS_EPS, (size_t)n, -1.5);
		for (t = 0; t < n; t++)
			rmsnorm_backward(b->dmid + (size_t)t * C, b->dx + (size_t)t * C,
			    b->dxn + (size_t)t * C, tr->x_mid + (lt0 + t) * C, C, inv_C,
			    b->pw[t], tr->ln2_scale[lt0 + t],
			    rec ? &rec->d_ln2_scale[lt0 + t] : NULL);
		if (rec)
			memcpy(rec->d_x_mid + lt0 * C, b->dmid, nC);

		/* attention: x_mid = wo(cat(heads)) + x_in */
		kernel_linear_backward_w(g + to->off, tr->att_cat + lt0 * C, C, b->dmid, C, n, C, C);
		kernel_linear_backward_x(b->dcat, C, b->dmid, C, b->wref + to->off, b->row_C, b->iota,
		    n, C, C);
		if (rec)
			grad_trace_put_attn(rec, tr, l, b->dcat);
		attention_backward(m, tr, l, b);
		if (rec)
			grad_trace_put_qkv(rec, tr, l, b->dqkv);
		for (i = 0; i < 3; i++)
			kernel_linear_backward_w(g + tq->off + (size_t)i * C * C, tr->xn1 + lt0 * C, C,
			    b->dqkv + (size_t)i * C, 3 * (size_t)C, n, C, C);
		/* wq, wk, wv are consecutive tensors: one table spans the three */
		kernel_linear_backward_x(b->dxn, C, b->dqkv, 3 * (size_t)C, b->wref + tq->off,
		    b->qkv_row[1], b->qkv_dy[1], 1, 3 * C, C);
		if (n > 1)
			kernel_linear_backward_x(b->dxn + C, C, b->dqkv + 3 * (size_t)C, 3 * (size_t)C,
			    b->wref + tq->off, b->qkv_row[0], b->qkv_dy[0], n - 1, 3 * C, C);
		if (rec)
			memcpy(rec->d_xn1 + lt0 * C, b->dxn, nC);
		kernel_pow_neg_n(b->pw, tr->ln1_ms + lt0, MODEL_RMS_EPS, (size_t)n, -1.5);
		for (t = 0; t < n; t++)
			rmsnorm_backward(b->dx + (size_t)t * C, b->dmid + (size_t)t * C,
			    b->dxn + (size_t)t * C, xin + (size_t)t * C, C, inv_C,
			    b->pw[t], tr->ln1_scale[lt0 + t],
			    rec ? &rec->d_ln1_scale[lt0 + t] : NULL);
		if (rec)
			memcpy(rec->d_x_in + lt0 * C, b->dx, nC);
	}

	/* x0 = rmsnorm(wte[token] + wpe[pos]); a token's row gathers its
	 * positions last to first */
	kernel_pow_neg_n(b->pw, tr->ln0_ms, MODEL_RMS_EPS, (size_t)n, -1.5);
	for (t = n - 1; t >= 0; t--) {
		double *gte = g + te->off + (size_t)tr->token[t] * C;
		double *gpe = g + tp->off + (size_t)t * C;

		rmsnorm_backward(b->dxn, NULL, b->dx + (size_t)t * C, tr->emb + (size_t)t * C, C,
		    inv_C, b->pw[t], tr->ln0_scale[t], rec ? &rec->d_ln0_scale[t] : NULL);
		if (rec)
			memcpy(rec->d_emb + (size_t)t * C, b->dxn, (size_t)C * sizeof(double));
		for (i = 0; i < C; i++) {
			gte[i] += b->dxn[i];
			gpe[i] = b->dxn[i];
		}
	}
}

/* ---- Adam ---- */

void
adam_init(struct adam *a, size_t n)
{
	a->lr = 0.01;
	a->beta1 = 0.85;
	a->beta2 = 0.99;
	a->eps = 1e-8;
	a->m = xcalloc(n, sizeof(double));
	a->v = xcalloc(n, sizeof(double));
	a->hard = xcalloc(n, sizeof *a->hard);
	a->rec = NULL;
	a->bc_beta[0] = a->bc_beta[1] = 0.0;   /* none: found at the first update */
	a->bc_one[0] = a->bc_one[1] = LONG_MAX;
}

/* Adam's bias correction 1 - beta ** t (t = step + 1), with pow() only
 * where its result can show: for 0 < beta < 1, once pow(beta, t*) is below
 * 2^-55, every later t has beta ** t below 2^-55 (1 + 2^-52) exactly and
 * pow(beta, t) (error under one ulp) below 2^-54, and 1 - x for such an x
 * rounds to 1.0 (1 - 2^-54 is the midpoint below 1). t* is found once per
 * beta (log2 guesses it, pow confirms it), so two pow calls a step go for
 * the 97 % of an 8000-step run's steps that divide by 1.0 anyway. */
static double
adam_bias_correction(double beta, long t, double *found_for, long *one_from)
{
	if (beta != *found_for) {
		long s = LONG_MAX;

		if (beta > 0.0 && beta < 1.0) {
			double guess = ceil(-55.0 / log2(beta));
			int tries;

			if (guess < 1.0)
				guess = 1.0;
			if (guess < 1e15)
				for (s = (long)guess, tries = 0; model_pow(beta, (double)s) >= 0x1p-55; s++)
					if (++tries == 64) {
						s = LONG_MAX;
						break;
					}
		}
		*found_for = beta;
		*one_from = s;
	}
	return t >= *one_from ? 1.0 : 1 - model_pow(beta, (double)t);
}

void
adam_free(struct adam *a)
{
	free(a->m);
	free(a->v);
	free(a->hard);
	a->m = a->v = NULL;
	a->hard = NULL;
}

double
adam_update_norm(struct adam *a, double *restrict p, const double *restrict g, size_t n,
    long step, long n_steps, double *grad_sq)
{
	/* microgpt.py's Adam, operation for operation: lr_t = lr * (1 -
	 * step / num_steps); m = beta1 * m + (1 - beta1) * g; v = beta2 * v +
	 * (1 - beta2) * g ** 2; m_hat = m / (1 - beta1 ** (step + 1)), v_hat
	 * likewise; p -= lr_t * m_hat / (v_hat ** 0.5 + eps). Every ** is
	 * pow() as CPython calls it (kernel_pow2 and kernel_pow_half for the
	 * per-parameter ones). */
	struct kernel_adam_k k;
	double ss;

	k.lr_t = a->lr * (1 - (double)step / (double)n_steps);
	k.b1 = a->beta1;
	k.b2 = a->beta2;
	k.c1 = 1 - k.b1;
	k.c2 = 1 - k.b2;
	k.bc1 = adam_bias_correction(k.b1, step + 1, &a->bc_beta[0], &a->bc_one[0]);
	k.bc2 = adam_bias_correction(k.b2, step + 1, &a->bc_beta[1], &a->bc_one[1]);
	k.eps = a->eps;
	k.rec_m_hat = a->rec ? a->rec->m_hat : NULL;
	k.rec_v_hat = a->rec ? a->rec->v_hat : NULL;
	k.rec_update = a->rec ? a->rec->update : NULL;
	if (a->rec) {
		a->rec->lr_t = k.lr_t;
		a->rec->bc1 = k.bc1;
		a->rec->bc2 = k.bc2;
	}
	ss = kernel_adam(p, a->hard, g, a->m, a->v, n, &k);
	if (grad_sq)
		*grad_sq = ss;
	return k.lr_t;
}
