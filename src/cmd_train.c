/* SPDX-License-Identifier: MIT */
/* cmd_train.c - `mgpt-tui train`: the reference's training run from the
 * command line, its output byte for byte, logged to the run database.
 *
 * SIGINT, SIGTERM and SIGHUP stop training between steps: what is done is written,
 * the run is marked interrupted, and the exit status is 128 + the signal,
 * as if the signal had ended the process. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "paths.h"
#include "dataset.h"
#include "fixed4.h"
#include "model.h"
#include "store.h"
#include "train.h"
#include "train_run.h"
#include "xmalloc.h"

enum { OPT_DATA = 256, OPT_SEED, OPT_STEPS, OPT_EMBD, OPT_HEAD, OPT_LAYER, OPT_BLOCK,
	OPT_SAMPLES, OPT_TEMP, OPT_NAME, OPT_DB, OPT_NODB, OPT_SNAP, OPT_RESUME };

const struct option train_opts[] = {
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
	{ "snapshot-every", required_argument, NULL, OPT_SNAP },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define PROGRESS_EVERY 50   /* steps between redraws of the bar */

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

static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

static void
catch_signals(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* SIGHUP (the terminal closed) stops training the same way, with 129;
	 * unless it is ignored: `nohup mgpt-tui train &` goes on. */
	if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
	/* Past RLIMIT_FSIZE a write fails with EFBIG, which SQLite reports
	 * and we stop on, instead of the process being killed. */
	signal(SIGXFSZ, SIG_IGN);
}

static const char train_usage[] =
"usage: mgpt-tui train [--data FILE] [--seed N] [--steps N] [--n-embd N] [--n-head N]\n"
"                      [--n-layer N] [--block-size N] [--samples N] [--temperature T]\n"
"                      [--name NAME] [--snapshot-every N] [--db PATH | --no-db]\n"
"       mgpt-tui train --resume RUN [--db PATH]\n";

/* The database opened in the background, when train stops before using it. */
static void
drop_early(struct store_opening *op)
{
	struct store *st;
	char err[STORE_ERRLEN];

	if (op && store_open_join(op, &st, err, sizeof err))
		store_close(st);
}

/* printf's "%4ld" of v >= 0 at buf + n (at most 20 characters); returns
 * the new end. */
