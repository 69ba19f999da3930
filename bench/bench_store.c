/* SPDX-License-Identifier: MIT */
/* bench_store.c - what the run store costs (issue 3's "Speed and size").
 *
 * With $MGPT_TUI naming the binary: the time of a 1000-step default run
 * logged to an existing database and to a new one, against --no-db (medians
 * of interleaved rounds, so that a busy moment of the machine hits all
 * three alike), and the same for 8000 steps; for both, where the logging
 * time goes, measured in this process through the same calls `train`
 * makes (the trainer thread's extra CPU time and the store's threads');
 * for both, beside the CPU the goal leaves the logging, the floor: the
 * store's own writes for such a run alone, in a process of their own
 * (`bench_store --floor DB STEPS`: no training, no threads, two commits);
 * the size of a new database holding that run; the time to
 * produce an arbitrary step of a 10,000-step run, cold (open the run's data,
 * set up a trainer, replay) and warm (seek a trainer already set up), median
 * and 95th percentile of 100 random steps; one transaction per step against
 * the default batching; and `runs` on a database of 200 runs (50 unless
 * BENCH_FULL is set). The seek and `runs` rows are CPU time, the wall
 * clock's beside.
 *
 * usage: bench_store [ROUNDS]      (rows as bench/bench.h describes;
 *                                   ROUNDS 21 with BENCH_FULL, else 15:
 *                                   a 1000-step round is about 0.1 s, and
 *                                   5 let one slow --no-db median flip
 *                                   the verdict) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "store.h"
#include "store_int.h"   /* store_log_append, store_log_commit: the floor */
#include "train.h"
#include "xmalloc.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;
extern const struct dataset_table bundled_names_table;
extern const char bundled_names_sha256[];

static char dir[256];
static const char *prog;

/* Run mgpt-tui with args (NULL-terminated), stdout to /dev/null; wall
 * seconds, and *cpu (user + system) when not NULL. Exits on failure. */
static double
run(const char *const *args, double *cpu)
{
	char *argv[32];
	double t;
	int i;

	argv[0] = (char *)prog;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	if ((t = bench_spawn(argv, NULL, cpu)) < 0) {
		fprintf(stderr, "bench_store: %s %s failed\n", prog, args[0]);
		exit(1);
	}
	return t;
}

static double
file_mb(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
}

static void
row(const char *what, double value, const char *unit, const char *goal)
{
	bench_row("store", what, value, unit, goal, -1);
}

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, err);
	exit(1);
}

/* The logging overhead of an n-step default run, whole processes, judged
 * in CPU time (user + system of the process and its threads, from
 * getrusage RUSAGE_CHILDREN): wall time hides the logging thread's work on
 * an idle second core and counts other programs' on a busy one. Goals
 * (issue 15): logged <= 1.25x the CPU of --no-db at 1000 steps, <= 1.10x
 * at 8000. */
static double
overhead(const char *steps, int rounds, int goal_run)
{
	char db[300], fresh[300], what[96];
	const char *a_nodb[] = { "train", "--steps", steps, "--no-db", NULL };
	const char *a_db[] = { "train", "--steps", steps, "--db", db, NULL };
	const char *a_fresh[] = { "train", "--steps", steps, "--db", fresh, NULL };
	double *t = xcalloc((size_t)rounds * 6, sizeof *t);
	double *t_nodb = t, *t_db = t + rounds, *t_fresh = t + 2 * rounds;
	double *c_nodb = t + 3 * rounds, *c_db = t + 4 * rounds, *c_fresh = t + 5 * rounds;
	double m_nodb, m_db, mc_nodb, mc_db;
	int i;

	snprintf(db, sizeof db, "%s/existing-%s.db", dir, steps);
	snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
	run(a_db, NULL);   /* the database exists, as it will for a user */
	run(a_nodb, NULL);
	for (i = 0; i < rounds; i++) {
		t_nodb[i] = run(a_nodb, &c_nodb[i]);
		t_db[i] = run(a_db, &c_db[i]);
		unlink(fresh);
		t_fresh[i] = run(a_fresh, &c_fresh[i]);
	}
	m_nodb = bench_median(t_nodb, rounds);
	m_db = bench_median(t_db, rounds);
	mc_nodb = bench_median(c_nodb, rounds);
	mc_db = bench_median(c_db, rounds);
	snprintf(what, sizeof what, "%s-step default run, --no-db: CPU (median of %d)", steps, rounds);
	row(what, mc_nodb * 1e3, "ms", NULL);
	row("  the same, logged to an existing database: CPU", mc_db * 1e3, "ms", NULL);
	row("  logged / --no-db, CPU time", mc_db / mc_nodb, "x", goal_run ? "<= 1.25" : "<= 1.10");
	row("  logged / --no-db, CPU time, new database", bench_median(c_fresh, rounds) / mc_nodb,
	    "x", NULL);
	row("  --no-db: wall", m_nodb * 1e3, "ms", NULL);
	row("  logged to an existing database: wall", m_db * 1e3, "ms", NULL);
	row("  logged / --no-db, wall time", m_db / m_nodb, "x", NULL);
	row("  logged / --no-db, wall time, new database", bench_median(t_fresh, rounds) / m_nodb,
	    "x", NULL);
	unlink(fresh);
	free(t);
	return mc_nodb;
}

