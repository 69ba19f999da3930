/* cmd.h - the subcommands. Each parses its own flags (getopt_long) and
 * returns the process exit status: 0 ok, 1 failure, 2 usage. */
#ifndef MGPT_CMD_H
#define MGPT_CMD_H

int cmd_train(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_rm(int argc, char **argv);

#endif
