/* SPDX-License-Identifier: MIT */
/* cmd_debug.c - `mgpt-tui debug` (and `mgpt-tui` alone): the step-through
 * screen on a run's weights. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "debug_run.h"
#include "run_defaults.h"
#include "ui.h"

enum { OPT_STEP = 256, OPT_INPUT, OPT_DB, OPT_NOCOLOR, OPT_TRAIN_STEP };

const struct option debug_opts[] = {
	{ "step", required_argument, NULL, OPT_STEP },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "db", required_argument, NULL, OPT_DB },
	{ "no-color", no_argument, NULL, OPT_NOCOLOR },
	{ "train-step", required_argument, NULL, OPT_TRAIN_STEP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_debug(int argc, char **argv)
{
	struct ui_opts uo = { RUN_DEFAULT_INPUT, 0, NULL, 0 };
	const char *db = NULL, *spec = NULL;
	long step = -1;
	struct debug_run run;
	char err[512];
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", debug_opts, NULL)) != -1) {
		switch (c) {
		case OPT_STEP:
			if (cli_long("--step", optarg, 0, 1000000000L, &step) < 0)
				return EXIT_USAGE;
			break;
		case OPT_INPUT: uo.input = optarg; break;
		case OPT_DB:
			if (!*optarg) {
				cli_error("--db: empty path");
				return EXIT_USAGE;
			}
			db = uo.db = optarg;
			break;
		case OPT_NOCOLOR: uo.no_color = 1; break;
		case OPT_TRAIN_STEP:
			if (cli_long("--train-step", optarg, 1, 1000000000L, &uo.train_step) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_help("usage: mgpt-tui debug [RUN] [--step S | --train-step S] [--input TEXT] [--db PATH]\n"
			    "                      [--no-color]\n"
			    "  --train-step S  open training step S (1..the run's steps): its document's forward\n"
			    "                  pass, the loss, the backward op by op and each tensor's Adam update\n");
		default:
			cli_bad_option(strcmp(argv[0], "debug") ? NULL : "debug", argv, c, debug_opts);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		spec = argv[optind++];
	if (optind < argc) {
		cli_error("debug: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (step >= 0 && uo.train_step > 0) {
		cli_error("--train-step: not with --step (the step's weights before and after are shown)");
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	/* --train-step: the step is checked against the run before the
	 * terminal is asked for (a script learns the range either way) */
	if (!uo.train_step && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		cli_error("debug needs a terminal on stdin and stdout; "
		    "'mgpt-tui trace TEXT' prints the same pass as text");
		return 1;
	}
	if ((rc = spec ? debug_run_open(&run, db, spec, step, err, sizeof err)
	    : debug_run_open_default(&run, db, step, err, sizeof err)) < 0) {
		cli_error("%s", err);
		return rc == DEBUG_RUN_BAD_STEP ? EXIT_USAGE : 1;
	}
	if (uo.train_step > 0 && uo.train_step > run.steps_done) {
		long done = run.steps_done;

		if (done < 1)
			cli_error("--train-step: the run '%s' has no training steps logged", run.name);
		else
			cli_error("--train-step: %ld is not a step of the run (1..%ld)", uo.train_step, done);
		debug_run_close(&run);
		return done < 1 ? 1 : EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_error("debug needs a terminal on stdin and stdout; "
		    "'mgpt-tui trace RUN --train-step S' prints the same step as text");
		debug_run_close(&run);
		return 1;
	}
	rc = ui_debug(&run, &uo, err, sizeof err);
	debug_run_close(&run);
	if (rc == UI_BAD_INPUT)
		cli_error("--input: %s", err);
	else if (rc < 0)
		cli_error("%s", err);
	return rc == UI_BAD_INPUT ? EXIT_USAGE : rc < 0 ? 1 : rc;   /* rc > 0: 128 + a signal */
}
