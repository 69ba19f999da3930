/* SPDX-License-Identifier: MIT */
/* view_debug_pages.c - one page per kind of op: the op's inputs, outputs
 * and constants as op_view gives them (pointers into the trace or the
 * parameters), laid out with the page toolkit. Nothing here computes a
 * value of the model. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "page.h"
#include "xmalloc.h"

/* ---- pages, one per kind of op ---- */

static void
page_embed(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	char c[16];

	pg_heading(pg, "token %s (id %d): row %d of wte", pg_qtok(pg->u, v->token, c), v->token, v->token);
	pg_vector(pg, "wte", ST_LABEL, V_OUT, v->out, v->n_out, &VO_PLAIN);
	pg_nl(pg);
	pg_heading(pg, "position %d: row %d of wpe", pg->op->pos, pg->op->pos);
	pg_vector(pg, "wpe", ST_LABEL, V_AUX, v->aux, v->n_aux, &VO_PLAIN);
}

static void
page_sum(struct page *pg, const char *a, const char *b, const char *what)
{
	const struct op_view *v = &pg->ov;

	pg_heading(pg, "%s", what);
	pg_vector(pg, a, ST_DIM, V_IN, v->in, v->n_in, &VO_PLAIN);
	pg_vector(pg, b, ST_DIM, V_IN2, v->in2, v->n_in2, &VO_PLAIN);
	pg_vector(pg, explain_out_name(pg->op), ST_LABEL, V_OUT, v->out, v->n_out, &VO_PLAIN);
}

static void
page_rmsnorm(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	char src[64];

	explain_source_of(&(struct explain_ctx){ &pg->u->s, pg->u->utf8 }, pg->op, src, sizeof src);
	if (pg->op->kind == OP_RMSNORM_IN)
		pg_heading(pg, "rmsnorm of the embedding sum: each value times the scale");
	else if (pg->op->kind == OP_RMSNORM_ATTN)
		pg_heading(pg, "rmsnorm of layer %d's input (%s), before attention", pg->op->layer, src);
	else
		pg_heading(pg, "rmsnorm of the attention residual, before the MLP");
	pg_vector(pg, explain_in_name(pg->op), ST_DIM, V_IN, v->in, v->n_in, &VO_PLAIN);
	pg_text(pg, 0, ST_LABEL, "ms");
	pg_value(pg, LBL, v->ms, -1, 1, V_MS, 0, 0);
	pg_text(pg, LBL + CELL + 2, ST_DIM, "mean square: sum of squares / %d", v->n_in);
	pg_nl(pg);
	pg_text(pg, 0, ST_LABEL, "scale");
	pg_value(pg, LBL, v->scale, -1, 1, V_SCALE, 0, 0);
	pg_text(pg, LBL + CELL + 2, ST_DIM, "(ms + %g)^-0.5", MODEL_RMS_EPS);
	pg_nl(pg);
	pg_vector(pg, explain_out_name(pg->op), ST_LABEL, V_OUT, v->out, v->n_out, &VO_PLAIN);
}

static void
page_residual(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	char src[64];

	explain_source_of(&(struct explain_ctx){ &pg->u->s, pg->u->utf8 }, pg->op, src, sizeof src);
	pg_heading(pg, "layer %d's input (%s), kept for the residual add after attention",
	    pg->op->layer, src);
	pg_vector(pg, "x", ST_LABEL, V_OUT, v->out, v->n_out, &VO_PLAIN);
}

static void
page_linear(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	const struct op *op = pg->op;
	int qkv = op->kind == OP_Q || op->kind == OP_K || op->kind == OP_V;
	struct vecopt o = qkv ? VO_RULER : VO_PLAIN;
	struct vecopt oi = op->kind == OP_ATTN_WO ? VO_RULER : VO_PLAIN;

	pg_heading(pg, "%s = %s · %s: %d outputs, each a sum of %d products",
	    explain_out_name(op), v->weight ? v->weight->name : "W", explain_in_name(op), v->n_out, v->n_in);
	pg_vector(pg, explain_in_name(op), ST_DIM, V_IN, v->in, v->n_in, &oi);
	if (op->kind == OP_LOGITS) {
		o.vocab = 1;
		pg_heading(pg, "one logit per character (BOS last)");
	}
	pg_vector(pg, explain_out_name(op), ST_LABEL, V_OUT, v->out, v->n_out, &o);
}

