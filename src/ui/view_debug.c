/* view_debug.c - the current op, drawn from the trace.
 *
 * Each op is laid out as a page: lines of text segments, some of which are
 * values that can be selected. The page is rebuilt on every frame from the
 * trace (op_view gives the op's inputs, outputs and constants, all pointers
 * into the trace or the parameters), so what is drawn is a function of the
 * state alone: stepping forward k times and back k times draws the same
 * screen. Nothing here computes a value of the model; the formulas print
 * the numbers the engine used and the result it recorded. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "probe.h"
#include "ui_priv.h"
#include "xmalloc.h"

#define CELL 8    /* shade glyph + 7-column number */
#define GAP  1
#define LBL  8    /* the label column of a vector: name, first index */

/* What a selectable value is, for its formula. */
enum vec_id {
	V_OUT, V_AUX, V_IN, V_IN2, V_MS, V_SCALE, V_MAX, V_SUM,
	V_K, V_V,     /* idx: row * dim + j */
	V_SAMPLE
};

struct seg {
	int  line, x;
	enum style st;
	int  sel;          /* index into sv, or -1 */
	int  bar_w;        /* > 0: a bar of this width filled to frac, no text */
	double frac;
	char text[64];
};

struct selv {
	int    line, x, w;
	double v;
	enum vec_id vec;
	int    idx;
	double vmax;       /* for the ramp when drawn selected */
	int    nonneg;
};

struct page {
	struct ui *u;
	const struct op *op;
	struct op_view ov;
	int w, line;
	struct seg *seg;
	int n_seg, cap_seg;
	struct selv *sv;
	int n_sv, cap_sv;
};

static struct page pg_store;

/* ---- building ---- */

static void
pg_seg(struct page *pg, int x, enum style st, int sel, const char *text)
{
	struct seg *s;

	if (x >= pg->w)
		return;
	if (pg->n_seg == pg->cap_seg) {
		pg->cap_seg = pg->cap_seg ? 2 * pg->cap_seg : 256;
		pg->seg = xrealloc(pg->seg, (size_t)pg->cap_seg * sizeof *pg->seg);
	}
	s = &pg->seg[pg->n_seg++];
	s->line = pg->line;
	s->x = x;
	s->st = st;
	s->sel = sel;
	s->bar_w = 0;
	s->frac = 0;
	snprintf(s->text, sizeof s->text, "%s", text);
}

static void
pg_bar(struct page *pg, int x, int w, double frac, enum style st)
{
	pg_seg(pg, x, st, -1, "");
	pg->seg[pg->n_seg - 1].bar_w = w;
	pg->seg[pg->n_seg - 1].frac = frac;
}

