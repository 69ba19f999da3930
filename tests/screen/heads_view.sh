#!/bin/sh
# SPDX-License-Identifier: MIT
# The heads view (H in the debugger): every head at the input's last
# position, the input's loss equal to trace --sweep's with the same heads
# off, a digit switching a head off live, left moving the position, and
# logits = embed + heads + MLP to rounding.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --sweep emma >"$T/sweep" 2>&1 || fail "trace --sweep"
# the sweep's text loss for a set of heads off, to 4 decimals
want() { awk -v h="$1" '$1 == h && NF == 3 { printf "%.4f", $2 }' "$T/sweep"; }
all=$(want none) h0=$(want L0H0)
[ -n "$all" ] && [ -n "$h0" ] || fail "no sweep lines: $(cat "$T/sweep" | tail -3)"
. "$(dirname "$0")/../screen_lib.sh"
for size in "80 24" "120 40"; do
	start $size "'$M' debug alpha --db '$D' --input emma"
	wait_for "op 1 of"
	keys H
	wait_for "predicting BOS"
	grep -q "pos 4 'a' -> predicting BOS" "$T/pane" && ok "$size: the last character by default" \
	    || fail "$size: not at the last position"
	for h in H0 H1 H2 H3; do
		grep -q "^$h on " "$T/pane" || fail "$size: head $h missing"
	done
	grep -q "input loss $all (5 positions)" "$T/pane" && ok "$size: the loss is trace's ($all)" \
	    || fail "$size: loss not $all: $(grep 'input loss' "$T/pane")"
	d=$(sed -n 's/.*largest |difference| \([0-9.e+-]*\).*/\1/p' "$T/pane")
	awk -v d="$d" 'BEGIN { exit !(d != "" && d + 0 < 1e-12) }' \
	    && ok "$size: the parts add up to the logits ($d)" || fail "$size: difference '$d'"
	keys 1
	wait_for "off: L0H0"
	grep -q "^H0 off .*adds nothing" "$T/pane" || fail "$size: H0 not shown off"
	grep -q "input loss $h0 (5 positions)  all heads on $all" "$T/pane" \
	    && ok "$size: 1 switches H0 off, loss $h0 as trace's" \
	    || fail "$size: loss with H0 off: $(grep 'input loss' "$T/pane")"
	keys Left
	wait_for "pos 3 'm' -> predicting 'a'" && ok "$size: left moves the position"
	keys q
	wait_for "op 1 of"
	grep -q "off: L0H0" "$T/pane" && ok "$size: the debugger keeps the head off" \
	    || fail "$size: the debugger lost the toggle"
	keys q
	ended "$size: q quits"
	[ "$rc" = 0 ] || fail "$size: exit $rc"
done
finish
