/* SPDX-License-Identifier: MIT */
/* test_names_table.c - the bundled names built into the program (the
 * tables tools/gen_names.c writes at build time) equal parsing
 * data/names.txt now: the same bytes, documents, token ids, vocabulary;
 * and a dataset over the tables shuffles and trains exactly as a parsed one
 * (the borrowed arrays are neither written nor freed: they are read-only,
 * and under the sanitizers a wrong free() fails here); and the SHA-256 a
 * logged run names the bundled text by, taken at build time, is that of
 * the text the store would build from the parsed names. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "dataset.h"
#include "hash.h"
#include "rng.h"
#include "store_text.h"
#include "train.h"

extern const unsigned char bundled_names[];
extern const size_t bundled_names_len;
extern const struct dataset_table bundled_names_table;
extern const char bundled_names_sha256[];

int
main(void)
{
	struct dataset parsed, table;
	struct trainer ta, tb;
	struct step_stats sa, sb;
	struct model_config cfg = { 0, 16, 4, 1, 16 };
	char path[4096], err[DATASET_ERRLEN], hex[2 * SHA256_LEN + 1], *stored;
	size_t len, i, n_stored;
	char *text = check_slurp(check_path("data/names.txt", path, sizeof path), &len);
	int k, same;

	CHECK(bundled_names_len == len && memcmp(bundled_names, text, len) == 0);
	CHECK(dataset_parse(&parsed, text, len, err, sizeof err) == 0);
	dataset_from_table(&table, &bundled_names_table);
	CHECK(table.n_docs == parsed.n_docs && table.n_docs > 8000);
	CHECK(table.n_tok == parsed.n_tok);
	CHECK(table.n_vocab == parsed.n_vocab && table.n_vocab == 26);
	CHECK(memcmp(table.vocab, parsed.vocab, (size_t)parsed.n_vocab * sizeof *parsed.vocab) == 0);
	CHECK(memcmp(table.off, parsed.off, (parsed.n_docs + 1) * sizeof *parsed.off) == 0);
	CHECK(memcmp(table.tok, parsed.tok, parsed.n_tok * sizeof *parsed.tok) == 0);
	for (i = 0; i < table.n_tok; i++)
		if (table.tok[i] < 0 || table.tok[i] >= table.n_vocab)
			break;
	CHECK(i == table.n_tok);
	/* the store's text of the names is the file's bytes, and its hash the
	 * one built in */
	stored = store_dataset_text(&parsed, &n_stored);
	CHECK(n_stored == len && memcmp(stored, text, len) == 0);
	sha256_hex(stored, n_stored, hex);
	CHECK(strlen(bundled_names_sha256) == 64 && strcmp(hex, bundled_names_sha256) == 0);
	free(stored);

	/* the same shuffle and the same training, step by step */
	trainer_init(&ta, &parsed, &cfg, 42, 50);
	trainer_init(&tb, &table, &cfg, 42, 50);
	CHECK(table.order && parsed.order &&
	    memcmp(table.order, parsed.order, parsed.n_docs * sizeof *parsed.order) == 0);
	for (k = 0, same = 1; k < 50; k++) {
		trainer_step(&ta, &sa);
		trainer_step(&tb, &sb);
		same &= sa.loss == sb.loss && sa.grad_norm == sb.grad_norm;
	}
	CHECK(same);
	trainer_free(&ta);
	trainer_free(&tb);
	dataset_free(&parsed);
	dataset_free(&table);
	/* the table is as built: the shuffle left it in file order */
	CHECK(dataset_parse(&parsed, text, len, err, sizeof err) == 0);
	CHECK(memcmp(bundled_names_table.off, parsed.off, (parsed.n_docs + 1) * sizeof *parsed.off) == 0);
	CHECK(memcmp(bundled_names_table.tok, parsed.tok, parsed.n_tok * sizeof *parsed.tok) == 0);
	dataset_free(&parsed);

	/* a dataset over the table freed without a shuffle frees nothing */
	dataset_from_table(&table, &bundled_names_table);
	dataset_free(&table);
	CHECK(bundled_names_table.n_docs > 8000);
	free(text);
	return CHECK_DONE();
}
