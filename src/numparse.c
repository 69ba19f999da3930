/* SPDX-License-Identifier: MIT */
/* numparse.c - numbers as the user types them (numparse.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "numparse.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits only, after a '-' or '+' when sign is set. */
static int
is_whole_number(const char *s, int sign)
{
	if (sign && (*s == '-' || *s == '+'))
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!is_digit(*s))
			return 0;
	return 1;
}

static int
is_decimal(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; is_digit(*s); s++)
		digits++;
	if (*s == '.')
		for (s++; is_digit(*s); s++)
			digits++;
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

int
num_parse_long(const char *s, long min, long max, long *out)
{
	long v;

	if (!is_whole_number(s, min < 0))
		return NUM_SYNTAX;
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max)
		return NUM_RANGE;
	*out = v;
	return NUM_OK;
}

int
num_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;

	if (!is_whole_number(s, 0))
		return NUM_SYNTAX;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno == ERANGE || v > UINT64_MAX)
		return NUM_RANGE;
	*out = (uint64_t)v;
	return NUM_OK;
}

int
num_parse_double(const char *s, double *out)
{
	double v;

	if (!is_decimal(s))
		return NUM_SYNTAX;
	v = strtod(s, NULL);
	if (!isfinite(v))
		return NUM_RANGE;
	*out = v;
	return NUM_OK;
}
