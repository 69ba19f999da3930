/* SPDX-License-Identifier: MIT */
/* view_runs.c - the runs browser: every run in the database, a run being
 * trained shown with its progress, updated as it trains without a key
 * press. Enter opens a run; r renames, d deletes (after y), / filters,
 * t starts a run here.
 *
 *   title     the database
 *   header    column names
 *   list      one row a run
 *   detail    the selected run's settings (two rows)
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui_priv.h"
#include "replay_ui.h"
#include "store_view.h"

static void
fmt_when(char *buf, size_t n, int64_t t, int wide)
{
	time_t tt = (time_t)t, now = time(NULL);
	struct tm tm, tn;

	localtime_r(&tt, &tm);
	localtime_r(&now, &tn);
	if (wide)
		strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
	else if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(buf, n, "%H:%M", &tm);
	else
		strftime(buf, n, "%m-%d", &tm);
}

static void
fmt_loss(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "%6s", "-");
	else
		snprintf(buf, n, "%6.4f", v);
}

void
view_runs_draw(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	const int W = u->cols, bottom = u->status.y, wide = W >= 100;
	const int cw = wide ? 16 : 5;
	int sw = 11, nw, k;   /* the steps' column grows with the data (6-digit steps) */
	int rows = bottom - 2 - 3, i, y, shown = replay_runs_count(rp);
	const struct run_info *sel;
	char last[16], best[16], when[32], steps[48], sizes[32], status[32];

	for (i = 0; i < shown; i++) {
		const struct run_info *r = &rp->runs[replay_runs_nth(rp, i)];

		k = snprintf(steps, sizeof steps, "%ld/%ld", r->steps_done, r->n_steps);
		sw = k > sw ? k : sw;
	}
	nw = W - 64 - cw - (sw - 11);   /* the name gives up what the steps take */
	if (nw < 8)
		nw = 8;
	if (nw > 40)
		nw = 40;
	/* the selection and the first row drawn are rows of the filtered list
	 * (0 when it is empty), whatever a key left them at */
	if (rp->sel >= shown)
		rp->sel = shown - 1;
	if (rp->sel < 0)
		rp->sel = 0;
	sel = replay_runs_selected(rp);
	erase();
	draw_fill(0, 0, W, ST_TITLE);
	draw_textf(0, 0, W, ST_TITLE, " runs in %s  (%d%s)", rp->db, shown,
	    rp->filter[0] ? ", filtered" : "");
	if (rp->filter[0])
		draw_textf(0, W - 20 > 0 ? W - 20 : 0, 20, ST_TITLE, " filter: %s", rp->filter);
	draw_textf(1, 0, W, ST_LABEL, "  %4s %-*s %-12s %*s %6s %6s %-10s %5s %-*s", "id", nw,
	    "name", "status", sw, "steps", "last", "best", "emb/hd/L/T", "seed", cw, wide ? "created" : "when");
	if (rp->sel < rp->top)
		rp->top = rp->sel;
	if (rows > 0 && rp->sel >= rp->top + rows)
		rp->top = rp->sel - rows + 1;
	if (rp->top < 0)
		rp->top = 0;
	for (i = 0, y = 2; i + rp->top < shown && i < rows; i++, y++) {
		const struct run_info *r = &rp->runs[replay_runs_nth(rp, i + rp->top)];
		int is_sel = i + rp->top == rp->sel;
		enum style s = is_sel ? ST_SEL : ST_NORMAL;

		fmt_loss(last, sizeof last, r->last_loss);
		fmt_loss(best, sizeof best, r->best_loss);
		fmt_when(when, sizeof when, r->created, wide);
		snprintf(steps, sizeof steps, "%ld/%ld", r->steps_done, r->n_steps);
		snprintf(sizes, sizeof sizes, "%d/%d/%d/%d", r->cfg.n_embd, r->cfg.n_head,
		    r->cfg.n_layer, r->cfg.block_size);
		if (r->status == RUN_RUNNING)
			snprintf(status, sizeof status, "running %3ld%%",
			    r->n_steps ? r->steps_done * 100 / r->n_steps : 0);
		else
			snprintf(status, sizeof status, "%s", store_status_name(r->status));
		if (is_sel)
			draw_fill(y, 0, W, ST_SEL);
		draw_textf(y, 0, W, s, "%s %4lld %-*.*s %-12s %*s %6s %6s %-10s %5llu %-*s",
		    is_sel ? draw_glyph(u, "\u25b8", ">") : " ", (long long)r->id, nw, nw, r->name,
		    status, sw, steps, last, best, sizes, (unsigned long long)(r->seed % 100000), cw, when);
		if (r->status == RUN_RUNNING && !is_sel)
			draw_text(y, 2 + 4 + 1 + nw + 1, 7, ST_OK, "running");
		if (rp->marked == r->id)
			draw_text(y, 1, 1, is_sel ? ST_SEL : ST_MARK, "*");
	}
	if (shown == 0)
		draw_text(3, 2, W - 2, ST_DIM, rp->n_runs ? "no run's name matches the filter (/ to change it)"
		    : "no runs yet: t trains one here, or run 'mgpt-tui train' in another terminal");
	{
		static const char *const hints[] = {
			"Enter", "open", "?", "help", "q", "quit", "j k", "select", "/", "filter",
			"r", "rename", "d", "delete", "t", "train", "m", "mark",
		};
		replay_draw_status(u, hints, (int)(sizeof hints / sizeof hints[0]));
	}
	/* the selected run in full */
	if (sel && bottom - 3 > 2) {
		fmt_when(when, sizeof when, sel->created, 1);
		draw_hline(u, bottom - 3, 0, W, ST_RULE);
		draw_textf(bottom - 2, 0, W, ST_LABEL, "%s  %s  data: %s  created %s  mgpt-tui %s",
		    sel->name, store_status_name(sel->status),
		    sel->data_source[0] ? sel->data_source : "bundled names", when, sel->version);
		draw_textf(bottom - 1, 0, W, ST_DIM,
		    "seed %llu  n_embd %d  n_head %d  n_layer %d  block %d  vocab %d  "
		    "snapshot every %ld  T %.2f", (unsigned long long)sel->seed, sel->cfg.n_embd,
		    sel->cfg.n_head, sel->cfg.n_layer, sel->cfg.block_size, sel->cfg.vocab_size,
		    sel->snapshot_every, sel->temperature);
	}
}

