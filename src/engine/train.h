/* SPDX-License-Identifier: MIT */
/* train.h - the reference's training loop and sampler, one step at a time.
 *
 * A trainer owns everything training mutates: parameters, Adam moments and
 * the step counter. Training consumes no random numbers after the
 * preamble, so the state at step s depends only on (seed, data, config, s)
 * and is reproducible from any snapshot: the base of replay and resume. */
#ifndef MGPT_TRAIN_H
#define MGPT_TRAIN_H

#include <stdint.h>

#include "dataset.h"
#include "model.h"
#include "rng.h"

struct trainer {
	struct dataset  *ds;      /* shuffled documents (not owned) */
	struct model     model;
	struct adam      adam;
	struct trace     tr;      /* the last step's forward pass */
	struct backward *bw;
	double          *grad;    /* [n_params] */
	struct rng       rng;     /* the stream after the preamble: sampling
	                           * continues from here, as the reference does */
	long             step;    /* steps done */
	long             n_steps; /* planned; sets the learning-rate decay */
};

struct step_stats {
	double loss;      /* mean -log p over the step's positions */
	double lr;        /* lr_t used for the update */
	double grad_norm; /* L2 norm of the whole gradient */
	int    n_pos;     /* token positions trained */
};

/* The reference's preamble: random.seed(seed); shuffle the documents (in
 * place); vocab size from the data; draw the parameters. cfg's vocab_size
 * is ignored and set from ds. The caller has checked cfg. */
void   trainer_init(struct trainer *t, struct dataset *ds, const struct model_config *cfg,
                    uint64_t seed, long n_steps);
void   trainer_free(struct trainer *t);
/* Train step t->step (document docs[step % n_docs]) and advance. */
void   trainer_step(struct trainer *t, struct step_stats *st);
/* Forward and loss only for step s's document, into tr (no update). */
double trainer_eval(const struct trainer *t, long s, struct trace *tr);

/* Draw one name as the reference's sampler does: from BOS, softmax of
 * logits * temperature^-1, a choices() draw, stop at BOS or block_size.
 * Writes up to block_size token ids to out; returns their count. */
int    sample_name(const struct model *m, struct trace *tr, struct rng *r,
                   double temperature, int *out);

/* The RNG as it stands after the preamble for (seed, n_docs, n_params):
 * what sampling after training starts from. */
void   rng_after_preamble(struct rng *r, uint64_t seed, size_t n_docs, size_t n_params);

#endif
