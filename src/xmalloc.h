/* SPDX-License-Identifier: MIT */
/* xmalloc.h - allocation that cannot fail silently.
 *
 * Out of memory is fatal, with a message, as in tmux: no caller has a
 * sensible way to go on without the buffer it asked for. */
#ifndef MGPT_XMALLOC_H
#define MGPT_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Called (if set) before the fatal message, so a screen can be restored. */
extern void (*xmalloc_fatal_hook)(void);

#endif