int
view_runs_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	struct replay_ui *rp = u->rp;
	const struct run_info *sel = replay_runs_selected(rp);
	int shown = replay_runs_count(rp);
	char err[512], spec[32];

	(void)arg;
	(void)key;
	switch (cmd) {
	case CMD_SEL_DOWN: if (rp->sel + 1 < shown) rp->sel++; break;
	case CMD_SEL_UP: if (rp->sel > 0) rp->sel--; break;
	case CMD_STEP_FIRST: rp->sel = 0; break;
	case CMD_STEP_LAST: rp->sel = shown > 0 ? shown - 1 : 0; break;
	case CMD_STEP100_NEXT: rp->sel = rp->sel + 10 < shown ? rp->sel + 10 : shown > 0 ? shown - 1 : 0; break;
	case CMD_STEP100_PREV: rp->sel = rp->sel > 10 ? rp->sel - 10 : 0; break;
	case CMD_OPEN:
		if (!sel)
			break;
		snprintf(spec, sizeof spec, "%lld", (long long)sel->id);
		if (replay_show_run(u, spec, -1, err, sizeof err) < 0) {
			ui_msg(u, ST_ERR, "%s", err);
			break;
		}
		rp->from_browser = 1;
		return UI_GO(VIEW_RUN);
	case CMD_FILTER:
		rp->prompt = RP_FILTER;
		return UI_GO(VIEW_PROMPT);
	case CMD_RENAME:
		if (!sel)
			break;
		rp->prompt = RP_RENAME;
		return UI_GO(VIEW_PROMPT);
	case CMD_DELETE:
		if (!sel)
			break;
		if (sel->status == RUN_RUNNING) {
			ui_msg(u, ST_ERR, "%s is being trained: stop it first", sel->name);
			break;
		}
		rp->prompt = RP_DELETE;
		return UI_GO(VIEW_PROMPT);
	case CMD_MARK:
		if (sel)
			rp->marked = rp->marked == sel->id ? 0 : sel->id;
		break;
	case CMD_TRAIN:
		return UI_GO(VIEW_FORM);
	case CMD_HELP:
		return UI_GO(VIEW_HELP);
	case CMD_QUIT:
		if (u->runs_back >= 0) {   /* opened from the debugger (R): back to it */
			int back = u->runs_back;

			u->runs_back = -1;
			return UI_GO(back);
		}
		return UI_QUIT;
	default:
		break;
	}
	return UI_STAY;
}

/* What a prompt's accepted text does in the browser. */
void
replay_runs_prompt_done(struct ui *u, const char *text)
{
	struct replay_ui *rp = u->rp;
	const struct run_info *sel = replay_runs_selected(rp);
	struct store *rw;

	switch (rp->prompt) {
	case RP_FILTER:
		snprintf(rp->filter, sizeof rp->filter, "%s", text);
		rp->sel = rp->top = 0;
		break;
	case RP_RENAME:
		if (!sel || !strcmp(text, sel->name))
			break;
		if (!(rw = replay_rw(u)))
			break;
		if (store_rename_run(rw, sel->id, text) < 0)
			ui_msg(u, ST_ERR, "%s", store_errmsg(rw));
		else
			ui_msg(u, ST_OK, "renamed to %s", text);
		replay_rw_done(u);
		replay_runs_reload(u);
		break;
	case RP_DELETE:
		if (!sel || strcmp(text, "y"))
			break;
		if (!(rw = replay_rw(u)))
			break;
		{
			char name[128];

			snprintf(name, sizeof name, "%s", sel->name);
			if (rp->marked == sel->id)
				rp->marked = 0;
			if (store_delete_run(rw, sel) < 0)
				ui_msg(u, ST_ERR, "%s", store_errmsg(rw));
			else
				ui_msg(u, ST_OK, "deleted %s", name);
			replay_rw_done(u);
		}
		replay_runs_reload(u);
		break;
	default:
		break;
	}
}
