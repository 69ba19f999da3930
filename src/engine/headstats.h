/* SPDX-License-Identifier: MIT */
/* headstats.h - what each attention head does, summed up in three numbers.
 *
 * The statistics are read from a forward pass over a probe input (the
 * trace; nothing is recomputed): BOS, then the probe's characters, one
 * position at a time, all heads on. For every layer l and head h they are
 * means over the probe's positions t = t0 .. n_pos-1 of that head's
 * softmax weights w[0..t] at position t, where t0 = 2 when the probe has at
 * least three positions (so that "previous" and "BOS" are different
 * positions) and t0 = 1 otherwise:
 *
 *   entropy  -sum_j w[j] ln w[j]   (nats; 0 = all weight on one position,
 *                                   ln(t+1) = spread evenly)
 *   prev     w[t-1]                (a "previous character" head is near 1)
 *   bos      w[0]                  (a head that parks its weight on BOS)
 *
 * Position 0 is excluded because it can only attend to itself. A run's
 * series holds these after every step 0..n (step 0 = the initial weights),
 * computed once by replaying training and cached in the run database. */
#ifndef MGPT_HEADSTATS_H
#define MGPT_HEADSTATS_H

#include "model.h"

struct trainer;

struct headstat {
	double entropy;   /* mean attention entropy, nats */
	double prev;      /* mean weight on the previous position */
	double bos;       /* mean weight on position 0 (BOS) */
};

/* The first position the means start from, for a pass of n_pos positions;
 * n_pos when there is nothing to average. */
int  headstats_first_pos(int n_pos);

/* Statistics of every head from a recorded forward pass: out[l*H + h].
 * Returns the number of positions averaged (0: the pass is too short and
 * every value is NaN). Heads switched off in tr still have their weights
 * recorded and are reported like the others. */
int  headstats_from_trace(const struct trace *tr, struct headstat *out);

/* Run the probe (BOS, then tok[0..n_tok), cut at block_size) through m
 * into tr with all heads on, then fill out as headstats_from_trace does. */
int  headstats_probe(const struct model *m, struct trace *tr, const int *tok, int n_tok,
                     struct headstat *out);

/* What one training step did to each head's weights: its blocks of the
 * attention's projections, rows h*hd .. h*hd+hd-1 of attn_wq, attn_wk and
 * attn_wv (its query, key and value outputs) and columns h*hd .. of
 * attn_wo (its slice of the concatenation), taken together:
 *
 *   grad_norm     ||d loss / d W|| over the blocks (L2, the step's gradient)
 *   update_ratio  ||W after - W before|| / ||W before|| over the blocks
 *                 (Adam's update as applied, against the weights it moved)
 */
struct gradstat {
	double grad_norm;
	double update_ratio;
};

/* out[l*H + h] from a step's gradient and the parameters before and after
 * it (all [n_params], m's internal layout). */
void headstats_grad(const struct model *m, const double *grad, const double *p_before,
                    const double *p_after, struct gradstat *out);

/* The norm of each head's block of an attention tensor's values v (m's
 * internal layout, e.g. a gradient): rows h*head_dim.. of wq, wk and wv,
 * columns h*head_dim.. of wo, the squares added in the reference layout's
 * row-major order. Fills out[n_head] and returns n_head; 0 for a tensor
 * without heads. */
int headstats_block_norms(const struct model *m, const struct tensor *t, const double *v,
                          double *out);

/* Train t on from its step s0 = t->step to step `to` (at most
 * t->n_steps), recording the statistics of the weights at every step
 * s0..to: out[(s - s0)*L*H + l*H + h], (to - s0 + 1)*L*H entries; and,
 * when gout is not NULL, what each training step s0+1..to did to each
 * head: gout[(s - s0 - 1)*L*H + l*H + h], (to - s0)*L*H entries. tr is
 * scratch (a trace for t's config; t's own is the training pass). Returns
 * the number of steps recorded (0 when to < s0). */
long headstats_series(struct trainer *t, long to, struct trace *tr, const int *tok, int n_tok,
                      struct headstat *out, struct gradstat *gout);

#endif
