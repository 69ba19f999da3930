/* bench_store.c - what the run store costs (`make bench`).
 *
 * usage: bench_store MGPT_TUI [ROUNDS]
 *
 * Prints one row per figure: the time of a 1000-step default run logged to
 * an existing database and to a new one, against --no-db (medians of
 * interleaved rounds); the size of a new database holding that run; the
 * time to produce an arbitrary step of a 10,000-step run, cold (open the
 * run's data, set up a trainer, replay) and warm (seek a trainer already
 * set up), median and 95th percentile of 100 random steps; one
 * transaction per step against the default batching; and
 * `runs` on a database of 200 runs. */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "train.h"

static char dir[256];
static const char *prog;
static double last_cpu;   /* user + system seconds of the last run() */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run mgpt-tui with args (NULL-terminated), stdout to /dev/null; seconds. */
static double
run(const char *const *args)
{
	const char *argv[32];
	struct rusage ru;
	double t0 = now();
	int i, status;
	pid_t pid;

	argv[0] = prog;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_store: %s %s failed\n", prog, args[0]);
		exit(1);
	}
	last_cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
	return now() - t0;
}

static long long
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static void
row(const char *what, const char *value, const char *goal)
{
	printf("%-52s %14s   %s\n", what, value, goal);
}

int
main(int argc, char **argv)
{
	char db1[300], db2[300], big[300], many[300], fresh[300], val[64], cmd[400];
	int rounds = argc > 2 ? atoi(argv[2]) : 11, i, k;
	double *t_nodb, *t_db, *t_fresh, *cold, *warm, m_nodb, m_db, m_fresh;
	double *c_nodb, *c_db;
	char err[STORE_ERRLEN];
	struct store *st;
	struct run_info r;
	struct dataset ds;
	struct trainer t;
	unsigned long long lcg = 12345;
	const int n_seek = 100;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_store MGPT_TUI [ROUNDS]\n");
		return 2;
	}
	prog = argv[1];
	if (rounds < 3)
		rounds = 3;
	snprintf(dir, sizeof dir, "%s/mgpt-bench.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db1, sizeof db1, "%s/existing.db", dir);
	snprintf(db2, sizeof db2, "%s/one.db", dir);
	snprintf(big, sizeof big, "%s/big.db", dir);
	snprintf(many, sizeof many, "%s/many.db", dir);
	snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
	t_nodb = calloc((size_t)rounds, sizeof *t_nodb);
	t_db = calloc((size_t)rounds, sizeof *t_db);
	t_fresh = calloc((size_t)rounds, sizeof *t_fresh);
	c_nodb = calloc((size_t)rounds, sizeof *c_nodb);
	c_db = calloc((size_t)rounds, sizeof *c_db);
	cold = calloc(n_seek, sizeof *cold);
	warm = calloc(n_seek, sizeof *warm);

	printf("%-52s %14s   %s\n", "figure", "measured", "goal");
	{
		const char *a_nodb[] = { "train", "--no-db", NULL };
		const char *a_db[] = { "train", "--db", db1, NULL };
		const char *a_fresh[] = { "train", "--db", fresh, NULL };
		const char *a_one[] = { "train", "--db", db2, NULL };

		run(a_db);   /* the database exists, as it will for a user */
		run(a_nodb);
		for (i = 0; i < rounds; i++) {
			t_nodb[i] = run(a_nodb);
			c_nodb[i] = last_cpu;
			t_db[i] = run(a_db);
			c_db[i] = last_cpu;
			unlink(fresh);
			t_fresh[i] = run(a_fresh);
		}
		m_nodb = median(t_nodb, rounds);
		m_db = median(t_db, rounds);
		m_fresh = median(t_fresh, rounds);
		snprintf(val, sizeof val, "%.1f ms", m_nodb * 1e3);
		row("1000-step default run, --no-db", val, "");
		snprintf(val, sizeof val, "%.1f ms", m_db * 1e3);
		row("  the same, logged to an existing database", val, "");
		snprintf(val, sizeof val, "%+.1f %%", (m_db / m_nodb - 1) * 100);
		row("  logging overhead", val, "<= 20 %");
		/* CPU time is less disturbed by other work on the machine, but
		 * leaves out waiting for the disk. */
		snprintf(val, sizeof val, "%+.1f %%", (median(c_db, rounds) / median(c_nodb, rounds) - 1) * 100);
		row("  the same in CPU time (user + system)", val, "");
		snprintf(val, sizeof val, "%.1f ms", m_fresh * 1e3);
		row("  the same, logged to a new database", val, "");
		snprintf(val, sizeof val, "%+.1f %%", (m_fresh / m_nodb - 1) * 100);
		row("  logging overhead, new database", val, "");
		run(a_one);
		snprintf(val, sizeof val, "%.2f MB", file_size(db2) / 1e6);
		row("database size after that run (new database)", val, "<= 2 MB");
	}
	{
		const char *a_big[] = { "train", "--steps", "10000", "--samples", "0", "--db", big, NULL };

		run(a_big);
		if (!(st = store_open(big, 0, 1, err, sizeof err)) || store_find_run(st, "latest", &r) < 0) {
			fprintf(stderr, "bench_store: %s\n", st ? store_errmsg(st) : err);
			return 1;
		}
		for (k = 0; k < n_seek; k++) {
			long s;
			double t0;

			lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
			s = (long)((lcg >> 33) % 10001);
			t0 = now();
			if (store_replay(st, &r, s, &ds, &t) < 0) {
				fprintf(stderr, "bench_store: %s\n", store_errmsg(st));
				return 1;
			}
			cold[k] = now() - t0;
			trainer_free(&t);
			dataset_free(&ds);
		}
		if (store_replay(st, &r, 0, &ds, &t) < 0)
			return 1;
		for (k = 0; k < n_seek; k++) {
			long s;
			double t0;

			lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
			s = (long)((lcg >> 33) % 10001);
			t0 = now();
			if (store_seek(st, &r, s, &t) < 0) {
				fprintf(stderr, "bench_store: %s\n", store_errmsg(st));
				return 1;
			}
			warm[k] = now() - t0;
		}
		trainer_free(&t);
		dataset_free(&ds);
		store_close(st);
		qsort(cold, n_seek, sizeof *cold, cmp_double);
		qsort(warm, n_seek, sizeof *warm, cmp_double);
		/* p95 rather than the maximum: on a shared machine the maximum
		 * measures the scheduler. */
		snprintf(val, sizeof val, "%.2f / %.2f ms", median(cold, n_seek) * 1e3,
		    cold[n_seek * 95 / 100] * 1e3);
		row("any step of a 10,000-step run, cold: median / p95", val, "<= 10 ms");
		snprintf(val, sizeof val, "%.2f / %.2f ms", median(warm, n_seek) * 1e3,
		    warm[n_seek * 95 / 100] * 1e3);
		row("  warm (store_seek on a set-up trainer)", val, "");
		snprintf(val, sizeof val, "%.1f MB", file_size(big) / 1e6);
		row("  size of that database", val, "");
	}
	{
		/* One transaction per step against the default batching, in
		 * process, so that only the logging differs. */
		struct step_stats ss;
		struct run_info w;
		double t0, t_each = 0, t_batch = 0;
		char path[300];
		int pass;

		snprintf(path, sizeof path, "%s/commit.db", dir);
		for (pass = 0; pass < 2; pass++) {
			char text[] = "anna\nbob\ncarla\ndan\n", e[256];

			if (!(st = store_open(path, 1, 0, err, sizeof err)) ||
			    dataset_parse(&ds, text, strlen(text), e, sizeof e) < 0)
				return 1;
			memset(&w, 0, sizeof w);
			w.cfg.n_embd = 16; w.cfg.n_head = 4; w.cfg.n_layer = 1; w.cfg.block_size = 16;
			w.n_steps = 1000;
			w.snapshot_every = 100000;
			w.temperature = 1;
			if (store_run_create(st, &w, &ds) < 0)
				return 1;
			trainer_init(&t, &ds, &w.cfg, 1, 1000);
			if (store_run_start(st, &w, &t) < 0)
				return 1;
			store_set_commit_interval(st, pass == 0 ? 0 : STORE_COMMIT_SECONDS);
			memset(&ss, 0, sizeof ss);
			t0 = now();
			for (k = 0; k < 1000; k++) {
				ss.loss = 1.0 / (k + 1);
				if (store_log_step(st, &w, &ss) < 0)
					return 1;
			}
			if (store_run_end(st, &w, RUN_FINISHED) < 0)
				return 1;
			if (pass == 0)
				t_each = now() - t0;
			else
				t_batch = now() - t0;
			trainer_free(&t);
			dataset_free(&ds);
			store_close(st);
		}
		snprintf(val, sizeof val, "%.1f us", t_each * 1e3);
		row("logging one step, one transaction per step", val, "");
		snprintf(val, sizeof val, "%.2f us", t_batch * 1e3);
		row("  batched (flush every 0.25 s and at snapshots)", val, "");
	}
	{
		const char *a_many[] = { "train", "--steps", "1000", "--samples", "0", "--snapshot-every",
		                         "1000", "--db", many, NULL };
		const char *a_runs[] = { "runs", "--db", many, NULL };
		double tr[15];

		for (k = 0; k < 200; k++)
			run(a_many);
		for (k = 0; k < 15; k++)
			tr[k] = run(a_runs);
		snprintf(val, sizeof val, "%.1f ms", median(tr, 15) * 1e3);
		row("`runs` on a database of 200 runs (1000 steps each)", val, "");
		snprintf(val, sizeof val, "%.1f MB", file_size(many) / 1e6);
		row("  size of that database", val, "");
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_store: could not remove %s\n", dir);
	free(t_nodb);
	free(t_db);
	free(t_fresh);
	free(c_nodb);
	free(c_db);
	free(cold);
	free(warm);
	return 0;
}
