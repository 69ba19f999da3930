/* SPDX-License-Identifier: MIT */
/* store_runs.c - the queries that read runs: a run by id, name or
 * "latest", all runs, a run's dataset, its per-step log. */
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

/* ---- runs ---- */

static int
copy_text(char *dst, size_t n, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
	return t != NULL;
}

int
store_run_decode(struct store *st, sqlite3_stmt *s, struct run_info *r)
{
	char status[16], host[256], boot[64], err[256];
	int64_t v, pid, start;

	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	copy_text(r->name, sizeof r->name, s, 1);
	copy_text(status, sizeof status, s, 2);
	r->created = sqlite3_column_int64(s, 3);
	r->ended = sqlite3_column_int64(s, 4);
	r->seed = (uint64_t)sqlite3_column_int64(s, 5);
	r->cfg.vocab_size = (int)sqlite3_column_int64(s, 6);
	r->cfg.n_embd = (int)sqlite3_column_int64(s, 7);
	r->cfg.n_head = (int)sqlite3_column_int64(s, 8);
	r->cfg.n_layer = (int)sqlite3_column_int64(s, 9);
	r->cfg.block_size = (int)sqlite3_column_int64(s, 10);
	/* An int column that does not fit an int reads as out of range. */
	for (v = 6; v <= 10; v++)
		if (sqlite3_column_int64(s, (int)v) != (int)sqlite3_column_int64(s, (int)v))
			return store_fail(st, "run %lld: impossible model sizes", (long long)r->id);
	if (model_config_check(&r->cfg, err, sizeof err) < 0)
		return store_fail(st, "run %lld: impossible model sizes: %s", (long long)r->id, err);
	if ((uint64_t)sqlite3_column_int64(s, 11) != model_config_params(&r->cfg))
		return store_fail(st, "run %lld: parameter count %lld does not match the model sizes",
		    (long long)r->id, (long long)sqlite3_column_int64(s, 11));
	v = sqlite3_column_int64(s, 12);
	if (v < 1 || v > 1000000000L)
		return store_fail(st, "run %lld: impossible step count %lld", (long long)r->id, (long long)v);
	r->n_steps = (long)v;
	v = sqlite3_column_int64(s, 13);
	if (v < 1 || v > 1000000000L)
		return store_fail(st, "run %lld: impossible snapshot interval %lld", (long long)r->id,
		    (long long)v);
	r->snapshot_every = (long)v;
	r->temperature = sqlite3_column_double(s, 14);
	if (!(r->temperature > 0) || !isfinite(r->temperature))
		return store_fail(st, "run %lld: impossible temperature", (long long)r->id);
	v = sqlite3_column_int64(s, 15);
	if (v < 0 || v > 1000000)
		return store_fail(st, "run %lld: impossible sample count %lld", (long long)r->id, (long long)v);
	r->n_samples = (long)v;
	copy_text(r->version, sizeof r->version, s, 16);
	r->best_loss = sqlite3_column_type(s, 17) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 17);
	pid = sqlite3_column_int64(s, 18);
	copy_text(host, sizeof host, s, 19);
	copy_text(boot, sizeof boot, s, 20);
	start = sqlite3_column_int64(s, 21);
	copy_text(r->data_source, sizeof r->data_source, s, 22);
	r->lr = sqlite3_column_double(s, 23);
	r->beta1 = sqlite3_column_double(s, 24);
	r->beta2 = sqlite3_column_double(s, 25);
	r->eps = sqlite3_column_double(s, 26);
	v = sqlite3_column_int64(s, 27);
	if (v < 0 || v > r->n_steps)
		return store_fail(st, "run %lld: %lld steps logged of %ld planned", (long long)r->id,
		    (long long)v, r->n_steps);
	r->steps_done = (long)v;
	r->last_loss = sqlite3_column_type(s, 28) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 28);
	if (!strcmp(status, "running")) {
		r->status = RUN_RUNNING;
		r->pid = pid;
		if (store_proc_gone(pid, host, boot, start)) {
			r->status = RUN_INTERRUPTED;
			r->pid = 0;
		}
	} else if (!strcmp(status, "finished"))
		r->status = RUN_FINISHED;
	else if (!strcmp(status, "interrupted"))
		r->status = RUN_INTERRUPTED;
	else if (!strcmp(status, "failed"))
		r->status = RUN_FAILED;
	else
		return store_fail(st, "run %lld: unknown status '%s'", (long long)r->id, status);
	return 0;
}

static int
all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int
store_find_run(struct store *st, const char *spec, struct run_info *out)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	if (!strcmp(spec, "latest"))
		s = store_stmt(st, SQL_FIND_LATEST);
	else if (all_digits(spec)) {
		if (strlen(spec) > 18)
			return store_fail(st, "no run with id %s", spec);
		if ((s = store_stmt(st, SQL_FIND_ID)))
			sqlite3_bind_int64(s, 1, strtoll(spec, NULL, 10));
	} else if ((s = store_stmt(st, SQL_FIND_NAME)))
		sqlite3_bind_text(s, 1, spec, -1, SQLITE_TRANSIENT);
	if (!s)
		return -1;
	rc = store_step(st, s);
	if (rc == SQLITE_ROW)
		ret = store_run_decode(st, s, out);
	else if (rc != SQLITE_DONE)
		store_fail_sql(st, NULL);
	else if (!strcmp(spec, "latest"))
		store_fail(st, "no runs yet");
	else if (all_digits(spec))
		store_fail(st, "no run with id %s", spec);
	else
		store_fail(st, "no run named '%s'", spec);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int
