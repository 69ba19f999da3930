#!/bin/sh
# SPDX-License-Identifier: MIT
# A run that no longer replays past some step (its log says another loss:
# an old build's run) and T from the debugger loaded before that step: the
# step cannot be opened, which is said in the message line, and the
# debugger goes on with its weights (it once re-ran its pass on a freed
# model and crashed).
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
TOOL=${top_builddir:-.}/tests/store_tool
"$M" train --db "$D" --steps 60 --name alpha --samples 0 --snapshot-every 1000 >/dev/null 2>&1 \
	|| fail "train alpha"
"$TOOL" sql "$D" "UPDATE steps SET loss = loss + 1 WHERE step = 30" >/dev/null || fail "change step 30"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' debug alpha --db '$D' --step 12"
wait_for "op 1 of"
keys s s
cp "$T/pane" "$T/before"
keys T
wait_for "step into training step"
keys C-u 4 0 Enter
wait_for "diverged at step 30" && ok "a step past the divergence is refused with the reason"
keys C-l
wait_gone "diverged"
keys s S
grep -q "op 3 of" "$T/pane" && ok "the debugger goes on after it" || fail "the debugger after the refused step: $(cat "$T/pane")"
keys q
ended "q quits"
finish
