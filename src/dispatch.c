/* SPDX-License-Identifier: MIT */
/* dispatch.c - mgpt-tui's front door: global flags, subcommands, exit
 * codes. Apart from main() so that the command-line fuzz harness can call
 * it (with cli_parse_only set: the arguments are checked, nothing runs). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "run_defaults.h"
#include "store.h"

static const char usage_text[] =
"usage: mgpt-tui [COMMAND] [OPTIONS]\n"
"A terminal step-through debugger for MicroGPT.\n"
"\n"
"With no command (or only debug's options): open the default run (bundled\n"
"names, seed " RUN_DEFAULT_STR(RUN_DEFAULT_SEED) ", the default settings) in the debugger with the input\n"
"\"" RUN_DEFAULT_INPUT "\", training it first, on screen, when the database has none.\n"
"\n"
"Commands:\n"
"  debug        step through a forward pass of a run, op by op\n"
"  replay       saved runs on screen: the runs, loss curves, attention over training\n"
"  train        train a model and log the run (the reference's output)\n"
"  trace        print a forward pass op by op, every value the debugger shows\n"
"  runs         list the runs in the database\n"
"  export RUN   print a run's per-step log (CSV or JSON)\n"
"  sample RUN   sample names from a run's model at any step\n"
"  rm RUN       delete a run\n"
"RUN is a run id, a run name, or 'latest'.\n"
"\n"
"debug [RUN] [OPTIONS]:\n"
"  RUN                 run id, name or 'latest' (default: the default run, the\n"
"                      newest with the default settings; trained on screen first\n"
"                      when there is none)\n"
"  --step S            the weights after S training steps (default: the last)\n"
"  --input TEXT        the text fed after BOS (default \"" RUN_DEFAULT_INPUT "\")\n"
"  --no-color          no colours (also when NO_COLOR is set and not empty)\n"
"  In the debugger, ? lists the keys.\n"
"\n"
"replay [RUN] [OPTIONS]:\n"
"  RUN                 run id, name or 'latest' (default: the runs browser)\n"
"  --step S            start at the weights after S steps (default: the last)\n"
"  --probe TEXT        the probe's input (default \"" RUN_DEFAULT_INPUT "\")\n"
"  --no-color          no colours (also when NO_COLOR is set and not empty)\n"
"  On screen, ? lists the keys; R opens the runs browser from anywhere.\n"
"\n"
"Options for train:\n"
"  --data FILE         training text, one name a line (default: bundled names);\n"
"                      a regular file or a pipe, at most 16 MiB\n"
"  --seed N            random seed (default " RUN_DEFAULT_STR(RUN_DEFAULT_SEED) ")\n"
"  --steps N           training steps (default " RUN_DEFAULT_STR(RUN_DEFAULT_STEPS) ")\n"
"  --n-embd N          embedding width (default " RUN_DEFAULT_STR(RUN_DEFAULT_N_EMBD) ")\n"
"  --n-head N          attention heads (default " RUN_DEFAULT_STR(RUN_DEFAULT_N_HEAD) ")\n"
"  --n-layer N         layers (default " RUN_DEFAULT_STR(RUN_DEFAULT_N_LAYER) ")\n"
"  --block-size N      longest context (default " RUN_DEFAULT_STR(RUN_DEFAULT_BLOCK_SIZE) ")\n"
"  --samples N         names to sample after training (default " RUN_DEFAULT_STR(RUN_DEFAULT_SAMPLES) ")\n"
"  --temperature T     sampling temperature, 1e-6 to 1e6 (default " RUN_DEFAULT_STR(RUN_DEFAULT_TEMPERATURE) ")\n"
"  --name NAME         name of the run (default run-ID): UTF-8, no control\n"
"                      characters, not starting with '-', not all digits\n"
"  --snapshot-every N  keep the full training state every N steps (default " RUN_DEFAULT_STR(STORE_SNAPSHOT_EVERY) ")\n"
"  --resume RUN        continue an interrupted run from its last snapshot\n"
"  --no-db             do not log the run (touch no database)\n"
"\n"
"Options for export:\n"
"  --format csv|json   output format (default csv)\n"
"\n"
"Options for sample:\n"
"  --step S            the model after S steps (default: the last logged)\n"
"  --count N           names to draw (default: as many as train drew)\n"
"  --temperature T     sampling temperature, 1e-6 to 1e6 (default: the run's)\n"
"  --seed N            random seed (default: the run's, which repeats train's names)\n"
"\n"
"Options for every command:\n"
"  --db PATH           run database (default $MGPT_TUI_DB, else\n"
"                      $XDG_DATA_HOME/mgpt-tui/runs.db, else\n"
"                      ~/.local/share/mgpt-tui/runs.db)\n"
"\n"
"trace [RUN] [OPTIONS] TEXT:\n"
"  RUN                 run id, name or 'latest' (default: the newest finished\n"
"                      run; with none, the default run is trained and logged)\n"
"  --step S            the weights after S training steps (default: the last)\n"
"  --ablate L0H1,...   switch these heads off (layer and head from 0)\n"
"  --format text|json  output format (default text)\n"
"  --db PATH           run database\n"
"\n"
"General options:\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n"
"\n"
"Numbers are digits only (a sign where negatives are allowed).\n"
"Exit status: 0 success, 1 failure (a write error on stdout too), 2 usage\n"
"error (a --step past the run's end too); 130, 143, 129 when stopped by\n"
"SIGINT, SIGTERM, SIGHUP (a run in training is kept, marked interrupted).\n"
"See mgpt-tui(1) for more.\n";

/* --version as GNU tools print it: name and version, copyright, licence,
 * then the licence of the names compiled into the binary. */
