/* SPDX-License-Identifier: MIT */
/* stepper.c - the op sequence of a forward pass, the step commands that
 * move through it, and the views of an op's values in the trace.
 *
 * The layout mirrors model_forward's loops, so an op's index is arithmetic:
 *
 *   position t:  embed, embed_sum, rmsnorm_in, layer 0 .. layer L-1, logits, probs
 *   layer l:     residual, rmsnorm_attn, q, k, v, kv_cache,
 *                head 0 .. head H-1, concat, attn_wo, attn_residual,
 *                rmsnorm_mlp, mlp_fc1, relu, mlp_fc2, mlp_residual
 *   head h:      head_qkv, attn_scores, attn_weights, head_out
 *
 * A training step (s->train) appends the loss, the backward and the
 * tensors' ops after the forward's (stepper.h); those are found by search.
 *
 * Nothing here computes a value of the model: every number comes from the
 * trace or the parameters. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepper.h"
#include "xmalloc.h"

static const char *const op_names[OP__COUNT] = {
#define OP_KIND_NAME(kind, name, depth, what) [OP_##kind] = name,
	OP_KINDS(OP_KIND_NAME)
#undef OP_KIND_NAME
};

static const int op_depths[OP__COUNT] = {
#define OP_KIND_DEPTH(kind, name, depth, what) [OP_##kind] = depth,
	OP_KINDS(OP_KIND_DEPTH)
#undef OP_KIND_DEPTH
};

const char *
op_name(enum op_kind k)
{
	return (unsigned)k < OP__COUNT ? op_names[k] : "?";
}

int
op_kind_from_name(const char *name)
{
	int k;

	for (k = 0; k < OP__COUNT; k++)
		if (!strcmp(name, op_names[k]))
			return k;
	return -1;
}

int
op_depth(enum op_kind k)
{
	return (unsigned)k < OP__COUNT ? op_depths[k] : 0;
}

int
op_phase(enum op_kind k)
{
	return k <= OP_PROBS ? 0 : k < OP_PARAM_GRAD ? 1 : 2;
}

int
op_n_tensors(const struct model_config *c)
{
	return 3 + 6 * c->n_layer;
}

const char *
op_tensor_name(int i, char *buf, size_t n)
{
	static const char *const top[3] = { "wte", "wpe", "lm_head" };
	static const char *const per[6] = { "attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2" };

	if (i < 0)
		snprintf(buf, n, "?");
	else if (i < 3)
		snprintf(buf, n, "%s", top[i]);
	else
		snprintf(buf, n, "layer%d.%s", (i - 3) / 6, per[(i - 3) % 6]);
	return buf;
}

void
op_label(const struct op *op, char *buf, size_t n)
{
	char tn[32];

	if (op->kind == OP_LOSS) {
		snprintf(buf, n, "loss");
		return;
	}
	if (op_phase(op->kind) == 2) {
		snprintf(buf, n, "%s %s", op_name(op->kind), op_tensor_name(op->tensor, tn, sizeof tn));
		return;
	}
	switch (op_depth(op->kind)) {
	case 2:
		snprintf(buf, n, "L%dH%d %s @ pos %d", op->layer, op->head, op_name(op->kind), op->pos);
		break;
	case 1:
		snprintf(buf, n, "L%d %s @ pos %d", op->layer, op_name(op->kind), op->pos);
		break;
	default:
		snprintf(buf, n, "%s @ pos %d", op_name(op->kind), op->pos);
		break;
	}
}

/* ---- layout ---- */

static int
layer_len(const struct model_config *c)
{
	return 14 + 4 * c->n_head;
}

int
stepper_ops_per_pos(const struct model_config *c)
{
	return 5 + c->n_layer * layer_len(c);
}

/* An op names something that exists in a pass of n_pos positions, with
 * layer and head -1 exactly where its depth has none. */
