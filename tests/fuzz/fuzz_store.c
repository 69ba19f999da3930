/* SPDX-License-Identifier: MIT */
/* fuzz_store.c - libFuzzer harness: the run database's opener and loaders.
 *
 * The input is the bytes of a database file. It is written to a file in a
 * private temporary folder and opened read-only, as `runs`, `export` and
 * `sample` open it; then every run is listed, "latest" and the first run
 * are looked up, and for each found run its dataset, its per-step log (both
 * ways the program reads it) and a replay to its last step and back are
 * loaded. Each call either succeeds or fails with a one-line reason naming
 * the file; never a crash, a leak or a hang.
 *
 * The program accepts models of up to 4 GiB and runs of up to 10^9 steps:
 * replaying one is slow by design, not a bug. Only here, so that each
 * input stays quick, a run is replayed only when it is small (model under
 * 1 MiB, at most 64 logged steps). Everything before the replay (the
 * checks on the run's record, the dataset, the log) is always exercised. */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_BYTES  ((uint64_t)1 << 20)
#define REPLAY_MAX_STEPS  64

static char dir[256], path[300];

static void
remove_files(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[320];
	size_t i;

	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static void
cleanup(void)
{
	remove_files();
	rmdir(dir);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/fuzz_store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/runs.db", dir);
	atexit(cleanup);
}

static void
write_input(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		abort();
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
}

/* A failure's reason: one line, naming the file. */
static void
check_reason(const char *err)
{
	if (strncmp(err, path, strlen(path)) != 0 || strchr(err, '\n') || !err[strlen(path)])
		__builtin_trap();
}

static int
count_row(void *ctx, const struct step_row *r)
{
	long *n = ctx;

	if (r->step != ++*n)
		return 2;   /* as export does: a gap stops it */
	return 0;
}

static void
load_run(struct store *st, const struct run_info *run)
{
	double *loss, *lr;
	struct dataset ds;
	struct trainer t;
	long n, rows = 0;
	int rc;

	if (run->steps_done < 0 || run->steps_done > run->n_steps || run->n_steps < 1)
		__builtin_trap();   /* the record was checked */
	if (store_load_dataset(st, run->id, &ds) == 0)
		dataset_free(&ds);
	else
		check_reason(store_errmsg(st));
	if (store_load_losses(st, run->id, &loss, &lr, &n) == 0) {
		free(loss);
		free(lr);
	} else
		check_reason(store_errmsg(st));
	rc = store_each_step(st, run->id, count_row, &rows);
	if (rc < 0)
		check_reason(store_errmsg(st));

	if (model_config_bytes(&run->cfg) > REPLAY_MAX_BYTES || run->steps_done > REPLAY_MAX_STEPS)
		return;
	if (store_replay(st, run, run->steps_done, &ds, &t) < 0) {
		check_reason(store_errmsg(st));
		return;
	}
	if (t.step != run->steps_done)
		__builtin_trap();
	/* back to the start and forwards again, as the screen's scrubbing does */
	if (store_seek(st, run, 0, &t) < 0 || store_seek(st, run, run->steps_done / 2, &t) < 0)
		check_reason(store_errmsg(st));
	trainer_free(&t);
	dataset_free(&ds);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const specs[] = { "latest", "1", "run-1" };
	char err[STORE_ERRLEN];
	struct run_info *runs, run;
	struct store *st;
	int64_t loaded = 0;
	size_t i;
	int n;

	if (!dir[0])
		setup();
	write_input(data, size);
	if (!(st = store_open(path, 0, 1, err, sizeof err))) {
		check_reason(err);
		remove_files();
		return 0;
	}
	if (store_list_runs(st, &runs, &n) == 0)
		free(runs);
	else
		check_reason(store_errmsg(st));
	for (i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		if (store_find_run(st, specs[i], &run) < 0) {
			check_reason(store_errmsg(st));
			continue;
		}
		if (i == 0 || run.id != loaded)
			load_run(st, &run);   /* once per run: it is the slow part */
		loaded = run.id;
	}
	store_close(st);
	remove_files();
	return 0;
}
