/* SPDX-License-Identifier: MIT */
/* test_attrib.c - head attribution, the logit lens, the loss of a name,
 * the ablation sweep and patching, against a second computation.
 *
 * The reference here is a straightforward scalar forward pass written from
 * microgpt.py's gpt() and read from the raw weights (model_index), one
 * position at a time with a KV cache, switched-off heads zeroed before
 * attn_wo, and a patched head output put in place of the computed one. It
 * shares nothing with the engine's forward but the parameters. Runs: the
 * default run (bundled names, seed 42, 16/4/1/16, 1000 steps, trained by
 * the engine's trainer) and a 2-layer run (16/4/2/16, 300 steps, 8 heads:
 * every subset). Each comparison prints its largest difference. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "check.h"
#include "dataset.h"
#include "model.h"
#include "train.h"
#include "xmalloc.h"

#define TOL 1e-12
#define MAXC 64
#define MAXV 64
#define MAXT 16
#define MAXL 2

/* ---- the scalar reference ---- */

static const struct model *M;
static const struct tensor *Wt[TENSOR_FC2 + 1][MAXL + 1];   /* [kind][layer + 1] */

static void
r_use(const struct model *m)
{
	int k, l;

	M = m;
	for (k = 0; k <= TENSOR_FC2; k++)
		for (l = -1; l < m->cfg.n_layer; l++)
			Wt[k][l + 1] = model_tensor(m, (enum tensor_kind)k, l);
}

/* the weight of row (output) `row`, column (input) `col`, from the raw vector */
static double
W(enum tensor_kind k, int layer, int row, int col)
{
	return M->p[model_index(Wt[k][layer + 1], row, col)];
}

static double
rpow(double x, double y)
{
	volatile double e = y;   /* CPython's run-time pow(), see model_pow */

	return pow(x, e);
}

static void
r_rmsnorm(double *y, const double *x, int n)
{
	double ss = 0.0, scale;
	int i;

	for (i = 0; i < n; i++)
		ss += x[i] * x[i];
	scale = rpow(ss * rpow((double)n, -1.0) + 1e-5, -0.5);
	for (i = 0; i < n; i++)
		y[i] = x[i] * scale;
}

/* y[o] = sum_i w[o][i] x[i], in order from 0 */
static void
r_linear(double *y, enum tensor_kind k, int layer, const double *x, int out, int in)
{
	int o, i;

	for (o = 0; o < out; o++) {
		double s = 0.0;

		for (i = 0; i < in; i++)
			s += W(k, layer, o, i) * x[i];
		y[o] = s;
	}
}

static void
r_softmax(double *p, const double *x, int n)
{
	double mx = x[0], total = 0.0, inv;
	int i;

	for (i = 1; i < n; i++)
		if (x[i] > mx)
			mx = x[i];
	for (i = 0; i < n; i++) {
		p[i] = exp(x[i] - mx);
		total += p[i];
	}
	inv = rpow(total, -1.0);
	for (i = 0; i < n; i++)
		p[i] *= inv;
}

/* Everything the tests compare, per position. */
struct rpass {
	int    n;
	double x0[MAXT][MAXC];
	double mid[MAXL][MAXT][MAXC], out[MAXL][MAXT][MAXC], fc2[MAXL][MAXT][MAXC];
	double head[MAXL][MAXT][MAXC];   /* head outputs, all heads, before the mask */
	double cat[MAXL][MAXT][MAXC];    /* after the mask */
	double logits[MAXT][MAXV];
	double loss[MAXT];
	double mean;                     /* (1/n) * sum loss */
};

struct rpatch {
	int layer, head, pos;
	const double *val;   /* D values, or NULL: no patch */
};

static void
r_pass(const int *tok, const int *tgt, int n, uint64_t mask, const struct rpatch *pt,
    struct rpass *r)
{
	const struct model_config *c = &M->cfg;
	const int C = c->n_embd, H = c->n_head, D = C / H, V = c->vocab_size, F = 4 * C;
	static double K[MAXL][MAXT][MAXC], Vv[MAXL][MAXT][MAXC];
	double x[MAXC], xn[MAXC], q[MAXC], a[MAXC], h1[4 * MAXC], p[MAXV], sc[MAXT], w[MAXT];
	double sum = 0.0;
	int t, l, h, i, j, u;

