/* SPDX-License-Identifier: MIT */
/* replay_run.c - a saved run at one step: weights, probe, statistics, names. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_run.h"
#include "store_view.h"
#include "xmalloc.h"

static int
fail(char *err, size_t n, const char *msg)
{
	snprintf(err, n, "%s", msg);
	return -1;
}

static int
load_log(struct replay_run *rr, char *err, size_t n)
{
	double *loss = NULL, *lr = NULL;
	long cnt = 0;

	if (store_load_losses(rr->st, rr->run.id, &loss, &lr, &cnt) < 0)
		return fail(err, n, store_errmsg(rr->st));
	free(lr);
	free(rr->loss);
	rr->loss = loss;
	rr->n_loss = cnt;
	return 0;
}

static void
ckpt_save(struct replay_run *rr)
{
	const size_t n = rr->tr.model.n_params, b = n * sizeof(double);
	struct replay_ckpt *c = NULL;
	int i;

	for (i = 0; i < rr->n_ckpt; i++) {
		if (rr->ckpt[i].step == rr->tr.step)
			return;
		if (!c || rr->ckpt[i].used < c->used)
			c = &rr->ckpt[i];
	}
	if (!c)
		return;
	if (!c->p) {
		c->p = xmalloc(b);
		c->m = xmalloc(b);
		c->v = xmalloc(b);
	}
	memcpy(c->p, rr->tr.model.p, b);
	memcpy(c->m, rr->tr.adam.m, b);
	memcpy(c->v, rr->tr.adam.v, b);
	c->step = rr->tr.step;
	c->used = ++rr->clock;
}

/* Move the weights to `step`: from the closest state at or before it that
 * is at hand (the trainer itself, a checkpoint, or the store's snapshot),
 * leaving a checkpoint every REPLAY_CKPT_EVERY steps on the way (the same
 * steps, stopped at more often). Every re-run step is checked against the
 * log by store_seek. */
static int
seek(struct replay_run *rr, long step)
{
	const size_t b = rr->tr.model.n_params * sizeof(double);
	struct replay_ckpt *best = NULL;
	long next, snap;
	int i;

	for (i = 0; i < rr->n_ckpt; i++)
		if (rr->ckpt[i].step >= 0 && rr->ckpt[i].step <= step &&
		    (!best || rr->ckpt[i].step > best->step))
			best = &rr->ckpt[i];
	if (best && (rr->tr.step > step || best->step > rr->tr.step)) {
		memcpy(rr->tr.model.p, best->p, b);
		memcpy(rr->tr.adam.m, best->m, b);
		memcpy(rr->tr.adam.v, best->v, b);
		rr->tr.step = best->step;
		best->used = ++rr->clock;
	}
	/* Where the store would start: the snapshot at or before step (they
	 * are at multiples of snapshot_every), unless the trainer is between
	 * it and step. Walk from there in checkpoint-sized strides. */
	snap = rr->run.snapshot_every > 0 ? step / rr->run.snapshot_every * rr->run.snapshot_every : 0;
	while (rr->tr.step != step) {
		long cur = rr->tr.step <= step && rr->tr.step >= snap ? rr->tr.step : snap;

		next = (cur / REPLAY_CKPT_EVERY + 1) * REPLAY_CKPT_EVERY;
		if (next > step)
			next = step;
		if (store_seek(rr->st, &rr->run, next, &rr->tr) < 0)
			return -1;
		if (next % REPLAY_CKPT_EVERY == 0)
			ckpt_save(rr);
	}
	return 0;
}

int
replay_open(struct replay_run *rr, struct store *st, const char *spec, char *err, size_t n)
{
	int i;

	memset(rr, 0, sizeof *rr);
	rr->st = st;
	rr->cur_step = rr->prev_step = -1;
	if (store_data_version(st, &rr->data_version) < 0 ||
	    store_find_run(st, spec, &rr->run) < 0)
		return fail(err, n, store_errmsg(st));
	if (load_log(rr, err, n) < 0)
		goto fail;
	/* the weights at the last step: this also brings the vocabulary */
	if (store_replay(st, &rr->run, rr->run.steps_done, &rr->ds, &rr->tr) < 0) {
		fail(err, n, store_errmsg(st));
		goto fail;
	}
	rr->have_tr = 1;
	/* checkpoints: up to 32, and no more than 64 MiB of them */
	rr->n_ckpt = REPLAY_CKPT_SLOTS;
	while (rr->n_ckpt > 0 &&
	    (uint64_t)rr->n_ckpt * 3 * rr->tr.model.n_params * sizeof(double) > ((uint64_t)64 << 20))
		rr->n_ckpt--;
	for (i = 0; i < REPLAY_CKPT_SLOTS; i++)
		rr->ckpt[i].step = -1;
	trace_init(&rr->cur, &rr->tr.model.cfg);
	trace_init(&rr->prev, &rr->tr.model.cfg);
	trace_init(&rr->scratch, &rr->tr.model.cfg);
	rr->hs_now = xcalloc((size_t)rr->run.cfg.n_layer * rr->run.cfg.n_head, sizeof *rr->hs_now);
	rr->roles = xcalloc((size_t)rr->run.cfg.n_layer * rr->run.cfg.n_head, sizeof *rr->roles);
	rng_after_preamble(&rr->rng0, rr->run.seed, rr->ds.n_docs, rr->tr.model.n_params);
	if (replay_set_probe(rr, NULL, err, n) < 0)
		goto fail;
	return 0;
fail:
	replay_close(rr);
	return -1;
}

