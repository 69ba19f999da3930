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

static void
draw_opline(const struct ui *u)
{
	const struct rect *r = &u->opline;
	const struct op *op = stepper_op(&u->s.st);
	char lab[96], right[64];
	int x = 0, brk;

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
}

/* The ops of the current position, as a debugger's source window, and
 * under them the breakpoints. */
static void
draw_outline(const struct ui *u)
{
	const struct rect *r = &u->outline;
	const struct op *cur = stepper_op(&u->s.st);
	int per, first, top, i, y, h, x;
	char c[16], c2[16];

	if (r->w <= 0 || !cur)
		return;
	for (y = 0; y < r->h; y++)
		draw_text(r->y + y, r->x + r->w, 1, ST_RULE, draw_glyph(u, "\u2502", "|"));
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
	for (p = 5; p > 0; p--) {
		for (need = 0, i = 0; i < n; i++)
			if (hints[i].prio <= p)
				need += draw_width(hints[i].k) + 1 + draw_width(hints[i].d) + 2;
		if (need - 2 <= r->w)
			break;
	}
	for (i = 0; i < n; i++) {
		if (hints[i].prio > p)
			continue;
		x += draw_text(r->y, r->x + x, r->w - x, ST_KEY, hints[i].k);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, " ");
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM,
		    i == q_row && u->debug_back >= 0 ? "back" : hints[i].d);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, "  ");
	}
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
