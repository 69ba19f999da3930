/* SPDX-License-Identifier: MIT */
/* gradtrace.h - what one backward pass computed, as the trace is what one
 * forward pass computed; and what one Adam update computed.
 *
 * model_backward() fills a grad_trace when one is attached to its struct
 * backward (backward_record); adam_update_norm() fills an adam_record when
 * one is attached to its struct adam. Each value is copied where the one
 * backward (the one training uses) has it: nothing here is recomputed, and
 * without a record attached training does exactly what it did.
 *
 * Every gradient is d loss / d (the trace's value of the same name), the
 * loss being the step's mean(-log p[target]). Shapes as in struct trace:
 * T block_size, C n_embd, H n_head, D head_dim, L n_layer, F 4C, V vocab. */
#ifndef MGPT_GRADTRACE_H
#define MGPT_GRADTRACE_H

#include <stddef.h>

#include "model.h"

struct op;

struct grad_trace {
	struct model_config cfg;
	int     n_pos;        /* positions of the step's document */
	double  d_loss_t;     /* d loss / d loss[t] = 1/n, the same for every t */
	double *d_prob_tgt;   /* [T] d probs[t][target]: the only prob in the graph */
	double *d_logit_sum;  /* [T] d of the softmax's sum of exps */
	double *d_probs;      /* [T][V] zero but at the target */
	double *d_logits;     /* [T][V] */
	double *d_x_out;      /* [L][T][C] of each layer's output; also fc2's and
	                       * the mlp residual's (x_out = fc2 + x_mid) */
	double *d_relu;       /* [L][T][F] */
	double *d_fc1;        /* [L][T][F] relu's backward: zero where fc1 <= 0 */
	double *d_xn2;        /* [L][T][C] */
	double *d_ln2_scale;  /* [L][T] of rmsnorm's scale (ms + eps)^-0.5 */
	double *d_x_mid;      /* [L][T][C] also att_proj's (x_mid = att_proj + x_in) */
	double *d_att_cat;    /* [L][T][C] the input of attn_wo */
	double *d_att_head;   /* [L][T][C] the heads' outputs: att_cat's, zero for
	                       * a switched-off head */
	double *d_att_w;      /* [L][T][H][T] softmax weights, entries 0..t */
	double *d_att_sum;    /* [L][T][H] the softmax's sum of exps */
	double *d_att_exp;    /* [L][T][H][T] w[u]'s share then the sum's */
	double *d_att_score;  /* [L][T][H][T] q.k * scale: exp's backward */
	double *d_k_share;    /* [L][T][T][C] [l][t][u]: what position t's heads
	                       * added to d k[u] (u <= t); each head its slice */
	double *d_v_share;    /* [L][T][T][C] the same for v[u] */
	double *d_q;          /* [L][T][C] */
	double *d_k, *d_v;    /* [L][T][C] totals over every position that used them */
	double *d_xn1;        /* [L][T][C] */
	double *d_ln1_scale;  /* [L][T] */
	double *d_x_in;       /* [L][T][C] of each layer's input (x0 or the
	                       * previous x_out), residual and rmsnorm together */
	double *d_ln0_scale;  /* [T] */
	double *d_emb;        /* [T][C] also tok_emb's and pos_emb's */
};

void grad_trace_init(struct grad_trace *g, const struct model_config *cfg);
void grad_trace_free(struct grad_trace *g);

/* Record into g on every later model_backward(bw) (NULL: stop). */
void backward_record(struct backward *bw, struct grad_trace *g);

/* For model.c: copies around attention_backward, of its input d att_cat
 * [n][C] (a switched-off head's output feeds nothing: zero in d_att_head)
 * and of its output, rows [n][3C] of d q, d k, d v. */
void grad_trace_put_attn(struct grad_trace *g, const struct trace *tr, int l, const double *dcat);
void grad_trace_put_qkv(struct grad_trace *g, const struct trace *tr, int l, const double *dqkv);

/* d loss / d op_out(op): the same length as op_out, or NULL (*n = 0) for
 * an op outside the recorded positions. head_qkv: d q slice; k and v (and
 * kv_cache): the total d k (d v) of the op's position; attn_scores,
 * attn_weights: entries 0..pos. */
const double *op_grad(const struct grad_trace *g, const struct op *op, int *n);

/* One Adam update laid open, every array [n_params] in the internal
 * layout, written by adam_update_norm() (kernel_adam) as it computes:
 *     m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t),
 *     update = lr_t * m_hat / (v_hat ** 0.5 + eps),  p_after = p - update */
struct adam_record {
	double *m_hat, *v_hat, *update;
	double  lr_t, bc1, bc2;   /* the step's constants: 1 - beta^t */
};

void adam_record_init(struct adam_record *r, size_t n_params);
void adam_record_free(struct adam_record *r);

#endif
