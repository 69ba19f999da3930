/* SPDX-License-Identifier: MIT */
/* trace_train.c - `trace RUN --train-step S`: the forward ops of the
 * step's document with their gradients, the backward ops in the order the
 * engine computes them, each tensor's gradient and Adam update. Every
 * number is read from what train_step_open() recorded; nothing is
 * computed here but norms and rankings for people (ratio, head_norms,
 * largest). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "headstats.h"
#include "json_out.h"
#include "cmd.h"
#include "store.h"
#include "trace_train.h"
#include "train_step.h"
#include "xmalloc.h"

#define N_LARGEST TRAIN_STEP_LARGEST

int
trace_train_option(struct trace_train *a, int c, const char *arg)
{
	if (c != TRACE_TRAIN_OPT_STEP)
		return 0;
	if (cli_long("--train-step", arg, 1, 1000000000L, &a->step) < 0)
		return -1;
	return 1;
}

/* ---- output helpers: JSON (one object a line) or text ---- */

struct pr {
	FILE *f;
	int   json;
	int   first;   /* no object printed yet */
	const struct model *m;
	const struct dataset *ds;
	const struct train_step *ts;
};

static void
arr(FILE *f, const char *key, const double *v, int n)
{
	fprintf(f, ",\"%s\":", key);
	json_put_nums(f, v, n);
}

/* rows of n at stride apart: [[...],[...]] */
static void
arr2(FILE *f, const char *key, const double *v, int rows, int n, size_t stride)
{
	int r;

	fprintf(f, ",\"%s\":[", key);
	for (r = 0; r < rows; r++) {
		if (r)
			fputc(',', f);
		json_put_nums(f, v + (size_t)r * stride, n);
	}
	fputc(']', f);
}

static void
key_num(FILE *f, const char *key, double x)
{
	fprintf(f, ",\"%s\":", key);
	json_put_num(f, x);
}

static void
jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
tvec(FILE *f, const char *label, const double *v, int n)
{
	int i;

	fprintf(f, "    %-10s", label);
	for (i = 0; i < n; i++)
		fprintf(f, " %.6g", v[i]);
	fputc('\n', f);
}

/* Start a backward op: JSON {"op":kind,"pos":..,"layer":..,"head":..;
 * text its label line. The caller closes JSON with end(). */
static void
begin(struct pr *p, const char *kind, int pos, int layer, int head)
{
	FILE *f = p->f;

	if (p->json) {
		fputs(p->first ? "" : ",\n", f);
		fprintf(f, "{\"op\":\"%s\",\"pos\":", kind);
		pos < 0 ? fputs("null", f) : fprintf(f, "%d", pos);
		fputs(",\"layer\":", f);
		layer < 0 ? fputs("null", f) : fprintf(f, "%d", layer);
		fputs(",\"head\":", f);
		head < 0 ? fputs("null", f) : fprintf(f, "%d", head);
	} else {
		fputs("  ", f);
		if (layer >= 0)
			fprintf(f, head >= 0 ? "L%dH%d " : "L%d ", layer, head);
		fprintf(f, "%s", kind);
		if (pos >= 0)
			fprintf(f, " @ pos %d", pos);
	}
	p->first = 0;
}

static void
end(struct pr *p)
{
	if (p->json)
		fputc('}', p->f);
}

/* A named vector: a JSON field, or a text line. */
static void
vec(struct pr *p, const char *key, const double *v, int n)
{
	if (p->json)
		arr(p->f, key, v, n);
	else
		tvec(p->f, key, v, n);
}

static void
scalar(struct pr *p, const char *key, double x)
{
	if (p->json)
		key_num(p->f, key, x);
	else
		fprintf(p->f, " %s %.17g", key, x);
}

/* end of a text op's first line */
static void
eol(struct pr *p)
{
	if (!p->json)
		fputc('\n', p->f);
}

void
trace_train_json_grad(FILE *f, const struct grad_trace *g, const struct op *op)
{
	int n;
	const double *d = op_grad(g, op, &n);

	if (d)
		arr(f, "grad", d, n);
}

