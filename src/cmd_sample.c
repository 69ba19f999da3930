/* SPDX-License-Identifier: MIT */
/* cmd_sample.c - `mgpt-tui sample RUN`: names from a run's model at any
 * step, replayed from the database.
 *
 * The random stream is the one the training process sampled from: the
 * stream after the preamble for the seed (rng_after_preamble), so that
 * `sample RUN` at the final step prints the names `train` printed. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cmd.h"
#include "store.h"
#include "train.h"
#include "xmalloc.h"

enum { OPT_DB = 256, OPT_STEP, OPT_COUNT, OPT_TEMP, OPT_SEED };

const struct option sample_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "temperature", required_argument, NULL, OPT_TEMP },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_sample(int argc, char **argv)
{
	const char *db = NULL;
	long step = -1, count = -1, i;
	double temperature = 0;
	uint64_t seed = 0;
	int c, j, n, have_seed = 0, *tok;
	struct run_info run;
	struct dataset ds;
	struct trainer tr;
	struct store *st;
	struct rng rng;
	char buf[8];

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", sample_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: if (!*optarg) { cli_error("--db: empty path"); return EXIT_USAGE; } db = optarg; break;
		case OPT_STEP: if (cli_long("--step", optarg, 0, 1000000000L, &step) < 0) return EXIT_USAGE; break;
		case OPT_COUNT: if (cli_long("--count", optarg, 0, 1000000, &count) < 0) return EXIT_USAGE; break;
		case OPT_TEMP: if (cli_temperature("--temperature", optarg, &temperature) < 0) return EXIT_USAGE; break;
		case OPT_SEED: if (cli_u64("--seed", optarg, &seed) < 0) return EXIT_USAGE; have_seed = 1; break;
		case 'h':
			return cli_help("usage: mgpt-tui sample RUN [--step S] [--count N] [--temperature T] [--seed N]\n"
			    "                          [--db PATH]\n");
		default:
			cli_bad_option("sample", argv, c, sample_opts);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error(optind < argc ? "sample: give one RUN" : "sample: which run? (give RUN: an id, a name or 'latest')");
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	if (!(st = cli_store_open_run(db, CLI_DB_READ, argv[optind], &run)))
		return 1;
	if (step > run.steps_done) {
		cli_error("--step: %ld is past the run's last step (%ld)", step, run.steps_done);
		store_close(st);
		return EXIT_USAGE;
	}
	if (temperature == 0)
		temperature = run.temperature;
	/* a run logged before the minimum was enforced: its own temperature
	 * would draw nothing but empty names */
	if (!(temperature >= CLI_TEMPERATURE_MIN) || temperature > CLI_TEMPERATURE_MAX) {
		cli_error("run %lld: its temperature %g is outside %g..%g; give --temperature",
		    (long long)run.id, temperature, CLI_TEMPERATURE_MIN, CLI_TEMPERATURE_MAX);
		store_close(st);
		return EXIT_USAGE;
	}
	if (store_replay(st, &run, step < 0 ? run.steps_done : step, &ds, &tr) < 0) {
		cli_error("%s", store_errmsg(st));
		store_close(st);
		return 1;
	}
	store_close(st);
	if (count < 0)
		count = run.n_samples ? run.n_samples : 20;

	rng_after_preamble(&rng, have_seed ? seed : run.seed, ds.n_docs, tr.model.n_params);
	tok = xmalloc((size_t)run.cfg.block_size * sizeof *tok);
	for (i = 0; i < count; i++) {
		n = sample_name(&tr.model, &tr.tr, &rng, temperature, tok);
		printf("sample %2ld: ", i + 1);
		for (j = 0; j < n; j++)
			fputs(dataset_tokstr(&ds, tok[j], buf, ""), stdout);
		putchar('\n');
	}
	free(tok);
	trainer_free(&tr);
	dataset_free(&ds);
	return 0;
}