static void
pg_rowlabel(struct page *pg, int row, const char *pfx, enum style st)
{
	char c[16];

	pg_text(pg, 0, st, "%s%-2d %s", pfx, row, pg_tokstr(pg->u, pg->u->s.tr.token[row], c));
}

static void
page_kv(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	const int C = pg->u->s.cfg.n_embd;
	struct vecopt o = VO_PLAIN;
	int r, pass;

	pg_heading(pg, "layer %d's KV cache: %d row%s, the new one at position %d", pg->op->layer,
	    v->n_cached, v->n_cached == 1 ? "" : "s", pg->op->pos);
	for (pass = 0; pass < 2; pass++) {
		const double *base = pass ? v->v : v->k;

		o.vmax = pg_vmax(base, v->n_cached * C, 1);
		for (r = 0; r < v->n_cached; r++) {
			int k = pg_per_line(pg, C, CELL, pg->u->s.m->head_dim), i;

			for (i = 0; i < C; i += k) {
				int j;

				if (i == 0)
					pg_rowlabel(pg, r, pass ? "v" : "k", r == pg->op->pos ? ST_MARK : ST_DIM);
				for (j = i; j < i + k && j < C; j++)
					pg_value(pg, LBL + (j - i) * (CELL + GAP), base[(size_t)r * v->stride + j],
					    o.vmax, 0, pass ? V_V : V_K, r * C + j, 0);
				pg_nl(pg);
			}
		}
	}
}

/* Rows of a head's slices: label, k (and v) slice, optional extra. */
static void
page_head_qkv(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	const int D = v->dim;
	double km = 0, vm = 0;
	int r, j, side = LBL + 2 * D * (CELL + GAP) <= pg->w;

	pg_heading(pg, "L%dH%d owns dims %d-%d of %d%s", pg->op->layer, pg->op->head, v->dim0,
	    v->dim0 + D - 1, pg->u->s.cfg.n_embd, v->head_off ? " (switched off)" : "");
	{
		struct vecopt o = VO_PLAIN;

		o.idx0 = v->dim0;
		pg_vector(pg, "q", ST_LABEL, V_IN, v->in, v->n_in, &o);
	}
	for (r = 0; r < v->n_cached; r++) {
		km = fmax(km, pg_vmax(v->k + (size_t)r * v->stride, D, 1));
		vm = fmax(vm, pg_vmax(v->v + (size_t)r * v->stride, D, 1));
	}
	pg_text(pg, 0, ST_DIM, "cached");
	pg_text(pg, LBL, ST_DIM, "k[%d..%d]", v->dim0, v->dim0 + D - 1);
	if (side)
		pg_text(pg, LBL + D * (CELL + GAP) + 2, ST_DIM, "v[%d..%d]", v->dim0, v->dim0 + D - 1);
	pg_nl(pg);
	for (r = 0; r < v->n_cached; r++) {
		pg_rowlabel(pg, r, "", ST_DIM);
		for (j = 0; j < D; j++)
			pg_value(pg, LBL + j * (CELL + GAP), v->k[(size_t)r * v->stride + j], km, 0, V_K, r * D + j, 0);
		if (side) {
			int x0 = LBL + D * (CELL + GAP);

			pg_text(pg, x0, ST_RULE, "%s", draw_glyph(pg->u, "\u2502", "|"));
			for (j = 0; j < D; j++)
				pg_value(pg, x0 + 1 + j * (CELL + GAP), v->v[(size_t)r * v->stride + j], vm, 0,
				    V_V, r * D + j, 0);
		}
		pg_nl(pg);
	}
	if (!side) {
		pg_text(pg, LBL, ST_DIM, "v[%d..%d]", v->dim0, v->dim0 + D - 1);
		pg_nl(pg);
		for (r = 0; r < v->n_cached; r++) {
			pg_rowlabel(pg, r, "", ST_DIM);
			for (j = 0; j < D; j++)
				pg_value(pg, LBL + j * (CELL + GAP), v->v[(size_t)r * v->stride + j], vm, 0,
				    V_V, r * D + j, 0);
			pg_nl(pg);
		}
	}
}


