/* SPDX-License-Identifier: MIT */
/* train_run.c - the one training loop (see train_run.h). trainer_step is
 * called here and nowhere else above the engine (store replay re-runs
 * logged steps, which is not training). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run_data.h"
#include "run_defaults.h"
#include "train_run.h"
#include "xmalloc.h"

#define UTF8_MAX 4   /* bytes of one character */

static double
mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
train_run_defaults(struct train_run_opts *o)
{
	static const struct model_config cfg = RUN_DEFAULT_CONFIG;

	memset(o, 0, sizeof *o);
	o->seed = RUN_DEFAULT_SEED;
	o->steps = RUN_DEFAULT_STEPS;
	o->cfg = cfg;
	o->samples = RUN_DEFAULT_SAMPLES;
	o->temperature = RUN_DEFAULT_TEMPERATURE;
	o->snapshot_every = STORE_SNAPSHOT_EVERY;
}

/* A write failed: the reason, the steps that are saved, the run marked
 * failed when the database still takes a write. The logging thread is
 * joined first (st and run are ours again). */
static int
train_run_fail(struct train_run *t)
{
	char msg[STORE_ERRLEN], id[32], kept[STORE_ERRLEN];
	struct run_info saved;

	if (t->lg)
		store_logger_stop(t->lg);
	t->lg = NULL;
	t->state = TRAIN_FAILED;
	snprintf(msg, sizeof msg, "%s", store_errmsg(t->st));
	if (!t->run.id) {   /* its start failed: nothing of it was written */
		snprintf(t->err, sizeof t->err, "%s (training stopped after step %ld; nothing of the run "
		    "is saved)", msg, t->tr.step);
		return -1;
	}
	/* Marked failed first: that also writes the steps still buffered,
	 * so the count below is what the database holds. */
	store_run_end(t->st, &t->run, RUN_FAILED);
	snprintf(id, sizeof id, "%lld", (long long)t->run.id);
	kept[0] = '\0';
	if (store_find_run(t->st, id, &saved) == 0) {
		if (store_fold(t->st) < 0)   /* the write-ahead log could not be folded back */
			snprintf(kept, sizeof kept, ", the last of them in %s-wal until train opens the "
			    "file again", store_path(t->st));
		snprintf(t->err, sizeof t->err, "%s (training stopped after step %ld; %ld steps are saved%s)",
		    msg, t->tr.step, saved.steps_done, kept);
	} else
		snprintf(t->err, sizeof t->err, "%s (training stopped after step %ld)", msg, t->tr.step);
	return -1;
}

/* After store_run_create or store_resume: the run's start written, here
 * or by the logging thread. */
static int
train_run_start_logging(struct train_run *t, int threaded, int resumed)
{
	if (!t->st)
		return 0;
	if (threaded) {
		if (!(t->lg = store_logger_start(t->st, &t->run, &t->tr))) {
			snprintf(t->err, sizeof t->err, "%s", store_errmsg(t->st));
			if (resumed)
				store_run_end(t->st, &t->run, RUN_INTERRUPTED);
			return -1;
		}
		return 0;
	}
	if (!resumed && store_run_start(t->st, &t->run, &t->tr) < 0) {
		snprintf(t->err, sizeof t->err, "%s", store_errmsg(t->st));
		return -1;
	}
	return 0;
}

static void
train_run_free(struct train_run *t)
{
	if (t->have_tr)
		trainer_free(&t->tr);
	if (t->have_ds)
		dataset_free(&t->ds);
	if (t->own_st)
		store_close(t->st);
	memset(t, 0, sizeof *t);
}

