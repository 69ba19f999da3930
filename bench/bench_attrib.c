/* SPDX-License-Identifier: MIT */
/* bench_attrib.c - the workbench's computations (issue 12's "Speed"), in
 * CPU time (getrusage, user + system), the best of three:
 *
 *   - the ablation sweep: 16 masks (every subset of the 4 heads) over the
 *     8403 bundled names and an input, with the default run's weights
 *     (goal <= 2 s), and for comparison the same losses by a full forward
 *     pass per document and mask, and once the dataset losses are in
 *     the run database's cache (sweep_cache): the input's losses computed
 *     and the 16 rows read, as the second A or trace --sweep of a step;
 *   - the heads view after a toggle: switching one head (the trace
 *     recomputed, probe_toggle_head) and all heads' contributions with the
 *     decomposition at the view's position, for a 16-position input (goal
 *     <= 2 ms); also with the decomposition at every position;
 *   - the sweep of a 2-layer run (256 masks) over 1000 names, for scale.
 *
 * Rows as bench/bench.h describes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "attrib.h"
#include "bench.h"
#include "dataset.h"
#include "head_sweep.h"
#include "model.h"
#include "probe.h"
#include "train.h"
#include "train_run.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;

#define REPEATS 3
#define TOGGLES 2000

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static void
train(struct dataset *ds, struct trainer *t, const struct model_config *cfg, long steps)
{
	struct step_stats st;
	char err[DATASET_ERRLEN];
	long i;

	if (dataset_parse(ds, (const char *)bundled_names, bundled_names_len, err, sizeof err) < 0) {
		fprintf(stderr, "bench_attrib: %s\n", err);
		exit(1);
	}
	trainer_init(t, ds, cfg, 42, steps);
	for (i = 0; i < steps; i++)
		trainer_step(t, &st);
}

/* The input "christopherjohn": BOS and 15 characters, 16 positions. */
static int
input(const struct dataset *ds, int block, int *tok, int *tgt)
{
	const char *s = "christopherjohn";
	int doc[32], n = 0;

	for (; *s; s++)
		doc[n++] = dataset_token(ds, (unsigned char)*s);
	return attrib_doc_tokens(doc, (size_t)n, ds->n_vocab, block, tok, tgt);
}

/* The best CPU seconds of REPEATS sweeps. */
static double
sweep_cpu(const struct model *m, const struct dataset *ds, const int *tok, const int *tgt, int n,
    int repeats, double *loss_all_on)
{
	struct attrib_sweep sw;
	double best = 1e30, t0;
	int r;

	attrib_sweep_init(&sw, &m->cfg);
	for (r = 0; r < repeats; r++) {
		t0 = cpu_now();
		attrib_sweep_run(m, ds, tok, tgt, n, &sw, NULL, NULL);
		t0 = cpu_now() - t0;
		if (t0 < best)
			best = t0;
	}
	*loss_all_on = sw.dataset_loss[0];
	attrib_sweep_free(&sw);
	return best;
}

/* The same losses the plain way: a whole forward pass per document and mask. */
static double
naive_cpu(const struct model *m, const struct dataset *ds)
{
	struct trace tr;
	int tok[64], tgt[64], n, k, nm = attrib_sweep_masks(&m->cfg, NULL, 0);
	double t0 = cpu_now(), sink = 0;
	size_t d;

	trace_init(&tr, &m->cfg);
	for (k = 0; k < nm; k++)
		for (d = 0; d < ds->n_docs; d++) {
			n = attrib_doc_tokens(dataset_doc(ds, d), dataset_doc_len(ds, d), ds->n_vocab,
			    m->cfg.block_size, tok, tgt);
			trace_reset(&tr);
			tr.head_mask = (uint64_t)k;
			model_forward_seq(m, &tr, tok, tgt, n);
			sink += attrib_trace_loss(&tr);
		}
	t0 = cpu_now() - t0;
	trace_free(&tr);
	return sink != sink ? -1 : t0;
}

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "bench_attrib: %s: %s\n", what, err);
	exit(1);
}

/* The best CPU seconds of REPEATS sweeps whose dataset losses are all in
 * the cache of a run database (written by a first sweep of the same
 * weights); -1 when a cached loss is not the computed one, bit for bit. */
