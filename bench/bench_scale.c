/* SPDX-License-Identifier: MIT */
/* bench_scale.c - how training cost grows with the model (issue 6): from the
 * default size (n_embd 16, n_head 4, n_layer 1, block 16) one dimension at
 * a time, n_embd 16 -> 256, n_layer 1 -> 8, block 16 -> 256; token
 * positions a second (forward + backward + Adam) and peak RSS.
 *
 * The bundled names are at most 15 characters, so a longer block would
 * change nothing but the position table: the block rows train on the same
 * names joined by spaces into lines of 300 characters or more, where every
 * step fills the block.
 *
 * A case trains up to 8000 steps, fewer for the large sizes: as many as fit
 * in a budget of CPU seconds (at least 20 steps) on the first run, then the
 * same number again, and the run with less CPU time is kept. Each run is a
 * child process, so the peak RSS is the case's own. The case names say the
 * steps. Rates are per CPU-second, the wall clock's beside. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "dataset.h"
#include "model.h"
#include "train.h"
#include "xmalloc.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;

#define MAX_STEPS 8000
#define MIN_STEPS 20
/* CPU seconds a case's first run may train: BENCH_FULL's, and the default */
#define BUDGET_FULL  0.4
#define BUDGET_QUICK 0.12
static double budget;

struct result {
	double seconds;   /* CPU */
	double wall;
	long   positions, steps;
	size_t params;
};

static struct dataset names, lines;

/* The names as lines of at least 300 characters, joined by spaces. */
static char *
long_lines(size_t *len)
{
	char *out = xmalloc(bundled_names_len + 2);
	size_t i, n = 0, line = 0;

	for (i = 0; i < bundled_names_len; i++) {
		char c = (char)bundled_names[i];

		if (c == '\n' && line < 300)
			c = ' ';
		out[n++] = c;
		line = c == '\n' ? 0 : line + 1;
	}
	*len = n;
	return out;
}

/* In the child: train `steps` steps, or (steps 0) as many as fit in BUDGET. */
static int
train_case(struct dataset *ds, const struct model_config *cfg, long steps, int fd)
{
	struct trainer t;
	struct step_stats st;
	struct result r = { 0, 0, 0, 0, 0 };
	struct bench_time t0, d;

	trainer_init(&t, ds, cfg, 42, steps ? steps : MAX_STEPS);
	t0 = bench_time_now();
	while (steps ? r.steps < steps :
	    r.steps < MAX_STEPS && (r.steps < MIN_STEPS || bench_cpu() - t0.cpu < budget)) {
		trainer_step(&t, &st);
		r.positions += st.n_pos;
		r.steps++;
	}
	d = bench_span(t0);
	r.seconds = d.cpu;
	r.wall = d.wall;
	r.params = t.model.n_params;
	trainer_free(&t);
	return write(fd, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1;
}

static int
run_child(struct dataset *ds, const struct model_config *cfg, long steps, struct result *r,
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
		_exit(train_case(ds, cfg, steps, fds[1]));
	}
	close(fds[1]);
	if (read(fds[0], r, sizeof *r) != (ssize_t)sizeof *r)
		r->seconds = -1;
	close(fds[0]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || r->seconds <= 0)
		return -1;
	*rss_kib = ru.ru_maxrss;
	return 0;
}

static int
scale(const char *dim, int value, struct dataset *ds, int n_embd, int n_layer, int block)
{
	struct model_config cfg = { ds->n_vocab + 1, n_embd, 4, n_layer, block };
	struct result a, b;
	long rss_a, rss_b;
	char what[128];

	if (run_child(ds, &cfg, 0, &a, &rss_a) < 0 || run_child(ds, &cfg, a.steps, &b, &rss_b) < 0) {
		fprintf(stderr, "bench_scale: %s %d: the run failed\n", dim, value);
		return -1;
	}
	if (b.seconds < a.seconds)
		a = b;
	snprintf(what, sizeof what, "%-7s %3d: %6zu params, %4ld steps%s", dim, value, a.params,
	    a.steps, ds == &lines ? ", long lines" : "");
	bench_row_t("scale", what, a.positions / a.seconds, a.positions / a.wall, "positions/s", NULL,
	    rss_a > rss_b ? rss_a : rss_b);
	return 0;
}

int
main(void)
{
	static const int embd[] = { 16, 32, 64, 128, 256 }, layer[] = { 1, 2, 4, 8 },
	    block[] = { 16, 32, 64, 128, 256 };
	char err[256], *text;
	size_t len, i;

	budget = bench_full() ? BUDGET_FULL : BUDGET_QUICK;
	text = long_lines(&len);
	if (dataset_parse(&names, (const char *)bundled_names, bundled_names_len, err, sizeof err) < 0 ||
	    dataset_parse(&lines, text, len, err, sizeof err) < 0) {
		fprintf(stderr, "bench_scale: %s\n", err);
		return 1;
	}
	free(text);
	for (i = 0; i < sizeof embd / sizeof embd[0]; i++)
		if (scale("n_embd", embd[i], &names, embd[i], 1, 16) < 0)
			return 1;
	for (i = 0; i < sizeof layer / sizeof layer[0]; i++)
		if (scale("n_layer", layer[i], &names, 16, layer[i], 16) < 0)
			return 1;
	for (i = 0; i < sizeof block / sizeof block[0]; i++)
		if (scale("block", block[i], &lines, 16, 1, block[i]) < 0)
			return 1;
	dataset_free(&names);
	dataset_free(&lines);
	return 0;
}