store_list_runs(struct store *st, struct run_info **out, int *n)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LIST_RUNS);
	struct run_info *v = NULL;
	int cap = 0, k = 0, rc;

	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	while ((rc = store_step(st, s)) == SQLITE_ROW) {
		if (k == cap)
			v = xrealloc(v, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *v);
		if (store_run_decode(st, s, &v[k]) < 0)
			goto fail;
		k++;
	}
	if (rc != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		goto fail;
	}
	sqlite3_reset(s);
	*out = v;
	*n = k;
	return 0;
fail:
	sqlite3_reset(s);
	free(v);
	return -1;
}

/* ---- datasets ---- */

int
store_load_dataset(struct store *st, int64_t run_id, struct dataset *ds)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LOAD_DATASET);
	char hex[65], err[DATASET_ERRLEN];
	const char *hash, *text;
	int64_t n_docs;
	int rc, ret = -1, len;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	rc = store_step(st, s);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			store_fail(st, "run %lld: its dataset is missing", (long long)run_id);
		else
			store_fail_sql(st, NULL);
		goto out;
	}
	hash = (const char *)sqlite3_column_text(s, 0);
	n_docs = sqlite3_column_int64(s, 1);
	text = (const char *)sqlite3_column_text(s, 2);
	len = sqlite3_column_bytes(s, 2);
	if (!hash || !text) {
		store_fail(st, "run %lld: its dataset is damaged", (long long)run_id);
		goto out;
	}
	sha256_hex(text, (size_t)len, hex);
	if (strcmp(hex, hash) != 0) {
		store_fail(st, "run %lld: its dataset is damaged (SHA-256 mismatch)", (long long)run_id);
		goto out;
	}
	if (dataset_parse(ds, text, (size_t)len, err, sizeof err) < 0) {
		store_fail(st, "run %lld: its dataset: %s", (long long)run_id, err);
		goto out;
	}
	if ((int64_t)ds->n_docs != n_docs) {
		store_fail(st, "run %lld: its dataset is damaged (%zu documents, %lld recorded)",
		    (long long)run_id, ds->n_docs, (long long)n_docs);
		dataset_free(ds);
		goto out;
	}
	ret = 0;
out:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

/* ---- the per-step log ---- */

int
store_load_losses(struct store *st, int64_t run_id, double **loss, double **lr, long *n)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LOSSES);
	double *a = NULL, *b = NULL;
	long k = 0, cap = 0;
	int rc;

	*loss = *lr = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	while ((rc = store_step(st, s)) == SQLITE_ROW) {
		if (sqlite3_column_int64(s, 0) != k + 1) {
			store_fail(st, "run %lld: step %ld is missing from the log", (long long)run_id, k + 1);
			goto fail;
		}
		if (k == cap) {
			cap = cap ? 2 * cap : 1024;
			a = xrealloc(a, (size_t)cap * sizeof *a);
			b = xrealloc(b, (size_t)cap * sizeof *b);
		}
		a[k] = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
		b[k] = sqlite3_column_double(s, 2);
		k++;
	}
	if (rc != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		goto fail;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*loss = a;
	*lr = b;
	*n = k;
	return 0;
fail:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(a);
	free(b);
	return -1;
}

/* Steps read by one query of store_each_step. */
#define EACH_STEP_CHUNK 4096

int
store_each_step(struct store *st, int64_t run_id, int (*fn)(void *, const struct step_row *),
    void *ctx)
{
	sqlite3_stmt *s = NULL;
	struct step_row *buf = xmalloc(EACH_STEP_CHUNK * sizeof *buf);
	long last = 0;
	int rc, n, i, stop = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT step, loss, lr, grad_norm, n_pos FROM steps "
	    "WHERE run_id = ?1 AND step > ?2 ORDER BY step LIMIT ?3", -1, &s, NULL) != SQLITE_OK) {
		free(buf);
		return store_fail_sql(st, NULL);
	}
	do {
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int64(s, 2, last);
		sqlite3_bind_int(s, 3, EACH_STEP_CHUNK);
		n = 0;
		while ((rc = store_step(st, s)) == SQLITE_ROW) {
			struct step_row *r = &buf[n++];

			r->step = (long)sqlite3_column_int64(s, 0);
			r->loss = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
			r->lr = sqlite3_column_double(s, 2);
			r->grad_norm = sqlite3_column_type(s, 3) == SQLITE_NULL ? NAN :
			    sqlite3_column_double(s, 3);
			r->n_pos = (int)sqlite3_column_int64(s, 4);
		}
		/* the read transaction ends here, before fn sees a row */
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			store_fail_sql(st, NULL);
			break;
		}
		for (i = 0; i < n && !stop; i++)
			stop = fn(ctx, &buf[i]);
		if (n)
			last = buf[n - 1].step;
	} while (!stop && n == EACH_STEP_CHUNK);
	sqlite3_finalize(s);
	free(buf);
	return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}