static int
op_valid(const struct model_config *c, int n_pos, const struct op *op)
{
	int d;

	if (!op || (unsigned)op->kind > OP_PROBS || op->pos < 0 || op->pos >= n_pos)
		return 0;
	d = op_depth(op->kind);
	if (d == 0)
		return op->layer == -1 && op->head == -1;
	if (op->layer < 0 || op->layer >= c->n_layer)
		return 0;
	if (d == 1)
		return op->head == -1;
	return op->head >= 0 && op->head < c->n_head;
}

/* Index of op within its position. */
static int
op_offset(const struct model_config *c, const struct op *op)
{
	const int B = layer_len(c), base = 3 + op->layer * B;

	switch (op->kind) {
	case OP_EMBED: return 0;
	case OP_EMBED_SUM: return 1;
	case OP_RMSNORM_IN: return 2;
	case OP_LOGITS: return 3 + c->n_layer * B;
	case OP_PROBS: return 4 + c->n_layer * B;
	default: break;
	}
	if (op->kind <= OP_KV_CACHE)
		return base + (op->kind - OP_RESIDUAL);
	if (op->kind <= OP_HEAD_OUT)
		return base + 6 + 4 * op->head + (op->kind - OP_HEAD_QKV);
	return base + 6 + 4 * c->n_head + (op->kind - OP_CONCAT);
}

static int
same_op(const struct op *a, const struct op *b)
{
	return a->kind == b->kind && a->pos == b->pos && a->layer == b->layer && a->head == b->head
	    && (op_phase(a->kind) < 2 || a->tensor == b->tensor);
}

int
stepper_find(const struct stepper *s, const struct op *op)
{
	int i;

	if (op && (unsigned)op->kind < OP__COUNT && op_phase(op->kind) > 0) {
		for (i = s->n_fwd; i < s->n_ops; i++)
			if (same_op(&s->ops[i], op))
				return i;
		return -1;
	}
	if (!op_valid(&s->cfg, s->n_pos, op))
		return -1;
	return op->pos * stepper_ops_per_pos(&s->cfg) + op_offset(&s->cfg, op);
}

void
stepper_init(struct stepper *s, const struct model_config *cfg)
{
	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
}

void
stepper_free(struct stepper *s)
{
	free(s->ops);
	s->ops = NULL;
	s->n_ops = s->n_pos = s->cur = 0;
}

static void
put(struct stepper *s, int *i, enum op_kind k, int pos, int layer, int head)
{
	struct op *op = &s->ops[(*i)++];

	op->kind = k;
	op->pos = pos;
	op->layer = layer;
	op->head = head;
	op->tensor = 0;
}

/* Ops of a training step after the forward: 1 + 4n + L (7n + 3nH) + 2 NT */
static int
train_len(const struct model_config *c, int n)
{
	return n ? 1 + 4 * n + c->n_layer * (7 * n + 3 * n * c->n_head) + 2 * op_n_tensors(c) : 0;
}

static int
tensor_layer(int i)
{
	return i < 3 ? -1 : (i - 3) / 6;
}

/* the order of model_backward, then the tensors (stepper.h) */
static void
put_train(struct stepper *s, int *i, int n)
{
	const struct model_config *c = &s->cfg;
	int t, l, h, k, NT = op_n_tensors(c);

	if (!n)
		return;
	put(s, i, OP_LOSS, 0, -1, -1);
	for (t = 0; t < n; t++)
		put(s, i, OP_D_LOGITS, t, -1, -1);
	for (t = 0; t < n; t++)
		put(s, i, OP_D_LM_HEAD, t, -1, -1);
	for (l = c->n_layer - 1; l >= 0; l--) {
		for (k = OP_D_MLP_FC2; k <= OP_D_ATTN_WO; k++)
			for (t = 0; t < n; t++)
				put(s, i, (enum op_kind)k, t, l, -1);
		for (t = n - 1; t >= 0; t--)
			for (h = 0; h < c->n_head; h++)
				for (k = OP_D_HEAD_OUT; k <= OP_D_ATTN_SCORES; k++)
					put(s, i, (enum op_kind)k, t, l, h);
		for (k = OP_D_QKV; k <= OP_D_RMSNORM_ATTN; k++)
			for (t = 0; t < n; t++)
				put(s, i, (enum op_kind)k, t, l, -1);
	}
	for (t = n - 1; t >= 0; t--) {
		put(s, i, OP_D_RMSNORM_IN, t, -1, -1);
		put(s, i, OP_D_EMBED, t, -1, -1);
	}
	for (k = OP_PARAM_GRAD; k <= OP_ADAM; k++)
		for (t = 0; t < NT; t++) {
			put(s, i, (enum op_kind)k, 0, tensor_layer(t), -1);
			s->ops[*i - 1].tensor = t;
		}
}

