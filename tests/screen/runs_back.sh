#!/bin/sh
# SPDX-License-Identifier: MIT
# R in the debugger opens the runs browser; q there goes back to the
# debugger (input, breakpoints and all), and q in the debugger quits.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
start 100 30 "'$M' debug alpha --db '$D' --input ana"
wait_for "op 1 of"
keys b
wait_for "breakpoint set"
keys R
wait_for "runs in " && ok "R opens the runs browser"
keys q
wait_for "op 1 of" && ok "q in the browser returns to the debugger"
grep -q "1 break" "$T/pane" || fail "the breakpoint was lost on the way"
grep -q "input  BOS a n a" "$T/pane" || fail "the input was lost on the way"
keys q
ended "q in the debugger" && [ "$rc" = 0 ] && ok "then q quits (status 0)"
finish
