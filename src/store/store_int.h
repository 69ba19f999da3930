/* SPDX-License-Identifier: MIT */
/* store_int.h - what the run store's source files share; not a contract.
 *
 * One struct store per open database. Statements are prepared on first use
 * and kept until store_close (each is reset after use). Steps are buffered
 * in memory and written in short transactions (see store_flush), so a
 * writer holds the write lock only while it writes, never while it trains. */
#ifndef MGPT_STORE_INT_H
#define MGPT_STORE_INT_H

#include <sqlite3.h>

#include "store.h"
#include "store_text.h"

#define STORE_APP_ID  0x4d475054   /* "MGPT" in the header's application_id */
#define STORE_SCHEMA  3            /* user_version this program writes */

enum store_sql {
	SQL_INSERT_STEP, SQL_INSERT_SNAPSHOT, SQL_UPDATE_BEST, SQL_INSERT_SAMPLE,
	SQL_FIND_ID, SQL_FIND_NAME, SQL_FIND_LATEST, SQL_LIST_RUNS,
	SQL_LOAD_DATASET, SQL_SNAPSHOT_AT, SQL_LOSS_RANGE, SQL_LOSSES,
	SQL__COUNT
};

struct pending_step {
	long   step;        /* 1-based */
	struct step_stats s;
};

struct store {
	sqlite3       *db;
	char           path[1024];     /* as the user gave it, for messages */
	int            readonly;
	char           err[STORE_ERRLEN];
	sqlite3_stmt  *stmt[SQL__COUNT];   /* prepared on first use */
	double         commit_every;   /* seconds between step flushes */
	double         last_flush;     /* monotonic seconds */
	struct pending_step *pend;     /* [n_pend] steps not yet written */
	size_t         n_pend, cap_pend;
	unsigned char *blob;           /* [blob_cap] snapshot encoding scratch */
	size_t         blob_cap;
	const char    *ds_text;        /* the new run's dataset, between */
	size_t         ds_len;         /* store_run_create and store_run_start */
	char           ds_hash[65];
	char          *ds_own;         /* ds_text when built (malloc'd), else NULL */
	const char    *known_text;     /* store_run_known_data's, for the next */
	size_t         known_len;      /* store_run_create */
	char           known_hash[65];
	struct model   layout;         /* tensors of the model last encoded (p unused) */
	int            busy;           /* the last failure was SQLITE_BUSY/LOCKED: try again */
};

/* store_open; with deferred, a writer's open that writes nothing: when it
 * would have to (create the file, set up or upgrade the schema) it stops
 * there, returns NULL and sets *deferred. */
struct store *store_open_ex(const char *path, int create, int readonly, int *deferred,
                            char *err, size_t errlen);
int           store_fail(struct store *st, const char *fmt, ...)
              __attribute__((format(printf, 2, 3)));
int           store_fail_sql(struct store *st, const char *what);
sqlite3_stmt *store_stmt(struct store *st, enum store_sql id);
int           store_exec(struct store *st, const char *sql);
/* The logging thread's page cache on st (logger.c); -1 with the error set. */
int           store_log_cache(struct store *st);
/* sqlite3_step for the read paths: a read-only store that meets the hot
 * journal of a writer killed since it opened the file rolls it back (as
 * store_open does) and steps again. */
int           store_step(struct store *st, sqlite3_stmt *s);
/* BEGIN IMMEDIATE (in the rollback journal: see store.c). */
int           store_begin_write(struct store *st);
/* store_log_samples and store_run_end in one transaction. */
int           store_run_finish(struct store *st, struct run_info *run, char *const *names,
                               int n, enum run_status status);
/* Write the buffered steps now (nothing when none are). */
int           store_log_flush(struct store *st, const struct run_info *run);
/* How long one statement waits for another connection's lock (the tests
 * shorten it to reach the logger's own waiting). */
void          store_set_busy_timeout(struct store *st, int ms);
/* Roll back whatever transaction a failed statement may have left open. */
void          store_abort(struct store *st);
/* One integer pragma's (or query's) value into *v; -1 with the error set. */
int           store_pragma_int(struct store *st, const char *sql, int64_t *v);
/* store_schema.c: refuse what is not a regular file holding an mgpt-tui
 * (or empty) database, reading its header without SQLite (*exists: the
 * file is there); the schema check (*fresh: empty, to be set up; -2: a
 * read-only connection met a hot journal); the migrations to this
 * program's schema, in one transaction. */
int           store_preflight(struct store *st, const char *path, int create, int *exists);
int           store_check_schema(struct store *st, int *fresh);
int           store_migrate(struct store *st, int fresh);
/* Decode the RUN_COLS of the current row; validates every field. */
int           store_run_decode(struct store *st, sqlite3_stmt *s, struct run_info *out);
double        store_now(void);
/* 1 when the run's recorded process is certainly not alive any more. */
int           store_proc_gone(int64_t pid, const char *host, const char *boot, int64_t start);
void          store_proc_self(int64_t *pid, char *host, size_t hostlen, char *boot,
                              size_t bootlen, int64_t *start);
/* A snapshot of ts into st->blob (params, m, v: 3 * n_params LE doubles in
 * the reference layout of cfg's model) and its checksum. */
int           store_snapshot_encode(struct store *st, const struct model_config *cfg,
                                    const struct train_state *ts, uint64_t *sum);
/* The new run's dataset text is not needed any more. */
void          store_drop_text(struct store *st);
/* All the logging thread has, in one transaction: the run's start (start:
 * the trainer at step 0, for a run not started yet: run->id 0, after
 * store_run_create; else NULL), the buffered steps, the snapshots
 * snap[n_snap] (in step order, each at or before the steps logged), and
 * the run's end (end: NULL, or its names and status).
 * On failure nothing is written and a start stays to be done. */
int           store_log_commit(struct store *st, struct run_info *run,
                               const struct trainer *start, const struct train_state *snap,
                               int n_snap, const struct store_end *end);
/* Append a trained step to the buffer (run's figures updated); no write. */
void          store_log_append(struct store *st, struct run_info *run, const struct step_stats *s);

#define RUN_COLS "id, name, status, created, ended, seed, vocab_size, n_embd, n_head, " \
	"n_layer, block_size, n_params, n_steps, snapshot_every, temperature, samples, " \
	"version, best_loss, pid, host, boot_id, proc_start, data_source, lr, beta1, beta2, eps, " \
	"(SELECT max(step) FROM steps WHERE run_id = runs.id), " \
	"(SELECT loss FROM steps WHERE run_id = runs.id ORDER BY step DESC LIMIT 1)"

#endif
