/* SPDX-License-Identifier: MIT */
/* test_rng.c - src/engine/rng.c against CPython's random, bit for bit.
 *
 * Replays tests/data/rng_vectors.txt (made by tests/rng/gen_rng_vectors.py;
 * its header gives the format) through rng.c. Every value must be equal
 * exactly: integers by value, doubles by bit pattern. The first mismatch in
 * a seed's block is printed and the rest of that block skipped, since the
 * state has diverged. Exit 0 when all match, 1 otherwise.
 *
 * Usage: test_rng [vectors-file]
 * Without an argument the file is $srcdir/tests/data/rng_vectors.txt, or
 * tests/data/rng_vectors.txt when srcdir is not set. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define VECTORS "tests/data/rng_vectors.txt"

enum kind { K_U32, K_RANDOM, K_BITS, K_BELOW, K_SHUFFLE, K_GAUSS, K_CHOICE,
	K_NKINDS };

static const char *const kind_names[K_NKINDS] = {
	"u32", "random", "bits", "below", "shuffle", "gauss", "choice",
};

/* What a line handler returns. */
enum { LINE_OK, LINE_MISMATCH, LINE_BAD };

struct run {
	const char   *path;
	unsigned long lineno;
	char          seed[24];            /* current seed, as written */
	int           seeded;              /* a seed line has been seen */
	int           skip;                /* mismatch in this block: skip to next seed */
	struct rng    rng;
	unsigned long checked[K_NKINDS];   /* values compared, per function */
	unsigned long mismatches;
	unsigned long seeds_failed;
};

/* Out of memory is fatal: the test cannot say anything useful without it. */
static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fputs("test_rng: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* One line without its newline in *buf, grown as needed (a shuffle line is
 * tens of kilobytes). Returns 0 at end of file. */
static int
read_line(FILE *f, char **buf, size_t *cap)
{
	size_t len = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (len + 1 >= *cap) {
			char *nb;

			*cap = *cap ? *cap * 2 : 4096;
			if ((nb = realloc(*buf, *cap)) == NULL) {
				fputs("test_rng: out of memory\n", stderr);
				exit(1);
			}
			*buf = nb;
		}
		(*buf)[len++] = (char)c;
	}
	if (c == EOF && len == 0)
		return 0;
	if (*cap == 0)
		*buf = xmalloc(*cap = 4096);
	(*buf)[len] = '\0';
	return 1;
}

/* Field readers: 1 = a value, 0 = end of line, -1 = not a number. */
static int
field_u64(char **pp, int base, uint64_t *v)
{
	char *p = *pp, *end;
	unsigned long long x;

	p += strspn(p, " \t\r");
	if (*p == '\0')
		return 0;
	if (*p == '-' || *p == '+')
		return -1;
	errno = 0;
	x = strtoull(p, &end, base);
	if (end == p || errno != 0 || (*end != '\0' && !strchr(" \t\r", *end)))
		return -1;
	*v = (uint64_t)x;
	*pp = end;
	return 1;
}

static int
field_double(char **pp, double *v)
{
	char *p = *pp, *end;

	p += strspn(p, " \t\r");
	if (*p == '\0')
		return 0;
	*v = strtod(p, &end);
	if (end == p || (*end != '\0' && !strchr(" \t\r", *end)))
		return -1;
	*pp = end;
	return 1;
}

static int
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void
mismatch_u64(struct run *t, enum kind k, unsigned long idx, const char *what,
    uint64_t want, uint64_t got)
{
	printf("rng: MISMATCH seed %s, %s:%lu, %s #%lu%s: expected %" PRIu64
	    " (0x%" PRIx64 "), got %" PRIu64 " (0x%" PRIx64 ")\n", t->seed,
	    t->path, t->lineno, kind_names[k], idx, what, want, want, got,
	    got);
}

static void
mismatch_double(struct run *t, enum kind k, unsigned long idx,
    const char *what, double want, double got)
{
	printf("rng: MISMATCH seed %s, %s:%lu, %s #%lu%s: expected %a (%.17g),"
	    " got %a (%.17g)\n", t->seed, t->path, t->lineno, kind_names[k],
	    idx, what, want, want, got, got);
}

