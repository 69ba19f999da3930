/* SPDX-License-Identifier: MIT */
/* test_store_lock.c - nothing lost, nothing blocked (issue 9): viewers and
 * writers on one database in several processes and connections.
 *
 * - opening a connection keeps the locks of the process's others (the
 *   header check once closed a descriptor of the file, which dropped them);
 * - a writer logging runs while a viewer in another process opens, reads,
 *   replays and writes the statistics cache over and over never fails;
 * - the logging thread waits out a lock held past its busy timeout and
 *   loses nothing;
 * - a new run never takes, or marks, another run's id (2^63-1 held);
 * - a "running" row whose process is unknown (NULL pid) is interrupted;
 * - a model whose snapshot cannot be one row is refused before training. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store.h"
#include "store_int.h"
#include "store_view.h"
#include "train.h"

static const char names[] =
	"emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn\n"
	"abigail\nemily\nelizabeth\nmila\nella\navery\nsofia\ncamila\naria\nscarlett\n";

static const struct model_config small = { 0, 8, 2, 1, 8 };
static char dir[256];

static void
load_names(struct dataset *ds)
{
	char err[DATASET_ERRLEN];

	if (dataset_parse(ds, names, strlen(names), err, sizeof err) < 0) {
		fprintf(stderr, "dataset: %s\n", err);
		exit(1);
	}
}

static const char *
path_of(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static struct store *
open_db(const char *name, int create, int readonly)
{
	char err[STORE_ERRLEN];
	struct store *st = store_open(path_of(name), create, readonly, err, sizeof err);

	if (!st)
		fprintf(stderr, "store_open: %s\n", err);
	return st;
}

static void
init_run(struct run_info *run, const char *name, long steps, long every)
{
	memset(run, 0, sizeof *run);
	snprintf(run->name, sizeof run->name, "%s", name);
	run->seed = 7;
	run->cfg = small;
	run->n_steps = steps;
	run->snapshot_every = every;
	run->temperature = 0.5;
	run->n_samples = 1;
}

/* A run of `steps` steps through the logging thread; 0 when every write
 * succeeded and the run is finished. */
static int
log_run(struct store *st, const char *name, long steps, long every)
{
	struct store_logger *lg;
	struct dataset ds;
	struct trainer t;
	struct step_stats ss;
	struct run_info run;
	char *s[1] = { "ann" };
	int bad = 0;

	load_names(&ds);
	init_run(&run, name, steps, every);
	if (store_run_create(st, &run, &ds) < 0) {
		fprintf(stderr, "run_create: %s\n", store_errmsg(st));
		dataset_free(&ds);
		return -1;
	}
	trainer_init(&t, &ds, &small, 7, steps);
	if (!(lg = store_logger_start(st, &run, &t)))
		bad = 1;
	while (!bad && t.step < steps) {
		trainer_step(&t, &ss);
		if (store_logger_step(lg, &ss) < 0 ||
		    ((t.step % every == 0 || t.step == steps) &&
		     store_logger_snapshot(lg, store_state_of(&t)) < 0)) {
			store_logger_stop(lg);
			lg = NULL;
			bad = 1;
		}
	}
	if (lg && store_logger_end(lg, s, 1, RUN_FINISHED) < 0)
		bad = 1;
	if (bad)
		fprintf(stderr, "logging %s: %s\n", name, store_errmsg(st));
	else if (run.status != RUN_FINISHED || run.steps_done != steps)
		bad = 1;
	trainer_free(&t);
	dataset_free(&ds);
	return bad ? -1 : 0;
}

/* Another process's answer to "PRAGMA journal_mode = DELETE" without
 * waiting: 0 when it switched the file out of WAL mode. */
static int
other_process_leaves_wal(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		sqlite3 *db;
		int rc = 1;

		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
			sqlite3_stmt *s;

			sqlite3_busy_timeout(db, 0);
			if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = DELETE", -1, &s, NULL) == SQLITE_OK) {
				if (sqlite3_step(s) == SQLITE_ROW &&
				    !strcmp((const char *)sqlite3_column_text(s, 0), "delete"))
					rc = 0;
				sqlite3_finalize(s);
			}
		}
		sqlite3_close(db);
		_exit(rc);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* Is a read lock held on the file's shared-lock bytes (by any process)? */
