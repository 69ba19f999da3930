#!/bin/sh
# SPDX-License-Identifier: MIT
# The Adam op of wte in a training step: the line saying the weights after
# are the run's step bit for bit, lr_t and the largest move's update equal
# to trace --train-step's JSON to the last digit (%.17g both).
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --train-step 9 --format json >"$T/json" 2>&1 || fail "trace --train-step"
grep '"op":"adam"' "$T/json" | grep '"tensor":"wte"' >"$T/adam"
lr=$(sed -n 's/.*"lr":\([-0-9.e]*\),.*/\1/p' "$T/adam")
mv=$(sed -n 's/.*"largest":\[{"row":\([0-9]*\),"col":\([0-9]*\),"update":\([-0-9.e]*\),.*/update[\1][\2] = \3/p' "$T/adam")
[ -n "$lr" ] && [ -n "$mv" ] || fail "no lr or largest move in trace's JSON"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' debug alpha --db '$D' --train-step 9"
wait_for "training step 9/60"
keys G C
wait_for "adam wte" && ok "G then C: the first adam op"
grep -q "the weights after equal the run's step 9 bit for bit" "$T/pane" && ok "the bit-for-bit line" ||
    fail "no bit-for-bit line"
grep -q "^ lr_t = $lr\$" "$T/pane" && ok "lr_t = $lr as trace's" || fail "lr_t: want $lr: $(grep 'lr_t =' "$T/pane")"
keys j j l l
[ -n "$mv" ] && wait_for "$mv" && ok "the largest move: $mv as trace's"
keys q
ended "q quits"
finish
