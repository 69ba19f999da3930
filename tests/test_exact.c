/* SPDX-License-Identifier: MIT */
/* test_exact.c - training bit-identical to CPython's microgpt.py.
 *
 * tests/data/exact_runs.txt holds the answers of a private CPython 3.11 run
 * of the reference (glibc libm, x86-64) for several runs: a hash of every
 * step's loss (the bits of each double, in order), some losses as repr()
 * strings, and hashes and samples of the final parameters and Adam moments
 * in the reference layout. Every one must be equal to the bit.
 *
 * Adam's g ** 2 and v_hat ** 0.5 are glibc's pow(), computed as x*x and
 * sqrt(x) except near a rounding midpoint (kernel_pow2, kernel_pow_half):
 * checked here against pow() itself on millions of inputs, many of them
 * near midpoints where the shortcut would be wrong. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dataset.h"
#include "gradtrace.h"
#include "kernels.h"
#include "model.h"
#include "train.h"
#include "xmalloc.h"

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A double in [1, 2) times 2^e. */
static double
rand_double(uint64_t *s, int e)
{
	return ldexp(1.0 + (double)(xorshift(s) >> 11) * 0x1p-53, e);
}

/* kernel_pow2 and kernel_pow_half against pow() itself: random doubles
 * over the ranges gradients and second moments take (and beyond, where the
 * shortcut must step aside), and squares and square roots built to lie
 * next to a rounding midpoint. */
static void
test_fast_pow(void)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	long i, n = 2000000, bad2 = 0, badh = 0, naive2 = 0, naiveh = 0;

	for (i = 0; i < n; i++) {
		double g = rand_double(&s, (int)(xorshift(&s) % 140) - 100);
		double x = rand_double(&s, (int)(xorshift(&s) % 600) - 560);
		double want2, wanth;

		if (i & 1)
			g = -g;
		if (i % 3 == 0) {
			/* m = s + ulp(s)/2 is a midpoint; m*m rounded is an x whose
			 * square root lies within a hair of it */
			double r = rand_double(&s, (int)(xorshift(&s) % 80) - 60);
			double mid = r + ldexp(1.0, ilogb(r) - 53);

			x = mid * mid;
		}
		if (i % 3 == 1) {
			/* a g whose exact square ends in ...1 followed by the
			 * rounding bit: g with 27 significant bits */
			uint64_t bits;

			memcpy(&bits, &g, sizeof bits);
			bits &= ~(uint64_t)0x3ffffff;
			bits |= (uint64_t)1 << 26;
			memcpy(&g, &bits, sizeof g);
		}
		want2 = model_pow(fabs(g), 2.0);
		wanth = model_pow(x, 0.5);
		if (kernel_pow2(g) != want2 && bad2++ < 5)
			fprintf(stderr, "kernel_pow2(%a) = %a, pow says %a\n", g, kernel_pow2(g), want2);
		if (kernel_pow_half(x) != wanth && badh++ < 5)
			fprintf(stderr, "kernel_pow_half(%a) = %a, pow says %a\n", x,
			    kernel_pow_half(x), wanth);
		naive2 += g * g != want2;
		naiveh += sqrt(x) != wanth;
	}
	/* special values */
	CHECK(kernel_pow2(0.0) == 0.0 && kernel_pow_half(0.0) == 0.0);
	CHECK(kernel_pow2(-0.0) == 0.0 && kernel_pow_half(1.0) == 1.0);
	CHECK(kernel_pow2(0x1p-600) == model_pow(0x1p-600, 2.0));
	CHECK(kernel_pow_half(0x1p-1070) == model_pow(0x1p-1070, 0.5));
	CHECK(kernel_pow2(3.0) == 9.0 && kernel_pow_half(4.0) == 2.0);
	CHECK(bad2 == 0);
	CHECK(badh == 0);
	/* the inputs reach the cases that matter: x*x or sqrt alone is wrong */
	CHECK(naive2 > 100 && naiveh > 100);
	printf("pow shortcuts: %ld inputs each; x*x differs from pow %ld times, sqrt %ld times; "
	    "the shortcuts never\n", n, naive2, naiveh);
}

/* kernel_pow_m1, _m2, _m05, _m15 against pow() itself, bit for bit, on a
 * million random inputs each over [2^-70, 2^70] (the range the shortcut
 * takes and beyond), and special values. glibc's pow is not correctly
 * rounded: the inputs must reach cases where it differs from the correctly
 * rounded result (counted against long double, 64 bits), or the test
 * would prove nothing about the 1/64-ulp window. */