static double
cached_sweep_cpu(const struct model *m, const struct dataset *ds, const int *tok, const int *tgt,
    int n, double loss_all_on)
{
	char dir[256], path[320], err[STORE_ERRLEN];
	struct train_run_opts o;
	struct train_run tr;
	struct head_sweep hs;
	struct head_sweep_cache c;
	struct store *st;
	double best = 1e30, t0, loss = 0;
	int r, cached = 0;

	snprintf(dir, sizeof dir, "%s/mgpt-bench.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp", dir);
	snprintf(path, sizeof path, "%s/runs.db", dir);
	/* a run for the cache's key (one step: its weights are not used) */
	train_run_defaults(&o);
	o.steps = 1;
	o.samples = 0;
	if (train_run_open(&tr, path, &o, err, sizeof err) < 0)
		die(path, err);
	if (train_run_steps(&tr, 0, 0, NULL, NULL) < 0 || train_run_end(&tr, NULL, 0, RUN_FINISHED) < 0)
		die(path, tr.err);
	c.run_id = tr.run.id;
	train_run_close(&tr);
	if (!(st = store_open(path, 0, 1, err, sizeof err)))
		die(path, err);
	c.st = st;
	c.db = path;
	c.step = 1000;
	/* the first sweep computes and writes the rows */
	head_sweep_begin(&hs, m, ds, tok, tgt, n, NULL, 0, &c);
	while (!head_sweep_step(&hs, 1 << 20))
		;
	if (hs.n_written != hs.sw.n_masks)
		die(path, "the sweep was not cached");
	head_sweep_free(&hs);
	for (r = 0; r < REPEATS; r++) {
		t0 = cpu_now();
		head_sweep_begin(&hs, m, ds, tok, tgt, n, NULL, 0, &c);
		while (!head_sweep_step(&hs, 1 << 20))
			;
		t0 = cpu_now() - t0;
		if (t0 < best)
			best = t0;
		cached = hs.n_cached == hs.sw.n_masks;
		loss = hs.sw.dataset_loss[0];
		head_sweep_free(&hs);
	}
	store_close(st);
	snprintf(err, sizeof err, "%s-wal", path);
	unlink(err);
	snprintf(err, sizeof err, "%s-shm", path);
	unlink(err);
	unlink(path);
	rmdir(dir);
	return cached && loss == loss_all_on ? best : -1;
}

/* CPU ms per toggle: one head switched, the trace recomputed, the parts at
 * the last position (or at every position). */
static double
toggle_ms(const struct model *m, const int *tok, const int *tgt, int n, int every_pos)
{
	struct trace tr;
	struct attrib_parts p;
	double best = 1e30, t0, err = 0;
	int r, i, t;

	trace_init(&tr, &m->cfg);
	attrib_parts_init(&p, &m->cfg);
	model_forward_seq(m, &tr, tok, tgt, n);
	for (r = 0; r < REPEATS; r++) {
		t0 = cpu_now();
		for (i = 0; i < TOGGLES; i++) {
			probe_toggle_head(m, &tr, 0, i % m->cfg.n_head);
			for (t = every_pos ? 0 : n - 1; t < n; t++)
				err += attrib_decompose(m, &tr, t, &p);
		}
		t0 = (cpu_now() - t0) * 1e3 / TOGGLES;
		if (t0 < best)
			best = t0;
	}
	attrib_parts_free(&p);
	trace_free(&tr);
	return err > 1e-9 ? -1 : best;
}

int
main(void)
{
	struct model_config def = { 0, 16, 4, 1, 16 }, two = { 0, 16, 4, 2, 16 };
	struct dataset ds;
	struct trainer t;
	int tok[64], tgt[64], n;
	double loss, s;
	char what[120];

	train(&ds, &t, &def, 1000);
	n = input(&ds, t.model.cfg.block_size, tok, tgt);
	s = sweep_cpu(&t.model, &ds, tok, tgt, n, REPEATS, &loss);
	snprintf(what, sizeof what, "sweep, 16 masks x %zu names, default run (CPU)", ds.n_docs);
	bench_row("attrib", what, s, "s", "<= 2", bench_rss_self());
	bench_row("attrib", "  a full forward pass per name and mask (CPU)", naive_cpu(&t.model, &ds),
	    "s", NULL, -1);
	bench_row("attrib", "  the same sweep read from the run database's cache (CPU)",
	    cached_sweep_cpu(&t.model, &ds, tok, tgt, n, loss), "s", NULL, -1);
	bench_row("attrib", "heads view after a toggle, 16 positions (CPU)",
	    toggle_ms(&t.model, tok, tgt, n, 0), "ms", "<= 2", -1);
	bench_row("attrib", "  with the parts at every position (CPU)",
	    toggle_ms(&t.model, tok, tgt, n, 1), "ms", NULL, -1);
	trainer_free(&t);
	dataset_free(&ds);

	train(&ds, &t, &two, 1000);
	n = input(&ds, t.model.cfg.block_size, tok, tgt);
	ds.n_docs = 1000;   /* the first 1000 (of the shuffled names): 14 s for all of them */
	s = sweep_cpu(&t.model, &ds, tok, tgt, n, 1, &loss);
	snprintf(what, sizeof what, "sweep, 256 masks x %zu names, 2-layer run (CPU)", ds.n_docs);
	bench_row("attrib", what, s, "s", NULL, bench_rss_self());
	trainer_free(&t);
	dataset_free(&ds);
	return 0;
}
