/* SPDX-License-Identifier: MIT */
/* test_dataset.c - reading text as the reference does: lines, stripping,
 * UTF-8, the vocabulary. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "dataset.h"
#include "rng.h"

static int
parse(const char *text, struct dataset *ds, char *err)
{
	return dataset_parse(ds, text, strlen(text), err, DATASET_ERRLEN);
}

int
main(void)
{
	struct dataset ds;
	char err[DATASET_ERRLEN], buf[8];
	struct rng r;

	/* \n, \r\n and a lone \r end lines; Unicode whitespace is stripped
	 * (tab, NBSP, ideographic space); blank lines are dropped. */
	CHECK(parse("  ann\r\nbob\rcy\n\n \t\n\xc2\xa0" "d\xc3\xa9" "e\xe3\x80\x80\n", &ds, err) == 0);
	CHECK(ds.n_docs == 4);
	CHECK(dataset_doc_len(&ds, 0) == 3 && dataset_doc_len(&ds, 3) == 3);
	/* vocabulary: sorted code points a b c d e n o y \u00e9 */
	CHECK(ds.n_vocab == 9);
	CHECK(ds.vocab[0] == 'a' && ds.vocab[8] == 0xe9);
	CHECK(dataset_token(&ds, 0xe9) == 8 && dataset_token(&ds, 'z') == -1);
	CHECK(strcmp(dataset_tokstr(&ds, 8, buf, "<BOS>"), "\xc3\xa9") == 0);
	CHECK(strcmp(dataset_tokstr(&ds, 9, buf, "<BOS>"), "<BOS>") == 0);
	/* mixed case and hyphens are ordinary characters */
	dataset_free(&ds);
	CHECK(parse("Anne-Marie\nbo\n", &ds, err) == 0);
	CHECK(ds.vocab[0] == '-' && ds.vocab[1] == 'A');
	/* shuffle: the same permutation as random.shuffle(list) */
	rng_seed(&r, 1);
	dataset_shuffle(&ds, &r);
	CHECK(ds.n_docs == 2);
	dataset_free(&ds);
	/* shuffled twice: the second shuffle permutes the first's order, as
	 * random.seed(3); shuffle(l); shuffle(l) turns [0..4] into [2,4,3,0,1]
	 * (CPython's answer); the tokens stay in file order */
	CHECK(parse("a\nb\nc\nd\ne\n", &ds, err) == 0);
	rng_seed(&r, 3);
	dataset_shuffle(&ds, &r);
	dataset_shuffle(&ds, &r);
	CHECK(dataset_doc(&ds, 0)[0] == 2 && dataset_doc(&ds, 1)[0] == 4 && dataset_doc(&ds, 2)[0] == 3 &&
	    dataset_doc(&ds, 3)[0] == 0 && dataset_doc(&ds, 4)[0] == 1 && dataset_doc_len(&ds, 4) == 1);
	CHECK(ds.tok[0] == 0 && ds.tok[4] == 4);
	dataset_free(&ds);

	/* errors */
	CHECK(parse("", &ds, err) == -1 && strstr(err, "no documents"));
	CHECK(parse(" \n\t\r\n", &ds, err) == -1 && strstr(err, "no documents"));
	CHECK(parse("ok\nbad\xff\n", &ds, err) == -1 && strstr(err, "line 2"));
	CHECK(parse("a\n\xed\xa0\x80\n", &ds, err) == -1 && strstr(err, "line 2")); /* surrogate */
	CHECK(parse("\xc0\xaf", &ds, err) == -1);                                   /* overlong */
	CHECK(parse("a\r\n\xe2\x82", &ds, err) == -1 && strstr(err, "line 2"));      /* cut short */
	return CHECK_DONE();
}
