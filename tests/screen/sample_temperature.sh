#!/bin/sh
# SPDX-License-Identifier: MIT
# After > the sampling panel's T agrees with the title's: the last draw
# keeps its own ("drawn at T 0.50"), the column of the next draw's
# probabilities follows the temperature.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
start 100 40 "'$M' debug alpha --db '$D' --input ''"
wait_for "op 1 of"
keys x
wait_for "drawn at T 0.50"
grep -q "at T 0.50" "$T/pane" || fail "no 'at T 0.50' column after x"
# (from 100 columns the outline pane is left of the page: "│ top")
sed -n '/\(^\|│\) *top/,$p' "$T/pane" | sed -n '2,4p' >"$T/col.before"
keys '>'
wait_for "all heads on  T 0.60" && ok "> raises the title's T to 0.60"
wait_for "at T 0.60" && ok "the panel's column says T 0.60 too"
grep -q "drawn at T 0.50" "$T/pane" && ok "the draw keeps its own T" || fail "the draw's T changed"
sed -n '/\(^\|│\) *top/,$p' "$T/pane" | sed -n '2,4p' >"$T/col.after"
cmp -s "$T/col.before" "$T/col.after" && fail "the column's probabilities did not change with T"
keys q
ended "q"
finish
