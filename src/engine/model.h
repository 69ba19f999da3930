/* SPDX-License-Identifier: MIT */
/* model.h - MicroGPT: parameters, a forward pass that records everything it
 * computes (the trace), the hand-written backward pass, and Adam.
 *
 * One implementation of the math serves training, sampling, `trace` and the
 * screen. The forward pass performs the reference's floating-point
 * operations in the reference's order, so its values are bit-identical to
 * microgpt.py's for the same parameters.
 *
 * Shapes below: V vocab_size, C n_embd, H n_head, D head_dim = C/H,
 * L n_layer, T block_size, F = 4*C. */
#ifndef MGPT_MODEL_H
#define MGPT_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct rng;
struct adam_record;

struct model_config {
	int vocab_size;  /* distinct characters + 1; BOS is vocab_size-1 */
	int n_embd;      /* C */
	int n_head;      /* H; C % H == 0 */
	int n_layer;     /* L */
	int block_size;  /* T: the longest context */
};

/* rmsnorm's epsilon: x * (mean(x^2) + MODEL_RMS_EPS)^-0.5 */
#define MODEL_RMS_EPS 1e-5

/* x ** y as CPython computes it: the C library's pow() called at run time,
 * never rewritten by the compiler into 1/x or sqrt(x). */
double model_pow(double x, double y);
/* The attention scale (head_dim ** 0.5) ** -1, as the reference computes it. */
double model_attn_scale(const struct model_config *cfg);

/* Limits that keep a configuration sane (the memory figure is checked
 * separately by model_config_check). */
#define MODEL_MAX_DIM   4096
#define MODEL_MAX_BYTES ((uint64_t)4 << 30)

/* The tensors, in the reference's creation order. */
enum tensor_kind {
	TENSOR_WTE, TENSOR_WPE, TENSOR_LM_HEAD,
	TENSOR_WQ, TENSOR_WK, TENSOR_WV, TENSOR_WO, TENSOR_FC1, TENSOR_FC2
};

struct tensor {
	enum tensor_kind kind;
	int    layer;     /* -1 for wte, wpe, lm_head */
	int    rows;      /* out features (or table rows) */
	int    cols;      /* in features (or table width) */
	size_t off;       /* first element in the flat parameter vector */
	int    transposed;/* stored [cols][rows]: linear layers, so that the
	                   * forward's inner loop runs over contiguous outputs */
	char   name[24];  /* "wte", "layer0.attn_wq", ... as in the reference */
};

struct model {
	struct model_config cfg;
	int            head_dim;  /* C / H */
	size_t         n_params;
	int            n_tensors;
	struct tensor *tensors;   /* [n_tensors] creation order */
	double        *p;         /* [n_params] parameters (internal layout) */
	double         inv_C;     /* n_embd ** -1 (pow(), as the reference: once,
	                           * not in every pass) */
	double         attn_scale; /* model_attn_scale(&cfg) */
};

/* Validate a configuration; on error write a one-line reason and return -1.
 * Refuses sizes whose memory would be absurd, with the figure. */
int    model_config_check(const struct model_config *cfg, char *err, size_t errlen);
size_t model_config_params(const struct model_config *cfg);
/* Bytes a trainer of this configuration allocates (parameters, gradients,
 * Adam state and a full-block trace). */
uint64_t model_config_bytes(const struct model_config *cfg);

void   model_init(struct model *m, const struct model_config *cfg);
/* Fill every matrix row by row with gauss(0, 0.08), in creation order. */
void   model_randomize(struct model *m, struct rng *r);
void   model_free(struct model *m);

const struct tensor *model_tensor(const struct model *m, enum tensor_kind k, int layer);
/* Element (row, col) of a tensor in a flat vector laid out like m->p. */
size_t model_index(const struct tensor *t, int row, int col);
/* Convert a flat vector between the internal layout and the reference
 * layout (every tensor row-major [rows][cols], creation order), which is
 * what snapshots store. */
void   model_to_ref(const struct model *m, const double *in, double *out);
void   model_from_ref(const struct model *m, const double *in, double *out);

