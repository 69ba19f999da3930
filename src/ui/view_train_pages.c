/* SPDX-License-Identifier: MIT */
/* view_train_pages.c - the pages of a training step's ops (issue 13): the
 * loss, each backward op with its numbers, each tensor's gradient as a
 * heatmap with the heads' blocks, each tensor's Adam update; and the
 * gradient under a forward op's value. Every number is read from what
 * train_step_open() recorded (u->s.ts: the grad_trace, the adam_record,
 * the weights before and after) or from the step's forward trace
 * (u->s.tr); nothing of the model is computed here but norms and the
 * ranking of the largest moves, as trace_train.c does for text. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headstats.h"
#include "page.h"
#include "xmalloc.h"

#define N_LARGEST TRAIN_STEP_LARGEST

/* The numbers one op reads (page.h): shapes and offsets of (layer, pos,
 * head). */
void
page_train_at(const struct page *pg, struct train_at *a)
{
	const struct ui *u = pg->u;
	const struct model_config *c = &u->s.cfg;

	a->tr = &u->s.tr;
	a->ts = u->s.ts;
	a->g = &u->s.ts->gt;
	a->C = c->n_embd;
	a->T = c->block_size;
	a->V = c->vocab_size;
	a->H = c->n_head;
	a->D = a->C / a->H;
	a->F = 4 * a->C;
	a->L = c->n_layer;
	a->n = a->tr->n_pos;
	a->t = pg->op->pos;
	a->l = pg->op->layer < 0 ? 0 : pg->op->layer;
	a->h = pg->op->head < 0 ? 0 : pg->op->head;
	a->lt = (size_t)a->l * a->T + a->t;
	a->lth = a->lt * a->H + a->h;
}

static void
scalar(struct page *pg, int x, const char *label, double v, enum vec_id vec)
{
	pg_text(pg, x, ST_LABEL, "%s", label);
	pg_value(pg, x + LBL, v, -1, 0, vec, 0, 0);
	pg->sv[pg->n_sv - 1].label = label;
}

/* ---- the gradient under a forward op's value ---- */

void
page_train_grad(struct page *pg)
{
	const struct ui *u = pg->u;
	int n;
	const double *d = op_grad(&u->s.ts->gt, pg->op, &n);
	struct vecopt o = VO_PLAIN;

	if (!d)
		return;
	if (pg->op->kind == OP_HEAD_QKV || pg->op->kind == OP_HEAD_OUT)
		o.idx0 = pg->op->head * u->s.m->head_dim;
	o.vocab = pg->op->kind == OP_LOGITS || pg->op->kind == OP_PROBS;
	pg_nl(pg);
	pg_heading(pg, "the step's gradient, d loss / d %s%s:", explain_out_name(pg->op),
	    pg->op->kind == OP_K || pg->op->kind == OP_V || pg->op->kind == OP_KV_CACHE
	    ? " (this row's total over every later position that used it)" : "");
	pg_vector(pg, "grad", ST_LABEL, V_GRAD, d, n, &o);
}

/* ---- the backward ops ---- */

static void
page_loss(struct page *pg, const struct train_at *a)
{
	const struct ui *u = pg->u;
	char c[16], c2[16];
	int t;

	pg_heading(pg, "the step's loss: the mean over its %d positions of -log p[target]", a->n);
	scalar(pg, 0, "loss", a->ts->loss, V_SUM);
	pg_text(pg, LBL + CELL + 2, ST_DIM, "d loss / d loss[t] = 1/%d:", a->n);
	pg_value(pg, LBL + CELL + 30, a->g->d_loss_t, -1, 0, V_SCALE, 0, 0);
	pg_nl(pg);
	pg_text(pg, LBL, ST_DIM, "-log p");
	pg_nl(pg);
	for (t = 0; t < a->n; t++) {
		pg_text(pg, 0, ST_DIM, "%-2d %s>%s", t, pg_tokstr(u, a->tr->token[t], c),
		    pg_tokstr(u, a->tr->target[t], c2));
		pg_value(pg, LBL, a->tr->loss[t], -1, 1, V_IN, t, 0);
		pg_nl(pg);
	}
}

