/* SPDX-License-Identifier: MIT */
/* view_train_formula.c - a training step's selected value in full and its
 * formula with the step's numbers (issue 13): the backward's d logits,
 * linear layers, relu, attention, rmsnorms, d q/k/v, and Adam's update,
 * each written out as the engine computes it. Every number shown is one
 * train_step_open() recorded (u->s.ts) or the step's forward trace; the
 * formulas are text, nothing of the model is computed here. */
#include "config.h"

#include <stdio.h>

#include "page.h"

/* ---- the selected value's formula ---- */

/* d in[i] = sum_o W[o][i] d out[o] of a tensor (the weights before the step) */
static void
fb_wt_dot(struct fbuf *f, const struct explain_ctx *cx, const struct model *m, const struct tensor *t,
    int i, const double *dout)
{
	double col[4 * MODEL_MAX_DIM];
	int o;

	for (o = 0; o < t->rows && o < 4 * MODEL_MAX_DIM; o++)
		col[o] = m->p[model_index(t, o, i)];
	fb_dot(f, cx, col, 1, dout, 1, t->rows, 6);
}

/* rmsnorm's backward for one value, the engine's rmsnorm_backward written
 * out: d x[i] = d res[i] + scale d xn[i] + 2 x[i] (-0.5 scale^3 d scale) / n,
 * scale^3 = (ms + eps)^-1.5 and d scale = sum_j x[j] d xn[j] (recorded);
 * every number shown is one the step recorded */
static void
fb_d_rmsnorm(struct fbuf *f, const struct ui *u, int i, const double *dres, double scale,
    double dscale, const double *dxn, const double *x, int n)
{
	const char *dot = u->utf8 ? "\u00b7" : "*";
	char a[32], b[32], c[32], d[32], e[32];

	explain_fmt_num(b, sizeof b, scale, 1);
	explain_fmt_num(c, sizeof c, dxn[i], 1);
	explain_fmt_num(d, sizeof d, x[i], 1);
	explain_fmt_num(e, sizeof e, dscale, 1);
	if (dres) {
		explain_fmt_num(a, sizeof a, dres[i], 1);
		fb_add(f, "d res + ");
	}
	fb_add(f, "scale%sd xn + 2x%s(-0.5 scale^3 d scale)/n = ", dot, dot);
	if (dres)
		fb_add(f, "%s + ", a);
	fb_add(f, "%s%s%s + 2%s%s%s(-0.5%s%s^3%s%s)/%d", b, dot, c, dot, d, dot, dot, b, dot, e, n);
}

int
page_train_formula(struct ui *u, const struct page *pg, const struct selv *s, struct fbuf *name,
    struct fbuf *f)
{
	const struct explain_ctx cx = { &u->s, u->utf8 };
	const struct op *op = pg->op;
	const struct model *m = u->s.m;
	struct train_at a;
	char x[32], y[32], z[32];
	int i = s->idx;

