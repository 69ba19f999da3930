/* SPDX-License-Identifier: MIT */
/* train.c - training steps and sampling, exactly as microgpt.py orders them. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"
#include "xmalloc.h"

void
trainer_init(struct trainer *t, struct dataset *ds, const struct model_config *cfg,
    uint64_t seed, long n_steps)
{
	struct model_config c = *cfg;

	memset(t, 0, sizeof *t);
	rng_seed(&t->rng, seed);
	dataset_shuffle(ds, &t->rng);
	c.vocab_size = ds->n_vocab + 1;
	t->ds = ds;
	model_init(&t->model, &c);
	model_randomize(&t->model, &t->rng);
	adam_init(&t->adam, t->model.n_params);
	trace_init(&t->tr, &c);
	t->bw = backward_new(&c);
	t->grad = xcalloc(t->model.n_params, sizeof *t->grad);
	t->n_steps = n_steps;
}

void
trainer_free(struct trainer *t)
{
	model_free(&t->model);
	adam_free(&t->adam);
	trace_free(&t->tr);
	backward_free(t->bw);
	free(t->grad);
	memset(t, 0, sizeof *t);
}

/* Forward over document docs[s % n]: BOS, its characters, BOS. */
static double
forward_doc(const struct model *m, const struct dataset *ds, long s, struct trace *tr)
{
	size_t d = (size_t)s % ds->n_docs, len = dataset_doc_len(ds, d);
	const int *doc = dataset_doc(ds, d);
	const int bos = ds->n_vocab;
	int n = (int)len + 1, pos, tok, next;
	double sum = 0.0;

	if (n > m->cfg.block_size)
		n = m->cfg.block_size;
	trace_reset(tr);
	tr->head_mask = 0;
	for (pos = 0; pos < n; pos++) {
		tok = pos == 0 ? bos : doc[pos - 1];
		next = (size_t)pos < len ? doc[pos] : bos;
		tr->token[pos] = tok;
		tr->target[pos] = next;
	}
	/* all positions at once: the same trace as n model_forward calls */
	model_forward_seq(m, tr, tr->token, tr->target, n);
	for (pos = 0; pos < n; pos++)
		sum += tr->loss[pos];
	/* loss = (1 / n) * sum(losses) */
	return (1.0 / n) * sum;
}

double
trainer_eval(const struct trainer *t, long s, struct trace *tr)
{
	return forward_doc(&t->model, t->ds, s, tr);
}

void
trainer_step(struct trainer *t, struct step_stats *st)
{
	double loss, gn;

	loss = forward_doc(&t->model, t->ds, t->step, &t->tr);
	model_backward(&t->model, &t->tr, t->grad, t->bw);
	st->lr = adam_update_norm(&t->adam, t->model.p, t->grad, t->model.n_params, t->step,
	    t->n_steps, &gn);
	st->loss = loss;
	st->grad_norm = sqrt(gn);
	st->n_pos = t->tr.n_pos;
	t->step++;
}

int
sample_name(const struct model *m, struct trace *tr, struct rng *r, double temperature, int *out)
{
	const int V = m->cfg.vocab_size, bos = V - 1;
	double *probs = xmalloc((size_t)V * sizeof *probs);
	int pos, tok = bos, n = 0;

	trace_reset(tr);
	for (pos = 0; pos < m->cfg.block_size; pos++) {
		model_forward(m, tr, tok, -1);
		model_softmax_temp(tr->logits + (size_t)pos * V, V, temperature, probs);
		tok = (int)rng_choice(r, probs, (size_t)V, NULL);
		if (tok == bos)
			break;
		out[n++] = tok;
	}
	free(probs);
	return n;
}

void
rng_after_preamble(struct rng *r, uint64_t seed, size_t n_docs, size_t n_params)
{
	size_t i;

	rng_seed(r, seed);
	for (i = n_docs ? n_docs - 1 : 0; i >= 1; i--)
		rng_randbelow(r, (uint64_t)i + 1);
	for (i = 0; i < n_params; i++)
		rng_gauss(r, 0.0, 0.08);
}
