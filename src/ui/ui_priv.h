/* SPDX-License-Identifier: MIT */
/* ui_priv.h - what the files of src/ui share: the screen's state, styles,
 * the key table, the views and the drawing helpers.
 *
 * Shape of the screen (ui_layout computes it on every resize):
 *
 *   title      one row: run, training step, heads, temperature
 *   tokens     one row: the input as fed, the current position marked
 *   opline     one row: the current op, its place in the pass
 *   outline    (large terminals) the ops of the position, breakpoints
 *   body       the current op's values
 *   formula    the selected value in full and its formula
 *   status     messages, or the most used keys
 */
#ifndef MGPT_UI_PRIV_H
#define MGPT_UI_PRIV_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <signal.h>
#include <stdint.h>

#include "debug_run.h"
#include "debug_session.h"
#include "head_report.h"
#include "head_patch.h"
#include "head_sweep.h"
#include "sweep_series.h"
#include "model.h"
#include "rng.h"
#include "stepper.h"
#include "ui.h"

#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24

/* ---- styles: each with its monochrome twin (draw.c) ---- */
enum style {
	ST_NORMAL, ST_TITLE, ST_DIM, ST_LABEL, ST_RULE, ST_SEL, ST_CUR, ST_BREAK,
	ST_ERR, ST_OK, ST_KEY, ST_MARK, ST_BAR, ST_BAR_ALT, ST_OFF,
	ST_NEG1, ST_NEG2, ST_NEG3, ST_NEG4,   /* diverging ramp, weak to strong */
	ST_ZERO,
	ST_POS1, ST_POS2, ST_POS3, ST_POS4,
	ST__COUNT
};

/* ---- keys and commands (keys.c): one table for dispatch and help ---- */
enum cmd {
	CMD_NONE,
	CMD_STEP, CMD_STEP_BACK, CMD_NEXT, CMD_NEXT_BACK, CMD_FINISH, CMD_FINISH_BACK,
	CMD_CONT, CMD_CONT_BACK, CMD_POS_NEXT, CMD_POS_PREV, CMD_FIRST, CMD_LAST,
	CMD_BREAK, CMD_BREAK_LIST,
	CMD_TRAIN_NEXT, CMD_TRAIN_PREV,
	CMD_HEAD, CMD_HEADS_ON,
	CMD_SAMPLE, CMD_TEMP_DOWN, CMD_TEMP_UP,
	CMD_SEL_LEFT, CMD_SEL_RIGHT, CMD_SEL_UP, CMD_SEL_DOWN, CMD_SEL_HOME, CMD_SEL_END,
	CMD_EDIT, CMD_HELP, CMD_QUIT, CMD_REDRAW, CMD_CLOSE,
	/* the replay views (replay_ui.h) */
	CMD_RUNS, CMD_OPEN, CMD_RENAME, CMD_DELETE, CMD_FILTER, CMD_MARK, CMD_TRAIN, CMD_PAUSE,
	CMD_STEP10_NEXT, CMD_STEP10_PREV, CMD_STEP100_NEXT, CMD_STEP100_PREV,
	CMD_STEP_FIRST, CMD_STEP_LAST, CMD_GOTO, CMD_PLAY, CMD_PLAY_BACK,
	CMD_HEAD_NEXT, CMD_HEAD_PREV,
	/* the heads view and the sweep */
	CMD_HEADS_VIEW, CMD_SWEEP, CMD_PANE, CMD_LENS, CMD_PATCH, CMD_HEATMAP,
	CMD_TRAIN_STEP,   /* T: step into a training step */
	/* the run view's loss curve, its head statistics */
	CMD_LOG_X, CMD_GRAD_SET,
	CMD__COUNT
};

/* A key as read by get_wch: a character, or a function key tagged. */
#define UI_FN(k)     (0x40000000 | (k))
#define UI_IS_FN(k)  (((k) & 0x40000000) != 0)
#define UI_CTRL(c)   ((c) & 0x1f)
#define UI_ESC       27