static int
same_state(const struct rng *a, const struct rng *b)
{
	return memcmp(a->mt, b->mt, sizeof a->mt) == 0 && a->mti == b->mti
	    && a->has_gauss == b->has_gauss
	    && (!a->has_gauss || same_double(a->gauss_next, b->gauss_next));
}

static int
line_u32(struct run *t, char *p)
{
	uint64_t want, got;
	unsigned long i;
	int rc;

	for (i = 0; (rc = field_u64(&p, 16, &want)) == 1; i++) {
		got = rng_u32(&t->rng);
		t->checked[K_U32]++;
		if (got != want) {
			mismatch_u64(t, K_U32, i, "", want, got);
			return LINE_MISMATCH;
		}
	}
	return rc < 0 || i == 0 ? LINE_BAD : LINE_OK;
}

static int
line_random(struct run *t, char *p)
{
	double want, got;
	unsigned long i;
	int rc;

	for (i = 0; (rc = field_double(&p, &want)) == 1; i++) {
		got = rng_random(&t->rng);
		t->checked[K_RANDOM]++;
		if (!same_double(got, want)) {
			mismatch_double(t, K_RANDOM, i, "", want, got);
			return LINE_MISMATCH;
		}
	}
	return rc < 0 || i == 0 ? LINE_BAD : LINE_OK;
}

static int
line_bits(struct run *t, char *p)
{
	uint64_t k, want, got;
	unsigned long i;
	char what[24];
	int rc;

	for (i = 0; (rc = field_u64(&p, 10, &k)) == 1; i++) {
		if (k > 64 || field_u64(&p, 16, &want) != 1)
			return LINE_BAD;
		got = rng_getrandbits(&t->rng, (int)k);
		t->checked[K_BITS]++;
		if (got != want) {
			snprintf(what, sizeof what, " (k=%d)", (int)k);
			mismatch_u64(t, K_BITS, i, what, want, got);
			return LINE_MISMATCH;
		}
	}
	return rc < 0 || i == 0 ? LINE_BAD : LINE_OK;
}

static int
line_below(struct run *t, char *p)
{
	uint64_t n, want, got;
	unsigned long i;
	char what[40];
	int rc;

	if (field_u64(&p, 10, &n) != 1 || n == 0)
		return LINE_BAD;
	for (i = 0; (rc = field_u64(&p, 10, &want)) == 1; i++) {
		got = rng_randbelow(&t->rng, n);
		t->checked[K_BELOW]++;
		if (got != want) {
			snprintf(what, sizeof what, " (n=%" PRIu64 ")", n);
			mismatch_u64(t, K_BELOW, i, what, want, got);
			return LINE_MISMATCH;
		}
	}
	return rc < 0 || i == 0 ? LINE_BAD : LINE_OK;
}

/* Shuffled twice from the same state: as 32-bit integers, and as records
 * wider than rng_shuffle's 64-byte bounce buffer, so both swap paths run.
 * Both must give the expected permutation and leave the same state. */
struct wide {
	uint32_t      id;
	unsigned char fill[68];   /* id's low byte, to check whole records move */
};

