/* SPDX-License-Identifier: MIT */
/* replay_run.h - one saved run as the run view shows it, at one step.
 *
 * Everything the screen draws for a run comes from here, computed by the
 * engine: the weights at step s (store_replay/store_seek: exact), the
 * pinned probe's forward pass at s and at the step shown before it (for the
 * changes), the per-head statistics of every step (headstats, cached in the
 * database), the names sampled at s with a fixed stream. No curses here;
 * no printing: errors come back as one line in err. */
#ifndef MGPT_REPLAY_RUN_H
#define MGPT_REPLAY_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "head_report.h"
#include "headstats.h"
#include "model.h"
#include "rng.h"
#include "run_defaults.h"
#include "store.h"
#include "train.h"

#define REPLAY_PROBE_DEFAULT RUN_DEFAULT_INPUT
#define REPLAY_PROBE_MAX     64     /* bytes of probe text kept */
#define REPLAY_N_SAMPLES     6      /* names sampled at the current step */
#define REPLAY_CKPT_EVERY    16     /* steps between the view's own checkpoints */
#define REPLAY_CKPT_SLOTS    32

/* A training state the view passed through: scrubbing back a step restarts
 * from the checkpoint at or before it (at most 15 steps to re-run) instead
 * of the store's nearest snapshot (up to snapshot_every - 1). */
struct replay_ckpt {
	long     step;          /* -1: empty */
	double  *p, *m, *v;     /* [n_params] parameters and Adam moments */
	unsigned long used;     /* for least-recently-used replacement */
};

struct replay_run {
	struct store    *st;          /* read connection (not owned) */
	struct run_info  run;         /* refreshed by replay_poll */
	struct dataset   ds;          /* the run's documents; trainer_init shuffles it */
	struct trainer   tr;          /* weights after tr.step steps */
	int              have_tr;
	struct replay_ckpt ckpt[REPLAY_CKPT_SLOTS];
	int              n_ckpt;      /* slots in use (fewer for big models) */
	unsigned long    clock;
	double          *loss;        /* [n_loss] step i+1's loss */
	long             n_loss;
	int64_t          data_version;/* of st when the log was last read */

	/* the pinned probe: BOS then the text, all heads on */
	char             probe_text[REPLAY_PROBE_MAX];
	int              probe_tok[REPLAY_PROBE_MAX];
	int              n_probe_tok; /* characters (positions = n_probe_tok + 1, cut at T) */
	int              pos, layer, head;  /* pinned position and head */
	struct trace     cur, prev;   /* the probe at the shown step and the one shown before */
	long             cur_step, prev_step;   /* -1: none */
	struct headstat *hs_now;      /* [L*H] statistics at the shown step */

	/* the names at the shown step: the run's sampling stream from the
	 * start (the stream train uses after training), the run's temperature */
	struct rng       rng0;        /* the stream after the preamble */
	struct trace     scratch;
	char             names[REPLAY_N_SAMPLES][96];

	/* per-head statistics of steps 0..n_hs-1, [step][L*H] */
	struct headstat *hs;
	long             n_hs, cap_hs;
	/* what training steps 1..n_hs-1 did to each head (the same pass):
	 * gs[(s-1)*L*H + head] */
	struct gradstat *gs;
	/* each head's role over steps 0..n_hs-1 (valid when n_hs > 0) */
	struct head_role_span *roles;  /* [L*H] */
	struct dataset   hs_ds;       /* a second trainer computes the series */
	struct trainer   hs_tr;
	int              have_hs_tr;
};

/* Find RUN (id, name or "latest") in st and read its log. Nothing is
 * replayed yet: call replay_goto. */
int  replay_open(struct replay_run *rr, struct store *st, const char *spec, char *err, size_t n);
void replay_close(struct replay_run *rr);

/* Pin the probe text (UTF-8); refuses characters the run's vocabulary
 * lacks, naming them. NULL: "emma", or the name the run trained on first
 * when its vocabulary cannot spell "emma". Resets the series of
 * statistics. */
int  replay_set_probe(struct replay_run *rr, const char *text, char *err, size_t n);

/* Show step s (clamped to 0..steps_done): the weights, the probe, its
 * statistics and the names. The previously shown step becomes `prev`. */
int  replay_goto(struct replay_run *rr, long step, char *err, size_t n);

/* Another process may be training this run: when the database changed,
 * read the run's record and the new steps. *changed is set to 1 when
 * anything did. */
int  replay_poll(struct replay_run *rr, int *changed, char *err, size_t n);

/* Extend the series of statistics by up to `budget` steps, from the cache
 * in rw (when not NULL; new steps are written there) or by training a
 * second trainer on: the head statistics, the gradient figures of the
 * steps between (tables head_stats and grad_stats) and the heads' roles.
 * Returns 1 when steps were added, 0 when the series covers every logged
 * step, -1 on error. */
int  replay_stats_work(struct replay_run *rr, struct store *rw, long budget, char *err, size_t n);

/* The probe's positions in the shown pass. */
static inline int replay_n_pos(const struct replay_run *rr) { return rr->cur.n_pos; }
/* The probe's positions: BOS and its characters, cut at block_size. */
static inline int replay_probe_positions(const struct replay_run *rr)
{
	return rr->n_probe_tok + 1 < rr->run.cfg.block_size ? rr->n_probe_tok + 1 : rr->run.cfg.block_size;
}

#endif
