/* SPDX-License-Identifier: MIT */
/* store_view.c - polling for commits, renaming, the head-stats caches.
 *
 * The caches are table head_stats (schema version 2): one row per run, probe
 * text, step, layer and head; and grad_stats (version 3): one row per run,
 * training step, layer and head. They hold values the engine computes from
 * the replayed weights, so they can always be dropped and recomputed; rows
 * are written in step order in one transaction a batch, which keeps "steps
 * 0..n-1 are there" true after a crash. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_view.h"
#include "xmalloc.h"

int
store_data_version(struct store *st, int64_t *v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, "data_version");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail_sql(st, "data_version");
	return 0;
}

int
store_rename_run(struct store *st, int64_t run_id, const char *name)
{
	sqlite3_stmt *s;
	char why[256];
	int rc, changed;

	if (st->readonly)
		return store_fail(st, "opened read-only");
	if (!*name)
		return store_fail(st, "run name is empty");
	if (store_check_name(name, why, sizeof why) < 0)
		return store_fail(st, "%s", why);
	if (sqlite3_prepare_v2(st->db, "UPDATE runs SET name = ?2 WHERE id = ?1", -1, &s, NULL)
	    != SQLITE_OK)
		return store_fail_sql(st, "rename");
	if (store_begin_write(st) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	changed = sqlite3_changes(st->db);
	if (rc == SQLITE_CONSTRAINT)
		store_fail(st, "a run named '%s' already exists", name);
	else if (rc != SQLITE_DONE)
		store_fail_sql(st, "rename");
	else if (changed != 1)
		store_fail(st, "no run %lld", (long long)run_id);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || changed != 1) {
		store_abort(st);
		return -1;
	}
	return store_exec(st, "COMMIT") < 0 ? (store_abort(st), -1) : 0;
}

/* SQLite stores a NaN as NULL; read it back as NaN. */
static double
column_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

int
store_headstats_load(struct store *st, int64_t run_id, const char *probe, int n_heads,
    struct headstat **out, long *n_steps)
{
	sqlite3_stmt *s;
	struct headstat *hs = NULL;
	long cap = 0, n = 0, step;
	int rc, k;

	*out = NULL;
	*n_steps = 0;
	rc = sqlite3_prepare_v2(st->db,
	    "SELECT step, entropy, prev, bos FROM head_stats "
	    "WHERE run_id = ?1 AND probe = ?2 ORDER BY step, layer, head", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail_sql(st, "head_stats");
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, probe, -1, SQLITE_TRANSIENT);
	/* rows come in (step, layer, head) order: a head's index is its rank
	 * within the step */
	k = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		step = (long)sqlite3_column_int64(s, 0);
		if (step != n || k >= n_heads)
			break;          /* not contiguous: use what is */
		if (n >= cap) {
			cap = cap ? cap * 2 : 1024;
			hs = xrealloc(hs, (size_t)cap * n_heads * sizeof *hs);
		}
		hs[(size_t)n * n_heads + k].entropy = column_real(s, 1);
		hs[(size_t)n * n_heads + k].prev = column_real(s, 2);
		hs[(size_t)n * n_heads + k].bos = column_real(s, 3);
		if (++k == n_heads) {
			k = 0;
			n++;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(hs);
		return store_fail_sql(st, "head_stats");
	}
	*out = hs;
	*n_steps = n;
	return 0;
}

