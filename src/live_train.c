/* live_train.c - training inside the screen's process, logged as `train`
 * logs: the run created with its dataset, step 0's snapshot, every step,
 * a snapshot every snapshot_every steps and at the last, then the names
 * sampled after training (20 at temperature 0.5, train's defaults), then
 * the end status. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "live_train.h"
#include "xmalloc.h"

#define LIVE_SAMPLES     20     /* what `train` samples by default */
#define LIVE_TEMPERATURE 0.5

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Read the data without printing (the screen is up). */
static int
load_data(const char *path, struct dataset *ds, char *err, size_t n)
{
	char perr[DATASET_ERRLEN], *buf;
	struct stat sb;
	size_t len = 0, cap = 65536, r;
	FILE *f;
	int rc;

	if (!path || !*path) {
		rc = dataset_parse(ds, (const char *)bundled_names, bundled_names_len, perr, sizeof perr);
		if (rc < 0)
			snprintf(err, n, "bundled names: %s", perr);
		return rc;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, n, "%s: is a directory", path);
		return -1;
	}
	/* regular files only, of at most DATASET_MAX_BYTES: a device may
	 * never end, and a FIFO nobody writes to would block the screen */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, n, "%s: not a regular file", path);
		return -1;
	}
	if (stat(path, &sb) == 0 && sb.st_size > (off_t)DATASET_MAX_BYTES) {
		snprintf(err, n, "%s: larger than the limit of %d MiB", path, DATASET_MAX_BYTES >> 20);
		return -1;
	}
	if (!(f = fopen(path, "rb"))) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(cap);
	while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0 && len <= DATASET_MAX_BYTES) {
		len += r;
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
	}
	/* a file that grew past the limit is refused by dataset_parse */
	if (ferror(f)) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	rc = dataset_parse(ds, buf, len, perr, sizeof perr);
	free(buf);
	if (rc < 0)
		snprintf(err, n, "%s: %s", path, perr);
	return rc;
}

int
live_train_start(struct live_train *lt, const char *db, const struct live_train_opts *o,
    char *err, size_t n)
{
	struct model_config cfg = o->cfg;

	memset(lt, 0, sizeof *lt);
	if (o->steps < 1) {
		snprintf(err, n, "steps: at least 1");
		return -1;
	}
	cfg.vocab_size = 2;
	if (model_config_check(&cfg, err, n) < 0)
		return -1;
	if (load_data(o->data, &lt->ds, err, n) < 0)
		return -1;
	cfg.vocab_size = lt->ds.n_vocab + 1;
	if (model_config_check(&cfg, err, n) < 0)
		goto fail_ds;
	if (!(lt->st = store_open(db, 1, 0, err, n)))
		goto fail_ds;
	snprintf(lt->run.name, sizeof lt->run.name, "%s", o->name ? o->name : "");
	snprintf(lt->run.data_source, sizeof lt->run.data_source, "%s", o->data ? o->data : "");
	lt->run.seed = o->seed;
	lt->run.cfg = cfg;
	lt->run.n_steps = o->steps;
	lt->run.snapshot_every = o->snapshot_every > 0 ? o->snapshot_every : STORE_SNAPSHOT_EVERY;
	lt->run.temperature = LIVE_TEMPERATURE;
	lt->run.n_samples = LIVE_SAMPLES;
	if (store_run_create(lt->st, &lt->run, &lt->ds) < 0)
		goto fail_st;
	trainer_init(&lt->tr, &lt->ds, &cfg, o->seed, o->steps);
	lt->have_tr = 1;
	if (store_run_start(lt->st, &lt->run, &lt->tr) < 0)
		goto fail_st;
	lt->state = LIVE_TRAINING;
	return 0;
fail_st:
	snprintf(err, n, "%s", store_errmsg(lt->st));
	if (lt->have_tr)
		trainer_free(&lt->tr);
	store_close(lt->st);
fail_ds:
	dataset_free(&lt->ds);
	memset(lt, 0, sizeof *lt);
	return -1;
}

static int
failed(struct live_train *lt)
{
	snprintf(lt->err, sizeof lt->err, "%s (training stopped after step %ld)",
	    store_errmsg(lt->st), lt->tr.step);
	store_run_end(lt->st, &lt->run, RUN_FAILED);
	lt->state = LIVE_FAILED;
	return -1;
}

static int
finish(struct live_train *lt)
{
	const int T = lt->run.cfg.block_size;
	int *tok = xmalloc((size_t)T * sizeof *tok), i, j, k, rc = 0;
	char **names = xcalloc(LIVE_SAMPLES, sizeof *names);
	size_t len;

	for (i = 0; i < LIVE_SAMPLES; i++) {
		k = sample_name(&lt->tr.model, &lt->tr.tr, &lt->tr.rng, lt->run.temperature, tok);
		names[i] = xmalloc((size_t)k * 8 + 1);
		for (j = 0, len = 0; j < k; j++) {
			dataset_tokstr(&lt->ds, tok[j], names[i] + len, "");
			len += strlen(names[i] + len);
		}
		names[i][len] = '\0';
	}
	if (store_log_samples(lt->st, &lt->run, names, LIVE_SAMPLES) < 0 ||
	    store_run_end(lt->st, &lt->run, RUN_FINISHED) < 0)
		rc = failed(lt);
	else
		lt->state = LIVE_DONE;
	for (i = 0; i < LIVE_SAMPLES; i++)
		free(names[i]);
	free(names);
	free(tok);
	return rc;
}

int
live_train_slice(struct live_train *lt, double seconds)
{
	const double until = now() + seconds;
	struct step_stats st;

	if (lt->state != LIVE_TRAINING)
		return lt->state == LIVE_DONE ? 0 : -1;
	if (lt->paused) {
		/* what is trained shows, and a kill while paused loses nothing */
		if (store_log_flush(lt->st, &lt->run) < 0)
			return failed(lt);
		return 1;
	}
	do {
		trainer_step(&lt->tr, &st);
		if (store_log_step(lt->st, &lt->run, &st) < 0 ||
		    ((lt->tr.step % lt->run.snapshot_every == 0 || lt->tr.step == lt->run.n_steps) &&
		     store_log_snapshot(lt->st, &lt->run, store_state_of(&lt->tr)) < 0))
			return failed(lt);
	} while (lt->tr.step < lt->run.n_steps && now() < until);
	if (lt->tr.step < lt->run.n_steps)
		return 1;
	return finish(lt) < 0 ? -1 : 0;
}

void
live_train_close(struct live_train *lt)
{
	if (lt->state == LIVE_TRAINING)
		store_run_end(lt->st, &lt->run, RUN_INTERRUPTED);
	if (lt->have_tr)
		trainer_free(&lt->tr);
	dataset_free(&lt->ds);
	store_close(lt->st);
	memset(lt, 0, sizeof *lt);
}
