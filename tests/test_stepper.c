/* SPDX-License-Identifier: MIT */
/* test_stepper.c - the op sequence, the step commands, the views of an
 * op's values, heads off and on, and the sampler's draw laid open. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dataset.h"
#include "model.h"
#include "probe.h"
#include "rng.h"
#include "stepper.h"
#include "train.h"
#include "xmalloc.h"

/* A model with weights large enough that every op carries signal. */
static void
random_model(struct model *m, const struct model_config *cfg, uint64_t seed)
{
	struct rng r;
	size_t i;

	model_init(m, cfg);
	rng_seed(&r, seed);
	model_randomize(m, &r);
	for (i = 0; i < m->n_params; i++)
		m->p[i] *= 5;
}

static void
feed(const struct model *m, struct trace *tr, const int *tok, int n)
{
	int i;

	trace_reset(tr);
	for (i = 0; i < n; i++)
		model_forward(m, tr, tok[i], i + 1 < n ? tok[i + 1] : -1);
}

static struct op
mk(enum op_kind k, int pos, int layer, int head)
{
	struct op o = { k, pos, layer, head, 0 };

	return o;
}

static int
at(const struct stepper *s, enum op_kind k, int pos, int layer, int head)
{
	struct op o = mk(k, pos, layer, head);

	return stepper_find(s, &o);
}

/* Move to (k, pos, layer, head), apply cmd, return where it landed. */
static int
after(struct stepper *s, enum op_kind k, int pos, int layer, int head, enum step_cmd cmd)
{
	struct op o = mk(k, pos, layer, head);

	if (!stepper_seek(s, &o)) {
		fprintf(stderr, "no op %s pos %d L%d H%d\n", op_name(k), pos, layer, head);
		check_failures++;
		return -2;
	}
	stepper_move(s, cmd);
	return s->cur;
}

/* ---- the sequence ---- */

