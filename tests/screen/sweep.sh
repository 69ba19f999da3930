#!/bin/sh
# SPDX-License-Identifier: MIT
# The sweep (A): every subset of heads off with the input's loss and the
# dataset's, equal to trace --sweep's, sorted by the dataset's loss; Enter
# switches the selected subset off in the debugger; q during the sweep
# cancels it and goes back.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --sweep emma >"$T/sweep" 2>&1 || fail "trace --sweep"
# trace's rows as the screen prints them: heads, input loss, dataset loss
awk 'NF == 3 && $1 ~ /^(none|L[0-9])/ && $2 ~ /^[0-9]/ { printf "%s %.4f %.4f\n", $1, $2, $3 }' "$T/sweep" | sort >"$T/want"
[ "$(wc -l <"$T/want")" -eq 16 ] || fail "trace --sweep: $(wc -l <"$T/want") rows"
. "$(dirname "$0")/../screen_lib.sh"
for size in "80 24" "120 40"; do
	start $size "'$M' debug alpha --db '$D' --input emma"
	wait_for "op 1 of"
	keys A
	wait_for "subsets from the cache" 30
	awk '$1 ~ /^(none|L[0-9])/ && NF >= 5 { print $1, $2, $4 }' "$T/pane" | sort >"$T/got"
	cmp -s "$T/want" "$T/got" && ok "$size: the 16 rows are trace --sweep's" \
	    || fail "$size: rows differ: $(diff "$T/want" "$T/got" | head -5)"
	awk '$1 ~ /^(none|L[0-9])/ && NF >= 5 { print $4 }' "$T/pane" >"$T/col"
	sort -rn "$T/col" | cmp -s - "$T/col" && ok "$size: sorted by the dataset's loss" \
	    || fail "$size: not sorted: $(tr '\n' ' ' <"$T/col")"
	first=$(awk '$1 ~ /^(none|L[0-9])/ && NF >= 5 { print $1; exit }' "$T/pane")
	keys Enter
	wait_for "op 1 of"
	grep -q "off: $first " "$T/pane" && ok "$size: Enter switched $first off" \
	    || fail "$size: Enter did not switch $first off: $(head -1 "$T/pane")"
	keys A q
	wait_for "op 1 of" && ok "$size: q goes back from the sweep"
	keys q
	ended "$size: q quits"
	[ "$rc" = 0 ] || fail "$size: exit $rc"
done
finish
