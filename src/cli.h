/* cli.h - shared pieces of the command line: numbers from flags, errors,
 * the bundled data. Every user error is one line on stderr. */
#ifndef MGPT_CLI_H
#define MGPT_CLI_H

#include <stddef.h>
#include <stdint.h>

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
/* Report the option getopt_long just refused (call with opterr = 0 and a
 * leading ':' in optstring): unknown flag, or a flag missing its value. */
void cli_bad_option(const char *cmd, char **argv, int c);
/* Read a whole file into memory (NUL-terminated); -1 with errno-based
 * message naming the path on failure. Refuses directories. */
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
/* The bundled data (data/names.txt, embedded at build time): its bytes,
 * and the same parsed into the engine's form. */
extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;
extern const struct dataset_table bundled_names_table;

#endif
