/* SPDX-License-Identifier: MIT */
/* head_sweep.h - attrib's ablation sweep over the debugger's session, a
 * slice at a time for a screen that computes between keys: every subset
 * of heads off (attrib_sweep_masks), the input's loss as training scores
 * the name, and the mean loss over the run's documents; then the subsets
 * sorted. Curses-free; the numbers are attrib_sweep_run's, bit for bit.
 *
 * The dataset losses are cached per run, step and set of heads off (table
 * sweep_cache, store_sweep.h): a sweep reads what is cached, computes only
 * the rest, and writes those when it finishes, through a writer connection
 * of its own (a viewer that cannot write just computes). A mask's loss
 * does not depend on which other masks are swept with it, so a cached
 * value is the computed one, bit for bit. */
#ifndef MGPT_HEAD_SWEEP_H
#define MGPT_HEAD_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "attrib.h"
#include "debug_session.h"
#include "paths.h"

/* Where the dataset losses are cached: a run's weights after a step. */
struct head_sweep_cache {
	struct store *st;           /* reads the cached rows; NULL: no cache */
	const char *db;             /* the file, for the writer (NULL: read only) */
	int64_t run_id;
	long    step;
};

struct head_sweep {
	struct attrib_sweep sw;         /* every mask swept: the result */
	struct attrib_sweep todo;       /* the masks not cached, computed */
	int    *todo_at;                /* [todo.n_masks] their index in sw */
	struct attrib_sweep_job *job;   /* NULL when not running */
	const struct model *m;
	int    *tok, *tgt, n;           /* the input as training scores it */
	size_t  done, total;            /* documents (of the masks computed) */
	int     finished;               /* every document done: dataset_loss filled */
	int     n_cached;               /* masks whose dataset loss was read */
	int     n_written;              /* masks whose dataset loss was cached now */
	int     write_failed;           /* a cache could not be written (read-only) */
	struct head_sweep_cache cache;
	char    db[MGPT_PATH_MAX];
	int    *order;                  /* [sw.n_masks] by dataset loss (text loss while
	                                 * running), highest first; ties by mask */
};

/* Start on s's weights, input and dataset (s must outlive the sweep and
 * keep its weights until head_sweep_free), cached under s's run and step
 * when it has a run database. 0, or -1 when the model has no subsets to
 * sweep. */
int    head_sweep_start(struct head_sweep *h, const struct debug_session *s);
/* The same on any weights: masks[n_masks] (NULL: attrib_sweep_masks),
 * the input tok/tgt[n] (n 0: none), cache c (NULL: none). m and ds must
 * outlive the sweep. 0, or -1 when there are no masks. */
int    head_sweep_begin(struct head_sweep *h, const struct model *m, const struct dataset *ds,
                        const int *tok, const int *tgt, int n, const uint64_t *masks,
                        int n_masks, const struct head_sweep_cache *c);
/* Run up to max_docs more documents; returns 1 when the sweep has finished
 * (now or before). */
int    head_sweep_step(struct head_sweep *h, size_t max_docs);
/* Stop (a cancel when not finished: dataset losses stay NaN) and free. */
void   head_sweep_free(struct head_sweep *h);
/* The heads of mask as sweep_cache writes them: "L0H1 L0H3", "" none. */
char  *head_sweep_off_text(const struct model_config *cfg, uint64_t mask, char *buf, size_t n);

#endif