/* The run `train` makes by default, n steps on the bundled names. */
static void
default_run(struct run_info *r, const struct model_config *cfg, long steps)
{
	memset(r, 0, sizeof *r);
	r->seed = 42;
	r->cfg = *cfg;
	r->n_steps = steps;
	r->snapshot_every = STORE_SNAPSHOT_EVERY;
	r->temperature = 0.5;
	r->n_samples = 20;
}

/* The floor: what the store's own writes for an n-step default run cost
 * in a process of their own, with nothing else in it: no training, no
 * threads, the fewest commits a run can have (its start, then everything
 * else with its end), the same calls, schema, pragmas and row sizes as
 * train. Run as `bench_store --floor DB STEPS`: prints the CPU seconds
 * (user + system) from before the store is opened to after it is closed.
 * The trainer that gives the snapshots their sizes is set up before. */
static int
floor_child(const char *path, long steps)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	char err[STORE_ERRLEN], *names[20];
	struct train_state *snap;
	struct store_end end;
	struct step_stats ss;
	struct run_info r;
	struct dataset ds;
	struct trainer tr;
	struct store *st;
	double c0, c1, setup;
	long i;
	int n_snap = 0, k;

	for (k = 0; k < 20; k++)
		names[k] = "anna";
	dataset_from_table(&ds, &bundled_names_table);
	cfg.vocab_size = ds.n_vocab + 1;
	default_run(&r, &cfg, steps);
	memset(&ss, 0, sizeof ss);
	snap = xcalloc((size_t)(steps / r.snapshot_every + 2), sizeof *snap);
	c0 = bench_cpu();
	if (!(st = store_open(path, 1, 0, err, sizeof err)))
		die(path, err);
	if (store_log_cache(st) < 0)   /* the logging thread's page cache */
		die(path, store_errmsg(st));
	store_run_known_data(st, (const char *)bundled_names, bundled_names_len, bundled_names_sha256);
	if (store_run_create(st, &r, &ds) < 0)
		die("create", store_errmsg(st));
	c1 = bench_cpu();
	trainer_init(&tr, &ds, &cfg, 42, steps);
	setup = bench_cpu() - c1;   /* the trainer's set-up is not the store's */
	if (store_run_start(st, &r, &tr) < 0)
		die("start", store_errmsg(st));
	for (i = 1; i <= steps; i++) {
		ss.loss = 3.0 - (double)i / (double)steps;
		ss.lr = 0.01;
		ss.grad_norm = 1.0;
		ss.n_pos = 7;
		store_log_append(st, &r, &ss);
		if (i % r.snapshot_every == 0 || i == steps) {
			snap[n_snap] = store_state_of(&tr);
			snap[n_snap++].step = i;
		}
	}
	end.names = names;
	end.n = 20;
	end.status = RUN_FINISHED;
	if (store_log_commit(st, &r, NULL, snap, n_snap, &end) < 0)
		die("end", store_errmsg(st));
	store_close(st);
	printf("%.9f\n", bench_cpu() - c0 - setup);
	trainer_free(&tr);
	dataset_free(&ds);
	free(snap);
	return 0;
}

/* The floor of an n-step run (floor_child) in fresh processes, median of
 * rounds, beside the logging budget the goal leaves: `budget` ms. */
