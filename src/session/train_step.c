/* SPDX-License-Identifier: MIT */
/* train_step.c - training step S of a logged run, recorded as it trains.
 *
 * The trainer is loaded at S-1 by debug_run (the one place that produces a
 * run's weights), then trainer_step() runs step S with a grad_trace and an
 * adam_record attached: the very code training runs, copying what it
 * computes. The check puts the trainer back at S-1 and lets store_seek()
 * bring it to S as replay does (the snapshot at S, or step S re-run with
 * nothing attached and its loss compared with the logged one), then
 * compares parameters, gradient and Adam moments bit for bit. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_step.h"
#include "xmalloc.h"

static double *
dup_vec(const double *v, size_t n)
{
	double *d = xmalloc(n * sizeof *d);

	memcpy(d, v, n * sizeof *d);
	return d;
}

static int
same_bits(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, n * sizeof *a) == 0;
}

int
train_step_open(struct train_step *ts, struct debug_run *r, long step, char *err, size_t errlen)
{
	struct trainer *t;
	struct step_stats ss;
	double *g_plain = NULL;
	size_t n;
	int ok;

	memset(ts, 0, sizeof *ts);
	if (step < 1 || step > r->steps_done) {
		snprintf(err, errlen, "--train-step: %ld is not a step of the run (1..%ld)", step,
		    r->steps_done);
		return -1;
	}
	/* a loaded run (the debugger's) moves; loading again would pull the
	 * trainer from under the session's pointers into it */
	r->want_step = step - 1;
	if (!r->have_tr && debug_run_load(r, NULL, NULL, err, errlen) < 0)
		return -1;
	if (r->tr.step != step - 1 && debug_run_goto(r, step - 1, err, errlen) < 0)
		return -1;
	t = &r->tr;
	n = t->model.n_params;
	ts->step = step;
	ts->n_steps = t->n_steps;
	ts->n_params = n;
	ts->doc = (size_t)(step - 1) % t->ds->n_docs;
	ts->p_before = dup_vec(t->model.p, n);
	ts->m_before = dup_vec(t->adam.m, n);
	ts->v_before = dup_vec(t->adam.v, n);

	grad_trace_init(&ts->gt, &t->model.cfg);
	adam_record_init(&ts->ar, n);
	backward_record(t->bw, &ts->gt);
	t->adam.rec = &ts->ar;
	trainer_step(t, &ss);
	backward_record(t->bw, NULL);
	t->adam.rec = NULL;
	ts->loss = ss.loss;
	ts->lr = ss.lr;
	ts->grad_norm = ss.grad_norm;
	ts->grad = dup_vec(t->grad, n);
	ts->p_after = dup_vec(t->model.p, n);
	ts->m_after = dup_vec(t->adam.m, n);
	ts->v_after = dup_vec(t->adam.v, n);

	/* the run's own step S: back to S-1, then as replay goes */
	memcpy(t->model.p, ts->p_before, n * sizeof(double));
	memcpy(t->adam.m, ts->m_before, n * sizeof(double));
	memcpy(t->adam.v, ts->v_before, n * sizeof(double));
	t->step = step - 1;
	ts->snapshot = (r->info.snapshot_every > 0 && step % r->info.snapshot_every == 0)
	    || step == r->info.steps_done;
	if (store_seek(r->st, &r->info, step, t) < 0) {
		snprintf(err, errlen, "step %ld: %s", step, store_errmsg(r->st));
		return -1;
	}
	if (t->step != step) {
		snprintf(err, errlen, "step %ld: the run's replay stopped at step %ld", step, t->step);
		return -1;
	}
	if (!ts->snapshot)
		g_plain = t->grad;   /* re-run: the plain backward's gradient */
	ok = same_bits(t->model.p, ts->p_after, n) && same_bits(t->adam.m, ts->m_after, n)
	    && same_bits(t->adam.v, ts->v_after, n) && (!g_plain || same_bits(g_plain, ts->grad, n));
	if (!ok) {
		snprintf(err, errlen, "step %ld: the recorded step does not give the run's weights "
		    "at step %ld bit for bit", step, step);
		return -1;
	}
	/* a snapshot leaves the trace undefined: the step's forward pass again,
	 * from the weights before (the same code, so the same values) */
	if (ts->snapshot) {
		memcpy(t->model.p, ts->p_before, n * sizeof(double));
		trainer_eval(t, step - 1, &t->tr);
		memcpy(t->model.p, ts->p_after, n * sizeof(double));
	}
	ts->tr = &t->tr;
	return 0;
}

void
train_step_free(struct train_step *ts)
{
	grad_trace_free(&ts->gt);
	adam_record_free(&ts->ar);
	free(ts->grad);
	free(ts->p_before);
	free(ts->m_before);
	free(ts->v_before);
	free(ts->p_after);
	free(ts->m_after);
	free(ts->v_after);
	memset(ts, 0, sizeof *ts);
}

double
train_step_tensor_norm(const struct model *m, const struct tensor *t, const double *v)
{
	double s = 0.0;
	int r, c;

	(void)m;
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->cols; c++) {
			double x = v[model_index(t, r, c)];

			s += x * x;
		}
	return sqrt(s);
}

int
train_step_largest(const struct model *m, const struct tensor *t, const double *v, int *best, int n)
{
	int nb = 0, e, k, ne = t->rows * t->cols;

	(void)m;
	for (e = 0; e < ne; e++) {
		double a = fabs(v[model_index(t, e / t->cols, e % t->cols)]);

		for (k = nb; k > 0 && a > fabs(v[model_index(t, best[k - 1] / t->cols, best[k - 1] % t->cols)]);
		    k--)
			if (k < n)
				best[k] = best[k - 1];
		if (k < n) {
			best[k] = e;
			if (nb < n)
				nb++;
		}
	}
	return nb;
}