/* ---- the backward ops, in the order model_backward computes them ---- */

static void
print_backward(struct pr *p)
{
	const struct train_step *ts = p->ts;
	const struct trace *tr = ts->tr;
	const struct grad_trace *g = &ts->gt;
	const struct model_config *c = &tr->cfg;
	const int C = c->n_embd, T = c->block_size, V = c->vocab_size, H = c->n_head;
	const int L = c->n_layer, F = 4 * C, D = C / H, n = tr->n_pos;
	const double scale = model_attn_scale(c);
	int t, l, h, i, k;
	char buf[24];

	begin(p, "loss", -1, -1, -1);
	scalar(p, "loss", ts->loss);
	scalar(p, "d_loss_t", g->d_loss_t);
	eol(p);
	vec(p, "losses", tr->loss, n);
	end(p);
	for (t = 0; t < n; t++) {
		int tgt = tr->target[t];

		begin(p, "d_logits", t, -1, -1);
		if (p->json) {
			fprintf(p->f, ",\"target\":%d,\"target_char\":", tgt);
			jstr(p->f, dataset_tokstr(p->ds, tgt, buf, ""));
		} else
			fprintf(p->f, ": target %s", dataset_tokstr(p->ds, tgt, buf, "BOS"));
		scalar(p, "p_target", tr->probs[(size_t)t * V + tgt]);
		scalar(p, "d_p_target", g->d_prob_tgt[t]);
		scalar(p, "sum", tr->logit_sum[t]);
		scalar(p, "d_sum", g->d_logit_sum[t]);
		eol(p);
		vec(p, "exp", tr->logit_exp + (size_t)t * V, V);
		vec(p, "grad", g->d_logits + (size_t)t * V, V);
		end(p);
	}
	for (t = 0; t < n; t++) {
		begin(p, "d_lm_head", t, -1, -1);
		eol(p);
		vec(p, "grad", g->d_x_out + ((size_t)(L - 1) * T + t) * C, C);
		end(p);
	}
	for (l = L - 1; l >= 0; l--) {
		size_t lt0 = (size_t)l * T;

		for (t = 0; t < n; t++) {
			begin(p, "d_mlp_fc2", t, l, -1);
			eol(p);
			vec(p, "grad", g->d_relu + (lt0 + t) * F, F);
			end(p);
		}
		for (t = 0; t < n; t++) {
			for (i = 0, k = 0; i < F; i++)
				k += tr->fc1[(lt0 + t) * F + i] > 0;
			begin(p, "d_relu", t, l, -1);
			p->json ? fprintf(p->f, ",\"active\":%d", k) : fprintf(p->f, ": %d of %d active", k, F);
			eol(p);
			vec(p, "grad", g->d_fc1 + (lt0 + t) * F, F);
			end(p);
		}
		for (t = 0; t < n; t++) {
			begin(p, "d_mlp_fc1", t, l, -1);
			eol(p);
			vec(p, "grad", g->d_xn2 + (lt0 + t) * C, C);
			end(p);
		}
		for (t = 0; t < n; t++) {
			begin(p, "d_rmsnorm_mlp", t, l, -1);
			scalar(p, "scale", tr->ln2_scale[lt0 + t]);
			scalar(p, "d_scale", g->d_ln2_scale[lt0 + t]);
			eol(p);
			vec(p, "grad", g->d_x_mid + (lt0 + t) * C, C);
			end(p);
		}
		for (t = 0; t < n; t++) {
			begin(p, "d_attn_wo", t, l, -1);
			eol(p);
			vec(p, "grad", g->d_att_cat + (lt0 + t) * C, C);
			end(p);
		}
		for (t = n - 1; t >= 0; t--)
			for (h = 0; h < H; h++) {
				size_t lth = (lt0 + t) * H + h, sh = ((lt0 + t) * T) * C + h * D;

				begin(p, "d_head_out", t, l, h);
				eol(p);
				vec(p, "d_out", g->d_att_head + (lt0 + t) * C + h * D, D);
				vec(p, "grad", g->d_att_w + lth * T, t + 1);
				end(p);
				begin(p, "d_attn_weights", t, l, h);
				scalar(p, "sum", tr->att_sum[lth]);
				scalar(p, "d_sum", g->d_att_sum[lth]);
				eol(p);
				vec(p, "exp", tr->att_exp + lth * T, t + 1);
				vec(p, "d_exp", g->d_att_exp + lth * T, t + 1);
				vec(p, "grad", g->d_att_score + lth * T, t + 1);
				end(p);
				begin(p, "d_attn_scores", t, l, h);
				scalar(p, "scale", scale);
				eol(p);
				vec(p, "grad", g->d_q + (lt0 + t) * C + h * D, D);
				if (p->json) {
					arr2(p->f, "d_k", g->d_k_share + sh, t + 1, D, (size_t)C);
					arr2(p->f, "d_v", g->d_v_share + sh, t + 1, D, (size_t)C);
				} else
					for (k = 0; k <= t; k++) {
						snprintf(buf, sizeof buf, "d_k[%d]", k);
						tvec(p->f, buf, g->d_k_share + sh + (size_t)k * C, D);
						snprintf(buf, sizeof buf, "d_v[%d]", k);
						tvec(p->f, buf, g->d_v_share + sh + (size_t)k * C, D);
					}
				end(p);
			}
		for (t = 0; t < n; t++) {
			begin(p, "d_qkv", t, l, -1);
			eol(p);
			vec(p, "d_q", g->d_q + (lt0 + t) * C, C);
			vec(p, "d_k", g->d_k + (lt0 + t) * C, C);
			vec(p, "d_v", g->d_v + (lt0 + t) * C, C);
			vec(p, "grad", g->d_xn1 + (lt0 + t) * C, C);
			end(p);
		}
		for (t = 0; t < n; t++) {
			begin(p, "d_rmsnorm_attn", t, l, -1);
			scalar(p, "scale", tr->ln1_scale[lt0 + t]);
			scalar(p, "d_scale", g->d_ln1_scale[lt0 + t]);
			eol(p);
			vec(p, "grad", g->d_x_in + (lt0 + t) * C, C);
			end(p);
		}
	}
	for (t = n - 1; t >= 0; t--) {
		begin(p, "d_rmsnorm_in", t, -1, -1);
		scalar(p, "scale", tr->ln0_scale[t]);
		scalar(p, "d_scale", g->d_ln0_scale[t]);
		eol(p);
		vec(p, "grad", g->d_emb + (size_t)t * C, C);
		end(p);
		begin(p, "d_embed", t, -1, -1);
		p->json ? fprintf(p->f, ",\"token\":%d", tr->token[t])
		        : fprintf(p->f, ": into wte[%d] and wpe[%d]", tr->token[t], t);
		eol(p);
		vec(p, "grad", g->d_emb + (size_t)t * C, C);
		end(p);
	}
}

