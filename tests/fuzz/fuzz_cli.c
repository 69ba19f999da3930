/* SPDX-License-Identifier: MIT */
/* fuzz_cli.c - libFuzzer harness: the command line, parsed only.
 *
 * The input is the command line: its first byte picks the command (one of
 * the subcommands, or none, which hands every word to mgpt_main as typed:
 * an unknown command, --help, debug's options), the rest are the words,
 * split at NUL bytes. mgpt_main runs with cli_parse_only set, so every
 * command checks its options and arguments and stops there.
 *
 * What must hold: exit 0 with nothing on stderr, or exit 2 with exactly one
 * line "mgpt-tui: ..." on stderr; never anything on stdout; never a crash
 * or a leak. getopt's state is reset by the commands themselves (optind =
 * 0), so nothing carries over from one input to the next. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const commands[] = {
	"train", "trace", "debug", "replay", "runs", "export", "sample", "rm", NULL,
};
#define N_CHOICES (sizeof commands / sizeof commands[0])
#define MAX_WORDS 64

/* What a stream received: stdout and stderr are glibc variables, swapped
 * here for memory streams around the call (libFuzzer and the sanitizers
 * keep writing to the real descriptors). */
struct capture {
	char  *buf;
	size_t len;
	FILE  *f, *saved;
};

static void
capture_start(struct capture *c, FILE **stream)
{
	c->buf = NULL;
	c->len = 0;
	if (!(c->f = open_memstream(&c->buf, &c->len)))
		abort();
	c->saved = *stream;
	*stream = c->f;
}

static void
capture_end(struct capture *c, FILE **stream)
{
	*stream = c->saved;
	fclose(c->f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[MAX_WORDS + 3], *p, *end;
	struct capture out, err;
	int argc = 0, rc;
	size_t i;

	if (size < 1)
		return 0;
	cli_parse_only = 1;
	/* One NUL more than the input, so the last word is ended too. */
	copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	argv[argc++] = "mgpt-tui";
	if (commands[data[0] % N_CHOICES])
		argv[argc++] = (char *)commands[data[0] % N_CHOICES];
	for (p = copy, end = copy + size - 1; p < end && argc < MAX_WORDS + 2; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	capture_start(&out, &stdout);
	capture_start(&err, &stderr);
	rc = mgpt_main(argc, argv);
	capture_end(&err, &stderr);
	capture_end(&out, &stdout);

	if (out.len != 0)
		__builtin_trap();             /* parsing printed on stdout */
	if (rc == 0 && err.len != 0)
		__builtin_trap();             /* success with a complaint */
	if (rc == EXIT_USAGE) {
		/* one line, ours, ended by its newline, no control characters
		 * (what the user typed is quoted with them escaped) */
		if (err.len < 11 || strncmp(err.buf, "mgpt-tui: ", 10) != 0 ||
		    err.buf[err.len - 1] != '\n')
			__builtin_trap();
		for (i = 0; i + 1 < err.len; i++)
			if ((unsigned char)err.buf[i] < 0x20 || err.buf[i] == 0x7f)
				__builtin_trap();
	} else if (rc != 0)
		__builtin_trap();             /* parsing cannot fail otherwise */
	free(out.buf);
	free(err.buf);
	free(copy);
	return 0;
}
