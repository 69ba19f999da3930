/* SPDX-License-Identifier: MIT */
/* draw.c - styles, numbers, ramps, bars and clipped text.
 *
 * Styles are defined as ncdu defines them: the colour form and the
 * monochrome form side by side, so no style exists only in colour. Signed
 * values use a blue-grey-orange ramp (safe for the common colour-vision
 * deficiencies), magnitude by intensity; the sign is always also printed. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui_priv.h"

struct style_def {
	short  fg256, fg8;   /* foreground in 256 and in 8 colours; -1 default */
	short  bg8;          /* background (8-colour index); -1 keeps the terminal's */
	attr_t attr;         /* added in colour */
	attr_t mono;         /* the monochrome twin */
};

static const struct style_def style_defs[ST__COUNT] = {
	[ST_NORMAL]  = { -1, -1, -1, A_NORMAL, A_NORMAL },
	[ST_TITLE]   = { -1, -1, -1, A_REVERSE, A_REVERSE },
	[ST_DIM]     = { 244, COLOR_WHITE, -1, A_DIM, A_DIM },
	[ST_LABEL]   = { -1, -1, -1, A_BOLD, A_BOLD },
	[ST_RULE]    = { 240, COLOR_BLUE, -1, A_NORMAL, A_DIM },
	[ST_SEL]     = { -1, -1, -1, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD },
	[ST_CUR]     = { 33, COLOR_CYAN, -1, A_BOLD | A_REVERSE, A_REVERSE },
	[ST_BREAK]   = { 160, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ST_ERR]     = { 160, COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
	[ST_OK]      = { 35, COLOR_GREEN, -1, A_NORMAL, A_BOLD },
	[ST_KEY]     = { 208, COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ST_MARK]    = { 35, COLOR_GREEN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ST_BAR]     = { 208, COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[ST_BAR_ALT] = { 33, COLOR_BLUE, -1, A_NORMAL, A_DIM },
	[ST_OFF]     = { 240, COLOR_WHITE, -1, A_DIM, A_DIM },
	/* blue, weak to strong */
	[ST_NEG1]    = { 103, COLOR_BLUE, -1, A_DIM, A_DIM },
	[ST_NEG2]    = { 68, COLOR_BLUE, -1, A_NORMAL, A_NORMAL },
	[ST_NEG3]    = { 33, COLOR_BLUE, -1, A_NORMAL, A_NORMAL },
	[ST_NEG4]    = { 27, COLOR_BLUE, -1, A_BOLD, A_BOLD },
	[ST_ZERO]    = { 245, COLOR_WHITE, -1, A_DIM, A_DIM },
	/* orange, weak to strong */
	[ST_POS1]    = { 138, COLOR_YELLOW, -1, A_DIM, A_DIM },
	[ST_POS2]    = { 173, COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[ST_POS3]    = { 208, COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[ST_POS4]    = { 202, COLOR_YELLOW, -1, A_BOLD, A_BOLD },
};

static attr_t style_attr[ST__COUNT];

void
draw_init_styles(struct ui *u, int want_color)
{
	int i, n256;

	u->has_color = want_color && has_colors() && start_color() != ERR;
	if (u->has_color && use_default_colors() == ERR)
		u->has_color = 0;   /* we keep the terminal's background or use none */
	n256 = u->has_color && COLORS >= 256;
	for (i = 0; i < ST__COUNT; i++) {
		const struct style_def *d = &style_defs[i];
		short fg = n256 ? d->fg256 : d->fg8;

		if (!u->has_color) {
			style_attr[i] = d->mono;
			continue;
		}
		if (fg >= 0 || d->bg8 >= 0) {
			init_pair((short)(i + 1), fg, d->bg8);
			style_attr[i] = COLOR_PAIR(i + 1) | d->attr;
		} else
			style_attr[i] = d->attr;
		/* 8 colours have one blue and one yellow: intensity by attribute */
		if (!n256 && i >= ST_NEG1 && i <= ST_POS4)
			style_attr[i] = (fg >= 0 ? COLOR_PAIR(i + 1) : 0) | d->mono;
	}
}

attr_t
draw_attr(enum style s)
{
	return style_attr[s];
}

const char *
draw_glyph(const struct ui *u, const char *utf8, const char *ascii)
{
	return u->utf8 ? utf8 : ascii;
}

void
draw_fill(int y, int x, int w, enum style s)
{
	if (w <= 0)
		return;
	attrset(style_attr[s]);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

void
draw_box(int y, int x, int h, int w)
{
	int i;

	for (i = 0; i < h; i++)
		draw_fill(y + i, x, w, ST_NORMAL);
	attrset(style_attr[ST_RULE]);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
}

int
draw_width(const char *s)
{
	mbstate_t ps;
	size_t n = strlen(s), k;
	int w = 0, cw;
	wchar_t wc;

	memset(&ps, 0, sizeof ps);
	while (n > 0) {
		k = mbrtowc(&wc, s, n, &ps);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			k = 1;
			cw = 1;
		} else {
			if (k == 0)
				break;
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		w += cw;
		s += k;
		n -= k;
	}
	return w;
}

int
draw_text(int y, int x, int w, enum style s, const char *text)
{
	mbstate_t ps;
	size_t n = strlen(text), k;
	int used = 0, cw;
	wchar_t wc;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	memset(&ps, 0, sizeof ps);
	attrset(style_attr[s]);
	move(y, x);
	while (n > 0) {
		k = mbrtowc(&wc, text, n, &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			if (k == 0)
				break;
			memset(&ps, 0, sizeof ps);
			wc = L'?';
			k = 1;
		}
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > w)
			break;
		if (wc < 0x80) {
			addch((chtype)wc | style_attr[s]);
		} else {
			wchar_t ws[2] = { wc, 0 };

			addnwstr(ws, 1);
		}
		used += cw;
		text += k;
		n -= k;
	}
	attrset(A_NORMAL);
	return used;
}

int
draw_textf(int y, int x, int w, enum style s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(y, x, w, s, buf);
}

void
draw_hline(const struct ui *u, int y, int x, int w, enum style s)
{
	int i;

	if (w <= 0)
		return;
	if (!u->utf8) {
		attrset(style_attr[s]);
		mvhline(y, x, '-', w);
		attrset(A_NORMAL);
		return;
	}
	for (i = 0; i < w; i++)
		draw_text(y, x + i, 1, s, "\u2500");
}

/* Fixed width keeps every column of a vector aligned: 7 columns whatever
 * the magnitude, with fewer decimals as it grows. */
void
draw_fmt7(char out[16], double v, int nonneg)
{
	/* decimals for magnitudes below 10, 100, ... (one more when unsigned) */
	static const struct { double lim; int dec; } f[] = {
		{ 10, 4 }, { 100, 3 }, { 1000, 2 }, { 10000, 1 }, { 1000000, 0 },
	};
	double a = fabs(v);
	size_t i;

	if (isnan(v)) {
		snprintf(out, 16, "%7s", "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(out, 16, "%7s", v > 0 ? "+inf" : "-inf");
		return;
	}
	if (v == 0.0) {
		snprintf(out, 16, nonneg ? "%.5f" : " %.4f", 0.0);
		return;
	}
	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		if (a < f[i].lim) {
			if (nonneg)
				snprintf(out, 16, "%.*f", f[i].dec + 1, v);
			else
				snprintf(out, 16, "%+.*f", f[i].dec, v);
			if (strlen(out) == 7)   /* rounding may add a digit: try fewer decimals */
				return;
		}
	snprintf(out, 16, nonneg ? "%7.1e" : "%+7.0e", v);
}

enum style
draw_ramp(double v, double vmax)
{
	double r;
	int lvl;

	if (!(vmax > 0) || v == 0.0 || isnan(v))
		return ST_ZERO;
	r = fabs(v) / vmax;
	lvl = r < 0.1 ? 0 : r < 0.35 ? 1 : r < 0.6 ? 2 : r < 0.85 ? 3 : 4;
	if (lvl == 0)
		return ST_ZERO;
	return v < 0 ? (enum style)(ST_NEG1 + lvl - 1) : (enum style)(ST_POS1 + lvl - 1);
}

const char *
draw_shade(const struct ui *u, double v, double vmax)
{
	static const char *uni[] = { " ", "\u2591", "\u2592", "\u2593", "\u2588" };
	static const char *asc[] = { " ", ".", ":", "*", "#" };
	double r;
	int lvl;

	if (!(vmax > 0) || isnan(v))
		return " ";
	r = fabs(v) / vmax;
	lvl = r < 0.1 ? 0 : r < 0.35 ? 1 : r < 0.6 ? 2 : r < 0.85 ? 3 : 4;
	return u->utf8 ? uni[lvl] : asc[lvl];
}

void
draw_bar(const struct ui *u, int y, int x, int w, double frac, enum style s)
{
	static const char *eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c",
	                                 "\u258b", "\u258a", "\u2589" };
	int units, full, i;

	if (w <= 0 || !(frac > 0))
		return;
	if (frac > 1)
		frac = 1;
	units = (int)lround(frac * w * 8);
	full = units / 8;
	for (i = 0; i < full; i++)
		draw_text(y, x + i, 1, s, u->utf8 ? "\u2588" : "#");
	if (full < w && units % 8) {
		if (u->utf8)
			draw_text(y, x + full, 1, s, eighths[units % 8]);
		else if (units % 8 >= 4)
			draw_text(y, x + full, 1, s, "#");
	}
}
