/* SPDX-License-Identifier: MIT */
/* view_run.c - one run over its training: the loss curve with a cursor,
 * scrubbing, the pinned probe at the cursor's step (and how it changed
 * since the step shown before), per-head statistics as sparklines, the
 * names the weights sample, compare with a marked run.
 *
 * Every number drawn is read from struct replay_run, which the engine
 * filled (store_seek, the probe's trace, headstats); nothing is computed
 * here but layout.
 *
 *   title     run, status, step / steps, the step's loss in full
 *   curve     loss over all steps, cursor, moving average, -log(1/V)
 *   legend    one row
 *   probe     pinned head's attention | all heads | next character
 *   stats     one row a head: entropy, weight on previous, on BOS; the
 *             gradient's norm and the update / weight ratio of its blocks
 *             (g, or both when wide); its role since a step
 *   names     sampled at the step
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"
#include "replay_ui.h"
#include "head_report.h"

/* At this width every statistic has its sparkline; below, g switches
 * between the attention's and training's. */
#define STATS_ALL_COLS 140

/* plot styles onto screen styles (each has its monochrome twin) */

static const char *
tokname(const struct replay_run *rr, int t, char buf[16])
{
	if (t == rr->run.cfg.vocab_size - 1)
		return "BOS";
	return dataset_tokstr(&rr->ds, t, buf, "BOS");
}

static void
fmt_delta(char *buf, size_t n, double d, int have)
{
	if (!have)
		snprintf(buf, n, "%6s", "");
	else
		snprintf(buf, n, "%+6.3f", d);
}

/* The pinned head's weights at the pinned position, one row a position. */
static void
draw_attention(struct ui *u, const struct replay_run *rr, int y, int x, int w, int h,
    const char *title)
{
	const int T = rr->run.cfg.block_size;
	const struct trace *c = &rr->cur, *p = &rr->prev;
	const double *wc = c->att_w + trace_lth(c, rr->layer, rr->pos, rr->head) * T;
	const double *wp = p->att_w + trace_lth(p, rr->layer, rr->pos, rr->head) * T;
	const int have = rr->prev_step >= 0 && p->n_pos > rr->pos;
	int j, j0 = 0, bw = w - 4 - 7 - 7;
	char tb[16], d[16];

	draw_text(y, x, w, ST_LABEL, title);
	if (rr->pos + 1 > h - 1)
		j0 = rr->pos + 1 - (h - 1);
	for (j = j0; j <= rr->pos && y + 1 + j - j0 < y + h; j++) {
		int r = y + 1 + j - j0;

		draw_textf(r, x, 4, j == rr->pos ? ST_LABEL : ST_NORMAL, "%3.3s",
		    tokname(rr, c->token[j], tb));
		draw_bar(u, r, x + 4, bw, wc[j], ST_BAR);
		draw_textf(r, x + 4 + bw, 7, ST_NORMAL, " %.3f", wc[j]);
		fmt_delta(d, sizeof d, wc[j] - wp[j], have);
		draw_text(r, x + 4 + bw + 7, 7, draw_ramp(have ? wc[j] - wp[j] : 0, 0.2), d);
	}
}

