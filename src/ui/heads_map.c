/* SPDX-License-Identifier: MIT */
/* heads_map.c - the heads view's attention maps (T): for every head, the
 * T x T attention of the whole input, one row per query position over the
 * key positions it sees (0..t), each cell the weight from the pass's trace
 * (att_w) as a shade and two digits. Heads side by side and in rows as
 * many as fit; when not all fit, h and l move the first head shown. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "ui_priv.h"

/* A shade for a weight in [0, 1]: intensity only (the weights have no
 * sign), readable without colour. */
static const char *
map_shade(const struct ui *u, double w)
{
	static const char *uni[] = { " ", "\u2591", "\u2592", "\u2593", "\u2588" };
	static const char *asc[] = { " ", ".", ":", "-", "=", "+", "*", "#", "%", "@" };
	int lvl;

	if (isnan(w) || w <= 0)
		return " ";
	if (u->utf8) {
		lvl = (int)ceil(w * 4 - 1e-9);
		return uni[lvl > 4 ? 4 : lvl < 1 ? 1 : lvl];
	}
	lvl = (int)ceil(w * 9 - 1e-9);
	return asc[lvl > 9 ? 9 : lvl < 1 ? 1 : lvl];
}

/* One head's map at (y, x): its name, the key positions, a row a query. */
static void
map_draw_head(struct ui *u, int idx, int y, int x, int cw)
{
	const struct trace *tr = &u->s.tr;
	const int H = u->s.cfg.n_head, T = u->s.cfg.block_size, n = tr->n_pos;
	const int l = idx / H, h = idx % H, off = model_head_off(tr->head_mask, &u->s.cfg, l, h);
	char c[16], num[8];
	int t, k;

	if (u->s.cfg.n_layer > 1)
		draw_textf(y, x, 4 + n * cw, ST_KEY, "L%dH%d%s", l, h, off ? " (off)" : "");
	else
		draw_textf(y, x, 4 + n * cw, ST_KEY, "H%d%s", h, off ? " (off)" : "");
	for (k = 0; k < n; k++)   /* the key positions */
		draw_textf(y + 1, x + 4 + k * cw, cw, ST_DIM, "%*s", cw, k == 0 ? (cw > 2 ? "BOS" : "^")
		    : dataset_tokstr(u->s.ds, tr->token[k], c, "BOS"));
	for (t = 0; t < n; t++) {
		const double *w = tr->att_w + trace_lth(tr, l, t, h) * T;

		draw_textf(y + 2 + t, x, 4, ST_DIM, "%3s ", t == 0 ? "BOS"
		    : dataset_tokstr(u->s.ds, tr->token[t], c, "BOS"));
		for (k = 0; k <= t; k++) {
			draw_text(y + 2 + t, x + 4 + k * cw, 1, off ? ST_OFF : ST_BAR, map_shade(u, w[k]));
			if (cw < 4)
				continue;
			if (w[k] >= 0.995)
				snprintf(num, sizeof num, "1.0");
			else
				snprintf(num, sizeof num, ".%02d", (int)lround(w[k] * 100));
			draw_text(y + 2 + t, x + 5 + k * cw, 3, off ? ST_OFF : ST_NORMAL, num);
		}
	}
}

void
heads_draw_map(struct ui *u, int y, int bottom)
{
	const int N = u->s.cfg.n_layer * u->s.cfg.n_head, n = u->s.tr.n_pos;
	int cw = 4 + n * 4 <= u->cols ? 4 : 1, bw, per_row, rows, shown, i, k;

	bw = 4 + n * cw + 2;
	per_row = u->cols / bw > 0 ? u->cols / bw : 1;
	rows = (bottom - y - 1) / (n + 3) > 0 ? (bottom - y - 1) / (n + 3) : 1;
	shown = per_row * rows < N ? per_row * rows : N;
	if (u->heads_map_first > N - shown)
		u->heads_map_first = N - shown;
	if (u->heads_map_first < 0)
		u->heads_map_first = 0;
	if (shown < N)
		draw_textf(y, 0, u->cols, ST_DIM, "attention over the whole input: heads %d-%d of %d"
		    " (h l for the others); rows: query positions, columns: keys",
		    u->heads_map_first + 1, u->heads_map_first + shown, N);
	else
		draw_text(y, 0, u->cols, ST_DIM,
		    "attention over the whole input, every head: rows query positions, columns keys");
	y++;
	for (i = 0; i < shown; i++) {
		k = u->heads_map_first + i;
		if (y + (i / per_row) * (n + 3) + n + 2 > bottom)
			break;
		map_draw_head(u, k, y + (i / per_row) * (n + 3), (i % per_row) * bw, cw);
	}
}
