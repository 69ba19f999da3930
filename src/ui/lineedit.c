/* SPDX-License-Identifier: MIT */
/* lineedit.c - a one-line text editor for the input (`i`).
 *
 * While it is active every key goes to the text (readline's common keys:
 * arrows, Home/End, C-a C-e C-b C-f, Backspace, Delete, C-u C-k C-w);
 * only Enter and Esc leave it. */
#include "config.h"

#include <string.h>
#include <wchar.h>

#include "ui_priv.h"

void
le_start(struct lineedit *le, const uint32_t *text, int len)
{
	if (len > LE_MAX)
		len = LE_MAX;
	memcpy(le->text, text, (size_t)len * sizeof *text);
	le->len = len;
	le->cur = len;
	le->active = 1;
}

static void
le_delete(struct lineedit *le, int from, int to)
{
	if (from < 0)
		from = 0;
	if (to > le->len)
		to = le->len;
	if (from >= to)
		return;
	memmove(le->text + from, le->text + to, (size_t)(le->len - to) * sizeof le->text[0]);
	le->len -= to - from;
	if (le->cur > to)
		le->cur -= to - from;
	else if (le->cur > from)
		le->cur = from;
}

int
le_key(struct lineedit *le, int key)
{
	switch (key) {
	case '\n': case '\r': case UI_FN(KEY_ENTER):
		le->active = 0;
		return 1;
	case UI_ESC: case UI_CTRL('g'):
		le->active = 0;
		return -1;
	case UI_FN(KEY_LEFT): case UI_CTRL('b'):
		if (le->cur > 0)
			le->cur--;
		return 0;
	case UI_FN(KEY_RIGHT): case UI_CTRL('f'):
		if (le->cur < le->len)
			le->cur++;
		return 0;
	case UI_FN(KEY_HOME): case UI_CTRL('a'):
		le->cur = 0;
		return 0;
	case UI_FN(KEY_END): case UI_CTRL('e'):
		le->cur = le->len;
		return 0;
	case UI_FN(KEY_BACKSPACE): case 127: case UI_CTRL('h'):
		le_delete(le, le->cur - 1, le->cur);
		return 0;
	case UI_FN(KEY_DC): case UI_CTRL('d'):
		le_delete(le, le->cur, le->cur + 1);
		return 0;
	case UI_CTRL('u'):
		le_delete(le, 0, le->cur);
		return 0;
	case UI_CTRL('k'):
		le_delete(le, le->cur, le->len);
		return 0;
	case UI_CTRL('w'): {
		int i = le->cur;

		while (i > 0 && le->text[i - 1] == ' ')
			i--;
		while (i > 0 && le->text[i - 1] != ' ')
			i--;
		le_delete(le, i, le->cur);
		return 0;
	}
	}
	if (UI_IS_FN(key) || key < 0x20 || key == 0x7f || le->len >= LE_MAX)
		return 0;   /* function keys and controls are not text */
	memmove(le->text + le->cur + 1, le->text + le->cur,
	    (size_t)(le->len - le->cur) * sizeof le->text[0]);
	le->text[le->cur++] = (uint32_t)key;
	le->len++;
	return 0;
}

/* The text scrolled so the cursor stays in the w columns, cursor shown
 * in reverse video (the terminal's own cursor is hidden). */
void
le_draw(const struct lineedit *le, int y, int x, int w, int utf8)
{
	int first = 0, i, col, cw;

	if (w < 2)
		return;
	/* assume width 1 per character for scrolling; wide ones only clip */
	if (le->cur >= w)
		first = le->cur - w + 1;
	move(y, x);
	for (i = first, col = 0; i <= le->len && col < w; i++) {
		wchar_t ws[2] = { i < le->len ? (wchar_t)le->text[i] : L' ', 0 };
		attr_t a = i == le->cur ? A_REVERSE : A_NORMAL;

		cw = wcwidth(ws[0]);
		if (cw < 1 || (!utf8 && ws[0] >= 0x80)) {
			ws[0] = L'?';
			cw = 1;
		}
		if (col + cw > w)
			break;
		attrset(a);
		addnwstr(ws, 1);
		col += cw;
	}
	attrset(A_NORMAL);
}

/* UTF-8 of the line editor's text. */
void
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

void
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