/* Every head's weights at the pinned position as shades. */
static void
draw_grid(struct ui *u, const struct replay_run *rr, int y, int x, int w, int h)
{
	const int T = rr->run.cfg.block_size, H = rr->run.cfg.n_head;
	const struct trace *c = &rr->cur, *p = &rr->prev;
	const int have = rr->prev_step >= 0 && p->n_pos > rr->pos;
	int l, hd, j, r = y + 1, n = rr->pos + 1, j0 = 0;

	draw_text(y, x, w, ST_LABEL, !have ? "all heads" : u->utf8 ? "all heads  \u0394" : "all heads  chg");
	if (5 + n > w)
		j0 = n - (w - 5);
	for (l = 0; l < rr->run.cfg.n_layer; l++)
		for (hd = 0; hd < H && r < y + h; hd++, r++) {
			int pinned = l == rr->layer && hd == rr->head;
			const double *wc = c->att_w + trace_lth(c, l, rr->pos, hd) * T;
			const double *wp = p->att_w + trace_lth(p, l, rr->pos, hd) * T;

			draw_textf(r, x, 5, pinned ? ST_SEL : ST_DIM, "L%dH%d", l, hd);
			for (j = j0; j < n; j++)
				draw_text(r, x + 5 + j - j0, 1, ST_BAR, draw_shade(u, wc[j], 1.0));
			/* the change, signed, on the diverging ramp, if it fits */
			if (have && 5 + 2 * (n - j0) + 1 <= w)
				for (j = j0; j < n; j++) {
					double dd = wc[j] - wp[j];
					draw_text(r, x + 5 + (n - j0) + 1 + j - j0, 1, draw_ramp(dd, 0.2),
					    fabs(dd) < 0.02 ? draw_glyph(u, "\u00b7", ".") :
					    dd > 0 ? "+" : "-");
				}
		}
}

