/* SPDX-License-Identifier: MIT */
/* view_edit.c - the input being edited (`i`): the debugger stays drawn,
 * the status row becomes the text field, and every key goes to the text. */
#include "config.h"

#include <string.h>

#include "ui_priv.h"

void
view_edit_draw(struct ui *u)
{
	const struct rect *s = &u->status;
	static const char prompt[] = "input: ";
	int pw = (int)sizeof prompt - 1, hint = 26;

	if (u->msg[0]) {
		/* a refusal stays in sight above the field */
		draw_fill(s->y - 1, s->x, s->w, ST_NORMAL);
		draw_text(s->y - 1, s->x, s->w, u->msg_style, u->msg);
	}
	draw_fill(s->y, s->x, s->w, ST_NORMAL);
	draw_text(s->y, s->x, pw, ST_KEY, prompt);
	if (s->w - pw - hint < 10)
		hint = 0;
	le_draw(&u->le, s->y, s->x + pw, s->w - pw - hint - 1, u->utf8);
	if (hint)
		draw_text(s->y, s->x + s->w - hint, hint, ST_DIM, "Enter feed it, Esc cancel");
}

int
view_edit_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	char err[256];
	struct debug_input_error why;
	int r;

	(void)cmd;
	(void)arg;
	r = le_key(&u->le, key);
	if (r < 0) {
		ui_msg(u, ST_DIM, "input unchanged");
		return UI_BACK;
	}
	if (r == 0)
		return UI_STAY;
	if ((r = debug_session_set_input(&u->s, u->le.text, u->le.len, &why)) < 0) {
		/* refused: keep editing so the user can fix it */
		u->le.active = 1;
		ui_input_error(u, r, &why, err, sizeof err);
		ui_msg(u, ST_ERR, "%s", err);
		return UI_STAY;
	}
	ui_take_session_msg(u);
	if (!u->msg[0])
		ui_msg(u, ST_OK, "input fed: %d position%s", u->s.tr.n_pos, u->s.tr.n_pos == 1 ? "" : "s");
	return UI_BACK;
}
