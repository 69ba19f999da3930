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

#include "cli.h"
#include "probe.h"
#include "replay_ui.h"
#include "ui_priv.h"
#include <term.h>   /* after curses.h: setupterm, del_curterm */
#undef lines        /* a terminfo macro; a parameter name here */
#include "xmalloc.h"

#define KEY_TIMEOUT_MS 250   /* how long a signal may wait to be noticed */

const struct view ui_views[VIEW__COUNT] = {
	[VIEW_DEBUG]  = { "debug", view_debug_draw, view_debug_key, KS_DEBUG, 0, 0 },
	[VIEW_HELP]   = { "help", view_help_draw, view_help_key, KS_DEBUG, 0, 0 },
	[VIEW_BREAKS] = { "breakpoints", view_breaks_draw, view_breaks_key, KS_DEBUG, 0, 0 },
	[VIEW_EDIT]   = { "input", view_edit_draw, view_edit_key, KS_DEBUG, 0, 0 },
	/* the replay screens (replay_ui.h) */
	[VIEW_RUNS]   = { "runs", view_runs_draw, view_runs_key, KS_RUNS, 1, 0 },
	[VIEW_RUN]    = { "run", view_run_draw, view_run_key, KS_RUN, 1, 0 },
	[VIEW_FORM]   = { "train", view_form_draw, view_form_key, KS_RUNS, 1, 1 },
	[VIEW_PROMPT] = { "prompt", view_prompt_draw, view_prompt_key, KS_RUN, 1, 1 },
};

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
	timeout(KEY_TIMEOUT_MS);
	draw_init_styles(u, !no_color && !(nc && nc[0]));
	ui_layout(u);
	return 0;
}

void
ui_msg(struct ui *u, enum style s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof u->msg, fmt, ap);
	va_end(ap);
	u->msg_style = s;
}

/* The one place that knows where everything goes. */
void
ui_layout(struct ui *u)
{
	int f, side;

	getmaxyx(stdscr, u->rows, u->cols);
	u->too_small = u->cols < UI_MIN_COLS || u->rows < UI_MIN_ROWS;
	if (u->too_small)
		return;
	f = u->rows >= 50 ? 6 : u->rows >= 36 ? 5 : u->rows >= 30 ? 4 : 3;
	side = u->cols >= 150 && u->rows >= 30 ? 34 : 0;
	u->title = (struct rect){ 0, 0, 1, u->cols };
	u->tokens_r = (struct rect){ 1, 0, 1, u->cols };
	u->opline = (struct rect){ 2, 0, 1, u->cols };
	u->status = (struct rect){ u->rows - 1, 0, 1, u->cols };
	u->formula = (struct rect){ u->rows - 1 - f, 1, f, u->cols - 2 };
	u->outline = (struct rect){ 3, 0, u->rows - 3 - f - 2, side };
	u->body = (struct rect){ 3, side ? side + 2 : 0, u->rows - 3 - f - 2,
	                         u->cols - (side ? side + 2 : 0) };
}

static void
draw_too_small(const struct ui *u)
{
	char need[64];
	int y = u->rows / 2 - 1;

	snprintf(need, sizeof need, "need %dx%d, have %dx%d", UI_MIN_COLS, UI_MIN_ROWS, u->cols, u->rows);
	if (y < 0)
		y = 0;
	draw_text(y, (u->cols - 18) / 2 > 0 ? (u->cols - 18) / 2 : 0, u->cols, ST_ERR, "terminal too small");
	if (y + 1 < u->rows)
		draw_text(y + 1, (u->cols - (int)strlen(need)) / 2 > 0 ? (u->cols - (int)strlen(need)) / 2 : 0,
		    u->cols, ST_NORMAL, need);
	if (y + 2 < u->rows)
		draw_text(y + 2, (u->cols - 6) / 2 > 0 ? (u->cols - 6) / 2 : 0, u->cols, ST_DIM, "q quit");
}

static void
draw_title(const struct ui *u)
{
	const struct rect *r = &u->title;
	char heads[128], buf[512];
	int x;

	draw_fill(r->y, r->x, r->w, ST_TITLE);
	if (u->tr.head_mask) {
		char hb[96];

		probe_format_heads(u->tr.head_mask, &u->cfg, hb, sizeof hb);
		snprintf(heads, sizeof heads, "off: %s", hb);
	} else
		snprintf(heads, sizeof heads, "all heads on");
	snprintf(buf, sizeof buf, " mgpt-tui  %s%s  step %ld/%ld  %s  T %.2f", u->run->name,
	    u->run->trained_here ? " (trained now)" : "", debug_run_step(u->run), u->run->steps_done,
	    heads, u->temperature);
	x = draw_text(r->y, r->x, r->w, ST_TITLE, buf);
	if (r->w - x > 8)
		draw_text(r->y, r->w - 8, 8, ST_TITLE, "? help ");
}

