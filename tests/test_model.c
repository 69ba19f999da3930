/* SPDX-License-Identifier: MIT */
/* test_model.c - the engine against the reference's known figures, and the
 * hand-written backward pass against finite differences. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dataset.h"
#include "kernels.h"
#include "model.h"
#include "rng.h"
#include "train.h"
#include "xmalloc.h"

/* microgpt.py, seed 42, data/names.txt, defaults (from the issue), exactly. */
static void
test_known_figures(void)
{
	static const double want_loss[] = { 3.443011724217978, 3.436567271273728, 3.2364939155688996 };
	static const char *want_names[] = { "cerla", "dellie", "jone", "cabin", "garrela" };
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	struct dataset ds;
	struct trainer t;
	struct step_stats st;
	char err[256], path[512], buf[8], name[64];
	size_t len;
	char *text = check_slurp(check_path("data/names.txt", path, sizeof path), &len);
	int i, j, n, toks[16];
	double max_diff = 0;

	CHECK(dataset_parse(&ds, text, len, err, sizeof err) == 0);
	free(text);
	CHECK(ds.n_docs == 8403);
	CHECK(ds.n_vocab == 26);
	trainer_init(&t, &ds, &cfg, 42, 1000);
	CHECK(t.model.n_params == 4192);
	for (i = 0; i < 1000; i++) {
		trainer_step(&t, &st);
		if (i < 3) {
			/* training is bit-identical: equal, not near */
			CHECK_NEAR(st.loss, want_loss[i], 0);
			max_diff = fmax(max_diff, fabs(st.loss - want_loss[i]));
		}
	}
	CHECK_NEAR(st.loss, 2.1184045964554596, 0);
	max_diff = fmax(max_diff, fabs(st.loss - 2.1184045964554596));
	printf("known losses: largest difference %.3g\n", max_diff);
	for (i = 0; i < 5; i++) {
		n = sample_name(&t.model, &t.tr, &t.rng, 0.5, toks);
		name[0] = '\0';
		for (j = 0; j < n; j++)
			strcat(name, dataset_tokstr(&ds, toks[j], buf, ""));
		if (strcmp(name, want_names[i]))
			fprintf(stderr, "sample %d: got '%s', want '%s'\n", i + 1, name, want_names[i]);
		CHECK(strcmp(name, want_names[i]) == 0);
	}
	/* The sampler's stream is the preamble's stream, rebuilt without data. */
	{
		struct rng r;
		rng_after_preamble(&r, 42, ds.n_docs, t.model.n_params);
		n = sample_name(&t.model, &t.tr, &r, 0.5, toks);
		name[0] = '\0';
		for (j = 0; j < n; j++)
			strcat(name, dataset_tokstr(&ds, toks[j], buf, ""));
		CHECK(strcmp(name, want_names[0]) == 0);
	}
	trainer_free(&t);
	dataset_free(&ds);
}

/* Loss of one fixed sequence with parameters p (the trace's positions). */
static double
seq_loss(const struct model *m, struct trace *tr, const int *tok, int n)
{
	double sum = 0.0;
	int i;

	trace_reset(tr);
	for (i = 0; i < n; i++) {
		model_forward(m, tr, tok[i], tok[i + 1]);
		sum += tr->loss[i];
	}
	return (1.0 / n) * sum;
}

/* Central differences for every tensor of a small two-layer model,
 * including a switched-off head (its gradient path is cut). */
static void
test_gradient_check(uint64_t head_mask)
{
	struct model_config cfg = { 7, 8, 2, 2, 6 };
	struct model m;
	struct trace tr;
	struct backward *bw;
	struct rng r;
	int tok[7] = { 6, 0, 3, 5, 1, 2, 6 }, n = 6, i;
	double *g, worst = 0;

	model_init(&m, &cfg);
	rng_seed(&r, 7);
	model_randomize(&m, &r);
	/* larger weights than the 0.08 init, so every path carries signal */
	for (i = 0; i < (int)m.n_params; i++)
		m.p[i] *= 5;
	trace_init(&tr, &cfg);
	tr.head_mask = head_mask;
	bw = backward_new(&cfg);
	g = xcalloc(m.n_params, sizeof *g);
	seq_loss(&m, &tr, tok, n);
	model_backward(&m, &tr, g, bw);
	for (i = 0; i < m.n_tensors; i++) {
		const struct tensor *t = &m.tensors[i];
		double tworst = 0;
		size_t e, ne = (size_t)t->rows * t->cols;

		for (e = t->off; e < t->off + ne; e++) {
			double keep = m.p[e], h = 1e-5, lp, lm, num, rel;

			m.p[e] = keep + h;
			lp = seq_loss(&m, &tr, tok, n);
			m.p[e] = keep - h;
			lm = seq_loss(&m, &tr, tok, n);
			m.p[e] = keep;
			num = (lp - lm) / (2 * h);
			rel = fabs(num - g[e]) / fmax(1e-6, fabs(num) + fabs(g[e]));
			if (rel > tworst)
				tworst = rel;
		}
		if (tworst >= 1e-6)
			fprintf(stderr, "gradient check: %s relative error %.3g\n", t->name, tworst);
		CHECK(tworst < 1e-6);
		if (tworst > worst)
			worst = tworst;
	}
	printf("gradient check (mask %#llx): %d tensors, worst relative error %.3g\n",
	    (unsigned long long)head_mask, m.n_tensors, worst);
	free(g);
	backward_free(bw);
	trace_free(&tr);
	model_free(&m);
}

