/* SPDX-License-Identifier: MIT */
/* store.c - opening and closing the run database, its errors and its
 * statements. What makes a file ours (the header read before SQLite sees
 * it, the schema and its migrations) is in store_schema.c; the queries that
 * read runs are in store_runs.c, the logging in store_run.c.
 *
 * Every file is untrusted until proven ours: the connection runs in
 * defensive mode with untrusted schema, triggers and views off. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "store_int.h"
#include "xmalloc.h"

static const char *const sql_text[SQL__COUNT] = {
	[SQL_INSERT_STEP] = "INSERT INTO steps (run_id, step, loss, lr, grad_norm, n_pos) "
	                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQL_INSERT_SNAPSHOT] = "INSERT INTO snapshots (run_id, step, n_params, params, "
	                        "adam_m, adam_v, checksum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQL_UPDATE_BEST] = "UPDATE runs SET best_loss = ?2 WHERE id = ?1",
	[SQL_INSERT_SAMPLE] = "INSERT INTO samples (run_id, idx, step, name) VALUES (?1, ?2, ?3, ?4)",
	[SQL_FIND_ID] = "SELECT " RUN_COLS " FROM runs WHERE id = ?1",
	[SQL_FIND_NAME] = "SELECT " RUN_COLS " FROM runs WHERE name = ?1",
	[SQL_FIND_LATEST] = "SELECT " RUN_COLS " FROM runs ORDER BY id DESC LIMIT 1",
	[SQL_LIST_RUNS] = "SELECT " RUN_COLS " FROM runs ORDER BY id",
	[SQL_LOAD_DATASET] = "SELECT d.hash, d.n_docs, d.text FROM runs r "
	                     "JOIN datasets d ON d.hash = r.dataset WHERE r.id = ?1",
	[SQL_SNAPSHOT_AT] = "SELECT step, n_params, params, adam_m, adam_v, checksum FROM snapshots "
	                    "WHERE run_id = ?1 AND step <= ?2 ORDER BY step DESC LIMIT 1",
	[SQL_LOSS_RANGE] = "SELECT step, loss FROM steps WHERE run_id = ?1 AND step > ?2 AND step <= ?3 "
	                   "ORDER BY step",
	[SQL_LOSSES] = "SELECT step, loss, lr FROM steps WHERE run_id = ?1 ORDER BY step",
};

/* ---- errors and statements ---- */

const char *
store_errmsg(const struct store *st)
{
	return st->err;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

sqlite3_stmt *
store_stmt(struct store *st, enum store_sql id)
{
	if (!st->stmt[id] && sqlite3_prepare_v3(st->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT,
	    &st->stmt[id], NULL) != SQLITE_OK) {
		store_fail_sql(st, NULL);
		st->stmt[id] = NULL;
		return NULL;
	}
	return st->stmt[id];
}

int
store_begin_write(struct store *st)
{
	if (st->readonly)
		return store_fail(st, "opened read-only");
	/* In the rollback journal, the mode the file is in at rest: no
	 * switch to WAL and back (two journal transactions and eight
	 * fdatasyncs a run), no checkpoint copying every page the run wrote
	 * a second time. A commit holds the file's exclusive lock only while
	 * it writes its pages; readers, whose every read is one short query,
	 * wait out those moments (busy timeout). */
	return store_exec(st, "BEGIN IMMEDIATE");
}

/* The file is in WAL mode for this connection: left so by an earlier
 * mgpt-tui (which wrote in WAL mode) that was stopped, or while one still
 * has it open; SQLite then opens it in WAL mode, and this connection's
 * writes go to the log too. Only a writer can fold it back. */
static int
in_wal(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int wal = 0;

	if (st->readonly || !st->db)
		return 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA main.journal_mode", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *m = sqlite3_column_text(s, 0);

		wal = m && !strcmp((const char *)m, "wal");
	}
	sqlite3_finalize(s);
	return wal;
}

void
store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

double
store_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

const char *
store_status_name(enum run_status s)
{
	switch (s) {
	case RUN_RUNNING: return "running";
	case RUN_FINISHED: return "finished";
	case RUN_INTERRUPTED: return "interrupted";
	case RUN_FAILED: return "failed";
	}
	return "?";
}

/* ---- where the database is ---- */

const char *
store_default_path(char *buf, size_t n)
{
	const char *env = getenv("MGPT_TUI_DB"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int r;

	if (env && *env)
		r = snprintf(buf, n, "%s", env);
	else if (xdg && xdg[0] == '/')   /* XDG: relative values are ignored */
		r = snprintf(buf, n, "%s/mgpt-tui/runs.db", xdg);
	else if (home && *home)
		r = snprintf(buf, n, "%s/.local/share/mgpt-tui/runs.db", home);
	else
		return NULL;
	return r < 0 || (size_t)r >= n ? NULL : buf;
}

int
store_mkdir_parent(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], *p;
	struct stat sb;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	if (stat(dir, &sb) == 0)
		return 0;
	for (p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: %s", dir, strerror(errno));
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static int
folder_writable(const char *path)
{
	char dir[PATH_MAX], *p;

	snprintf(dir, sizeof dir, "%s", path);
	p = strrchr(dir, '/');
	if (!p)
		return access(".", W_OK) == 0;
	if (p == dir)
		p[1] = '\0';
	else
		*p = '\0';
	return access(dir, W_OK) == 0;
}

/* Open st->db on path, read-only or not as st->readonly, untrusting. */
static int
connect(struct store *st, const char *path)
{
	int flags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;

	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		if (st->db)
			return store_fail_sql(st, NULL);
		return store_fail(st, "out of memory");
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	/* A viewer waits out a writer's brief locks instead of failing. */
	sqlite3_busy_timeout(st->db, st->readonly ? 5000 : 10000);
	if (store_exec(st, "PRAGMA cell_size_check = ON") < 0)
		return -1;
	if (st->readonly && store_exec(st, "PRAGMA query_only = ON") < 0)
		return -1;
	return 0;
}

/* A writer killed in mid-transaction while the file was in rollback mode
 * (creating the schema, or switching to WAL at the start of a run) leaves
 * a hot journal beside it, and a read-only connection then refuses to read
 * at all ("attempt to write a readonly database"). Roll it back as any
 * SQLite writer does on its first read: the file goes back to its last
 * committed state and the journal goes. SQLite checks that no live writer
 * owns the journal. */
static int
roll_back_journal(struct store *st, const char *path)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
		sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, "PRAGMA application_id", NULL, NULL, NULL);
	}
	sqlite3_close(db);
	if (rc != SQLITE_OK)
		return store_fail(st, "a stopped writer left a journal beside it that must be "
		    "rolled back, and the file or its folder is not writable");
	return 0;
}

