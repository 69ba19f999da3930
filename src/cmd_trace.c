/* SPDX-License-Identifier: MIT */
/* cmd_trace.c - `mgpt-tui trace`: the debugger's pass without a screen.
 *
 * Feeds BOS and then each character of TEXT as the reference does, and
 * prints every op of the pass in the stepper's order with the values the
 * screen shows, read from the trace through op_view (nothing is computed
 * here). JSON is an array of one object per op, one object per line. The
 * workbench's ops follow the pass's (src/trace_attrib.c).
 *
 * The weights come from load_model_for(): a run of the store replayed to a
 * step, or, when no RUN is named and the database holds no finished run,
 * the default run (bundled names, seed 42, 1000 steps), trained and logged
 * as the debugger does. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "json_out.h"
#include "dataset.h"
#include "model.h"
#include "probe.h"
#include "stepper.h"
#include "train.h"
#include "xmalloc.h"
#include "debug_run.h"
#include "debug_session.h"
#include "store.h"
#include "trace_attrib.h"
#include "trace_train.h"

enum { OPT_STEP = 256, OPT_ABLATE, OPT_FORMAT, OPT_DB };

const struct option trace_opts[] = {
	{ "step", required_argument, NULL, OPT_STEP },
	{ "ablate", required_argument, NULL, OPT_ABLATE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "db", required_argument, NULL, OPT_DB },
	{ "help", no_argument, NULL, 'h' },
	TRACE_ATTRIB_OPTIONS
	TRACE_TRAIN_OPTIONS
	{ NULL, 0, NULL, 0 },
};

static const char trace_usage[] =
"usage: mgpt-tui trace [RUN] [--step S] [--ablate L0H1,...] [--format text|json]\n"
"                      [--db PATH] " TRACE_ATTRIB_USAGE "\n"
"                      TEXT\n"
TRACE_TRAIN_USAGE
TRACE_ATTRIB_HELP
TRACE_TRAIN_HELP;

/* The weights to trace: the debugger's run (debug_run.c is the one place
 * that produces a run's weights at a step). */
struct loaded {
	struct debug_run r;
	char   source[200];      /* "run 3 'x' at step 1000", for text output */
};

/* The weights of RUN (NULL: the newest finished run; with none, the default
 * run is trained and logged, as the debugger does) after `step` training
 * steps (-1: all it has). Returns 0, or the exit status after printing the
 * error. */
static int
load_model_for(const char *run, long step, const char *db, struct loaded *L)
{
	char err[STORE_ERRLEN];

	memset(L, 0, sizeof *L);
	switch (debug_run_open(&L->r, db, run, step, err, sizeof err)) {
	case 0:
		break;
	case DEBUG_RUN_BAD_STEP:
		cli_error("%s", err);
		return EXIT_USAGE;
	default:
		cli_error("%s", err);
		return 1;
	}
	if (debug_run_load(&L->r, NULL, NULL, err, sizeof err) < 0) {
		cli_error("%s", err);
		debug_run_close(&L->r);
		return 1;
	}
	snprintf(L->source, sizeof L->source, "run %lld '%s'%s at step %ld", (long long)L->r.id,
	    L->r.name, L->r.trained_here ? " (trained now)" : "", debug_run_step(&L->r));
	return 0;
}

static void
loaded_free(struct loaded *L)
{
	debug_run_close(&L->r);
}

/* ---- input ---- */

/* Whether every character of text is in the vocabulary (and text UTF-8). */
static int
all_in_vocab(const struct dataset *ds, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text);
	uint32_t c;
	int w;

	for (; len; s += w, len -= (size_t)w)
		if (!(w = utf8_get(s, len, &c)) || dataset_token(ds, c) < 0)
			return 0;
	return 1;
}

/* ---- output ---- */

struct out {
	FILE *f;
	int   json;
	const struct dataset *ds;
	const struct model *m;
	const struct trace *tr;
	const struct trace *ref;   /* all heads on, when some are off; else NULL */
	const struct grad_trace *grad;  /* --train-step: each op's gradient */
};

static void
json_vec(FILE *f, const char *key, const double *v, int n, int stride_rows, int rows, int stride)
{
	int r;

	fprintf(f, ",\"%s\":", key);
	if (stride_rows)
		fputc('[', f);
	for (r = 0; r < (stride_rows ? rows : 1); r++) {
		if (r)
			fputc(',', f);
		json_put_nums(f, v + (size_t)r * stride, n);
	}
	if (stride_rows)
		fputc(']', f);
}

