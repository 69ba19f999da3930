/* SPDX-License-Identifier: MIT */
/* screen.c - the screen's geometry (one place computes it on every
 * resize), the "terminal too small" screen, and the progress screen of a
 * long load. Leaves of src/ui: they call only the drawing helpers. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui_priv.h"

/* The one place that knows where everything goes. */
void
ui_layout(struct ui *u)
{
	int f, side;

	getmaxyx(stdscr, u->rows, u->cols);
	u->too_small = u->cols < UI_MIN_COLS || u->rows < UI_MIN_ROWS;
	if (u->too_small)
		return;
	f = u->rows >= 50 ? 6 : u->rows >= 36 ? 5 : u->rows >= 30 ? 4 : 3;
	/* the op outline as a narrow pane from 100 columns on */
	side = u->cols >= 150 && u->rows >= 30 ? 34 : u->cols >= 100 ? 26 : 0;
	u->title = (struct rect){ 0, 0, 1, u->cols };
	u->tokens_r = (struct rect){ 1, 0, 1, u->cols };
	u->opline = (struct rect){ 2, 0, 1, u->cols };
	u->status = (struct rect){ u->rows - 1, 0, 1, u->cols };
	u->formula = (struct rect){ u->rows - 1 - f, 1, f, u->cols - 2 };
	u->outline = (struct rect){ 3, 0, u->rows - 3 - f - 2, side };
	u->body = (struct rect){ 3, side ? side + 2 : 0, u->rows - 3 - f - 2,
	                         u->cols - (side ? side + 2 : 0) };
	/* below 100 columns one pane: the op's page, or (o) the outline with
	 * the attention strip in its place */
	if (!side && u->narrow_outline) {
		u->outline = (struct rect){ 3, 0, u->rows - 3 - f - 2, u->cols - 1 };
		u->body.w = 0;
	}
}

void
ui_draw_too_small(const struct ui *u)
{
	char need[64];
	int y = u->rows / 2 - 1;

	snprintf(need, sizeof need, "need %dx%d, have %dx%d", UI_MIN_COLS, UI_MIN_ROWS, u->cols, u->rows);
	if (y < 0)
		y = 0;
	draw_text(y, (u->cols - 18) / 2 > 0 ? (u->cols - 18) / 2 : 0, u->cols, ST_ERR, "terminal too small");
	if (y + 1 < u->rows)
		draw_text(y + 1, (u->cols - (int)strlen(need)) / 2 > 0 ? (u->cols - (int)strlen(need)) / 2 : 0,
		    u->cols, ST_NORMAL, need);
	if (y + 2 < u->rows)
		draw_text(y + 2, (u->cols - 6) / 2 > 0 ? (u->cols - 6) / 2 : 0, u->cols, ST_DIM, "q quit");
}

int
ui_progress(void *ctx, const char *what, long done, long total, double loss)
{
	struct ui *u = ctx;
	int w, x0, y0, bw, ch;
	char line[128];

	timeout(0);   /* poll: the load goes on between calls */
	while ((ch = getch()) != ERR) {
		if (ch == 'q' || ch == UI_CTRL('c')) {
			timeout(UI_KEY_TIMEOUT_MS);
			return 1;
		}
		if (ch == KEY_RESIZE)
			ui_layout(u);
	}
	timeout(UI_KEY_TIMEOUT_MS);
	if (ui_signal)
		return 1;
	erase();
	if (u->too_small) {
		ui_draw_too_small(u);
		refresh();
		return 0;
	}
	w = u->cols - 20 > 60 ? 60 : u->cols - 20;
	x0 = (u->cols - w) / 2;
	y0 = u->rows / 2 - 3;
	draw_text(y0, x0, w, ST_LABEL, what);
	draw_text(y0 + 1, x0, w, ST_DIM, u->run && u->run->trained_here && done <= total
	    ? "bundled names, seed 42: the reference's default run" : "");
	bw = w - 2;
	draw_text(y0 + 3, x0, 1, ST_RULE, "[");
	draw_bar(u, y0 + 3, x0 + 1, bw, total ? (double)done / (double)total : 1.0, ST_BAR);
	draw_text(y0 + 3, x0 + 1 + bw, 1, ST_RULE, "]");
	if (isnan(loss))
		snprintf(line, sizeof line, "step %ld of %ld", done, total);
	else
		snprintf(line, sizeof line, "step %ld of %ld   loss %.4f", done, total, loss);
	draw_text(y0 + 4, x0, w, ST_NORMAL, line);
	draw_text(y0 + 6, x0, w, ST_DIM, "q cancels");
	refresh();
	return 0;
}

