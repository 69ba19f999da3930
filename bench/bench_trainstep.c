/* SPDX-License-Identifier: MIT */
/* bench_trainstep.c - opening training step S of a 10,000-step run (issue
 * 13's "Speed"): a default run is trained and logged into a fresh
 * database, then for steps spread over the run the whole of what
 * `trace RUN --train-step S` and the screen do before drawing is timed in
 * CPU time (getrusage): the run opened (debug_run_open), its weights at S-1
 * (replay from the nearest snapshot), step S recorded (forward, backward,
 * Adam), the check against the run's own step S, closed. Goal: at most
 * 15 ms. The worst steps are the last before a snapshot: S-1 is 248
 * steps past one (snapshots every 250), re-run, then S again for the
 * check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "debug_run.h"
#include "train_run.h"
#include "store.h"
#include "train_step.h"

#define STEPS 10000

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "bench_trainstep: %s: %s\n", what, err);
	exit(1);
}

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

/* CPU seconds to open step s */
static double
open_step(const char *db, long s)
{
	struct debug_run r;
	struct train_step ts;
	char err[STORE_ERRLEN];
	double t0 = cpu_now(), t;

	if (debug_run_open(&r, db, "bench", -1, err, sizeof err) < 0)
		die("open", err);
	if (train_step_open(&ts, &r, s, err, sizeof err) < 0)
		die("train step", err);
	train_step_free(&ts);
	debug_run_close(&r);
	t = cpu_now() - t0;
	return t;
}

int
main(void)
{
	char dir[] = "/tmp/mgpt-bench-trainstep.XXXXXX", db[64], err[512], cmd[128], what[96];
	struct train_run_opts o = { NULL, 42, STEPS, { 0, 16, 4, 1, 16 }, 0, 0.5, 0, "bench" };
	struct train_run lt;
	double v[64], worst = 0, sum = 0;
	int rc, i, n = 0;

	if (!mkdtemp(dir))
		die("mkdtemp", "failed");
	snprintf(db, sizeof db, "%s/runs.db", dir);
	if (train_run_open(&lt, db, &o, err, sizeof err) < 0)
		die("train", err);
	while ((rc = train_run_slice(&lt, 1.0)) == 1)
		;
	if (rc < 0)
		die("train", lt.err);
	train_run_close(&lt);

	/* 40 steps over the run: 1, a snapshot step, the step after one,
	 * the last before one (the most to re-run), the last step... */
	for (i = 0; i < 10; i++) {
		long base = 1000L * i;

		v[n++] = open_step(db, base + 1);
		v[n++] = open_step(db, base + 250);
		v[n++] = open_step(db, base + 499);
		v[n++] = open_step(db, base + 500 + 137);
	}
	for (i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] > worst)
			worst = v[i];
	}
	snprintf(what, sizeof what, "open training step S of a %d-step run, mean of %d", STEPS, n);
	bench_row("trainstep", what, sum / n * 1e3, "ms CPU", "<= 15", bench_rss_self());
	bench_row("trainstep", "  median", bench_median(v, n) * 1e3, "ms CPU", NULL, -1);
	bench_row("trainstep", "  worst (S-1 is 248 steps past a snapshot)", worst * 1e3, "ms CPU", NULL, -1);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_trainstep: could not remove %s\n", dir);
	return 0;
}
