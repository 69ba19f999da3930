/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dataset.h"
#include "numparse.h"
#include "run_data.h"
#include "xmalloc.h"

const char *cli_prog = "mgpt-tui";
int cli_parse_only;

int
cli_help(const char *text)
{
	if (!cli_parse_only)
		fputs(text, stdout);
	return 0;
}

/* Messages quote what the user typed and what files hold (a name, a path,
 * an argument); a newline or an escape sequence in those must not break
 * the one line or reach the terminal. Control characters (C0, DEL and C1
 * in UTF-8) are written as \n, \t, \r, \xHH or \u00HH. */
static void
put_one_line(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p == '\t')
			fputs("\\t", stderr);
		else if (*p == '\r')
			fputs("\\r", stderr);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
			fprintf(stderr, "\\u%04x", *++p);
		else
			fputc(*p, stderr);
	}
}

void
cli_error(const char *fmt, ...)
{
	char small[512], *msg = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		small[0] = '\0';
	else if ((size_t)n >= sizeof small) {
		msg = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "%s: ", cli_prog);
	put_one_line(msg);
	fputc('\n', stderr);
	if (msg != small)
		free(msg);
}

/* Edit distance between a and b (at most 64 bytes each; longer: far). */
static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int d[65][65];

	if (la > 64 || lb > 64)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			/* a swap of two neighbours counts as one edit */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
			    && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

const struct cli_command *cli_commands;

int
cli_is_near(const char *typed, const char *word)
{
	return edit_distance(typed, word) <= (strlen(typed) < 5 ? 1 : 2);
}

/* The long option of opts nearest to typed (without its dashes and any
 * "=value"), or NULL when none is within two edits; *dist is its distance. */
static const char *
nearest_option(const char *typed, const struct option *opts, int *dist)
{
	const char *best = NULL;
	char word[65];
	size_t n = strcspn(typed, "=");
	int d;

	*dist = 99;
	if (n > 64)
		return NULL;
	memcpy(word, typed, n);
	word[n] = '\0';
	for (; opts && opts->name; opts++) {
		d = edit_distance(word, opts->name);
		if (d < *dist && d <= (strlen(word) < 5 ? 1 : 2)) {
			*dist = d;
			best = opts->name;
		}
	}
	return best;
}

void
cli_bad_option(const char *cmd, char **argv, int c, const struct option *opts)
{
	const char *arg = argv[optind - 1], *best = NULL, *in = cmd;
	char where[32] = "", hint[160] = "";
	int d, d2, i;

	if (cmd)
		snprintf(where, sizeof where, "%s: ", cmd);
	if (c == ':') {
		cli_error("%soption '%s' needs a value", where, arg);
		return;
	}
	if (optopt && optopt < 256 && !(arg[0] == '-' && arg[1] == '-')) {
		cli_error("%sunknown option '-%c'", where, optopt);
		return;
	}
	if (arg[0] == '-' && arg[1] == '-') {
		best = nearest_option(arg + 2, opts, &d);
		/* typed with no command: any command's option may be meant */
		for (i = 0; !cmd && cli_commands && cli_commands[i].name; i++) {
			const char *b = nearest_option(arg + 2, cli_commands[i].opts, &d2);

			if (b && d2 < d) {
				best = b;
				d = d2;
				in = cli_commands[i].name;
			}
		}
	}
	if (best)
		snprintf(hint, sizeof hint, " (did you mean '%s%s--%s'?)", in && in != cmd ? in : "",
		    in && in != cmd ? " " : "", best);
	else
		snprintf(hint, sizeof hint, " (try 'mgpt-tui %s%s--help')", cmd ? cmd : "", cmd ? " " : "");
	cli_error("%sunknown option '%s'%s", where, arg, hint);
}

int
cli_long(const char *flag, const char *arg, long min, long max, long *out)
{
	switch (num_parse_long(arg, min, max, out)) {
	case NUM_OK:
		return 0;
	case NUM_RANGE:
		cli_error("%s: %s is out of range (%ld..%ld)", flag, arg, min, max);
		return -1;
	default:
		cli_error("%s: '%s' is not a whole number", flag, arg);
		return -1;
	}
}

int
cli_u64(const char *flag, const char *arg, uint64_t *out)
{
	switch (num_parse_u64(arg, out)) {
	case NUM_OK:
		return 0;
	case NUM_RANGE:
		cli_error("%s: %s is out of range (0..%llu)", flag, arg, (unsigned long long)UINT64_MAX);
		return -1;
	default:
		cli_error("%s: '%s' is not a non-negative whole number", flag, arg);
		return -1;
	}
}

int
cli_double(const char *flag, const char *arg, double min_excl, double max, double *out)
{
	double v;

	if (num_parse_double(arg, &v) != NUM_OK) {
		cli_error("%s: '%s' is not a number", flag, arg);
		return -1;
	}
	if (!(v > min_excl) || v > max) {
		cli_error("%s: %s is out of range (above %g, at most %g)", flag, arg, min_excl, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
cli_temperature(const char *flag, const char *arg, double *out)
{
	if (cli_double(flag, arg, 0.0, CLI_TEMPERATURE_MAX, out) < 0)
		return -1;
	if (*out < CLI_TEMPERATURE_MIN) {
		cli_error("%s: %s is below the smallest temperature, %g (logits/T would overflow)",
		    flag, arg, CLI_TEMPERATURE_MIN);
		return -1;
	}
	return 0;
}

int
cli_read_file(const char *path, char **buf, size_t *len)
{
	char err[DATASET_ERRLEN + 4096];

	if (run_data_read_file(path, 1, buf, len, err, sizeof err) < 0) {
		cli_error("%s", err);
		return -1;
	}
	return 0;
}

int
cli_load_dataset(const char *path, struct dataset *ds)
{
	char err[DATASET_ERRLEN + 4096];

	if (path && !*path) {
		cli_error("--data: empty path (leave --data out for the bundled names)");
		return -1;
	}
	if (run_data_load(path, 1, ds, err, sizeof err) < 0) {
		cli_error("%s", err);
		return -1;
	}
	return 0;
}

/* Append to out (n bytes, NUL-terminated) what s holds, for a terminal
 * or a text file: printable UTF-8 as itself; control characters (C0, DEL,
 * C1) and bytes that are not UTF-8 as \xHH (a C1 control as \u00HH). */
void
cli_text_escape(char *out, size_t n, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), o = 0;
	uint32_t c;
	int w;

	if (!n)
		return;
	while (*p && o + 1 < n) {
		w = utf8_get(p, len, &c);
		if (w == 0 || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
			char e[16];   /* room for any uint32_t: no format-truncation warning */

			if (w == 0 || c < 0x80)
				snprintf(e, sizeof e, "\\x%02x", *p);
			else
				snprintf(e, sizeof e, "\\u%04x", (unsigned)c);
			if (o + strlen(e) >= n)
				break;
			memcpy(out + o, e, strlen(e));
			o += strlen(e);
			w = w ? w : 1;
		} else {
			if (o + (size_t)w >= n)
				break;
			memcpy(out + o, p, (size_t)w);
			o += (size_t)w;
		}
		p += w;
		len -= (size_t)w;
	}
	out[o] = '\0';
}

int
cli_close_stdout(int rc)
{
	int bad, err;

	errno = 0;
	bad = fflush(stdout) != 0 || ferror(stdout);
	err = errno;

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (bad && rc == 0) {
		/* the command said nothing about it: say it here */
		cli_error("standard output: %s", err ? strerror(err) : "write error");
		return 1;
	}
	return rc;
}
