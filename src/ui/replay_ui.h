/* SPDX-License-Identifier: MIT */
/* replay_ui.h - the replay views' state: the runs browser, the run view
 * and training live. One struct replay_ui hangs off struct ui (u->rp);
 * the views are registered in ui_views[] like every other. */
#ifndef MGPT_REPLAY_UI_H
#define MGPT_REPLAY_UI_H

#include "train_run.h"
#include "paths.h"
#include "plot.h"
#include "replay_run.h"
#include "store.h"
#include "ui_priv.h"
#include "ui_replay.h"

/* What a prompt line is asking for; keys go to its text while it is open. */
enum rp_prompt { RP_NONE, RP_STEP, RP_FILTER, RP_RENAME, RP_PROBE, RP_DELETE, RP_FORM };

/* The training form's fields, in order. */
enum rp_field { F_DATA, F_SEED, F_STEPS, F_EMBD, F_HEAD, F_LAYER, F_BLOCK, F_SNAP, F_NAME, F__COUNT };

struct replay_ui {
	char          db[MGPT_PATH_MAX]; /* the database path */
	char          probe[REPLAY_PROBE_MAX]; /* --probe, or "" */
	struct store *st;            /* read-only: never blocks a writer */
	struct store *rw;            /* read-write, opened on first need; NULL if refused */
	int           rw_refused;

	/* the runs browser */
	struct run_info *runs;       /* [n_runs], oldest first */
	int           n_runs;
	int           sel, top;      /* selected row and first row shown (of the filtered list) */
	char          filter[128];   /* substring of the name; "" shows all */
	int64_t       version;       /* data_version when the list was read */

	/* the run view */
	struct replay_run rr;
	int           have_rr;
	int64_t       marked;        /* run id marked for compare; 0 none */
	struct replay_run cmp;       /* the marked run, at the shown step */
	int           have_cmp;
	int           play;          /* +1 forwards, -1 backwards, 0 stopped */
	double        next_frame;    /* monotonic seconds */
	double        next_poll;     /* monotonic seconds: ask the database again */
	int           from_browser;  /* q returns to the browser */
	int           stats_failed;  /* the statistics could not be computed: stop trying */
	int           log_x;         /* the loss curve's steps on a log axis (x) */
	int           grad_set;      /* narrow: the gradient figures' sparklines (g) */
	struct plot_grid grid;       /* the loss curve, drawn then blitted */
	struct plot_grid spark;      /* sparklines */

	/* prompts and the form */
	enum rp_prompt prompt;        /* what the prompt (drawn over u->under) asks */
	char          field[F__COUNT][256];
	int           form_sel;
	int           form_init;     /* field[] holds the defaults or what was typed */

	/* training in this process */
	struct train_run *lt;
};

/* Set up the replay screens (ui_replay): the run view of a->spec, or the
 * browser; returns the view to show first, or -1 with err on failure
 * (nothing drawn yet). */
int  replay_ui_open(struct ui *u, const struct replay_args *a, char *err, size_t n);
void replay_ui_close(struct ui *u);
/* Timers, called between keys: play, live updates, the statistics cache,
 * training here. Returns 1 when the screen must be drawn again. */
int  replay_ui_tick(struct ui *u);
/* Milliseconds the key loop may wait before the next tick; -1: no timer. */
int  replay_ui_timeout(const struct ui *u);

/* Load the run view's run (Enter, `mgpt-tui replay RUN`); the caller
 * switches to VIEW_RUN. */
int  replay_show_run(struct ui *u, const char *spec, long step, char *err, size_t n);
/* Follow the marked run at the shown step (or drop it). */
void replay_ui_compare(struct ui *u);
/* Enter: the debugger at the shown step (q there comes back); a reaction. */
int  replay_open_debugger(struct ui *u);
/* H: the heads view at the shown step (q there comes back); a reaction. */
int  replay_open_heads(struct ui *u);
/* A read-write connection for one write (rename, delete, the cache),
 * closed again by replay_rw_done; NULL (and a message) when the database
 * cannot be written. */
struct store *replay_rw(struct ui *u);
void replay_rw_done(struct ui *u);
/* Open the read connection again (before this process starts writing). */
int  replay_reopen_reader(struct ui *u);

/* The browser's list (the filter applied, newest first). */
const struct run_info *replay_runs_selected(const struct replay_ui *rp);
int  replay_runs_reload(struct ui *u);
int  replay_runs_nth(const struct replay_ui *rp, int i);   /* index in rp->runs, or -1 */
int  replay_runs_count(const struct replay_ui *rp);
long replay_play_stride(long n_steps);
/* view_runs.c: what an accepted prompt does in the browser */
void replay_runs_prompt_done(struct ui *u, const char *text);
/* replay_draw.c: drawing shared by the views */
void replay_blit(struct plot_grid *g, int y, int x);
/* The status row: the message if there is one, else the most used keys
 * (pairs of key and word, as many as fit). */
void replay_draw_status(struct ui *u, const char *const *hints, int n);
enum plot_charset replay_charset(const struct ui *u);
int  replay_ma_window(long n_steps);

int  view_runs_open(struct ui *u);
void view_runs_draw(struct ui *u);
int  view_runs_key(struct ui *u, enum cmd cmd, int arg, int key);
void view_run_draw(struct ui *u);
int  view_run_key(struct ui *u, enum cmd cmd, int arg, int key);
int  view_form_open(struct ui *u);
void view_form_draw(struct ui *u);
int  view_form_key(struct ui *u, enum cmd cmd, int arg, int key);
int  view_prompt_open(struct ui *u);
void view_prompt_draw(struct ui *u);
int  view_prompt_key(struct ui *u, enum cmd cmd, int arg, int key);

#endif
