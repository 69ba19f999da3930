/* SPDX-License-Identifier: MIT */
/* store.h - the run database (SQLite): schema, logging, snapshots, replay.
 *
 * Functions return 0 on success and -1 on failure with a one-line reason
 * in st->err (naming the file where that helps); they never print or exit.
 * This is the contract the command line and the screen build on. */
#ifndef MGPT_STORE_H
#define MGPT_STORE_H

#include <stdint.h>

#include "dataset.h"
#include "model.h"
#include "train.h"

struct store;   /* an open database */

enum run_status { RUN_RUNNING, RUN_FINISHED, RUN_INTERRUPTED, RUN_FAILED };

struct run_info {
	int64_t  id;
	char     name[128];
	enum run_status status;     /* a stale "running" run whose process is gone reads as interrupted */
	int64_t  created, ended;    /* unix seconds; ended 0 while running */
	uint64_t seed;
	struct model_config cfg;
	long     n_steps;           /* planned */
	long     steps_done;        /* logged */
	double   last_loss, best_loss;  /* NaN when no step is logged */
	long     snapshot_every;
	double   temperature;       /* for the end-of-training samples */
	char     version[32];       /* program version that trained it */
	long     n_samples;         /* names drawn at the end of training */
	int64_t  pid;               /* the logging process while running, else 0 */
	char     data_source[256];  /* --data as given; "" for the bundled names */
	double   lr, beta1, beta2, eps; /* Adam's settings it trained with */
};

#define STORE_ERRLEN 512

/* Where the database is: --db, else $MGPT_TUI_DB, else
 * $XDG_DATA_HOME/mgpt-tui/runs.db (~/.local/share/... when unset). */
const char *store_default_path(char *buf, size_t n);

/* Open (creating when `create` and absent) and check the file; readonly
 * opens never write. NULL with *err filled on failure. */
struct store *store_open(const char *path, int create, int readonly, char *err, size_t errlen);
void          store_close(struct store *st);
const char   *store_errmsg(const struct store *st);

/* RUN is an id, a name, or "latest". */
int  store_find_run(struct store *st, const char *spec, struct run_info *out);
/* All runs, oldest first; *out is malloc'd. */
int  store_list_runs(struct store *st, struct run_info **out, int *n);
/* The run's documents in file order (before the shuffle). */
int  store_load_dataset(struct store *st, int64_t run_id, struct dataset *ds);

/* The complete training state after `step` steps (0..steps_done), bit for
 * bit what the training process had: nearest snapshot at or before it,
 * then the steps in between re-run. t is set up (trainer_init) from the
 * run's dataset and config; ds must outlive t.
 * (On failure neither needs freeing; on success free both.) */
int  store_replay(struct store *st, const struct run_info *run, long step,
                  struct dataset *ds, struct trainer *t);
/* Per-step log: loss[i], lr[i] for step i+1 (1-based like the printed
 * lines); *n receives the count. Arrays malloc'd. */
int  store_load_losses(struct store *st, int64_t run_id, double **loss, double **lr, long *n);

/* ---- additions to the contract above ---- */

/* One row of the per-step log. */
struct step_row {
	long   step;       /* 1-based */
	double loss;       /* NaN and infinities as they were */
	double lr;
	double grad_norm;
	int    n_pos;      /* token positions trained */
};
/* Call fn for each logged step of the run, in order; fn returns non-zero
 * to stop (store_each_step then returns it). The steps are read in short
 * queries of a few thousand, and fn is called between them, outside any
 * read transaction: a slow consumer (export piped into a pager) never
 * holds a lock a trainer waits for. */
int  store_each_step(struct store *st, int64_t run_id,
                     int (*fn)(void *ctx, const struct step_row *row), void *ctx);

/* Default snapshot interval and step-flush interval: see the man page
 * (FILES) for the measurements behind them. */
#define STORE_SNAPSHOT_EVERY  250
#define STORE_COMMIT_SECONDS  0.25

const char *store_status_name(enum run_status s);   /* "running", ... */
const char *store_path(const struct store *st);     /* as given to store_open */
/* Can this be a run's name? (Not empty, under 128 bytes, valid UTF-8, no
 * control characters (C0, DEL, C1), not starting with '-', not all digits,
 * not "latest".) -1 with the reason. */
int  store_check_name(const char *name, char *err, size_t errlen);
/* Create the database's folder (and missing parents) with mode 0700; for
 * the default path only. */
int  store_mkdir_parent(const char *path, char *err, size_t errlen);
/* Seconds between flushes of logged steps (0: every step is its own
 * transaction). Snapshots and store_run_end always flush. */
void store_set_commit_interval(struct store *st, double seconds);

/* Logging a new run. store_run_create checks run->name (empty: generated
 * as run-<id>) and takes a copy of ds, which must still be in file order
 * (call it before trainer_init shuffles it); it writes nothing.
 * run->seed, cfg, n_steps, snapshot_every, temperature, n_samples and
 * data_source must be set. store_run_start then writes the dataset (once
 * per content), the run and the snapshot of t at step 0 in one
 * transaction, and fills run->id, name, created, status. */
int  store_run_create(struct store *st, struct run_info *run, const struct dataset *ds);
/* The dataset of the next store_run_create is text[len] in the store's form
 * (documents in file order, each ended by '\n'), whose SHA-256 is
 * sha256_hex: neither built nor hashed then (the bundled names, hashed at
 * build time). text must outlive the run's start; it is not copied. */