/* The next character at the pinned position: the most likely first. */
static void
draw_next(struct ui *u, const struct replay_run *rr, int y, int x, int w, int h)
{
	const int V = rr->run.cfg.vocab_size;
	const double *pc = rr->cur.probs + (size_t)rr->pos * V;
	const double *pp = rr->prev.probs + (size_t)rr->pos * V;
	const int have = rr->prev_step >= 0 && rr->prev.n_pos > rr->pos;
	const int target = rr->cur.target[rr->pos];
	int order[64], k, i, j, n = V < 64 ? V : 64, bw = w - 5 - 7 - 7;
	char tb[16], d[16];

	/* the n most likely, by insertion into a short sorted list */
	k = 0;
	for (i = 0; i < V; i++) {
		if (k == n && pc[i] <= pc[order[k - 1]])
			continue;
		j = k < n ? k++ : n - 1;
		for (; j > 0 && pc[order[j - 1]] < pc[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	draw_textf(y, x, w, ST_LABEL, "next after '%s'",
	    tokname(rr, rr->cur.token[rr->pos], tb));
	for (i = 0; i < k && i < h - 1; i++) {
		int t = order[i], r = y + 1 + i;

		draw_textf(r, x, 5, t == target ? ST_MARK : ST_NORMAL, "%s%3.3s",
		    t == target ? draw_glyph(u, "\u25b8", ">") : " ", tokname(rr, t, tb));
		draw_bar(u, r, x + 5, bw, pc[t], ST_BAR);
		draw_textf(r, x + 5 + bw, 7, ST_NORMAL, " %.3f", pc[t]);
		fmt_delta(d, sizeof d, pc[t] - pp[t], have);
		draw_text(r, x + 5 + bw + 7, 7, draw_ramp(have ? pc[t] - pp[t] : 0, 0.1), d);
	}
}

/* A head's role over training, in at most w cells: "prev-char 412",
 * and "(380)" when it first showed before the stretch it holds. */
static void
fmt_role(char *buf, size_t n, const struct head_role_span *r, int w)
{
	int k = snprintf(buf, n, "%s %ld", head_role_name(r->role), r->since);

	if (r->first < r->since && k + 2 + snprintf(NULL, 0, "%ld", r->first) <= w)
		snprintf(buf + k, n - (size_t)k, "(%ld)", r->first);
}

/* One row a head: sparklines over the run with the shown step's values
 * (the attention statistics, or what training did to the head: g, or both
 * when wide), and its role. */
static void
draw_stats(struct ui *u, struct replay_ui *rp, int y, int x, int w, int h)
{
	struct replay_run *rr = &rp->rr;
	const int H = rr->run.cfg.n_head, nh = rr->run.cfg.n_layer * H;
	const double ent_max = log((double)(rr->cur.n_pos > 1 ? rr->cur.n_pos : 2));
	const size_t hs_stride = (size_t)nh * (sizeof(struct headstat) / sizeof(double));
	const size_t gs_stride = (size_t)nh * (sizeof(struct gradstat) / sizeof(double));
	static const char *const name[5] = { "ent", "prev", "bos", "grad", "upd" };
	const int all = w >= STATS_ALL_COLS, k0 = all || !rp->grad_set ? 0 : 3,
	    k1 = all || rp->grad_set ? 5 : 3, rw = 16;
	const long n_gs = rr->n_hs > 1 ? rr->n_hs - 1 : 0;
	const long gs_at = rr->cur_step >= 1 && rr->cur_step <= n_gs ? rr->cur_step - 1 : -1;
	int sw = (w - 5 - rw - (k1 - k0) * 12) / (k1 - k0), i, k, r;
	double lo[5] = { 0, 0, 0, 0, 0 }, hi[5] = { ent_max, 1, 1, 0, 0 };
	char lab[48];
	long s;

	if (rr->n_hs <= rr->run.steps_done)
		draw_textf(y, x, w, ST_LABEL, "head statistics, probe \"%s\" (computing: %ld of %ld steps)",
		    rr->probe_text, rr->n_hs, rr->run.steps_done + 1);
	else
		draw_textf(y, x, w, ST_LABEL, "head statistics over steps 0-%ld, probe \"%s\"",
		    rr->run.steps_done, rr->probe_text);
	snprintf(lab, sizeof lab, "%srole since (first)", all ? "" : rp->grad_set ? "g: attention  " :
	    "g: gradients  ");
	draw_text(y, x + w - draw_width(lab) > 0 ? x + w - draw_width(lab) : 0, draw_width(lab), ST_DIM, lab);
	if (sw < 4)
		return;
	/* the gradient figures on one scale for every head: heads compare */
	for (s = 0; s < n_gs * nh; s++) {
		if (rr->gs[s].grad_norm > hi[3])
			hi[3] = rr->gs[s].grad_norm;
		if (rr->gs[s].update_ratio > hi[4])
			hi[4] = rr->gs[s].update_ratio;
	}
	plot_grid_init(&rp->spark, w, h - 1 > 0 ? h - 1 : 0, replay_charset(u));
	for (i = 0, r = 0; i < nh && r < h - 1; i++, r++) {
		const struct headstat *now = &rr->hs_now[i];
		const double v[5] = { now->entropy, now->prev, now->bos,
		    gs_at >= 0 ? rr->gs[(size_t)gs_at * nh + i].grad_norm : NAN,
		    gs_at >= 0 ? rr->gs[(size_t)gs_at * nh + i].update_ratio : NAN };
		int cx = 5;

		snprintf(lab, sizeof lab, "L%dH%d", i / H, i % H);
		plot_text(&rp->spark, 0, r, lab,
		    i == rr->layer * H + rr->head ? PLOT_S_CURSOR : PLOT_S_LABEL);
		for (k = k0; k < k1; k++) {
			char num[16];

			plot_text(&rp->spark, cx, r, name[k], PLOT_S_LABEL);
			if (k < 3 && rr->n_hs > 0)
				plot_sparkline(&rp->spark, cx + 5, r, sw, &rr->hs[i].entropy + k, rr->n_hs,
				    hs_stride, lo[k], hi[k], rr->cur_step, PLOT_S_SPARK);
			else if (k >= 3 && n_gs > 0)
				plot_sparkline(&rp->spark, cx + 5, r, sw, &rr->gs[i].grad_norm + (k - 3), n_gs,
				    gs_stride, lo[k], hi[k], rr->cur_step - 1, PLOT_S_SPARK);
			if (isnan(v[k]))
				snprintf(num, sizeof num, " %5s", "");
			else if (k == 4)
				snprintf(num, sizeof num, " %5.0e", v[k]);
			else
				snprintf(num, sizeof num, " %5.2f", v[k]);
			plot_text(&rp->spark, cx + 5 + sw, r, num, PLOT_S_NONE);
			cx += 5 + sw + 7;
		}
		if (rr->n_hs > 0) {
			fmt_role(lab, sizeof lab, &rr->roles[i], rw - 1);
			plot_text(&rp->spark, w - rw + 1, r, lab, PLOT_S_LABEL);
		}
	}
	replay_blit(&rp->spark, y + 1, x);
}

static void
draw_title(struct ui *u, struct replay_ui *rp)
{
	struct replay_run *rr = &rp->rr;
	char loss[64], right[96] = "";
	long s = rr->cur_step;
	int x, bw;

	draw_fill(0, 0, u->cols, ST_TITLE);
	if (s >= 1 && s <= rr->n_loss)
		snprintf(loss, sizeof loss, "loss %.17g", rr->loss[s - 1]);
	else
		snprintf(loss, sizeof loss, "initial weights");
	x = draw_textf(0, 0, u->cols, ST_TITLE, " %s  %s  step %ld / %ld  %s", rr->run.name,
	    store_status_name(rr->run.status), s, rr->run.steps_done, loss);
	/* a run being trained (here or elsewhere): its progress */
	if (rr->run.status == RUN_RUNNING) {
		int here = rp->lt && rp->lt->run.id == rr->run.id;

		snprintf(right, sizeof right, " %3ld%%%s ", rr->run.n_steps ?
		    rr->run.steps_done * 100 / rr->run.n_steps : 0,
		    here ? (rp->lt->paused ? " paused, p goes on" : " p pauses") : "");
		bw = u->cols - x - 2 - draw_width(right);
		if (bw > 30)
			bw = 30;
		if (bw >= 5) {
			draw_bar(u, 0, u->cols - bw - draw_width(right) - 1, bw,
			    rr->run.n_steps ? (double)rr->run.steps_done / rr->run.n_steps : 0, ST_OK);
			draw_text(0, u->cols - draw_width(right) - 1, draw_width(right), ST_TITLE, right);
		}
	} else if (rp->play)
		draw_text(0, u->cols - 12, 12, ST_TITLE, rp->play > 0 ? " playing >> " : " playing << ");
}

void
view_run_draw(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	struct replay_run *rr = &rp->rr;
	const int W = u->cols, bottom = u->status.y;
	int y, ch, ph, aw, gw, nw, sh, n_heads, avail, want;
	char ref[64];

	erase();
	draw_title(u, rp);
	n_heads = rr->run.cfg.n_layer * rr->run.cfg.n_head;

	/* rows: the statistics a row a head; the rest split between the
	 * curve and the probe, the probe taking no more than it can fill */
	sh = n_heads + 1;
	avail = bottom - 4 - sh;          /* title, legend, probe header, names */
	if (avail < 10) {
		int cut = sh - 2 < 10 - avail ? sh - 2 : 10 - avail;
		sh -= cut;
		avail += cut;
	}
	want = rr->cur.n_pos;
	if (want < n_heads)
		want = n_heads;
	if (want < 12 && rr->run.cfg.vocab_size > want)
		want = rr->run.cfg.vocab_size < 12 ? rr->run.cfg.vocab_size : 12;
	want++;
	ch = avail / 2 > 5 ? avail / 2 : 5;
	ph = avail - ch;
	if (ph > want) {
		ch += ph - want;
		ph = want;
	}
	if (ph < 2)
		ph = 2;
	y = 1;
	plot_grid_init(&rp->grid, W, ch, replay_charset(u));
	{
		struct plot_loss_opts o = { rr->run.n_steps, rr->cur_step,
		    log((double)rr->run.cfg.vocab_size), replay_ma_window(rr->run.n_steps),
		    rp->have_cmp ? rp->cmp.loss : NULL, rp->have_cmp ? rp->cmp.n_loss : 0, rp->log_x };
		plot_loss(&rp->grid, rr->loss, rr->n_loss, &o);
	}
	replay_blit(&rp->grid, y, 0);
	y += ch;

	/* the legend */
	snprintf(ref, sizeof ref, "%.2f = -log(1/%d), a uniform guess", log((double)rr->run.cfg.vocab_size),
	    rr->run.cfg.vocab_size);
	{
		int x = 0;
		/* the glyphs plot_loss draws each with, so the legend holds without colour */
		if (replay_ma_window(rr->run.n_steps) > 1) {
			x += draw_textf(y, x, W - x, ST_KEY, "%s avg %d", u->utf8 ? "\u2812\u2812" : "--",
			    replay_ma_window(rr->run.n_steps));
			x += draw_text(y, x, W - x, ST_DIM, u->utf8 ? "  \u00b7\u00b7 per step  " : "  .. per step  ");
		} else   /* too few steps to average: the losses are the line */
			x += draw_textf(y, x, W - x, ST_KEY, "%s per step  ", u->utf8 ? "\u2812\u2812" : "--");
		if (rp->log_x)
			x += draw_text(y, x, W - x, ST_LABEL, "log steps  ");
		x += draw_textf(y, x, W - x, ST_MARK, "%s %s", u->utf8 ? "\u2504" : "- -", ref);
		if (rp->have_cmp)
			draw_textf(y, x, W - x, ST_BAR_ALT, "  %s %s", u->utf8 ? "\u2500\u2500" : "--",
			    rp->cmp.run.name);
	}
	y++;

	/* the probe */
	{
		char tb[16];
		draw_hline(u, y, 0, W, ST_RULE);
		draw_textf(y, 1, W - 2, ST_LABEL,
		    " probe \"%s\"  pos %d '%s'  head L%dH%d  %s ", rr->probe_text, rr->pos,
		    tokname(rr, rr->cur.token[rr->pos], tb), rr->layer, rr->head,
		    rr->prev_step >= 0 ? "" : "");
		if (rr->prev_step >= 0) {
			char since[64];

			snprintf(since, sizeof since, " changes since step %ld ", rr->prev_step);
			draw_text(y, W - 1 - draw_width(since) > 0 ? W - 1 - draw_width(since) : 0,
			    draw_width(since), ST_DIM, since);
		}
	}
	y++;
	aw = W * 38 / 100 > 56 ? 56 : W * 38 / 100;
	nw = W * 32 / 100 > 50 ? 50 : W * 32 / 100;
	gw = W - aw - nw - 2;
	{
		char t[96];
		snprintf(t, sizeof t, "L%dH%d at '%s'", rr->layer, rr->head,
		    tokname(rr, rr->cur.token[rr->pos], (char[16]){0}));
		draw_attention(u, rr, y, 0, aw, ph, t);
		if (rp->have_cmp && rp->cmp.cur.n_pos > rr->pos) {
			char t2[160];

			rp->cmp.layer = rr->layer;
			rp->cmp.head = rr->head;
			rp->cmp.pos = rr->pos;
			snprintf(t2, sizeof t2, "%s @ %ld", rp->cmp.run.name, rp->cmp.cur_step);
			draw_attention(u, &rp->cmp, y, aw + 1, gw, ph, t2);
		} else
			draw_grid(u, rr, y, aw + 1, gw, ph);
		draw_next(u, rr, y, aw + 1 + gw + 1, nw, ph);
	}
	y += ph;

	if (!run_sweep_draw(u, y, W, sh))   /* A: the sweep over training in its place */
		draw_stats(u, rp, y, 0, W, sh);
	y += sh;

	{
		static const char *const hints[] = {
			"] [", "step", "?", "help", "q", "back", ":", "go to", "Space -", "play",
			"Enter", "debugger", "} {", "10", "PgDn PgUp", "100", "Tab", "position", "h l", "head",
			"m", "mark",
		};
		replay_draw_status(u, hints, (int)(sizeof hints / sizeof hints[0]));
	}
	/* the names */
	if (y < bottom) {
		int x, i;

		x = draw_textf(y, 0, W, ST_LABEL, "names at step %ld (T %.2f): ", rr->cur_step,
		    rr->run.temperature);
		for (i = 0; i < REPLAY_N_SAMPLES && x < W; i++)
			x += draw_textf(y, x, W - x, ST_NORMAL, "%s%s", i ? "  " : "", rr->names[i]);
	}
}

/* ---- keys ---- */

static void
go(struct ui *u, long step)
{
	struct replay_ui *rp = u->rp;
	char err[256];

	if (replay_goto(&rp->rr, step, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s", err);
		return;
	}
	if (rp->have_cmp && replay_goto(&rp->cmp, step, err, sizeof err) < 0)
		ui_msg(u, ST_ERR, "%s: %s", rp->cmp.run.name, err);
}

static void
toggle_mark(struct ui *u)
{
	struct replay_ui *rp = u->rp;

	if (rp->marked == rp->rr.run.id) {
		rp->marked = 0;
		ui_msg(u, ST_OK, "unmarked %s", rp->rr.run.name);
	} else {
		rp->marked = rp->rr.run.id;
		ui_msg(u, ST_OK, "marked %s: open another run to compare with it", rp->rr.run.name);
	}
}

int
view_run_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	struct replay_ui *rp = u->rp;
	struct replay_run *rr = &rp->rr;
	const long s = rr->cur_step, last = rr->run.steps_done;
	const int H = rr->run.cfg.n_head, nh = rr->run.cfg.n_layer * H;
	int k;

	(void)arg;
	(void)key;
	if (cmd == CMD_HELP)
		return UI_GO(VIEW_HELP);
	if (cmd == CMD_RUNS)
		return UI_GO(VIEW_RUNS);
	if (rp->play) {
		/* any key stops playing, and does nothing else */
		rp->play = 0;
		return UI_STAY;
	}
	switch (cmd) {
	case CMD_TRAIN_NEXT: go(u, s + 1); break;
	case CMD_TRAIN_PREV: go(u, s - 1); break;
	case CMD_STEP10_NEXT: go(u, s + 10); break;
	case CMD_STEP10_PREV: go(u, s - 10); break;
	case CMD_STEP100_NEXT: go(u, s + 100); break;
	case CMD_STEP100_PREV: go(u, s - 100); break;
	case CMD_STEP_FIRST: go(u, 0); break;
	case CMD_STEP_LAST: go(u, last); break;
	case CMD_GOTO:
		rp->prompt = RP_STEP;
		return UI_GO(VIEW_PROMPT);
	case CMD_PLAY:
	case CMD_PLAY_BACK:
		rp->play = cmd == CMD_PLAY ? 1 : -1;
		rp->next_frame = 0;
		break;
	case CMD_POS_NEXT:
		if (rr->pos + 1 < rr->cur.n_pos)
			rr->pos++;
		break;
	case CMD_POS_PREV:
		if (rr->pos > 0)
			rr->pos--;
		break;
	case CMD_EDIT:
		rp->prompt = RP_PROBE;
		return UI_GO(VIEW_PROMPT);
	case CMD_MARK:
		toggle_mark(u);
		replay_ui_compare(u);
		break;
	case CMD_OPEN:
		return replay_open_debugger(u);
	case CMD_TRAIN_STEP:
		return view_train_step_from_run(u);
	case CMD_HEADS_VIEW:
		return replay_open_heads(u);
	case CMD_LOG_X:
		rp->log_x = !rp->log_x;
		break;
	case CMD_GRAD_SET:
		rp->grad_set = !rp->grad_set;
		break;
	case CMD_PAUSE:
		if (rp->lt && rp->lt->run.id == rr->run.id && rp->lt->state == TRAIN_RUNNING) {
			rp->lt->paused = !rp->lt->paused;
			ui_msg(u, ST_OK, "%s %s", rr->run.name, rp->lt->paused ? "paused" : "training again");
		} else
			ui_msg(u, ST_DIM, "p pauses a run trained in this window");
		break;
	case CMD_HEAD_NEXT:
	case CMD_HEAD_PREV:
		k = rr->layer * H + rr->head + (cmd == CMD_HEAD_NEXT ? 1 : nh - 1);
		rr->layer = k % nh / H;
		rr->head = k % nh % H;
		break;
	case CMD_SWEEP:
		return run_sweep_key(u);
	case CMD_QUIT:
		return rp->from_browser ? UI_GO(VIEW_RUNS) : UI_QUIT;
	default:
		break;
	}
	return UI_STAY;
}