static void
test_sequence(void)
{
	static const char *want[] = {
		"embed", "embed_sum", "rmsnorm_in",
		"residual", "rmsnorm_attn", "q", "k", "v", "kv_cache",
		"head_qkv", "attn_scores", "attn_weights", "head_out",
		"head_qkv", "attn_scores", "attn_weights", "head_out",
		"head_qkv", "attn_scores", "attn_weights", "head_out",
		"head_qkv", "attn_scores", "attn_weights", "head_out",
		"concat", "attn_wo", "attn_residual", "rmsnorm_mlp", "mlp_fc1", "relu", "mlp_fc2",
		"mlp_residual", "logits", "probs",
	};
	struct model_config cfg = { 27, 16, 4, 1, 16 }, cfg2 = { 7, 8, 2, 2, 6 };
	struct stepper s;
	int i, k, bad = 0;
	char label[64];

	stepper_init(&s, &cfg);
	stepper_build(&s, 5);
	CHECK(stepper_ops_per_pos(&cfg) == 35);
	CHECK(s.n_ops == 5 * 35);
	for (i = 0; i < s.n_ops; i++) {
		const struct op *op = &s.ops[i];
		int j = i % 35, d = op_depth(op->kind);

		if (strcmp(op_name(op->kind), want[j]) || op->pos != i / 35 ||
		    op->layer != (d ? 0 : -1) || op->head != (d == 2 ? (j - 9) / 4 : -1))
			bad++;
		if (stepper_find(&s, op) != i)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(stepper_op(&s) == &s.ops[0]);
	op_label(&s.ops[35 + 9 + 4 * 2 + 2], label, sizeof label);
	CHECK(strcmp(label, "L0H2 attn_weights @ pos 1") == 0);
	op_label(&s.ops[35 + 4], label, sizeof label);
	CHECK(strcmp(label, "L0 rmsnorm_attn @ pos 1") == 0);
	op_label(&s.ops[34], label, sizeof label);
	CHECK(strcmp(label, "probs @ pos 0") == 0);
	for (k = 0; k < OP__COUNT; k++)
		CHECK(op_kind_from_name(op_name((enum op_kind)k)) == k);
	CHECK(op_kind_from_name("nope") == -1);
	CHECK(op_depth(OP_KV_CACHE) == 1 && op_depth(OP_HEAD_OUT) == 2 && op_depth(OP_LOGITS) == 0);
	stepper_free(&s);

	/* two layers of two heads: 5 + 2 * (14 + 8) ops a position, the second
	 * layer right after the first one's mlp_residual */
	stepper_init(&s, &cfg2);
	stepper_build(&s, 3);
	CHECK(s.n_ops == 3 * 49);
	i = at(&s, OP_MLP_RESIDUAL, 0, 0, -1);
	CHECK(s.ops[i + 1].kind == OP_RESIDUAL && s.ops[i + 1].layer == 1);
	CHECK(at(&s, OP_LOGITS, 2, -1, -1) == 2 * 49 + 47);
	CHECK(at(&s, OP_HEAD_QKV, 1, 1, 1) == 49 + 3 + 22 + 6 + 4);
	/* ops that do not exist */
	CHECK(at(&s, OP_HEAD_QKV, 1, 1, 2) == -1);
	CHECK(at(&s, OP_HEAD_QKV, 1, 2, 0) == -1);
	CHECK(at(&s, OP_EMBED, 3, -1, -1) == -1);
	CHECK(at(&s, OP_Q, 0, 0, 0) == -1);
	CHECK(at(&s, OP_LOGITS, 0, 0, -1) == -1);
	stepper_free(&s);
}

/* ---- the step commands ---- */

static void
test_moves(void)
{
	struct model_config cfg = { 7, 8, 2, 2, 6 };
	struct stepper s;
	int i, k, bad = 0, n;

	stepper_init(&s, &cfg);
	stepper_build(&s, 3);
	n = s.n_ops;

	/* s / S */
	CHECK(after(&s, OP_EMBED, 0, -1, -1, STEP_INTO) == 1);
	CHECK(after(&s, OP_EMBED, 1, -1, -1, STEP_INTO_BACK) == at(&s, OP_PROBS, 0, -1, -1));
	s.cur = 0;
	CHECK(stepper_move(&s, STEP_INTO_BACK) == 0 && s.cur == 0);
	s.cur = n - 1;
	CHECK(stepper_move(&s, STEP_INTO) == 0 && s.cur == n - 1);

	/* n / N: over deeper groups */
	CHECK(after(&s, OP_KV_CACHE, 0, 0, -1, STEP_NEXT) == at(&s, OP_CONCAT, 0, 0, -1));
	CHECK(after(&s, OP_RMSNORM_IN, 0, -1, -1, STEP_NEXT) == at(&s, OP_LOGITS, 0, -1, -1));
	CHECK(after(&s, OP_HEAD_QKV, 0, 0, 0, STEP_NEXT) == at(&s, OP_ATTN_SCORES, 0, 0, 0));
	CHECK(after(&s, OP_HEAD_OUT, 0, 0, 0, STEP_NEXT) == at(&s, OP_HEAD_QKV, 0, 0, 1));
	CHECK(after(&s, OP_HEAD_OUT, 0, 0, 1, STEP_NEXT) == at(&s, OP_CONCAT, 0, 0, -1));
	CHECK(after(&s, OP_MLP_RESIDUAL, 0, 0, -1, STEP_NEXT) == at(&s, OP_RESIDUAL, 0, 1, -1));
	CHECK(after(&s, OP_MLP_RESIDUAL, 0, 1, -1, STEP_NEXT) == at(&s, OP_LOGITS, 0, -1, -1));
	CHECK(after(&s, OP_PROBS, 0, -1, -1, STEP_NEXT) == at(&s, OP_EMBED, 1, -1, -1));
	CHECK(after(&s, OP_PROBS, 2, -1, -1, STEP_NEXT) == n - 1);
	CHECK(after(&s, OP_CONCAT, 1, 0, -1, STEP_NEXT_BACK) == at(&s, OP_KV_CACHE, 1, 0, -1));
	CHECK(after(&s, OP_LOGITS, 1, -1, -1, STEP_NEXT_BACK) == at(&s, OP_RMSNORM_IN, 1, -1, -1));
	CHECK(after(&s, OP_RESIDUAL, 1, 1, -1, STEP_NEXT_BACK) == at(&s, OP_MLP_RESIDUAL, 1, 0, -1));
	CHECK(after(&s, OP_ATTN_SCORES, 1, 1, 1, STEP_NEXT_BACK) == at(&s, OP_HEAD_QKV, 1, 1, 1));
	CHECK(after(&s, OP_EMBED, 0, -1, -1, STEP_NEXT_BACK) == 0);

	/* f: past the innermost group */
	CHECK(after(&s, OP_ATTN_SCORES, 0, 0, 0, STEP_FINISH) == at(&s, OP_HEAD_QKV, 0, 0, 1));
	CHECK(after(&s, OP_HEAD_QKV, 0, 1, 1, STEP_FINISH) == at(&s, OP_CONCAT, 0, 1, -1));
	CHECK(after(&s, OP_KV_CACHE, 0, 0, -1, STEP_FINISH) == at(&s, OP_RESIDUAL, 0, 1, -1));
	CHECK(after(&s, OP_RELU, 0, 1, -1, STEP_FINISH) == at(&s, OP_LOGITS, 0, -1, -1));
	CHECK(after(&s, OP_EMBED_SUM, 0, -1, -1, STEP_FINISH) == at(&s, OP_EMBED, 1, -1, -1));
	CHECK(after(&s, OP_LOGITS, 1, -1, -1, STEP_FINISH) == at(&s, OP_EMBED, 2, -1, -1));
	CHECK(after(&s, OP_EMBED, 2, -1, -1, STEP_FINISH) == n - 1);
	CHECK(after(&s, OP_HEAD_OUT, 2, 1, 1, STEP_FINISH) == at(&s, OP_CONCAT, 2, 1, -1));

	/* F: the group's start, then the enclosing group's */
	after(&s, OP_ATTN_WEIGHTS, 1, 1, 1, STEP_FINISH_BACK);
	CHECK(s.cur == at(&s, OP_HEAD_QKV, 1, 1, 1));
	stepper_move(&s, STEP_FINISH_BACK);
	CHECK(s.cur == at(&s, OP_RESIDUAL, 1, 1, -1));
	stepper_move(&s, STEP_FINISH_BACK);
	CHECK(s.cur == at(&s, OP_EMBED, 1, -1, -1));
	stepper_move(&s, STEP_FINISH_BACK);
	CHECK(s.cur == at(&s, OP_EMBED, 0, -1, -1));
	CHECK(stepper_move(&s, STEP_FINISH_BACK) == 0 && s.cur == 0);
	CHECK(after(&s, OP_MLP_FC2, 2, 0, -1, STEP_FINISH_BACK) == at(&s, OP_RESIDUAL, 2, 0, -1));
	CHECK(after(&s, OP_PROBS, 2, -1, -1, STEP_FINISH_BACK) == at(&s, OP_EMBED, 2, -1, -1));
	CHECK(after(&s, OP_CONCAT, 2, 1, -1, STEP_FINISH_BACK) == at(&s, OP_RESIDUAL, 2, 1, -1));

	/* c / C without breakpoints: the position's end / start */
	s.cur = 0;
	stepper_move(&s, STEP_CONT);
	CHECK(s.cur == at(&s, OP_PROBS, 0, -1, -1));
	stepper_move(&s, STEP_CONT);
	CHECK(s.cur == at(&s, OP_PROBS, 1, -1, -1));
	stepper_move(&s, STEP_CONT_BACK);
	CHECK(s.cur == at(&s, OP_EMBED, 1, -1, -1));
	stepper_move(&s, STEP_CONT_BACK);
	CHECK(s.cur == at(&s, OP_EMBED, 0, -1, -1));
	CHECK(stepper_move(&s, STEP_CONT_BACK) == 0);
	s.cur = n - 1;
	CHECK(stepper_move(&s, STEP_CONT) == 0);

	/* breakpoints: a kind of op, every position */
	after(&s, OP_ATTN_WEIGHTS, 1, 0, 1, STEP_FIRST);
	CHECK(s.cur == 0);
	stepper_seek(&s, &(struct op){ OP_ATTN_WEIGHTS, 1, 0, 1, 0 });
	CHECK(stepper_toggle_break(&s) == 1);
	CHECK(s.n_breaks == 1 && s.breaks[0].pos == 0);
	CHECK(stepper_is_break(&s, &(struct op){ OP_ATTN_WEIGHTS, 2, 0, 1, 0 }));
	CHECK(!stepper_is_break(&s, &(struct op){ OP_ATTN_WEIGHTS, 2, 0, 0, 0 }));
	CHECK(!stepper_is_break(&s, &(struct op){ OP_ATTN_WEIGHTS, 2, 1, 1, 0 }));
	s.cur = 0;
	stepper_move(&s, STEP_CONT);
	CHECK(s.cur == at(&s, OP_ATTN_WEIGHTS, 0, 0, 1));
	stepper_move(&s, STEP_CONT);
	CHECK(s.cur == at(&s, OP_PROBS, 0, -1, -1));
	stepper_move(&s, STEP_CONT);
	CHECK(s.cur == at(&s, OP_ATTN_WEIGHTS, 1, 0, 1));
	stepper_move(&s, STEP_CONT_BACK);
	CHECK(s.cur == at(&s, OP_EMBED, 1, -1, -1));
	s.cur = at(&s, OP_RELU, 1, 0, -1);
	stepper_move(&s, STEP_CONT_BACK);
	CHECK(s.cur == at(&s, OP_ATTN_WEIGHTS, 1, 0, 1));
	CHECK(stepper_toggle_break(&s) == 0 && s.n_breaks == 0);
	s.cur = 0;
	stepper_move(&s, STEP_CONT);
	CHECK(s.cur == at(&s, OP_PROBS, 0, -1, -1));
	{
		/* 65 kinds of op a position: one more than the list holds */
		struct model_config wide = { 7, 8, 4, 2, 6 };
		struct stepper w;

		stepper_init(&w, &wide);
		stepper_build(&w, 2);
		CHECK(stepper_ops_per_pos(&wide) == STEPPER_MAX_BREAKS + 1);
		for (i = 0; i < STEPPER_MAX_BREAKS; i++) {
			w.cur = i;
			bad += stepper_toggle_break(&w) != 1;
		}
		w.cur = STEPPER_MAX_BREAKS;
		CHECK(stepper_toggle_break(&w) == 0 && w.n_breaks == STEPPER_MAX_BREAKS);
		w.cur = stepper_ops_per_pos(&wide) + 3;  /* op 3's kind, at pos 1 */
		CHECK(stepper_toggle_break(&w) == 0 && w.n_breaks == STEPPER_MAX_BREAKS - 1);
		CHECK(!stepper_is_break(&w, &w.ops[3]) && stepper_is_break(&w, &w.ops[4]));
		stepper_free(&w);
	}

	/* Tab / Shift-Tab, g / G */
	CHECK(after(&s, OP_ATTN_SCORES, 0, 1, 1, STEP_POS_NEXT) == at(&s, OP_ATTN_SCORES, 1, 1, 1));
	CHECK(after(&s, OP_ATTN_SCORES, 1, 1, 1, STEP_POS_PREV) == at(&s, OP_ATTN_SCORES, 0, 1, 1));
	CHECK(after(&s, OP_PROBS, 2, -1, -1, STEP_POS_NEXT) == at(&s, OP_PROBS, 2, -1, -1));
	CHECK(after(&s, OP_Q, 0, 1, -1, STEP_POS_PREV) == at(&s, OP_Q, 0, 1, -1));
	CHECK(after(&s, OP_Q, 1, 1, -1, STEP_LAST) == n - 1);
	CHECK(after(&s, OP_Q, 1, 1, -1, STEP_FIRST) == 0);

	/* forward k then back k: the same op, from every op, for every k */
	for (i = 0; i < n; i++)
		for (k = 0; i + k < n; k++) {
			int j;

			s.cur = i;
			for (j = 0; j < k; j++)
				stepper_move(&s, STEP_INTO);
			for (j = 0; j < k; j++)
				stepper_move(&s, STEP_INTO_BACK);
			bad += s.cur != i;
		}
	for (i = 0; i < n; i++) {
		s.cur = i;
		if (stepper_move(&s, STEP_POS_NEXT)) {
			stepper_move(&s, STEP_POS_PREV);
			bad += s.cur != i;
		}
	}
	CHECK(bad == 0);

	/* a rebuild keeps the current op; a lost position becomes the last */
	stepper_seek(&s, &(struct op){ OP_HEAD_OUT, 2, 1, 0, 0 });
	stepper_build(&s, 5);
	CHECK(s.cur == at(&s, OP_HEAD_OUT, 2, 1, 0));
	stepper_build(&s, 2);
	CHECK(s.cur == at(&s, OP_HEAD_OUT, 1, 1, 0));
	stepper_build(&s, 0);
	CHECK(stepper_op(&s) == NULL && stepper_move(&s, STEP_INTO) == 0);
	CHECK(stepper_toggle_break(&s) == 0);
	stepper_build(&s, 1);
	CHECK(s.cur == 0 && stepper_op(&s)->kind == OP_EMBED);
	stepper_free(&s);
}

/* ---- the values ---- */

/* Every op's view gives exactly the numbers its formula needs: rebuilt
 * from them in model_forward's order of operations, the output is equal
 * bit for bit. */
static void
test_views(void)
{
	struct model_config cfg = { 7, 8, 2, 2, 6 };
	struct model m;
	struct trace tr;
	struct stepper s;
	int tok[5] = { 6, 0, 3, 5, 1 }, i, j, u, bad = 0, lens = 0;

	random_model(&m, &cfg, 3);
	trace_init(&tr, &cfg);
	tr.head_mask = (uint64_t)1 << (1 * 2 + 0);  /* L1H0 off: bit l*H+h */
	feed(&m, &tr, tok, 5);
	stepper_init(&s, &cfg);
	stepper_build(&s, tr.n_pos);
	for (i = 0; i < s.n_ops; i++) {
		const struct op *op = &s.ops[i];
		struct op_view v;
		const double *o;
		int n, want_n;

		CHECK(op_view(&m, &tr, op, &v) == 0);
		o = op_out(&tr, op, &n);
		if (o != v.out || n != v.n_out)
			bad++;
		switch (op->kind) {
		case OP_HEAD_QKV: case OP_HEAD_OUT: want_n = 4; break;
		case OP_ATTN_SCORES: case OP_ATTN_WEIGHTS: want_n = op->pos + 1; break;
		case OP_MLP_FC1: case OP_RELU: want_n = 32; break;
		case OP_LOGITS: case OP_PROBS: want_n = 7; break;
		default: want_n = 8; break;
		}
		lens += n != want_n;
		if (v.token != tok[op->pos] || v.target != (op->pos < 4 ? tok[op->pos + 1] : -1))
			bad++;
		switch (op->kind) {
		case OP_EMBED:
			for (j = 0; j < 8; j++) {
				bad += v.out[j] != m.p[model_index(model_tensor(&m, TENSOR_WTE, -1), v.token, j)];
				bad += v.aux[j] != m.p[model_index(model_tensor(&m, TENSOR_WPE, -1), op->pos, j)];
			}
			break;
		case OP_EMBED_SUM: case OP_ATTN_RESIDUAL: case OP_MLP_RESIDUAL:
			for (j = 0; j < 8; j++)
				bad += v.in[j] + v.in2[j] != v.out[j];
			break;
		case OP_RMSNORM_IN: case OP_RMSNORM_ATTN: case OP_RMSNORM_MLP: {
			double ss = 0;

			for (j = 0; j < 8; j++)
				ss += v.in[j] * v.in[j];
			bad += ss * model_pow(8.0, -1.0) != v.ms;
			bad += model_pow(v.ms + MODEL_RMS_EPS, -0.5) != v.scale;
			for (j = 0; j < 8; j++)
				bad += v.in[j] * v.scale != v.out[j];
			break;
		}
		case OP_RESIDUAL:
			bad += memcmp(v.in, v.out, 8 * sizeof(double)) != 0;
			break;
		case OP_Q: case OP_K: case OP_V: case OP_ATTN_WO: case OP_MLP_FC1: case OP_MLP_FC2:
		case OP_LOGITS:
			if (!v.weight) {
				bad++;
				break;
			}
			for (j = 0; j < v.n_out; j++) {
				double y = 0;

				for (u = 0; u < v.n_in; u++)
					y += op_weight(&m, &v, j, u) * v.in[u];
				bad += y != v.out[j];
			}
			break;
		case OP_KV_CACHE:
			for (u = 0; u < v.n_cached; u++)
				for (j = 0; j < 8; j++) {
					bad += v.k[u * v.stride + j] != tr.k[trace_lt(&tr, op->layer, u) * 8 + j];
					bad += v.v[u * v.stride + j] != tr.v[trace_lt(&tr, op->layer, u) * 8 + j];
				}
			bad += memcmp(v.aux, v.v + op->pos * v.stride, 8 * sizeof(double)) != 0;
			bad += memcmp(v.out, v.k + op->pos * v.stride, 8 * sizeof(double)) != 0;
			break;
		case OP_HEAD_QKV:
			bad += v.dim0 != 4 * op->head || v.dim != 4;
			bad += memcmp(v.out, tr.q + trace_lt(&tr, op->layer, op->pos) * 8 + v.dim0,
			    4 * sizeof(double)) != 0;
			break;
		case OP_ATTN_SCORES:
			bad += v.att_scale != 0.5;
			for (u = 0; u < v.n_cached; u++) {
				double dot = 0;

				for (j = 0; j < v.dim; j++)
					dot += v.in[j] * v.k[u * v.stride + j];
				bad += dot * v.att_scale != v.out[u];
			}
			break;
		case OP_ATTN_WEIGHTS:
		case OP_PROBS: {
			double mx = v.in[0], sum = 0;

			for (u = 1; u < v.n_in; u++)
				mx = fmax(mx, v.in[u]);
			bad += mx != v.max;
			for (u = 0; u < v.n_in; u++) {
				bad += exp(v.in[u] - v.max) != v.in2[u];
				sum += v.in2[u];
			}
			bad += sum != v.sum;
			for (u = 0; u < v.n_in; u++)
				bad += v.in2[u] * model_pow(v.sum, -1.0) != v.out[u];
			if (op->kind == OP_PROBS)
				bad += v.target >= 0 ? -log(v.out[v.target]) != v.loss : !isnan(v.loss);
			break;
		}
		case OP_HEAD_OUT:
			bad += v.head_off != (op->layer == 1 && op->head == 0);
			for (j = 0; j < v.dim; j++) {
				double acc = 0;

				for (u = 0; u < v.n_cached; u++)
					acc += v.in[u] * v.v[u * v.stride + j];
				bad += acc != v.out[j];
			}
			break;
		case OP_CONCAT:
			for (j = 0; j < 8; j++)
				bad += v.out[j] != ((v.head_mask >> (op->layer * 2 + j / 4)) & 1 ? 0.0 : v.in[j]);
			break;
		case OP_RELU:
			n = 0;
			for (j = 0; j < 32; j++) {
				bad += v.out[j] != (v.in[j] > 0 ? v.in[j] : 0.0);
				n += v.out[j] > 0;
			}
			bad += n != v.n_active;
			break;
		default:
			break;
		}
	}
	CHECK(lens == 0);
	CHECK(bad == 0);
	printf("views: %d ops rebuilt from their views, %d mismatches\n", s.n_ops, bad);

	/* ops that are not in the trace */
	{
		struct op_view v;
		struct op o = { OP_EMBED, 5, -1, -1, 0 };
		int n = 1;

		CHECK(op_out(&tr, &o, &n) == NULL && n == 0);
		CHECK(op_aux(&tr, &o, &n) == NULL && n == 0);
		CHECK(op_view(&m, &tr, &o, &v) == -1 && v.out == NULL);
		o = (struct op){ OP_Q, 0, 2, -1, 0 };
		CHECK(op_out(&tr, &o, &n) == NULL);
		o = (struct op){ (enum op_kind)99, 0, -1, -1, 0 };
		CHECK(op_out(&tr, &o, &n) == NULL);
		o = (struct op){ OP_Q, 0, 0, -1, 0 };
		CHECK(op_aux(&tr, &o, &n) == NULL && n == 0);
		CHECK(op_weight(&m, &v, 0, 0) == 0.0);
	}
	stepper_free(&s);
	trace_free(&tr);
	model_free(&m);
}

/* Every value of every op the same, bit for bit, in two traces. */
static int
same_ops(const struct model *m, const struct trace *a, const struct trace *b)
{
	struct stepper s;
	int i, diff = 0;

	if (a->n_pos != b->n_pos)
		return -1;
	stepper_init(&s, &a->cfg);
	stepper_build(&s, a->n_pos);
	for (i = 0; i < s.n_ops; i++) {
		struct op_view va, vb;

		op_view(m, a, &s.ops[i], &va);
		op_view(m, b, &s.ops[i], &vb);
#define SAME(p, n) (((p) == NULL) == ((p##_b) == NULL) && (!(p) || !memcmp((p), (p##_b), (size_t)(n) * sizeof(double))))
		{
			const double *out_b = vb.out, *aux_b = vb.aux, *in_b = vb.in, *in2_b = vb.in2;
			const double *k_b = vb.k, *v_b = vb.v;
			const double *out = va.out, *aux = va.aux, *in = va.in, *in2 = va.in2;
			const double *k = va.k, *v = va.v;

			if (va.n_out != vb.n_out || !SAME(out, va.n_out) || !SAME(aux, va.n_aux) ||
			    !SAME(in, va.n_in) || !SAME(in2, va.n_in2) ||
			    !SAME(k, (size_t)va.stride * (va.n_cached - 1) + va.dim) ||
			    !SAME(v, (size_t)va.stride * (va.n_cached - 1) + va.dim) ||
			    va.ms != vb.ms || va.scale != vb.scale || va.max != vb.max ||
			    va.sum != vb.sum || va.n_active != vb.n_active ||
			    va.token != vb.token || va.target != vb.target ||
			    memcmp(&va.loss, &vb.loss, sizeof va.loss))
				diff++;
		}
#undef SAME
	}
	stepper_free(&s);
	return diff;
}

/* The trace the debugger steps through is the one training computes: the
 * forward pass of a training step (recorded before the update) equals
 * the pass fed token by token, as `trace` feeds it, with the same
 * weights; and trainer_eval is the same pass again. */
static void
test_same_as_training(void)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	struct dataset ds;
	struct trainer t;
	struct step_stats st;
	struct model before;
	struct trace mine, ev;
	char err[256], path[512];
	size_t len;
	char *text = check_slurp(check_path("data/names.txt", path, sizeof path), &len);
	int s, tok[17], n, i, diff = 0, checked = 0;

	CHECK(dataset_parse(&ds, text, len, err, sizeof err) == 0);
	free(text);
	trainer_init(&t, &ds, &cfg, 42, 40);
	model_init(&before, &t.model.cfg);
	trace_init(&mine, &t.model.cfg);
	trace_init(&ev, &t.model.cfg);
	for (s = 0; s < 40; s++) {
		size_t d = (size_t)s % ds.n_docs, dl = dataset_doc_len(&ds, d);

		memcpy(before.p, t.model.p, t.model.n_params * sizeof *before.p);
		trainer_eval(&t, s, &ev);
		trainer_step(&t, &st);
		/* BOS, the name, BOS: targets are the next tokens */
		n = 0;
		tok[n++] = ds.n_vocab;
		for (i = 0; i < (int)dl && n < 17; i++)
			tok[n++] = dataset_doc(&ds, d)[i];
		if (n < 17)
			tok[n++] = ds.n_vocab;
		trace_reset(&mine);
		for (i = 0; i + 1 < n && i < cfg.block_size; i++)
			model_forward(&before, &mine, tok[i], tok[i + 1]);
		diff += same_ops(&before, &t.tr, &mine) != 0;
		diff += same_ops(&before, &ev, &mine) != 0;
		checked += mine.n_pos;
	}
	CHECK(diff == 0);
	printf("same as training: 40 steps, %d positions, %d differing passes\n", checked, diff);
	trace_free(&mine);
	trace_free(&ev);
	model_free(&before);
	trainer_free(&t);
	dataset_free(&ds);
}

