/* kernels.h - the engine's hot loops (internal to the engine).
 *
 * The order in which each kernel adds its terms is part of the figures: the
 * forward pass must add them as the reference does, and the backward pass
 * and Adam must never change, or training, snapshots and replay would drift
 * in the last bits. So the order is fixed here, the same at every vector
 * width. Linear weights are stored transposed, Wt[i][o] (in x out).
 * Matrices of positions are strided: row t of X is X + t*xs, and so on. */
#ifndef MGPT_KERNELS_H
#define MGPT_KERNELS_H

#include <stddef.h>

/* Y[t][o] = sum_i W[o][i] X[t][i] for t < n: each sum starts from 0.0 and
 * adds W[o][i] X[t][i] for i = 0, 1, ... in order, as the reference's
 * linear() does. */
void   kernel_linear_forward(double *Y, size_t ys, const double *Wt, const double *X,
                             size_t xs, int n, int out, int in);

/* The backward of Y = W X over t < n, in two halves:
 *
 *   gWt[i][o] = ((0.0 + X[0][i] dY[0][o]) + X[1][i] dY[1][o]) + ...
 *               (written, not accumulated into);
 *   dX[t][i] += (s0 + s1) + (s2 + s3), where s_k sums Wt[i][o] dY[t][o]
 *               over o = k (mod 4) in ascending o from 0.0, and the last
 *               out % 4 terms are added to s0 after the rest. */
void   kernel_linear_backward_w(double *gWt, const double *X, size_t xs, const double *dY,
                                size_t ys, int n, int out, int in);
void   kernel_linear_backward_x(double *dX, size_t dxs, const double *dY, size_t ys,
                                const double *Wt, int n, int out, int in);

/* The constants of one Adam step. */
struct kernel_adam_k {
	double b1, b2, c1, c2;   /* beta1, beta2, 1 - beta1, 1 - beta2 */
	double bc1, bc2;         /* 1 - beta^(step+1) */
	double lr_t, eps;
};

/* For each i < n, exactly:
 *     m = b1 m + c1 g;  v = b2 v + c2 (g g);  m_hat = m / bc1;  v_hat = v / bc2;
 *     p -= lr_t m_hat / (sqrt(v_hat) + eps)
 * (IEEE division and sqrt, correctly rounded at every vector width).
 * Returns sum g[i]^2 added in index order from 0.0, the squared gradient
 * norm, so that training reads the gradient once. */
double kernel_adam(double *p, const double *g, double *m, double *v, size_t n,
                   const struct kernel_adam_k *k);

#endif
