/* SPDX-License-Identifier: MIT */
/* test_train_step.c - a recorded training step against independent
 * computations.
 *
 * 0. The parameter gradients against microgpt.py's own autograd: the
 *    answers of a private CPython run of the reference at the same steps
 *    (tests/data/ref_grads.txt: a hash of every gradient's bits and
 *    samples), equal bit for bit.
 * 1. Every gradient the backward records (grad_trace) and every parameter
 *    gradient against a scalar autograd written here after microgpt.py's
 *    Value class: the step's graph built node by node as the reference
 *    builds it, ordered by the same depth-first search and walked in
 *    reverse (child.grad += local_grad * v.grad). It shares no code with
 *    the engine's backward. Measure: for each value, |a - b| / max(|a|,
 *    |b|) (0 when both are 0); the largest over all values must be below
 *    1e-9, and the count of values not equal bit for bit is printed.
 *    The forward values of the graph must equal the trace's bit for bit.
 * 2. The parameter gradients against central differences of the loss
 *    (fourth order, h = 1e-5): |fd - g| <= 1e-6 * max|g| of the tensor
 *    (differences cannot resolve 1e-9; the autograd above does).
 * 3. The Adam record against the update it describes, bit for bit, and
 *    the recorded step against a plain trainer_step(): parameters,
 *    moments and gradient bit for bit (recording changes nothing).
 * At step 5 of the default run (seed 42, 16/4/1/16) and step 37 of a
 * 2-layer 2-head run (seed 7, 16/2/2/16). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dataset.h"
#include "gradtrace.h"
#include "model.h"
#include "train.h"
#include "xmalloc.h"

/* ---- a scalar autograd after microgpt.py's Value ---- */

struct node {
	double data, grad;
	int    nch;
	int    ch[2];
	double lg[2];   /* local gradients */
};

static struct node *G;
static int n_nodes, cap_nodes;

static int
node_new(double data, int nch, int c0, double l0, int c1, double l1)
{
	struct node *v;

	if (n_nodes == cap_nodes) {
		cap_nodes = cap_nodes ? 2 * cap_nodes : 1 << 16;
		G = xrealloc(G, (size_t)cap_nodes * sizeof *G);
	}
	v = &G[n_nodes];
	v->data = data;
	v->grad = 0.0;
	v->nch = nch;
	v->ch[0] = c0;
	v->ch[1] = c1;
	v->lg[0] = l0;
	v->lg[1] = l1;
	return n_nodes++;
}

static int leaf(double x) { return node_new(x, 0, -1, 0, -1, 0); }
static int add(int a, int b) { return node_new(G[a].data + G[b].data, 2, a, 1.0, b, 1.0); }
/* Value + float: Value(float) is a child too */
static int add_c(int a, double c) { int k = leaf(c); return node_new(G[a].data + c, 2, a, 1.0, k, 1.0); }
static int mul(int a, int b) { return node_new(G[a].data * G[b].data, 2, a, G[b].data, b, G[a].data); }
static int mul_c(int a, double c) { int k = leaf(c); return node_new(G[a].data * c, 2, a, c, k, G[a].data); }
static int
vpow(int a, double e)
{
	double x = G[a].data;

	return node_new(model_pow(x, e), 1, a, e * model_pow(x, e - 1), -1, 0);
}
static int vlog(int a) { return node_new(log(G[a].data), 1, a, 1 / G[a].data, -1, 0); }
static int vexp(int a) { return node_new(exp(G[a].data), 1, a, exp(G[a].data), -1, 0); }
static int
relu(int a)
{
	double x = G[a].data;

	return node_new(x > 0 ? x : 0.0, 1, a, x > 0 ? 1.0 : 0.0, -1, 0);
}

/* sum(xs): 0 + xs[0] is xs[0].__radd__(0), i.e. xs[0] + Value(0) */
static int
vsum(const int *xs, int n)
{
	int s = add_c(xs[0], 0.0), i;

	for (i = 1; i < n; i++)
		s = add(s, xs[i]);
	return s;
}