int
store_headstats_save(struct store *st, int64_t run_id, const char *probe, long step0, long n,
    int n_heads, const struct headstat *hs)
{
	sqlite3_stmt *s;
	long i;
	int h, rc = SQLITE_DONE, n_head = 1;
	struct run_info ri;
	char spec[32];

	if (st->readonly)
		return store_fail(st, "opened read-only");
	snprintf(spec, sizeof spec, "%lld", (long long)run_id);
	if (store_find_run(st, spec, &ri) < 0)
		return -1;
	n_head = ri.cfg.n_head;
	if (ri.cfg.n_layer * n_head != n_heads)
		return store_fail(st, "head_stats: %d heads given for a run with %d", n_heads,
		    ri.cfg.n_layer * n_head);
	if (sqlite3_prepare_v2(st->db,
	    "INSERT OR REPLACE INTO head_stats (run_id, probe, step, layer, head, entropy, prev, bos) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, "head_stats");
	if (store_begin_write(st) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, probe, -1, SQLITE_TRANSIENT);
	for (i = 0; i < n && rc == SQLITE_DONE; i++)
		for (h = 0; h < n_heads && rc == SQLITE_DONE; h++) {
			const struct headstat *v = &hs[(size_t)i * n_heads + h];

			sqlite3_bind_int64(s, 3, step0 + i);
			sqlite3_bind_int(s, 4, h / n_head);
			sqlite3_bind_int(s, 5, h % n_head);
			sqlite3_bind_double(s, 6, v->entropy);
			sqlite3_bind_double(s, 7, v->prev);
			sqlite3_bind_double(s, 8, v->bos);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail_sql(st, "head_stats");
		store_abort(st);
		return -1;
	}
	return store_exec(st, "COMMIT") < 0 ? (store_abort(st), -1) : 0;
}

int
store_gradstats_load(struct store *st, int64_t run_id, int n_heads, struct gradstat **out,
    long *n_steps)
{
	sqlite3_stmt *s;
	struct gradstat *gs = NULL;
	long cap = 0, n = 0, step;
	int rc, k;

	*out = NULL;
	*n_steps = 0;
	rc = sqlite3_prepare_v2(st->db,
	    "SELECT step, grad_norm, update_ratio FROM grad_stats "
	    "WHERE run_id = ?1 ORDER BY step, layer, head", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail_sql(st, "grad_stats");
	sqlite3_bind_int64(s, 1, run_id);
	/* (step, layer, head) order: a head's index is its rank in the step */
	k = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		step = (long)sqlite3_column_int64(s, 0);
		if (step != n + 1 || k >= n_heads)
			break;          /* not contiguous: use what is */
		if (n >= cap) {
			cap = cap ? cap * 2 : 1024;
			gs = xrealloc(gs, (size_t)cap * n_heads * sizeof *gs);
		}
		gs[(size_t)n * n_heads + k].grad_norm = column_real(s, 1);
		gs[(size_t)n * n_heads + k].update_ratio = column_real(s, 2);
		if (++k == n_heads) {
			k = 0;
			n++;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(gs);
		return store_fail_sql(st, "grad_stats");
	}
	*out = gs;
	*n_steps = n;
	return 0;
}

int
store_gradstats_save(struct store *st, int64_t run_id, long step0, long n, int n_heads,
    const struct gradstat *gs)
{
	sqlite3_stmt *s;
	long i;
	int h, rc = SQLITE_DONE, n_head;
	struct run_info ri;
	char spec[32];

	if (st->readonly)
		return store_fail(st, "opened read-only");
	if (step0 < 1)
		return store_fail(st, "grad_stats: training steps start at 1, not %ld", step0);
	snprintf(spec, sizeof spec, "%lld", (long long)run_id);
	if (store_find_run(st, spec, &ri) < 0)
		return -1;
	n_head = ri.cfg.n_head;
	if (ri.cfg.n_layer * n_head != n_heads)
		return store_fail(st, "grad_stats: %d heads given for a run with %d", n_heads,
		    ri.cfg.n_layer * n_head);
	if (n <= 0)
		return 0;
	if (sqlite3_prepare_v2(st->db,
	    "INSERT OR REPLACE INTO grad_stats (run_id, step, layer, head, grad_norm, update_ratio) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, "grad_stats");
	if (store_begin_write(st) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_bind_int64(s, 1, run_id);
	for (i = 0; i < n && rc == SQLITE_DONE; i++)
		for (h = 0; h < n_heads && rc == SQLITE_DONE; h++) {
			const struct gradstat *v = &gs[(size_t)i * n_heads + h];

			sqlite3_bind_int64(s, 2, step0 + i);
			sqlite3_bind_int(s, 3, h / n_head);
			sqlite3_bind_int(s, 4, h % n_head);
			sqlite3_bind_double(s, 5, v->grad_norm);
			sqlite3_bind_double(s, 6, v->update_ratio);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail_sql(st, "grad_stats");
		store_abort(st);
		return -1;
	}
	return store_exec(st, "COMMIT") < 0 ? (store_abort(st), -1) : 0;
}