	page_train_at(pg, &a);
	if (s->vec == V_GRAD && op_phase(op->kind) == 0) {
		/* a head's slice is numbered as the whole vector's dims */
		int j = i + (op->kind == OP_HEAD_QKV || op->kind == OP_HEAD_OUT ? a.h * a.D : 0);

		fb_add(name, "d %s[%d]", explain_out_name(op), j);
		fb_add(f, "d loss / d %s[%d]: how the step's loss moves with this value (the backward's "
		    "record)", explain_out_name(op), j);
		return 0;
	}
	if (op->kind == OP_D_HEAD_OUT && s->vec == V_IN)
		i += a.h * a.D;
	switch (op->kind) {
	case OP_D_LOGITS:
		if (s->vec != V_OUT)
			break;
		fb_add(name, "d logit[%d]", i);
		explain_fmt_num(x, sizeof x, a.tr->logit_exp[(size_t)a.t * a.V + i], 1);
		explain_fmt_num(y, sizeof y, a.g->d_logit_sum[a.t], 1);
		fb_add(f, "exp[%d] d sum = %s%s%s", i, x, u->utf8 ? "\u00b7" : "*", y);
		if (i == a.tr->target[a.t]) {
			explain_fmt_num(z, sizeof z, a.g->d_prob_tgt[a.t], 1);
			fb_add(f, " + exp[tgt] sum^-1 d p (%s)", z);
		}
		return 1;
	case OP_D_LM_HEAD: case OP_D_MLP_FC2: case OP_D_MLP_FC1: case OP_D_ATTN_WO: {
		enum tensor_kind k = op->kind == OP_D_LM_HEAD ? TENSOR_LM_HEAD : op->kind == OP_D_MLP_FC2
		    ? TENSOR_FC2 : op->kind == OP_D_MLP_FC1 ? TENSOR_FC1 : TENSOR_WO;
		const struct tensor *t = model_tensor(m, k, k == TENSOR_LM_HEAD ? -1 : a.l);
		const double *dout = op->kind == OP_D_LM_HEAD ? a.g->d_logits + (size_t)a.t * a.V
		    : op->kind == OP_D_MLP_FC2 ? a.g->d_x_out + a.lt * a.C
		    : op->kind == OP_D_MLP_FC1 ? a.g->d_fc1 + a.lt * a.F : a.g->d_x_mid + a.lt * a.C;

		if (s->vec != V_OUT || !t)
			break;
		fb_add(name, "d in[%d]", i);
		fb_add(f, "sum_o %s[o][%d] d out[o] = ", t->name, i);
		fb_wt_dot(f, &cx, m, t, i, dout);
		return 1;
	}
	case OP_D_HEAD_OUT:
		if (s->vec != V_OUT)
			break;
		fb_add(name, "d weight[%d]", i);
		fb_add(f, "v[%d] . d out = ", i);
		fb_dot(f, &cx, a.tr->v + ((size_t)a.l * a.T + i) * a.C + a.h * a.D, 1,
		    a.g->d_att_head + a.lt * a.C + a.h * a.D, 1, a.D, 8);
		return 1;
	case OP_D_ATTN_WEIGHTS: {
		const size_t o = a.lth * a.T;

		if (s->vec == V_K) {
			fb_add(name, "d exp[%d]", i);
			explain_fmt_num(x, sizeof x, a.tr->att_sum[a.lth], 1);
			explain_fmt_num(y, sizeof y, a.g->d_att_w[o + i], 1);
			explain_fmt_num(z, sizeof z, a.g->d_att_sum[a.lth], 1);
			fb_add(f, "sum^-1 d w[%d] + d sum = %s^-1%s%s + %s", i, x, u->utf8 ? "\u00b7" : "*", y, z);
			return 1;
		}
		if (s->vec == V_OUT) {
			fb_add(name, "d score[%d]", i);
			explain_fmt_num(x, sizeof x, a.tr->att_exp[o + i], 1);
			explain_fmt_num(y, sizeof y, a.g->d_att_exp[o + i], 1);
			fb_add(f, "exp[%d] d exp[%d] = %s%s%s", i, i, x, u->utf8 ? "\u00b7" : "*", y);
			return 1;
		}
		break;
	}
	case OP_D_ATTN_SCORES:
		if (s->vec != V_OUT)
			break;
		fb_add(name, "d q[%d]", a.h * a.D + i);
		explain_fmt_num(x, sizeof x, model_attn_scale(&u->s.cfg), 0);
		fb_add(f, "%s%s(", x, u->utf8 ? "\u00b7" : "*");
		fb_dot(f, &cx, a.tr->k + (size_t)a.l * a.T * a.C + a.h * a.D + i, a.C,
		    a.g->d_att_score + a.lth * a.T, 1, a.t + 1, 6);
		fb_add(f, ")");
		return 1;
	case OP_D_RELU:
		if (s->vec != V_OUT)
			break;
		fb_add(name, "d fc1[%d]", i);
		explain_fmt_num(x, sizeof x, a.tr->fc1[a.lt * a.F + i], 1);
		explain_fmt_num(y, sizeof y, a.g->d_relu[a.lt * a.F + i], 1);
		if (a.tr->fc1[a.lt * a.F + i] > 0)
			fb_add(f, "d relu[%d] (fc1 %s > 0 passes it) = %s", i, x, y);
		else
			fb_add(f, "0 (fc1 %s <= 0: relu stopped it; d relu was %s)", x, y);
		return 1;
	case OP_D_QKV: {
		const struct tensor *tq = model_tensor(m, TENSOR_WQ, a.l), *tk = model_tensor(m, TENSOR_WK, a.l);
		const struct tensor *tv = model_tensor(m, TENSOR_WV, a.l);
		const size_t ltc = a.lt * a.C;

		if (s->vec != V_OUT || !tq || !tk || !tv)
			break;
		fb_add(name, "d xn1[%d]", i);
		fb_add(f, "wq^T d q + wk^T d k + wv^T d v = (");
		fb_wt_dot(f, &cx, m, tq, i, a.g->d_q + ltc);
		fb_add(f, ") + (");
		fb_wt_dot(f, &cx, m, tk, i, a.g->d_k + ltc);
		fb_add(f, ") + (");
		fb_wt_dot(f, &cx, m, tv, i, a.g->d_v + ltc);
		fb_add(f, ")");
		return 1;
	}
	case OP_D_RMSNORM_MLP:
		if (s->vec != V_OUT)
			break;
		fb_add(name, "d x_mid[%d]", i);
		fb_d_rmsnorm(f, u, i, a.g->d_x_out + a.lt * a.C, a.tr->ln2_scale[a.lt],
		    a.g->d_ln2_scale[a.lt], a.g->d_xn2 + a.lt * a.C, a.tr->x_mid + a.lt * a.C, a.C);
		return 1;
	case OP_D_RMSNORM_ATTN: {
		const double *xin = a.l ? a.tr->x_out + (a.lt - (size_t)a.T) * a.C
		    : a.tr->x0 + (size_t)a.t * a.C;

		if (s->vec != V_OUT)
			break;
		fb_add(name, "d x_in[%d]", i);
		fb_d_rmsnorm(f, u, i, a.g->d_x_mid + a.lt * a.C, a.tr->ln1_scale[a.lt],
		    a.g->d_ln1_scale[a.lt], a.g->d_xn1 + a.lt * a.C, xin, a.C);
		return 1;
	}
	case OP_D_RMSNORM_IN:
		if (s->vec != V_OUT)
			break;
		fb_add(name, "d emb[%d]", i);
		fb_d_rmsnorm(f, u, i, NULL, a.tr->ln0_scale[a.t], a.g->d_ln0_scale[a.t],
		    a.g->d_x_in + (size_t)a.t * a.C, a.tr->emb + (size_t)a.t * a.C, a.C);
		return 1;
	case OP_D_EMBED:
		if (s->vec != V_OUT)
			break;
		fb_add(name, "d emb[%d]", i);
		fb_add(f, "added into d wte[%d][%d] and d wpe[%d][%d] (param_grad wte, wpe)",
		    a.tr->token[a.t], i, a.t, i);
		return 0;
	case OP_PARAM_GRAD: {
		/* d W[r][c] = sum_t d out_t[r] in_t[c] of a linear tensor */
		const struct tensor *t = &m->tensors[op->tensor];
		const size_t l0 = (size_t)(t->layer < 0 ? 0 : t->layer) * a.T;
		const double *dout = NULL, *in = NULL;
		int so = a.C, si = a.C, r = i / t->cols, c = i % t->cols;

		if (s->vec != V_IN)
			break;
		switch (t->kind) {
		case TENSOR_WQ: dout = a.g->d_q; in = a.tr->xn1; break;
		case TENSOR_WK: dout = a.g->d_k; in = a.tr->xn1; break;
		case TENSOR_WV: dout = a.g->d_v; in = a.tr->xn1; break;
		case TENSOR_WO: dout = a.g->d_x_mid; in = a.tr->att_cat; break;
		case TENSOR_FC1: dout = a.g->d_fc1; so = a.F; in = a.tr->xn2; break;
		case TENSOR_FC2: dout = a.g->d_x_out; in = a.tr->relu; si = a.F; break;
		default: break;
		}
		if (t->kind == TENSOR_LM_HEAD)
			dout = a.g->d_logits, so = a.V, in = a.tr->x_out + (size_t)(a.L - 1) * a.T * a.C;
		else if (dout)
			dout += l0 * so, in += l0 * si;
		if (!dout) {
			fb_add(f, "the sum of d emb over the positions whose %s is %d",
			    t->kind == TENSOR_WTE ? "token" : "position", r);
			fb_add(name, "d %s[%d][%d]", t->name, r, c);
			return 0;
		}
		fb_add(name, "d %s[%d][%d]", t->name, r, c);
		fb_add(f, "sum_t d out_t[%d] in_t[%d] = ", r, c);
		fb_dot(f, &cx, dout + r, so, in + c, si, a.n, 6);
		return 1;
	}
	case OP_ADAM:
		if (s->vec == V_OUT) {
			const struct tensor *t = &m->tensors[op->tensor];
			const struct adam_record *ar = &a.ts->ar;
			size_t k = model_index(t, i / t->cols, i % t->cols);
			char w[32];

			fb_add(name, "update[%d][%d]", i / t->cols, i % t->cols);
			explain_fmt_num(x, sizeof x, ar->lr_t, 1);
			explain_fmt_num(y, sizeof y, ar->m_hat[k], 1);
			explain_fmt_num(z, sizeof z, ar->v_hat[k], 1);
			explain_fmt_num(w, sizeof w, u->s.run->info.eps, 1);
			fb_add(f, "lr_t m_hat / (v_hat^0.5 + eps) = %s%s%s / (%s^0.5 + %s)",
			    x, u->utf8 ? "\u00b7" : "*", y, z, w);
			return 1;
		}
		break;
	default:
		break;
	}
	if (s->label)
		fb_add(name, "%s", s->label);
	else if ((op->kind == OP_ADAM || (op->kind == OP_PARAM_GRAD && s->vec == V_IN))
	    && (unsigned)s->vec <= V_GRAD && pg->vname[s->vec])
		fb_add(name, "%s[%d][%d]", pg->vname[s->vec], i / m->tensors[op->tensor].cols,
		    i % m->tensors[op->tensor].cols);
	else if ((unsigned)s->vec <= V_GRAD && pg->vname[s->vec])
		fb_add(name, "%s[%d]", pg->vname[s->vec], i);
	else
		fb_add(name, "%s", op_name(op->kind));
	fb_add(f, "%s: a value the step recorded (trace --train-step prints them all)", op_name(op->kind));
	return 0;
}
