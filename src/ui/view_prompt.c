/* SPDX-License-Identifier: MIT */
/* view_prompt.c - the prompt line of the replay views (a step, a filter,
 * a new name, the probe's text, a delete to confirm), drawn over the view
 * it was opened from; every key goes to its text. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "replay_ui.h"
#include "ui_priv.h"

/* The text the prompt starts with, from what it asks (rp->prompt). */
int
view_prompt_open(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	const struct run_info *sel = replay_runs_selected(rp);

	switch (rp->prompt) {
	case RP_FILTER: le_set(&u->le, rp->filter); break;
	case RP_RENAME: le_set(&u->le, sel ? sel->name : NULL); break;
	case RP_PROBE: le_set(&u->le, rp->have_rr ? rp->rr.probe_text : NULL); break;
	default: le_set(&u->le, NULL); break;
	}
	return 0;
}

void
view_prompt_draw(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	const struct rect *s = &u->status;
	const struct run_info *sel;
	char q[256];

	draw_fill(s->y, s->x, s->w, ST_NORMAL);
	switch (rp->prompt) {
	case RP_STEP:
		snprintf(q, sizeof q, "step (0-%ld): ", rp->rr.run.steps_done);
		break;
	case RP_FILTER: snprintf(q, sizeof q, "filter names: "); break;
	case RP_RENAME: snprintf(q, sizeof q, "new name: "); break;
	case RP_PROBE: snprintf(q, sizeof q, "probe text: "); break;
	case RP_DELETE:
		sel = replay_runs_selected(rp);
		draw_textf(s->y, s->x, s->w, ST_ERR, "delete %s and its %ld logged steps? y deletes, any other key keeps it",
		    sel ? sel->name : "?", sel ? sel->steps_done : 0);
		return;
	default: q[0] = '\0'; break;
	}
	if (u->msg[0])
		draw_text(s->y - 1, s->x, s->w, u->msg_style, u->msg);
	draw_text(s->y, s->x, s->w, ST_KEY, q);
	le_draw(&u->le, s->y, s->x + draw_width(q), s->w - draw_width(q) - 1, u->utf8);
}

int
view_prompt_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	struct replay_ui *rp = u->rp;
	char text[512], err[256];
	int r;
	long v;

	(void)cmd;
	(void)arg;
	if (rp->prompt == RP_DELETE) {
		replay_runs_prompt_done(u, key == 'y' ? "y" : "n");
		rp->prompt = RP_NONE;
		return UI_BACK;
	}
	r = le_key(&u->le, key);
	if (r == 0)
		return UI_STAY;
	if (r < 0) {
		rp->prompt = RP_NONE;
		return UI_BACK;
	}
	le_text(&u->le, text, sizeof text);
	switch (rp->prompt) {
	case RP_STEP:
		if (num_parse_long(text, 0, rp->rr.run.steps_done, &v) != NUM_OK)
			ui_msg(u, ST_ERR, "'%s' is not a step of this run (0-%ld)", text, rp->rr.run.steps_done);
		else if (replay_goto(&rp->rr, v, err, sizeof err) < 0)
			ui_msg(u, ST_ERR, "%s", err);
		else
			replay_ui_compare(u);
		break;
	case RP_PROBE:
		if (replay_set_probe(&rp->rr, text, err, sizeof err) < 0) {
			ui_msg(u, ST_ERR, "%s", err);
			u->le.active = 1;
			return UI_STAY;   /* keep editing so it can be fixed */
		}
		rp->stats_failed = 0;
		replay_ui_compare(u);
		break;
	default:
		replay_runs_prompt_done(u, text);
		break;
	}
	rp->prompt = RP_NONE;
	return UI_BACK;
}
