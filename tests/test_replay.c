/* SPDX-License-Identifier: MIT */
/* test_replay.c - what the run view shows, without a screen: a run logged
 * by live_train (the screen's trainer) replayed by replay_run at any step,
 * the probe and the statistics equal to the engine's on the weights
 * trained straight to that step, the statistics cache written once and
 * read back identical, renaming, and another connection's commits seen;
 * the per-head gradient figures of the statistics pass against the
 * gradient and update of a training step opened directly (train_step). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "headstats.h"
#include "train_run.h"
#include "train_step.h"
#include "debug_run.h"
#include "replay_run.h"
#include "store.h"
#include "store_view.h"
#include "train.h"
#include "xmalloc.h"

#define STEPS 37
static char dir[256], db[300], data[300];

static void
setup(void)
{
	FILE *f;

	snprintf(dir, sizeof dir, "%s/mgpt-replay.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(db, sizeof db, "%s/runs.db", dir);
	snprintf(data, sizeof data, "%s/names.txt", dir);
	f = fopen(data, "w");
	fputs("emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\nevelyn\nabigail\n", f);
	fclose(f);
}

static void
train_run(const char *name, uint64_t seed, struct run_info *out)
{
	struct train_run lt;
	struct train_run_opts o = { data, seed, STEPS, { 0, 8, 2, 2, 8 }, 20, 0.5, 10, name };
	char err[512];
	int rc;

	CHECK(train_run_open(&lt, db, &o, err, sizeof err) == 0);
	while ((rc = train_run_slice(&lt, 0.001)) == 1)
		;
	CHECK(rc == 0);
	CHECK(lt.state == TRAIN_DONE && lt.tr.step == STEPS);
	*out = lt.run;
	train_run_close(&lt);
}

/* The engine's own weights after s steps: a fresh trainer stepped s times. */
static void
straight(long s, uint64_t seed, struct dataset *ds, struct trainer *t)
{
	struct model_config cfg = { 0, 8, 2, 2, 8 };
	char err[256];
	const char *text = "emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\nevelyn\nabigail\n";
	struct step_stats st;

	CHECK(dataset_parse(ds, text, strlen(text), err, sizeof err) == 0);
	trainer_init(t, ds, &cfg, seed, STEPS);
	while (t->step < s)
		trainer_step(t, &st);
}

