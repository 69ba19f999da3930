/* SPDX-License-Identifier: MIT */
/* ui.c - the terminal: taking it and giving it back, the layout, the frame
 * around the views, the key loop.
 *
 * The terminal is restored on every way out: q, a fatal error (the xmalloc
 * hook ends curses before the message, as tig does), SIGINT and SIGTERM
 * (the handler only sets a flag; the loop sees it within one key timeout,
 * ends curses and re-raises the signal so the exit status tells). */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "replay_ui.h"
#include "ui_priv.h"
#include <term.h>   /* after curses.h: setupterm, del_curterm */
#undef lines        /* a terminfo macro; a parameter name here */
#include "xmalloc.h"

volatile sig_atomic_t ui_signal;

static SCREEN *screen;          /* non-NULL while curses owns the terminal */
static FILE *bench_in;          /* /dev/null, the benchmark's keyboard */
static struct sigaction old_int, old_term, old_hup;

static void
on_signal(int sig)
{
	ui_signal = sig;
}

static void
signals_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: a blocked read returns */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
}

static void
signals_restore(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
}

static void
ui_end(void)
{
	if (!screen)
		return;
	curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
}

static void
fatal_hook(void)
{
	ui_end();
}

/* Take the terminal on (in, out). -1 when the terminal type is unusable. */
static int
ui_start(struct ui *u, FILE *out, FILE *in, int no_color, char *err, size_t errlen)
{
	const char *nc = getenv("NO_COLOR");
	const char *cs;
	int tt = 0;

	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");   /* numbers with a point, as everywhere else */
	cs = nl_langinfo(CODESET);
	u->utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	/* newterm() leaks the screen it set up (ncurses 6.4, new_prescr)
	 * when the terminal type is unknown; setupterm() finds that out and
	 * frees what it took. */
	if (setupterm(NULL, fileno(out), &tt) == OK)
		del_curterm(cur_term);
	screen = tt == 1 ? newterm(NULL, out, in) : NULL;
	if (!screen) {
		const char *t = getenv("TERM");

		snprintf(err, errlen, "cannot use the terminal (TERM=%s)", t ? t : "unset");
		return -1;
	}
	xmalloc_fatal_hook = fatal_hook;
	set_term(screen);
	{
		/* a terminal that cannot place the cursor (TERM=dumb) cannot show this */
		char *cup = tigetstr("cup");

		if (!cup || cup == (char *)-1) {
			const char *t = getenv("TERM");

			ui_end();
			snprintf(err, errlen, "the terminal (TERM=%s) cannot move the cursor", t ? t : "unset");
			return -1;
		}
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	timeout(UI_KEY_TIMEOUT_MS);
	draw_init_styles(u, !no_color && !(nc && nc[0]));
	ui_layout(u);
	return 0;
}

static int
read_key(void)
{
	wint_t wc;
	int r = get_wch(&wc);

	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES)
		return UI_FN((int)wc);
	return (int)wc;
}

/* ---- the frame: it knows the views only through ui_views[] ---- */

static void
ui_draw(struct ui *u)
{
	const struct view *v = &ui_views[u->view];

	if (u->dirty) {
		clearok(curscr, TRUE);
		u->dirty = 0;
	}
	erase();
	if (u->too_small) {
		ui_draw_too_small(u);
		refresh();
		return;
	}
	if (v->flags & VF_OVERLAY)
		ui_views[u->under].draw(u);
	v->draw(u);
	refresh();
}

/* To view `to` (again, when it is shown: its open runs each time). */
static void
ui_switch(struct ui *u, int to)
{
	const struct view *v = &ui_views[to];

	if (to < 0 || to >= VIEW__COUNT || (v->open && v->open(u) < 0))
		return;
	if ((v->flags & VF_OVERLAY) && !(ui_views[u->view].flags & VF_OVERLAY)) {
		u->under = u->view;
		u->under_keys = ui_views[u->view].keys;
	}
	u->view = to;
}

static void
ui_react(struct ui *u, int r)
{
	if (r & UI_REPAINT)
		u->dirty = 1;
	if (r & UI_QUIT)
		u->quit = 1;
	if (r & UI_BACK)
		u->view = u->under;
	if (r & UI_SWITCH)
		ui_switch(u, r & UI_VIEW_MASK);
}

/* Translate one key into a command for the current view. */
static void
ui_key(struct ui *u, int key)
{
	const struct view *v = &ui_views[u->view];
	const struct keydef *kd;

	if (key == UI_FN(KEY_RESIZE)) {
		int i;

		ui_layout(u);
		for (i = 0; i < VIEW__COUNT; i++)
			if (ui_views[i].resize)
				ui_views[i].resize(u);
		return;
	}
	u->msg[0] = '\0';
	if (u->too_small) {
		if (key == 'q')
			u->quit = 1;
		else if (key == UI_CTRL('l'))
			u->dirty = 1;
		return;
	}
	if (!v->keys) {   /* text entry */
		ui_react(u, v->key(u, CMD_NONE, 0, key));
		return;
	}
	kd = keytab_lookup(v->keys, key);
	if (kd && kd->cmd == CMD_REDRAW) {
		u->dirty = 1;
		return;
	}
	ui_react(u, v->key(u, kd ? kd->cmd : CMD_NONE, kd ? kd->arg : 0, key));
}

/* The views' timers, whichever view is shown. */
static int
ui_tick(struct ui *u)
{
	int i, redraw = 0;

	for (i = 0; i < VIEW__COUNT; i++)
		if (ui_views[i].tick)
			redraw |= ui_views[i].tick(u);
	return redraw;
}

