/* SPDX-License-Identifier: MIT */
/* store_text.c - a dataset as the run store keeps its text: the documents
 * in file order, each ended by '\n', UTF-8. Apart from the store (no
 * SQLite here) so that tools/gen_names can hash the bundled names' text at
 * build time with the same function a run uses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "store_text.h"
#include "xmalloc.h"

char *
store_dataset_text(const struct dataset *ds, size_t *len)
{
	char *t = xmalloc(ds->n_tok * 4 + ds->n_docs + 1), *p = t;
	char (*enc)[4] = xmalloc((size_t)ds->n_vocab * sizeof *enc);
	unsigned char *n = xmalloc((size_t)ds->n_vocab);
	size_t d, i;
	int k;

	/* Each character encoded once: a logged run waits for this text
	 * before it trains. */
	for (k = 0; k < ds->n_vocab; k++)
		n[k] = (unsigned char)utf8_put(enc[k], ds->vocab[k]);
	for (d = 0; d < ds->n_docs; d++) {
		const int *doc = dataset_doc(ds, d);
		size_t m = dataset_doc_len(ds, d);

		for (i = 0; i < m; i++) {
			memcpy(p, enc[doc[i]], 4);
			p += n[doc[i]];
		}
		*p++ = '\n';
	}
	*p = '\0';
	*len = (size_t)(p - t);
	free(enc);
	free(n);
	return t;
}
