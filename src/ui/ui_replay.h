/* SPDX-License-Identifier: MIT */
/* ui_replay.h - the replay screens, as the command line sees them. No
 * curses here (see ui.h). */
#ifndef MGPT_UI_REPLAY_H
#define MGPT_UI_REPLAY_H

#include <stddef.h>

struct replay_args {
	const char *db;      /* the database (exists; checked by the caller) */
	const char *spec;    /* RUN, or NULL for the runs browser */
	long        step;    /* -1: the last */
	const char *probe;   /* NULL: "emma" */
	int         no_color;
};

/* Take the terminal, run the replay screens, give it back on every way
 * out; returns an enum ui_status (ui.h), with one line in err on failure. */
int ui_replay(const struct replay_args *a, char *err, size_t errlen);

#endif
