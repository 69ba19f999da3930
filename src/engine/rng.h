/* SPDX-License-Identifier: MIT */
/* rng.h - CPython's `random` module, bit for bit.
 *
 * MT19937 seeded as random.seed(n) seeds it for a non-negative integer n,
 * and the derived draws the reference algorithm uses. Every function here
 * returns exactly what the same call on a `random.Random(n)` returns in
 * CPython 3.x, given the same sequence of earlier calls. */
#ifndef MGPT_RNG_H
#define MGPT_RNG_H

#include <stddef.h>
#include <stdint.h>

#define RNG_N 624

struct rng {
	uint32_t mt[RNG_N];  /* Mersenne Twister state */
	int      mti;        /* next index into mt; RNG_N+1 = not seeded */
	int      has_gauss;  /* a second Box-Muller value is waiting */
	double   gauss_next; /* ...and this is it (CPython's gauss_next) */
};

/* random.seed(n) for an integer 0 <= n < 2^64 (init_by_array over its
 * little-endian 32-bit words; one zero word for n == 0). */
void     rng_seed(struct rng *r, uint64_t seed);
uint32_t rng_u32(struct rng *r);                       /* genrand_uint32 */
double   rng_random(struct rng *r);                    /* random() in [0,1) */
uint64_t rng_getrandbits(struct rng *r, int k);        /* 0 <= k <= 64 */
uint64_t rng_randbelow(struct rng *r, uint64_t n);     /* _randbelow, n >= 1 */
/* shuffle(x) for an array of n elements of `size` bytes. */
void     rng_shuffle(struct rng *r, void *base, size_t n, size_t size);
double   rng_gauss(struct rng *r, double mu, double sigma);
/* choices(range(n), weights=w)[0]; *u (may be NULL) receives random()*total,
 * the point the draw landed on, for display. Returns n-1 at most. */
size_t   rng_choice(struct rng *r, const double *w, size_t n, double *u);

#endif
