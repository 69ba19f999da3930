/* SPDX-License-Identifier: MIT */
/* store_tool.c - what the shell tests need to look inside a run database
 * without the sqlite3 shell:
 *
 *   store_tool check DB          integrity_check (opening it read-write,
 *                                as a writer would), and every run's steps
 *                                1..n without a gap, a snapshot at step 0,
 *                                none past the log; prints "ID STATUS STEPS"
 *                                a line (status as `runs` reads it)
 *   store_tool state DB RUN STEP XXH64 of the replayed parameters, m and v
 *   store_tool sql DB SQL        run SQL (to damage a file on purpose, or
 *                                to make another program's database);
 *                                rows it returns are printed, columns
 *                                separated by '|', NULL as empty
 *   store_tool view DB RUN       what the run view does with a run, as
 *                                the replay screen does it: a
 *                                read-only connection replays it from
 *                                step 0 computing the head statistics of
 *                                every step (probe "a"), and a second,
 *                                read-write one opened and closed for each
 *                                slice writes them to the cache
 *   store_tool die DB SQL        run SQL (say, BEGIN and an UPDATE) and die
 *                                by SIGKILL before committing it: a writer
 *                                killed in mid-transaction, its journal left
 *
 * Exit 0 when all is well, 1 with a reason on stderr otherwise. */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "headstats.h"
#include "store.h"
#include "store_view.h"
#include "train.h"

/* sqlite3_exec's callback for `sql`: one row a line. */
static int
print_row(void *arg, int n, char **val, char **name)
{
	int i;

	(void)arg;
	(void)name;
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "|" : "", val[i] ? val[i] : "");
	putchar('\n');
	return 0;
}