	r->n = n;
	for (t = 0; t < n; t++) {
		for (i = 0; i < C; i++)
			x[i] = W(TENSOR_WTE, -1, tok[t], i) + W(TENSOR_WPE, -1, t, i);
		r_rmsnorm(x, x, C);
		memcpy(r->x0[t], x, sizeof(double) * C);
		for (l = 0; l < c->n_layer; l++) {
			r_rmsnorm(xn, x, C);
			r_linear(q, TENSOR_WQ, l, xn, C, C);
			r_linear(K[l][t], TENSOR_WK, l, xn, C, C);
			r_linear(Vv[l][t], TENSOR_WV, l, xn, C, C);
			for (h = 0; h < H; h++) {
				for (u = 0; u <= t; u++) {
					double s = 0.0;

					for (j = 0; j < D; j++)
						s += q[h * D + j] * K[l][u][h * D + j];
					sc[u] = s * rpow(rpow((double)D, 0.5), -1.0);
				}
				r_softmax(w, sc, t + 1);
				for (j = 0; j < D; j++) {
					double s = 0.0;

					for (u = 0; u <= t; u++)
						s += w[u] * Vv[l][u][h * D + j];
					r->head[l][t][h * D + j] = s;
				}
				if (pt && pt->val && pt->layer == l && pt->head == h && pt->pos == t)
					memcpy(&r->head[l][t][h * D], pt->val, sizeof(double) * D);
				for (j = 0; j < D; j++)
					r->cat[l][t][h * D + j] = (mask >> (l * H + h)) & 1 ? 0.0 :
					    r->head[l][t][h * D + j];
			}
			r_linear(a, TENSOR_WO, l, r->cat[l][t], C, C);
			for (i = 0; i < C; i++)
				x[i] = a[i] + x[i];
			memcpy(r->mid[l][t], x, sizeof(double) * C);
			r_rmsnorm(xn, x, C);
			r_linear(h1, TENSOR_FC1, l, xn, F, C);
			for (i = 0; i < F; i++)
				h1[i] = h1[i] > 0 ? h1[i] : 0.0;
			r_linear(r->fc2[l][t], TENSOR_FC2, l, h1, C, F);
			for (i = 0; i < C; i++)
				x[i] = r->fc2[l][t][i] + x[i];
			memcpy(r->out[l][t], x, sizeof(double) * C);
		}
		r_linear(r->logits[t], TENSOR_LM_HEAD, -1, x, V, C);
		r_softmax(p, r->logits[t], V);
		r->loss[t] = -log(p[tgt[t]]);
		sum += r->loss[t];
	}
	r->mean = (1.0 / n) * sum;
}

/* lm_head . (attn_wo[:, h's dims] . cat[h's dims]) */
static void
r_head_logits(const struct rpass *r, int t, int l, int h, double *out)
{
	const int C = M->cfg.n_embd, D = C / M->cfg.n_head, V = M->cfg.vocab_size;
	double y[MAXC];
	int o, i, j;

	for (o = 0; o < C; o++) {
		double s = 0.0;

		for (j = 0; j < D; j++)
			s += W(TENSOR_WO, l, o, h * D + j) * r->cat[l][t][h * D + j];
		y[o] = s;
	}
	for (o = 0; o < V; o++) {
		double s = 0.0;

		for (i = 0; i < C; i++)
			s += W(TENSOR_LM_HEAD, -1, o, i) * y[i];
		out[o] = s;
	}
}

static void
r_lm_head(const double *x, double *out)
{
	r_linear(out, TENSOR_LM_HEAD, -1, x, M->cfg.vocab_size, M->cfg.n_embd);
}

/* ---- helpers ---- */

static double
maxdiff(const double *a, const double *b, int n)
{
	double d = 0.0;
	int i;

	for (i = 0; i < n; i++)
		if (!(fabs(a[i] - b[i]) <= d))
			d = isnan(a[i] - b[i]) ? INFINITY : fabs(a[i] - b[i]);
	return d;
}

