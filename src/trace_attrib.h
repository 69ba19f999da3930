/* SPDX-License-Identifier: MIT */
/* trace_attrib.h - `trace`'s workbench output: each head's direct logits,
 * the logit lens, the ablation sweep (--sweep) and activation patching
 * (--patch-from TEXT2 --patch L0H2@4), computed by src/engine/attrib.c.
 *
 * cmd_trace.c calls it at four places: an option it does not know goes to
 * trace_attrib_option(); after the options, trace_attrib_check(); after
 * the forward pass of TEXT, trace_attrib_prepare() (which patches the pass
 * when asked); after the pass's ops, trace_attrib_print(). */
#ifndef MGPT_TRACE_ATTRIB_H
#define MGPT_TRACE_ATTRIB_H

#include <getopt.h>
#include <stdio.h>

#include "dataset.h"
#include "debug_run.h"
#include "model.h"

enum { TRACE_ATTRIB_OPT_SWEEP = 400, TRACE_ATTRIB_OPT_PATCH_FROM, TRACE_ATTRIB_OPT_PATCH };

/* The rows of `trace`'s getopt_long table. */
#define TRACE_ATTRIB_OPTIONS \
	{ "sweep", no_argument, NULL, TRACE_ATTRIB_OPT_SWEEP }, \
	{ "patch-from", required_argument, NULL, TRACE_ATTRIB_OPT_PATCH_FROM }, \
	{ "patch", required_argument, NULL, TRACE_ATTRIB_OPT_PATCH },

/* These flags in trace's usage line, and their help lines. */
#define TRACE_ATTRIB_USAGE "[--sweep] [--patch-from TEXT2 --patch L0H2@P]"
#define TRACE_ATTRIB_HELP \
"After the pass: each head's direct logits (head_logits), the logit lens (lens).\n" \
"  --sweep            the loss of TEXT and of the run's dataset, every subset of\n" \
"                     heads off (ablation); the dataset losses are cached in the\n" \
"                     run database (sweep_cache) and read from it the next time\n" \
"  --patch-from TEXT2 --patch L0H2@P\n" \
"                     head L0H2's output at position P (0 is BOS) taken from its\n" \
"                     output on TEXT2 (as long as TEXT); prints the patched pass\n"

struct trace_attrib {
	int         sweep;        /* --sweep */
	const char *patch_from;   /* --patch-from TEXT2, or NULL */
	const char *patch;        /* --patch as given, or NULL */
	int         layer, head, pos;   /* --patch parsed */
	int         patched;      /* the pass was patched */
	double     *patch_out;    /* [D] the head output put in (owned) */
	const struct debug_run *run;  /* set by the caller: --sweep's dataset losses are
	                               * cached under its id and step (NULL: not cached) */
};

/* getopt's c and optarg: 1 when the option is one of these (taken), 0 when
 * it is not, -1 after printing why its value is bad (a usage error). */
int  trace_attrib_option(struct trace_attrib *a, int c, const char *arg);
/* After the options: -1 after printing why the combination is wrong
 * (--patch without --patch-from or the reverse). */
int  trace_attrib_check(const struct trace_attrib *a);
/* After the forward pass of TEXT into tr (every position with its
 * target): with --patch, TEXT2 is run through m with tr's head mask and
 * head layer.head's output at pos is put into tr, which is recomputed from
 * there. Returns 0, or the exit status after printing the error (TEXT2 not
 * in the vocabulary or of another length, a head or position that does not
 * exist). */
int  trace_attrib_prepare(struct trace_attrib *a, const struct model *m,
                          const struct dataset *ds, struct trace *tr);
/* The ops of this file after the pass's: JSON objects, each preceded by
 * ",\n" (so they continue the array), or text sections. Returns 0. */
int  trace_attrib_print(const struct trace_attrib *a, FILE *f, int json, const struct model *m,
                        const struct dataset *ds, const struct trace *tr);
void trace_attrib_free(struct trace_attrib *a);

#endif
