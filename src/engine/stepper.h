/* SPDX-License-Identifier: MIT */
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
#include <stdint.h>

#include "model.h"

/* Op kinds, in computation order within a position, written once (tig's
 * X-macros): the kind, its stable name (trace prints it, breakpoints are
 * saved by it), its depth (which group it belongs to: 0 position, 1 layer,
 * 2 head) and what it does. */
#define OP_KINDS(X) \
	X(EMBED,         "embed",         0, "wte[token] and wpe[pos], with their ids") \
	X(EMBED_SUM,     "embed_sum",     0, "tok_emb + pos_emb") \
	X(RMSNORM_IN,    "rmsnorm_in",    0, "first rmsnorm (mean square, scale) -> x0") \
	X(RESIDUAL,      "residual",      1, "the residual kept (the layer's input)") \
	X(RMSNORM_ATTN,  "rmsnorm_attn",  1, "rmsnorm before attention") \
	X(Q,             "q",             1, "projection") \
	X(K,             "k",             1, "projection") \
	X(V,             "v",             1, "projection") \
	X(KV_CACHE,      "kv_cache",      1, "k and v appended; every cached row") \
	X(HEAD_QKV,      "head_qkv",      2, "the head's q slice, k and v slices of every cached position") \
	X(ATTN_SCORES,   "attn_scores",   2, "q.k * (D^0.5)^-1 for each cached position") \
	X(ATTN_WEIGHTS,  "attn_weights",  2, "softmax: max, exps, sum, weights") \
	X(HEAD_OUT,      "head_out",      2, "weighted sum of v: the head's output") \
	X(CONCAT,        "concat",        1, "heads concatenated; switched-off heads zeroed") \
	X(ATTN_WO,       "attn_wo",       1, "linear(concat, attn_wo)") \
	X(ATTN_RESIDUAL, "attn_residual", 1, "+ residual") \
	X(RMSNORM_MLP,   "rmsnorm_mlp",   1, "rmsnorm before the MLP") \
	X(MLP_FC1,       "mlp_fc1",       1, "linear(x, mlp_fc1)") \
	X(RELU,          "relu",          1, "relu, active units counted") \
	X(MLP_FC2,       "mlp_fc2",       1, "linear(relu, mlp_fc2)") \
	X(MLP_RESIDUAL,  "mlp_residual",  1, "+ residual: the layer's output") \
	X(LOGITS,        "logits",        0, "linear(x, lm_head)") \
	X(PROBS,         "probs",         0, "softmax(logits)") \
	/* a training step (stepper.train): the loss, the backward, the update */ \
	X(LOSS,          "loss",          0, "the step's loss: the mean of -log p[target]") \
	X(D_LOGITS,      "d_logits",      0, "softmax's backward: d logits from d p[target]") \
	X(D_LM_HEAD,     "d_lm_head",     0, "d of the last residual = lm_head^T . d logits") \
	X(D_MLP_FC2,     "d_mlp_fc2",     1, "d relu = fc2^T . d x_out") \
	X(D_RELU,        "d_relu",        1, "d fc1 = d relu where fc1 > 0") \
	X(D_MLP_FC1,     "d_mlp_fc1",     1, "d xn2 = fc1^T . d fc1") \
	X(D_RMSNORM_MLP, "d_rmsnorm_mlp", 1, "rmsnorm's backward: d x_mid") \
	X(D_ATTN_WO,     "d_attn_wo",     1, "d concat = wo^T . d x_mid") \
	X(D_HEAD_OUT,    "d_head_out",    2, "the head's d out -> d weights[u] = v[u] . d out") \
	X(D_ATTN_WEIGHTS,"d_attn_weights",2, "the softmax's backward: d exp, d score") \
	X(D_ATTN_SCORES, "d_attn_scores", 2, "d q slice; shares of d k[u], d v[u]") \
	X(D_QKV,         "d_qkv",         1, "d xn1 = wq^T d q + wk^T d k + wv^T d v") \
	X(D_RMSNORM_ATTN,"d_rmsnorm_attn",1, "rmsnorm's backward: d layer input") \
	X(D_RMSNORM_IN,  "d_rmsnorm_in",  0, "the first rmsnorm's backward: d emb") \
	X(D_EMBED,       "d_embed",       0, "d emb added into wte[token] and wpe[pos]") \
	X(PARAM_GRAD,    "param_grad",    0, "d W of one tensor") \
	X(ADAM,          "adam",          0, "the Adam update of one tensor")