void
replay_close(struct replay_run *rr)
{
	int i;

	for (i = 0; i < REPLAY_CKPT_SLOTS; i++) {
		free(rr->ckpt[i].p);
		free(rr->ckpt[i].m);
		free(rr->ckpt[i].v);
	}
	if (rr->have_tr) {
		trainer_free(&rr->tr);
		trace_free(&rr->cur);
		trace_free(&rr->prev);
		trace_free(&rr->scratch);
	}
	if (rr->have_hs_tr) {
		trainer_free(&rr->hs_tr);
		dataset_free(&rr->hs_ds);
	}
	if (rr->have_tr)
		dataset_free(&rr->ds);
	free(rr->loss);
	free(rr->hs);
	free(rr->gs);
	free(rr->roles);
	free(rr->hs_now);
	memset(rr, 0, sizeof *rr);
}

/* Encode text into the run's tokens; 0, or -1 naming what is missing
 * (as the debugger's input does: dataset_describe_missing). */
static int
encode(const struct replay_run *rr, const char *text, int *tok, int *ntok, char *err, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text), ncp = 0;
	uint32_t c, *cps = xmalloc((len + 1) * sizeof *cps);
	int k, t, cnt = 0;

	while (len > 0) {
		k = utf8_get(s, len, &c);
		if (k == 0) {
			free(cps);
			return fail(err, n, "the probe text is not valid UTF-8");
		}
		cps[ncp++] = c;
		t = dataset_token(&rr->ds, c);
		if (t >= 0 && cnt < REPLAY_PROBE_MAX)
			tok[cnt++] = t;
		s += k;
		len -= (size_t)k;
	}
	k = dataset_describe_missing(&rr->ds, cps, ncp, err, n);
	free(cps);
	if (k)
		return -1;
	if (cnt == 0)
		return fail(err, n, "the probe text is empty");
	*ntok = cnt;
	return 0;
}

int
replay_set_probe(struct replay_run *rr, const char *text, char *err, size_t n)
{
	int tok[REPLAY_PROBE_MAX], ntok = 0;
	char buf[REPLAY_PROBE_MAX], ch[8];
	size_t i;

	if (!text) {
		text = REPLAY_PROBE_DEFAULT;
		if (encode(rr, text, tok, &ntok, err, n) < 0) {
			/* data without the letters of "emma": the name the run
			 * trained on first (docs[0] after the shuffle) */
			buf[0] = '\0';
			for (i = 0; i < dataset_doc_len(&rr->ds, 0); i++) {
				dataset_tokstr(&rr->ds, dataset_doc(&rr->ds, 0)[i], ch, "");
				if (strlen(buf) + strlen(ch) + 1 > sizeof buf)
					break;
				strcat(buf, ch);
			}
			text = buf;
		}
	}
	if (strlen(text) >= sizeof rr->probe_text)
		return fail(err, n, "the probe text is too long");
	if (encode(rr, text, tok, &ntok, err, n) < 0)
		return -1;
	snprintf(rr->probe_text, sizeof rr->probe_text, "%s", text);
	memcpy(rr->probe_tok, tok, (size_t)ntok * sizeof *tok);
	rr->n_probe_tok = ntok;
	rr->pos = ntok < rr->run.cfg.block_size ? ntok : rr->run.cfg.block_size - 1;
	if (rr->layer >= rr->run.cfg.n_layer)
		rr->layer = 0;
	if (rr->head >= rr->run.cfg.n_head)
		rr->head = 0;
	/* a new probe: a new series, and no "previous" to compare with */
	rr->n_hs = 0;
	if (rr->have_hs_tr) {
		trainer_free(&rr->hs_tr);
		dataset_free(&rr->hs_ds);
		rr->have_hs_tr = 0;
	}
	rr->prev_step = -1;
	if (rr->cur_step >= 0) {
		long s = rr->cur_step;

		rr->cur_step = -1;
		return replay_goto(rr, s, err, n);
	}
	return 0;
}

static void
sample_names(struct replay_run *rr)
{
	struct rng r = rr->rng0;
	int toks[4096], i, j, cnt;
	char ch[8];
	size_t o;

	for (i = 0; i < REPLAY_N_SAMPLES; i++) {
		cnt = sample_name(&rr->tr.model, &rr->scratch, &r, rr->run.temperature, toks);
		o = 0;
		rr->names[i][0] = '\0';
		for (j = 0; j < cnt; j++) {
			dataset_tokstr(&rr->ds, toks[j], ch, "");
			if (o + strlen(ch) + 1 >= sizeof rr->names[i])
				break;
			strcpy(rr->names[i] + o, ch);
			o += strlen(ch);
		}
	}
}