/* A token for people: the character, or BOS. */
static const char *
tok_text(const struct dataset *ds, int t, char *buf)
{
	return dataset_tokstr(ds, t, buf, "BOS");
}

static void
text_vec(FILE *f, const char *label, const double *v, int n)
{
	int i;

	fprintf(f, "    %-10s", label);
	for (i = 0; i < n; i++)
		fprintf(f, " %.6g", v[i]);
	fputc('\n', f);
}

static void
json_tok(FILE *f, const char *key, const struct dataset *ds, int t)
{
	char buf[8];

	fprintf(f, ",\"%s\":", key);
	if (t < 0 || t >= ds->n_vocab)
		fputs("null", f);
	else
		json_put_str(f, dataset_tokstr(ds, t, buf, ""));
}

static void
print_op_json(const struct out *o, const struct op *op, const struct op_view *v)
{
	FILE *f = o->f;
	const struct model_config *c = &o->tr->cfg;
	char label[64];
	int i, n;

	op_label(op, label, sizeof label);
	fprintf(f, "{\"op\":\"%s\",\"pos\":%d,\"layer\":", op_name(op->kind), op->pos);
	op->layer < 0 ? fputs("null", f) : fprintf(f, "%d", op->layer);
	fputs(",\"head\":", f);
	op->head < 0 ? fputs("null", f) : fprintf(f, "%d", op->head);
	fprintf(f, ",\"label\":\"%s\",\"token\":%d", label, v->token);
	json_tok(f, "char", o->ds, v->token);
	json_vec(f, "out", v->out, v->n_out, 0, 0, 0);
	switch (op->kind) {
	case OP_EMBED:
		json_vec(f, "pos_emb", v->aux, v->n_aux, 0, 0, 0);
		break;
	case OP_RMSNORM_IN: case OP_RMSNORM_ATTN: case OP_RMSNORM_MLP:
		fputs(",\"ms\":", f);
		json_put_num(f, v->ms);
		fputs(",\"scale\":", f);
		json_put_num(f, v->scale);
		fputs(",\"eps\":", f);
		json_put_num(f, MODEL_RMS_EPS);
		break;
	case OP_KV_CACHE:
		json_vec(f, "k", v->k, v->dim, 1, v->n_cached, v->stride);
		json_vec(f, "v", v->v, v->dim, 1, v->n_cached, v->stride);
		break;
	case OP_HEAD_QKV:
		fprintf(f, ",\"dims\":[%d,%d]", v->dim0, v->dim0 + v->dim - 1);
		json_vec(f, "k", v->k, v->dim, 1, v->n_cached, v->stride);
		json_vec(f, "v", v->v, v->dim, 1, v->n_cached, v->stride);
		break;
	case OP_ATTN_SCORES:
		fputs(",\"scale\":", f);
		json_put_num(f, v->att_scale);
		break;
	case OP_ATTN_WEIGHTS:
		fputs(",\"max\":", f);
		json_put_num(f, v->max);
		json_vec(f, "exp", v->in2, v->n_in2, 0, 0, 0);
		fputs(",\"sum\":", f);
		json_put_num(f, v->sum);
		break;
	case OP_HEAD_OUT:
		fprintf(f, ",\"off\":%s", v->head_off ? "true" : "false");
		break;
	case OP_CONCAT:
		fputs(",\"heads_off\":[", f);
		for (i = 0, n = 0; i < c->n_head; i++)
			if (model_head_off(v->head_mask, c, op->layer, i))
				fprintf(f, "%s\"L%dH%d\"", n++ ? "," : "", op->layer, i);
		fputc(']', f);
		break;
	case OP_RELU:
		fprintf(f, ",\"active\":%d", v->n_active);
		break;
	case OP_PROBS:
		fputs(",\"max\":", f);
		json_put_num(f, v->max);
		json_vec(f, "exp", v->in2, v->n_in2, 0, 0, 0);
		fputs(",\"sum\":", f);
		json_put_num(f, v->sum);
		fprintf(f, ",\"target\":");
		v->target < 0 ? fputs("null", f) : fprintf(f, "%d", v->target);
		json_tok(f, "target_char", o->ds, v->target);
		fputs(",\"loss\":", f);
		json_put_num(f, v->loss);
		if (o->ref) {
			const double *p = o->ref->probs + (size_t)op->pos * c->vocab_size;

			json_vec(f, "probs_all_heads", p, c->vocab_size, 0, 0, 0);
			fputs(",\"loss_all_heads\":", f);
			json_put_num(f, o->ref->loss[op->pos]);
		}
		fputs(",\"vocab\":[", f);
		for (i = 0; i < c->vocab_size; i++) {
			char buf[8];

			if (i)
				fputc(',', f);
			if (i == c->vocab_size - 1)
				fputs("null", f);
			else
				json_put_str(f, dataset_tokstr(o->ds, i, buf, ""));
		}
		fputc(']', f);
		break;
	default:
		break;
	}
	if (o->grad)
		trace_train_json_grad(f, o->grad, op);
	fputc('}', f);
}

