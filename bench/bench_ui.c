/* SPDX-License-Identifier: MIT */
/* bench_ui.c - time from a key to the redrawn frame, terminal excluded
 * (issue 4's "Speed": at most 2 ms at 80x24 and at 200x60, a head toggle
 * with its full recompute included; the screen's peak RSS at most 20 MB).
 *
 * The real screen (libui) on a curses terminal whose output is /dev/null:
 * each key is dispatched, the op recomputed or re-read from the trace, the
 * frame composed and written out by doupdate(), and only the terminal's own
 * rendering is left out. Cases: stepping through every op of the pass (s),
 * and a head switched off and on (a full recompute of the pass and of the
 * all-heads-on comparison), at 80x24 and 200x60; the mean and the 99th
 * percentile of the single keys (the worst single frame on a shared machine
 * is mostly the scheduler). Each key is timed in CPU time (getrusage) and
 * by the wall clock; the goal is judged on CPU time. Peak RSS is the
 * process's, which trains and holds the default run as the real program's
 * first start does. Inside a training step (issue 13: a key in the
 * backward at most 2 ms): the screen opened on the default run's last
 * step (ui_opts.train_step), G to its last op, then S and s over the
 * backward and the tensors' ops, each page read from the step's records.
 * Rows as bench/bench.h describes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "debug_run.h"
#include "ui.h"

/* n keys, each timed alone: the mean and the 99th percentile, in ms, by
 * CPU time ([0]) and by the wall clock ([1]). */
static void
keys(struct ui *u, const int *seq, int n, double mean[2], double p99[2])
{
	static double cpu[8192], wall[8192];
	double total_cpu = 0, total_wall = 0;
	struct bench_time t0, d;
	int i;

	for (i = 0; i < n && i < 8192; i++) {
		t0 = bench_time_now();
		ui_bench_key(u, seq[i]);
		d = bench_span(t0);
		cpu[i] = d.cpu;
		wall[i] = d.wall;
		total_cpu += d.cpu;
		total_wall += d.wall;
	}
	mean[0] = total_cpu / i * 1e3;
	mean[1] = total_wall / i * 1e3;
	p99[0] = bench_percentile(cpu, i, 99) * 1e3;
	p99[1] = bench_percentile(wall, i, 99) * 1e3;
}

static void
bench_size(struct debug_run *run, const struct ui_opts *o, FILE *out, int cols, int lines)
{
	enum { PASSES = 20, N_OPS = 175, TOGGLES = 400 };
	static int seq[2 * N_OPS * PASSES];
	struct ui *u = ui_bench_open(run, o, out, cols, lines);
	double mean[2], p99[2];
	char name[96];
	int i, n = 0, p;

	/* every op forwards, then every op back, PASSES times */
	for (p = 0; p < PASSES; p++) {
		for (i = 0; i < N_OPS - 1; i++)
			seq[n++] = 's';
		for (i = 0; i < N_OPS - 1; i++)
			seq[n++] = 'S';
	}
	keys(u, seq, n, mean, p99);
	snprintf(name, sizeof name, "step key to frame %dx%d, mean", cols, lines);
	bench_row_t("ui", name, mean[0], mean[1], "ms", "<= 2", -1);
	snprintf(name, sizeof name, "  99th percentile of %d keys", n);
	bench_row_t("ui", name, p99[0], p99[1], "ms", "<= 2", -1);

	/* on the probs op, the widest page, a head off and on again */
	ui_bench_key(u, 'G');
	for (i = 0; i < TOGGLES; i++)
		seq[i] = '3';   /* off, on, off, ... */
	keys(u, seq, TOGGLES, mean, p99);
	snprintf(name, sizeof name, "head toggle + recompute %dx%d, mean", cols, lines);
	bench_row_t("ui", name, mean[0], mean[1], "ms", "<= 2", -1);
	snprintf(name, sizeof name, "  99th percentile of %d toggles", TOGGLES);
	bench_row_t("ui", name, p99[0], p99[1], "ms", "<= 2", -1);
	ui_bench_close(u);
}

/* keys in a training step's backward and update */
static void
bench_train_step(struct debug_run *run, FILE *out, int cols, int lines)
{
	enum { PASSES = 10, SPAN = 150 };
	static int seq[2 * SPAN * PASSES];
	struct ui_opts o = { "emma", 0, NULL, 0 };
	struct ui *u;
	double mean[2], p99[2];
	char name[96];
	int i, n = 0, p;

	o.train_step = run->steps_done;
	u = ui_bench_open(run, &o, out, cols, lines);
	ui_bench_key(u, 'G');
	for (p = 0; p < PASSES; p++) {
		for (i = 0; i < SPAN; i++)
			seq[n++] = 'S';
		for (i = 0; i < SPAN; i++)
			seq[n++] = 's';
	}
	keys(u, seq, n, mean, p99);
	snprintf(name, sizeof name, "training step: backward key to frame %dx%d, mean", cols, lines);
	bench_row_t("ui", name, mean[0], mean[1], "ms", "<= 2", -1);
	snprintf(name, sizeof name, "  99th percentile of %d keys", n);
	bench_row_t("ui", name, p99[0], p99[1], "ms", "<= 2", -1);
	ui_bench_close(u);
}

int
main(void)
{
	struct ui_opts o = { "emma", 0, NULL, 0 };
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
	bench_train_step(&run, out, 80, 24);
	bench_train_step(&run, out, 200, 60);
	bench_row("ui", "peak RSS of the screen (this process)", bench_kib_mb(bench_rss_self()), "MB",
	    "<= 20", -1);
	debug_run_close(&run);
	fclose(out);
	unlink(db);
	rmdir(dir);
	return 0;
}
