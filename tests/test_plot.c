/* SPDX-License-Identifier: MIT */
/* test_plot.c - the plot module's drawing, cell by cell, without a terminal. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "plot.h"

static char row[4096];

static const char *
rowtext(const struct plot_grid *g, int y)
{
	return plot_row_text(g, y, row, sizeof row);
}

static void
dump(const struct plot_grid *g)
{
	int y;

	for (y = 0; y < g->h; y++)
		printf("|%s|\n", rowtext(g, y));
}

static void
test_text(void)
{
	struct plot_grid g = { 0 };

	plot_grid_init(&g, 6, 2, PLOT_ASCII);
	CHECK(plot_text(&g, 1, 0, "abcdefgh", PLOT_S_LABEL) == 5);
	CHECK(strcmp(rowtext(&g, 0), " abcde") == 0);
	CHECK(plot_text(&g, 0, 1, "\xc3\xa9t\xff", PLOT_S_LABEL) == 3);
	CHECK(strcmp(rowtext(&g, 1), "\xc3\xa9t?   ") == 0);
	CHECK(g.cell[1].style == PLOT_S_LABEL && g.cell[0].style == PLOT_S_NONE);
	plot_text(&g, 9, 9, "off the grid", PLOT_S_LABEL);
	plot_grid_clear(&g);
	CHECK(strcmp(rowtext(&g, 0), "      ") == 0);
	plot_grid_free(&g);
}

static void
test_moving_average(void)
{
	const double v[] = { 1, 2, 3, 4, 5 }, w[] = { 1, NAN, 3, NAN, NAN };
	double out[5];

	plot_moving_average(v, 5, 2, out);
	CHECK_NEAR(out[0], 1, 0);
	CHECK_NEAR(out[1], 1.5, 0);
	CHECK_NEAR(out[4], 4.5, 0);
	plot_moving_average(v, 5, 100, out);
	CHECK_NEAR(out[4], 3, 0);
	plot_moving_average(w, 5, 2, out);
	CHECK_NEAR(out[1], 1, 0);
	CHECK_NEAR(out[2], 3, 0);
	CHECK_NEAR(out[3], 3, 0);
	CHECK(isnan(out[4]));
}

/* The top-most row of a plot column with dots of the curve (not of the
 * reference mark), or -1. */
static int
top_row(const struct plot_grid *g, int x)
{
	int y;

	for (y = 0; y < g->h - 1; y++)
		if (g->cell[y * g->w + x].dots && g->cell[y * g->w + x].style != PLOT_S_REF)
			return y;
	return -1;
}

static void
test_loss_ascii(void)
{
	struct plot_grid g = { 0 };
	struct plot_loss_opts o = { 0, -1, 3.0, 1, NULL, 0, 0 };
	double loss[40];
	int i, x, prev = -1, monotone = 1, cx, r, cursor_ok = 1;

	for (i = 0; i < 40; i++)
		loss[i] = 4.0 - 2.0 * i / 39;
	plot_grid_init(&g, 30, 8, PLOT_ASCII);
	plot_loss(&g, loss, 40, &o);
	dump(&g);
	/* y labels: the top, the bottom and the reference mark */
	CHECK(strncmp(rowtext(&g, 0), "4.00+", 5) == 0);
	CHECK(strncmp(rowtext(&g, 6), "2.00+", 5) == 0);
	CHECK(strstr(rowtext(&g, 3), "3.00+") == rowtext(&g, 3));
	CHECK(g.cell[3 * g.w + 1].style == PLOT_S_REF);
	/* x axis: corner, first and last step */
	CHECK(strncmp(rowtext(&g, 7), "    +1", 6) == 0);
	CHECK(strcmp(rowtext(&g, 7) + 28, "40") == 0);
	/* a falling loss: the curve's top row never rises to the right */
	for (x = 5; x < g.w; x++) {
		int t = top_row(&g, x);
		if (t < 0)
			continue;
		if (t < prev)
			monotone = 0;
		prev = t;
	}
	CHECK(monotone);
	CHECK(top_row(&g, 5) == 0 && top_row(&g, g.w - 1) == 6);

	/* the cursor: its column through the plot and its step on the axis */
	o.cursor = 20;
	plot_loss(&g, loss, 40, &o);
	cx = plot_loss_column(&g, 20, 40, loss, 40, 0);
	CHECK(cx > 5 && cx < g.w - 1);
	for (r = 0; r < g.h - 1; r++)
		if (g.cell[r * g.w + cx].style != PLOT_S_CURSOR)
			cursor_ok = 0;
	CHECK(cursor_ok);
	CHECK(strstr(rowtext(&g, 7), "20") != NULL);
	dump(&g);
	plot_grid_free(&g);
}

