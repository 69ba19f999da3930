/* keys.c - the one key table: dispatch reads it, the help overlay prints
 * it, so help can never disagree with the bindings.
 *
 * gdb/pudb conventions: lower case goes forwards, capitals backwards. The
 * arrows ← and → step (the issue's table), so moving the selection within
 * a vector is h/l, and between rows j/k or ↑/↓. */
#include "config.h"

#include "ui_priv.h"

const struct keydef ui_keys[] = {
	{ 's',                 CMD_STEP,        0, "s  \u2192", "step to the next op", KS_DEBUG },
	{ UI_FN(KEY_RIGHT),    CMD_STEP,        0, NULL, NULL, KS_DEBUG },
	{ 'S',                 CMD_STEP_BACK,   0, "S  \u2190", "step back one op", KS_DEBUG },
	{ UI_FN(KEY_LEFT),     CMD_STEP_BACK,   0, NULL, NULL, KS_DEBUG },
	{ 'n',                 CMD_NEXT,        0, "n", "next op at the same level (over a head, a layer)", KS_DEBUG },
	{ 'N',                 CMD_NEXT_BACK,   0, "N", "previous op at the same level", KS_DEBUG },
	{ 'f',                 CMD_FINISH,      0, "f", "finish the current head, layer or position", KS_DEBUG },
	{ 'F',                 CMD_FINISH_BACK, 0, "F", "back to the start of the current group", KS_DEBUG },
	{ 'c',                 CMD_CONT,        0, "c", "continue to a breakpoint or the position's end", KS_DEBUG },
	{ 'C',                 CMD_CONT_BACK,   0, "C", "continue backwards", KS_DEBUG },
	{ 'b',                 CMD_BREAK,       0, "b", "breakpoint on this kind of op (toggle)", KS_DEBUG },
	{ 'B',                 CMD_BREAK_LIST,  0, "B", "list the breakpoints (d deletes one)", KS_DEBUG },
	{ '\t',                CMD_POS_NEXT,    0, "Tab", "the same op at the next position", KS_DEBUG },
	{ UI_FN(KEY_BTAB),     CMD_POS_PREV,    0, "S-Tab", "the same op at the previous position", KS_DEBUG },
	{ 'g',                 CMD_FIRST,       0, "g", "first op of the pass", KS_DEBUG },
	{ 'G',                 CMD_LAST,        0, "G", "last op of the pass", KS_DEBUG },
	{ ']',                 CMD_TRAIN_NEXT,  0, "]", "weights of the next training step", KS_DEBUG },
	{ '[',                 CMD_TRAIN_PREV,  0, "[", "weights of the previous training step", KS_DEBUG },
	{ '1',                 CMD_HEAD,        0, "1-9", "switch head 0-8 of the layer off or on", KS_DEBUG },
	{ '2',                 CMD_HEAD,        1, NULL, NULL, KS_DEBUG },
	{ '3',                 CMD_HEAD,        2, NULL, NULL, KS_DEBUG },
	{ '4',                 CMD_HEAD,        3, NULL, NULL, KS_DEBUG },
	{ '5',                 CMD_HEAD,        4, NULL, NULL, KS_DEBUG },
	{ '6',                 CMD_HEAD,        5, NULL, NULL, KS_DEBUG },
	{ '7',                 CMD_HEAD,        6, NULL, NULL, KS_DEBUG },
	{ '8',                 CMD_HEAD,        7, NULL, NULL, KS_DEBUG },
	{ '9',                 CMD_HEAD,        8, NULL, NULL, KS_DEBUG },
	{ '0',                 CMD_HEADS_ON,    0, "0", "all heads on", KS_DEBUG },
	{ 'x',                 CMD_SAMPLE,      0, "x", "sample the next character", KS_DEBUG },
	{ '<',                 CMD_TEMP_DOWN,   0, "<", "lower the sampling temperature", KS_DEBUG },
	{ '>',                 CMD_TEMP_UP,     0, ">", "raise the sampling temperature", KS_DEBUG },
	{ 'h',                 CMD_SEL_LEFT,    0, "h  l", "select the previous / next value", KS_DEBUG },
	{ 'l',                 CMD_SEL_RIGHT,   0, NULL, NULL, KS_DEBUG },
	{ 'k',                 CMD_SEL_UP,      0, "k  \u2191", "select a value in the row above", KS_DEBUG },
	{ UI_FN(KEY_UP),       CMD_SEL_UP,      0, NULL, NULL, KS_DEBUG },
	{ 'j',                 CMD_SEL_DOWN,    0, "j  \u2193", "select a value in the row below", KS_DEBUG },
	{ UI_FN(KEY_DOWN),     CMD_SEL_DOWN,    0, NULL, NULL, KS_DEBUG },
	{ UI_FN(KEY_HOME),     CMD_SEL_HOME,    0, "Home End", "first / last value of the op", KS_DEBUG },
	{ UI_FN(KEY_END),      CMD_SEL_END,     0, NULL, NULL, KS_DEBUG },
	{ 'i',                 CMD_EDIT,        0, "i", "edit the input text", KS_DEBUG },
	{ '?',                 CMD_HELP,        0, "?", "this help", KS_DEBUG },
	{ UI_CTRL('l'),        CMD_REDRAW,      0, "C-l", "redraw the screen", KS_DEBUG },
	{ 'q',                 CMD_QUIT,        0, "q", "quit", KS_DEBUG },
	{ UI_ESC,              CMD_CLOSE,       0, "Esc", "close help, the list or the editor", KS_DEBUG },
	{ 'R',                 CMD_RUNS,        0, "R", "the runs browser", KS_DEBUG },

	/* the runs browser */
	{ 'j',                 CMD_SEL_DOWN,    0, "j  \u2193", "next run", KS_RUNS },
	{ UI_FN(KEY_DOWN),     CMD_SEL_DOWN,    0, NULL, NULL, KS_RUNS },
	{ 'k',                 CMD_SEL_UP,      0, "k  \u2191", "previous run", KS_RUNS },
	{ UI_FN(KEY_UP),       CMD_SEL_UP,      0, NULL, NULL, KS_RUNS },
	{ UI_FN(KEY_NPAGE),    CMD_STEP100_NEXT, 0, "PgDn PgUp", "ten runs down / up", KS_RUNS },
	{ UI_FN(KEY_PPAGE),    CMD_STEP100_PREV, 0, NULL, NULL, KS_RUNS },
	{ UI_FN(KEY_HOME),     CMD_STEP_FIRST,  0, "Home End", "newest / oldest run", KS_RUNS },
	{ UI_FN(KEY_END),      CMD_STEP_LAST,   0, NULL, NULL, KS_RUNS },
	{ '\r',                CMD_OPEN,        0, "Enter", "open the run", KS_RUNS },
	{ '/',                 CMD_FILTER,      0, "/", "filter by name (empty: all)", KS_RUNS },
	{ 'r',                 CMD_RENAME,      0, "r", "rename the run", KS_RUNS },
	{ 'd',                 CMD_DELETE,      0, "d", "delete the run (asks first)", KS_RUNS },
	{ 't',                 CMD_TRAIN,       0, "t", "train a new run here", KS_RUNS },

	/* the run view */
	{ ']',                 CMD_TRAIN_NEXT,  0, "]  \u2192", "next training step", KS_RUN },
	{ UI_FN(KEY_RIGHT),    CMD_TRAIN_NEXT,  0, NULL, NULL, KS_RUN },
	{ '[',                 CMD_TRAIN_PREV,  0, "[  \u2190", "previous training step", KS_RUN },
	{ UI_FN(KEY_LEFT),     CMD_TRAIN_PREV,  0, NULL, NULL, KS_RUN },
	{ '}',                 CMD_STEP10_NEXT, 0, "}  {", "ten steps on / back", KS_RUN },
	{ '{',                 CMD_STEP10_PREV, 0, NULL, NULL, KS_RUN },
	{ UI_FN(KEY_NPAGE),    CMD_STEP100_NEXT, 0, "PgDn PgUp", "100 steps on / back", KS_RUN },
	{ UI_FN(KEY_PPAGE),    CMD_STEP100_PREV, 0, NULL, NULL, KS_RUN },
	{ UI_FN(KEY_HOME),     CMD_STEP_FIRST,  0, "Home End", "first (initial weights) / last step", KS_RUN },
	{ UI_FN(KEY_END),      CMD_STEP_LAST,   0, NULL, NULL, KS_RUN },
	{ ':',                 CMD_GOTO,        0, ":", "go to a step by number", KS_RUN },
	{ ' ',                 CMD_PLAY,        0, "Space", "play training forwards (any key stops)", KS_RUN },
	{ '-',                 CMD_PLAY_BACK,   0, "-", "play training backwards", KS_RUN },
	{ '\t',                CMD_POS_NEXT,    0, "Tab S-Tab", "probe position on / back", KS_RUN },
	{ UI_FN(KEY_BTAB),     CMD_POS_PREV,    0, NULL, NULL, KS_RUN },
	{ 'l',                 CMD_HEAD_NEXT,   0, "l  h", "next / previous head", KS_RUN },
	{ 'h',                 CMD_HEAD_PREV,   0, NULL, NULL, KS_RUN },
	{ 'i',                 CMD_EDIT,        0, "i", "the probe's text", KS_RUN },
	{ '\r',                CMD_OPEN,        0, "Enter", "the debugger at this step (q comes back)", KS_RUN },
	{ 'm',                 CMD_MARK,        0, "m", "mark this run; others compare with it", KS_RUNS | KS_RUN },
	{ 'p',                 CMD_PAUSE,       0, "p", "pause / go on training (a run trained here)", KS_RUN },

	/* both */
	{ '\n',                CMD_OPEN,        0, NULL, NULL, KS_RUNS | KS_RUN },
	{ UI_FN(KEY_ENTER),    CMD_OPEN,        0, NULL, NULL, KS_RUNS | KS_RUN },
	{ 'R',                 CMD_RUNS,        0, "R", "the runs browser", KS_RUN },
	{ '?',                 CMD_HELP,        0, "?", "this help", KS_RUNS | KS_RUN },
	{ UI_CTRL('l'),        CMD_REDRAW,      0, "C-l", "redraw the screen", KS_RUNS | KS_RUN },
	{ 'q',                 CMD_QUIT,        0, "q", "back to the runs (from a run), or quit", KS_RUNS | KS_RUN },
};
const int ui_n_keys = (int)(sizeof ui_keys / sizeof ui_keys[0]);

const struct keydef *
ui_key_lookup_in(int key, unsigned scope)
{
	int i;

	for (i = 0; i < ui_n_keys; i++)
		if (ui_keys[i].key == key && ui_key_serves(&ui_keys[i], scope))
			return &ui_keys[i];
	return NULL;
}

const struct keydef *
ui_key_lookup(int key)
{
	return ui_key_lookup_in(key, KS_DEBUG);
}
