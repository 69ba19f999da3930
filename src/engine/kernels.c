/* SPDX-License-Identifier: MIT */
/* kernels.c - the engine's hot loops: linear layers forward and backward,
 * and the Adam update. See kernels.h for what each computes, in which order.
 *
 * This file alone is compiled with -fno-math-errno, so that sqrt() in the
 * Adam update is one (vector) instruction instead of an instruction and a
 * library call for errno: nothing here reads errno, and nothing here calls
 * pow(), exp() or log(), whose calls a compiler may rewrite once errno is
 * out of the way (clang turns pow(x, 0.5) into sqrt(x)); those stay in
 * model.c, compiled without it, as the reference calls them.
 *
 * kernel_pow2() and kernel_pow_half() give CPython's x ** 2 and x ** 0.5
 * (the C library's pow) at the price of x*x and sqrt(x) almost always:
 * an error-free transformation (Dekker's product, no fma needed) tells
 * exactly how far the correctly rounded result is from a rounding
 * midpoint, and only within 1/64 ulp of one is pow() itself called,
 * through pow_rt() below (model_pow's twin: kernels call nothing above
 * them).
 *
 * The kernels are also built for AVX2 and AVX-512 and the loader picks the
 * best the CPU has. That changes no bit: a kernel vectorises across
 * independent outputs only, every output adds its terms in the same order
 * at every vector width, and -ffp-contract=off keeps a*b+c two roundings.
 * Blocked sums are named arrays (a0..a3, s0..s3), not acc[4][8]: compilers
 * keep those in registers but spill a two-level array to the stack. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"

/* The dispatched versions are static: clang resolves target_clones only
 * for calls in the defining file, so the public names below are plain
 * functions calling them. */
#ifdef HAVE_TARGET_CLONES
#define KERNEL __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define KERNEL
#endif

/* Eight outputs of four positions at a time: the sums stay in registers
 * and each weight is loaded once for the four. */