static void
page_d_logits(struct page *pg, const struct train_at *a)
{
	const int V = a->V, t = a->t, tg = a->tr->target[t];
	struct vecopt o = VO_PLAIN;
	char c[16];

	o.vocab = 1;
	pg_heading(pg, "the softmax's backward at position %d, target %s: only p[target] is in the loss",
	    t, pg_qtok(pg->u, tg, c));
	scalar(pg, 0, "p[tgt]", a->tr->probs[(size_t)t * V + tg], V_IN2);
	scalar(pg, LBL + CELL + 2, "d p", a->g->d_prob_tgt[t], V_MS);
	pg_text(pg, 2 * (LBL + CELL + 2), ST_DIM, "= -1 / (n p)");
	pg_nl(pg);
	scalar(pg, 0, "sum", a->tr->logit_sum[t], V_SUM);
	scalar(pg, LBL + CELL + 2, "d sum", a->g->d_logit_sum[t], V_SCALE);
	pg_text(pg, 2 * (LBL + CELL + 2), ST_DIM, "= -exp[tgt] sum^-2 d p");
	pg_nl(pg);
	pg_vector(pg, "exp", ST_DIM, V_IN, a->tr->logit_exp + (size_t)t * V, V, &o);
	pg_heading(pg, "d logit[i] = exp[i] d sum, + exp[tgt] sum^-1 d p at the target");
	pg_vector(pg, "d logit", ST_LABEL, V_OUT, a->g->d_logits + (size_t)t * V, V, &o);
}

/* A linear op's backward: d in = W^T . d out. */
static void
page_d_linear(struct page *pg, const char *what, const char *nout, const double *dout, int n_out,
    const char *nin, const double *din, int n_in, int vocab_out)
{
	struct vecopt o = VO_PLAIN;

	pg_heading(pg, "%s", what);
	o.vocab = vocab_out;
	pg_vector(pg, nout, ST_DIM, V_IN, dout, n_out, &o);
	pg_vector(pg, nin, ST_LABEL, V_OUT, din, n_in, n_in == pg->u->s.cfg.n_embd ? &VO_RULER : &VO_PLAIN);
}

static void
page_d_relu(struct page *pg, const struct train_at *a)
{
	const double *fc1 = a->tr->fc1 + a->lt * a->F;
	unsigned char dim[4 * MODEL_MAX_DIM];
	struct vecopt o = VO_PLAIN;
	int i, k = 0;

	for (i = 0; i < a->F && i < 4 * MODEL_MAX_DIM; i++) {
		dim[i] = !(fc1[i] > 0);
		k += fc1[i] > 0;
	}
	pg_heading(pg, "relu's backward: d fc1 = d relu where fc1 > 0 (%d of %d units pass it on)", k, a->F);
	pg_vector(pg, "d relu", ST_DIM, V_IN, a->g->d_relu + a->lt * a->F, a->F, &VO_PLAIN);
	o.dim = dim;
	pg_vector(pg, "d fc1", ST_LABEL, V_OUT, a->g->d_fc1 + a->lt * a->F, a->F, &o);
}

static void
page_d_rmsnorm(struct page *pg, const char *what, double scale, double dscale, const double *dxn,
    const double *dx)
{
	pg_heading(pg, "%s", what);
	scalar(pg, 0, "scale", scale, V_SCALE);
	scalar(pg, LBL + CELL + 2, "d scale", dscale, V_MS);
	pg_nl(pg);
	pg_vector(pg, "d xn", ST_DIM, V_IN, dxn, pg->u->s.cfg.n_embd, &VO_RULER);
	pg_vector(pg, "d x", ST_LABEL, V_OUT, dx, pg->u->s.cfg.n_embd, &VO_RULER);
}

