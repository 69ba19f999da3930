/* SPDX-License-Identifier: MIT */
/* view_train.c - the training form (t in the runs browser) and the
 * prompt line the replay views share (: step, / filter, r rename, i probe,
 * d confirm). Both are text entry: every key goes to the text, Enter
 * accepts, Esc cancels (the house rule for typing).
 *
 * Training itself runs in replay_ui_tick, a slice between keys; the run
 * view shows it like any run that is being trained. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "ui_priv.h"
#include "replay_ui.h"
#include "run_defaults.h"
#include "store_view.h"
#include "xmalloc.h"

static const struct {
	const char *label;
	const char *def;
	const char *hint;
} fields[F__COUNT] = {
	[F_DATA]  = { "data file", "", "empty: the bundled names" },
	[F_SEED]  = { "seed", RUN_DEFAULT_STR(RUN_DEFAULT_SEED), "" },
	[F_STEPS] = { "steps", RUN_DEFAULT_STR(RUN_DEFAULT_STEPS), "" },
	[F_EMBD]  = { "n_embd", RUN_DEFAULT_STR(RUN_DEFAULT_N_EMBD), "divisible by n_head" },
	[F_HEAD]  = { "n_head", RUN_DEFAULT_STR(RUN_DEFAULT_N_HEAD), "" },
	[F_LAYER] = { "n_layer", RUN_DEFAULT_STR(RUN_DEFAULT_N_LAYER), "" },
	[F_BLOCK] = { "block_size", RUN_DEFAULT_STR(RUN_DEFAULT_BLOCK_SIZE), "" },
	[F_SNAP]  = { "snapshot every", "100", "steps" },  /* finer than train's 250: scrubbed here */
	[F_NAME]  = { "name", "", "empty: run-<id>" },
};

/* ---- the training form ---- */

int
view_form_open(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	int i;

	for (i = 0; i < F__COUNT; i++)
		if (!rp->form_init)
			snprintf(rp->field[i], sizeof rp->field[i], "%s", fields[i].def);
	rp->form_init = 1;
	if (rp->lt) {
		ui_msg(u, ST_ERR, "a run is being trained here already");
		return -1;
	}
	rp->form_sel = 0;
	le_set(&u->le, rp->field[0]);
	return 0;
}

void
view_form_draw(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	const int W = u->cols, x0 = W > 70 ? (W - 64) / 2 : 2;
	int i, y = 3;

	erase();
	draw_fill(0, 0, W, ST_TITLE);
	draw_textf(0, 0, W, ST_TITLE, " train a new run into %s", rp->db);
	draw_text(y - 1, x0, W - x0, ST_DIM, "logged as 'mgpt-tui train' logs it; resumable with train --resume");
	for (i = 0; i < F__COUNT; i++, y += 2) {
		int sel = i == rp->form_sel;

		draw_textf(y, x0, 16, sel ? ST_KEY : ST_LABEL, "%15s", fields[i].label);
		if (sel)
			le_draw(&u->le, y, x0 + 17, 28, u->utf8);
		else
			draw_text(y, x0 + 17, 28, ST_NORMAL, rp->field[i]);
		draw_text(y, x0 + 47, W - x0 - 47, ST_DIM, fields[i].hint);
	}
	draw_text(u->status.y - 1, x0, W - x0, ST_DIM,
	    "Tab/Down next field  S-Tab/Up previous  Enter start  Esc cancel");
	if (u->msg[0])
		draw_text(u->status.y, 0, W, u->msg_style, u->msg);
}

static int
num(struct ui *u, int f, long lo, long hi, long *out)
{
	struct replay_ui *rp = u->rp;

	if (num_parse_long(rp->field[f], lo, hi, out) != NUM_OK) {
		ui_msg(u, ST_ERR, "%s: '%s' is not a whole number in %ld..%ld", fields[f].label,
		    rp->field[f], lo, hi);
		rp->form_sel = f;
		le_set(&u->le, rp->field[f]);
		return -1;
	}
	return 0;
}

static int
form_submit(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	struct train_run_opts o;
	long v[F__COUNT];
	char err[512], spec[32];
	uint64_t seed;

	train_run_defaults(&o);   /* the samples and their temperature: train's */
	if (num_parse_u64(rp->field[F_SEED], &seed) != NUM_OK) {
		ui_msg(u, ST_ERR, "seed: '%s' is not a whole number >= 0", rp->field[F_SEED]);
		rp->form_sel = F_SEED;
		le_set(&u->le, rp->field[F_SEED]);
		return UI_STAY;
	}
	if (num(u, F_STEPS, 1, 1000000000L, &v[F_STEPS]) < 0 ||
	    num(u, F_EMBD, 1, MODEL_MAX_DIM, &v[F_EMBD]) < 0 ||
	    num(u, F_HEAD, 1, MODEL_MAX_DIM, &v[F_HEAD]) < 0 ||
	    num(u, F_LAYER, 1, 64, &v[F_LAYER]) < 0 ||
	    num(u, F_BLOCK, 1, MODEL_MAX_DIM, &v[F_BLOCK]) < 0 ||
	    num(u, F_SNAP, 1, 1000000000L, &v[F_SNAP]) < 0)
		return UI_STAY;
	o.data = rp->field[F_DATA];
	o.seed = seed;
	o.steps = v[F_STEPS];
	o.cfg.n_embd = (int)v[F_EMBD];
	o.cfg.n_head = (int)v[F_HEAD];
	o.cfg.n_layer = (int)v[F_LAYER];
	o.cfg.block_size = (int)v[F_BLOCK];
	o.snapshot_every = v[F_SNAP];
	o.name = rp->field[F_NAME];
	rp->lt = xcalloc(1, sizeof *rp->lt);
	replay_reopen_reader(u);
	if (train_run_open(rp->lt, rp->db, &o, err, sizeof err) < 0) {
		free(rp->lt);
		rp->lt = NULL;
		ui_msg(u, ST_ERR, "%s", err);
		le_set(&u->le, rp->field[rp->form_sel]);
		return UI_STAY;
	}
	snprintf(spec, sizeof spec, "%lld", (long long)rp->lt->run.id);
	replay_runs_reload(u);
	if (replay_show_run(u, spec, -1, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s", err);
		return UI_GO(VIEW_RUNS);
	}
	rp->from_browser = 1;
	ui_msg(u, ST_OK, "training %s: p pauses; it trains on while mgpt-tui runs (quit: interrupted, "
	    "train --resume goes on)", rp->lt->run.name);
	return UI_GO(VIEW_RUN);
}

int
view_form_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	struct replay_ui *rp = u->rp;
	int r, next = -1;

	(void)cmd;
	(void)arg;
	switch (key) {
	case '\t': case UI_FN(KEY_DOWN):
		next = (rp->form_sel + 1) % F__COUNT;
		break;
	case UI_FN(KEY_BTAB): case UI_FN(KEY_UP):
		next = (rp->form_sel + F__COUNT - 1) % F__COUNT;
		break;
	}
	if (next >= 0) {
		le_text(&u->le, rp->field[rp->form_sel], sizeof rp->field[0]);
		rp->form_sel = next;
		le_set(&u->le, rp->field[next]);
		return UI_STAY;
	}
	r = le_key(&u->le, key);
	le_text(&u->le, rp->field[rp->form_sel], sizeof rp->field[0]);
	if (r < 0) {
		ui_msg(u, ST_DIM, "no run started");
		return UI_GO(VIEW_RUNS);
	}
	if (r > 0) {
		u->le.active = 1;
		return form_submit(u);
	}
	return UI_STAY;
}
