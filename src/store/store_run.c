/* SPDX-License-Identifier: MIT */
/* store_run.c - logging a run: creation, steps, snapshots, samples, the
 * end; taking an interrupted run back (resume); deleting one.
 *
 * Steps are kept in memory and written in one short transaction every
 * commit_every seconds and with every snapshot, so that the write lock is
 * held only while writing: other trainers and viewers are never kept out
 * for long. A kill loses at most the steps since the last flush; the
 * database always holds a contiguous prefix of the run. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset.h"
#include "hash.h"
#include "store_int.h"
#include "xmalloc.h"

int
store_check_name(const char *name, char *err, size_t errlen)
{
	const unsigned char *p;
	int digits = 1, w;
	uint32_t c;

	if (!*name) {
		snprintf(err, errlen, "a run name cannot be empty");
		return -1;
	}
	if (strlen(name) >= sizeof ((struct run_info *)0)->name) {
		snprintf(err, errlen, "run name is too long (at most %zu bytes)",
		    sizeof ((struct run_info *)0)->name - 1);
		return -1;
	}
	if (name[0] == '-') {
		snprintf(err, errlen, "run name '%s' starts with '-' (it would read as an option)", name);
		return -1;
	}
	for (p = (const unsigned char *)name; *p; p += w) {
		w = utf8_get(p, strlen((const char *)p), &c);
		if (w == 0) {
			snprintf(err, errlen, "run name is not valid UTF-8");
			return -1;
		}
		/* C0, DEL and C1 (ESC [ in one byte) would reach the terminal */
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
			snprintf(err, errlen, "run name has a control character");
			return -1;
		}
		if (c < '0' || c > '9')
			digits = 0;
	}
	if (digits || !strcmp(name, "latest")) {
		snprintf(err, errlen, "run name '%s' would be read as %s", name,
		    digits ? "a run id" : "the latest run");
		return -1;
	}
	return 0;
}

static int
check_name(struct store *st, const char *name)
{
	char err[256];

	if (store_check_name(name, err, sizeof err) < 0)
		return store_fail(st, "%s", err);
	return 0;
}

static int
name_taken(struct store *st, const char *name)
{
	sqlite3_stmt *s = store_stmt(st, SQL_FIND_NAME);
	int rc;

	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail_sql(st, NULL);
	return rc == SQLITE_ROW;
}

/* A snapshot is one row: parameters, m and v, 8 bytes each, and a few
 * bytes more; SQLite's largest row (its length limit, 10^9 bytes as
 * built) bounds the models that can be logged. Said before training, not
 * after it (issue 9: a model of 50 million parameters trained 40 s and
 * then failed with "string or blob too big"). */
#define SNAPSHOT_ROW_SLACK 1024

static int
check_loggable(struct store *st, const struct model_config *cfg)
{
	uint64_t n = model_config_params(cfg);
	uint64_t limit = (uint64_t)sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, -1);
	uint64_t most = limit > SNAPSHOT_ROW_SLACK ? (limit - SNAPSHOT_ROW_SLACK) / 24 : 0;

	if (n > most)
		return store_fail(st, "a model of %llu parameters cannot be logged: a snapshot "
		    "holds 24 bytes a parameter in one row, and SQLite's rows hold at most %llu "
		    "bytes (at most %llu parameters; --no-db trains it without logging)",
		    (unsigned long long)n, (unsigned long long)limit, (unsigned long long)most);
	return 0;
}

void
store_run_known_data(struct store *st, const char *text, size_t len, const char *sha256_hex)
{
	st->known_text = text;
	st->known_len = len;
	snprintf(st->known_hash, sizeof st->known_hash, "%s", sha256_hex);
}

