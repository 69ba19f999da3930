/* SPDX-License-Identifier: MIT */
/* store_text.h - a dataset as the text the run store keeps (store_text.c). */
#ifndef MGPT_STORE_TEXT_H
#define MGPT_STORE_TEXT_H

#include <stddef.h>

struct dataset;

/* The documents of ds in its order, each ended by '\n', UTF-8,
 * NUL-terminated; *len without the NUL. malloc'd. */
char *store_dataset_text(const struct dataset *ds, size_t *len);

#endif
