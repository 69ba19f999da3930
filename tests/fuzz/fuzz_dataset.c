/* SPDX-License-Identifier: MIT */
/* fuzz_dataset.c - libFuzzer harness: any bytes are either documents and a
 * vocabulary, or a clean one-line error. Never a crash, never a leak. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dataset.h"
#include "rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dataset ds;
	struct rng r;
	char err[DATASET_ERRLEN], buf[8];
	size_t i, total = 0;

	if (dataset_parse(&ds, (const char *)data, size, err, sizeof err) < 0) {
		/* the reason is one line */
		if (!err[0] || strchr(err, '\n'))
			__builtin_trap();
		return 0;
	}
	if (ds.n_docs == 0 || ds.n_vocab < 1)
		__builtin_trap();
	for (i = 0; i < ds.n_docs; i++)
		total += dataset_doc_len(&ds, i);
	if (total != ds.n_tok)
		__builtin_trap();
	for (i = 0; i < ds.n_tok; i++) {
		if (ds.tok[i] < 0 || ds.tok[i] >= ds.n_vocab)
			__builtin_trap();
		dataset_tokstr(&ds, ds.tok[i], buf, "");
	}
	for (i = 1; i < (size_t)ds.n_vocab; i++)
		if (ds.vocab[i - 1] >= ds.vocab[i])
			__builtin_trap();
	rng_seed(&r, size);
	dataset_shuffle(&ds, &r);
	dataset_free(&ds);
	return 0;
}
