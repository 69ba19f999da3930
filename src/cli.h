/* SPDX-License-Identifier: MIT */
/* cli.h - shared pieces of the command line: numbers from flags, errors. Every user error is one line on stderr. */
#ifndef MGPT_CLI_H
#define MGPT_CLI_H

#include <stddef.h>
#include <stdint.h>

struct option;

#define EXIT_USAGE 2

struct dataset;
struct dataset_table;
struct run_info;
struct store;

extern const char *cli_prog;   /* "mgpt-tui" */
/* Parse only: every command checks its arguments (exit 2 on a bad one, one
 * line on stderr) and then returns 0 without running, printing nothing on
 * stdout, not even --help. Set only by the fuzz harness
 * tests/fuzz/fuzz_cli.c; the program never sets it. */
extern int cli_parse_only;
/* Print a command's help text on stdout (nothing when parsing only);
 * returns 0, the exit status of --help. */
int  cli_help(const char *text);

/* Print "mgpt-tui: <message>" on stderr, one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parse a whole number / a real number given to flag; on error print one
 * line naming the flag and return -1. */
int  cli_long(const char *flag, const char *arg, long min, long max, long *out);
int  cli_u64(const char *flag, const char *arg, uint64_t *out);
int  cli_double(const char *flag, const char *arg, double min_excl, double max, double *out);
/* --temperature: at least CLI_TEMPERATURE_MIN. Below it logits/T may
 * overflow to infinity, where the reference stops with OverflowError (1/T)
 * or ValueError (random.choices on NaN weights). From it on, logits/T stays
 * finite for any logit under 1e302, and sampling is the reference's (in
 * effect argmax near the minimum). */
#define CLI_TEMPERATURE_MIN 1e-6
#define CLI_TEMPERATURE_MAX 1e6
int  cli_temperature(const char *flag, const char *arg, double *out);
/* Report the option getopt_long just refused (call with opterr = 0 and a
 * leading ':' in optstring): unknown flag, or a flag missing its value.
 * cmd is the command the user typed (NULL: none); an unknown long option
 * gets the nearest of opts (or, with no command, of any command's) as
 * "did you mean". */
void cli_bad_option(const char *cmd, char **argv, int c, const struct option *opts);
/* Every command's options, for the suggestions of cli_bad_option when no
 * command was typed: set by dispatch.c, ended by a NULL name. */
struct cli_command {
	const char *name;
	const struct option *opts;
};
extern const struct cli_command *cli_commands;
/* Whether typed is a likely misspelling of word (one or two edits). */
int  cli_is_near(const char *typed, const char *word);
/* Read a whole file into memory (NUL-terminated); -1 with errno-based
 * message naming the path on failure. Reads regular files and pipes of at
 * most DATASET_MAX_BYTES; refuses directories, devices and sockets. */
int  cli_read_file(const char *path, char **buf, size_t *len);
/* Load --data (or the bundled names when path is NULL) into ds, in file
 * order. Prints the error and returns -1 on failure. */
int  cli_load_dataset(const char *path, struct dataset *ds);
/* The run database for --db (NULL when not given): --db, else
 * $MGPT_TUI_DB, else the XDG default, whose folder `train` creates (mode
 * 0700). Viewers open it read-only and never write. Prints the error and
 * returns NULL on failure. */
enum cli_db_mode { CLI_DB_READ, CLI_DB_WRITE, CLI_DB_CREATE };
struct store *cli_store_open(const char *db_flag, enum cli_db_mode mode);
/* cli_store_open, then the run RUN names (an id, a name or "latest") into
 * *run. Prints the error and returns NULL on failure. */
struct store *cli_store_open_run(const char *db_flag, enum cli_db_mode mode, const char *spec,
                                 struct run_info *run);
/* The path cli_store_open would use, or NULL after printing why not. */
const char   *cli_db_path(const char *db_flag, char *buf, size_t n, int *is_default);
/* s made safe to print (NUL-terminated in out, n bytes): control
 * characters and invalid UTF-8 escaped as \xHH or \u00HH. */
void cli_text_escape(char *out, size_t n, const char *s);
/* At exit: flush and close stdout; when that fails and rc is 0, one line
 * on stderr and 1. Returns the exit status. */
int  cli_close_stdout(int rc);

#endif
