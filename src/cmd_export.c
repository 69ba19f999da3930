/* SPDX-License-Identifier: MIT */
/* cmd_export.c - `mgpt-tui export RUN`: the per-step log as CSV or JSON.
 *
 * Numbers are printed with 17 significant digits, which read back to the
 * same double. A NaN or infinite value is written as nan / inf / -inf in
 * CSV (what strtod and Python's float() read) and as null in JSON, which
 * has no literal for them (json_out.c, the writer trace uses too). */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "dataset.h"
#include "json_out.h"
#include "store.h"

const struct option export_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct out {
	int  json;
	long expect;   /* the next step; the log must not skip one */
};

static void
put_num(double v, int json)
{
	if (json)
		json_put_num(stdout, v);
	else if (isnan(v))
		fputs("nan", stdout);
	else if (isinf(v))
		fputs(v > 0 ? "inf" : "-inf", stdout);
	else
		printf("%.17g", v);
}

static int
put_row(void *ctx, const struct step_row *r)
{
	struct out *o = ctx;

	if (r->step != o->expect)
		return 2;
	if (o->json)
		printf("%s\n    {\"step\": %ld, \"loss\": ", r->step > 1 ? "," : "", r->step);
	else
		printf("%ld,", r->step);
	put_num(r->loss, o->json);
	fputs(o->json ? ", \"lr\": " : ",", stdout);
	put_num(r->lr, o->json);
	fputs(o->json ? ", \"grad_norm\": " : ",", stdout);
	put_num(r->grad_norm, o->json);
	if (o->json)
		printf(", \"n_pos\": %d}", r->n_pos);
	else
		printf(",%d\n", r->n_pos);
	o->expect++;
	return 0;
}

int
cmd_export(int argc, char **argv)
{
	const char *db = NULL, *format = "csv";
	struct out o = { 0, 1 };
	struct run_info run;
	struct store *st;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", export_opts, NULL)) != -1) {
		switch (c) {
		case 'd': if (!*optarg) { cli_error("--db: empty path"); return EXIT_USAGE; } db = optarg; break;
		case 'f': format = optarg; break;
		case 'h':
			return cli_help("usage: mgpt-tui export RUN [--format csv|json] [--db PATH]\n");
		default:
			cli_bad_option("export", argv, c, export_opts);
			return EXIT_USAGE;
		}
	}
	if (strcmp(format, "csv") && strcmp(format, "json")) {
		cli_error("--format: '%s' is not csv or json", format);
		return EXIT_USAGE;
	}
	o.json = !strcmp(format, "json");
	if (optind != argc - 1) {
		cli_error(optind < argc ? "export: give one RUN" : "export: which run? (give RUN: an id, a name or 'latest')");
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	if (!(st = cli_store_open_run(db, CLI_DB_READ, argv[optind], &run)))
		return 1;
	if (o.json) {
		printf("{\n  \"run\": {\"id\": %lld, \"name\": ", (long long)run.id);
		json_put_str(stdout, run.name);
		printf(", \"status\": \"%s\", \"seed\": %llu, \"n_steps\": %ld, \"steps_done\": %ld,\n"
		    "          \"vocab_size\": %d, \"n_embd\": %d, \"n_head\": %d, \"n_layer\": %d, "
		    "\"block_size\": %d, \"created\": %lld},\n  \"steps\": [",
		    store_status_name(run.status), (unsigned long long)run.seed, run.n_steps,
		    run.steps_done, run.cfg.vocab_size, run.cfg.n_embd, run.cfg.n_head,
		    run.cfg.n_layer, run.cfg.block_size, (long long)run.created);
	} else
		puts("step,loss,lr,grad_norm,n_pos");
	rc = store_each_step(st, run.id, put_row, &o);
	if (rc == 2)
		cli_error("%s: run %lld: step %ld is missing from the log", store_path(st),
		    (long long)run.id, o.expect);
	else if (rc < 0)
		cli_error("%s", store_errmsg(st));
	else if (o.json)
		puts("\n  ]\n}");
	store_close(st);
	return rc ? 1 : 0;   /* a write error on stdout: main() says it */
}