/* The trace's arrays, written once (tig's X-macros): the name, the count
 * of doubles in terms of T (block_size), C (n_embd), L, H, F (4 C) and V,
 * and the shape with its meaning. struct trace declares them, trace_init
 * allocates and trace_free frees them from this list. */
#define TRACE_FIELDS(X) \
	X(tok_emb,   T * C,         "[T][C] wte[token] (a copy, for display)") \
	X(pos_emb,   T * C,         "[T][C] wpe[pos]") \
	X(emb,       T * C,         "[T][C] tok_emb + pos_emb") \
	X(ln0_ms,    T,             "[T] mean square of emb") \
	X(ln0_scale, T,             "[T] (ms + 1e-5)^-0.5") \
	X(x0,        T * C,         "[T][C] rmsnorm(emb): the first residual") \
	X(ln1_ms,    L * T,         "[L][T]") \
	X(ln1_scale, L * T,         "[L][T]") \
	X(xn1,       L * T * C,     "[L][T][C] rmsnorm of the layer input") \
	X(q,         L * T * C,     "[L][T][C]") \
	X(k,         L * T * C,     "[L][T][C] the KV cache's keys") \
	X(v,         L * T * C,     "[L][T][C] the KV cache's values") \
	X(att_score, L * T * H * T, "[L][T][H][T] q_h.k_h[t] * (D^0.5)^-1") \
	X(att_max,   L * T * H,     "[L][T][H]") \
	X(att_exp,   L * T * H * T, "[L][T][H][T] exp(score - max)") \
	X(att_sum,   L * T * H,     "[L][T][H]") \
	X(att_w,     L * T * H * T, "[L][T][H][T] softmax weights") \
	X(att_head,  L * T * C,     "[L][T][C] head outputs, concatenated, all heads") \
	X(att_cat,   L * T * C,     "[L][T][C] the same with switched-off heads zeroed: attn_wo's input") \
	X(att_proj,  L * T * C,     "[L][T][C] linear(att_cat, attn_wo)") \
	X(x_mid,     L * T * C,     "[L][T][C] att_proj + layer input") \
	X(ln2_ms,    L * T,         "[L][T]") \
	X(ln2_scale, L * T,         "[L][T]") \
	X(xn2,       L * T * C,     "[L][T][C]") \
	X(fc1,       L * T * F,     "[L][T][F] before ReLU") \
	X(relu,      L * T * F,     "[L][T][F]") \
	X(fc2,       L * T * C,     "[L][T][C]") \
	X(x_out,     L * T * C,     "[L][T][C] fc2 + x_mid: the layer's output") \
	X(logits,    T * V,         "[T][V]") \
	X(logit_max, T,             "[T]") \
	X(logit_exp, T * V,         "[T][V] exp(logit - max)") \
	X(logit_sum, T,             "[T]") \
	X(probs,     T * V,         "[T][V] softmax(logits)") \
	X(loss,      T,             "[T] -log probs[target], NaN when no target")

/* Everything one forward pass computed, position by position. It is the
 * backward pass's cache and the debugger's record: the screen and `trace`
 * read these values and never recompute them. Per-layer arrays are indexed
 * [l][t]...; attention rows over cached positions are [l][t][h][T] with
 * entries 0..t valid. */
struct trace {
	struct model_config cfg;
	int     n_pos;        /* positions computed so far (the KV cache length) */
	uint64_t head_mask;   /* bit l*H+h set: head h of layer l is switched off */
	int    *token;        /* [T] input token at each position */
	int    *target;       /* [T] next token, or -1 when unknown */
	/* the arrays of TRACE_FIELDS below, one double * each */
#define TRACE_FIELD_DECL(name, count, shape) double *name;
	TRACE_FIELDS(TRACE_FIELD_DECL)
#undef TRACE_FIELD_DECL
	/* kept for the backward pass, not shown: */
	double *att_inv;      /* [L][T][H] att_sum ** -1 */
	double *logit_inv;    /* [T] logit_sum ** -1 */
};