/* The five most probable tokens, for the probs line. */
static void
text_top(FILE *f, const struct dataset *ds, const double *p, int V)
{
	int best[5], nb = 0, i, j;
	char buf[8];

	for (i = 0; i < V; i++) {
		for (j = nb; j > 0 && p[i] > p[best[j - 1]]; j--)
			if (j < 5)
				best[j] = best[j - 1];
		if (j < 5) {
			best[j] = i;
			if (nb < 5)
				nb++;
		}
	}
	fputs("    top       ", f);
	for (i = 0; i < nb; i++)
		fprintf(f, " %s %.4f", tok_text(ds, best[i], buf), p[best[i]]);
	fputc('\n', f);
}

static void
print_op_text(const struct out *o, const struct op *op, const struct op_view *v)
{
	FILE *f = o->f;
	const struct model_config *c = &o->tr->cfg;
	char label[64], buf[8], buf2[8], name[16];
	int u, i;

	op_label(op, label, sizeof label);
	if (op->kind == OP_EMBED)
		fprintf(f, "pos %d: token %s (%d), next %s\n", op->pos, tok_text(o->ds, v->token, buf),
		    v->token, v->target < 0 ? "unknown" : tok_text(o->ds, v->target, buf2));
	fprintf(f, "  %s", label);
	switch (op->kind) {
	case OP_EMBED:
		fprintf(f, ": wte[%d] and wpe[%d]\n", v->token, op->pos);
		text_vec(f, "wte", v->out, v->n_out);
		text_vec(f, "wpe", v->aux, v->n_aux);
		return;
	case OP_RMSNORM_IN: case OP_RMSNORM_ATTN: case OP_RMSNORM_MLP:
		fprintf(f, ": ms %.17g, scale (ms + %g)^-0.5 = %.17g\n", v->ms, MODEL_RMS_EPS, v->scale);
		break;
	case OP_KV_CACHE:
		fprintf(f, ": %d cached rows\n", v->n_cached);
		for (u = 0; u < v->n_cached; u++) {
			snprintf(name, sizeof name, "k[%d]", u);
			text_vec(f, name, v->k + (size_t)u * v->stride, v->dim);
			snprintf(name, sizeof name, "v[%d]", u);
			text_vec(f, name, v->v + (size_t)u * v->stride, v->dim);
		}
		return;
	case OP_HEAD_QKV:
		fprintf(f, ": dims %d..%d of %d\n", v->dim0, v->dim0 + v->dim - 1, c->n_embd);
		text_vec(f, "q", v->out, v->n_out);
		for (u = 0; u < v->n_cached; u++) {
			snprintf(name, sizeof name, "k[%d]", u);
			text_vec(f, name, v->k + (size_t)u * v->stride, v->dim);
		}
		for (u = 0; u < v->n_cached; u++) {
			snprintf(name, sizeof name, "v[%d]", u);
			text_vec(f, name, v->v + (size_t)u * v->stride, v->dim);
		}
		return;
	case OP_ATTN_SCORES:
		fprintf(f, ": q.k[u] * %.17g\n", v->att_scale);
		break;
	case OP_ATTN_WEIGHTS:
		fprintf(f, ": max %.17g, sum %.17g\n", v->max, v->sum);
		text_vec(f, "exp", v->in2, v->n_in2);
		break;
	case OP_HEAD_OUT:
		fputs(v->head_off ? ": switched off (zeroed in concat)\n" : "\n", f);
		break;
	case OP_CONCAT:
		fputs(": heads off:", f);
		for (i = 0, u = 0; i < c->n_head; i++)
			if (model_head_off(v->head_mask, c, op->layer, i)) {
				fprintf(f, " L%dH%d", op->layer, i);
				u++;
			}
		fputs(u ? "\n" : " none\n", f);
		break;
	case OP_RELU:
		fprintf(f, ": %d of %d units active\n", v->n_active, v->n_out);
		break;
	case OP_PROBS:
		fprintf(f, ": max %.17g, sum %.17g", v->max, v->sum);
		if (v->target >= 0)
			fprintf(f, "; next %s p %.6g, -log p %.17g", tok_text(o->ds, v->target, buf),
			    v->out[v->target], v->loss);
		fputc('\n', f);
		text_top(f, o->ds, v->out, v->n_out);
		text_vec(f, "out", v->out, v->n_out);
		if (o->ref) {
			const double *p = o->ref->probs + (size_t)op->pos * c->vocab_size;

			text_vec(f, "all heads", p, c->vocab_size);
			fputs("    delta p   ", f);
			for (i = 0; i < c->vocab_size; i++)
				fprintf(f, " %+.6g", v->out[i] - p[i]);
			fputc('\n', f);
			if (v->target >= 0)
				fprintf(f, "    -log p of %s: %.17g with these heads, %.17g with all heads on\n",
				    tok_text(o->ds, v->target, buf), v->loss, o->ref->loss[op->pos]);
		}
		return;
	default:
		fputc('\n', f);
		break;
	}
	text_vec(f, "out", v->out, v->n_out);
}