static void
draw_tokens(const struct ui *u)
{
	const struct rect *r = &u->tokens_r;
	const struct op *op = stepper_op(&u->st);
	int x = 0, t, cur = op ? op->pos : -1;
	char c[16], right[64];

	x += draw_text(r->y, r->x, r->w, ST_LABEL, "input ");
	for (t = 0; t < u->tr.n_pos && x < r->w - 20; t++) {
		const char *s = t == 0 ? "BOS" : dataset_tokstr(u->ds, u->tr.token[t], c, "BOS");
		enum style st = t == cur ? ST_CUR : t > u->n_typed ? ST_MARK : ST_NORMAL;

		x += draw_text(r->y, r->x + x, 1, ST_NORMAL, " ");
		x += draw_text(r->y, r->x + x, r->w - x, st, s);
	}
	if (u->n_fed < u->n_input) {
		x += draw_text(r->y, r->x + x, r->w - x, ST_ERR, draw_glyph(u, "  \u2702 ", "  |cut| "));
		for (t = u->n_fed; t < u->n_input && x < r->w - 20; t++) {
			c[utf8_put(c, u->input[t])] = '\0';
			x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, c);
		}
	}
	if (op) {
		int tg = u->tr.target[op->pos];

		snprintf(right, sizeof right, "pos %d/%d  next %s%s%s", op->pos, u->tr.n_pos - 1,
		    tg >= 0 ? "'" : "", tg >= 0 ? dataset_tokstr(u->ds, tg, c, "BOS") : "?", tg >= 0 ? "'" : "");
		if (tg == u->cfg.vocab_size - 1)
			snprintf(right, sizeof right, "pos %d/%d  next BOS", op->pos, u->tr.n_pos - 1);
		draw_text(r->y, r->w - draw_width(right) - 1, draw_width(right), ST_DIM, right);
	}
}

static void
draw_opline(const struct ui *u)
{
	const struct rect *r = &u->opline;
	const struct op *op = stepper_op(&u->st);
	char lab[96], right[64];
	int x = 0, brk;

	if (!op)
		return;
	brk = stepper_is_break(&u->st, op);
	op_label(op, lab, sizeof lab);
	x += draw_text(r->y, r->x, 2, ST_BREAK, brk ? draw_glyph(u, "\u25cf ", "* ") : "  ");
	x += draw_text(r->y, r->x + x, r->w - x, ST_LABEL, lab);
	if (brk)
		x += draw_text(r->y, r->x + x, r->w - x, ST_BREAK, "  (breakpoint)");
	snprintf(right, sizeof right, "op %d of %d%s", u->st.cur + 1, u->st.n_ops,
	    u->st.n_breaks ? "" : "");
	if (u->st.n_breaks)
		snprintf(right, sizeof right, "%d break%s  op %d of %d", u->st.n_breaks,
		    u->st.n_breaks == 1 ? "" : "s", u->st.cur + 1, u->st.n_ops);
	draw_text(r->y, r->w - draw_width(right) - 1, draw_width(right), ST_DIM, right);
}

/* The ops of the current position, as a debugger's source window, and
 * under them the breakpoints. */
