/* SPDX-License-Identifier: MIT */
/* trace_attrib.c - `trace`'s workbench output (see trace_attrib.h): per
 * position and head the head's direct contribution to the logits, the
 * logit lens at every residual point, with --sweep the loss of TEXT and of
 * the run's whole dataset for every subset of heads switched off, and with
 * --patch-from/--patch the pass with one head's output at one position
 * taken from another input. The numbers come from src/engine/attrib.c;
 * this file parses flags and prints. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib.h"
#include "cli.h"
#include "head_sweep.h"
#include "json_out.h"
#include "probe.h"
#include "trace_attrib.h"
#include "xmalloc.h"

/* "L0H2@4" (case does not matter) into layer, head, position. */
static int
parse_patch(const char *s, int *layer, int *head, int *pos)
{
	int *dst[3] = { layer, head, pos };
	const char lead[3] = { 'l', 'h', '@' };
	int i;

	for (i = 0; i < 3; i++) {
		char *e;
		long v;

		if (tolower((unsigned char)*s) != lead[i] || !isdigit((unsigned char)s[1]))
			return -1;
		v = strtol(s + 1, &e, 10);
		if (v > 1000000)
			return -1;
		*dst[i] = (int)v;
		s = e;
	}
	return *s ? -1 : 0;
}

int
trace_attrib_option(struct trace_attrib *a, int c, const char *arg)
{
	switch (c) {
	case TRACE_ATTRIB_OPT_SWEEP:
		a->sweep = 1;
		return 1;
	case TRACE_ATTRIB_OPT_PATCH_FROM:
		a->patch_from = arg;
		return 1;
	case TRACE_ATTRIB_OPT_PATCH:
		if (parse_patch(arg, &a->layer, &a->head, &a->pos) < 0) {
			cli_error("--patch: '%.40s' is not a head at a position (want e.g. L0H2@4)", arg);
			return -1;
		}
		a->patch = arg;
		return 1;
	default:
		return 0;
	}
}

int
trace_attrib_check(const struct trace_attrib *a)
{
	if (a->patch && !a->patch_from) {
		cli_error("--patch needs --patch-from TEXT2 (the input whose head output is put in)");
		return -1;
	}
	if (a->patch_from && !a->patch) {
		cli_error("--patch-from needs --patch LlHh@P (which head at which position)");
		return -1;
	}
	return 0;
}

/* TEXT2 as training scores a name. Returns the positions, or -1 after
 * printing the error. */
static int
encode_text2(const struct dataset *ds, int block, const char *text, int *tok, int *tgt)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text), i = 0, n = 0;
	int *doc = xcalloc(len + 1, sizeof *doc), r;
	uint32_t c;

	while (i < len) {
		int w = utf8_get(s + i, len - i, &c);

		if (w == 0) {
			cli_error("--patch-from: TEXT2 is not valid UTF-8 (byte %zu)", i + 1);
			free(doc);
			return -1;
		}
		i += (size_t)w;
		if ((doc[n++] = dataset_token(ds, c)) < 0) {
			char u[8];

			if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
				cli_error("--patch-from: U+%04X is not in the run's vocabulary", (unsigned)c);
			else {
				u[utf8_put(u, c)] = '\0';
				cli_error("--patch-from: '%s' is not in the run's vocabulary", u);
			}
			free(doc);
			return -1;
		}
	}
	r = attrib_doc_tokens(doc, n, ds->n_vocab, block, tok, tgt);
	free(doc);
	return r;
}

int
trace_attrib_prepare(struct trace_attrib *a, const struct model *m, const struct dataset *ds,
    struct trace *tr)
{
	const struct model_config *c = &m->cfg;
	struct trace src;
	int *tok, *tgt, n, D = m->head_dim;