struct keydef {
	int         key;
	enum cmd    cmd;
	int         arg;    /* the head for CMD_HEAD */
	const char *keys;   /* as shown in help; NULL: covered by the row above */
	const char *desc;   /* one line, as shown in help */
};
/* A key scope: its rows, then those of `next` (shared by several views). */
struct keytab {
	const char          *name;
	const struct keydef *rows;
	int                  n;
	const struct keytab *next;
};
extern const struct keytab keys_debug, keys_runs, keys_run, keys_replay, keys_heads, keys_sweep;
/* The row for key in t (or t's next tables), or NULL. */
const struct keydef *keytab_lookup(const struct keytab *t, int key);

/* ---- the line editor used by `i` (lineedit.c) ---- */
#define LE_MAX 256
struct lineedit {
	uint32_t text[LE_MAX];  /* code points */
	int      len, cur;
	int      active;
};
void le_start(struct lineedit *le, const uint32_t *text, int len);
/* Feed a key; returns 1 on Enter (accept), -1 on Esc (cancel), 0 else. */
int  le_key(struct lineedit *le, int key);
void le_draw(const struct lineedit *le, int y, int x, int w, int utf8);
/* The text as UTF-8 (cut to fit n), and set from UTF-8 (NULL: empty). */
void le_text(const struct lineedit *le, char *buf, size_t n);
void le_set(struct lineedit *le, const char *s);

/* ---- rectangles ---- */
struct rect { int y, x, h, w; };

/* ---- the screen's state ---- */
struct ui {
	struct debug_session s;        /* the debugger's back end: run, input, pass, samples */
	struct debug_run *run;         /* s.run, or NULL before the debugger is set up */

	int      sel[OP__COUNT];       /* selected value per kind of op: kept when stepping */

	int      view;                 /* index into ui_views: the frame's to change */
	int      under;                /* the view an overlay is drawn over */
	const struct keytab *under_keys; /* and its keys (what help lists) */
	int      debug_back;           /* q in the debugger: to this view; -1 quit */
	int      runs_back;            /* q in the runs browser: to this view; -1 quit */
	int      help_top;             /* first help row shown */
	int      break_sel;            /* selected row of the breakpoint list */
	struct lineedit le;

	char     msg[512];             /* one line of feedback; cleared by the next key */
	enum style msg_style;

	int      cols, rows;
	int      too_small;
	struct rect title, tokens_r, opline, outline, body, formula, status;

	int      narrow_outline;       /* below 100 columns: the outline shown instead of the page (o) */
	int      has_color, utf8;
	struct replay_ui *rp;          /* the replay views' state, or NULL */
	int      own_run;              /* run was loaded here (from the run view): free it */
	const char *db;                /* --db as given to debug, for R */
	int      quit;                 /* the frame's: a view returned UI_QUIT */
	int      dirty;                /* the frame's: UI_REPAINT */

	/* the heads view (view_heads.c) */
	int      heads_ready;          /* hr allocated */
	int      heads_pos;            /* the position shown */
	int      heads_score_prev;     /* s.score_name before the view turned it on */
	int      heads_lens;           /* the logit lens shown on a short screen (L) */
	int      heads_sel;            /* the selected head (layer by layer): the one P patches */
	int      heads_map;            /* the T x T attention maps shown instead (T) */
	int      heads_map_first;      /* the first head shown when not all fit */
	int      heads_back;           /* q in the heads view: to this view; -1 the debugger */
	struct head_report hr;
	struct head_patch hp;          /* the patch text (P) and the patched pass */
	/* the sweep (view_sweep.c) */
	int      sweep_on;             /* hsw set up */
	int      sweep_back;           /* the view it goes back to */
	int      sweep_sel, sweep_top; /* selected and first shown row */
	struct head_sweep hsw;
	/* the run view's ablation panel (run_sweep.c) */
	int      rsw_on, rsw_failed;
	struct sweep_series *rsw;
	/* a training step (view_train_step.c): the session's s.ts */
	int      train_quit;           /* q leaves the debugger too (--train-step, the run view's T) */
};

