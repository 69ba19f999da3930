/* SPDX-License-Identifier: MIT */
/* cmd_rm.c - `mgpt-tui rm RUN`: delete a run and what only it uses. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "cmd.h"
#include "store.h"

const struct option rm_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_rm(int argc, char **argv)
{
	const char *db = NULL;
	struct run_info run;
	struct store *st;
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", rm_opts, NULL)) != -1) {
		switch (c) {
		case 'd': if (!*optarg) { cli_error("--db: empty path"); return EXIT_USAGE; } db = optarg; break;
		case 'h':
			return cli_help("usage: mgpt-tui rm RUN [--db PATH]\n");
		default:
			cli_bad_option("rm", argv, c, rm_opts);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error(optind < argc ? "rm: give one RUN" : "rm: which run? (give RUN: an id, a name or 'latest')");
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	if (!(st = cli_store_open_run(db, CLI_DB_WRITE, argv[optind], &run)))
		return 1;
	if (store_delete_run(st, &run) < 0) {
		cli_error("%s", store_errmsg(st));
		rc = 1;
	}
	store_close(st);
	return rc;
}