/* build_topo then the reverse walk, iteratively (the graph is deep) */
static void
backward(int root)
{
	int *topo = xmalloc((size_t)n_nodes * sizeof *topo), nt = 0, sp = 0, i, k;
	int *stk = xmalloc((size_t)n_nodes * sizeof *stk), *nxt = xmalloc((size_t)n_nodes * sizeof *nxt);
	unsigned char *seen = xcalloc((size_t)n_nodes, 1);

	seen[root] = 1;
	stk[sp] = root;
	nxt[sp++] = 0;
	while (sp) {
		int v = stk[sp - 1];

		if (nxt[sp - 1] < G[v].nch) {
			int c = G[v].ch[nxt[sp - 1]++];

			if (!seen[c]) {
				seen[c] = 1;
				stk[sp] = c;
				nxt[sp++] = 0;
			}
		} else {
			topo[nt++] = v;
			sp--;
		}
	}
	G[root].grad = 1.0;
	for (i = nt - 1; i >= 0; i--) {
		struct node *v = &G[topo[i]];

		for (k = 0; k < v->nch; k++)
			G[v->ch[k]].grad += v->lg[k] * v->grad;
	}
	free(topo);
	free(stk);
	free(nxt);
	free(seen);
}

/* ---- microgpt.py's gpt() and loss on that autograd, node ids kept ---- */

struct ref {
	int *param;                    /* [n_params] internal layout -> node */
	/* node ids shaped like struct trace / grad_trace */
	int *emb, *scale0, *x0;        /* [T][C], [T], [T][C] */
	int *xn1, *scale1, *q, *k, *v; /* [L][T][C], [L][T] */
	int *score, *ex, *total, *w;   /* [L][T][H][T], .., [L][T][H], .. */
	int *qk, *wv;                  /* [L][T][T][C]: the q*k and w*v products */
	int *head, *x_mid, *scale2, *xn2, *fc1, *relu, *x_out;
	int *logits, *lsum, *probs;    /* [T][V], [T], [T][V] */
	int loss;
};

static int *
ids(size_t n)
{
	int *p = xmalloc(n * sizeof *p);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = -1;
	return p;
}

/* linear(x, w): [sum(wi * xi) for wo in w] with w[o][i] = the tensor */
static void
linear(const struct ref *R, const struct tensor *t, const int *x, int *y)
{
	int o, i, *prod = xmalloc((size_t)t->cols * sizeof *prod);

	for (o = 0; o < t->rows; o++) {
		for (i = 0; i < t->cols; i++)
			prod[i] = mul(R->param[model_index(t, o, i)], x[i]);
		y[o] = vsum(prod, t->cols);
	}
	free(prod);
}

static void
rmsnorm(const int *x, int n, int *y, int *scale_id)
{
	int i, *sq = xmalloc((size_t)n * sizeof *sq), ms, sc;

	for (i = 0; i < n; i++)
		sq[i] = mul(x[i], x[i]);
	ms = mul_c(vsum(sq, n), model_pow((double)n, -1.0));
	sc = vpow(add_c(ms, 1e-5), -0.5);
	for (i = 0; i < n; i++)
		y[i] = mul(x[i], sc);
	*scale_id = sc;
	free(sq);
}

/* softmax: exps of (x - max.data), total = sum, e / total = e * total**-1 */
static void
softmax(const int *x, int n, int *ex, int *total, int *p)
{
	double mx = G[x[0]].data;
	int i;

	for (i = 1; i < n; i++)
		if (G[x[i]].data > mx)
			mx = G[x[i]].data;
	for (i = 0; i < n; i++)
		ex[i] = vexp(add_c(x[i], -mx));
	*total = vsum(ex, n);
	for (i = 0; i < n; i++)
		p[i] = mul(ex[i], vpow(*total, -1.0));
}