void
stepper_build(struct stepper *s, int n_pos)
{
	const struct model_config *c = &s->cfg;
	struct op old = { OP_EMBED, 0, -1, -1, 0 };
	int had = s->n_ops > 0, i = 0, t, l, h, k, idx;

	if (had)
		old = s->ops[s->cur];
	if (n_pos < 0)
		n_pos = 0;
	if (n_pos > c->block_size)
		n_pos = c->block_size;
	s->n_pos = n_pos;
	s->n_fwd = n_pos * stepper_ops_per_pos(c);
	s->n_ops = s->n_fwd + (s->train ? train_len(c, n_pos) : 0);
	free(s->ops);
	s->ops = s->n_ops ? xmalloc((size_t)s->n_ops * sizeof *s->ops) : NULL;

	/* the order of model_forward's loops */
	for (t = 0; t < n_pos; t++) {
		put(s, &i, OP_EMBED, t, -1, -1);
		put(s, &i, OP_EMBED_SUM, t, -1, -1);
		put(s, &i, OP_RMSNORM_IN, t, -1, -1);
		for (l = 0; l < c->n_layer; l++) {
			for (k = OP_RESIDUAL; k <= OP_KV_CACHE; k++)
				put(s, &i, (enum op_kind)k, t, l, -1);
			for (h = 0; h < c->n_head; h++)
				for (k = OP_HEAD_QKV; k <= OP_HEAD_OUT; k++)
					put(s, &i, (enum op_kind)k, t, l, h);
			for (k = OP_CONCAT; k <= OP_MLP_RESIDUAL; k++)
				put(s, &i, (enum op_kind)k, t, l, -1);
		}
		put(s, &i, OP_LOGITS, t, -1, -1);
		put(s, &i, OP_PROBS, t, -1, -1);
	}
	if (s->train)
		put_train(s, &i, n_pos);

	/* keep the current op; a position that is gone becomes the last one */
	s->cur = 0;
	if (!had || !n_pos)
		return;
	if (old.pos >= n_pos && op_phase(old.kind) < 2)
		old.pos = n_pos - 1;
	idx = stepper_find(s, &old);
	if (idx >= 0)
		s->cur = idx;
}

const struct op *
stepper_op(const struct stepper *s)
{
	return s->n_ops ? &s->ops[s->cur] : NULL;
}

int
stepper_seek(struct stepper *s, const struct op *op)
{
	int idx = stepper_find(s, op);

	if (idx < 0)
		return 0;
	s->cur = idx;
	return 1;
}

/* ---- breakpoints ---- */

static int
same_place(const struct op *a, const struct op *b)
{
	return a->kind == b->kind && a->layer == b->layer && a->head == b->head;
}

int
stepper_is_break(const struct stepper *s, const struct op *op)
{
	int i;

	for (i = 0; i < s->n_breaks; i++)
		if (same_place(&s->breaks[i], op))
			return 1;
	return 0;
}

