/* SPDX-License-Identifier: MIT */
/* dataset.h - documents and the character tokenizer.
 *
 * The reference reads the file as UTF-8, splits it into lines (\n, \r\n
 * and a lone \r), strips Unicode whitespace (Python's str.strip) from each,
 * drops empty lines and shuffles what is left. The vocabulary is the sorted
 * set of code points; a token id is the index in it; BOS is the last id. */
#ifndef MGPT_DATASET_H
#define MGPT_DATASET_H

#include <stddef.h>
#include <stdint.h>

struct rng;

struct dataset {
	size_t    n_docs;
	size_t   *off;      /* [n_docs+1] start of each document in tok[] */
	int      *tok;      /* [off[n_docs]] token ids, documents back to back,
	                     * in file order */
	size_t   *order;    /* [n_docs] after a shuffle: document i is the file's
	                     * order[i] (NULL: file order). Shuffling permutes
	                     * this, not the tokens: a quarter of the memory to
	                     * touch at start-up */
	size_t    n_tok;    /* off[n_docs] */
	uint32_t *vocab;    /* [n_vocab] sorted code points */
	int       n_vocab;  /* distinct characters; BOS id == n_vocab */
	int       borrowed; /* DATASET_BORROWED_* bits: arrays in a constant
	                     * table (dataset_from_table), never written or freed */
};
#define DATASET_BORROWED_DOCS  1   /* off and tok (never order) */
#define DATASET_BORROWED_VOCAB 2

/* A text already parsed, as constant arrays: the bundled names are
 * compiled into the program in this form (tools/gen_names.c), so that
 * start-up reads no text. */
struct dataset_table {
	size_t          n_docs;
	const size_t   *off;      /* [n_docs+1] */
	const int      *tok;      /* [off[n_docs]] */
	const uint32_t *vocab;    /* [n_vocab] */
	int             n_vocab;
};

#define DATASET_ERRLEN 256
/* The most text dataset_parse takes: 16 MiB, 70 times the bundled names.
 * Parsing needs about 13 bytes of memory per byte of text. */
#define DATASET_MAX_BYTES (16 << 20)

/* Parse `len` bytes of UTF-8 text into documents in file order. Returns 0,
 * or -1 with a one-line reason in err (invalid UTF-8 names the line; no
 * documents at all, or more than DATASET_MAX_BYTES, is an error too). */
int    dataset_parse(struct dataset *ds, const char *buf, size_t len,
                     char *err, size_t errlen);
/* ds over a table's arrays, without copying them (dataset_free leaves
 * them; dataset_shuffle writes only an order of its own). */
void   dataset_from_table(struct dataset *ds, const struct dataset_table *t);
/* random.shuffle(docs), as the reference does right after reading. */
void   dataset_shuffle(struct dataset *ds, struct rng *r);
void   dataset_free(struct dataset *ds);

static inline size_t dataset_doc_len(const struct dataset *ds, size_t i)
{ size_t j = ds->order ? ds->order[i] : i; return ds->off[j + 1] - ds->off[j]; }
static inline const int *dataset_doc(const struct dataset *ds, size_t i)
{ return ds->tok + ds->off[ds->order ? ds->order[i] : i]; }

/* Token id of code point c, or -1 when it is not in the vocabulary. */
int    dataset_token(const struct dataset *ds, uint32_t c);
/* The characters of text[0..n) missing from the vocabulary, for a
 * message: "not in the run's vocabulary: 'Z', '1', U+0009 and more" (each
 * once, at most 8 named; a printable character as itself in quotes, a
 * quote as "'", a control as U+ and four hex digits). Returns how many
 * distinct characters are missing; 0 writes nothing. */
int    dataset_describe_missing(const struct dataset *ds, const uint32_t *text, size_t n,
                                char *err, size_t errlen);
/* Encode/decode one code point as UTF-8; utf8_put returns bytes written
 * (buf needs 4), utf8_get the bytes consumed or 0 on invalid input. */
int    utf8_put(char *buf, uint32_t c);
int    utf8_get(const unsigned char *s, size_t len, uint32_t *c);
/* Write token t as UTF-8 text into buf (at least 8 bytes); BOS and ids
 * outside the vocabulary are written as `bos`. Returns buf. */
char  *dataset_tokstr(const struct dataset *ds, int t, char *buf, const char *bos);

#endif