static void
draw_outline(const struct ui *u)
{
	const struct rect *r = &u->outline;
	const struct op *cur = stepper_op(&u->st);
	int per, first, top, i, y, h, x;
	char c[16], c2[16];

	if (r->w <= 0 || !cur)
		return;
	for (y = 0; y < r->h; y++)
		draw_text(r->y + y, r->x + r->w, 1, ST_RULE, draw_glyph(u, "\u2502", "|"));
	per = stepper_ops_per_pos(&u->cfg);
	first = cur->pos * per;
	{
		int tg = u->tr.target[cur->pos];

		draw_textf(r->y, r->x + 1, r->w - 1, ST_LABEL, "position %d: %s %s %s", cur->pos,
		    cur->pos == 0 ? "BOS" : dataset_tokstr(u->ds, u->tr.token[cur->pos], c, "BOS"),
		    draw_glyph(u, "\u2192", "->"),
		    tg < 0 ? "?" : tg == u->cfg.vocab_size - 1 ? "BOS" : dataset_tokstr(u->ds, tg, c2, "BOS"));
	}
	/* the ops, then the breakpoints when there is room for both */
	h = r->h - 2;
	if (u->st.n_breaks && h - per >= u->st.n_breaks + 2)
		h = per;
	else if (u->st.n_breaks && h > 12)
		h -= u->st.n_breaks + 2 < h / 2 ? u->st.n_breaks + 2 : h / 2;
	top = u->st.cur - first - h / 2;
	if (top > per - h)
		top = per - h;
	if (top < 0)
		top = 0;
	for (y = 0; y < h && top + y < per; y++) {
		const struct op *op = &u->st.ops[first + top + y];
		char lab[64];
		int depth = op_depth(op->kind);

		i = first + top + y;
		if (op->head >= 0)
			snprintf(lab, sizeof lab, "H%d %s", op->head, op_name(op->kind));
		else if (op->layer >= 0)
			snprintf(lab, sizeof lab, "L%d %s", op->layer, op_name(op->kind));
		else
			snprintf(lab, sizeof lab, "%s", op_name(op->kind));
		if (stepper_is_break(&u->st, op))
			draw_text(r->y + 2 + y, r->x, 1, ST_BREAK, draw_glyph(u, "\u25cf", "*"));
		x = 3 + 2 * depth;
		if (i == u->st.cur) {
			draw_text(r->y + 2 + y, r->x + 1, 1, ST_CUR, draw_glyph(u, "\u25b6", ">"));
			draw_fill(r->y + 2 + y, r->x + x, r->w - x, ST_CUR);
			draw_text(r->y + 2 + y, r->x + x, r->w - x, ST_CUR, lab);
		} else
			draw_text(r->y + 2 + y, r->x + x, r->w - x, depth == 2 && session_head_off(u, op->layer, op->head)
			    ? ST_OFF : ST_NORMAL, lab);
	}
	if (!u->st.n_breaks || r->h - 2 - h < 3)
		return;
	y = r->y + 2 + h + 1;
	draw_textf(y++, r->x + 1, r->w - 1, ST_LABEL, "breakpoints (%d)", u->st.n_breaks);
	for (i = 0; i < u->st.n_breaks && y < r->y + r->h; i++, y++) {
		char lab[96], *at;

		op_label(&u->st.breaks[i], lab, sizeof lab);
		if ((at = strstr(lab, " @")))
			*at = '\0';
		draw_textf(y, r->x + 1, r->w - 1, ST_BREAK, "%s %s", draw_glyph(u, "\u25cf", "*"), lab);
	}
}

static void
draw_status(const struct ui *u)
{
	/* in screen order; the lowest priorities go first when space is short */
	static const struct { const char *k, *d; int prio; } hints[] = {
		{ "s/S", "step", 0 }, { "n/N", "next", 1 }, { "f/F", "finish", 2 }, { "c/C", "cont", 4 },
		{ "b", "break", 3 }, { "Tab", "pos", 5 }, { "1-9", "heads", 2 }, { "x", "sample", 3 },
		{ "i", "input", 4 }, { "?", "help", 0 }, { "q", "quit", 0 },
	};
	const int n = (int)(sizeof hints / sizeof hints[0]);
	const struct rect *r = &u->status;
	int i, x = 0, p, need;

	if (u->msg[0]) {
		draw_text(r->y, r->x, r->w, u->msg_style, u->msg);
		return;
	}
	for (p = 5; p > 0; p--) {
		for (need = 0, i = 0; i < n; i++)
			if (hints[i].prio <= p)
				need += draw_width(hints[i].k) + 1 + draw_width(hints[i].d) + 2;
		if (need - 2 <= r->w)
			break;
	}
	for (i = 0; i < n; i++) {
		if (hints[i].prio > p)
			continue;
		x += draw_text(r->y, r->x + x, r->w - x, ST_KEY, hints[i].k);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, " ");
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, hints[i].d);
		x += draw_text(r->y, r->x + x, r->w - x, ST_DIM, "  ");
	}
}