int
stepper_toggle_break(struct stepper *s)
{
	const struct op *op = stepper_op(s);
	int i;

	if (!op)
		return 0;
	for (i = 0; i < s->n_breaks; i++)
		if (same_place(&s->breaks[i], op)) {
			memmove(&s->breaks[i], &s->breaks[i + 1],
			    (size_t)(s->n_breaks - i - 1) * sizeof s->breaks[0]);
			s->n_breaks--;
			return 0;
		}
	if (s->n_breaks == STEPPER_MAX_BREAKS)
		return 0;
	s->breaks[s->n_breaks] = *op;
	s->breaks[s->n_breaks].pos = 0;
	s->n_breaks++;
	return 1;
}

/* ---- moves ---- */

/* op lies in the group of depth gd (0 position, 1 layer, 2 head) that g
 * belongs to. */
static int
in_group(const struct op *op, const struct op *g, int gd)
{
	if (op_phase(op->kind) != op_phase(g->kind))
		return 0;
	if (op_phase(g->kind) > 0) {   /* a training step's groups (stepper.h) */
		if (gd >= 2)
			return op_depth(op->kind) == 2 && op->pos == g->pos && op->layer == g->layer
			    && op->head == g->head;
		if (gd == 1)
			return op_depth(op->kind) >= 1 && op->layer == g->layer;
		if (g->kind == OP_D_RMSNORM_IN || g->kind == OP_D_EMBED)
			return (op->kind == OP_D_RMSNORM_IN || op->kind == OP_D_EMBED) && op->pos == g->pos;
		return op->kind == g->kind;
	}
	if (op->pos != g->pos)
		return 0;
	if (gd >= 1 && (op_depth(op->kind) < 1 || op->layer != g->layer))
		return 0;
	if (gd >= 2 && (op_depth(op->kind) < 2 || op->head != g->head))
		return 0;
	return 1;
}

static int
group_start(const struct stepper *s, int i, int gd)
{
	const struct op *g = &s->ops[i];

	while (i > 0 && in_group(&s->ops[i - 1], g, gd))
		i--;
	return i;
}

/* Where c (fwd) and C stop besides breakpoints: a position's end (start),
 * the loss, the end of the backward, the runs of param_grad and adam. */
static int
cont_stop(const struct stepper *s, int i, int fwd)
{
	const struct op *op = &s->ops[i];

	if (op->kind == OP_LOSS)
		return 1;
	if (fwd)
		return op->kind == OP_PROBS || (op->kind == OP_D_EMBED && op->pos == 0)
		    || (op_phase(op->kind) == 2 && (i == s->n_ops - 1 || s->ops[i + 1].kind != op->kind));
	return op->kind == OP_EMBED || (op_phase(op->kind) == 2 && s->ops[i - 1].kind != op->kind);
}

static int
move_target(const struct stepper *s, enum step_cmd cmd)
{
	const int cur = s->cur, last = s->n_ops - 1;
	const struct op *op = &s->ops[cur];
	const int d = op_depth(op->kind);
	struct op o;
	int i;

	switch (cmd) {
	case STEP_INTO:
		return cur < last ? cur + 1 : cur;
	case STEP_INTO_BACK:
		return cur > 0 ? cur - 1 : cur;
	case STEP_NEXT:
		for (i = cur + 1; i <= last; i++)
			if (op_depth(s->ops[i].kind) <= d)
				return i;
		return cur;
	case STEP_NEXT_BACK:
		for (i = cur - 1; i >= 0; i--)
			if (op_depth(s->ops[i].kind) <= d)
				return i;
		return cur;
	case STEP_FINISH:
		for (i = cur + 1; i <= last && in_group(&s->ops[i], op, d); i++)
			;
		return i <= last ? i : last;
	case STEP_FINISH_BACK:
		i = group_start(s, cur, d);
		if (i != cur)
			return i;
		if (d > 0)
			return group_start(s, cur, d - 1);
		return cur > 0 ? group_start(s, cur - 1, 0) : cur;
	case STEP_CONT:
		for (i = cur + 1; i <= last; i++)
			if (cont_stop(s, i, 1) || stepper_is_break(s, &s->ops[i]))
				return i;
		return cur;
	case STEP_CONT_BACK:
		for (i = cur - 1; i >= 0; i--)
			if (cont_stop(s, i, 0) || stepper_is_break(s, &s->ops[i]))
				return i;
		return cur;
	case STEP_POS_NEXT:
	case STEP_POS_PREV:
		o = *op;
		if (op_phase(op->kind) == 2) {   /* the next tensor */
			o.tensor += cmd == STEP_POS_NEXT ? 1 : -1;
			o.layer = tensor_layer(o.tensor);
		} else
			o.pos += cmd == STEP_POS_NEXT ? 1 : -1;
		i = stepper_find(s, &o);
		return i >= 0 ? i : cur;
	case STEP_FIRST:
		return 0;
	case STEP_LAST:
		return last;
	}
	return cur;
}

