/* SPDX-License-Identifier: MIT */
/* train_run.h - the one training loop: a run trained and logged to the
 * run database exactly as `mgpt-tui train` logs it (the run created with
 * its dataset, step 0's snapshot, every step, a snapshot every
 * snapshot_every steps and at the last, the names sampled after training,
 * the end status).
 *
 * Used by `train` (the whole run, logged from the store's logging thread),
 * by the debugger's default run and the screen's training form (a slice at
 * a time, logged synchronously, so the screen draws between slices).
 * Nothing here prints: failures come back as one line in t->err.
 *
 *   train_run_begin / train_run_resume / train_run_open   set up
 *   train_run_steps                                         train (sliceable)
 *   train_run_sample, train_run_end                         the names, the end
 *   train_run_close                                         an unfinished run: interrupted */
#ifndef MGPT_TRAIN_RUN_H
#define MGPT_TRAIN_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "model.h"
#include "rng.h"
#include "store.h"
#include "train.h"

/* A new run's settings; train_run_defaults() fills them from run_defaults.h. */
struct train_run_opts {
	const char *data;            /* a data file; NULL: the bundled names */
	uint64_t    seed;
	long        steps;
	struct model_config cfg;     /* vocab_size is set from the data */
	long        samples;         /* names drawn after training */
	double      temperature;     /* for those names */
	long        snapshot_every;  /* 0: the store's default */
	const char *name;            /* NULL or "": generated (run-ID) */
};
void train_run_defaults(struct train_run_opts *o);

enum train_run_state { TRAIN_RUNNING, TRAIN_DONE, TRAIN_FAILED, TRAIN_STOPPED };

struct train_run {
	struct store        *st;     /* NULL: not logged (--no-db) */
	int                  own_st; /* opened by train_run_open: closed by train_run_close */
	struct store_logger *lg;     /* the logging thread, or NULL: logged synchronously */
	struct run_info      run;    /* settings and, once started, the run's record */
	struct dataset       ds;     /* the documents; trainer_init shuffles them */
	struct trainer       tr;     /* after tr.step steps */
	int                  have_ds, have_tr;
	struct step_stats    last;   /* the last step trained */
	enum train_run_state     state;
	int                  paused; /* train_run_slice trains nothing (the screen's p) */
	char                 err[STORE_ERRLEN + 96];
};

/* Called after each step (t->last is the step), before it is logged; a
 * non-zero return stops train_run_steps after logging the step. */
typedef int (*train_step_fn)(void *ctx, const struct train_run *t);

/* A new run from ds (in file order; taken over by t) logged to st (not
 * owned; NULL: not logged), from a thread when `threaded`. -1 with t->err
 * (ds freed). */
int  train_run_begin(struct train_run *t, struct store *st, int threaded, struct dataset *ds,
                     const struct train_run_opts *o);
/* An interrupted run of st taken back from its last snapshot. */
int  train_run_resume(struct train_run *t, struct store *st, int threaded, const char *spec);
/* For the screen: check o, read the data, open db (created if absent) and
 * begin, logged synchronously. -1 with err. */
int  train_run_open(struct train_run *t, const char *db, const struct train_run_opts *o,
                    char *err, size_t errlen);

/* Train until every step is trained, or max_steps more (0: no limit), or
 * `seconds` have passed (<= 0: no limit; at least one step), or fn stops
 * it. Returns 1 while steps remain, 0 when every step is trained, -1 on a
 * logging failure (t->err; the run is marked failed). */
int  train_run_steps(struct train_run *t, long max_steps, double seconds, train_step_fn fn, void *ctx);
/* The names drawn after training: t->run.n_samples of them from rng
 * (NULL: the trainer's own stream, as train draws them), UTF-8, malloc'd. */
char **train_run_sample(struct train_run *t, struct rng *rng);
void   train_run_names_free(char **names, long n);
/* Log the names and end the run with `status`. -1 with t->err. */
int  train_run_end(struct train_run *t, char *const *names, int n, enum run_status status);
/* The screen's slice: train about `seconds` (one step when <= 0; nothing while paused: what
 * is trained is flushed instead); after the last step draw and log the
 * names and end the run as finished. 1 while steps remain, 0 done, -1
 * failed (t->err). */
int  train_run_slice(struct train_run *t, double seconds);
/* A run still running is marked interrupted (resumable); frees t. */
void train_run_close(struct train_run *t);

#endif