void
ui_draw(struct ui *u)
{
	if (u->dirty) {
		clearok(curscr, TRUE);
		u->dirty = 0;
	}
	erase();
	if (u->too_small) {
		draw_too_small(u);
		refresh();
		return;
	}
	if (ui_views[u->view].whole || (u->view == VIEW_HELP && ui_views[u->help_from].whole)) {
		ui_views[u->view].draw(u);
		refresh();
		return;
	}
	draw_title(u);
	draw_tokens(u);
	draw_opline(u);
	draw_outline(u);
	draw_hline(u, u->formula.y - 1, 0, u->cols, ST_RULE);
	draw_status(u);
	ui_views[u->view].draw(u);
	refresh();
}

int
ui_progress(void *ctx, const char *what, long done, long total, double loss)
{
	struct ui *u = ctx;
	int w, x0, y0, bw, ch;
	char line[128];

	timeout(0);   /* poll: the load goes on between calls */
	while ((ch = getch()) != ERR) {
		if (ch == 'q' || ch == UI_CTRL('c')) {
			timeout(KEY_TIMEOUT_MS);
			return 1;
		}
		if (ch == KEY_RESIZE)
			ui_layout(u);
	}
	timeout(KEY_TIMEOUT_MS);
	if (ui_signal)
		return 1;
	erase();
	if (u->too_small) {
		draw_too_small(u);
		refresh();
		return 0;
	}
	w = u->cols - 20 > 60 ? 60 : u->cols - 20;
	x0 = (u->cols - w) / 2;
	y0 = u->rows / 2 - 3;
	draw_text(y0, x0, w, ST_LABEL, what);
	draw_text(y0 + 1, x0, w, ST_DIM, u->run && u->run->trained_here && done <= total
	    ? "bundled names, seed 42: the reference's default run" : "");
	bw = w - 2;
	draw_text(y0 + 3, x0, 1, ST_RULE, "[");
	draw_bar(u, y0 + 3, x0 + 1, bw, total ? (double)done / (double)total : 1.0, ST_BAR);
	draw_text(y0 + 3, x0 + 1 + bw, 1, ST_RULE, "]");
	if (isnan(loss))
		snprintf(line, sizeof line, "step %ld of %ld", done, total);
	else
		snprintf(line, sizeof line, "step %ld of %ld   loss %.4f", done, total, loss);
	draw_text(y0 + 4, x0, w, ST_NORMAL, line);
	draw_text(y0 + 6, x0, w, ST_DIM, "q cancels");
	refresh();
	return 0;
}

/* R: the runs browser, from anywhere; from the debugger of `mgpt-tui
 * debug` it opens the database the debugger was given. */
static void
ui_open_runs(struct ui *u)
{
	struct replay_args a;
	char path[4096], err[512];

	if (!u->rp) {
		memset(&a, 0, sizeof a);
		a.db = u->db ? u->db : store_default_path(path, sizeof path);
		if (replay_ui_open(u, &a, err, sizeof err) < 0) {
			replay_ui_close(u);
			ui_msg(u, ST_ERR, "%s", err);
		}
		return;
	}
	if (u->rp->in_debugger)
		u->rp->in_debugger = 0;
	replay_show_runs(u);
}

