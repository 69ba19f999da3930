/* SPDX-License-Identifier: MIT */
/* cmd_replay.c - `mgpt-tui replay [RUN] [--step S]`: saved runs on screen.
 *
 * With RUN, the run view at step S (default: the last step); without, the
 * runs browser. Everything is checked here, before the screen starts, so
 * that a mistake is one line on stderr with the terminal untouched. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "dataset.h"
#include "paths.h"
#include "store.h"
#include "ui.h"
#include "xmalloc.h"
#include "ui_replay.h"

enum { OPT_STEP = 256, OPT_DB, OPT_PROBE, OPT_NOCOLOR };

const struct option replay_opts[] = {
	{ "step", required_argument, NULL, OPT_STEP },
	{ "db", required_argument, NULL, OPT_DB },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "no-color", no_argument, NULL, OPT_NOCOLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --probe TEXT against RUN's vocabulary; -1 after printing why not. */
static int
probe_check(struct store *st, const struct run_info *ri, const char *probe)
{
	const unsigned char *s = (const unsigned char *)probe;
	size_t len = strlen(probe), n = 0;
	uint32_t *cps, c;
	struct dataset ds;
	char msg[512];
	int w, rc = 0;

	if (store_load_dataset(st, ri->id, &ds) < 0)
		return 0;   /* the screen says what is wrong with the run */
	cps = xmalloc((len + 1) * sizeof *cps);
	for (; len; s += w, len -= (size_t)w) {
		if (!(w = utf8_get(s, len, &c))) {
			cli_error("--probe: not valid UTF-8");
			rc = -1;
			break;
		}
		cps[n++] = c;
	}
	if (rc == 0 && dataset_describe_missing(&ds, cps, n, msg, sizeof msg)) {
		cli_error("--probe: %s", msg);
		rc = -1;
	}
	free(cps);
	dataset_free(&ds);
	return rc;
}

int
cmd_replay(int argc, char **argv)
{
	const char *db = NULL, *spec = NULL, *probe = NULL;
	char pathbuf[MGPT_PATH_MAX], err[STORE_ERRLEN];
	struct replay_args a;
	struct run_info ri;
	struct store *st;
	long step = -1;
	int c, rc, no_color = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", replay_opts, NULL)) != -1) {
		switch (c) {
		case OPT_STEP:
			if (cli_long("--step", optarg, 0, 1000000000L, &step) < 0)
				return EXIT_USAGE;
			break;
		case OPT_DB: db = optarg; break;
		case OPT_PROBE: probe = optarg; break;
		case OPT_NOCOLOR: no_color = 1; break;
		case 'h':
			return cli_help("usage: mgpt-tui replay [RUN] [--step S] [--probe TEXT] [--db PATH] [--no-color]\n");
		default:
			cli_bad_option("replay", argv, c, replay_opts);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		spec = argv[optind++];
	if (optind < argc) {
		cli_error("replay: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (step >= 0 && !spec) {
		cli_error("replay: --step needs a RUN");
		return EXIT_USAGE;
	}
	if (probe && !*probe) {
		cli_error("replay: --probe: the text is empty");
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	if (!db)
		db = store_default_path(pathbuf, sizeof pathbuf);
	if (access(db, F_OK) != 0) {
		cli_error("%s: no run database here (train a run first: mgpt-tui train)", db);
		return 1;
	}
	st = store_open(db, 0, 1, err, sizeof err);
	if (!st) {
		cli_error("%s", err);
		return 1;
	}
	if (spec) {
		if (store_find_run(st, spec, &ri) < 0) {
			cli_error("%s", store_errmsg(st));
			store_close(st);
			return 1;
		}
		if (step > ri.steps_done) {
			cli_error("--step: %ld is past the run's last step (%ld)", step, ri.steps_done);
			store_close(st);
			return EXIT_USAGE;
		}
		/* the probe's characters, checked as debug checks --input */
		if (probe && probe_check(st, &ri, probe) < 0) {
			store_close(st);
			return EXIT_USAGE;
		}
	}
	store_close(st);
	if (!isatty(0) || !isatty(1)) {
		cli_error("replay: needs a terminal; 'mgpt-tui export RUN' prints a run's log");
		return 1;
	}
	memset(&a, 0, sizeof a);
	a.db = db;
	a.spec = spec;
	a.step = step;
	a.probe = probe;
	a.no_color = no_color;
	if ((rc = ui_replay(&a, err, sizeof err)) < 0) {
		cli_error("%s", err);
		return 1;
	}
	return rc;   /* 0, or 128 + a signal */
}