static void
test_fast_pow_neg(void)
{
	static const double ys[4] = { -1.0, -2.0, -0.5, -1.5 };
	double (*const fs[4])(double) = { kernel_pow_m1, kernel_pow_m2, kernel_pow_m05,
	                                  kernel_pow_m15 };
	uint64_t s = 0x853c49e6748fea9bu;
	long i, n = 1000000, bad[4] = { 0, 0, 0, 0 }, not_cr[4] = { 0, 0, 0, 0 };
	int w;

	for (w = 0; w < 4; w++)
		for (i = 0; i < n; i++) {
			double x = rand_double(&s, (int)(xorshift(&s) % 140) - 70);
			double want = model_pow(x, ys[w]), got = fs[w](x);

			if (got != want && bad[w]++ < 3)
				fprintf(stderr, "kernel_pow(%a, %g) = %a, pow says %a\n", x, ys[w], got,
				    want);
			not_cr[w] += want != (double)powl((long double)x, (long double)ys[w]);
		}
	/* the batch: the same bits, with and without an addend, through
	 * every exponent and a length that is not a multiple of a vector */
	{
		static double xs[1001], got[1001];
		long bad_n = 0;
		int a;

		for (w = 0; w < 4; w++)
			for (a = 0; a < 2; a++) {
				double add = a ? MODEL_RMS_EPS : 0.0;

				for (i = 0; i < 1001; i++)
					xs[i] = i == 7 ? -0.0 : i == 8 ? 0x1p-75 : i == 9 ? 1.0 : i == 10 ? 0.25 :
					    rand_double(&s, (int)(xorshift(&s) % 140) - 70);
				kernel_pow_neg_n(got, xs, add, 1001, ys[w]);
				for (i = 0; i < 1001; i++) {
					double want = model_pow(a ? xs[i] + add : xs[i], ys[w]);

					if (memcmp(&got[i], &want, sizeof want) && bad_n++ < 3)
						fprintf(stderr, "kernel_pow_neg_n(%a + %g, %g) = %a, pow says %a\n",
						    xs[i], add, ys[w], got[i], want);
				}
			}
		CHECK(bad_n == 0);
	}
	for (w = 0; w < 4; w++) {
		CHECK(bad[w] == 0);
		CHECK(not_cr[w] > 50);
		CHECK(fs[w](1.0) == 1.0 && fs[w](4.0) == model_pow(4.0, ys[w]));
		CHECK(fs[w](0x1p-80) == model_pow(0x1p-80, ys[w]));
		CHECK(fs[w](3.0) == model_pow(3.0, ys[w]));
		CHECK(isinf(fs[w](0.0)) && fs[w](0.0) == model_pow(0.0, ys[w]));
		CHECK(fs[w](-2.0) == model_pow(-2.0, ys[w]) ||
		    (isnan(fs[w](-2.0)) && isnan(model_pow(-2.0, ys[w]))));
	}
	printf("pow(x, -1, -2, -0.5, -1.5) shortcuts: %ld inputs each, equal to pow; pow not "
	    "correctly rounded on %ld, %ld, %ld, %ld of them\n", n, not_cr[0], not_cr[1], not_cr[2],
	    not_cr[3]);
}

/* kernel_adam at every build this CPU runs (plain C, AVX2 + FMA, AVX-512 +
 * FMA) against the reference's scalar formula with pow() and true
 * divisions, bit for bit: random moments and gradients, and inputs built
 * next to the cases the shortcuts must step aside for: squares and square
 * roots next to a rounding midpoint (where the kernel tries both
 * neighbours and calls pow() only when they give different bits), tiny
 * and zero gradients, and quotients m / bc1, v / bc2 next to a midpoint. */
#define ADAM_N 4099   /* not a multiple of 8 or 64: the tails too */

static void
adam_reference(double *p, const double *g, double *m, double *v, size_t n,
    const struct kernel_adam_k *k, double *m_hat, double *v_hat, double *u)
{
	size_t i;

	for (i = 0; i < n; i++) {
		m[i] = k->b1 * m[i] + k->c1 * g[i];
		v[i] = k->b2 * v[i] + k->c2 * model_pow(fabs(g[i]), 2.0);
		m_hat[i] = m[i] / k->bc1;
		v_hat[i] = v[i] / k->bc2;
		u[i] = k->lr_t * m_hat[i] / (model_pow(v_hat[i], 0.5) + k->eps);
		p[i] -= u[i];
	}
}

