/* SPDX-License-Identifier: MIT */
/* test_store.c - the run store, linked from the real sources: digests,
 * replay to every step byte for byte, resume, the per-step log (NaN and
 * infinities), the sweep cache, a reader beside a writer, disk-full and I/O errors through
 * a fault-injecting VFS, damaged records, deletion; the logging thread
 * writing the same runs, beside a reader and into faults. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "hash.h"
#include "store.h"
#include "store_sweep.h"
#include "train.h"
#include "xmalloc.h"

static const char names[] =
	"emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn\n"
	"abigail\nemily\nelizabeth\nmila\nella\navery\nsofia\ncamila\naria\nscarlett\n"
	"liam\nnoah\noliver\nelijah\nwilliam\njames\nbenjamin\nlucas\nhenry\nalexander\n";

static const struct model_config small = { 0, 8, 2, 1, 8 };
#define N_STEPS 40
#define SEED 7

static char dir[256];

/* The state after every step of one uninterrupted training run, in the
 * engine's own layout: what replay must give back byte for byte. */
struct traj {
	size_t n;                       /* n_params */
	double *p[N_STEPS + 1], *m[N_STEPS + 1], *v[N_STEPS + 1];
	double loss[N_STEPS];
};

static void
load_names(struct dataset *ds)
{
	char err[DATASET_ERRLEN];

	if (dataset_parse(ds, names, strlen(names), err, sizeof err) < 0) {
		fprintf(stderr, "dataset: %s\n", err);
		exit(1);
	}
}

static void
keep(struct traj *tj, const struct trainer *t)
{
	size_t b = tj->n * sizeof(double);
	long s = t->step;

	tj->p[s] = xmalloc(b);
	tj->m[s] = xmalloc(b);
	tj->v[s] = xmalloc(b);
	memcpy(tj->p[s], t->model.p, b);
	memcpy(tj->m[s], t->adam.m, b);
	memcpy(tj->v[s], t->adam.v, b);
}

static void
same_state(const struct traj *tj, const struct trainer *t, long s, const char *what)
{
	size_t b = tj->n * sizeof(double);
	int ok = t->step == s && t->model.n_params == tj->n &&
	    !memcmp(t->model.p, tj->p[s], b) && !memcmp(t->adam.m, tj->m[s], b) &&
	    !memcmp(t->adam.v, tj->v[s], b);

	if (!ok) {
		check_failures++;
		fprintf(stderr, "%s: state at step %ld differs from the uninterrupted run's\n", what, s);
	}
}

static struct store *
open_db(const char *name, int create, int readonly)
{
	char path[512], err[STORE_ERRLEN];
	struct store *st;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	st = store_open(path, create, readonly, err, sizeof err);
	if (!st)
		fprintf(stderr, "store_open: %s\n", err);
	return st;
}

/* Train N_STEPS into st (when not NULL) with a snapshot every `every`
 * steps, recording the trajectory into tj (when not NULL). Stops after
 * `stop` steps without ending the run (a crash) when stop < N_STEPS. */
static int64_t
train_run(struct store *st, const char *name, long every, long stop, struct traj *tj)
{
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	struct run_info run;

	load_names(&ds);
	memset(&run, 0, sizeof run);
	snprintf(run.name, sizeof run.name, "%s", name);
	run.seed = SEED;
	run.cfg = small;
	run.n_steps = N_STEPS;
	run.snapshot_every = every;
	run.temperature = 0.5;
	run.n_samples = 2;
	if (st && store_run_create(st, &run, &ds) < 0) {
		fprintf(stderr, "store_run_create: %s\n", store_errmsg(st));
		exit(1);
	}
	trainer_init(&t, &ds, &small, SEED, N_STEPS);
	if (tj) {
		tj->n = t.model.n_params;
		keep(tj, &t);
	}
	CHECK(!st || store_run_start(st, &run, &t) == 0);
	while (t.step < stop) {
		trainer_step(&t, &ss);
		if (tj) {
			tj->loss[t.step - 1] = ss.loss;
			keep(tj, &t);
		}
		if (st) {
			CHECK(store_log_step(st, &run, &ss) == 0);
			if (t.step % every == 0 || t.step == N_STEPS)
				CHECK(store_log_snapshot(st, &run, store_state_of(&t)) == 0);
		}
	}
	if (st && stop == N_STEPS) {
		char *s[2] = { "ann", "bo" };

		CHECK(store_log_samples(st, &run, s, 2) == 0);
		CHECK(store_run_end(st, &run, RUN_FINISHED) == 0);
	}
	trainer_free(&t);
	dataset_free(&ds);
	return run.id;
}

/* The same run as train_run's, written by the logging thread: it must
 * leave the same database. */
