/* SPDX-License-Identifier: MIT */
/* bench.c - the row format and the helpers every benchmark shares (bench.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

void
bench_row(const char *bench, const char *what, double value, const char *unit, const char *goal,
    long rss_kib)
{
	printf("%s\t%s\t%.6g\t%s\t%s\t", bench, what, value, unit, goal ? goal : "");
	if (rss_kib >= 0)
		printf("%ld", rss_kib);
	printf("\n");
	fflush(stdout);
}

void
bench_row_t(const char *bench, const char *what, double value, double wall, const char *unit,
    const char *goal, long rss_kib)
{
	printf("%s\t%s\t%.6g\t%s\t%s\t", bench, what, value, unit, goal ? goal : "");
	if (rss_kib >= 0)
		printf("%ld", rss_kib);
	printf("\t%.6g\n", wall);
	fflush(stdout);
}

double
bench_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

struct bench_time
bench_time_now(void)
{
	struct bench_time t;

	t.wall = bench_now();
	t.cpu = bench_cpu();
	return t;
}

struct bench_time
bench_span(struct bench_time since)
{
	struct bench_time t = bench_time_now();

	t.wall -= since.wall;
	t.cpu -= since.cpu;
	return t;
}

int
bench_full(void)
{
	const char *s = getenv("BENCH_FULL");

	return s && *s && strcmp(s, "0") != 0;
}

double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

long
bench_rss_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

double
bench_kib_mb(long kib)
{
	return (double)kib * 1024 / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
bench_percentile(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[(int)(p / 100 * (n - 1))];
}

double
bench_spawn(char *const argv[], long *maxrss_kib, double *cpu_s)
{
	struct rusage ru;
	double t0 = bench_now(), t;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execv(argv[0], argv);
		fprintf(stderr, "bench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	t = bench_now() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: %s %s: %s %d\n", argv[0], argv[1] ? argv[1] : "",
		    WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	if (maxrss_kib)
		*maxrss_kib = ru.ru_maxrss;
	if (cpu_s)
		*cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	return t;
}
