/* SPDX-License-Identifier: MIT */
/* plot.c - loss curves, sparklines and bars into a cell grid; the blit. */
#include "config.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "plot.h"
#include "xmalloc.h"

void
plot_grid_init(struct plot_grid *g, int w, int h, enum plot_charset cs)
{
	if (w < 0)
		w = 0;
	if (h < 0)
		h = 0;
	if (!g->cell || g->w * g->h < w * h) {
		free(g->cell);
		g->cell = xcalloc(w * h > 0 ? (size_t)(w * h) : 1, sizeof *g->cell);
	}
	g->w = w;
	g->h = h;
	g->cs = cs;
	plot_grid_clear(g);
}

void
plot_grid_free(struct plot_grid *g)
{
	free(g->cell);
	memset(g, 0, sizeof *g);
}

void
plot_grid_clear(struct plot_grid *g)
{
	int i;

	for (i = 0; i < g->w * g->h; i++) {
		g->cell[i].ch = ' ';
		g->cell[i].style = PLOT_S_NONE;
		g->cell[i].dots = 0;
	}
}

static struct plot_cell *
cell_at(struct plot_grid *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return NULL;
	return &g->cell[y * g->w + x];
}

static void
put(struct plot_grid *g, int x, int y, uint32_t ch, enum plot_style st)
{
	struct plot_cell *c = cell_at(g, x, y);

	if (c) {
		c->ch = ch;
		c->style = (unsigned char)st;
		c->dots = 0;
	}
}

int
plot_text(struct plot_grid *g, int x, int y, const char *s, enum plot_style st)
{
	size_t len = strlen(s);
	int n = 0, k;
	uint32_t c;

	while (len > 0 && x + n < g->w) {
		k = utf8_get((const unsigned char *)s, len, &c);
		if (k == 0) {
			c = '?';
			k = 1;
		}
		put(g, x + n, y, c, st);
		s += k;
		len -= (size_t)k;
		n++;
	}
	return n;
}

char *
plot_row_text(const struct plot_grid *g, int y, char *buf, size_t n)
{
	size_t o = 0;
	char u[4];
	int x, k;

	for (x = 0; y >= 0 && y < g->h && x < g->w; x++) {
		k = utf8_put(u, g->cell[y * g->w + x].ch);
		if (o + (size_t)k + 1 > n)
			break;
		memcpy(buf + o, u, (size_t)k);
		o += (size_t)k;
	}
	if (n)
		buf[o] = '\0';
	return buf;
}

void
plot_moving_average(const double *v, long n, int w, double *out)
{
	double sum = 0.0;
	long i, cnt = 0;

	if (w < 1)
		w = 1;
	/* A running sum over the finite values; display only, so the drift of
	 * adding and subtracting is far below what a character cell resolves. */
	for (i = 0; i < n; i++) {
		if (isfinite(v[i])) {
			sum += v[i];
			cnt++;
		}
		if (i >= w && isfinite(v[i - w])) {
			sum -= v[i - w];
			cnt--;
		}
		out[i] = cnt ? sum / (double)cnt : NAN;
	}
}

/* ---- dots ---- */

struct canvas {
	struct plot_grid *g;
	int x0;          /* first cell column of the plot area */
	int xs, ys;      /* dots per cell */
	int pw, ph;      /* plot area in dots */
	double lo, hi;   /* value range, hi at the top */
	long x_max;      /* steps on the x axis */
	int log_x;       /* column ~ log(step) */
};

static void
dot(struct canvas *cv, int px, int py, enum plot_style st)
{
	struct plot_cell *c;
	int dx, dy;

	if (px < 0 || py < 0 || px >= cv->pw || py >= cv->ph)
		return;
	c = cell_at(cv->g, cv->x0 + px / cv->xs, py / cv->ys);
	if (!c)
		return;
	dx = px % cv->xs;
	dy = py % cv->ys;
	if (cv->g->cs == PLOT_BRAILLE)
		c->dots |= (unsigned char)(dy < 3 ? 1u << (dy + 3 * dx) : dx ? 0x80u : 0x40u);
	else
		c->dots |= (unsigned char)(1u << dy);
	if (st > c->style)
		c->style = (unsigned char)st;
}

