/* SPDX-License-Identifier: MIT */
/* run_defaults.h - the settings of a run nobody chose: the reference's
 * (microgpt.py) defaults, written once. `train`, the default run the
 * debugger and `trace` train when the database holds none, the training
 * form, and the usage text (through RUN_DEFAULT_STR) all read them here. */
#ifndef MGPT_RUN_DEFAULTS_H
#define MGPT_RUN_DEFAULTS_H

#define RUN_DEFAULT_SEED         42
#define RUN_DEFAULT_STEPS        1000
#define RUN_DEFAULT_N_EMBD       16
#define RUN_DEFAULT_N_HEAD       4
#define RUN_DEFAULT_N_LAYER      1
#define RUN_DEFAULT_BLOCK_SIZE   16
#define RUN_DEFAULT_SAMPLES      20
#define RUN_DEFAULT_TEMPERATURE  0.5
#define RUN_DEFAULT_INPUT        "emma"     /* the debugger's and replay's first input */

/* A struct model_config initialiser (vocab_size is set from the data). */
#define RUN_DEFAULT_CONFIG \
	{ 0, RUN_DEFAULT_N_EMBD, RUN_DEFAULT_N_HEAD, RUN_DEFAULT_N_LAYER, RUN_DEFAULT_BLOCK_SIZE }

/* A default as text, for usage strings: RUN_DEFAULT_STR(RUN_DEFAULT_SEED) is "42". */
#define RUN_DEFAULT_STR_(x) #x
#define RUN_DEFAULT_STR(x)  RUN_DEFAULT_STR_(x)

#endif