KERNEL static void
linear_forward_impl(double *restrict Y, size_t ys, const double *restrict Wt,
    const double *restrict X, size_t xs, int n, int out, int in)
{
	int i, j, o, t;

	for (o = 0; o + 8 <= out; o += 8) {
		for (t = 0; t + 4 <= n; t += 4) {
			double a0[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a1[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a2[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a3[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			const double *x0 = X + (size_t)t * xs, *x1 = x0 + xs, *x2 = x1 + xs, *x3 = x2 + xs;

			for (i = 0; i < in; i++) {
				const double *w = Wt + (size_t)i * out + o;
				double xi0 = x0[i], xi1 = x1[i], xi2 = x2[i], xi3 = x3[i];

				for (j = 0; j < 8; j++) {
					a0[j] += w[j] * xi0;
					a1[j] += w[j] * xi1;
					a2[j] += w[j] * xi2;
					a3[j] += w[j] * xi3;
				}
			}
			for (j = 0; j < 8; j++) {
				Y[(size_t)t * ys + o + j] = a0[j];
				Y[(size_t)(t + 1) * ys + o + j] = a1[j];
				Y[(size_t)(t + 2) * ys + o + j] = a2[j];
				Y[(size_t)(t + 3) * ys + o + j] = a3[j];
			}
		}
		for (; t < n; t++) {
			double acc[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			const double *x = X + (size_t)t * xs;

			for (i = 0; i < in; i++) {
				const double *w = Wt + (size_t)i * out + o;
				double xi = x[i];

				for (j = 0; j < 8; j++)
					acc[j] += w[j] * xi;
			}
			for (j = 0; j < 8; j++)
				Y[(size_t)t * ys + o + j] = acc[j];
		}
	}
	for (; o < out; o++)
		for (t = 0; t < n; t++) {
			const double *x = X + (size_t)t * xs;
			double acc = 0.0;

			for (i = 0; i < in; i++)
				acc += Wt[(size_t)i * out + o] * x[i];
			Y[(size_t)t * ys + o] = acc;
		}
}

/* Four rows of gWt at once share each load of dY; positions last to
 * first, the order in which microgpt.py's autograd adds them. */
KERNEL static void
linear_backward_w_impl(double *restrict gWt, const double *restrict X, size_t xs,
    const double *restrict dY, size_t ys, int n, int out, int in)
{
	int i, j, o, t;

	for (i = 0; i + 4 <= in; i += 4) {
		for (o = 0; o + 8 <= out; o += 8) {
			double a0[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a1[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a2[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a3[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

			for (t = n - 1; t >= 0; t--) {
				const double *dy = dY + (size_t)t * ys + o, *x = X + (size_t)t * xs + i;
				double x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];

				for (j = 0; j < 8; j++) {
					a0[j] += x0 * dy[j];
					a1[j] += x1 * dy[j];
					a2[j] += x2 * dy[j];
					a3[j] += x3 * dy[j];
				}
			}
			for (j = 0; j < 8; j++) {
				gWt[(size_t)i * out + o + j] = a0[j];
				gWt[(size_t)(i + 1) * out + o + j] = a1[j];
				gWt[(size_t)(i + 2) * out + o + j] = a2[j];
				gWt[(size_t)(i + 3) * out + o + j] = a3[j];
			}
		}
	}
	for (; i < in; i++)
		for (o = 0; o + 8 <= out; o += 8) {
			double acc[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

			for (t = n - 1; t >= 0; t--) {
				const double *dy = dY + (size_t)t * ys + o;
				double xi = X[(size_t)t * xs + i];

				for (j = 0; j < 8; j++)
					acc[j] += xi * dy[j];
			}
			for (j = 0; j < 8; j++)
				gWt[(size_t)i * out + o + j] = acc[j];
		}
	for (o = out & ~7; o < out; o++)
		for (i = 0; i < in; i++) {
			double acc = 0.0;

			for (t = n - 1; t >= 0; t--)
				acc += X[(size_t)t * xs + i] * dY[(size_t)t * ys + o];
			gWt[(size_t)i * out + o] = acc;
		}
}

/* Eight inputs of four positions at a time, each a chain over k from K-1
 * down to 0: the sums stay in registers and each weight row segment is
 * loaded once for the four positions. */
KERNEL static void
linear_backward_x_impl(double *restrict dX, size_t dxs, const double *restrict dY, size_t ys,
    const double *restrict W, const int *restrict wrow, const int *restrict dyoff, int n, int K,
    int in)
{
	int j, jj, k, t;

	for (t = 0; t + 4 <= n; t += 4) {
		const double *y0 = dY + (size_t)t * ys, *y1 = y0 + ys, *y2 = y1 + ys, *y3 = y2 + ys;

		for (j = 0; j + 8 <= in; j += 8) {
			double a0[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a1[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a2[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a3[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

			for (k = K - 1; k >= 0; k--) {
				const double *w = W + wrow[k] + j;
				int d = dyoff[k];
				double d0 = y0[d], d1 = y1[d], d2 = y2[d], d3 = y3[d];

				for (jj = 0; jj < 8; jj++) {
					a0[jj] += w[jj] * d0;
					a1[jj] += w[jj] * d1;
					a2[jj] += w[jj] * d2;
					a3[jj] += w[jj] * d3;
				}
			}
			for (jj = 0; jj < 8; jj++) {
				dX[(size_t)t * dxs + j + jj] = a0[jj];
				dX[(size_t)(t + 1) * dxs + j + jj] = a1[jj];
				dX[(size_t)(t + 2) * dxs + j + jj] = a2[jj];
				dX[(size_t)(t + 3) * dxs + j + jj] = a3[jj];
			}
		}
		for (; j < in; j++) {
			double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;

			for (k = K - 1; k >= 0; k--) {
				double w = W[wrow[k] + j];
				int d = dyoff[k];

				s0 += w * y0[d];
				s1 += w * y1[d];
				s2 += w * y2[d];
				s3 += w * y3[d];
			}
			dX[(size_t)t * dxs + j] = s0;
			dX[(size_t)(t + 1) * dxs + j] = s1;
			dX[(size_t)(t + 2) * dxs + j] = s2;
			dX[(size_t)(t + 3) * dxs + j] = s3;
		}
	}
	for (; t < n; t++) {
		const double *y = dY + (size_t)t * ys;

		for (j = 0; j + 8 <= in; j += 8) {
			double acc[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

			for (k = K - 1; k >= 0; k--) {
				const double *w = W + wrow[k] + j;
				double d = y[dyoff[k]];

				for (jj = 0; jj < 8; jj++)
					acc[jj] += w[jj] * d;
			}
			for (jj = 0; jj < 8; jj++)
				dX[(size_t)t * dxs + j + jj] = acc[jj];
		}
		for (; j < in; j++) {
			double acc = 0.0;

			for (k = K - 1; k >= 0; k--)
				acc += W[wrow[k] + j] * y[dyoff[k]];
			dX[(size_t)t * dxs + j] = acc;
		}
	}
}

/* ---- x ** 2 and x ** 0.5 ---- */

/* pow() called at run time, as CPython calls it: the exponent read through
 * a volatile, so that no compiler turns pow(x, 0.5) into sqrt(x) (clang
 * would, here, with -fno-math-errno). */
static double
pow_rt(double x, double y)
{
	volatile double e = y;

	return pow(x, e);
}

/* The exponent bits of x as a double (2^e for a normal x), and whether
 * x's significand is exactly a power of two. */
static inline double
exp_bits(double x)
{
	uint64_t b;
	double e;

	memcpy(&b, &x, sizeof b);
	b &= 0x7ff0000000000000u;
	memcpy(&e, &b, sizeof e);
	return e;
}

static inline int
is_pow2(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof b);
	return (b & 0x000fffffffffffffu) == 0;
}

/* Dekker: x*x == p + e exactly (p = fl(x*x)), for |x| < 2^995. */
static inline double
square_err(double x, double p)
{
	double c = 134217729.0 * x, hi = c - (c - x), lo = x - hi;

	return ((hi * hi - p) + 2.0 * (hi * lo)) + lo * lo;
}

/* 1 when fl(x*x) might not be glibc's pow(|x|, 2): the exact square is
 * within 1/64 ulp of a midpoint between doubles, or x is outside
 * [2^-60, 2^60] (pow's logarithm error grows with |log x|, and Dekker's
 * product needs no underflow), or the square is a power of two (its
 * neighbours below are closer). Zero is exact: pow(0, 2) == 0. */
static inline uint64_t
square_hard(double x, double p)
{
	double ax = fabs(x);
	uint64_t in = (ax >= 0x1p-60) & (ax <= 0x1p60);
	uint64_t near = fabs(square_err(x, p)) > (31.0 / 64.0) * (exp_bits(p) * 0x1p-52);

	/* & and |, not && and ||: no branches, so the loops stay vectors */
	return ((in ^ 1) & (x != 0.0)) | (in & (near | is_pow2(p)));
}

/* The same for sqrt(x), x >= 0: x - s*s is exact and equals about
 * -2 s (sqrt(x) - s), so |x - s s| near s ulp(s) means near a midpoint. */
static inline uint64_t
sqrt_hard(double x, double s)
{
	uint64_t in = (x >= 0x1p-240) & (x <= 0x1p240);
	double p = s * s, r = (p - x) + square_err(s, p);
	uint64_t near = fabs(r) > (31.0 / 32.0) * (s * (exp_bits(s) * 0x1p-52));

	return ((in ^ 1) & (x != 0.0)) | (in & (near | is_pow2(s)));
}

double
kernel_pow2(double x)
{
	double p = x * x;

	return square_hard(x, p) ? pow_rt(fabs(x), 2.0) : p;
}

double
kernel_pow_half(double x)
{
	double s = sqrt(x);

	return sqrt_hard(x, s) ? pow_rt(x, 0.5) : s;
}

/* Whether any of hard[i..i+8) is set (n - i may be less than 8). */
static inline int
any_hard(const uint64_t *hard, size_t i, size_t n)
{
	uint64_t a = 0;
	size_t j, e = i + 8 < n ? i + 8 : n;

	for (j = i; j < e; j++)
		a |= hard[j];
	return a != 0;
}

/* The squares as one vector loop, the rare hard ones fixed after. The
 * norm, a statistic and no part of the reference, sums in eight lanes
 * (lane j takes i = j mod 8), combined pairwise at the end: the same at
 * every vector width. */
KERNEL static double
adam_square_impl(double *restrict sq, uint64_t *restrict hard, const double *restrict g,
    size_t n)
{
	double a[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 }, ss;
	size_t i, j, n8 = n & ~(size_t)7;

	for (i = 0; i < n8; i += 8)
		for (j = 0; j < 8; j++) {
			double p = g[i + j] * g[i + j];

			sq[i + j] = p;
			hard[i + j] = square_hard(g[i + j], p);
			a[j] += p;
		}
	for (; i < n; i++) {
		double p = g[i] * g[i];

		sq[i] = p;
		hard[i] = square_hard(g[i], p);
		a[i - n8] += p;
	}
	ss = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
	for (i = 0; i < n; i += 8)
		if (any_hard(hard, i, n))
			for (j = i; j < n && j < i + 8; j++)
				if (hard[j])
					sq[j] = pow_rt(fabs(g[j]), 2.0);
	return ss;
}

/* Each parameter exactly the scalar formula, as one vector loop; a
 * parameter whose square root is hard keeps its old value there and is
 * updated with pow() after. With rec, m_hat, v_hat and the update are also
 * written where they are computed (inlined twice, so that training's copy
 * has no test in its loop). */
static inline __attribute__((always_inline)) void
adam_body(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    const double *restrict sq, double *restrict mm, double *restrict vv, size_t n,
    const struct kernel_adam_k *k, const int rec)
{
	const double b1 = k->b1, b2 = k->b2, c1 = k->c1, c2 = k->c2;
	const double bc1 = k->bc1, bc2 = k->bc2, lr_t = k->lr_t, eps = k->eps;
	double *restrict rm = k->rec_m_hat, *restrict rv = k->rec_v_hat, *restrict ru = k->rec_update;
	size_t i, j;

	for (i = 0; i < n; i++) {
		double m = b1 * mm[i] + c1 * g[i], v = b2 * vv[i] + c2 * sq[i];
		double m_hat = m / bc1, v_hat = v / bc2, s = sqrt(v_hat);
		double u = lr_t * m_hat / (s + eps), pn = p[i] - u;
		uint64_t h = sqrt_hard(v_hat, s);

		mm[i] = m;
		vv[i] = v;
		hard[i] = h;
		p[i] = h ? p[i] : pn;
		if (rec) {
			rm[i] = m_hat;
			rv[i] = v_hat;
			ru[i] = u;
		}
	}
	for (i = 0; i < n; i += 8)
		if (any_hard(hard, i, n))
			for (j = i; j < n && j < i + 8; j++)
				if (hard[j]) {
					double u = lr_t * (mm[j] / bc1) / (pow_rt(vv[j] / bc2, 0.5) + eps);

					p[j] -= u;
					if (rec)
						ru[j] = u;
				}
}

KERNEL static void
adam_impl(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    const double *restrict sq, double *restrict mm, double *restrict vv, size_t n,
    const struct kernel_adam_k *k)
{
	adam_body(p, hard, g, sq, mm, vv, n, k, 0);
}

/* Opening a step, not training: no clones needed (and the same bits). */
static void
adam_rec_impl(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    const double *restrict sq, double *restrict mm, double *restrict vv, size_t n,
    const struct kernel_adam_k *k)
{
	adam_body(p, hard, g, sq, mm, vv, n, k, 1);
}

void
kernel_linear_forward(double *Y, size_t ys, const double *Wt, const double *X, size_t xs,
    int n, int out, int in)
{
	linear_forward_impl(Y, ys, Wt, X, xs, n, out, in);
}

void
kernel_linear_backward_w(double *gWt, const double *X, size_t xs, const double *dY, size_t ys,
    int n, int out, int in)
{
	linear_backward_w_impl(gWt, X, xs, dY, ys, n, out, in);
}

void
kernel_linear_backward_x(double *dX, size_t dxs, const double *dY, size_t ys, const double *W,
    const int *wrow, const int *dyoff, int n, int K, int in)
{
	linear_backward_x_impl(dX, dxs, dY, ys, W, wrow, dyoff, n, K, in);
}

double
kernel_adam_square(double *sq, uint64_t *hard, const double *g, size_t n)
{
	return adam_square_impl(sq, hard, g, n);
}

void
kernel_adam(double *p, uint64_t *hard, const double *g, const double *sq, double *m, double *v,
    size_t n, const struct kernel_adam_k *k)
{
	if (k->rec_update)
		adam_rec_impl(p, hard, g, sq, m, v, n, k);
	else
		adam_impl(p, hard, g, sq, m, v, n, k);
}