static void
page_d_head_out(struct page *pg, const struct train_at *a)
{
	const double *v = a->tr->v + (size_t)a->l * a->T * a->C + a->h * a->D;
	struct vecopt o = VO_PLAIN;
	int u, j, xw;

	pg_heading(pg, "L%dH%d at position %d: d out is the head's slice of d concat; "
	    "d weight[u] = v[u] . d out", a->l, a->h, a->t);
	o.idx0 = a->h * a->D;
	pg_vector(pg, "d out", ST_LABEL, V_IN, a->g->d_att_head + a->lt * a->C + a->h * a->D, a->D, &o);
	xw = LBL + a->D * (CELL + GAP) + 2;
	pg_text(pg, LBL, ST_DIM, "v[%d..%d]", a->h * a->D, a->h * a->D + a->D - 1);
	pg_text(pg, xw, ST_DIM, "d weight");
	pg_nl(pg);
	for (u = 0; u <= a->t; u++) {
		char c[16];

		pg_text(pg, 0, ST_DIM, "%-2d %s", u, pg_tokstr(pg->u, a->tr->token[u], c));
		for (j = 0; j < a->D; j++)
			pg_value(pg, LBL + j * (CELL + GAP), v[(size_t)u * a->C + j], 0, 0, V_V, u * a->D + j, 0);
		pg_text(pg, xw - 2, ST_RULE, "%s", draw_glyph(pg->u, "\u2502", "|"));
		pg_value(pg, xw, a->g->d_att_w[a->lth * a->T + u], 0, 0, V_OUT, u, 0);
		pg_nl(pg);
	}
}

/* The softmax's backward in columns, one per cached position. */
static void
page_d_weights(struct page *pg, const struct train_at *a)
{
	static const char *const rows[5] = { "exp", "weight", "d w", "d exp", "d score" };
	static const enum vec_id ids[5] = { V_IN2, V_IN, V_AUX, V_K, V_OUT };
	const double *src[5];
	const size_t o = a->lth * a->T;
	int per = (pg->w - LBL) / (CELL + GAP), u0, u, r;

	src[0] = a->tr->att_exp + o;
	src[1] = a->tr->att_w + o;
	src[2] = a->g->d_att_w + o;
	src[3] = a->g->d_att_exp + o;
	src[4] = a->g->d_att_score + o;
	if (per < 1)
		per = 1;
	pg_heading(pg, "L%dH%d at position %d: the softmax's backward, written out", a->l, a->h, a->t);
	scalar(pg, 0, "sum", a->tr->att_sum[a->lth], V_SUM);
	scalar(pg, LBL + CELL + 2, "d sum", a->g->d_att_sum[a->lth], V_SCALE);
	pg_text(pg, 2 * (LBL + CELL + 2), ST_DIM, "= sum_u -sum^-2 exp[u] d w[u]");
	pg_nl(pg);
	pg_heading(pg, "d exp[u] = sum^-1 d w[u] + d sum;  d score[u] = exp[u] d exp[u]");
	for (u0 = 0; u0 <= a->t; u0 += per) {
		pg_text(pg, 0, ST_DIM, "pos");
		for (u = u0; u <= a->t && u < u0 + per; u++) {
			char c[16];

			pg_text(pg, LBL + (u - u0) * (CELL + GAP) + 1, u == a->t ? ST_MARK : ST_DIM, "%d %s", u,
			    pg_tokstr(pg->u, a->tr->token[u], c));
		}
		pg_nl(pg);
		for (r = 0; r < 5; r++) {
			double vm = pg_vmax(src[r], a->t + 1, 1);

			pg_text(pg, 0, r == 4 ? ST_LABEL : ST_DIM, "%s", rows[r]);
			for (u = u0; u <= a->t && u < u0 + per; u++)
				pg_value(pg, LBL + (u - u0) * (CELL + GAP), src[r][u], vm, r < 2, ids[r], u, 0);
			pg_nl(pg);
		}
	}
}

