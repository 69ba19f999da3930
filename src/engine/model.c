/* model.c - the MicroGPT forward pass (recording a trace), its backward
 * pass, and Adam.
 *
 * The forward pass mirrors microgpt.py operation for operation: every sum
 * starts from zero and adds terms left to right; a division by a Value is a
 * multiplication by pow(x, -1) (Value.__truediv__); rmsnorm's scale is
 * pow(ms + 1e-5, -0.5). Linear layers are stored transposed, [in][out], so
 * that the loop over outputs is innermost and contiguous: each output's sum
 * still adds its terms in input order, so vectorising across outputs
 * changes no bit. The backward pass is exact calculus but need not follow
 * the reference's autograd summation order (nothing can be bit-identical to
 * a scalar autograd's topological order); its effect on the figures is far
 * below the 1e-9 the known figures are held to. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
}

void
trace_free(struct trace *tr)
{
#define F(f, n, shape) free(tr->f);
	TRACE_FIELDS(F)
#undef F
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

/* y = x * (mean(x^2) + eps)^-0.5; records the mean square and the scale. */
static void
rmsnorm_forward(double *restrict y, const double *restrict x, int n, double inv_n,
    double *ms_out, double *scale_out)
{
	double ss = 0.0, ms, scale;
	int i;

	for (i = 0; i < n; i++)
		ss += x[i] * x[i];
	ms = ss * inv_n;
	scale = model_pow(ms + MODEL_RMS_EPS, -0.5);
	for (i = 0; i < n; i++)
		y[i] = x[i] * scale;
	*ms_out = ms;
	*scale_out = scale;
}

/* softmax with the maximum subtracted; e / total is e * total^-1. */
static void
softmax_forward(double *restrict p, double *restrict e, const double *restrict x, int n,
    double *max_out, double *sum_out)
{
	double mx = x[0], total = 0.0, inv;
	int i;

	for (i = 1; i < n; i++)
		if (x[i] > mx)
			mx = x[i];
	for (i = 0; i < n; i++) {
		e[i] = exp(x[i] - mx);
		total += e[i];
	}
	inv = model_pow(total, -1.0);
	for (i = 0; i < n; i++)
		p[i] = e[i] * inv;
	*max_out = mx;
	*sum_out = total;
}

void
model_softmax_temp(const double *logits, int n, double temperature, double *probs)
{
	double inv_t = model_pow(temperature, -1.0), mx, total = 0.0, inv;
	int i;

	for (i = 0; i < n; i++)
		probs[i] = logits[i] * inv_t;
	mx = probs[0];
	for (i = 1; i < n; i++)
		if (probs[i] > mx)
			mx = probs[i];
	for (i = 0; i < n; i++) {
		probs[i] = exp(probs[i] - mx);
		total += probs[i];
	}
	inv = model_pow(total, -1.0);
	for (i = 0; i < n; i++)
		probs[i] *= inv;
}

static const double *
wt(const struct model *m, int idx)
{
	return m->p + m->tensors[idx].off;
}

/* Tensor indices in m->tensors: wte 0, wpe 1, lm_head 2, then six a layer. */
#define TI_LAYER(l, k) (3 + 6 * (l) + (k))

/* Layer l's attention up to the heads' outputs for positions t0..t0+n-1:
 * rmsnorm, q k v, scores, softmax, weighted sums into att_head. x is the
 * layer input of position t0, rows at stride C. */
