/* SPDX-License-Identifier: MIT */
/* view_help.c - the help overlay, printed from the key tables of the view
 * it was opened over. */
#include "config.h"

#include <string.h>

#include "ui_priv.h"

/* The rows of the key table that carry a label. */
static int
help_rows(const struct ui *u, const struct keydef **rows, int max)
{
	const struct keytab *t;
	int i, n = 0;

	for (t = u->under_keys; t; t = t->next)
		for (i = 0; i < t->n && n < max; i++)
			if (t->rows[i].keys)
				rows[n++] = &t->rows[i];
	return n;
}

static int
help_height(const struct ui *u)
{
	return u->rows - 2 < 3 ? 3 : u->rows - 2;
}

void
view_help_draw(struct ui *u)
{
	const struct keydef *rows[128];
	int n = help_rows(u, rows, 128), kw = 0, dw = 0, i, w, h, y0, x0, vis, cols, per;

	for (i = 0; i < n; i++) {
		int a = draw_width(rows[i]->keys), b = draw_width(rows[i]->desc);

		kw = a > kw ? a : kw;
		dw = b > dw ? b : dw;
	}
	/* two columns when the terminal is wide enough for them */
	cols = u->cols >= 2 * (kw + dw + 5) + 4 ? 2 : 1;
	per = (n + cols - 1) / cols;
	w = cols * (kw + dw + 5) + 2;
	if (w > u->cols - 2)
		w = u->cols - 2;
	h = per + 4;
	if (h > help_height(u))
		h = help_height(u);
	vis = h - 4;
	if (u->help_top > per - vis)
		u->help_top = per - vis > 0 ? per - vis : 0;
	y0 = (u->rows - h) / 2;
	x0 = (u->cols - w) / 2;
	draw_box(y0, x0, h, w);
	draw_text(y0, x0 + 2, w - 4, ST_LABEL, " keys ");
	for (i = 0; i < vis; i++) {
		int c;

		for (c = 0; c < cols; c++) {
			int r = c * per + u->help_top + i, x = x0 + 2 + c * (kw + dw + 5);

			if (r >= n || (c == 0 && u->help_top + i >= per) || r >= (c + 1) * per)
				continue;
			draw_text(y0 + 2 + i, x, kw, ST_KEY, rows[r]->keys);
			draw_text(y0 + 2 + i, x + kw + 2, x0 + w - 2 - (x + kw + 2), ST_NORMAL, rows[r]->desc);
		}
	}
	draw_text(y0 + h - 2, x0 + 2, w - 4, ST_DIM,
	    per > vis ? "j/k scroll, any other key closes" : "any key closes this help");
}

int
view_help_open(struct ui *u)
{
	u->help_top = 0;
	return 0;
}

int
view_help_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	(void)arg;
	(void)key;
	switch (cmd) {
	case CMD_SEL_DOWN:
		u->help_top++;
		return UI_STAY;
	case CMD_SEL_UP:
		if (u->help_top > 0)
			u->help_top--;
		return UI_STAY;
	default:
		return UI_BACK;
	}
}
