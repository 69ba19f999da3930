/* SPDX-License-Identifier: MIT */
/* test_open_step.c - train_step_open() against the run database itself:
 * a run is trained and logged (snapshots every 5 steps), then for a step
 * with a snapshot, steps without, the first and the last, the weights and
 * Adam moments after the opened step must equal, bit for bit, what
 * store_replay() rebuilds for that step from the database into a trainer
 * of its own; the weights before, what it rebuilds for S-1; the loss and
 * lr, the logged ones. A step outside the run is refused. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "debug_run.h"
#include "train_run.h"
#include "store.h"
#include "train_step.h"

#define STEPS 23

static int
same(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, n * sizeof *a) == 0;
}

static void
check_open(const char *db, long s, const double *loss, const double *lr)
{
	struct debug_run r;
	struct train_step ts;
	struct store *st;
	struct run_info info;
	struct dataset ds;
	struct trainer t;
	char err[STORE_ERRLEN];
	size_t n;

	CHECK(debug_run_open(&r, db, "t", -1, err, sizeof err) == 0);
	if (train_step_open(&ts, &r, s, err, sizeof err) < 0) {
		fprintf(stderr, "step %ld: %s\n", s, err);
		CHECK(0);
		train_step_free(&ts);
		debug_run_close(&r);
		return;
	}
	n = ts.n_params;
	CHECK(memcmp(&ts.loss, &loss[s - 1], sizeof(double)) == 0);
	CHECK(memcmp(&ts.lr, &lr[s - 1], sizeof(double)) == 0);
	CHECK(ts.tr->n_pos > 0 && ts.gt.n_pos == ts.tr->n_pos);

	CHECK((st = store_open(db, 0, 1, err, sizeof err)) != NULL);
	CHECK(store_find_run(st, "t", &info) == 0);
	CHECK(store_replay(st, &info, s, &ds, &t) == 0);
	CHECK(same(t.model.p, ts.p_after, n) && same(t.adam.m, ts.m_after, n)
	    && same(t.adam.v, ts.v_after, n));
	trainer_free(&t);
	dataset_free(&ds);
	CHECK(store_replay(st, &info, s - 1, &ds, &t) == 0);
	CHECK(same(t.model.p, ts.p_before, n) && same(t.adam.m, ts.m_before, n)
	    && same(t.adam.v, ts.v_before, n));
	trainer_free(&t);
	dataset_free(&ds);
	store_close(st);
	printf("step %ld (%s): weights and moments after = the database's, bit for bit\n", s,
	    ts.snapshot ? "a snapshot" : "replayed");
	train_step_free(&ts);
	debug_run_close(&r);
}

int
main(void)
{
	char dir[] = "/tmp/mgpt-test-open-step.XXXXXX", db[64], err[512], cmd[96];
	struct train_run_opts o = { NULL, 42, STEPS, { 0, 16, 2, 2, 16 }, 0, 0.5, 5, "t" };
	struct train_run lt;
	struct debug_run r;
	struct train_step ts;
	struct store *st;
	struct run_info info;
	double *loss = NULL, *lr = NULL;
	long n = 0;
	int rc;

	if (!mkdtemp(dir))
		return 99;
	snprintf(db, sizeof db, "%s/runs.db", dir);
	CHECK(train_run_open(&lt, db, &o, err, sizeof err) == 0);
	while ((rc = train_run_slice(&lt, 1.0)) == 1)
		;
	CHECK(rc == 0);
	train_run_close(&lt);
	CHECK((st = store_open(db, 0, 1, err, sizeof err)) != NULL);
	CHECK(store_find_run(st, "t", &info) == 0);
	CHECK(store_load_losses(st, info.id, &loss, &lr, &n) == 0 && n == STEPS);
	store_close(st);

	check_open(db, 1, loss, lr);
	check_open(db, 10, loss, lr);
	check_open(db, 13, loss, lr);
	check_open(db, STEPS, loss, lr);

	CHECK(debug_run_open(&r, db, "t", -1, err, sizeof err) == 0);
	CHECK(train_step_open(&ts, &r, STEPS + 1, err, sizeof err) < 0);
	CHECK(strncmp(err, "--train-step: ", 14) == 0);
	train_step_free(&ts);
	debug_run_close(&r);

	free(loss);
	free(lr);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return CHECK_DONE();
}