int
store_run_create(struct store *st, struct run_info *run, const struct dataset *ds)
{
	int taken;

	if (st->readonly)
		return store_fail(st, "opened read-only");
	if (check_loggable(st, &run->cfg) < 0)
		return -1;
	if (run->name[0]) {
		if (check_name(st, run->name) < 0 || (taken = name_taken(st, run->name)) < 0)
			return -1;
		if (taken)
			return store_fail(st, "a run named '%s' already exists", run->name);
	}
	store_drop_text(st);
	if (st->known_text) {
		st->ds_text = st->known_text;
		st->ds_len = st->known_len;
		memcpy(st->ds_hash, st->known_hash, sizeof st->ds_hash);
		st->known_text = NULL;
	} else {
		st->ds_text = st->ds_own = store_dataset_text(ds, &st->ds_len);
		st->ds_hash[0] = '\0';   /* by store_run_start, which may be on another thread */
	}
	run->steps_done = 0;
	run->last_loss = run->best_loss = NAN;
	return 0;
}

/* Write the buffered steps and best_loss; the caller holds a transaction. */
static int
write_pending(struct store *st, const struct run_info *run)
{
	sqlite3_stmt *s = store_stmt(st, SQL_INSERT_STEP), *u;
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < st->n_pend; i++) {
		const struct pending_step *p = &st->pend[i];

		sqlite3_bind_int64(s, 1, run->id);
		sqlite3_bind_int64(s, 2, p->step);
		if (isnan(p->s.loss))
			sqlite3_bind_null(s, 3);
		else
			sqlite3_bind_double(s, 3, p->s.loss);
		sqlite3_bind_double(s, 4, p->s.lr);
		if (isnan(p->s.grad_norm))
			sqlite3_bind_null(s, 5);
		else
			sqlite3_bind_double(s, 5, p->s.grad_norm);
		sqlite3_bind_int(s, 6, p->s.n_pos);
		if (sqlite3_step(s) != SQLITE_DONE) {
			store_fail_sql(st, NULL);
			sqlite3_reset(s);
			return -1;
		}
		sqlite3_reset(s);
	}
	if (!(u = store_stmt(st, SQL_UPDATE_BEST)))
		return -1;
	sqlite3_bind_int64(u, 1, run->id);
	if (isnan(run->best_loss))
		sqlite3_bind_null(u, 2);
	else
		sqlite3_bind_double(u, 2, run->best_loss);
	if (sqlite3_step(u) != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		sqlite3_reset(u);
		return -1;
	}
	sqlite3_reset(u);
	return 0;
}

