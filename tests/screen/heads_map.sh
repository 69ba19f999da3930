#!/bin/sh
# SPDX-License-Identifier: MIT
# The heads view's attention maps (T): every head's T x T attention over
# the whole input, a row per query position, the numbers the trace's
# attn_weights (at 80x24 and 120x40); when not all heads fit (a long input
# at 80x24), h and l show the others; T and q go back. And the heads'
# pushes at 80 columns carry two decimals (the head_logits of trace), not
# "+0.0".
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
FLAT=${top_builddir:-.}/tests/json_flat
[ -x "$FLAT" ] || { echo "json_flat not built" >&2; exit 99; }
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --format json emma 2>/dev/null | "$FLAT" >"$T/flat" || fail "trace"
# query row 3 ('m') as the map prints it: H0's weights, H1's, H2's, H3's
awk '$1 == "attn_weights" && $2 == 3 { for (i = 5; i <= NF; i++) {
	w = $i + 0; if (w >= 0.995) s = "1.0"; else { s = sprintf("%.2f", w); sub(/^0/, "", s) }
	printf "%s ", s } }' "$T/flat" >"$T/want3"
[ "$(wc -w <"$T/want3")" = 16 ] || fail "trace: $(cat "$T/want3")"
# H0's largest push at position 4: its character and value as "+.12"
top=$(awk '$1 == "head_logits" && $2 == 4 && $4 == 0 { b = 5; for (i = 5; i <= NF; i++) if ($i + 0 > $b + 0) b = i;
	c = b - 5; ch = c == 26 ? "BOS" : sprintf("%c", 97 + c); s = sprintf("%+.2f", $b); sub(/0\./, ".", s);
	print ch s }' "$T/flat")
. "$(dirname "$0")/../screen_lib.sh"
for size in "80 24" "120 40"; do
	start $size "'$M' debug alpha --db '$D' --input emma"
	wait_for "op 1 of"
	keys H
	wait_for "predicting BOS"
	if [ "$size" = "80 24" ]; then
		grep "^H0 on" "$T/pane" | grep -qF -- "$top" && ok "80 24: H0's top push $top as trace's" \
		    || fail "80 24: H0's top push, want $top: $(grep '^H0 on' "$T/pane")"
		grep -E '^H[0-3] on' "$T/pane" | grep -qE '(BOS|[a-z])[+-][0-9]\.[0-9] ' \
		    && fail "80 24: a push with one decimal: $(grep -E '^H[0-3] on' "$T/pane")"
	fi
	keys T
	wait_for "every head: rows query positions"
	for h in H0 H1 H2 H3; do
		grep -q "$h" "$T/pane" || fail "$size: $h's map missing"
	done
	# the line of query position 3 (title, input, caption, names, keys, rows
	# 0..); at 80 columns three maps a row, the fourth 8 lines below
	sed -n '9p; 17p' "$T/pane" | grep -oE '1\.0|\.[0-9][0-9]' | tr '\n' ' ' >"$T/got3"
	cmp -s "$T/want3" "$T/got3" && ok "$size: row 'm' of every head is trace's attn_weights" \
	    || fail "$size: row 3: want '$(cat "$T/want3")' got '$(cat "$T/got3")'"
	keys T
	wait_for "predicting BOS" && grep -q "^H0 on" "$T/pane" && ok "$size: T goes back"
	keys q
	wait_for "op 1 of"
	keys q
	ended "$size: q quits"
	[ "$rc" = 0 ] || fail "$size: exit $rc"
done
# one head at a time when they do not fit: h and l page
start 80 24 "'$M' debug alpha --db '$D' --input annabellamia"
wait_for "op 1 of"
keys H T
wait_for "heads 1-1 of 4" && ok "80 24, 13 positions: one head at a time"
keys l
wait_for "heads 2-2 of 4" && grep -q "^H1" "$T/pane" && ok "l shows the next head"
keys l l l
wait_for "heads 4-4 of 4" && ok "l stops at the last head"
keys h
wait_for "heads 3-3 of 4" && ok "h shows the previous one"
keys q
wait_for "predicting BOS" && ok "q leaves the maps for the heads"
keys q q
ended "long input: q quits"
finish