void store_run_known_data(struct store *st, const char *text, size_t len, const char *sha256_hex);
int  store_run_start(struct store *st, struct run_info *run, const struct trainer *t);
/* What a snapshot records: the training state after `step` steps, the
 * parameters and Adam's moments, each [n_params] in the engine's layout
 * for the run's model sizes. */
struct train_state {
	long          step;
	const double *p, *m, *v;
};
static inline struct train_state
store_state_of(const struct trainer *t)
{
	struct train_state s = { t->step, t->model.p, t->adam.m, t->adam.v };

	return s;
}
/* Step run->steps_done + 1 trained: buffered, flushed by time. */
int  store_log_step(struct store *st, struct run_info *run, const struct step_stats *s);
/* Write the buffered steps now (a trainer that pauses). */
int  store_log_flush(struct store *st, const struct run_info *run);
/* Snapshot of the state (ts.step == run->steps_done); flushes. */
int  store_log_snapshot(struct store *st, struct run_info *run, struct train_state ts);
/* Names drawn after training, as UTF-8 text; written by store_run_end. */
int  store_log_samples(struct store *st, struct run_info *run, char *const *names, int n);
/* Write everything buffered and set the final status and end time. */
int  store_run_end(struct store *st, struct run_info *run, enum run_status status);

/* The end of a run as the logging thread writes it with its last steps:
 * the names drawn (names[n], UTF-8) and the final status. */
struct store_end {
	char *const     *names;
	int              n;
	enum run_status  status;
};

/* Logging from a thread of its own, so that training does not wait for
 * the database. From store_logger_start until store_logger_end or
 * store_logger_stop returns, st and run belong to the thread: the caller
 * touches neither. The thread writes what it is handed in order, in one
 * transaction a commit interval (snapshots included; with interval 0, one
 * a snapshot), waiting out a busy database. t is copied: for a new run
 * (run->id 0, after store_run_create) the thread starts it from t; after
 * store_resume it only takes t's sizes. NULL with the reason in store_errmsg(st) when no
 * thread can be started. Signals are left to the calling thread. */
struct store_logger;
struct store_logger *store_logger_start(struct store *st, struct run_info *run,
                                        const struct trainer *t);
/* Hand over a step / a snapshot (ts.step == the steps handed over).
 * Steps are handed over a few at a time (64, or what came in 20 ms; a
 * snapshot and the end hand over those before them). -1 once the thread
 * has stopped on an error, seen at the next hand-over: then call
 * store_logger_stop and read the reason in store_errmsg(st). A snapshot waits only when
 * earlier ones are still being written (a few copies are kept). */
int  store_logger_step(struct store_logger *lg, const struct step_stats *s);
int  store_logger_snapshot(struct store_logger *lg, struct train_state ts);
/* Write everything handed over, the samples (names[n], which must stay
 * valid until it returns) and the run's end (store_log_samples and
 * store_run_end), and join the thread; lg is freed. -1 with the reason in
 * store_errmsg(st) when any write failed. */
int  store_logger_end(struct store_logger *lg, char *const *names, int n, enum run_status status);
/* Join the thread without writing anything more; lg is freed. */
void store_logger_stop(struct store_logger *lg);

/* store_open(path, 1, 0) begun on a thread of its own, for a caller with
 * other work meanwhile (train reads its data). The thread writes nothing:
 * a file that needs writing to open (absent, empty, an older schema) is
 * left to the caller, so one that gives up on its own error leaves the
 * file as it was. store_open_join returns 1 with *st as store_open would
 * give it (NULL with err filled on failure), or 0 when the caller must
 * open it itself; op is freed either way. */
struct store_opening;
struct store_opening *store_open_start(const char *path);
int  store_open_join(struct store_opening *op, struct store **st, char *err, size_t errlen);

/* For a file found in WAL mode (this program writes in the rollback
 * journal; earlier versions wrote in WAL mode): fold the write-ahead log
 * back into the one file and leave WAL mode, as the last writer to close
 * the file does (store_close does it too, but cannot say that it failed);
 * nothing for a file in rollback mode. 0 also when another connection has the file
 * open (it is left in WAL mode for that one to fold); -1 when the fold
 * failed (a full disk): the committed transactions are then still in the
 * -wal file beside it, which the next writer to open the file folds in. */
int  store_fold(struct store *st);

/* Take an interrupted or failed run back: replay t (with ds) to its last
 * snapshot, drop the steps and samples logged after it, mark it running
 * in this process. Refuses a finished run or one whose process lives,
 * writing nothing. (On failure t and ds need no freeing.) */
int  store_resume(struct store *st, struct run_info *run, struct dataset *ds, struct trainer *t);
/* Delete a run and everything only it references (its dataset when no
 * other run uses it); refuses a run that is still being trained. */
int  store_delete_run(struct store *st, const struct run_info *run);
/* Move a trainer set up by store_replay (same run) to `step`: forwards
 * from where it is when that is closer than the nearest snapshot. Every
 * re-run step's loss is compared with the logged one; a difference is an
 * error (a different engine build). The trace holds no defined step. */
int  store_seek(struct store *st, const struct run_info *run, long step, struct trainer *t);

#endif