static void
page_d_scores(struct page *pg, const struct train_at *a)
{
	const size_t sh = a->lt * a->T * a->C + a->h * a->D;
	struct vecopt o = VO_PLAIN;
	int u, j, side = LBL + 2 * a->D * (CELL + GAP) + 2 <= pg->w, xv;
	double km, vm;

	o.idx0 = a->h * a->D;
	pg_heading(pg, "L%dH%d at position %d: d q = sum_u k[u] scale d score[u] (scale %.6g)", a->l, a->h,
	    a->t, model_attn_scale(&pg->u->s.cfg));
	pg_vector(pg, "d q", ST_LABEL, V_OUT, a->g->d_q + a->lt * a->C + a->h * a->D, a->D, &o);
	pg_heading(pg, "this position's shares: d k[u] += q scale d score[u], d v[u] += w[u] d out");
	km = pg_vmax(a->g->d_k_share + sh, (a->t + 1) * a->C, 1);
	vm = pg_vmax(a->g->d_v_share + sh, (a->t + 1) * a->C, 1);
	xv = side ? LBL + a->D * (CELL + GAP) + 2 : LBL;
	pg_text(pg, LBL, ST_DIM, "d k[u]");
	if (side)
		pg_text(pg, xv, ST_DIM, "d v[u]");
	pg_nl(pg);
	for (u = 0; u <= a->t; u++) {
		char c[16];

		pg_text(pg, 0, ST_DIM, "%-2d %s", u, pg_tokstr(pg->u, a->tr->token[u], c));
		for (j = 0; j < a->D; j++)
			pg_value(pg, LBL + j * (CELL + GAP), a->g->d_k_share[sh + (size_t)u * a->C + j], km, 0, V_K,
			    u * a->D + j, 0);
		if (side) {
			pg_text(pg, xv - 2, ST_RULE, "%s", draw_glyph(pg->u, "\u2502", "|"));
			for (j = 0; j < a->D; j++)
				pg_value(pg, xv + j * (CELL + GAP), a->g->d_v_share[sh + (size_t)u * a->C + j], vm, 0,
				    V_V, u * a->D + j, 0);
		}
		pg_nl(pg);
	}
	if (!side)
		for (u = 0; u <= a->t; u++) {
			pg_text(pg, 0, ST_DIM, "d v[%d]", u);
			for (j = 0; j < a->D; j++)
				pg_value(pg, LBL + j * (CELL + GAP), a->g->d_v_share[sh + (size_t)u * a->C + j], vm, 0,
				    V_V, u * a->D + j, 0);
			pg_nl(pg);
		}
}

/* ---- the tensors ---- */

static double
tensor_at(const struct model *m, const struct tensor *t, const double *p, int r, int c)
{
	(void)m;
	return p[model_index(t, r, c)];
}

