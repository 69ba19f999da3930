#!/bin/sh
# SPDX-License-Identifier: MIT
# T in the debugger asks for a step (the loaded weights' step first) and
# steps into it; q leaves it for the byte-identical debugger screen. T in
# the run view steps into the step at the cursor; q comes back to the run.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' debug alpha --db '$D' --step 12"
wait_for "op 1 of"
keys s s Tab
wait_for "rmsnorm_in @ pos 1"
cp "$T/pane" "$T/before"
keys T
wait_for "step into training step (1-60): 12" && ok "T offers the loaded weights' step"
keys Enter
wait_for "training step 12/60" && ok "Enter steps into training step 12"
keys G
wait_for "adam layer0.mlp_fc2"
keys q
wait_for "left training step 12"
# C-l: the message goes (as any key's), the screen drawn anew
keys C-l
wait_gone "left training step 12"
cmp -s "$T/before" "$T/pane" && ok "q left the step for the same debugger screen" || {
	fail "the debugger's screen changed:"; diff "$T/before" "$T/pane" >&2; }
keys q
ended "q quits"
start 80 24 "'$M' replay alpha --db '$D' --step 20"
wait_for "step 20 / 60"
keys T
wait_for "training step 20/60" && ok "the run view's T steps into step 20"
keys q
wait_for "step 20 / 60" && ok "q goes back to the run view"
finish