static void
ref_build(struct ref *R, const struct model *m, const int *tok, const int *tgt, int n)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, T = c->block_size, V = c->vocab_size, H = c->n_head;
	const int L = c->n_layer, F = 4 * C, D = C / H;
	const double scale = model_attn_scale(c);
	int t, l, h, u, j, i, *x = xmalloc((size_t)F * sizeof *x), *tmp = xmalloc((size_t)F * sizeof *tmp);
	int *losses = xmalloc((size_t)n * sizeof *losses);

	n_nodes = 0;
	R->param = xmalloc(m->n_params * sizeof *R->param);
	for (i = 0; i < (int)m->n_params; i++)
		R->param[i] = leaf(m->p[i]);
#define LTC (size_t)L * T * C
	R->emb = ids((size_t)T * C); R->scale0 = ids(T); R->x0 = ids((size_t)T * C);
	R->xn1 = ids(LTC); R->scale1 = ids((size_t)L * T); R->q = ids(LTC); R->k = ids(LTC);
	R->v = ids(LTC); R->score = ids((size_t)L * T * H * T); R->ex = ids((size_t)L * T * H * T);
	R->total = ids((size_t)L * T * H); R->w = ids((size_t)L * T * H * T);
	R->qk = ids((size_t)L * T * T * C); R->wv = ids((size_t)L * T * T * C);
	R->head = ids(LTC); R->x_mid = ids(LTC); R->scale2 = ids((size_t)L * T); R->xn2 = ids(LTC);
	R->fc1 = ids((size_t)L * T * F); R->relu = ids((size_t)L * T * F); R->x_out = ids(LTC);
	R->logits = ids((size_t)T * V); R->lsum = ids(T); R->probs = ids((size_t)T * V);
#undef LTC
	for (t = 0; t < n; t++) {
		const struct tensor *te = model_tensor(m, TENSOR_WTE, -1), *tp = model_tensor(m, TENSOR_WPE, -1);
		int *xin;

		for (i = 0; i < C; i++)
			R->emb[t * C + i] = add(R->param[model_index(te, tok[t], i)],
			    R->param[model_index(tp, t, i)]);
		rmsnorm(R->emb + t * C, C, R->x0 + t * C, &R->scale0[t]);
		xin = R->x0 + t * C;
		for (l = 0; l < L; l++) {
			size_t lt = (size_t)l * T + t, lt0 = (size_t)l * T;
			int *xn = R->xn1 + lt * C;

			rmsnorm(xin, C, xn, &R->scale1[lt]);
			linear(R, model_tensor(m, TENSOR_WQ, l), xn, R->q + lt * C);
			linear(R, model_tensor(m, TENSOR_WK, l), xn, R->k + lt * C);
			linear(R, model_tensor(m, TENSOR_WV, l), xn, R->v + lt * C);
			for (h = 0; h < H; h++) {
				size_t lth = lt * H + h;
				int *logit = xmalloc((size_t)(t + 1) * sizeof *logit);

				for (u = 0; u <= t; u++) {
					for (j = 0; j < D; j++)
						tmp[j] = R->qk[(lt * T + u) * C + h * D + j] =
						    mul(R->q[lt * C + h * D + j], R->k[(lt0 + u) * C + h * D + j]);
					logit[u] = R->score[lth * T + u] = mul_c(vsum(tmp, D), scale);
				}
				softmax(logit, t + 1, R->ex + lth * T, &R->total[lth], R->w + lth * T);
				for (j = 0; j < D; j++) {
					for (u = 0; u <= t; u++)
						tmp[u] = R->wv[(lt * T + u) * C + h * D + j] =
						    mul(R->w[lth * T + u], R->v[(lt0 + u) * C + h * D + j]);
					R->head[lt * C + h * D + j] = vsum(tmp, t + 1);
				}
				free(logit);
			}
			linear(R, model_tensor(m, TENSOR_WO, l), R->head + lt * C, x);
			for (i = 0; i < C; i++)
				R->x_mid[lt * C + i] = add(x[i], xin[i]);
			rmsnorm(R->x_mid + lt * C, C, R->xn2 + lt * C, &R->scale2[lt]);
			linear(R, model_tensor(m, TENSOR_FC1, l), R->xn2 + lt * C, R->fc1 + lt * F);
			for (i = 0; i < F; i++)
				R->relu[lt * F + i] = relu(R->fc1[lt * F + i]);
			linear(R, model_tensor(m, TENSOR_FC2, l), R->relu + lt * F, x);
			for (i = 0; i < C; i++)
				R->x_out[lt * C + i] = add(x[i], R->x_mid[lt * C + i]);
			xin = R->x_out + lt * C;
		}
		linear(R, model_tensor(m, TENSOR_LM_HEAD, -1), xin, R->logits + t * V);
		{
			int *ex = xmalloc((size_t)V * sizeof *ex);

			softmax(R->logits + t * V, V, ex, &R->lsum[t], R->probs + t * V);
			free(ex);
		}
		/* loss_t = -probs[target].log() */
		losses[t] = mul_c(vlog(R->probs[t * V + tgt[t]]), -1.0);
	}
	R->loss = mul_c(vsum(losses, n), 1.0 / n);
	free(x);
	free(tmp);
	free(losses);
}

