/* SPDX-License-Identifier: MIT */
/* run_data.c - reading the training text without printing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_data.h"
#include "xmalloc.h"

#define READ_CHUNK 65536   /* first buffer; doubled as the file grows */

int
run_data_read_file(const char *path, int allow_pipe, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	size_t cap = READ_CHUNK, n = 0;
	ssize_t r;
	char *b;
	int fd;

	/* A FIFO nobody writes to would block open(); O_NONBLOCK opens it at
	 * once, and reads then wait for data as usual (the flag is cleared). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	/* a device (/dev/zero, a terminal) or a socket may never end; a pipe
	 * nobody writes to would block the screen */
	if (!S_ISREG(st.st_mode) && !(allow_pipe && S_ISFIFO(st.st_mode))) {
		snprintf(err, errlen, allow_pipe ? "%s: not a regular file or a pipe"
		    : "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)DATASET_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than the limit of %d MiB", path, DATASET_MAX_BYTES >> 20);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	b = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			b = xrealloc(b, cap *= 2);
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(b);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* a pipe (or a file still growing) is read up to the limit */
		if (n > DATASET_MAX_BYTES) {
			snprintf(err, errlen, "%s: larger than the limit of %d MiB", path,
			    DATASET_MAX_BYTES >> 20);
			free(b);
			close(fd);
			return -1;
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int
run_data_load(const char *path, int allow_pipe, struct dataset *ds, char *err, size_t errlen)
{
	char why[DATASET_ERRLEN], *buf;
	size_t len;
	int rc;

	if (!path) {
		/* parsed at build time (tools/gen_names.c) */
		dataset_from_table(ds, &bundled_names_table);
		return 0;
	}
	if (run_data_read_file(path, allow_pipe, &buf, &len, err, errlen) < 0)
		return -1;
	rc = dataset_parse(ds, buf, len, why, sizeof why);
	free(buf);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	return rc;
}