static void
train_run_thread(struct store *st, const char *name, long every)
{
	struct store_logger *lg;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	struct run_info run;
	char *s[2] = { "ann", "bo" };

	load_names(&ds);
	memset(&run, 0, sizeof run);
	snprintf(run.name, sizeof run.name, "%s", name);
	run.seed = SEED;
	run.cfg = small;
	run.n_steps = N_STEPS;
	run.snapshot_every = every;
	run.temperature = 0.5;
	run.n_samples = 2;
	CHECK(store_run_create(st, &run, &ds) == 0);
	trainer_init(&t, &ds, &small, SEED, N_STEPS);
	CHECK((lg = store_logger_start(st, &run, &t)) != NULL);
	while (lg && t.step < N_STEPS) {
		trainer_step(&t, &ss);
		CHECK(store_logger_step(lg, &ss) == 0);
		if (t.step % every == 0 || t.step == N_STEPS)
			CHECK(store_logger_snapshot(lg, store_state_of(&t)) == 0);
	}
	CHECK(!lg || store_logger_end(lg, s, 2, RUN_FINISHED) == 0);
	CHECK(run.id > 0 && run.status == RUN_FINISHED && run.steps_done == N_STEPS);
	trainer_free(&t);
	dataset_free(&ds);
}

static int
raw_exec(const char *name, const char *sql)
{
	char path[512];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "raw_exec: %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void
test_hashes(void)
{
	char hex[65];

	sha256_hex("abc", 3, hex);
	CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	sha256_hex("", 0, hex);
	CHECK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	/* 56 bytes: the padding needs a second block. */
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
	CHECK(xxh64("", 0, 0) == 0xef46db3751d8e999ULL);
	CHECK(xxh64("abc", 3, 0) == 0x44bc2cf5ad770999ULL);
}

/* Replay gives the bytes of every step: from a run with a snapshot at
 * every step, and from one that must re-run up to six steps. */
static void
test_replay(struct traj *tj)
{
	struct store *st = open_db("replay.db", 1, 0), *ro;
	struct run_info run;
	struct dataset ds;
	struct trainer t;
	double *loss, *lr;
	long s, n;
	const char *which[4] = { "every1", "every7", "thread1", "thread7" };
	int k;

	if (!st)
		return;
	train_run(st, "every1", 1, N_STEPS, tj);
	train_run(st, "every7", 7, N_STEPS, NULL);
	/* the logging thread: every copy of the state in flight at once,
	 * and the default, fewer snapshots than copies */
	train_run_thread(st, "thread1", 1);
	train_run_thread(st, "thread7", 7);
	store_close(st);
	if (!(ro = open_db("replay.db", 0, 1)))
		return;
	for (k = 0; k < 4; k++) {
		CHECK(store_find_run(ro, which[k], &run) == 0);
		CHECK(run.status == RUN_FINISHED && run.steps_done == N_STEPS);
		for (s = 0; s <= N_STEPS; s++) {
			if (store_replay(ro, &run, s, &ds, &t) < 0) {
				fprintf(stderr, "replay %s step %ld: %s\n", which[k], s, store_errmsg(ro));
				check_failures++;
				continue;
			}
			same_state(tj, &t, s, which[k]);
			trainer_free(&t);
			dataset_free(&ds);
		}
		CHECK(store_load_losses(ro, run.id, &loss, &lr, &n) == 0);
		CHECK(n == N_STEPS);
		CHECK(n == N_STEPS && !memcmp(loss, tj->loss, sizeof tj->loss));
		free(loss);
		free(lr);
	}
	/* Seeking one trainer about, forwards and backwards. */
	CHECK(store_find_run(ro, "every7", &run) == 0);
	if (store_replay(ro, &run, 0, &ds, &t) == 0) {
		static const long order[] = { 40, 3, 9, 13, 12, 0, 27, 28, 35, 6, 40, 1 };

		for (k = 0; k < (int)(sizeof order / sizeof order[0]); k++) {
			CHECK(store_seek(ro, &run, order[k], &t) == 0);
			same_state(tj, &t, order[k], "seek");
		}
		CHECK(store_seek(ro, &run, N_STEPS + 1, &t) < 0);
		CHECK(strstr(store_errmsg(ro), "out of range") != NULL);
		trainer_free(&t);
		dataset_free(&ds);
	}
	store_close(ro);
}

static void
test_names(void)
{
	struct store *st = open_db("names.db", 1, 0);
	struct run_info run, *all;
	struct dataset ds;
	int n;

	if (!st)
		return;
	load_names(&ds);
	memset(&run, 0, sizeof run);
	run.cfg = small;
	run.n_steps = 1;
	run.snapshot_every = 1;
	run.temperature = 1;
	strcpy(run.name, "123");
	CHECK(store_run_create(st, &run, &ds) < 0 && strstr(store_errmsg(st), "run id"));
	strcpy(run.name, "latest");
	CHECK(store_run_create(st, &run, &ds) < 0);
	strcpy(run.name, "a\tb");
	CHECK(store_run_create(st, &run, &ds) < 0);
	dataset_free(&ds);
	train_run(st, "", 5, N_STEPS, NULL);
	train_run(st, "mine", 5, N_STEPS, NULL);
	train_run(st, "", 5, N_STEPS, NULL);
	load_names(&ds);
	strcpy(run.name, "mine");
	CHECK(store_run_create(st, &run, &ds) < 0 && strstr(store_errmsg(st), "already exists"));
	dataset_free(&ds);
	CHECK(store_list_runs(st, &all, &n) == 0 && n == 3);
	if (n == 3) {
		CHECK(!strcmp(all[0].name, "run-1") && !strcmp(all[2].name, "run-3"));
		CHECK(all[1].id == 2 && all[0].status == RUN_FINISHED);
		CHECK(all[0].best_loss <= all[0].last_loss);
	}
	free(all);
	CHECK(store_find_run(st, "latest", &run) == 0 && run.id == 3);
	CHECK(store_find_run(st, "2", &run) == 0 && !strcmp(run.name, "mine"));
	CHECK(store_find_run(st, "mine", &run) == 0 && run.id == 2);
	CHECK(store_find_run(st, "nope", &run) < 0 && strstr(store_errmsg(st), "no run named 'nope'"));
	CHECK(store_find_run(st, "99", &run) < 0 && strstr(store_errmsg(st), "no run with id 99"));
	/* rm: the run and its rows go; the dataset stays while others use it. */
	CHECK(store_find_run(st, "mine", &run) == 0 && store_delete_run(st, &run) == 0);
	CHECK(store_find_run(st, "mine", &run) < 0);
	CHECK(store_list_runs(st, &all, &n) == 0 && n == 2);
	free(all);
	CHECK(store_find_run(st, "run-1", &run) == 0 && store_delete_run(st, &run) == 0);
	CHECK(store_find_run(st, "run-3", &run) == 0 && store_delete_run(st, &run) == 0);
	store_close(st);
	/* Nothing is left behind, the dataset included. */
	{
		char path[512];
		sqlite3 *db;
		sqlite3_stmt *s;

		snprintf(path, sizeof path, "%s/names.db", dir);
		CHECK(sqlite3_open(path, &db) == SQLITE_OK);
		CHECK(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM datasets) + (SELECT count(*) "
		    "FROM steps) + (SELECT count(*) FROM snapshots) + (SELECT count(*) FROM samples)",
		    -1, &s, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 0);
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
}

/* A run cut off after 23 steps (its process gone) continues from its last
 * snapshot to the same bytes as the uninterrupted run. */
static void
test_resume(const struct traj *tj)
{
	struct store *st = open_db("resume.db", 1, 0);
	struct run_info run;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	double *loss, *lr;
	long n;

	if (!st)
		return;
	train_run(st, "cut", 10, 23, NULL);
	CHECK(store_find_run(st, "cut", &run) == 0);
	/* Our own process is alive: the run is still being trained. */
	CHECK(run.status == RUN_RUNNING);
	CHECK(store_resume(st, &run, &ds, &t) < 0 && strstr(store_errmsg(st), "still being trained"));
	store_close(st);
	/* As if its process had died on another boot. */
	CHECK(raw_exec("resume.db", "UPDATE runs SET boot_id = 'gone' WHERE name = 'cut'") == 0);
	if (!(st = open_db("resume.db", 0, 0)))
		return;
	CHECK(store_find_run(st, "cut", &run) == 0 && run.status == RUN_INTERRUPTED);
	/* Every flush was a step (interval 0 not set: by time), so the log
	 * holds at most 23 steps, at least the 20 up to the snapshot. */
	CHECK(run.steps_done >= 20 && run.steps_done <= 23);
	if (store_resume(st, &run, &ds, &t) < 0) {
		fprintf(stderr, "resume: %s\n", store_errmsg(st));
		check_failures++;
		store_close(st);
		return;
	}
	CHECK(t.step == 20 && run.steps_done == 20 && run.status == RUN_RUNNING);
	same_state(tj, &t, 20, "resume");
	while (t.step < N_STEPS) {
		trainer_step(&t, &ss);
		CHECK(store_log_step(st, &run, &ss) == 0);
		if (t.step % 10 == 0)
			CHECK(store_log_snapshot(st, &run, store_state_of(&t)) == 0);
	}
	same_state(tj, &t, N_STEPS, "resumed to the end");
	CHECK(store_run_end(st, &run, RUN_FINISHED) == 0);
	trainer_free(&t);
	dataset_free(&ds);
	CHECK(store_load_losses(st, run.id, &loss, &lr, &n) == 0);
	CHECK(n == N_STEPS && !memcmp(loss, tj->loss, sizeof tj->loss));
	free(loss);
	free(lr);
	CHECK(store_find_run(st, "cut", &run) == 0 && run.status == RUN_FINISHED);
	CHECK(store_resume(st, &run, &ds, &t) < 0 && strstr(store_errmsg(st), "finished"));
	store_close(st);
}

/* NaN and infinite losses are kept as such; replay notices a log that the
 * engine does not reproduce. */
/* A 4-step run of the small model started in st (nothing trained yet). */
static void
start_small(struct store *st, struct run_info *run, struct dataset *ds, struct trainer *t)
{
	load_names(ds);
	memset(run, 0, sizeof *run);
	run->seed = SEED;
	run->cfg = small;
	run->n_steps = 4;
	run->snapshot_every = 100;
	run->temperature = 1;
	CHECK(store_run_create(st, run, ds) == 0);
	trainer_init(t, ds, &small, SEED, 4);
	CHECK(store_run_start(st, run, t) == 0);
}

static void
test_nonfinite(void)
{
	struct store *st = open_db("nan.db", 1, 0);
	struct run_info run;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss = { 0, 0.01, 0, 5 };
	double *loss, *lr;
	long n;

	if (!st)
		return;
	start_small(st, &run, &ds, &t);
	ss.loss = NAN;       CHECK(store_log_step(st, &run, &ss) == 0);
	ss.loss = INFINITY;  CHECK(store_log_step(st, &run, &ss) == 0);
	ss.loss = -INFINITY; CHECK(store_log_step(st, &run, &ss) == 0);
	ss.loss = 1.5;       CHECK(store_log_step(st, &run, &ss) == 0);
	CHECK(store_run_end(st, &run, RUN_INTERRUPTED) == 0);
	trainer_free(&t);
	dataset_free(&ds);
	CHECK(store_load_losses(st, run.id, &loss, &lr, &n) == 0 && n == 4);
	if (n == 4) {
		CHECK(isnan(loss[0]));
		CHECK(isinf(loss[1]) && loss[1] > 0);
		CHECK(isinf(loss[2]) && loss[2] < 0);
		CHECK(loss[3] == 1.5 && lr[3] == 0.01);
	}
	free(loss);
	free(lr);
	CHECK(store_find_run(st, "latest", &run) == 0 && run.best_loss == -INFINITY);
	CHECK(run.status == RUN_INTERRUPTED && run.last_loss == 1.5);
	CHECK(store_replay(st, &run, 2, &ds, &t) < 0 && strstr(store_errmsg(st), "diverged at step 1"));
	store_close(st);
}

/* The sweep cache: rows put and got back per (run, step), a NaN as NULL
 * and back, a row replaced, a read-only connection refused, and the rows
 * gone with the run. */
static void
test_sweep_cache(void)
{
	struct store *st = open_db("sweep.db", 1, 0), *ro;
	struct store_sweep_row *rows = NULL;
	struct run_info run;
	struct dataset ds;
	struct trainer t;
	int n = -1;

	if (!st)
		return;
	start_small(st, &run, &ds, &t);
	CHECK(store_run_end(st, &run, RUN_INTERRUPTED) == 0);
	trainer_free(&t);
	dataset_free(&ds);
	CHECK(store_sweep_get(st, run.id, 3, &rows, &n) == 0 && n == 0 && !rows);
	CHECK(store_sweep_put(st, run.id, 3, "L0H1", 2.25) == 0);
	CHECK(store_sweep_put(st, run.id, 3, "", 2.5) == 0);
	CHECK(store_sweep_put(st, run.id, 3, "L0H0 L0H1", NAN) == 0);
	CHECK(store_sweep_put(st, run.id, 3, "L0H1", 2.75) == 0);   /* replaces */
	CHECK(store_sweep_put(st, run.id, 4, "", 1.0) == 0);
	CHECK(store_sweep_get(st, run.id, 3, &rows, &n) == 0 && n == 3);
	if (n == 3) {
		CHECK(!strcmp(rows[0].off, "") && rows[0].dataset_loss == 2.5);
		CHECK(!strcmp(rows[1].off, "L0H0 L0H1") && isnan(rows[1].dataset_loss));
		CHECK(!strcmp(rows[2].off, "L0H1") && rows[2].dataset_loss == 2.75);
	}
	free(rows);
	CHECK(store_sweep_get(st, run.id + 1, 3, &rows, &n) == 0 && n == 0);
	free(rows);
	if ((ro = open_db("sweep.db", 0, 1))) {
		CHECK(store_sweep_get(ro, run.id, 4, &rows, &n) == 0 && n == 1 && rows[0].dataset_loss == 1.0);
		free(rows);
		CHECK(store_sweep_put(ro, run.id, 4, "", 2.0) < 0
		    && strstr(store_errmsg(ro), "read-only"));
		store_close(ro);
	}
	CHECK(store_delete_run(st, &run) == 0);
	CHECK(store_sweep_get(st, run.id, 3, &rows, &n) == 0 && n == 0);
	free(rows);
	store_close(st);
}

/* A viewer sees each flush as it lands, while the writer keeps writing. */
static void
test_reader(void)
{
	struct store *w = open_db("live.db", 1, 0), *r;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	struct run_info run, seen;
	long k;

	if (!w)
		return;
	load_names(&ds);
	memset(&run, 0, sizeof run);
	run.seed = SEED;
	run.cfg = small;
	run.n_steps = N_STEPS;
	run.snapshot_every = 1000;
	run.temperature = 1;
	CHECK(store_run_create(w, &run, &ds) == 0);
	trainer_init(&t, &ds, &small, SEED, N_STEPS);
	CHECK(store_run_start(w, &run, &t) == 0);
	if (!(r = open_db("live.db", 0, 1)))
		return;
	store_set_commit_interval(w, 0);
	for (k = 1; k <= 10; k++) {
		trainer_step(&t, &ss);
		CHECK(store_log_step(w, &run, &ss) == 0);
		CHECK(store_find_run(r, "latest", &seen) == 0);
		CHECK(seen.steps_done == k && seen.status == RUN_RUNNING);
	}
	/* While buffered (long interval), nothing new is visible; a
	 * snapshot flushes. */
	store_set_commit_interval(w, 1e9);
	trainer_step(&t, &ss);
	CHECK(store_log_step(w, &run, &ss) == 0);
	CHECK(store_find_run(r, "latest", &seen) == 0 && seen.steps_done == 10);
	CHECK(store_log_snapshot(w, &run, store_state_of(&t)) == 0);
	CHECK(store_find_run(r, "latest", &seen) == 0 && seen.steps_done == 11);
	/* The viewer replays the step the writer is at. */
	{
		struct dataset ds2;
		struct trainer t2;

		CHECK(store_replay(r, &seen, 11, &ds2, &t2) == 0);
		CHECK(!memcmp(t2.model.p, t.model.p, t.model.n_params * sizeof(double)));
		trainer_free(&t2);
		dataset_free(&ds2);
	}
	CHECK(store_run_end(w, &run, RUN_FINISHED) == 0);
	store_close(r);
	store_close(w);
	trainer_free(&t);
	dataset_free(&ds);
}

/* A writer killed in mid-transaction while the file is in rollback mode
 * (its switch to WAL at the start of a run, say) leaves a hot journal. A
 * viewer that had the file open already reads on: its next read rolls the
 * journal back, as store_open does (the soak found viewers failing with
 * "attempt to write a readonly database" there). */
static void
test_hot_journal(void)
{
	char path[512], journal[600];
	struct store *w = open_db("hot.db", 1, 0), *r;
	struct run_info run;
	struct stat sb;
	sqlite3 *db;
	pid_t pid;
	int status;

	if (!w)
		return;
	train_run(w, "hot", 10, N_STEPS, NULL);
	store_close(w);
	if (!(r = open_db("hot.db", 0, 1)))
		return;
	snprintf(path, sizeof path, "%s/hot.db", dir);
	snprintf(journal, sizeof journal, "%s-journal", path);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		/* a small cache, so that changed pages reach the file */
		if (sqlite3_open(path, &db) == SQLITE_OK)
			sqlite3_exec(db, "PRAGMA cache_size = 2; BEGIN IMMEDIATE; UPDATE snapshots SET "
			    "checksum = checksum + 1; UPDATE runs SET name = 'half'", NULL, NULL, NULL);
		raise(SIGKILL);
		_exit(1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status));
	CHECK(stat(journal, &sb) == 0 && sb.st_size > 0);
	memset(&run, 0, sizeof run);
	CHECK(store_find_run(r, "latest", &run) == 0);
	CHECK(!strcmp(run.name, "hot") && run.status == RUN_FINISHED && run.steps_done == N_STEPS);
	CHECK(stat(journal, &sb) < 0 && errno == ENOENT);
	store_close(r);
}

/* Poll a viewer until the run shows `steps` steps (the thread writes
 * them a little later); 0 when it does within two seconds. */
static int
wait_steps(struct store *r, long steps)
{
	struct run_info seen;
	int i;

	for (i = 0; i < 2000; i++) {
		if (store_find_run(r, "latest", &seen) == 0 && seen.steps_done == steps)
			return 0;
		usleep(1000);
	}
	fprintf(stderr, "the viewer saw %ld steps, not %ld\n", seen.steps_done, steps);
	return -1;
}

/* A viewer beside the logging thread sees every flush land: each step at
 * commit interval 0, and buffered steps with the next snapshot. */
static void
test_reader_thread(void)
{
	struct store *w = open_db("livethread.db", 1, 0), *r;
	struct store_logger *lg;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	struct run_info run, seen;
	long k;

	if (!w)
		return;
	load_names(&ds);
	memset(&run, 0, sizeof run);
	run.seed = SEED;
	run.cfg = small;
	run.n_steps = N_STEPS;
	run.snapshot_every = 1000;
	run.temperature = 1;
	CHECK(store_run_create(w, &run, &ds) == 0);
	trainer_init(&t, &ds, &small, SEED, N_STEPS);
	store_set_commit_interval(w, 0);
	if (!(lg = store_logger_start(w, &run, &t))) {
		check_failures++;
		fprintf(stderr, "store_logger_start: %s\n", store_errmsg(w));
		return;
	}
	if (!(r = open_db("livethread.db", 0, 1)))
		return;
	CHECK(wait_steps(r, 0) == 0);
	for (k = 1; k <= 10; k++) {
		trainer_step(&t, &ss);
		CHECK(store_logger_step(lg, &ss) == 0);
		CHECK(wait_steps(r, k) == 0);
	}
	CHECK(store_logger_end(lg, NULL, 0, RUN_INTERRUPTED) == 0);
	CHECK(store_find_run(r, "latest", &seen) == 0 && seen.steps_done == 10 &&
	    seen.status == RUN_INTERRUPTED);

	/* resumed, with the default interval: the steps are buffered until
	 * the snapshot */
	trainer_free(&t);
	dataset_free(&ds);
	store_set_commit_interval(w, STORE_COMMIT_SECONDS);
	CHECK(store_resume(w, &run, &ds, &t) == 0 && t.step == 0);
	if (!(lg = store_logger_start(w, &run, &t))) {
		check_failures++;
		return;
	}
	for (k = 1; k <= 5; k++) {
		trainer_step(&t, &ss);
		CHECK(store_logger_step(lg, &ss) == 0);
	}
	CHECK(store_logger_snapshot(lg, store_state_of(&t)) == 0);
	CHECK(wait_steps(r, 5) == 0);
	{
		struct dataset ds2;
		struct trainer t2;

		CHECK(store_find_run(r, "latest", &seen) == 0);
		CHECK(store_replay(r, &seen, 5, &ds2, &t2) == 0);
		CHECK(!memcmp(t2.model.p, t.model.p, t.model.n_params * sizeof(double)));
		trainer_free(&t2);
		dataset_free(&ds2);
	}
	CHECK(store_logger_end(lg, NULL, 0, RUN_FINISHED) == 0);
	store_close(r);
	store_close(w);
	trainer_free(&t);
	dataset_free(&ds);
}

/* ---- a VFS that fails writes past a budget ---- */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static long long fault_budget;   /* bytes still writable; < 0: no limit */
static int fault_code;           /* SQLITE_FULL or SQLITE_IOERR_WRITE */

struct fault_file {
	sqlite3_file base;
	sqlite3_file *real;          /* follows this struct */
};

#define REAL(f) (((struct fault_file *)(f))->real)

static int f_close(sqlite3_file *f) { int rc = REAL(f)->pMethods->xClose(REAL(f)); return rc; }
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	if (fault_budget >= 0) {
		if (fault_budget < n)
			return fault_code;
		fault_budget -= n;
	}
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 s) { return REAL(f)->pMethods->xTruncate(REAL(f), s); }
static int f_sync(sqlite3_file *f, int fl) { return REAL(f)->pMethods->xSync(REAL(f), fl); }
static int f_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_check(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int f_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_dev(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int f_shmmap(sqlite3_file *f, int i, int sz, int x, void volatile **p) { return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, x, p); }
static int f_shmlock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void f_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shmunmap(sqlite3_file *f, int d) { return REAL(f)->pMethods->xShmUnmap(REAL(f), d); }

static const sqlite3_io_methods fault_io = {
	2, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check,
	f_fcntl, f_sector, f_dev, f_shmmap, f_shmlock, f_shmbarrier, f_shmunmap, NULL, NULL,
};

static int
f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct fault_file *ff = (struct fault_file *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	f->pMethods = rc == SQLITE_OK ? &fault_io : NULL;
	return rc;
}

static int f_delete(sqlite3_vfs *v, const char *n, int s) { (void)v; return real_vfs->xDelete(real_vfs, n, s); }
static int f_access(sqlite3_vfs *v, const char *n, int fl, int *r) { (void)v; return real_vfs->xAccess(real_vfs, n, fl, r); }
static int f_full(sqlite3_vfs *v, const char *n, int k, char *o) { (void)v; return real_vfs->xFullPathname(real_vfs, n, k, o); }

static void
fault_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	fault_vfs = *real_vfs;
	fault_vfs.zName = "fault";
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
	fault_vfs.xOpen = f_open;
	fault_vfs.xDelete = f_delete;
	fault_vfs.xAccess = f_access;
	fault_vfs.xFullPathname = f_full;
	fault_budget = -1;
	sqlite3_vfs_register(&fault_vfs, 1);
}

