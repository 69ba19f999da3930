/* SPDX-License-Identifier: MIT */
/* view_train_step.c - stepping into a training step on screen (issue
 * 13): T in the debugger (a prompt for the step) and in the run view
 * (view_train_run.c: the step at the cursor), `debug --train-step S`, the
 * keys that make no sense inside a recorded step, and q leaving it for
 * where it came from.
 * The step itself is the debug session's (debug_session_train_open); its
 * pages are view_train_pages.c's. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "ui_priv.h"

/* Enter step S in the debugger; quit_after: q leaves the debugger too. */
int
view_train_step_enter(struct ui *u, long step, int quit_after, char *err, size_t n)
{
	if (debug_session_train_open(&u->s, step, err, n) < 0)
		return -1;
	u->train_quit = quit_after;
	ui_take_session_msg(u);
	return 0;
}

/* Why T cannot open a step here, or NULL. */
static const char *
why_not(const struct ui *u)
{
	if (u->s.ts)
		return "already inside a training step (q leaves it)";
	if (!u->run->st || u->run->steps_done < 1)
		return "this run has no logged training step to step into";
	return NULL;
}

/* The step T offers first: the one whose weights are loaded, else 1. */
static long
default_step(const struct ui *u)
{
	long s = debug_run_step(u->run);

	return s >= 1 ? s : 1;
}

int
view_tprompt_open(struct ui *u)
{
	char buf[32];
	const char *why = why_not(u);

	if (why) {
		ui_msg(u, ST_ERR, "%s", why);
		return -1;
	}
	snprintf(buf, sizeof buf, "%ld", default_step(u));
	le_set(&u->le, buf);
	return 0;
}

void
view_tprompt_draw(struct ui *u)
{
	const struct rect *s = &u->status;
	char q[96];

	snprintf(q, sizeof q, "step into training step (1-%ld): ", u->run->steps_done);
	draw_fill(s->y, s->x, s->w, ST_NORMAL);
	if (u->msg[0])
		draw_text(s->y - 1, s->x, s->w, u->msg_style, u->msg);
	draw_text(s->y, s->x, s->w, ST_KEY, q);
	le_draw(&u->le, s->y, s->x + draw_width(q), s->w - draw_width(q) - 1, u->utf8);
}

int
view_tprompt_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	char text[64], err[512];
	long v;
	int r;

	(void)cmd;
	(void)arg;
	r = le_key(&u->le, key);
	if (r == 0)
		return UI_STAY;
	if (r < 0)
		return UI_BACK;
	le_text(&u->le, text, sizeof text);
	if (num_parse_long(text, 1, u->run->steps_done, &v) < 0) {
		u->le.active = 1;
		ui_msg(u, ST_ERR, "a training step is a number from 1 to %ld", u->run->steps_done);
		return UI_STAY;
	}
	if (view_train_step_enter(u, v, 0, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s", err);
		return UI_BACK;
	}
	return UI_BACK;
}

/* The debugger's keys inside a training step: T, q, and those that
 * would change a recorded pass. Returns a reaction, or -1: not handled
 * here (the debugger's own handling). */
int
view_train_step_key(struct ui *u, enum cmd cmd)
{
	if (cmd == CMD_TRAIN_STEP) {
		const char *why = why_not(u);

		if (why) {
			ui_msg(u, ST_DIM, "%s", why);
			return UI_STAY;
		}
		return UI_GO(VIEW_TPROMPT);
	}
	if (!u->s.ts)
		return -1;
	switch (cmd) {
	case CMD_QUIT: {
		long step = u->s.ts->step;

		debug_session_train_close(&u->s);
		if (u->train_quit) {
			u->train_quit = 0;
			return -1;   /* the debugger's q: quit, or back to the run view */
		}
		ui_msg(u, ST_OK, "left training step %ld", step);
		return UI_STAY;
	}
	case CMD_TRAIN_NEXT: case CMD_TRAIN_PREV: case CMD_HEAD: case CMD_HEADS_ON: case CMD_SAMPLE:
	case CMD_TEMP_DOWN: case CMD_TEMP_UP: case CMD_EDIT: case CMD_HEADS_VIEW: case CMD_SWEEP:
	case CMD_RUNS:
		ui_msg(u, ST_DIM, "not inside training step %ld: it is recorded as it ran (q leaves it)",
		    u->s.ts->step);
		return UI_STAY;
	default:
		return -1;
	}
}