static void
test_loss_braille(void)
{
	struct plot_grid g = { 0 };
	struct plot_loss_opts o = { 100, 10, NAN, 5, NULL, 0, 0 };
	double loss[10], other[60];
	int i, x, y, dots_right = 0, braille = 1, other_seen = 0, lastcol;

	for (i = 0; i < 10; i++)
		loss[i] = 3.0 - 0.1 * i;
	for (i = 0; i < 60; i++)
		other[i] = 2.5;
	/* a live run: 10 of 100 planned steps, nothing right of step 10 */
	plot_grid_init(&g, 40, 6, PLOT_BRAILLE);
	plot_loss(&g, loss, 10, &o);
	dump(&g);
	lastcol = plot_loss_column(&g, 10, 100, loss, 10, 0);
	for (y = 0; y < g.h - 1; y++)
		for (x = 0; x < g.w; x++) {
			struct plot_cell *c = &g.cell[y * g.w + x];
			if (c->dots && x > lastcol)
				dots_right++;
			if (c->dots && c->ch != PLOT_RAW_UTF8 && (c->ch < 0x2800 || c->ch > 0x28ff))
				braille = 0;
		}
	CHECK(dots_right == 0);
	CHECK(braille);
	CHECK(strstr(rowtext(&g, 5), "100") != NULL);

	/* the compared run's average is drawn in its own style */
	o.other = other;
	o.n_other = 60;
	plot_loss(&g, loss, 10, &o);
	for (x = 0; x < g.w * (g.h - 1); x++)
		if (g.cell[x].style == PLOT_S_OTHER)
			other_seen++;
	CHECK(other_seen > 5);
	dump(&g);

	/* one dot at the top-left of a cell is braille dot 1 */
	{
		double one = 1.0;
		struct plot_loss_opts o1 = { 1, -1, NAN, 1, NULL, 0, 0 };

		plot_loss(&g, &one, 1, &o1);
		x = plot_loss_column(&g, 1, 1, &one, 1, 0);
		/* the value sits mid-range: dot row 10 of 20, row 2 of the cell grid,
		 * dot 3 (bit 0x04) of the cell's left column */
		CHECK(x == 5);
		CHECK(g.cell[2 * g.w + x].ch == 0x2804);
	}
	plot_grid_free(&g);
}

static void
test_loss_edges(void)
{
	struct plot_grid g = { 0 };
	struct plot_loss_opts o = { 0, 0, 3.3, 1, NULL, 0, 0 };
	double loss[] = { 3, NAN, INFINITY, 2, 2 };
	int x, blank = 1;

	/* too small: nothing drawn, nothing broken */
	plot_grid_init(&g, 3, 2, PLOT_BLOCK);
	plot_loss(&g, loss, 5, &o);
	for (x = 0; x < 6; x++)
		if (g.cell[x].ch != ' ')
			blank = 0;
	CHECK(blank);
	CHECK(plot_loss_column(&g, 1, 5, loss, 5, 0) == -1);
	plot_grid_init(&g, 0, 0, PLOT_BLOCK);
	plot_loss(&g, loss, 5, &o);
	/* non-finite losses leave gaps; no steps at all draws axes only */
	plot_grid_init(&g, 20, 5, PLOT_BLOCK);
	plot_loss(&g, loss, 5, &o);
	dump(&g);
	x = plot_loss_column(&g, 2, 5, loss, 5, 0);
	CHECK(top_row(&g, x) == -1 || x == plot_loss_column(&g, 1, 5, loss, 5, 0));
	plot_loss(&g, NULL, 0, &o);
	CHECK(strchr(rowtext(&g, 4), '1') != NULL);
	plot_grid_free(&g);
}

