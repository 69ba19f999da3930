/* SPDX-License-Identifier: MIT */
/* view_debug_frame.c - the debugger's frame around the current op's
 * page: the title, the input's tokens, the op line, the outline of the
 * position's ops with the breakpoints, the status line of keys. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "ui_priv.h"

static void
draw_title(const struct ui *u)
{
	const struct rect *r = &u->title;
	char heads[128], buf[512];
	int x;

	draw_fill(r->y, r->x, r->w, ST_TITLE);
	if (u->s.tr.head_mask) {
		char hb[96];

		probe_format_heads(u->s.tr.head_mask, &u->s.cfg, hb, sizeof hb);
		snprintf(heads, sizeof heads, "off: %s", hb);
	} else
		snprintf(heads, sizeof heads, "all heads on");
	if (u->s.ts)
		snprintf(buf, sizeof buf, " mgpt-tui  %s  training step %ld/%ld  loss %.4f  lr %.6g", u->run->name,
		    u->s.ts->step, u->run->steps_done, u->s.ts->loss, u->s.ts->lr);
	else
	snprintf(buf, sizeof buf, " mgpt-tui  %s%s  step %ld/%ld  %s  T %.2f", u->run->name,
	    u->run->trained_here ? " (trained now)" : u->run->picked_default ? " (default run)" : "",
	    debug_run_step(u->run), u->run->steps_done,
	    heads, u->s.temperature);
	x = draw_text(r->y, r->x, r->w, ST_TITLE, buf);
	if (r->w - x > 8)
		draw_text(r->y, r->w - 8, 8, ST_TITLE, "? help ");
}

static void
draw_tokens(const struct ui *u)
{
	const struct rect *r = &u->tokens_r;
	const struct op *op = stepper_op(&u->s.st);
	int x = 0, t, cur = op ? op->pos : -1;
	char c[16], right[64];

	x += draw_text(r->y, r->x, r->w, ST_LABEL, "input ");
	for (t = 0; t < u->s.tr.n_pos && x < r->w - 20; t++) {
		const char *s = t == 0 ? "BOS" : dataset_tokstr(u->s.ds, u->s.tr.token[t], c, "BOS");
		enum style st = t == cur ? ST_CUR : t > u->s.n_typed ? ST_MARK : ST_NORMAL;

		x += draw_text(r->y, r->x + x, 1, ST_NORMAL, " ");
		x += draw_text(r->y, r->x + x, r->w - x, st, s);
	}
	if (u->s.n_fed < u->s.n_input) {
		x += draw_text(r->y, r->x + x, r->w - x, ST_ERR, draw_glyph(u, "  \u2702 ", "  |cut| "));
		for (t = u->s.n_fed; t < u->s.n_input && x < r->w - 20; t++) {
			c[utf8_put(c, u->s.input[t])] = '\0';
			x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, c);
		}
	}
	if (op) {
		int tg = u->s.tr.target[op->pos];

		snprintf(right, sizeof right, "pos %d/%d  next %s%s%s", op->pos, u->s.tr.n_pos - 1,
		    tg >= 0 ? "'" : "", tg >= 0 ? dataset_tokstr(u->s.ds, tg, c, "BOS") : "?", tg >= 0 ? "'" : "");
		if (tg == u->s.cfg.vocab_size - 1)
			snprintf(right, sizeof right, "pos %d/%d  next BOS", op->pos, u->s.tr.n_pos - 1);
		draw_text(r->y, r->w - draw_width(right) - 1, draw_width(right), ST_DIM, right);
	}
}

/* The ops [*a, *b] (0-based) of op's group at depth d: the position, its
 * layer, or its head. */
static void
op_group(const struct ui *u, int cur, int d, int *a, int *b)
{
	const struct op *o = &u->s.st.ops[cur];
	int i;

#define SAME(p) ((p)->pos == o->pos && (d < 1 || (p)->layer == o->layer) && \
	(d < 2 ? (d < 1 || (p)->layer >= 0) : (p)->head == o->head))
	for (i = cur; i > 0 && SAME(&u->s.st.ops[i - 1]); i--)
		;
	*a = i;
	for (i = cur; i + 1 < u->s.st.n_ops && SAME(&u->s.st.ops[i + 1]); i++)
		;
	*b = i;