static void
floor_rows(long steps, int rounds, double budget_ms)
{
	char self[300], cmd[700], what[120];
	double *v = xcalloc((size_t)rounds, sizeof *v);
	ssize_t n;
	int i;

	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		die("/proc/self/exe", "cannot find this program");
	self[n] = '\0';
	snprintf(cmd, sizeof cmd, "LD_BIND_NOW=1 '%s' --floor '%s/floor-%ld.db' %ld", self, dir, steps, steps);
	for (i = -1; i < rounds; i++) {   /* round -1 makes the database */
		FILE *f = popen(cmd, "r");
		double c = -1;

		if (!f || fscanf(f, "%lf", &c) != 1 || pclose(f) != 0 || c < 0)
			die(cmd, "failed");
		if (i >= 0)
			v[i] = c;
	}
	snprintf(what, sizeof what, "  the goal leaves logging (%s x --no-db)",
	    steps <= 1000 ? "0.25" : "0.10");
	row(what, budget_ms, "ms", NULL);
	snprintf(what, sizeof what, "  the store's writes alone, 2 commits, no training, no threads "
	    "(median of %d)", rounds);
	row(what, bench_median(v, rounds) * 1e3, "ms", NULL);
	free(v);
}

/* A new database holding one default run of 1000 steps. */
static void
db_size(void)
{
	char fresh[300];
	const char *a_fresh[] = { "train", "--db", fresh, NULL };

	snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
	unlink(fresh);
	run(a_fresh, NULL);
	row("database size of a 1000-step default run (new)", file_mb(fresh), "MB", "<= 2");
}

/* CPU seconds of the calling thread, and its page faults. */
static double
thread_cpu(long *faults)
{
	struct timespec ts;
	struct rusage ru;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	if (faults && getrusage(RUSAGE_THREAD, &ru) == 0)
		*faults = ru.ru_minflt;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long
process_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

/* Where the logging time of an n-step default run goes, in this process,
 * with the calls `train` makes (src/session/train_run.c): the database
 * opened on a thread while the data is read, the run created (the bundled
 * names' text and hash from the build), the logging thread started, steps
 * and snapshots handed to it, the end written, the file closed. The
 * trainer thread's CPU time (CLOCK_THREAD_CPUTIME_ID) against the same
 * loop unlogged is what logging costs the trainer (hand-overs, snapshot
 * copies); the process's CPU time (getrusage RUSAGE_SELF, which counts
 * the joined threads) less the trainer's is the store's threads' (opening,
 * logging). Page faults likewise (RUSAGE_THREAD and RUSAGE_SELF). */
enum { BD_TRAIN, BD_TRAIN_LOGGED, BD_STORE, BD_ALL, BD_FLT_TRAIN, BD_FLT_STORE, BD__COUNT };

static void
breakdown(long steps, int rounds)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	double *v = xcalloc((size_t)rounds * BD__COUNT, sizeof *v);
	char path[300], err[STORE_ERRLEN], *names[20], label[96];
	int i, k, logged;

	snprintf(path, sizeof path, "%s/breakdown-%ld.db", dir, steps);
	for (k = 0; k < 20; k++)
		names[k] = "anna";
	for (i = -1; i < rounds; i++) {   /* round -1 makes the database */
		double t[2] = { 0, 0 }, p0 = 0, p1 = 0;
		long f0 = 0, f1 = 0, pf0 = 0, pf1 = 0, fu0 = 0, fu1 = 0;

		for (logged = 0; logged < 2; logged++) {
			struct store_opening *op = NULL;
			struct store_logger *lg = NULL;
			struct step_stats ss;
			struct store *st = NULL;
			struct run_info r;
			struct dataset ds;
			struct trainer tr;
			double m0, m1;

			p0 = bench_cpu();
			pf0 = process_faults();
			m0 = thread_cpu(logged ? &f0 : &fu0);
			if (logged)
				op = store_open_start(path);
			dataset_from_table(&ds, &bundled_names_table);
			cfg.vocab_size = ds.n_vocab + 1;
			if (logged) {
				if (!store_open_join(op, &st, err, sizeof err) &&
				    !(st = store_open(path, 1, 0, err, sizeof err)))
					die(path, err);
				if (!st)
					die(path, err);
				default_run(&r, &cfg, steps);
				store_run_known_data(st, (const char *)bundled_names, bundled_names_len,
				    bundled_names_sha256);
				if (store_run_create(st, &r, &ds) < 0)
					die("create", store_errmsg(st));
			}
			trainer_init(&tr, &ds, &cfg, 42, steps);
			if (logged && !(lg = store_logger_start(st, &r, &tr)))
				die("logger", store_errmsg(st));
			while (tr.step < steps) {
				trainer_step(&tr, &ss);
				if (!logged)
					continue;
				if (store_logger_step(lg, &ss) < 0 ||
				    ((tr.step % r.snapshot_every == 0 || tr.step == steps) &&
				    store_logger_snapshot(lg, store_state_of(&tr)) < 0))
					die("logging", store_errmsg(st));
			}
			if (logged && store_logger_end(lg, names, 20, RUN_FINISHED) < 0)
				die("end", store_errmsg(st));
			store_close(st);
			trainer_free(&tr);
			dataset_free(&ds);
			m1 = thread_cpu(logged ? &f1 : &fu1);
			p1 = bench_cpu();
			pf1 = process_faults();
			t[logged] = m1 - m0;
		}
		if (i < 0)
			continue;
		v[BD_TRAIN * rounds + i] = t[0];
		v[BD_TRAIN_LOGGED * rounds + i] = t[1];
		v[BD_STORE * rounds + i] = (p1 - p0) - t[1];
		v[BD_ALL * rounds + i] = (t[1] - t[0]) + (p1 - p0) - t[1];
		v[BD_FLT_TRAIN * rounds + i] = (double)((f1 - f0) - (fu1 - fu0));
		v[BD_FLT_STORE * rounds + i] = (double)((pf1 - pf0) - (f1 - f0));
	}
	snprintf(label, sizeof label, "  in process, as train logs: the trainer, unlogged");
	row(label, bench_median(v + BD_TRAIN * rounds, rounds) * 1e3, "ms", NULL);
	row("  the trainer, logging (its hand-overs, snapshot copies)",
	    bench_median(v + BD_TRAIN_LOGGED * rounds, rounds) * 1e3, "ms", NULL);
	row("  the store's threads (opening the file, logging)",
	    bench_median(v + BD_STORE * rounds, rounds) * 1e3, "ms", NULL);
	row("  logging in all (trainer's extra + store's threads)",
	    bench_median(v + BD_ALL * rounds, rounds) * 1e3, "ms", NULL);
	row("  page faults: the trainer's extra", bench_median(v + BD_FLT_TRAIN * rounds, rounds),
	    "", NULL);
	row("  page faults: the store's threads", bench_median(v + BD_FLT_STORE * rounds, rounds),
	    "", NULL);
	free(v);
}

