/* SPDX-License-Identifier: MIT */
/* kernels.c - the engine's hot loops: linear layers forward and backward,
 * and the Adam update. See kernels.h for what each computes, in which order.
 * Over 800 lines on purpose: see the end of this comment.
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
 * keep those in registers but spill a two-level array to the stack.
 *
 * The file is long on purpose: every kernel here is built with the same
 * flags (-fno-math-errno, the target clones) and the Adam loop, the power
 * shortcuts and their fallbacks share one set of bit-level helpers
 * (exp_bits, is_pow2, keep_if, the residuals) whose proofs are read
 * together. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "kernels_wide.h"

#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

/* The dispatched versions are static: clang resolves target_clones only
 * for calls in the defining file, so the public names below are plain
 * functions calling them. */
#ifdef HAVE_TARGET_CLONES
#define KERNEL __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define KERNEL
#endif

/* Eight outputs (columns o.. of W, row stride ws) of four positions at a
 * time: the sums stay in registers and each weight is loaded once for the
 * four. The first r of the eight are stored (r < 8: a padded tail). */
static inline __attribute__((always_inline)) void
forward8(double *restrict Y, size_t ys, const double *restrict W, size_t ws,
    const double *restrict X, size_t xs, int n, int in, int r)
{
	int i, j, t;

	for (t = 0; t + 4 <= n; t += 4) {
		double a0[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a1[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a2[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a3[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		const double *x0 = X + (size_t)t * xs, *x1 = x0 + xs, *x2 = x1 + xs, *x3 = x2 + xs;

		for (i = 0; i < in; i++) {
			const double *w = W + (size_t)i * ws;
			double xi0 = x0[i], xi1 = x1[i], xi2 = x2[i], xi3 = x3[i];

			for (j = 0; j < 8; j++) {
				a0[j] += w[j] * xi0;
				a1[j] += w[j] * xi1;
				a2[j] += w[j] * xi2;
				a3[j] += w[j] * xi3;
			}
		}
		for (j = 0; j < r; j++) {
			Y[(size_t)t * ys + j] = a0[j];
			Y[(size_t)(t + 1) * ys + j] = a1[j];
			Y[(size_t)(t + 2) * ys + j] = a2[j];
			Y[(size_t)(t + 3) * ys + j] = a3[j];
		}
	}
	if (t < n) {
		/* the last one to three positions in one pass: three sums side
		 * by side, not one chain after another (a missing row repeats
		 * the first, and is not stored) */
		const int m = n - t;
		double a0[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a1[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a2[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		const double *x0 = X + (size_t)t * xs, *x1 = m > 1 ? x0 + xs : x0;
		const double *x2 = m > 2 ? x0 + 2 * xs : x0;

		for (i = 0; i < in; i++) {
			const double *w = W + (size_t)i * ws;
			double xi0 = x0[i], xi1 = x1[i], xi2 = x2[i];

			for (j = 0; j < 8; j++) {
				a0[j] += w[j] * xi0;
				a1[j] += w[j] * xi1;
				a2[j] += w[j] * xi2;
			}
		}
		for (j = 0; j < r; j++)
			Y[(size_t)t * ys + j] = a0[j];
		if (m > 1)
			for (j = 0; j < r; j++)
				Y[(size_t)(t + 1) * ys + j] = a1[j];
		if (m > 2)
			for (j = 0; j < r; j++)
				Y[(size_t)(t + 2) * ys + j] = a2[j];
	}
}

/* The largest input a padded tail copies to the stack (8 doubles each). */
#define PAD_MAX 512

KERNEL static void
linear_forward_impl(double *restrict Y, size_t ys, const double *restrict Wt,
    const double *restrict X, size_t xs, int n, int out, int in)
{
	int i, j, o, t, r;

	for (o = 0; o + 8 <= out; o += 8)
		forward8(Y + o, ys, Wt + o, (size_t)out, X, xs, n, in, 8);
	if ((r = out - o) == 0)
		return;
	if (in <= PAD_MAX) {
		/* the last r outputs as eight, the others' weights zero (their
		 * sums are not stored): lm_head's 27 = 3 x 8 + 3 */
		double wp[PAD_MAX * 8];

		for (i = 0; i < in; i++)
			for (j = 0; j < 8; j++)
				wp[i * 8 + j] = j < r ? Wt[(size_t)i * out + o + j] : 0.0;
		forward8(Y + o, ys, wp, 8, X, xs, n, in, r);
		return;
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

/* Eight columns o.. of gWt (row stride gws; dY's columns o.., row stride
 * ys), four rows at once sharing each load of dY; positions last to
 * first, the order in which microgpt.py's autograd adds them. The first
 * r columns are stored (r < 8: a padded tail). */
static inline __attribute__((always_inline)) void
backward8(double *restrict gW, size_t gws, const double *restrict X, size_t xs,
    const double *restrict dY, size_t ys, int n, int in, int r)
{
	int i, j, t;

	for (i = 0; i + 4 <= in; i += 4) {
		double a0[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a1[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a2[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
		double a3[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

		for (t = n - 1; t >= 0; t--) {
			const double *dy = dY + (size_t)t * ys, *x = X + (size_t)t * xs + i;
			double x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];

			for (j = 0; j < 8; j++) {
				a0[j] += x0 * dy[j];
				a1[j] += x1 * dy[j];
				a2[j] += x2 * dy[j];
				a3[j] += x3 * dy[j];
			}
		}
		for (j = 0; j < r; j++) {
			gW[(size_t)i * gws + j] = a0[j];
			gW[(size_t)(i + 1) * gws + j] = a1[j];
			gW[(size_t)(i + 2) * gws + j] = a2[j];
			gW[(size_t)(i + 3) * gws + j] = a3[j];
		}
	}
	for (; i < in; i++) {
		double acc[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

		for (t = n - 1; t >= 0; t--) {
			const double *dy = dY + (size_t)t * ys;
			double xi = X[(size_t)t * xs + i];

			for (j = 0; j < 8; j++)
				acc[j] += xi * dy[j];
		}
		for (j = 0; j < r; j++)
			gW[(size_t)i * gws + j] = acc[j];
	}
}

KERNEL static void
linear_backward_w_impl(double *restrict gWt, const double *restrict X, size_t xs,
    const double *restrict dY, size_t ys, int n, int out, int in)
{
	int i, j, o, t, r;

	for (o = 0; o + 8 <= out; o += 8)
		backward8(gWt + o, (size_t)out, X, xs, dY + o, ys, n, in, 8);
	if ((r = out - o) == 0)
		return;
	if (n <= PAD_MAX) {
		/* the last r columns of dY as eight, the others zero (their
		 * sums are not stored) */
		double dp[PAD_MAX * 8];

		for (t = 0; t < n; t++)
			for (j = 0; j < 8; j++)
				dp[t * 8 + j] = j < r ? dY[(size_t)t * ys + o + j] : 0.0;
		backward8(gWt + o, (size_t)out, X, xs, dp, 8, n, in, r);
		return;
	}
	for (; o < out; o++)
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
	if (t < n) {
		/* the last one to three positions in one pass (see forward8) */
		const int m = n - t;
		const double *y0 = dY + (size_t)t * ys, *y1 = m > 1 ? y0 + ys : y0;
		const double *y2 = m > 2 ? y0 + 2 * ys : y0;

		for (j = 0; j + 8 <= in; j += 8) {
			double a0[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a1[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
			double a2[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

			for (k = K - 1; k >= 0; k--) {
				const double *w = W + wrow[k] + j;
				int d = dyoff[k];
				double d0 = y0[d], d1 = y1[d], d2 = y2[d];

				for (jj = 0; jj < 8; jj++) {
					a0[jj] += w[jj] * d0;
					a1[jj] += w[jj] * d1;
					a2[jj] += w[jj] * d2;
				}
			}
			for (jj = 0; jj < 8; jj++)
				dX[(size_t)t * dxs + j + jj] = a0[jj];
			if (m > 1)
				for (jj = 0; jj < 8; jj++)
					dX[(size_t)(t + 1) * dxs + j + jj] = a1[jj];
			if (m > 2)
				for (jj = 0; jj < 8; jj++)
					dX[(size_t)(t + 2) * dxs + j + jj] = a2[jj];
		}
	}
	for (; t < n; t++) {
		const double *y = dY + (size_t)t * ys;

		for (j = in & ~7; j < in; j++) {
			double acc = 0.0;

			for (k = K - 1; k >= 0; k--)
				acc += W[wrow[k] + j] * y[dyoff[k]];
			dX[(size_t)t * dxs + j] = acc;
		}
	}
}

/* ---- the reference layout of a weight: a transpose ---- */

static void
transpose_tail(double *restrict dst, const double *restrict src, int R, int K, int r0, int r1,
    int k0, int k1)
{
	int r, k;

	for (k = k0; k < k1; k++)
		for (r = r0; r < r1; r++)
			dst[(size_t)r * K + k] = src[(size_t)k * R + r];
}

#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
/* Eight by eight tiles in registers: eight rows loaded, three rounds of
 * two-source shuffles, eight rows stored (the scalar loop moved one
 * double at a time: 8 % of a training step's CPU). */
__attribute__((target("avx512f"))) static void
transpose_avx512(double *restrict dst, const double *restrict src, int R, int K)
{
	const __m512i i0 = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
	const __m512i i1 = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
	const __m512i j0 = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0);
	const __m512i j1 = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
	int rb, kb;

	for (kb = 0; kb + 8 <= K; kb += 8) {
		for (rb = 0; rb + 8 <= R; rb += 8) {
			const double *s = src + (size_t)kb * R + rb;
			double *d = dst + (size_t)rb * K + kb;
			__m512d a0 = _mm512_loadu_pd(s), a1 = _mm512_loadu_pd(s + R);
			__m512d a2 = _mm512_loadu_pd(s + 2 * R), a3 = _mm512_loadu_pd(s + 3 * R);
			__m512d a4 = _mm512_loadu_pd(s + 4 * R), a5 = _mm512_loadu_pd(s + 5 * R);
			__m512d a6 = _mm512_loadu_pd(s + 6 * R), a7 = _mm512_loadu_pd(s + 7 * R);
			/* pairs of rows: b0 = a0[0] a1[0] a0[2] a1[2] ... */
			__m512d b0 = _mm512_unpacklo_pd(a0, a1), b1 = _mm512_unpackhi_pd(a0, a1);
			__m512d b2 = _mm512_unpacklo_pd(a2, a3), b3 = _mm512_unpackhi_pd(a2, a3);
			__m512d b4 = _mm512_unpacklo_pd(a4, a5), b5 = _mm512_unpackhi_pd(a4, a5);
			__m512d b6 = _mm512_unpacklo_pd(a6, a7), b7 = _mm512_unpackhi_pd(a6, a7);
			/* fours: c0 = column 0 of rows 0-3, then column 4 */
			__m512d c0 = _mm512_permutex2var_pd(b0, i0, b2);
			__m512d c1 = _mm512_permutex2var_pd(b1, i0, b3);
			__m512d c2 = _mm512_permutex2var_pd(b0, i1, b2);
			__m512d c3 = _mm512_permutex2var_pd(b1, i1, b3);
			__m512d c4 = _mm512_permutex2var_pd(b4, i0, b6);
			__m512d c5 = _mm512_permutex2var_pd(b5, i0, b7);
			__m512d c6 = _mm512_permutex2var_pd(b4, i1, b6);
			__m512d c7 = _mm512_permutex2var_pd(b5, i1, b7);

			_mm512_storeu_pd(d, _mm512_permutex2var_pd(c0, j0, c4));
			_mm512_storeu_pd(d + K, _mm512_permutex2var_pd(c1, j0, c5));
			_mm512_storeu_pd(d + 2 * K, _mm512_permutex2var_pd(c2, j0, c6));
			_mm512_storeu_pd(d + 3 * K, _mm512_permutex2var_pd(c3, j0, c7));
			_mm512_storeu_pd(d + 4 * K, _mm512_permutex2var_pd(c0, j1, c4));
			_mm512_storeu_pd(d + 5 * K, _mm512_permutex2var_pd(c1, j1, c5));
			_mm512_storeu_pd(d + 6 * K, _mm512_permutex2var_pd(c2, j1, c6));
			_mm512_storeu_pd(d + 7 * K, _mm512_permutex2var_pd(c3, j1, c7));
		}
		transpose_tail(dst, src, R, K, rb, R, kb, kb + 8);
	}
	transpose_tail(dst, src, R, K, 0, R, kb, K);
}
#endif

void
kernel_transpose(double *dst, const double *src, int R, int K)
{
#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
	if (__builtin_cpu_supports("avx512f")) {
		transpose_avx512(dst, src, R, K);
		return;
	}
#endif
	transpose_tail(dst, src, R, K, 0, R, 0, K);
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

/* old where h is 1, new where h is 0, by bits: a select the compiler
 * cannot turn into masked arithmetic (which, to keep the lanes it drops
 * from raising exceptions, would chain the whole update behind the hard
 * test). */
static inline double
keep_if(uint64_t h, double old, double nw)
{
	uint64_t a, b, k = (uint64_t)0 - h;

	memcpy(&a, &old, sizeof a);
	memcpy(&b, &nw, sizeof b);
	a = (a & k) | (b & ~k);
	memcpy(&old, &a, sizeof old);
	return old;
}

/* ---- the FMA builds' tools ----
 *
 * fma(x, x, -p) is x*x - p exactly (no underflow in the range tested),
 * where the plain build needs Dekker's split; fma(s, s, -x) is s*s - x
 * rounded once, a relative error of 2^-53 on a residual compared with a
 * bound 31/32 of its size: the window stays 1/64 ulp to within 2^-50. */
#define FMA(a, b, c) __builtin_fma((a), (b), (c))

/* One parameter's update as the reference computes it, scalar, with true
 * divisions and pow() where the shortcuts cannot show they equal it: the
 * fallback for a hard parameter. */
static void
adam_one(double *restrict p, const double *restrict g, double *restrict mm,
    double *restrict vv, size_t i, const struct kernel_adam_k *k)
{
	double sq = kernel_pow2(g[i]);
	double m = k->b1 * mm[i] + k->c1 * g[i], v = k->b2 * vv[i] + k->c2 * sq;
	double m_hat = m / k->bc1, v_hat = v / k->bc2;
	double u = k->lr_t * m_hat / (kernel_pow_half(v_hat) + k->eps);

	mm[i] = m;
	vv[i] = v;
	p[i] -= u;
	if (k->rec_update) {
		k->rec_m_hat[i] = m_hat;
		k->rec_v_hat[i] = v_hat;
		k->rec_update[i] = u;
	}
}

/* Where pow() and the shortcut may differ they differ by one ulp: the
 * exact square (or square root) lies within 1/64 ulp of the midpoint
 * between the shortcut's c and its neighbour c' on the exact value's side,
 * and pow() is within 0.5123 ulp of the exact value, so it returns c or c'
 * (see square_hard). Often both lead to the same bits of what the step
 * keeps: a square enters only v = b2 v + c2 g**2, where one ulp of g**2 is
 * mostly far below one ulp of v; a square root enters only the update,
 * which one ulp rarely changes once subtracted from p. So both are
 * computed, and pow() is needed only where the two results differ. That
 * leaves to pow() only the inputs outside the shortcuts' ranges or with a
 * power of two for a result (near_* 0 with hard set), and the near ones
 * whose two results differ.
 *
 * near_square: 1 when x*x = p + e is within the window (e exact); the
 * neighbour is p + sign(e) ulp(p). Likewise near_sqrt with r = s*s - x:
 * the exact root is below s when r > 0. */
static inline __attribute__((always_inline)) uint64_t
near_square(double p, double e)
{
	return fabs(e) > (31.0 / 64.0) * (exp_bits(p) * 0x1p-52);
}

static inline __attribute__((always_inline)) uint64_t
near_sqrt(double s, double r)
{
	return fabs(r) > (31.0 / 32.0) * (s * (exp_bits(s) * 0x1p-52));
}

/* c + ulp(c) when toward's sign bit is clear, else c - ulp(c): the sign
 * moved by bits (an or), not chosen by a comparison and a select, which
 * took a tenth of the Adam loop's time. It differs from "toward > 0" only
 * for a zero or a NaN toward, and both callers use the result only where
 * near_square / near_sqrt hold, which need |toward| above a positive
 * bound. */
static inline __attribute__((always_inline)) double
step_ulp(double c, double toward)
{
	uint64_t a, b;
	double u = exp_bits(c) * 0x1p-52;

	memcpy(&a, &u, sizeof a);
	memcpy(&b, &toward, sizeof b);
	a |= b & 0x8000000000000000u;
	memcpy(&u, &a, sizeof u);
	return c + u;
}

static inline __attribute__((always_inline)) double
adam_elem(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    double *restrict mm, double *restrict vv, size_t x, const struct kernel_adam_k *k,
    const int rec, const int fma, const int d1, const int d2)
{
	const double bc1 = k->bc1, bc2 = k->bc2;
	double gi = g[x], sq = gi * gi;
	double m = k->b1 * mm[x] + k->c1 * gi, v = k->b2 * vv[x] + k->c2 * sq;
	double e2 = fma ? FMA(gi, gi, -sq) : square_err(gi, sq);
	double v2 = k->b2 * vv[x] + k->c2 * step_ulp(sq, e2);
	double ag = fabs(gi), m_hat, v_hat, s, rs, u, u2, pn;
	uint64_t in = (ag >= 0x1p-60) & (ag <= 0x1p60), h;

	/* square_hard, but a near square whose neighbour gives the same v is
	 * decided */
	h = ((in ^ 1) & (gi != 0.0)) |
	    (in & (is_pow2(sq) | (near_square(sq, e2) & (v != v2))));
	/* d1, d2 0: bc1, bc2 are 1.0, and x / 1.0 is x (adam_body) */
	m_hat = d1 ? m / bc1 : m;
	v_hat = d2 ? v / bc2 : v;
	s = sqrt(v_hat);
	rs = fma ? FMA(s, s, -v_hat) : (s * s - v_hat) + square_err(s, s * s);
	u = k->lr_t * m_hat / (s + k->eps);
	u2 = k->lr_t * m_hat / (step_ulp(s, -rs) + k->eps);
	pn = p[x] - u;
	/* sqrt_hard, but a near root whose neighbour gives the same p is
	 * decided (with a record, the update itself is kept: not so) */
	in = (v_hat >= 0x1p-240) & (v_hat <= 0x1p240);
	h |= ((in ^ 1) & (v_hat != 0.0)) |
	    (in & (is_pow2(s) | (near_sqrt(s, rs) & ((uint64_t)rec | (p[x] - u2 != pn)))));
	mm[x] = keep_if(h, mm[x], m);
	vv[x] = keep_if(h, vv[x], v);
	p[x] = keep_if(h, p[x], pn);
	hard[x] = h;
	if (rec) {
		k->rec_m_hat[x] = m_hat;
		k->rec_v_hat[x] = v_hat;
		k->rec_update[x] = u;
	}
	return sq;
}

/* ---- x ** -1, -2, -0.5, -1.5: the forward's and backward's pow() ----
 *
 * A candidate c0 (1/x, 1/(x*x), 1/sqrt(x), 1/(x*sqrt(x))) is within a few
 * ulps of z = x ** y; the residual rho = c0^a x^b - 1 (a = 1 for y = -1, -2;
 * a = 2 for y = -0.5, -1.5), computed with FMA to about 2^-100, gives
 * z = c0 (1 + rho)^(-1/a), so z lies -rho/a c0 from c0: d ulps (to within
 * 2^-45 ulp). Then c = c0 + round(d) ulps is z correctly rounded, and
 * when z is more than 1/64 ulp from a midpoint it is glibc's pow() too:
 * pow's result before its last rounding is within 0.009 ulp (its exp) +
 * |y log x| 1.3 2^-68 2^53 ulp (its log) of z, under 0.0124 ulp for x in
 * [2^-60, 2^60] and |y| <= 2. Otherwise (near a midpoint, about 3 % of x;
 * a power of two; a change of binade; x out of range) pow() itself. */
#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
/* Branch-free, so that a batch of them is one vector loop: NaN where
 * pow() must decide. which is a constant wherever this is inlined. */
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) double
pow_neg_fma(double x, const int which)
{
	double c0, rho, d, u, c, dd, k;
	uint64_t bad;

	switch (which) {
	case 0: /* -1 */
		c0 = 1.0 / x;
		rho = FMA(c0, x, -1.0);
		break;
	case 1: { /* -2 */
		double P = x * x, E = FMA(x, x, -P);

		c0 = 1.0 / P;
		rho = FMA(c0, P, -1.0) + c0 * E;
		break;
	}
	case 2: { /* -0.5 */
		double P, E;

		c0 = 1.0 / sqrt(x);
		P = c0 * c0;
		E = FMA(c0, c0, -P);
		rho = (FMA(P, x, -1.0) + E * x) * 0.5;
		break;
	}
	default: { /* -1.5 */
		double W, Wl, Q, Ql;

		c0 = 1.0 / (x * sqrt(x));
		W = c0 * x;          /* about x ** -0.5 */
		Wl = FMA(c0, x, -W);
		Q = W * W;
		Ql = FMA(W, W, -Q);
		rho = (FMA(Q, x, -1.0) + (Ql + 2.0 * W * Wl) * x) * 0.5;
		break;
	}
	}
	u = exp_bits(c0) * 0x1p-52;
	d = -rho * (c0 / u);
	/* selects by bits, not ?: (which gcc will not turn into vector
	 * selects while comparisons may trap) */
	k = keep_if(d > 0.5, 1.0, 0.0) - keep_if(d < -0.5, 1.0, 0.0) + keep_if(d > 1.5, 1.0, 0.0) -
	    keep_if(d < -1.5, 1.0, 0.0);
	c = c0 + k * u;
	dd = d - k;
	/* out of [2^-60, 2^60] (NaN too); d too far; near a midpoint; a
	 * power of two or a change of binade */
	bad = ((uint64_t)(x >= 0x1p-60) & (uint64_t)(x <= 0x1p60) & (uint64_t)(fabs(d) < 2.4) &
	    (uint64_t)(fabs(dd) < 0.5 - 1.0 / 64) & (uint64_t)(exp_bits(c) == exp_bits(c0))) ^ 1;
	bad |= is_pow2(c0) | is_pow2(c);
	/* pow(1, y) is 1 for every y (C99 F.9.4.4): every head's softmax
	 * total at position 0 is exp(0) = 1, a power of two above */
	return keep_if(x == 1.0, 1.0, keep_if(bad, NAN, c));
}

/* A batch: independent chains, one vector loop; pow() where it must
 * decide. */
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) void
pow_neg_batch(double *restrict out, const double *restrict x, double add, size_t n, double y,
    const int which)
{
	size_t i;

	if (add != 0.0)
		for (i = 0; i < n; i++)
			out[i] = pow_neg_fma(x[i] + add, which);
	else
		for (i = 0; i < n; i++)
			out[i] = pow_neg_fma(x[i], which);
	for (i = 0; i < n; i++)
		if (out[i] != out[i]) {
			double v = add != 0.0 ? x[i] + add : x[i];

			out[i] = pow_rt(v, y);
		}
}

__attribute__((target("avx2,fma"))) static void
pow_neg_fma_n(double *restrict out, const double *restrict x, double add, size_t n, double y,
    int which)
{
	switch (which) {
	case 0: pow_neg_batch(out, x, add, n, y, 0); break;
	case 1: pow_neg_batch(out, x, add, n, y, 1); break;
	case 2: pow_neg_batch(out, x, add, n, y, 2); break;
	default: pow_neg_batch(out, x, add, n, y, 3); break;
	}
}
#endif

static int
pow_neg_which(double y)
{
	return y == -1.0 ? 0 : y == -2.0 ? 1 : y == -0.5 ? 2 : y == -1.5 ? 3 : -1;
}

void
kernel_pow_neg_n(double *out, const double *x, double add, size_t n, double y)
{
	int which = pow_neg_which(y);
	size_t i;

#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
	if (which >= 0 && __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2")) {
		pow_neg_fma_n(out, x, add, n, y, which);
		return;
	}
#else
	(void)which;
#endif
	for (i = 0; i < n; i++)
		out[i] = pow_rt(add != 0.0 ? x[i] + add : x[i], y);
}

static double
pow_neg(double x, double y, int which)
{
#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
	if (__builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2")) {
		double c;

		pow_neg_fma_n(&c, &x, 0.0, 1, y, which);
		return c;
	}
#else
	(void)which;
#endif
	return pow_rt(x, y);
}

double
kernel_pow_m1(double x)
{
	return pow_neg(x, -1.0, 0);
}

double
kernel_pow_m2(double x)
{
	return pow_neg(x, -2.0, 1);
}

double
kernel_pow_m05(double x)
{
	return pow_neg(x, -0.5, 2);
}

double
kernel_pow_m15(double x)
{
	return pow_neg(x, -1.5, 3);
}

/* Each parameter exactly the scalar formula, as one vector loop:
 * g ** 2 as g*g and v_hat ** 0.5 as sqrt (adam_elem). A parameter where
 * pow() must decide keeps its old p, m and v in the loop and is updated
 * by adam_one() after. With rec, m_hat, v_hat and the update are also
 * written where they are computed. (Dividing by bc1 and bc2 through their
 * reciprocals, with an FMA correction and a proof of each quotient, was
 * tried: on this Zen 5 the divider has room and the 30 more vector
 * operations made the loop 30 % slower.)
 *
 * The squared gradient norm, a statistic and no part of the reference,
 * sums g*g in eight lanes (lane j takes i = j mod 8), combined pairwise
 * at the end: the same at every vector width. */
static inline __attribute__((always_inline)) double
adam_body(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    double *restrict mm, double *restrict vv, size_t n, const struct kernel_adam_k *k,
    const int rec, const int fma, const int d1, const int d2)
{
	double a[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
	size_t b, i, j, e, n8 = n & ~(size_t)7;

	/* Blocks of 64: the hard ones, a few in a hundred (about one block in
	 * twenty has one, in training), are looked for only in a block
	 * whose flags, or-ed together in the loop, say it has one; then 64
	 * flags to a word, then its set bits (one mispredicted branch per
	 * hard parameter, not per group of eight). */
	for (b = 0; b < n; b = e) {
		uint64_t any[8] = { 0, 0, 0, 0, 0, 0, 0, 0 }, bits = 0;

		e = n - b < 64 ? n : b + 64;
		for (i = b; i + 8 <= e; i += 8)
			for (j = 0; j < 8; j++) {
				a[j] += adam_elem(p, hard, g, mm, vv, i + j, k, rec, fma, d1, d2);
				any[j] |= hard[i + j];
			}
		for (; i < e; i++) {
			a[i - n8] += adam_elem(p, hard, g, mm, vv, i, k, rec, fma, d1, d2);
			any[0] |= hard[i];
		}
		if (!((any[0] | any[1]) | (any[2] | any[3]) | (any[4] | any[5]) | (any[6] | any[7])))
			continue;
		for (i = b; i < e; i++)
			bits |= hard[i] << (i - b);
		while (bits) {
			adam_one(p, g, mm, vv, b + (size_t)__builtin_ctzll(bits), k);
			bits &= bits - 1;
		}
	}
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* The bias corrections bc1 = 1 - 0.85 ** (step+1) and bc2 = 1 - 0.99 **
 * (step+1) round to exactly 1.0 from step+1 = 231 and 3725 on (beta ** t
 * below 2^-54), and x / 1.0 is x, bit for bit, for every x the loop can
 * meet (NaN, infinities and -0 included; arithmetic makes no signalling
 * NaN). So from there on the body skips those divisions, which is exact:
 * in an 8000-step run one of the five divider operations a parameter
 * takes (two divisions, a square root, two more divisions) for 97 % of
 * the steps and two for 53 %. (bc2 at 1.0 before bc1 is not met with
 * Adam's betas: it divides by both.) */
static inline __attribute__((always_inline)) double
adam_bc(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    double *restrict mm, double *restrict vv, size_t n, const struct kernel_adam_k *k,
    const int fma)
{
	if (k->bc1 != 1.0)
		return adam_body(p, hard, g, mm, vv, n, k, 0, fma, 1, 1);
	if (k->bc2 != 1.0)
		return adam_body(p, hard, g, mm, vv, n, k, 0, fma, 0, 1);
	return adam_body(p, hard, g, mm, vv, n, k, 0, fma, 0, 0);
}

static double
adam_plain(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    double *restrict mm, double *restrict vv, size_t n, const struct kernel_adam_k *k)
{
	return adam_bc(p, hard, g, mm, vv, n, k, 0);
}

/* Opening a step, not training: no clones needed (and the same bits). */
static double
adam_rec(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    double *restrict mm, double *restrict vv, size_t n, const struct kernel_adam_k *k)
{
	return adam_body(p, hard, g, mm, vv, n, k, 1, 0, 1, 1);
}

/* The FMA builds, chosen at run time (target_clones cannot say "AVX-512
 * and FMA" in one clone: gcc's avx512f does not imply fma). With
 * avx512dq the eight-lane flags are combined in mask registers, not moved
 * to general registers and back. */
#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_ADAM_FMA 1
__attribute__((target("avx2,fma"))) static double
adam_avx2(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    double *restrict mm, double *restrict vv, size_t n, const struct kernel_adam_k *k)
{
	return adam_bc(p, hard, g, mm, vv, n, k, 1);
}

__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))) static double
adam_avx512(double *restrict p, uint64_t *restrict hard, const double *restrict g,
    double *restrict mm, double *restrict vv, size_t n, const struct kernel_adam_k *k)
{
	return adam_bc(p, hard, g, mm, vv, n, k, 1);
}

static int
cpu_level(void)
{
	if (!__builtin_cpu_supports("fma"))
		return 0;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
		return 2;
	return __builtin_cpu_supports("avx2") ? 1 : 0;
}
#endif

void
kernel_linear_forward(double *Y, size_t ys, const double *Wt, const double *X, size_t xs,
    int n, int out, int in)
{
#ifdef KERNEL_WIDE
	if (kernel_wide_ok()) {
		kernel_wide_forward(Y, ys, Wt, X, xs, n, out, in);
		return;
	}
#endif
	linear_forward_impl(Y, ys, Wt, X, xs, n, out, in);
}

void
kernel_linear_backward_w(double *gWt, const double *X, size_t xs, const double *dY, size_t ys,
    int n, int out, int in)
{
#ifdef KERNEL_WIDE
	if (kernel_wide_ok()) {
		kernel_wide_backward_w(gWt, X, xs, dY, ys, n, out, in);
		return;
	}
#endif
	linear_backward_w_impl(gWt, X, xs, dY, ys, n, out, in);
}

void
kernel_linear_backward_x(double *dX, size_t dxs, const double *dY, size_t ys, const double *W,
    const int *wrow, const int *dyoff, int n, int K, int in)
{
#ifdef KERNEL_WIDE
	if (kernel_wide_ok()) {
		kernel_wide_backward_x(dX, dxs, dY, ys, W, wrow, dyoff, n, K, in);
		return;
	}
#endif
	linear_backward_x_impl(dX, dxs, dY, ys, W, wrow, dyoff, n, K, in);
}

int
kernel_adam_levels(void)
{
#ifdef HAVE_ADAM_FMA
	return cpu_level() + 1;
#else
	return 1;
#endif
}

double
kernel_adam_at(int level, double *p, uint64_t *hard, const double *g, double *m, double *v,
    size_t n, const struct kernel_adam_k *k)
{
	if (k->rec_update)
		return adam_rec(p, hard, g, m, v, n, k);
#ifdef HAVE_ADAM_FMA
	if (level == 2 && cpu_level() >= 2)
		return adam_avx512(p, hard, g, m, v, n, k);
	if (level >= 1 && cpu_level() >= 1)
		return adam_avx2(p, hard, g, m, v, n, k);
#else
	(void)level;
#endif
	return adam_plain(p, hard, g, m, v, n, k);
}

double
kernel_adam(double *p, uint64_t *hard, const double *g, double *m, double *v, size_t n,
    const struct kernel_adam_k *k)
{
	return kernel_adam_at(kernel_adam_levels() - 1, p, hard, g, m, v, n, k);
}
