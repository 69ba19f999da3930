/* SPDX-License-Identifier: MIT */
/* replay_ui.c - the replay screens' state and timers: which run is shown,
 * the marked run for compare, play, live updates, the statistics cache,
 * training in this process, and the way into the debugger and back.
 *
 * Reading goes through a read-only connection, so a viewer never takes a
 * lock a trainer in another process would wait for; a second, read-write
 * connection is opened only when something must be written (rename,
 * delete, the cache). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui_priv.h"
#include "replay_ui.h"
#include "paths.h"
#include "store_view.h"
#include "xmalloc.h"

#define PLAY_FRAME   0.05   /* seconds between frames while playing */
#define POLL_MS      250    /* live updates: how often the database is asked */
#define STATS_SLICE  400    /* statistics steps computed between keys */
#define TRAIN_SLICE  0.04   /* seconds of training between keys */

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Open the read connection again. Another process that closes the file
 * last switches it back to rollback mode and removes its -shm; a
 * connection of ours that outlived that must not be the one a writer of
 * this process shares the shared-memory state with. */
int
replay_reopen_reader(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	char err[STORE_ERRLEN];
	struct store *st = store_open(rp->db, 0, 1, err, sizeof err);

	if (!st) {
		ui_msg(u, ST_ERR, "%s", err);
		return -1;
	}
	store_close(rp->st);
	rp->st = st;
	rp->rr.st = st;
	rp->cmp.st = st;
	/* data_version numbers are per connection: read everything again */
	rp->rr.data_version = rp->cmp.data_version = rp->version = -1;
	rp->next_poll = 0;
	return 0;
}

struct store *
replay_rw(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	char err[STORE_ERRLEN];

	if (rp->rw_refused)
		return NULL;
	if (replay_reopen_reader(u) < 0)
		return NULL;
	rp->rw = store_open(rp->db, 0, 0, err, sizeof err);
	if (!rp->rw) {
		rp->rw_refused = 1;
		ui_msg(u, ST_ERR, "%s", err);
	}
	return rp->rw;
}

void
replay_rw_done(struct ui *u)
{
	store_close(u->rp->rw);
	u->rp->rw = NULL;
}

int
replay_ui_open(struct ui *u, const struct replay_args *a, char *err, size_t n)
{
	struct replay_ui *rp = xcalloc(1, sizeof *rp);

	u->rp = rp;
	if (path_copy(rp->db, a->db) < 0) {
		/* a cut path would name another file */
		snprintf(err, n, "--db: the path is longer than %d bytes", MGPT_PATH_MAX - 1);
		return -1;
	}
	if (a->probe)
		snprintf(rp->probe, sizeof rp->probe, "%s", a->probe);
	rp->st = store_open(rp->db, 0, 1, err, n);
	if (!rp->st)
		return -1;
	if (a->spec)
		return replay_show_run(u, a->spec, a->step, err, n) < 0 ? -1 : VIEW_RUN;
	return VIEW_RUNS;
}

static void
close_cmp(struct replay_ui *rp)
{
	if (rp->have_cmp)
		replay_close(&rp->cmp);
	rp->have_cmp = 0;
}

void
replay_ui_close(struct ui *u)
{
	struct replay_ui *rp = u->rp;

	if (!rp)
		return;
	if (rp->lt) {
		train_run_close(rp->lt);   /* unfinished: interrupted, resumable */
		free(rp->lt);
	}
	close_cmp(rp);
	if (rp->have_rr)
		replay_close(&rp->rr);
	plot_grid_free(&rp->grid);
	plot_grid_free(&rp->spark);
	free(rp->runs);
	store_close(rp->rw);
	store_close(rp->st);
	free(rp);
	u->rp = NULL;
}

int
replay_show_run(struct ui *u, const char *spec, long step, char *err, size_t n)
{
	struct replay_ui *rp = u->rp;
	struct replay_run *rr = &rp->rr;

	/* opened in place: a replay_run points into itself (the trainer at
	 * its dataset), so it is never copied */
	if (rp->have_rr)
		replay_close(rr);
	rp->have_rr = 0;
	rp->play = 0;
	rp->stats_failed = 0;
	if (replay_open(rr, rp->st, spec, err, n) < 0)
		goto fail;
	rp->have_rr = 1;
	if ((rp->probe[0] && replay_set_probe(rr, rp->probe, err, n) < 0) ||
	    replay_goto(rr, step < 0 ? rr->run.steps_done : step, err, n) < 0)
		goto fail;
	replay_ui_compare(u);
	return 0;
fail:
	if (rp->have_rr)
		replay_close(rr);
	rp->have_rr = 0;
	return -1;
}