/* ---- per tensor: the gradient and the Adam update ---- */

static void
print_tensors(struct pr *p)
{
	const struct train_step *ts = p->ts;
	const struct model *m = p->m;
	const size_t N = ts->n_params;
	double *g = xmalloc(N * sizeof *g), *mm = xmalloc(N * sizeof *mm), *vv = xmalloc(N * sizeof *vv);
	double *pb = xmalloc(N * sizeof *pb), *pa = xmalloc(N * sizeof *pa);
	double *mh = xmalloc(N * sizeof *mh), *vh = xmalloc(N * sizeof *vh), *up = xmalloc(N * sizeof *up);
	double hn[64];
	int i, j, k, nh;

	model_to_ref(m, ts->grad, g);
	model_to_ref(m, ts->m_after, mm);
	model_to_ref(m, ts->v_after, vv);
	model_to_ref(m, ts->p_before, pb);
	model_to_ref(m, ts->p_after, pa);
	model_to_ref(m, ts->ar.m_hat, mh);
	model_to_ref(m, ts->ar.v_hat, vh);
	model_to_ref(m, ts->ar.update, up);
	for (i = 0; i < m->n_tensors; i++) {
		const struct tensor *t = &m->tensors[i];
		size_t ne = (size_t)t->rows * t->cols, o = t->off;

		begin(p, "param_grad", -1, p->json ? t->layer : -1, -1);
		if (p->json) {
			fputs(",\"tensor\":", p->f);
			jstr(p->f, t->name);
			fprintf(p->f, ",\"rows\":%d,\"cols\":%d", t->rows, t->cols);
		} else
			fprintf(p->f, " %s [%d x %d]", t->name, t->rows, t->cols);
		scalar(p, "norm", train_step_tensor_norm(m, t, ts->grad));
		nh = headstats_block_norms(m, t, ts->grad, hn);
		if (nh && p->json)
			arr(p->f, "head_norms", hn, nh);
		eol(p);
		if (nh && !p->json)
			tvec(p->f, "head norms", hn, nh);
		if (p->json)
			arr(p->f, "grad", g + o, (int)ne);
		else
			for (j = 0; j < t->rows; j++) {
				char label[16];

				snprintf(label, sizeof label, "row %d", j);
				tvec(p->f, label, g + o + (size_t)j * t->cols, t->cols);
			}
		end(p);
	}
	for (i = 0; i < m->n_tensors; i++) {
		const struct tensor *t = &m->tensors[i];
		size_t ne = (size_t)t->rows * t->cols, o = t->off;
		int best[N_LARGEST], nb;
		double un, wn;

		/* the largest moves |update|, largest first (ties: lower index) */
		nb = train_step_largest(m, t, ts->ar.update, best, N_LARGEST);
		begin(p, "adam", -1, p->json ? t->layer : -1, -1);
		if (p->json) {
			fputs(",\"tensor\":", p->f);
			jstr(p->f, t->name);
			fprintf(p->f, ",\"rows\":%d,\"cols\":%d", t->rows, t->cols);
		} else
			fprintf(p->f, " %s [%d x %d]:", t->name, t->rows, t->cols);
		scalar(p, "lr", ts->ar.lr_t);
		scalar(p, "bc1", ts->ar.bc1);
		scalar(p, "bc2", ts->ar.bc2);
		un = train_step_tensor_norm(m, t, ts->ar.update);
		wn = train_step_tensor_norm(m, t, ts->p_before);
		scalar(p, "update_norm", un);
		scalar(p, "weight_norm", wn);
		scalar(p, "ratio", un / wn);
		eol(p);
		if (p->json) {
			fputs(",\"largest\":[", p->f);
			for (k = 0; k < nb; k++) {
				fprintf(p->f, "%s{\"row\":%d,\"col\":%d,\"update\":", k ? "," : "",
				    best[k] / t->cols, best[k] % t->cols);
				json_put_num(p->f, up[o + best[k]]);
				fputs(",\"before\":", p->f);
				json_put_num(p->f, pb[o + best[k]]);
				fputs(",\"after\":", p->f);
				json_put_num(p->f, pa[o + best[k]]);
				fputc('}', p->f);
			}
			fputc(']', p->f);
			arr(p->f, "m", mm + o, (int)ne);
			arr(p->f, "v", vv + o, (int)ne);
			arr(p->f, "m_hat", mh + o, (int)ne);
			arr(p->f, "v_hat", vh + o, (int)ne);
			arr(p->f, "update", up + o, (int)ne);
			arr(p->f, "before", pb + o, (int)ne);
			arr(p->f, "after", pa + o, (int)ne);
		} else
			for (k = 0; k < nb; k++)
				fprintf(p->f, "    move %d   [%d][%d] %.17g -> %.17g (update %.6g)\n", k + 1,
				    best[k] / t->cols, best[k] % t->cols, pb[o + best[k]], pa[o + best[k]],
				    up[o + best[k]]);
		end(p);
	}
	free(g); free(mm); free(vv); free(pb); free(pa); free(mh); free(vh); free(up);
}

