/* SPDX-License-Identifier: MIT */
/* debug_run.c - the weights the debugger shows, from the run database.
 *
 * A run given by id or name (or the newest finished run) is rebuilt by
 * store_replay at the wanted step and moved with store_seek. When the
 * database holds no finished run, the default run (bundled names, seed 42,
 * 1000 steps) is trained here and logged as `mgpt-tui train` logs it:
 * every step, snapshots, the 20 names sampled at the end, so the next start
 * finds it. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "debug_run.h"
#include "run_data.h"
#include "run_defaults.h"
#include "store.h"
#include "train_run.h"
#include "xmalloc.h"

#define PROGRESS_EVERY  25   /* steps between calls of the progress function */

/* A run trained with the reference's defaults on the bundled names: the
 * weights a tutorial's numbers come from. */
static int
is_default_run(const struct run_info *ri)
{
	const struct model_config d = RUN_DEFAULT_CONFIG;

	return ri->data_source[0] == '\0' && ri->seed == RUN_DEFAULT_SEED &&
	    ri->n_steps == RUN_DEFAULT_STEPS && ri->cfg.n_embd == d.n_embd &&
	    ri->cfg.n_head == d.n_head && ri->cfg.n_layer == d.n_layer &&
	    ri->cfg.block_size == d.block_size;
}

static void
take_info(struct debug_run *r)
{
	snprintf(r->name, sizeof r->name, "%s", r->info.name);
	r->id = r->info.id;
	r->seed = r->info.seed;
	r->cfg = r->info.cfg;
	r->n_steps = r->info.n_steps;
	r->steps_done = r->info.steps_done;
	r->temperature = r->info.temperature > 0 ? r->info.temperature : RUN_DEFAULT_TEMPERATURE;
	r->is_default = is_default_run(&r->info);
}

/* The newest finished run (only_default: the newest finished default
 * run), if any: *found says. */
static int
newest_finished(struct store *st, int only_default, struct run_info *out, int *found)
{
	struct run_info *all;
	int n, i;

	*found = 0;
	if (store_list_runs(st, &all, &n) < 0)
		return -1;
	for (i = n - 1; i >= 0; i--)
		if (all[i].status == RUN_FINISHED && (!only_default || is_default_run(&all[i]))) {
			*out = all[i];
			*found = 1;
			break;
		}
	free(all);
	return 0;
}

static int debug_run_open_mode(struct debug_run *r, const char *db, const char *spec,
                               int only_default, long step, char *err, size_t errlen);

int
debug_run_open(struct debug_run *r, const char *db, const char *spec, long step,
    char *err, size_t errlen)
{
	return debug_run_open_mode(r, db, spec, 0, step, err, errlen);
}

int
debug_run_open_default(struct debug_run *r, const char *db, long step, char *err, size_t errlen)
{
	int rc = debug_run_open_mode(r, db, NULL, 1, step, err, errlen);

	r->picked_default = rc == 0;
	return rc;
}

