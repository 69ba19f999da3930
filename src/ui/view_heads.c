/* SPDX-License-Identifier: MIT */
/* view_heads.c - the heads view (H in the debugger): for one position of
 * the pass, every head at once: its attention over the positions, its
 * output and its place in the concatenation, what it pushes up and down
 * in the logits; the prediction with the heads switched off against every
 * head on, the input's loss both ways, and the decomposition
 * logits = embed + heads + MLP with its largest difference.
 *
 * Every number comes from session/head_report.c (the traces and attrib.c);
 * this file only lays them out. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "ui_priv.h"

/* A vertical bar in one cell for a weight in [0, 1]. */
static const char *
heads_vbar(const struct ui *u, double w)
{
	static const char *uni[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
	                             "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char *asc[] = { " ", ".", ".", ":", "-", "=", "+", "*", "#" };
	int lvl = isnan(w) || w <= 0 ? 0 : (int)ceil(w * 8 - 1e-9);

	if (lvl > 8)
		lvl = 8;
	return u->utf8 ? uni[lvl] : asc[lvl];
}

/* A token as shown: 'a', or BOS. */
static const char *
heads_tok(const struct ui *u, int tok, char *buf)
{
	return dataset_tokstr(u->s.ds, tok, buf, "BOS");
}

int
view_heads_open(struct ui *u)
{
	if (!u->run || !u->s.tr.n_pos) {
		ui_msg(u, ST_ERR, "the heads view needs a pass: type an input with i");
		return -1;
	}
	if (!u->heads_ready) {
		head_report_init(&u->hr, &u->s.cfg);
		u->heads_ready = 1;
	}
	if (u->heads_sel >= u->s.cfg.n_layer * u->s.cfg.n_head)
		u->heads_sel = 0;
	if (u->view == VIEW_SWEEP) {   /* back from the sweep: as it was */
		if (u->heads_pos >= u->s.tr.n_pos)
			u->heads_pos = u->s.tr.n_pos - 1;
		return 0;
	}
	/* the input's loss as training scores a name: the closing BOS too */
	u->heads_score_prev = u->s.score_name;
	if (!u->s.score_name)
		debug_session_set_scoring(&u->s, 1);
	u->heads_pos = u->s.tr.n_pos - 1;   /* the input's last character */
	return 0;
}

void
view_heads_close(struct ui *u)
{
	if (u->heads_ready)
		head_report_free(&u->hr);
	u->heads_ready = 0;
	head_patch_free(&u->hp);
}

/* Title and the orientation line. */
static void
heads_draw_top(struct ui *u, const struct head_report *r)
{
	char hb[96], heads[128], c[16], c2[16], tg[32];
	int x, t;

	draw_fill(0, 0, u->cols, ST_TITLE);
	if (u->s.tr.head_mask) {
		probe_format_heads(u->s.tr.head_mask, &u->s.cfg, hb, sizeof hb);
		snprintf(heads, sizeof heads, "off: %s", hb);
	} else
		snprintf(heads, sizeof heads, "all heads on");
	x = draw_textf(0, 0, u->cols, ST_TITLE, " heads  %s  step %ld  %s", u->run->name,
	    debug_run_step(u->run), heads);
	if (u->cols - x > 8)
		draw_text(0, u->cols - 8, 8, ST_TITLE, "? help ");
	/* the input, the position marked */
	x = draw_text(1, 0, u->cols, ST_LABEL, "input ");
	for (t = 0; t < r->n_pos && x < u->cols - 34; t++) {
		x += draw_text(1, x, 1, ST_NORMAL, " ");
		x += draw_text(1, x, u->cols - x, t == r->pos ? ST_CUR : ST_NORMAL,
		    t == 0 ? "BOS" : heads_tok(u, u->s.tr.token[t], c));
	}
	if (r->target < 0)
		snprintf(tg, sizeof tg, "?");
	else if (r->target == r->vocab - 1)
		snprintf(tg, sizeof tg, "BOS");
	else
		snprintf(tg, sizeof tg, "'%s'", heads_tok(u, r->target, c2));
	snprintf(hb, sizeof hb, "pos %d %s%s%s -> predicting %s", r->pos, r->pos ? "'" : "",
	    r->pos ? heads_tok(u, u->s.tr.token[r->pos], c) : "BOS", r->pos ? "'" : "", tg);
	draw_text(1, u->cols - draw_width(hb) - 1, draw_width(hb) + 1, ST_DIM, hb);
}

/* A head's push with d decimals; compact drops the 0 before the point
 * ("+.12"), which keeps two decimals within 80 columns. */
static const char *
heads_fmt_push(double v, int d, int compact, char *buf)
{
	snprintf(buf, 24, "%+.*f", d, v);
	if (compact && buf[1] == '0' && buf[2] == '.')
		memmove(buf + 1, buf + 2, strlen(buf + 2) + 1);
	return buf;
}

/* The decimals the pushes of a head need to differ where their values do:
 * two, or up to four when two shown values would print alike. */
static int
heads_push_decimals(const struct head_report_head *e)
{
	double v[2 * HEAD_REPORT_TOP];
	char a[24], b[24];
	int n = 0, d, i, j, same;

	for (i = 0; i < HEAD_REPORT_TOP; i++) {
		if (e->up[i] >= 0)
			v[n++] = e->logits[e->up[i]];
		if (e->down[i] >= 0)
			v[n++] = e->logits[e->down[i]];
	}
	for (d = 2; d < 4; d++) {
		for (same = 0, i = 0; i < n && !same; i++)
			for (j = i + 1; j < n && !same; j++)
				same = v[i] != v[j] && !strcmp(heads_fmt_push(v[i], d, 0, a),
				    heads_fmt_push(v[j], d, 0, b));
		if (!same)
			break;
	}
	return d;
}

/* Two rows per head: what it writes and pushes, and its attention. */
static int
heads_draw_heads(struct ui *u, const struct head_report *r, int y)
{
	const int wide = u->cols >= 100, cell = 4, x0 = 7;
	char c[16], num[48], fb[24];
	int i, k, t, x, d;

	x = draw_text(y, 0, x0, ST_LABEL, "attn");
	for (t = 0; t <= r->pos; t++)
		draw_textf(y, x0 + t * cell, cell, ST_DIM, "%*s", cell - 1,
		    t == 0 ? "BOS" : heads_tok(u, u->s.tr.token[t], c));
	(void)x;
	y++;
	for (i = 0; i < r->n_heads; i++) {
		const struct head_report_head *e = &r->heads[i];
		enum style st = e->off ? ST_OFF : ST_NORMAL;

		/* the selected head (the one P patches) in the selection's style */
		if (u->s.cfg.n_layer > 1)
			x = draw_textf(y, 0, u->cols, i == u->heads_sel ? ST_SEL : ST_KEY, "L%dH%d",
			    e->layer, e->head);
		else
			x = draw_textf(y, 0, u->cols, i == u->heads_sel ? ST_SEL : ST_KEY, "H%d", e->head);
		x += draw_text(y, x, 1, ST_NORMAL, " ");
		x += draw_text(y, x, 4, e->off ? ST_ERR : ST_OK, e->off ? "off " : "on  ");
		if (wide)   /* where it lands in the concatenation (at 80 columns: h*D..) */
			x += draw_textf(y, x, u->cols - x, ST_DIM, "[%d:%d] ", e->cat_lo,
			    e->cat_lo + r->head_size);
		for (k = 0; k < r->head_size && x < u->cols - 10; k++)
			x += draw_textf(y, x, u->cols - x, st, wide ? "%+.3f " : "%+.2f ", e->out[k]);
		if (e->off) {   /* its slice of the concatenation is zero */
			draw_text(y, x, u->cols - x, ST_OFF, " adds nothing to the logits");
			goto attention;
		}
		d = heads_push_decimals(e);
		x += draw_text(y, x, u->cols - x, ST_OK, draw_glyph(u, " \u2191", " +"));
		for (k = 0; k < HEAD_REPORT_TOP && e->up[k] >= 0; k++) {
			snprintf(num, sizeof num, "%s%s ", heads_tok(u, e->up[k], c),
			    heads_fmt_push(e->logits[e->up[k]], d, !wide, fb));
			x += draw_text(y, x, u->cols - x, st, num);
		}
		x += draw_text(y, x, u->cols - x, ST_ERR, draw_glyph(u, "\u2193", "-"));
		for (k = 0; k < HEAD_REPORT_TOP && e->down[k] >= 0; k++) {
			snprintf(num, sizeof num, "%s%s ", heads_tok(u, e->down[k], c),
			    heads_fmt_push(e->logits[e->down[k]], d, !wide, fb));
			x += draw_text(y, x, u->cols - x, st, num);
		}
attention:
		y++;
		/* its weights over positions 0..pos: a bar and the number */
		for (t = 0; t <= r->pos; t++) {
			double w = e->att_w[t];

			if (w >= 0.995)
				snprintf(num, sizeof num, "1.0");
			else
				snprintf(num, sizeof num, ".%02d", (int)lround(w * 100));
			draw_text(y, x0 + t * cell, 1, e->off ? ST_OFF : ST_BAR, heads_vbar(u, w));
			draw_text(y, x0 + t * cell + 1, cell - 1, st, num);
		}
		y++;
	}
	return y;
}

/* The prediction: the characters most likely now, each against every head
 * on, and the logit in its three parts. */
static int
heads_draw_prediction(struct ui *u, const struct head_report *r, int y, int bottom)
{
	int order[256], n = 0, i, j, v, x;
	char c[16];

	draw_hline(u, y++, 0, u->cols, ST_RULE);
	if (isnan(r->loss))
		draw_text(y++, 0, u->cols, ST_DIM, "input loss: no position scored");
	else
		draw_textf(y++, 0, u->cols, ST_NORMAL,
		    "input loss %.4f (%d positions)  all heads on %.4f  change %+.4f",
		    r->loss, r->n_scored, r->loss_all, r->loss - r->loss_all);
	draw_textf(y++, 0, u->cols, ST_DIM,
	    "logits = embed + heads + MLP: largest |difference| %.1e", r->max_diff);
	x = draw_textf(y, 0, u->cols, ST_LABEL, "char  p now   vs all on     logit =   embed +   heads +     mlp");
	(void)x;
	y++;
	for (v = 0; v < r->vocab && n < 256; v++)
		order[n++] = v;
	for (i = 1; i < n; i++)   /* most likely first; ties by token */
		for (j = i; j > 0 && r->probs[order[j]] > r->probs[order[j - 1]]; j--) {
			int k = order[j];

			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	for (i = 0; i < n && y < bottom; i++, y++) {
		double p = r->probs[order[i]], d = p - r->probs_all[order[i]];
		enum style st = order[i] == r->target ? ST_CUR : ST_NORMAL;

		v = order[i];
		draw_textf(y, 0, u->cols, st, "%-4s  %.4f  %+.4f  %8.3f  %8.3f  %8.3f  %8.3f",
		    heads_tok(u, v, c), p, d, r->logits[v], r->parts.embed[v], r->heads_sum[v], r->mlp_sum[v]);
		if (u->cols >= 100)
			draw_bar(u, y, 72, u->cols - 74, p, ST_BAR);
	}
	return y;
}

/* The logit lens: per point of the residual stream, the characters it
 * would predict most (lm_head applied there), with their logits. */
static int
heads_draw_lens(struct ui *u, const struct head_report *r, int y)
{
	char name[32], c[16], num[32];
	int p, k, x;

	draw_hline(u, y++, 0, u->cols, ST_RULE);
	draw_text(y++, 0, u->cols, ST_LABEL, "logit lens: lm_head applied to the residual stream at each point");
	for (p = 0; p < r->n_points; p++, y++) {
		const double *lv = r->lens + (size_t)p * r->vocab;
		const int *top = r->lens_top + (size_t)p * HEAD_REPORT_LENS;

		x = draw_textf(y, 0, u->cols, ST_KEY, "%-8s", attrib_lens_name(p, name, sizeof name));
		for (k = 0; k < HEAD_REPORT_LENS && top[k] >= 0 && x < u->cols - 12; k++) {
			snprintf(num, sizeof num, " %s %+.2f ", heads_tok(u, top[k], c), lv[top[k]]);
			x += draw_text(y, x, u->cols - x, top[k] == r->target ? ST_CUR : ST_NORMAL, num);
		}
	}
	return y;
}

void
view_heads_draw(struct ui *u)
{
	struct head_report *r = &u->hr;
	int y, bottom = u->rows - 1;

	erase();
	head_report_fill(r, &u->s, u->heads_pos);
	u->heads_pos = r->pos;
	heads_draw_top(u, r);
	if (u->heads_map)
		heads_draw_map(u, 2, bottom);
	else {
		y = heads_draw_heads(u, r, 2);
		/* the patch in the prediction's place while a patch text is set;
		 * else the lens beside the prediction when there is room, or in
		 * its place (L) */
		if (u->hp.on)
			heads_draw_patch(u, r, y, bottom);
		else {
			if (u->heads_lens || bottom - y >= 12 + r->n_points + 2)
				y = heads_draw_lens(u, r, y);
			if (!u->heads_lens || bottom - y >= 6)
				heads_draw_prediction(u, r, y, bottom);
		}
	}
	draw_fill(bottom, 0, u->cols, ST_NORMAL);
	if (u->msg[0])
		draw_text(bottom, 0, u->cols, u->msg_style, u->msg);
	else if (u->heads_map)
		draw_text(bottom, 0, u->cols, ST_DIM, " h l other heads   1-9 head off/on   T or q back to the heads   ? keys");
	else
		draw_text(bottom, 0, u->cols, ST_DIM,
		    " \u2190\u2192 position  j k head  1-9 off/on  P patch  T maps  L lens  A sweep  ? keys");
}

int
view_heads_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	const int H = u->s.cfg.n_head, n = u->s.cfg.n_layer * H;

	(void)key;
	switch (cmd) {
	case CMD_STEP_BACK:
		if (u->heads_map) {   /* the maps: the previous head first */
			if (u->heads_map_first > 0)
				u->heads_map_first--;
		} else if (u->heads_pos > 0)
			u->heads_pos--;
		break;
	case CMD_STEP:
		if (u->heads_map) {
			if (u->heads_map_first < n - 1)
				u->heads_map_first++;
		} else if (u->heads_pos < u->s.tr.n_pos - 1)
			u->heads_pos++;
		break;
	case CMD_SEL_DOWN:
		if (u->heads_sel < n - 1)
			u->heads_sel++;
		break;
	case CMD_SEL_UP:
		if (u->heads_sel > 0)
			u->heads_sel--;
		break;
	case CMD_PATCH:
		return UI_GO(VIEW_PATCH);
	case CMD_HEATMAP:
		u->heads_map = !u->heads_map;
		break;
	case CMD_HEAD:
		/* the same session call as the debugger's toggles; heads counted
		 * layer by layer */
		if (arg >= n)
			ui_msg(u, ST_ERR, "the model has heads 1-%d", n < 9 ? n : 9);
		else {
			debug_session_toggle_head(&u->s, arg / H, arg % H);
			ui_take_session_msg(u);
		}
		break;
	case CMD_HEADS_ON:
		debug_session_heads_on(&u->s);
		ui_take_session_msg(u);
		break;
	case CMD_SWEEP:
		return UI_GO(VIEW_SWEEP);
	case CMD_LENS:
		u->heads_lens = !u->heads_lens;
		break;
	case CMD_HELP:
		return UI_GO(VIEW_HELP);
	case CMD_CLOSE:
		break;
	case CMD_QUIT: case CMD_HEADS_VIEW:
		if (u->heads_map && cmd == CMD_QUIT) {   /* q leaves the maps first */
			u->heads_map = 0;
			break;
		}
		if (u->s.score_name != u->heads_score_prev)
			debug_session_set_scoring(&u->s, u->heads_score_prev);
		if (u->heads_back >= 0) {   /* opened from the run view (H): back to it */
			int back = u->heads_back;

			u->heads_back = -1;
			return UI_GO(back);
		}
		return UI_GO(VIEW_DEBUG);
	default:
		ui_msg(u, ST_DIM, "no command on that key here (? lists the keys)");
		break;
	}
	return UI_STAY;
}