/* ---- heads off and on ---- */

static void
test_ablation(void)
{
	struct model_config cfg = { 7, 8, 2, 2, 6 };
	struct model m;
	struct trace base, off, ref;
	int tok[5] = { 6, 2, 0, 4, 1 }, t, j, o, bad = 0, proj_changed = 0;
	const int C = 8, D = 4;
	const struct tensor *wo;

	random_model(&m, &cfg, 11);
	trace_init(&base, &cfg);
	trace_init(&off, &cfg);
	trace_init(&ref, &cfg);
	feed(&m, &base, tok, 5);
	feed(&m, &off, tok, 5);
	CHECK(probe_toggle_head(&m, &off, 0, 1) == 1);
	CHECK(off.head_mask == model_head_bit(&cfg, 0, 1) && off.n_pos == 5);
	wo = model_tensor(&m, TENSOR_WO, 0);
	for (t = 0; t < 5; t++) {
		size_t lt = trace_lt(&off, 0, t);

		for (j = 0; j < C; j++) {
			/* the head's slice of att_cat is zero, the others as before;
			 * att_head keeps every head's value */
			if (j / D == 1)
				bad += off.att_cat[lt * C + j] != 0.0;
			else
				bad += off.att_cat[lt * C + j] != base.att_cat[lt * C + j];
			bad += off.att_head[lt * C + j] != base.att_head[lt * C + j];
		}
		/* attn_wo reads the zeroed concat: zeroed before, never after */
		for (o = 0; o < C; o++) {
			double y = 0;

			for (j = 0; j < C; j++)
				y += m.p[model_index(wo, o, j)] * off.att_cat[lt * C + j];
			bad += y != off.att_proj[lt * C + o];
			proj_changed += off.att_proj[lt * C + o] != base.att_proj[lt * C + o];
		}
	}
	CHECK(bad == 0);
	CHECK(proj_changed > 0);
	CHECK(memcmp(off.probs, base.probs, 5 * 7 * sizeof(double)) != 0);

	/* all heads on, for comparison: the unablated pass exactly */
	probe_all_heads(&m, &off, &ref);
	CHECK(ref.head_mask == 0 && ref.n_pos == 5);
	CHECK(same_ops(&m, &ref, &base) == 0);
	CHECK(off.head_mask != 0);

	/* toggling back restores every value bit for bit */
	CHECK(probe_toggle_head(&m, &off, 0, 1) == 0);
	CHECK(off.head_mask == 0);
	CHECK(memcmp(off.probs, base.probs, 5 * 7 * sizeof(double)) == 0);
	CHECK(same_ops(&m, &off, &base) == 0);
	CHECK(probe_toggle_head(&m, &off, 2, 0) == -1 && probe_toggle_head(&m, &off, 0, 2) == -1);

	/* a head of the second layer: the first layer is untouched */
	probe_set_mask(&m, &off, model_head_bit(&cfg, 1, 1));
	for (t = 0; t < 5; t++)
		bad += memcmp(off.x_out + trace_lt(&off, 0, t) * C, base.x_out + trace_lt(&base, 0, t) * C,
		    C * sizeof(double)) != 0;
	CHECK(bad == 0);
	CHECK(memcmp(off.probs, base.probs, 5 * 7 * sizeof(double)) != 0);
	probe_set_mask(&m, &off, 0);
	CHECK(same_ops(&m, &off, &base) == 0);

	trace_free(&base);
	trace_free(&off);
	trace_free(&ref);
	model_free(&m);
}

