/* SPDX-License-Identifier: MIT */
/* debug_session.c - what the debugger steps through: the input, the pass
 * over it, the heads switched off, the samples drawn, the weights'
 * training step.
 *
 * Everything numeric goes through the engine (model_forward, the probe
 * module's head switches and sampler); this file only decides what to feed
 * and keeps the stepper's op sequence in line with the trace. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug_session.h"
#include "probe.h"
#include "run_defaults.h"
#include "xmalloc.h"

#define CUT_SHOWN 40   /* bytes of the cut-off text quoted in the message */

static void say(struct debug_session *s, enum debug_msg_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(struct debug_session *s, enum debug_msg_kind k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof s->msg, fmt, ap);
	va_end(ap);
	s->msg_kind = k;
}

static void
compare_update(struct debug_session *s)
{
	if (s->tr.head_mask)
		probe_all_heads(s->m, &s->tr, &s->tr_all);
}

/* Feed BOS and the input's characters (up to block_size tokens), each
 * position's target the next character when there is one. */
static void
feed_input(struct debug_session *s)
{
	const int T = s->cfg.block_size, bos = s->cfg.vocab_size - 1;
	int n = s->n_input + 1 > T ? T : s->n_input + 1, i;

	s->n_fed = n - 1;
	trace_reset(&s->tr);
	for (i = 0; i < n; i++) {
		int tok = i == 0 ? bos : dataset_token(s->ds, s->input[i - 1]);
		int tgt = i < s->n_input ? dataset_token(s->ds, s->input[i]) : s->score_name ? bos : -1;

		s->tokens[i] = tok;
		model_forward(s->m, &s->tr, tok, tgt);
	}
	stepper_build(&s->st, s->tr.n_pos);
	compare_update(s);
}

/* The run's sampling stream starts where the reference's sampler starts,
 * so x from an empty input draws the names `train` prints. */
static void
stream_restart(struct debug_session *s)
{
	rng_after_preamble(&s->srng, s->run->seed, s->ds->n_docs, s->m->n_params);
	s->n_draws = 0;
	s->sample.valid = 0;
}

int
debug_session_decode(const char *text, uint32_t *out, int *n, struct debug_input_error *why)
{
	size_t len = strlen(text), off = 0;
	int k;

	*n = 0;
	while (off < len) {
		k = utf8_get((const unsigned char *)text + off, len - off, &out[*n]);
		if (k == 0) {
			why->bad_byte = off + 1;
			return DEBUG_INPUT_UTF8;
		}
		(*n)++;
		off += (size_t)k;
	}
	return DEBUG_INPUT_OK;
}

int
debug_session_init(struct debug_session *s, struct debug_run *run, const char *text,
    struct debug_input_error *why)
{
	size_t len = strlen(text);
	uint32_t *cp;
	int n, rc;

	memset(s, 0, sizeof *s);
	s->run = run;
	s->m = &run->tr.model;
	s->cfg = s->m->cfg;
	s->ds = &run->ds;
	trace_init(&s->tr, &s->cfg);
	trace_init(&s->tr_all, &s->cfg);
	stepper_init(&s->st, &s->cfg);
	s->tokens = xcalloc((size_t)s->cfg.block_size, sizeof *s->tokens);
	s->sample.probs = xcalloc((size_t)s->cfg.vocab_size, sizeof(double));
	s->sample.probs_now = xcalloc((size_t)s->cfg.vocab_size, sizeof(double));
	s->temperature = run->temperature > 0 ? run->temperature : RUN_DEFAULT_TEMPERATURE;
	s->cap_input = DEBUG_INPUT_MIN_CAP;
	if (s->cap_input < s->cfg.block_size + 1)
		s->cap_input = s->cfg.block_size + 1;
	if ((size_t)s->cap_input < len + 1)
		s->cap_input = (int)len + 1;
	s->input = xcalloc((size_t)s->cap_input, sizeof *s->input);
	cp = xcalloc(len + 1, sizeof *cp);
	rc = debug_session_decode(text, cp, &n, why);
	if (rc == DEBUG_INPUT_OK)
		rc = debug_session_set_input(s, cp, n, why);
	if (rc != DEBUG_INPUT_OK) {
		/* set up all the same, with nothing fed but BOS */
		s->n_input = s->n_typed = 0;
		stream_restart(s);
		feed_input(s);
	}
	free(cp);
	return rc;
}

