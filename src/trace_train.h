/* SPDX-License-Identifier: MIT */
/* trace_train.h - `trace RUN --train-step S`: training step S of a run,
 * op by op (src/train_step.c opens it; this file prints it).
 *
 * cmd_trace.c calls it at three places: an option it does not know goes
 * to trace_train_option(); when --train-step was given, trace_train_main()
 * does the rest, printing the forward ops through cmd_trace's own printer
 * (print_op), which adds a forward op's gradient with
 * trace_train_json_grad(). */
#ifndef MGPT_TRACE_TRAIN_H
#define MGPT_TRACE_TRAIN_H

#include <getopt.h>
#include <stdio.h>

#include "dataset.h"
#include "gradtrace.h"
#include "model.h"
#include "stepper.h"

enum { TRACE_TRAIN_OPT_STEP = 420 };

#define TRACE_TRAIN_OPTIONS \
	{ "train-step", required_argument, NULL, TRACE_TRAIN_OPT_STEP },

#define TRACE_TRAIN_USAGE "       mgpt-tui trace [RUN] --train-step S [--format text|json] [--db PATH]\n"
#define TRACE_TRAIN_HELP \
"With --train-step S: training step S of the run (the `step S / N` line of\n" \
"  train), from its weights after S-1 steps: the forward ops of the step's\n" \
"  document, each with its gradient; the loss; the backward ops in the order\n" \
"  computed (d_logits, d_lm_head, per layer d_mlp_fc2, d_relu, d_mlp_fc1,\n" \
"  d_rmsnorm_mlp, d_attn_wo, per position and head d_head_out,\n" \
"  d_attn_weights, d_attn_scores, then d_qkv, d_rmsnorm_attn; then\n" \
"  d_rmsnorm_in, d_embed); param_grad and adam per tensor. The weights after\n" \
"  are checked against the run's own weights at step S, bit for bit.\n"

struct trace_train {
	long step;   /* --train-step, or 0 */
};

/* Prints one forward op as `trace` does; g (when not NULL) adds its grad. */
typedef void (*trace_train_print_op)(FILE *f, int json, const struct model *m,
    const struct dataset *ds, const struct trace *tr, const struct grad_trace *g,
    const struct op *op, const struct op_view *v);

/* getopt's c and optarg: 1 when taken, 0 when not this file's, -1 after
 * printing why the value is bad. */
int  trace_train_option(struct trace_train *a, int c, const char *arg);
/* The whole command once --train-step is given: args are the operands
 * (at most RUN). Returns the exit status. */
int  trace_train_main(const struct trace_train *a, int nargs, char **args, const char *db,
                      int json, trace_train_print_op print_op);
/* ,"grad":[...] for a forward op. */
void trace_train_json_grad(FILE *f, const struct grad_trace *g, const struct op *op);

#endif
