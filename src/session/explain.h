/* SPDX-License-Identifier: MIT */
/* explain.h - the formula of a selected value of the current op, as
 * text: "q[3] = x·Wq[3] = 0.12·-0.5 + ... = 0.0732". Curses-free: the
 * debugger's screen draws it, and any text renderer of a debug_session can
 * print it. */
#ifndef MGPT_EXPLAIN_H
#define MGPT_EXPLAIN_H

#include <stddef.h>

#include "debug_session.h"
#include "stepper.h"

/* What a selectable value is, for its formula. */
/* What a selectable value is, for its formula. */
enum vec_id {
	V_OUT, V_AUX, V_IN, V_IN2, V_MS, V_SCALE, V_MAX, V_SUM,
	V_K, V_V,     /* idx: row * dim + j */
	V_SAMPLE,
	V_GRAD       /* a training step: d loss / d the value */
};

/* A formula being written. */
struct fbuf {
	char   s[4096];
	size_t n;
};

struct explain_ctx {
	const struct debug_session *s;
	int utf8;                  /* "·" and "Σ", else "*" and "sum " */
};
struct explain_sel {
	enum vec_id vec;
	int         idx;
};

void fb_add(struct fbuf *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a0·b0 + a1·b1 + ... with at most max_terms shown */
void fb_dot(struct fbuf *f, const struct explain_ctx *u, const double *a, int sa, const double *b,
            int sb, int n, int max_terms);
/* Fill name and f for the selected value of op (its view v); returns 1
 * when f is an equation (the caller appends "= value"), 0 when it is a
 * description. room: the characters there is space for. */
int  explain_formula(const struct explain_ctx *u, const struct op *op, const struct op_view *v,
                     const struct explain_sel *s, struct fbuf *name, struct fbuf *f, int room);

/* Names the pages and formulas share. */
const char *explain_qtok(const struct explain_ctx *u, int t, char buf[16]);
const char *explain_in_name(const struct op *op);
const char *explain_out_name(const struct op *op);
void explain_source_of(const struct explain_ctx *u, const struct op *op, char *buf, size_t n);
/* A number for a formula: 4 significant digits, in parentheses when
 * negative and paren. */
void explain_fmt_num(char *buf, size_t n, double v, int paren);

#endif
