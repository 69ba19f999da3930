/* SPDX-License-Identifier: MIT */
/* baseline.c - MicroGPT in plain scalar C, one position at a time (see
 * baseline.h). Every matrix is row-major [out][in] as the reference creates
 * it, in one flat vector in the reference's creation order, which is also
 * the order the parameters are drawn in. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "dataset.h"
#include "rng.h"
#include "xmalloc.h"

struct config {
	int V, C, H, D, L, T, F;   /* vocab, n_embd, heads, head dim, layers, block, 4C */
};

/* Pointers into one flat vector (the parameters, or their gradients). */
struct weights {
	double *wte;      /* (V, C) */
	double *wpe;      /* (T, C) */
	double *lm_head;  /* (V, C) */
	double *layer;    /* (L, 12 C C): wq, wk, wv, wo (C, C), fc1 (F, C), fc2 (C, F) */
};

/* What the forward pass keeps for the backward pass. */
struct acts {
	double *emb;      /* (T, C) wte[token] + wpe[pos] */
	double *s0;       /* (T) rmsnorm scale of emb */
	double *x;        /* (L+1, T, C) the residual stream: layer l reads x[l] */
	double *xn1, *s1; /* (L, T, C), (L, T) */
	double *q, *k, *v;/* (L, T, C) */
	double *att;      /* (L, T, H, T) softmax weights */
	double *cat;      /* (L, T, C) the heads' outputs */
	double *xmid;     /* (L, T, C) after attention */
	double *xn2, *s2; /* (L, T, C), (L, T) */
	double *h;        /* (L, T, F) relu(fc1) */
	double *probs;    /* (T, V) */
	int    *tok, *tgt;/* (T) */
};

struct baseline {
	struct config   c;
	struct dataset *ds;
	size_t          n_params;
	double         *p, *g, *m, *v;  /* (n_params) each */
	struct weights  w, gw;
	struct acts     a;
	double         *buf;            /* scratch for the backward pass */
	double         *dx, *dq, *dk, *dv, *dt, *dh, *dl;
	double          inv_C, attn_scale;
	long            step, n_steps;
};

static double *
lw(const struct baseline *b, const struct weights *w, int l, int k)
{
	const size_t C = (size_t)b->c.C;
	static const size_t at[6] = { 0, 1, 2, 3, 4, 8 };   /* in units of C*C */

	return w->layer + (size_t)l * 12 * C * C + at[k] * C * C;
}

/* x ** y with y read at run time, as Python calls pow(): a compiler would
 * otherwise turn pow(x, -1.0) into 1.0 / x, which rounds differently. */
static double
pow_rt(double x, double y)
{
	volatile double e = y;

	return pow(x, e);
}

static void
set_weights(const struct config *c, double *base, struct weights *w)
{
	w->wte = base;
	w->wpe = w->wte + (size_t)c->V * c->C;
	w->lm_head = w->wpe + (size_t)c->T * c->C;
	w->layer = w->lm_head + (size_t)c->V * c->C;
}