static void
ref_free(struct ref *R)
{
	int **f[] = { &R->param, &R->emb, &R->scale0, &R->x0, &R->xn1, &R->scale1, &R->q, &R->k,
		&R->v, &R->score, &R->ex, &R->total, &R->w, &R->qk, &R->wv, &R->head, &R->x_mid,
		&R->scale2, &R->xn2, &R->fc1, &R->relu, &R->x_out, &R->logits, &R->lsum, &R->probs };
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		free(*f[i]);
}

/* ---- comparison ---- */

static double worst;
static long n_compared, n_unequal;
static char worst_what[64];

static void
cmp_val(const char *what, double got, double want)
{
	double den = fmax(fabs(got), fabs(want)), rel = den > 0 ? fabs(got - want) / den : 0.0;

	n_compared++;
	if (memcmp(&got, &want, sizeof got))
		n_unequal++;
	if (!(rel <= worst)) {
		worst = isnan(rel) ? INFINITY : rel;
		snprintf(worst_what, sizeof worst_what, "%s", what);
	}
}

/* grads of n nodes (ids) against got[0..n) */
static void
cmp_grads(const char *what, const double *got, const int *id, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cmp_val(what, got[i], id[i] < 0 ? 0.0 : G[id[i]].grad);
}

static void
cmp_data(const char *what, const double *got, const int *id, size_t n, long *bad)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(&got[i], &G[id[i]].data, sizeof(double))) {
			if (!*bad)
				fprintf(stderr, "%s[%zu]: trace %.17g, autograd %.17g\n", what, i, got[i],
				    G[id[i]].data);
			++*bad;
		}
}

