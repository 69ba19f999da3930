/* SPDX-License-Identifier: MIT */
/* replay.c - snapshots and replay: the training state at any step.
 *
 * A snapshot holds the parameters and Adam's m and v, each a blob of
 * n_params little-endian doubles in the reference layout (every tensor
 * row-major, creation order: model_to_ref), with an XXH64 checksum of the
 * three blobs back to back. Training draws no random numbers after the
 * preamble, so the state at step s is the nearest snapshot at or before s
 * followed by the steps in between, re-run with the same engine. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "store_int.h"
#include "xmalloc.h"

static void
blob_reserve(struct store *st, size_t n)
{
	if (st->blob_cap < n) {
		free(st->blob);
		st->blob = xmalloc(n);
		st->blob_cap = n;
	}
}

#ifdef WORDS_BIGENDIAN
static void
put_le(unsigned char *out, const double *v, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		uint64_t u;

		memcpy(&u, &v[i], 8);
		for (k = 0; k < 8; k++)
			out[8 * i + k] = (unsigned char)(u >> (8 * k));
	}
}
#endif

static void
get_le(double *v, const unsigned char *in, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		uint64_t u = 0;

		for (k = 0; k < 8; k++)
			u |= (uint64_t)in[8 * i + k] << (8 * k);
		memcpy(&v[i], &u, 8);
	}
}

int
store_snapshot_encode(struct store *st, const struct model_config *cfg,
    const struct train_state *ts, uint64_t *sum)
{
	const struct model *m = &st->layout;
	const double *src[3] = { ts->p, ts->m, ts->v };
	size_t n;
	int i;

	/* the layout of the run's tensors, kept for the next snapshot */
	if (!m->tensors || memcmp(&m->cfg, cfg, sizeof *cfg) != 0) {
		model_free(&st->layout);
		model_init(&st->layout, cfg);
		free(st->layout.p);   /* only the layout is used */
		st->layout.p = NULL;
	}
	n = m->n_params;

	blob_reserve(st, 3 * n * 8);
#ifndef WORDS_BIGENDIAN
	/* The blob's layout is the memory's: each vector goes straight into
	 * it (the blob is malloc'd, so aligned for doubles). */
	for (i = 0; i < 3; i++)
		model_to_ref(m, src[i], (double *)(void *)(st->blob + (size_t)i * n * 8));
#else
	{
		double *ref = xmalloc(n * sizeof *ref);

		for (i = 0; i < 3; i++) {
			model_to_ref(m, src[i], ref);
			put_le(st->blob + (size_t)i * n * 8, ref, n);
		}
		free(ref);
	}
#endif
	*sum = xxh64(st->blob, 3 * n * 8, 0);
	return 0;
}

/* Load the snapshot row s (columns step, n_params, params, adam_m, adam_v,
 * checksum) into t. */
static int
snapshot_decode(struct store *st, const struct run_info *run, sqlite3_stmt *s, struct trainer *t)
{
	const struct model *m = &t->model;
	size_t n = m->n_params, bytes = n * 8;
	long step = (long)sqlite3_column_int64(s, 0);
	double *ref;
	int i;

	if ((uint64_t)sqlite3_column_int64(s, 1) != n)
		return store_fail(st, "run %lld: snapshot at step %ld has %lld parameters, the model %zu",
		    (long long)run->id, step, (long long)sqlite3_column_int64(s, 1), n);
	blob_reserve(st, 3 * bytes);
	for (i = 0; i < 3; i++) {
		const void *b = sqlite3_column_blob(s, 2 + i);
		size_t len = (size_t)sqlite3_column_bytes(s, 2 + i);

		if (len != bytes || !b) {
			if (sqlite3_errcode(st->db) == SQLITE_NOMEM)
				return store_fail(st, "out of memory");
			return store_fail(st, "run %lld: snapshot at step %ld is damaged (a blob of %zu "
			    "bytes, %zu expected)", (long long)run->id, step, len, bytes);
		}
		memcpy(st->blob + (size_t)i * bytes, b, bytes);
	}
	if (xxh64(st->blob, 3 * bytes, 0) != (uint64_t)sqlite3_column_int64(s, 5))
		return store_fail(st, "run %lld: snapshot at step %ld is damaged (bad checksum)",
		    (long long)run->id, step);
	ref = xmalloc(n * sizeof *ref);
	get_le(ref, st->blob, n);
	model_from_ref(m, ref, t->model.p);
	get_le(ref, st->blob + bytes, n);
	model_from_ref(m, ref, t->adam.m);
	get_le(ref, st->blob + 2 * bytes, n);
	model_from_ref(m, ref, t->adam.v);
	free(ref);
	t->step = step;
	return 0;
}

