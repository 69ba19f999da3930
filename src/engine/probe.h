/* SPDX-License-Identifier: MIT */
/* probe.h - what the debugger asks of the model beyond one forward pass:
 * heads switched off and on, the all-heads-on comparison, and one sampled
 * character with the draw laid open.
 *
 * Each of these runs the one forward pass (model_forward) and the
 * reference's sampler pieces (model_softmax_temp, rng_choice); none has a
 * copy of their math. Functions print nothing and never exit. */
#ifndef MGPT_PROBE_H
#define MGPT_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "rng.h"

/* Parse a list of heads such as "L0H1,L0H2" (case does not matter) into
 * *mask. With cfg NULL only the spelling is checked (*mask untouched);
 * with cfg each head must exist. -1 with a one-line reason on error. */
int  probe_parse_heads(const char *spec, const struct model_config *cfg, uint64_t *mask,
                       char *err, size_t errlen);
/* The heads of mask as "L0H1,L0H2", "" when none. */
void probe_format_heads(uint64_t mask, const struct model_config *cfg, char *buf, size_t n);

/* Switch heads: set the mask and recompute every position from there
 * (a switched-off head's slice of att_cat is zero before attn_wo). */
void probe_set_mask(const struct model *m, struct trace *tr, uint64_t mask);
/* Switch one head off if it is on, on if it is off; returns 1 when it is
 * now off. Out-of-range heads change nothing and return -1. */
int  probe_toggle_head(const struct model *m, struct trace *tr, int layer, int head);

/* The same input with every head on, for comparison with an ablated
 * trace: ref (trace_init'ed with the same config; its contents are
 * replaced) receives a forward pass over tr's tokens and targets with an
 * empty mask. Its probs and loss are what tr's would be with all heads on. */
void probe_all_heads(const struct model *m, const struct trace *tr, struct trace *ref);

/* One character sampled as the reference's sampler draws it, from the
 * logits of the last position. */
struct sample_step {
	int    pos;          /* the position whose logits were sampled */
	double temperature;
	double total;        /* sum of the probs: what choices() scales random() by */
	double u;            /* random() * total: where the draw landed */
	double cum_lo;       /* cumulative weight before the chosen token ... */
	double cum_hi;       /* ... and through it: cum_lo <= u < cum_hi
	                      * (u may equal cum_hi only for the last token) */
	int    token;        /* the chosen token; BOS (vocab_size-1) ends the name */
	int    fed;          /* 1 when the token was fed as position pos+1 */
};

/* Draw the next token after tr's last position: probs (V elements, the
 * caller's) receives softmax(logits * temperature^-1), r makes the one
 * random() draw. The last position then records the drawn token as its
 * target (its loss becomes -log p of it at temperature 1), and unless it
 * is BOS or the block is full the token is fed at the next position, so
 * the trace grows by one. Returns -1 (nothing drawn) when the trace is
 * empty or the temperature is not a positive number. */
int  probe_sample(const struct model *m, struct trace *tr, struct rng *r, double temperature,
                  double *probs, struct sample_step *st);

#endif
