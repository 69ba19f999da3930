/* SPDX-License-Identifier: MIT */
/* head_report.c - see head_report.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "head_report.h"
#include "xmalloc.h"

void
head_report_init(struct head_report *r, const struct model_config *cfg)
{
	memset(r, 0, sizeof *r);
	r->n_heads = cfg->n_layer * cfg->n_head;
	r->head_size = cfg->n_embd / cfg->n_head;
	r->vocab = cfg->vocab_size;
	r->heads = xcalloc((size_t)r->n_heads, sizeof *r->heads);
	attrib_parts_init(&r->parts, cfg);
	r->heads_sum = xcalloc((size_t)r->vocab, sizeof *r->heads_sum);
	r->mlp_sum = xcalloc((size_t)r->vocab, sizeof *r->mlp_sum);
	r->n_points = attrib_lens_points(cfg);
	r->lens = xcalloc((size_t)r->n_points * r->vocab, sizeof *r->lens);
	r->lens_top = xcalloc((size_t)r->n_points * HEAD_REPORT_LENS, sizeof *r->lens_top);
}

void
head_report_free(struct head_report *r)
{
	free(r->heads);
	attrib_parts_free(&r->parts);
	free(r->heads_sum);
	free(r->mlp_sum);
	free(r->lens);
	free(r->lens_top);
	memset(r, 0, sizeof *r);
}

double
head_report_loss(const struct trace *tr, int *n)
{
	double sum = 0.0;
	int t, k = 0;

	for (t = 0; t < tr->n_pos; t++)
		if (tr->target[t] >= 0) {
			sum += tr->loss[t];
			k++;
		}
	if (n)
		*n = k;
	return k ? sum / k : NAN;
}

/* The n tokens of v with the largest values (sign 1) or smallest (-1). */
static void
top_tokens(const double *v, int V, int sign, int *out, int n)
{
	int i, j, k;

	for (k = 0; k < n; k++)
		out[k] = -1;
	for (i = 0; i < V; i++)
		for (k = 0; k < n; k++)
			if (out[k] < 0 || sign * v[i] > sign * v[out[k]]) {
				for (j = n - 1; j > k; j--)
					out[j] = out[j - 1];
				out[k] = i;
				break;
			}
}

void
head_report_fill(struct head_report *r, const struct debug_session *s, int pos)
{
	const struct trace *tr = &s->tr;
	/* the session keeps the all-on pass only while a head is off */
	const struct trace *all = s->tr.head_mask ? &s->tr_all : &s->tr;
	const struct model_config *cfg = &s->cfg;
	int V = r->vocab, C = cfg->n_embd, T = cfg->block_size, H = cfg->n_head;
	int l, h, i, v;

	r->n_pos = tr->n_pos;
	if (pos >= tr->n_pos)
		pos = tr->n_pos - 1;
	if (pos < 0)
		pos = 0;
	r->pos = pos;
	r->target = tr->n_pos ? tr->target[pos] : -1;
	r->loss = head_report_loss(tr, &r->n_scored);
	r->loss_all = head_report_loss(all, NULL);
	if (!tr->n_pos) {
		r->logits = r->probs = r->probs_all = NULL;
		return;
	}
	r->max_diff = attrib_decompose(s->m, tr, pos, &r->parts);
	r->logits = tr->logits + (size_t)pos * V;
	r->probs = tr->probs + (size_t)pos * V;
	r->probs_all = all->probs + (size_t)pos * V;
	for (v = 0; v < V; v++)
		r->heads_sum[v] = r->mlp_sum[v] = 0.0;
	for (l = 0, i = 0; l < cfg->n_layer; l++) {
		for (h = 0; h < H; h++, i++) {
			struct head_report_head *e = &r->heads[i];

			e->layer = l;
			e->head = h;
			e->off = debug_session_head_off(s, l, h);
			e->att_w = tr->att_w + trace_lth(tr, l, pos, h) * T;
			e->cat_lo = h * r->head_size;
			e->out = tr->att_head + trace_lt(tr, l, pos) * C + e->cat_lo;
			e->logits = r->parts.head + (size_t)i * V;
			top_tokens(e->logits, V, 1, e->up, HEAD_REPORT_TOP);
			top_tokens(e->logits, V, -1, e->down, HEAD_REPORT_TOP);
			for (v = 0; v < V; v++)
				r->heads_sum[v] += e->logits[v];
		}
		for (v = 0; v < V; v++)
			r->mlp_sum[v] += r->parts.mlp[(size_t)l * V + v];
	}
	for (i = 0; i < r->n_points; i++) {
		attrib_lens(s->m, tr, pos, i, r->lens + (size_t)i * V);
		top_tokens(r->lens + (size_t)i * V, V, 1, r->lens_top + (size_t)i * HEAD_REPORT_LENS,
		    HEAD_REPORT_LENS);
	}
}

/* ---- head roles ---- */

/* The thresholds, in one place (man page, HEAD STATISTICS): weights are
 * means over the probe's positions; entropies a fraction of the most the
 * probe allows. */
#define HEAD_ROLE_PREV_MIN    0.5   /* mean weight on the previous position */
#define HEAD_ROLE_BOS_MIN     0.5   /* mean weight on BOS */
#define HEAD_ROLE_UNIFORM_MIN 0.9   /* entropy / its most */
#define HEAD_ROLE_SELF_MAX    0.5   /* entropy / its most */

const char *
head_role_name(enum head_role r)
{
	static const char *const names[HEAD_ROLE__COUNT] = {
		[HEAD_ROLE_MIXED] = "mixed", [HEAD_ROLE_PREV] = "prev-char",
		[HEAD_ROLE_BOS] = "BOS sink", [HEAD_ROLE_UNIFORM] = "uniform",
		[HEAD_ROLE_SELF] = "self",
	};

	return (unsigned)r < HEAD_ROLE__COUNT ? names[r] : "?";
}

double
head_role_entropy_max(int n_pos)
{
	double sum = 0.0;
	int t, t0 = headstats_first_pos(n_pos);

	for (t = t0; t < n_pos; t++)
		sum += log((double)(t + 1));
	return t0 < n_pos ? sum / (n_pos - t0) : NAN;
}

enum head_role
head_role_of(const struct headstat *s, double ent_max)
{
	if (s->prev >= HEAD_ROLE_PREV_MIN)
		return HEAD_ROLE_PREV;
	if (s->bos >= HEAD_ROLE_BOS_MIN)
		return HEAD_ROLE_BOS;
	if (s->entropy >= HEAD_ROLE_UNIFORM_MIN * ent_max)
		return HEAD_ROLE_UNIFORM;
	if (s->entropy <= HEAD_ROLE_SELF_MAX * ent_max)
		return HEAD_ROLE_SELF;
	return HEAD_ROLE_MIXED;   /* NaN statistics (a probe too short) land here too */
}

void
head_roles_series(const struct headstat *hs, long n_steps, int n_heads, int n_pos,
    struct head_role_span *out)
{
	const double em = head_role_entropy_max(n_pos);
	long s;
	int h;

	if (n_steps <= 0)
		return;
	for (h = 0; h < n_heads; h++) {
		struct head_role_span *o = &out[h];

		o->role = head_role_of(&hs[(size_t)(n_steps - 1) * n_heads + h], em);
		o->first = o->since = n_steps - 1;
		for (s = n_steps - 1; s >= 0; s--)
			if (head_role_of(&hs[(size_t)s * n_heads + h], em) == o->role) {
				o->first = s;
				if (o->since == s + 1)
					o->since = s;
			}
	}
}