#undef SAME
}

/* Where the current op is: "pos 4 'a' -> predicting BOS | layer 0
 * attention: heads 10-25 | f ends the head", cut to w columns by
 * dropping the position, then the hint, then everything. */
static void
orient_text(const struct ui *u, const struct op *op, int w, char *buf, size_t n)
{
	char c[16], c2[16], where[128], grp[96], hint[48];
	int cur = u->s.st.cur, a, b, ha, hb, tg = u->s.tr.target[op->pos];
	int d = op_depth(op->kind);

	if (op_phase(op->kind) > 0) {   /* a training step's backward and update */
		const struct op *o = u->s.st.ops;

		/* the group f finishes: the head at this position, the layer, the kind's run */
#define TSAME(p) (d == 2 ? op_depth((p)->kind) == 2 && (p)->pos == op->pos && (p)->layer == op->layer \
		&& (p)->head == op->head : d == 1 ? op_depth((p)->kind) >= 1 && (p)->layer == op->layer \
		: (p)->kind == op->kind)
		for (a = cur; a > u->s.st.n_fwd && TSAME(&o[a - 1]); a--)
			;
		for (b = cur; b + 1 < u->s.st.n_ops && TSAME(&o[b + 1]); b++)
			;
#undef TSAME
		if (d == 2)
			snprintf(grp, sizeof grp, "L%dH%d at pos %d: ops %d-%d", op->layer, op->head, op->pos, a + 1,
			    b + 1);
		else if (d == 1)
			snprintf(grp, sizeof grp, "layer %d backward: ops %d-%d", op->layer, a + 1, b + 1);
		else
			snprintf(grp, sizeof grp, "%s: ops %d-%d", op_name(op->kind), a + 1, b + 1);
		snprintf(buf, n, "%s | %s | %s", op_phase(op->kind) == 1 ? "backward" : "update", grp,
		    d == 2 ? "f ends the head" : d == 1 ? "f ends the layer" : "c: the next stop");
		if (draw_width(buf) > w)
			snprintf(buf, n, "%s", grp);
		if (draw_width(buf) > w)
			buf[0] = '\0';
		return;
	}
	snprintf(where, sizeof where, "pos %d %s%s%s -> predicting %s%s%s", op->pos,
	    op->pos ? "'" : "", op->pos ? dataset_tokstr(u->s.ds, u->s.tr.token[op->pos], c, "BOS") : "BOS",
	    op->pos ? "'" : "", tg >= 0 && tg < u->s.cfg.vocab_size - 1 ? "'" : "",
	    tg < 0 ? "?" : dataset_tokstr(u->s.ds, tg, c2, "BOS"), tg >= 0 && tg < u->s.cfg.vocab_size - 1 ? "'" : "");
	if (d == 2) {
		/* the heads of the layer: from the first head's first op to the last's last */
		for (ha = cur; ha > 0 && op_depth(u->s.st.ops[ha - 1].kind) == 2; ha--)
			;
		for (hb = cur; hb + 1 < u->s.st.n_ops && op_depth(u->s.st.ops[hb + 1].kind) == 2; hb++)
			;
		op_group(u, cur, 2, &a, &b);
		snprintf(grp, sizeof grp, "layer %d attention: heads %d-%d, H%d %d-%d%s", op->layer, ha + 1,
		    hb + 1, op->head, a + 1, b + 1, session_head_off(u, op->layer, op->head) ? " (off)" : "");
		snprintf(hint, sizeof hint, "f ends the head");
	} else if (d == 1) {
		op_group(u, cur, 1, &a, &b);
		snprintf(grp, sizeof grp, "layer %d: ops %d-%d", op->layer, a + 1, b + 1);
		snprintf(hint, sizeof hint, "%s", op->kind == OP_KV_CACHE ? "n skips the heads" : "f ends the layer");
	} else {
		op_group(u, cur, 0, &a, &b);
		snprintf(grp, sizeof grp, "position %d: ops %d-%d", op->pos, a + 1, b + 1);
		snprintf(hint, sizeof hint, "%s", op->kind == OP_RMSNORM_IN ? "n skips the layers" : "Tab: next position");
	}
	snprintf(buf, n, "%s | %s | %s", where, grp, hint);
	if (draw_width(buf) <= w)
		return;
	snprintf(buf, n, "%s | %s", grp, hint);
	if (draw_width(buf) <= w)
		return;
	snprintf(buf, n, "%s", grp);
	if (draw_width(buf) <= w)
		return;
	buf[0] = '\0';
}

