/* SPDX-License-Identifier: MIT */
/* json_flat.c - a strict JSON checker for the shell tests (no python in
 * CI). Reads a document on stdin, checks it against RFC 8259's grammar,
 * and, when it is an array of objects, prints one line per object:
 *
 *     OP POS LAYER HEAD OUT...
 *
 * the values of the keys "op" (unquoted), "pos", "layer", "head" and the
 * numbers of "out" as their source text, so that they can be compared as
 * text with tests/trace_ref's lines. Two ops have their own shape:
 *
 *     lens POS POINT OUT...                  ("point" unquoted)
 *     ablation OFF TEXT_LOSS DATASET_LOSS    (OFF as L0H1,L0H2, or - for none)
 *
 * Exit 0, or 1 with the offset of the first error. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *buf, *p, *end;
static const char *want_key = "out";
static int key_optional;

struct span { const char *s, *e; };

static void
die(const char *what)
{
	fprintf(stderr, "json_flat: %s at byte %ld\n", what, (long)(p - buf));
	exit(1);
}

static void
ws(void)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
}

static void value(int depth);

static void
string(void)
{
	if (p >= end || *p != '"')
		die("string expected");
	for (p++; p < end && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			die("control character in string");
		if (*p == '\\') {
			p++;
			if (p >= end)
				die("unfinished escape");
			if (*p == 'u') {
				int i;

				for (i = 0; i < 4; i++)
					if (++p >= end || !isxdigit((unsigned char)*p))
						die("bad \\u escape");
			} else if (!strchr("\"\\/bfnrt", *p))
				die("bad escape");
		}
	}
	if (p >= end)
		die("unterminated string");
	p++;
}

static void
digits(void)
{
	if (p >= end || !isdigit((unsigned char)*p))
		die("digit expected");
	while (p < end && isdigit((unsigned char)*p))
		p++;
}

static void
number(void)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else
		digits();
	if (p < end && *p == '.') {
		p++;
		digits();
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		digits();
	}
}

static void
literal(const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - p) < n || memcmp(p, w, n))
		die("bad literal");
	p += n;
}

/* An object; at depth 1 the keys of interest are captured and printed. */
static void
object(int depth)
{
	struct span op = { 0 }, pos = { 0 }, layer = { 0 }, head = { 0 }, out = { 0 };
	struct span point = { 0 }, off = { 0 }, text_loss = { 0 }, dataset_loss = { 0 };
	const char *k;
	size_t kl;

	p++;
	ws();
	if (p < end && *p == '}') {
		p++;
		goto print;
	}
	for (;;) {
		ws();
		k = p + 1;
		string();
		kl = (size_t)(p - 1 - k);
		ws();
		if (p >= end || *p != ':')
			die("':' expected");
		p++;
		ws();
		{
			struct span v = { p, NULL };

			value(depth + 1);
			v.e = p;
#define KEY(name, var) if (kl == strlen(name) && !memcmp(k, name, kl)) var = v
			KEY("op", op);
			KEY("pos", pos);
			KEY("layer", layer);
			KEY("head", head);
			KEY(want_key, out);
			KEY("point", point);
			KEY("off", off);
			KEY("text_loss", text_loss);
			KEY("dataset_loss", dataset_loss);
#undef KEY
		}
		ws();
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		die("',' or '}' expected");
	}
print:
	if (depth != 1)
		return;
#define IS(sp, w) ((sp).s && (size_t)((sp).e - (sp).s) == strlen(w) && !memcmp((sp).s, w, strlen(w)))
	if (IS(op, "\"ablation\"")) {
		if (!off.s || !text_loss.s || !dataset_loss.s || *off.s != '[')
			die("ablation object without off, text_loss or dataset_loss");
		fputs("ablation ", stdout);
		if (off.e - off.s <= 2)
			putchar('-');
		for (k = off.s + 1; k < off.e - 1; k++)
			if (*k != '"')
				putchar(*k);
		printf(" %.*s %.*s\n", (int)(text_loss.e - text_loss.s), text_loss.s,
		    (int)(dataset_loss.e - dataset_loss.s), dataset_loss.s);
		return;
	}
	if (IS(op, "\"lens\"")) {
		if (!pos.s || !point.s || !out.s || *point.s != '"' || *out.s != '[')
			die("lens object without pos, point or out");
		printf("lens %.*s %.*s", (int)(pos.e - pos.s), pos.s, (int)(point.e - point.s - 2),
		    point.s + 1);
		goto print_out;
	}
#undef IS
	if (key_optional && !out.s) {
		if (!op.s || !pos.s || !layer.s || !head.s || *op.s != '"')
			die("op object without op, pos, layer or head");
		printf("%.*s %.*s %.*s %.*s\n", (int)(op.e - op.s - 2), op.s + 1, (int)(pos.e - pos.s),
		    pos.s, (int)(layer.e - layer.s), layer.s, (int)(head.e - head.s), head.s);
		return;
	}
	if (!op.s || !pos.s || !layer.s || !head.s || !out.s || *op.s != '"' || *out.s != '[')
		die("op object without op, pos, layer, head or out");
	printf("%.*s %.*s %.*s %.*s", (int)(op.e - op.s - 2), op.s + 1, (int)(pos.e - pos.s), pos.s,
	    (int)(layer.e - layer.s), layer.s, (int)(head.e - head.s), head.s);
print_out:
	if (out.e - out.s > 2)
		putchar(' ');
	for (k = out.s + 1; k < out.e - 1; k++)
		putchar(*k == ',' ? ' ' : *k);
	putchar('\n');
}

static void
value(int depth)
{
	if (depth > 64)
		die("nested too deeply");
	if (p >= end)
		die("value expected");
	switch (*p) {
	case '{':
		object(depth);
		return;
	case '[':
		p++;
		ws();
		if (p < end && *p == ']') {
			p++;
			return;
		}
		for (;;) {
			ws();
			if (depth == 0 && (p >= end || *p != '{'))
				die("an element of the array is not an object");
			value(depth + 1);
			ws();
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			if (p < end && *p == ']') {
				p++;
				return;
			}
			die("',' or ']' expected");
		}
	case '"':
		string();
		return;
	case 't':
		literal("true");
		return;
	case 'f':
		literal("false");
		return;
	case 'n':
		literal("null");
		return;
	default:
		number();
		return;
	}
}

int
main(int argc, char **argv)
{
	size_t cap = 1 << 16, n = 0, r;
	char *b = malloc(cap);

	if (argc > 1) {
		want_key = argv[1];
		key_optional = 1;
	}
	if (!b)
		return 1;
	while ((r = fread(b + n, 1, cap - n, stdin)) > 0) {
		n += r;
		if (n == cap && !(b = realloc(b, cap *= 2)))
			return 1;
	}
	buf = p = b;
	end = b + n;
	ws();
	if (p >= end || *p != '[')
		die("the document is not an array");
	value(0);
	ws();
	if (p != end)
		die("text after the document");
	free(b);
	return 0;
}