/* model_forward_seq over several positions must record exactly what
 * one-position calls record: training uses the former, the debugger and the
 * sampler the latter, and there is one forward pass. */
static void
test_forward_seq(void)
{
	struct model_config cfg = { 7, 12, 3, 2, 9 };   /* 12 % 8 != 0: kernel tails too */
	int tok[9] = { 6, 0, 3, 5, 1, 2, 4, 4, 0 }, tgt[9] = { 0, 3, 5, 1, 2, 4, 4, 0, -1 };
	struct model m;
	struct trace a, b;
	struct rng r;
	int i, split, bad = 0;

	model_init(&m, &cfg);
	rng_seed(&r, 11);
	model_randomize(&m, &r);
	for (i = 0; i < (int)m.n_params; i++)
		m.p[i] *= 5;
	trace_init(&a, &cfg);
	trace_init(&b, &cfg);
	a.head_mask = b.head_mask = 1u << 4;
	for (i = 0; i < 9; i++)
		model_forward(&m, &a, tok[i], tgt[i]);
	for (split = 0; split <= 9; split += 3) {
		trace_reset(&b);
		if (split)
			model_forward_seq(&m, &b, tok, tgt, split);
		if (split < 9)
			model_forward_seq(&m, &b, tok + split, tgt + split, 9 - split);
		{
			const size_t T = 9, C = 12, V = 7, L = 2, H = 3, F = 48;
			const struct { const double *x, *y; size_t n; const char *name; } f[] = {
#define F_(name, n) { a.name, b.name, (n), #name }
				F_(tok_emb, T * C), F_(pos_emb, T * C), F_(emb, T * C), F_(ln0_ms, T),
				F_(ln0_scale, T), F_(x0, T * C), F_(ln1_ms, L * T), F_(ln1_scale, L * T),
				F_(xn1, L * T * C), F_(q, L * T * C), F_(k, L * T * C), F_(v, L * T * C),
				F_(att_score, L * T * H * T), F_(att_max, L * T * H),
				F_(att_exp, L * T * H * T), F_(att_sum, L * T * H), F_(att_inv, L * T * H),
				F_(att_w, L * T * H * T),
				F_(att_head, L * T * C), F_(att_cat, L * T * C), F_(att_proj, L * T * C),
				F_(x_mid, L * T * C), F_(ln2_ms, L * T), F_(ln2_scale, L * T),
				F_(xn2, L * T * C), F_(fc1, L * T * F), F_(relu, L * T * F),
				F_(fc2, L * T * C), F_(x_out, L * T * C), F_(logits, T * V),
				F_(logit_max, T), F_(logit_exp, T * V), F_(logit_sum, T), F_(logit_inv, T),
				F_(probs, T * V),
				F_(loss, T),
#undef F_
			};
			size_t k;

			CHECK(b.n_pos == 9);
			CHECK(memcmp(a.token, b.token, sizeof tok) == 0);
			CHECK(memcmp(a.target, b.target, sizeof tgt) == 0);
			for (k = 0; k < sizeof f / sizeof f[0]; k++)
				if (memcmp(f[k].x, f[k].y, f[k].n * sizeof(double))) {
					fprintf(stderr, "forward_seq (split %d): %s differs\n", split, f[k].name);
					bad++;
				}
		}
	}
	CHECK(bad == 0);
	printf("forward over all positions: trace bit-identical to one position at a time\n");
	trace_free(&a);
	trace_free(&b);
	model_free(&m);
}