int
stepper_move(struct stepper *s, enum step_cmd cmd)
{
	int to;

	if (!s->n_ops)
		return 0;
	to = move_target(s, cmd);
	if (to == s->cur)
		return 0;
	s->cur = to;
	return 1;
}

/* ---- values ---- */

/* Offsets of the arrays an op reads, from the trace's shapes. */
struct at {
	int C, H, D, T, V, F, t, l, h;
	size_t tc;     /* t * C */
	size_t lt;     /* l * T + t */
	size_t lt0;    /* l * T */
	size_t lth;    /* (l * T + t) * H + h */
};

static int
at_op(const struct trace *tr, const struct op *op, struct at *a)
{
	const struct model_config *c = &tr->cfg;

	if (!op_valid(c, tr->n_pos, op))
		return -1;
	a->C = c->n_embd;
	a->H = c->n_head;
	a->D = a->C / a->H;
	a->T = c->block_size;
	a->V = c->vocab_size;
	a->F = 4 * a->C;
	a->t = op->pos;
	a->l = op->layer >= 0 ? op->layer : 0;
	a->h = op->head >= 0 ? op->head : 0;
	a->tc = (size_t)a->t * a->C;
	a->lt = trace_lt(tr, a->l, a->t);
	a->lt0 = trace_lt(tr, a->l, 0);
	a->lth = trace_lth(tr, a->l, a->t, a->h);
	return 0;
}

static const double *
layer_in(const struct trace *tr, const struct at *a)
{
	return a->l ? tr->x_out + trace_lt(tr, a->l - 1, a->t) * a->C : tr->x0 + a->tc;
}

const double *
op_out(const struct trace *tr, const struct op *op, int *n)
{
	struct at a;
	const double *p = NULL;
	int len = 0;

	if (at_op(tr, op, &a) == 0) {
		len = a.C;
		switch (op->kind) {
		case OP_EMBED: p = tr->tok_emb + a.tc; break;
		case OP_EMBED_SUM: p = tr->emb + a.tc; break;
		case OP_RMSNORM_IN: p = tr->x0 + a.tc; break;
		case OP_RESIDUAL: p = layer_in(tr, &a); break;
		case OP_RMSNORM_ATTN: p = tr->xn1 + a.lt * a.C; break;
		case OP_Q: p = tr->q + a.lt * a.C; break;
		case OP_K: p = tr->k + a.lt * a.C; break;
		case OP_V: p = tr->v + a.lt * a.C; break;
		case OP_KV_CACHE: p = tr->k + a.lt * a.C; break;
		case OP_HEAD_QKV: p = tr->q + a.lt * a.C + a.h * a.D; len = a.D; break;
		case OP_ATTN_SCORES: p = tr->att_score + a.lth * a.T; len = a.t + 1; break;
		case OP_ATTN_WEIGHTS: p = tr->att_w + a.lth * a.T; len = a.t + 1; break;
		case OP_HEAD_OUT: p = tr->att_head + a.lt * a.C + a.h * a.D; len = a.D; break;
		case OP_CONCAT: p = tr->att_cat + a.lt * a.C; break;
		case OP_ATTN_WO: p = tr->att_proj + a.lt * a.C; break;
		case OP_ATTN_RESIDUAL: p = tr->x_mid + a.lt * a.C; break;
		case OP_RMSNORM_MLP: p = tr->xn2 + a.lt * a.C; break;
		case OP_MLP_FC1: p = tr->fc1 + a.lt * a.F; len = a.F; break;
		case OP_RELU: p = tr->relu + a.lt * a.F; len = a.F; break;
		case OP_MLP_FC2: p = tr->fc2 + a.lt * a.C; break;
		case OP_MLP_RESIDUAL: p = tr->x_out + a.lt * a.C; break;
		case OP_LOGITS: p = tr->logits + (size_t)a.t * a.V; len = a.V; break;
		case OP_PROBS: p = tr->probs + (size_t)a.t * a.V; len = a.V; break;
		default: break;   /* a training step's: not in the forward trace */
		}
	}
	if (!p)
		len = 0;
	if (n)
		*n = len;
	return p;
}

