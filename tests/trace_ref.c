/* SPDX-License-Identifier: MIT */
/* trace_ref.c - the engine's own numbers for `trace`, by a second path.
 *
 * Trains the default run as `trace` does without a database (bundled
 * names, seed 42, 1000 steps, or --step S), feeds BOS and the characters
 * of TEXT, and prints every op as json_flat prints `trace --format json`:
 *
 *     OP POS LAYER HEAD OUT...   (numbers %.17g, null where none)
 *
 * It neither uses the stepper nor op_out: the order is written out here
 * as nested loops over the model's shape and the values are read from the
 * trace's arrays directly, so the two outputs agree only if the stepper's
 * sequence, op_out's mapping and trace's printing are all right.
 *
 * Usage: trace_ref [-s STEP] [-m HEAD_MASK] TEXT   (ASCII TEXT) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dataset.h"
#include "model.h"
#include "train.h"

static void
line(const char *op, int pos, int layer, int head, const double *v, int n)
{
	int i;

	printf("%s %d ", op, pos);
	layer < 0 ? printf("null ") : printf("%d ", layer);
	head < 0 ? printf("null") : printf("%d", head);
	for (i = 0; i < n; i++)
		printf(" %.17g", v[i]);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	struct dataset ds;
	struct trainer tr;
	struct step_stats st;
	struct trace x;
	long steps = 1000, i;
	unsigned long long mask = 0;
	int c, n = 0, tok[64], t, l, h, C, D, H, T, V, F;
	const char *text;

	while ((c = getopt(argc, argv, "s:m:")) != -1) {
		if (c == 's')
			steps = atol(optarg);
		else if (c == 'm')
			mask = strtoull(optarg, NULL, 0);
		else
			return 2;
	}
	if (optind != argc - 1)
		return 2;
	text = argv[optind];
	if (cli_load_dataset(NULL, &ds) < 0)
		return 1;
	trainer_init(&tr, &ds, &cfg, 42, 1000);
	for (i = 0; i < steps; i++)
		trainer_step(&tr, &st);
	cfg = tr.model.cfg;
	C = cfg.n_embd; H = cfg.n_head; D = C / H; T = cfg.block_size; V = cfg.vocab_size; F = 4 * C;

	tok[n++] = ds.n_vocab;
	for (; *text && n < T; text++) {
		int k = dataset_token(&ds, (unsigned char)*text);

		if (k < 0)
			return 1;
		tok[n++] = k;
	}
	trace_init(&x, &cfg);
	x.head_mask = mask;
	for (t = 0; t < n; t++)
		model_forward(&tr.model, &x, tok[t], t + 1 < n ? tok[t + 1] : -1);

	for (t = 0; t < n; t++) {
		const double *in = x.x0 + (size_t)t * C;

		line("embed", t, -1, -1, x.tok_emb + (size_t)t * C, C);
		line("embed_sum", t, -1, -1, x.emb + (size_t)t * C, C);
		line("rmsnorm_in", t, -1, -1, x.x0 + (size_t)t * C, C);
		for (l = 0; l < cfg.n_layer; l++) {
			size_t lt = trace_lt(&x, l, t);

			line("residual", t, l, -1, in, C);
			line("rmsnorm_attn", t, l, -1, x.xn1 + lt * C, C);
			line("q", t, l, -1, x.q + lt * C, C);
			line("k", t, l, -1, x.k + lt * C, C);
			line("v", t, l, -1, x.v + lt * C, C);
			line("kv_cache", t, l, -1, x.k + lt * C, C);
			for (h = 0; h < H; h++) {
				size_t lth = trace_lth(&x, l, t, h);

				line("head_qkv", t, l, h, x.q + lt * C + h * D, D);
				line("attn_scores", t, l, h, x.att_score + lth * T, t + 1);
				line("attn_weights", t, l, h, x.att_w + lth * T, t + 1);
				line("head_out", t, l, h, x.att_head + lt * C + h * D, D);
			}
			line("concat", t, l, -1, x.att_cat + lt * C, C);
			line("attn_wo", t, l, -1, x.att_proj + lt * C, C);
			line("attn_residual", t, l, -1, x.x_mid + lt * C, C);
			line("rmsnorm_mlp", t, l, -1, x.xn2 + lt * C, C);
			line("mlp_fc1", t, l, -1, x.fc1 + lt * F, F);
			line("relu", t, l, -1, x.relu + lt * F, F);
			line("mlp_fc2", t, l, -1, x.fc2 + lt * C, C);
			line("mlp_residual", t, l, -1, x.x_out + lt * C, C);
			in = x.x_out + lt * C;
		}
		line("logits", t, -1, -1, x.logits + (size_t)t * V, V);
		line("probs", t, -1, -1, x.probs + (size_t)t * V, V);
	}
	trace_free(&x);
	trainer_free(&tr);
	dataset_free(&ds);
	return 0;
}