/* A double next to a rounding midpoint: r + ulp(r)/2, rounded, and
 * multiplied by b and rounded again (so that x / b lies near it). */
static double
near_mid(uint64_t *s, int e, double b)
{
	double r = rand_double(s, e);

	return (r + ldexp(1.0, ilogb(r) - 53)) * b;
}

static void
test_adam_builds(void)
{
	static double p0[ADAM_N], g[ADAM_N], m0[ADAM_N], v0[ADAM_N];
	static double p[3][ADAM_N], m[3][ADAM_N], v[3][ADAM_N], mh[2][ADAM_N], vh[2][ADAM_N],
	    u[2][ADAM_N];
	static uint64_t hard[ADAM_N];
	uint64_t s = 0x2545f4914f6cdd1du;
	int levels = kernel_adam_levels(), lv, round, bad = 0, bad_rec = 0;
	long step;
	size_t i;

	CHECK(levels >= 1 && levels <= 3);
	for (round = 0; round < 40; round++) {
		struct kernel_adam_k k;

		/* steps on both sides of where bc1 and then bc2 round to 1.0
		 * (step + 1 = 231 and 3725: the kernels skip those divisions),
		 * then any step of an 8000-step run */
		static const long edge[] = { 0, 229, 230, 3723, 3724, 7999, 100 };

		step = round < 7 ? edge[round] : (long)(xorshift(&s) % 8000);
		memset(&k, 0, sizeof k);
		k.b1 = 0.85;
		k.b2 = 0.99;
		k.c1 = 1 - k.b1;
		k.c2 = 1 - k.b2;
		k.bc1 = 1 - model_pow(k.b1, (double)(step + 1));
		k.bc2 = 1 - model_pow(k.b2, (double)(step + 1));
		k.lr_t = 0.01 * (1 - (double)step / 8000);
		k.eps = 1e-8;
		if (round == 6)   /* bc2 at 1.0 before bc1: not met with these betas */
			k.bc2 = 1.0;
		if (round < 6)
			CHECK((k.bc1 == 1.0) == (step >= 230) && (k.bc2 == 1.0) == (step >= 3724));
		for (i = 0; i < ADAM_N; i++) {
			int kind = (int)(xorshift(&s) % 8);

			p0[i] = rand_double(&s, -4) * ((i & 1) ? -1 : 1);
			g[i] = rand_double(&s, (int)(xorshift(&s) % 40) - 30) * ((i & 2) ? -1 : 1);
			m0[i] = rand_double(&s, (int)(xorshift(&s) % 40) - 30) * ((i & 4) ? -1 : 1);
			v0[i] = rand_double(&s, (int)(xorshift(&s) % 60) - 60);
			if (kind == 1) {
				/* g with 27 significant bits: g*g ends at a midpoint */
				uint64_t bits;

				memcpy(&bits, &g[i], sizeof bits);
				bits = (bits & ~(uint64_t)0x3ffffff) | (uint64_t)1 << 26;
				memcpy(&g[i], &bits, sizeof g[i]);
			} else if (kind == 2) {
				/* v_hat's square root next to a midpoint: v_hat = mid^2 */
				double r = rand_double(&s, (int)(xorshift(&s) % 30) - 30);
				double mid = r + ldexp(1.0, ilogb(r) - 53);

				v0[i] = (mid * mid * k.bc2 - k.c2 * g[i] * g[i]) / k.b2;
			} else if (kind == 3) {
				/* m / bc1 next to a midpoint (m itself after the update) */
				double mm = near_mid(&s, (int)(xorshift(&s) % 40) - 30, k.bc1);

				m0[i] = (mm - k.c1 * g[i]) / k.b1;
			} else if (kind == 4) {
				double vv = near_mid(&s, (int)(xorshift(&s) % 60) - 60, k.bc2);

				v0[i] = (vv - k.c2 * g[i] * g[i]) / k.b2;
				if (v0[i] < 0)
					v0[i] = -v0[i];
			} else if (kind == 5) {
				g[i] = 0.0;   /* a parameter no gradient reached */
				if (i & 8)
					m0[i] = v0[i] = 0.0;
			} else if (kind == 6) {
				/* outside the shortcuts' ranges */
				g[i] = ldexp(g[i], -200);
				m0[i] = ldexp(m0[i], -950);
			}
		}
		memcpy(p[2], p0, sizeof p0);
		memcpy(m[2], m0, sizeof m0);
		memcpy(v[2], v0, sizeof v0);
		adam_reference(p[2], g, m[2], v[2], ADAM_N, &k, mh[1], vh[1], u[1]);
		for (lv = 0; lv < levels; lv++) {
			memcpy(p[0], p0, sizeof p0);
			memcpy(m[0], m0, sizeof m0);
			memcpy(v[0], v0, sizeof v0);
			kernel_adam_at(lv, p[0], hard, g, m[0], v[0], ADAM_N, &k);
			if ((memcmp(p[0], p[2], sizeof p0) || memcmp(m[0], m[2], sizeof m0) ||
			    memcmp(v[0], v[2], sizeof v0)) && bad++ < 3)
				fprintf(stderr, "kernel_adam build %d differs from the reference (round %d)\n",
				    lv, round);
		}
		/* and with the record of m_hat, v_hat and the update */
		k.rec_m_hat = mh[0];
		k.rec_v_hat = vh[0];
		k.rec_update = u[0];
		memcpy(p[0], p0, sizeof p0);
		memcpy(m[0], m0, sizeof m0);
		memcpy(v[0], v0, sizeof v0);
		kernel_adam(p[0], hard, g, m[0], v[0], ADAM_N, &k);
		if ((memcmp(p[0], p[2], sizeof p0) || memcmp(mh[0], mh[1], sizeof p0) ||
		    memcmp(vh[0], vh[1], sizeof p0) || memcmp(u[0], u[1], sizeof p0)) && bad_rec++ < 3)
			fprintf(stderr, "kernel_adam with a record differs (round %d)\n", round);
	}
	CHECK(bad == 0);
	CHECK(bad_rec == 0);
	printf("kernel_adam: %d build(s) of this CPU, 40 x %d parameters, equal to the scalar "
	    "reference bit for bit\n", levels, ADAM_N);
}

