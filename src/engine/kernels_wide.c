/* SPDX-License-Identifier: MIT */
/* kernels_wide.c - the linear kernels of kernels.c sixteen outputs wide,
 * for AVX-512 (chosen at run time by kernels.c; same flags, same library).
 *
 * Why: each output of a linear layer is a chain of additions in a fixed
 * order (kernels.h), so a block of outputs runs at the adder's latency, not
 * its throughput. kernels.c's blocks keep four chains of eight lanes in
 * flight (four positions, or four rows, times one vector): an iteration
 * waits for the previous one's additions while two of the core's four
 * floating-point pipes idle. Two vectors of outputs (sixteen) for the same
 * four positions make eight independent chains, and each broadcast input
 * serves sixteen products instead of eight.
 *
 * No sum changes: every lane is one output's own chain, its terms added in
 * the order kernels.h gives, one rounded product and one rounded sum each
 * (-ffp-contract=off, and AVX-512F alone has no fused multiply-add). The
 * edges (fewer than sixteen outputs, one to three positions) are the same
 * chains with masked loads and stores: masked-off lanes read zeros, are
 * never stored, and never touch memory past the arrays. */
#include "config.h"

#include <stddef.h>

#include "kernels_wide.h"

#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>


int
kernel_wide_ok(void)
{
	return __builtin_cpu_supports("avx512f");
}

/* Lanes 0..r-1 of sixteen (r >= 1) as two eight-lane masks. */
static inline void
wide_masks(int r, __mmask8 *lo, __mmask8 *hi)
{
	*lo = (__mmask8)(r >= 8 ? 0xff : (1u << r) - 1);
	*hi = (__mmask8)(r >= 16 ? 0xff : r > 8 ? (1u << (r - 8)) - 1 : 0);
}

/* Sixteen (nv = 2) or eight (nv = 1) lanes at p: plain loads for a whole
 * block (full), masked ones at an edge. */
WIDE_TARGET WIDE_INLINE void
wide_load(const double *p, const int nv, const int full, __mmask8 lo, __mmask8 hi, __m512d *a,
    __m512d *b)
{
	*a = full ? _mm512_loadu_pd(p) : _mm512_maskz_loadu_pd(lo, p);
	if (nv == 2)
		*b = full ? _mm512_loadu_pd(p + 8) : _mm512_maskz_loadu_pd(hi, p + 8);
}

WIDE_TARGET WIDE_INLINE void
wide_store(double *p, const int nv, const int full, __mmask8 lo, __mmask8 hi, __m512d a,
    __m512d b)
{
	if (full)
		_mm512_storeu_pd(p, a);
	else
		_mm512_mask_storeu_pd(p, lo, a);
	if (nv == 2) {
		if (full)
			_mm512_storeu_pd(p + 8, b);
		else
			_mm512_mask_storeu_pd(p + 8, hi, b);
	}
}

/* acc += v * s, two roundings */
#define WIDE_MAC(acc, v, s) ((acc) = _mm512_add_pd((acc), _mm512_mul_pd((v), (s))))

/* A block's chains: rows r < R (4, 3 or 1) of positions (or of weight
 * rows), each one vector of outputs (a) or two (a, b). */
struct wide_acc {
	__m512d a[4], b[4];
};

/* Row r's chains += (va, vb) * s[r], for r < R: one more term of each sum. */
WIDE_TARGET WIDE_INLINE void
wide_mac(struct wide_acc *c, __m512d va, __m512d vb, const double *s, const int R, const int nv)
{
	int r;

#pragma GCC unroll 4
	for (r = 0; r < R; r++) {
		__m512d b = _mm512_set1_pd(s[r]);

		WIDE_MAC(c->a[r], va, b);
		if (nv == 2)
			WIDE_MAC(c->b[r], vb, b);
	}
}

/* The first m of the R rows to p, stride apart (a missing row is not
 * stored). */
WIDE_TARGET WIDE_INLINE void
wide_store_rows(double *p, size_t stride, const struct wide_acc *c, const int R, int m,
    const int nv, const int full, __mmask8 lo, __mmask8 hi)
{
	int r;

#pragma GCC unroll 4
	for (r = 0; r < R && r < m; r++)
		wide_store(p + (size_t)r * stride, nv, full, lo, hi, c->a[r], c->b[r]);
}