/* Open (or follow) the marked run beside the shown one. */
void
replay_ui_compare(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	char spec[32], err[512];
	long s;

	if (!rp->have_rr || !rp->marked || rp->marked == rp->rr.run.id) {
		close_cmp(rp);
		return;
	}
	if (!rp->have_cmp || rp->cmp.run.id != rp->marked) {
		close_cmp(rp);
		snprintf(spec, sizeof spec, "%lld", (long long)rp->marked);
		if (replay_open(&rp->cmp, rp->st, spec, err, sizeof err) < 0) {
			ui_msg(u, ST_ERR, "marked run: %s", err);
			rp->marked = 0;
			return;
		}
		rp->have_cmp = 1;
	}
	if (strcmp(rp->cmp.probe_text, rp->rr.probe_text) &&
	    replay_set_probe(&rp->cmp, rp->rr.probe_text, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s: %s", rp->cmp.run.name, err);
		close_cmp(rp);
		return;
	}
	s = rp->rr.cur_step < rp->cmp.run.steps_done ? rp->rr.cur_step : rp->cmp.run.steps_done;
	if (replay_goto(&rp->cmp, s, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s: %s", rp->cmp.run.name, err);
		close_cmp(rp);
	}
}

/* Enter in the run view: the debugger on this run at this step; q there
 * comes back. */
int
replay_open_debugger(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	char spec[32], err[512];

	snprintf(spec, sizeof spec, "%lld", (long long)rp->rr.run.id);
	if (view_debug_open_run(u, rp->db, spec, rp->rr.cur_step, rp->rr.probe_text, VIEW_RUN,
	    err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s", err);
		return UI_STAY;
	}
	rp->play = 0;
	return UI_GO(VIEW_DEBUG);
}

/* H in the run view: the debugger's heads view on this run at this step,
 * the probe as its input; q there comes back. */
int
replay_open_heads(struct ui *u)
{
	int r = replay_open_debugger(u);

	if (r != UI_GO(VIEW_DEBUG))
		return r;
	u->heads_back = VIEW_RUN;
	return UI_GO(VIEW_HEADS);
}

/* The browser's entry, each time it is shown (R from anywhere; q from a
 * run): from the debugger of `mgpt-tui debug`, the replay state is set up
 * on the database the debugger was given. */
int
view_runs_open(struct ui *u)
{
	struct replay_args a;
	char path[MGPT_PATH_MAX], err[512];

	if (!u->rp) {
		memset(&a, 0, sizeof a);
		a.db = u->db ? u->db : store_default_path(path, sizeof path);
		if (!a.db || replay_ui_open(u, &a, err, sizeof err) < 0) {
			replay_ui_close(u);
			ui_msg(u, ST_ERR, "%s", a.db ? err : "cannot tell where the run database is");
			return -1;
		}
	}
	u->rp->play = 0;
	replay_runs_reload(u);
	return 0;
}

static int
watching_a_writer(const struct ui *u)
{
	const struct replay_ui *rp = u->rp;
	int i;

	if (rp->lt)
		return 0;   /* our own writer keeps the file in WAL */
	if (u->view == VIEW_RUNS) {
		for (i = 0; i < rp->n_runs; i++)
			if (rp->runs[i].status == RUN_RUNNING)
				return 1;
		return 0;
	}
	return rp->have_rr && rp->rr.run.status == RUN_RUNNING;
}

/* Live: the shown run and the list follow the database. */
static int
poll_db(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	char err[512];
	int changed = 0, tail;
	int64_t v;

	/* While a run is being trained the file may leave WAL mode when its
	 * writer closes it; a fresh connection reads what is there. */
	if (watching_a_writer(u))
		replay_reopen_reader(u);
	if (u->view == VIEW_RUNS || (u->view == VIEW_PROMPT && u->under == VIEW_RUNS)) {
		if (store_data_version(rp->st, &v) == 0 && v != rp->version) {
			replay_runs_reload(u);
			return 1;
		}
		return 0;
	}
	if (!rp->have_rr || (u->view != VIEW_RUN && u->view != VIEW_PROMPT))
		return 0;
	tail = rp->rr.cur_step == rp->rr.run.steps_done;
	if (replay_poll(&rp->rr, &changed, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s", err);
		return 1;
	}
	if (!changed)
		return 0;
	/* at the last step: follow the training as it goes */
	if (tail && !rp->play && replay_goto(&rp->rr, rp->rr.run.steps_done, err, sizeof err) < 0)
		ui_msg(u, ST_ERR, "%s", err);
	if (rp->have_cmp)
		replay_poll(&rp->cmp, &changed, err, sizeof err);
	replay_ui_compare(u);
	return 1;
}

/* The shown run's statistics have steps to go (computed between keys). */
static int
stats_pending(const struct ui *u)
{
	const struct replay_ui *rp = u->rp;

	return rp->have_rr && u->view == VIEW_RUN && !rp->play && !rp->stats_failed &&
	    rp->rr.n_hs <= rp->rr.run.steps_done;
}

int
replay_ui_tick(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	const double now = mono();
	char err[512];
	int redraw = 0, r;

	if (!rp)
		return 0;
	if (rp->lt && rp->lt->state == TRAIN_RUNNING) {
		r = train_run_slice(rp->lt, TRAIN_SLICE);
		if (r < 0)
			ui_msg(u, ST_ERR, "%s", rp->lt->err);
		else if (r == 0)
			ui_msg(u, ST_OK, "%s finished: %ld steps", rp->lt->run.name, rp->lt->run.n_steps);
		if (r <= 0) {
			train_run_close(rp->lt);
			free(rp->lt);
			rp->lt = NULL;
			/* closing the last writer may have taken the file out of WAL */
			replay_reopen_reader(u);
		}
		redraw = 1;
	}
	if (now >= rp->next_poll) {
		rp->next_poll = now + POLL_MS / 1000.0;
		redraw |= poll_db(u);
	}
	if (rp->play && u->view == VIEW_RUN && now >= rp->next_frame) {
		long s = rp->rr.cur_step + rp->play * replay_play_stride(rp->rr.run.n_steps);

		rp->next_frame = now + PLAY_FRAME;
		if (s <= 0 || s >= rp->rr.run.steps_done) {
			s = s <= 0 ? 0 : rp->rr.run.steps_done;
			rp->play = 0;
		}
		if (replay_goto(&rp->rr, s, err, sizeof err) < 0) {
			ui_msg(u, ST_ERR, "%s", err);
			rp->play = 0;
		}
		replay_ui_compare(u);
		redraw = 1;
	}
	if (stats_pending(u)) {
		struct store *rw = replay_rw(u);

		r = replay_stats_work(&rp->rr, rw, STATS_SLICE, err, sizeof err);
		replay_rw_done(u);
		if (r < 0 && rw) {
			/* cannot write the cache: go on in memory */
			rp->rw_refused = 1;
			r = replay_stats_work(&rp->rr, NULL, STATS_SLICE, err, sizeof err);
		}
		if (r < 0) {
			ui_msg(u, ST_ERR, "head statistics: %s", err);
			rp->stats_failed = 1;
		}
		redraw |= r != 0;
	}
	return redraw;
}

int
replay_ui_timeout(const struct ui *u)
{
	const struct replay_ui *rp = u->rp;

	if (!rp)
		return -1;
	if ((rp->lt && rp->lt->state == TRAIN_RUNNING && !rp->lt->paused) || stats_pending(u))
		return 0;
	if (rp->play)
		return (int)(PLAY_FRAME * 1000);
	return POLL_MS;
}

/* ---- the runs browser's list ---- */

/* Index in rp->runs of the i-th run the filter shows, or -1. */
int
replay_runs_nth(const struct replay_ui *rp, int i)
{
	int k;

	for (k = rp->n_runs - 1; k >= 0; k--)     /* newest first */
		if (!rp->filter[0] || strstr(rp->runs[k].name, rp->filter))
			if (i-- == 0)
				return k;
	return -1;
}

int
replay_runs_count(const struct replay_ui *rp)
{
	int k, n = 0;

	for (k = 0; k < rp->n_runs; k++)
		if (!rp->filter[0] || strstr(rp->runs[k].name, rp->filter))
			n++;
	return n;
}

/* The selected run, or NULL. */
const struct run_info *
replay_runs_selected(const struct replay_ui *rp)
{
	int k = replay_runs_nth(rp, rp->sel);

	return k < 0 ? NULL : &rp->runs[k];
}

/* Read the list again, keeping the selection on the same run. */
int
replay_runs_reload(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	const struct run_info *cur = replay_runs_selected(rp);
	int64_t keep = cur ? cur->id : -1;
	struct run_info *runs;
	int n, i;

	if (store_data_version(rp->st, &rp->version) < 0 ||
	    store_list_runs(rp->st, &runs, &n) < 0) {
		ui_msg(u, ST_ERR, "%s", store_errmsg(rp->st));
		return -1;
	}
	free(rp->runs);
	rp->runs = runs;
	rp->n_runs = n;
	for (i = 0; keep >= 0 && i < replay_runs_count(rp); i++)
		if (rp->runs[replay_runs_nth(rp, i)].id == keep)
			rp->sel = i;
	if (rp->sel >= replay_runs_count(rp))
		rp->sel = replay_runs_count(rp) - 1;
	if (rp->sel < 0)
		rp->sel = 0;
	return 0;
}

/* Steps a play frame moves: a whole run plays in about 20 seconds. */
long
replay_play_stride(long n_steps)
{
	return n_steps / 400 > 1 ? n_steps / 400 : 1;
}