void   trace_init(struct trace *tr, const struct model_config *cfg);
void   trace_free(struct trace *tr);
/* Forget the KV cache (start a new sequence); the head mask is kept. */
void   trace_reset(struct trace *tr);

/* The one head-mask helper: bit l*H+h of a mask says head h of layer l is
 * switched off. */
static inline uint64_t model_head_bit(const struct model_config *c, int l, int h)
{ return (uint64_t)1 << (l * c->n_head + h); }
static inline int model_head_off(uint64_t mask, const struct model_config *c, int l, int h)
{ return (mask & model_head_bit(c, l, h)) != 0; }

/* Index helpers for the per-layer arrays. */
static inline size_t trace_lt(const struct trace *tr, int l, int t)
{ return (size_t)l * tr->cfg.block_size + t; }
static inline size_t trace_lth(const struct trace *tr, int l, int t, int h)
{ return ((size_t)l * tr->cfg.block_size + t) * tr->cfg.n_head + h; }

/* Feed `token` at the next position (tr->n_pos, which must be below
 * block_size): compute and record it, and grow the KV cache by one.
 * `target` is the next token if known (for the loss), else -1. */
void   model_forward(const struct model *m, struct trace *tr, int token, int target);
/* Feed n tokens at once (positions tr->n_pos .. tr->n_pos+n-1, which must
 * fit in block_size), targets[i] for tokens[i] as above. The trace is bit
 * for bit that of n model_forward calls; each linear layer runs over all n
 * positions together, which is faster for training. */
void   model_forward_seq(const struct model *m, struct trace *tr, const int *tokens,
                         const int *targets, int n);
/* Recompute positions 0..n_pos-1 with the current parameters and head mask
 * (after switching a head, or after new weights). */
void   model_reforward(const struct model *m, struct trace *tr);

/* Recompute positions 0..n_pos-1 from layer `layer`'s concatenation on:
 * att_cat from the recorded att_head under the current head_mask, attn_wo,
 * the MLP, every later layer and the logits. What comes before (the
 * embedding, the earlier layers, this layer's attention up to att_head) is
 * kept as recorded: the values are bit for bit model_reforward's when those
 * are what it would compute (only the mask of layers >= `layer` changed),
 * and a caller may have replaced some of att_head (activation patching). */
void   model_forward_from_concat(const struct model *m, struct trace *tr, int layer);

/* Gradients of the loss mean(loss[0..n_pos)) of a trace whose positions
 * all have targets, by backpropagation through the recorded values. g has
 * n_params elements laid out like m->p and is overwritten. A switched-off
 * head passes no gradient (its slice of att_cat is a constant zero). */
struct backward;
struct backward *backward_new(const struct model_config *cfg);
void   backward_free(struct backward *bw);
void   model_backward(const struct model *m, const struct trace *tr, double *g,
                      struct backward *bw);

/* Softmax of logits * temperature^-1 as the reference's sampler computes it
 * (exactly softmax(logits) at temperature 1). probs has V elements. */
void   model_softmax_temp(const double *logits, int n, double temperature, double *probs);

/* The training state: parameters, Adam moments, scratch buffers. */
struct adam {
	double lr, beta1, beta2, eps;   /* 0.01, 0.85, 0.99, 1e-8 */
	double *m, *v;                  /* [n_params] moments (internal layout) */
	uint64_t *hard;                 /* [n_params] scratch: where pow() decides */
	struct adam_record *rec;        /* NULL, or where the next updates write
	                                 * m_hat, v_hat, the update (gradtrace.h) */
	double bc_beta[2];              /* the betas bc_one was found for */
	long   bc_one[2];               /* 1 - beta ** t is 1.0 from t = bc_one on */
};
void   adam_init(struct adam *a, size_t n_params);
void   adam_free(struct adam *a);
/* One update at step s of n (lr_t = lr * (1 - s/n)); returns lr_t. Also
 * gives sum g[i]^2 (in eight lanes, see kernels.h; the squared gradient
 * norm) from the same pass over g when grad_sq is not NULL. */
double adam_update_norm(struct adam *a, double *p, const double *g, size_t n_params,
                        long step, long n_steps, double *grad_sq);

#endif