struct baseline *
baseline_new(struct dataset *ds, int n_embd, int n_head, int n_layer, int block_size,
    uint64_t seed, long n_steps)
{
	struct baseline *b = xcalloc(1, sizeof *b);
	struct config *c = &b->c;
	struct rng r;
	size_t i, T, C, L, H, F;

	c->V = ds->n_vocab + 1;
	c->C = n_embd;
	c->H = n_head;
	c->D = n_embd / n_head;
	c->L = n_layer;
	c->T = block_size;
	c->F = 4 * n_embd;
	T = (size_t)c->T, C = (size_t)c->C, L = (size_t)c->L, H = (size_t)c->H, F = (size_t)c->F;
	b->ds = ds;
	b->n_steps = n_steps;
	b->n_params = 2 * (size_t)c->V * C + T * C + L * 12 * C * C;
	b->p = xcalloc(b->n_params, sizeof *b->p);
	b->g = xcalloc(b->n_params, sizeof *b->g);
	b->m = xcalloc(b->n_params, sizeof *b->m);
	b->v = xcalloc(b->n_params, sizeof *b->v);
	set_weights(c, b->p, &b->w);
	set_weights(c, b->g, &b->gw);

	/* random.seed(seed); random.shuffle(docs); every matrix row by row */
	rng_seed(&r, seed);
	dataset_shuffle(ds, &r);
	for (i = 0; i < b->n_params; i++)
		b->p[i] = rng_gauss(&r, 0.0, 0.08);

	b->a.emb = xcalloc(T * C, sizeof(double));
	b->a.s0 = xcalloc(T, sizeof(double));
	b->a.x = xcalloc((L + 1) * T * C, sizeof(double));
	b->a.xn1 = xcalloc(L * T * C, sizeof(double));
	b->a.s1 = xcalloc(L * T, sizeof(double));
	b->a.q = xcalloc(L * T * C, sizeof(double));
	b->a.k = xcalloc(L * T * C, sizeof(double));
	b->a.v = xcalloc(L * T * C, sizeof(double));
	b->a.att = xcalloc(L * T * H * T, sizeof(double));
	b->a.cat = xcalloc(L * T * C, sizeof(double));
	b->a.xmid = xcalloc(L * T * C, sizeof(double));
	b->a.xn2 = xcalloc(L * T * C, sizeof(double));
	b->a.s2 = xcalloc(L * T, sizeof(double));
	b->a.h = xcalloc(L * T * F, sizeof(double));
	b->a.probs = xcalloc(T * (size_t)c->V, sizeof(double));
	b->a.tok = xcalloc(T, sizeof(int));
	b->a.tgt = xcalloc(T, sizeof(int));

	/* backward scratch: dx, dq, dk, dv (T, C); dt (T); dh (F); dl (V) */
	b->buf = xcalloc(4 * T * C + T + F + (size_t)c->V, sizeof(double));
	b->dx = b->buf;
	b->dq = b->dx + T * C;
	b->dk = b->dq + T * C;
	b->dv = b->dk + T * C;
	b->dt = b->dv + T * C;
	b->dh = b->dt + T;
	b->dl = b->dh + F;
	b->inv_C = pow_rt((double)c->C, -1.0);
	b->attn_scale = pow_rt(pow_rt((double)c->D, 0.5), -1.0);
	return b;
}

void
baseline_free(struct baseline *b)
{
	double **f[] = { &b->a.emb, &b->a.s0, &b->a.x, &b->a.xn1, &b->a.s1, &b->a.q, &b->a.k,
	                 &b->a.v, &b->a.att, &b->a.cat, &b->a.xmid, &b->a.xn2, &b->a.s2,
	                 &b->a.h, &b->a.probs, &b->p, &b->g, &b->m, &b->v, &b->buf };
	size_t i;

	if (!b)
		return;
	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		free(*f[i]);
	free(b->a.tok);
	free(b->a.tgt);
	free(b);
}

/* ---- forward ---- */

/* out[o] = sum_i w[o][i] x[i], from 0.0 in order of i (the reference's linear) */
static void
matmul(double *out, const double *x, const double *w, int n_in, int n_out)
{
	int o, i;

	for (o = 0; o < n_out; o++) {
		double acc = 0.0;

		for (i = 0; i < n_in; i++)
			acc += w[(size_t)o * n_in + i] * x[i];
		out[o] = acc;
	}
}

/* out = x * (mean(x^2) + 1e-5) ** -0.5; returns the scale */
static double
rmsnorm(double *out, const double *x, int n, double inv_n)
{
	double ss = 0.0, scale;
	int i;

	for (i = 0; i < n; i++)
		ss += x[i] * x[i];
	scale = pow_rt(ss * inv_n + 1e-5, -0.5);
	for (i = 0; i < n; i++)
		out[i] = x[i] * scale;
	return scale;
}