/* every recorded gradient of the step against the autograd's */
static void
check_against_autograd(const struct trainer *tn, const struct grad_trace *g, const double *grad,
    double loss)
{
	const struct model *m = &tn->model;
	const struct trace *tr = &tn->tr;
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, T = c->block_size, V = c->vocab_size, H = c->n_head;
	const int L = c->n_layer, F = 4 * C, n = tr->n_pos;
	struct ref R;
	long bad = 0;
	int l, t, h, u, j;

	memset(&R, 0, sizeof R);
	ref_build(&R, m, tr->token, tr->target, n);
	backward(R.loss);
	worst = 0;
	n_compared = n_unequal = 0;
	/* the graph computes the trace's values: the mirror is the reference */
	cmp_data("logits", tr->logits, R.logits, (size_t)n * V, &bad);
	cmp_data("x0", tr->x0, R.x0, (size_t)n * C, &bad);
	for (l = 0; l < L; l++) {
		size_t o = (size_t)l * T * C;

		cmp_data("x_out", tr->x_out + o, R.x_out + o, (size_t)n * C, &bad);
		cmp_data("q", tr->q + o, R.q + o, (size_t)n * C, &bad);
	}
	CHECK(bad == 0);
	CHECK(memcmp(&G[R.loss].data, &loss, sizeof loss) == 0);

	cmp_grads("params", grad, R.param, m->n_params);
	cmp_grads("d_logits", g->d_logits, R.logits, (size_t)n * V);
	cmp_grads("d_probs", g->d_probs, R.probs, (size_t)n * V);
	cmp_grads("d_logit_sum", g->d_logit_sum, R.lsum, (size_t)n);
	for (t = 0; t < n; t++)
		cmp_val("d_prob_tgt", g->d_prob_tgt[t], G[R.probs[t * V + tr->target[t]]].grad);
	cmp_grads("d_emb", g->d_emb, R.emb, (size_t)n * C);
	cmp_grads("d_ln0_scale", g->d_ln0_scale, R.scale0, (size_t)n);
	for (l = 0; l < L; l++) {
		size_t lt0 = (size_t)l * T, oc = lt0 * C, of = lt0 * F;

		cmp_grads("d_x_in", g->d_x_in + oc, l ? R.x_out + oc - (size_t)T * C : R.x0, (size_t)n * C);
		cmp_grads("d_xn1", g->d_xn1 + oc, R.xn1 + oc, (size_t)n * C);
		cmp_grads("d_ln1_scale", g->d_ln1_scale + lt0, R.scale1 + lt0, (size_t)n);
		cmp_grads("d_q", g->d_q + oc, R.q + oc, (size_t)n * C);
		cmp_grads("d_k", g->d_k + oc, R.k + oc, (size_t)n * C);
		cmp_grads("d_v", g->d_v + oc, R.v + oc, (size_t)n * C);
		cmp_grads("d_att_head", g->d_att_head + oc, R.head + oc, (size_t)n * C);
		cmp_grads("d_att_cat", g->d_att_cat + oc, R.head + oc, (size_t)n * C);
		cmp_grads("d_x_mid", g->d_x_mid + oc, R.x_mid + oc, (size_t)n * C);
		cmp_grads("d_xn2", g->d_xn2 + oc, R.xn2 + oc, (size_t)n * C);
		cmp_grads("d_ln2_scale", g->d_ln2_scale + lt0, R.scale2 + lt0, (size_t)n);
		cmp_grads("d_fc1", g->d_fc1 + of, R.fc1 + of, (size_t)n * F);
		cmp_grads("d_relu", g->d_relu + of, R.relu + of, (size_t)n * F);
		cmp_grads("d_x_out", g->d_x_out + oc, R.x_out + oc, (size_t)n * C);
		for (t = 0; t < n; t++) {
			size_t lt = lt0 + t;

			for (h = 0; h < H; h++) {
				size_t lth = lt * H + h;

				cmp_val("d_att_sum", g->d_att_sum[lth], G[R.total[lth]].grad);
				cmp_grads("d_att_w", g->d_att_w + lth * T, R.w + lth * T, (size_t)t + 1);
				cmp_grads("d_att_exp", g->d_att_exp + lth * T, R.ex + lth * T, (size_t)t + 1);
				cmp_grads("d_att_score", g->d_att_score + lth * T, R.score + lth * T,
				    (size_t)t + 1);
			}
			/* a share is the product's contribution to its k (v) child:
			 * local gradient (q, w) times the product's gradient */
			for (u = 0; u <= t; u++)
				for (j = 0; j < C; j++) {
					size_t at = (lt * T + u) * C + j;
					int pk = R.qk[at], pv = R.wv[at];

					cmp_val("d_k_share", g->d_k_share[at], G[pk].lg[1] * G[pk].grad);
					cmp_val("d_v_share", g->d_v_share[at], G[pv].lg[1] * G[pv].grad);
				}
		}
	}
	printf("  %ld gradients against the autograd: largest relative difference %.3g (%s), "
	    "%ld not equal bit for bit\n", n_compared, worst, worst_what, n_unequal);
	CHECK(worst < 1e-9);
	ref_free(&R);
}

/* ---- central differences ---- */

static double
doc_loss(struct trainer *tn, long s, struct trace *tr)
{
	return trainer_eval(tn, s, tr);
}

