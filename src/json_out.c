/* SPDX-License-Identifier: MIT */
/* json_out.c - see json_out.h. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dataset.h"   /* utf8_get */
#include "json_out.h"

void
json_put_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, "%.17g", x);
	else
		fputs("null", f);
}

void
json_put_nums(FILE *f, const double *v, int n)
{
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_put_num(f, v[i]);
	}
	fputc(']', f);
}

/* Valid UTF-8 whatever the text holds: controls (C0, DEL, C1) as \u00HH,
 * a byte that is not UTF-8 as U+FFFD. */
void
json_put_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	uint32_t c;
	int w;

	fputc('"', f);
	while (len) {
		w = utf8_get(p, len, &c);
		if (w == 0) {
			fputs("\\ufffd", f);
			w = 1;
		} else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", (int)c);
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			fprintf(f, "\\u%04x", (unsigned)c);
		else
			fwrite(p, 1, (size_t)w, f);
		p += w;
		len -= (size_t)w;
	}
	fputc('"', f);
}
