/* SPDX-License-Identifier: MIT */
/* train_step.h - training step S of a logged run laid open: the document
 * it trained on, the forward pass, every gradient of the backward pass and
 * the Adam update, recorded by the engine's one backward and one Adam as
 * they trained (engine/gradtrace.h), from the run's weights after S-1
 * steps. Step S is the `step S / N` line of `train`.
 *
 * The weights after are checked against the run's own weights at step S,
 * bit for bit: the snapshot when S has one, else step S re-run from S-1
 * by the store's replay (which also checks the loss against the logged
 * one). Nothing here prints; errors come back as one line in err. */
#ifndef MGPT_TRAIN_STEP_H
#define MGPT_TRAIN_STEP_H

#include <stddef.h>

#include "debug_run.h"
#include "gradtrace.h"

struct train_step {
	long    step;          /* S, 1-based as train prints it */
	long    n_steps;       /* the run's planned steps (lr decay) */
	size_t  doc;           /* the document's index in the shuffled list */
	double  loss, lr;      /* mean -log p of the step, lr_t of its update */
	double  grad_norm;     /* L2 norm of the whole gradient */
	const struct trace *tr;/* the step's forward pass (the debug_run's trainer's) */
	struct grad_trace gt;  /* the step's backward pass */
	struct adam_record ar; /* the step's update */
	size_t  n_params;
	double *grad;          /* [n_params] d loss / d p, internal layout */
	double *p_before, *m_before, *v_before;  /* [n_params] after S-1 steps */
	double *p_after, *m_after, *v_after;     /* [n_params] after step S */
	int     snapshot;      /* the check compared with a stored snapshot */
};

/* Open step S (1..steps done) of the run r was opened on (debug_run_open;
 * r need not be loaded: this loads it at S-1). On success r's trainer is
 * at step S and ts->tr points into it. -1 with err filled (a step out of
 * range names --train-step). */
int  train_step_open(struct train_step *ts, struct debug_run *r, long step,
                     char *err, size_t errlen);
void train_step_free(struct train_step *ts);

/* For people reading a step (its pages, trace): the norm of tensor t's
 * values v (m's internal layout), squares added in the reference layout's
 * row-major order; and the n largest |v[..]| of t, largest first (ties:
 * the lower index), as reference indices r*cols + c in best. Returns how
 * many (at most n). */
#define TRAIN_STEP_LARGEST 5
double train_step_tensor_norm(const struct model *m, const struct tensor *t, const double *v);
int    train_step_largest(const struct model *m, const struct tensor *t, const double *v, int *best,
                          int n);

#endif