static void
page_param_grad(struct page *pg)
{
	const struct ui *u = pg->u;
	const struct model *m = u->s.m;
	const struct tensor *t = &m->tensors[pg->op->tensor];
	const double *g = u->s.ts->grad;
	const int H = u->s.cfg.n_head, D = m->head_dim;
	const int rows_blk = t->kind == TENSOR_WQ || t->kind == TENSOR_WK || t->kind == TENSOR_WV;
	const int cols_blk = t->kind == TENSOR_WO;
	double vm = 0, hn[64], s = 0;
	int r, c, nh, cw, x, lbl = 5;
	char buf[16];

	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->cols; c++) {
			double v = tensor_at(m, t, g, r, c);

			vm = fmax(vm, fabs(v));
			s += v * v;
		}
	nh = headstats_block_norms(m, t, g, hn);
	pg->vname[V_OUT] = "|d W| of head";
	pg->vname[V_IN] = "d W";
	/* a number a cell where the rows fit (selectable, with its formula),
	 * else two columns (the sign, the shade), else one (the sign) */
	cw = lbl + t->cols * (CELL + GAP) + (cols_blk ? H : 0) <= pg->w ? CELL + GAP
	    : lbl + t->cols * 2 + (cols_blk ? H : 0) <= pg->w ? 2 : 1;
	pg_heading(pg, "d %s [%d x %d] (the reference's layout): summed over the step's %d positions",
	    t->name, t->rows, t->cols, u->s.tr.n_pos);
	scalar(pg, 0, "|d W|", sqrt(s), V_SUM);
	pg_text(pg, LBL + CELL + 2, ST_DIM, "largest |d W| %.4g;  + positive, - negative", vm);
	pg_nl(pg);
	if (cols_blk) {   /* the heads' column blocks named over them */
		for (c = 0; c < H; c++)
			pg_text(pg, lbl + c * (D * cw + 1), ST_LABEL, "H%d", c);
		pg_nl(pg);
	}
	for (r = 0; r < t->rows; r++) {
		if (rows_blk && r % D == 0) {   /* a head's block of rows begins: its rule and norm */
			int w = lbl + t->cols * cw > 26 ? lbl + t->cols * cw : 26;

			pg_text(pg, 0, ST_RULE, "%s", draw_glyph(u, "\u250c", "+"));
			for (x = 1; x < w; x++)
				pg_text(pg, x, ST_RULE, "%s", draw_glyph(u, "\u2500", "-"));
			pg_text(pg, 2, ST_LABEL, " H%d |d W| ", r / D);
			pg_value(pg, 12, hn[r / D], -1, 1, V_OUT, r / D, 0);
			pg_text(pg, 12 + CELL, ST_RULE, " ");
			pg_nl(pg);
		}
		pg_text(pg, 0, ST_DIM, "%3d", r);
		for (c = 0, x = lbl; c < t->cols; c++) {
			double v = tensor_at(m, t, g, r, c);
			enum style st = draw_ramp(v, vm);

			if (cols_blk && c % D == 0 && c) {
				pg_text(pg, x, ST_RULE, "%s", draw_glyph(u, "\u2502", "|"));
				x++;
			}
			if (cw == CELL + GAP)
				pg_value(pg, x, v, vm, 0, V_IN, r * t->cols + c, 0);
			else if (cw == 2) {
				pg_seg(pg, x, st, -1, v > 0 ? "+" : v < 0 ? "-" : " ");
				pg_seg(pg, x + 1, st, -1, draw_shade(u, v, vm));
			} else
				pg_seg(pg, x, st, -1, v > 0 ? "+" : v < 0 ? "-" : draw_glyph(u, "\u00b7", "."));
			x += cw;
		}
		pg_nl(pg);
	}
	if (cols_blk) {
		for (c = 0; c < nh; c++) {
			snprintf(buf, sizeof buf, "H%d |d|", c);
			pg_text(pg, c * (LBL + CELL + 2), ST_DIM, "%s", buf);
			pg_value(pg, c * (LBL + CELL + 2) + LBL - 1, hn[c], -1, 1, V_OUT, c, 0);
		}
		pg_nl(pg);
	}
}

