/* SPDX-License-Identifier: MIT */
/* bench_train.c - training speed in CPU time (issue 15), at the default size
 * (16/4/1/16) and at n_embd 64, n_head 8, n_layer 2, block 32:
 *
 *  - the engine's training loop, and the plain scalar baseline
 *    (bench/baseline.c, the same work: tests/test_baseline.c) on the same
 *    data and seed, built -O2 and -O3 -march=native, in token positions
 *    per CPU-second, and the ratios (issue 15's goal: twice the -O3
 *    -march=native build);
 *  - the engine's arithmetic rate against the core's peak;
 *  - the whole `mgpt-tui train --no-db` process (its CPU time from wait4),
 *    and the same logged to a new database, with peak RSS;
 *  - the start-up: a 1-step `train --no-db`, CPU time per run, beside
 *    `mgpt-tui --help` and /bin/true run in the same rounds.
 *
 * Each case runs in a child process, so its peak RSS is its own; the cases
 * of a size are interleaved round by round so that a busy moment of the
 * machine falls on all alike, and the median of the rounds is kept. Token
 * positions count forward + backward + Adam. The whole-process cases run
 * when $MGPT_TUI names the binary. BENCH_FULL=1 trains more steps and
 * rounds. Rows as bench/bench.h describes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baseline.h"
#include "bench.h"
#include "dataset.h"
#include "model.h"
#include "train.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;

#define MAX_ROUNDS 15
/* The whole `train --no-db` process, the row the goal judges, runs this
 * many times a round: its median of 5 ranged from 460,629 to 495,252
 * positions/CPU-s over one stop's runs of bench_train, 7 % apart, and a run
 * of it is a tenth of a round's time. */
#define CLI_PER_ROUND 3

struct result {
	double cpu, wall;   /* seconds of the training loop */
	double positions;   /* token positions trained */
	double flops;       /* model FLOPs of those steps (see step_flops) */
};

/* The arithmetic of one training step over n positions, counted as model
 * FLOPs (a multiply and an add are two): the linear layers and attention's
 * products forward, twice that backward (the input's gradient and the
 * weights'), and Adam at 16 a parameter. Norms, softmax and exp are left
 * out (under 3 % at the default size). */
static double
step_flops(const struct model_config *c, size_t n_params, int n)
{
	double C = c->n_embd, L = c->n_layer, V = c->vocab_size, f = 0;
	int t;

	for (t = 0; t < n; t++)
		f += 3 * (L * 24 * C * C + 2 * V * C + L * 4 * C * (t + 1));
	return f + 16.0 * (double)n_params;
}

enum which { ENGINE, BASELINE_O2, BASELINE_NATIVE };

/* In the child: train `steps` steps with the engine or a baseline build
 * and report through the pipe. */
