/* debug_run.c - the weights the debugger shows.
 *
 * Until the run store is linked in, the only run is the default one
 * (bundled names, seed 42, 1000 steps), trained here; any step of it is
 * reached by training from the start, which is exactly what a replay
 * computes. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "debug_run.h"

#define DEFAULT_SEED   42
#define DEFAULT_STEPS  1000
#define PROGRESS_EVERY 25

static const struct model_config default_cfg = { 0, 16, 4, 1, 16 };

static int
parse_bundled(struct dataset *ds, char *err, size_t errlen)
{
	char why[DATASET_ERRLEN];

	if (dataset_parse(ds, (const char *)bundled_names, bundled_names_len, why, sizeof why) < 0) {
		snprintf(err, errlen, "bundled names: %s", why);
		return -1;
	}
	return 0;
}

int
debug_run_open(struct debug_run *r, const char *db, const char *spec, long step,
    char *err, size_t errlen)
{
	(void)db;
	memset(r, 0, sizeof *r);
	if (spec && strcmp(spec, "latest") != 0) {
		snprintf(err, errlen, "no run '%s' (this build has no run database yet)", spec);
		return -1;
	}
	if (parse_bundled(&r->ds, err, errlen) < 0)
		return -1;
	r->trained_here = 1;
	snprintf(r->name, sizeof r->name, "default");
	r->seed = DEFAULT_SEED;
	r->cfg = default_cfg;
	r->cfg.vocab_size = r->ds.n_vocab + 1;
	r->n_steps = DEFAULT_STEPS;
	r->steps_done = DEFAULT_STEPS;
	r->temperature = 0.5;
	if (step > r->steps_done) {
		snprintf(err, errlen, "--step: %ld is past the run's last step (%ld)", step, r->steps_done);
		dataset_free(&r->ds);
		return -1;
	}
	r->want_step = step < 0 ? r->steps_done : step;
	return 0;
}

/* Train from the current step up to `step`, reporting progress. */
static int
train_to(struct debug_run *r, long step, const char *what, debug_progress_fn fn, void *ctx,
    char *err, size_t errlen)
{
	struct step_stats st = { NAN, 0, 0, 0 };
	long from = r->tr.step;

	while (r->tr.step < step) {
		trainer_step(&r->tr, &st);
		if (fn && ((r->tr.step - from) % PROGRESS_EVERY == 0 || r->tr.step == step)
		    && fn(ctx, what, r->tr.step - from, step - from, st.loss)) {
			snprintf(err, errlen, "cancelled");
			return -1;
		}
	}
	return 0;
}

/* A trainer at step 0 of the run: the preamble on the documents in file
 * order (trainer_init shuffles them in place). */
static int
restart(struct debug_run *r, char *err, size_t errlen)
{
	if (r->have_tr) {
		trainer_free(&r->tr);
		r->have_tr = 0;
		dataset_free(&r->ds);
		if (parse_bundled(&r->ds, err, errlen) < 0)
			return -1;
	}
	trainer_init(&r->tr, &r->ds, &r->cfg, r->seed, r->n_steps);
	r->have_tr = 1;
	return 0;
}

int
debug_run_load(struct debug_run *r, debug_progress_fn fn, void *ctx, char *err, size_t errlen)
{
	if (restart(r, err, errlen) < 0)
		return -1;
	return train_to(r, r->want_step, "Training the default run", fn, ctx, err, errlen);
}

int
debug_run_goto(struct debug_run *r, long step, debug_progress_fn fn, void *ctx,
    char *err, size_t errlen)
{
	if (step < 0 || step > r->steps_done) {
		snprintf(err, errlen, "the run has steps 0..%ld", r->steps_done);
		return -1;
	}
	if (step < r->tr.step && restart(r, err, errlen) < 0)
		return -1;
	return train_to(r, step, "Replaying the run", fn, ctx, err, errlen);
}

void
debug_run_close(struct debug_run *r)
{
	if (r->have_tr)
		trainer_free(&r->tr);
	dataset_free(&r->ds);
	memset(r, 0, sizeof *r);
}