int
trace_train_main(const struct trace_train *a, int nargs, char **args, const char *db, int json,
    trace_train_print_op print_op)
{
	struct debug_run r;
	struct train_step ts;
	struct stepper s;
	struct pr p;
	char err[STORE_ERRLEN], doc[1024];
	size_t len = 0;
	int i, rc = 1;

	if (nargs > 1) {
		cli_error("trace: --train-step takes no TEXT (the step's document is traced)");
		return EXIT_USAGE;
	}
	if (cli_parse_only)
		return 0;
	if (debug_run_open(&r, db, nargs ? args[0] : NULL, -1, err, sizeof err) < 0) {
		cli_error("%s", err);
		return 1;
	}
	if (train_step_open(&ts, &r, a->step, err, sizeof err) < 0) {
		cli_error("%s", err);
		rc = strncmp(err, "--train-step", 12) ? 1 : EXIT_USAGE;
		train_step_free(&ts);
		debug_run_close(&r);
		return rc;
	}
	/* the document: the step's tokens after BOS, without the closing one */
	doc[0] = '\0';
	for (i = 1; i < ts.tr->n_pos && len + 8 < sizeof doc; i++) {
		dataset_tokstr(&r.ds, ts.tr->token[i], doc + len, "");
		len += strlen(doc + len);
	}
	memset(&p, 0, sizeof p);
	p.f = stdout;
	p.json = json;
	p.first = 1;
	p.m = &r.tr.model;
	p.ds = &r.ds;
	p.ts = &ts;
	stepper_init(&s, &ts.tr->cfg);
	stepper_build(&s, ts.tr->n_pos);
	if (json) {
		fprintf(stdout, "[\n{\"op\":\"train_step\",\"pos\":null,\"layer\":null,\"head\":null,"
		    "\"step\":%ld,\"n_steps\":%ld,\"run\":%lld,\"doc\":",
		    ts.step, ts.n_steps, (long long)r.id);
		jstr(stdout, doc);
		fprintf(stdout, ",\"doc_index\":%zu,\"positions\":%d", ts.doc, ts.tr->n_pos);
		key_num(stdout, "loss", ts.loss);
		key_num(stdout, "lr", ts.lr);
		key_num(stdout, "grad_norm", ts.grad_norm);
		fprintf(stdout, ",\"checked_against\":\"%s\",\"weights_match\":true}",
		    ts.snapshot ? "snapshot" : "replay");
		p.first = 0;
	} else {
		printf("# run %lld '%s', training step %ld / %ld: document %zu \"%s\" (%d positions)\n",
		    (long long)r.id, r.name, ts.step, ts.n_steps, ts.doc, doc, ts.tr->n_pos);
		printf("# loss %.17g, lr %.17g, grad norm %.17g\n", ts.loss, ts.lr, ts.grad_norm);
		printf("# weights after equal the run's step %ld (%s) bit for bit\n", ts.step,
		    ts.snapshot ? "its snapshot" : "replayed");
		printf("# forward (%d ops), each with grad = d loss / d out\n", s.n_ops);
	}
	for (i = 0; i < s.n_ops; i++) {
		struct op_view v;

		op_view(&r.tr.model, ts.tr, &s.ops[i], &v);
		if (json)
			fputs(",\n", stdout);
		print_op(stdout, json, &r.tr.model, &r.ds, ts.tr, &ts.gt, &s.ops[i], &v);
		if (!json) {
			int n;
			const double *d = op_grad(&ts.gt, &s.ops[i], &n);

			if (d)
				tvec(stdout, "grad", d, n);
		}
	}
	if (!json)
		printf("# backward, in the order computed\n");
	print_backward(&p);
	if (!json)
		printf("# parameter gradients and the Adam update, per tensor\n");
	print_tensors(&p);
	if (json)
		fputs("\n]\n", stdout);
	rc = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("trace: cannot write the output");
		rc = 1;
	}
	stepper_free(&s);
	train_step_free(&ts);
	debug_run_close(&r);
	return rc;
}
