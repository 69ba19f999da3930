/* SPDX-License-Identifier: MIT */
/* probe.c - heads off and on, the all-heads-on comparison, and one
 * sampled character, all through model_forward. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

/* A whole number of at most 9 digits at *s; advances *s. */
static int
parse_index(const char **s, long *out)
{
	const char *p = *s;
	long v = 0;
	int n = 0;

	while (isdigit((unsigned char)*p) && n < 9) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (!n || isdigit((unsigned char)*p))
		return -1;
	*s = p;
	*out = v;
	return 0;
}

int
probe_parse_heads(const char *spec, const struct model_config *cfg, uint64_t *mask,
    char *err, size_t errlen)
{
	const char *p = spec, *item;
	uint64_t m = 0;
	long l, h;

	if (!*p) {
		snprintf(err, errlen, "empty list of heads (want e.g. L0H1,L0H2)");
		return -1;
	}
	for (;;) {
		item = p;
		if ((*p != 'L' && *p != 'l') || (p++, parse_index(&p, &l) < 0) ||
		    (*p != 'H' && *p != 'h') || (p++, parse_index(&p, &h) < 0) ||
		    (*p != ',' && *p != '\0')) {
			int len = (int)strcspn(item, ",");

			snprintf(err, errlen, "'%.*s' is not a head (want e.g. L0H1,L0H2)",
			    len > 40 ? 40 : len, item);
			return -1;
		}
		if (cfg && l >= cfg->n_layer) {
			snprintf(err, errlen, "L%ldH%ld: no such layer (layers are L0..L%d)",
			    l, h, cfg->n_layer - 1);
			return -1;
		}
		if (cfg && h >= cfg->n_head) {
			snprintf(err, errlen, "L%ldH%ld: no such head (heads are H0..H%d)",
			    l, h, cfg->n_head - 1);
			return -1;
		}
		if (cfg)
			m |= model_head_bit(cfg, (int)l, (int)h);
		if (*p == '\0')
			break;
		p++;
	}
	if (cfg)
		*mask = m;
	return 0;
}

void
probe_format_heads(uint64_t mask, const struct model_config *cfg, char *buf, size_t n)
{
	size_t len = 0;
	int l, h, w;

	if (n)
		buf[0] = '\0';
	for (l = 0; l < cfg->n_layer; l++)
		for (h = 0; h < cfg->n_head; h++) {
			if (!(mask & model_head_bit(cfg, l, h)) || len >= n)
				continue;
			w = snprintf(buf + len, n - len, "%sL%dH%d", len ? "," : "", l, h);
			if (w > 0)
				len += (size_t)w;
		}
}

void
probe_set_mask(const struct model *m, struct trace *tr, uint64_t mask)
{
	tr->head_mask = mask;
	model_reforward(m, tr);
}

int
probe_toggle_head(const struct model *m, struct trace *tr, int layer, int head)
{
	uint64_t bit;

	if (layer < 0 || layer >= m->cfg.n_layer || head < 0 || head >= m->cfg.n_head)
		return -1;
	bit = model_head_bit(&m->cfg, layer, head);
	probe_set_mask(m, tr, tr->head_mask ^ bit);
	return (tr->head_mask & bit) != 0;
}

void
probe_all_heads(const struct model *m, const struct trace *tr, struct trace *ref)
{
	int t;

	trace_reset(ref);
	ref->head_mask = 0;
	for (t = 0; t < tr->n_pos; t++)
		model_forward(m, ref, tr->token[t], tr->target[t]);
}

int
probe_sample(const struct model *m, struct trace *tr, struct rng *r, double temperature,
    double *probs, struct sample_step *st)
{
	const int V = m->cfg.vocab_size, bos = V - 1, last = tr->n_pos - 1;
	double acc = 0.0;
	int i, tok;

	memset(st, 0, sizeof *st);
	if (tr->n_pos < 1 || !(temperature > 0) || !isfinite(temperature))
		return -1;
	/* the reference: probs = softmax([l / temperature for l in logits]);
	 * token_id = random.choices(range(vocab_size), weights=probs)[0] */
	model_softmax_temp(tr->logits + (size_t)last * V, V, temperature, probs);
	tok = (int)rng_choice(r, probs, (size_t)V, &st->u);
	/* choices() accumulates the weights left to right; the same
	 * additions give the same doubles as its cum_weights */
	for (i = 0; i < V; i++) {
		if (i == tok)
			st->cum_lo = acc;
		acc += probs[i];
		if (i == tok)
			st->cum_hi = acc;
	}
	st->total = acc;
	st->pos = last;
	st->temperature = temperature;
	st->token = tok;

	/* the drawn token is the last position's next token: forward that
	 * position again with it as the target (the KV cache of the earlier
	 * positions is untouched), then feed it */
	tr->n_pos = last;
	model_forward(m, tr, tr->token[last], tok);
	if (tok != bos && tr->n_pos < m->cfg.block_size) {
		model_forward(m, tr, tok, -1);
		st->fed = 1;
	}
	return 0;
}