static void
layer_forward_heads(const struct model *m, struct trace *tr, int l, int t0, int n,
    const double *x)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, H = c->n_head, D = m->head_dim, T = c->block_size;
	const double inv_C = model_pow((double)C, -1.0);
	const double inv_sqrt_d = model_attn_scale(c);
	size_t lt0 = trace_lt(tr, l, 0), ls = trace_lt(tr, l, t0);
	double *xn1 = tr->xn1 + ls * C;
	int h, j, u, t;

	for (t = 0; t < n; t++)
		rmsnorm_forward(xn1 + (size_t)t * C, x + (size_t)t * C, C, inv_C,
		    &tr->ln1_ms[ls + t], &tr->ln1_scale[ls + t]);
	kernel_linear_forward(tr->q + ls * C, C, wt(m, TI_LAYER(l, 0)), xn1, C, n, C, C);
	kernel_linear_forward(tr->k + ls * C, C, wt(m, TI_LAYER(l, 1)), xn1, C, n, C, C);
	kernel_linear_forward(tr->v + ls * C, C, wt(m, TI_LAYER(l, 2)), xn1, C, n, C, C);

	for (t = t0; t < t0 + n; t++) {
		size_t lt = lt0 + t;
		const double *q = tr->q + lt * C;
		double *head = tr->att_head + lt * C;

		for (h = 0; h < H; h++) {
			size_t lth = trace_lth(tr, l, t, h);
			double *score = tr->att_score + lth * T, *e = tr->att_exp + lth * T;
			double *w = tr->att_w + lth * T;
			const double *qh = q + h * D;

			for (u = 0; u <= t; u++) {
				const double *kh = tr->k + (lt0 + u) * C + h * D;
				double dot = 0.0;

				for (j = 0; j < D; j++)
					dot += qh[j] * kh[j];
				score[u] = dot * inv_sqrt_d;
			}
			softmax_forward(w, e, score, t + 1, &tr->att_max[lth], &tr->att_sum[lth]);
			for (j = 0; j < D; j++) {
				double acc = 0.0;

				for (u = 0; u <= t; u++)
					acc += w[u] * tr->v[(lt0 + u) * C + h * D + j];
				head[h * D + j] = acc;
			}
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
	const double inv_C = model_pow((double)C, -1.0);
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
	kernel_linear_forward(tr->att_proj + ls * C, C, wt(m, TI_LAYER(l, 3)),
	    tr->att_cat + ls * C, C, n, C, C);
	for (t = 0; t < n; t++) {
		size_t lt = ls + t;

		y = tr->x_mid + lt * C;
		for (i = 0; i < C; i++)
			y[i] = tr->att_proj[lt * C + i] + x[(size_t)t * C + i];
		rmsnorm_forward(tr->xn2 + lt * C, y, C, inv_C, &tr->ln2_ms[lt], &tr->ln2_scale[lt]);
	}
	kernel_linear_forward(tr->fc1 + ls * F, F, wt(m, TI_LAYER(l, 4)), tr->xn2 + ls * C, C,
	    n, F, C);
	for (i = 0; i < n * F; i++) {
		double a = tr->fc1[ls * F + i];

		tr->relu[ls * F + i] = a > 0 ? a : 0.0;
	}
	kernel_linear_forward(tr->fc2 + ls * C, C, wt(m, TI_LAYER(l, 5)), tr->relu + ls * F, F,
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

	kernel_linear_forward(tr->logits + (size_t)t0 * V, V, wt(m, 2), x, C, n, V, C);
	for (t = t0; t < t0 + n; t++) {
		softmax_forward(tr->probs + (size_t)t * V, tr->logit_exp + (size_t)t * V,
		    tr->logits + (size_t)t * V, V, &tr->logit_max[t], &tr->logit_sum[t]);
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
	const double inv_C = model_pow((double)C, -1.0);
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
		memcpy(tr->tok_emb + (size_t)t * C, m->p + m->tensors[0].off + (size_t)token * C,
		    C * sizeof(double));
		memcpy(tr->pos_emb + (size_t)t * C, m->p + m->tensors[1].off + (size_t)t * C,
		    C * sizeof(double));
		y = tr->emb + (size_t)t * C;
		for (i = 0; i < C; i++)
			y[i] = tr->tok_emb[(size_t)t * C + i] + tr->pos_emb[(size_t)t * C + i];
		rmsnorm_forward(tr->x0 + (size_t)t * C, y, C, inv_C, &tr->ln0_ms[t], &tr->ln0_scale[t]);
	}
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

/* ---- backward ---- */

struct backward {
	double *dx;     /* [T][C] gradient flowing into the residual stream */
	double *dxn;    /* [T][C] */
	double *dq, *dk, *dv;  /* [T][C] */
	double *dcat;   /* [T][C] */
	double *dmid;   /* [T][C] */
	double *dh;     /* [T][F] */
	double *dw;     /* [T] */
	double *dlogit; /* [T][V] */
};

struct backward *
backward_new(const struct model_config *c)
{
	struct backward *b = xcalloc(1, sizeof *b);
	size_t T = (size_t)c->block_size, C = (size_t)c->n_embd;

	b->dx = xcalloc(T * C, sizeof(double));
	b->dxn = xcalloc(T * C, sizeof(double));
	b->dq = xcalloc(T * C, sizeof(double));
	b->dk = xcalloc(T * C, sizeof(double));
	b->dv = xcalloc(T * C, sizeof(double));
	b->dcat = xcalloc(T * C, sizeof(double));
	b->dmid = xcalloc(T * C, sizeof(double));
	b->dh = xcalloc(T * 4 * C, sizeof(double));
	b->dw = xcalloc(T, sizeof(double));
	b->dlogit = xcalloc(T * (size_t)c->vocab_size, sizeof(double));
	return b;
}

void
backward_free(struct backward *b)
{
	if (!b)
		return;
	free(b->dx); free(b->dxn); free(b->dq); free(b->dk); free(b->dv);
	free(b->dcat); free(b->dmid); free(b->dh); free(b->dw); free(b->dlogit);
	free(b);
}

/* y = x s, s = (sum x^2 / n + eps)^-0.5: dx += s dy - (s^3/n) x (dy . x). */
static void
rmsnorm_backward(double *restrict dx, const double *restrict dy, const double *restrict x,
    int n, double scale)
{
	double dot = 0.0, k;
	int i;

	for (i = 0; i < n; i++)
		dot += dy[i] * x[i];
	k = scale * scale * scale / n * dot;
	for (i = 0; i < n; i++)
		dx[i] += scale * dy[i] - k * x[i];
}

void
model_backward(const struct model *m, const struct trace *tr, double *g, struct backward *b)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, H = c->n_head, D = m->head_dim, T = c->block_size;
	const int V = c->vocab_size, F = 4 * C, n = tr->n_pos;
	const double inv_sqrt_d = model_attn_scale(c);
	const double inv_n = 1.0 / n;
	size_t TC = (size_t)n * C;
	int l, t, h, i, j, u;

	/* Every linear layer's gradient is written whole below; only the
	 * embedding tables are accumulated into, row by row. */
	memset(g + m->tensors[0].off, 0, (size_t)V * C * sizeof *g);
	memset(g + m->tensors[1].off, 0, (size_t)T * C * sizeof *g);
	memset(b->dx, 0, TC * sizeof(double));

	/* loss = (1/n) sum_t -log softmax(logits_t)[target_t] */
	for (t = 0; t < n; t++) {
		const double *p = tr->probs + (size_t)t * V;
		double *dl = b->dlogit + (size_t)t * V;

		for (i = 0; i < V; i++)
			dl[i] = p[i] * inv_n;
		dl[tr->target[t]] -= inv_n;
	}
	{
		const double *xf = c->n_layer ? tr->x_out + trace_lt(tr, c->n_layer - 1, 0) * C : tr->x0;

		kernel_linear_backward_w(g + m->tensors[2].off, xf, C, b->dlogit, V, n, V, C);
		kernel_linear_backward_x(b->dx, C, b->dlogit, V, wt(m, 2), n, V, C);
	}

	for (l = c->n_layer - 1; l >= 0; l--) {
		size_t lt0 = trace_lt(tr, l, 0);
		const double *xin = l ? tr->x_out + trace_lt(tr, l - 1, 0) * C : tr->x0;

		/* MLP: x_out = fc2(relu(fc1(rmsnorm(x_mid)))) + x_mid */
		memcpy(b->dmid, b->dx, TC * sizeof(double));
		memset(b->dxn, 0, TC * sizeof(double));
		memset(b->dh, 0, (size_t)n * F * sizeof(double));
		kernel_linear_backward_w(g + m->tensors[TI_LAYER(l, 5)].off, tr->relu + lt0 * F, F,
		    b->dx, C, n, C, F);
		kernel_linear_backward_x(b->dh, F, b->dx, C, wt(m, TI_LAYER(l, 5)), n, C, F);
		for (t = 0; t < n; t++) {
			const double *a = tr->fc1 + (lt0 + t) * F;
			double *dh = b->dh + (size_t)t * F;

			for (i = 0; i < F; i++)
				if (!(a[i] > 0))
					dh[i] = 0.0;
		}
		kernel_linear_backward_w(g + m->tensors[TI_LAYER(l, 4)].off, tr->xn2 + lt0 * C, C,
		    b->dh, F, n, F, C);
		kernel_linear_backward_x(b->dxn, C, b->dh, F, wt(m, TI_LAYER(l, 4)), n, F, C);
		for (t = 0; t < n; t++)
			rmsnorm_backward(b->dmid + (size_t)t * C, b->dxn + (size_t)t * C,
			    tr->x_mid + (lt0 + t) * C, C, tr->ln2_scale[lt0 + t]);

		/* attention: x_mid = wo(cat(heads)) + x_in */
		memcpy(b->dx, b->dmid, TC * sizeof(double));
		memset(b->dcat, 0, TC * sizeof(double));
		memset(b->dq, 0, TC * sizeof(double));
		memset(b->dk, 0, TC * sizeof(double));
		memset(b->dv, 0, TC * sizeof(double));
		kernel_linear_backward_w(g + m->tensors[TI_LAYER(l, 3)].off, tr->att_cat + lt0 * C, C,
		    b->dmid, C, n, C, C);
		kernel_linear_backward_x(b->dcat, C, b->dmid, C, wt(m, TI_LAYER(l, 3)), n, C, C);
		for (t = 0; t < n; t++) {
			size_t lt = lt0 + t;

			for (h = 0; h < H; h++) {
				size_t lth = trace_lth(tr, l, t, h);
				const double *w = tr->att_w + lth * T;
				const double *dho = b->dcat + (size_t)t * C + h * D;
				double wdw = 0.0;

				if ((tr->head_mask >> (l * H + h)) & 1u)
					continue;
				for (u = 0; u <= t; u++) {
					const double *vv = tr->v + (lt0 + u) * C + h * D;
					double *dvv = b->dv + (size_t)u * C + h * D, s = 0.0;

					for (j = 0; j < D; j++) {
						s += dho[j] * vv[j];
						dvv[j] += w[u] * dho[j];
					}
					b->dw[u] = s;
					wdw += w[u] * s;
				}
				for (u = 0; u <= t; u++) {
					double ds = w[u] * (b->dw[u] - wdw) * inv_sqrt_d;
					const double *kk = tr->k + (lt0 + u) * C + h * D;
					const double *qq = tr->q + lt * C + h * D;
					double *dqq = b->dq + (size_t)t * C + h * D;
					double *dkk = b->dk + (size_t)u * C + h * D;

					for (j = 0; j < D; j++) {
						dqq[j] += ds * kk[j];
						dkk[j] += ds * qq[j];
					}
				}
			}
		}
		/* q, k, v in that order into each dxn[t] */
		memset(b->dxn, 0, TC * sizeof(double));
		for (i = 0; i < 3; i++) {
			const double *dy = i == 0 ? b->dq : i == 1 ? b->dk : b->dv;

			kernel_linear_backward_w(g + m->tensors[TI_LAYER(l, i)].off, tr->xn1 + lt0 * C, C,
			    dy, C, n, C, C);
			kernel_linear_backward_x(b->dxn, C, dy, C, wt(m, TI_LAYER(l, i)), n, C, C);
		}
		for (t = 0; t < n; t++)
			rmsnorm_backward(b->dx + (size_t)t * C, b->dxn + (size_t)t * C,
			    xin + (size_t)t * C, C, tr->ln1_scale[lt0 + t]);
	}

	/* x0 = rmsnorm(wte[token] + wpe[pos]) */
	for (t = 0; t < n; t++) {
		double *gte = g + m->tensors[0].off + (size_t)tr->token[t] * C;
		double *gpe = g + m->tensors[1].off + (size_t)t * C;

		memset(b->dxn, 0, C * sizeof(double));
		rmsnorm_backward(b->dxn, b->dx + (size_t)t * C, tr->emb + (size_t)t * C, C,
		    tr->ln0_scale[t]);
		for (i = 0; i < C; i++) {
			gte[i] += b->dxn[i];
			gpe[i] += b->dxn[i];
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
}

void
adam_free(struct adam *a)
{
	free(a->m);
	free(a->v);
	a->m = a->v = NULL;
}

double
adam_update_norm(struct adam *a, double *restrict p, const double *restrict g, size_t n,
    long step, long n_steps, double *grad_sq)
{
	/* As the reference writes it; beta**(step+1) is pow(), g**2 is g*g
	 * (pow(g, 2.0) == g*g for every double) and v_hat**0.5 is sqrt: see
	 * the note on pow(x, 0.5) in docs/ACCURACY.md. */
	struct kernel_adam_k k;
	double ss;

	k.lr_t = a->lr * (1 - (double)step / (double)n_steps);
	k.b1 = a->beta1;
	k.b2 = a->beta2;
	k.c1 = 1 - k.b1;
	k.c2 = 1 - k.b2;
	k.bc1 = 1 - pow(k.b1, (double)(step + 1));
	k.bc2 = 1 - pow(k.b2, (double)(step + 1));
	k.eps = a->eps;
	ss = kernel_adam(p, g, a->m, a->v, n, &k);
	if (grad_sq)
		*grad_sq = ss;
	return k.lr_t;
}

double
adam_update(struct adam *a, double *restrict p, const double *restrict g, size_t n,
    long step, long n_steps)
{
	return adam_update_norm(a, p, g, n, step, n_steps, NULL);
}