static void
test_goto_and_stats(void)
{
	struct run_info ri;
	struct store *st, *rw;
	struct replay_run rr;
	char err[512];
	long steps[] = { STEPS, 0, 1, 19, 20, 21, 9, STEPS - 1, 3 };
	size_t i;
	int bad = 0, nh = 4, rc;

	train_run("first", 11, &ri);
	CHECK(ri.status == RUN_FINISHED);
	st = store_open(db, 0, 1, err, sizeof err);
	rw = store_open(db, 0, 0, err, sizeof err);
	CHECK(st && rw);
	CHECK(replay_open(&rr, st, "first", err, sizeof err) == 0);
	CHECK(rr.n_loss == STEPS && rr.run.steps_done == STEPS);
	CHECK(strcmp(rr.probe_text, "emma") == 0 && rr.n_probe_tok == 4);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct dataset ds;
		struct trainer t;
		struct trace tr;
		struct headstat hs[4];

		CHECK(replay_goto(&rr, steps[i], err, sizeof err) == 0);
		CHECK(rr.cur_step == steps[i] && rr.tr.step == steps[i]);
		if (i > 0)
			CHECK(rr.prev_step == steps[i - 1]);
		straight(steps[i], 11, &ds, &t);
		trace_init(&tr, &t.model.cfg);
		headstats_probe(&t.model, &tr, rr.probe_tok, rr.n_probe_tok, hs);
		if (memcmp(t.model.p, rr.tr.model.p, t.model.n_params * sizeof(double)) ||
		    memcmp(hs, rr.hs_now, sizeof hs) ||
		    memcmp(tr.probs, rr.cur.probs, (size_t)tr.n_pos * ri.cfg.vocab_size * sizeof(double)))
			bad++;
		trace_free(&tr);
		trainer_free(&t);
		dataset_free(&ds);
	}
	CHECK(bad == 0);
	/* every step backwards and then forwards again (through the view's own
	 * checkpoints): the weights are the engine's, bit for bit */
	{
		struct dataset ds;
		struct trainer t;
		struct step_stats st1;
		double **want = xcalloc(STEPS + 1, sizeof *want);
		long s;
		int badw = 0;

		straight(0, 11, &ds, &t);
		for (s = 0; s <= STEPS; s++) {
			want[s] = xmalloc(t.model.n_params * sizeof(double));
			memcpy(want[s], t.model.p, t.model.n_params * sizeof(double));
			if (s < STEPS)
				trainer_step(&t, &st1);
		}
		for (s = STEPS; s >= 0; s--)
			if (replay_goto(&rr, s, err, sizeof err) < 0 ||
			    memcmp(want[s], rr.tr.model.p, t.model.n_params * sizeof(double)))
				badw++;
		for (s = 0; s <= STEPS; s += 3)
			if (replay_goto(&rr, s, err, sizeof err) < 0 ||
			    memcmp(want[s], rr.tr.model.p, t.model.n_params * sizeof(double)))
				badw++;
		CHECK(badw == 0);
		for (s = 0; s <= STEPS; s++)
			free(want[s]);
		free(want);
		trainer_free(&t);
		dataset_free(&ds);
		CHECK(replay_goto(&rr, STEPS - 1, err, sizeof err) == 0);
		CHECK(replay_goto(&rr, STEPS, err, sizeof err) == 0);
	}
	/* the previous step's probe is kept for the changes */
	CHECK(rr.prev_step == STEPS - 1 && rr.prev.n_pos == rr.cur.n_pos);

	/* the statistics: computed in slices, cached, identical when read back */
	while ((rc = replay_stats_work(&rr, rw, 8, err, sizeof err)) == 1)
		;
	CHECK(rc == 0);
	CHECK(rr.n_hs == STEPS + 1);
	{
		struct headstat *c = NULL;
		long cn = 0;

		CHECK(store_headstats_load(st, ri.id, "emma", nh, &c, &cn) == 0);
		CHECK(cn == STEPS + 1);
		CHECK(c && memcmp(c, rr.hs, (size_t)cn * nh * sizeof *c) == 0);
		free(c);
	}
	/* each step's series entry is that step's probe */
	CHECK(replay_goto(&rr, 21, err, sizeof err) == 0);
	CHECK(memcmp(rr.hs + 21 * nh, rr.hs_now, (size_t)nh * sizeof *rr.hs) == 0);
	/* a second view reads the cache instead of training */
	{
		struct replay_run r2;

		CHECK(replay_open(&r2, st, "first", err, sizeof err) == 0);
		CHECK(replay_stats_work(&r2, NULL, 1, err, sizeof err) == 1);
		CHECK(r2.n_hs == STEPS + 1 && !r2.have_hs_tr);
		CHECK(memcmp(r2.hs, rr.hs, (size_t)r2.n_hs * nh * sizeof *rr.hs) == 0);
		replay_close(&r2);
	}
	/* a probe with a character the run never saw is refused, by name */
	CHECK(replay_set_probe(&rr, "emz", err, sizeof err) < 0 && strstr(err, "z"));
	CHECK(replay_set_probe(&rr, "ava", err, sizeof err) == 0 && rr.n_hs == 0);

	/* rename, then the run is found by its new name; bad names refused */
	CHECK(store_rename_run(rw, ri.id, "renamed") == 0);
	CHECK(store_rename_run(rw, ri.id, "123") < 0);
	CHECK(store_rename_run(rw, ri.id, "latest") < 0);
	CHECK(store_rename_run(st, ri.id, "x") < 0);
	{
		struct run_info r2;

		CHECK(store_find_run(st, "renamed", &r2) == 0 && r2.id == ri.id);
	}
	/* deleting the run takes its cached statistics along */
	{
		struct headstat *c = NULL;
		long cn = 0;

		struct gradstat *g = NULL;
		long gn = 0;

		CHECK(store_gradstats_load(st, ri.id, nh, &g, &gn) == 0 && gn == STEPS);
		free(g);
		CHECK(store_delete_run(rw, &ri) == 0);
		CHECK(store_headstats_load(st, ri.id, "emma", nh, &c, &cn) == 0 && cn == 0);
		CHECK(store_gradstats_load(st, ri.id, nh, &g, &gn) == 0 && gn == 0 && g == NULL);
		free(c);
	}
	replay_close(&rr);
	store_close(st);
	store_close(rw);
}

