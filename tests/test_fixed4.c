/* SPDX-License-Identifier: MIT */
/* test_fixed4.c - fixed4_format against snprintf("%.4f") bit pattern by
 * bit pattern: random doubles of every exponent that it formats itself,
 * the exact ties (k/2 10^-4 with a short binary expansion) both ways,
 * their neighbours, signs, zeros, subnormals and the values it hands to
 * snprintf. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fixed4.h"

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static long n_checked, n_bad;

static void
check_one(double x)
{
	char got[FIXED4_MAX], want[FIXED4_MAX];
	size_t len = fixed4_format(got, x);

	snprintf(want, sizeof want, "%.4f", x);
	n_checked++;
	if ((strcmp(got, want) || len != strlen(want)) && n_bad++ < 5)
		fprintf(stderr, "fixed4_format(%a) = \"%s\", printf says \"%s\"\n", x, got, want);
}

int
main(void)
{
	static const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 2.03125, 0.00005, 0.00015,
	    0.99995, 9.99995, 1e-300, 0x1p-1074, -0x1p-1074, 0x1p-1022, 999999999999999.9,
	    1e15, -1e15, 1e300, INFINITY, -INFINITY, NAN, 3.4430, 2.4673, 1.9780 };
	uint64_t s = 0x9e3779b97f4a7c15u;
	size_t i;
	long k;

	for (i = 0; i < sizeof special / sizeof special[0]; i++)
		check_one(special[i]);
	/* every bit pattern's kind: exponents from subnormal to 2^60 */
	for (k = 0; k < 3000000; k++) {
		uint64_t b = xorshift(&s);
		double x;

		b = (b & 0x800fffffffffffffu) | (uint64_t)(xorshift(&s) % 1084) << 52;
		memcpy(&x, &b, sizeof x);
		check_one(x);
	}
	/* losses as train prints them: 0 to 10 */
	for (k = 0; k < 1000000; k++)
		check_one((double)(xorshift(&s) >> 11) * 0x1p-53 * 10.0);
	/* ties: j/20000 exact in binary when j/20000 = m / 2^p, i.e. the
	 * multiples of 1/2^p that end in 5 at the fifth decimal (j odd,
	 * 20000 = 2^5 5^4: x = j 5^-4 2^-5 needs 5^4 | j): x = (2i+1) / 32
	 * and friends, and their neighbours, both signs */
	for (k = 0; k < 200000; k++) {
		double x = (double)(2 * k + 1) / 32.0, y = x;

		check_one(x);
		check_one(-x);
		check_one(nextafter(x, 0.0));
		check_one(nextafter(x, 1e300));
		y = (double)(2 * k + 1) / 64.0;
		check_one(y);
		check_one(-y);
	}
	printf("fixed4_format: %ld values, %ld differ from printf\n", n_checked, n_bad);
	CHECK(n_bad == 0);
	return CHECK_DONE();
}
