/* SPDX-License-Identifier: MIT */
/* head_report.h - what the heads view shows for one position of the
 * debugger's pass, gathered from the session's traces and attrib.c (no
 * math of its own beyond sums and sorting): every head's attention over
 * the positions, its output and its place in the concatenation, its
 * direct contribution to the logits, the exact decomposition
 * logits = embed + heads + MLP, the prediction with the session's heads
 * off against every head on, and the input's loss both ways.
 *
 * Curses-free: the screen (ui/view_heads.c) draws it, and `trace` may
 * print it. */
#ifndef MGPT_HEAD_REPORT_H
#define MGPT_HEAD_REPORT_H

#include "attrib.h"
#include "debug_session.h"
#include "headstats.h"

#define HEAD_REPORT_TOP 3   /* characters each head pushes up, and down */
#define HEAD_REPORT_LENS 6  /* characters per point of the logit lens */

struct head_report_head {
	int           layer, head, off;
	const double *att_w;              /* [pos + 1] its weights over positions 0..pos (the trace's) */
	const double *out;                /* [head_size] its output (att_head: computed even when off) */
	int           cat_lo;             /* its dims in the concatenation: cat_lo .. cat_lo + head_size - 1 */
	const double *logits;             /* [V] its direct contribution (zero when off) */
	int           up[HEAD_REPORT_TOP], down[HEAD_REPORT_TOP];   /* tokens, largest first */
};

struct head_report {
	int     pos, n_pos, n_heads, head_size, vocab;
	int     target;                   /* the token pos predicts, -1 unknown */
	struct head_report_head *heads;   /* [n_heads] layer by layer */
	struct attrib_parts parts;        /* the decomposition at pos (the session's mask) */
	double *heads_sum;                /* [V] the heads' parts added in order */
	double *mlp_sum;                  /* [V] the MLPs' parts added in order */
	double  max_diff;                 /* max |embed + heads + mlp - logits| */
	const double *logits;             /* [V] at pos, the session's mask */
	const double *probs, *probs_all;  /* [V] at pos: the session's mask, every head on */
	double  loss, loss_all;           /* the input's loss both ways: mean over the scored
	                                   * positions in order (NaN: none scored) */
	int     n_scored;
	/* the logit lens at pos: lm_head applied to the residual stream at
	 * each point (attrib_lens; "embed", "L0.attn", "L0.mlp", ...), the
	 * last point's being the logits */
	int     n_points;
	double *lens;                     /* [n_points][V] */
	int    *lens_top;                 /* [n_points][HEAD_REPORT_LENS] tokens, highest first */
};

void head_report_init(struct head_report *r, const struct model_config *cfg);
void head_report_free(struct head_report *r);
/* Fill r for position pos (clamped to the pass) of s's pass. */
void head_report_fill(struct head_report *r, const struct debug_session *s, int pos);
/* ---- head roles: what a head does, named from its statistics ----
 *
 * From one step's struct headstat (headstats.h) and the probe's length; the
 * thresholds are HEAD_ROLE_* in head_report.c (the man page's HEAD
 * STATISTICS says them). Checked in this order, the first that fits: */
enum head_role {
	HEAD_ROLE_MIXED,    /* none of the below */
	HEAD_ROLE_PREV,     /* prev >= HEAD_ROLE_PREV_MIN: the previous-character head */
	HEAD_ROLE_BOS,      /* bos >= HEAD_ROLE_BOS_MIN: parks its weight on BOS (a sink) */
	HEAD_ROLE_UNIFORM,  /* entropy >= HEAD_ROLE_UNIFORM_MIN of its most: spreads evenly */
	HEAD_ROLE_SELF,     /* entropy <= HEAD_ROLE_SELF_MAX of its most, yet on neither
	                     * the previous position nor BOS: the current one (self) */
	HEAD_ROLE__COUNT
};

/* Where a head's role stands over steps 0..n-1 of a series: its role at
 * the last step, the first step that role appeared at, and the step from
 * which it has held unbroken to the last. */
struct head_role_span {
	enum head_role role;
	long first, since;
};

const char *head_role_name(enum head_role r);
/* The largest entropy a head can have on a probe pass of n_pos positions:
 * the mean of ln(t+1) over the positions the statistics average. */
double head_role_entropy_max(int n_pos);
enum head_role head_role_of(const struct headstat *s, double ent_max);
/* Spans of every head of a series hs[step * n_heads + head], n_steps steps
 * (out[n_heads]); nothing written when n_steps is 0. */
void head_roles_series(const struct headstat *hs, long n_steps, int n_heads, int n_pos,
                       struct head_role_span *out);

/* The input's loss over the positions of tr with a target: their losses
 * added in order, over their count (training's loss of a name when every
 * position is scored); NaN when none is. *n gets the count (may be NULL). */
double head_report_loss(const struct trace *tr, int *n);

#endif