static int
insert_snapshot(struct store *st, const struct run_info *run, int64_t run_id,
    const struct train_state *ts)
{
	sqlite3_stmt *s = store_stmt(st, SQL_INSERT_SNAPSHOT);
	size_t n = model_config_params(&run->cfg), bytes = n * 8;
	uint64_t sum;

	if (!s || store_snapshot_encode(st, &run->cfg, ts, &sum) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, ts->step);
	sqlite3_bind_int64(s, 3, (int64_t)n);
	sqlite3_bind_blob64(s, 4, st->blob, bytes, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 5, st->blob + bytes, bytes, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 6, st->blob + 2 * bytes, bytes, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (int64_t)sum);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

static int
begin(struct store *st)
{
	return store_begin_write(st);
}

/* The buffered steps leave the buffer only once committed: a commit that
 * fails (busy, full) keeps them for the next try. */
static int
commit(struct store *st)
{
	if (store_exec(st, "COMMIT") < 0) {
		store_abort(st);
		return -1;
	}
	st->n_pend = 0;
	st->last_flush = store_now();
	return 0;
}

static int
fail_txn(struct store *st)
{
	store_abort(st);
	return -1;
}

/* The rows of a run's start: its dataset (once per content), the run and
 * the snapshot of t at step 0; *id_out the run's id. The caller holds a
 * transaction, and on failure rolls it back and puts run->name back. */
static int
start_rows(struct store *st, struct run_info *run, const struct trainer *t, int64_t *id_out)
{
	char host[256], boot[64], gen[sizeof run->name];
	int64_t pid, start, id = 0;
	struct train_state state;
	sqlite3_stmt *s = NULL;
	int rc, k;

	if (!st->ds_text)
		return store_fail(st, "store_run_start without store_run_create");
	if (!st->ds_hash[0])
		sha256_hex(st->ds_text, st->ds_len, st->ds_hash);
	/* Once per content: a dataset already there (the bundled names,
	 * usually) is not built into a record again only to be ignored. */
	if (sqlite3_prepare_v2(st->db, "INSERT INTO datasets (hash, n_docs, text) SELECT ?1, ?2, ?3 "
	    "WHERE NOT EXISTS (SELECT 1 FROM datasets WHERE hash = ?1)", -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(s, 1, st->ds_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)t->ds->n_docs);
	sqlite3_bind_text64(s, 3, st->ds_text, st->ds_len, SQLITE_STATIC, SQLITE_UTF8);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(s);
	s = NULL;

	/* The id is chosen here, inside the write lock, so that a generated
	 * name can carry it: the next after the largest, or, once that is
	 * 2^63-1 (a database can hold it), the first free one. Never one a
	 * run has: max(id) + 1 overflowed there to 2^63-1 itself, and the
	 * failed run then marked the existing one failed (issue 9). */
	if (sqlite3_prepare_v2(st->db, "SELECT CASE WHEN max(id) IS NULL OR max(id) < 1 THEN 1 "
	    "WHEN max(id) < 9223372036854775807 THEN max(id) + 1 "
	    "WHEN NOT EXISTS (SELECT 1 FROM runs WHERE id = 1) THEN 1 "
	    "ELSE (SELECT min(r.id) + 1 FROM runs r WHERE r.id > 0 AND r.id < 9223372036854775807 "
	    "AND NOT EXISTS (SELECT 1 FROM runs q WHERE q.id = r.id + 1)) END FROM runs",
	    -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		goto sqlfail;
	if (sqlite3_column_type(s, 0) != SQLITE_INTEGER) {
		/* 1..2^63-1 all taken: not a database this program wrote */
		sqlite3_finalize(s);
		return store_fail(st, "no run id left");
	}
	id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (!run->name[0]) {
		snprintf(gen, sizeof gen, "run-%lld", (long long)id);
		for (k = 2; (rc = name_taken(st, gen)) == 1; k++)
			snprintf(gen, sizeof gen, "run-%lld-%d", (long long)id, k);
		if (rc < 0)
			return -1;
	} else
		snprintf(gen, sizeof gen, "%s", run->name);

	store_proc_self(&pid, host, sizeof host, boot, sizeof boot, &start);
	snprintf(run->name, sizeof run->name, "%s", gen);
	run->status = RUN_RUNNING;
	run->created = (int64_t)time(NULL);
	run->ended = 0;
	run->pid = pid;
	run->cfg = t->model.cfg;
	run->lr = t->adam.lr;
	run->beta1 = t->adam.beta1;
	run->beta2 = t->adam.beta2;
	run->eps = t->adam.eps;
	snprintf(run->version, sizeof run->version, "%s", PACKAGE_VERSION);
	if (sqlite3_prepare_v2(st->db, "INSERT INTO runs (id, name, status, created, seed, vocab_size, "
	    "n_embd, n_head, n_layer, block_size, n_params, n_steps, snapshot_every, lr, beta1, beta2, "
	    "eps, samples, temperature, dataset, data_source, version, pid, host, boot_id, proc_start) "
	    "VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
	    "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)", -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, run->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, run->created);
	sqlite3_bind_int64(s, 4, (int64_t)run->seed);
	sqlite3_bind_int(s, 5, run->cfg.vocab_size);
	sqlite3_bind_int(s, 6, run->cfg.n_embd);
	sqlite3_bind_int(s, 7, run->cfg.n_head);
	sqlite3_bind_int(s, 8, run->cfg.n_layer);
	sqlite3_bind_int(s, 9, run->cfg.block_size);
	sqlite3_bind_int64(s, 10, (int64_t)t->model.n_params);
	sqlite3_bind_int64(s, 11, run->n_steps);
	sqlite3_bind_int64(s, 12, run->snapshot_every);
	sqlite3_bind_double(s, 13, run->lr);
	sqlite3_bind_double(s, 14, run->beta1);
	sqlite3_bind_double(s, 15, run->beta2);
	sqlite3_bind_double(s, 16, run->eps);
	sqlite3_bind_int64(s, 17, run->n_samples);
	sqlite3_bind_double(s, 18, run->temperature);
	sqlite3_bind_text(s, 19, st->ds_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 20, run->data_source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 21, run->version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 22, pid);
	sqlite3_bind_text(s, 23, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 24, boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 25, start);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE) {
			sqlite3_finalize(s);
			return store_fail(st, "a run named '%s' already exists", run->name);
		}
		goto sqlfail;
	}
	sqlite3_finalize(s);
	s = NULL;
	state = store_state_of(t);
	if (insert_snapshot(st, run, id, &state) < 0)
		return -1;
	*id_out = id;
	return 0;
sqlfail:
	store_fail_sql(st, NULL);
	sqlite3_finalize(s);
	return -1;
}

/* After a start committed: the dataset's text is not needed again. */
static void
started(struct store *st, struct run_info *run, int64_t id)
{
	/* the run is this id from now on, and only once it is written: a
	 * failed start leaves run->id 0, which no call takes for a run */
	run->id = id;
	store_drop_text(st);
}

int
store_run_start(struct store *st, struct run_info *run, const struct trainer *t)
{
	st->n_pend = 0;   /* a new run has no steps yet */
	return store_log_commit(st, run, t, NULL, 0, NULL);
}

/* The buffered steps and the snapshots snap[n_snap] of run->id; the
 * caller holds a transaction. */
static int
write_batch(struct store *st, const struct run_info *run, const struct train_state *snap,
    int n_snap)
{
	int i;

	if (write_pending(st, run) < 0)
		return -1;
	for (i = 0; i < n_snap; i++)
		if (insert_snapshot(st, run, run->id, &snap[i]) < 0)
			return -1;
	return 0;
}

/* Write the buffered steps (and a snapshot) in one transaction. */
static int
flush(struct store *st, const struct run_info *run, const struct train_state *snap, int n_snap)
{
	if (begin(st) < 0)
		return -1;
	if (write_batch(st, run, snap, n_snap) < 0)
		return fail_txn(st);
	return commit(st);
}

static int
check_snapshots(struct store *st, const struct run_info *run, const struct train_state *snap,
    int n_snap)
{
	int i;

	for (i = 0; i < n_snap; i++)
		if (snap[i].step < 0 || snap[i].step > run->steps_done ||
		    (i > 0 && snap[i].step <= snap[i - 1].step))
			return store_fail(st, "run %lld: snapshot of step %ld after %ld logged steps",
			    (long long)run->id, snap[i].step, run->steps_done);
	return 0;
}

static int insert_samples(struct store *st, const struct run_info *run, char *const *names, int n);
static int update_end(struct store *st, struct run_info *run, enum run_status status);

int
store_log_commit(struct store *st, struct run_info *run, const struct trainer *start,
    const struct train_state *snap, int n_snap, const struct store_end *end)
{
	char name[sizeof run->name];
	int64_t id = run->id;

	if (check_snapshots(st, run, snap, n_snap) < 0)
		return -1;
	if (!start && !end && !st->n_pend && !n_snap)
		return 0;
	if (!start && run->id <= 0)
		return store_fail(st, "the run was never started: nothing of it is saved");
	memcpy(name, run->name, sizeof name);
	store_abort(st);   /* after a failure, the failed transaction */
	if (begin(st) < 0)
		return -1;
	if (start && start_rows(st, run, start, &id) < 0)
		goto fail;
	run->id = id;   /* the steps' and snapshots' rows name it */
	if (write_batch(st, run, snap, n_snap) < 0)
		goto fail;
	if (end && (insert_samples(st, run, end->names, end->n) < 0 ||
	    update_end(st, run, end->status) < 0))
		goto fail;
	if (commit(st) < 0)
		goto undo;
	if (start)
		started(st, run, id);
	return 0;
fail:
	store_abort(st);
undo:
	if (start) {
		run->id = 0;
		memcpy(run->name, name, sizeof name);
	}
	return -1;
}

int
store_log_flush(struct store *st, const struct run_info *run)
{
	return st->n_pend ? flush(st, run, NULL, 0) : 0;
}

void
store_log_append(struct store *st, struct run_info *run, const struct step_stats *s)
{
	struct pending_step *p;

	if (st->n_pend == st->cap_pend) {
		st->cap_pend = st->cap_pend ? 2 * st->cap_pend : 256;
		st->pend = xrealloc(st->pend, st->cap_pend * sizeof *st->pend);
	}
	p = &st->pend[st->n_pend++];
	p->step = run->steps_done + 1;
	p->s = *s;
	run->steps_done++;
	run->last_loss = s->loss;
	if (!isnan(s->loss) && (isnan(run->best_loss) || s->loss < run->best_loss))
		run->best_loss = s->loss;
}

int
store_log_step(struct store *st, struct run_info *run, const struct step_stats *s)
{
	store_log_append(st, run, s);
	if (store_now() - st->last_flush >= st->commit_every)
		return flush(st, run, NULL, 0);
	return 0;
}

int
store_log_snapshot(struct store *st, struct run_info *run, struct train_state ts)
{
	if (ts.step != run->steps_done)
		return store_fail(st, "run %lld: snapshot of step %ld after %ld logged steps",
		    (long long)run->id, ts.step, run->steps_done);
	return flush(st, run, &ts, 1);
}

/* The samples as rows; the caller holds a transaction. */
static int
insert_samples(struct store *st, const struct run_info *run, char *const *names, int n)
{
	sqlite3_stmt *s;
	int i;

	if (n <= 0)
		return 0;
	if (!(s = store_stmt(st, SQL_INSERT_SAMPLE)))
		return -1;
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, run->id);
		sqlite3_bind_int(s, 2, i + 1);
		sqlite3_bind_int64(s, 3, run->steps_done);
		sqlite3_bind_text(s, 4, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			store_fail_sql(st, NULL);
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return -1;
		}
		sqlite3_reset(s);
	}
	sqlite3_clear_bindings(s);
	return 0;
}

/* The final status and end time; the caller holds a transaction. */
static int
update_end(struct store *st, struct run_info *run, enum run_status status)
{
	sqlite3_stmt *s = NULL;

	run->status = status;
	run->ended = (int64_t)time(NULL);
	run->pid = 0;
	if (sqlite3_prepare_v2(st->db, "UPDATE runs SET status = ?2, ended = ?3, pid = NULL "
	    "WHERE id = ?1 AND status = 'running'", -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(s, 1, run->id);
	sqlite3_bind_text(s, 2, store_status_name(status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, run->ended);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(s);
	return 0;
sqlfail:
	store_fail_sql(st, NULL);
	sqlite3_finalize(s);
	return -1;
}

int
store_log_samples(struct store *st, struct run_info *run, char *const *names, int n)
{
	/* Small, and written with the end of the run: one transaction here. */
	if (begin(st) < 0)
		return -1;
	if (write_pending(st, run) < 0 || insert_samples(st, run, names, n) < 0)
		return fail_txn(st);
	return commit(st);
}

int
store_run_end(struct store *st, struct run_info *run, enum run_status status)
{
	return store_run_finish(st, run, NULL, 0, status);
}

int
store_run_finish(struct store *st, struct run_info *run, char *const *names, int n,
    enum run_status status)
{
	struct store_end end = { names, n, status };

	return store_log_commit(st, run, NULL, NULL, 0, &end);
}

/* ---- resume and delete ---- */

static int
last_snapshot(struct store *st, int64_t run_id, long *step)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT max(step) FROM snapshots WHERE run_id = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail_sql(st, NULL);
	sqlite3_bind_int64(s, 1, run_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_fail_sql(st, NULL);
		sqlite3_finalize(s);
		return -1;
	}
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		sqlite3_finalize(s);
		return store_fail(st, "run %lld has no snapshot to start from", (long long)run_id);
	}
	*step = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* Re-read the run inside a write transaction and refuse a live one. */
static int
claim(struct store *st, struct run_info *run, int for_resume)
{
	char id[32];

	snprintf(id, sizeof id, "%lld", (long long)run->id);
	if (store_find_run(st, id, run) < 0)
		return -1;
	if (run->status == RUN_RUNNING)
		return store_fail(st, "run %lld (%s) is still being trained (process %lld)",
		    (long long)run->id, run->name, (long long)run->pid);
	if (for_resume && run->status == RUN_FINISHED)
		return store_fail(st, "run %lld (%s) is finished: nothing to resume",
		    (long long)run->id, run->name);
	return 0;
}

static int
exec_run(struct store *st, const char *sql, int64_t run_id, int64_t arg)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, NULL);
	sqlite3_bind_int64(s, 1, run_id);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, arg);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_resume(struct store *st, struct run_info *run, struct dataset *ds, struct trainer *t)
{
	char host[256], boot[64];
	int64_t pid, start;
	sqlite3_stmt *s = NULL;
	long snap = 0;
	double *loss, *lr;
	long n, i;

	/* Everything that can refuse is read first: a refused resume writes
	 * nothing. Inside the write lock the run is read again, in case
	 * another process took it meanwhile. */
	if (claim(st, run, 1) < 0 || last_snapshot(st, run->id, &snap) < 0)
		return -1;
	if (store_replay(st, run, snap, ds, t) < 0)
		return -1;
	if (begin(st) < 0)
		goto fail_committed;
	if (claim(st, run, 1) < 0 || last_snapshot(st, run->id, &n) < 0)
		goto fail;
	if (n != snap) {
		store_fail(st, "run %lld changed while resuming", (long long)run->id);
		goto fail;
	}
	if (exec_run(st, "DELETE FROM steps WHERE run_id = ?1 AND step > ?2", run->id, snap) < 0 ||
	    exec_run(st, "DELETE FROM snapshots WHERE run_id = ?1 AND step > ?2", run->id, snap) < 0 ||
	    exec_run(st, "DELETE FROM samples WHERE run_id = ?1", run->id, 0) < 0)
		goto fail;
	store_proc_self(&pid, host, sizeof host, boot, sizeof boot, &start);
	if (sqlite3_prepare_v2(st->db, "UPDATE runs SET status = 'running', ended = NULL, pid = ?2, "
	    "host = ?3, boot_id = ?4, proc_start = ?5, best_loss = (SELECT min(loss) FROM steps "
	    "WHERE run_id = ?1) WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(s, 1, run->id);
	sqlite3_bind_int64(s, 2, pid);
	sqlite3_bind_text(s, 3, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, start);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(s);
	s = NULL;
	/* The run as it now stands, for the logger's running figures. */
	if (store_load_losses(st, run->id, &loss, &lr, &n) < 0)
		goto fail;
	run->steps_done = n;
	run->last_loss = n ? loss[n - 1] : NAN;
	run->best_loss = NAN;
	for (i = 0; i < n; i++)
		if (!isnan(loss[i]) && (isnan(run->best_loss) || loss[i] < run->best_loss))
			run->best_loss = loss[i];
	free(loss);
	free(lr);
	if (n != snap) {
		store_fail(st, "run %lld: %ld steps logged before its snapshot at step %ld",
		    (long long)run->id, n, snap);
		goto fail;
	}
	run->status = RUN_RUNNING;
	run->ended = 0;
	run->pid = pid;
	st->n_pend = 0;
	if (commit(st) < 0)
		goto fail_committed;
	return 0;
sqlfail:
	store_fail_sql(st, NULL);
	sqlite3_finalize(s);
fail:
	store_abort(st);
fail_committed:
	trainer_free(t);
	dataset_free(ds);
	return -1;
}

int
store_delete_run(struct store *st, const struct run_info *run)
{
	static const char *const del[] = {
		"DELETE FROM samples WHERE run_id = ?1",
		"DELETE FROM head_stats WHERE run_id = ?1",
		"DELETE FROM sweep_cache WHERE run_id = ?1",
		"DELETE FROM grad_stats WHERE run_id = ?1",
		"DELETE FROM snapshots WHERE run_id = ?1",
		"DELETE FROM steps WHERE run_id = ?1",
		"DELETE FROM runs WHERE id = ?1",
		"DELETE FROM datasets WHERE hash NOT IN (SELECT dataset FROM runs)",
	};
	struct run_info cur = *run;
	size_t i;

	if (claim(st, &cur, 0) < 0 || begin(st) < 0 || claim(st, &cur, 0) < 0)
		return fail_txn(st);
	for (i = 0; i < sizeof del / sizeof del[0]; i++)
		if (exec_run(st, del[i], run->id, 0) < 0)
			return fail_txn(st);
	if (commit(st) < 0)
		return -1;
	/* Give the freed pages back to the file system. */
	sqlite3_exec(st->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	return 0;
}
