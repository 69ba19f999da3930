/* SPDX-License-Identifier: MIT */
/* paths.h - one length for every file path the program keeps (the run
 * database, --data). A path that does not fit is refused, never cut: a cut
 * path names another file. */
#ifndef MGPT_PATHS_H
#define MGPT_PATHS_H

#include <stdio.h>
#include <string.h>

#define MGPT_PATH_MAX 4096   /* bytes, the terminating NUL included (Linux's PATH_MAX) */

/* Copy src into dst[MGPT_PATH_MAX]; -1 when it does not fit (dst is then ""). */
static inline int
path_copy(char dst[MGPT_PATH_MAX], const char *src)
{
	size_t n = strlen(src);

	if (n >= MGPT_PATH_MAX) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

#endif
