/* SPDX-License-Identifier: MIT */
/* keys.c - the key tables, one per scope (the debugger, the runs browser,
 * the run view, what both replay views share): dispatch reads them, the
 * help overlay prints them, so help can never disagree with the bindings.
 *
 * gdb/pudb conventions: lower case goes forwards, capitals backwards. The
 * arrows ← and → step (the issue's table), so moving the selection within
 * a vector is h/l, and between rows j/k or ↑/↓. */
#include "config.h"

#include "ui_priv.h"

/* The debugger and its overlays. */
static const struct keydef keys_debug_rows[] = {
	{ 's',                 CMD_STEP,        0, "s  \u2192", "step to the next op" },
	{ UI_FN(KEY_RIGHT),    CMD_STEP,        0, NULL, NULL },
	{ 'S',                 CMD_STEP_BACK,   0, "S  \u2190", "step back one op" },
	{ UI_FN(KEY_LEFT),     CMD_STEP_BACK,   0, NULL, NULL },
	{ 'n',                 CMD_NEXT,        0, "n", "next op at the same level (over a head, a layer)" },
	{ 'N',                 CMD_NEXT_BACK,   0, "N", "previous op at the same level" },
	{ 'f',                 CMD_FINISH,      0, "f", "finish the current head, layer or position" },
	{ 'F',                 CMD_FINISH_BACK, 0, "F", "back to the start of the current group" },
	{ 'c',                 CMD_CONT,        0, "c", "continue to a breakpoint or the position's end" },
	{ 'C',                 CMD_CONT_BACK,   0, "C", "continue backwards" },
	{ 'b',                 CMD_BREAK,       0, "b", "breakpoint on this kind of op (toggle)" },
	{ 'B',                 CMD_BREAK_LIST,  0, "B", "list the breakpoints (d deletes one)" },
	{ '\t',                CMD_POS_NEXT,    0, "Tab", "the same op at the next position" },
	{ UI_FN(KEY_BTAB),     CMD_POS_PREV,    0, "S-Tab", "the same op at the previous position" },
	{ 'g',                 CMD_FIRST,       0, "g", "first op of the pass" },
	{ 'G',                 CMD_LAST,        0, "G", "last op of the pass" },
	{ ']',                 CMD_TRAIN_NEXT,  0, "]", "weights of the next training step" },
	{ '[',                 CMD_TRAIN_PREV,  0, "[", "weights of the previous training step" },
	{ '1',                 CMD_HEAD,        0, "1-9", "switch head 0-8 of the layer off or on" },
	{ '2',                 CMD_HEAD,        1, NULL, NULL },
	{ '3',                 CMD_HEAD,        2, NULL, NULL },
	{ '4',                 CMD_HEAD,        3, NULL, NULL },
	{ '5',                 CMD_HEAD,        4, NULL, NULL },
	{ '6',                 CMD_HEAD,        5, NULL, NULL },
	{ '7',                 CMD_HEAD,        6, NULL, NULL },
	{ '8',                 CMD_HEAD,        7, NULL, NULL },
	{ '9',                 CMD_HEAD,        8, NULL, NULL },
	{ '0',                 CMD_HEADS_ON,    0, "0", "all heads on" },
	{ 'x',                 CMD_SAMPLE,      0, "x", "sample the next character" },
	{ '<',                 CMD_TEMP_DOWN,   0, "<", "lower the sampling temperature" },
	{ '>',                 CMD_TEMP_UP,     0, ">", "raise the sampling temperature" },
	{ 'h',                 CMD_SEL_LEFT,    0, "h  l", "select the previous / next value" },
	{ 'l',                 CMD_SEL_RIGHT,   0, NULL, NULL },
	{ 'k',                 CMD_SEL_UP,      0, "k  \u2191", "select a value in the row above" },
	{ UI_FN(KEY_UP),       CMD_SEL_UP,      0, NULL, NULL },
	{ 'j',                 CMD_SEL_DOWN,    0, "j  \u2193", "select a value in the row below" },
	{ UI_FN(KEY_DOWN),     CMD_SEL_DOWN,    0, NULL, NULL },
	{ UI_FN(KEY_HOME),     CMD_SEL_HOME,    0, "Home End", "first / last value of the op" },
	{ UI_FN(KEY_END),      CMD_SEL_END,     0, NULL, NULL },
	{ 'i',                 CMD_EDIT,        0, "i", "edit the input text" },
	{ 'H',                 CMD_HEADS_VIEW,  0, "H", "the heads view: every head at one position" },
	{ 'o',                 CMD_PANE,        0, "o", "below 100 columns: the op's page or the outline and attention" },
	{ 'A',                 CMD_SWEEP,       0, "A", "the sweep: the losses with every subset of heads off" },
	{ 'T',                 CMD_TRAIN_STEP,  0, "T", "step into a training step: its loss, backward and Adam update" },
	{ '?',                 CMD_HELP,        0, "?", "this help" },
	{ UI_CTRL('l'),        CMD_REDRAW,      0, "C-l", "redraw the screen" },
	{ 'q',                 CMD_QUIT,        0, "q", "quit (inside a training step: leave it)" },
	{ UI_ESC,              CMD_CLOSE,       0, "Esc", "close help, the list or the editor" },
	{ 'R',                 CMD_RUNS,        0, "R", "the runs browser" },
};
const struct keytab keys_debug = {
	"debugger", keys_debug_rows, (int)(sizeof keys_debug_rows / sizeof keys_debug_rows[0]), NULL
};