static void
draw_opline(const struct ui *u)
{
	const struct rect *r = &u->opline;
	const struct op *op = stepper_op(&u->s.st);
	char lab[96], right[64], orient[320];
	int x = 0, brk, ow;

	if (!op)
		return;
	brk = stepper_is_break(&u->s.st, op);
	op_label(op, lab, sizeof lab);
	x += draw_text(r->y, r->x, 2, ST_BREAK, brk ? draw_glyph(u, "\u25cf ", "* ") : "  ");
	x += draw_text(r->y, r->x + x, r->w - x, ST_LABEL, lab);
	if (brk)
		x += draw_text(r->y, r->x + x, r->w - x, ST_BREAK, "  (breakpoint)");
	snprintf(right, sizeof right, "op %d of %d%s", u->s.st.cur + 1, u->s.st.n_ops,
	    u->s.st.n_breaks ? "" : "");
	if (u->s.st.n_breaks)
		snprintf(right, sizeof right, "%d break%s  op %d of %d", u->s.st.n_breaks,
		    u->s.st.n_breaks == 1 ? "" : "s", u->s.st.cur + 1, u->s.st.n_ops);
	draw_text(r->y, r->w - draw_width(right) - 1, draw_width(right), ST_DIM, right);
	/* the orientation line between the op and its number, as room allows */
	ow = r->w - x - draw_width(right) - 5;
	orient_text(u, op, ow, orient, sizeof orient);
	if (orient[0])
		draw_text(r->y, r->w - draw_width(right) - 3 - draw_width(orient), draw_width(orient), ST_NORMAL,
		    orient);
}

/* The attention strip: every head of the layer side by side at the
 * current position, its weights over the cached positions as bars (the
 * trace's), the heads switched off marked. rows: header + positions. */
static void
draw_attn_strip(const struct ui *u, const struct op *cur, int y0, int rows)
{
	const struct rect *r = &u->outline;
	const int H = u->s.cfg.n_head, T = u->s.cfg.block_size;
	const int l = cur->layer >= 0 ? cur->layer : 0, lw = 4;
	int cw = (r->w - 1 - lw) / H, h, t, t0, y;
	char c[16];

	if (cw < 3 || rows < 2)
		return;
	draw_hline(u, y0 - 1, r->x, r->w, ST_RULE);
	draw_textf(y0, r->x + 1, lw, ST_LABEL, "L%d", l);
	for (h = 0; h < H; h++) {
		int off = session_head_off(u, l, h);

		draw_textf(y0, r->x + 1 + lw + h * cw, cw, off ? ST_OFF : ST_LABEL, "H%d%s", h,
		    off ? draw_glyph(u, "\u00d7", "x") : "");
	}
	/* the last positions up to the current one when they do not all fit */
	t0 = cur->pos - (rows - 2);
	if (t0 < 0)
		t0 = 0;
	for (t = t0, y = y0 + 1; t <= cur->pos && y < y0 + rows; t++, y++) {
		draw_text(y, r->x + 1, lw - 1, t == cur->pos ? ST_CUR : ST_DIM,
		    t == 0 ? "BOS" : dataset_tokstr(u->s.ds, u->s.tr.token[t], c, "BOS"));
		for (h = 0; h < H; h++) {
			double w = u->s.tr.att_w[trace_lth(&u->s.tr, l, cur->pos, h) * T + t];
			int off = session_head_off(u, l, h);

			if (off)
				draw_text(y, r->x + 1 + lw + h * cw, cw - 1, ST_OFF, draw_glyph(u, "\u00b7", "."));
			else
				draw_bar(u, y, r->x + 1 + lw + h * cw, cw - 1, w, ST_BAR);
		}
	}
}

/* In a training step's backward and update: the ops around the current
 * one, as the forward's outline lists a position's. */
