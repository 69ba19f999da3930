/* SPDX-License-Identifier: MIT */
/* replay.c - a libFuzzer harness without libFuzzer: each file named (or
 * each file in each folder named) is one input, run once. make check
 * replays the seed corpora and every input that once crashed
 * (tests/fuzz/regress/NAME/) this way, in any build; a crash or a broken
 * promise aborts, and the test fails naming the file. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap)
			buf = realloc(buf, cap = cap ? 2 * cap : 65536);
		if (!buf)
			abort();
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	struct dirent *e;
	char p[4096];
	int i, count = 0, bad = 0;
	DIR *d;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) < 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			bad |= replay_file(argv[i]) < 0;
			count++;
			continue;
		}
		if (!(d = opendir(argv[i]))) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
			bad |= replay_file(p) < 0;
			count++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", count);
	return bad;
}