/* Layout round trip: the reference layout of a tensor is row-major. */
static void
test_layout(void)
{
	struct model_config cfg = { 5, 4, 2, 1, 3 };
	struct model m;
	double *ref, *back;
	size_t i;

	model_init(&m, &cfg);
	for (i = 0; i < m.n_params; i++)
		m.p[i] = (double)i;
	ref = xmalloc(m.n_params * sizeof *ref);
	back = xmalloc(m.n_params * sizeof *back);
	model_to_ref(&m, m.p, ref);
	model_from_ref(&m, ref, back);
	CHECK(memcmp(back, m.p, m.n_params * sizeof *back) == 0);
	/* lm_head (5 x 4) row 1, col 2 is element 1*4+2 of its block */
	{
		const struct tensor *t = model_tensor(&m, TENSOR_LM_HEAD, -1);
		CHECK(ref[t->off + 1 * 4 + 2] == m.p[model_index(t, 1, 2)]);
	}
	CHECK(m.n_params == model_config_params(&cfg));
	free(ref);
	free(back);
	model_free(&m);
}

/* model_pow is CPython's x ** y: the library's pow() at run time, never a
 * compiler's 1/x or sqrt(x). The vectors include cases where they differ. */
static void
test_pow(void)
{
	char path[512], line[256];
	FILE *f = fopen(check_path("tests/data/pow_vectors.txt", path, sizeof path), "r");
	double x, y, want, got;
	int n = 0, bad = 0, end = -1;

	if (!f) {
		perror(path);
		check_failures++;
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char xs[64], ys[64], ws[64];

		if (sscanf(line, "end %d", &end) == 1)
			break;
		if (sscanf(line, "pow %63s %63s %63s", xs, ys, ws) != 3)
			continue;
		x = strtod(xs, NULL);
		y = strtod(ys, NULL);
		want = strtod(ws, NULL);
		got = model_pow(x, y);
		if (memcmp(&got, &want, sizeof got)) {
			if (bad++ < 5)
				fprintf(stderr, "model_pow(%a, %g) = %a, CPython says %a\n", x, y, got, want);
		}
		n++;
	}
	fclose(f);
	CHECK(end == n && n > 0);
	CHECK(bad == 0);
	printf("pow: %d known answers, %d differ\n", n, bad);
}

/* kernel_transpose (the backward's reference layout of every weight):
 * every shape from 1 x 1 to 27 x 70, whole tiles of eight and the edges,
 * against the plain definition, and nothing written outside. */
static void
test_transpose(void)
{
	static double src[27 * 70], dst[27 * 70 + 8];
	int R, K, r, k, bad = 0;

	for (r = 0; r < 27 * 70; r++)
		src[r] = r + 0.5;
	for (R = 1; R <= 27; R++)
		for (K = 1; K <= 70; K++) {
			for (r = 0; r < 27 * 70 + 8; r++)
				dst[r] = -1.0;
			kernel_transpose(dst, src, R, K);
			for (r = 0; r < R; r++)
				for (k = 0; k < K; k++)
					bad += dst[r * K + k] != src[k * R + r];
			for (r = R * K; r < 27 * 70 + 8; r++)
				bad += dst[r] != -1.0;
		}
	CHECK(bad == 0);
	printf("kernel_transpose: every shape up to 27 x 70 equal to the definition\n");
}

/* The linear kernels (kernel_linear_*: on AVX-512, kernels_wide.c's
 * sixteen-wide blocks) against their definition in kernels.h, bit for bit:
 * every sum in its order from 0.0, one rounding per product and per sum
 * (this file is built with -ffp-contract=off). Values spread over 2^-30 to
 * 2^30 so that any other order changes bits; strides wider than the rows,
 * so that a store outside a row or past the last one shows; shapes across
 * the block edges (1 to 9 positions, 1 to 35 outputs, inputs 1 to 65), and
 * the input gradient also with a permuted order of terms. */
#define LIN_N 9
#define LIN_OUT 35
#define LIN_IN 65
#define LIN_PAD 3

static double
lin_value(struct rng *r)
{
	return (rng_random(r) - 0.5) * ldexp(1.0, (int)rng_randbelow(r, 61) - 30);
}

