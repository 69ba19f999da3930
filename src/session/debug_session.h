/* SPDX-License-Identifier: MIT */
/* debug_session.h - the debugger's back end: a run's weights, the input
 * fed after BOS, the pass over it (trace) with the heads switched off, the
 * stepper's op sequence, the samples drawn. The screen (src/ui) and
 * `trace` (src/cmd_trace.c) are two renderers of it; neither decodes the
 * input or feeds the model itself.
 *
 * Nothing here draws or prints: what a command has to say comes back in
 * s->msg (with its kind), errors as a status code. */
#ifndef MGPT_DEBUG_SESSION_H
#define MGPT_DEBUG_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "debug_run.h"
#include "model.h"
#include "rng.h"
#include "stepper.h"
#include "train_step.h"

#define DEBUG_INPUT_MIN_CAP 256   /* characters the input always has room for */
#define DEBUG_BAD_MAX       9     /* outside the vocabulary: 8 named, a ninth says "and more" */

struct sample_rec {                /* the last draw, for display */
	int     valid;
	int     pos;                   /* the position whose distribution was drawn from */
	double  temperature;
	double *probs;                 /* [V] softmax(logits / T) at the draw's T */
	double *probs_now;             /* [V] the same at the session's T now (the next draw's) */
	double  u;                     /* random() * total: where the draw landed */
	double  total;                 /* sum of the weights */
	double  cum_lo, cum_hi;        /* the chosen token's span of the cumulative weights */
	int     chosen;                /* token id */
	long    draw;                  /* 1-based count in the run's sampling stream */
	int     ended;                 /* BOS or block_size: the name is complete */
	char    name[256];             /* the sampled name, whole, when ended */
};

enum debug_msg_kind { DEBUG_MSG_NONE, DEBUG_MSG_INFO, DEBUG_MSG_OK, DEBUG_MSG_ERR };

/* Why an input was refused. */
enum debug_input_status {
	DEBUG_INPUT_OK = 0,
	DEBUG_INPUT_UTF8 = -1,     /* not valid UTF-8: bad_byte is the 1-based offset */
	DEBUG_INPUT_VOCAB = -2,    /* characters outside the run's vocabulary: bad[] */
};
struct debug_input_error {
	size_t   bad_byte;
	uint32_t bad[DEBUG_BAD_MAX];   /* each once, in input order */
	int      n_bad;
};

struct debug_session {
	struct debug_run *run;
	const struct model *m;         /* &run->tr.model */
	struct model_config cfg;
	const struct dataset *ds;
	struct trace tr;               /* the pass being stepped, with the head mask */
	struct trace tr_all;           /* the same input with every head on (comparison) */
	struct stepper st;

	uint32_t *input;               /* [cap_input] the input text, code points */
	int      cap_input;
	int      n_input;
	int      n_fed;                /* characters fed (the rest is cut at block_size) */
	int      n_typed;              /* input[0..n_typed) typed, the rest sampled */
	int     *tokens;               /* [T] fed tokens: BOS, characters */

	int      score_name;           /* the last fed position's target, when nothing follows:
	                                * the closing BOS (as training scores a name), else none */
	double   temperature;
	struct rng srng;               /* the run's sampling stream */
	long     n_draws;
	struct sample_rec sample;

	enum debug_msg_kind msg_kind;  /* what the last command has to say; NONE: nothing */
	char     msg[512];

	/* Inside a training step (debug_session_train_open): tr is the step's
	 * forward pass, the stepper has the backward's ops, ts the records. */
	struct train_step *ts;         /* NULL outside one */
	struct model m_before;         /* the run's model with ts->p_before: the weights the
	                                * step's forward used (m points here inside a step) */
	struct {                       /* what train_close goes back to */
		long      step;            /* the run's weights */
		struct op op;              /* the current op */
		uint32_t *input;           /* [n_input] */
		int       n_input, n_typed;
		uint64_t  head_mask;
	} back;
};

/* Set up on a loaded run (debug_run_load) and feed text (UTF-8). On a
 * refused text the session is still set up, with no input fed, and *why
 * says what was wrong (the caller words it). */
int  debug_session_init(struct debug_session *s, struct debug_run *run, const char *text,
                        struct debug_input_error *why);
void debug_session_free(struct debug_session *s);
/* Decode UTF-8 into code points (out has room for strlen(text)). */
int  debug_session_decode(const char *text, uint32_t *out, int *n, struct debug_input_error *why);
/* Feed text[n]; refuses characters not in the vocabulary (nothing
 * changes) and cuts at block_size (said in s->msg). */
int  debug_session_set_input(struct debug_session *s, const uint32_t *text, int n,
                             struct debug_input_error *why);
/* A refused input in words, as every command says it: "not valid UTF-8
 * (byte 3)", "not in the run's vocabulary: 'Z', '1'" (dataset.h). */
void debug_session_describe(const struct debug_session *s, int status,
                            const struct debug_input_error *why, char *buf, size_t n);

/* Score the input as training scores a name (trace): with nothing after
 * it, the last position's target is the closing BOS. The pass again. */
void debug_session_set_scoring(struct debug_session *s, int score_name);

/* The sampling temperature of the next draw; the last draw's
 * distribution is recomputed at it (sample.probs_now). */
void debug_session_set_temperature(struct debug_session *s, double t);

/* Each of these leaves a message in s->msg. */
void debug_session_toggle_head(struct debug_session *s, int layer, int head);
void debug_session_heads_on(struct debug_session *s);
void debug_session_set_mask(struct debug_session *s, uint64_t mask);
void debug_session_sample(struct debug_session *s);
/* The weights moved (another training step): the pass again. */
void debug_session_weights_changed(struct debug_session *s);

/* Step into training step `step` of the run (1..steps done): the
 * document it trained on, from the weights after step-1; the stepper
 * lays out the forward, the loss, the backward and the update (ops from
 * s->ts's records only). -1 with err (naming --train-step when the step
 * is out of range; nothing changed). The message says that the weights
 * after equal the run's step bit for bit. */
int  debug_session_train_open(struct debug_session *s, long step, char *err, size_t n);
/* Back to what was shown before train_open: the run's weights, the
 * input, the heads, the current op. */
void debug_session_train_close(struct debug_session *s);

/* Bit l*H+h of the mask: head h of layer l is off. */
static inline int debug_session_head_off(const struct debug_session *s, int l, int h)
{ return model_head_off(s->tr.head_mask, &s->cfg, l, h); }

#endif