static int
shared_locked(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct flock fl;
		int fd = open(path, O_RDWR);

		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = 0x40000002;   /* SQLite's SHARED_FIRST */
		fl.l_len = 510;            /* SHARED_SIZE */
		if (fd < 0 || fcntl(fd, F_GETLK, &fl) < 0)
			_exit(2);
		_exit(fl.l_type == F_UNLCK ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Put an existing database in WAL mode, as an earlier mgpt-tui (which
 * wrote in WAL mode) leaves it while it runs or when it is killed. */
static int
set_wal(const char *path)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* The replay screen opens connections while others of the process are
 * open. Each open used to close a descriptor of the file, which dropped
 * every POSIX lock the process held on it: another process could then
 * switch the file out of WAL mode under the open connection, and the
 * connections were left with a lock no transaction owned. (This program
 * now writes in the rollback journal, where an idle connection holds no
 * lock; a file in WAL mode, left by an earlier version, is still read
 * and written in WAL mode, and folded back by the last writer.) */
static void
test_open_keeps_locks(void)
{
	struct store *w = open_db("locks.db", 1, 0), *r, *r2;
	const char *path = path_of("locks.db");

	if (!w)
		return;
	store_close(w);
	CHECK(set_wal(path) == 0);
	if (!(w = open_db("locks.db", 0, 0)))
		return;
	CHECK(log_run(w, "a", 20, 10) == 0);
	/* w is in WAL mode: it holds a shared lock on the file while open */
	CHECK(shared_locked(path) == 1);
	r = open_db("locks.db", 0, 1);
	r2 = open_db("locks.db", 0, 0);
	CHECK(r && r2);
	CHECK(shared_locked(path) == 1);
	CHECK(other_process_leaves_wal(path) == 1);
	/* the connections still work, and the file is still theirs */
	if (r) {
		struct run_info ri;

		CHECK(store_find_run(r, "a", &ri) == 0 && ri.steps_done == 20);
	}
	store_close(r);
	store_close(r2);
	CHECK(other_process_leaves_wal(path) == 1);
	store_close(w);
	/* nobody has it open: folded back into one file */
	CHECK(shared_locked(path) == 0);
	CHECK(access(path_of("locks.db-wal"), F_OK) < 0);
}

/* A viewer doing what the run view does (open, list, replay a long run,
 * write the statistics cache, close), over and over, beside writers in
 * another process: every writer finishes. */
static void
test_viewer_beside_writers(void)
{
	struct store *w = open_db("busy.db", 1, 0);
	pid_t pid;
	int status, rounds = 0, i;
	struct timespec t0, t1;

	if (!w)
		return;
	CHECK(log_run(w, "long", 600, 50) == 0);
	store_close(w);
	pid = fork();
	if (pid == 0) {
		int bad = 0;
		char name[32];

		if (!(w = open_db("busy.db", 0, 0)))
			_exit(3);
		store_set_commit_interval(w, 0);   /* a commit a step: the most contention */
		for (i = 0; i < 6; i++) {
			snprintf(name, sizeof name, "w%d", i);
			bad |= log_run(w, name, 300, 25) < 0;
		}
		store_close(w);
		_exit(bad);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct store *r = open_db("busy.db", 0, 1), *rw;
		struct run_info ri;
		struct dataset ds;
		struct trainer t;
		struct headstat hs[2];

		if (!r)
			break;
		if (store_find_run(r, "long", &ri) == 0 &&
		    store_replay(r, &ri, 1 + rounds * 37 % 599, &ds, &t) == 0) {
			rw = open_db("busy.db", 0, 0);
			memset(hs, 0, sizeof hs);
			CHECK(rw && store_headstats_save(rw, ri.id, "emma", 0, 1, 2, hs) == 0);
			store_close(rw);
			trainer_free(&t);
			dataset_free(&ds);
		}
		store_close(r);
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (waitpid(pid, &status, WNOHANG) == 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(rounds > 0);
	(void)t1;
}

/* export's callback runs outside any read transaction: a writer in
 * another connection commits meanwhile without waiting, even with the
 * file in rollback mode (where a reader's lock keeps a commit out). */
struct each_ctx {
	long rows;
	int  wrote;        /* commits made from inside the callback */
};

static int
each_write(void *arg, const struct step_row *r)
{
	struct each_ctx *c = arg;
	sqlite3 *db;

	c->rows++;
	if (r->step % 1000 == 1) {
		if (sqlite3_open(path_of("each.db"), &db) == SQLITE_OK) {
			sqlite3_busy_timeout(db, 0);
			if (sqlite3_exec(db, "UPDATE runs SET name = name", NULL, NULL, NULL) == SQLITE_OK)
				c->wrote++;
		}
		sqlite3_close(db);
	}
	return 0;
}

static void
test_each_step_holds_nothing(void)
{
	struct store *w = open_db("each.db", 1, 0), *r;
	struct run_info ri;
	struct each_ctx c = { 0, 0 };

	if (!w)
		return;
	CHECK(log_run(w, "e", 9000, 1000) == 0);
	store_close(w);   /* back in rollback mode */
	if (!(r = open_db("each.db", 0, 1)))
		return;
	CHECK(store_find_run(r, "e", &ri) == 0);
	CHECK(store_each_step(r, ri.id, each_write, &c) == 0);
	CHECK(c.rows == 9000);
	CHECK(c.wrote == 9);
	store_close(r);
}

/* A lock held past the writer's busy timeout: the logging thread waits
 * (training goes on into the queue) and the run is whole. */
static void
test_logger_waits(void)
{
	struct store *w = open_db("wait.db", 1, 0);
	int fds[2], status;
	char c;
	pid_t pid;

	if (!w || pipe(fds) < 0)
		return;
	CHECK(log_run(w, "first", 10, 5) == 0);
	pid = fork();
	if (pid == 0) {
		sqlite3 *db;

		close(fds[0]);
		if (sqlite3_open(path_of("wait.db"), &db) != SQLITE_OK ||
		    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		usleep(1500 * 1000);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(db);
		_exit(0);
	}
	close(fds[1]);
	CHECK(read(fds[0], &c, 1) == 1);
	close(fds[0]);
	store_set_busy_timeout(w, 20);   /* far shorter than the lock is held */
	CHECK(log_run(w, "second", 200, 50) == 0);
	waitpid(pid, &status, 0);
	{
		struct run_info ri;

		CHECK(store_find_run(w, "second", &ri) == 0 && ri.status == RUN_FINISHED &&
		    ri.steps_done == 200);
	}
	store_close(w);
}

static int
raw_exec(const char *name, const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path_of(name), &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "raw_exec: %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* A database holding id 2^63-1: the next run takes a free id, and a run
 * that fails never touches another run's row. */
static void
test_id_collision(void)
{
	struct store *w = open_db("ids.db", 1, 0);
	struct run_info a, b, dup;
	struct dataset ds;
	struct trainer t;

	if (!w)
		return;
	CHECK(log_run(w, "old", 10, 5) == 0);
	store_close(w);
	CHECK(raw_exec("ids.db", "UPDATE runs SET id = 9223372036854775807;"
	    "UPDATE steps SET run_id = 9223372036854775807;"
	    "UPDATE snapshots SET run_id = 9223372036854775807;"
	    "UPDATE samples SET run_id = 9223372036854775807;") == 0);
	if (!(w = open_db("ids.db", 0, 0)))
		return;
	CHECK(log_run(w, "new", 10, 5) == 0);
	CHECK(store_find_run(w, "old", &a) == 0 && a.status == RUN_FINISHED &&
	    a.id == INT64_MAX);
	CHECK(store_find_run(w, "new", &b) == 0 && b.status == RUN_FINISHED && b.id != INT64_MAX);
	/* a run whose start fails (its name was taken meanwhile) gets no
	 * id, and ending it touches no row */
	load_names(&ds);
	init_run(&dup, "dupe", 10, 5);
	CHECK(store_run_create(w, &dup, &ds) == 0);
	CHECK(store_rename_run(w, INT64_MAX, "dupe") == 0);
	trainer_init(&t, &ds, &small, 7, 10);
	CHECK(store_run_start(w, &dup, &t) < 0 && strstr(store_errmsg(w), "already exists"));
	CHECK(dup.id == 0);
	CHECK(store_run_end(w, &dup, RUN_FAILED) < 0);
	CHECK(store_find_run(w, "dupe", &a) == 0 && a.status == RUN_FINISHED && a.id == INT64_MAX);
	trainer_free(&t);
	dataset_free(&ds);
	store_close(w);
}

/* A "running" row with no pid: its process is unknown, so it is
 * interrupted (resumable, deletable), not "being trained by process 0". */
static void
test_null_pid(void)
{
	struct store *w = open_db("nullpid.db", 1, 0);
	struct run_info ri;
	struct dataset ds;
	struct trainer t;

	if (!w)
		return;
	CHECK(log_run(w, "r", 20, 10) == 0);
	store_close(w);
	CHECK(raw_exec("nullpid.db", "UPDATE runs SET status = 'running', ended = NULL, pid = NULL") == 0);
	if (!(w = open_db("nullpid.db", 0, 0)))
		return;
	CHECK(store_find_run(w, "r", &ri) == 0 && ri.status == RUN_INTERRUPTED && ri.pid == 0);
	CHECK(store_resume(w, &ri, &ds, &t) == 0);
	if (ri.status == RUN_RUNNING) {
		CHECK(store_run_end(w, &ri, RUN_INTERRUPTED) == 0);
		trainer_free(&t);
		dataset_free(&ds);
	}
	CHECK(store_find_run(w, "r", &ri) == 0 && store_delete_run(w, &ri) == 0);
	store_close(w);
}

/* A model whose snapshot (parameters and both moments in one row) is
 * larger than SQLite's largest row is refused when the run is created,
 * before anything is trained, with the limit in the message. */
static void
test_too_big(void)
{
	struct store *w = open_db("big.db", 1, 0);
	struct model_config big = { 28, 1024, 8, 4, 16 };
	struct run_info run;
	struct dataset ds;

	if (!w)
		return;
	load_names(&ds);
	init_run(&run, "big", 1, 1);
	big.vocab_size = ds.n_vocab + 1;
	run.cfg = big;
	CHECK(store_run_create(w, &run, &ds) < 0);
	CHECK(strstr(store_errmsg(w), "parameters") != NULL);
	CHECK(strstr(store_errmsg(w), "at most") != NULL);
	/* the default size is logged */
	init_run(&run, "ok", 1, 1);
	run.cfg.vocab_size = ds.n_vocab + 1;
	CHECK(store_run_create(w, &run, &ds) == 0);
	dataset_free(&ds);
	store_close(w);
}

int
main(void)
{
	snprintf(dir, sizeof dir, "%s/test_store_lock.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	test_open_keeps_locks();
	test_viewer_beside_writers();
	test_logger_waits();
	test_each_step_holds_nothing();
	test_id_collision();
	test_null_pid();
	test_too_big();
	{
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return CHECK_DONE();
}