const double *
op_aux(const struct trace *tr, const struct op *op, int *n)
{
	struct at a;
	const double *p = NULL;

	if (at_op(tr, op, &a) == 0) {
		if (op->kind == OP_EMBED)
			p = tr->pos_emb + a.tc;
		else if (op->kind == OP_KV_CACHE)
			p = tr->v + a.lt * a.C;
	}
	if (n)
		*n = p ? a.C : 0;
	return p;
}

static const struct tensor *
linear_weight(const struct model *m, const struct op *op)
{
	switch (op->kind) {
	case OP_Q: return model_tensor(m, TENSOR_WQ, op->layer);
	case OP_K: return model_tensor(m, TENSOR_WK, op->layer);
	case OP_V: return model_tensor(m, TENSOR_WV, op->layer);
	case OP_ATTN_WO: return model_tensor(m, TENSOR_WO, op->layer);
	case OP_MLP_FC1: return model_tensor(m, TENSOR_FC1, op->layer);
	case OP_MLP_FC2: return model_tensor(m, TENSOR_FC2, op->layer);
	case OP_LOGITS: return model_tensor(m, TENSOR_LM_HEAD, -1);
	default: return NULL;
	}
}

static int
same_config(const struct model_config *a, const struct model_config *b)
{
	return a->vocab_size == b->vocab_size && a->n_embd == b->n_embd &&
	    a->n_head == b->n_head && a->n_layer == b->n_layer && a->block_size == b->block_size;
}