/* What training step S did to head (l, h), computed here from the step
 * as train_step_open lays it open: the blocks of wq, wk, wv (rows) and wo
 * (columns) of the head, read through model_index. */
static void
direct_grad(const struct train_step *ts, const struct model *m, int l, int h, double *gn,
    double *ratio)
{
	const enum tensor_kind kinds[4] = { TENSOR_WQ, TENSOR_WK, TENSOR_WV, TENSOR_WO };
	const int hd = m->cfg.n_embd / m->cfg.n_head;
	double g = 0, u = 0, w = 0;
	int k, a, b;

	for (k = 0; k < 4; k++) {
		const struct tensor *t = model_tensor(m, kinds[k], l);

		CHECK(t != NULL && t->rows == m->cfg.n_embd && t->cols == m->cfg.n_embd);
		for (a = 0; a < m->cfg.n_embd; a++)
			for (b = h * hd; b < (h + 1) * hd; b++) {
				/* q, k, v: output rows b; wo: input columns b */
				size_t i = k < 3 ? model_index(t, b, a) : model_index(t, a, b);

				g += ts->grad[i] * ts->grad[i];
				u += (ts->p_after[i] - ts->p_before[i]) * (ts->p_after[i] - ts->p_before[i]);
				w += ts->p_before[i] * ts->p_before[i];
			}
	}
	*gn = sqrt(g);
	*ratio = sqrt(u) / sqrt(w);
}

/* The statistics pass's gradient figures (a 2-layer, 2-head run): equal
 * to training step S's own gradient and update at every step checked,
 * cached in grad_stats and read back bit for bit, and loaded from the
 * cache by a second viewer. */
static void
test_grad_stats(void)
{
	struct run_info ri;
	struct store *st, *rw;
	struct replay_run rr, rr2;
	char err[512];
	const long check[] = { 1, 2, 10, 11, 20, STEPS };
	const int nh = 4;
	struct gradstat *c = NULL;
	long cn = 0;
	size_t i;
	int rc, l, h, worst_ok = 1, nonzero = 0;

	train_run("grads", 7, &ri);
	st = store_open(db, 0, 1, err, sizeof err);
	rw = store_open(db, 0, 0, err, sizeof err);
	CHECK(st && rw);
	CHECK(replay_open(&rr, st, "grads", err, sizeof err) == 0);
	CHECK(rr.run.cfg.n_layer == 2 && rr.run.cfg.n_head == 2);
	while ((rc = replay_stats_work(&rr, rw, 7, err, sizeof err)) == 1)
		;
	CHECK(rc == 0 && rr.n_hs == STEPS + 1);
	for (i = 0; i < sizeof check / sizeof check[0]; i++) {
		struct debug_run r;
		struct train_step ts;

		memset(&r, 0, sizeof r);
		memset(&ts, 0, sizeof ts);
		CHECK(debug_run_open(&r, db, "grads", check[i] - 1, err, sizeof err) == 0);
		if (train_step_open(&ts, &r, check[i], err, sizeof err) < 0) {
			CHECK(!"train_step_open");
			fprintf(stderr, "%s\n", err);
			debug_run_close(&r);
			continue;
		}
		for (l = 0; l < 2; l++)
			for (h = 0; h < 2; h++) {
				const struct gradstat *g = &rr.gs[(size_t)(check[i] - 1) * nh + l * 2 + h];
				double gn, ratio;

				direct_grad(&ts, &r.tr.model, l, h, &gn, &ratio);
				if (fabs(g->grad_norm - gn) > 1e-12 * gn ||
				    fabs(g->update_ratio - ratio) > 1e-12 * ratio) {
					worst_ok = 0;
					fprintf(stderr, "step %ld L%dH%d: %.17g %.17g, directly %.17g %.17g\n",
					    check[i], l, h, g->grad_norm, g->update_ratio, gn, ratio);
				}
				nonzero += gn > 0 && ratio > 0;
			}
		train_step_free(&ts);
		debug_run_close(&r);
	}
	CHECK(worst_ok);
	CHECK(nonzero == 4 * (int)(sizeof check / sizeof check[0]));
	/* the cache: every training step, bit for bit */
	CHECK(store_gradstats_load(st, ri.id, nh, &c, &cn) == 0 && cn == STEPS);
	CHECK(c && memcmp(c, rr.gs, (size_t)STEPS * nh * sizeof *c) == 0);
	free(c);
	CHECK(store_gradstats_save(rw, ri.id, 0, 1, nh, rr.gs) < 0);      /* steps start at 1 */
	CHECK(store_gradstats_save(rw, ri.id, 1, 1, 2, rr.gs) < 0);       /* the run has 4 heads */
	/* a second viewer takes it from the cache, figures and roles alike */
	CHECK(replay_open(&rr2, st, "grads", err, sizeof err) == 0);
	CHECK(replay_stats_work(&rr2, NULL, 7, err, sizeof err) == 1 && rr2.n_hs == STEPS + 1);
	CHECK(memcmp(rr2.gs, rr.gs, (size_t)STEPS * nh * sizeof *rr.gs) == 0);
	CHECK(memcmp(rr2.roles, rr.roles, nh * sizeof *rr.roles) == 0);
	CHECK(replay_stats_work(&rr2, NULL, 7, err, sizeof err) == 0);
	replay_close(&rr2);
	replay_close(&rr);
	store_close(st);
	store_close(rw);
}