static int
line_shuffle(struct run *t, char *p)
{
	uint64_t m, v;
	uint32_t *want, *a;
	struct wide *w;
	struct rng copy;
	size_t i, n;
	int rc = LINE_OK;

	if (field_u64(&p, 10, &m) != 1 || m > 1000000)
		return LINE_BAD;
	n = (size_t)m;
	want = xmalloc(n * sizeof *want);
	a = xmalloc(n * sizeof *a);
	w = xmalloc(n * sizeof *w);
	for (i = 0; i < n; i++) {
		if (field_u64(&p, 10, &v) != 1 || v >= m) {
			rc = LINE_BAD;
			goto out;
		}
		want[i] = (uint32_t)v;
		a[i] = (uint32_t)i;
		w[i].id = (uint32_t)i;
		memset(w[i].fill, (int)(i & 0xff), sizeof w[i].fill);
	}
	if (field_u64(&p, 10, &v) != 0) {
		rc = LINE_BAD;
		goto out;
	}
	copy = t->rng;
	rng_shuffle(&t->rng, a, n, sizeof *a);
	rng_shuffle(&copy, w, n, sizeof *w);
	t->checked[K_SHUFFLE] += n;
	for (i = 0; i < n; i++) {
		unsigned char fill[sizeof w[i].fill];

		memset(fill, (int)(want[i] & 0xff), sizeof fill);
		if (a[i] != want[i]) {
			mismatch_u64(t, K_SHUFFLE, (unsigned long)i, " (uint32_t)",
			    want[i], a[i]);
			rc = LINE_MISMATCH;
			goto out;
		}
		if (w[i].id != want[i] || memcmp(w[i].fill, fill, sizeof fill)) {
			mismatch_u64(t, K_SHUFFLE, (unsigned long)i,
			    " (72-byte records)", want[i], w[i].id);
			rc = LINE_MISMATCH;
			goto out;
		}
	}
	if (!same_state(&t->rng, &copy)) {
		printf("rng: MISMATCH seed %s, %s:%lu, shuffle of %zu: state"
		    " differs after shuffling records of another size\n",
		    t->seed, t->path, t->lineno, n);
		rc = LINE_MISMATCH;
	}
out:
	free(want);
	free(a);
	free(w);
	return rc;
}

static int
line_gauss(struct run *t, char *p)
{
	double mu, sigma, want, got;
	unsigned long i;
	int rc;

	if (field_double(&p, &mu) != 1 || field_double(&p, &sigma) != 1)
		return LINE_BAD;
	for (i = 0; (rc = field_double(&p, &want)) == 1; i++) {
		got = rng_gauss(&t->rng, mu, sigma);
		t->checked[K_GAUSS]++;
		if (!same_double(got, want)) {
			mismatch_double(t, K_GAUSS, i, "", want, got);
			return LINE_MISMATCH;
		}
	}
	return rc < 0 || i == 0 ? LINE_BAD : LINE_OK;
}

static int
line_choice(struct run *t, char *p)
{
	uint64_t n, want_i;
	double *w, want_u, got_u;
	struct rng copy;
	size_t i, got_i, got_i2;
	unsigned long j;
	int rc;

	if (field_u64(&p, 10, &n) != 1 || n == 0 || n > 1000000)
		return LINE_BAD;
	w = xmalloc((size_t)n * sizeof *w);
	for (i = 0; i < n; i++)
		if (field_double(&p, &w[i]) != 1) {
			free(w);
			return LINE_BAD;
		}
	for (j = 0; (rc = field_double(&p, &want_u)) == 1; j++) {
		if (field_u64(&p, 10, &want_i) != 1 || want_i >= n) {
			rc = -1;
			break;
		}
		/* u == NULL must make the same draw. */
		copy = t->rng;
		got_i2 = rng_choice(&copy, w, (size_t)n, NULL);
		got_i = rng_choice(&t->rng, w, (size_t)n, &got_u);
		t->checked[K_CHOICE]++;
		if (!same_double(got_u, want_u)) {
			mismatch_double(t, K_CHOICE, j, " landing point", want_u,
			    got_u);
			free(w);
			return LINE_MISMATCH;
		}
		if (got_i != want_i) {
			mismatch_u64(t, K_CHOICE, j, " index", want_i, got_i);
			free(w);
			return LINE_MISMATCH;
		}
		if (got_i2 != got_i) {
			mismatch_u64(t, K_CHOICE, j, " index with u == NULL",
			    want_i, got_i2);
			free(w);
			return LINE_MISMATCH;
		}
		if (!same_state(&copy, &t->rng)) {
			printf("rng: MISMATCH seed %s, %s:%lu, choice #%lu: state"
			    " differs after the call with u == NULL\n", t->seed,
			    t->path, t->lineno, j);
			free(w);
			return LINE_MISMATCH;
		}
	}
	free(w);
	return rc < 0 || j == 0 ? LINE_BAD : LINE_OK;
}

