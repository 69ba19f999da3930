/* cmd_train.c - `mgpt-tui train`: the reference's training run from the
 * command line, its output byte for byte. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "dataset.h"
#include "model.h"
#include "train.h"
#include "xmalloc.h"

enum { OPT_DATA = 256, OPT_SEED, OPT_STEPS, OPT_EMBD, OPT_HEAD, OPT_LAYER, OPT_BLOCK,
	OPT_SAMPLES, OPT_TEMP, OPT_NAME, OPT_DB, OPT_NODB };

static const struct option train_opts[] = {
	{ "data", required_argument, NULL, OPT_DATA },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "steps", required_argument, NULL, OPT_STEPS },
	{ "n-embd", required_argument, NULL, OPT_EMBD },
	{ "n-head", required_argument, NULL, OPT_HEAD },
	{ "n-layer", required_argument, NULL, OPT_LAYER },
	{ "block-size", required_argument, NULL, OPT_BLOCK },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "temperature", required_argument, NULL, OPT_TEMP },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "db", required_argument, NULL, OPT_DB },
	{ "no-db", no_argument, NULL, OPT_NODB },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
progress(long done, long total, double loss)
{
	int width = 30, fill = (int)(done * width / (total ? total : 1)), i;

	fprintf(stderr, "\r[");
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %ld/%ld loss %.4f", done, total, loss);
	if (done == total)
		fprintf(stderr, "\r\033[K");
}

int
cmd_train(int argc, char **argv)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	const char *data = NULL;
	uint64_t seed = 42;
	long steps = 1000, samples = 20, v;
	double temperature = 0.5;
	int c, i, j, n, tty = isatty(2);
	struct dataset ds;
	struct trainer tr;
	struct step_stats st;
	char err[256];
	int *name;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", train_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DATA: data = optarg; break;
		case OPT_SEED: if (cli_u64("--seed", optarg, &seed) < 0) return EXIT_USAGE; break;
		case OPT_STEPS: if (cli_long("--steps", optarg, 1, 1000000000L, &steps) < 0) return EXIT_USAGE; break;
		case OPT_EMBD: if (cli_long("--n-embd", optarg, 1, MODEL_MAX_DIM, &v) < 0) return EXIT_USAGE; cfg.n_embd = (int)v; break;
		case OPT_HEAD: if (cli_long("--n-head", optarg, 1, MODEL_MAX_DIM, &v) < 0) return EXIT_USAGE; cfg.n_head = (int)v; break;
		case OPT_LAYER: if (cli_long("--n-layer", optarg, 1, 64, &v) < 0) return EXIT_USAGE; cfg.n_layer = (int)v; break;
		case OPT_BLOCK: if (cli_long("--block-size", optarg, 1, MODEL_MAX_DIM, &v) < 0) return EXIT_USAGE; cfg.block_size = (int)v; break;
		case OPT_SAMPLES: if (cli_long("--samples", optarg, 0, 1000000, &samples) < 0) return EXIT_USAGE; break;
		case OPT_TEMP: if (cli_double("--temperature", optarg, 0.0, 1e6, &temperature) < 0) return EXIT_USAGE; break;
		case OPT_NAME: case OPT_DB: case OPT_NODB: break;
		case 'h':
			printf("usage: mgpt-tui train [--data FILE] [--seed N] [--steps N] [--n-embd N] [--n-head N]\n"
			       "                      [--n-layer N] [--block-size N] [--samples N] [--temperature T]\n"
			       "                      [--name NAME] [--db PATH | --no-db]\n");
			return 0;
		default:
			cli_bad_option("train", argv, c);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("train: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	cfg.vocab_size = 2; /* checked again once the data is read */
	if (model_config_check(&cfg, err, sizeof err) < 0) {
		cli_error("train: %s", err);
		return EXIT_USAGE;
	}
	if (cli_load_dataset(data, &ds) < 0)
		return 1;
	cfg.vocab_size = ds.n_vocab + 1;
	if (model_config_check(&cfg, err, sizeof err) < 0) {
		cli_error("train: %s", err);
		dataset_free(&ds);
		return EXIT_USAGE;
	}

	trainer_init(&tr, &ds, &cfg, seed, steps);
	printf("num docs: %zu\n", ds.n_docs);
	printf("vocab size: %d\n", cfg.vocab_size);
	printf("num params: %zu\n", tr.model.n_params);
	for (i = 0; i < steps; i++) {
		trainer_step(&tr, &st);
		printf("step %4ld / %4ld | loss %.4f\n", tr.step, steps, st.loss);
		if (tty && (tr.step % 50 == 0 || tr.step == steps))
			progress(tr.step, steps, st.loss);
	}
	printf("\n--- inference (new, hallucinated names) ---\n");
	name = xmalloc((size_t)cfg.block_size * sizeof *name);
	for (i = 0; i < samples; i++) {
		char buf[8];

		n = sample_name(&tr.model, &tr.tr, &tr.rng, temperature, name);
		printf("sample %2d: ", i + 1);
		for (j = 0; j < n; j++)
			fputs(dataset_tokstr(&ds, name[j], buf, ""), stdout);
		putchar('\n');
	}
	free(name);
	trainer_free(&tr);
	dataset_free(&ds);
	return 0;
}
