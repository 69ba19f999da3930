/* SPDX-License-Identifier: MIT */
/* explain.c - the selected value's formula, written out with the numbers
 * the engine used and the result it recorded: text only (no curses), so
 * the screen and any other renderer print the same formulas. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"

static const char *
glyph(const struct explain_ctx *u, const char *utf8, const char *ascii)
{
	return u->utf8 ? utf8 : ascii;
}

const char *
explain_qtok(const struct explain_ctx *u, int t, char buf[16])
{
	char c[16];

	if (t < 0)
		return "?";
	if (t == u->s->cfg.vocab_size - 1)
		return "BOS";
	snprintf(buf, 16, "'%s'", dataset_tokstr(u->s->ds, t, c, "BOS"));
	return buf;
}

const char *
explain_in_name(const struct op *op)
{
	switch (op->kind) {
	case OP_RMSNORM_IN:   return "emb";
	case OP_RESIDUAL:
	case OP_RMSNORM_ATTN: return "x";
	case OP_Q: case OP_K: case OP_V: return "xn";
	case OP_ATTN_WO:      return "cat";
	case OP_ATTN_RESIDUAL: return "attn";
	case OP_RMSNORM_MLP:  return "x_mid";
	case OP_MLP_FC1:      return "xn";
	case OP_RELU:         return "fc1";
	case OP_MLP_FC2:      return "relu";
	case OP_MLP_RESIDUAL: return "fc2";
	case OP_LOGITS:       return "x_out";
	default:              return "in";
	}
}


const char *
explain_out_name(const struct op *op)
{
	switch (op->kind) {
	case OP_EMBED:        return "wte";
	case OP_EMBED_SUM:    return "emb";
	case OP_RMSNORM_IN:   return "x0";
	case OP_RESIDUAL:     return "x";
	case OP_RMSNORM_ATTN: return "xn";
	case OP_Q:            return "q";
	case OP_K:            return "k";
	case OP_V:            return "v";
	case OP_ATTN_SCORES:  return "score";
	case OP_ATTN_WEIGHTS: return "w";
	case OP_HEAD_OUT:     return "out";
	case OP_CONCAT:       return "cat";
	case OP_ATTN_WO:      return "attn";
	case OP_ATTN_RESIDUAL: return "x_mid";
	case OP_RMSNORM_MLP:  return "xn";
	case OP_MLP_FC1:      return "fc1";
	case OP_RELU:         return "relu";
	case OP_MLP_FC2:      return "fc2";
	case OP_MLP_RESIDUAL: return "x_out";
	case OP_LOGITS:       return "logit";
	case OP_PROBS:        return "p";
	default:              return "out";
	}
}


/* Where an op's (first) input comes from, in words. */
void
explain_source_of(const struct explain_ctx *u, const struct op *op, char *buf, size_t n)
{
	int l = op->layer;

	switch (op->kind) {
	case OP_RESIDUAL: case OP_RMSNORM_ATTN:
		if (l == 0)
			snprintf(buf, n, "rmsnorm_in's output");
		else
			snprintf(buf, n, "layer %d's output", l - 1);
		break;
	case OP_LOGITS:
		snprintf(buf, n, "layer %d's output", u->s->cfg.n_layer - 1);
		break;
	default:
		snprintf(buf, n, "the previous op's output");
	}
}


void
explain_fmt_num(char *buf, size_t n, double v, int paren)
{
	if (paren && v < 0)
		snprintf(buf, n, "(%.6g)", v);
	else
		snprintf(buf, n, "%.6g", v);
}

void
fb_add(struct fbuf *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n >= sizeof f->s - 1)
		return;
	va_start(ap, fmt);
	f->n += (size_t)vsnprintf(f->s + f->n, sizeof f->s - f->n, fmt, ap);
	va_end(ap);
	if (f->n >= sizeof f->s)
		f->n = sizeof f->s - 1;
}

