/* session.c - what the screen steps through: the input, the pass over it,
 * the heads switched off, the samples drawn, the weights' training step.
 *
 * Everything numeric goes through the engine (model_forward, the probe
 * module's head switches and sampler); this file only decides what to feed
 * and keeps the stepper's op sequence in line with the trace. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "ui_priv.h"
#include "xmalloc.h"

static void
compare_update(struct ui *u)
{
	if (u->tr.head_mask)
		probe_all_heads(u->m, &u->tr, &u->tr_all);
}

/* Feed BOS and the input's characters (up to block_size tokens), each
 * position's target the next character when there is one. */
static void
feed_input(struct ui *u)
{
	const int T = u->cfg.block_size, bos = u->cfg.vocab_size - 1;
	int n = u->n_input + 1 > T ? T : u->n_input + 1, i;

	u->n_fed = n - 1;
	trace_reset(&u->tr);
	for (i = 0; i < n; i++) {
		int tok = i == 0 ? bos : dataset_token(u->ds, u->input[i - 1]);
		int tgt = i < u->n_input ? dataset_token(u->ds, u->input[i]) : -1;

		u->tokens[i] = tok;
		model_forward(u->m, &u->tr, tok, tgt);
	}
	stepper_build(&u->st, u->tr.n_pos);
	compare_update(u);
}

/* The run's sampling stream starts where the reference's sampler starts,
 * so x from an empty input draws the names `train` prints. */
static void
stream_restart(struct ui *u)
{
	rng_after_preamble(&u->srng, u->run->seed, u->ds->n_docs, u->m->n_params);
	u->n_draws = 0;
	u->sample.valid = 0;
}

int
session_init(struct ui *u, struct debug_run *run, const char *input, char *err, size_t errlen)
{
	uint32_t text[LE_MAX];
	size_t len = strlen(input), off = 0;
	int n = 0;

	u->run = run;
	u->m = &run->tr.model;
	u->cfg = u->m->cfg;
	u->ds = &run->ds;
	trace_init(&u->tr, &u->cfg);
	trace_init(&u->tr_all, &u->cfg);
	stepper_init(&u->st, &u->cfg);
	u->tokens = xcalloc((size_t)u->cfg.block_size, sizeof *u->tokens);
	u->sample.probs = xcalloc((size_t)u->cfg.vocab_size, sizeof(double));
	u->temperature = run->temperature > 0 ? run->temperature : 0.5;
	while (off < len) {
		uint32_t c;
		int k = utf8_get((const unsigned char *)input + off, len - off, &c);

		if (k == 0) {
			snprintf(err, errlen, "--input: not valid UTF-8");
			return -1;
		}
		if (n == LE_MAX) {
			snprintf(err, errlen, "--input: longer than %d characters", LE_MAX);
			return -1;
		}
		text[n++] = c;
		off += (size_t)k;
	}
	return session_set_input(u, text, n, err, errlen);
}

void
session_free(struct ui *u)
{
	trace_free(&u->tr);
	trace_free(&u->tr_all);
	stepper_free(&u->st);
	free(u->tokens);
	free(u->sample.probs);
	u->tokens = NULL;
	u->sample.probs = NULL;
}

int
session_set_input(struct ui *u, const uint32_t *text, int n, char *err, size_t errlen)
{
	int i;

	if (dataset_describe_missing(u->ds, text, (size_t)n, err, errlen))
		return -1;
	memcpy(u->input, text, (size_t)n * sizeof *text);
	u->n_input = n;
	u->n_typed = n;
	stream_restart(u);
	feed_input(u);
	if (u->n_fed < n) {
		char cut[64];
		int k = 0;

		for (i = u->n_fed; i < n && k < 40; i++)
			k += utf8_put(cut + k, u->input[i]);
		cut[k] = '\0';
		ui_msg(u, ST_ERR, "input cut at block_size %d tokens: \"%s%s\" not fed",
		    u->cfg.block_size, cut, i < n ? "..." : "");
	}
	return 0;
}

void
session_toggle_head(struct ui *u, int layer, int head)
{
	int off = probe_toggle_head(u->m, &u->tr, layer, head);

	if (off < 0) {
		ui_msg(u, ST_ERR, "layer %d has heads 0-%d", layer, u->cfg.n_head - 1);
		return;
	}
	compare_update(u);
	ui_msg(u, ST_OK, "L%dH%d switched %s: the pass is recomputed from the concatenation",
	    layer, head, off ? "off" : "on");
}

void
session_heads_on(struct ui *u)
{
	if (!u->tr.head_mask) {
		ui_msg(u, ST_NORMAL, "every head is on");
		return;
	}
	probe_set_mask(u->m, &u->tr, 0);
	ui_msg(u, ST_OK, "every head on again");
}

void
session_weights_changed(struct ui *u)
{
	model_reforward(u->m, &u->tr);
	compare_update(u);
	u->sample.valid = 0;
}

/* The input as one string (for the sampled name). */
static void
input_string(const struct ui *u, char *buf, size_t n, int extra)
{
	size_t off = 0;
	int i;

	for (i = 0; i < u->n_input && off + 5 < n; i++)
		off += (size_t)utf8_put(buf + off, u->input[i]);
	if (extra >= 0 && off + 5 < n)
		off += (size_t)utf8_put(buf + off, u->ds->vocab[extra]);
	buf[off] = '\0';
}

void
session_sample(struct ui *u)
{
	const int bos = u->cfg.vocab_size - 1;
	struct sample_step st;
	struct sample_rec *s = &u->sample;

	if (s->valid && s->ended) {
		/* the name is complete: the next x begins a new one from BOS,
		 * drawing on from the same stream, as the reference does */
		u->n_input = u->n_typed = 0;
		feed_input(u);
	}
	if (u->n_fed < u->n_input) {
		ui_msg(u, ST_ERR, "the input is cut at block_size: nothing more can be fed");
		return;
	}
	if (probe_sample(u->m, &u->tr, &u->srng, u->temperature, s->probs, &st) < 0) {
		ui_msg(u, ST_ERR, "nothing to sample from");
		return;
	}
	u->n_draws++;
	s->valid = 1;
	s->pos = st.pos;
	s->temperature = st.temperature;
	s->u = st.u;
	s->total = st.total;
	s->cum_lo = st.cum_lo;
	s->cum_hi = st.cum_hi;
	s->chosen = st.token;
	s->draw = u->n_draws;
	s->ended = st.token == bos || !st.fed;
	if (st.fed) {
		u->input[u->n_input++] = u->ds->vocab[st.token];
		u->n_fed++;
		u->tokens[st.pos + 1] = st.token;
	}
	input_string(u, s->name, sizeof s->name, !st.fed && st.token != bos ? st.token : -1);
	stepper_build(&u->st, u->tr.n_pos);
	compare_update(u);
	/* show the draw: the probs op of the position sampled from */
	{
		struct op want = { OP_PROBS, st.pos, -1, -1 };

		stepper_seek(&u->st, &want);
	}
	if (st.token == bos)
		ui_msg(u, ST_OK, "drew BOS: the name ends here: \"%s\"", s->name);
	else if (!st.fed)
		ui_msg(u, ST_OK, "block_size reached: the name ends here: \"%s\"", s->name);
	else {
		char c[8];

		ui_msg(u, ST_OK, "drew '%s' at T %.2f; s steps into position %d",
		    dataset_tokstr(u->ds, st.token, c, "BOS"), s->temperature, st.pos + 1);
	}
}
