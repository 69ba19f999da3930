/* SPDX-License-Identifier: MIT */
/* attrib_ref.c - the engine's own numbers for trace's workbench ops, by a
 * second path.
 *
 * Trains a run as `mgpt-tui train` does (bundled names or -D FILE, seed 42, STEPS
 * planned, default size or -l layers) and, for TEXT scored as training
 * scores a name, prints what tests/json_flat prints of `trace --format
 * json`'s head_logits, lens, ablation (-S) and patch (-P) ops, read from
 * src/engine/attrib.c directly, not through src/trace_attrib.c:
 *
 *     head_logits POS LAYER HEAD OUT...
 *     lens POS POINT OUT...
 *     ablation OFF TEXT_LOSS DATASET_LOSS
 *     patch POS LAYER HEAD OUT...
 *
 * -t prints instead "POS TARGET LOSS" for each position and "mean LOSS";
 * -o the logits and probs lines of the (patched) pass as json_flat prints
 * them; -d S the document step S trains on.
 *
 * Usage: attrib_ref [-D FILE] [-s STEP] [-n STEPS] [-l LAYERS] [-m MASK] [-S]
 *                   [-f TEXT2 -P L,H,POS] [-t | -o | -d S] TEXT   (ASCII) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib.h"
#include "cli.h"
#include "dataset.h"
#include "model.h"
#include "train.h"

static void
line(const char *op, int pos, const char *layer, int head, const double *v, int n)
{
	int i;

	printf("%s %d %s", op, pos, layer);
	if (head >= 0)
		printf(" %d", head);
	for (i = 0; i < n; i++)
		printf(" %.17g", v[i]);
	putchar('\n');
}

static int
encode(const struct dataset *ds, const char *s, int block, int *tok, int *tgt)
{
	int doc[256], n = 0;

	for (; *s && n < 256; s++)
		if ((doc[n++] = dataset_token(ds, (unsigned char)*s)) < 0)
			return -1;
	return attrib_doc_tokens(doc, (size_t)n, ds->n_vocab, block, tok, tgt);
}

int
main(int argc, char **argv)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	struct dataset ds;
	struct trainer tr;
	struct step_stats st;
	struct trace x;
	long steps = -1, planned = 1000, i, doc_step = -1;
	unsigned long long mask = 0;
	int c, n, t, l, h, p, V, sweep = 0, mode = 0, pl = -1, ph = -1, pp = -1;
	int tok[64], tgt[64];
	const char *text, *text2 = NULL, *data = NULL;
	double out[256], tmp[256];
	char name[32], lb[16];

	while ((c = getopt(argc, argv, "s:n:l:m:Sf:P:tod:D:")) != -1) {
		switch (c) {
		case 's': steps = atol(optarg); break;
		case 'n': planned = atol(optarg); break;
		case 'l': cfg.n_layer = atoi(optarg); break;
		case 'm': mask = strtoull(optarg, NULL, 0); break;
		case 'S': sweep = 1; break;
		case 'f': text2 = optarg; break;
		case 'P':
			if (sscanf(optarg, "%d,%d,%d", &pl, &ph, &pp) != 3)
				return 2;
			break;
		case 't': mode = 't'; break;
		case 'o': mode = 'o'; break;
		case 'd': mode = 'd'; doc_step = atol(optarg); break;
		case 'D': data = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 1)
		return 2;
	text = argv[optind];
	if (steps < 0)
		steps = planned;
	if (cli_load_dataset(data, &ds) < 0)
		return 1;
	trainer_init(&tr, &ds, &cfg, 42, planned);
	if (mode == 'd') {
		size_t d = (size_t)doc_step % ds.n_docs, k;
		char b[8];

		for (k = 0; k < dataset_doc_len(&ds, d); k++)
			fputs(dataset_tokstr(&ds, dataset_doc(&ds, d)[k], b, ""), stdout);
		putchar('\n');
		trainer_free(&tr);
		dataset_free(&ds);
		return 0;
	}
	for (i = 0; i < steps; i++)
		trainer_step(&tr, &st);
	cfg = tr.model.cfg;
	V = cfg.vocab_size;
	if ((n = encode(&ds, text, cfg.block_size, tok, tgt)) < 0)
		return 1;
	trace_init(&x, &cfg);
	x.head_mask = mask;
	model_forward_seq(&tr.model, &x, tok, tgt, n);
	if (text2) {
		struct trace y;
		int tok2[64], tgt2[64], n2 = encode(&ds, text2, cfg.block_size, tok2, tgt2);

		trace_init(&y, &cfg);
		y.head_mask = mask;
		model_forward_seq(&tr.model, &y, tok2, tgt2, n2);
		if (attrib_patch_head(&tr.model, &x, &y, pl, ph, pp) < 0)
			return 1;
		memcpy(tmp, y.att_head + trace_lt(&y, pl, pp) * cfg.n_embd + ph * tr.model.head_dim,
		    sizeof(double) * tr.model.head_dim);
		trace_free(&y);
	}
	if (mode == 't') {
		for (t = 0; t < n; t++)
			printf("%d %d %.17g\n", t, x.target[t], x.loss[t]);
		printf("mean %.17g\n", attrib_trace_loss(&x));
		goto out;
	}
	if (mode == 'o') {
		for (t = 0; t < n; t++) {
			printf("logits %d null null", t);
			for (i = 0; i < V; i++)
				printf(" %.17g", x.logits[(size_t)t * V + i]);
			printf("\nprobs %d null null", t);
			for (i = 0; i < V; i++)
				printf(" %.17g", x.probs[(size_t)t * V + i]);
			putchar('\n');
		}
		goto out;
	}
	{
		double pout[64];

		if (text2)
			memcpy(pout, tmp, sizeof(double) * tr.model.head_dim);
		for (t = 0; t < n; t++) {
			for (l = 0; l < cfg.n_layer; l++)
				for (h = 0; h < cfg.n_head; h++) {
					attrib_head_logits(&tr.model, &x, t, l, h, out, tmp);
					snprintf(lb, sizeof lb, "%d", l);
					line("head_logits", t, lb, h, out, V);
				}
			for (p = 0; p < attrib_lens_points(&cfg); p++) {
				attrib_lens(&tr.model, &x, t, p, out);
				line("lens", t, attrib_lens_name(p, name, sizeof name), -1, out, V);
			}
		}
		if (sweep) {
			struct attrib_sweep sw;
			int k;

			attrib_sweep_init(&sw, &cfg);
			attrib_sweep_run(&tr.model, &ds, tok, tgt, n, &sw, NULL, NULL);
			for (k = 0; k < sw.n_masks; k++) {
				int first = 1;

				fputs("ablation ", stdout);
				for (l = 0; l < cfg.n_layer; l++)
					for (h = 0; h < cfg.n_head; h++)
						if ((sw.mask[k] >> (l * cfg.n_head + h)) & 1) {
							printf("%sL%dH%d", first ? "" : ",", l, h);
							first = 0;
						}
				if (first)
					putchar('-');
				printf(" %.17g %.17g\n", sw.text_loss[k], sw.dataset_loss[k]);
			}
			attrib_sweep_free(&sw);
		}
		if (text2) {
			snprintf(lb, sizeof lb, "%d", pl);
			line("patch", pp, lb, ph, pout, tr.model.head_dim);
		}
	}
out:
	trace_free(&x);
	trainer_free(&tr);
	dataset_free(&ds);
	return 0;
}