static uint32_t
dots_glyph(enum plot_charset cs, unsigned d)
{
	switch (cs) {
	case PLOT_BRAILLE:
		return 0x2800 + d;
	case PLOT_BLOCK:
		return d == 1 ? 0x2580 : d == 2 ? 0x2584 : 0x2588;
	default:
		switch (d) {
		case 1: return '\'';
		case 2: return '-';
		case 4: return '_';   /* '.' is the raw losses' (PLOT_RAW_ASCII) */
		default: return '|';
		}
	}
}

static int
ypix(const struct canvas *cv, double v)
{
	double f = (cv->hi - v) / (cv->hi - cv->lo) * (cv->ph - 1);
	long p = lround(f);

	return p < 0 ? 0 : p >= cv->ph ? cv->ph - 1 : (int)p;
}

/* Column of step k (1..x_max): spread out when there are fewer steps than
 * columns, bucketed when there are more; the last step is the last column. */
static int
xpix(const struct canvas *cv, long k)
{
	long X = cv->x_max;

	if (k < 1)
		k = 1;
	if (k > X)
		k = X;
	if (cv->log_x && X > 1)
		return (int)lround(log((double)k) / log((double)X) * (cv->pw - 1));
	if (X <= cv->pw)
		return X == 1 ? 0 : (int)((k - 1) * (long long)(cv->pw - 1) / (X - 1));
	return (int)((k - 1) * (long long)cv->pw / X);
}

static void
vspan(struct canvas *cv, int px, int ya, int yb, enum plot_style st)
{
	int y;

	if (ya > yb) {
		y = ya;
		ya = yb;
		yb = y;
	}
	for (y = ya; y <= yb; y++)
		dot(cv, px, y, st);
}

/* A line through the value of the last step in each column; a column
 * holding only non-finite values breaks it. */
static void
line(struct canvas *cv, const double *v, long n, enum plot_style st)
{
	int *ycol = xmalloc((size_t)cv->pw * sizeof *ycol);
	int px, prev = -1, x;
	long i;

	for (px = 0; px < cv->pw; px++)
		ycol[px] = -1;
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			ycol[xpix(cv, i + 1)] = ypix(cv, v[i]);
		else if (ycol[xpix(cv, i + 1)] < 0)
			ycol[xpix(cv, i + 1)] = -2;
	for (px = 0; px < cv->pw; px++) {
		if (ycol[px] == -2)
			prev = -1;
		if (ycol[px] < 0)
			continue;
		if (prev < 0 || px == prev + 1) {
			vspan(cv, px, prev < 0 ? ycol[px] : ycol[prev], ycol[px], st);
		} else {
			/* connect across columns no step falls in */
			for (x = prev + 1; x <= px; x++) {
				int ya = ycol[prev] + (ycol[px] - ycol[prev]) * (x - 1 - prev) / (px - prev);
				int yb = ycol[prev] + (ycol[px] - ycol[prev]) * (x - prev) / (px - prev);
				vspan(cv, x, ya, yb, st);
			}
		}
		prev = px;
	}
	free(ycol);
}

/* The raw losses of column px from dot row ya to yb, in the cells no line
 * has dots in. */
static void
raw_span(struct canvas *cv, int px, int ya, int yb)
{
	struct plot_cell *c;
	int y;

	if (ya > yb) {
		y = ya;
		ya = yb;
		yb = y;
	}
	for (y = ya; y <= yb; y++) {
		c = cell_at(cv->g, cv->x0 + px / cv->xs, y / cv->ys);
		if (c && (!c->dots || c->style == PLOT_S_RAW))
			dot(cv, px, y, PLOT_S_RAW);
	}
}

