/* SPDX-License-Identifier: MIT */
/* view_breaks.c - the breakpoints, listed; d (or b) deletes the selected
 * one. A breakpoint is a kind of op ("L0H2 attn_weights"), at every
 * position. */
#include "config.h"

#include <string.h>

#include "ui_priv.h"

static void
break_label(const struct op *b, char *buf, size_t n)
{
	char lab[96], *at;

	op_label(b, lab, sizeof lab);
	at = strstr(lab, " @");
	if (at)
		*at = '\0';
	snprintf(buf, n, "%s", lab);
}

void
view_breaks_draw(struct ui *u)
{
	const struct stepper *s = &u->s.st;
	int w = 44, h = s->n_breaks + 5, y0, x0, i, first = 0, vis;

	if (h > u->rows - 2)
		h = u->rows - 2;
	if (h < 6)
		h = 6;
	vis = h - 5;
	if (u->break_sel >= s->n_breaks)
		u->break_sel = s->n_breaks ? s->n_breaks - 1 : 0;
	if (u->break_sel >= vis)
		first = u->break_sel - vis + 1;
	y0 = (u->rows - h) / 2;
	x0 = (u->cols - w) / 2;
	draw_box(y0, x0, h, w);
	draw_textf(y0, x0 + 2, w - 4, ST_LABEL, " breakpoints (%d) ", s->n_breaks);
	if (s->n_breaks == 0)
		draw_text(y0 + 2, x0 + 2, w - 4, ST_DIM, "none: b sets one on the current op");
	for (i = 0; i < vis && first + i < s->n_breaks; i++) {
		char lab[96];
		int r = first + i;

		break_label(&s->breaks[r], lab, sizeof lab);
		draw_textf(y0 + 2 + i, x0 + 2, w - 4, r == u->break_sel ? ST_SEL : ST_BREAK, "%s %s",
		    draw_glyph(u, "\u25cf", "*"), lab);
	}
	draw_text(y0 + h - 2, x0 + 2, w - 4, ST_DIM, "j/k select, d delete, other keys close");
}

int
view_breaks_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	struct stepper *s = &u->s.st;

	(void)arg;
	if (key == 'd' || key == 'b' || key == UI_FN(KEY_DC)) {
		if (s->n_breaks > 0 && u->break_sel < s->n_breaks) {
			char lab[96];

			break_label(&s->breaks[u->break_sel], lab, sizeof lab);
			memmove(&s->breaks[u->break_sel], &s->breaks[u->break_sel + 1],
			    (size_t)(s->n_breaks - u->break_sel - 1) * sizeof s->breaks[0]);
			s->n_breaks--;
			ui_msg(u, ST_OK, "breakpoint on %s deleted", lab);
		}
		return UI_STAY;
	}
	switch (cmd) {
	case CMD_SEL_DOWN:
		if (u->break_sel < s->n_breaks - 1)
			u->break_sel++;
		return UI_STAY;
	case CMD_SEL_UP:
		if (u->break_sel > 0)
			u->break_sel--;
		return UI_STAY;
	case CMD_QUIT: case CMD_CLOSE: case CMD_BREAK_LIST: default:
		return UI_BACK;
	}
}
