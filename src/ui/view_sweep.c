/* SPDX-License-Identifier: MIT */
/* view_sweep.c - the ablation sweep (A in the debugger or the heads view):
 * every subset of heads off, the input's loss and the dataset's, sorted,
 * with bars. The documents are run a slice per tick (session/head_sweep.c
 * over attrib.c), with progress; q cancels. Enter switches the selected
 * subset off in the debugger. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "ui_priv.h"

#define SWEEP_SLICE 256   /* documents per tick: a few milliseconds */

int
view_sweep_open(struct ui *u)
{
	if (!u->run || !u->s.tr.n_pos) {
		ui_msg(u, ST_ERR, "the sweep needs a pass: type an input with i");
		return -1;
	}
	if (u->sweep_on)
		head_sweep_free(&u->hsw);
	u->sweep_on = 0;
	if (head_sweep_start(&u->hsw, &u->s) < 0) {
		ui_msg(u, ST_ERR, "this model has too many heads to sweep");
		return -1;
	}
	u->sweep_on = 1;
	u->sweep_back = u->view == VIEW_HEADS ? VIEW_HEADS : VIEW_DEBUG;
	u->sweep_sel = u->sweep_top = 0;
	return 0;
}

void
view_sweep_close(struct ui *u)
{
	if (u->sweep_on)
		head_sweep_free(&u->hsw);
	u->sweep_on = 0;
}

int
view_sweep_tick(struct ui *u)
{
	if (!u->sweep_on || u->hsw.finished || u->view != VIEW_SWEEP)
		return 0;
	head_sweep_step(&u->hsw, SWEEP_SLICE);
	return 1;
}

int
view_sweep_wait_ms(const struct ui *u)
{
	return u->sweep_on && !u->hsw.finished && u->view == VIEW_SWEEP ? 0 : -1;
}

void
view_sweep_draw(struct ui *u)
{
	const struct head_sweep *h = &u->hsw;
	const struct attrib_sweep *sw = &h->sw;
	const int W = u->cols, bottom = u->rows - 1, bx = 62;
	double base_t = sw->text_loss[0], base_d = sw->dataset_loss[0], dmax = 0;
	int i, y, rows, k;
	char hb[96];

	erase();
	draw_fill(0, 0, W, ST_TITLE);
	draw_textf(0, 0, W, ST_TITLE, " sweep  %s  step %ld  %d subsets of heads off, input of %d positions",
	    u->run->name, debug_run_step(u->run), sw->n_masks, h->n);
	if (h->finished)
		draw_textf(1, 0, W, ST_OK, "done; %d of %d subsets from the cache%s; sorted by the dataset's loss,"
		    " highest first", h->n_cached, sw->n_masks,
		    h->write_failed ? " (not written: read-only)" : "");
	else {
		k = draw_textf(1, 0, W, ST_NORMAL, "documents %zu / %zu ", h->done, h->total);
		draw_bar(u, 1, k, 30, h->total ? (double)h->done / (double)h->total : 1, ST_BAR);
		draw_text(1, k + 31, W - k - 31, ST_DIM, " q cancels");
	}
	draw_textf(2, 0, W, ST_LABEL, "%-20s %9s %8s %9s %8s", "heads off", "input", "change",
	    "dataset", "change");
	/* bars: the change against every head on, the dataset's once known */
	for (i = 0; i < sw->n_masks; i++) {
		double d = h->finished ? sw->dataset_loss[i] - base_d : sw->text_loss[i] - base_t;

		if (fabs(d) > dmax)
			dmax = fabs(d);
	}
	rows = bottom - 3;
	if (u->sweep_sel >= sw->n_masks)
		u->sweep_sel = sw->n_masks - 1;
	if (u->sweep_sel < u->sweep_top)
		u->sweep_top = u->sweep_sel;
	if (rows > 0 && u->sweep_sel >= u->sweep_top + rows)
		u->sweep_top = u->sweep_sel - rows + 1;
	for (i = u->sweep_top, y = 3; i < sw->n_masks && y < bottom; i++, y++) {
		int m = h->order[i];
		double dt = sw->text_loss[m] - base_t, dd = sw->dataset_loss[m] - base_d;
		double d = h->finished ? dd : dt;
		enum style st = i == u->sweep_sel ? ST_SEL : ST_NORMAL;
		char ds[16], dc[16];

		if (sw->mask[m])
			probe_format_heads(sw->mask[m], &u->s.cfg, hb, sizeof hb);
		else
			snprintf(hb, sizeof hb, "none");
		if (isnan(sw->dataset_loss[m]))
			snprintf(ds, sizeof ds, "..."), snprintf(dc, sizeof dc, " ");
		else
			snprintf(ds, sizeof ds, "%.4f", sw->dataset_loss[m]), snprintf(dc, sizeof dc, "%+.4f", dd);
		if (st == ST_SEL)
			draw_fill(y, 0, W, ST_SEL);
		draw_textf(y, 0, W, st, "%-20s %9.4f %+8.4f %9s %8s", hb, sw->text_loss[m], dt, ds, dc);
		if (W - bx - 2 > 4 && dmax > 0)
			draw_bar(u, y, bx, W - bx - 2, fabs(d) / dmax, d >= 0 ? ST_NEG3 : ST_POS3);
	}
	draw_fill(bottom, 0, W, ST_NORMAL);
	if (u->msg[0])
		draw_text(bottom, 0, W, u->msg_style, u->msg);
	else
		draw_text(bottom, 0, W, ST_DIM, " j k select   Enter switch those heads off   ? keys   q back");
}

int
view_sweep_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	struct head_sweep *h = &u->hsw;
	int back = u->sweep_back;

	(void)arg;
	(void)key;
	switch (cmd) {
	case CMD_SEL_DOWN:
		if (u->sweep_sel < h->sw.n_masks - 1)
			u->sweep_sel++;
		break;
	case CMD_SEL_UP:
		if (u->sweep_sel > 0)
			u->sweep_sel--;
		break;
	case CMD_OPEN:
		debug_session_set_mask(&u->s, h->sw.mask[h->order[u->sweep_sel]]);
		ui_take_session_msg(u);
		view_sweep_close(u);
		return UI_GO(back);
	case CMD_HELP:
		return UI_GO(VIEW_HELP);
	case CMD_QUIT: case CMD_CLOSE: case CMD_SWEEP:
		if (!h->finished)
			ui_msg(u, ST_DIM, "sweep cancelled after %zu of %zu documents", h->done, h->total);
		view_sweep_close(u);
		return UI_GO(back);
	default:
		ui_msg(u, ST_DIM, "no command on that key here (? lists the keys)");
		break;
	}
	return UI_STAY;
}