static int
pg_text(struct page *pg, int x, enum style st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int
pg_text(struct page *pg, int x, enum style st, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n, i, w;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* segments hold 63 bytes: split long text */
	w = draw_width(buf);
	n = (int)strlen(buf);
	for (i = 0; i < n;) {
		char part[64];
		int k = n - i > 60 ? 60 : n - i;

		while (k > 0 && i + k < n && ((unsigned char)buf[i + k] & 0xC0) == 0x80)
			k--;   /* do not split a UTF-8 sequence */
		memcpy(part, buf + i, (size_t)k);
		part[k] = '\0';
		pg_seg(pg, x, st, -1, part);
		x += draw_width(part);
		i += k;
	}
	return w;
}

/* Text ending at column x_end (by display width, for any character). */
static void
pg_rtext(struct page *pg, int x_end, enum style st, const char *text)
{
	int w = draw_width(text);

	pg_text(pg, x_end - w > 0 ? x_end - w : 0, st, "%s", text);
}

static void
pg_nl(struct page *pg)
{
	pg->line++;
}

/* A value cell: shade glyph and the number, 8 columns. */
static int
pg_value(struct page *pg, int x, double v, double vmax, int nonneg, enum vec_id vec, int idx,
    int dim)
{
	struct selv *s;
	char num[16];
	enum style st = dim ? ST_OFF : vmax < 0 ? ST_NORMAL : draw_ramp(v, vmax);

	if (pg->n_sv == pg->cap_sv) {
		pg->cap_sv = pg->cap_sv ? 2 * pg->cap_sv : 256;
		pg->sv = xrealloc(pg->sv, (size_t)pg->cap_sv * sizeof *pg->sv);
	}
	s = &pg->sv[pg->n_sv];
	s->line = pg->line;
	s->x = x;
	s->w = CELL;
	s->v = v;
	s->vec = vec;
	s->idx = idx;
	s->vmax = vmax;
	s->nonneg = nonneg;
	draw_fmt7(num, v, nonneg);
	pg_seg(pg, x, st, -1, dim || vmax < 0 ? " " : draw_shade(pg->u, v, vmax));
	pg_seg(pg, x + 1, st, pg->n_sv, num);
	pg->n_sv++;
	return CELL;
}

static double
vmax_of(const double *x, int n, int stride)
{
	double m = 0;
	int i;

	for (i = 0; i < n; i++)
		if (fabs(x[(size_t)i * stride]) > m && isfinite(x[(size_t)i * stride]))
			m = fabs(x[(size_t)i * stride]);
	return m;
}

static const char *
tokstr(const struct ui *u, int t, char buf[16])
{
	if (t < 0)
		return "?";
	if (t == u->s.cfg.vocab_size - 1)
		return "BOS";
	return dataset_tokstr(u->s.ds, t, buf, "BOS");
}

/* 'e' quoted, BOS bare: for prose. */
static const char *
qtok(const struct ui *u, int t, char buf[16])
{
	char c[16];

	if (t < 0 || t == u->s.cfg.vocab_size - 1)
		return tokstr(u, t, buf);
	snprintf(buf, 16, "'%s'", tokstr(u, t, c));
	return buf;
}

/* Values per line for n cells of width cw in the page's width after the
 * label column; whole heads per line where that is possible. */
static int
per_line(const struct page *pg, int n, int cw, int align)
{
	int k = (pg->w - LBL + GAP) / (cw + GAP);

	if (k < 1)
		k = 1;
	if (k >= n)
		return n;
	if (align > 1 && k > align)
		k -= k % align;
	return k;
}

/* Under a line of C-vector cells, which head owns which of them. */
static void
pg_ruler(struct page *pg, int first, int count)
{
	const struct ui *u = pg->u;
	const int D = u->s.m->head_dim;
	int layer = pg->op->layer < 0 ? 0 : pg->op->layer;
	int i = first;

	while (i < first + count) {
		int h = i / D, end = (h + 1) * D, x0, x1, off, span, k;
		char buf[160];
		size_t o = 0;

		if (end > first + count)
			end = first + count;
		x0 = LBL + (i - first) * (CELL + GAP);
		x1 = LBL + (end - first) * (CELL + GAP) - GAP;
		span = x1 - x0;
		off = session_head_off(u, layer, h);
		{
			char lab[24];
			int lw, left, right;

			snprintf(lab, sizeof lab, " H%d%s ", h, off ? " off" : "");
			lw = (int)strlen(lab);
			left = (span - lw - 2) / 2;
			right = span - lw - 2 - left;
			if (left < 0 || right < 0) {
				o = (size_t)snprintf(buf, sizeof buf, "%.*s", span, lab + 1);
			} else {
				o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2514", "`"));
				for (k = 0; k < left; k++)
					o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2500", "-"));
				o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", lab);
				for (k = 0; k < right; k++)
					o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2500", "-"));
				snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2518", "'"));
			}
		}
		pg_text(pg, x0, off ? ST_OFF : ST_RULE, "%s", buf);
		i = end;
	}
	pg_nl(pg);
}

struct vecopt {
	int ruler;                  /* a C-vector: show head ownership */
	int vocab;                  /* indexed by token: label each cell */
	int nonneg;
	int idx0;                   /* first index shown (a head's slice) */
	const unsigned char *dim;   /* [n] drawn dimmed, or NULL */
	double vmax;                /* 0: from the values */
};

/* A whole vector, wrapped: name and first index in the label column. */
static void
pg_vector(struct page *pg, const char *name, enum style nst, enum vec_id vec,
    const double *x, int n, const struct vecopt *o)
{
	const struct ui *u = pg->u;
	double vm = o->vmax > 0 ? o->vmax : vmax_of(x, n, 1);
	int lw = 0, cw, k, i, j;
	char lab[16];

	if (o->vocab) {
		for (i = 0; i < n; i++) {
			int w = draw_width(tokstr(u, i, lab));

			if (w > lw)
				lw = w;
		}
		cw = lw + 1 + CELL;
	} else
		cw = CELL;
	k = per_line(pg, n, cw, o->ruler ? u->s.m->head_dim : 0);
	for (i = 0; i < n; i += k) {
		char idx[16];

		snprintf(idx, sizeof idx, "%d", i + o->idx0);
		if (i == 0)
			pg_text(pg, 0, nst, "%.*s", LBL - 1 - (int)strlen(idx) - 1, name);
		pg_text(pg, LBL - 1 - (int)strlen(idx), ST_DIM, "%s", idx);
		for (j = i; j < i + k && j < n; j++) {
			int cx = LBL + (j - i) * (cw + GAP);

			if (o->vocab) {
				const char *t = tokstr(u, j, lab);
				int tw = draw_width(t);

				pg_text(pg, cx + lw - tw, ST_LABEL, "%s", t);
				cx += lw + 1;
			}
			pg_value(pg, cx, x[j], vm, o->nonneg, vec, j, o->dim && o->dim[j]);
		}
		pg_nl(pg);
		if (o->ruler)
			pg_ruler(pg, i + o->idx0, (j - i));
	}
}

static const struct vecopt VO_PLAIN = { 0, 0, 0, 0, NULL, 0 };
static const struct vecopt VO_RULER = { 1, 0, 0, 0, NULL, 0 };

static void
pg_heading(struct page *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
pg_heading(struct page *pg, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pg_text(pg, 0, ST_DIM, "%s", buf);
	pg_nl(pg);
}

/* ---- names the pages and formulas share ---- */

static const char *
in_name(const struct op *op)
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

static const char *
out_name(const struct op *op)
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
static void
source_of(const struct ui *u, const struct op *op, char *buf, size_t n)
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
		snprintf(buf, n, "layer %d's output", u->s.cfg.n_layer - 1);
		break;
	default:
		snprintf(buf, n, "the previous op's output");
	}
}

/* ---- pages, one per kind of op ---- */

static void
page_embed(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	char c[16];

	pg_heading(pg, "token %s (id %d): row %d of wte", qtok(pg->u, v->token, c), v->token, v->token);
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
	pg_vector(pg, out_name(pg->op), ST_LABEL, V_OUT, v->out, v->n_out, &VO_PLAIN);
}

static void
page_rmsnorm(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	char src[64];

	source_of(pg->u, pg->op, src, sizeof src);
	if (pg->op->kind == OP_RMSNORM_IN)
		pg_heading(pg, "rmsnorm of the embedding sum: each value times the scale");
	else if (pg->op->kind == OP_RMSNORM_ATTN)
		pg_heading(pg, "rmsnorm of layer %d's input (%s), before attention", pg->op->layer, src);
	else
		pg_heading(pg, "rmsnorm of the attention residual, before the MLP");
	pg_vector(pg, in_name(pg->op), ST_DIM, V_IN, v->in, v->n_in, &VO_PLAIN);
	pg_text(pg, 0, ST_LABEL, "ms");
	pg_value(pg, LBL, v->ms, -1, 1, V_MS, 0, 0);
	pg_text(pg, LBL + CELL + 2, ST_DIM, "mean square: sum of squares / %d", v->n_in);
	pg_nl(pg);
	pg_text(pg, 0, ST_LABEL, "scale");
	pg_value(pg, LBL, v->scale, -1, 1, V_SCALE, 0, 0);
	pg_text(pg, LBL + CELL + 2, ST_DIM, "(ms + %g)^-0.5", MODEL_RMS_EPS);
	pg_nl(pg);
	pg_vector(pg, out_name(pg->op), ST_LABEL, V_OUT, v->out, v->n_out, &VO_PLAIN);
}

static void
page_residual(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	char src[64];

	source_of(pg->u, pg->op, src, sizeof src);
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
	    out_name(op), v->weight ? v->weight->name : "W", in_name(op), v->n_out, v->n_in);
	pg_vector(pg, in_name(op), ST_DIM, V_IN, v->in, v->n_in, &oi);
	if (op->kind == OP_LOGITS) {
		o.vocab = 1;
		pg_heading(pg, "one logit per character (BOS last)");
	}
	pg_vector(pg, out_name(op), ST_LABEL, V_OUT, v->out, v->n_out, &o);
}

static void
pg_rowlabel(struct page *pg, int row, const char *pfx, enum style st)
{
	char c[16];

	pg_text(pg, 0, st, "%s%-2d %s", pfx, row, tokstr(pg->u, pg->u->s.tr.token[row], c));
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

		o.vmax = vmax_of(base, v->n_cached * C, 1);
		for (r = 0; r < v->n_cached; r++) {
			int k = per_line(pg, C, CELL, pg->u->s.m->head_dim), i;

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
		km = fmax(km, vmax_of(v->k + (size_t)r * v->stride, D, 1));
		vm = fmax(vm, vmax_of(v->v + (size_t)r * v->stride, D, 1));
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

static void fmt_num(char *buf, size_t n, double v, int paren);

static void
page_scores(struct page *pg)
{
	const struct op_view *v = &pg->ov;
	const int D = v->dim;
	double km = 0, sm = vmax_of(v->out, v->n_out, 1);
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
		km = fmax(km, vmax_of(v->k + (size_t)r * v->stride, D, 1));
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
				fmt_num(a, sizeof a, v->in[j], 1);
				fmt_num(b, sizeof b, v->k[(size_t)r * v->stride + j], 1);
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
	double sm = vmax_of(v->in, v->n_out, 1);
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
		vm = fmax(vm, vmax_of(v->v + (size_t)r * v->stride, D, 1));
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
	vm = fmax(vm, vmax_of(v->out, v->n_out, 1));
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
		o.vmax = vmax_of(v->in, v->n_in, 1);
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
		pg_text(pg, 0, ST_NORMAL, "next %s: p %.5f  -log p %.4f", qtok(u, v->target, c),
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
		pg_text(pg, LBL, ST_NORMAL, "T %.2f, draw %ld of the run's stream: u = %.5f of %.5f",
		    s->temperature, s->draw, s->u, s->total);
		pg_nl(pg);
		/* the cumulative weights, one span per character */
		for (i = 0; i < V; i++) {
			int a = (int)lround(cum / s->total * w), b;

			cum += s->probs[i];
			b = (int)lround(cum / s->total * w);
			for (j = a; j < b; j++)
				pg_seg(pg, x0 + j, i == s->chosen ? ST_SEL : (i % 2 ? ST_BAR_ALT : ST_BAR), -1,
				    j == a ? tokstr(u, i, c) : (u->utf8 ? "\u2591" : "."));
		}
		pg_nl(pg);
		mark = (int)(s->u / s->total * w);
		if (mark >= w)
			mark = w - 1;
		pg_text(pg, x0 + mark, ST_KEY, "%s", draw_glyph(u, "\u25b2", "^"));
		pg_nl(pg);
		pg_text(pg, LBL, ST_NORMAL, "falls in [%.5f, %.5f): '%s'", s->cum_lo, s->cum_hi,
		    tokstr(u, s->chosen, c));
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
		if (at_t)
			pg_text(pg, xt, ST_DIM, "at T %.2f", s->temperature);
		if (ref)
			pg_text(pg, xr, ST_DIM, "all on    dp");
		pg_nl(pg);
		for (i = 0; i < n_top; i++) {
			int k = order[i];

			if (k == v->target)
				pg_text(pg, 0, ST_MARK, "%s", draw_glyph(u, "\u25b6", ">"));
			pg_rtext(pg, 5, k == v->target ? ST_MARK : ST_LABEL, tokstr(u, k, c));
			pg_value(pg, LBL, v->out[k], 1.0, 1, V_OUT, k, 0);
			pg_bar(pg, xb, bw, v->out[k], ST_BAR);
			if (at_t)
				pg_text(pg, xt, ST_NORMAL, "%.5f", s->probs[k]);
			if (ref)
				pg_text(pg, xr, ST_DIM, "%.5f %+.5f", ref[k], v->out[k] - ref[k]);
			pg_nl(pg);
		}
		if (v->target >= 0) {
			for (i = 0; i < V && order[i] != v->target; i++)
				;
			if (i >= n_top) {
				pg_text(pg, 0, ST_MARK, "%s", draw_glyph(u, "\u25b6", ">"));
				pg_rtext(pg, 5, ST_MARK, tokstr(u, v->target, c));
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

/* ---- formulas ---- */

static void
fmt_num(char *buf, size_t n, double v, int paren)
{
	if (paren && v < 0)
		snprintf(buf, n, "(%.6g)", v);
	else
		snprintf(buf, n, "%.6g", v);
}

struct fbuf {
	char   s[4096];
	size_t n;
};

static void fb_add(struct fbuf *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
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
static void
fb_dot(struct fbuf *f, const struct ui *u, const double *a, int sa, const double *b, int sb,
    int n, int max_terms)
{
	char x[32], y[32];
	int i;

	for (i = 0; i < n; i++) {
		if (i == max_terms && n > max_terms + 1) {
			fb_add(f, " + ... (%d more)", n - i);
			return;
		}
		fmt_num(x, sizeof x, a[(size_t)i * sa], 1);
		fmt_num(y, sizeof y, b[(size_t)i * sb], 1);
		fb_add(f, "%s%s%s%s", i ? " + " : "", x, draw_glyph(u, "\u00b7", "*"), y);
	}
}

/* Fill name and f for the selected value; returns 1 when f is an equation
 * (the caller appends "= value"), 0 when it is a description. */
static int
formula(struct page *pg, const struct selv *s, struct fbuf *name, struct fbuf *f, int room)
{
	struct ui *u = pg->u;
	const struct op *op = pg->op;
	const struct op_view *v = &pg->ov;
	const int D = u->s.m->head_dim, C = u->s.cfg.n_embd;
	const char *dot = draw_glyph(u, "\u00b7", "*"), *sum = draw_glyph(u, "\u03a3", "sum ");
	char a[32], b[32], c[16], c2[32];
	int i = s->idx, terms = room / 22 > 3 ? room / 22 : 3, k;

	switch (op->kind) {
	case OP_EMBED:
		if (s->vec == V_OUT) {
			fb_add(name, "tok_emb[%d]", i);
			fb_add(f, "wte[%d][%d]: row %d of wte is token %s", v->token, i, v->token, qtok(u, v->token, c));
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
		fb_add(name, "%s[%d]", out_name(op), i);
		fmt_num(a, sizeof a, v->in[i], 0);
		fmt_num(b, sizeof b, v->in2[i], 1);
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
				fmt_num(a, sizeof a, v->in[k], 1);
				fb_add(f, "%s%s%s", k ? " + " : "", a, draw_glyph(u, "\u00b2", "^2"));
			}
			fb_add(f, ") / %d", v->n_in);
			return 1;
		case V_SCALE:
			fb_add(name, "scale");
			fmt_num(a, sizeof a, v->ms, 0);
			fb_add(f, "(ms + %g)^-0.5 = (%s + %g)^-0.5", MODEL_RMS_EPS, a, MODEL_RMS_EPS);
			return 1;
		case V_IN:
			fb_add(name, "%s[%d]", in_name(op), i);
			fb_add(f, "the rmsnorm's input");
			return 0;
		default:
			fb_add(name, "%s[%d]", out_name(op), i);
			fmt_num(a, sizeof a, v->in[i], 0);
			fmt_num(b, sizeof b, v->scale, 1);
			fb_add(f, "%s[%d] %s scale = %s %s %s", in_name(op), i, dot, a, dot, b);
			return 1;
		}

	case OP_RESIDUAL:
		fb_add(name, "x[%d]", i);
		source_of(u, op, c2, sizeof c2);
		fb_add(f, "layer %d's input (%s), dim %d", op->layer, c2, i);
		return 0;

	case OP_Q: case OP_K: case OP_V: case OP_ATTN_WO: case OP_MLP_FC1: case OP_MLP_FC2:
	case OP_LOGITS:
		if (s->vec == V_IN) {
			fb_add(name, "%s[%d]", in_name(op), i);
			fb_add(f, "an input of %s", v->weight ? v->weight->name : "the linear layer");
			return 0;
		}
		if (op->kind == OP_LOGITS)
			fb_add(name, "logit[%s]", qtok(u, i, c));
		else
			fb_add(name, "%s[%d]", out_name(op), i);
		fb_add(f, "%s_j %s[%d][j]%s%s[j] = ", sum, v->weight ? v->weight->name : "W", i, dot, in_name(op));
		for (k = 0; k < v->n_in; k++) {
			if (k == terms && v->n_in > terms + 1) {
				fb_add(f, " + ... %d more", v->n_in - k);
				break;
			}
			fmt_num(a, sizeof a, op_weight(u->s.m, v, i, k), 1);
			fmt_num(b, sizeof b, v->in[k], 1);
			fb_add(f, "%s%s%s%s", k ? " + " : "", a, dot, b);
		}
		return 1;

	case OP_KV_CACHE:
		fb_add(name, "%s[%d][%d]", s->vec == V_K ? "k" : "v", i / C, i % C);
		fb_add(f, "layer %d's %s of position %d (%s), dim %d, head %d's slice%s", op->layer,
		    s->vec == V_K ? "key" : "value", i / C, qtok(u, u->s.tr.token[i / C], c), i % C,
		    (i % C) / D, i / C == op->pos ? ": appended now" : "");
		return 0;

	case OP_HEAD_QKV:
		if (s->vec == V_IN) {
			fb_add(name, "q[%d]", v->dim0 + i);
			fb_add(f, "the query of position %d, dim %d (H%d's slice)", op->pos, v->dim0 + i, op->head);
		} else {
			fb_add(name, "%s[%d][%d]", s->vec == V_K ? "k" : "v", i / D, v->dim0 + i % D);
			fb_add(f, "the cached %s of position %d (%s), dim %d", s->vec == V_K ? "key" : "value",
			    i / D, qtok(u, u->s.tr.token[i / D], c), v->dim0 + i % D);
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
			fb_add(f, "the key of position %d (%s), dim %d", i / D, qtok(u, u->s.tr.token[i / D], c),
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
				fmt_num(a, sizeof a, v->in2[k], 0);
				fb_add(f, "%s%s", k ? " + " : "", a);
			}
			return 1;
		case V_IN:
			fb_add(name, "%s[%d]", xs, i);
			fb_add(f, "from %s", op->kind == OP_PROBS ? "lm_head" : "attn_scores");
			return 0;
		case V_IN2:
			fb_add(name, "exp[%d]", i);
			fmt_num(a, sizeof a, v->in[i], 0);
			fmt_num(b, sizeof b, v->max, 1);
			fb_add(f, "exp(%s[%d] - max) = exp(%s - %s)", xs, i, a, b);
			return 1;
		default:
			if (op->kind == OP_PROBS)
				fb_add(name, "p[%s]", qtok(u, i, c));
			else
				fb_add(name, "w[%d]", i);
			fmt_num(a, sizeof a, v->in[i], 0);
			fmt_num(b, sizeof b, v->max, 1);
			fmt_num(c2, sizeof c2, v->sum, 0);
			fb_add(f, "exp(%s - max) / sum = exp(%s - %s) / %s", xs, a, b, c2);
			return 1;
		}
	}

	case OP_HEAD_OUT:
		if (s->vec == V_IN) {
			fb_add(name, "w[%d]", i);
			fb_add(f, "the attention weight of position %d (%s)", i, qtok(u, u->s.tr.token[i], c));
			return 0;
		}
		if (s->vec == V_V) {
			fb_add(name, "v[%d][%d]", i / D, v->dim0 + i % D);
			fb_add(f, "the cached value of position %d (%s), dim %d", i / D,
			    qtok(u, u->s.tr.token[i / D], c), v->dim0 + i % D);
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
		if (session_head_off(u, op->layer, i / D)) {
			fmt_num(a, sizeof a, v->in[i], 0);
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
		fmt_num(a, sizeof a, v->in[i], 0);
		fb_add(f, "max(0, fc1[%d]) = max(0, %s)", i, a);
		return 1;

	default:
		fb_add(name, "value");
		return 0;
	}
}

/* ---- drawing ---- */

static void
build(struct ui *u, struct page *pg, const struct op *op)
{
	pg->u = u;
	pg->op = op;
	pg->w = u->body.w;
	pg->line = 0;
	pg->n_seg = 0;
	pg->n_sv = 0;
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
}

static int
cur_sel(const struct ui *u, const struct page *pg)
{
	int s = u->sel[pg->op->kind];

	if (pg->n_sv == 0)
		return -1;
	return s < 0 ? 0 : s >= pg->n_sv ? pg->n_sv - 1 : s;
}

/* Lay text out in lines of at most w columns, breaking at spaces, drawing
 * the first max_rows of them (none when max_rows is 0). Returns the rows
 * the whole text needs. */
static int
wrap_text(int y, int x, int w, int max_rows, enum style st, const char *text)
{
	int rows = 0;

	while (*text) {
		size_t n = strlen(text), i = 0, cut = 0, k;
		mbstate_t ps;
		int col = 0;

		memset(&ps, 0, sizeof ps);
		while (i < n) {
			wchar_t wc;
			int cw;

			k = mbrtowc(&wc, text + i, n - i, &ps);
			if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
				memset(&ps, 0, sizeof ps);
				k = 1;
				cw = 1;
			} else if ((cw = wcwidth(wc)) < 0)
				cw = 1;
			if (col + cw > w)
				break;
			if (text[i] == ' ')
				cut = i;
			col += cw;
			i += k;
		}
		if (i == n || cut == 0)
			cut = i > 0 ? i : 1;
		if (rows < max_rows) {
			char line[1024];
			size_t m = cut < sizeof line - 1 ? cut : sizeof line - 1;

			memcpy(line, text, m);
			line[m] = '\0';
			draw_text(y + rows, x, w, st, line);
		}
		rows++;
		text += cut;
		while (*text == ' ')
			text++;
	}
	return rows;
}

void
view_debug_draw(struct ui *u)
{
	struct page *pg = &pg_store;
	const struct op *op = stepper_op(&u->s.st);
	const struct rect *b = &u->body, *fr = &u->formula;
	int sel, top = 0, i;

	view_debug_frame_draw(u);
	if (!op)
		return;
	build(u, pg, op);
	sel = cur_sel(u, pg);
	/* scroll: the selected value's line in view, the page's start when it fits */
	if (sel >= 0 && pg->sv[sel].line >= b->h)
		top = pg->sv[sel].line - b->h + 2 > pg->line - b->h + 1 ?
		    pg->line - b->h + 1 : pg->sv[sel].line - b->h + 2;
	if (top < 0)
		top = 0;
	for (i = 0; i < pg->n_seg; i++) {
		const struct seg *s = &pg->seg[i];
		int y = s->line - top;

		if (y < 0 || y >= b->h)
			continue;
		if (s->bar_w > 0) {
			draw_bar(u, b->y + y, b->x + s->x, s->bar_w, s->frac, s->st);
			continue;
		}
		draw_text(b->y + y, b->x + s->x, b->w - s->x, s->sel >= 0 && s->sel == sel ? ST_SEL : s->st,
		    s->text);
	}
	if (top > 0)
		draw_text(b->y, b->x + b->w - 3, 3, ST_KEY, draw_glyph(u, " \u25b2 ", " ^ "));
	if (pg->line - top > b->h)
		draw_text(b->y + b->h - 1, b->x + b->w - 3, 3, ST_KEY, draw_glyph(u, " \u25bc ", " v "));

	/* the selected value in full, and its formula */
	if (sel >= 0 && fr->h > 0) {
		struct fbuf name = { "", 0 }, f = { "", 0 };
		const struct selv *s = &pg->sv[sel];
		char full[64];
		int x;

		int eq = formula(pg, s, &name, &f, fr->w * (fr->h - 1));

		snprintf(full, sizeof full, "%.17g", s->v);
		x = draw_text(fr->y, fr->x, fr->w, ST_LABEL, name.s);
		x += draw_text(fr->y, fr->x + x, fr->w - x, ST_NORMAL, " = ");
		draw_text(fr->y, fr->x + x, fr->w - x, ST_SEL, full);
		/* the result closes the equation when it fits; it is on the line
		 * above in any case */
		if (eq) {
			size_t n = f.n;

			fb_add(&f, " = %s", full);
			if (wrap_text(0, 0, fr->w - 2, 0, ST_NORMAL, f.s) > fr->h - 1)
				f.s[f.n = n] = '\0';
		}
		if (f.n && wrap_text(0, 0, fr->w - 2, 0, ST_NORMAL, f.s) > fr->h - 1)
			fb_add(&f, " ...");
		if (f.n)
			wrap_text(fr->y + 1, fr->x + 2, fr->w - 2, fr->h - 1, eq ? ST_NORMAL : ST_DIM, f.s);
	}
}

/* Move the selection: h/l along the page's values, j/k to the nearest value
 * on the next line that has one. */
static void
select_move(struct ui *u, enum cmd cmd)
{
	struct page *pg = &pg_store;
	const struct op *op = stepper_op(&u->s.st);
	int s, i, best = -1, bd = 1 << 30, line;

	if (!op)
		return;
	build(u, pg, op);
	s = cur_sel(u, pg);
	if (s < 0)
		return;
	switch (cmd) {
	case CMD_SEL_LEFT:  if (s > 0) s--; break;
	case CMD_SEL_RIGHT: if (s < pg->n_sv - 1) s++; break;
	case CMD_SEL_HOME:  s = 0; break;
	case CMD_SEL_END:   s = pg->n_sv - 1; break;
	case CMD_SEL_UP: case CMD_SEL_DOWN:
		line = -1;
		for (i = 0; i < pg->n_sv; i++) {
			int l = pg->sv[i].line;

			if (cmd == CMD_SEL_DOWN ? l > pg->sv[s].line && (line < 0 || l < line)
			                        : l < pg->sv[s].line && (line < 0 || l > line))
				line = l;
		}
		if (line < 0)
			break;
		for (i = 0; i < pg->n_sv; i++)
			if (pg->sv[i].line == line && abs(pg->sv[i].x - pg->sv[s].x) < bd) {
				bd = abs(pg->sv[i].x - pg->sv[s].x);
				best = i;
			}
		if (best >= 0)
			s = best;
		break;
	default:
		break;
	}
	u->sel[op->kind] = s;
}

static const enum step_cmd step_of[CMD__COUNT] = {
	[CMD_STEP] = STEP_INTO, [CMD_STEP_BACK] = STEP_INTO_BACK,
	[CMD_NEXT] = STEP_NEXT, [CMD_NEXT_BACK] = STEP_NEXT_BACK,
	[CMD_FINISH] = STEP_FINISH, [CMD_FINISH_BACK] = STEP_FINISH_BACK,
	[CMD_CONT] = STEP_CONT, [CMD_CONT_BACK] = STEP_CONT_BACK,
	[CMD_POS_NEXT] = STEP_POS_NEXT, [CMD_POS_PREV] = STEP_POS_PREV,
	[CMD_FIRST] = STEP_FIRST, [CMD_LAST] = STEP_LAST,
};

static void
weights_step(struct ui *u, long to)
{
	char err[256];
	long from = debug_run_step(u->run);

	if (to < 0 || to > u->run->steps_done) {
		ui_msg(u, ST_ERR, "the run's weights go from step 0 to %ld", u->run->steps_done);
		return;
	}
	if (debug_run_goto(u->run, to, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "step %ld: %s", to, err);
		if (debug_run_step(u->run) != from)
			debug_session_weights_changed(&u->s);
		return;
	}
	debug_session_weights_changed(&u->s);
	ui_msg(u, ST_OK, "weights after training step %ld of %ld", to, u->run->steps_done);
}

int
view_debug_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	const struct op *op = stepper_op(&u->s.st);
	char lab[96];
	int layer = op && op->layer >= 0 ? op->layer : 0;

	switch (cmd) {
	case CMD_STEP: case CMD_STEP_BACK: case CMD_NEXT: case CMD_NEXT_BACK:
	case CMD_FINISH: case CMD_FINISH_BACK: case CMD_CONT: case CMD_CONT_BACK:
	case CMD_POS_NEXT: case CMD_POS_PREV: case CMD_FIRST: case CMD_LAST:
		if (!stepper_move(&u->s.st, step_of[cmd])) {
			if (cmd == CMD_POS_NEXT || cmd == CMD_POS_PREV)
				ui_msg(u, ST_DIM, "no %s position", cmd == CMD_POS_NEXT ? "next" : "previous");
			else
				ui_msg(u, ST_DIM, "at the %s op of the pass",
				    cmd == CMD_STEP || cmd == CMD_NEXT || cmd == CMD_FINISH || cmd == CMD_CONT
				    || cmd == CMD_LAST ? "last" : "first");
		} else if ((cmd == CMD_CONT || cmd == CMD_CONT_BACK)
		    && stepper_is_break(&u->s.st, stepper_op(&u->s.st))) {
			op_label(stepper_op(&u->s.st), lab, sizeof lab);
			ui_msg(u, ST_BREAK, "breakpoint: %s", lab);
		}
		break;
	case CMD_BREAK:
		if (!op)
			break;
		op_label(op, lab, sizeof lab);
		if (stepper_toggle_break(&u->s.st))
			ui_msg(u, ST_BREAK, "breakpoint set on every %s", strchr(lab, '@') ? (*strchr(lab, '@') = 0, lab) : lab);
		else
			ui_msg(u, ST_OK, "breakpoint removed");
		break;
	case CMD_BREAK_LIST:
		return UI_GO(VIEW_BREAKS);
	case CMD_TRAIN_NEXT:
		weights_step(u, debug_run_step(u->run) + 1);
		break;
	case CMD_TRAIN_PREV:
		weights_step(u, debug_run_step(u->run) - 1);
		break;
	case CMD_HEAD:
		if (arg >= u->s.cfg.n_head)
			ui_msg(u, ST_ERR, "layer %d has heads 0-%d (keys 1-%d)", layer, u->s.cfg.n_head - 1,
			    u->s.cfg.n_head < 9 ? u->s.cfg.n_head : 9);
		else {
			debug_session_toggle_head(&u->s, layer, arg);
			ui_take_session_msg(u);
		}
		break;
	case CMD_HEADS_ON:
		debug_session_heads_on(&u->s);
		ui_take_session_msg(u);
		break;
	case CMD_SAMPLE:
		debug_session_sample(&u->s);
		ui_take_session_msg(u);
		break;
	case CMD_TEMP_DOWN: case CMD_TEMP_UP: {
		double t = u->s.temperature + (cmd == CMD_TEMP_UP ? 0.1 : -0.1);

		t = nearbyint(t * 10) / 10;
		if (t < 0.1 - 1e-9 || t > 2.0 + 1e-9) {
			ui_msg(u, ST_DIM, "the temperature stays within 0.1 and 2.0");
			break;
		}
		u->s.temperature = t;
		ui_msg(u, ST_OK, "sampling temperature %.1f", t);
		break;
	}
	case CMD_SEL_LEFT: case CMD_SEL_RIGHT: case CMD_SEL_UP: case CMD_SEL_DOWN:
	case CMD_SEL_HOME: case CMD_SEL_END:
		select_move(u, cmd);
		break;
	case CMD_EDIT:
		le_start(&u->le, u->s.input, u->s.n_input);
		return UI_GO(VIEW_EDIT);
	case CMD_HELP:
		return UI_GO(VIEW_HELP);
	case CMD_RUNS:
		/* q in the browser comes back here */
		u->runs_back = VIEW_DEBUG;
		return UI_GO(VIEW_RUNS);
	case CMD_QUIT:
		if (u->debug_back >= 0) {   /* opened from a replay view: back to it */
			int back = u->debug_back;

			u->debug_back = -1;
			return UI_GO(back);
		}
		return UI_QUIT;
	case CMD_CLOSE:
		break;
	default:
		if (key >= 0x20 && key < 0x7f)
			ui_msg(u, ST_DIM, "no command on '%c' (? lists the keys)", key);
		else
			ui_msg(u, ST_DIM, "no command on that key (? lists the keys)");
		break;
	}
	return UI_STAY;
}

int
view_debug_start(struct ui *u, struct debug_run *run, const char *input, char *err, size_t n)
{
	struct debug_input_error why;
	int rc;

	u->run = run;
	if ((rc = debug_session_init(&u->s, run, input, &why)) < 0) {
		ui_input_error(rc, &why, err, n);
		return -1;
	}
	ui_take_session_msg(u);
	return 0;
}

void
view_debug_close(struct ui *u)
{
	debug_session_free(&u->s);
	if (u->own_run) {
		debug_run_close(u->run);
		free(u->run);
	}
	u->run = NULL;
	u->own_run = 0;
}

int
view_debug_open_run(struct ui *u, const char *db, const char *spec, long step, const char *input,
    int back, char *err, size_t errlen)
{
	struct debug_run *r = xcalloc(1, sizeof *r);
	struct debug_input_error why;

	if (debug_run_open(r, db, spec, step, err, errlen) < 0) {
		free(r);
		return -1;
	}
	if (debug_run_load(r, ui_progress, u, err, errlen) < 0) {
		debug_run_close(r);
		free(r);
		return -1;
	}
	view_debug_close(u);
	u->run = r;
	u->own_run = 1;
	/* an input the run cannot spell: the run with BOS alone */
	debug_session_init(&u->s, r, input, &why);
	ui_take_session_msg(u);
	u->debug_back = back;
	return 0;
}