static void
page_adam(struct page *pg)
{
	const struct ui *u = pg->u;
	const struct train_step *ts = u->s.ts;
	const struct model *m = u->s.m;
	const struct tensor *t = &m->tensors[pg->op->tensor];
	int best[N_LARGEST], nb, k, x;
	double un = train_step_tensor_norm(m, t, ts->ar.update), wn = train_step_tensor_norm(m, t, ts->p_before);

	pg_heading(pg, "Adam on %s [%d x %d]: update = lr_t m_hat / (v_hat^0.5 + eps), W -= update",
	    t->name, t->rows, t->cols);
	scalar(pg, 0, "lr_t", ts->ar.lr_t, V_SUM);
	scalar(pg, LBL + CELL + 2, "1-b1^t", ts->ar.bc1, V_MS);
	scalar(pg, 2 * (LBL + CELL + 2), "1-b2^t", ts->ar.bc2, V_SCALE);
	pg_nl(pg);
	scalar(pg, 0, "|upd|", un, V_MAX);
	scalar(pg, LBL + CELL + 2, "|W|", wn, V_MAX);
	pg_text(pg, 2 * (LBL + CELL + 2), ST_LABEL, "ratio");
	pg_value(pg, 2 * (LBL + CELL + 2) + LBL, un / wn, -1, 1, V_AUX, 0, 0);
	pg->sv[pg->n_sv - 1].label = "|update| / |W|";
	pg_text(pg, 3 * (LBL + CELL + 2), ST_DIM, "|update| / |W|");
	pg_nl(pg);
	pg_text(pg, 0, ST_OK, "the weights after equal the run's step %ld bit for bit (%s)", ts->step,
	    ts->snapshot ? "its snapshot" : "replayed from the log");
	pg_nl(pg);
	pg->vname[V_IN] = "before";
	pg->vname[V_IN2] = "after";
	pg->vname[V_OUT] = "update";
	pg->vname[V_K] = "m";
	pg->vname[V_V] = "v";
	pg->vname[V_GRAD] = "m_hat";
	pg->vname[V_SAMPLE] = "v_hat";
	nb = train_step_largest(m, t, ts->ar.update, best, N_LARGEST);
	pg_heading(pg, "the %d largest moves:", nb);
	x = LBL + 2;
	pg_text(pg, 0, ST_DIM, "[r][c]");
	pg_text(pg, x, ST_DIM, "before");
	pg_text(pg, x + (CELL + GAP) + 2, ST_DIM, "after");
	pg_text(pg, x + 2 * (CELL + GAP) + 2, ST_DIM, "update");
	pg_text(pg, x + 3 * (CELL + GAP) + 2, ST_DIM, "m");
	pg_text(pg, x + 4 * (CELL + GAP) + 2, ST_DIM, "v");
	pg_text(pg, x + 5 * (CELL + GAP) + 2, ST_DIM, "m_hat");
	pg_text(pg, x + 6 * (CELL + GAP) + 2, ST_DIM, "v_hat");
	pg_nl(pg);
	for (k = 0; k < nb; k++) {
		int r = best[k] / t->cols, c = best[k] % t->cols;
		size_t i = model_index(t, r, c);

		pg_text(pg, 0, ST_DIM, "[%d][%d]", r, c);
		pg_value(pg, x, ts->p_before[i], -1, 0, V_IN, best[k], 0);
		pg_text(pg, x + CELL, ST_DIM, "%s", draw_glyph(u, "\u2192", ">"));
		pg_value(pg, x + (CELL + GAP) + 1, ts->p_after[i], -1, 0, V_IN2, best[k], 0);
		pg_value(pg, x + 2 * (CELL + GAP) + 1, ts->ar.update[i], -1, 0, V_OUT, best[k], 0);
		if (pg->w >= x + 7 * (CELL + GAP) + 2) {
			pg_value(pg, x + 3 * (CELL + GAP) + 1, ts->m_after[i], -1, 0, V_K, best[k], 0);
			pg_value(pg, x + 4 * (CELL + GAP) + 1, ts->v_after[i], -1, 1, V_V, best[k], 0);
			pg_value(pg, x + 5 * (CELL + GAP) + 1, ts->ar.m_hat[i], -1, 0, V_GRAD, best[k], 0);
			pg_value(pg, x + 6 * (CELL + GAP) + 1, ts->ar.v_hat[i], -1, 1, V_SAMPLE, best[k], 0);
		}
		pg_nl(pg);
	}
}

