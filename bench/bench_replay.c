/* SPDX-License-Identifier: MIT */
/* bench_replay.c - scrubbing a saved run (issue 5's "Speed"): a 10,000-step
 * default run is trained and logged into a fresh database, then the run
 * view's work for each new step is timed: the exact weights from the
 * nearest snapshot (store_seek), the probe's forward pass, its head
 * statistics and the names sampled at that step (replay_goto) and, with
 * the screen, the redraw into a terminal on /dev/null at 80x24 and 200x60.
 * Goal: at most 10 ms a step. Also the per-head statistics of every step,
 * computed once and cached, and the cache read back.
 *
 * Times are CPU time (getrusage: user + system of the whole process, the
 * logging thread's included), the wall clock beside; the worst single step
 * is by CPU time too. Rows as bench/bench.h describes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "train_run.h"
#include "bench.h"
#include "replay_run.h"
#include "store.h"
#include "store_view.h"
#include "ui.h"
#include "ui_replay.h"

#define STEPS 10000

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "bench_replay: %s: %s\n", what, err);
	exit(1);
}

/* A figure: for a walk of steps, the mean time a step (the goal) and the
 * worst single step; otherwise the whole time. */
static void
row(const char *what, struct bench_time d, long work, const char *unit, struct bench_time worst)
{
	char name[160];

	if (worst.cpu >= 0) {
		bench_row_t("replay", what, work ? d.cpu * 1e3 / work : 0,
		    work ? d.wall * 1e3 / work : 0, "ms/step", "<= 10", bench_rss_self());
		bench_row_t("replay", "  worst single step", worst.cpu * 1e3, worst.wall * 1e3, "ms",
		    NULL, -1);
		return;
	}
	snprintf(name, sizeof name, "%s (%ld %s)", what, work, unit);
	bench_row_t("replay", name, d.cpu * 1e3, d.wall * 1e3, "ms", NULL, bench_rss_self());
}

static const struct bench_time no_worst = { -1, -1 };

/* Add one timing to a total and keep the worst (by CPU time). */
static void
tally(struct bench_time t, struct bench_time *total, struct bench_time *worst)
{
	total->cpu += t.cpu;
	total->wall += t.wall;
	if (t.cpu > worst->cpu)
		*worst = t;
}

/* A walk of n steps from `from`, each `stride` away (wrapping inside the run). */
static void
scrub(struct replay_run *rr, const char *what, long from, long stride, long n)
{
	char err[512];
	struct bench_time t0, total = { 0, 0 }, worst = { 0, 0 };
	long i, s = from;

	if (replay_goto(rr, from, err, sizeof err) < 0)
		die(what, err);
	for (i = 0; i < n; i++) {
		s += stride;
		if (s < 0)
			s += STEPS;
		if (s > STEPS)
			s -= STEPS;
		t0 = bench_time_now();
		if (replay_goto(rr, s, err, sizeof err) < 0)
			die(what, err);
		tally(bench_span(t0), &total, &worst);
	}
	row(what, total, n, "steps", worst);
}

int
main(void)
{
	char dir[] = "/tmp/mgpt-bench-replay.XXXXXX", db[64], err[512], cmd[128];
	struct train_run_opts o = { NULL, 42, STEPS, { 0, 16, 4, 1, 16 }, 20, 0.5, 0, "bench" };
	struct train_run lt;
	struct store *st, *rw = NULL;
	struct replay_run rr;
	struct bench_time t0;
	int rc;

	if (!mkdtemp(dir))
		die("mkdtemp", "failed");
	snprintf(db, sizeof db, "%s/runs.db", dir);

	t0 = bench_time_now();
	if (train_run_open(&lt, db, &o, err, sizeof err) < 0)
		die("train", err);
	while ((rc = train_run_slice(&lt, 1.0)) == 1)
		;
	if (rc < 0)
		die("train", lt.err);
	train_run_close(&lt);
	row("train and log a 10000-step default run", bench_span(t0), STEPS, "steps", no_worst);

	if (!(st = store_open(db, 0, 1, err, sizeof err)) || !(rw = store_open(db, 0, 0, err, sizeof err)))
		die("open", err);
	t0 = bench_time_now();
	if (replay_open(&rr, st, "bench", err, sizeof err) < 0 || replay_goto(&rr, STEPS, err, sizeof err) < 0)
		die("open", err);
	row("open the run view at the last step", bench_span(t0), 1, "opens", no_worst);

	scrub(&rr, "] one step forwards", 5000, 1, 2000);
	scrub(&rr, "[ one step backwards", 7000, -1, 2000);
	scrub(&rr, "} ten steps forwards", 100, 10, 900);
	scrub(&rr, "PgUp 100 steps backwards", 9990, -100, 99);
	scrub(&rr, "jumps of 3777 steps", 1, 3777, 300);

	t0 = bench_time_now();
	while ((rc = replay_stats_work(&rr, rw, 1000, err, sizeof err)) == 1)
		;
	if (rc < 0)
		die("statistics", err);
	row("head statistics of every step, cached", bench_span(t0), STEPS + 1, "steps", no_worst);
	{
		struct replay_run r2;

		if (replay_open(&r2, st, "bench", err, sizeof err) < 0)
			die("open", err);
		t0 = bench_time_now();
		if (replay_stats_work(&r2, NULL, 1, err, sizeof err) != 1 || r2.n_hs != STEPS + 1)
			die("cache", "the statistics were not read from the cache");
		row("head statistics read from the cache", bench_span(t0), STEPS + 1, "steps", no_worst);
		replay_close(&r2);
	}
	replay_close(&rr);
	store_close(st);
	store_close(rw);

	/* the whole frame: replay_goto and the redraw, into a terminal on
	 * /dev/null (the terminal's own time excluded) */
	{
		static const int size[2][2] = { { 80, 24 }, { 200, 60 } };
		struct replay_args a = { db, "bench", 5000, NULL, 0 };
		FILE *out = fopen("/dev/null", "w");
		struct ui *u;
		char what[96];
		struct bench_time worst, total;
		int k, i;

		if (!out)
			die("/dev/null", "cannot open");
		for (k = 0; k < 2; k++) {
			u = ui_replay_bench_open(&a, out, size[k][0], size[k][1]);
			memset(&worst, 0, sizeof worst);
			memset(&total, 0, sizeof total);
			for (i = 0; i < 1000; i++) {
				t0 = bench_time_now();
				ui_bench_key(u, i < 500 ? ']' : '[');
				tally(bench_span(t0), &total, &worst);
			}
			snprintf(what, sizeof what, "] then [ on screen at %dx%d", size[k][0], size[k][1]);
			row(what, total, 1000, "steps", worst);
			ui_bench_close(u);
		}
		fclose(out);
	}

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_replay: could not remove %s\n", dir);
	return 0;
}