static void
test_linear_kernels(void)
{
	static const int ins[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 64, 65 };
	static double W[LIN_OUT * LIN_IN], X[LIN_N * (LIN_IN + LIN_PAD)];
	static double dY[LIN_N * (LIN_OUT + LIN_PAD)], Y[LIN_N * (LIN_OUT + LIN_PAD) + 8];
	static double gW[LIN_IN * LIN_OUT + 8], Wref[LIN_OUT * LIN_IN];
	static double dX[LIN_N * (LIN_IN + LIN_PAD) + 8];
	int wrow[LIN_OUT], dyoff[LIN_OUT];
	struct rng r;
	int n, out, ii, in, i, o, t, k, perm, bad = 0, shapes = 0;

	rng_seed(&r, 7);
	for (i = 0; i < LIN_OUT * LIN_IN; i++)
		W[i] = lin_value(&r);
	for (i = 0; i < LIN_N * (LIN_IN + LIN_PAD); i++)
		X[i] = lin_value(&r);
	for (i = 0; i < LIN_N * (LIN_OUT + LIN_PAD); i++)
		dY[i] = lin_value(&r);
	for (n = 1; n <= LIN_N; n++)
		for (out = 1; out <= LIN_OUT; out++)
			for (ii = 0; ii < (int)(sizeof ins / sizeof ins[0]); ii++) {
				const size_t xs = (size_t)(in = ins[ii]) + LIN_PAD, ys = (size_t)out + LIN_PAD;

				shapes++;
				/* forward: W as Wt[in][out] */
				for (i = 0; i < (int)(sizeof Y / sizeof Y[0]); i++)
					Y[i] = -7.0;
				kernel_linear_forward(Y, ys, W, X, xs, n, out, in);
				for (t = 0; t < n; t++)
					for (o = 0; o < (int)ys; o++) {
						double acc = 0.0;

						for (i = 0; o < out && i < in; i++)
							acc += W[(size_t)i * out + o] * X[t * xs + i];
						bad += Y[t * ys + o] != (o < out ? acc : -7.0);
					}
				for (i = n * (int)ys; i < (int)(sizeof Y / sizeof Y[0]); i++)
					bad += Y[i] != -7.0;
				/* weight gradient, positions last to first */
				for (i = 0; i < (int)(sizeof gW / sizeof gW[0]); i++)
					gW[i] = -7.0;
				kernel_linear_backward_w(gW, X, xs, dY, ys, n, out, in);
				for (i = 0; i < in; i++)
					for (o = 0; o < out; o++) {
						double acc = 0.0;

						for (t = n - 1; t >= 0; t--)
							acc += X[t * xs + i] * dY[t * ys + o];
						bad += gW[(size_t)i * out + o] != acc;
					}
				for (i = in * out; i < (int)(sizeof gW / sizeof gW[0]); i++)
					bad += gW[i] != -7.0;
				/* input gradient over the out rows of W[out][in], plain
				 * and in a permuted order */
				for (perm = 0; perm < 2; perm++) {
					for (k = 0; k < out; k++) {
						wrow[k] = k * in;
						dyoff[k] = k;
					}
					for (k = out - 1; perm && k > 0; k--) {
						int j = (int)rng_randbelow(&r, (uint64_t)k + 1), s = wrow[k];

						wrow[k] = wrow[j];
						wrow[j] = s;
						s = dyoff[k];
						dyoff[k] = dyoff[(k + j) / 2];
						dyoff[(k + j) / 2] = s;
					}
					memcpy(Wref, W, sizeof Wref);
					for (i = 0; i < (int)(sizeof dX / sizeof dX[0]); i++)
						dX[i] = -7.0;
					kernel_linear_backward_x(dX, xs, dY, ys, Wref, wrow, dyoff, n, out, in);
					for (t = 0; t < n; t++)
						for (i = 0; i < (int)xs; i++) {
							double acc = 0.0;

							for (k = out - 1; i < in && k >= 0; k--)
								acc += W[wrow[k] + i] * dY[t * ys + dyoff[k]];
							bad += dX[t * xs + i] != (i < in ? acc : -7.0);
						}
					for (i = n * (int)xs; i < (int)(sizeof dX / sizeof dX[0]); i++)
						bad += dX[i] != -7.0;
				}
			}
	CHECK(bad == 0);
	printf("linear kernels: %d shapes equal to the definition, bit for bit (%d differ)\n",
	    shapes, bad);
}

int
main(void)
{
	test_pow();
	test_transpose();
	test_linear_kernels();
	test_layout();
	test_forward_seq();
	test_gradient_check(0);
	test_gradient_check(1u << 1);
	test_known_figures();
	return CHECK_DONE();
}