void
debug_session_free(struct debug_session *s)
{
	if (s->ts)
		debug_session_train_close(s);
	trace_free(&s->tr);
	trace_free(&s->tr_all);
	stepper_free(&s->st);
	free(s->tokens);
	free(s->sample.probs);
	free(s->sample.probs_now);
	free(s->input);
	s->tokens = NULL;
	s->sample.probs = s->sample.probs_now = NULL;
	s->input = NULL;
}

void
debug_session_describe(const struct debug_session *s, int status,
    const struct debug_input_error *why, char *buf, size_t n)
{
	if (status == DEBUG_INPUT_UTF8)
		snprintf(buf, n, "not valid UTF-8 (byte %zu)", why->bad_byte);
	else if (!dataset_describe_missing(s->ds, why->bad, (size_t)why->n_bad, buf, n))
		snprintf(buf, n, "refused");
}

int
debug_session_set_input(struct debug_session *s, const uint32_t *text, int n,
    struct debug_input_error *why)
{
	int i, j;

	memset(why, 0, sizeof *why);
	for (i = 0; i < n; i++) {
		if (dataset_token(s->ds, text[i]) >= 0)
			continue;
		for (j = 0; j < why->n_bad && why->bad[j] != text[i]; j++)
			;
		if (j < why->n_bad)
			continue;
		if (why->n_bad < DEBUG_BAD_MAX)
			why->bad[why->n_bad++] = text[i];
	}
	if (why->n_bad)
		return DEBUG_INPUT_VOCAB;
	if (n > s->cap_input - 1) {
		s->cap_input = n + 1;
		s->input = xrealloc(s->input, (size_t)s->cap_input * sizeof *s->input);
	}
	memmove(s->input, text, (size_t)n * sizeof *text);
	s->n_input = n;
	s->n_typed = n;
	stream_restart(s);
	feed_input(s);
	if (s->n_fed < n) {
		char cut[CUT_SHOWN + 8];
		int k = 0;

		for (i = s->n_fed; i < n && k < CUT_SHOWN; i++)
			k += utf8_put(cut + k, s->input[i]);
		cut[k] = '\0';
		say(s, DEBUG_MSG_ERR, "input cut at block_size %d tokens: \"%s%s\" not fed",
		    s->cfg.block_size, cut, i < n ? "..." : "");
	}
	return DEBUG_INPUT_OK;
}

void
debug_session_toggle_head(struct debug_session *s, int layer, int head)
{
	int off = probe_toggle_head(s->m, &s->tr, layer, head);

	if (off < 0) {
		say(s, DEBUG_MSG_ERR, "layer %d has heads 0-%d", layer, s->cfg.n_head - 1);
		return;
	}
	compare_update(s);
	say(s, DEBUG_MSG_OK, "L%dH%d switched %s: the pass is recomputed from the concatenation",
	    layer, head, off ? "off" : "on");
}

void
debug_session_heads_on(struct debug_session *s)
{
	if (!s->tr.head_mask) {
		say(s, DEBUG_MSG_INFO, "every head is on");
		return;
	}
	probe_set_mask(s->m, &s->tr, 0);
	say(s, DEBUG_MSG_OK, "every head on again");
}

void
debug_session_set_mask(struct debug_session *s, uint64_t mask)
{
	probe_set_mask(s->m, &s->tr, mask);
	compare_update(s);
}