int
replay_goto(struct replay_run *rr, long step, char *err, size_t n)
{
	struct trace t;

	if (step < 0)
		step = 0;
	if (step > rr->run.steps_done)
		step = rr->run.steps_done;
	if (step == rr->cur_step && rr->tr.step == step)
		return 0;
	if (rr->tr.step != step && seek(rr, step) < 0)
		return fail(err, n, store_errmsg(rr->st));
	/* the shown probe becomes the previous one; no copy, a swap */
	if (rr->cur_step >= 0 && rr->cur_step != step) {
		t = rr->prev;
		rr->prev = rr->cur;
		rr->cur = t;
		rr->prev_step = rr->cur_step;
	}
	headstats_probe(&rr->tr.model, &rr->cur, rr->probe_tok, rr->n_probe_tok, rr->hs_now);
	rr->cur_step = step;
	if (rr->pos >= rr->cur.n_pos)
		rr->pos = rr->cur.n_pos - 1;
	sample_names(rr);
	return 0;
}

int
replay_poll(struct replay_run *rr, int *changed, char *err, size_t n)
{
	int64_t v;
	char spec[32];

	*changed = 0;
	if (store_data_version(rr->st, &v) < 0)
		return fail(err, n, store_errmsg(rr->st));
	if (v == rr->data_version)
		return 0;
	rr->data_version = v;
	snprintf(spec, sizeof spec, "%lld", (long long)rr->run.id);
	if (store_find_run(rr->st, spec, &rr->run) < 0)
		return fail(err, n, store_errmsg(rr->st));
	if (load_log(rr, err, n) < 0)
		return -1;
	*changed = 1;
	return 0;
}

int
replay_stats_work(struct replay_run *rr, struct store *rw, long budget, char *err, size_t n)
{
	const int nh = rr->run.cfg.n_layer * rr->run.cfg.n_head;
	long want = rr->run.steps_done + 1, from, to, got;

	if (rr->n_hs >= want)
		return 0;
	if (rr->cap_hs < want) {
		rr->cap_hs = want + want / 2 + 64;
		rr->hs = xrealloc(rr->hs, (size_t)rr->cap_hs * nh * sizeof *rr->hs);
		rr->gs = xrealloc(rr->gs, (size_t)rr->cap_hs * nh * sizeof *rr->gs);
	}
	if (rr->n_hs == 0) {
		struct store *from_st = rw ? rw : rr->st;
		struct headstat *c = NULL;
		struct gradstat *g = NULL;
		long cn = 0, gn = 0;

		/* what is cached already (the two tables' common prefix: steps
		 * 0..cn-1 and training steps 1..cn-1); a read error only means
		 * computing */
		if (store_headstats_load(from_st, rr->run.id, rr->probe_text, nh, &c, &cn) == 0 &&
		    store_gradstats_load(from_st, rr->run.id, nh, &g, &gn) == 0 && cn > 0) {
			if (cn > gn + 1)
				cn = gn + 1;
			if (cn > want)
				cn = want;
			memcpy(rr->hs, c, (size_t)cn * nh * sizeof *c);
			if (cn > 1)
				memcpy(rr->gs, g, (size_t)(cn - 1) * nh * sizeof *g);
			rr->n_hs = cn;
			free(c);
			free(g);
			head_roles_series(rr->hs, rr->n_hs, nh, replay_probe_positions(rr), rr->roles);
			return 1;
		}
		free(c);
		free(g);
	}
	/* compute from the last step we have (or 0) on */
	from = rr->n_hs ? rr->n_hs - 1 : 0;
	to = from + budget < want - 1 ? from + budget : want - 1;
	if (!rr->have_hs_tr || rr->hs_tr.step != from) {
		if (rr->have_hs_tr) {
			trainer_free(&rr->hs_tr);
			dataset_free(&rr->hs_ds);
		}
		if (store_replay(rr->st, &rr->run, from, &rr->hs_ds, &rr->hs_tr) < 0)
			return fail(err, n, store_errmsg(rr->st));
		rr->have_hs_tr = 1;
	}
	rr->hs_tr.n_steps = rr->run.n_steps;
	got = headstats_series(&rr->hs_tr, to, &rr->scratch, rr->probe_tok, rr->n_probe_tok,
	    rr->hs + (size_t)from * nh, rr->gs + (size_t)from * nh);
	if (got <= 0)
		return fail(err, n, "the statistics could not advance");
	/* the head statistics first: the gradient figures of the steps
	 * between are only used as far as both are there */
	if (rw && (store_headstats_save(rw, rr->run.id, rr->probe_text, from, got, nh,
	    rr->hs + (size_t)from * nh) < 0 ||
	    store_gradstats_save(rw, rr->run.id, from + 1, got - 1, nh, rr->gs + (size_t)from * nh) < 0))
		return fail(err, n, store_errmsg(rw));
	rr->n_hs = from + got;
	head_roles_series(rr->hs, rr->n_hs, nh, replay_probe_positions(rr), rr->roles);
	return 1;
}
