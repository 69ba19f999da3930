/* SPDX-License-Identifier: MIT */
/* rng.c - CPython's random module (Modules/_randommodule.c, Lib/random.py). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "rng.h"

#define MT_M 397
#define MATRIX_A 0x9908b0dfU
#define UPPER_MASK 0x80000000U
#define LOWER_MASK 0x7fffffffU

static void
init_genrand(struct rng *r, uint32_t s)
{
	uint32_t *mt = r->mt;
	int i;

	mt[0] = s;
	for (i = 1; i < RNG_N; i++)
		mt[i] = 1812433253U * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint32_t)i;
	r->mti = RNG_N;
}

static void
init_by_array(struct rng *r, const uint32_t *key, size_t len)
{
	uint32_t *mt = r->mt;
	size_t i = 1, j = 0, k;

	init_genrand(r, 19650218U);
	for (k = (RNG_N > len ? RNG_N : len); k; k--) {
		mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
		i++, j++;
		if (i >= RNG_N) { mt[0] = mt[RNG_N - 1]; i = 1; }
		if (j >= len) j = 0;
	}
	for (k = RNG_N - 1; k; k--) {
		mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
		i++;
		if (i >= RNG_N) { mt[0] = mt[RNG_N - 1]; i = 1; }
	}
	mt[0] = 0x80000000U; /* non-zero initial array */
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	uint32_t key[2];
	size_t len;

	key[0] = (uint32_t)seed;
	key[1] = (uint32_t)(seed >> 32);
	len = key[1] ? 2 : 1;
	init_by_array(r, key, len);
	r->has_gauss = 0;
	r->gauss_next = 0.0;
}

uint32_t
rng_u32(struct rng *r)
{
	static const uint32_t mag01[2] = { 0U, MATRIX_A };
	uint32_t *mt = r->mt;
	uint32_t y;
	int kk;

	if (r->mti >= RNG_N) {
		for (kk = 0; kk < RNG_N - MT_M; kk++) {
			y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
			mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ mag01[y & 1U];
		}
		for (; kk < RNG_N - 1; kk++) {
			y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
			mt[kk] = mt[kk + (MT_M - RNG_N)] ^ (y >> 1) ^ mag01[y & 1U];
		}
		y = (mt[RNG_N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
		mt[RNG_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1U];
		r->mti = 0;
	}
	y = mt[r->mti++];
	y ^= (y >> 11);
	y ^= (y << 7) & 0x9d2c5680U;
	y ^= (y << 15) & 0xefc60000U;
	y ^= (y >> 18);
	return y;
}

double
rng_random(struct rng *r)
{
	uint32_t a = rng_u32(r) >> 5, b = rng_u32(r) >> 6;
	return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

uint64_t
rng_getrandbits(struct rng *r, int k)
{
	uint64_t lo, hi;

	if (k <= 0)
		return 0;
	if (k <= 32)
		return rng_u32(r) >> (32 - k);
	/* Words are filled least significant first; the last one is cut. */
	lo = rng_u32(r);
	hi = rng_u32(r) >> (64 - k);
	return lo | (hi << 32);
}

uint64_t
rng_randbelow(struct rng *r, uint64_t n)
{
	int k = 0;
	uint64_t x;

	for (x = n; x; x >>= 1)
		k++; /* n.bit_length() */
	do
		x = rng_getrandbits(r, k);
	while (x >= n);
	return x;
}

void
rng_shuffle(struct rng *r, void *base, size_t n, size_t size)
{
	unsigned char *p = base, tmp[64];
	size_t i, j, off, c;

	for (i = n ? n - 1 : 0; i >= 1; i--) {
		j = (size_t)rng_randbelow(r, (uint64_t)i + 1);
		if (i == j)
			continue;
		for (off = 0; off < size; off += c) {
			c = size - off < sizeof tmp ? size - off : sizeof tmp;
			memcpy(tmp, p + i * size + off, c);
			memcpy(p + i * size + off, p + j * size + off, c);
			memcpy(p + j * size + off, tmp, c);
		}
	}
}

double
rng_gauss(struct rng *r, double mu, double sigma)
{
	double z, x2pi, g2rad;

	if (r->has_gauss) {
		z = r->gauss_next;
		r->has_gauss = 0;
	} else {
		x2pi = rng_random(r) * (2.0 * 3.141592653589793);
		g2rad = sqrt(-2.0 * log(1.0 - rng_random(r)));
		z = cos(x2pi) * g2rad;
		r->gauss_next = sin(x2pi) * g2rad;
		r->has_gauss = 1;
	}
	return mu + z * sigma;
}

size_t
rng_choice(struct rng *r, const double *w, size_t n, double *u)
{
	/* cum_weights = accumulate(w); bisect_right(cum, random()*total, 0, n-1).
	 * The running sum is recomputed during the search instead of stored:
	 * the same additions in the same order give the same doubles. */
	double total = 0.0, x, acc = 0.0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		total += w[i];
	x = rng_random(r) * total;
	if (u)
		*u = x;
	for (i = 0; i < n - 1; i++) {
		acc += w[i];
		if (x < acc)
			return i;
	}
	return n - 1;
}