/* No chain yet. */
WIDE_TARGET WIDE_INLINE void
wide_zero(struct wide_acc *c)
{
	int r;

#pragma GCC unroll 4
	for (r = 0; r < 4; r++)
		c->a[r] = c->b[r] = _mm512_setzero_pd();
}

/* CALL(o, nv, full, lo, hi) for lanes o.. of 0..count-1: whole blocks of
 * sixteen, then the edge as one or two masked vectors. nv and full are
 * constants in each CALL, so each is its own specialised loop. */
#define WIDE_BY_16(count, CALL)                                         \
	do {                                                            \
		__mmask8 lo_, hi_;                                      \
		int o_, r_;                                             \
									\
		for (o_ = 0; o_ + 16 <= (count); o_ += 16)              \
			CALL(o_, 2, 1, 0xff, 0xff);                     \
		if ((r_ = (count) - o_) > 0) {                          \
			wide_masks(r_, &lo_, &hi_);                     \
			if (r_ <= 8)                                    \
				CALL(o_, 1, 0, lo_, hi_);               \
			else                                            \
				CALL(o_, 2, 0, lo_, hi_);               \
		}                                                       \
	} while (0)

/* ---- forward: Y[t][o] = sum over i ascending of W[i][o] X[t][i] ---- */

/* R rows of positions (4, or 3 at the end: a missing row repeats row 0
 * and is not stored, m rows are real) times nv vectors of outputs. */
WIDE_TARGET WIDE_INLINE void
fwd_block(double *restrict Y, size_t ys, const double *restrict W, size_t ws,
    const double *restrict X, size_t xs, int in, const int R, int m, const int nv,
    const int full, __mmask8 lo, __mmask8 hi)
{
	const double *x0 = X, *x1 = m > 1 ? X + xs : X, *x2 = m > 2 ? X + 2 * xs : X;
	const double *x3 = m > 3 ? X + 3 * xs : X;
	struct wide_acc c;
	int i;

	wide_zero(&c);
	for (i = 0; i < in; i++) {
		const double s[4] = { x0[i], x1[i], x2[i], R == 4 ? x3[i] : 0.0 };
		__m512d wa, wb = _mm512_setzero_pd();

		wide_load(W + (size_t)i * ws, nv, full, lo, hi, &wa, &wb);
		wide_mac(&c, wa, wb, s, R, nv);
	}
	wide_store_rows(Y, ys, &c, R, m, nv, full, lo, hi);
}

WIDE_TARGET WIDE_INLINE void
fwd_cols(double *restrict Y, size_t ys, const double *restrict W, size_t ws,
    const double *restrict X, size_t xs, int n, int in, const int nv, const int full,
    __mmask8 lo, __mmask8 hi)
{
	int t;

	for (t = 0; t + 4 <= n; t += 4)
		fwd_block(Y + (size_t)t * ys, ys, W, ws, X + (size_t)t * xs, xs, in, 4, 4, nv, full,
		    lo, hi);
	if (t < n)
		fwd_block(Y + (size_t)t * ys, ys, W, ws, X + (size_t)t * xs, xs, in, 3, n - t, nv,
		    full, lo, hi);
}

WIDE_TARGET void
kernel_wide_forward(double *restrict Y, size_t ys, const double *restrict Wt,
    const double *restrict X, size_t xs, int n, int out, int in)
{
#define FWD(o, nv, full, lo, hi) \
	fwd_cols(Y + (o), ys, Wt + (o), (size_t)out, X, xs, n, in, nv, full, lo, hi)
	WIDE_BY_16(out, FWD);
#undef FWD
}

/* ---- backward, weights: gW[i][o] = sum over t descending of X[t][i] dY[t][o] ---- */

/* R rows i (4, or 1 at the end) times nv vectors of columns o. */
WIDE_TARGET WIDE_INLINE void
bw_block(double *restrict gW, size_t gws, const double *restrict X, size_t xs,
    const double *restrict dY, size_t ys, int n, const int R, const int nv, const int full,
    __mmask8 lo, __mmask8 hi)
{
	struct wide_acc c;
	int t;

	wide_zero(&c);
	for (t = n - 1; t >= 0; t--) {
		__m512d da, db = _mm512_setzero_pd();

		wide_load(dY + (size_t)t * ys, nv, full, lo, hi, &da, &db);
		wide_mac(&c, da, db, X + (size_t)t * xs, R, nv);
	}
	wide_store_rows(gW, gws, &c, R, R, nv, full, lo, hi);
}

