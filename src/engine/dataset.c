/* SPDX-License-Identifier: MIT */
/* dataset.c - reading the training text exactly as the reference does. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "rng.h"
#include "xmalloc.h"

int
utf8_get(const unsigned char *s, size_t len, uint32_t *c)
{
	uint32_t v;
	int n, i;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, v = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, v = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, v = s[0] & 0x07;
	else
		return 0;
	if (len < (size_t)n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid,
	 * as CPython's strict decoder says. */
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*c = v;
	return n;
}

int
utf8_put(char *buf, uint32_t c)
{
	unsigned char *b = (unsigned char *)buf;

	if (c < 0x80) {
		b[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | (c >> 6));
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (c >> 12));
		b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | (c >> 18));
	b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
	b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
	b[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/* Python's str.isspace(): the code points str.strip() removes. */
static int
is_space(uint32_t c)
{
	if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20))
		return 1;
	switch (c) {
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return 1;
	}
	return c >= 0x2000 && c <= 0x200a;
}

int
dataset_parse(struct dataset *ds, const char *buf, size_t len, char *err, size_t errlen)
{
	const unsigned char *s = (const unsigned char *)buf;
	uint32_t *cps, *line, *sorted, c;
	uint64_t *seen, w;
	size_t i = 0, ncp = 0, lineno = 1, nline, a, b, d, cap_docs = 64, nv;
	int n;

	memset(ds, 0, sizeof *ds);
	if (len > DATASET_MAX_BYTES) {
		snprintf(err, errlen, "%zu bytes: larger than the limit of %d MiB", len,
		    DATASET_MAX_BYTES >> 20);
		return -1;
	}
	cps = xmalloc((len + 1) * sizeof *cps);
	line = xmalloc((len + 1) * sizeof *line);
	ds->off = xmalloc(cap_docs * sizeof *ds->off);
	ds->off[0] = 0;

	/* One pass: decode, split on \n, \r\n, \r; strip; keep non-empty. */
	while (i <= len) {
		nline = 0;
		while (i < len && s[i] != '\n' && s[i] != '\r') {
			n = utf8_get(s + i, len - i, &c);
			if (n == 0) {
				snprintf(err, errlen, "invalid UTF-8 on line %zu", lineno);
				free(cps);
				free(line);
				dataset_free(ds);
				return -1;
			}
			line[nline++] = c;
			i += (size_t)n;
		}
		for (a = 0; a < nline && is_space(line[a]); a++)
			;
		for (b = nline; b > a && is_space(line[b - 1]); b--)
			;
		if (b > a) {
			memcpy(cps + ncp, line + a, (b - a) * sizeof *cps);
			ncp += b - a;
			if (ds->n_docs + 2 > cap_docs) {
				cap_docs *= 2;
				ds->off = xrealloc(ds->off, cap_docs * sizeof *ds->off);
			}
			ds->off[++ds->n_docs] = ncp;
		}
		if (i >= len)
			break;
		if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
			i++;
		i++;
		lineno++;
	}
	free(line);
	if (ds->n_docs == 0) {
		snprintf(err, errlen, "no documents (the file is empty or has only blank lines)");
		free(cps);
		dataset_free(ds);
		return -1;
	}

	/* Vocabulary: the sorted set of code points, read in order off a
	 * bitmap of those seen (utf8_get yields at most U+10FFFF). Sorting
	 * every character instead took milliseconds, paid again by every
	 * replay of a stored run. */
	seen = xcalloc(0x110000 / 64, sizeof *seen);
	for (d = 0; d < ncp; d++)
		seen[cps[d] >> 6] |= (uint64_t)1 << (cps[d] & 63);
	sorted = xmalloc(ncp * sizeof *sorted);
	for (nv = 0, d = 0; d < 0x110000 / 64; d++)
		for (w = seen[d]; w; w &= w - 1)
			sorted[nv++] = (uint32_t)(d * 64 + (size_t)__builtin_ctzll(w));
	free(seen);
	ds->vocab = xrealloc(sorted, nv * sizeof *sorted);
	ds->n_vocab = (int)nv;

	ds->tok = xmalloc(ncp * sizeof *ds->tok);
	ds->n_tok = ncp;
	for (d = 0; d < ncp; d++)
		ds->tok[d] = dataset_token(ds, cps[d]);
	free(cps);
	return 0;
}

