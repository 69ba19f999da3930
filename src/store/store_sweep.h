/* SPDX-License-Identifier: MIT */
/* store_sweep.h - the ablation sweep's cache (table sweep_cache, schema 3,
 * see mgpt-tui(1), FILES): the dataset loss of a run's weights after a
 * step with a set of heads switched off. Values the engine computes from
 * replayed weights, so droppable; `rm` deletes a run's rows.
 * Same conventions as store.h: 0 or -1 with the reason in store_errmsg. */
#ifndef MGPT_STORE_SWEEP_H
#define MGPT_STORE_SWEEP_H

#include <stdint.h>

#include "store.h"

#define STORE_SWEEP_OFFLEN 512   /* "L0H1 L0H3": 64 heads of "LlHh " fit */

struct store_sweep_row {
	char   off[STORE_SWEEP_OFFLEN];  /* the heads off, space-separated; "" none */
	double dataset_loss;             /* NaN when stored as NULL */
};

/* Every cached row of (run, step), in order of off; *rows malloc'd (NULL
 * when none), *n of them. A row whose off does not fit is skipped. */
int store_sweep_get(struct store *st, int64_t run_id, long step,
                    struct store_sweep_row **rows, int *n);
/* Cache one row (replacing one already there), in its own transaction. */
int store_sweep_put(struct store *st, int64_t run_id, long step, const char *off,
                    double dataset_loss);
/* Cache n rows of (run, step) in one transaction: one commit, one round of
 * syncs, for a whole sweep. */
int store_sweep_put_rows(struct store *st, int64_t run_id, long step,
                         const struct store_sweep_row *rows, int n);

#endif