static void
check_differences(struct trainer *tn, long s, const double *grad)
{
	struct model *m = &tn->model;
	struct trace tr;
	double w = 0;
	int i;

	trace_init(&tr, &m->cfg);
	for (i = 0; i < m->n_tensors; i++) {
		const struct tensor *t = &m->tensors[i];
		size_t e, ne = (size_t)t->rows * t->cols;
		double gmax = 0, dmax = 0;

		for (e = t->off; e < t->off + ne; e++)
			gmax = fmax(gmax, fabs(grad[e]));
		for (e = t->off; e < t->off + ne; e++) {
			double keep = m->p[e], h = 1e-5, f[4], fd;
			int k;
			static const double at[4] = { 2, 1, -1, -2 };

			for (k = 0; k < 4; k++) {
				m->p[e] = keep + at[k] * h;
				f[k] = doc_loss(tn, s, &tr);
			}
			m->p[e] = keep;
			fd = (-f[0] + 8 * f[1] - 8 * f[2] + f[3]) / (12 * h);
			dmax = fmax(dmax, fabs(fd - grad[e]));
		}
		if (gmax > 0 && dmax / gmax > w)
			w = dmax / gmax;
		if (!(dmax <= 1e-6 * gmax))
			fprintf(stderr, "  differences: %s: %.3g of its largest gradient\n", t->name,
			    gmax > 0 ? dmax / gmax : dmax);
		CHECK(dmax <= 1e-6 * gmax);
	}
	printf("  central differences: worst |fd - g| / max|g| per tensor %.3g\n", w);
	trace_free(&tr);
}

/* ---- the reference autograd's own answers ---- */

/* tests/data/ref_grads.txt: the gradient microgpt.py's autograd computed
 * at this step (a private CPython run), as a hash of every parameter's
 * bits in the reference layout and samples. The engine's must be equal
 * bit for bit. */
static void
check_reference_grads(const struct trainer *t, uint64_t seed, long n_steps, long S, const double *g)
{
	const struct model_config *c = &t->model.cfg;
	char path[4096], *text, *line, *save = NULL;
	size_t len, n = t->model.n_params;
	double *ref = xmalloc(n * sizeof *ref);
	int found = 0, sampled = 0;

	model_to_ref(&t->model, g, ref);
	text = check_slurp(check_path("tests/data/ref_grads.txt", path, sizeof path), &len);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long sd, h;
		int C, H, L, T;
		long N, st;
		size_t P;

		if (sscanf(line, "grad %llu %d %d %d %d %ld %ld %zu %llx", &sd, &C, &H, &L, &T, &N, &st, &P,
		    &h) != 9 || sd != seed || C != c->n_embd || H != c->n_head || L != c->n_layer
		    || T != c->block_size || N != n_steps || st != S)
			continue;
		found = 1;
		CHECK(P == n);
		CHECK(check_fnv_doubles(CHECK_FNV_START, ref, n) == h);
		if ((line = strtok_r(NULL, "\n", &save)) && strncmp(line, "sample ", 7) == 0) {
			char *tok, *s2 = NULL;

			for (tok = strtok_r(line + 7, " ", &s2); tok; tok = strtok_r(NULL, " ", &s2)) {
				size_t i = strtoul(tok, NULL, 10);
				double want = strtod(strchr(tok, ':') + 1, NULL);

				CHECK(i < n && memcmp(&ref[i], &want, sizeof want) == 0);
				sampled++;
			}
		}
		printf("  every parameter gradient equal to microgpt.py's autograd bit for bit "
		    "(hash of %zu, %d samples)\n", n, sampled);
		break;
	}
	CHECK(found);
	CHECK(sampled > 0);
	free(text);
	free(ref);
}

/* ---- one step of a run ---- */

