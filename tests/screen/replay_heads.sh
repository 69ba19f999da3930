#!/bin/sh
# SPDX-License-Identifier: MIT
# H in replay's run view: the heads view on the weights of the step shown
# (any step, not only the last), the probe as input; its loss is trace's
# for that step; q returns to the run view at the same step.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 300 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
# the input's loss at step 120 with every head on, as trace --sweep gives it
"$M" trace alpha --db "$D" --step 120 --sweep emma >"$T/sweep" 2>&1 || fail "trace --sweep"
want=$(awk '$1 == "none" && NF == 3 { printf "%.4f", $2 }' "$T/sweep")
last=$("$M" trace alpha --db "$D" --sweep emma 2>&1 | awk '$1 == "none" && NF == 3 { printf "%.4f", $2 }')
[ -n "$want" ] && [ "$want" != "$last" ] || fail "sweep losses: '$want' at 120, '$last' at the end"
. "$(dirname "$0")/../screen_lib.sh"
for size in "80 24" "120 40"; do
	start $size "'$M' replay alpha --db '$D' --step 120"
	wait_for "step 120 / 300"
	keys H
	wait_for "predicting BOS"
	grep -q "heads  alpha  step 120" "$T/pane" && ok "$size: H opens the heads view at step 120" \
	    || fail "$size: heads view title: $(head -1 "$T/pane")"
	grep -q "pos 4 'a' -> predicting BOS" "$T/pane" || fail "$size: not the probe's last position"
	grep -q "input loss $want (5 positions)" "$T/pane" && ok "$size: its loss is trace's at step 120 ($want)" \
	    || fail "$size: loss not $want: $(grep 'input loss' "$T/pane")"
	keys 2
	wait_for "off: L0H1"
	keys q
	wait_for "step 120 / 300" && ok "$size: q returns to the run view at step 120"
	grep -q "head statistics" "$T/pane" || fail "$size: not the run view"
	# another step, and H again: the heads view follows the step
	keys ']'
	wait_for "step 121 / 300"
	keys H
	wait_for "heads  alpha  step 121" && ok "$size: H at step 121"
	grep -q "off: L0H1" "$T/pane" && fail "$size: a head is still off from before"
	keys q
	wait_for "step 121 / 300"
	keys q
	ended "$size: q quits"
	[ "$rc" = 0 ] || fail "$size: exit $rc"
done
finish