static int
train_case(const struct model_config *cfg, long steps, enum which use, int fd)
{
	struct dataset ds;
	struct result r = { 0, 0, 0, 0 };
	struct bench_time t0, dt;
	char err[256];
	long i;
	int n;

	if (dataset_parse(&ds, (const char *)bundled_names, bundled_names_len, err, sizeof err) < 0) {
		fprintf(stderr, "bench_train: %s\n", err);
		return 1;
	}
	if (use == BASELINE_O2) {
		struct baseline *b = baseline_new(&ds, cfg->n_embd, cfg->n_head, cfg->n_layer,
		    cfg->block_size, 42, steps);

		t0 = bench_time_now();
		for (i = 0; i < steps; i++) {
			baseline_step(b, &n);
			r.positions += n;
		}
		dt = bench_span(t0);
		baseline_free(b);
	} else if (use == BASELINE_NATIVE) {
		struct baseline *b = baseline_native_new(&ds, cfg->n_embd, cfg->n_head, cfg->n_layer,
		    cfg->block_size, 42, steps);

		t0 = bench_time_now();
		for (i = 0; i < steps; i++) {
			baseline_native_step(b, &n);
			r.positions += n;
		}
		dt = bench_span(t0);
		baseline_native_free(b);
	} else {
		struct model_config c = *cfg;
		struct step_stats st;
		struct trainer t;

		trainer_init(&t, &ds, cfg, 42, steps);
		c.vocab_size = ds.n_vocab + 1;
		t0 = bench_time_now();
		for (i = 0; i < steps; i++) {
			trainer_step(&t, &st);
			r.positions += st.n_pos;
		}
		dt = bench_span(t0);
		/* counted after the clock: the same steps, the same positions */
		for (i = 0; i < steps; i++) {
			size_t d = (size_t)i % ds.n_docs, len = dataset_doc_len(&ds, d);

			n = (int)len + 1 < c.block_size ? (int)len + 1 : c.block_size;
			r.flops += step_flops(&c, t.model.n_params, n);
		}
		trainer_free(&t);
	}
	r.cpu = dt.cpu;
	r.wall = dt.wall;
	dataset_free(&ds);
	return write(fd, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1;
}

/* One case in a child; -1 on failure. */
static int
in_child(const struct model_config *cfg, long steps, enum which use, struct result *r,
    long *rss_kib)
{
	struct rusage ru;
	int fds[2], status;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		_exit(train_case(cfg, steps, use, fds[1]));
	}
	close(fds[1]);
	if (read(fds[0], r, sizeof *r) != (ssize_t)sizeof *r)
		r->cpu = -1;
	close(fds[0]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || r->cpu <= 0)
		return -1;
	if (ru.ru_maxrss > *rss_kib)
		*rss_kib = ru.ru_maxrss;
	return 0;
}

/* The whole program once; db NULL for --no-db, else a database removed
 * first. Wall seconds (CPU seconds in *cpu), or -1. */
static double
program(const char *cli, const struct model_config *cfg, long steps, const char *db,
    long *rss_kib, double *cpu)
{
	char s[24], e[16], h[16], l[16], b[16], dbwal[300];
	char *argv[] = { (char *)cli, "train", "--steps", s, "--n-embd", e, "--n-head", h,
	                 "--n-layer", l, "--block-size", b, "--no-db", NULL, NULL };
	long rss;
	double t;

	snprintf(s, sizeof s, "%ld", steps);
	snprintf(e, sizeof e, "%d", cfg->n_embd);
	snprintf(h, sizeof h, "%d", cfg->n_head);
	snprintf(l, sizeof l, "%d", cfg->n_layer);
	snprintf(b, sizeof b, "%d", cfg->block_size);
	if (db) {
		argv[12] = "--db";
		argv[13] = (char *)db;
		unlink(db);
		snprintf(dbwal, sizeof dbwal, "%s-wal", db);
		unlink(dbwal);
	}
	if ((t = bench_spawn(argv, &rss, cpu)) < 0)
		return -1;
	if (rss > *rss_kib)
		*rss_kib = rss;
	return t;
}

/* The core's peak in GFLOP/s: BENCH_PEAK_GFLOPS if set, else the clock
 * /proc/cpuinfo reports times 4 flops per vector lane a cycle (two FMA
 * pipes, or two multiply and two add pipes, as Zen 4/5 and Intel's server
 * cores have) times the lanes of the widest vectors the CPU has (8 doubles
 * with AVX-512, 4 with AVX2). A VM reports the base clock; boost raises the
 * real peak. 0 when unknown. */