/* ---- views: modes with a lifecycle, registered in one table (views.c) ----
 *
 * A key handler returns a reaction for the frame (htop's actions) instead
 * of changing the frame's state: */
enum {
	UI_STAY    = 0,          /* drawn again, nothing more */
	UI_QUIT    = 1 << 8,     /* leave the program */
	UI_REPAINT = 1 << 9,     /* clear and repaint the whole terminal (C-l) */
	UI_SWITCH  = 1 << 10,    /* to view (reaction & UI_VIEW_MASK) */
	UI_BACK    = 1 << 11,    /* an overlay closes: to the view under it */
};
#define UI_VIEW_MASK 0xff
#define UI_GO(v)     (UI_SWITCH | (v))

struct view {
	const char *name;
	/* Called each time the frame switches to it; -1 (with a message in
	 * u->msg) keeps the view shown before. NULL: nothing to do. */
	int  (*open)(struct ui *u);
	void (*draw)(struct ui *u);
	/* Handle a command (cmd) read as `key`; returns a reaction. */
	int  (*key)(struct ui *u, enum cmd cmd, int arg, int key);
	/* Timers, run between keys whichever view is shown: 1 when the screen
	 * must be drawn again; and the milliseconds until the next (-1 none). */
	int  (*tick)(struct ui *u);
	int  (*wait_ms)(const struct ui *u);
	/* The terminal changed size (after ui_layout), for every view that
	 * keeps geometry of its own; NULL: it lays out as it draws. */
	void (*resize)(struct ui *u);
	/* What the view holds, freed when the screen ends. */
	void (*close)(struct ui *u);
	const struct keytab *keys;  /* its scope; NULL: text entry, every key goes to the view */
	unsigned    flags;
};
enum { VF_OVERLAY = 1 };  /* drawn over the view it was opened from (u->under) */
enum { VIEW_DEBUG, VIEW_HELP, VIEW_BREAKS, VIEW_EDIT,
       VIEW_RUNS, VIEW_RUN, VIEW_FORM, VIEW_PROMPT, VIEW_HEADS, VIEW_SWEEP, VIEW_PATCH,
       VIEW_TPROMPT, VIEW__COUNT };
extern const struct view ui_views[VIEW__COUNT];

void view_debug_draw(struct ui *u);
int  view_debug_key(struct ui *u, enum cmd cmd, int arg, int key);
void view_debug_close(struct ui *u);
/* The debugger's frame around the page: title, tokens, op line, outline,
 * status (view_debug_frame.c). */
void view_debug_frame_draw(struct ui *u);
/* Set the debugger up on a loaded run (the input refused: a status, with
 * the reason in err). */
int  view_debug_start(struct ui *u, struct debug_run *run, const char *input, char *err, size_t n);
/* The debugger on run spec at step of db, in place of what it shows now
 * (the run view's Enter); q there returns to view `back`. */
int  view_debug_open_run(struct ui *u, const char *db, const char *spec, long step, const char *input,
                         int back, char *err, size_t errlen);
int  view_help_open(struct ui *u);
void view_help_draw(struct ui *u);
int  view_help_key(struct ui *u, enum cmd cmd, int arg, int key);
void view_breaks_draw(struct ui *u);
int  view_breaks_key(struct ui *u, enum cmd cmd, int arg, int key);
int  view_heads_open(struct ui *u);
void view_heads_draw(struct ui *u);
int  view_heads_key(struct ui *u, enum cmd cmd, int arg, int key);
void view_heads_close(struct ui *u);
/* heads_map.c: the heads view's T x T attention maps; heads_patch.c: its
 * patch panel and the prompt for the patch text (VIEW_PATCH) */
