/* SPDX-License-Identifier: MIT */
/* heads_patch.c - activation patching in the heads view (P): the prompt
 * for the patch text (VIEW_PATCH, an overlay on the status row), and the
 * panel that shows, for the selected head at the shown position, the
 * input's prediction and loss with that head's output taken from the patch
 * text's pass, against the clean pass, per character. The numbers come
 * from session/head_patch.c (attrib_patch_head, as `trace --patch-from`). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui_priv.h"

int
view_patch_open(struct ui *u)
{
	le_set(&u->le, u->hp.on ? u->hp.text : NULL);
	return 0;
}

void
view_patch_draw(struct ui *u)
{
	const int y = u->rows - 1;
	char q[96];
	int w;

	snprintf(q, sizeof q, "patch from (%d character%s): ", u->s.tr.n_pos - 1,
	    u->s.tr.n_pos == 2 ? "" : "s");
	w = draw_width(q);
	if (u->msg[0]) {   /* a refusal stays in sight above the field */
		draw_fill(y - 1, 0, u->cols, ST_NORMAL);
		draw_text(y - 1, 0, u->cols, u->msg_style, u->msg);
	}
	draw_fill(y, 0, u->cols, ST_NORMAL);
	draw_text(y, 0, w, ST_KEY, q);
	le_draw(&u->le, y, w, u->cols - w - 1, u->utf8);
}

int
view_patch_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	char err[256];
	int r;

	(void)cmd;
	(void)arg;
	r = le_key(&u->le, key);
	if (r == 0)
		return UI_STAY;
	if (r < 0) {
		ui_msg(u, ST_DIM, "patch text unchanged");
		return UI_BACK;
	}
	if (u->le.len == 0) {
		if (u->hp.on)
			ui_msg(u, ST_DIM, "patching off");
		head_patch_free(&u->hp);
		return UI_BACK;
	}
	if (head_patch_set(&u->hp, &u->s, u->le.text, u->le.len, err, sizeof err) < 0) {
		u->le.active = 1;   /* keep editing so it can be fixed */
		ui_msg(u, ST_ERR, "%s", err);
		return UI_STAY;
	}
	return UI_BACK;
}

/* The patched prediction at r->pos against the clean one, most likely
 * (patched) first, and the input's loss both ways. */
int
heads_draw_patch(struct ui *u, const struct head_report *r, int y, int bottom)
{
	struct head_patch *p = &u->hp;
	const int H = u->s.cfg.n_head, V = r->vocab;
	const int l = u->heads_sel / H, h = u->heads_sel % H;
	const double *pp, *pc, *out;
	double dmax = 0;
	int order[256], n = 0, i, j, v, x, k;
	char c[16], name[16];

	draw_hline(u, y++, 0, u->cols, ST_RULE);
	if (u->s.cfg.n_layer > 1)
		snprintf(name, sizeof name, "L%dH%d", l, h);
	else
		snprintf(name, sizeof name, "H%d", h);
	if (head_patch_apply(p, &u->s, l, h, r->pos) < 0) {
		draw_textf(y++, 0, u->cols, ST_ERR, "the patch text '%s' is no longer as long as the input:"
		    " P for another", p->text);
		return y;
	}
	x = draw_textf(y, 0, u->cols, ST_LABEL, "patch: %s at pos %d from '%s', its output there", name,
	    r->pos, p->text);
	out = p->src.att_head + trace_lt(&p->src, l, r->pos) * u->s.cfg.n_embd
	    + (size_t)h * r->head_size;
	for (k = 0; k < r->head_size && x < u->cols - 7; k++)
		x += draw_textf(y, x, u->cols - x, ST_NORMAL, " %+.3f", out[k]);
	y++;
	if (isnan(p->loss) || isnan(r->loss))
		draw_text(y++, 0, u->cols, ST_DIM, "input loss: no position scored");
	else
		draw_textf(y++, 0, u->cols, ST_NORMAL, "input loss patched %.4f  clean %.4f  change %+.4f",
		    p->loss, r->loss, p->loss - r->loss);
	draw_text(y++, 0, u->cols, ST_LABEL, "char  patched   clean    change");
	pp = p->tr.probs + (size_t)r->pos * V;
	pc = r->probs;
	for (v = 0; v < V && n < 256; v++)
		order[n++] = v;
	for (i = 1; i < n; i++)   /* most likely (patched) first; ties by token */
		for (j = i; j > 0 && pp[order[j]] > pp[order[j - 1]]; j--) {
			k = order[j];
			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	for (v = 0; v < V; v++)
		if (fabs(pp[v] - pc[v]) > dmax)
			dmax = fabs(pp[v] - pc[v]);
	for (i = 0; i < n && y < bottom; i++, y++) {
		double d = pp[order[i]] - pc[order[i]];

		v = order[i];
		draw_textf(y, 0, u->cols, v == r->target ? ST_CUR : ST_NORMAL, "%-4s  %.4f   %.4f  %+.4f",
		    dataset_tokstr(u->s.ds, v, c, "BOS"), pp[v], pc[v], d);
		if (u->cols >= 60 && fabs(d) > 0)
			draw_bar(u, y, 36, u->cols - 38 < 30 ? u->cols - 38 : 30, fabs(d) / dmax,
			    d >= 0 ? ST_POS3 : ST_NEG3);
	}
	return y;
}
