/* SPDX-License-Identifier: MIT */
/* debug_run.h - the run the debugger shows, and where its weights come from.
 *
 * The weights at training step s of a run are a trainer after s steps,
 * rebuilt bit for bit from the run database (store_replay, store_seek).
 * debug_run_load() is the one place that produces them, training and
 * logging the default run first when the database holds no finished run;
 * ] and [ move to a neighbouring step through debug_run_goto(). Nothing
 * here prints: errors come back as a status (enum debug_run_status) and
 * one line in err. */
#ifndef MGPT_DEBUG_RUN_H
#define MGPT_DEBUG_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "paths.h"
#include "model.h"
#include "store.h"
#include "train.h"

struct debug_run {
	char     path[MGPT_PATH_MAX]; /* the database */
	struct store *st;           /* open for the whole session (replay, seek) */
	struct run_info info;       /* the run as the database describes it */
	struct dataset ds;          /* the run's documents (shuffled by trainer_init) */
	struct trainer tr;          /* the weights: tr.model after tr.step steps */
	int      have_ds, have_tr;  /* ds, tr initialised */
	int      trained_here;      /* no finished run was found: the default run is trained */
	int      is_default;        /* the reference's settings on the bundled names */
	int      picked_default;    /* opened as the default run (no RUN given) */
	char     name[128];         /* the run's name, for the title */
	int64_t  id;                /* run id in the database */
	uint64_t seed;
	struct model_config cfg;
	long     n_steps;           /* the run's planned steps (learning-rate decay) */
	long     steps_done;        /* steps whose weights can be shown: 0..steps_done */
	long     want_step;         /* the step debug_run_load() goes to */
	double   temperature;       /* the run's sampling temperature */
};

/* What went wrong, for the caller's exit status. */
enum debug_run_status {
	DEBUG_RUN_OK = 0,
	DEBUG_RUN_FAILED = -1,      /* the database, the data: err says */
	DEBUG_RUN_BAD_STEP = -2,    /* the step asked for is past the run's last */
	DEBUG_RUN_CANCELLED = -3,   /* the progress function said stop */
};

/* Progress of a long load: called now and then with the steps done so far;
 * a non-zero return cancels the load. */
typedef int (*debug_progress_fn)(void *ctx, const char *what, long done, long total, double loss);

/* Decide which run to show (spec: an id, a name, "latest", or NULL for the
 * default) and at which step (step < 0: the last). Cheap, before the
 * screen starts. -1 with err filled on failure; DEBUG_RUN_BAD_STEP when
 * step is past the run's last step (a usage error, exit 2). */
int  debug_run_open(struct debug_run *r, const char *db, const char *spec, long step,
                    char *err, size_t errlen);
/* The same with no RUN for `mgpt-tui` alone: the newest finished default
 * run (bundled names, seed 42, the default settings), so a tutorial's
 * numbers stay put when other runs are trained; trained first when the
 * database has none. */
int  debug_run_open_default(struct debug_run *r, const char *db, long step, char *err, size_t errlen);
/* Produce the weights at r->want_step: the one loading function. */
int  debug_run_load(struct debug_run *r, debug_progress_fn fn, void *ctx, char *err, size_t errlen);
/* Move the weights to another step of the run (0..steps_done). */
int  debug_run_goto(struct debug_run *r, long step, char *err, size_t errlen);
void debug_run_close(struct debug_run *r);

/* The step the weights are at. */
static inline long debug_run_step(const struct debug_run *r) { return r->tr.step; }

#endif
