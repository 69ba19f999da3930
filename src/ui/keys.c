/* keys.c - the one key table: dispatch reads it, the help overlay prints
 * it, so help can never disagree with the bindings.
 *
 * gdb/pudb conventions: lower case goes forwards, capitals backwards. The
 * arrows ← and → step (the table), so moving the selection within
 * a vector is h/l, and between rows j/k or ↑/↓. */
#include "config.h"

#include "ui_priv.h"

const struct keydef ui_keys[] = {
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
	{ '?',                 CMD_HELP,        0, "?", "this help" },
	{ UI_CTRL('l'),        CMD_REDRAW,      0, "C-l", "redraw the screen" },
	{ 'q',                 CMD_QUIT,        0, "q", "quit" },
	{ UI_ESC,              CMD_CLOSE,       0, "Esc", "close help, the list or the editor" },
};
const int ui_n_keys = (int)(sizeof ui_keys / sizeof ui_keys[0]);

const struct keydef *
ui_key_lookup(int key)
{
	int i;

	for (i = 0; i < ui_n_keys; i++)
		if (ui_keys[i].key == key)
			return &ui_keys[i];
	return NULL;
}