/* The heads view. */
static const struct keydef keys_heads_rows[] = {
	{ UI_FN(KEY_LEFT),     CMD_STEP_BACK,   0, "\u2190  \u2192", "the previous / next position" },
	{ UI_FN(KEY_RIGHT),    CMD_STEP,        0, NULL, NULL },
	{ 'h',                 CMD_STEP_BACK,   0, "h  l", "the previous / next position" },
	{ 'l',                 CMD_STEP,        0, NULL, NULL },
	{ '1',                 CMD_HEAD,        0, "1-9", "switch head 0-8 off or on (layer by layer)" },
	{ '2',                 CMD_HEAD,        1, NULL, NULL },
	{ '3',                 CMD_HEAD,        2, NULL, NULL },
	{ '4',                 CMD_HEAD,        3, NULL, NULL },
	{ '5',                 CMD_HEAD,        4, NULL, NULL },
	{ '6',                 CMD_HEAD,        5, NULL, NULL },
	{ '7',                 CMD_HEAD,        6, NULL, NULL },
	{ '8',                 CMD_HEAD,        7, NULL, NULL },
	{ '9',                 CMD_HEAD,        8, NULL, NULL },
	{ '0',                 CMD_HEADS_ON,    0, "0", "all heads on" },
	{ 'j',                 CMD_SEL_DOWN,    0, "j  k", "select the next / previous head (the one P patches)" },
	{ UI_FN(KEY_DOWN),     CMD_SEL_DOWN,    0, NULL, NULL },
	{ 'k',                 CMD_SEL_UP,      0, NULL, NULL },
	{ UI_FN(KEY_UP),       CMD_SEL_UP,      0, NULL, NULL },
	{ 'P',                 CMD_PATCH,       0, "P", "patch: the selected head's output here taken from another text (empty: off)" },
	{ 'T',                 CMD_HEATMAP,     0, "T", "every head's attention over the whole input (h l page when not all fit)" },
	{ 'L',                 CMD_LENS,        0, "L", "the logit lens in the prediction's place (always shown when there is room)" },
	{ 'A',                 CMD_SWEEP,       0, "A", "the sweep: the losses with every subset of heads off" },
	{ '?',                 CMD_HELP,        0, "?", "this help" },
	{ UI_CTRL('l'),        CMD_REDRAW,      0, "C-l", "redraw the screen" },
	{ 'H',                 CMD_HEADS_VIEW,  0, "H  q", "back to the debugger (or the run view it was opened from)" },
	{ 'q',                 CMD_QUIT,        0, NULL, NULL },
	{ UI_ESC,              CMD_CLOSE,       0, "Esc", "close help" },
};
const struct keytab keys_heads = {
	"heads", keys_heads_rows, (int)(sizeof keys_heads_rows / sizeof keys_heads_rows[0]), NULL
};

