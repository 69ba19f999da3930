/* SPDX-License-Identifier: MIT */
/* views.c - the one table of views. A new view is a new file with its
 * functions, registered here; the frame (ui.c) reaches views only
 * through this table. */
#include "config.h"

#include "replay_ui.h"
#include "ui_priv.h"

const struct view ui_views[VIEW__COUNT] = {
	/* name, open, draw, key, tick, wait_ms, resize, close, keys, flags */
	[VIEW_DEBUG]  = { "debug", NULL, view_debug_draw, view_debug_key, NULL, NULL, NULL,
	                  view_debug_close, &keys_debug, 0 },
	[VIEW_HELP]   = { "help", view_help_open, view_help_draw, view_help_key, NULL, NULL, NULL,
	                  NULL, &keys_debug, VF_OVERLAY },
	[VIEW_BREAKS] = { "breakpoints", NULL, view_breaks_draw, view_breaks_key, NULL, NULL, NULL,
	                  NULL, &keys_debug, VF_OVERLAY },
	[VIEW_HEADS]  = { "heads", view_heads_open, view_heads_draw, view_heads_key, NULL, NULL, NULL,
	                  view_heads_close, &keys_heads, 0 },
	[VIEW_SWEEP]  = { "sweep", view_sweep_open, view_sweep_draw, view_sweep_key, view_sweep_tick,
	                  view_sweep_wait_ms, NULL, view_sweep_close, &keys_sweep, 0 },
	[VIEW_PATCH]  = { "patch text", view_patch_open, view_patch_draw, view_patch_key, NULL, NULL,
	                  NULL, NULL, NULL, VF_OVERLAY },
	[VIEW_EDIT]   = { "input", NULL, view_edit_draw, view_edit_key, NULL, NULL, NULL,
	                  NULL, NULL, VF_OVERLAY },
	/* the replay screens (replay_ui.h); their shared state's timers and
	 * lifetime hang off the browser's entry */
	[VIEW_RUNS]   = { "runs", view_runs_open, view_runs_draw, view_runs_key, replay_ui_tick,
	                  replay_ui_timeout, NULL, replay_ui_close, &keys_runs, 0 },
	[VIEW_RUN]    = { "run", NULL, view_run_draw, view_run_key, run_sweep_tick, run_sweep_wait_ms,
	                  NULL, run_sweep_close, &keys_run, 0 },
	[VIEW_FORM]   = { "train", view_form_open, view_form_draw, view_form_key, NULL, NULL, NULL,
	                  NULL, NULL, 0 },
	[VIEW_PROMPT] = { "prompt", view_prompt_open, view_prompt_draw, view_prompt_key, NULL, NULL, NULL,
	                  NULL, NULL, VF_OVERLAY },
};