void
debug_session_set_temperature(struct debug_session *s, double t)
{
	const int V = s->cfg.vocab_size;

	s->temperature = t;
	if (s->sample.valid)
		model_softmax_temp(s->tr.logits + (size_t)s->sample.pos * V, V, t, s->sample.probs_now);
}

void
debug_session_set_scoring(struct debug_session *s, int score_name)
{
	s->score_name = score_name;
	feed_input(s);
}

void
debug_session_weights_changed(struct debug_session *s)
{
	model_reforward(s->m, &s->tr);
	compare_update(s);
	s->sample.valid = 0;
}

/* The input as one string (for the sampled name). */
static void
input_string(const struct debug_session *s, char *buf, size_t n, int extra)
{
	size_t off = 0;
	int i;

	for (i = 0; i < s->n_input && off + 5 < n; i++)
		off += (size_t)utf8_put(buf + off, s->input[i]);
	if (extra >= 0 && off + 5 < n)
		off += (size_t)utf8_put(buf + off, s->ds->vocab[extra]);
	buf[off] = '\0';
}

void
debug_session_sample(struct debug_session *s)
{
	const int bos = s->cfg.vocab_size - 1;
	struct sample_step st;
	struct sample_rec *r = &s->sample;

	if (r->valid && r->ended) {
		/* the name is complete: the next x begins a new one from BOS,
		 * drawing on from the same stream, as the reference does */
		s->n_input = s->n_typed = 0;
		feed_input(s);
	}
	if (s->n_fed < s->n_input) {
		say(s, DEBUG_MSG_ERR, "the input is cut at block_size: nothing more can be fed");
		return;
	}
	if (probe_sample(s->m, &s->tr, &s->srng, s->temperature, r->probs, &st) < 0) {
		say(s, DEBUG_MSG_ERR, "nothing to sample from");
		return;
	}
	s->n_draws++;
	r->valid = 1;
	r->pos = st.pos;
	r->temperature = st.temperature;
	r->u = st.u;
	r->total = st.total;
	r->cum_lo = st.cum_lo;
	r->cum_hi = st.cum_hi;
	r->chosen = st.token;
	r->draw = s->n_draws;
	r->ended = st.token == bos || !st.fed;
	memcpy(r->probs_now, r->probs, (size_t)s->cfg.vocab_size * sizeof *r->probs_now);
	if (st.fed) {
		if (s->n_input + 1 >= s->cap_input) {
			s->cap_input *= 2;
			s->input = xrealloc(s->input, (size_t)s->cap_input * sizeof *s->input);
		}
		s->input[s->n_input++] = s->ds->vocab[st.token];
		s->n_fed++;
		s->tokens[st.pos + 1] = st.token;
	}
	input_string(s, r->name, sizeof r->name, !st.fed && st.token != bos ? st.token : -1);
	stepper_build(&s->st, s->tr.n_pos);
	compare_update(s);
	/* show the draw: the probs op of the position sampled from */
	{
		struct op want = { OP_PROBS, st.pos, -1, -1, 0 };

		stepper_seek(&s->st, &want);
	}
	if (st.token == bos)
		say(s, DEBUG_MSG_OK, "drew BOS: the name ends here: \"%s\"", r->name);
	else if (!st.fed)
		say(s, DEBUG_MSG_OK, "block_size reached: the name ends here: \"%s\"", r->name);
	else {
		char c[8];

		say(s, DEBUG_MSG_OK, "drew '%s' at T %.2f; s steps into position %d",
		    dataset_tokstr(s->ds, st.token, c, "BOS"), r->temperature, st.pos + 1);
	}
}

/* ---- a training step ---- */

/* dst = src, every array (same configuration): the step's pass shown as
 * the session's own */
