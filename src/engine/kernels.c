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
 * The kernels are also built for AVX2 and AVX-512 and the loader picks the
 * best the CPU has. That changes no bit: a kernel vectorises across
 * independent outputs only, every output adds its terms in the same order
 * at every vector width, and -ffp-contract=off keeps a*b+c two roundings.
 * Blocked sums are named arrays (a0..a3, s0..s3), not acc[4][8]: compilers
 * keep those in registers but spill a two-level array to the stack. */
#include "config.h"

#include <math.h>
#include <stddef.h>

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

/* Four rows of gWt at once share each load of dY. */
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

			for (t = 0; t < n; t++) {
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

			for (t = 0; t < n; t++) {
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

			for (t = 0; t < n; t++)
				acc += X[(size_t)t * xs + i] * dY[(size_t)t * ys + o];
			gWt[(size_t)i * out + o] = acc;
		}
}

/* Four rows at once: four independent chains share each load of dY. */
KERNEL static void
linear_backward_x_impl(double *restrict dX, size_t dxs, const double *restrict dY,
    size_t ys, const double *restrict Wt, int n, int out, int in)
{
	const int o4 = out & ~3;
	int i, k, o, t;

	for (t = 0; t < n; t++) {
		const double *dy = dY + (size_t)t * ys;
		double *dx = dX + (size_t)t * dxs;

		for (i = 0; i + 4 <= in; i += 4) {
			const double *w0 = Wt + (size_t)i * out, *w1 = w0 + out;
			const double *w2 = w1 + out, *w3 = w2 + out;
			double s0[4] = { 0.0, 0.0, 0.0, 0.0 }, s1[4] = { 0.0, 0.0, 0.0, 0.0 };
			double s2[4] = { 0.0, 0.0, 0.0, 0.0 }, s3[4] = { 0.0, 0.0, 0.0, 0.0 };

			for (o = 0; o < o4; o += 4)
				for (k = 0; k < 4; k++) {
					s0[k] += w0[o + k] * dy[o + k];
					s1[k] += w1[o + k] * dy[o + k];
					s2[k] += w2[o + k] * dy[o + k];
					s3[k] += w3[o + k] * dy[o + k];
				}
			for (; o < out; o++) {
				s0[0] += w0[o] * dy[o];
				s1[0] += w1[o] * dy[o];
				s2[0] += w2[o] * dy[o];
				s3[0] += w3[o] * dy[o];
			}
			dx[i] += (s0[0] + s0[1]) + (s0[2] + s0[3]);
			dx[i + 1] += (s1[0] + s1[1]) + (s1[2] + s1[3]);
			dx[i + 2] += (s2[0] + s2[1]) + (s2[2] + s2[3]);
			dx[i + 3] += (s3[0] + s3[1]) + (s3[2] + s3[3]);
		}
		for (; i < in; i++) {
			const double *w = Wt + (size_t)i * out;
			double s[4] = { 0.0, 0.0, 0.0, 0.0 };

			for (o = 0; o < o4; o += 4)
				for (k = 0; k < 4; k++)
					s[k] += w[o + k] * dy[o + k];
			for (; o < out; o++)
				s[0] += w[o] * dy[o];
			dx[i] += (s[0] + s[1]) + (s[2] + s[3]);
		}
	}
}

/* Eight parameters at a time: their squares join the sequential sum, then
 * their updates run as one vector, each exactly the scalar formula. */
KERNEL static double
adam_impl(double *restrict p, const double *restrict g, double *restrict mm,
    double *restrict vv, size_t n, const struct kernel_adam_k *k)
{
	const double b1 = k->b1, b2 = k->b2, c1 = k->c1, c2 = k->c2;
	const double bc1 = k->bc1, bc2 = k->bc2, lr_t = k->lr_t, eps = k->eps;
	double ss = 0.0;
	size_t i = 0, j;

	for (; i + 8 <= n; i += 8) {
		for (j = i; j < i + 8; j++)
			ss += g[j] * g[j];
		for (j = i; j < i + 8; j++) {
			double gj = g[j], m_hat, v_hat;

			mm[j] = b1 * mm[j] + c1 * gj;
			vv[j] = b2 * vv[j] + c2 * (gj * gj);
			m_hat = mm[j] / bc1;
			v_hat = vv[j] / bc2;
			p[j] -= lr_t * m_hat / (sqrt(v_hat) + eps);
		}
	}
	for (; i < n; i++) {
		double gi = g[i], m_hat, v_hat;

		ss += gi * gi;
		mm[i] = b1 * mm[i] + c1 * gi;
		vv[i] = b2 * vv[i] + c2 * (gi * gi);
		m_hat = mm[i] / bc1;
		v_hat = vv[i] / bc2;
		p[i] -= lr_t * m_hat / (sqrt(v_hat) + eps);
	}
	return ss;
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
kernel_linear_backward_x(double *dX, size_t dxs, const double *dY, size_t ys, const double *Wt,
    int n, int out, int in)
{
	linear_backward_x_impl(dX, dxs, dY, ys, Wt, n, out, in);
}

double
kernel_adam(double *p, const double *g, double *m, double *v, size_t n,
    const struct kernel_adam_k *k)
{
	return adam_impl(p, g, m, v, n, k);
}