/* The sweep. */
static const struct keydef keys_sweep_rows[] = {
	{ 'j',                 CMD_SEL_DOWN,    0, "j  \u2193", "the next row" },
	{ UI_FN(KEY_DOWN),     CMD_SEL_DOWN,    0, NULL, NULL },
	{ 'k',                 CMD_SEL_UP,      0, "k  \u2191", "the previous row" },
	{ UI_FN(KEY_UP),       CMD_SEL_UP,      0, NULL, NULL },
	{ '\r',                CMD_OPEN,        0, "Enter", "switch the row's heads off (and the others on), back" },
	{ '\n',                CMD_OPEN,        0, NULL, NULL },
	{ UI_FN(KEY_ENTER),    CMD_OPEN,        0, NULL, NULL },
	{ '?',                 CMD_HELP,        0, "?", "this help" },
	{ UI_CTRL('l'),        CMD_REDRAW,      0, "C-l", "redraw the screen" },
	{ 'q',                 CMD_QUIT,        0, "q  A", "back (cancels a sweep still running)" },
	{ 'A',                 CMD_SWEEP,       0, NULL, NULL },
	{ UI_ESC,              CMD_CLOSE,       0, "Esc", "close help, or back" },
};
const struct keytab keys_sweep = {
	"sweep", keys_sweep_rows, (int)(sizeof keys_sweep_rows / sizeof keys_sweep_rows[0]), NULL
};

/* Both replay views, after their own rows. */
static const struct keydef keys_replay_rows[] = {
	{ '\n',                CMD_OPEN,        0, NULL, NULL },
	{ UI_FN(KEY_ENTER),    CMD_OPEN,        0, NULL, NULL },
	{ '?',                 CMD_HELP,        0, "?", "this help" },
	{ UI_CTRL('l'),        CMD_REDRAW,      0, "C-l", "redraw the screen" },
	{ 'q',                 CMD_QUIT,        0, "q", "back to the runs (from a run), or quit" },
};
const struct keytab keys_replay = {
	"replay", keys_replay_rows, (int)(sizeof keys_replay_rows / sizeof keys_replay_rows[0]), NULL
};

/* The runs browser. */
static const struct keydef keys_runs_rows[] = {
	{ 'j',                 CMD_SEL_DOWN,    0, "j  \u2193", "next run" },
	{ UI_FN(KEY_DOWN),     CMD_SEL_DOWN,    0, NULL, NULL },
	{ 'k',                 CMD_SEL_UP,      0, "k  \u2191", "previous run" },
	{ UI_FN(KEY_UP),       CMD_SEL_UP,      0, NULL, NULL },
	{ UI_FN(KEY_NPAGE),    CMD_STEP100_NEXT, 0, "PgDn PgUp", "ten runs down / up" },
	{ UI_FN(KEY_PPAGE),    CMD_STEP100_PREV, 0, NULL, NULL },
	{ UI_FN(KEY_HOME),     CMD_STEP_FIRST,  0, "Home End", "newest / oldest run" },
	{ UI_FN(KEY_END),      CMD_STEP_LAST,   0, NULL, NULL },
	{ '\r',                CMD_OPEN,        0, "Enter", "open the run" },
	{ '/',                 CMD_FILTER,      0, "/", "filter by name (empty: all)" },
	{ 'r',                 CMD_RENAME,      0, "r", "rename the run" },
	{ 'd',                 CMD_DELETE,      0, "d", "delete the run (asks first)" },
	{ 't',                 CMD_TRAIN,       0, "t", "train a new run here" },
	{ 'm',                 CMD_MARK,        0, "m", "mark this run; others compare with it" },
};
const struct keytab keys_runs = {
	"runs", keys_runs_rows, (int)(sizeof keys_runs_rows / sizeof keys_runs_rows[0]), &keys_replay
};