static void
draw_outline_train(const struct ui *u, const struct op *cur)
{
	const struct rect *r = &u->outline;
	const struct stepper *st = &u->s.st;
	int h = r->h - 2, top, y, first = st->n_fwd, per = st->n_ops - st->n_fwd;

	for (y = 0; y < r->h; y++)
		draw_text(r->y + y, r->x + r->w, 1, ST_RULE, draw_glyph(u, "\u2502", "|"));
	draw_textf(r->y, r->x + 1, r->w - 1, ST_LABEL, "step %ld: ops %d-%d", u->s.ts->step,
	    first + 1, st->n_ops);
	top = st->cur - first - h / 2;
	if (top > per - h)
		top = per - h;
	if (top < 0)
		top = 0;
	for (y = 0; y < h && top + y < per; y++) {
		const struct op *op = &st->ops[first + top + y];
		char lab[96], tn[32];
		int x = 3 + 2 * op_depth(op->kind);

		/* short: the depth is the indent */
		if (op_phase(op->kind) == 2)
			snprintf(lab, sizeof lab, "%s %s", op->kind == OP_ADAM ? "adam" : "grad",
			    op_tensor_name(op->tensor, tn, sizeof tn));
		else if (op->kind == OP_LOSS)
			snprintf(lab, sizeof lab, "loss");
		else if (op->head >= 0)
			snprintf(lab, sizeof lab, "H%d %s %d", op->head, op_name(op->kind), op->pos);
		else if (op->layer >= 0)
			snprintf(lab, sizeof lab, "L%d %s %d", op->layer, op_name(op->kind), op->pos);
		else
			snprintf(lab, sizeof lab, "%s %d", op_name(op->kind), op->pos);
		if (stepper_is_break(st, op))
			draw_text(r->y + 2 + y, r->x, 1, ST_BREAK, draw_glyph(u, "\u25cf", "*"));
		if (op == cur) {
			draw_text(r->y + 2 + y, r->x + 1, 1, ST_CUR, draw_glyph(u, "\u25b6", ">"));
			draw_fill(r->y + 2 + y, r->x + x, r->w - x, ST_CUR);
			draw_text(r->y + 2 + y, r->x + x, r->w - x, ST_CUR, lab);
		} else
			draw_text(r->y + 2 + y, r->x + x, r->w - x, ST_NORMAL, lab);
	}
}

/* The ops of the current position, as a debugger's source window, and
 * under them the breakpoints; at the bottom the attention strip. */
