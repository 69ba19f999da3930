/* bench_ui.c - time from a key to the redrawn frame, terminal excluded.
 *
 * The real screen (libui) on a curses terminal whose output is /dev/null:
 * each key is dispatched, the op recomputed or re-read from the trace, the
 * frame composed and written out by doupdate(), and only the terminal's own
 * rendering is left out. Cases: stepping through every op of the pass (s),
 * and a head switched off and on (a full recompute of the pass and of the
 * all-heads-on comparison), at 80x24 and 200x60. Peak RSS is the process's,
 * which holds the trained run as the real program does.
 *
 * Rows as bench/run.sh reads them, tab-separated:
 *     bench  case  seconds  work  unit  peak-RSS-KiB */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "debug_run.h"
#include "ui.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long
peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void
row(const char *name, double secs, long work, const char *unit)
{
	printf("ui\t%s\t%.6f\t%ld\t%s\t%ld\n", name, secs, work, unit, peak_rss_kib());
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* n keys, each timed alone; returns the total and the 99th percentile
 * (the worst single frame on a shared machine is mostly the scheduler). */
static double
keys(struct ui *u, const int *seq, int n, double *p99)
{
	static double t[8192];
	double total = 0, t0;
	int i;

	for (i = 0; i < n && i < 8192; i++) {
		t0 = now();
		ui_bench_key(u, seq[i]);
		t[i] = now() - t0;
		total += t[i];
	}
	qsort(t, (size_t)i, sizeof t[0], cmp_double);
	*p99 = t[(int)(0.99 * (i - 1))];
	return total;
}

static void
bench_size(struct debug_run *run, const struct ui_opts *o, FILE *out, int cols, int lines)
{
	enum { PASSES = 20, N_OPS = 175, TOGGLES = 400 };
	static int seq[2 * N_OPS * PASSES];
	struct ui *u = ui_bench_open(run, o, out, cols, lines);
	double total, worst;
	char name[96];
	int i, n = 0, p;

	/* every op forwards, then every op back, PASSES times */
	for (p = 0; p < PASSES; p++) {
		for (i = 0; i < N_OPS - 1; i++)
			seq[n++] = 's';
		for (i = 0; i < N_OPS - 1; i++)
			seq[n++] = 'S';
	}
	total = keys(u, seq, n, &worst);
	snprintf(name, sizeof name, "step key to frame %dx%d (mean)", cols, lines);
	row(name, total, n, "frames");
	snprintf(name, sizeof name, "step key to frame %dx%d (p99)", cols, lines);
	row(name, worst, 1, "frames");

	/* on the probs op, the widest page, a head off and on again */
	ui_bench_key(u, 'G');
	for (i = 0; i < TOGGLES; i++)
		seq[i] = '3';   /* off, on, off, ... */
	total = keys(u, seq, TOGGLES, &worst);
	snprintf(name, sizeof name, "head toggle + recompute %dx%d (mean)", cols, lines);
	row(name, total, TOGGLES, "frames");
	snprintf(name, sizeof name, "head toggle + recompute %dx%d (p99)", cols, lines);
	row(name, worst, 1, "frames");
	ui_bench_close(u);
}

int
main(void)
{
	struct ui_opts o = { "emma", 0 };
	struct debug_run run;
	char err[512], dir[] = "/tmp/mgpt-bench-ui.XXXXXX", db[64];
	FILE *out;

	if (!getenv("TERM") || !getenv("TERM")[0])
		setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 0);
	out = fopen("/dev/null", "w");
	if (!out) {
		perror("bench_ui: /dev/null");
		return 1;
	}
	/* the default run, trained and logged into a scratch database */
	if (!mkdtemp(dir)) {
		perror("bench_ui: mkdtemp");
		return 1;
	}
	snprintf(db, sizeof db, "%s/runs.db", dir);
	if (debug_run_open(&run, db, NULL, -1, err, sizeof err) < 0
	    || debug_run_load(&run, NULL, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "bench_ui: %s\n", err);
		return 1;
	}
	bench_size(&run, &o, out, 80, 24);
	bench_size(&run, &o, out, 200, 60);
	debug_run_close(&run);
	fclose(out);
	unlink(db);
	rmdir(dir);
	return 0;
}