/* After a fault: the file passes integrity_check and its log is steps
 * 1..n without a gap, with n > 0 unless may_be_empty. */
static void
check_whole(const char *name, int may_be_empty)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *s;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(s, 0), "ok"));
	sqlite3_finalize(s);
	CHECK(sqlite3_prepare_v2(db, "SELECT count(*), coalesce(max(step), 0) FROM steps", -1, &s,
	    NULL) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == sqlite3_column_int(s, 1));
	if (!(may_be_empty || sqlite3_column_int(s, 0) > 0)) {
		check_failures++;
		fprintf(stderr, "%s: no step was committed before the fault\n", name);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* Train until a write fails; then the database must be whole and hold a
 * contiguous log and a run that replays. */
static void
test_fault(const char *name, int code, const char *want, long long budget)
{
	struct store *st;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	struct run_info run;
	int failed = 0;

	if (!(st = open_db(name, 1, 0)))
		return;
	load_names(&ds);
	memset(&run, 0, sizeof run);
	run.seed = SEED;
	run.cfg = small;
	run.n_steps = 100000;
	run.snapshot_every = 5;
	run.temperature = 1;
	CHECK(store_run_create(st, &run, &ds) == 0);
	trainer_init(&t, &ds, &small, SEED, run.n_steps);
	CHECK(store_run_start(st, &run, &t) == 0);
	store_set_commit_interval(st, 0);
	fault_code = code;
	fault_budget = budget;
	while (t.step < 5000 && !failed) {
		trainer_step(&t, &ss);
		if (store_log_step(st, &run, &ss) < 0 ||
		    (t.step % 5 == 0 && store_log_snapshot(st, &run, store_state_of(&t)) < 0))
			failed = 1;
	}
	CHECK(failed);
	if (failed && !strstr(store_errmsg(st), want)) {
		check_failures++;
		fprintf(stderr, "fault %s: message '%s' lacks '%s'\n", name, store_errmsg(st), want);
	}
	/* Marking it failed may fail too: that must do no harm. */
	store_run_end(st, &run, RUN_FAILED);
	store_close(st);
	fault_budget = -1;
	trainer_free(&t);
	dataset_free(&ds);

	check_whole(name, 0);
	/* Committed work stays readable and replayable; the run, whose
	 * process is alive but no longer logging, is taken back by resume
	 * only after it ends: here it still reads as running. */
	if ((st = open_db(name, 0, 1))) {
		CHECK(store_find_run(st, "latest", &run) == 0 && run.steps_done > 0);
		CHECK(store_replay(st, &run, run.steps_done, &ds, &t) == 0);
		trainer_free(&t);
		dataset_free(&ds);
		store_close(st);
	}
}

/* The same through the logging thread: the failure reaches the trainer
 * at a hand-over, the thread stops, the database is whole. A budget of 0
 * fails the run's start, which the thread writes. */
static void
test_fault_thread(const char *name, int code, const char *want, long long budget)
{
	struct store *st;
	struct store_logger *lg;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	struct run_info run;
	int failed = 0;

	if (!(st = open_db(name, 1, 0)))
		return;
	load_names(&ds);
	memset(&run, 0, sizeof run);
	run.seed = SEED;
	run.cfg = small;
	run.n_steps = 100000;
	run.snapshot_every = 5;
	run.temperature = 1;
	CHECK(store_run_create(st, &run, &ds) == 0);
	trainer_init(&t, &ds, &small, SEED, run.n_steps);
	store_set_commit_interval(st, 0);
	fault_code = code;
	fault_budget = budget;
	if (!(lg = store_logger_start(st, &run, &t))) {
		check_failures++;
		return;
	}
	/* the thread may be behind: allow it a while to reach the fault */
	while (t.step < 50000 && !failed) {
		trainer_step(&t, &ss);
		if (store_logger_step(lg, &ss) < 0 ||
		    (t.step % 5 == 0 && store_logger_snapshot(lg, store_state_of(&t)) < 0))
			failed = 1;
	}
	CHECK(failed);
	if (failed)
		store_logger_stop(lg);
	else
		CHECK(store_logger_end(lg, NULL, 0, RUN_FINISHED) < 0);
	if (!strstr(store_errmsg(st), want)) {
		check_failures++;
		fprintf(stderr, "fault %s: message '%s' lacks '%s'\n", name, store_errmsg(st), want);
	}
	if (run.id)
		store_run_end(st, &run, RUN_FAILED);
	store_close(st);
	fault_budget = -1;
	trainer_free(&t);
	dataset_free(&ds);

	check_whole(name, budget == 0);
}

/* Damaged records: each refused with a reason, nothing crashes. */
static void
test_damage(void)
{
	struct store *st;
	struct run_info run;
	struct dataset ds;
	struct trainer t;
	char err[STORE_ERRLEN], path[512];
	FILE *f;

	if (!(st = open_db("damage.db", 1, 0)))
		return;
	train_run(st, "d", 10, N_STEPS, NULL);
	store_close(st);

	CHECK(raw_exec("damage.db", "UPDATE snapshots SET params = substr(params, 1, 100) "
	    "WHERE step = 10") == 0);
	st = open_db("damage.db", 0, 1);
	CHECK(st && store_find_run(st, "d", &run) == 0);
	CHECK(st && store_replay(st, &run, 15, &ds, &t) < 0 && strstr(store_errmsg(st), "blob of 100 bytes"));
	/* Other snapshots are still fine. */
	CHECK(st && store_replay(st, &run, 25, &ds, &t) == 0);
	if (st && t.model.p) {
		trainer_free(&t);
		dataset_free(&ds);
	}
	store_close(st);

	CHECK(raw_exec("damage.db", "UPDATE snapshots SET adam_v = zeroblob(length(adam_v)) "
	    "WHERE step = 20") == 0);
	st = open_db("damage.db", 0, 1);
	CHECK(st && store_find_run(st, "d", &run) == 0);
	CHECK(st && store_replay(st, &run, 20, &ds, &t) < 0 && strstr(store_errmsg(st), "bad checksum"));
	store_close(st);

	CHECK(raw_exec("damage.db", "UPDATE datasets SET text = 'x' || text") == 0);
	st = open_db("damage.db", 0, 1);
	CHECK(st && store_find_run(st, "d", &run) == 0);
	CHECK(st && store_replay(st, &run, 0, &ds, &t) < 0 && strstr(store_errmsg(st), "SHA-256"));
	store_close(st);

	CHECK(raw_exec("damage.db", "UPDATE runs SET n_embd = 9") == 0);
	st = open_db("damage.db", 0, 1);
	CHECK(st && store_find_run(st, "d", &run) < 0 && strstr(store_errmsg(st), "impossible model sizes"));
	store_close(st);
	CHECK(raw_exec("damage.db", "UPDATE runs SET n_embd = 4096, n_head = 1, n_layer = 64, "
	    "block_size = 4096") == 0);
	st = open_db("damage.db", 0, 1);
	CHECK(st && store_find_run(st, "d", &run) < 0 && strstr(store_errmsg(st), "GiB"));
	store_close(st);
	CHECK(raw_exec("damage.db", "UPDATE runs SET n_embd = 8, n_head = 2, n_layer = 1, "
	    "block_size = 8, n_steps = -1") == 0);
	st = open_db("damage.db", 0, 1);
	CHECK(st && store_find_run(st, "d", &run) < 0 && strstr(store_errmsg(st), "step count"));
	store_close(st);

	CHECK(raw_exec("damage.db", "PRAGMA user_version = 7") == 0);
	snprintf(path, sizeof path, "%s/damage.db", dir);
	CHECK(store_open(path, 0, 1, err, sizeof err) == NULL && strstr(err, "version 7 is newer"));
	CHECK(store_open(path, 1, 0, err, sizeof err) == NULL && strstr(err, "version 7 is newer"));

	CHECK(raw_exec("foreign.db", "CREATE TABLE t (x); INSERT INTO t VALUES (1);") == 0);
	snprintf(path, sizeof path, "%s/foreign.db", dir);
	CHECK(store_open(path, 1, 0, err, sizeof err) == NULL && strstr(err, "not an mgpt-tui database"));

	snprintf(path, sizeof path, "%s/text.db", dir);
	if ((f = fopen(path, "w"))) {
		fputs("hello, this is not a database at all\n", f);
		fclose(f);
	}
	CHECK(store_open(path, 1, 0, err, sizeof err) == NULL && strstr(err, "not an SQLite database"));
	CHECK(strncmp(err, path, strlen(path)) == 0);

	CHECK(store_open(dir, 1, 0, err, sizeof err) == NULL && strstr(err, "is a directory"));
	snprintf(path, sizeof path, "%s/absent.db", dir);
	CHECK(store_open(path, 0, 1, err, sizeof err) == NULL && strstr(err, "no such database"));
}

static void
test_paths(void)
{
	char buf[512];

	setenv("MGPT_TUI_DB", "/x/y.db", 1);
	CHECK(store_default_path(buf, sizeof buf) && !strcmp(buf, "/x/y.db"));
	unsetenv("MGPT_TUI_DB");
	setenv("XDG_DATA_HOME", "/data", 1);
	CHECK(store_default_path(buf, sizeof buf) && !strcmp(buf, "/data/mgpt-tui/runs.db"));
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	CHECK(store_default_path(buf, sizeof buf) && !strcmp(buf, "/home/u/.local/share/mgpt-tui/runs.db"));
	CHECK(store_default_path(buf, 8) == NULL);
	{
		char p[512], err[256];
		struct stat sb;

		snprintf(p, sizeof p, "%s/xdg/a/mgpt-tui/runs.db", dir);
		CHECK(store_mkdir_parent(p, err, sizeof err) == 0);
		snprintf(p, sizeof p, "%s/xdg/a/mgpt-tui", dir);
		CHECK(stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700);
	}
}

int
main(void)
{
	static struct traj tj;
	const char *tmp = getenv("TMPDIR");
	char cmd[600];
	long s;

	snprintf(dir, sizeof dir, "%s/mgpt-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_hashes();
	test_replay(&tj);
	test_names();
	test_resume(&tj);
	test_nonfinite();
	test_sweep_cache();
	test_reader();
	test_hot_journal();
	test_reader_thread();
	test_damage();
	test_paths();
	fault_install();
	test_fault("full.db", SQLITE_FULL, "database or disk is full", 400000);
	test_fault("ioerr.db", SQLITE_IOERR_WRITE, "disk I/O error", 250000);
	test_fault_thread("fullthread.db", SQLITE_FULL, "database or disk is full", 400000);
	test_fault_thread("ioerrthread.db", SQLITE_IOERR_WRITE, "disk I/O error", 250000);
	test_fault_thread("startthread.db", SQLITE_FULL, "database or disk is full", 0);
	for (s = 0; s <= N_STEPS; s++) {
		free(tj.p[s]);
		free(tj.m[s]);
		free(tj.v[s]);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return CHECK_DONE();
}