static void
test_parse_heads(void)
{
	static const char *bad[] = {
		"", "L0", "L0H", "X0H1", "L0H1,", ",L0H1", "L0H1x", "L-1H0", "L0H1 ", "LH1",
		"L0H1234567890", "0H1",
	};
	struct model_config c1 = { 27, 16, 4, 1, 16 }, c2 = { 7, 8, 2, 2, 6 };
	uint64_t mask = 99;
	char err[256], buf[128];
	size_t i;

	CHECK(probe_parse_heads("L0H1,L0H2", &c1, &mask, err, sizeof err) == 0 && mask == 6);
	CHECK(probe_parse_heads("l1h0,L0H1,L1H0", &c2, &mask, err, sizeof err) == 0 && mask == 6);
	probe_format_heads(mask, &c2, buf, sizeof buf);
	CHECK(strcmp(buf, "L0H1,L1H0") == 0);
	probe_format_heads(0, &c2, buf, sizeof buf);
	CHECK(strcmp(buf, "") == 0);
	mask = 99;
	CHECK(probe_parse_heads("L5H9", NULL, &mask, err, sizeof err) == 0 && mask == 99);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (probe_parse_heads(bad[i], &c1, &mask, err, sizeof err) != -1 || !err[0] ||
		    strchr(err, '\n')) {
			fprintf(stderr, "--ablate '%s' accepted or no one-line reason\n", bad[i]);
			check_failures++;
		}
	}
	CHECK(probe_parse_heads("L1H0", &c1, &mask, err, sizeof err) == -1 && strstr(err, "layer"));
	CHECK(probe_parse_heads("L0H4", &c1, &mask, err, sizeof err) == -1 && strstr(err, "head"));
	CHECK(mask == 99);
}