static double
core_peak(char *how, size_t n)
{
	const char *env = getenv("BENCH_PEAK_GFLOPS");
	char line[4096];
	double mhz = 0;
	int lanes = 2;
	FILE *f;

	if (env && atof(env) > 0) {
		snprintf(how, n, "BENCH_PEAK_GFLOPS");
		return atof(env);
	}
	if (!(f = fopen("/proc/cpuinfo", "r")))
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (!mhz && strncmp(line, "cpu MHz", 7) == 0 && strchr(line, ':'))
			mhz = atof(strchr(line, ':') + 1);
		if (strncmp(line, "flags", 5) == 0) {
			if (strstr(line, " avx512f"))
				lanes = 8;
			else if (strstr(line, " avx2") && lanes < 4)
				lanes = 4;
		}
	}
	fclose(f);
	snprintf(how, n, "%.0f MHz x %d doubles x 4", mhz, lanes);
	return mhz * 1e6 * lanes * 4 / 1e9;
}

static int
cmp_result(const void *a, const void *b)
{
	double x = ((const struct result *)a)->cpu, y = ((const struct result *)b)->cpu;

	return (x > y) - (x < y);
}

/* The median round by CPU time. */
static struct result
median(struct result *r, int n)
{
	qsort(r, (size_t)n, sizeof *r, cmp_result);
	return r[n / 2];
}

static int
size(const char *label, const struct model_config *cfg, long steps, int rounds, const char *cli,
    const char *db, int is_default)
{
	struct result e[MAX_ROUNDS], b[MAX_ROUNDS], x[MAX_ROUNDS], p[MAX_ROUNDS * CLI_PER_ROUND];
	struct result em, bm, xm, pm;
	long rss_e = 0, rss_b = 0, rss_x = 0, rss_p = 0, rss_d = 0;
	char what[160], how[96];
	double peak, t_db = 0, c_db = 0;
	int i, j, n_p = 0;

	for (i = 0; i < rounds; i++) {
		if (in_child(cfg, steps, ENGINE, &e[i], &rss_e) < 0 ||
		    in_child(cfg, steps, BASELINE_O2, &b[i], &rss_b) < 0 ||
		    in_child(cfg, steps, BASELINE_NATIVE, &x[i], &rss_x) < 0) {
			fprintf(stderr, "bench_train: %s: the run failed\n", label);
			return -1;
		}
		for (j = 0; cli && j < CLI_PER_ROUND; j++, n_p++) {
			p[n_p].wall = program(cli, cfg, steps, NULL, &rss_p, &p[n_p].cpu);
			p[n_p].positions = e[i].positions;
			if (p[n_p].wall < 0)
				return -1;
		}
	}
	em = median(e, rounds);
	bm = median(b, rounds);
	xm = median(x, rounds);
	snprintf(what, sizeof what, "%s: engine, %ld steps (median of %d)", label, steps, rounds);
	bench_row_t("train", what, em.positions / em.cpu, em.positions / em.wall, "positions/s",
	    NULL, rss_e);
	bench_row_t("train", "  plain C baseline (bench/baseline.c) -O2", bm.positions / bm.cpu,
	    bm.positions / bm.wall, "positions/s", NULL, rss_b);
	bench_row_t("train", "  engine against the -O2 baseline", bm.cpu / em.cpu, bm.wall / em.wall,
	    "x", NULL, -1);
	snprintf(what, sizeof what, "  the baseline built %s", BASELINE_NATIVE_CFLAGS);
	bench_row_t("train", what, xm.positions / xm.cpu, xm.positions / xm.wall, "positions/s", NULL,
	    rss_x);
	bench_row_t("train", "  engine against that build", xm.cpu / em.cpu, xm.wall / em.wall, "x",
	    ">= 2", -1);
	peak = core_peak(how, sizeof how);
	bench_row_t("train", "  engine's arithmetic rate (model FLOPs)", em.flops / em.cpu / 1e9,
	    em.flops / em.wall / 1e9, "GFLOP/s", NULL, -1);
	if (peak > 0) {
		snprintf(what, sizeof what, "  of the core's peak (%.0f GFLOP/s: %s)", peak, how);
		bench_row_t("train", what, 100 * em.flops / em.cpu / 1e9 / peak,
		    100 * em.flops / em.wall / 1e9 / peak, "%", NULL, -1);
	}
	if (!cli)
		return 0;
	pm = median(p, n_p);
	snprintf(what, sizeof what, "  mgpt-tui train --no-db, whole process (median of %d)", n_p);
	bench_row_t("train", what, pm.positions / pm.cpu,
	    pm.positions / pm.wall, "positions/s", is_default ? ">= 500000" : NULL, rss_p);
	if (is_default)
		bench_row("train", "  peak RSS of that process", bench_kib_mb(rss_p), "MB", "< 10", -1);
	if ((t_db = program(cli, cfg, steps, db, &rss_d, &c_db)) < 0)
		return -1;
	bench_row_t("train", "  mgpt-tui train, logged to a new database (one run)",
	    em.positions / c_db, em.positions / t_db, "positions/s", NULL, rss_d);
	if (is_default)
		bench_row("train", "  peak RSS of that process", bench_kib_mb(rss_d), "MB", "< 10", -1);
	return 0;
}

