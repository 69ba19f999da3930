/* SPDX-License-Identifier: MIT */
/* head_sweep.h - attrib's ablation sweep over the debugger's session, a
 * slice at a time for a screen that computes between keys: every subset
 * of heads off (attrib_sweep_masks), the input's loss as training scores
 * the name, and the mean loss over the run's documents; then the subsets
 * sorted. Curses-free; the numbers are attrib_sweep_run's, bit for bit. */
#ifndef MGPT_HEAD_SWEEP_H
#define MGPT_HEAD_SWEEP_H

#include <stddef.h>

#include "attrib.h"
#include "debug_session.h"

struct head_sweep {
	struct attrib_sweep sw;
	struct attrib_sweep_job *job;   /* NULL when not running */
	int    *tok, *tgt, n;           /* the input as training scores it */
	size_t  done, total;            /* documents */
	int     finished;               /* every document done: dataset_loss filled */
	int    *order;                  /* [sw.n_masks] by dataset loss (text loss while
	                                 * running), highest first; ties by mask */
};

/* Start on s's weights, input and dataset (s must outlive the sweep and
 * keep its weights until head_sweep_free). 0, or -1 when the model has no
 * subsets to sweep. */
int    head_sweep_start(struct head_sweep *h, const struct debug_session *s);
/* Run up to max_docs more documents; returns 1 when the sweep has finished
 * (now or before). */
int    head_sweep_step(struct head_sweep *h, size_t max_docs);
/* Stop (a cancel when not finished: dataset losses stay NaN) and free. */
void   head_sweep_free(struct head_sweep *h);

#endif