static void
page_scores(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	const int D = v->dim;
	double km = 0, sm = pg_vmax(v->out, v->n_out, 1);
	int r, j, xs = LBL + D * (CELL + GAP) + 2;
	double rs = 1.0 / v->att_scale;
	int whole = fabs(rs - nearbyint(rs)) < 1e-12;

	pg_heading(pg, "L%dH%d scores: q·k %s for each cached position", pg->op->layer, pg->op->head,
	    whole ? "/ sqrt(head_dim)" : "· (head_dim^0.5)^-1");
	{
		struct vecopt o = VO_PLAIN;

		o.idx0 = v->dim0;
		pg_vector(pg, "q", ST_LABEL, V_IN, v->in, v->n_in, &o);
	}
	for (r = 0; r < v->n_cached; r++)
		km = fmax(km, pg_vmax(v->k + (size_t)r * v->stride, D, 1));
	pg_text(pg, LBL, ST_DIM, "k[%d..%d]", v->dim0, v->dim0 + D - 1);
	pg_text(pg, xs, ST_DIM, "score");
	pg_nl(pg);
	for (r = 0; r < v->n_cached; r++) {
		int x;

		pg_rowlabel(pg, r, "", ST_DIM);
		for (j = 0; j < D; j++)
			pg_value(pg, LBL + j * (CELL + GAP), v->k[(size_t)r * v->stride + j], km, 0, V_K, r * D + j, 0);
		pg_text(pg, xs - 2, ST_RULE, "%s", draw_glyph(pg->u, "\u2502", "|"));
		pg_value(pg, xs, v->out[r], sm, 0, V_OUT, r, 0);
		/* the terms, where there is room: (q·k + ...) / s */
		x = xs + CELL + 2;
		if (pg->w - x > 24) {
			char t[512], a[32], b[32];
			size_t o = 0;

			o += (size_t)snprintf(t + o, sizeof t - o, "= (");
			for (j = 0; j < D && o < sizeof t - 80; j++) {
				explain_fmt_num(a, sizeof a, v->in[j], 1);
				explain_fmt_num(b, sizeof b, v->k[(size_t)r * v->stride + j], 1);
				o += (size_t)snprintf(t + o, sizeof t - o, "%s%s%s%s", j ? " + " : "", a,
				    draw_glyph(pg->u, "\u00b7", "*"), b);
			}
			if (whole)
				snprintf(t + o, sizeof t - o, ") / %g", nearbyint(rs));
			else
				snprintf(t + o, sizeof t - o, ") * %.6g", v->att_scale);
			if (draw_width(t) <= pg->w - x)
				pg_text(pg, x, ST_DIM, "%s", t);
		}
		pg_nl(pg);
	}
}

static void
page_weights(struct page *pg)
{
	const struct ui *u = pg->u;
	const struct op_view *v = &pg->ov;
	double sm = pg_vmax(v->in, v->n_out, 1);
	int r, xe = LBL + CELL + GAP, xw = xe + CELL + GAP, xb = xw + CELL + 2;
	int bw = pg->w - xb - 1;

	pg_heading(pg, "L%dH%d softmax of the scores: exp(score - max) / sum", pg->op->layer, pg->op->head);
	pg_text(pg, 0, ST_LABEL, "max");
	pg_value(pg, LBL, v->max, -1, 0, V_MAX, 0, 0);
	pg_text(pg, xe + CELL + 2, ST_LABEL, "sum");
	pg_value(pg, xe + CELL + 6, v->sum, -1, 1, V_SUM, 0, 0);
	pg_text(pg, xe + 2 * CELL + 8, ST_DIM, "of the exponentials");
	pg_nl(pg);
	pg_text(pg, LBL, ST_DIM, "score");
	pg_text(pg, xe, ST_DIM, "exp");
	pg_text(pg, xw, ST_DIM, "weight");
	pg_nl(pg);
	if (bw > 40)
		bw = 40;
	for (r = 0; r < v->n_cached; r++) {
		pg_rowlabel(pg, r, "", ST_DIM);
		pg_value(pg, LBL, v->in[r], sm, 0, V_IN, r, 0);
		pg_value(pg, xe, v->in2[r], 1.0, 1, V_IN2, r, 0);
		pg_value(pg, xw, v->out[r], 1.0, 1, V_OUT, r, 0);
		pg_bar(pg, xb, bw, v->out[r], ST_BAR);
		pg_nl(pg);
	}
	(void)u;
}

