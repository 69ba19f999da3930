/* SPDX-License-Identifier: MIT */
/* check.h - the few assertions the C tests share. A failed check prints
 * where and what, and the test goes on to report every failure. */
#ifndef MGPT_CHECK_H
#define MGPT_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond) do { if (!(cond)) { check_failures++; \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_NEAR(got, want, tol) do { double g_ = (got), w_ = (want); \
	if (!(fabs(g_ - w_) <= (tol))) { check_failures++; \
	fprintf(stderr, "%s:%d: %s = %.17g, want %.17g (diff %.3g, tol %.3g)\n", __FILE__, \
	    __LINE__, #got, g_, w_, fabs(g_ - w_), (double)(tol)); } } while (0)
#define CHECK_DONE() (check_failures ? (fprintf(stderr, "%d check(s) failed\n", check_failures), 1) : 0)

/* srcdir-relative path for test data (automake sets $srcdir). */
static inline const char *
check_path(const char *rel, char *buf, size_t n)
{
	const char *s = getenv("srcdir");

	snprintf(buf, n, "%s/%s", s ? s : ".", rel);
	return buf;
}

/* FNV-1a over the bytes of n doubles (little-endian bits, in order): how
 * tests/data keeps a reference run's losses, weights or gradients short.
 * Start from CHECK_FNV_START. */
#define CHECK_FNV_START 0xcbf29ce484222325u
static inline uint64_t
check_fnv_doubles(uint64_t h, const double *x, size_t n)
{
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		uint64_t bits;

		memcpy(&bits, &x[i], sizeof bits);
		for (b = 0; b < 8; b++) {
			h ^= (bits >> (8 * b)) & 0xff;
			h *= 0x100000001b3u;
		}
	}
	return h;
}

/* A whole file in memory (malloc'd, NUL-terminated); a test that cannot
 * read its data stops there. */
static inline char *
check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0) {
		perror(path);
		exit(1);
	}
	rewind(f);
	if (!(b = malloc((size_t)n + 1)) || fread(b, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

#endif
