/* SPDX-License-Identifier: MIT */
/* fingerprint.c - the bits of a training run, hashed: what an engine change
 * must leave alone. Build it (make bench/fingerprint) on the commit before
 * and after a change and compare the lines; docs/PERFORMANCE.md has the
 * configurations the engine's speed work was checked with.
 *
 *     bench/fingerprint SEED STEPS N_EMBD N_HEAD N_LAYER BLOCK [DATA]
 *
 * prints FNV-1a hashes of the final parameters, Adam moments and gradient
 * (in the reference layout, so a change of internal layout does not show)
 * and of every step's loss, gradient norm and learning rate, bit for bit.
 * The printed %.4f losses hide drift in the last bits; these do not. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dataset.h"
#include "model.h"
#include "train.h"
#include "xmalloc.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t
fnv_ref(const struct model *m, const double *x, double *tmp)
{
	model_to_ref(m, x, tmp);
	return fnv(14695981039346656037ULL, tmp, m->n_params * sizeof *tmp);
}

int
main(int argc, char **argv)
{
	struct model_config cfg;
	struct dataset ds;
	struct trainer t;
	struct step_stats st;
	uint64_t hl = 14695981039346656037ULL, hs = hl;
	char err[256], *text = (char *)bundled_names;
	size_t len = bundled_names_len;
	double *tmp;
	long steps, i;

	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: fingerprint SEED STEPS N_EMBD N_HEAD N_LAYER BLOCK [DATA]\n");
		return 2;
	}
	if (argc == 8) {
		FILE *f = fopen(argv[7], "rb");
		long n;

		if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0) {
			perror(argv[7]);
			return 1;
		}
		rewind(f);
		text = xmalloc((size_t)n + 1);
		if (fread(text, 1, (size_t)n, f) != (size_t)n) {
			perror(argv[7]);
			return 1;
		}
		fclose(f);
		len = (size_t)n;
	}
	if (dataset_parse(&ds, text, len, err, sizeof err) < 0) {
		fprintf(stderr, "fingerprint: %s\n", err);
		return 1;
	}
	steps = atol(argv[2]);
	cfg.n_embd = atoi(argv[3]);
	cfg.n_head = atoi(argv[4]);
	cfg.n_layer = atoi(argv[5]);
	cfg.block_size = atoi(argv[6]);
	cfg.vocab_size = ds.n_vocab + 1;
	if (steps < 1 || model_config_check(&cfg, err, sizeof err) < 0) {
		fprintf(stderr, "fingerprint: %s\n", steps < 1 ? "steps must be positive" : err);
		return 2;
	}
	trainer_init(&t, &ds, &cfg, strtoull(argv[1], NULL, 10), steps);
	for (i = 0; i < steps; i++) {
		trainer_step(&t, &st);
		hl = fnv(hl, &st.loss, sizeof st.loss);
		hs = fnv(hs, &st.grad_norm, sizeof st.grad_norm);
		hs = fnv(hs, &st.lr, sizeof st.lr);
	}
	tmp = xmalloc(t.model.n_params * sizeof *tmp);
	printf("params %zu p %016llx m %016llx v %016llx g %016llx loss %016llx norm,lr %016llx\n",
	    t.model.n_params,
	    (unsigned long long)fnv_ref(&t.model, t.model.p, tmp),
	    (unsigned long long)fnv_ref(&t.model, t.adam.m, tmp),
	    (unsigned long long)fnv_ref(&t.model, t.adam.v, tmp),
	    (unsigned long long)fnv_ref(&t.model, t.grad, tmp),
	    (unsigned long long)hl, (unsigned long long)hs);
	free(tmp);
	trainer_free(&t);
	dataset_free(&ds);
	if (text != (char *)bundled_names)
		free(text);
	return 0;
}
