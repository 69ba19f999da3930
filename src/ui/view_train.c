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
#include "store_view.h"
#include "xmalloc.h"

static const struct {
	const char *label;
	const char *def;
	const char *hint;
} fields[F__COUNT] = {
	[F_DATA]  = { "data file", "", "empty: the bundled names" },
	[F_SEED]  = { "seed", "42", "" },
	[F_STEPS] = { "steps", "1000", "" },
	[F_EMBD]  = { "n_embd", "16", "divisible by n_head" },
	[F_HEAD]  = { "n_head", "4", "" },
	[F_LAYER] = { "n_layer", "1", "" },
	[F_BLOCK] = { "block_size", "16", "" },
	[F_SNAP]  = { "snapshot every", "100", "steps" },
	[F_NAME]  = { "name", "", "empty: run-<id>" },
};

/* UTF-8 of the line editor's text. */
static void
le_text(const struct lineedit *le, char *buf, size_t n)
{
	size_t o = 0;
	char u[4];
	int i, k;

	for (i = 0; i < le->len; i++) {
		k = utf8_put(u, le->text[i]);
		if (o + (size_t)k + 1 > n)
			break;
		memcpy(buf + o, u, (size_t)k);
		o += (size_t)k;
	}
	buf[o] = '\0';
}

static void
le_set(struct lineedit *le, const char *s)
{
	uint32_t t[LE_MAX];
	int n = 0, k;
	size_t len = s ? strlen(s) : 0;

	while (len > 0 && n < LE_MAX && (k = utf8_get((const unsigned char *)s, len, &t[n])) > 0) {
		s += k;
		len -= (size_t)k;
		n++;
	}
	le_start(le, t, n);
}

/* ---- the prompt line ---- */

void
replay_prompt_start(struct ui *u, const char *text)
{
	struct replay_ui *rp = u->rp;

	rp->prompt_view = u->view;
	le_set(&u->le, text);
	u->view = VIEW_PROMPT;
}

void
view_prompt_draw(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	const struct rect *s = &u->status;
	const struct run_info *sel;
	char q[256];

	ui_views[rp->prompt_view].draw(u);
	draw_fill(s->y, s->x, s->w, ST_NORMAL);
	switch (rp->prompt) {
	case RP_STEP:
		snprintf(q, sizeof q, "step (0-%ld): ", rp->rr.run.steps_done);
		break;
	case RP_FILTER: snprintf(q, sizeof q, "filter names: "); break;
	case RP_RENAME: snprintf(q, sizeof q, "new name: "); break;
	case RP_PROBE: snprintf(q, sizeof q, "probe text: "); break;
	case RP_DELETE:
		sel = replay_runs_selected(rp);
		draw_textf(s->y, s->x, s->w, ST_ERR, "delete %s and its %ld logged steps? y deletes, any other key keeps it",
		    sel ? sel->name : "?", sel ? sel->steps_done : 0);
		return;
	default: q[0] = '\0'; break;
	}
	if (u->msg[0])
		draw_text(s->y - 1, s->x, s->w, u->msg_style, u->msg);
	draw_text(s->y, s->x, s->w, ST_KEY, q);
	le_draw(&u->le, s->y, s->x + draw_width(q), s->w - draw_width(q) - 1, u->utf8);
}

void
view_prompt_key(struct ui *u, enum cmd cmd, int arg, int key)
{
	struct replay_ui *rp = u->rp;
	char text[512], err[256];
	int r;
	long v;

	(void)cmd;
	(void)arg;
	if (rp->prompt == RP_DELETE) {
		u->view = rp->prompt_view;
		replay_runs_prompt_done(u, key == 'y' ? "y" : "n");
		rp->prompt = RP_NONE;
		return;
	}
	r = le_key(&u->le, key);
	if (r == 0)
		return;
	u->view = rp->prompt_view;
	if (r < 0) {
		rp->prompt = RP_NONE;
		return;
	}
	le_text(&u->le, text, sizeof text);
	switch (rp->prompt) {
	case RP_STEP:
		if (num_parse_long(text, 0, rp->rr.run.steps_done, &v) != NUM_OK)
			ui_msg(u, ST_ERR, "'%s' is not a step of this run (0-%ld)", text, rp->rr.run.steps_done);
		else if (replay_goto(&rp->rr, v, err, sizeof err) < 0)
			ui_msg(u, ST_ERR, "%s", err);
		else
			replay_ui_compare(u);
		break;
	case RP_PROBE:
		if (replay_set_probe(&rp->rr, text, err, sizeof err) < 0) {
			ui_msg(u, ST_ERR, "%s", err);
			u->le.active = 1;
			u->view = VIEW_PROMPT;   /* keep editing so it can be fixed */
			return;
		}
		rp->stats_failed = 0;
		replay_ui_compare(u);
		break;
	default:
		replay_runs_prompt_done(u, text);
		break;
	}
	rp->prompt = RP_NONE;
}

/* ---- the training form ---- */

void
replay_form_start(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	int i;

	for (i = 0; i < F__COUNT; i++)
		if (!rp->form_init)
			snprintf(rp->field[i], sizeof rp->field[i], "%s", fields[i].def);
	rp->form_init = 1;
	if (rp->lt) {
		ui_msg(u, ST_ERR, "a run is being trained here already");
		return;
	}
	rp->form_sel = 0;
	le_set(&u->le, rp->field[0]);
	u->view = VIEW_FORM;
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

static void
form_submit(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	struct live_train_opts o;
	long v[F__COUNT];
	char err[512], spec[32];
	uint64_t seed;

	memset(&o, 0, sizeof o);
	if (num_parse_u64(rp->field[F_SEED], &seed) != NUM_OK) {
		ui_msg(u, ST_ERR, "seed: '%s' is not a whole number >= 0", rp->field[F_SEED]);
		rp->form_sel = F_SEED;
		le_set(&u->le, rp->field[F_SEED]);
		return;
	}
	if (num(u, F_STEPS, 1, 1000000000L, &v[F_STEPS]) < 0 ||
	    num(u, F_EMBD, 1, MODEL_MAX_DIM, &v[F_EMBD]) < 0 ||
	    num(u, F_HEAD, 1, MODEL_MAX_DIM, &v[F_HEAD]) < 0 ||
	    num(u, F_LAYER, 1, 64, &v[F_LAYER]) < 0 ||
	    num(u, F_BLOCK, 1, MODEL_MAX_DIM, &v[F_BLOCK]) < 0 ||
	    num(u, F_SNAP, 1, 1000000000L, &v[F_SNAP]) < 0)
		return;
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
	if (live_train_start(rp->lt, rp->db, &o, err, sizeof err) < 0) {
		free(rp->lt);
		rp->lt = NULL;
		ui_msg(u, ST_ERR, "%s", err);
		le_set(&u->le, rp->field[rp->form_sel]);
		return;
	}
	snprintf(spec, sizeof spec, "%lld", (long long)rp->lt->run.id);
	replay_runs_reload(u);
	if (replay_show_run(u, spec, -1, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s", err);
		replay_show_runs(u);
		return;
	}
	rp->from_browser = 1;
	ui_msg(u, ST_OK, "training %s: p pauses, q stops it (resumable)", rp->lt->run.name);
}

void
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
		return;
	}
	r = le_key(&u->le, key);
	le_text(&u->le, rp->field[rp->form_sel], sizeof rp->field[0]);
	if (r < 0) {
		u->view = VIEW_RUNS;
		ui_msg(u, ST_DIM, "no run started");
	} else if (r > 0) {
		u->le.active = 1;
		form_submit(u);
	}
}