static const char version_text[] =
"mgpt-tui " PACKAGE_VERSION "\n"
"Copyright (c) 2026 the mgpt-tui authors\n"
"License MIT <https://opensource.org/license/mit>.\n"
"This is free software: you are free to change and redistribute it.\n"
"There is NO WARRANTY, to the extent permitted by law.\n"
"\n"
"Bundled names (data/names.txt): public domain (PDDL 1.0, contents CC0 1.0),\n"
"from the Moby Word II lists of Grady Ward.\n";

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "train", cmd_train },
	{ "trace", cmd_trace },
	{ "debug", cmd_debug },
	{ "replay", cmd_replay },
	{ "runs", cmd_runs },
	{ "export", cmd_export },
	{ "sample", cmd_sample },
	{ "rm", cmd_rm },
};

/* For cli_bad_option's suggestions when no command is typed. */
static const struct cli_command command_opts[] = {
	{ "debug", debug_opts }, { "train", train_opts }, { "trace", trace_opts },
	{ "replay", replay_opts }, { "runs", runs_opts }, { "export", export_opts },
	{ "sample", sample_opts }, { "rm", rm_opts }, { NULL, NULL },
};

/* Whether word names a run in the database the command line points to
 * (--db, else store_default_path). Quiet: opens read-only, only
 * an existing file, and says nothing when it cannot. */
static int
names_a_run(int argc, char **argv, const char *word)
{
	char buf[4096], err[STORE_ERRLEN];
	const char *path = NULL;
	struct run_info ri;
	struct store *st;
	int i, found;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			path = argv[i + 1];
		else if (!strncmp(argv[i], "--db=", 5))
			path = argv[i] + 5;
	}
	if (!path)
		path = store_default_path(buf, sizeof buf);
	if (!path || !*path || access(path, R_OK) != 0)
		return 0;
	if (!(st = store_open(path, 0, 1, err, sizeof err)))
		return 0;
	found = store_find_run(st, word, &ri) == 0;
	store_close(st);
	return found;
}

int
mgpt_main(int argc, char **argv)
{
	size_t i;

	cli_commands = command_opts;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_help(usage_text);
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")))
		return cli_help(version_text);
	/* no command: the debugger on the default run (its options allowed) */
	if (argc < 2 || argv[1][0] == '-')
		return cmd_debug(argc, argv);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (cli_parse_only)
		;   /* parsing only: no database is read */
	else if (names_a_run(argc, argv, argv[1])) {
		cli_error("unknown command '%s': it is a run; to open it: mgpt-tui debug %s", argv[1],
		    argv[1]);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (cli_is_near(argv[1], commands[i].name)) {
			cli_error("unknown command '%s' (did you mean '%s'?)", argv[1], commands[i].name);
			return EXIT_USAGE;
		}
	cli_error("unknown command '%s' (try 'mgpt-tui --help')", argv[1]);
	return EXIT_USAGE;
}
