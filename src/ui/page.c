/* SPDX-License-Identifier: MIT */
/* page.c - the page-layout toolkit (page.h): segments, values, vectors,
 * rulers, headings, and the names the pages and formulas share. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "page.h"
#include "xmalloc.h"

/* ---- building ---- */

void
pg_seg(struct page *pg, int x, enum style st, int sel, const char *text)
{
	struct seg *s;

	if (x >= pg->w)
		return;
	if (pg->n_seg == pg->cap_seg) {
		pg->cap_seg = pg->cap_seg ? 2 * pg->cap_seg : 256;
		pg->seg = xrealloc(pg->seg, (size_t)pg->cap_seg * sizeof *pg->seg);
	}
	s = &pg->seg[pg->n_seg++];
	s->line = pg->line;
	s->x = x;
	s->st = st;
	s->sel = sel;
	s->bar_w = 0;
	s->frac = 0;
	snprintf(s->text, sizeof s->text, "%s", text);
}

void
pg_bar(struct page *pg, int x, int w, double frac, enum style st)
{
	pg_seg(pg, x, st, -1, "");
	pg->seg[pg->n_seg - 1].bar_w = w;
	pg->seg[pg->n_seg - 1].frac = frac;
}

int
pg_text(struct page *pg, int x, enum style st, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n, i, w;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* segments hold 63 bytes: split long text */
	w = draw_width(buf);
	n = (int)strlen(buf);
	for (i = 0; i < n;) {
		char part[64];
		int k = n - i > 60 ? 60 : n - i;

		while (k > 0 && i + k < n && ((unsigned char)buf[i + k] & 0xC0) == 0x80)
			k--;   /* do not split a UTF-8 sequence */
		memcpy(part, buf + i, (size_t)k);
		part[k] = '\0';
		pg_seg(pg, x, st, -1, part);
		x += draw_width(part);
		i += k;
	}
	return w;
}

/* Text ending at column x_end (by display width, for any character). */
void
pg_rtext(struct page *pg, int x_end, enum style st, const char *text)
{
	int w = draw_width(text);

	pg_text(pg, x_end - w > 0 ? x_end - w : 0, st, "%s", text);
}

void
pg_nl(struct page *pg)
{
	pg->line++;
}

/* A value cell: shade glyph and the number, 8 columns. */
int
pg_value(struct page *pg, int x, double v, double vmax, int nonneg, enum vec_id vec, int idx,
    int dim)
{
	struct selv *s;
	char num[16];
	enum style st = dim ? ST_OFF : vmax < 0 ? ST_NORMAL : draw_ramp(v, vmax);

	if (pg->n_sv == pg->cap_sv) {
		pg->cap_sv = pg->cap_sv ? 2 * pg->cap_sv : 256;
		pg->sv = xrealloc(pg->sv, (size_t)pg->cap_sv * sizeof *pg->sv);
	}
	s = &pg->sv[pg->n_sv];
	s->line = pg->line;
	s->x = x;
	s->w = CELL;
	s->v = v;
	s->vec = vec;
	s->idx = idx;
	s->vmax = vmax;
	s->nonneg = nonneg;
	s->label = NULL;
	draw_fmt7(num, v, nonneg);
	pg_seg(pg, x, st, -1, dim || vmax < 0 ? " " : draw_shade(pg->u, v, vmax));
	pg_seg(pg, x + 1, st, pg->n_sv, num);
	pg->n_sv++;
	return CELL;
}

double
pg_vmax(const double *x, int n, int stride)
{
	double m = 0;
	int i;

	for (i = 0; i < n; i++)
		if (fabs(x[(size_t)i * stride]) > m && isfinite(x[(size_t)i * stride]))
			m = fabs(x[(size_t)i * stride]);
	return m;
}

const char *
pg_tokstr(const struct ui *u, int t, char buf[16])
{
	if (t < 0)
		return "?";
	if (t == u->s.cfg.vocab_size - 1)
		return "BOS";
	return dataset_tokstr(u->s.ds, t, buf, "BOS");
}

