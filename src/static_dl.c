/* SPDX-License-Identifier: MIT */
/* static_dl.c - linked into mgpt-tui only when it is linked statically
 * (configure.ac, --enable-static-binary, which also links with
 * -Wl,--wrap=dlopen): SQLite's unix layer calls dlopen only to load
 * extensions, which this program never does (every connection turns them
 * off). Its reference is sent here instead of to glibc's static dlopen,
 * whose linker warning says that it would need the shared libraries at run
 * time. The name is the linker's, not module_verb_object(). */
#include "config.h"

#include <stddef.h>

void *__wrap_dlopen(const char *file, int mode);

void *
__wrap_dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	return NULL;
}
