/* SPDX-License-Identifier: MIT */
/* page.h - the page-layout toolkit of the debugger's op view: a page is
 * lines of text segments, some of them selectable values; pg_* lay out
 * text, values, vectors with a ruler, headings. Rebuilt from the trace on
 * every frame (page_build), so what is drawn is a function of the state
 * alone. Shared by view_debug.c (drawing, keys, the formula of
 * session/explain.c) and view_debug_pages.c (one page per kind of op). */
#ifndef MGPT_PAGE_H
#define MGPT_PAGE_H

#include "explain.h"
#include "probe.h"
#include "ui_priv.h"

#define CELL 8    /* shade glyph + 7-column number */
#define GAP  1
#define LBL  8    /* the label column of a vector: name, first index */


struct seg {
	int  line, x;
	enum style st;
	int  sel;          /* index into sv, or -1 */
	int  bar_w;        /* > 0: a bar of this width filled to frac, no text */
	double frac;
	char text[64];
};

struct selv {
	int    line, x, w;
	double v;
	enum vec_id vec;
	int    idx;
	double vmax;       /* for the ramp when drawn selected */
	int    nonneg;
	const char *label; /* a named scalar's name (a training step's pages), or NULL */
};

struct page {
	struct ui *u;
	const struct op *op;
	struct op_view ov;
	int w, line;
	struct seg *seg;
	int n_seg, cap_seg;
	struct selv *sv;
	int n_sv, cap_sv;
	const char *vname[V_GRAD + 1];  /* the label each vec was drawn with (pg_vector), or NULL */
};

struct vecopt {
	int ruler;                  /* a C-vector: show head ownership */
	int vocab;                  /* indexed by token: label each cell */
	int nonneg;
	int idx0;                   /* first index shown (a head's slice) */
	const unsigned char *dim;   /* [n] drawn dimmed, or NULL */
	double vmax;                /* 0: from the values */
};
static const struct vecopt VO_PLAIN = { 0, 0, 0, 0, NULL, 0 };
static const struct vecopt VO_RULER = { 1, 0, 0, 0, NULL, 0 };


/* ---- the toolkit (page.c) ---- */
void pg_seg(struct page *pg, int x, enum style st, int sel, const char *text);
void pg_bar(struct page *pg, int x, int w, double frac, enum style st);
int pg_text(struct page *pg, int x, enum style st, const char *fmt, ...)
     __attribute__((format(printf, 4, 5)));
void pg_rtext(struct page *pg, int x_end, enum style st, const char *text);
void pg_nl(struct page *pg);
int pg_value(struct page *pg, int x, double v, double vmax, int nonneg, enum vec_id vec, int idx, int dim);
double pg_vmax(const double *x, int n, int stride);
const char *pg_tokstr(const struct ui *u, int t, char buf[16]);
const char *pg_qtok(const struct ui *u, int t, char buf[16]);
int pg_per_line(const struct page *pg, int n, int cw, int align);
void pg_ruler(struct page *pg, int first, int count);
void pg_vector(struct page *pg, const char *name, enum style nst, enum vec_id vec, const double *x, int n, const struct vecopt *o);
void pg_heading(struct page *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- one page per kind of op (view_debug_pages.c) ---- */
void page_build(struct ui *u, struct page *pg, const struct op *op);

/* ---- a training step's (view_train_pages.c) ---- */
/* The page of a loss, backward, param_grad or adam op. */
void page_train(struct page *pg);
/* The numbers one training-step op reads: shapes and offsets of its
 * (layer, pos, head), the step's records (view_train_pages.c). */
struct train_at {
	const struct trace *tr;
	const struct grad_trace *g;
	const struct train_step *ts;
	int C, T, V, H, D, F, L, n, t, l, h;
	size_t lt, lth;
};
void page_train_at(const struct page *pg, struct train_at *a);
/* Under a forward op's values: their gradient. */
void page_train_grad(struct page *pg);
/* The selected value's formula on such a page; 1 when an equation. */
int  page_train_formula(struct ui *u, const struct page *pg, const struct selv *s, struct fbuf *name,
                        struct fbuf *f);


#endif