/* Noisy losses: the average is a line of dots, the per-step losses a band
 * of one other glyph behind it, in every charset (so they stay apart
 * without colour); no cell mixes the two. */
static void
test_loss_raw_behind(void)
{
	static const enum plot_charset cs[] = { PLOT_BRAILLE, PLOT_BLOCK, PLOT_ASCII };
	struct plot_grid g = { 0 };
	struct plot_loss_opts o = { 400, -1, NAN, 20, NULL, 0, 0 };
	double loss[400];
	int i, k, x, y, n_raw, n_avg, mixed;

	for (i = 0; i < 400; i++)
		loss[i] = 3.3 - 1.0 * i / 399 + (i % 2 ? 0.6 : -0.6);
	for (k = 0; k < 3; k++) {
		const uint32_t rawch = cs[k] == PLOT_ASCII ? PLOT_RAW_ASCII : PLOT_RAW_UTF8;

		plot_grid_init(&g, 60, 12, cs[k]);
		plot_loss(&g, loss, 400, &o);
		dump(&g);
		n_raw = n_avg = mixed = 0;
		for (y = 0; y < g.h - 1; y++)
			for (x = 0; x < g.w; x++) {
				const struct plot_cell *c = &g.cell[y * g.w + x];

				if (c->style == PLOT_S_RAW) {
					n_raw++;
					if (c->ch != rawch)
						mixed++;
				} else if (c->style == PLOT_S_AVG) {
					n_avg++;
					if (c->ch == rawch)
						mixed++;
				}
			}
		CHECK(n_raw > 3 * n_avg / 2);   /* the noise spans 1.2 of a 2.2 range */
		CHECK(n_avg >= 40);             /* a line across the plot */
		CHECK(mixed == 0);
		/* the average's column stays inside the band: above and below
		 * it in the middle column, the noise */
		x = plot_loss_column(&g, 200, 400, loss, 400, 0);
		{
			int above = 0, line = 0, below = 0;

			for (y = 0; y < g.h - 1; y++) {
				int st = g.cell[y * g.w + x].style;
				if (st == PLOT_S_AVG)
					line = 1;
				else if (st == PLOT_S_RAW)
					*(line ? &below : &above) = 1;
			}
			CHECK(above && line && below);
		}
	}
	plot_grid_free(&g);
}

/* A run too short to average (window 1): its losses are one line, with a
 * dot in every column from the first step's to the last's. */
static void
test_loss_short_line(void)
{
	struct plot_grid g = { 0 };
	struct plot_loss_opts o = { 10, -1, NAN, 1, NULL, 0, 0 };
	const double loss[10] = { 3.3, 2.5, 3.9, 2.4, 3.0, 3.6, 2.6, 3.1, 2.2, 3.4 };
	int x, y, x1, x10, gaps = 0, raw = 0;

	plot_grid_init(&g, 45, 8, PLOT_BRAILLE);
	plot_loss(&g, loss, 10, &o);
	dump(&g);
	x1 = plot_loss_column(&g, 1, 10, loss, 10, 0);
	x10 = plot_loss_column(&g, 10, 10, loss, 10, 0);
	CHECK(x10 - x1 > 30);
	for (x = x1; x <= x10; x++)
		gaps += top_row(&g, x) < 0;
	for (y = 0; y < g.h - 1; y++)
		for (x = 0; x < g.w; x++)
			raw += g.cell[y * g.w + x].style == PLOT_S_RAW;
	CHECK(gaps == 0 && raw == 0);
	plot_grid_free(&g);
}

/* A log axis: step 10 of 1000 a third of the way, 100 two thirds; the
 * powers of ten labelled; a column is no longer proportional to steps. */