static int
ui_timeout(const struct ui *u)
{
	int i, t, ms = UI_KEY_TIMEOUT_MS;

	for (i = 0; i < VIEW__COUNT; i++)
		if (ui_views[i].wait_ms && (t = ui_views[i].wait_ms(u)) >= 0 && t < ms)
			ms = t;
	return ms;
}

static void
ui_free(struct ui *u)
{
	int i;

	for (i = 0; i < VIEW__COUNT; i++)
		if (ui_views[i].close)
			ui_views[i].close(u);
	free(u);
}

static struct ui *
ui_new(void)
{
	struct ui *u = xcalloc(1, sizeof *u);

	u->debug_back = u->runs_back = u->heads_back = -1;
	return u;
}

/* Draw, wait for a key (running the views' timers meanwhile), dispatch,
 * until q or a signal. */
static void
ui_loop(struct ui *u)
{
	int key = -1;

	while (!u->quit && !ui_signal) {
		ui_draw(u);
		for (;;) {
			timeout(ui_timeout(u));
			if ((key = read_key()) >= 0 || ui_signal)
				break;
			if (ui_tick(u))
				break;
		}
		if (key >= 0)
			ui_key(u, key);
	}
	timeout(UI_KEY_TIMEOUT_MS);
}

int
ui_replay(const struct replay_args *a, char *err, size_t errlen)
{
	struct ui *u = ui_new();
	int sig, view;

	ui_signal = 0;
	signals_catch();
	if (ui_start(u, stdout, stdin, a->no_color, err, errlen) < 0) {
		signals_restore();
		free(u);
		return UI_FAILED;
	}
	if ((view = replay_ui_open(u, a, err, errlen)) < 0) {
		ui_end();
		ui_free(u);
		signals_restore();
		return UI_FAILED;
	}
	ui_switch(u, view);
	ui_loop(u);
	ui_end();
	ui_free(u);
	signals_restore();
	if (!ui_signal)
		return 0;
	sig = ui_signal;
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}

int
ui_debug(struct debug_run *run, const struct ui_opts *o, char *err, size_t errlen)
{
	struct ui *u = ui_new();
	int sig, rc;

	u->run = run;
	ui_signal = 0;
	signals_catch();
	if (ui_start(u, stdout, stdin, o->no_color, err, errlen) < 0) {
		signals_restore();
		free(u);
		return UI_FAILED;
	}
	if ((rc = debug_run_load(run, ui_progress, u, err, errlen)) < 0) {
		ui_end();
		free(u);
		signals_restore();
		if (ui_signal)
			goto reraise;
		return rc == DEBUG_RUN_CANCELLED ? UI_OK : UI_FAILED;
	}
	if (view_debug_start(u, run, o->input ? o->input : "", err, errlen) < 0) {
		ui_end();
		ui_free(u);
		signals_restore();
		return UI_BAD_INPUT;
	}
	u->db = o->db;
	if (o->train_step > 0 && view_train_step_enter(u, o->train_step, 1, err, errlen) < 0) {
		ui_end();
		ui_free(u);
		signals_restore();
		return UI_FAILED;
	}
	ui_loop(u);
	ui_end();
	ui_free(u);
	signals_restore();
	if (!ui_signal)
		return UI_OK;
reraise:
	sig = ui_signal;
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}

/* ---- the benchmark's handle: the same screen on any stream ---- */

struct ui *
ui_bench_open(struct debug_run *run, const struct ui_opts *o, FILE *out, int cols, int lines)
{
	struct ui *u = ui_new();
	char err[512];
	FILE *in = bench_in = fopen("/dev/null", "r");

	u->run = run;
	if (!in || ui_start(u, out, in, o->no_color, err, sizeof err) < 0
	    || view_debug_start(u, run, o->input ? o->input : "", err, sizeof err) < 0
	    || (o->train_step > 0 && view_train_step_enter(u, o->train_step, 1, err, sizeof err) < 0)) {
		ui_end();
		fprintf(stderr, "bench: %s\n", in ? err : "/dev/null");
		exit(1);
	}
	ui_bench_resize(u, cols, lines);
	return u;
}

struct ui *
ui_replay_bench_open(const struct replay_args *a, FILE *out, int cols, int lines)
{
	struct ui *u = ui_new();
	char err[512];
	FILE *in = fopen("/dev/null", "r");
	int view = -1;

	if (!in || ui_start(u, out, in, a->no_color, err, sizeof err) < 0 ||
	    (view = replay_ui_open(u, a, err, sizeof err)) < 0) {
		ui_end();
		fprintf(stderr, "bench: %s\n", in ? err : "/dev/null");
		exit(1);
	}
	ui_switch(u, view);
	ui_bench_resize(u, cols, lines);
	ui_bench_settle(u);
	return u;
}

void
ui_bench_settle(struct ui *u)
{
	while (ui_timeout(u) == 0 && ui_tick(u))
		;
	ui_draw(u);
}

void
ui_bench_resize(struct ui *u, int cols, int lines)
{
	resize_term(lines, cols);
	ui_layout(u);
	ui_draw(u);
}

void
ui_bench_key(struct ui *u, int key)
{
	static const int fn[] = { KEY_RIGHT, KEY_LEFT, KEY_UP, KEY_DOWN, KEY_BTAB, KEY_HOME,
	                          KEY_END, KEY_BACKSPACE, KEY_DC, KEY_ENTER };

	if (key < 0 && key >= UI_BENCH_KEY__LAST)
		key = UI_FN(fn[-key - 1]);
	ui_key(u, key);
	ui_draw(u);
}

void
ui_bench_close(struct ui *u)
{
	ui_end();
	ui_free(u);
	if (bench_in)
		fclose(bench_in);
	bench_in = NULL;
}