int
train_run_begin(struct train_run *t, struct store *st, int threaded, struct dataset *ds,
    const struct train_run_opts *o)
{
	memset(t, 0, sizeof *t);
	t->st = st;
	t->ds = *ds;
	t->have_ds = 1;
	snprintf(t->run.name, sizeof t->run.name, "%s", o->name ? o->name : "");
	snprintf(t->run.data_source, sizeof t->run.data_source, "%s", o->data ? o->data : "");
	t->run.seed = o->seed;
	t->run.cfg = o->cfg;
	t->run.cfg.vocab_size = ds->n_vocab + 1;
	t->run.n_steps = o->steps;
	t->run.snapshot_every = o->snapshot_every > 0 ? o->snapshot_every : STORE_SNAPSHOT_EVERY;
	t->run.temperature = o->temperature;
	t->run.n_samples = o->samples;
	/* the bundled names were hashed at build time */
	if (st && !t->run.data_source[0] && bundled_names_sha256[0])
		store_run_known_data(st, (const char *)bundled_names, bundled_names_len,
		    bundled_names_sha256);
	if (st && store_run_create(st, &t->run, &t->ds) < 0) {
		snprintf(t->err, sizeof t->err, "%s", store_errmsg(st));
		goto fail;
	}
	trainer_init(&t->tr, &t->ds, &t->run.cfg, t->run.seed, t->run.n_steps);
	t->have_tr = 1;
	if (train_run_start_logging(t, threaded, 0) < 0)
		goto fail;
	t->state = TRAIN_RUNNING;
	return 0;
fail:
	{
		char err[sizeof t->err];

		memcpy(err, t->err, sizeof err);
		t->own_st = 0;
		train_run_free(t);
		memcpy(t->err, err, sizeof err);
	}
	return -1;
}

int
train_run_resume(struct train_run *t, struct store *st, int threaded, const char *spec)
{
	memset(t, 0, sizeof *t);
	t->st = st;
	if (store_find_run(st, spec, &t->run) < 0 || store_resume(st, &t->run, &t->ds, &t->tr) < 0) {
		snprintf(t->err, sizeof t->err, "%s", store_errmsg(st));
		return -1;
	}
	t->have_ds = t->have_tr = 1;
	if (train_run_start_logging(t, threaded, 1) < 0) {
		char err[sizeof t->err];

		memcpy(err, t->err, sizeof err);
		train_run_free(t);
		memcpy(t->err, err, sizeof err);
		return -1;
	}
	t->state = TRAIN_RUNNING;
	return 0;
}

int
train_run_open(struct train_run *t, const char *db, const struct train_run_opts *o,
    char *err, size_t errlen)
{
	struct model_config cfg = o->cfg;
	struct dataset ds;
	struct store *st;

	memset(t, 0, sizeof *t);
	if (o->steps < 1) {
		snprintf(err, errlen, "steps: at least 1");
		return -1;
	}
	cfg.vocab_size = 2;   /* checked again once the data is read */
	if (model_config_check(&cfg, err, errlen) < 0)
		return -1;
	if (run_data_load(o->data && *o->data ? o->data : NULL, 0, &ds, err, errlen) < 0)
		return -1;
	cfg.vocab_size = ds.n_vocab + 1;
	if (model_config_check(&cfg, err, errlen) < 0) {
		dataset_free(&ds);
		return -1;
	}
	if (!(st = store_open(db, 1, 0, err, errlen))) {
		dataset_free(&ds);
		return -1;
	}
	if (train_run_begin(t, st, 0, &ds, o) < 0) {
		snprintf(err, errlen, "%s", t->err);
		store_close(st);
		return -1;
	}
	t->own_st = 1;
	return 0;
}

static int
train_run_log(struct train_run *t)
{
	const long step = t->tr.step;
	const int snap = step % t->run.snapshot_every == 0 || step == t->run.n_steps;

	if (!t->st)
		return 0;
	if (t->lg)
		return store_logger_step(t->lg, &t->last) < 0 ||
		    (snap && store_logger_snapshot(t->lg, store_state_of(&t->tr)) < 0) ? -1 : 0;
	return store_log_step(t->st, &t->run, &t->last) < 0 ||
	    (snap && store_log_snapshot(t->st, &t->run, store_state_of(&t->tr)) < 0) ? -1 : 0;
}