/* A 1-step `train --no-db` (which also samples its 20 names): CPU time of
 * the whole process, the median of n runs; interleaved with `mgpt-tui
 * --help` (exec and the dynamic loader, nothing else) and /bin/true (the
 * machine's floor for any program), which say how much of the figure is
 * the program's own and how loaded the machine was. */
static int
startup(const char *cli, int n)
{
	char *a_train[] = { (char *)cli, "train", "--no-db", "--steps", "1", NULL };
	char *a_help[] = { (char *)cli, "--help", NULL };
	char *a_true[] = { "/bin/true", NULL };
	static double cpu[3][200], wall[3][200];
	char what[96];
	long rss = 0, r;
	int i, have_true = access("/bin/true", X_OK) == 0;

	for (i = 0; i < n; i++) {
		if ((wall[0][i] = bench_spawn(a_train, &rss, &cpu[0][i])) < 0 ||
		    (wall[1][i] = bench_spawn(a_help, &r, &cpu[1][i])) < 0)
			return -1;
		if (have_true && (wall[2][i] = bench_spawn(a_true, &r, &cpu[2][i])) < 0)
			have_true = 0;
	}
	snprintf(what, sizeof what, "1-step mgpt-tui train --no-db (median of %d)", n);
	bench_row_t("start", what, bench_median(cpu[0], n) * 1e3, bench_median(wall[0], n) * 1e3, "ms",
	    "<= 6", rss);
	bench_row_t("start", "  mgpt-tui --help: exec and the loader alone", bench_median(cpu[1], n) * 1e3,
	    bench_median(wall[1], n) * 1e3, "ms", NULL, -1);
	if (have_true)
		bench_row_t("start", "  /bin/true: any program's floor on this machine now",
		    bench_median(cpu[2], n) * 1e3, bench_median(wall[2], n) * 1e3, "ms", NULL, -1);
	return 0;
}

int
main(void)
{
	static const struct model_config def = { 0, 16, 4, 1, 16 }, big = { 0, 64, 8, 2, 32 };
	const char *cli = getenv("MGPT_TUI");
	char dir[] = "/tmp/mgpt-bench-train.XXXXXX", db[64], wal[80];
	int full = bench_full(), rc = 0;

	if (cli && !*cli)
		cli = NULL;
	if (!mkdtemp(dir)) {
		perror("bench_train: mkdtemp");
		return 1;
	}
	snprintf(db, sizeof db, "%s/runs.db", dir);
	if ((cli && startup(cli, full ? 200 : 40) < 0) ||
	    size("default size 16/4/1/16", &def, 8000, full ? 11 : 5, cli, db, 1) < 0 ||
	    size("larger size 64/8/2/32", &big, full ? 8000 : 1000, full ? 5 : 3, cli, db, 0) < 0)
		rc = 1;
	snprintf(wal, sizeof wal, "%s-wal", db);
	unlink(db);
	unlink(wal);
	rmdir(dir);
	return rc;
}