WIDE_TARGET WIDE_INLINE void
bw_cols(double *restrict gW, size_t gws, const double *restrict X, size_t xs,
    const double *restrict dY, size_t ys, int n, int in, const int nv, const int full,
    __mmask8 lo, __mmask8 hi)
{
	int i;

	for (i = 0; i + 4 <= in; i += 4)
		bw_block(gW + (size_t)i * gws, gws, X + i, xs, dY, ys, n, 4, nv, full, lo, hi);
	for (; i < in; i++)
		bw_block(gW + (size_t)i * gws, gws, X + i, xs, dY, ys, n, 1, nv, full, lo, hi);
}

WIDE_TARGET void
kernel_wide_backward_w(double *restrict gWt, const double *restrict X, size_t xs,
    const double *restrict dY, size_t ys, int n, int out, int in)
{
#define BW(o, nv, full, lo, hi) \
	bw_cols(gWt + (o), (size_t)out, X, xs, dY + (o), ys, n, in, nv, full, lo, hi)
	WIDE_BY_16(out, BW);
#undef BW
}

/* ---- backward, inputs: dX[t][j] = sum over k descending of W[wrow[k] + j] dY[t][dyoff[k]] ---- */

/* R rows of positions (4, or 3 at the end as in fwd_block) times nv
 * vectors of inputs j. */
WIDE_TARGET WIDE_INLINE void
bx_block(double *restrict dX, size_t dxs, const double *restrict dY, size_t ys,
    const double *restrict W, const int *restrict wrow, const int *restrict dyoff, int K,
    const int R, int m, const int nv, const int full, __mmask8 lo, __mmask8 hi)
{
	const double *y0 = dY, *y1 = m > 1 ? dY + ys : dY, *y2 = m > 2 ? dY + 2 * ys : dY;
	const double *y3 = m > 3 ? dY + 3 * ys : dY;
	struct wide_acc c;
	int k;

	wide_zero(&c);
	for (k = K - 1; k >= 0; k--) {
		const int d = dyoff[k];
		const double s[4] = { y0[d], y1[d], y2[d], R == 4 ? y3[d] : 0.0 };
		__m512d wa, wb = _mm512_setzero_pd();

		wide_load(W + wrow[k], nv, full, lo, hi, &wa, &wb);
		wide_mac(&c, wa, wb, s, R, nv);
	}
	wide_store_rows(dX, dxs, &c, R, m, nv, full, lo, hi);
}

WIDE_TARGET WIDE_INLINE void
bx_rows(double *restrict dX, size_t dxs, const double *restrict dY, size_t ys,
    const double *restrict W, const int *restrict wrow, const int *restrict dyoff, int n,
    int K, const int nv, const int full, __mmask8 lo, __mmask8 hi)
{
	int t;

	for (t = 0; t + 4 <= n; t += 4)
		bx_block(dX + (size_t)t * dxs, dxs, dY + (size_t)t * ys, ys, W, wrow, dyoff, K, 4, 4,
		    nv, full, lo, hi);
	if (t < n)
		bx_block(dX + (size_t)t * dxs, dxs, dY + (size_t)t * ys, ys, W, wrow, dyoff, K, 3,
		    n - t, nv, full, lo, hi);
}

WIDE_TARGET void
kernel_wide_backward_x(double *restrict dX, size_t dxs, const double *restrict dY, size_t ys,
    const double *restrict W, const int *restrict wrow, const int *restrict dyoff, int n, int K,
    int in)
{
#define BX(j, nv, full, lo, hi) \
	bx_rows(dX + (j), dxs, dY, ys, W + (j), wrow, dyoff, n, K, nv, full, lo, hi)
	WIDE_BY_16(in, BX);
#undef BX
}

#else
/* ISO C forbids an empty translation unit */
typedef int kernels_wide_unused;
#endif