int
train_run_steps(struct train_run *t, long max_steps, double seconds, train_step_fn fn, void *ctx)
{
	const double until = seconds > 0 ? mono_seconds() + seconds : 0;
	long done = 0;
	int stop = 0;

	if (t->state != TRAIN_RUNNING)
		return t->state == TRAIN_FAILED ? -1 : t->tr.step < t->run.n_steps;
	while (t->tr.step < t->run.n_steps) {
		trainer_step(&t->tr, &t->last);
		done++;
		if (fn)
			stop = fn(ctx, t);
		if (train_run_log(t) < 0)
			return train_run_fail(t);
		if (stop || (max_steps > 0 && done >= max_steps) || (until > 0 && mono_seconds() >= until))
			break;
	}
	return t->tr.step < t->run.n_steps;
}

char **
train_run_sample(struct train_run *t, struct rng *rng)
{
	const long n = t->run.n_samples;
	int *tok = xmalloc((size_t)t->run.cfg.block_size * sizeof *tok), k, j;
	char **names = xcalloc((size_t)n + 1, sizeof *names);
	size_t len;
	long i;

	for (i = 0; i < n; i++) {
		k = sample_name(&t->tr.model, &t->tr.tr, rng ? rng : &t->tr.rng, t->run.temperature, tok);
		names[i] = xmalloc((size_t)k * UTF8_MAX + 1);
		for (j = 0, len = 0; j < k; j++) {
			dataset_tokstr(&t->ds, tok[j], names[i] + len, "");
			len += strlen(names[i] + len);
		}
		names[i][len] = '\0';
	}
	free(tok);
	return names;
}

void
train_run_names_free(char **names, long n)
{
	long i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
train_run_end(struct train_run *t, char *const *names, int n, enum run_status status)
{
	int rc;

	if (t->state != TRAIN_RUNNING)
		return t->state == TRAIN_FAILED ? -1 : 0;
	if (!t->st) {
		t->state = status == RUN_FINISHED ? TRAIN_DONE : TRAIN_STOPPED;
		return 0;
	}
	if (t->lg) {
		rc = store_logger_end(t->lg, names, n, status);
		t->lg = NULL;
	} else
		rc = store_log_samples(t->st, &t->run, names, n) < 0 ||
		    store_run_end(t->st, &t->run, status) < 0 ? -1 : 0;
	if (rc < 0) {
		if (status != RUN_FINISHED) {
			snprintf(t->err, sizeof t->err, "%s", store_errmsg(t->st));
			t->state = TRAIN_FAILED;
			return -1;
		}
		return train_run_fail(t);
	}
	t->state = status == RUN_FINISHED ? TRAIN_DONE : TRAIN_STOPPED;
	return 0;
}

int
train_run_slice(struct train_run *t, double seconds)
{
	char **names;
	int r;

	if (t->state != TRAIN_RUNNING)
		return t->state == TRAIN_FAILED ? -1 : 0;
	if (t->paused) {
		/* what is trained shows, and a kill while paused loses nothing */
		if (t->st && !t->lg && store_log_flush(t->st, &t->run) < 0)
			return train_run_fail(t);
		return 1;
	}
	if ((r = train_run_steps(t, seconds > 0 ? 0 : 1, seconds, NULL, NULL)) != 0)
		return r;
	names = train_run_sample(t, NULL);
	r = train_run_end(t, names, (int)t->run.n_samples, RUN_FINISHED);
	train_run_names_free(names, t->run.n_samples);
	return r;
}

void
train_run_close(struct train_run *t)
{
	if (t->state == TRAIN_RUNNING && t->st) {
		if (t->lg)
			store_logger_end(t->lg, NULL, 0, RUN_INTERRUPTED);
		else
			store_run_end(t->st, &t->run, RUN_INTERRUPTED);
	}
	t->lg = NULL;
	train_run_free(t);
}