static const struct {
	const char *name;
	int       (*run)(struct run *, char *);
} ops[] = {
	{ "u32",     line_u32 },
	{ "random",  line_random },
	{ "bits",    line_bits },
	{ "below",   line_below },
	{ "shuffle", line_shuffle },
	{ "gauss",   line_gauss },
	{ "choice",  line_choice },
};

static unsigned long
total_checked(const struct run *t)
{
	unsigned long sum = 0;
	int k;

	for (k = 0; k < K_NKINDS; k++)
		sum += t->checked[k];
	return sum;
}

int
main(int argc, char **argv)
{
	struct run t;
	const char *srcdir;
	char *path = NULL, *buf = NULL, *p, *word;
	size_t cap = 0, len, i;
	uint64_t seed, end_total = 0;
	int have_end = 0, k;
	FILE *f;

	memset(&t, 0, sizeof t);
	if (argc > 2) {
		fputs("usage: test_rng [vectors-file]\n", stderr);
		return 2;
	}
	if (argc == 2) {
		t.path = argv[1];
	} else if ((srcdir = getenv("srcdir")) != NULL && *srcdir != '\0') {
		path = xmalloc(strlen(srcdir) + sizeof "/" VECTORS);
		sprintf(path, "%s/%s", srcdir, VECTORS);
		t.path = path;
	} else {
		t.path = VECTORS;
	}
	if ((f = fopen(t.path, "r")) == NULL) {
		fprintf(stderr, "test_rng: %s: %s\n", t.path, strerror(errno));
		free(path);
		return 1;
	}

	while (read_line(f, &buf, &cap)) {
		t.lineno++;
		p = buf + strspn(buf, " \t\r");
		if (*p == '\0' || *p == '#')
			continue;
		if (have_end)
			goto bad;
		word = p;
		len = strcspn(p, " \t\r");
		p += len;
		if (len == 4 && memcmp(word, "seed", 4) == 0) {
			if (field_u64(&p, 10, &seed) != 1)
				goto bad;
			snprintf(t.seed, sizeof t.seed, "%" PRIu64, seed);
			rng_seed(&t.rng, seed);
			t.seeded = 1;
			t.skip = 0;
			continue;
		}
		if (len == 3 && memcmp(word, "end", 3) == 0) {
			if (field_u64(&p, 10, &end_total) != 1)
				goto bad;
			have_end = 1;
			continue;
		}
		for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (strlen(ops[i].name) == len
			    && memcmp(word, ops[i].name, len) == 0)
				break;
		if (i == sizeof ops / sizeof ops[0] || !t.seeded)
			goto bad;
		if (t.skip)
			continue;
		switch (ops[i].run(&t, p)) {
		case LINE_OK:
			break;
		case LINE_MISMATCH:
			t.mismatches++;
			t.seeds_failed++;
			t.skip = 1;
			break;
		default:
			goto bad;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "test_rng: %s: read error\n", t.path);
		goto fail;
	}
	fclose(f);
	f = NULL;

	printf("rng: checked");
	for (k = 0; k < K_NKINDS; k++)
		printf(" %s %lu%s", kind_names[k], t.checked[k],
		    k + 1 < K_NKINDS ? "," : "\n");
	printf("rng: %lu draws checked, %lu mismatches", total_checked(&t),
	    t.mismatches);
	if (t.seeds_failed)
		printf(" (rest of %lu seed block%s skipped)", t.seeds_failed,
		    t.seeds_failed == 1 ? "" : "s");
	printf("\n");
	if (!have_end) {
		fprintf(stderr, "test_rng: %s: no end line (truncated?)\n",
		    t.path);
		goto fail;
	}
	if (t.mismatches == 0 && end_total != total_checked(&t)) {
		fprintf(stderr, "test_rng: %s: end line says %" PRIu64
		    " draws, %lu checked\n", t.path, end_total,
		    total_checked(&t));
		goto fail;
	}
	free(buf);
	free(path);
	return t.mismatches ? 1 : 0;

bad:
	fprintf(stderr, "test_rng: %s:%lu: malformed line\n", t.path,
	    t.lineno);
fail:
	if (f != NULL)
		fclose(f);
	free(buf);
	free(path);
	return 1;
}
