/* SPDX-License-Identifier: MIT */
/* head_patch.h - activation patching on the debugger's pass, for the
 * heads view: a second input TEXT2 of the same length is run with the
 * session's heads off, and one head's output at one position of the input's
 * pass is replaced by its output on TEXT2 (attrib_patch_head, the call
 * `trace --patch-from` makes). The patched pass is a copy: the session's
 * own is untouched. Curses-free, prints nothing. */
#ifndef MGPT_HEAD_PATCH_H
#define MGPT_HEAD_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "debug_session.h"

struct head_patch {
	int      on;                 /* a TEXT2 is set */
	char     text[256];          /* TEXT2 as typed (UTF-8), for the title */
	int     *tok, *tgt, n;       /* [block_size] TEXT2 as training scores it */
	struct trace src;            /* TEXT2's pass, the session's heads off */
	struct trace tr;             /* the input's pass, patched */
	int      have_tr;            /* src and tr initialised */
	int      layer, head, pos;   /* what the last head_patch_apply put in */
	double   loss;               /* the patched input's loss (head_report_loss) */
};

/* Set TEXT2 (code points) for s's input. -1 with err when a character is
 * not in the run's vocabulary or TEXT2 is not as long as the input (both
 * lengths said); p is then unchanged. */
int  head_patch_set(struct head_patch *p, const struct debug_session *s, const uint32_t *text,
                    int n, char *err, size_t errlen);
/* The input's pass with head (layer, head)'s output at pos taken from
 * TEXT2's, both under s's current heads off: p->tr, p->loss. -1 when no
 * TEXT2 is set, the lengths no longer match (the input was changed), or
 * the head or position is out of range. */
int  head_patch_apply(struct head_patch *p, const struct debug_session *s, int layer, int head,
                      int pos);
/* Forget TEXT2 and free. */
void head_patch_free(struct head_patch *p);

#endif