static int
same_loss(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

int
store_seek(struct store *st, const struct run_info *run, long step, struct trainer *t)
{
	sqlite3_stmt *s;
	struct step_stats ss;
	double *logged = NULL;
	size_t i, n;
	long snap, k;
	int rc;

	if (step < 0 || step > run->steps_done)
		return store_fail(st, "run %lld: step %ld is out of range (0..%ld)", (long long)run->id,
		    step, run->steps_done);
	if (!(s = store_stmt(st, SQL_SNAPSHOT_AT)))
		return -1;
	sqlite3_bind_int64(s, 1, run->id);
	sqlite3_bind_int64(s, 2, step);
	rc = store_step(st, s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		goto fail;
	}
	snap = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	if (snap < 0 || snap > step) {
		store_fail(st, "run %lld: damaged snapshot step %ld", (long long)run->id, snap);
		goto fail;
	}
	/* Stepping on from where t is costs less than a snapshot when t is
	 * past the snapshot and not past the goal. */
	if (!(t->step >= snap && t->step <= step)) {
		if (rc != SQLITE_ROW) {
			store_fail(st, "run %lld has no snapshot at or before step %ld", (long long)run->id,
			    step);
			goto fail;
		}
		if (snapshot_decode(st, run, s, t) < 0)
			goto fail;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (t->step == step)
		return 0;

	/* The logged losses of the steps to re-run are read first, in one
	 * short query: no read transaction stays open while the engine
	 * trains (a viewer replaying a long run never keeps a writer from
	 * committing: in the rollback journal a commit waits for every
	 * reader's lock). */
	if (!(s = store_stmt(st, SQL_LOSS_RANGE)))
		return -1;
	n = (size_t)(step - t->step);
	logged = xmalloc(n * sizeof *logged);
	sqlite3_bind_int64(s, 1, run->id);
	sqlite3_bind_int64(s, 2, t->step);
	sqlite3_bind_int64(s, 3, step);
	for (i = 0; i < n; i++) {
		k = t->step + 1 + (long)i;
		rc = store_step(st, s);
		if (rc != SQLITE_ROW) {
			if (rc == SQLITE_DONE)
				store_fail(st, "run %lld: step %ld is missing from the log", (long long)run->id, k);
			else
				store_fail_sql(st, NULL);
			goto fail;
		}
		if (sqlite3_column_int64(s, 0) != k) {
			store_fail(st, "run %lld: step %ld is missing from the log", (long long)run->id, k);
			goto fail;
		}
		logged[i] = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	for (i = 0; i < n; i++) {
		trainer_step(t, &ss);
		if (!same_loss(ss.loss, logged[i])) {
			store_fail(st, "run %lld: replay diverged at step %ld (logged loss %.17g, "
			    "recomputed %.17g): it was trained by a different engine build",
			    (long long)run->id, t->step, logged[i], ss.loss);
			free(logged);
			return -1;
		}
	}
	free(logged);
	return 0;
fail:
	free(logged);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return -1;
}

int
store_replay(struct store *st, const struct run_info *run, long step, struct dataset *ds,
    struct trainer *t)
{
	if (step < 0 || step > run->steps_done)
		return store_fail(st, "run %lld: step %ld is out of range (0..%ld)", (long long)run->id,
		    step, run->steps_done);
	if (store_load_dataset(st, run->id, ds) < 0)
		return -1;
	if (ds->n_vocab + 1 != run->cfg.vocab_size) {
		store_fail(st, "run %lld: its dataset has %d characters, the run %d", (long long)run->id,
		    ds->n_vocab, run->cfg.vocab_size - 1);
		dataset_free(ds);
		return -1;
	}
	trainer_init(t, ds, &run->cfg, run->seed, run->n_steps);
	if (t->adam.lr != run->lr || t->adam.beta1 != run->beta1 || t->adam.beta2 != run->beta2 ||
	    t->adam.eps != run->eps) {
		store_fail(st, "run %lld: trained with Adam settings (lr %g, betas %g %g, eps %g) "
		    "this program does not use", (long long)run->id, run->lr, run->beta1, run->beta2,
		    run->eps);
		goto fail;
	}
	/* After trainer_init, t holds the state at step 0. */
	if (store_seek(st, run, step, t) < 0)
		goto fail;
	return 0;
fail:
	trainer_free(t);
	dataset_free(ds);
	return -1;
}