static void
trace_copy(struct trace *dst, const struct trace *src)
{
	const struct model_config *c = &src->cfg;
	size_t T = (size_t)c->block_size, C = (size_t)c->n_embd, V = (size_t)c->vocab_size;
	size_t L = (size_t)c->n_layer, H = (size_t)c->n_head, F = 4 * C;

	dst->n_pos = src->n_pos;
	dst->head_mask = src->head_mask;
	memcpy(dst->token, src->token, T * sizeof *dst->token);
	memcpy(dst->target, src->target, T * sizeof *dst->target);
#define CP(f, n, shape) memcpy(dst->f, src->f, (n) * sizeof(double));
	TRACE_FIELDS(CP)
#undef CP
	memcpy(dst->att_inv, src->att_inv, L * T * H * sizeof(double));
	memcpy(dst->logit_inv, src->logit_inv, T * sizeof(double));
}

/* the run's weights back at step (after a training step moved them) */
static void
weights_back(struct debug_session *s, long step)
{
	char err[256];

	if (debug_run_step(s->run) != step)
		debug_run_goto(s->run, step, err, sizeof err);
}

int
debug_session_train_open(struct debug_session *s, long step, char *err, size_t n)
{
	struct train_step *ts;
	const struct op *cur = stepper_op(&s->st);
	int i;

	if (s->ts) {
		snprintf(err, n, "already inside training step %ld (q leaves it)", s->ts->step);
		return -1;
	}
	s->back.step = debug_run_step(s->run);
	ts = xcalloc(1, sizeof *ts);
	if (train_step_open(ts, s->run, step, err, n) < 0) {
		train_step_free(ts);
		free(ts);
		if (debug_run_step(s->run) != s->back.step) {
			weights_back(s, s->back.step);
			debug_session_weights_changed(s);
		}
		return -1;
	}
	s->ts = ts;
	if (cur)
		s->back.op = *cur;
	s->back.input = xcalloc((size_t)s->n_input + 1, sizeof *s->back.input);
	memcpy(s->back.input, s->input, (size_t)s->n_input * sizeof *s->input);
	s->back.n_input = s->n_input;
	s->back.n_typed = s->n_typed;
	s->back.head_mask = s->tr.head_mask;

	s->m_before = *s->m;
	s->m_before.p = ts->p_before;
	s->m = &s->m_before;
	trace_copy(&s->tr, ts->tr);
	/* the document as the input: BOS, its characters */
	if (ts->tr->n_pos > s->cap_input) {
		s->cap_input = ts->tr->n_pos + 1;
		s->input = xrealloc(s->input, (size_t)s->cap_input * sizeof *s->input);
	}
	for (i = 1; i < ts->tr->n_pos; i++)
		s->input[i - 1] = s->ds->vocab[ts->tr->token[i]];
	for (i = 0; i < ts->tr->n_pos; i++)
		s->tokens[i] = ts->tr->token[i];
	s->n_input = s->n_typed = s->n_fed = ts->tr->n_pos - 1;
	s->sample.valid = 0;
	s->st.train = 1;
	stepper_build(&s->st, s->tr.n_pos);
	stepper_move(&s->st, STEP_FIRST);
	say(s, DEBUG_MSG_OK, "training step %ld: weights after = the run's step %ld, bit for bit",
	    ts->step, ts->step);
	return 0;
}

void
debug_session_train_close(struct debug_session *s)
{
	if (!s->ts)
		return;
	train_step_free(s->ts);
	free(s->ts);
	s->ts = NULL;
	s->m = &s->run->tr.model;
	weights_back(s, s->back.step);
	memcpy(s->input, s->back.input, (size_t)s->back.n_input * sizeof *s->input);
	s->n_input = s->back.n_input;
	s->n_typed = s->back.n_typed;
	free(s->back.input);
	s->back.input = NULL;
	s->tr.head_mask = s->back.head_mask;
	s->st.train = 0;
	feed_input(s);
	stepper_seek(&s->st, &s->back.op);
	s->msg_kind = DEBUG_MSG_NONE;
	s->msg[0] = '\0';
}