/* p = softmax(x): exp(x - max), divided by the sum as x * sum ** -1 */
static void
softmax(double *p, const double *x, int n)
{
	double mx = x[0], total = 0.0, inv;
	int i;

	for (i = 1; i < n; i++)
		if (x[i] > mx)
			mx = x[i];
	for (i = 0; i < n; i++) {
		p[i] = exp(x[i] - mx);
		total += p[i];
	}
	inv = pow_rt(total, -1.0);
	for (i = 0; i < n; i++)
		p[i] *= inv;
}

/* Position t of the sequence in b->a (positions before t already there);
 * returns -log p(target). */
static double
forward(struct baseline *b, int t)
{
	const struct config *c = &b->c;
	struct acts *a = &b->a;
	const size_t C = (size_t)c->C, T = (size_t)c->T, F = (size_t)c->F, H = (size_t)c->H;
	const int D = c->D;
	double *emb = a->emb + t * C, *x = a->x + t * C, logits[c->V > 0 ? c->V : 1];
	int l, h, u, i, j;

	for (i = 0; i < c->C; i++)
		emb[i] = b->w.wte[(size_t)a->tok[t] * C + i] + b->w.wpe[t * C + i];
	a->s0[t] = rmsnorm(x, emb, c->C, b->inv_C);
	for (l = 0; l < c->L; l++) {
		size_t lt = (size_t)l * T + t;
		double *xn1 = a->xn1 + lt * C, *q = a->q + lt * C, *cat = a->cat + lt * C;
		double *xmid = a->xmid + lt * C, *xn2 = a->xn2 + lt * C, *hh = a->h + lt * F;
		double *xout = x + T * C, f1[F];

		a->s1[lt] = rmsnorm(xn1, x, c->C, b->inv_C);
		matmul(q, xn1, lw(b, &b->w, l, 0), c->C, c->C);
		matmul(a->k + lt * C, xn1, lw(b, &b->w, l, 1), c->C, c->C);
		matmul(a->v + lt * C, xn1, lw(b, &b->w, l, 2), c->C, c->C);
		for (h = 0; h < c->H; h++) {
			double *w = a->att + (lt * H + h) * T, score[T];

			for (u = 0; u <= t; u++) {
				const double *k = a->k + ((size_t)l * T + u) * C + h * D;
				double dot = 0.0;

				for (j = 0; j < D; j++)
					dot += q[h * D + j] * k[j];
				score[u] = dot * b->attn_scale;
			}
			softmax(w, score, t + 1);
			for (j = 0; j < D; j++) {
				double acc = 0.0;

				for (u = 0; u <= t; u++)
					acc += w[u] * a->v[((size_t)l * T + u) * C + h * D + j];
				cat[h * D + j] = acc;
			}
		}
		matmul(xmid, cat, lw(b, &b->w, l, 3), c->C, c->C);
		for (i = 0; i < c->C; i++)
			xmid[i] += x[i];
		a->s2[lt] = rmsnorm(xn2, xmid, c->C, b->inv_C);
		matmul(f1, xn2, lw(b, &b->w, l, 4), c->C, c->F);
		for (i = 0; i < c->F; i++)
			hh[i] = f1[i] > 0 ? f1[i] : 0.0;
		matmul(xout, hh, lw(b, &b->w, l, 5), c->F, c->C);
		for (i = 0; i < c->C; i++)
			xout[i] += xmid[i];
		x = xout;
	}
	matmul(logits, x, b->w.lm_head, c->C, c->V);
	softmax(a->probs + (size_t)t * c->V, logits, c->V);
	return -log(a->probs[(size_t)t * c->V + a->tgt[t]]);
}

/* ---- backward ---- */

