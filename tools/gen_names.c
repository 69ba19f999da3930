/* SPDX-License-Identifier: MIT */
/* gen_names.c - the bundled names as C source, parsed once at build time.
 *
 * usage: gen_names FILE > names_data.c
 *
 * Reads FILE with the engine's own dataset_parse() and writes its result as
 * constant tables (struct dataset_table bundled_names_table: documents'
 * token ids and offsets, the vocabulary), so that `train` starts without
 * reading, decoding or sorting any text; and the text itself as
 * bundled_names[] for what needs the bytes, with bundled_names_sha256: the
 * SHA-256 the run store names that text by, so that a logged run neither
 * builds nor hashes it ("" when the store's text of the parsed names is not
 * the file's bytes, which then are built and hashed at run time).
 * tests/test_names_table.c checks all of it against parsing
 * data/names.txt at run time. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "hash.h"
#include "store_text.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	char *b = malloc(cap);

	if (!f || !b)
		return NULL;
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap && !(b = realloc(b, cap *= 2)))
			return NULL;
	}
	if (ferror(f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return b;
}

int
main(int argc, char **argv)
{
	struct dataset ds;
	char err[DATASET_ERRLEN], hex[2 * SHA256_LEN + 1], *text, *stored;
	size_t len, i, n_stored;
	int k;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_names FILE\n");
		return 2;
	}
	if (!(text = slurp(argv[1], &len))) {
		fprintf(stderr, "gen_names: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (dataset_parse(&ds, text, len, err, sizeof err) < 0) {
		fprintf(stderr, "gen_names: %s: %s\n", argv[1], err);
		return 1;
	}
	printf("/* generated from data/names.txt by tools/gen_names.c; do not edit */\n"
	    "#include <stddef.h>\n#include <stdint.h>\n\n#include \"dataset.h\"\n\n"
	    "extern const unsigned char bundled_names[];\n"
	    "extern const size_t bundled_names_len;\n"
	    "extern const struct dataset_table bundled_names_table;\n"
	    "extern const char bundled_names_sha256[];\n\n");
	printf("const unsigned char bundled_names[] = {");
	for (i = 0; i < len; i++)
		printf("%s0x%02x,", i % 16 ? " " : "\n", (unsigned char)text[i]);
	printf("\n0x00 };\nconst size_t bundled_names_len = %zu;\n", len);
	stored = store_dataset_text(&ds, &n_stored);
	hex[0] = '\0';
	if (n_stored == len && memcmp(stored, text, len) == 0)
		sha256_hex(stored, n_stored, hex);
	free(stored);
	printf("const char bundled_names_sha256[] = \"%s\";\n\n", hex);

	printf("/* %zu documents, %zu tokens, %d characters */\n", ds.n_docs, ds.n_tok, ds.n_vocab);
	printf("static const uint32_t vocab[] = {");
	for (k = 0; k < ds.n_vocab; k++)
		printf("%s%lu,", k % 12 ? " " : "\n", (unsigned long)ds.vocab[k]);
	printf("\n};\nstatic const size_t off[] = {");
	for (i = 0; i <= ds.n_docs; i++)
		printf("%s%zu,", i % 12 ? " " : "\n", ds.off[i]);
	printf("\n};\nstatic const int tok[] = {");
	for (i = 0; i < ds.n_tok; i++)
		printf("%s%d,", i % 24 ? " " : "\n", ds.tok[i]);
	printf("\n};\nconst struct dataset_table bundled_names_table = { %zu, off, tok, vocab, %d };\n",
	    ds.n_docs, ds.n_vocab);
	dataset_free(&ds);
	free(text);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "gen_names: write error\n");
		return 1;
	}
	return 0;
}