int
op_view(const struct model *m, const struct trace *tr, const struct op *op, struct op_view *v)
{
	struct at a;
	int i;

	memset(v, 0, sizeof *v);
	v->loss = NAN;
	v->target = -1;
	if (!same_config(&m->cfg, &tr->cfg) || at_op(tr, op, &a) < 0)
		return -1;
	v->out = op_out(tr, op, &v->n_out);
	v->aux = op_aux(tr, op, &v->n_aux);
	v->weight = linear_weight(m, op);
	v->token = tr->token[a.t];
	v->target = tr->target[a.t];
	v->head_mask = tr->head_mask;
	v->stride = a.C;
	v->n_cached = a.t + 1;
#define IN(p, n) (v->in = (p), v->n_in = (n))
#define IN2(p, n) (v->in2 = (p), v->n_in2 = (n))
	switch (op->kind) {
	case OP_EMBED:
		break;
	case OP_EMBED_SUM:
		IN(tr->tok_emb + a.tc, a.C);
		IN2(tr->pos_emb + a.tc, a.C);
		break;
	case OP_RMSNORM_IN:
		IN(tr->emb + a.tc, a.C);
		v->ms = tr->ln0_ms[a.t];
		v->scale = tr->ln0_scale[a.t];
		break;
	case OP_RESIDUAL:
		IN(layer_in(tr, &a), a.C);
		break;
	case OP_RMSNORM_ATTN:
		IN(layer_in(tr, &a), a.C);
		v->ms = tr->ln1_ms[a.lt];
		v->scale = tr->ln1_scale[a.lt];
		break;
	case OP_Q: case OP_K: case OP_V:
		IN(tr->xn1 + a.lt * a.C, a.C);
		break;
	case OP_KV_CACHE:
		v->k = tr->k + a.lt0 * a.C;
		v->v = tr->v + a.lt0 * a.C;
		v->dim = a.C;
		break;
	case OP_HEAD_QKV: case OP_ATTN_SCORES: case OP_ATTN_WEIGHTS: case OP_HEAD_OUT:
		v->dim0 = a.h * a.D;
		v->dim = a.D;
		v->k = tr->k + a.lt0 * a.C + v->dim0;
		v->v = tr->v + a.lt0 * a.C + v->dim0;
		v->att_scale = model_attn_scale(&tr->cfg);
		v->head_off = model_head_off(tr->head_mask, &tr->cfg, a.l, a.h);
		if (op->kind == OP_HEAD_QKV || op->kind == OP_ATTN_SCORES)
			IN(tr->q + a.lt * a.C + v->dim0, a.D);
		else if (op->kind == OP_ATTN_WEIGHTS) {
			IN(tr->att_score + a.lth * a.T, a.t + 1);
			IN2(tr->att_exp + a.lth * a.T, a.t + 1);
			v->max = tr->att_max[a.lth];
			v->sum = tr->att_sum[a.lth];
		} else
			IN(tr->att_w + a.lth * a.T, a.t + 1);
		break;
	case OP_CONCAT:
		IN(tr->att_head + a.lt * a.C, a.C);
		break;
	case OP_ATTN_WO:
		IN(tr->att_cat + a.lt * a.C, a.C);
		break;
	case OP_ATTN_RESIDUAL:
		IN(tr->att_proj + a.lt * a.C, a.C);
		IN2(layer_in(tr, &a), a.C);
		break;
	case OP_RMSNORM_MLP:
		IN(tr->x_mid + a.lt * a.C, a.C);
		v->ms = tr->ln2_ms[a.lt];
		v->scale = tr->ln2_scale[a.lt];
		break;
	case OP_MLP_FC1:
		IN(tr->xn2 + a.lt * a.C, a.C);
		break;
	case OP_RELU:
		IN(tr->fc1 + a.lt * a.F, a.F);
		for (i = 0; i < a.F; i++)
			v->n_active += tr->relu[a.lt * a.F + i] > 0;
		break;
	case OP_MLP_FC2:
		IN(tr->relu + a.lt * a.F, a.F);
		break;
	case OP_MLP_RESIDUAL:
		IN(tr->fc2 + a.lt * a.C, a.C);
		IN2(tr->x_mid + a.lt * a.C, a.C);
		break;
	case OP_LOGITS:
		IN(tr->x_out + trace_lt(tr, tr->cfg.n_layer - 1, a.t) * a.C, a.C);
		break;
	case OP_PROBS:
		IN(tr->logits + (size_t)a.t * a.V, a.V);
		IN2(tr->logit_exp + (size_t)a.t * a.V, a.V);
		v->max = tr->logit_max[a.t];
		v->sum = tr->logit_sum[a.t];
		v->loss = tr->loss[a.t];
		break;
	default:
		break;
	}
#undef IN
#undef IN2
	return 0;
}

double
op_weight(const struct model *m, const struct op_view *v, int row, int col)
{
	const struct tensor *w = v->weight;

	if (!w || row < 0 || row >= w->rows || col < 0 || col >= w->cols)
		return 0.0;
	return m->p[model_index(w, row, col)];
}