/* out = W x: dx[i] += sum_o dy[o] w[o][i];  dw[o][i] += dy[o] x[i] */
static void
matmul_backward(double *dx, double *dw, const double *dy, const double *x, const double *w,
    int n_in, int n_out)
{
	int o, i;

	for (o = 0; o < n_out; o++) {
		const double *wr = w + (size_t)o * n_in;
		double *dwr = dw + (size_t)o * n_in;

		for (i = 0; i < n_in; i++) {
			dwr[i] += dy[o] * x[i];
			dx[i] += dy[o] * wr[i];
		}
	}
}

/* y = x s, s = (mean(x^2) + eps)^-0.5:  dx += s dy - (s^3 / n) (dy . x) x */
static void
rmsnorm_backward(double *dx, const double *dy, const double *x, double s, int n)
{
	double dot = 0.0, k;
	int i;

	for (i = 0; i < n; i++)
		dot += dy[i] * x[i];
	k = s * s * s / n * dot;
	for (i = 0; i < n; i++)
		dx[i] += s * dy[i] - k * x[i];
}

/* Gradients of the mean loss over n positions into b->g. */
static void
backward(struct baseline *b, int n)
{
	const struct config *c = &b->c;
	const struct acts *a = &b->a;
	const size_t C = (size_t)c->C, T = (size_t)c->T, F = (size_t)c->F, H = (size_t)c->H;
	const int D = c->D;
	double *dx = b->dx, *dl = b->dl, *dh = b->dh, dn[C], dmid[C];
	int l, t, h, u, i, j;

	memset(b->g, 0, b->n_params * sizeof *b->g);
	memset(dx, 0, T * C * sizeof *dx);
	for (t = 0; t < n; t++) {
		for (i = 0; i < c->V; i++)
			dl[i] = a->probs[(size_t)t * c->V + i] / n;
		dl[a->tgt[t]] -= 1.0 / n;
		matmul_backward(dx + t * C, b->gw.lm_head, dl, a->x + ((size_t)c->L * T + t) * C,
		    b->w.lm_head, c->C, c->V);
	}
	for (l = c->L - 1; l >= 0; l--) {
		const double *xin = a->x + (size_t)l * T * C;

		/* the MLP block, position by position: x_out = x_mid + fc2(relu(fc1(xn2))) */
		for (t = 0; t < n; t++) {
			size_t lt = (size_t)l * T + t;

			memcpy(dmid, dx + t * C, sizeof dmid);
			memset(dh, 0, F * sizeof *dh);
			matmul_backward(dh, lw(b, &b->gw, l, 5), dx + t * C, a->h + lt * F,
			    lw(b, &b->w, l, 5), c->F, c->C);
			for (i = 0; i < c->F; i++)
				if (!(a->h[lt * F + i] > 0))
					dh[i] = 0.0;
			memset(dn, 0, sizeof dn);
			matmul_backward(dn, lw(b, &b->gw, l, 4), dh, a->xn2 + lt * C,
			    lw(b, &b->w, l, 4), c->C, c->F);
			rmsnorm_backward(dmid, dn, a->xmid + lt * C, a->s2[lt], c->C);
			memcpy(dx + t * C, dmid, sizeof dmid);
		}
		/* attention: x_mid = x_in + wo(cat); dx now holds d x_mid */
		memset(b->dq, 0, 3 * T * C * sizeof(double));
		for (t = 0; t < n; t++) {
			size_t lt = (size_t)l * T + t;
			double dcat[C];

			memset(dcat, 0, sizeof dcat);
			matmul_backward(dcat, lw(b, &b->gw, l, 3), dx + t * C, a->cat + lt * C,
			    lw(b, &b->w, l, 3), c->C, c->C);
			for (h = 0; h < c->H; h++) {
				const double *w = a->att + (lt * H + h) * T, *q = a->q + lt * C + h * D;
				double wdw = 0.0;

				/* head[j] = sum_u w[u] v[u][j] */
				for (u = 0; u <= t; u++) {
					const double *v = a->v + ((size_t)l * T + u) * C + h * D;
					double s = 0.0;

					for (j = 0; j < D; j++) {
						s += dcat[h * D + j] * v[j];
						b->dv[u * C + h * D + j] += w[u] * dcat[h * D + j];
					}
					b->dt[u] = s;
					wdw += w[u] * s;
				}
				/* w = softmax(score), score[u] = q . k[u] * scale */
				for (u = 0; u <= t; u++) {
					const double *k = a->k + ((size_t)l * T + u) * C + h * D;
					double ds = w[u] * (b->dt[u] - wdw) * b->attn_scale;

					for (j = 0; j < D; j++) {
						b->dq[t * C + h * D + j] += ds * k[j];
						b->dk[u * C + h * D + j] += ds * q[j];
					}
				}
			}
		}
		/* q, k, v = wq, wk, wv (xn1);  xn1 = rmsnorm(x_in) */
		for (t = 0; t < n; t++) {
			size_t lt = (size_t)l * T + t;

			memset(dn, 0, sizeof dn);
			matmul_backward(dn, lw(b, &b->gw, l, 0), b->dq + t * C, a->xn1 + lt * C,
			    lw(b, &b->w, l, 0), c->C, c->C);
			matmul_backward(dn, lw(b, &b->gw, l, 1), b->dk + t * C, a->xn1 + lt * C,
			    lw(b, &b->w, l, 1), c->C, c->C);
			matmul_backward(dn, lw(b, &b->gw, l, 2), b->dv + t * C, a->xn1 + lt * C,
			    lw(b, &b->w, l, 2), c->C, c->C);
			rmsnorm_backward(dx + t * C, dn, xin + t * C, a->s1[lt], c->C);
		}
	}
	/* x0 = rmsnorm(wte[token] + wpe[pos]) */
	for (t = 0; t < n; t++) {
		memset(dn, 0, sizeof dn);
		rmsnorm_backward(dn, dx + t * C, a->emb + t * C, a->s0[t], c->C);
		for (i = 0; i < c->C; i++) {
			b->gw.wte[(size_t)a->tok[t] * C + i] += dn[i];
			b->gw.wpe[t * C + i] += dn[i];
		}
	}
}

