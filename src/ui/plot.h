/* SPDX-License-Identifier: MIT */
/* plot.h - loss curves, sparklines and bars drawn into a grid of cells.
 *
 * Everything here except plot_blit is pure: it writes characters and style
 * numbers into a plot_grid, so the drawing can be checked by a test
 * without a terminal; plot_blit copies a grid onto a curses window.
 * Three character sets: braille (2x4 dots a cell) in a UTF-8 terminal that
 * has the glyphs, half blocks (1x2) where braille is missing (the Linux
 * console), ASCII (1x3: ' - .) everywhere else. */
#ifndef MGPT_PLOT_H
#define MGPT_PLOT_H

#include <stddef.h>
#include <stdint.h>

enum plot_charset { PLOT_ASCII, PLOT_BLOCK, PLOT_BRAILLE };

/* What a cell shows; the screen maps each to a colour and a monochrome
 * attribute. Later entries win where two share a cell. */
enum plot_style {
	PLOT_S_NONE,
	PLOT_S_AXIS,    /* axis lines, ticks */
	PLOT_S_LABEL,   /* axis values */
	PLOT_S_REF,     /* the -log(1/vocab) mark and its value */
	PLOT_S_RAW,     /* per-step losses: one faint glyph a cell (PLOT_RAW_*) */
	PLOT_S_SPARK,   /* sparklines */
	PLOT_S_OTHER,   /* the compared run's moving average */
	PLOT_S_AVG,     /* the moving average */
	PLOT_S_CURSOR,  /* the current step */
	PLOT_S__COUNT
};

struct plot_cell {
	uint32_t      ch;     /* code point; ' ' when empty */
	unsigned char style;  /* enum plot_style */
	unsigned char dots;   /* sub-cell dots set so far (bit layout per charset) */
};

struct plot_grid {
	int w, h;
	enum plot_charset cs;
	struct plot_cell *cell;   /* [h][w] */
};

void plot_grid_init(struct plot_grid *g, int w, int h, enum plot_charset cs);
void plot_grid_free(struct plot_grid *g);
/* Blank every cell (keeps the size). */
void plot_grid_clear(struct plot_grid *g);
/* Write UTF-8 text at (x, y), clipped at the right edge; returns the cells
 * written. Invalid bytes show as '?'. */
int  plot_text(struct plot_grid *g, int x, int y, const char *s, enum plot_style st);
/* Row y as UTF-8 text (for tests and logs); buf of n bytes. */
char *plot_row_text(const struct plot_grid *g, int y, char *buf, size_t n);

/* Trailing moving average: out[i] = mean of the finite v[i-w+1..i]
 * (NaN when none is finite). */
void plot_moving_average(const double *v, long n, int w, double *out);

struct plot_loss_opts {
	long   x_max;       /* steps the x axis spans (>= n; the planned steps of a live run) */
	long   cursor;      /* state after this many steps (0..x_max) is shown; -1 none */
	double ref;         /* horizontal mark (-log(1/vocab)); NaN for none */
	int    ma_window;   /* moving-average window in steps (1 = none) */
	const double *other;/* a compared run's losses, or NULL */
	long   n_other;
	int    log_x;       /* steps on a logarithmic axis (1 at the left edge) */
};

/* The per-step losses are drawn behind the lines as a band of one glyph a
 * cell, never as the lines' dots, so the two stay apart without colour. */
#define PLOT_RAW_UTF8  0x00b7u   /* middle dot */
#define PLOT_RAW_ASCII '.'

/* The loss curve of steps 1..n (loss[i] is step i+1's loss) over the whole
 * grid: y-axis values at the left, step numbers on the bottom row (and
 * the powers of ten on a log axis), the moving average drawn first in the
 * charset's dots, the compared run's average, the raw losses behind them
 * as the range each column covers (PLOT_RAW_* in the cells no line
 * passes through), the reference mark and the cursor. Non-finite losses
 * leave a gap. */
void plot_loss(struct plot_grid *g, const double *loss, long n, const struct plot_loss_opts *o);

/* The column of the plot area that step `s` (1..x_max) falls in, for a
 * grid drawn by plot_loss (log_x as its options'); -1 when the grid is too
 * small to plot. */
int  plot_loss_column(const struct plot_grid *g, long s, long x_max, const double *loss, long n,
                      int log_x);

/* A sparkline of v[0], v[stride], ... (n values) in w cells at (x, y):
 * bucket means scaled from [lo, hi] to eight levels; the cell holding
 * index `cursor` (or -1) is styled as the cursor. Fewer values than cells
 * use one cell each. Returns the cells used. */
int  plot_sparkline(struct plot_grid *g, int x, int y, int w, const double *v, long n,
                    size_t stride, double lo, double hi, long cursor, enum plot_style st);

/* A horizontal bar of frac (0..1) of w cells at (x, y), in eighths of a
 * cell with UTF-8, whole and half cells in ASCII. */
void plot_hbar(struct plot_grid *g, int x, int y, int w, double frac, enum plot_style st);

/* Copy the grid onto a curses window at (y, x); attr[st] is the attribute
 * (colour pair or its monochrome twin) of each style. Declared for the
 * files that include curses.h first: the tests of the pure part need no
 * terminal library headers. */
#if defined(NCURSES_VERSION) || defined(_XOPEN_CURSES)
void plot_blit(WINDOW *win, int y, int x, const struct plot_grid *g, const attr_t *attr);
#endif

#endif