static void
fmt_value(char *buf, size_t n, double v)
{
	if (fabs(v) < 100)
		snprintf(buf, n, "%.2f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

static void
range_of(const double *v, long n, double *lo, double *hi)
{
	long i;

	for (i = 0; v && i < n; i++)
		if (isfinite(v[i])) {
			if (v[i] < *lo)
				*lo = v[i];
			if (v[i] > *hi)
				*hi = v[i];
		}
}

/* Lay out the canvas for a grid; 0 when it is too small for a plot. */
static int
canvas_setup(struct canvas *cv, struct plot_grid *g, const double *loss, long n,
    const struct plot_loss_opts *o, char lab[3][16])
{
	int lw = 0, i;

	cv->g = g;
	cv->lo = INFINITY;
	cv->hi = -INFINITY;
	range_of(loss, n, &cv->lo, &cv->hi);
	range_of(o->other, o->n_other, &cv->lo, &cv->hi);
	if (isfinite(o->ref))
		range_of(&o->ref, 1, &cv->lo, &cv->hi);
	if (!(cv->lo <= cv->hi)) {
		cv->lo = 0;
		cv->hi = 1;
	}
	if (cv->hi - cv->lo < 1e-9) {
		cv->lo -= 0.5;
		cv->hi += 0.5;
	}
	fmt_value(lab[0], 16, cv->hi);
	fmt_value(lab[1], 16, cv->lo);
	if (isfinite(o->ref))
		fmt_value(lab[2], 16, o->ref);
	else
		lab[2][0] = '\0';
	for (i = 0; i < 3; i++)
		if ((int)strlen(lab[i]) > lw)
			lw = (int)strlen(lab[i]);
	cv->x0 = lw + 1;
	cv->xs = g->cs == PLOT_BRAILLE ? 2 : 1;
	cv->ys = g->cs == PLOT_BRAILLE ? 4 : g->cs == PLOT_BLOCK ? 2 : 3;
	cv->pw = (g->w - cv->x0) * cv->xs;
	cv->ph = (g->h - 1) * cv->ys;
	cv->log_x = o->log_x;
	cv->x_max = o->x_max > n ? o->x_max : n;
	if (o->other && o->n_other > cv->x_max)
		cv->x_max = o->n_other;
	if (cv->x_max < 1)
		cv->x_max = 1;
	return g->w - cv->x0 >= 4 && g->h >= 3;
}

int
plot_loss_column(const struct plot_grid *g, long s, long x_max, const double *loss, long n,
    int log_x)
{
	struct plot_loss_opts o = { x_max, -1, NAN, 1, NULL, 0, log_x };
	struct canvas cv;
	char lab[3][16];

	if (!canvas_setup(&cv, (struct plot_grid *)g, loss, n, &o, lab))
		return -1;
	return cv.x0 + xpix(&cv, s) / cv.xs;
}

/* A log axis: the powers of ten between the end labels, where they fit
 * with a blank cell on either side. */
static void
log_ticks(struct plot_grid *g, const struct canvas *cv, int r)
{
	char num[32];
	long d;
	int c, k, len, free_run;

	for (d = 10; d < cv->x_max; d *= 10) {
		len = snprintf(num, sizeof num, "%ld", d);
		c = cv->x0 + xpix(cv, d) / cv->xs - len / 2;
		if (c < cv->x0 || c + len > g->w)
			continue;
		free_run = 1;
		for (k = c - 1; k <= c + len; k++)
			if (k < g->w && g->cell[r * g->w + k].style != PLOT_S_AXIS)
				free_run = 0;
		if (free_run)
			plot_text(g, c, r, num, PLOT_S_LABEL);
		if (d > cv->x_max / 10)
			break;
	}
}

void
plot_loss(struct plot_grid *g, const double *loss, long n, const struct plot_loss_opts *o)
{
	struct canvas cv;
	char lab[3][16], num[32];
	double *mn, *mx, *ma;
	int px, r, row_hi = 0, row_lo = g->h - 2, row_ref = -1, cx = -1;
	int left, right, cl = -1, cw = 0;
	long i;
	const uint32_t vbar = g->cs == PLOT_ASCII ? '|' : 0x2502;

	plot_grid_clear(g);
	if (!canvas_setup(&cv, g, loss, n, o, lab))
		return;

	/* the lines first: they are what the eye should follow */
	if (o->other && o->n_other > 0) {
		ma = xmalloc((size_t)o->n_other * sizeof *ma);
		plot_moving_average(o->other, o->n_other, o->ma_window, ma);
		line(&cv, ma, o->n_other, PLOT_S_OTHER);
		free(ma);
	}
	if (n > 0 && o->ma_window > 1) {
		ma = xmalloc((size_t)n * sizeof *ma);
		plot_moving_average(loss, n, o->ma_window, ma);
		line(&cv, ma, n, PLOT_S_AVG);
		free(ma);
	} else if (n > 0)   /* too few steps to average: the losses are the line */
		line(&cv, loss, n, PLOT_S_AVG);

	/* raw losses behind the lines: the range of each column, in the cells
	 * no line passes through */
	mn = xmalloc((size_t)cv.pw * sizeof *mn);
	mx = xmalloc((size_t)cv.pw * sizeof *mx);
	for (px = 0; px < cv.pw; px++) {
		mn[px] = INFINITY;
		mx[px] = -INFINITY;
	}
	for (i = 0; i < n; i++)
		if (isfinite(loss[i])) {
			px = xpix(&cv, i + 1);
			if (loss[i] < mn[px])
				mn[px] = loss[i];
			if (loss[i] > mx[px])
				mx[px] = loss[i];
		}
	for (px = 0; px < cv.pw; px++)
		if (mn[px] <= mx[px] && o->ma_window > 1)
			raw_span(&cv, px, ypix(&cv, mx[px]), ypix(&cv, mn[px]));
		else if (mn[px] <= mx[px])   /* each column's range, on the line */
			vspan(&cv, px, ypix(&cv, mx[px]), ypix(&cv, mn[px]), PLOT_S_AVG);
	free(mn);
	free(mx);

	/* the reference mark: dotted where nothing else is drawn */
	if (isfinite(o->ref)) {
		int py = ypix(&cv, o->ref);

		row_ref = py / cv.ys;
		for (px = 0; px < cv.pw; px += 2) {
			struct plot_cell *c = cell_at(g, cv.x0 + px / cv.xs, row_ref);
			if (c && (!c->dots || c->style == PLOT_S_REF))
				dot(&cv, px, py, PLOT_S_REF);
		}
	}
	for (i = 0; i < (long)g->w * (g->h - 1); i++)
		if (g->cell[i].dots)
			g->cell[i].ch = g->cell[i].style == PLOT_S_RAW ?
			    (g->cs == PLOT_ASCII ? PLOT_RAW_ASCII : PLOT_RAW_UTF8) :
			    dots_glyph(g->cs, g->cell[i].dots);

	/* the cursor: a column through the plot */
	if (o->cursor >= 0) {
		cx = cv.x0 + xpix(&cv, o->cursor) / cv.xs;
		for (r = 0; r < g->h - 1; r++) {
			struct plot_cell *c = cell_at(g, cx, r);
			if (!c->dots)
				c->ch = vbar;
			c->style = PLOT_S_CURSOR;
		}
	}

	/* y axis and its values */
	for (r = 0; r < g->h - 1; r++)
		put(g, cv.x0 - 1, r, vbar, PLOT_S_AXIS);
	if (row_ref == row_hi)
		row_hi = -1;
	if (row_ref == row_lo)
		row_lo = -1;
	if (row_hi >= 0) {
		plot_text(g, cv.x0 - 1 - (int)strlen(lab[0]), row_hi, lab[0], PLOT_S_LABEL);
		put(g, cv.x0 - 1, row_hi, g->cs == PLOT_ASCII ? '+' : 0x2524, PLOT_S_AXIS);
	}
	if (row_lo >= 0) {
		plot_text(g, cv.x0 - 1 - (int)strlen(lab[1]), row_lo, lab[1], PLOT_S_LABEL);
		put(g, cv.x0 - 1, row_lo, g->cs == PLOT_ASCII ? '+' : 0x2524, PLOT_S_AXIS);
	}
	if (row_ref >= 0) {
		plot_text(g, cv.x0 - 1 - (int)strlen(lab[2]), row_ref, lab[2], PLOT_S_REF);
		put(g, cv.x0 - 1, row_ref, g->cs == PLOT_ASCII ? '+' : 0x2524, PLOT_S_REF);
	}

	/* x axis: the first and last step, and the cursor's */
	r = g->h - 1;
	put(g, cv.x0 - 1, r, g->cs == PLOT_ASCII ? '+' : 0x2514, PLOT_S_AXIS);
	for (px = cv.x0; px < g->w; px++)
		put(g, px, r, g->cs == PLOT_ASCII ? '-' : 0x2500, PLOT_S_AXIS);
	if (cx >= 0) {
		cw = snprintf(num, sizeof num, "%ld", o->cursor);
		cl = cx - cw / 2;
		if (cl + cw > g->w)
			cl = g->w - cw;
		if (cl < cv.x0)
			cl = cv.x0;
	}
	left = cv.x0;
	snprintf(num, sizeof num, "%d", 1);
	if (cx < 0 || left + 2 < cl)
		plot_text(g, left, r, num, PLOT_S_LABEL);
	snprintf(num, sizeof num, "%ld", cv.x_max);
	right = g->w - (int)strlen(num);
	if (cx < 0 || right > cl + cw + 1)
		plot_text(g, right, r, num, PLOT_S_LABEL);
	if (cx >= 0) {
		snprintf(num, sizeof num, "%ld", o->cursor);
		plot_text(g, cl, r, num, PLOT_S_CURSOR);
	}
	if (cv.log_x)
		log_ticks(g, &cv, r);
}

int
plot_sparkline(struct plot_grid *g, int x, int y, int w, const double *v, long n,
    size_t stride, double lo, double hi, long cursor, enum plot_style st)
{
	static const char ascii[] = "_.-:=+*#";
	int c, cells, lvl, cnt;
	long i, a, b;
	double sum;

	if (w <= 0 || n <= 0)
		return 0;
	cells = n < w ? (int)n : w;
	for (c = 0; c < cells; c++) {
		a = (long)((long long)c * n / cells);
		b = (long)((long long)(c + 1) * n / cells);
		sum = 0;
		cnt = 0;
		for (i = a; i < b; i++)
			if (isfinite(v[(size_t)i * stride])) {
				sum += v[(size_t)i * stride];
				cnt++;
			}
		if (!cnt) {
			put(g, x + c, y, ' ', st);
			continue;
		}
		sum /= cnt;
		lvl = hi > lo ? (int)lround((sum - lo) / (hi - lo) * 7) : 0;
		lvl = lvl < 0 ? 0 : lvl > 7 ? 7 : lvl;
		put(g, x + c, y, g->cs == PLOT_ASCII ? (uint32_t)ascii[lvl] : 0x2581u + (uint32_t)lvl,
		    cursor >= a && cursor < b ? PLOT_S_CURSOR : st);
	}
	return cells;
}

void
plot_hbar(struct plot_grid *g, int x, int y, int w, double frac, enum plot_style st)
{
	long eighths;
	int c;

	if (!(frac > 0))
		frac = 0;
	if (frac > 1)
		frac = 1;
	eighths = lround(frac * w * 8);
	for (c = 0; c < w; c++, eighths -= 8) {
		if (eighths >= 8)
			put(g, x + c, y, g->cs == PLOT_ASCII ? '#' : 0x2588, st);
		else if (eighths > 0 && g->cs != PLOT_ASCII)
			put(g, x + c, y, 0x2590 - (uint32_t)eighths, st);
		else if (eighths >= 4)
			put(g, x + c, y, '=', st);
		else
			break;
	}
}

void
plot_blit(WINDOW *win, int y, int x, const struct plot_grid *g, const attr_t *attr)
{
	const struct plot_cell *c;
	cchar_t cc;
	wchar_t wc[2];
	int r, k;

	for (r = 0; r < g->h; r++)
		for (k = 0; k < g->w; k++) {
			c = &g->cell[r * g->w + k];
			wc[0] = (wchar_t)c->ch;
			wc[1] = L'\0';
			setcchar(&cc, wc, attr[c->style] & ~A_COLOR, (short)PAIR_NUMBER(attr[c->style]), NULL);
			mvwadd_wch(win, y + r, x + k, &cc);
		}
}