	if (!a->patch)
		return 0;
	if (a->layer >= c->n_layer || a->head >= c->n_head) {
		cli_error("--patch: L%dH%d: no such head (layers L0..L%d, heads H0..H%d)", a->layer,
		    a->head, c->n_layer - 1, c->n_head - 1);
		return EXIT_USAGE;
	}
	if (a->pos >= tr->n_pos) {
		cli_error("--patch: position %d is past the input (positions 0..%d)", a->pos,
		    tr->n_pos - 1);
		return EXIT_USAGE;
	}
	tok = xcalloc((size_t)c->block_size, sizeof *tok);
	tgt = xcalloc((size_t)c->block_size, sizeof *tgt);
	n = encode_text2(ds, c->block_size, a->patch_from, tok, tgt);
	if (n >= 0 && n != tr->n_pos)
		cli_error("--patch-from: TEXT2 makes %d positions and TEXT %d; they must be as long",
		    n, tr->n_pos);
	if (n != tr->n_pos) {
		free(tok);
		free(tgt);
		return EXIT_USAGE;
	}
	trace_init(&src, c);
	src.head_mask = tr->head_mask;
	model_forward_seq(m, &src, tok, tgt, n);
	attrib_patch_head(m, tr, &src, a->layer, a->head, a->pos);
	a->patch_out = xcalloc((size_t)D, sizeof(double));
	memcpy(a->patch_out, src.att_head + trace_lt(&src, a->layer, a->pos) * c->n_embd +
	    (size_t)a->head * D, (size_t)D * sizeof(double));
	a->patched = 1;
	trace_free(&src);
	free(tok);
	free(tgt);
	return 0;
}

void
trace_attrib_free(struct trace_attrib *a)
{
	free(a->patch_out);
	a->patch_out = NULL;
}

/* ---- printing ---- */

static void
vec(FILE *f, const double *v, int n)
{
	fputs(",\"out\":", f);
	json_put_nums(f, v, n);
}

/* The k largest (dir > 0) or smallest values of v, as "a +1.23 e +0.9". */
static void
text_extremes(FILE *f, const struct dataset *ds, const double *v, int n, int k, int dir)
{
	int used[64] = { 0 }, i, j, best;
	char buf[8];

	for (j = 0; j < k && j < n && n <= 64; j++) {
		best = -1;
		for (i = 0; i < n; i++)
			if (!used[i] && (best < 0 || (dir > 0 ? v[i] > v[best] : v[i] < v[best])))
				best = i;
		used[best] = 1;
		fprintf(f, " %s %+.3f", dataset_tokstr(ds, best, buf, "BOS"), v[best]);
	}
}

static void
print_json(FILE *f, const struct model *m, const struct trace *tr)
{
	const struct model_config *c = &m->cfg;
	const int V = c->vocab_size;
	double *out = xcalloc((size_t)V, sizeof *out), *tmp = xcalloc((size_t)c->n_embd, sizeof *tmp);
	char name[32];
	int t, l, h, p;

	for (t = 0; t < tr->n_pos; t++) {
		for (l = 0; l < c->n_layer; l++)
			for (h = 0; h < c->n_head; h++) {
				attrib_head_logits(m, tr, t, l, h, out, tmp);
				fprintf(f, ",\n{\"op\":\"head_logits\",\"pos\":%d,\"layer\":%d,\"head\":%d",
				    t, l, h);
				vec(f, out, V);
				fputc('}', f);
			}
		for (p = 0; p < attrib_lens_points(c); p++) {
			attrib_lens(m, tr, t, p, out);
			fprintf(f, ",\n{\"op\":\"lens\",\"pos\":%d,\"point\":\"%s\"", t,
			    attrib_lens_name(p, name, sizeof name));
			vec(f, out, V);
			fputc('}', f);
		}
	}
	free(out);
	free(tmp);
}

static void
print_text(FILE *f, const struct model *m, const struct dataset *ds, const struct trace *tr)
{
	const struct model_config *c = &m->cfg;
	const int V = c->vocab_size;
	struct attrib_parts parts;
	double *out = xcalloc((size_t)V, sizeof *out), err;
	char name[32], b1[8], b2[8];
	int t, l, h, p;

	attrib_parts_init(&parts, c);
	fputs("# what each head writes into the logits (lm_head . attn_wo[:, head] . head_out),\n"
	    "# and the logit lens (lm_head . residual) at every residual point\n", f);
	for (t = 0; t < tr->n_pos; t++) {
		err = attrib_decompose(m, tr, t, &parts);
		fprintf(f, "pos %d: %s -> %s; logits = embed + heads + mlp (largest error %.3g)\n", t,
		    dataset_tokstr(ds, tr->token[t], b1, "BOS"),
		    tr->target[t] < 0 ? "?" : dataset_tokstr(ds, tr->target[t], b2, "BOS"), err);
		for (l = 0; l < c->n_layer; l++)
			for (h = 0; h < c->n_head; h++) {
				const double *v = parts.head + ((size_t)l * c->n_head + h) * V;

				fprintf(f, "  L%dH%d%s up:", l, h,
				    tr->head_mask & model_head_bit(c, l, h) ? " (off)" : "");
				text_extremes(f, ds, v, V, 3, 1);
				fputs("  down:", f);
				text_extremes(f, ds, v, V, 3, -1);
				fputc('\n', f);
			}
		for (p = 0; p < attrib_lens_points(c); p++) {
			attrib_lens(m, tr, t, p, out);
			fprintf(f, "  lens %-8s", attrib_lens_name(p, name, sizeof name));
			text_extremes(f, ds, out, V, 5, 1);
			fputc('\n', f);
		}
	}
	attrib_parts_free(&parts);
	free(out);
}