static void
draw_outline(const struct ui *u)
{
	const struct rect *r0 = &u->outline;
	struct rect rr = *r0;
	const struct rect *r = &rr;
	const struct op *cur = stepper_op(&u->s.st);
	int per, first, top, i, y, h, x, sh = 0;
	char c[16], c2[16];

	if (r->w <= 0 || !cur)
		return;
	if (op_phase(cur->kind) > 0) {
		draw_outline_train(u, cur);
		return;
	}
	/* the attention strip takes the bottom: a header and the positions */
	if (r0->h >= 14) {
		sh = cur->pos + 2;
		if (sh > r0->h / 2)
			sh = r0->h / 2;
		rr.h = r0->h - sh - 1;
		draw_attn_strip(u, cur, r0->y + rr.h + 1, sh);
	}
	for (y = 0; y < r0->h; y++)
		draw_text(r0->y + y, r0->x + r0->w, 1, ST_RULE, draw_glyph(u, "\u2502", "|"));
	per = stepper_ops_per_pos(&u->s.cfg);
	first = cur->pos * per;
	{
		int tg = u->s.tr.target[cur->pos];

		draw_textf(r->y, r->x + 1, r->w - 1, ST_LABEL, "position %d: %s %s %s", cur->pos,
		    cur->pos == 0 ? "BOS" : dataset_tokstr(u->s.ds, u->s.tr.token[cur->pos], c, "BOS"),
		    draw_glyph(u, "\u2192", "->"),
		    tg < 0 ? "?" : tg == u->s.cfg.vocab_size - 1 ? "BOS" : dataset_tokstr(u->s.ds, tg, c2, "BOS"));
	}
	/* the ops, then the breakpoints when there is room for both */
	h = r->h - 2;
	if (u->s.st.n_breaks && h - per >= u->s.st.n_breaks + 2)
		h = per;
	else if (u->s.st.n_breaks && h > 12)
		h -= u->s.st.n_breaks + 2 < h / 2 ? u->s.st.n_breaks + 2 : h / 2;
	top = u->s.st.cur - first - h / 2;
	if (top > per - h)
		top = per - h;
	if (top < 0)
		top = 0;
	for (y = 0; y < h && top + y < per; y++) {
		const struct op *op = &u->s.st.ops[first + top + y];
		char lab[64];
		int depth = op_depth(op->kind);

		i = first + top + y;
		if (op->head >= 0)
			snprintf(lab, sizeof lab, "H%d %s", op->head, op_name(op->kind));
		else if (op->layer >= 0)
			snprintf(lab, sizeof lab, "L%d %s", op->layer, op_name(op->kind));
		else
			snprintf(lab, sizeof lab, "%s", op_name(op->kind));
		if (stepper_is_break(&u->s.st, op))
			draw_text(r->y + 2 + y, r->x, 1, ST_BREAK, draw_glyph(u, "\u25cf", "*"));
		x = 3 + 2 * depth;
		if (i == u->s.st.cur) {
			draw_text(r->y + 2 + y, r->x + 1, 1, ST_CUR, draw_glyph(u, "\u25b6", ">"));
			draw_fill(r->y + 2 + y, r->x + x, r->w - x, ST_CUR);
			draw_text(r->y + 2 + y, r->x + x, r->w - x, ST_CUR, lab);
		} else
			draw_text(r->y + 2 + y, r->x + x, r->w - x, depth == 2 && session_head_off(u, op->layer, op->head)
			    ? ST_OFF : ST_NORMAL, lab);
	}
	if (!u->s.st.n_breaks || r->h - 2 - h < 3)
		return;
	y = r->y + 2 + h + 1;
	draw_textf(y++, r->x + 1, r->w - 1, ST_LABEL, "breakpoints (%d)", u->s.st.n_breaks);
	for (i = 0; i < u->s.st.n_breaks && y < r->y + r->h; i++, y++) {
		char lab[96], *at;

		op_label(&u->s.st.breaks[i], lab, sizeof lab);
		if ((at = strstr(lab, " @")))
			*at = '\0';
		draw_textf(y, r->x + 1, r->w - 1, ST_BREAK, "%s %s", draw_glyph(u, "\u25cf", "*"), lab);
	}
}

static void
draw_status(const struct ui *u)
{
	/* in screen order; the lowest priorities go first when space is short */
	static const struct { const char *k, *d; int prio; } hints[] = {
		{ "s/S", "step", 0 }, { "n/N", "next", 1 }, { "f/F", "finish", 2 }, { "c/C", "cont", 4 },
		{ "b", "break", 3 }, { "Tab", "pos", 5 }, { "1-9", "heads", 2 }, { "x", "sample", 3 },
		{ "i", "input", 4 }, { "?", "help", 0 }, { "q", "quit", 0 },
	};
	static const int q_row = 10;   /* "quit", or "back" when q returns to a replay view */
	const int n = (int)(sizeof hints / sizeof hints[0]);
	const struct rect *r = &u->status;
	int i, x = 0, p, need;

	if (u->msg[0]) {
		draw_text(r->y, r->x, r->w, u->msg_style, u->msg);
		return;
	}
	/* inside a training step the pass is recorded: no heads, samples or input */
#define HIDDEN(i) (u->s.ts && ((i) == 6 || (i) == 7 || (i) == 8))
	for (p = 5; p > 0; p--) {
		for (need = 0, i = 0; i < n; i++)
			if (hints[i].prio <= p && !HIDDEN(i))
				need += draw_width(hints[i].k) + 1 + draw_width(hints[i].d) + 2;
		if (need - 2 <= r->w)
			break;
	}
	for (i = 0; i < n; i++) {
		if (hints[i].prio > p || HIDDEN(i))
			continue;
		x += draw_text(r->y, r->x + x, r->w - x, ST_KEY, hints[i].k);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, " ");
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM,
		    i == q_row && u->s.ts ? "leave" : i == q_row && u->debug_back >= 0 ? "back" : hints[i].d);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, "  ");
	}
#undef HIDDEN
}

void
view_debug_frame_draw(struct ui *u)
{
	draw_title(u);
	draw_tokens(u);
	draw_opline(u);
	draw_outline(u);
	draw_hline(u, u->formula.y - 1, 0, u->cols, ST_RULE);
	draw_status(u);
}
