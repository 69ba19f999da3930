#!/bin/sh
# SPDX-License-Identifier: MIT
# debug RUN --train-step S opens training step S: its title and loss are
# trace --train-step's, the message says the weights after are the run's
# step S bit for bit, q quits; a step out of range or a run without steps
# is one line naming --train-step (exit 2 / 1).
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --train-step 7 --format json >"$T/json" 2>&1 || fail "trace --train-step"
loss=$(sed -n 's/.*"op":"train_step".*"loss":\([-0-9.e]*\),.*/\1/p' "$T/json" | awk '{ printf "%.4f", $1 }')
[ -n "$loss" ] || fail "no loss in trace's JSON"
expect 2 "--train-step past the run's last step" -- "$M" debug alpha --db "$D" --train-step 61 &&
    one_line_error "--train-step 61" && grep -q -- "--train-step: 61 is not a step of the run (1..60)" "$T/err" &&
    ok "--train-step 61: one line, exit 2"
expect 2 "--train-step 0" -- "$M" debug alpha --db "$D" --train-step 0 && one_line_error "--train-step 0" &&
    grep -q -- "--train-step" "$T/err" && ok "--train-step 0: exit 2"
expect 2 "--train-step with --step" -- "$M" debug alpha --db "$D" --train-step 3 --step 4 &&
    one_line_error "--train-step and --step" && ok "--train-step with --step: exit 2"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' debug alpha --db '$D' --train-step 7"
wait_for "training step 7/60  loss $loss" && ok "the title: training step 7, trace's loss $loss"
grep -q "weights after = the run's step 7, bit for bit" "$T/pane" && ok "the message says bit for bit" ||
    fail "no bit-for-bit message: $(tail -1 "$T/pane")"
grep -q "embed @ pos 0" "$T/pane" && ok "at the first op" || fail "not at the first op"
keys q
ended "q quits the step opened by the flag"
[ "$rc" = 0 ] && ok "exit 0" || fail "exit $rc"
finish