void heads_draw_map(struct ui *u, int y, int bottom);
int  heads_draw_patch(struct ui *u, const struct head_report *r, int y, int bottom);
int  view_patch_open(struct ui *u);
void view_patch_draw(struct ui *u);
int  view_patch_key(struct ui *u, enum cmd cmd, int arg, int key);
/* run_sweep.c: the run view's dataset loss per head off over training (A) */
int  run_sweep_draw(struct ui *u, int y, int w, int h);
int  run_sweep_key(struct ui *u);
int  run_sweep_tick(struct ui *u);
int  run_sweep_wait_ms(const struct ui *u);
void run_sweep_close(struct ui *u);
int  view_sweep_open(struct ui *u);
void view_sweep_draw(struct ui *u);
int  view_sweep_key(struct ui *u, enum cmd cmd, int arg, int key);
int  view_sweep_tick(struct ui *u);
int  view_sweep_wait_ms(const struct ui *u);
void view_sweep_close(struct ui *u);
/* A training step (view_train_step.c): T's prompt, entering a step,
 * the run view's T, the debugger's keys inside a step (-1: not handled). */
int  view_tprompt_open(struct ui *u);
void view_tprompt_draw(struct ui *u);
int  view_tprompt_key(struct ui *u, enum cmd cmd, int arg, int key);
int  view_train_step_enter(struct ui *u, long step, int quit_after, char *err, size_t n);
int  view_train_step_from_run(struct ui *u);
int  view_train_step_key(struct ui *u, enum cmd cmd);
void view_edit_draw(struct ui *u);
int  view_edit_key(struct ui *u, enum cmd cmd, int arg, int key);

/* ---- the debug session's words on screen ---- */
/* The session's message (s.msg) becomes the status line's. */
void ui_take_session_msg(struct ui *u);
/* "not in the run's vocabulary: 'Z', '1'" for a refused input. */
void ui_input_error(const struct ui *u, int status, const struct debug_input_error *why, char *buf,
                    size_t n);
static inline int session_head_off(const struct ui *u, int l, int h)
{ return debug_session_head_off(&u->s, l, h); }

/* ---- drawing helpers (draw.c) ---- */
void   draw_init_styles(struct ui *u, int want_color);
attr_t draw_attr(enum style s);
void   draw_fill(int y, int x, int w, enum style s);
/* An overlay: h x w cleared and framed with a line, at (y, x). */
void   draw_box(int y, int x, int h, int w);
/* Text clipped to w display columns; returns the columns used. */
int    draw_text(int y, int x, int w, enum style s, const char *text);
int    draw_textf(int y, int x, int w, enum style s, const char *fmt, ...)
       __attribute__((format(printf, 5, 6)));
void   draw_hline(const struct ui *u, int y, int x, int w, enum style s);
/* A number in exactly 7 columns: signed ("+0.1234") or not ("0.12345"). */
void   draw_fmt7(char out[16], double v, int nonneg);
/* The ramp style and shade glyph for v against the largest magnitude. */
enum style draw_ramp(double v, double vmax);
const char *draw_shade(const struct ui *u, double v, double vmax);
/* A horizontal bar of frac*w columns in eighths (UTF-8) or '#'. */
void   draw_bar(const struct ui *u, int y, int x, int w, double frac, enum style s);
/* Display width of a UTF-8 string. */
int    draw_width(const char *s);
const char *draw_glyph(const struct ui *u, const char *utf8, const char *ascii);

/* ---- the screen's geometry and the progress screen (screen.c) ---- */
void ui_layout(struct ui *u);
void ui_draw_too_small(const struct ui *u);
void ui_msg(struct ui *u, enum style s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Progress of a long load, drawn as a bar; returns 1 when q cancels it. */
int  ui_progress(void *ctx, const char *what, long done, long total, double loss);
#define UI_KEY_TIMEOUT_MS 250   /* how long a signal may wait to be noticed */

extern volatile sig_atomic_t ui_signal;   /* SIGINT/SIGTERM received */

#endif
