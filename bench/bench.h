/* SPDX-License-Identifier: MIT */
/* bench.h - what every benchmark program shares: the row it prints, clocks,
 * peak memory, and running a program as a child.
 *
 * A benchmark prints one tab-separated line per figure (bench/run.sh lays
 * them out in one table and adds the verdict):
 *
 *     bench <TAB> case <TAB> value <TAB> unit <TAB> goal <TAB> peak RSS in KiB
 *           [<TAB> the same figure by the wall clock]
 *
 * goal is empty or an operator and a number in the row's unit ("<= 2",
 * ">= 380000", "< 10"); peak RSS is empty when it means nothing for the
 * figure. A figure measured in time is measured in CPU time (user + system,
 * getrusage), which other work on a shared machine disturbs far less than
 * the wall clock; the goal is judged on it, and the wall-clock figure
 * follows in the seventh field, for reading only. */
#ifndef MGPT_BENCH_H
#define MGPT_BENCH_H

#include <sys/types.h>

/* Print one row (and flush, so a later crash keeps it). goal may be NULL;
 * rss_kib < 0 leaves the column empty. */
void   bench_row(const char *bench, const char *what, double value, const char *unit,
                 const char *goal, long rss_kib);

/* A figure measured in time: value by CPU time, wall by the wall clock. */
void   bench_row_t(const char *bench, const char *what, double value, double wall,
                   const char *unit, const char *goal, long rss_kib);

double bench_now(void);                      /* monotonic seconds */
double bench_cpu(void);                      /* this process's CPU seconds, user + system */
/* Both clocks at once: a point in time, or (bench_span) the time since one. */
struct bench_time {
	double wall, cpu;
};
struct bench_time bench_time_now(void);
struct bench_time bench_span(struct bench_time since);
/* Nonzero when BENCH_FULL is set and not "0": the long mode (more rounds,
 * more steps); by default every benchmark keeps `make bench` under a minute. */
int    bench_full(void);
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
