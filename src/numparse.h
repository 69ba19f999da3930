/* SPDX-License-Identifier: MIT */
/* numparse.h - the one parser of the numbers a user types, on the command
 * line (cli.c) and in the screen's prompts and forms: digits only, after a
 * sign where one is allowed; no space, tab, '+' on an unsigned number, base
 * prefix, inf or nan, which strtol and strtod would take. Status values,
 * no messages: each caller words its own. */
#ifndef MGPT_NUMPARSE_H
#define MGPT_NUMPARSE_H

#include <stdint.h>

enum num_status {
	NUM_OK = 0,
	NUM_SYNTAX = -1,   /* not a number of that kind */
	NUM_RANGE = -2,    /* a number, outside min..max (or the type) */
};

/* A whole number in min..max; a leading '-' or '+' only when min < 0. */
int num_parse_long(const char *s, long min, long max, long *out);
/* A whole number 0..2^64-1: digits only. */
int num_parse_u64(const char *s, uint64_t *out);
/* A finite decimal number: [+-] digits [. digits] [e [+-] digits], with a
 * digit on at least one side of the point. */
int num_parse_double(const char *s, double *out);

#endif