enum op_kind {
#define OP_KIND_ENUM(kind, name, depth, what) OP_##kind,
	OP_KINDS(OP_KIND_ENUM)
#undef OP_KIND_ENUM
	OP__COUNT
};

struct op {
	enum op_kind kind;
	int pos;    /* position 0..n_pos-1 (0 for loss, param_grad, adam) */
	int layer;  /* -1 where none */
	int head;   /* -1 where none */
	int tensor; /* param_grad, adam: index in the state_dict order; else 0 */
};

/* Which part of a training step an op kind belongs to: 0 the forward,
 * 1 the loss and the backward, 2 the tensors' gradients and updates. */
int op_phase(enum op_kind k);
/* "wte", "layer0.attn_wq", ...: tensor i of the state_dict order
 * (wte, wpe, lm_head, then per layer attn_wq, attn_wk, attn_wv,
 * attn_wo, mlp_fc1, mlp_fc2), as model.c names them. */
const char *op_tensor_name(int i, char *buf, size_t n);
int op_n_tensors(const struct model_config *c);   /* 3 + 6 L */

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
	int        train;  /* the pass is a training step: the forward ops, then
	                    * the loss, the backward in the engine's order, each
	                    * tensor's param_grad, each tensor's adam */
	int        n_fwd;  /* ops of the forward: the loss's index when train */
};

const char *op_name(enum op_kind k);      /* stable names: "attn_weights", "probs", ... */
int         op_depth(enum op_kind k);
/* "L0H2 attn_weights @ pos 3" style label. */
void        op_label(const struct op *op, char *buf, size_t n);

void stepper_init(struct stepper *s, const struct model_config *cfg);
void stepper_free(struct stepper *s);
/* Lay out the ops of a pass over n_pos positions, keeping the current op
 * (same kind, layer, head and position) where it still exists. With
 * s->train set, the training step's ops follow the forward's:
 *
 *   loss; d_logits (each t); d_lm_head (each t);
 *   layer L-1 .. 0: d_mlp_fc2, d_relu, d_mlp_fc1, d_rmsnorm_mlp, d_attn_wo
 *     (each t); t = n-1 .. 0, head 0 .. H-1: d_head_out, d_attn_weights,
 *     d_attn_scores; d_qkv, d_rmsnorm_attn (each t);
 *   t = n-1 .. 0: d_rmsnorm_in, d_embed;
 *   param_grad (each tensor); adam (each tensor)
 *
 * the order model_backward computes them (docs/TRAINSTEP.md). Groups
 * there: a head (its three ops at one position), a layer (all of its
 * backward ops), at depth 0 a kernel's run of one kind (d_rmsnorm_in
 * and d_embed: their position). c/C stop at the loss, the end of the
 * backward and the runs of param_grad and adam; Tab on param_grad and
 * adam goes to the next tensor. */
void stepper_build(struct stepper *s, int n_pos);
/* Apply a command; returns 1 when the current op moved. */
int  stepper_move(struct stepper *s, enum step_cmd cmd);
/* The current op; NULL only while the pass is empty (n_pos 0). */
const struct op *stepper_op(const struct stepper *s);
/* Toggle a breakpoint on the current kind of op; returns 1 if now set. */
int  stepper_toggle_break(struct stepper *s);
int  stepper_is_break(const struct stepper *s, const struct op *op);

/* The output numbers of an op, read from the trace (never recomputed):
 * embed -> tok_emb (pos_emb via op_aux), kv_cache -> this position's k
 * (v via aux), head_qkv -> q slice, attn_scores/attn_weights -> one value
 * per cached position, probs -> indexed by token id, BOS last. */
const double *op_out(const struct trace *tr, const struct op *op, int *n);


/* ---- additions: everything a screen needs, read from the trace ---- */

