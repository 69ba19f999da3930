/* SPDX-License-Identifier: MIT */
/* view_train_run.c - T in replay's run view: the debugger opened on the
 * run inside the training step at the cursor. A file of its own so that
 * the debugger's view (which calls view_train_step.c for its keys) and
 * this opener (which calls the debugger's view_debug_open_run) stay off a
 * circle of calls. */
#include "config.h"

#include <stdio.h>

#include "replay_ui.h"
#include "ui_priv.h"

/* The run view's T: the debugger on the run, inside the step at the
 * cursor; q comes back to the run view. */
int
view_train_step_from_run(struct ui *u)
{
	struct replay_ui *rp = u->rp;
	char spec[32], err[512];
	long step = rp->rr.cur_step;

	if (step < 1) {
		ui_msg(u, ST_DIM, "step 0 is the initial weights: no training step to step into (] moves on)");
		return UI_STAY;
	}
	snprintf(spec, sizeof spec, "%lld", (long long)rp->rr.run.id);
	if (view_debug_open_run(u, rp->db, spec, step, rp->rr.probe_text, VIEW_RUN, err, sizeof err) < 0
	    || view_train_step_enter(u, step, 1, err, sizeof err) < 0) {
		ui_msg(u, ST_ERR, "%s", err);
		return UI_STAY;
	}
	rp->play = 0;
	return UI_GO(VIEW_DEBUG);
}