/* ---- sampling ---- */

/* probe_sample, step by step, draws the names sample_name draws from the
 * same stream, and shows where each draw landed. */
static void
test_sample(void)
{
	struct model_config cfg = { 7, 8, 2, 1, 6 };
	struct model m;
	struct trace tr, tr2;
	struct rng r1, r2;
	struct sample_step st;
	double probs[7], want[7], temps[] = { 0.5, 1.0, 2.0 };
	int name[6], n, i, k, ti, bad = 0, bos = 6;

	random_model(&m, &cfg, 5);
	trace_init(&tr, &cfg);
	trace_init(&tr2, &cfg);
	for (ti = 0; ti < 3; ti++) {
		rng_seed(&r1, 42 + ti);
		rng_seed(&r2, 42 + ti);
		for (k = 0; k < 20; k++) {
			n = sample_name(&m, &tr2, &r1, temps[ti], name);
			trace_reset(&tr);
			model_forward(&m, &tr, bos, -1);
			for (i = 0; ; i++) {
				int last = tr.n_pos - 1;

				model_softmax_temp(tr.logits + (size_t)last * 7, 7, temps[ti], want);
				if (probe_sample(&m, &tr, &r2, temps[ti], probs, &st) < 0) {
					bad++;
					break;
				}
				bad += memcmp(probs, want, sizeof want) != 0;
				bad += st.pos != last || st.temperature != temps[ti];
				bad += !(st.cum_lo <= st.u && (st.u < st.cum_hi || st.token == bos));
				bad += !(st.cum_hi > st.cum_lo) || !(st.cum_hi <= st.total);
				bad += tr.target[last] != st.token;
				bad += -log(tr.probs[(size_t)last * 7 + st.token]) != tr.loss[last];
				if (st.token == bos) {
					bad += i != n || st.fed;
					break;
				}
				bad += i >= n || name[i] != st.token;
				if (!st.fed) {
					bad += i != n - 1 || tr.n_pos != cfg.block_size;
					break;
				}
				bad += tr.n_pos != last + 2 || tr.token[last + 1] != st.token;
			}
		}
	}
	CHECK(bad == 0);
	trace_reset(&tr);
	CHECK(probe_sample(&m, &tr, &r2, 0.5, probs, &st) == -1);
	model_forward(&m, &tr, bos, -1);
	CHECK(probe_sample(&m, &tr, &r2, 0.0, probs, &st) == -1);
	CHECK(probe_sample(&m, &tr, &r2, NAN, probs, &st) == -1);
	trace_free(&tr);
	trace_free(&tr2);
	model_free(&m);
}