static void
load_names(struct dataset *ds)
{
	char path[4096], err[DATASET_ERRLEN];
	size_t len;
	char *text = check_slurp(check_path("data/names.txt", path, sizeof path), &len);

	if (dataset_parse(ds, text, len, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	free(text);
}

/* TEXT scored as training scores a name: BOS, characters, closing BOS. */
static int
name_tokens(const struct dataset *ds, const char *s, int block, int *tok, int *tgt)
{
	int doc[64], n = 0;

	for (; *s; s++)
		doc[n++] = dataset_token(ds, (unsigned char)*s);
	return attrib_doc_tokens(doc, (size_t)n, ds->n_vocab, block, tok, tgt);
}

/* ---- the checks, for one run ---- */

/* Head logits, the decomposition and the lens of TEXT under mask: engine
 * against the reference. */
static void
check_pass(const struct model *m, const struct dataset *ds, const char *text, uint64_t mask)
{
	const struct model_config *c = &m->cfg;
	const int V = c->vocab_size, L = c->n_layer, H = c->n_head;
	static struct rpass r;
	struct trace tr;
	struct attrib_parts parts;
	double out[MAXV], want[MAXV], tmp[MAXC], dh = 0, dl = 0, dd = 0, dr = 0, d;
	int tok[MAXT], tgt[MAXT], n, t, l, h, pt;
	char nm[16];

	n = name_tokens(ds, text, c->block_size, tok, tgt);
	r_pass(tok, tgt, n, mask, NULL, &r);
	trace_init(&tr, c);
	tr.head_mask = mask;
	model_forward_seq(m, &tr, tok, tgt, n);
	attrib_parts_init(&parts, c);

	/* the closing target: BOS, or the next character of a cut input */
	CHECK(tr.target[n - 1] == (n == (int)strlen(text) + 1 ? ds->n_vocab :
	    dataset_token(ds, (unsigned char)text[n - 1])));
	for (t = 0; t < n; t++) {
		dr = fmax(dr, maxdiff(tr.logits + (size_t)t * V, r.logits[t], V));
		dr = fmax(dr, fabs(tr.loss[t] - r.loss[t]));
		for (l = 0; l < L; l++)
			for (h = 0; h < H; h++) {
				attrib_head_logits(m, &tr, t, l, h, out, tmp);
				r_head_logits(&r, t, l, h, want);
				dh = fmax(dh, maxdiff(out, want, V));
				if ((mask >> (l * H + h)) & 1) {
					int v, zero = 1;

					for (v = 0; v < V; v++)
						zero &= out[v] == 0.0;
					CHECK(zero);
				}
			}
		/* the parts sum to the logits */
		d = attrib_decompose(m, &tr, t, &parts);
		CHECK(d <= TOL);
		dd = fmax(dd, d);
		r_lm_head(r.x0[t], want);
		dd = fmax(dd, maxdiff(parts.embed, want, V));
		for (l = 0; l < L; l++) {
			r_lm_head(r.fc2[l][t], want);
			dd = fmax(dd, maxdiff(parts.mlp + (size_t)l * V, want, V));
		}
		/* the lens at every point; the last is the logits, bit for bit */
		for (pt = 0; pt < attrib_lens_points(c); pt++) {
			const double *x = pt == 0 ? r.x0[t] : (pt - 1) % 2 == 0 ? r.mid[(pt - 1) / 2][t] :
			    r.out[(pt - 1) / 2][t];

			attrib_lens(m, &tr, t, pt, out);
			r_lm_head(x, want);
			dl = fmax(dl, maxdiff(out, want, V));
		}
		attrib_lens(m, &tr, t, attrib_lens_points(c) - 1, out);
		CHECK(memcmp(out, tr.logits + (size_t)t * V, sizeof(double) * V) == 0);
	}
	CHECK(!strcmp(attrib_lens_name(0, nm, sizeof nm), "embed"));
	CHECK(!strcmp(attrib_lens_name(1, nm, sizeof nm), "L0.attn"));
	CHECK(!strcmp(attrib_lens_name(2, nm, sizeof nm), "L0.mlp"));
	CHECK(!strcmp(attrib_lens_name(4, nm, sizeof nm), "L1.mlp"));
	/* the input's loss: the mean of the positions', closing BOS included */
	CHECK_NEAR(attrib_trace_loss(&tr), r.mean, TOL);
	CHECK(dr <= TOL);
	CHECK(dh <= TOL);
	CHECK(dl <= TOL);
	CHECK(dd <= TOL);
	printf("  %-12s mask %#4llx: %d positions; largest difference: logits and losses %.3g, "
	    "head logits %.3g, lens %.3g, parts %.3g\n", text, (unsigned long long)mask, n, dr, dh,
	    dl, dd);
	attrib_parts_free(&parts);
	trace_free(&tr);
}

static int progress_calls;
static size_t progress_last;

static int
count_progress(void *arg, size_t done, size_t total)
{
	(void)total;
	progress_calls++;
	progress_last = done;
	return arg != NULL && done == *(size_t *)arg;
}

/* The sweep over the first n_docs documents of ds, every mask, against the
 * reference pass per document and mask. */
static void
check_sweep(const struct model *m, const struct dataset *ds, size_t n_docs, const char *text)
{
	const struct model_config *c = &m->cfg;
	static struct rpass r;
	struct dataset sub = *ds;
	struct attrib_sweep sw;
	int tok[MAXT], tgt[MAXT], n, k, bad_order = 0;
	double dt = 0, dd = 0;
	size_t d, stop = 3;

	sub.n_docs = n_docs;
	n = name_tokens(ds, text, c->block_size, tok, tgt);
	attrib_sweep_init(&sw, c);
	CHECK(sw.n_masks == attrib_sweep_masks(c, NULL, 0));
	CHECK(sw.n_masks == 1 << (c->n_layer * c->n_head));
	progress_calls = 0;
	CHECK(attrib_sweep_run(m, &sub, tok, tgt, n, &sw, count_progress, NULL) == 0);
	CHECK(progress_calls == (int)n_docs && progress_last == n_docs);
	for (k = 0; k < sw.n_masks; k++) {
		double sum = 0.0;

		if (sw.mask[k] != (uint64_t)k)
			bad_order++;
		r_pass(tok, tgt, n, sw.mask[k], NULL, &r);
		dt = fmax(dt, fabs(sw.text_loss[k] - r.mean));
		for (d = 0; d < n_docs; d++) {
			int dtok[MAXT], dtgt[MAXT];
			int nd = attrib_doc_tokens(dataset_doc(ds, d), dataset_doc_len(ds, d), ds->n_vocab,
			    c->block_size, dtok, dtgt);

			r_pass(dtok, dtgt, nd, sw.mask[k], NULL, &r);
			sum += r.mean;
		}
		dd = fmax(dd, fabs(sw.dataset_loss[k] - sum / (double)n_docs));
	}
	CHECK(bad_order == 0);
	CHECK(dt <= TOL);
	CHECK(dd <= TOL);
	/* switching heads off costs something on the whole: not every loss is the same */
	CHECK(sw.dataset_loss[sw.n_masks - 1] != sw.dataset_loss[0]);
	printf("  sweep: %d masks x %zu documents; largest difference: text loss %.3g, "
	    "dataset loss %.3g\n", sw.n_masks, n_docs, dt, dd);
	printf("    all on: text %.6f dataset %.6f; all off: text %.6f dataset %.6f\n",
	    sw.text_loss[0], sw.dataset_loss[0], sw.text_loss[sw.n_masks - 1],
	    sw.dataset_loss[sw.n_masks - 1]);

	/* a slice at a time: the same losses, bit for bit */
	{
		struct attrib_sweep s2;
		struct attrib_sweep_job *j;
		size_t done, steps = 0;

		attrib_sweep_init(&s2, c);
		j = attrib_sweep_begin(m, &sub, tok, tgt, n, &s2);
		CHECK(!isnan(s2.text_loss[0]) && isnan(s2.dataset_loss[0]));
		while ((done = attrib_sweep_step(j, 7)) < n_docs) {
			CHECK(isnan(s2.dataset_loss[0]));
			steps++;
		}
		CHECK(steps == (n_docs - 1) / 7);
		CHECK(attrib_sweep_step(j, 7) == n_docs);
		attrib_sweep_end(j);
		CHECK(memcmp(s2.text_loss, sw.text_loss, sizeof(double) * sw.n_masks) == 0);
		CHECK(memcmp(s2.dataset_loss, sw.dataset_loss, sizeof(double) * sw.n_masks) == 0);
		attrib_sweep_free(&s2);
	}
	/* cancelled after 3 documents: dataset losses NaN, the text's kept */
	progress_calls = 0;
	CHECK(attrib_sweep_run(m, &sub, tok, tgt, n, &sw, count_progress, &stop) == 1);
	CHECK(progress_calls == 3);
	CHECK(isnan(sw.dataset_loss[0]) && !isnan(sw.text_loss[0]));
	/* no input, no documents: NaN */
	CHECK(attrib_sweep_run(m, NULL, tok, tgt, 0, &sw, NULL, NULL) == 0);
	CHECK(isnan(sw.text_loss[1]) && isnan(sw.dataset_loss[1]));
	attrib_sweep_free(&sw);
}

/* Patching head (l, h) at pos of TEXT with its output on TEXT2. */
static void
check_patch(const struct model *m, const struct dataset *ds, const char *text, const char *text2,
    int l, int h, int pos)
{
	const struct model_config *c = &m->cfg;
	const int C = c->n_embd, D = C / c->n_head, V = c->vocab_size;
	static struct rpass r, r2;
	struct trace tr, src, clean;
	struct rpatch pt;
	int tok[MAXT], tgt[MAXT], tok2[MAXT], tgt2[MAXT], n, n2, t, changed = 0, before = 0;
	double d = 0;

	n = name_tokens(ds, text, c->block_size, tok, tgt);
	n2 = name_tokens(ds, text2, c->block_size, tok2, tgt2);
	CHECK(n == n2);
	trace_init(&tr, c);
	trace_init(&src, c);
	trace_init(&clean, c);
	model_forward_seq(m, &tr, tok, tgt, n);
	model_forward_seq(m, &clean, tok, tgt, n);
	model_forward_seq(m, &src, tok2, tgt2, n2);
	CHECK(attrib_patch_head(m, &tr, &src, l, h, pos) == 0);
	r_pass(tok2, tgt2, n2, 0, NULL, &r2);
	pt.layer = l;
	pt.head = h;
	pt.pos = pos;
	pt.val = &r2.head[l][pos][h * D];
	r_pass(tok, tgt, n, 0, &pt, &r);
	for (t = 0; t < n; t++) {
		d = fmax(d, maxdiff(tr.logits + (size_t)t * V, r.logits[t], V));
		d = fmax(d, fabs(tr.loss[t] - r.loss[t]));
		if (memcmp(tr.logits + (size_t)t * V, clean.logits + (size_t)t * V, sizeof(double) * V))
			t < pos ? before++ : changed++;
	}
	CHECK(d <= TOL);
	CHECK(before == 0);     /* positions before the patch are untouched */
	CHECK(changed > 0);
	CHECK(memcmp(tr.att_head + trace_lt(&tr, l, pos) * C + h * D,
	    src.att_head + trace_lt(&src, l, pos) * C + h * D, sizeof(double) * D) == 0);
	/* bad arguments change nothing */
	CHECK(attrib_patch_head(m, &tr, &src, c->n_layer, 0, 0) == -1);
	CHECK(attrib_patch_head(m, &tr, &src, 0, c->n_head, 0) == -1);
	CHECK(attrib_patch_head(m, &tr, &src, 0, 0, n) == -1);
	src.n_pos--;
	CHECK(attrib_patch_head(m, &tr, &src, 0, 0, 0) == -1);
	printf("  patch L%dH%d@%d of %s from %s: %d positions changed; largest difference %.3g\n",
	    l, h, pos, text, text2, changed, d);
	trace_free(&tr);
	trace_free(&src);
	trace_free(&clean);
}

/* The sweep's mask-by-mask recomputation equals a full forward pass per
 * mask bit for bit (model_forward_from_concat's promise). */
static void
check_from_concat(const struct model *m, const struct dataset *ds, const char *text)
{
	const struct model_config *c = &m->cfg;
	struct trace a, b;
	int tok[MAXT], tgt[MAXT], n, bad = 0, l;
	uint64_t mask, N = (uint64_t)1 << (c->n_layer * c->n_head);

	n = name_tokens(ds, text, c->block_size, tok, tgt);
	trace_init(&a, c);
	trace_init(&b, c);
	for (mask = 1; mask < N; mask++) {
		for (l = 0; !((mask >> (l * c->n_head)) & ((1u << c->n_head) - 1)); l++)
			;
		trace_reset(&a);
		a.head_mask = 0;
		model_forward_seq(m, &a, tok, tgt, n);
		a.head_mask = mask;
		model_forward_from_concat(m, &a, l);
		trace_reset(&b);
		b.head_mask = mask;
		model_forward_seq(m, &b, tok, tgt, n);
		bad += memcmp(a.logits, b.logits, sizeof(double) * n * c->vocab_size) != 0;
		bad += memcmp(a.loss, b.loss, sizeof(double) * n) != 0;
	}
	CHECK(bad == 0);
	trace_free(&a);
	trace_free(&b);
}

/* Train cfg on the bundled names; at every step the loss training logs
 * equals the loss attrib scores the step's document with. */
static void
run(const struct model_config *cfg0, long steps, size_t sweep_docs)
{
	struct dataset ds;
	struct trainer t;
	struct step_stats st;
	struct trace tr;
	int tok[MAXT], tgt[MAXT], n, bad = 0;
	long s;

	load_names(&ds);
	trainer_init(&t, &ds, cfg0, 42, steps);
	r_use(&t.model);
	trace_init(&tr, &t.model.cfg);
	for (s = 0; s < steps; s++) {
		size_t d = (size_t)s % ds.n_docs;

		n = attrib_doc_tokens(dataset_doc(&ds, d), dataset_doc_len(&ds, d), ds.n_vocab,
		    t.model.cfg.block_size, tok, tgt);
		trace_reset(&tr);
		tr.head_mask = 0;
		model_forward_seq(&t.model, &tr, tok, tgt, n);
		trainer_step(&t, &st);
		bad += attrib_trace_loss(&tr) != st.loss || n != st.n_pos;
	}
	CHECK(bad == 0);
	printf("run %d/%d/%d/%d, %ld steps: the loss of every step's name = training's (%d differ)\n",
	    cfg0->n_embd, cfg0->n_head, cfg0->n_layer, cfg0->block_size, steps, bad);

	check_pass(&t.model, &ds, "emma", 0);
	check_pass(&t.model, &ds, "emma", 0x5);
	check_pass(&t.model, &ds, "christopher", 0x2);
	check_pass(&t.model, &ds, "abcdefghijklmnopqrstuvwxyz", 0);   /* cut: last target 'p' */
	if (t.model.cfg.n_layer > 1)
		check_pass(&t.model, &ds, "olivia", 0x30);
	check_from_concat(&t.model, &ds, "isabella");
	check_sweep(&t.model, &ds, sweep_docs, "emma");
	check_patch(&t.model, &ds, "emma", "anna", 0, 2, 2);
	check_patch(&t.model, &ds, "emma", "olga", t.model.cfg.n_layer - 1, 1, 3);
	trace_free(&tr);
	trainer_free(&t);
	dataset_free(&ds);
}

int
main(void)
{
	struct model_config def = { 0, 16, 4, 1, 16 }, two = { 0, 16, 4, 2, 16 };
	struct model_config twelve = { 0, 12, 3, 3, 8 };
	uint64_t masks[80];

	run(&def, 1000, 400);
	run(&two, 300, 40);
	/* more than 8 heads: none, each head, each pair */
	CHECK(attrib_sweep_masks(&twelve, NULL, 0) == 1 + 9 + 36);
	CHECK(attrib_sweep_masks(&twelve, masks, 80) == 46);
	CHECK(masks[0] == 0 && masks[1] == 1 && masks[9] == 0x100 && masks[10] == 0x3 &&
	    masks[45] == 0x180);
	return CHECK_DONE();
}
