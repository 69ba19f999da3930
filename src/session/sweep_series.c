/* SPDX-License-Identifier: MIT */
/* sweep_series.c - see sweep_series.h. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sweep.h"
#include "sweep_series.h"
#include "xmalloc.h"

void
sweep_series_open(struct sweep_series *ss, const struct run_info *run, const char *db)
{
	const long last = run->steps_done;
	int i, k, M;

	memset(ss, 0, sizeof *ss);
	ss->run = *run;
	path_copy(ss->db, db);
	/* evenly spread over 0..last, no step twice */
	for (i = 0; i < SWEEP_SERIES_MAX; i++) {
		long s = SWEEP_SERIES_MAX > 1 ? (long)llround((double)i * last / (SWEEP_SERIES_MAX - 1)) : last;

		if (ss->n_steps && s <= ss->step[ss->n_steps - 1])
			continue;
		ss->step[ss->n_steps++] = s;
	}
	ss->n_heads = run->cfg.n_layer * run->cfg.n_head;
	M = 1 + ss->n_heads;
	ss->mask = xcalloc((size_t)M, sizeof *ss->mask);
	for (k = 0; k < ss->n_heads && k < 64; k++)
		ss->mask[1 + k] = (uint64_t)1 << k;
	ss->loss = xcalloc((size_t)ss->n_steps * M, sizeof *ss->loss);
	for (i = 0; i < ss->n_steps * M; i++)
		ss->loss[i] = NAN;
}

/* Every mask of step i from the cache: 1, else 0 (nothing filled). */
static int
series_from_cache(struct sweep_series *ss, struct store *st, int i)
{
	struct store_sweep_row *rows = NULL;
	const int M = 1 + ss->n_heads;
	double *row = ss->loss + (size_t)i * M;
	char off[STORE_SWEEP_OFFLEN];
	int n = 0, k, j, found = 0;

	if (store_sweep_get(st, ss->run.id, ss->step[i], &rows, &n) < 0 || n < M) {
		free(rows);
		return 0;
	}
	for (k = 0; k < M; k++) {
		head_sweep_off_text(&ss->run.cfg, ss->mask[k], off, sizeof off);
		for (j = 0; j < n && strcmp(rows[j].off, off); j++)
			;
		if (j == n)
			break;
		row[k] = rows[j].dataset_loss;
		found++;
	}
	free(rows);
	if (found < M) {
		for (k = 0; k < M; k++)
			row[k] = NAN;
		return 0;
	}
	return 1;
}

int
sweep_series_work(struct sweep_series *ss, struct store *st, size_t max_docs, char *err, size_t n)
{
	const int M = 1 + ss->n_heads;
	struct head_sweep_cache c;
	long s;
	int k;

	if (ss->done >= ss->n_steps)
		return 0;
	s = ss->step[ss->done];
	if (!ss->running) {
		if (ss->n_heads > 64) {
			snprintf(err, n, "the model has more heads than a sweep can switch");
			return -1;
		}
		if (series_from_cache(ss, st, ss->done)) {
			ss->n_cached++;
			ss->done++;
			return ss->done < ss->n_steps;
		}
		/* the weights at s: replayed once, then moved forwards */
		if (!ss->have_tr) {
			if (store_replay(st, &ss->run, s, &ss->ds, &ss->tr) < 0) {
				snprintf(err, n, "%s", store_errmsg(st));
				return -1;
			}
			ss->have_tr = 1;
		} else if (store_seek(st, &ss->run, s, &ss->tr) < 0) {
			snprintf(err, n, "%s", store_errmsg(st));
			return -1;
		}
		c.st = st;
		c.db = ss->db;
		c.run_id = ss->run.id;
		c.step = s;
		if (head_sweep_begin(&ss->hs, &ss->tr.model, &ss->ds, NULL, NULL, 0, ss->mask, M, &c) < 0) {
			snprintf(err, n, "nothing to sweep");
			return -1;
		}
		ss->running = 1;
		return 1;
	}
	if (!head_sweep_step(&ss->hs, max_docs))
		return 1;
	for (k = 0; k < M; k++)
		ss->loss[(size_t)ss->done * M + k] = ss->hs.sw.dataset_loss[k];
	head_sweep_free(&ss->hs);
	ss->running = 0;
	ss->done++;
	return ss->done < ss->n_steps;
}

void
sweep_series_progress(const struct sweep_series *ss, size_t *done, size_t *total)
{
	*done = ss->running ? ss->hs.done : 0;
	*total = ss->running ? ss->hs.total : 0;
}

void
sweep_series_free(struct sweep_series *ss)
{
	if (ss->running)
		head_sweep_free(&ss->hs);
	if (ss->have_tr) {
		trainer_free(&ss->tr);
		dataset_free(&ss->ds);
	}
	free(ss->mask);
	free(ss->loss);
	memset(ss, 0, sizeof *ss);
}