void
dataset_from_table(struct dataset *ds, const struct dataset_table *t)
{
	/* The casts drop const: nothing writes through these pointers (the
	 * shuffle writes only an order of its own), and `borrowed` keeps
	 * them from free(). */
	memset(ds, 0, sizeof *ds);
	ds->n_docs = t->n_docs;
	ds->off = (size_t *)t->off;
	ds->tok = (int *)t->tok;
	ds->n_tok = t->off[t->n_docs];
	ds->vocab = (uint32_t *)t->vocab;
	ds->n_vocab = t->n_vocab;
	ds->borrowed = DATASET_BORROWED_DOCS | DATASET_BORROWED_VOCAB;
}

int
dataset_token(const struct dataset *ds, uint32_t c)
{
	size_t lo = 0, hi = (size_t)ds->n_vocab, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ds->vocab[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (size_t)ds->n_vocab && ds->vocab[lo] == c ? (int)lo : -1;
}

void
dataset_shuffle(struct dataset *ds, struct rng *r)
{
	/* random.shuffle(docs) on the documents' indices: the same draws,
	 * the same order; a second shuffle permutes the order already there,
	 * as shuffling the list again would. */
	size_t i;

	if (!ds->order) {
		ds->order = xmalloc((ds->n_docs ? ds->n_docs : 1) * sizeof *ds->order);
		for (i = 0; i < ds->n_docs; i++)
			ds->order[i] = i;
	}
	rng_shuffle(r, ds->order, ds->n_docs, sizeof *ds->order);
}

char *
dataset_tokstr(const struct dataset *ds, int t, char *buf, const char *bos)
{
	int n;

	if (t < 0 || t >= ds->n_vocab) {
		snprintf(buf, 8, "%s", bos);
		return buf;
	}
	n = utf8_put(buf, ds->vocab[t]);
	buf[n] = '\0';
	return buf;
}

void
dataset_free(struct dataset *ds)
{
	if (!(ds->borrowed & DATASET_BORROWED_DOCS)) {
		free(ds->off);
		free(ds->tok);
	}
	if (!(ds->borrowed & DATASET_BORROWED_VOCAB))
		free(ds->vocab);
	free(ds->order);
	memset(ds, 0, sizeof *ds);
}

/* 'Z', '1' and ' ' as the user typed them; a control as U+HHHH. */
static void
quote_char(char *buf, size_t n, uint32_t c)
{
	char s[8];

	if (c == '\'')
		snprintf(buf, n, "\"'\"");
	else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
		snprintf(buf, n, "U+%04X", (unsigned)c);
	else {
		s[utf8_put(s, c)] = '\0';
		snprintf(buf, n, "'%s'", s);
	}
}

int
dataset_describe_missing(const struct dataset *ds, const uint32_t *text, size_t n,
    char *err, size_t errlen)
{
	uint32_t bad[8];
	int n_bad = 0, more = 0, j;
	size_t i, off;

	for (i = 0; i < n; i++) {
		if (dataset_token(ds, text[i]) >= 0)
			continue;
		for (j = 0; j < n_bad && bad[j] != text[i]; j++)
			;
		if (j < n_bad)
			continue;
		if (n_bad < 8)
			bad[n_bad++] = text[i];
		else
			more++;
	}
	if (!n_bad || !errlen)
		return n_bad + more;
	off = (size_t)snprintf(err, errlen, "not in the run's vocabulary:");
	for (j = 0; j < n_bad && off < errlen; j++) {
		char q[16];

		quote_char(q, sizeof q, bad[j]);
		off += (size_t)snprintf(err + off, errlen - off, "%s %s", j ? "," : "", q);
	}
	if (more && off < errlen)
		snprintf(err + off, errlen - off, " and more");
	return n_bad + more;
}
