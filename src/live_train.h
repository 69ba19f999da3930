/* live_train.h - a training run inside the screen's process, logged to
 * the run database exactly as `mgpt-tui train` logs it, a slice at a time
 * so the screen stays responsive between slices.
 *
 * Killing the process loses at most the steps not yet flushed (the store
 * flushes by time) and leaves a run that `mgpt-tui train --resume`
 * continues; closing it unfinished marks it interrupted. */
#ifndef MGPT_LIVE_TRAIN_H
#define MGPT_LIVE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "model.h"
#include "store.h"
#include "train.h"

struct live_train_opts {
	const char *data;            /* a data file; NULL or "": the bundled names */
	uint64_t    seed;
	long        steps;
	struct model_config cfg;     /* vocab_size is set from the data */
	long        snapshot_every;  /* 0: the store's default */
	const char *name;            /* "" or NULL: generated */
};

enum live_state { LIVE_TRAINING, LIVE_DONE, LIVE_FAILED };

struct live_train {
	struct store    *st;         /* read-write, owned */
	struct run_info  run;
	struct dataset   ds;
	struct trainer   tr;
	int              have_tr;
	enum live_state  state;
	int              paused;
	char             err[512];
};

/* Check the options, read the data, create the run and log step 0.
 * -1 with a one-line reason in err. */
int  live_train_start(struct live_train *lt, const char *db, const struct live_train_opts *o,
                      char *err, size_t n);
/* Train for about `seconds` (at least one step unless paused); after the
 * last step draw and log the samples and end the run as finished. Returns
 * 1 while steps remain, 0 when done, -1 on failure (lt->err; the run is
 * marked failed). */
int  live_train_slice(struct live_train *lt, double seconds);
/* End it: a run not finished is marked interrupted (resumable). */
void live_train_close(struct live_train *lt);

#endif