void
page_train(struct page *pg)
{
	struct train_at a;
	const struct grad_trace *g;
	const struct op *op = pg->op;
	size_t ltc;
	char what[160];

	if (!pg->u->s.ts)
		return;
	page_train_at(pg, &a);
	g = a.g;
	ltc = a.lt * a.C;
	switch (op->kind) {
	case OP_LOSS: page_loss(pg, &a); break;
	case OP_D_LOGITS: page_d_logits(pg, &a); break;
	case OP_D_LM_HEAD:
		page_d_linear(pg, "d x_out = lm_head^T . d logits: the last layer's output's gradient",
		    "d logit", g->d_logits + (size_t)a.t * a.V, a.V, "d x_out",
		    g->d_x_out + ((size_t)(a.L - 1) * a.T + a.t) * a.C, a.C, 1);
		break;
	case OP_D_MLP_FC2:
		page_d_linear(pg, "d relu = mlp_fc2^T . d x_out (x_out = fc2 + x_mid: fc2 gets d x_out whole)",
		    "d x_out", g->d_x_out + ltc, a.C, "d relu", g->d_relu + a.lt * a.F, a.F, 0);
		break;
	case OP_D_RELU: page_d_relu(pg, &a); break;
	case OP_D_MLP_FC1:
		page_d_linear(pg, "d xn2 = mlp_fc1^T . d fc1", "d fc1", g->d_fc1 + a.lt * a.F, a.F, "d xn2",
		    g->d_xn2 + ltc, a.C, 0);
		break;
	case OP_D_RMSNORM_MLP:
		page_d_rmsnorm(pg, "d x_mid: rmsnorm's backward (scale, d scale) plus the residual's share, d x_out",
		    a.tr->ln2_scale[a.lt], g->d_ln2_scale[a.lt], g->d_xn2 + ltc, g->d_x_mid + ltc);
		break;
	case OP_D_ATTN_WO:
		page_d_linear(pg, "d concat = attn_wo^T . d x_mid", "d x_mid", g->d_x_mid + ltc, a.C, "d cat",
		    g->d_att_cat + ltc, a.C, 0);
		break;
	case OP_D_HEAD_OUT: page_d_head_out(pg, &a); break;
	case OP_D_ATTN_WEIGHTS: page_d_weights(pg, &a); break;
	case OP_D_ATTN_SCORES: page_d_scores(pg, &a); break;
	case OP_D_QKV:
		pg_heading(pg, "the totals of d q, d k, d v at position %d (k, v over every later position)", a.t);
		pg_vector(pg, "d q", ST_DIM, V_IN, g->d_q + ltc, a.C, &VO_RULER);
		pg_vector(pg, "d k", ST_DIM, V_IN2, g->d_k + ltc, a.C, &VO_RULER);
		pg_vector(pg, "d v", ST_DIM, V_AUX, g->d_v + ltc, a.C, &VO_RULER);
		pg_heading(pg, "d xn1 = wq^T d q + wk^T d k + wv^T d v");
		pg_vector(pg, "d xn1", ST_LABEL, V_OUT, g->d_xn1 + ltc, a.C, &VO_RULER);
		break;
	case OP_D_RMSNORM_ATTN:
		snprintf(what, sizeof what, "d of layer %d's input: rmsnorm's backward plus the residual's share, d x_mid",
		    a.l);
		page_d_rmsnorm(pg, what, a.tr->ln1_scale[a.lt], g->d_ln1_scale[a.lt], g->d_xn1 + ltc,
		    g->d_x_in + ltc);
		break;
	case OP_D_RMSNORM_IN:
		page_d_rmsnorm(pg, "d emb: the first rmsnorm's backward (d x0 is layer 0's input's gradient)",
		    a.tr->ln0_scale[a.t], g->d_ln0_scale[a.t], g->d_x_in + (size_t)a.t * a.C,
		    g->d_emb + (size_t)a.t * a.C);
		break;
	case OP_D_EMBED: {
		char c[16];

		pg_heading(pg, "d emb is added into row %d of wte (token %s) and row %d of wpe", a.tr->token[a.t],
		    pg_qtok(pg->u, a.tr->token[a.t], c), a.t);
		pg_vector(pg, "d emb", ST_LABEL, V_OUT, g->d_emb + (size_t)a.t * a.C, a.C, &VO_RULER);
		break;
	}
	case OP_PARAM_GRAD: page_param_grad(pg); break;
	case OP_ADAM: page_adam(pg); break;
	default: break;
	}
}
