/* SPDX-License-Identifier: MIT */
/* msg.c - the status line's one message: set by the views, and by the
 * debug session's words (which knows nothing of styles). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "ui_priv.h"

void
ui_msg(struct ui *u, enum style s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof u->msg, fmt, ap);
	va_end(ap);
	u->msg_style = s;
}

void
ui_take_session_msg(struct ui *u)
{
	static const enum style style_of[] = {
		[DEBUG_MSG_NONE] = ST_NORMAL, [DEBUG_MSG_INFO] = ST_NORMAL,
		[DEBUG_MSG_OK] = ST_OK, [DEBUG_MSG_ERR] = ST_ERR,
	};

	if (u->s.msg_kind == DEBUG_MSG_NONE)
		return;
	ui_msg(u, style_of[u->s.msg_kind], "%s", u->s.msg);
	u->s.msg_kind = DEBUG_MSG_NONE;
}

void
ui_input_error(const struct ui *u, int status, const struct debug_input_error *why, char *buf,
    size_t n)
{
	debug_session_describe(&u->s, status, why, buf, n);
}