static size_t
put_long4(char *buf, size_t n, long v)
{
	char d[24];
	int k = 0;

	do {
		d[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (k < 4)
		d[k++] = ' ';
	while (k > 0)
		buf[n++] = d[--k];
	return n;
}

/* After each step: the reference's line, the bar; stop on a signal. */
static int
train_print_step(void *ctx, const struct train_run *t)
{
	const int *tty = ctx;
	const long step = t->tr.step, steps = t->run.n_steps;

	char line[64 + FIXED4_MAX];
	size_t n = 0;

	/* "step %4ld / %4ld | loss %.4f\n" without printf (1.7 % of the
	 * run): the loss by fixed4_format */
	memcpy(line, "step ", 5);
	n = put_long4(line, 5, step);
	memcpy(line + n, " / ", 3);
	n = put_long4(line, n + 3, steps);
	memcpy(line + n, " | loss ", 8);
	n += 8;
	n += fixed4_format(line + n, t->last.loss);
	line[n++] = '\n';
	fwrite(line, 1, n, stdout);
	if (*tty && (step % PROGRESS_EVERY == 0 || step == steps))
		progress(step, steps, t->last.loss);
	return stop_signal != 0;
}

int
cmd_train(int argc, char **argv)
{
	struct train_run_opts o;
	struct model_config cfg;
	const char *data = NULL, *name = NULL, *db = NULL, *resume = NULL;
	uint64_t seed;
	long steps, samples, snap_every, v;
	double temperature;
	int c, i, tty, nodb = 0, settings = 0, rc = 1, r;
	struct dataset ds;
	struct train_run t;
	struct store *store = NULL;
	struct store_opening *early = NULL;
	const char *path;
	char pathbuf[MGPT_PATH_MAX];
	char err[256], **names = NULL;

	train_run_defaults(&o);
	cfg = o.cfg;
	seed = o.seed;
	steps = o.steps;
	samples = o.samples;
	snap_every = o.snapshot_every;
	temperature = o.temperature;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", train_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DATA:
			if (!*optarg) {
				cli_error("--data: empty path (leave --data out for the bundled names)");
				return EXIT_USAGE;
			}
			data = optarg;
			settings++;
			break;
		case OPT_SEED: if (cli_u64("--seed", optarg, &seed) < 0) return EXIT_USAGE; settings++; break;
		case OPT_STEPS: if (cli_long("--steps", optarg, 1, 1000000000L, &steps) < 0) return EXIT_USAGE; settings++; break;
		case OPT_EMBD: if (cli_long("--n-embd", optarg, 1, MODEL_MAX_DIM, &v) < 0) return EXIT_USAGE; cfg.n_embd = (int)v; settings++; break;
		case OPT_HEAD: if (cli_long("--n-head", optarg, 1, MODEL_MAX_DIM, &v) < 0) return EXIT_USAGE; cfg.n_head = (int)v; settings++; break;
		case OPT_LAYER: if (cli_long("--n-layer", optarg, 1, 64, &v) < 0) return EXIT_USAGE; cfg.n_layer = (int)v; settings++; break;
		case OPT_BLOCK: if (cli_long("--block-size", optarg, 1, MODEL_MAX_DIM, &v) < 0) return EXIT_USAGE; cfg.block_size = (int)v; settings++; break;
		case OPT_SAMPLES: if (cli_long("--samples", optarg, 0, 1000000, &samples) < 0) return EXIT_USAGE; settings++; break;
		case OPT_TEMP: if (cli_temperature("--temperature", optarg, &temperature) < 0) return EXIT_USAGE; settings++; break;
		case OPT_SNAP: if (cli_long("--snapshot-every", optarg, 1, 1000000000L, &snap_every) < 0) return EXIT_USAGE; settings++; break;
		case OPT_NAME: name = optarg; settings++; break;
		case OPT_DB: if (!*optarg) { cli_error("--db: empty path"); return EXIT_USAGE; } db = optarg; break;
		case OPT_NODB: nodb = 1; break;
		case OPT_RESUME: resume = optarg; break;
		case 'h':
			return cli_help(train_usage);
		default:
			cli_bad_option("train", argv, c, train_opts);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("train: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (nodb && (db || name || resume)) {
		cli_error("train: --no-db cannot be combined with %s", db ? "--db" : name ? "--name" : "--resume");
		return EXIT_USAGE;
	}
	if (name && store_check_name(name, err, sizeof err) < 0) {
		cli_error("--name: %s", err);
		return EXIT_USAGE;
	}
	if (resume && settings) {
		cli_error("train: --resume: the run's own settings are used; give only --db with it");
		return EXIT_USAGE;
	}
	cfg.vocab_size = 2; /* checked again once the data is read */
	if (!resume && model_config_check(&cfg, err, sizeof err) < 0) {
		cli_error("train: %s", err);
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	/* The bar only when the step lines go elsewhere: drawn on the
	 * terminal the step lines scroll through, it ran into them. */
	tty = isatty(2) && !isatty(1);
	if (!resume) {
		/* The database is opened while the data is read; that open
		 * writes nothing, so an error in the data leaves it as it was. */
		if (!nodb && (path = db ? db : store_default_path(pathbuf, sizeof pathbuf)))
			early = store_open_start(path);
		if (cli_load_dataset(data, &ds) < 0) {
			drop_early(early);
			return 1;
		}
		cfg.vocab_size = ds.n_vocab + 1;
		if (model_config_check(&cfg, err, sizeof err) < 0) {
			cli_error("train: %s", err);
			drop_early(early);
			dataset_free(&ds);
			return EXIT_USAGE;
		}
	}
	catch_signals();
	if (!nodb) {
		char why[STORE_ERRLEN];

		/* not opened in the background (or that could not): here, as
		 * the other commands do */
		if (early && store_open_join(early, &store, why, sizeof why)) {
			if (!store)
				cli_error("%s", why);
		} else
			store = cli_store_open(db, CLI_DB_CREATE);
		if (!store) {
			if (!resume)
				dataset_free(&ds);
			return 1;
		}
	}
	/* The run is written by a thread of its own (the start of a new run
	 * included), so that training never waits for the disk; what it is
	 * handed is written as the synchronous calls would. */
	if (resume)
		r = train_run_resume(&t, store, 1, resume);
	else {
		o.data = data;
		o.seed = seed;
		o.steps = steps;
		o.cfg = cfg;
		o.samples = samples;
		o.temperature = temperature;
		o.snapshot_every = snap_every;
		o.name = name;
		r = train_run_begin(&t, store, 1, &ds, &o);
	}
	if (r < 0) {
		cli_error("%s", t.err);
		store_close(store);
		return 1;
	}
	cfg = t.run.cfg;
	steps = t.run.n_steps;
	samples = t.run.n_samples;

	printf("num docs: %zu\n", t.ds.n_docs);
	printf("vocab size: %d\n", cfg.vocab_size);
	printf("num params: %zu\n", t.tr.model.n_params);
	r = stop_signal ? 1 : train_run_steps(&t, 0, 0, train_print_step, &tty);
	if (r < 0) {
		cli_error("%s", t.err);
		goto out;
	}
	if (stop_signal) {
		if (tty)
			fputs("\r\033[K", stderr);
		if (train_run_end(&t, NULL, 0, RUN_INTERRUPTED) < 0) {
			cli_error("%s", t.err);
			goto out;
		}
		rc = 128 + stop_signal;
		if (store && store_fold(store) < 0)
			cli_error("%s (the run is saved as interrupted, its last steps in %s-wal until "
			    "train opens the file again)", store_errmsg(store), store_path(store));
		goto out;
	}
	printf("\n--- inference (new, hallucinated names) ---\n");
	names = train_run_sample(&t, NULL);
	for (i = 0; i < samples; i++)
		printf("sample %2d: %s\n", i + 1, names[i]);
	/* Everything is printed before the database is closed (which folds
	 * the run into the main file, the slowest part of logging). The
	 * names are drawn while the thread writes the last snapshot. */
	fflush(stdout);
	if (train_run_end(&t, names, (int)samples, stop_signal ? RUN_INTERRUPTED : RUN_FINISHED) < 0) {
		cli_error("%s", t.err);
		goto out;
	}
	/* The run is saved; the file is one file again unless this fails
	 * (a full disk): then say so, and what is where. */
	if (store && store_fold(store) < 0) {
		cli_error("%s (the run is saved, its last steps in %s-wal until train opens the "
		    "file again)", store_errmsg(store), store_path(store));
		rc = 1;
		goto out;
	}
	rc = stop_signal ? 128 + stop_signal : 0;
out:
	train_run_names_free(names, samples);
	train_run_close(&t);
	store_close(store);
	return rc;
}
