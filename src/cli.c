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

void
cli_bad_option(const char *cmd, char **argv, int c)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		cli_error("%s: option '%s' needs a value", cmd, arg);
	else if (optopt && optopt < 256 && !(arg[0] == '-' && arg[1] == '-'))
		cli_error("%s: unknown option '-%c'", cmd, optopt);
	else
		cli_error("%s: unknown option '%s'", cmd, arg);
}

int
cli_long(const char *flag, const char *arg, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || arg[0] == ' ') {
		cli_error("%s: '%s' is not a whole number", flag, arg);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		cli_error("%s: %s is out of range (%ld..%ld)", flag, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
cli_u64(const char *flag, const char *arg, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (arg[0] == '-' || arg[0] == '+' || arg[0] == ' ' || arg[0] == '\0') {
		cli_error("%s: '%s' is not a non-negative whole number", flag, arg);
		return -1;
	}
	v = strtoull(arg, &end, 10);
	if (*end != '\0') {
		cli_error("%s: '%s' is not a non-negative whole number", flag, arg);
		return -1;
	}
	if (errno == ERANGE) {
		cli_error("%s: %s is out of range (0..%llu)", flag, arg, (unsigned long long)UINT64_MAX);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

int
cli_double(const char *flag, const char *arg, double min_excl, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || !isfinite(v)) {
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
cli_read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t cap = 65536, n = 0;
	ssize_t r;
	char *b;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_error("%s: is a directory", path);
		close(fd);
		return -1;
	}
	b = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			b = xrealloc(b, cap *= 2);
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cli_error("%s: %s", path, strerror(errno));
			free(b);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int
cli_load_dataset(const char *path, struct dataset *ds)
{
	char err[DATASET_ERRLEN], *buf;
	size_t len;
	int rc;

	if (!path) {
		/* parsed at build time (tools/gen_names.c) */
		dataset_from_table(ds, &bundled_names_table);
		return 0;
	} else {
		if (cli_read_file(path, &buf, &len) < 0)
			return -1;
		rc = dataset_parse(ds, buf, len, err, sizeof err);
		free(buf);
	}
	if (rc < 0) {
		cli_error("%s: %s", path ? path : "bundled names", err);
		return -1;
	}
	return 0;
}
