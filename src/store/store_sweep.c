/* SPDX-License-Identifier: MIT */
/* store_sweep.c - the sweep cache (see store_sweep.h). A row is written
 * whole in one transaction, so a reader sees a loss or nothing; rows never
 * need to be contiguous (each is a value of its own key). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_sweep.h"
#include "xmalloc.h"

int
store_sweep_get(struct store *st, int64_t run_id, long step, struct store_sweep_row **rows,
    int *n)
{
	struct store_sweep_row *r = NULL;
	sqlite3_stmt *s;
	int rc, k = 0, cap = 0;

	*rows = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT off, dataset_loss FROM sweep_cache "
	    "WHERE run_id = ?1 AND step = ?2 ORDER BY off", -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, "sweep_cache");
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, step);
	while ((rc = store_step(st, s)) == SQLITE_ROW) {
		const unsigned char *off = sqlite3_column_text(s, 0);
		int len = sqlite3_column_bytes(s, 0);

		if (!off || len >= STORE_SWEEP_OFFLEN)
			continue;
		if (k >= cap) {
			cap = cap ? cap * 2 : 64;
			r = xrealloc(r, (size_t)cap * sizeof *r);
		}
		memcpy(r[k].off, off, (size_t)len);
		r[k].off[len] = '\0';
		/* SQLite stores a NaN as NULL */
		r[k].dataset_loss = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN
		    : sqlite3_column_double(s, 1);
		k++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(r);
		return store_fail_sql(st, "sweep_cache");
	}
	*rows = r;
	*n = k;
	return 0;
}

int
store_sweep_put(struct store *st, int64_t run_id, long step, const char *off, double dataset_loss)
{
	struct store_sweep_row r;

	if (strlen(off) >= STORE_SWEEP_OFFLEN)
		return store_fail(st, "sweep_cache: the list of heads is too long");
	memcpy(r.off, off, strlen(off) + 1);
	r.dataset_loss = dataset_loss;
	return store_sweep_put_rows(st, run_id, step, &r, 1);
}

int
store_sweep_put_rows(struct store *st, int64_t run_id, long step, const struct store_sweep_row *rows,
    int n)
{
	sqlite3_stmt *s;
	int i, rc = SQLITE_DONE;

	if (st->readonly)
		return store_fail(st, "opened read-only");
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO sweep_cache "
	    "(run_id, step, off, dataset_loss) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, "sweep_cache");
	if (store_begin_write(st) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	for (i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int64(s, 2, step);
		sqlite3_bind_text(s, 3, rows[i].off, -1, SQLITE_TRANSIENT);
		if (isnan(rows[i].dataset_loss))
			sqlite3_bind_null(s, 4);
		else
			sqlite3_bind_double(s, 4, rows[i].dataset_loss);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail_sql(st, "sweep_cache");
		store_abort(st);
		return -1;
	}
	return store_exec(st, "COMMIT") < 0 ? (store_abort(st), -1) : 0;
}