/* trace_train.c prints a training step's forward ops through here */
static void
print_train_op(FILE *f, int json, const struct model *m, const struct dataset *ds,
    const struct trace *tr, const struct grad_trace *g, const struct op *op,
    const struct op_view *v)
{
	struct out o;

	memset(&o, 0, sizeof o);
	o.f = f;
	o.json = json;
	o.ds = ds;
	o.m = m;
	o.tr = tr;
	o.grad = g;
	if (json)
		print_op_json(&o, op, v);
	else
		print_op_text(&o, op, v);
}

int
cmd_trace(int argc, char **argv)
{
	const char *run = NULL, *text, *db = NULL, **ablate;
	long step = -1;
	int json = 0, c, i, n, cut, r, rc = 1, n_ablate = 0;
	const int *tok;
	uint64_t mask = 0;
	char err[256], heads[512], bad[256];
	struct loaded L;
	struct debug_session ds;
	struct debug_input_error why;
	const struct trace *tr;
	const struct stepper *st;
	struct out o;
	struct trace_attrib ta;
	struct trace_train tt = { 0 };

	memset(&ta, 0, sizeof ta);
	ablate = xcalloc((size_t)argc + 1, sizeof *ablate);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", trace_opts, NULL)) != -1) {
		switch (c) {
		case OPT_STEP:
			if (cli_long("--step", optarg, 0, 1000000000L, &step) < 0)
				goto usage;
			break;
		case OPT_ABLATE:
			if (probe_parse_heads(optarg, NULL, &mask, err, sizeof err) < 0) {
				cli_error("--ablate: %s", err);
				goto usage;
			}
			ablate[n_ablate++] = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (!strcmp(optarg, "text"))
				json = 0;
			else {
				cli_error("--format: '%s' is not text or json", optarg);
				goto usage;
			}
			break;
		case OPT_DB:
			db = optarg;
			break;
		case 'h':
			free(ablate);
			return cli_help(trace_usage);
		default:
			if ((i = trace_attrib_option(&ta, c, optarg)) > 0
			    || (i == 0 && (i = trace_train_option(&tt, c, optarg)) > 0))
				break;
			if (i == 0)
				cli_bad_option("trace", argv, c, trace_opts);
			goto usage;
		}
	}
	if (trace_attrib_check(&ta) < 0)
		goto usage;
	if (tt.step > 0 && (step >= 0 || n_ablate || ta.sweep || ta.patch_from)) {
		cli_error("trace: --train-step goes with none of --step, --ablate, --sweep, --patch-from");
		goto usage;
	}
	if (tt.step > 0) {
		free(ablate);
		trace_attrib_free(&ta);
		return trace_train_main(&tt, argc - optind, argv + optind, db, json, print_train_op);
	}
	n = argc - optind;
	if (n < 1) {
		cli_error("trace: no TEXT given (try 'mgpt-tui trace emma')");
		goto usage;
	}
	if (n > 2) {
		cli_error("trace: unexpected argument '%s'", argv[optind + 2]);
		goto usage;
	}
	if (n == 2)
		run = argv[optind++];
	text = argv[optind];
	if (cli_parse_only) {
		free(ablate);
		return 0;
	}

	if ((rc = load_model_for(run, step, db, &L)) != 0) {
		free(ablate);
		return rc;
	}
	for (i = 0; i < n_ablate; i++) {
		uint64_t m1;

		if (probe_parse_heads(ablate[i], &L.r.tr.model.cfg, &m1, err, sizeof err) < 0) {
			cli_error("--ablate: %s", err);
			rc = EXIT_USAGE;
			goto done_model;
		}
		mask |= m1;
	}
	if (!run && L.r.st && !all_in_vocab(&L.r.ds, text)) {
		struct run_info ri;

		/* `trace run-1`: the one word is a run, and TEXT was forgotten */
		if (store_find_run(L.r.st, text, &ri) == 0) {
			cli_error("trace: TEXT is missing ('%s' is a run: mgpt-tui trace %s TEXT)", text, text);
			rc = EXIT_USAGE;
			goto done_model;
		}
	}
	/* the debugger's session: its input handling, its pass, its stepper */
	if ((r = debug_session_init(&ds, &L.r, text, &why)) < 0) {
		if (r == DEBUG_INPUT_UTF8)
			cli_error("trace: TEXT is not valid UTF-8 (byte %zu)", why.bad_byte);
		else {
			debug_session_describe(&ds, r, &why, bad, sizeof bad);
			cli_error("trace: TEXT: %s", bad);
		}
		rc = EXIT_USAGE;
		goto done_session;
	}
	cut = ds.n_input - ds.n_fed;
	/* the last position scored as training scores a name: its target is
	 * the closing BOS, or the first character cut */
	debug_session_set_scoring(&ds, 1);
	n = ds.tr.n_pos;
	tok = ds.tokens;
	if (cut)
		cli_error("note: TEXT cut to its first %d characters (block_size %d tokens, BOS included)",
		    n - 1, L.r.tr.model.cfg.block_size);
	if (mask)
		debug_session_set_mask(&ds, mask);
	if ((rc = trace_attrib_prepare(&ta, &L.r.tr.model, &L.r.ds, &ds.tr)) != 0)
		goto done_session;
	if (mask)   /* every head on, after the patch as before it */
		probe_all_heads(&L.r.tr.model, &ds.tr, &ds.tr_all);
	memset(&o, 0, sizeof o);
	if (mask)
		o.ref = &ds.tr_all;
	tr = &ds.tr;
	st = &ds.st;

	o.f = stdout;
	o.json = json;
	o.ds = &L.r.ds;
	o.m = &L.r.tr.model;
	o.tr = tr;
	if (!json) {
		probe_format_heads(mask, &tr->cfg, heads, sizeof heads);
		printf("# %s\n# input:", L.source);
		for (i = 0; i < n; i++) {
			char buf[8];

			printf(" %s", tok_text(&L.r.ds, tok[i], buf));
		}
		printf(" (%d positions, %d ops); heads off: %s\n", n, st->n_ops, mask ? heads : "none");
		if (cut)
			printf("# note: TEXT cut at block_size %d tokens\n", tr->cfg.block_size);
	} else
		fputs("[\n", stdout);
	for (i = 0; i < st->n_ops; i++) {
		struct op_view v;

		op_view(&L.r.tr.model, tr, &st->ops[i], &v);
		if (json) {
			print_op_json(&o, &st->ops[i], &v);
			fputs(i + 1 < st->n_ops ? ",\n" : "", stdout);
		} else
			print_op_text(&o, &st->ops[i], &v);
	}
	ta.run = &L.r;
	trace_attrib_print(&ta, stdout, json, &L.r.tr.model, &L.r.ds, tr);
	if (json)
		fputs("\n]\n", stdout);
	rc = 0;   /* a write error on stdout: main() says it, as for every command */
done_session:
	debug_session_free(&ds);
done_model:
	trace_attrib_free(&ta);
	free(ablate);
	loaded_free(&L);
	return rc;
usage:
	free(ablate);
	return EXIT_USAGE;
}
