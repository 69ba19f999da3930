/* store.h - the run database (SQLite): schema, logging, snapshots, replay.
 *
 * Functions return 0 on success and -1 on failure with a one-line reason
 * in st->err (naming the file where that helps); they never print or exit.
 * This is the contract the command line and the screen build on. */
#ifndef MGPT_STORE_H
#define MGPT_STORE_H

#include <stdint.h>

#include "dataset.h"
#include "model.h"
#include "train.h"

struct store;   /* an open database */

enum run_status { RUN_RUNNING, RUN_FINISHED, RUN_INTERRUPTED, RUN_FAILED };

struct run_info {
	int64_t  id;
	char     name[128];
	enum run_status status;     /* a stale "running" run whose process is gone reads as interrupted */
	int64_t  created, ended;    /* unix seconds; ended 0 while running */
	uint64_t seed;
	struct model_config cfg;
	long     n_steps;           /* planned */
	long     steps_done;        /* logged */
	double   last_loss, best_loss;  /* NaN when no step is logged */
	long     snapshot_every;
	double   temperature;       /* for the end-of-training samples */
	char     version[32];       /* program version that trained it */
};

#define STORE_ERRLEN 512

/* Where the database is: --db, else $MGPT_TUI_DB, else
 * $XDG_DATA_HOME/mgpt-tui/runs.db (~/.local/share/... when unset). */
const char *store_default_path(char *buf, size_t n);

/* Open (creating when `create` and absent) and check the file; readonly
 * opens never write. NULL with *err filled on failure. */
struct store *store_open(const char *path, int create, int readonly, char *err, size_t errlen);
void          store_close(struct store *st);
const char   *store_errmsg(const struct store *st);

/* RUN is an id, a name, or "latest". */
int  store_find_run(struct store *st, const char *spec, struct run_info *out);
/* All runs, oldest first; *out is malloc'd. */
int  store_list_runs(struct store *st, struct run_info **out, int *n);
/* The run's documents in file order (before the shuffle). */
int  store_load_dataset(struct store *st, int64_t run_id, struct dataset *ds);

/* The complete training state after `step` steps (0..steps_done), bit for
 * bit what the training process had: nearest snapshot at or before it,
 * then the steps in between re-run. t is set up (trainer_init) from the
 * run's dataset and config; ds must outlive t. */
int  store_replay(struct store *st, const struct run_info *run, long step,
                  struct dataset *ds, struct trainer *t);
/* Per-step log: loss[i], lr[i] for step i+1 (1-based like the printed
 * lines); *n receives the count. Arrays malloc'd. */
int  store_load_losses(struct store *st, int64_t run_id, double **loss, double **lr, long *n);

#endif