/* Translate one key into a command for the current view. */
static void
ui_key(struct ui *u, int key)
{
	const struct keydef *kd;

	if (key == UI_FN(KEY_RESIZE)) {
		ui_layout(u);
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
	if (u->view == VIEW_EDIT || ui_views[u->view].text) {
		ui_views[u->view].key(u, CMD_NONE, 0, key);
		return;
	}
	kd = ui_key_lookup_in(key, ui_views[u->view].scope);
	if (kd && kd->cmd == CMD_REDRAW) {
		u->dirty = 1;
		return;
	}
	if (kd && kd->cmd == CMD_HELP && u->view != VIEW_HELP) {
		u->help_from = u->view;
		u->help_top = 0;
		u->view = VIEW_HELP;
		return;
	}
	if (kd && kd->cmd == CMD_RUNS && u->view != VIEW_HELP) {
		ui_open_runs(u);
		return;
	}
	/* q in a debugger opened from the run view goes back to it */
	if (kd && kd->cmd == CMD_QUIT && u->view == VIEW_DEBUG && u->rp && u->rp->in_debugger) {
		replay_debugger_done(u);
		return;
	}
	ui_views[u->view].key(u, kd ? kd->cmd : CMD_NONE, kd ? kd->arg : 0, key);
}

void
ui_default_key(struct ui *u, enum cmd cmd)
{
	if (cmd == CMD_REDRAW)
		u->dirty = 1;
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

static void
ui_free(struct ui *u)
{
	replay_ui_close(u);
	session_free(u);
	if (u->own_run) {
		debug_run_close(u->run);
		free(u->run);
	}
	free(u);
}

/* Draw, wait for a key (running the replay views' timers meanwhile),
 * dispatch, until q or a signal. */
static void
ui_loop(struct ui *u)
{
	int key = -1, t;

	while (!u->quit && !ui_signal) {
		ui_draw(u);
		for (;;) {
			t = replay_ui_timeout(u);
			timeout(t < 0 || t > KEY_TIMEOUT_MS ? KEY_TIMEOUT_MS : t);
			if ((key = read_key()) >= 0 || ui_signal)
				break;
			if (replay_ui_tick(u))
				break;
		}
		if (key >= 0)
			ui_key(u, key);
	}
	timeout(KEY_TIMEOUT_MS);
}

int
ui_debug_switch(struct ui *u, const char *db, const char *spec, long step, const char *input,
    char *err, size_t errlen)
{
	struct debug_run *r = xcalloc(1, sizeof *r);

	if (debug_run_open(r, db, spec, step, err, errlen) < 0) {
		free(r);
		return -1;
	}
	if (debug_run_load(r, ui_progress, u, err, errlen) < 0) {
		debug_run_close(r);
		free(r);
		return -1;
	}
	session_free(u);
	if (u->own_run) {
		debug_run_close(u->run);
		free(u->run);
	}
	u->run = r;
	u->own_run = 1;
	if (session_init(u, r, input, err, errlen) < 0)
		return session_init(u, r, "", err, errlen);
	return 0;
}

int
ui_replay(const struct replay_args *a)
{
	struct ui *u = xcalloc(1, sizeof *u);
	char err[512];
	int sig;

	ui_signal = 0;
	signals_catch();
	if (ui_start(u, stdout, stdin, a->no_color, err, sizeof err) < 0) {
		signals_restore();
		free(u);
		cli_error("%s", err);
		return 1;
	}
	if (replay_ui_open(u, a, err, sizeof err) < 0) {
		ui_end();
		ui_free(u);
		signals_restore();
		cli_error("%s", err);
		return 1;
	}
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
ui_debug(struct debug_run *run, const struct ui_opts *o)
{
	struct ui *u = xcalloc(1, sizeof *u);
	char err[512];
	int status = 0, sig;

	u->run = run;
	ui_signal = 0;
	signals_catch();
	if (ui_start(u, stdout, stdin, o->no_color, err, sizeof err) < 0) {
		signals_restore();
		free(u);
		cli_error("%s", err);
		return 1;
	}
	if (debug_run_load(run, ui_progress, u, err, sizeof err) < 0) {
		ui_end();
		free(u);
		signals_restore();
		if (ui_signal)
			goto reraise;
		if (!strcmp(err, "cancelled"))
			return 0;
		cli_error("%s", err);
		return 1;
	}
	if (session_init(u, run, o->input ? o->input : "", err, sizeof err) < 0) {
		ui_end();
		ui_free(u);
		signals_restore();
		cli_error("--input: %s", err);
		return EXIT_USAGE;
	}
	u->db = o->db;
	ui_loop(u);
	ui_end();
	ui_free(u);
	signals_restore();
	if (!ui_signal)
		return status;
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
	struct ui *u = xcalloc(1, sizeof *u);
	char err[512];
	FILE *in = bench_in = fopen("/dev/null", "r");

	u->run = run;
	if (!in || ui_start(u, out, in, o->no_color, err, sizeof err) < 0
	    || session_init(u, run, o->input ? o->input : "", err, sizeof err) < 0) {
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
	struct ui *u = xcalloc(1, sizeof *u);
	char err[512];
	FILE *in = fopen("/dev/null", "r");

	if (!in || ui_start(u, out, in, a->no_color, err, sizeof err) < 0 ||
	    replay_ui_open(u, a, err, sizeof err) < 0) {
		ui_end();
		fprintf(stderr, "bench: %s\n", in ? err : "/dev/null");
		exit(1);
	}
	ui_bench_resize(u, cols, lines);
	ui_bench_settle(u);
	return u;
}

void
ui_bench_settle(struct ui *u)
{
	while (replay_ui_timeout(u) == 0 && replay_ui_tick(u))
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