/* a0·b0 + a1·b1 + ... with at most max_terms shown */
void
fb_dot(struct fbuf *f, const struct explain_ctx *u, const double *a, int sa, const double *b, int sb,
    int n, int max_terms)
{
	char x[32], y[32];
	int i;

	for (i = 0; i < n; i++) {
		if (i == max_terms && n > max_terms + 1) {
			fb_add(f, " + ... (%d more)", n - i);
			return;
		}
		explain_fmt_num(x, sizeof x, a[(size_t)i * sa], 1);
		explain_fmt_num(y, sizeof y, b[(size_t)i * sb], 1);
		fb_add(f, "%s%s%s%s", i ? " + " : "", x, glyph(u, "\u00b7", "*"), y);
	}
}

/* Fill name and f for the selected value; returns 1 when f is an equation
 * (the caller appends "= value"), 0 when it is a description. */
int
explain_formula(const struct explain_ctx *u, const struct op *op, const struct op_view *v,
    const struct explain_sel *s, struct fbuf *name, struct fbuf *f, int room)
{
	const int D = u->s->m->head_dim, C = u->s->cfg.n_embd;
	const char *dot = glyph(u, "\u00b7", "*"), *sum = glyph(u, "\u03a3", "sum ");
	char a[32], b[32], c[16], c2[32];
	int i = s->idx, terms = room / 22 > 3 ? room / 22 : 3, k;

	switch (op->kind) {
	case OP_EMBED:
		if (s->vec == V_OUT) {
			fb_add(name, "tok_emb[%d]", i);
			fb_add(f, "wte[%d][%d]: row %d of wte is token %s", v->token, i, v->token, explain_qtok(u, v->token, c));
		} else {
			fb_add(name, "pos_emb[%d]", i);
			fb_add(f, "wpe[%d][%d]: row %d of wpe is position %d", op->pos, i, op->pos, op->pos);
		}
		return 0;

	case OP_EMBED_SUM: case OP_ATTN_RESIDUAL: case OP_MLP_RESIDUAL: {
		const char *na = op->kind == OP_EMBED_SUM ? "tok" : op->kind == OP_ATTN_RESIDUAL ? "attn" : "fc2";
		const char *nb = op->kind == OP_EMBED_SUM ? "pos" : op->kind == OP_ATTN_RESIDUAL ? "x" : "x_mid";

		if (s->vec == V_IN) {
			fb_add(name, "%s[%d]", na, i);
			fb_add(f, "%s", op->kind == OP_EMBED_SUM ? "the token's embedding"
			    : op->kind == OP_ATTN_RESIDUAL ? "attn_wo's output" : "mlp_fc2's output");
			return 0;
		}
		if (s->vec == V_IN2) {
			fb_add(name, "%s[%d]", nb, i);
			fb_add(f, "%s", op->kind == OP_EMBED_SUM ? "the position's embedding"
			    : op->kind == OP_ATTN_RESIDUAL ? "the residual: the layer's input"
			    : "the residual: attn_residual's output");
			return 0;
		}
		fb_add(name, "%s[%d]", explain_out_name(op), i);
		explain_fmt_num(a, sizeof a, v->in[i], 0);
		explain_fmt_num(b, sizeof b, v->in2[i], 1);
		fb_add(f, "%s[%d] + %s[%d] = %s + %s", na, i, nb, i, a, b);
		return 1;
	}

	case OP_RMSNORM_IN: case OP_RMSNORM_ATTN: case OP_RMSNORM_MLP:
		switch (s->vec) {
		case V_MS:
			fb_add(name, "ms");
			fb_add(f, "(");
			for (k = 0; k < v->n_in; k++) {
				if (k == terms && v->n_in > terms + 1) {
					fb_add(f, " + ... %d more", v->n_in - k);
					break;
				}
				explain_fmt_num(a, sizeof a, v->in[k], 1);
				fb_add(f, "%s%s%s", k ? " + " : "", a, glyph(u, "\u00b2", "^2"));
			}
			fb_add(f, ") / %d", v->n_in);
			return 1;
		case V_SCALE:
			fb_add(name, "scale");
			explain_fmt_num(a, sizeof a, v->ms, 0);
			fb_add(f, "(ms + %g)^-0.5 = (%s + %g)^-0.5", MODEL_RMS_EPS, a, MODEL_RMS_EPS);
			return 1;
		case V_IN:
			fb_add(name, "%s[%d]", explain_in_name(op), i);
			fb_add(f, "the rmsnorm's input");
			return 0;
		default:
			fb_add(name, "%s[%d]", explain_out_name(op), i);
			explain_fmt_num(a, sizeof a, v->in[i], 0);
			explain_fmt_num(b, sizeof b, v->scale, 1);
			fb_add(f, "%s[%d] %s scale = %s %s %s", explain_in_name(op), i, dot, a, dot, b);
			return 1;
		}

	case OP_RESIDUAL:
		fb_add(name, "x[%d]", i);
		explain_source_of(u, op, c2, sizeof c2);
		fb_add(f, "layer %d's input (%s), dim %d", op->layer, c2, i);
		return 0;

	case OP_Q: case OP_K: case OP_V: case OP_ATTN_WO: case OP_MLP_FC1: case OP_MLP_FC2:
	case OP_LOGITS:
		if (s->vec == V_IN) {
			fb_add(name, "%s[%d]", explain_in_name(op), i);
			fb_add(f, "an input of %s", v->weight ? v->weight->name : "the linear layer");
			return 0;
		}
		if (op->kind == OP_LOGITS)
			fb_add(name, "logit[%s]", explain_qtok(u, i, c));
		else
			fb_add(name, "%s[%d]", explain_out_name(op), i);
		fb_add(f, "%s_j %s[%d][j]%s%s[j] = ", sum, v->weight ? v->weight->name : "W", i, dot, explain_in_name(op));
		for (k = 0; k < v->n_in; k++) {
			if (k == terms && v->n_in > terms + 1) {
				fb_add(f, " + ... %d more", v->n_in - k);
				break;
			}
			explain_fmt_num(a, sizeof a, op_weight(u->s->m, v, i, k), 1);
			explain_fmt_num(b, sizeof b, v->in[k], 1);
			fb_add(f, "%s%s%s%s", k ? " + " : "", a, dot, b);
		}
		return 1;

	case OP_KV_CACHE:
		fb_add(name, "%s[%d][%d]", s->vec == V_K ? "k" : "v", i / C, i % C);
		fb_add(f, "layer %d's %s of position %d (%s), dim %d, head %d's slice%s", op->layer,
		    s->vec == V_K ? "key" : "value", i / C, explain_qtok(u, u->s->tr.token[i / C], c), i % C,
		    (i % C) / D, i / C == op->pos ? ": appended now" : "");
		return 0;

	case OP_HEAD_QKV:
		if (s->vec == V_IN) {
			fb_add(name, "q[%d]", v->dim0 + i);
			fb_add(f, "the query of position %d, dim %d (H%d's slice)", op->pos, v->dim0 + i, op->head);
		} else {
			fb_add(name, "%s[%d][%d]", s->vec == V_K ? "k" : "v", i / D, v->dim0 + i % D);
			fb_add(f, "the cached %s of position %d (%s), dim %d", s->vec == V_K ? "key" : "value",
			    i / D, explain_qtok(u, u->s->tr.token[i / D], c), v->dim0 + i % D);
		}
		return 0;

	case OP_ATTN_SCORES:
		if (s->vec == V_IN) {
			fb_add(name, "q[%d]", v->dim0 + i);
			fb_add(f, "the query of position %d, dim %d", op->pos, v->dim0 + i);
			return 0;
		}
		if (s->vec == V_K) {
			fb_add(name, "k[%d][%d]", i / D, v->dim0 + i % D);
			fb_add(f, "the key of position %d (%s), dim %d", i / D, explain_qtok(u, u->s->tr.token[i / D], c),
			    v->dim0 + i % D);
			return 0;
		}
		{
			double rs = 1.0 / v->att_scale;
			int whole = fabs(rs - nearbyint(rs)) < 1e-12;

			fb_add(name, "score[%d]", i);
			fb_add(f, "(");
			for (k = 0; k < D; k++)
				fb_add(f, "%sq%d%sk%d", k ? " + " : "", v->dim0 + k, dot, v->dim0 + k);
			if (whole)
				fb_add(f, ") / %g = (", nearbyint(rs));
			else
				fb_add(f, ") %s %.17g = (", dot, v->att_scale);
			fb_dot(f, u, v->in, 1, v->k + (size_t)i * v->stride, 1, D, D);
			if (whole)
				fb_add(f, ") / %g", nearbyint(rs));
			else
				fb_add(f, ") %s %.17g", dot, v->att_scale);
		}
		return 1;

	case OP_ATTN_WEIGHTS: case OP_PROBS: {
		const char *xs = op->kind == OP_PROBS ? "logit" : "score";

		switch (s->vec) {
		case V_MAX:
			fb_add(name, "max");
			fb_add(f, "the largest %s, subtracted before exp so that no exponential overflows", xs);
			return 0;
		case V_SUM:
			fb_add(name, "sum");
			for (k = 0; k < v->n_out; k++) {
				if (k == terms && v->n_out > terms + 1) {
					fb_add(f, " + ... %d more", v->n_out - k);
					break;
				}
				explain_fmt_num(a, sizeof a, v->in2[k], 0);
				fb_add(f, "%s%s", k ? " + " : "", a);
			}
			return 1;
		case V_IN:
			fb_add(name, "%s[%d]", xs, i);
			fb_add(f, "from %s", op->kind == OP_PROBS ? "lm_head" : "attn_scores");
			return 0;
		case V_IN2:
			fb_add(name, "exp[%d]", i);
			explain_fmt_num(a, sizeof a, v->in[i], 0);
			explain_fmt_num(b, sizeof b, v->max, 1);
			fb_add(f, "exp(%s[%d] - max) = exp(%s - %s)", xs, i, a, b);
			return 1;
		default:
			if (op->kind == OP_PROBS)
				fb_add(name, "p[%s]", explain_qtok(u, i, c));
			else
				fb_add(name, "w[%d]", i);
			explain_fmt_num(a, sizeof a, v->in[i], 0);
			explain_fmt_num(b, sizeof b, v->max, 1);
			explain_fmt_num(c2, sizeof c2, v->sum, 0);
			fb_add(f, "exp(%s - max) / sum = exp(%s - %s) / %s", xs, a, b, c2);
			return 1;
		}
	}

	case OP_HEAD_OUT:
		if (s->vec == V_IN) {
			fb_add(name, "w[%d]", i);
			fb_add(f, "the attention weight of position %d (%s)", i, explain_qtok(u, u->s->tr.token[i], c));
			return 0;
		}
		if (s->vec == V_V) {
			fb_add(name, "v[%d][%d]", i / D, v->dim0 + i % D);
			fb_add(f, "the cached value of position %d (%s), dim %d", i / D,
			    explain_qtok(u, u->s->tr.token[i / D], c), v->dim0 + i % D);
			return 0;
		}
		fb_add(name, "out[%d]", v->dim0 + i);
		fb_add(f, "%s_u w[u]%sv[u][%d] = ", sum, dot, v->dim0 + i);
		fb_dot(f, u, v->in, 1, v->v + i, v->stride, v->n_cached, terms);
		return 1;

	case OP_CONCAT:
		if (s->vec == V_IN) {
			fb_add(name, "head[%d]", i);
			fb_add(f, "H%d's output, dim %d, before switching off", i / D, i);
			return 0;
		}
		fb_add(name, "cat[%d]", i);
		if (debug_session_head_off(u->s, op->layer, i / D)) {
			explain_fmt_num(a, sizeof a, v->in[i], 0);
			fb_add(f, "0: H%d is switched off; its output %s is dropped before attn_wo", i / D, a);
		} else
			fb_add(f, "H%d's output, dim %d", i / D, i);
		return 0;

	case OP_RELU:
		if (s->vec == V_IN) {
			fb_add(name, "fc1[%d]", i);
			fb_add(f, "mlp_fc1's output");
			return 0;
		}
		fb_add(name, "relu[%d]", i);
		explain_fmt_num(a, sizeof a, v->in[i], 0);
		fb_add(f, "max(0, fc1[%d]) = max(0, %s)", i, a);
		return 1;

	default:
		fb_add(name, "value");
		return 0;
	}
}
