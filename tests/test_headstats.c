/* SPDX-License-Identifier: MIT */
/* test_headstats.c - per-head statistics: exact on a hand-made trace, read
 * from the same forward pass training runs, and the series over a run equal
 * to probing the weights replayed to each step. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dataset.h"
#include "headstats.h"
#include "model.h"
#include "train.h"
#include "xmalloc.h"

/* A trace filled by hand: 1 layer, 2 heads, 4 positions. Head 0 puts all
 * its weight on the previous position, head 1 spreads it evenly. */
static void
test_hand_trace(void)
{
	struct model_config cfg = { 5, 4, 2, 1, 8 };
	struct trace tr;
	struct headstat hs[2];
	const int T = cfg.block_size;
	int t, j;

	trace_init(&tr, &cfg);
	tr.n_pos = 4;
	for (t = 0; t < 4; t++)
		for (j = 0; j <= t; j++) {
			tr.att_w[trace_lth(&tr, 0, t, 0) * T + j] = j == (t ? t - 1 : 0) ? 1.0 : 0.0;
			tr.att_w[trace_lth(&tr, 0, t, 1) * T + j] = 1.0 / (t + 1);
		}
	CHECK(headstats_from_trace(&tr, hs) == 2);      /* positions 2 and 3 */
	CHECK_NEAR(hs[0].entropy, 0.0, 0.0);
	CHECK_NEAR(hs[0].prev, 1.0, 0.0);
	CHECK_NEAR(hs[0].bos, 0.0, 0.0);
	CHECK_NEAR(hs[1].entropy, (log(3.0) + log(4.0)) / 2, 1e-15);
	CHECK_NEAR(hs[1].prev, (1.0 / 3 + 1.0 / 4) / 2, 1e-15);
	CHECK_NEAR(hs[1].bos, (1.0 / 3 + 1.0 / 4) / 2, 1e-15);

	/* Two positions: only position 1 counts, where previous is BOS. */
	tr.n_pos = 2;
	CHECK(headstats_from_trace(&tr, hs) == 1);
	CHECK_NEAR(hs[0].prev, 1.0, 0.0);
	CHECK_NEAR(hs[0].bos, 1.0, 0.0);
	CHECK_NEAR(hs[1].entropy, log(2.0), 1e-15);
	/* One position: nothing to average. */
	tr.n_pos = 1;
	CHECK(headstats_from_trace(&tr, hs) == 0);
	CHECK(isnan(hs[0].entropy) && isnan(hs[1].prev) && isnan(hs[1].bos));
	CHECK(headstats_first_pos(0) == 0 && headstats_first_pos(1) == 1);
	CHECK(headstats_first_pos(2) == 1 && headstats_first_pos(5) == 2);
	trace_free(&tr);
}

static void
load(struct dataset *ds)
{
	char err[256];
	const char *text = "emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\n";

	if (dataset_parse(ds, text, strlen(text), err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

static void
tokens(const struct dataset *ds, const char *s, int *tok, int *n)
{
	for (*n = 0; *s; s++)
		tok[(*n)++] = dataset_token(ds, (unsigned char)*s);
}

/* At the initial weights (gauss 0.08) every head is nearly uniform: the
 * means are close to those of uniform weights over 3, 4 and 5 positions. */
static void
test_probe_initial(void)
{
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	struct dataset ds;
	struct trainer t;
	struct trace tr;
	struct headstat hs[4], hs2[4];
	int tok[16], n, h;
	const double ent = (log(3.0) + log(4.0) + log(5.0)) / 3, w = (1.0 / 3 + 1.0 / 4 + 1.0 / 5) / 3;
	double worst = 0;

	load(&ds);
	trainer_init(&t, &ds, &cfg, 42, 100);
	trace_init(&tr, &t.model.cfg);
	tokens(&ds, "emma", tok, &n);
	CHECK(headstats_probe(&t.model, &tr, tok, n, hs) == 3);
	CHECK(tr.n_pos == 5 && tr.token[0] == ds.n_vocab && tr.token[1] == tok[0]);
	for (h = 0; h < 4; h++) {
		CHECK_NEAR(hs[h].entropy, ent, 0.02);
		CHECK_NEAR(hs[h].prev, w, 0.05);
		CHECK_NEAR(hs[h].bos, w, 0.05);
		if (fabs(hs[h].entropy - ent) > worst)
			worst = fabs(hs[h].entropy - ent);
	}
	printf("initial weights: largest entropy difference from uniform %.3g nats\n", worst);
	/* A switched-off head in the caller's trace does not change the probe. */
	tr.head_mask = 1;
	CHECK(headstats_probe(&t.model, &tr, tok, n, hs2) == 3);
	CHECK(tr.head_mask == 0);
	CHECK(memcmp(hs, hs2, sizeof hs) == 0);
	/* A probe longer than the block is cut at block_size positions. */
	{
		int longtok[40];
		for (h = 0; h < 40; h++)
			longtok[h] = tok[h % n];
		headstats_probe(&t.model, &tr, longtok, 40, hs2);
		CHECK(tr.n_pos == cfg.block_size);
	}
	trace_free(&tr);
	trainer_free(&t);
	dataset_free(&ds);
}

/* The series recorded while training equals probing weights trained
 * separately to each step: bit for bit. */
static void
test_series(void)
{
	struct model_config cfg = { 0, 8, 2, 2, 8 };
	struct dataset ds1, ds2;
	struct trainer a, b;
	struct trace tr;
	struct step_stats st;
	enum { STEPS = 30, NH = 4 };
	struct headstat *series = xcalloc((STEPS + 1) * NH, sizeof *series), one[NH];
	int tok[16], n, s, bad = 0;
	long got;

	load(&ds1);
	load(&ds2);
	trainer_init(&a, &ds1, &cfg, 7, STEPS);
	trainer_init(&b, &ds2, &cfg, 7, STEPS);
	trace_init(&tr, &a.model.cfg);
	tokens(&ds1, "ava", tok, &n);
	/* from the middle: steps 10..30 */
	for (s = 0; s < 10; s++)
		trainer_step(&a, &st);
	got = headstats_series(&a, STEPS + 5, &tr, tok, n, series, NULL);
	CHECK(got == STEPS - 10 + 1);
	CHECK(a.step == STEPS);
	for (s = 0; s <= STEPS; s++) {
		if (s >= 10) {
			headstats_probe(&b.model, &tr, tok, n, one);
			if (memcmp(one, series + (size_t)(s - 10) * NH, sizeof one))
				bad++;
		}
		if (s < STEPS)
			trainer_step(&b, &st);
	}
	CHECK(bad == 0);
	CHECK(headstats_series(&a, 5, &tr, tok, n, series, NULL) == 0);
	/* Training moves the heads: the statistics at the end differ from the start. */
	CHECK(memcmp(series, series + (size_t)(STEPS - 10) * NH, sizeof one) != 0);
	free(series);
	trace_free(&tr);
	trainer_free(&a);
	trainer_free(&b);
	dataset_free(&ds1);
	dataset_free(&ds2);
}

int
main(void)
{
	test_hand_trace();
	test_probe_initial();
	test_series();
	return CHECK_DONE();
}
