/* SPDX-License-Identifier: MIT */
/* cmd.h - the subcommands. Each parses its own flags (getopt_long) and
 * returns the process exit status: 0 ok, 1 failure, 2 usage.
 *
 * Each resets getopt with optind = 0 (a full reset in glibc, musl and the
 * BSDs, where 1 would keep a half-read option cluster), and with
 * cli_parse_only set returns 0 once its arguments are checked, before it
 * opens, reads or prints anything. */
#ifndef MGPT_CMD_H
#define MGPT_CMD_H

#include <getopt.h>

/* The whole command line (argv[0] the program): dispatch.c. */
int mgpt_main(int argc, char **argv);

int cmd_train(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_rm(int argc, char **argv);

/* Each command's long options (for "did you mean" when none is typed). */
extern const struct option train_opts[], trace_opts[], debug_opts[], replay_opts[],
	runs_opts[], export_opts[], sample_opts[], rm_opts[];

#endif
