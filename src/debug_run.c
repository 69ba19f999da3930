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

#include "cli.h"
#include "debug_run.h"
#include "store.h"
#include "xmalloc.h"

#define DEFAULT_SEED    42
#define DEFAULT_STEPS   1000
#define DEFAULT_SAMPLES 20
#define DEFAULT_TEMP    0.5
#define PROGRESS_EVERY  25

static const struct model_config default_cfg = { 0, 16, 4, 1, 16 };

static void
take_info(struct debug_run *r)
{
	snprintf(r->name, sizeof r->name, "%s", r->info.name);
	r->id = r->info.id;
	r->seed = r->info.seed;
	r->cfg = r->info.cfg;
	r->n_steps = r->info.n_steps;
	r->steps_done = r->info.steps_done;
	r->temperature = r->info.temperature > 0 ? r->info.temperature : DEFAULT_TEMP;
}

/* The newest finished run, if any: *found says. */
static int
newest_finished(struct store *st, struct run_info *out, int *found)
{
	struct run_info *all;
	int n, i;

	*found = 0;
	if (store_list_runs(st, &all, &n) < 0)
		return -1;
	for (i = n - 1; i >= 0; i--)
		if (all[i].status == RUN_FINISHED) {
			*out = all[i];
			*found = 1;
			break;
		}
	free(all);
	return 0;
}

int
debug_run_open(struct debug_run *r, const char *db, const char *spec, long step,
    char *err, size_t errlen)
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
	if (db)
		snprintf(r->path, sizeof r->path, "%s", db);

	/* a run given, or the newest finished one: read-only, never created */
	if (spec || stat(r->path, &sb) == 0) {
		if (!(r->st = store_open(r->path, 0, 1, err, errlen)))
			return -1;
		if (spec) {
			if (store_find_run(r->st, spec, &r->info) < 0)
				goto store_fail;
			found = 1;
		} else if (newest_finished(r->st, &r->info, &found) < 0)
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
		if (dataset_parse(&r->ds, (const char *)bundled_names, bundled_names_len, why, sizeof why) < 0) {
			snprintf(err, errlen, "bundled names: %s", why);
			goto fail;
		}
		r->have_ds = 1;
		r->trained_here = 1;
		r->info.seed = DEFAULT_SEED;
		r->info.cfg = default_cfg;
		r->info.cfg.vocab_size = r->ds.n_vocab + 1;
		r->info.n_steps = DEFAULT_STEPS;
		r->info.steps_done = DEFAULT_STEPS;   /* once trained */
		r->info.snapshot_every = STORE_SNAPSHOT_EVERY;
		r->info.temperature = DEFAULT_TEMP;
		r->info.n_samples = DEFAULT_SAMPLES;
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

/* Train the default run and log it as `train` does; the trainer ends at
 * the last step. */
static int
train_default(struct debug_run *r, debug_progress_fn fn, void *ctx, char *err, size_t errlen)
{
	struct run_info *run = &r->info;
	struct step_stats ss;
	char what[256], **names = NULL;
	int *tok = NULL, i, j, n;

	run->steps_done = 0;
	run->name[0] = '\0';     /* generated: run-ID, as train names it */
	run->data_source[0] = '\0';
	if (store_run_create(r->st, run, &r->ds) < 0)
		goto store_fail;
	trainer_init(&r->tr, &r->ds, &r->cfg, r->seed, r->n_steps);
	r->have_tr = 1;
	if (store_run_start(r->st, run, &r->tr) < 0)
		goto store_fail;
	snprintf(r->name, sizeof r->name, "%s", run->name);
	r->id = run->id;
	snprintf(what, sizeof what, "Training the default run, logged as %s", run->name);
	while (r->tr.step < r->n_steps) {
		trainer_step(&r->tr, &ss);
		if (store_log_step(r->st, run, &ss) < 0
		    || ((r->tr.step % run->snapshot_every == 0 || r->tr.step == r->n_steps)
		        && store_log_snapshot(r->st, run, store_state_of(&r->tr)) < 0)) {
			snprintf(err, errlen, "%s (training stopped after step %ld)", store_errmsg(r->st),
			    r->tr.step);
			store_run_end(r->st, run, RUN_FAILED);
			return -1;
		}
		if (fn && (r->tr.step % PROGRESS_EVERY == 0 || r->tr.step == r->n_steps)
		    && fn(ctx, what, r->tr.step, r->n_steps, ss.loss)) {
			store_run_end(r->st, run, RUN_INTERRUPTED);
			snprintf(err, errlen, "cancelled");
			return -1;
		}
	}
	/* the names train draws at the end, from a copy of the stream: the
	 * debugger's own sampling starts where these did */
	{
		struct rng rg = r->tr.rng;

		tok = xmalloc((size_t)r->cfg.block_size * sizeof *tok);
		names = xcalloc((size_t)run->n_samples, sizeof *names);
		for (i = 0; i < run->n_samples; i++) {
			size_t len = 0;

			n = sample_name(&r->tr.model, &r->tr.tr, &rg, run->temperature, tok);
			names[i] = xmalloc((size_t)n * 8 + 1);
			for (j = 0; j < n; j++) {
				dataset_tokstr(&r->ds, tok[j], names[i] + len, "");
				len += strlen(names[i] + len);
			}
			names[i][len] = '\0';
		}
	}
	if (store_log_samples(r->st, run, names, (int)run->n_samples) < 0
	    || store_run_end(r->st, run, RUN_FINISHED) < 0) {
		snprintf(err, errlen, "%s", store_errmsg(r->st));
		n = -1;
	} else
		n = 0;
	for (i = 0; i < run->n_samples; i++)
		free(names[i]);
	free(names);
	free(tok);
	r->steps_done = run->steps_done;
	return n;
store_fail:
	snprintf(err, errlen, "%s", store_errmsg(r->st));
	return -1;
}

int
debug_run_load(struct debug_run *r, debug_progress_fn fn, void *ctx, char *err, size_t errlen)
{
	if (r->trained_here) {
		if (train_default(r, fn, ctx, err, errlen) < 0)
			return -1;
		if (r->want_step == r->tr.step)
			return 0;
		return debug_run_goto(r, r->want_step, NULL, NULL, err, errlen);
	}
	if (fn && fn(ctx, "Replaying the run", 0, 1, NAN)) {
		snprintf(err, errlen, "cancelled");
		return -1;
	}
	if (store_replay(r->st, &r->info, r->want_step, &r->ds, &r->tr) < 0) {
		snprintf(err, errlen, "%s", store_errmsg(r->st));
		return -1;
	}
	r->have_ds = r->have_tr = 1;
	return 0;
}

int
debug_run_goto(struct debug_run *r, long step, debug_progress_fn fn, void *ctx,
    char *err, size_t errlen)
{
	(void)fn;
	(void)ctx;
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