/* 'e' quoted, BOS bare: for prose. */
const char *
pg_qtok(const struct ui *u, int t, char buf[16])
{
	char c[16];

	if (t < 0 || t == u->s.cfg.vocab_size - 1)
		return pg_tokstr(u, t, buf);
	snprintf(buf, 16, "'%s'", pg_tokstr(u, t, c));
	return buf;
}

/* Values per line for n cells of width cw in the page's width after the
 * label column; whole heads per line where that is possible. */
int
pg_per_line(const struct page *pg, int n, int cw, int align)
{
	int k = (pg->w - LBL + GAP) / (cw + GAP);

	if (k < 1)
		k = 1;
	if (k >= n)
		return n;
	if (align > 1 && k > align)
		k -= k % align;
	return k;
}

/* Under a line of C-vector cells, which head owns which of them. */
void
pg_ruler(struct page *pg, int first, int count)
{
	const struct ui *u = pg->u;
	const int D = u->s.m->head_dim;
	int layer = pg->op->layer < 0 ? 0 : pg->op->layer;
	int i = first;

	while (i < first + count) {
		int h = i / D, end = (h + 1) * D, x0, x1, off, span, k;
		char buf[160];
		size_t o = 0;

		if (end > first + count)
			end = first + count;
		x0 = LBL + (i - first) * (CELL + GAP);
		x1 = LBL + (end - first) * (CELL + GAP) - GAP;
		span = x1 - x0;
		off = session_head_off(u, layer, h);
		{
			char lab[24];
			int lw, left, right;

			snprintf(lab, sizeof lab, " H%d%s ", h, off ? " off" : "");
			lw = (int)strlen(lab);
			left = (span - lw - 2) / 2;
			right = span - lw - 2 - left;
			if (left < 0 || right < 0) {
				o = (size_t)snprintf(buf, sizeof buf, "%.*s", span, lab + 1);
			} else {
				o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2514", "`"));
				for (k = 0; k < left; k++)
					o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2500", "-"));
				o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", lab);
				for (k = 0; k < right; k++)
					o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2500", "-"));
				snprintf(buf + o, sizeof buf - o, "%s", draw_glyph(u, "\u2518", "'"));
			}
		}
		pg_text(pg, x0, off ? ST_OFF : ST_RULE, "%s", buf);
		i = end;
	}
	pg_nl(pg);
}


/* A whole vector, wrapped: name and first index in the label column. */
void
pg_vector(struct page *pg, const char *name, enum style nst, enum vec_id vec,
    const double *x, int n, const struct vecopt *o)
{
	const struct ui *u = pg->u;
	double vm = o->vmax > 0 ? o->vmax : pg_vmax(x, n, 1);
	int lw = 0, cw, k, i, j;
	char lab[16];

	if ((unsigned)vec <= V_GRAD)
		pg->vname[vec] = name;
	if (o->vocab) {
		for (i = 0; i < n; i++) {
			int w = draw_width(pg_tokstr(u, i, lab));

			if (w > lw)
				lw = w;
		}
		cw = lw + 1 + CELL;
	} else
		cw = CELL;
	k = pg_per_line(pg, n, cw, o->ruler ? u->s.m->head_dim : 0);
	for (i = 0; i < n; i += k) {
		char idx[16];

		snprintf(idx, sizeof idx, "%d", i + o->idx0);
		if (i == 0)
			pg_text(pg, 0, nst, "%.*s", LBL - 1 - (int)strlen(idx) - 1, name);
		pg_text(pg, LBL - 1 - (int)strlen(idx), ST_DIM, "%s", idx);
		for (j = i; j < i + k && j < n; j++) {
			int cx = LBL + (j - i) * (cw + GAP);

			if (o->vocab) {
				const char *t = pg_tokstr(u, j, lab);
				int tw = draw_width(t);

				pg_text(pg, cx + lw - tw, ST_LABEL, "%s", t);
				cx += lw + 1;
			}
			pg_value(pg, cx, x[j], vm, o->nonneg, vec, j, o->dim && o->dim[j]);
		}
		pg_nl(pg);
		if (o->ruler)
			pg_ruler(pg, i + o->idx0, (j - i));
	}
}


void
pg_heading(struct page *pg, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pg_text(pg, 0, ST_DIM, "%s", buf);
	pg_nl(pg);
}


