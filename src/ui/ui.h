/* SPDX-License-Identifier: MIT */
/* ui.h - the debugger screen, as the command line sees it.
 *
 * No curses here: only the files of src/ui include curses.h. cmd_debug.c parses the
 * flags and finds the run; ui_debug() takes the terminal, loads the weights
 * (training the default run when it must, with a progress bar), runs the
 * screen and gives the terminal back on every way out. */
#ifndef MGPT_UI_H
#define MGPT_UI_H

#include <stdio.h>

struct debug_run;

struct ui_opts {
	const char *input;  /* the text to feed after BOS */
	int no_color;       /* --no-color (NO_COLOR is read here too) */
	const char *db;     /* --db, for R (the runs browser); NULL: the default */
	long train_step;    /* --train-step: open inside this training step (0: none) */
};

/* How a screen ended; the command line words it and picks the exit status. */
enum ui_status {
	UI_OK = 0,          /* q (or a load cancelled) */
	UI_FAILED = -1,     /* err says why: the terminal, the database */
	UI_BAD_INPUT = -2,  /* --input refused: err says why */
};

/* Run the debugger on the terminal until q; a status, with one line in
 * err on failure (the terminal is given back first). A signal that ended
 * it is re-raised once the terminal is restored. */
int ui_debug(struct debug_run *run, const struct ui_opts *o, char *err, size_t errlen);

/* For the benchmark: the same screen drawn into a terminal on `out`
 * (for example /dev/null) at a given size, driven by keys, with no tty.
 * The run must be loaded. */
struct ui;
struct ui *ui_bench_open(struct debug_run *run, const struct ui_opts *o, FILE *out,
                         int cols, int lines);
void       ui_bench_key(struct ui *u, int key);   /* a key and the frame it causes */
void       ui_bench_resize(struct ui *u, int cols, int lines);
void       ui_bench_close(struct ui *u);
/* The replay screens the same way (a->db, a->spec); settle runs the
 * timers' pending work (the statistics) and draws. */
struct replay_args;
struct ui *ui_replay_bench_open(const struct replay_args *a, FILE *out, int cols, int lines);
void       ui_bench_settle(struct ui *u);
/* Keys the benchmark sends that are not characters. */
enum {
	UI_BENCH_KEY_RIGHT = -1, UI_BENCH_KEY_LEFT = -2, UI_BENCH_KEY_UP = -3,
	UI_BENCH_KEY_DOWN = -4, UI_BENCH_KEY_BTAB = -5, UI_BENCH_KEY_HOME = -6,
	UI_BENCH_KEY_END = -7, UI_BENCH_KEY_BACKSPACE = -8, UI_BENCH_KEY_DC = -9,
	UI_BENCH_KEY_ENTER = -10, UI_BENCH_KEY__LAST = -10
};

#endif