static void
test_loss_log_x(void)
{
	struct plot_grid g = { 0 };
	struct plot_loss_opts o = { 1000, -1, NAN, 50, NULL, 0, 1 };
	double loss[1000];
	int i, x0, x10, x100, x1000;

	for (i = 0; i < 1000; i++)
		loss[i] = 3.3 - log(i + 1.0) / 7;
	plot_grid_init(&g, 66, 8, PLOT_ASCII);
	plot_loss(&g, loss, 1000, &o);
	dump(&g);
	x0 = plot_loss_column(&g, 1, 1000, loss, 1000, 1);
	x10 = plot_loss_column(&g, 10, 1000, loss, 1000, 1);
	x100 = plot_loss_column(&g, 100, 1000, loss, 1000, 1);
	x1000 = plot_loss_column(&g, 1000, 1000, loss, 1000, 1);
	CHECK(x0 == 5 && x1000 == g.w - 1);
	CHECK(abs((x10 - x0) * 3 - (x1000 - x0)) <= 3);
	CHECK(abs((x100 - x0) * 3 - 2 * (x1000 - x0)) <= 3);
	/* linear: step 10 is in the first cells */
	CHECK(plot_loss_column(&g, 10, 1000, loss, 1000, 0) <= x0 + 1);
	CHECK(strstr(rowtext(&g, 7), "-10-") && strstr(rowtext(&g, 7), "-100-"));
	CHECK(strncmp(rowtext(&g, 7) + x10 - 1, "10", 2) == 0);
	/* the line of a log curve on a log axis is straight: it falls a row
	 * every few columns, evenly, never a cliff at the left */
	for (i = 0; i < g.h - 1; i++)
		CHECK(g.cell[i * g.w + x0 + 1].dots == 0 || i < 2);
	plot_grid_free(&g);
}

static void
test_sparkline(void)
{
	struct plot_grid g = { 0 };
	double v[16];
	int i;

	for (i = 0; i < 8; i++) {
		v[2 * i] = i;
		v[2 * i + 1] = -1;   /* the other field of an interleaved array */
	}
	plot_grid_init(&g, 10, 2, PLOT_BRAILLE);
	CHECK(plot_sparkline(&g, 1, 0, 9, v, 8, 2, 0, 7, 3, PLOT_S_AVG) == 8);
	CHECK(strcmp(rowtext(&g, 0), " \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588 ") == 0);
	CHECK(g.cell[4].style == PLOT_S_CURSOR && g.cell[3].style == PLOT_S_AVG);
	g.cs = PLOT_ASCII;
	plot_sparkline(&g, 0, 1, 8, v, 8, 2, 0, 7, -1, PLOT_S_AVG);
	CHECK(strcmp(rowtext(&g, 1), "_.-:=+*#  ") == 0);
	/* more values than cells: bucket means */
	plot_sparkline(&g, 0, 1, 2, v, 8, 2, 0, 7, -1, PLOT_S_AVG);
	CHECK(g.cell[10].ch == (uint32_t)"_.-:=+*#"[2] && g.cell[11].ch == (uint32_t)"_.-:=+*#"[6]);
	CHECK(plot_sparkline(&g, 0, 1, 0, v, 8, 2, 0, 7, -1, PLOT_S_AVG) == 0);
	plot_grid_free(&g);
}

static void
test_hbar(void)
{
	struct plot_grid g = { 0 };

	plot_grid_init(&g, 10, 1, PLOT_BRAILLE);
	plot_hbar(&g, 0, 0, 10, 0.31, PLOT_S_AVG);
	CHECK(strcmp(rowtext(&g, 0), "\u2588\u2588\u2588\u258f      ") == 0);
	plot_grid_clear(&g);
	plot_hbar(&g, 0, 0, 10, 2.0, PLOT_S_AVG);
	CHECK(g.cell[9].ch == 0x2588);
	plot_grid_clear(&g);
	g.cs = PLOT_ASCII;
	plot_hbar(&g, 0, 0, 10, 0.25, PLOT_S_AVG);
	CHECK(strcmp(rowtext(&g, 0), "##=       ") == 0);
	plot_grid_clear(&g);
	plot_hbar(&g, 0, 0, 10, NAN, PLOT_S_AVG);
	CHECK(strcmp(rowtext(&g, 0), "          ") == 0);
	plot_grid_free(&g);
}

int
main(void)
{
	test_text();
	test_moving_average();
	test_loss_ascii();
	test_loss_braille();
	test_loss_edges();
	test_loss_raw_behind();
	test_loss_log_x();
	test_loss_short_line();
	test_sparkline();
	test_hbar();
	return CHECK_DONE();
}
