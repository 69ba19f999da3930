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
#include "dataset.h"
#include "model.h"
#include "store.h"
#include "train.h"
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

/* When the write-ahead log could not be folded back into the file. */
static const char *
wal_kept(const struct store *st)
{
	static char b[STORE_ERRLEN];

	snprintf(b, sizeof b, ", the last of them in %s-wal until train opens the file again",
	    store_path(st));
	return b;
}

/* A database error while logging: one line, and the run marked failed if
 * the database still takes a write. The logging thread is joined first. */
static int
log_failed(struct store *st, struct store_logger *lg, struct run_info *run, long step)
{
	char msg[STORE_ERRLEN + 64], id[32];
	struct run_info saved;

	if (lg)
		store_logger_stop(lg);
	snprintf(msg, sizeof msg, "%s", store_errmsg(st));
	if (!run->id) {   /* its start failed: nothing of it was written */
		cli_error("%s (training stopped after step %ld; nothing of the run is saved)", msg, step);
		return 1;
	}
	/* Marked failed first: that also writes the steps still buffered,
	 * so the count below is what the database holds. */
	store_run_end(st, run, RUN_FAILED);
	snprintf(id, sizeof id, "%lld", (long long)run->id);
	if (store_find_run(st, id, &saved) == 0)
		cli_error("%s (training stopped after step %ld; %ld steps are saved%s)", msg, step,
		    saved.steps_done, store_fold(st) < 0 ? wal_kept(st) : "");
	else
		cli_error("%s (training stopped after step %ld)", msg, step);
	return 1;
}

/* The database opened in the background, when train stops before using it. */
static void
drop_early(struct store_opening *op)
{
	struct store *st;
	char err[STORE_ERRLEN];

	if (op && store_open_join(op, &st, err, sizeof err))
		store_close(st);
}

int
cmd_train(int argc, char **argv)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	const char *data = NULL, *name = NULL, *db = NULL, *resume = NULL;
	uint64_t seed = 42;
	long steps = 1000, samples = 20, snap_every = STORE_SNAPSHOT_EVERY, v;
	double temperature = 0.5;
	int c, i, j, n, tty, nodb = 0, settings = 0, rc = 1;
	struct dataset ds;
	struct trainer tr;
	struct step_stats st;
	struct store *store = NULL;
	struct store_logger *lg = NULL;
	struct store_opening *early = NULL;
	const char *path;
	char pathbuf[4096];
	struct run_info run;
	char err[256], **names = NULL;
	int *name_tok = NULL;

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
	memset(&run, 0, sizeof run);
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
	if (resume) {
		if (store_find_run(store, resume, &run) < 0 || store_resume(store, &run, &ds, &tr) < 0) {
			cli_error("%s", store_errmsg(store));
			store_close(store);
			return 1;
		}
		cfg = run.cfg;
		steps = run.n_steps;
		samples = run.n_samples;
		temperature = run.temperature;
		snap_every = run.snapshot_every;
	} else {
		if (store) {
			snprintf(run.name, sizeof run.name, "%s", name ? name : "");
			snprintf(run.data_source, sizeof run.data_source, "%s", data ? data : "");
			run.seed = seed;
			run.cfg = cfg;
			run.n_steps = steps;
			run.snapshot_every = snap_every;
			run.temperature = temperature;
			run.n_samples = samples;
			if (store_run_create(store, &run, &ds) < 0) {
				cli_error("%s", store_errmsg(store));
				store_close(store);
				dataset_free(&ds);
				return 1;
			}
		}
		trainer_init(&tr, &ds, &cfg, seed, steps);
	}
	/* From here the run is written by a thread of its own (the start of
	 * a new run included), so that training never waits for the disk;
	 * what it hands over is written as the synchronous calls would. */
	if (store && !(lg = store_logger_start(store, &run, &tr))) {
		cli_error("%s", store_errmsg(store));
		if (resume)
			store_run_end(store, &run, RUN_INTERRUPTED);
		goto out;
	}

	printf("num docs: %zu\n", ds.n_docs);
	printf("vocab size: %d\n", cfg.vocab_size);
	printf("num params: %zu\n", tr.model.n_params);
	while (tr.step < steps && !stop_signal) {
		trainer_step(&tr, &st);
		printf("step %4ld / %4ld | loss %.4f\n", tr.step, steps, st.loss);
		if (tty && (tr.step % 50 == 0 || tr.step == steps))
			progress(tr.step, steps, st.loss);
		if (lg && (store_logger_step(lg, &st) < 0 ||
		    ((tr.step % snap_every == 0 || tr.step == steps) &&
		     store_logger_snapshot(lg, store_state_of(&tr)) < 0))) {
			rc = log_failed(store, lg, &run, tr.step);
			goto out;
		}
	}
	if (stop_signal) {
		if (tty)
			fputs("\r\033[K", stderr);
		if (lg && store_logger_end(lg, NULL, 0, RUN_INTERRUPTED) < 0) {
			cli_error("%s", store_errmsg(store));
			goto out;
		}
		rc = 128 + stop_signal;
		if (store && store_fold(store) < 0)
			cli_error("%s (the run is saved as interrupted, its last steps in %s-wal until "
			    "train opens the file again)", store_errmsg(store), store_path(store));
		goto out;
	}
	printf("\n--- inference (new, hallucinated names) ---\n");
	name_tok = xmalloc((size_t)cfg.block_size * sizeof *name_tok);
	names = xcalloc((size_t)samples + 1, sizeof *names);
	for (i = 0; i < samples; i++) {
		size_t len = 0;

		n = sample_name(&tr.model, &tr.tr, &tr.rng, temperature, name_tok);
		names[i] = xmalloc((size_t)n * 8 + 1);
		for (j = 0; j < n; j++) {
			dataset_tokstr(&ds, name_tok[j], names[i] + len, "");
			len += strlen(names[i] + len);
		}
		names[i][len] = '\0';
		printf("sample %2d: %s\n", i + 1, names[i]);
	}
	/* Everything is printed before the database is closed (which folds
	 * the run into the main file, the slowest part of logging). The
	 * names are drawn while the thread writes the last snapshot. */
	fflush(stdout);
	if (lg && store_logger_end(lg, names, (int)samples,
	    stop_signal ? RUN_INTERRUPTED : RUN_FINISHED) < 0) {
		rc = log_failed(store, NULL, &run, tr.step);
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
	if (names)
		for (i = 0; i < samples; i++)
			free(names[i]);
	free(names);
	free(name_tok);
	trainer_free(&tr);
	dataset_free(&ds);
	store_close(store);
	return rc;
}
