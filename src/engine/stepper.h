/* stepper.h - the debugger's position in a forward pass, as data.
 *
 * A forward pass over n positions is a fixed sequence of ops, in the order
 * the engine computes them (model_forward). The stepper holds that
 * sequence and the current op; the step commands move through it forwards
 * and backwards. It computes nothing: the values of an op are read from
 * the trace the forward pass recorded (op_out). The UI translates keys to
 * step commands and draws the current op; `trace` prints every op. */
#ifndef MGPT_STEPPER_H
#define MGPT_STEPPER_H

#include <stddef.h>

#include "model.h"

/* Op kinds, in computation order within a position. The depth says which
 * group an op belongs to: 0 position, 1 layer, 2 head. */
enum op_kind {
	OP_EMBED,         /* 0: wte[token] and wpe[pos], with their ids */
	OP_EMBED_SUM,     /* 0: tok_emb + pos_emb */
	OP_RMSNORM_IN,    /* 0: first rmsnorm (mean square, scale) -> x0 */
	OP_RESIDUAL,      /* 1: the residual kept (the layer's input) */
	OP_RMSNORM_ATTN,  /* 1: rmsnorm before attention */
	OP_Q, OP_K, OP_V, /* 1: projections */
	OP_KV_CACHE,      /* 1: k and v appended; every cached row */
	OP_HEAD_QKV,      /* 2: the head's q slice, k and v slices of every cached position */
	OP_ATTN_SCORES,   /* 2: q.k * (D^0.5)^-1 for each cached position */
	OP_ATTN_WEIGHTS,  /* 2: softmax: max, exps, sum, weights */
	OP_HEAD_OUT,      /* 2: weighted sum of v: the head's output */
	OP_CONCAT,        /* 1: heads concatenated; switched-off heads zeroed */
	OP_ATTN_WO,       /* 1: linear(concat, attn_wo) */
	OP_ATTN_RESIDUAL, /* 1: + residual */
	OP_RMSNORM_MLP,   /* 1: rmsnorm before the MLP */
	OP_MLP_FC1,       /* 1: linear(x, mlp_fc1) */
	OP_RELU,          /* 1: relu, active units counted */
	OP_MLP_FC2,       /* 1: linear(relu, mlp_fc2) */
	OP_MLP_RESIDUAL,  /* 1: + residual: the layer's output */
	OP_LOGITS,        /* 0: linear(x, lm_head) */
	OP_PROBS,         /* 0: softmax(logits) */
	OP__COUNT
};

struct op {
	enum op_kind kind;
	int pos;    /* position 0..n_pos-1 */
	int layer;  /* -1 where none */
	int head;   /* -1 where none */
};

enum step_cmd {
	STEP_INTO, STEP_INTO_BACK,       /* s / S: one op */
	STEP_NEXT, STEP_NEXT_BACK,       /* n / N: next op at the same or a shallower depth */
	STEP_FINISH, STEP_FINISH_BACK,   /* f: past the end of the innermost group; F: its start */
	STEP_CONT, STEP_CONT_BACK,       /* c / C: to the next breakpoint or the position's end/start */
	STEP_POS_NEXT, STEP_POS_PREV,    /* Tab / Shift-Tab: the same op at the next/previous position */
	STEP_FIRST, STEP_LAST            /* g / G */
};

#define STEPPER_MAX_BREAKS 64

struct stepper {
	struct model_config cfg;
	struct op *ops;    /* [n_ops] the whole pass, in computation order */
	int        n_ops;
	int        n_pos;
	int        cur;    /* index of the current op */
	struct op  breaks[STEPPER_MAX_BREAKS]; /* pos is ignored: a breakpoint is a kind of op */
	int        n_breaks;
};

const char *op_name(enum op_kind k);      /* stable names: "attn_weights", "probs", ... */
int         op_depth(enum op_kind k);
/* "L0H2 attn_weights @ pos 3" style label. */
void        op_label(const struct op *op, char *buf, size_t n);

void stepper_init(struct stepper *s, const struct model_config *cfg);
void stepper_free(struct stepper *s);
/* Lay out the ops of a pass over n_pos positions, keeping the current op
 * (same kind, layer, head and position) where it still exists. */
void stepper_build(struct stepper *s, int n_pos);
/* Apply a command; returns 1 when the current op moved. */
int  stepper_move(struct stepper *s, enum step_cmd cmd);
const struct op *stepper_op(const struct stepper *s);
/* Toggle a breakpoint on the current kind of op; returns 1 if now set. */
int  stepper_toggle_break(struct stepper *s);
int  stepper_is_break(const struct stepper *s, const struct op *op);

/* The output numbers of an op, read from the trace (never recomputed):
 * embed -> tok_emb (pos_emb via op_aux), kv_cache -> this position's k
 * (v via aux), head_qkv -> q slice, attn_scores/attn_weights -> one value
 * per cached position, probs -> indexed by token id, BOS last. */
const double *op_out(const struct trace *tr, const struct op *op, int *n);

#endif
