/* SPDX-License-Identifier: MIT */
/* view_debug.c - the debugger's view: the current op's page drawn and
 * scrolled, the selected value's formula, the keys; setting the debugger
 * up on a run and opening another (from the run view).
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

#include "page.h"
#include "run_defaults.h"
#include "xmalloc.h"

static struct page pg_store;

/* ---- drawing ---- */

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
	if (!op || b->w <= 0)   /* the outline has the pane (o) */
		return;
	page_build(u, pg, op);
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

		const struct explain_ctx ctx = { &u->s, u->utf8 };
		const struct explain_sel es = { s->vec, s->idx };
		int eq = u->s.ts && (op_phase(pg->op->kind) > 0 || s->vec == V_GRAD)
		    ? page_train_formula(u, pg, s, &name, &f)
		    : explain_formula(&ctx, pg->op, &pg->ov, &es, &name, &f, fr->w * (fr->h - 1));

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
	page_build(u, pg, op);
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
	int layer = op && op->layer >= 0 ? op->layer : 0, r;

	if ((r = view_train_step_key(u, cmd)) >= 0)
		return r;
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
		debug_session_set_temperature(&u->s, t);
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
	case CMD_HEADS_VIEW:
		return UI_GO(VIEW_HEADS);
	case CMD_SWEEP:
		return UI_GO(VIEW_SWEEP);
	case CMD_PANE:
		if (u->cols >= 100) {
			ui_msg(u, ST_DIM, "the outline is always shown from 100 columns");
			break;
		}
		u->narrow_outline = !u->narrow_outline;
		ui_layout(u);
		return UI_REPAINT;
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
		ui_input_error(u, rc, &why, err, n);
		return -1;
	}
	/* the last position's target is the closing BOS, as training scores a name */
	debug_session_set_scoring(&u->s, 1);
	ui_take_session_msg(u);
	if (run->picked_default && !u->msg[0])
		ui_msg(u, ST_DIM, "the default run: bundled names, seed %d, the reference's settings; "
		    "R picks another", RUN_DEFAULT_SEED);
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
	debug_session_set_scoring(&u->s, 1);
	ui_take_session_msg(u);
	u->debug_back = back;
	return 0;
}