static void
check_step(const char *text, size_t len, const struct model_config *cfg, uint64_t seed,
    long n_steps, long S)
{
	struct dataset ds1, ds2;
	struct trainer a, b;
	struct step_stats sa, sb;
	struct grad_trace g;
	struct adam_record ar;
	char err[256];
	double *pb, *mb, *vb, *ga;
	size_t n, i;
	long bad = 0;

	CHECK(dataset_parse(&ds1, text, len, err, sizeof err) == 0);
	CHECK(dataset_parse(&ds2, text, len, err, sizeof err) == 0);
	trainer_init(&a, &ds1, cfg, seed, n_steps);
	trainer_init(&b, &ds2, cfg, seed, n_steps);
	while (a.step < S - 1) {
		trainer_step(&a, &sa);
		trainer_step(&b, &sb);
	}
	n = a.model.n_params;
	pb = xmalloc(n * sizeof *pb);
	memcpy(pb, a.model.p, n * sizeof *pb);
	mb = xmalloc(n * sizeof *mb);
	memcpy(mb, a.adam.m, n * sizeof *mb);
	vb = xmalloc(n * sizeof *vb);
	memcpy(vb, a.adam.v, n * sizeof *vb);

	grad_trace_init(&g, &a.model.cfg);
	adam_record_init(&ar, n);
	backward_record(a.bw, &g);
	a.adam.rec = &ar;
	trainer_step(&a, &sa);
	backward_record(a.bw, NULL);
	a.adam.rec = NULL;
	trainer_step(&b, &sb);
	printf("step %ld of %s (L%d H%d): %d positions, loss %.17g\n", S, cfg->n_layer > 1 ? "the 2-layer run" : "the default run",
	    cfg->n_layer, cfg->n_head, a.tr.n_pos, sa.loss);
	CHECK(g.n_pos == a.tr.n_pos);

	/* recording changes no bit */
	CHECK(memcmp(a.model.p, b.model.p, n * sizeof(double)) == 0);
	CHECK(memcmp(a.adam.m, b.adam.m, n * sizeof(double)) == 0);
	CHECK(memcmp(a.adam.v, b.adam.v, n * sizeof(double)) == 0);
	CHECK(memcmp(a.grad, b.grad, n * sizeof(double)) == 0);
	CHECK(memcmp(&sa.loss, &sb.loss, sizeof sa.loss) == 0);

	/* the record is the update: m_hat, v_hat from the moments after,
	 * update = lr_t m_hat / (v_hat ** 0.5 + eps), after = before - update */
	CHECK(ar.lr_t == sa.lr);
	CHECK(ar.bc1 == 1 - pow(0.85, (double)S) && ar.bc2 == 1 - pow(0.99, (double)S));
	for (i = 0; i < n; i++) {
		double mh = a.adam.m[i] / ar.bc1, vh = a.adam.v[i] / ar.bc2;
		double u = ar.lr_t * mh / (pow(vh, 0.5) + 1e-8);

		bad += ar.m_hat[i] != mh || ar.v_hat[i] != vh || ar.update[i] != u
		    || a.model.p[i] != pb[i] - ar.update[i];
	}
	if (bad)
		fprintf(stderr, "adam record: %ld parameters differ\n", bad);
	CHECK(bad == 0);

	/* the gradients: the trainer's trace is this step's forward pass, with
	 * the weights before, which the autograd needs back */
	ga = xmalloc(n * sizeof *ga);
	memcpy(ga, a.grad, n * sizeof *ga);
	memcpy(a.model.p, pb, n * sizeof *pb);
	check_reference_grads(&a, seed, n_steps, S, ga);
	check_against_autograd(&a, &g, ga, sa.loss);
	check_differences(&a, S - 1, ga);

	free(pb); free(mb); free(vb); free(ga);
	grad_trace_free(&g);
	adam_record_free(&ar);
	trainer_free(&a);
	trainer_free(&b);
	dataset_free(&ds1);
	dataset_free(&ds2);
}

int
main(void)
{
	struct model_config def = { 0, 16, 4, 1, 16 }, two = { 0, 16, 2, 2, 16 };
	char path[512];
	size_t len;
	char *text = check_slurp(check_path("data/names.txt", path, sizeof path), &len);

	check_step(text, len, &def, 42, 1000, 5);
	check_step(text, len, &two, 7, 100, 37);
	free(text);
	free(G);
	return CHECK_DONE();
}
