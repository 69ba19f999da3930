/* SPDX-License-Identifier: MIT */
/* sweep_series.h - the ablation sweep's dataset loss over a run's
 * training, for the run view: at up to SWEEP_SERIES_MAX steps spread over
 * the run, the dataset loss with every head on and with each single head
 * off (the sweep's masks 0 and 1 << i, head_sweep.c, so the numbers are
 * those of A and trace --sweep, and they share the cache sweep_cache).
 * Computed a slice of documents at a time; a step whose rows are all
 * cached costs no weights. Curses-free, prints nothing. */
#ifndef MGPT_SWEEP_SERIES_H
#define MGPT_SWEEP_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "head_sweep.h"
#include "paths.h"
#include "store.h"
#include "train.h"

#define SWEEP_SERIES_MAX 32

struct sweep_series {
	struct run_info run;            /* the run, as when opened */
	char     db[MGPT_PATH_MAX];     /* its database, for the cache's writer */
	int      n_steps;               /* steps sampled */
	long     step[SWEEP_SERIES_MAX];/* 0 .. steps_done, increasing */
	int      n_heads;               /* L*H */
	uint64_t *mask;                 /* [1 + n_heads] 0, then each head alone */
	double  *loss;                  /* [n_steps][1 + n_heads] dataset losses; NaN not yet */
	int      done;                  /* steps finished (from the cache or computed) */
	int      n_cached;              /* of them, read whole from the cache */
	struct dataset ds;              /* the run's documents, for the weights */
	struct trainer tr;              /* the weights at the step being computed */
	int      have_tr;
	struct head_sweep hs;           /* the step being computed */
	int      running;
};

/* Sample the steps of run (db: its file). */
void sweep_series_open(struct sweep_series *ss, const struct run_info *run, const char *db);
/* Read or compute a slice (up to max_docs documents) through st, the
 * read connection. 1: more to do, 0: every step done, -1 with err. */
int  sweep_series_work(struct sweep_series *ss, struct store *st, size_t max_docs, char *err,
                       size_t n);
/* The documents of the step being computed: done of total (0 of 0 when none). */
void sweep_series_progress(const struct sweep_series *ss, size_t *done, size_t *total);
void sweep_series_free(struct sweep_series *ss);

#endif
