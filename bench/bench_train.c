/* bench_train.c - training throughput and peak memory (issue 2's "Speed and
 * memory"): 8000 steps on the bundled names at the default size and at
 * n_embd 64, n_head 8, n_layer 2, block 32, and the whole `mgpt-tui train
 * --no-db --steps 8000` process when $MGPT_TUI names the binary.
 *
 * Each case runs in its own child process, so its peak RSS (wait4's
 * ru_maxrss) is its own; the best of a few runs is kept, since the machine
 * may be shared. Output: one row a case, the format bench/run.sh reads:
 *
 *     bench <TAB> case <TAB> seconds <TAB> work <TAB> unit <TAB> peak RSS in KiB
 *
 * Throughput counts token positions trained (forward + backward + Adam),
 * timed around the training loop only. */
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

#include "dataset.h"
#include "model.h"
#include "train.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;

#define STEPS 8000
#define REPEATS 3

struct result {
	double seconds;
	long   positions;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* In the child: train and report through the pipe. */
static int
train_case(const struct model_config *cfg, int fd)
{
	struct dataset ds;
	struct trainer t;
	struct step_stats st;
	struct result r = { 0, 0 };
	char err[256];
	double t0;
	long i;

	if (dataset_parse(&ds, (const char *)bundled_names, bundled_names_len, err, sizeof err) < 0) {
		fprintf(stderr, "bench_train: %s\n", err);
		return 1;
	}
	trainer_init(&t, &ds, cfg, 42, STEPS);
	t0 = now();
	for (i = 0; i < STEPS; i++) {
		trainer_step(&t, &st);
		r.positions += st.n_pos;
	}
	r.seconds = now() - t0;
	trainer_free(&t);
	dataset_free(&ds);
	return write(fd, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1;
}

/* Run one case in a child: the engine (argv NULL) or a program whose
 * stdout goes to /dev/null. Fills *r and *maxrss_kb; -1 on failure. */
static int
run_child(const struct model_config *cfg, char *const argv[], struct result *r, long *maxrss_kb)
{
	struct rusage ru;
	int fds[2], status;
	double t0 = now();
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		if (argv) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0)
				dup2(null, 1);
			execv(argv[0], argv);
			fprintf(stderr, "bench_train: %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
		_exit(train_case(cfg, fds[1]));
	}
	close(fds[1]);
	if (!argv && read(fds[0], r, sizeof *r) != (ssize_t)sizeof *r)
		r->seconds = -1;
	close(fds[0]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	if (argv)
		r->seconds = now() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || r->seconds < 0)
		return -1;
	*maxrss_kb = ru.ru_maxrss;
	return 0;
}

static int
bench(const char *name, const char *what, const struct model_config *cfg, char *const argv[],
    long positions)
{
	struct result best = { 0, 0 }, r;
	long rss, best_rss = 0;
	int i;

	for (i = 0; i < REPEATS; i++) {
		r.positions = positions;
		if (run_child(cfg, argv, &r, &rss) < 0) {
			fprintf(stderr, "bench_train: %s: the run failed\n", what);
			return -1;
		}
		if (i == 0 || r.seconds < best.seconds)
			best = r;
		if (rss > best_rss)
			best_rss = rss;
	}
	printf("%s\t%s\t%.4f\t%ld\tpositions\t%ld\n", name, what, best.seconds, best.positions,
	    best_rss);
	fflush(stdout);
	return 0;
}

int
main(void)
{
	static const struct model_config def = { 0, 16, 4, 1, 16 }, big = { 0, 64, 8, 2, 32 };
	const char *cli = getenv("MGPT_TUI");
	struct result r;
	long rss;

	/* The default size's position count, for the whole-process row. */
	if (run_child(&def, NULL, &r, &rss) < 0)
		return 1;
	if (bench("train", "n_embd 16, n_head 4, n_layer 1, block 16", &def, NULL, 0) < 0 ||
	    bench("train", "n_embd 64, n_head 8, n_layer 2, block 32", &big, NULL, 0) < 0)
		return 1;
	if (cli && *cli) {
		char *argv[] = { (char *)cli, "train", "--no-db", "--steps", "8000", NULL };

		if (bench("mgpt-tui", "train --no-db --steps 8000 (whole process)", &def, argv,
		    r.positions) < 0)
			return 1;
	}
	return 0;
}