/* A viewer sees another connection's commits through data_version. */
static void
test_live(void)
{
	struct train_run lt;
	struct train_run_opts o = { data, 5, STEPS, { 0, 8, 2, 1, 8 }, 20, 0.5, 10, "live" };
	struct store *st;
	struct replay_run rr;
	char err[512];
	int changed = 0;
	long before;

	CHECK(train_run_open(&lt, db, &o, err, sizeof err) == 0);
	st = store_open(db, 0, 1, err, sizeof err);
	CHECK(st != NULL);
	CHECK(replay_open(&rr, st, "live", err, sizeof err) == 0);
	CHECK(rr.run.status == RUN_RUNNING);
	before = rr.run.steps_done;
	CHECK(replay_poll(&rr, &changed, err, sizeof err) == 0 && !changed);
	/* train ten steps: a snapshot flushes them */
	while (lt.tr.step < 10)
		CHECK(train_run_slice(&lt, 0.0) == 1);
	CHECK(replay_poll(&rr, &changed, err, sizeof err) == 0 && changed);
	CHECK(rr.run.steps_done == 10 && rr.n_loss == 10 && before == 0);
	/* paused: nothing moves */
	lt.paused = 1;
	CHECK(train_run_slice(&lt, 0.01) == 1 && lt.tr.step == 10);
	lt.paused = 0;
	/* closing unfinished marks it interrupted */
	train_run_close(&lt);
	CHECK(replay_poll(&rr, &changed, err, sizeof err) == 0 && changed);
	CHECK(rr.run.status == RUN_INTERRUPTED);
	replay_close(&rr);
	store_close(st);

	/* bad options: one line, nothing created */
	o.steps = 0;
	CHECK(train_run_open(&lt, db, &o, err, sizeof err) < 0 && strchr(err, '\n') == NULL);
	o.steps = 5;
	o.data = "/nonexistent/names.txt";
	CHECK(train_run_open(&lt, db, &o, err, sizeof err) < 0 && strstr(err, "/nonexistent"));
	o.data = data;
	o.cfg.n_head = 3;
	CHECK(train_run_open(&lt, db, &o, err, sizeof err) < 0 && strstr(err, "divisible"));
}

int
main(void)
{
	char cmd[600];

	setup();
	test_goto_and_stats();
	test_grad_stats();
	test_live();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return CHECK_DONE();
}
