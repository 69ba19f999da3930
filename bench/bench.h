/* bench.h - what every benchmark program shares: the row it prints, clocks,
 * peak memory, and running a program as a child.
 *
 * A benchmark prints one tab-separated line per figure (bench/run.sh lays
 * them out in one table and adds the verdict):
 *
 *     bench <TAB> case <TAB> value <TAB> unit <TAB> goal <TAB> peak RSS in KiB
 *
 * goal is empty or an operator and a number in the row's unit ("<= 2",
 * ">= 380000", "< 10"); peak RSS is empty when it means nothing for the
 * figure. */
#ifndef MGPT_BENCH_H
#define MGPT_BENCH_H

#include <sys/types.h>

/* Print one row (and flush, so a later crash keeps it). goal may be NULL;
 * rss_kib < 0 leaves the column empty. */
void   bench_row(const char *bench, const char *what, double value, const char *unit,
                 const char *goal, long rss_kib);

double bench_now(void);                      /* monotonic seconds */
long   bench_rss_self(void);                 /* this process's peak RSS, KiB */
double bench_kib_mb(long kib);               /* KiB -> MB (10^6 bytes), as the goals count */

/* Sort v and return its median, or its p-th percentile (0..100, nearest
 * rank below). */
double bench_median(double *v, int n);
double bench_percentile(double *v, int n, double p);

/* Run argv (argv[0] a path) with stdout on /dev/null and wait. Returns the
 * wall seconds, or -1 when it could not run or did not exit 0; *maxrss_kib
 * and *cpu_s (user + system) are filled when not NULL. */
double bench_spawn(char *const argv[], long *maxrss_kib, double *cpu_s);

#endif