/* A training step's ops after the forward: the order of model_backward
 * (docs/TRAINSTEP.md), groups and moves across it. 2 layers, 2 heads,
 * 3 positions. */
static void
test_train_sequence(void)
{
	const struct model_config cfg = { 7, 8, 2, 2, 6 };
	struct stepper s;
	char label[96];
	const int n = 3, NT = 3 + 6 * 2;
	int i, k, fwd, bad = 0, at_l, t, h;

	stepper_init(&s, &cfg);
	s.train = 1;
	stepper_build(&s, n);
	fwd = n * stepper_ops_per_pos(&cfg);
	CHECK(s.n_fwd == fwd);
	CHECK(s.n_ops == fwd + 1 + 4 * n + 2 * (7 * n + 3 * n * 2) + 2 * NT);
	CHECK(s.ops[fwd].kind == OP_LOSS);
	for (i = 0; i < n; i++) {
		bad += s.ops[fwd + 1 + i].kind != OP_D_LOGITS || s.ops[fwd + 1 + i].pos != i;
		bad += s.ops[fwd + 1 + n + i].kind != OP_D_LM_HEAD;
	}
	CHECK(bad == 0);
	/* layer 1 first: its five per-position kernels, then the heads, last position first */
	at_l = fwd + 1 + 2 * n;
	CHECK(s.ops[at_l].kind == OP_D_MLP_FC2 && s.ops[at_l].layer == 1 && s.ops[at_l].pos == 0);
	CHECK(s.ops[at_l + 5 * n].kind == OP_D_HEAD_OUT && s.ops[at_l + 5 * n].pos == n - 1 &&
	    s.ops[at_l + 5 * n].head == 0);
	CHECK(s.ops[at_l + 5 * n + 3].kind == OP_D_HEAD_OUT && s.ops[at_l + 5 * n + 3].head == 1);
	CHECK(s.ops[at_l + 5 * n + 6].pos == n - 2);
	CHECK(s.ops[at_l + 5 * n + 6 * n].kind == OP_D_QKV && s.ops[at_l + 5 * n + 6 * n].layer == 1);
	CHECK(s.ops[at_l + 7 * n + 6 * n].kind == OP_D_MLP_FC2 && s.ops[at_l + 7 * n + 6 * n].layer == 0);
	k = fwd + 1 + 4 * n + 2 * (7 * n + 6 * n);
	CHECK(s.ops[k - 2].kind == OP_D_RMSNORM_IN && s.ops[k - 2].pos == 0);
	CHECK(s.ops[k - 1].kind == OP_D_EMBED && s.ops[k - 1].pos == 0);
	for (i = 0; i < NT; i++) {
		bad += s.ops[k + i].kind != OP_PARAM_GRAD || s.ops[k + i].tensor != i;
		bad += s.ops[k + NT + i].kind != OP_ADAM || s.ops[k + NT + i].tensor != i;
	}
	CHECK(bad == 0);
	op_label(&s.ops[k + 3], label, sizeof label);
	CHECK(strcmp(label, "param_grad layer0.attn_wq") == 0);
	op_label(&s.ops[at_l + 5 * n + 1], label, sizeof label);
	CHECK(strcmp(label, "L1H0 d_attn_weights @ pos 2") == 0);
	/* every op found where it is */
	for (i = 0; i < s.n_ops; i++)
		bad += stepper_find(&s, &s.ops[i]) != i;
	CHECK(bad == 0);

	/* s then S; n over the heads; f ends a head; Tab through positions and tensors */
	s.cur = at_l + 5 * n - 1;   /* L1 d_attn_wo @ pos n-1 */
	CHECK(s.ops[s.cur].kind == OP_D_ATTN_WO && s.ops[s.cur].pos == n - 1);
	CHECK(stepper_move(&s, STEP_INTO) && s.ops[s.cur].kind == OP_D_HEAD_OUT);
	CHECK(stepper_move(&s, STEP_FINISH) && s.ops[s.cur].kind == OP_D_HEAD_OUT && s.ops[s.cur].head == 1);
	/* F at a head's first op: the layer's first backward op */
	CHECK(stepper_move(&s, STEP_FINISH_BACK) && s.cur == at_l);
	s.cur = at_l + 5 * n;
	CHECK(stepper_move(&s, STEP_INTO_BACK) && s.cur == at_l + 5 * n - 1);
	CHECK(stepper_move(&s, STEP_NEXT) && s.ops[s.cur].kind == OP_D_QKV && s.ops[s.cur].pos == 0);
	CHECK(stepper_move(&s, STEP_NEXT_BACK) && s.cur == at_l + 5 * n - 1);
	t = s.ops[at_l + 5 * n + 4].pos;
	h = s.ops[at_l + 5 * n + 4].head;
	s.cur = at_l + 5 * n + 4;   /* L1H1 d_attn_weights @ pos n-1 */
	CHECK(stepper_move(&s, STEP_POS_PREV) && s.ops[s.cur].kind == OP_D_ATTN_WEIGHTS &&
	    s.ops[s.cur].pos == t - 1 && s.ops[s.cur].head == h && s.ops[s.cur].layer == 1);
	CHECK(stepper_move(&s, STEP_POS_NEXT) && s.cur == at_l + 5 * n + 4);
	CHECK(!stepper_move(&s, STEP_POS_NEXT));
	s.cur = k + NT;   /* adam wte */
	CHECK(stepper_move(&s, STEP_POS_NEXT) && s.ops[s.cur].kind == OP_ADAM && s.ops[s.cur].tensor == 1);
	/* c: the loss, the end of the backward, the runs of param_grad and adam */
	s.cur = fwd - 1;
	CHECK(stepper_move(&s, STEP_CONT) && s.cur == fwd);
	CHECK(stepper_move(&s, STEP_CONT) && s.cur == k - 1);
	CHECK(stepper_move(&s, STEP_CONT) && s.cur == k + NT - 1);
	CHECK(stepper_move(&s, STEP_CONT) && s.cur == s.n_ops - 1);
	CHECK(stepper_move(&s, STEP_CONT_BACK) && s.cur == k + NT);
	CHECK(stepper_move(&s, STEP_CONT_BACK) && s.cur == k);
	CHECK(stepper_move(&s, STEP_CONT_BACK) && s.cur == fwd);
	/* a breakpoint on a backward kind stops c at every layer and head of it */
	s.cur = at_l + 5 * n + 2;   /* L1H0 d_attn_scores */
	CHECK(stepper_toggle_break(&s));
	s.cur = fwd;
	CHECK(stepper_move(&s, STEP_CONT) && s.cur == at_l + 5 * n + 2);
	CHECK(stepper_move(&s, STEP_CONT) && s.ops[s.cur].kind == OP_D_ATTN_SCORES &&
	    s.ops[s.cur].pos == n - 2 && s.ops[s.cur].head == 0);
	/* back to the forward alone: the backward's ops are gone */
	s.train = 0;
	stepper_build(&s, n);
	CHECK(s.n_ops == fwd && s.cur == 0);
	stepper_free(&s);
	printf("training step: %d ops after %d forward ones, in the backward's order\n",
	    1 + 4 * n + 2 * (7 * n + 3 * n * 2) + 2 * NT, fwd);
}

int
main(void)
{
	test_sequence();
	test_train_sequence();
	test_moves();
	test_views();
	test_same_as_training();
	test_ablation();
	test_parse_heads();
	test_sample();
	return CHECK_DONE();
}