int
store_step(struct store *st, sqlite3_stmt *s)
{
	int fresh = !sqlite3_stmt_busy(s), rc = sqlite3_step(s);

	/* Only a statement's first step takes the read lock: later ones
	 * cannot meet a journal that was not hot then. */
	if (rc == SQLITE_READONLY_ROLLBACK && fresh && st->readonly &&
	    roll_back_journal(st, st->path) == 0) {
		sqlite3_reset(s);
		rc = sqlite3_step(s);
	}
	return rc;
}

struct store *
store_open(const char *path, int create, int readonly, char *err, size_t errlen)
{
	return store_open_ex(path, create, readonly, NULL, err, errlen);
}

struct store *
store_open_ex(const char *path, int create, int readonly, int *deferred, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof *st);
	int exists, fresh, fd, rc;
	int64_t ver = 0;

	snprintf(st->path, sizeof st->path, "%s", path);
	st->readonly = readonly;
	st->commit_every = STORE_COMMIT_SECONDS;
	if (deferred)
		*deferred = 0;
	if (store_preflight(st, path, create && !readonly, &exists) < 0)
		goto fail;
	if (deferred && !readonly && !exists) {
		/* creating it is a write */
		*deferred = 1;
		goto fail;
	}
	if (!readonly && (!folder_writable(path) || (exists && access(path, W_OK) < 0))) {
		store_fail(st, "cannot write here (%s is read-only)", exists && access(path, W_OK) < 0 ?
		    "the file" : "its folder");
		goto fail;
	}
	if (!exists) {
		/* Made here so that it, and the -wal and -shm files SQLite
		 * gives the same mode, are private. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			store_fail(st, "%s", strerror(errno));
			goto fail;
		}
		close(fd);
	}
	if (connect(st, path) < 0)
		goto fail;
	if ((rc = store_check_schema(st, &fresh)) < 0) {
		if (!readonly || rc != -2)
			goto fail;
		sqlite3_close(st->db);
		st->db = NULL;
		if (roll_back_journal(st, path) < 0 || connect(st, path) < 0 ||
		    store_check_schema(st, &fresh) < 0)
			goto fail;
	}
	if (!readonly) {
		if (sqlite3_db_readonly(st->db, "main") == 1) {
			store_fail(st, "cannot write here (the file is read-only)");
			goto fail;
		}
		if (!fresh && store_pragma_int(st, "PRAGMA user_version", &ver) < 0)
			goto fail;
		if (fresh || ver < STORE_SCHEMA) {
			if (deferred) {
				/* setting it up is a write: left to the normal open */
				*deferred = 1;
				goto fail;
			}
			if (store_migrate(st, fresh) < 0)
				goto fail;
		}
		/* EXTRA: each commit is on the disk when it returns, so a
		 * power loss keeps every committed step. The journal is
		 * synced before the file is written, the file before the
		 * journal is deleted, and (what EXTRA adds to FULL) the
		 * folder after it is deleted: otherwise a power loss just
		 * after a commit can bring the journal back, and the next
		 * open rolls the committed transaction back. */
		if (store_exec(st, "PRAGMA synchronous = EXTRA") < 0 ||
		    store_exec(st, "PRAGMA foreign_keys = ON") < 0)
			goto fail;
	}
	return st;
fail:
	snprintf(err, errlen, "%s", st->err);
	store_close(st);
	return NULL;
}

int
store_fold(struct store *st)
{
	int rc;

	store_abort(st);
	if (!in_wal(st))
		return 0;
	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_exec(st->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_busy_timeout(st->db, st->readonly ? 5000 : 10000);
	if (rc == SQLITE_OK)
		return 0;
	/* another connection has the file open: it stays in WAL mode, and
	 * the last one to close it folds it */
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return 0;
	return store_fail_sql(st, "folding the log into the file");
}

void
store_drop_text(struct store *st)
{
	free(st->ds_own);
	st->ds_own = NULL;
	st->ds_text = NULL;
}

void
store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	if (st->db) {
		store_abort(st);
		for (i = 0; i < SQL__COUNT; i++)
			sqlite3_finalize(st->stmt[i]);
		/* At rest the file is in rollback mode: viewers then open it
		 * without creating -wal/-shm files, even in a read-only folder.
		 * A file found in WAL mode is folded back by the last writer to
		 * close it (while another connection has it open, it stays). */
		if (in_wal(st)) {
			sqlite3_busy_timeout(st->db, 0);
			sqlite3_exec(st->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
		}
		sqlite3_close(st->db);
	}
	model_free(&st->layout);
	free(st->pend);
	free(st->blob);
	store_drop_text(st);
	free(st);
}

void
store_set_commit_interval(struct store *st, double seconds)
{
	st->commit_every = seconds;
}

