#!/bin/sh
# SPDX-License-Identifier: MIT
# The run view's per-head training figures and roles: g shows each head's
# gradient norm and update/weight ratio over the run as sparklines, the
# shown step's norm equal to trace --train-step's per-head norms of
# attn_wq/wk/wv/wo taken together; every head carries a role with the
# step it holds since; at 160 columns both sets share a row.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
S=150
"$M" train --db "$D" --steps 300 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --train-step $S --format json >"$T/ts.json" 2>&1 || fail "trace --train-step"
# head h's norm over the four blocks: sqrt of the sum of the squares
want=$(grep -o '"tensor":"layer0.attn_w[qkvo]"[^]]*' "$T/ts.json" | sed 's/.*"head_norms":\[//' |
    awk -F, '{ for (h = 1; h <= NF; h++) s[h] += $h * $h } END { for (h = 1; h <= 4; h++) printf "%.2f ", sqrt(s[h]) }')
set -- $want
[ $# = 4 ] || fail "no head norms in trace's output: '$want'"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' replay alpha --db '$D' --step $S"
wait_for "head statistics over steps 0-300" 30
# roles: a name and the step it holds since (and when it first showed)
n=$(grep -cE '^L0H[0-3] .* (prev-char|BOS sink|uniform|self|mixed) [0-9]+(\([0-9]+\))? *$' "$T/pane")
[ "$n" = 4 ] && ok "every head has a role since a step" || fail "roles on $n of 4 rows: $(grep '^L0H' "$T/pane")"
keys g
wait_for "L0H0 grad"
h=0
for w in $want; do
	row=$(grep "^L0H$h grad" "$T/pane")
	got=$(echo "$row" | sed -n 's/^L0H. grad [^ ]* *\([0-9.]*\) upd.*/\1/p')
	[ "$got" = "$w" ] && ok "L0H$h: gradient norm at step $S $got, as trace's" \
	    || fail "L0H$h: '$got' on screen, trace $w: $row"
	echo "$row" | grep -q "upd  [▁▂▃▄▅▆▇█]* *[0-9]e-[0-9]*" || fail "L0H$h: no update ratio: $row"
	h=$((h + 1))
done
# the figures follow the step shown; at step 0 there is no training step
keys Home
wait_for "step 0 / 300"
grep -q "^L0H0 grad [▁▂▃▄▅▆▇█]* *upd" "$T/pane" && ok "step 0: no figures, the sparklines stay" \
    || fail "step 0: $(grep '^L0H0' "$T/pane")"
keys g
wait_for "L0H0 ent"
keys q
ended "q"
start 160 40 "'$M' replay alpha --db '$D' --step $S"
wait_for "head statistics over steps 0-300" 30
grep -q "^L0H0 ent .* prev .* bos .* grad .* $1 upd .* [0-9]e-[0-9]* .*[0-9]" "$T/pane" \
    && ok "160 columns: the five sparklines and the role on one row" \
    || fail "160 columns: $(grep '^L0H0' "$T/pane")"
keys q
ended "q"
finish