/* Where a step command may stop, spelled out (stepper.c implements exactly
 * this). Groups: a head (its four depth-2 ops), a layer (its ops, heads
 * included), a position (all its ops).
 *   n / N  the next / previous op whose depth is the current op's or
 *          shallower; it may cross into the next / previous position.
 *   f      the first op after the innermost group holding the current op
 *          (head, else layer, else position); past the last position it
 *          goes to the last op.
 *   F      the first op of that group; if already there, the first op of
 *          the enclosing group; at a position's first op, the previous
 *          position's first op.
 *   c / C  the next / previous op that matches a breakpoint or ends
 *          (probs) / starts (embed) a position.
 *   Tab    the same kind, layer and head at pos+1 / pos-1.
 * s then S (and Tab then Shift-Tab) always return to the op they left. */

/* Number of ops in one position: 5 + L * (14 + 4H). */
int  stepper_ops_per_pos(const struct model_config *cfg);
/* Index in s->ops of an op (kind, pos, layer, head), or -1 when the pass
 * has no such op. Constant time for forward ops; a training step's are
 * searched (a few thousand at most). */
int  stepper_find(const struct stepper *s, const struct op *op);
/* Make op the current one; returns 1 when it exists. */
int  stepper_seek(struct stepper *s, const struct op *op);
/* The op's kind from its stable name, or -1. */
int  op_kind_from_name(const char *name);

/* The second vector of an op where it has one: embed -> pos_emb,
 * kv_cache -> this position's v. NULL (and *n = 0) otherwise. */
const double *op_aux(const struct trace *tr, const struct op *op, int *n);

/* Everything an op computed from, for showing its formula with the
 * numbers filled in. Every pointer points into the trace or the model's
 * parameters; nothing is recomputed. Fields that do not apply to the op
 * are 0 / NULL.
 *
 *   op             in            in2            other fields
 *   embed          (none)        (none)         token; out = wte[token], aux = wpe[pos]
 *   embed_sum      tok_emb       pos_emb
 *   rmsnorm_in     emb                          ms, scale
 *   residual       layer input                  (out is the same vector)
 *   rmsnorm_attn   layer input                  ms, scale
 *   q, k, v        rmsnorm_attn out             weight
 *   kv_cache                                    k, v rows 0..pos (stride C, dim0 0, dim C)
 *   head_qkv       q (the head's slice)         k, v slices, dim0, dim
 *   attn_scores    q slice                      k slices, att_scale
 *   attn_weights   scores        exps           max, sum
 *   head_out       weights                      v slices, head_off
 *   concat         att_head (all heads)         head_mask (out = att_cat)
 *   attn_wo        concat out                   weight
 *   attn_residual  attn_wo out   layer input
 *   rmsnorm_mlp    attn_residual out            ms, scale
 *   mlp_fc1        rmsnorm_mlp out              weight
 *   relu           mlp_fc1 out                  n_active
 *   mlp_fc2        relu out                     weight
 *   mlp_residual   mlp_fc2 out   attn_residual out
 *   logits         last layer's out             weight
 *   probs          logits        exps           max, sum, target, loss
 *
 * A linear op's out[o] = sum_i W[o][i] * in[i]; W[o][i] is
 * m->p[model_index(weight, o, i)] (op_weight). */
struct op_view {
	const double *out;  int n_out;   /* op_out */
	const double *aux;  int n_aux;   /* op_aux */
	const double *in;   int n_in;
	const double *in2;  int n_in2;
	const struct tensor *weight;     /* linear ops, else NULL */
	double ms, scale;                /* rmsnorm: mean square, (ms + eps)^-0.5 */
	double max, sum;                 /* softmax: the max subtracted, the sum of exps */
	const double *k, *v;             /* cached rows: row u's slice at k + u*stride */
	int    n_cached;                 /* pos + 1 */
	int    stride;                   /* C */
	int    dim0, dim;                /* the dimensions the head owns: dim0..dim0+dim-1 */
	double att_scale;                /* (D^0.5)^-1 */
	int    head_off;                 /* head ops: this head is switched off */
	uint64_t head_mask;              /* the trace's mask (bit l*H+h = off) */
	int    n_active;                 /* relu: units > 0 */
	int    token;                    /* the input token at pos */
	int    target;                   /* the next token, -1 when unknown */
	double loss;                     /* probs: -log p[target], NaN when unknown */
};

/* Fill v for op; returns -1 (v zeroed) when op is not in the trace. */
int    op_view(const struct model *m, const struct trace *tr, const struct op *op,
               struct op_view *v);
/* W[row][col] of a linear op's weight (0 when the op has none). */
double op_weight(const struct model *m, const struct op_view *v, int row, int col);

#endif
