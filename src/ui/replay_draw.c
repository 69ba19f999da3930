/* SPDX-License-Identifier: MIT */
/* replay_draw.c - drawing the replay views share: a plot grid blitted to
 * the screen, the status row of keys, the plot's character set, the
 * moving average's window. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"   /* curses first: plot.h declares plot_blit after it */
#include "replay_ui.h"

static const enum style plot_styles[PLOT_S__COUNT] = {
	[PLOT_S_NONE] = ST_NORMAL, [PLOT_S_AXIS] = ST_RULE, [PLOT_S_LABEL] = ST_DIM,
	[PLOT_S_REF] = ST_MARK, [PLOT_S_RAW] = ST_DIM, [PLOT_S_SPARK] = ST_BAR,
	[PLOT_S_OTHER] = ST_BAR_ALT,
	[PLOT_S_AVG] = ST_KEY,   /* the bars' colour, bold: the line to follow */
	[PLOT_S_CURSOR] = ST_CUR,
};

void
replay_blit(struct plot_grid *g, int y, int x)
{
	attr_t a[PLOT_S__COUNT];
	int i;

	for (i = 0; i < PLOT_S__COUNT; i++)
		a[i] = draw_attr(plot_styles[i]);
	plot_blit(stdscr, y, x, g, a);
}

void
replay_draw_status(struct ui *u, const char *const *hints, int n)
{
	const struct rect *r = &u->status;
	int i, x = 0, w;

	draw_fill(r->y, r->x, r->w, ST_NORMAL);
	if (u->msg[0]) {
		draw_text(r->y, r->x, r->w, u->msg_style, u->msg);
		return;
	}
	for (i = 0; i + 1 < n; i += 2) {
		w = draw_width(hints[i]) + 1 + draw_width(hints[i + 1]) + 2;
		if (x + w > r->w)
			break;
		x += draw_text(r->y, r->x + x, r->w - x, ST_KEY, hints[i]);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, " ");
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, hints[i + 1]);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, "  ");
	}
}

enum plot_charset
replay_charset(const struct ui *u)
{
	const char *t = getenv("TERM");

	if (!u->utf8)
		return PLOT_ASCII;
	/* the Linux console's font has block elements but no braille */
	return t && !strcmp(t, "linux") ? PLOT_BLOCK : PLOT_BRAILLE;
}

/* The moving average's window: 5 % of the planned steps, 1..200. */
int
replay_ma_window(long n_steps)
{
	long w = n_steps / 20;

	return w < 1 ? 1 : w > 200 ? 200 : (int)w;
}