/* ---- Adam, as the reference writes it ---- */

static void
adam(struct baseline *b)
{
	const double lr = 0.01, b1 = 0.85, b2 = 0.99, eps = 1e-8;
	double lr_t = lr * (1 - (double)b->step / (double)b->n_steps);
	double bc1 = 1 - pow(b1, (double)(b->step + 1)), bc2 = 1 - pow(b2, (double)(b->step + 1));
	size_t i;

	for (i = 0; i < b->n_params; i++) {
		double g = b->g[i], m_hat, v_hat;

		b->m[i] = b1 * b->m[i] + (1 - b1) * g;
		b->v[i] = b2 * b->v[i] + (1 - b2) * (g * g);
		m_hat = b->m[i] / bc1;
		v_hat = b->v[i] / bc2;
		b->p[i] -= lr_t * m_hat / (sqrt(v_hat) + eps);
	}
}

double
baseline_step(struct baseline *b, int *n_pos)
{
	const struct dataset *ds = b->ds;
	size_t d = (size_t)b->step % ds->n_docs, len = dataset_doc_len(ds, d);
	const int *doc = dataset_doc(ds, d);
	int n = (int)len + 1, t;
	double sum = 0.0;

	if (n > b->c.T)
		n = b->c.T;
	for (t = 0; t < n; t++) {
		b->a.tok[t] = t == 0 ? ds->n_vocab : doc[t - 1];
		b->a.tgt[t] = (size_t)t < len ? doc[t] : ds->n_vocab;
	}
	for (t = 0; t < n; t++)
		sum += forward(b, t);
	backward(b, n);
	adam(b);
	b->step++;
	*n_pos = n;
	return (1.0 / n) * sum;
}