/* Any step of a 10,000-step run. */
static void
seek(void)
{
	enum { N = 100 };
	const char *a_big[] = { "train", "--steps", "10000", "--samples", "0", "--db", NULL, NULL };
	double cold[N], warm[N], cold_w[N], warm_w[N];
	unsigned long long lcg = 12345;
	char big[300], err[STORE_ERRLEN];
	struct store *st;
	struct run_info r;
	struct dataset ds;
	struct trainer t;
	int k;

	snprintf(big, sizeof big, "%s/big.db", dir);
	a_big[6] = big;
	run(a_big, NULL);
	if (!(st = store_open(big, 0, 1, err, sizeof err)))
		die(big, err);
	if (store_find_run(st, "latest", &r) < 0)
		die(big, store_errmsg(st));
	for (k = 0; k < N; k++) {
		struct bench_time t0, d;
		long s;

		lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
		s = (long)((lcg >> 33) % 10001);
		t0 = bench_time_now();
		if (store_replay(st, &r, s, &ds, &t) < 0)
			die("replay", store_errmsg(st));
		d = bench_span(t0);
		cold[k] = d.cpu * 1e3;
		cold_w[k] = d.wall * 1e3;
		trainer_free(&t);
		dataset_free(&ds);
	}
	if (store_replay(st, &r, 0, &ds, &t) < 0)
		die("replay", store_errmsg(st));
	for (k = 0; k < N; k++) {
		struct bench_time t0, d;
		long s;

		lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
		s = (long)((lcg >> 33) % 10001);
		t0 = bench_time_now();
		if (store_seek(st, &r, s, &t) < 0)
			die("seek", store_errmsg(st));
		d = bench_span(t0);
		warm[k] = d.cpu * 1e3;
		warm_w[k] = d.wall * 1e3;
	}
	trainer_free(&t);
	dataset_free(&ds);
	store_close(st);
	/* p95 rather than the maximum: on a shared machine the maximum
	 * measures the scheduler. CPU time and, beside it, the wall clock. */
	bench_row_t("store", "any step of a 10,000-step run, cold: median", bench_median(cold, N),
	    bench_median(cold_w, N), "ms", "<= 10", -1);
	bench_row_t("store", "  95th percentile of 100 random steps", bench_percentile(cold, N, 95),
	    bench_percentile(cold_w, N, 95), "ms", "<= 10", -1);
	bench_row_t("store", "  warm (store_seek on a set-up trainer): median", bench_median(warm, N),
	    bench_median(warm_w, N), "ms", NULL, -1);
	bench_row_t("store", "  95th percentile", bench_percentile(warm, N, 95),
	    bench_percentile(warm_w, N, 95), "ms", NULL, -1);
	row("  size of that database", file_mb(big), "MB", NULL);
}

