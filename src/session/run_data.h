/* SPDX-License-Identifier: MIT */
/* run_data.h - training text: a file, or the bundled names compiled into
 * the binary (src/names_data.c, generated from data/names.txt). */
#ifndef MGPT_RUN_DATA_H
#define MGPT_RUN_DATA_H

#include <stddef.h>

#include "dataset.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;
extern const struct dataset_table bundled_names_table;   /* the same, parsed at build time */
extern const char bundled_names_sha256[];   /* the store's name for its text; "" if unknown */

/* Read and parse path (NULL: the bundled names) into ds, in file
 * order. -1 with one line in err naming the file ("bundled names" for
 * ours): "PATH: reason". */
int run_data_load(const char *path, int allow_pipe, struct dataset *ds, char *err, size_t errlen);
/* The whole file, NUL-terminated, into *buf (malloc'd): a regular file
 * (or, with allow_pipe, a pipe: the command line's, never the screen's,
 * which a silent writer would block) of at most DATASET_MAX_BYTES. -1 with
 * "PATH: reason" in err. */
int run_data_read_file(const char *path, int allow_pipe, char **buf, size_t *len, char *err,
                       size_t errlen);

#endif