static void
page_head_out(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	const int D = v->dim;
	double vm = 0;
	int r, j, xv = LBL + CELL + 3;

	pg_heading(pg, "L%dH%d output: the weighted sum of the cached v slices%s", pg->op->layer,
	    pg->op->head, v->head_off ? " (head off: zeroed in the concatenation)" : "");
	for (r = 0; r < v->n_cached; r++)
		vm = fmax(vm, pg_vmax(v->v + (size_t)r * v->stride, D, 1));
	pg_text(pg, LBL, ST_DIM, "weight");
	pg_text(pg, xv, ST_DIM, "v[%d..%d]", v->dim0, v->dim0 + D - 1);
	pg_nl(pg);
	for (r = 0; r < v->n_cached; r++) {
		pg_rowlabel(pg, r, "", ST_DIM);
		pg_value(pg, LBL, v->in[r], 1.0, 1, V_IN, r, 0);
		pg_text(pg, xv - 2, ST_RULE, "%s", draw_glyph(pg->u, "\u2502", "|"));
		for (j = 0; j < D; j++)
			pg_value(pg, xv + j * (CELL + GAP), v->v[(size_t)r * v->stride + j], vm, 0, V_V, r * D + j, 0);
		pg_nl(pg);
	}
	/* the output under the v columns it sums */
	pg_text(pg, 0, ST_LABEL, "out");
	pg_text(pg, LBL, ST_DIM, "%s", draw_glyph(pg->u, "\u03a3 w\u00b7v =", "sum w*v ="));
	pg_text(pg, xv - 2, ST_RULE, "%s", draw_glyph(pg->u, "\u2502", "|"));
	vm = fmax(vm, pg_vmax(v->out, v->n_out, 1));
	for (j = 0; j < v->n_out; j++)
		pg_value(pg, xv + j * (CELL + GAP), v->out[j], vm, 0, V_OUT, j, v->head_off);
	pg_nl(pg);
}

static void
page_concat(struct page *pg)
{
	const struct ui *u = pg->u;
	const struct op_view *v = &pg->ov;
	const int H = u->s.cfg.n_head, D = u->s.m->head_dim;
	unsigned char dim[MODEL_MAX_DIM];
	struct vecopt o = VO_RULER;
	int h, i, n_off = 0;

	for (i = 0; i < v->n_out && i < MODEL_MAX_DIM; i++) {
		dim[i] = session_head_off(u, pg->op->layer, i / D);
	}
	for (h = 0; h < H; h++)
		n_off += session_head_off(u, pg->op->layer, h);
	pg_heading(pg, "layer %d: each head's output fills its %d dims; %s", pg->op->layer, D,
	    n_off ? "switched-off heads are zeros" : "every head is on");
	o.dim = dim;
	pg_vector(pg, "cat", ST_LABEL, V_OUT, v->out, v->n_out, &o);
	if (n_off) {
		pg_heading(pg, "the heads' outputs before switching off:");
		pg_vector(pg, "heads", ST_DIM, V_IN, v->in, v->n_in, &VO_RULER);
	}
}

static void
page_relu(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	unsigned char dim[4 * MODEL_MAX_DIM];
	int i;

	for (i = 0; i < v->n_out && i < 4 * MODEL_MAX_DIM; i++)
		dim[i] = !(v->out[i] > 0);
	pg_heading(pg, "relu: max(0, fc1): %d of %d units active", v->n_active, v->n_out);
	{
		struct vecopt o = VO_PLAIN;

		o.dim = dim;
		o.vmax = pg_vmax(v->in, v->n_in, 1);
		pg_vector(pg, "relu", ST_LABEL, V_OUT, v->out, v->n_out, &o);
	}
	pg_vector(pg, "fc1", ST_DIM, V_IN, v->in, v->n_in, &VO_PLAIN);
}