struct run_case {
	char name[32], data[128];
	uint64_t seed;
	struct model_config cfg;
	long steps;
};

static char *
next_line(char **p)
{
	char *s = *p, *e;

	if (!*s)
		return NULL;
	e = strchr(s, '\n');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* Train one case and compare it with the reference's answers, which follow
 * its `case` line up to `end`. */
static void
run_case(const struct run_case *rc, char **cursor)
{
	char path[512], err[DATASET_ERRLEN], *text, *line;
	size_t len, P;
	struct dataset ds;
	struct trainer t;
	struct step_stats st;
	double *loss, *ref;
	uint64_t h;
	long s, bad_loss = 0, first_bad = -1, n_loss = 0;
	int bad_state = 0;

	text = check_slurp(check_path(rc->data, path, sizeof path), &len);
	CHECK(dataset_parse(&ds, text, len, err, sizeof err) == 0);
	free(text);
	trainer_init(&t, &ds, &rc->cfg, rc->seed, rc->steps);
	P = t.model.n_params;
	loss = xcalloc((size_t)rc->steps + 1, sizeof *loss);
	ref = xcalloc(P, sizeof *ref);
	for (s = 1; s <= rc->steps; s++) {
		trainer_step(&t, &st);
		loss[s] = st.loss;
	}
	while ((line = next_line(cursor)) && strcmp(line, "end")) {
		char kind[16];
		unsigned long long want;
		long step;
		double w;

		if (sscanf(line, "losses %llx", &want) == 1) {
			h = check_fnv_doubles(CHECK_FNV_START, loss + 1, (size_t)rc->steps);
			if (h != want) {
				fprintf(stderr, "%s: the hash of the %ld losses differs\n", rc->name,
				    rc->steps);
				bad_state++;
			}
		} else if (sscanf(line, "loss %ld %lf", &step, &w) == 2) {
			n_loss++;
			if (step < 1 || step > rc->steps || loss[step] != w) {
				if (first_bad < 0)
					first_bad = step;
				bad_loss++;
			}
		} else if (sscanf(line, "%15s %llx", kind, &want) == 2 && kind[1] == '\0' &&
		    strchr("pmv", kind[0])) {
			const double *x = kind[0] == 'p' ? t.model.p : kind[0] == 'm' ? t.adam.m : t.adam.v;

			model_to_ref(&t.model, x, ref);
			h = check_fnv_doubles(CHECK_FNV_START, ref, P);
			if (h != want) {
				fprintf(stderr, "%s: final %s differs\n", rc->name, kind);
				bad_state++;
			}
		} else if (!strncmp(line, "sample ", 7)) {
			char *q = line + 9;
			int which = line[7];
			const double *x = which == 'p' ? t.model.p : which == 'm' ? t.adam.m : t.adam.v;

			model_to_ref(&t.model, x, ref);
			while (*q) {
				char *e;
				long i = strtol(q, &e, 10);

				if (e == q || *e != ':')
					break;
				w = strtod(e + 1, &q);
				if (i < 0 || (size_t)i >= P || ref[i] != w) {
					fprintf(stderr, "%s: final %c[%ld] = %a, want %a\n", rc->name, which, i,
					    i >= 0 && (size_t)i < P ? ref[i] : NAN, w);
					bad_state++;
				}
			}
		}
	}
	if (bad_loss)
		fprintf(stderr, "%s: %ld of %ld sampled losses differ, the first at step %ld\n",
		    rc->name, bad_loss, n_loss, first_bad);
	CHECK(n_loss > 0 && bad_loss == 0);
	CHECK(bad_state == 0);
	printf("%-8s %s seed %llu, %d/%d/%d/%d, %ld steps: %s\n", rc->name, rc->data,
	    (unsigned long long)rc->seed, rc->cfg.n_embd, rc->cfg.n_head, rc->cfg.n_layer,
	    rc->cfg.block_size, rc->steps, bad_loss || bad_state ? "DIFFERS from the reference" :
	    "every loss, weight and moment bit-identical");
	free(loss);
	free(ref);
	trainer_free(&t);
	dataset_free(&ds);
}

static void
test_reference_runs(void)
{
	char path[512], *text, *cursor, *line;
	size_t len;
	int n = 0;

	text = check_slurp(check_path("tests/data/exact_runs.txt", path, sizeof path), &len);
	cursor = text;
	while ((line = next_line(&cursor))) {
		struct run_case rc;
		unsigned long long seed;

		memset(&rc, 0, sizeof rc);
		if (sscanf(line, "case %31s %127s %llu %d %d %d %d %ld", rc.name, rc.data, &seed,
		    &rc.cfg.n_embd, &rc.cfg.n_head, &rc.cfg.n_layer, &rc.cfg.block_size,
		    &rc.steps) != 8)
			continue;
		rc.seed = seed;
		run_case(&rc, &cursor);
		n++;
	}
	CHECK(n >= 6);
	free(text);
}

/* Adam's bias corrections 1 - beta ** t (adam_update_norm skips pow once
 * it must give 1.0): equal to the formula with pow() at every t, for the
 * default betas and others, steps in any order (replay opens any step) and
 * a beta changed between updates. */
static void
test_bias_corrections(void)
{
	static const double betas[][2] = {
		{ 0.85, 0.99 }, { 0.9, 0.999 }, { 0.5, 0.9999 }, { 0.99, 0.85 }, { 1e-9, 0.75 },
		{ 1.0, 0.0 }, { 0.999999, 0.3 },
	};
	struct adam a;
	struct adam_record r;
	double p[3] = { 0.1, -0.2, 0.3 }, g[3] = { 0.01, 0.02, -0.03 };
	volatile double one = 1.0;
	size_t bi;
	long t, bad = 0, checked = 0;

	adam_init(&a, 3);
	adam_record_init(&r, 3);
	a.rec = &r;
	for (bi = 0; bi < sizeof betas / sizeof betas[0]; bi++) {
		a.beta1 = betas[bi][0];
		a.beta2 = betas[bi][1];
		for (t = 1; t <= 20000; t += (t < 5000 ? 1 : 37)) {
			/* odd rounds backwards: the steps out of order */
			long s = (bi & 1) ? 20001 - t : t;

			adam_update_norm(&a, p, g, 3, s - 1, 20000, NULL);
			bad += r.bc1 != one - pow(a.beta1, (double)s);
			bad += r.bc2 != one - pow(a.beta2, (double)s);
			checked += 2;
		}
	}
	adam_record_free(&r);
	adam_free(&a);
	CHECK(bad == 0);
	printf("bias corrections: %ld, equal to 1 - pow(beta, t)\n", checked);
}

int
main(void)
{
	test_fast_pow();
	test_fast_pow_neg();
	test_adam_builds();
	test_bias_corrections();
	test_reference_runs();
	return CHECK_DONE();
}