static int
debug_run_open_mode(struct debug_run *r, const char *db, const char *spec, int only_default,
    long step, char *err, size_t errlen)
{
	struct stat sb;
	int found = 0;

	memset(r, 0, sizeof *r);
	if (db && !*db) {
		snprintf(err, errlen, "--db: empty path");
		return -1;
	}
	if (!db && !store_default_path(r->path, sizeof r->path)) {
		snprintf(err, errlen, "cannot tell where the run database is: set HOME, XDG_DATA_HOME "
		    "or MGPT_TUI_DB, or give --db");
		return -1;
	}
	if (db && path_copy(r->path, db) < 0) {
		/* refused, never cut: a cut path names another file */
		snprintf(err, errlen, "--db: the path is longer than %d bytes", MGPT_PATH_MAX - 1);
		return DEBUG_RUN_FAILED;
	}

	/* a run given, or the newest finished one: read-only, never created */
	if (spec || stat(r->path, &sb) == 0) {
		if (!(r->st = store_open(r->path, 0, 1, err, errlen)))
			return -1;
		if (spec) {
			if (store_find_run(r->st, spec, &r->info) < 0)
				goto store_fail;
			found = 1;
		} else if (newest_finished(r->st, only_default, &r->info, &found) < 0)
			goto store_fail;
		if (!found) {
			store_close(r->st);
			r->st = NULL;
		}
	}
	if (found) {
		take_info(r);
	} else {
		/* nothing to show yet: the default run will be trained and logged */
		char why[DATASET_ERRLEN];

		if (!db && !getenv("MGPT_TUI_DB") && store_mkdir_parent(r->path, err, errlen) < 0)
			return -1;
		if (!(r->st = store_open(r->path, 1, 0, err, errlen)))
			return -1;
		struct train_run_opts o;

		if (run_data_load(NULL, 0, &r->ds, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s", why);
			goto fail;
		}
		r->have_ds = 1;
		r->trained_here = 1;
		train_run_defaults(&o);
		r->info.seed = o.seed;
		r->info.cfg = o.cfg;
		r->info.cfg.vocab_size = r->ds.n_vocab + 1;
		r->info.n_steps = o.steps;
		r->info.steps_done = o.steps;   /* once trained */
		r->info.snapshot_every = o.snapshot_every;
		r->info.temperature = o.temperature;
		r->info.n_samples = o.samples;
		take_info(r);
		snprintf(r->name, sizeof r->name, "default");
	}
	if (step > r->steps_done) {
		snprintf(err, errlen, "--step: %ld is past the run's last step (%ld)", step, r->steps_done);
		debug_run_close(r);
		return DEBUG_RUN_BAD_STEP;
	}
	r->want_step = step < 0 ? r->steps_done : step;
	return 0;
store_fail:
	snprintf(err, errlen, "%s", store_errmsg(r->st));
fail:
	debug_run_close(r);
	return -1;
}

struct progress {
	debug_progress_fn fn;
	void *ctx;
	char  what[256];
};

static int
default_progress(void *ctx, const struct train_run *t)
{
	struct progress *p = ctx;
	const long step = t->tr.step;

	return (step % PROGRESS_EVERY == 0 || step == t->run.n_steps)
	    && p->fn(p->ctx, p->what, step, t->run.n_steps, t->last.loss);
}

/* Train the default run and log it as `train` does (the one training
 * loop, train_run.c); its weights are then read back like any run's. */
static int
train_default(struct debug_run *r, debug_progress_fn fn, void *ctx, char *err, size_t errlen)
{
	struct train_run_opts o;
	struct train_run t;
	struct progress p = { fn, ctx, "" };
	char **names;
	int rc;

	train_run_defaults(&o);   /* a generated name (run-ID), as train names it */
	o.seed = r->info.seed;
	o.steps = r->info.n_steps;
	o.cfg = r->info.cfg;
	o.samples = r->info.n_samples;
	o.temperature = r->info.temperature;
	o.snapshot_every = r->info.snapshot_every;
	r->have_ds = 0;   /* taken over by t */
	if (train_run_begin(&t, r->st, 0, &r->ds, &o) < 0) {
		snprintf(err, errlen, "%s", t.err);
		return DEBUG_RUN_FAILED;
	}
	snprintf(r->name, sizeof r->name, "%s", t.run.name);
	r->id = t.run.id;
	snprintf(p.what, sizeof p.what, "Training the default run, logged as %s", t.run.name);
	rc = train_run_steps(&t, 0, 0, fn ? default_progress : NULL, &p);
	if (rc < 0) {
		snprintf(err, errlen, "%s", t.err);
		train_run_close(&t);
		return DEBUG_RUN_FAILED;
	}
	if (rc > 0) {   /* the progress function cancelled it */
		train_run_close(&t);   /* interrupted: resumable */
		snprintf(err, errlen, "cancelled");
		return DEBUG_RUN_CANCELLED;
	}
	/* the names train draws at the end */
	names = train_run_sample(&t, NULL);
	rc = train_run_end(&t, names, (int)t.run.n_samples, RUN_FINISHED);
	train_run_names_free(names, t.run.n_samples);
	if (rc < 0) {
		snprintf(err, errlen, "%s", t.err);
		train_run_close(&t);
		return DEBUG_RUN_FAILED;
	}
	r->info = t.run;
	r->steps_done = t.run.steps_done;
	train_run_close(&t);
	return 0;
}

int
debug_run_load(struct debug_run *r, debug_progress_fn fn, void *ctx, char *err, size_t errlen)
{
	int rc;

	if (r->trained_here && (rc = train_default(r, fn, ctx, err, errlen)) < 0)
		return rc;
	if (!r->trained_here && fn && fn(ctx, "Replaying the run", 0, 1, NAN)) {
		snprintf(err, errlen, "cancelled");
		return DEBUG_RUN_CANCELLED;
	}
	/* loading again starts over: store_replay sets up a new trainer and
	 * dataset, and frees both when it fails */
	if (r->have_tr)
		trainer_free(&r->tr);
	if (r->have_ds)
		dataset_free(&r->ds);
	r->have_ds = r->have_tr = 0;
	if (store_replay(r->st, &r->info, r->want_step, &r->ds, &r->tr) < 0) {
		snprintf(err, errlen, "%s", store_errmsg(r->st));
		return -1;
	}
	r->have_ds = r->have_tr = 1;
	return 0;
}

int
debug_run_goto(struct debug_run *r, long step, char *err, size_t errlen)
{
	if (step > r->steps_done && !r->trained_here) {
		/* a run still training has logged more steps since */
		char id[32];
		struct run_info now;

		snprintf(id, sizeof id, "%lld", (long long)r->id);
		if (store_find_run(r->st, id, &now) == 0) {
			r->info = now;
			r->steps_done = now.steps_done;
		}
	}
	if (step < 0 || step > r->steps_done) {
		snprintf(err, errlen, "the run's weights go from step 0 to %ld", r->steps_done);
		return -1;
	}
	if (store_seek(r->st, &r->info, step, &r->tr) < 0) {
		snprintf(err, errlen, "%s", store_errmsg(r->st));
		return -1;
	}
	return 0;
}

void
debug_run_close(struct debug_run *r)
{
	if (r->have_tr)
		trainer_free(&r->tr);
	if (r->have_ds)
		dataset_free(&r->ds);
	if (r->st)
		store_close(r->st);
	memset(r, 0, sizeof *r);
}