/* The top characters as bars, the next character marked; with heads off
 * the all-heads-on distribution beside; the last x draw laid open. */
static void
page_probs(struct page *pg)
{
	struct ui *u = pg->u;
	const struct op_view *v = &pg->ov;
	const int V = u->s.cfg.vocab_size, t = pg->op->pos;
	const double *ref = u->s.tr.head_mask ? u->s.tr_all.probs + (size_t)t * V : NULL;
	const struct sample_rec *s = &u->s.sample;
	int order[4096], i, j, n_top, xb, bw;
	char c[16], hb[64];

	if (v->target >= 0)
		pg_text(pg, 0, ST_NORMAL, "next %s: p %.5f  -log p %.4f", pg_qtok(u, v->target, c),
		    v->out[v->target], v->loss);
	else
		pg_text(pg, 0, ST_DIM, "next: not known (the end of the input; x samples one)");
	pg_nl(pg);
	if (ref) {
		probe_format_heads(u->s.tr.head_mask, &u->s.cfg, hb, sizeof hb);
		if (v->target >= 0)
			pg_text(pg, 0, ST_DIM, "heads %s off; all heads on: p %.5f  -log p %.4f  (%+.4f)",
			    hb, ref[v->target], u->s.tr_all.loss[t], v->loss - u->s.tr_all.loss[t]);
		else
			pg_text(pg, 0, ST_DIM, "heads %s off; dp: the change from all heads on", hb);
		pg_nl(pg);
	}

	/* the last draw, at the position it was drawn from */
	if (s->valid && s->pos == t) {
		double cum = 0;
		int x0 = LBL, w = pg->w - LBL - 1, mark;

		pg_text(pg, 0, ST_LABEL, "x");
		pg_text(pg, LBL, ST_NORMAL, "drawn at T %.2f, draw %ld of the run's stream: u = %.5f of %.5f",
		    s->temperature, s->draw, s->u, s->total);
		pg_nl(pg);
		/* the cumulative weights, one span per character */
		for (i = 0; i < V; i++) {
			int a = (int)lround(cum / s->total * w), b;

			cum += s->probs[i];
			b = (int)lround(cum / s->total * w);
			for (j = a; j < b; j++)
				pg_seg(pg, x0 + j, i == s->chosen ? ST_SEL : (i % 2 ? ST_BAR_ALT : ST_BAR), -1,
				    j == a ? pg_tokstr(u, i, c) : (u->utf8 ? "\u2591" : "."));
		}
		pg_nl(pg);
		mark = (int)(s->u / s->total * w);
		if (mark >= w)
			mark = w - 1;
		pg_text(pg, x0 + mark, ST_KEY, "%s", draw_glyph(u, "\u25b2", "^"));
		pg_nl(pg);
		pg_text(pg, LBL, ST_NORMAL, "falls in [%.5f, %.5f): '%s'", s->cum_lo, s->cum_hi,
		    pg_tokstr(u, s->chosen, c));
		pg_text(pg, LBL + 40, s->ended ? ST_OK : ST_NORMAL, "%s \"%s\"",
		    s->ended ? "name:" : "so far:", s->name);
		pg_nl(pg);
	}

	/* top characters */
	for (i = 0; i < V && i < 4096; i++)
		order[i] = i;
	for (i = 1; i < V && i < 4096; i++) {
		int k = order[i];

		for (j = i; j > 0 && v->out[order[j - 1]] < v->out[k]; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
	n_top = V < 8 ? V : 8;
	xb = LBL + CELL + 2;
	{
		int at_t = s->valid && s->pos == t, xt, xr;

		bw = pg->w - xb - 1 - (at_t ? 11 : 0) - (ref ? 19 : 0);
		if (bw > 50)
			bw = 50;
		xt = xb + bw + 1;
		xr = xt + (at_t ? 11 : 0);
		pg_text(pg, 0, ST_DIM, "top");
		pg_text(pg, LBL + 1, ST_DIM, "p");
		if (at_t)   /* the next draw's: the T of the title */
			pg_text(pg, xt, ST_DIM, "at T %.2f", u->s.temperature);
		if (ref)
			pg_text(pg, xr, ST_DIM, "all on    dp");
		pg_nl(pg);
		for (i = 0; i < n_top; i++) {
			int k = order[i];

			if (k == v->target)
				pg_text(pg, 0, ST_MARK, "%s", draw_glyph(u, "\u25b6", ">"));
			pg_rtext(pg, 5, k == v->target ? ST_MARK : ST_LABEL, pg_tokstr(u, k, c));
			pg_value(pg, LBL, v->out[k], 1.0, 1, V_OUT, k, 0);
			pg_bar(pg, xb, bw, v->out[k], ST_BAR);
			if (at_t)
				pg_text(pg, xt, ST_NORMAL, "%.5f", s->probs_now[k]);
			if (ref)
				pg_text(pg, xr, ST_DIM, "%.5f %+.5f", ref[k], v->out[k] - ref[k]);
			pg_nl(pg);
		}
		if (v->target >= 0) {
			for (i = 0; i < V && order[i] != v->target; i++)
				;
			if (i >= n_top) {
				pg_text(pg, 0, ST_MARK, "%s", draw_glyph(u, "\u25b6", ">"));
				pg_rtext(pg, 5, ST_MARK, pg_tokstr(u, v->target, c));
				pg_text(pg, LBL + 1, ST_NORMAL, "%.5f  rank %d of %d", v->out[v->target], i + 1, V);
				pg_nl(pg);
			}
		}
	}
	pg_text(pg, 0, ST_LABEL, "max");
	pg_value(pg, LBL, v->max, -1, 0, V_MAX, 0, 0);
	pg_text(pg, LBL + CELL + 2, ST_LABEL, "sum");
	pg_value(pg, LBL + CELL + 6, v->sum, -1, 1, V_SUM, 0, 0);
	pg_text(pg, LBL + 2 * CELL + 8, ST_DIM, "p = exp(logit - max) / sum");
	pg_nl(pg);
	pg_vector(pg, "p", ST_LABEL, V_OUT, v->out, v->n_out, &(struct vecopt){ 0, 1, 1, 0, NULL, 1.0 });
}

void
page_build(struct ui *u, struct page *pg, const struct op *op)
{
	pg->u = u;
	pg->op = op;
	pg->w = u->body.w;
	pg->line = 0;
	pg->n_seg = 0;
	pg->n_sv = 0;
	memset(pg->vname, 0, sizeof pg->vname);
	if (op_phase(op->kind) > 0) {
		memset(&pg->ov, 0, sizeof pg->ov);
		page_train(pg);
		return;
	}
	if (op_view(u->s.m, &u->s.tr, op, &pg->ov) < 0)
		return;
	switch (op->kind) {
	case OP_EMBED:        page_embed(pg); break;
	case OP_EMBED_SUM:    page_sum(pg, "tok", "pos", "the token's row plus the position's row"); break;
	case OP_RMSNORM_IN: case OP_RMSNORM_ATTN: case OP_RMSNORM_MLP: page_rmsnorm(pg); break;
	case OP_RESIDUAL:     page_residual(pg); break;
	case OP_Q: case OP_K: case OP_V: case OP_ATTN_WO: case OP_MLP_FC1: case OP_MLP_FC2:
	case OP_LOGITS:       page_linear(pg); break;
	case OP_KV_CACHE:     page_kv(pg); break;
	case OP_HEAD_QKV:     page_head_qkv(pg); break;
	case OP_ATTN_SCORES:  page_scores(pg); break;
	case OP_ATTN_WEIGHTS: page_weights(pg); break;
	case OP_HEAD_OUT:     page_head_out(pg); break;
	case OP_CONCAT:       page_concat(pg); break;
	case OP_ATTN_RESIDUAL: page_sum(pg, "attn", "x", "attn_wo's output plus the layer's input (the residual)"); break;
	case OP_MLP_RESIDUAL: page_sum(pg, "fc2", "x_mid", "mlp_fc2's output plus the attention residual: the layer's output"); break;
	case OP_RELU:         page_relu(pg); break;
	case OP_PROBS:        page_probs(pg); break;
	default: break;
	}
	if (u->s.ts)
		page_train_grad(pg);
}