/* One transaction per step against the default batching, in process, so
 * that only the logging differs. */
static void
commits(void)
{
	struct step_stats ss;
	struct run_info w;
	struct dataset ds;
	struct trainer t;
	struct store *st;
	double t0, t_each = 0, t_batch = 0;
	char path[300], err[STORE_ERRLEN];
	int pass, k;

	snprintf(path, sizeof path, "%s/commit.db", dir);
	for (pass = 0; pass < 2; pass++) {
		char text[] = "anna\nbob\ncarla\ndan\n";

		if (!(st = store_open(path, 1, 0, err, sizeof err)))
			die(path, err);
		if (dataset_parse(&ds, text, strlen(text), err, sizeof err) < 0)
			die("data", err);
		memset(&w, 0, sizeof w);
		w.cfg.n_embd = 16; w.cfg.n_head = 4; w.cfg.n_layer = 1; w.cfg.block_size = 16;
		w.n_steps = 1000;
		w.snapshot_every = 100000;
		w.temperature = 1;
		if (store_run_create(st, &w, &ds) < 0)
			die("create", store_errmsg(st));
		trainer_init(&t, &ds, &w.cfg, 1, 1000);
		if (store_run_start(st, &w, &t) < 0)
			die("start", store_errmsg(st));
		store_set_commit_interval(st, pass == 0 ? 0 : STORE_COMMIT_SECONDS);
		memset(&ss, 0, sizeof ss);
		t0 = bench_now();
		for (k = 0; k < 1000; k++) {
			ss.loss = 1.0 / (k + 1);
			if (store_log_step(st, &w, &ss) < 0)
				die("step", store_errmsg(st));
		}
		if (store_run_end(st, &w, RUN_FINISHED) < 0)
			die("end", store_errmsg(st));
		if (pass == 0)
			t_each = bench_now() - t0;
		else
			t_batch = bench_now() - t0;
		trainer_free(&t);
		dataset_free(&ds);
		store_close(st);
	}
	/* seconds for 1000 steps = milliseconds a step = 1000 us a step */
	row("logging one step, one transaction per step", t_each * 1e3, "us", NULL);
	row("  batched (flush every 0.25 s and at snapshots)", t_batch * 1e3, "us", NULL);
}

/* `runs` on a database of many runs: 200 with BENCH_FULL, else 50. */
static void
runs_many(int n_runs)
{
	char many[300], what[96];
	const char *a_many[] = { "train", "--steps", "1000", "--samples", "0", "--snapshot-every",
	                         "1000", "--db", many, NULL };
	const char *a_runs[] = { "runs", "--db", many, NULL };
	double tr[15], cpu[15];
	int k;

	snprintf(many, sizeof many, "%s/many.db", dir);
	for (k = 0; k < n_runs; k++)
		run(a_many, NULL);
	for (k = 0; k < 15; k++)
		tr[k] = run(a_runs, &cpu[k]);
	snprintf(what, sizeof what, "`runs` on a database of %d runs (median of 15)", n_runs);
	bench_row_t("store", what, bench_median(cpu, 15) * 1e3, bench_median(tr, 15) * 1e3, "ms",
	    NULL, -1);
	row("  size of that database (1000 steps a run)", file_mb(many), "MB", NULL);
}

int
main(int argc, char **argv)
{
	int full = bench_full(), rounds;
	char cmd[300];
	double nodb;

	if (argc == 4 && !strcmp(argv[1], "--floor"))
		return floor_child(argv[2], atol(argv[3]));
	rounds = argc > 1 ? atoi(argv[1]) : full ? 21 : 15;

	prog = getenv("MGPT_TUI");
	if (!prog || !*prog) {
		fprintf(stderr, "bench_store: set MGPT_TUI to the mgpt-tui binary\n");
		return 2;
	}
	if (rounds < 3)
		rounds = 3;
	snprintf(dir, sizeof dir, "%s/mgpt-bench.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("bench_store: mkdtemp");
		return 1;
	}
	nodb = overhead("1000", rounds, 1);
	breakdown(1000, rounds);
	floor_rows(1000, rounds, 0.25 * nodb * 1e3);
	/* 8000 steps: at most 5 rounds, 3 unless BENCH_FULL */
	nodb = overhead("8000", rounds < (full ? 5 : 3) ? rounds : (full ? 5 : 3), 0);
	breakdown(8000, full ? 5 : 3);
	floor_rows(8000, full ? 5 : 3, 0.10 * nodb * 1e3);
	db_size();
	seek();
	commits();
	runs_many(full ? 200 : 50);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_store: could not remove %s\n", dir);
	return 0;
}
