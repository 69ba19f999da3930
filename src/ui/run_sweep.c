/* SPDX-License-Identifier: MIT */
/* run_sweep.c - the run view's ablation panel (A there): the dataset loss
 * with each single head off over training, one sparkline a head of its
 * rise over every head on (so the heads that matter stand out from the
 * fall of the loss itself), with the loss and the rise at the cursor's
 * step; from up to 32 steps spread over the run
 * (session/sweep_series.c: read from the sweep cache or computed a slice
 * of documents per tick, and cached). It takes the head statistics'
 * place while shown; A again gives it back. The view (view_run.c) calls
 * run_sweep_draw and run_sweep_key; the tick hangs off VIEW_RUN's entry. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "replay_ui.h"
#include "sweep_series.h"
#include "ui_priv.h"
#include "xmalloc.h"

#define RUN_SWEEP_SLICE 256   /* documents per tick: a few milliseconds */

/* The series for the run shown: (re)started when the run view shows
 * another run. */
static struct sweep_series *
run_sweep_series(struct ui *u)
{
	const struct replay_run *rr = &u->rp->rr;

	if (u->rsw && u->rsw->run.id != rr->run.id) {
		sweep_series_free(u->rsw);
		free(u->rsw);
		u->rsw = NULL;
	}
	if (!u->rsw) {
		u->rsw = xcalloc(1, sizeof *u->rsw);
		sweep_series_open(u->rsw, &rr->run, u->rp->db);
		u->rsw_failed = 0;
	}
	return u->rsw;
}

int
run_sweep_key(struct ui *u)
{
	if (!u->rp || !u->rp->have_rr)
		return UI_STAY;
	u->rsw_on = !u->rsw_on;
	if (u->rsw_on)
		run_sweep_series(u);
	return UI_STAY;
}

int
run_sweep_tick(struct ui *u)
{
	char err[STORE_ERRLEN];
	struct sweep_series *ss;
	int r;

	if (!u->rsw_on || u->rsw_failed || u->view != VIEW_RUN || !u->rp || !u->rp->have_rr)
		return 0;
	ss = run_sweep_series(u);
	if (ss->done >= ss->n_steps)
		return 0;
	r = sweep_series_work(ss, u->rp->st, RUN_SWEEP_SLICE, err, sizeof err);
	if (r < 0) {
		ui_msg(u, ST_ERR, "sweep over training: %s", err);
		u->rsw_failed = 1;
	}
	return 1;
}

int
run_sweep_wait_ms(const struct ui *u)
{
	return u->rsw_on && !u->rsw_failed && u->view == VIEW_RUN && u->rsw
	    && u->rsw->done < u->rsw->n_steps ? 0 : -1;
}

void
run_sweep_close(struct ui *u)
{
	if (u->rsw) {
		sweep_series_free(u->rsw);
		free(u->rsw);
	}
	u->rsw = NULL;
	u->rsw_on = 0;
}

int
run_sweep_draw(struct ui *u, int y, int w, int h)
{
	struct sweep_series *ss;
	const struct replay_run *rr;
	struct plot_grid g = { 0 };   /* plot_grid_init frees what g held */
	double lo = 0, hi = 0, base, *rise;
	int M, i, k, cur = -1, sw, x;
	size_t dd, dt;
	char lab[32], num[48];

	if (!u->rsw_on || !u->rp || !u->rp->have_rr || h < 1)
		return 0;
	rr = &u->rp->rr;
	ss = run_sweep_series(u);
	M = 1 + ss->n_heads;
	/* the sampled step shown: the last at or before the cursor's */
	for (i = 0; i < ss->done; i++)
		if (ss->step[i] <= rr->cur_step)
			cur = i;
	base = cur >= 0 ? ss->loss[(size_t)cur * M] : NAN;
	/* each head's rise over every head on, one scale for all (from 0) */
	rise = xcalloc((size_t)ss->done * M + 1, sizeof *rise);
	for (i = 0; i < ss->done; i++)
		for (k = 1; k < M; k++) {
			double d = ss->loss[(size_t)i * M + k] - ss->loss[(size_t)i * M];

			rise[(size_t)i * M + k] = d;
			if (!isnan(d)) {
				lo = d < lo ? d : lo;
				hi = d > hi ? d : hi;
			}
		}
	if (ss->done < ss->n_steps) {
		sweep_series_progress(ss, &dd, &dt);
		x = draw_textf(y, 0, w, ST_LABEL, "dataset loss, each head off: computing step %ld (%d of %d) ",
		    ss->step[ss->done], ss->done + 1, ss->n_steps);
		if (dt && w - x > 12)
			draw_bar(u, y, x, w - x - 2 < 30 ? w - x - 2 : 30, (double)dd / (double)dt, ST_BAR);
	} else
		draw_textf(y, 0, w, ST_LABEL, "each head off: the dataset loss's rise over all on, %d steps"
		    " 0-%ld (%d cached)", ss->n_steps, ss->step[ss->n_steps - 1], ss->n_cached);
	sw = w - 10 - 28;
	if (sw > ss->n_steps)
		sw = ss->n_steps;
	if (sw < 4 || h < 2) {
		free(rise);
		return 1;
	}
	plot_grid_init(&g, w, h - 1, replay_charset(u));
	for (k = 1; k < M && k < h; k++) {
		double v = cur >= 0 ? ss->loss[(size_t)cur * M + k] : NAN;

		snprintf(lab, sizeof lab, "L%dH%d off", (k - 1) / rr->run.cfg.n_head,
		    (k - 1) % rr->run.cfg.n_head);
		plot_text(&g, 0, k - 1, lab, PLOT_S_LABEL);
		if (ss->done > 0 && hi > lo)
			plot_sparkline(&g, 10, k - 1, sw, rise + k, ss->done, (size_t)M, lo, hi, cur,
			    PLOT_S_AVG);
		if (isnan(v))
			snprintf(num, sizeof num, " ...");
		else
			snprintf(num, sizeof num, " %.4f %+.4f at %ld", v, v - base, ss->step[cur]);
		plot_text(&g, 10 + sw, k - 1, num, PLOT_S_NONE);
	}
	replay_blit(&g, y + 1, 0);
	plot_grid_free(&g);
	free(rise);
	return 1;
}
