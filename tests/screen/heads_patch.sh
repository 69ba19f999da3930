#!/bin/sh
# SPDX-License-Identifier: MIT
# Patching in the heads view: j k select a head, P asks for a patch text
# (refused, saying both lengths, when it is not as long as the input), and
# the panel shows the pass with the selected head's output at the shown
# position taken from the patch text's pass: the patched probabilities and
# the input's loss against the clean ones, equal to trace --patch-from's.
# An empty patch text turns patching off.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
# the input's loss of a trace's JSON (the mean of the positions' losses), to
# 4 decimals, and BOS's probability at position 4
loss() { grep '"op":"probs"' "$1" | grep -o '"loss":[^,}]*' | cut -d: -f2 \
	| awk '{ s += $1; n++ } END { printf "%.4f", s / n }'; }
pbos() { grep '"op":"probs","pos":4,' "$1" | sed 's/.*"out":\[//; s/\].*//' \
	| awk -F, '{ printf "%.4f", $NF }'; }
"$M" trace alpha --db "$D" --format json emma >"$T/clean.json" 2>/dev/null || fail "trace"
"$M" trace alpha --db "$D" --format json --patch-from olga --patch L0H2@4 emma >"$T/patched.json" \
	2>/dev/null || fail "trace --patch-from"
lc=$(loss "$T/clean.json") lp=$(loss "$T/patched.json")
bc=$(pbos "$T/clean.json") bp=$(pbos "$T/patched.json")
[ "$lc" != "$lp" ] || fail "the patch changes nothing to 4 decimals: pick another text"
. "$(dirname "$0")/../screen_lib.sh"
for size in "80 24" "120 40"; do
	start $size "'$M' debug alpha --db '$D' --input emma"
	wait_for "op 1 of"
	keys H
	wait_for "predicting BOS"
	keys j j P
	wait_for "patch from (4 characters):"
	keys o l Enter
	wait_for "the patch text has 2 characters and the input 4: they must be as long" \
	    && ok "$size: a patch text of another length is refused, both lengths said"
	keys g a Enter
	wait_for "patch: H2 at pos 4 from 'olga'"
	grep -q "input loss patched $lp  clean $lc  change " "$T/pane" \
	    && ok "$size: the patched loss is trace --patch-from's ($lp, clean $lc)" \
	    || fail "$size: loss line: $(grep 'input loss' "$T/pane")"
	grep -q "^BOS   $bp   $bc  [+-]" "$T/pane" \
	    && ok "$size: BOS's patched and clean probabilities ($bp, $bc)" \
	    || fail "$size: BOS row, want $bp $bc: $(grep '^BOS ' "$T/pane")"
	keys P C-u Enter
	wait_gone "patch: H2"
	grep -q "^char  p now" "$T/pane" && ok "$size: an empty patch text turns patching off" \
	    || fail "$size: the prediction did not come back"
	keys q q
	ended "$size: q quits"
	[ "$rc" = 0 ] || fail "$size: exit $rc"
done
finish
