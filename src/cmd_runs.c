/* SPDX-License-Identifier: MIT */
/* cmd_runs.c - `mgpt-tui runs`: one line per run in the database. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "store.h"

const struct option runs_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_runs(int argc, char **argv)
{
	const char *db = NULL;
	struct run_info *runs;
	struct store *st;
	int c, i, n, nw = 20, sw = 11;   /* the name's and the steps' columns */

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", runs_opts, NULL)) != -1) {
		switch (c) {
		case 'd': if (!*optarg) { cli_error("--db: empty path"); return EXIT_USAGE; } db = optarg; break;
		case 'h':
			return cli_help("usage: mgpt-tui runs [--db PATH]\n");
		default:
			cli_bad_option("runs", argv, c, runs_opts);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("runs: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	if (!(st = cli_store_open(db, CLI_DB_READ)))
		return 1;
	if (store_list_runs(st, &runs, &n) < 0) {
		cli_error("%s", store_errmsg(st));
		store_close(st);
		return 1;
	}
	store_close(st);
	/* columns as wide as the data needs, never narrower than before */
	for (i = 0; i < n; i++) {
		char steps[48], name[6 * 128];   /* as wide as the escaped name below */
		int k;

		cli_text_escape(name, sizeof name, runs[i].name);
		k = (int)strlen(name);
		nw = k > nw ? k : nw;
		k = snprintf(steps, sizeof steps, "%ld/%ld", runs[i].steps_done, runs[i].n_steps);
		sw = k > sw ? k : sw;
	}
	printf("%4s  %-*s  %-11s  %*s  %9s  %s\n", "ID", nw, "NAME", "STATUS", sw, "STEPS", "LOSS",
	    "CREATED");
	for (i = 0; i < n; i++) {
		const struct run_info *r = &runs[i];
		char when[32] = "?", loss[32], steps[48], name[6 * 128];
		time_t t = (time_t)r->created;
		struct tm tm;

		if (localtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		if (r->steps_done == 0)
			snprintf(loss, sizeof loss, "-");
		else
			snprintf(loss, sizeof loss, "%.4f", r->last_loss);
		snprintf(steps, sizeof steps, "%ld/%ld", r->steps_done, r->n_steps);
		/* a name written before names were checked may hold anything */
		cli_text_escape(name, sizeof name, r->name);
		printf("%4lld  %-*s  %-11s  %*s  %9s  %s\n", (long long)r->id, nw, name,
		    store_status_name(r->status), sw, steps, loss, when);
	}
	free(runs);
	return 0;
}
