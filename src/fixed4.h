/* SPDX-License-Identifier: MIT */
/* fixed4.h - printf's "%.4f" without printf: train prints a loss a step. */
#ifndef MGPT_FIXED4_H
#define MGPT_FIXED4_H

#include <stddef.h>

/* Writes x as printf("%.4f", x) would (glibc, round to nearest: the exact
 * binary value rounded half to even, "-" for any negative x, -0 too) into
 * buf, NUL-terminated, and returns its length. buf holds at least
 * FIXED4_MAX bytes. Values of 10^15 and more, infinities and NaN go to
 * snprintf itself. */
#define FIXED4_MAX 320   /* "%.4f" of -DBL_MAX: 315 characters */
size_t fixed4_format(char *buf, double x);

#endif
