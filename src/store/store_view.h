/* SPDX-License-Identifier: MIT */
/* store_view.h - what the screen asks of the run store beyond the command
 * line: noticing another process's commits, renaming, and the caches of
 * per-head statistics (tables head_stats and grad_stats, see mgpt-tui(1),
 * FILES).
 * Same conventions as store.h: 0 or -1 with the reason in store_errmsg. */
#ifndef MGPT_STORE_VIEW_H
#define MGPT_STORE_VIEW_H

#include <stdint.h>

#include "headstats.h"
#include "store.h"

/* A number that changes whenever another connection commits to the file
 * (PRAGMA data_version): cheap enough to poll several times a second, and
 * it takes no lock a writer would wait for. */
int  store_data_version(struct store *st, int64_t *v);
/* Give a run a new name (unique, 1..127 bytes, not all digits, not
 * "latest": the rules a name given to train follows). */
int  store_rename_run(struct store *st, int64_t run_id, const char *name);

/* The cached statistics of a run for a probe text: steps 0..*n_steps-1,
 * contiguous from step 0 (the cache is always written in order), n_heads
 * (L*H) entries a step; *out malloc'd (NULL when none). */
int  store_headstats_load(struct store *st, int64_t run_id, const char *probe, int n_heads,
                          struct headstat **out, long *n_steps);
/* Cache steps step0..step0+n-1 (n_heads entries each) in one transaction;
 * rows already there are replaced. */
int  store_headstats_save(struct store *st, int64_t run_id, const char *probe, long step0,
                          long n, int n_heads, const struct headstat *hs);

/* The cached per-head gradient figures of a run (table grad_stats, schema
 * 3): training steps 1..*n_steps, contiguous from step 1; out[(s-1) *
 * n_heads + l*H + h]; *out malloc'd (NULL when none). */
int  store_gradstats_load(struct store *st, int64_t run_id, int n_heads,
                          struct gradstat **out, long *n_steps);
/* Cache training steps step0..step0+n-1 (step0 >= 1) in one transaction;
 * rows already there are replaced. */
int  store_gradstats_save(struct store *st, int64_t run_id, long step0, long n, int n_heads,
                          const struct gradstat *gs);

#endif
