/* SPDX-License-Identifier: MIT */
/* kernels.h - the engine's hot loops (internal to the engine).
 *
 * The order in which each kernel adds its terms is part of the figures: the
 * forward and backward passes add them as the reference's Python and its
 * autograd do (docs/ACCURACY.md), or training would drift from it in the
 * last bits. So the order is fixed here, the same at every vector width. Linear weights are stored transposed, Wt[i][o] (in x out).
 * Matrices of positions are strided: row t of X is X + t*xs, and so on. */
#ifndef MGPT_KERNELS_H
#define MGPT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Y[t][o] = sum_i W[o][i] X[t][i] for t < n: each sum starts from 0.0 and
 * adds W[o][i] X[t][i] for i = 0, 1, ... in order, as the reference's
 * linear() does. */
void   kernel_linear_forward(double *Y, size_t ys, const double *Wt, const double *X,
                             size_t xs, int n, int out, int in);

/* The backward of Y = W X over t < n, in microgpt.py's autograd order
 * (docs/ACCURACY.md, "The backward pass"):
 *
 *   gWt[i][o] = ((0.0 + X[n-1][i] dY[n-1][o]) + X[n-2][i] dY[n-2][o]) + ...
 *               the last position first (written, not accumulated into);
 *   dX[t][j]  = ((0.0 + W[r(K-1)][j] dY[t][d(K-1)]) + W[r(K-2)][j] ...) + ...
 *               over k = K-1 down to 0, where row r(k) = wrow[k] is an
 *               element offset into W (the reference layout, [out][in]) and
 *               d(k) = dyoff[k] an offset into a position's row of dY
 *               (written, not accumulated into). A plain linear layer has
 *               wrow[k] = k*in and dyoff[k] = k: its outputs last to first. */
void   kernel_linear_backward_w(double *gWt, const double *X, size_t xs, const double *dY,
                                size_t ys, int n, int out, int in);
void   kernel_linear_backward_x(double *dX, size_t dxs, const double *dY, size_t ys,
                                const double *W, const int *wrow, const int *dyoff,
                                int n, int K, int in);

/* dst[r][k] = src[k][r] for r < R, k < K: a linear weight from the
 * internal layout (Wt, in x out) to the reference's (W, out x in). */
void   kernel_transpose(double *dst, const double *src, int R, int K);

/* The constants of one Adam step. */
struct kernel_adam_k {
	double b1, b2, c1, c2;   /* beta1, beta2, 1 - beta1, 1 - beta2 */
	double bc1, bc2;         /* 1 - beta^(step+1) */
	double lr_t, eps;
	double *rec_m_hat, *rec_v_hat, *rec_update; /* NULL, or [n]: written as
	                                             * computed (adam_record) */
};

/* For each i < n, exactly as microgpt.py's Adam:
 *     m = b1 m + c1 g;  v = b2 v + c2 g ** 2;  m_hat = m / bc1;  v_hat = v / bc2;
 *     p -= lr_t m_hat / (v_hat ** 0.5 + eps)
 * with ** as CPython computes it (glibc pow(|g|, 2.0), pow(v_hat, 0.5)):
 * g*g and sqrt, and pow() only where they may differ and the difference
 * would reach p, m or v.
 * Returns the squared gradient norm, sum g[i]*g[i] in eight lanes (i mod 8)
 * added pairwise at the end (a statistic, not a reference figure).
 * hard[n] is scratch. */
double kernel_adam(double *p, uint64_t *hard, const double *g, double *m, double *v, size_t n,
                   const struct kernel_adam_k *k);
/* The same with the build chosen: 0 plain C, 1 AVX2 and FMA, 2 AVX-512
 * and FMA (a level the CPU lacks falls back to the best below it);
 * kernel_adam_levels() says how many this CPU runs (kernel_adam uses the
 * last). For the tests: every build must give the same bits. */
int    kernel_adam_levels(void);
double kernel_adam_at(int level, double *p, uint64_t *hard, const double *g, double *m,
                      double *v, size_t n, const struct kernel_adam_k *k);

/* x ** 2 and x ** 0.5 as CPython computes them (glibc pow), cheaply: the
 * correctly rounded x*x or sqrt(x) unless the exact result lies within
 * 1/64 ulp of a rounding midpoint, where pow (error < 0.52 ulp) may round
 * the other way; then pow itself. */
double kernel_pow2(double x);
double kernel_pow_half(double x);
/* x ** -1, x ** -2, x ** -0.5 and x ** -1.5 as CPython computes them
 * (glibc pow), bit for bit: a correctly rounded candidate checked against
 * its exact residual with FMA, pow() itself within 1/64 ulp of a midpoint,
 * out of [2^-60, 2^60], or without FMA. */
double kernel_pow_m1(double x);
double kernel_pow_m2(double x);
double kernel_pow_m05(double x);
double kernel_pow_m15(double x);
/* out[i] = (x[i] + add) ** y for i < n, y one of -1, -2, -0.5, -1.5 (the
 * same bits as the functions above; add 0 adds nothing, not even to a
 * negative zero): a batch of independent chains, faster than n calls. */
void   kernel_pow_neg_n(double *out, const double *x, double add, size_t n, double y);

#endif
