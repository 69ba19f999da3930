#!/bin/sh
# SPDX-License-Identifier: MIT
# The debugger from 100 columns on: the op outline as a narrow pane with the
# current op marked, the attention strip of the current layer at the
# current position with a head switched off marked, and the orientation
# line; at 80x24 one pane (no outline) and the orientation's short form.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
# to L0H0 head_qkv at position 2: Tab twice, then the 9 ops before the heads
to_head() {
	keys Tab Tab
	wait_for "@ pos 2"
	i=0
	while [ $i -lt 9 ]; do keys s; i=$((i + 1)); done
	wait_for "L0H0 head_qkv @ pos 2"
}
for size in "100 30" "120 40"; do
	start $size "'$M' debug alpha --db '$D' --input emma"
	wait_for "op 1 of"
	to_head
	grep -q "H0 head_qkv *│" "$T/pane" && grep -q "L0 kv_cache *│" "$T/pane" \
	    && ok "$size: the outline pane is shown" || fail "$size: no outline pane"
	grep -q "▶ *H0 head_qkv" "$T/pane" && ok "$size: the current op is marked" \
	    || fail "$size: the current op is not marked"
	grep -q "layer 0 attention: heads [0-9]*-[0-9]*, H0 [0-9]*-[0-9]* | f ends the head" "$T/pane" \
	    && ok "$size: the orientation line" || fail "$size: no orientation line: $(sed -n 3p "$T/pane")"
	grep -q "^ L0  H0   H1   H2   H3 " "$T/pane" && ok "$size: the attention strip's heads" \
	    || fail "$size: no attention strip"
	# BOS, e, m: the three cached positions of position 2, each with bars
	for c in BOS e m; do
		grep -q "^ $c  *[▏▎▍▌▋▊▉█]" "$T/pane" || fail "$size: no bar for $c in the strip"
	done
	grep -q "^ a  *[▏▎▍▌▋▊▉█]" "$T/pane" && fail "$size: a position after the current one"
	keys 3
	wait_for "H2×" && ok "$size: a head switched off is marked in the strip"
	keys q
	ended "$size: q quits"
done
start 80 24 "'$M' debug alpha --db '$D' --input emma"
wait_for "op 1 of"
to_head
grep -q "L0 kv_cache *│" "$T/pane" && fail "80x24: an outline pane"
grep -q "heads [0-9]*-[0-9]*, H0 [0-9]*-[0-9]*" "$T/pane" && ok "80x24: one pane, the orientation's short form" \
    || fail "80x24: no orientation: $(sed -n 3p "$T/pane")"
grep -q "^L0H0 owns dims" "$T/pane" || fail "80x24: the op's page is not shown"
keys o
wait_for "L0 kv_cache"
grep -q "▶ *H0 head_qkv" "$T/pane" && grep -q "^ L0  *H0  *H1  *H2  *H3" "$T/pane" \
    && ok "80x24: o shows the outline and the attention strip in the pane" || fail "80x24: o"
grep -q "L0H0 owns dims" "$T/pane" && fail "80x24: the page still shown beside the outline"
keys o
wait_for "L0H0 owns dims" && ok "80x24: o again brings the op's page back"
keys q
ended "80x24: q quits"
finish
