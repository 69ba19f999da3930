/* SPDX-License-Identifier: MIT */
/* json_out.h - the one JSON writer of the command line (trace, export).
 *
 * Numbers are written with 17 significant digits (they read back to the
 * same double). JSON has no literal for NaN or the infinities: both are
 * written as null (what JSON.stringify and most readers expect); export's
 * CSV keeps nan / inf / -inf for the kind and sign. Strings come out as
 * valid UTF-8: '"' and '\' escaped, the controls (C0, DEL, C1) as \u00HH,
 * a byte that is not UTF-8 as U+FFFD. */
#ifndef MGPT_JSON_OUT_H
#define MGPT_JSON_OUT_H

#include <stdio.h>

void json_put_num(FILE *f, double x);
/* n numbers as one array: [a,b,...] */
void json_put_nums(FILE *f, const double *v, int n);
void json_put_str(FILE *f, const char *s);

#endif