static void
print_sweep(FILE *f, int json, const struct trace_attrib *a, const struct model *m,
    const struct dataset *ds, const struct trace *tr)
{
	const struct model_config *c = &m->cfg;
	const struct attrib_sweep *sw;
	struct head_sweep hs;
	struct head_sweep_cache cache = { 0 };
	char heads[512];
	int k, l, h, n, tty;

	/* the run's cached dataset losses, the rest computed and cached */
	if (a->run && a->run->st && a->run->id > 0) {
		cache.st = a->run->st;
		cache.db = a->run->path;
		cache.run_id = a->run->id;
		cache.step = debug_run_step(a->run);
	}
	if (head_sweep_begin(&hs, m, ds, tr->token, tr->target, tr->n_pos, NULL, 0, &cache) < 0)
		return;
	/* progress on a terminal only: a script's stderr stays empty */
	tty = isatty(STDERR_FILENO);
	while (!head_sweep_step(&hs, 1024))
		if (tty)
			fprintf(stderr, "\rmgpt-tui: sweeping: %zu / %zu names", hs.done, hs.total);
	if (tty && hs.total)
		fputs("\r\033[K", stderr);
	sw = &hs.sw;
	if (!json)
		fprintf(f, "# ablation sweep: %d subsets of heads off; the loss of the input and the mean"
		    " loss of the %zu documents (%d cached)\n# %-24s %20s %20s\n", sw->n_masks,
		    ds->n_docs, hs.n_cached, "heads off", "text_loss", "dataset_loss");
	for (k = 0; k < sw->n_masks; k++) {
		if (json) {
			fputs(",\n{\"op\":\"ablation\",\"off\":[", f);
			for (l = 0, n = 0; l < c->n_layer; l++)
				for (h = 0; h < c->n_head; h++)
					if (sw->mask[k] & model_head_bit(c, l, h))
						fprintf(f, "%s\"L%dH%d\"", n++ ? "," : "", l, h);
			fputs("],\"text_loss\":", f);
			json_put_num(f, sw->text_loss[k]);
			fputs(",\"dataset_loss\":", f);
			json_put_num(f, sw->dataset_loss[k]);
			fputc('}', f);
		} else {
			probe_format_heads(sw->mask[k], c, heads, sizeof heads);
			fprintf(f, "  %-24s %20.17f %20.17f\n", sw->mask[k] ? heads : "none",
			    sw->text_loss[k], sw->dataset_loss[k]);
		}
	}
	head_sweep_free(&hs);
}

int
trace_attrib_print(const struct trace_attrib *a, FILE *f, int json, const struct model *m,
    const struct dataset *ds, const struct trace *tr)
{
	int i;

	if (json)
		print_json(f, m, tr);
	else
		print_text(f, m, ds, tr);
	if (a->sweep)
		print_sweep(f, json, a, m, ds, tr);
	if (a->patched) {
		if (json) {
			fprintf(f, ",\n{\"op\":\"patch\",\"pos\":%d,\"layer\":%d,\"head\":%d,\"from\":",
			    a->pos, a->layer, a->head);
			fputc('"', f);
			for (i = 0; a->patch_from[i]; i++) {
				unsigned char ch = (unsigned char)a->patch_from[i];

				if (ch == '"' || ch == '\\')
					fprintf(f, "\\%c", ch);
				else if (ch < 0x20 || ch == 0x7f)
					fprintf(f, "\\u%04x", ch);
				else
					fputc(ch, f);
			}
			fputc('"', f);
			vec(f, a->patch_out, m->head_dim);
			fputc('}', f);
		} else {
			fprintf(f, "# patched: L%dH%d's output at pos %d is its output on '%s':",
			    a->layer, a->head, a->pos, a->patch_from);
			for (i = 0; i < m->head_dim; i++)
				fprintf(f, " %.6g", a->patch_out[i]);
			fputc('\n', f);
		}
	}
	return 0;
}
