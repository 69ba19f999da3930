/* SPDX-License-Identifier: MIT */
/* test_head_roles.c - head roles named from made-up statistics: each role
 * on either side of its threshold, the order the checks go in, and a
 * series' role with the step it first appears at and the step from which
 * it holds. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "head_report.h"

static struct headstat
hs(double entropy, double prev, double bos)
{
	struct headstat s = { entropy, prev, bos };
	return s;
}

static void
test_entropy_max(void)
{
	/* 5 positions (BOS + "emma"): t = 2, 3, 4 averaged */
	CHECK_NEAR(head_role_entropy_max(5), (log(3) + log(4) + log(5)) / 3, 1e-15);
	/* 2 positions: t = 1 only */
	CHECK_NEAR(head_role_entropy_max(2), log(2), 1e-15);
	CHECK(isnan(head_role_entropy_max(1)));
}

static void
test_one_step(void)
{
	const double em = 1.5;

	CHECK(head_role_of(&(struct headstat){ 0.3, 0.5, 0.2 }, em) == HEAD_ROLE_PREV);
	CHECK(head_role_of(&(struct headstat){ 0.3, 0.49, 0.2 }, em) == HEAD_ROLE_SELF);
	CHECK(head_role_of(&(struct headstat){ 0.9, 0.1, 0.5 }, em) == HEAD_ROLE_BOS);
	CHECK(head_role_of(&(struct headstat){ 0.9, 0.1, 0.49 }, em) == HEAD_ROLE_MIXED);
	/* uniform: 90 % of the most */
	CHECK(head_role_of(&(struct headstat){ 1.35, 0.3, 0.3 }, em) == HEAD_ROLE_UNIFORM);
	CHECK(head_role_of(&(struct headstat){ 1.34, 0.3, 0.3 }, em) == HEAD_ROLE_MIXED);
	/* self: focused (half the most or less) on neither prev nor BOS */
	CHECK(head_role_of(&(struct headstat){ 0.75, 0.2, 0.1 }, em) == HEAD_ROLE_SELF);
	CHECK(head_role_of(&(struct headstat){ 0.76, 0.2, 0.1 }, em) == HEAD_ROLE_MIXED);
	/* prev is checked before BOS, both before the entropies */
	CHECK(head_role_of(&(struct headstat){ 1.5, 0.5, 0.5 }, em) == HEAD_ROLE_PREV);
	CHECK(head_role_of(&(struct headstat){ 1.5, 0.2, 0.6 }, em) == HEAD_ROLE_BOS);
	/* a probe too short: NaN statistics name nothing */
	CHECK(head_role_of(&(struct headstat){ NAN, NAN, NAN }, em) == HEAD_ROLE_MIXED);
	CHECK(head_role_of(&(struct headstat){ 0.1, 0.1, 0.1 }, NAN) == HEAD_ROLE_MIXED);
	CHECK(strcmp(head_role_name(HEAD_ROLE_PREV), "prev-char") == 0);
	CHECK(strcmp(head_role_name(HEAD_ROLE_BOS), "BOS sink") == 0);
	CHECK(strcmp(head_role_name(HEAD_ROLE__COUNT), "?") == 0);
}

/* Two heads over 10 steps. Head 0: uniform at first, prev-char at step 4,
 * loses it at 6, prev-char again from 7 on: first 4, since 7. Head 1:
 * a BOS sink from step 2 on, unbroken: first = since = 2. */
static void
test_series(void)
{
	struct headstat s[10 * 2];
	struct head_role_span out[2];
	const int n_pos = 5;
	const double em = head_role_entropy_max(n_pos);
	int i;

	for (i = 0; i < 10; i++) {
		s[2 * i] = i < 4 ? hs(em, 0.3, 0.3) : i == 6 ? hs(0.9 * em - 0.01, 0.4, 0.1)
		    : hs(0.4, 0.8 + 0.01 * i, 0.05);
		s[2 * i + 1] = i < 2 ? hs(em, 0.2, 0.2) : hs(0.2, 0.05, 0.9);
	}
	head_roles_series(s, 10, 2, n_pos, out);
	CHECK(out[0].role == HEAD_ROLE_PREV && out[0].first == 4 && out[0].since == 7);
	CHECK(out[1].role == HEAD_ROLE_BOS && out[1].first == 2 && out[1].since == 2);
	/* the series so far (6 steps): head 0 prev-char since 4 */
	head_roles_series(s, 6, 2, n_pos, out);
	CHECK(out[0].role == HEAD_ROLE_PREV && out[0].first == 4 && out[0].since == 4);
	/* 7 steps: the last is mixed, since the step it became so */
	head_roles_series(s, 7, 2, n_pos, out);
	CHECK(out[0].role == HEAD_ROLE_MIXED && out[0].first == 6 && out[0].since == 6);
	/* one step: the initial weights, uniform, since 0 */
	head_roles_series(s, 1, 2, n_pos, out);
	CHECK(out[0].role == HEAD_ROLE_UNIFORM && out[0].first == 0 && out[0].since == 0);
	/* no steps: nothing written */
	out[1].first = -7;
	head_roles_series(s, 0, 2, n_pos, out);
	CHECK(out[1].first == -7);
}

int
main(void)
{
	test_entropy_max();
	test_one_step();
	test_series();
	return CHECK_DONE();
}