static int
fail(const char *what, sqlite3 *db)
{
	fprintf(stderr, "store_tool: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
	return 1;
}

static int
check(const char *path)
{
	struct run_info *runs;
	char err[STORE_ERRLEN];
	struct store *st;
	sqlite3_stmt *s;
	sqlite3 *db;
	int n, i, bad = 0;

	/* Read-write, as the next writer would: a hot journal left by a kill
	 * is rolled back first. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return fail(path, db);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return fail("integrity_check", db);
	while (sqlite3_step(s) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
			fprintf(stderr, "store_tool: integrity: %s\n", sqlite3_column_text(s, 0));
			bad = 1;
		}
	sqlite3_finalize(s);
	/* A database killed before its first commit has no tables yet. */
	if (sqlite3_prepare_v2(db, "SELECT r.id, (SELECT count(*) FROM steps WHERE run_id = r.id), "
	    "(SELECT coalesce(max(step), 0) FROM steps WHERE run_id = r.id), "
	    "(SELECT count(*) FROM snapshots WHERE run_id = r.id AND step = 0), "
	    "(SELECT coalesce(max(step), 0) FROM snapshots WHERE run_id = r.id) FROM runs r",
	    -1, &s, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		if (bad)
			return 1;
		printf("no runs\n");
		return 0;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(s, 0), cnt = sqlite3_column_int64(s, 1);
		long long max = sqlite3_column_int64(s, 2), snap0 = sqlite3_column_int64(s, 3);
		long long snap = sqlite3_column_int64(s, 4);

		if (cnt != max) {
			fprintf(stderr, "store_tool: run %lld: %lld steps logged, up to step %lld\n", id, cnt, max);
			bad = 1;
		}
		if (snap0 != 1 || snap > max) {
			fprintf(stderr, "store_tool: run %lld: snapshots wrong (step 0: %lld, last %lld of %lld)\n",
			    id, snap0, snap, max);
			bad = 1;
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (!(st = store_open(path, 0, 1, err, sizeof err)))
		return fail(err, NULL);
	if (store_list_runs(st, &runs, &n) < 0) {
		fprintf(stderr, "store_tool: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%lld %s %ld\n", (long long)runs[i].id, store_status_name(runs[i].status),
		    runs[i].steps_done);
	free(runs);
	store_close(st);
	return bad;
}

static int
state(const char *path, const char *spec, long step)
{
	char err[STORE_ERRLEN];
	struct store *st;
	struct run_info r;
	struct dataset ds;
	struct trainer t;
	size_t b;

	if (!(st = store_open(path, 0, 1, err, sizeof err)))
		return fail(err, NULL);
	if (store_find_run(st, spec, &r) < 0 || store_replay(st, &r, step < 0 ? r.steps_done : step,
	    &ds, &t) < 0) {
		fprintf(stderr, "store_tool: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	b = t.model.n_params * sizeof(double);
	printf("%ld %016llx %016llx %016llx\n", t.step, (unsigned long long)xxh64(t.model.p, b, 0),
	    (unsigned long long)xxh64(t.adam.m, b, 0), (unsigned long long)xxh64(t.adam.v, b, 0));
	trainer_free(&t);
	dataset_free(&ds);
	store_close(st);
	return 0;
}

#define VIEW_SLICE 200

static int
view(const char *path, const char *spec)
{
	char err[STORE_ERRLEN];
	struct store *st = store_open(path, 0, 1, err, sizeof err), *rw;
	struct run_info run;
	struct dataset ds;
	struct trainer t;
	struct trace tr;
	struct headstat *hs;
	int tok[1], nh, rc = 0;
	long to, got;

	if (!st) {
		fprintf(stderr, "store_tool: %s\n", err);
		return 1;
	}
	if (store_find_run(st, spec, &run) < 0 || store_replay(st, &run, 0, &ds, &t) < 0) {
		fprintf(stderr, "store_tool: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	nh = run.cfg.n_layer * run.cfg.n_head;
	hs = calloc((size_t)(VIEW_SLICE + 1) * nh, sizeof *hs);
	trace_init(&tr, &run.cfg);
	tok[0] = dataset_token(&ds, 'a') >= 0 ? dataset_token(&ds, 'a') : 0;
	while (rc == 0 && t.step < run.steps_done) {
		long from = t.step;

		to = from + VIEW_SLICE < run.steps_done ? from + VIEW_SLICE : run.steps_done;
		got = headstats_series(&t, to, &tr, tok, 1, hs, NULL);
		if (got <= 0)
			break;
		if (!(rw = store_open(path, 0, 0, err, sizeof err))) {
			fprintf(stderr, "store_tool: %s\n", err);
			rc = 1;
		} else {
			if (store_headstats_save(rw, run.id, "a", from, got, nh, hs) < 0) {
				fprintf(stderr, "store_tool: %s\n", store_errmsg(rw));
				rc = 1;
			}
			store_close(rw);
		}
		/* the replay screen reopens its reader around each write */
		store_close(st);
		if (!(st = store_open(path, 0, 1, err, sizeof err))) {
			fprintf(stderr, "store_tool: %s\n", err);
			rc = 1;
		}
		if (t.step == from)
			break;
	}
	free(hs);
	trace_free(&tr);
	trainer_free(&t);
	dataset_free(&ds);
	store_close(st);
	return rc;
}

int
main(int argc, char **argv)
{
	sqlite3 *db;
	int rc;

	if (argc == 3 && !strcmp(argv[1], "check"))
		return check(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "state"))
		return state(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "sql")) {
		if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
			return fail(argv[2], db);
		rc = sqlite3_exec(db, argv[3], print_row, NULL, NULL) != SQLITE_OK ? fail(argv[3], db) : 0;
		sqlite3_close(db);
		return rc;
	}
	if (argc == 4 && !strcmp(argv[1], "view"))
		return view(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "die")) {
		if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
			return fail(argv[2], db);
		if (sqlite3_exec(db, argv[3], NULL, NULL, NULL) != SQLITE_OK)
			return fail(argv[3], db);
		raise(SIGKILL);
	}
	fprintf(stderr, "usage: store_tool check DB | state DB RUN STEP | sql DB SQL | view DB RUN | die DB SQL\n");
	return 2;
}