/* The run view. */
static const struct keydef keys_run_rows[] = {
	{ ']',                 CMD_TRAIN_NEXT,  0, "]  \u2192", "next training step" },
	{ UI_FN(KEY_RIGHT),    CMD_TRAIN_NEXT,  0, NULL, NULL },
	{ '[',                 CMD_TRAIN_PREV,  0, "[  \u2190", "previous training step" },
	{ UI_FN(KEY_LEFT),     CMD_TRAIN_PREV,  0, NULL, NULL },
	{ '}',                 CMD_STEP10_NEXT, 0, "}  {", "ten steps on / back" },
	{ '{',                 CMD_STEP10_PREV, 0, NULL, NULL },
	{ UI_FN(KEY_NPAGE),    CMD_STEP100_NEXT, 0, "PgDn PgUp", "100 steps on / back" },
	{ UI_FN(KEY_PPAGE),    CMD_STEP100_PREV, 0, NULL, NULL },
	{ UI_FN(KEY_HOME),     CMD_STEP_FIRST,  0, "Home End", "first (initial weights) / last step" },
	{ UI_FN(KEY_END),      CMD_STEP_LAST,   0, NULL, NULL },
	{ ':',                 CMD_GOTO,        0, ":", "go to a step by number" },
	{ ' ',                 CMD_PLAY,        0, "Space", "play training forwards (any key stops)" },
	{ '-',                 CMD_PLAY_BACK,   0, "-", "play training backwards" },
	{ '\t',                CMD_POS_NEXT,    0, "Tab S-Tab", "probe position on / back" },
	{ UI_FN(KEY_BTAB),     CMD_POS_PREV,    0, NULL, NULL },
	{ 'l',                 CMD_HEAD_NEXT,   0, "l  h", "next / previous head" },
	{ 'h',                 CMD_HEAD_PREV,   0, NULL, NULL },
	{ 'i',                 CMD_EDIT,        0, "i", "the probe's text" },
	{ '\r',                CMD_OPEN,        0, "Enter", "the debugger at this step (q comes back)" },
	{ 'T',                 CMD_TRAIN_STEP,  0, "T", "step into this training step in the debugger (q comes back)" },
	{ 'm',                 CMD_MARK,        0, "m", "mark this run; others compare with it" },
	{ 'p',                 CMD_PAUSE,       0, "p", "pause / go on training (a run trained here)" },
	{ 'R',                 CMD_RUNS,        0, "R", "the runs browser" },
	{ 'A',                 CMD_SWEEP,       0, "A", "dataset loss with each head off over training, for the statistics (again: back)" },
	{ 'x',                 CMD_LOG_X,       0, "x", "the loss curve's steps on a log axis (again: linear)" },
	{ 'H',                 CMD_HEADS_VIEW,  0, "H", "the heads view at this step (q comes back)" },
	{ 'g',                 CMD_GRAD_SET,    0, "g", "per head: the attention's statistics or the gradient's (both when wide)" },
};
const struct keytab keys_run = {
	"run", keys_run_rows, (int)(sizeof keys_run_rows / sizeof keys_run_rows[0]), &keys_replay
};

const struct keydef *
keytab_lookup(const struct keytab *t, int key)
{
	int i;

	for (; t; t = t->next)
		for (i = 0; i < t->n; i++)
			if (t->rows[i].key == key)
				return &t->rows[i];
	return NULL;
}
