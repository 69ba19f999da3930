/* SPDX-License-Identifier: MIT */
/* kernels_wide.h - the AVX-512 linear kernels (kernels_wide.c), called by
 * kernels.c's kernel_linear_* when kernel_wide_ok(): the same sums as
 * those (kernels.h), term for term. Internal to the kernels. */
#ifndef MGPT_KERNELS_WIDE_H
#define MGPT_KERNELS_WIDE_H

#include <stddef.h>

/* Built where the compiler takes target attributes (KERNEL_WIDE defined;
 * not with --disable-dispatch). kernel_wide_ok(): 1 when the CPU runs
 * them (AVX-512F), else 0, and then they must not be called. */
#if defined(HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
#define KERNEL_WIDE 1
/* (here, not in the .c file: tools/calls.sh takes a line that starts with
 * __attribute__ in kernels.c for a function defined there) */
#define WIDE_TARGET __attribute__((target("avx512f")))
#define WIDE_INLINE static inline __attribute__((always_inline))
int  kernel_wide_ok(void);
void kernel_wide_forward(double *Y, size_t ys, const double *Wt, const double *X, size_t xs,
                         int n, int out, int in);
void kernel_wide_backward_w(double *gWt, const double *X, size_t xs, const double *dY,
                            size_t ys, int n, int out, int in);
void kernel_wide_backward_x(double *dX, size_t dxs, const double *dY, size_t ys,
                            const double *W, const int *wrow, const int *dyoff, int n, int K,
                            int in);
#endif

#endif
