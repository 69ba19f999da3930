#!/bin/sh
# SPDX-License-Identifier: MIT
# In a training step's backward, s from d_attn_wo steps into the first
# head's backward (d_head_out, d_attn_weights, d_attn_scores) and S S S
# comes back out to the byte-identical screen; n steps over every head's
# backward to d_qkv and N comes back; the softmax's backward is written
# out with trace --train-step's numbers.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --train-step 5 --format json >"$T/json" 2>&1 || fail "trace --train-step"
n=$(sed -n 's/.*"op":"train_step".*"positions":\([0-9]*\),.*/\1/p' "$T/json")
[ -n "$n" ] || fail "no positions in trace's JSON"
last=$((n - 1))
# d sum of L0H0 at the last position, as the screen prints it (4 decimals, signed)
dsum=$(grep "\"op\":\"d_attn_weights\",\"pos\":$last,\"layer\":0,\"head\":0" "$T/json" |
    sed -n 's/.*"d_sum":\([-0-9.e]*\),.*/\1/p' | awk '{ printf "%+.4f", $1 }')
. "$(dirname "$0")/../screen_lib.sh"
start 120 40 "'$M' debug alpha --db '$D' --train-step 5"
wait_for "training step 5/60"
# to the loss (c stops at each position's probs, then at the loss), then
# s to the first backward op, then along d_attn_wo to its last position
keys $(i=0; while [ $i -le "$n" ]; do printf 'c '; i=$((i + 1)); done)
wait_for "loss   "
keys s
wait_for "d_logits @ pos 0"
keys $(i=0; while [ $i -lt $((2 * n)) ]; do printf 's '; i=$((i + 1)); done)
wait_for "L0 d_mlp_fc2 @ pos 0"
keys $(i=0; while [ $i -lt $((5 * n - 1)) ]; do printf 's '; i=$((i + 1)); done)
wait_for "L0 d_attn_wo @ pos $last"
cp "$T/pane" "$T/before"
keys s
wait_for "L0H0 d_head_out @ pos $last" && ok "s steps into head 0's backward"
keys s
wait_for "L0H0 d_attn_weights @ pos $last"
grep -q "d exp\[u\] = sum^-1 d w\[u\] + d sum" "$T/pane" && ok "the softmax's backward is written out" ||
    fail "no softmax backward formula"
grep -q "d sum    $dsum" "$T/pane" && ok "d sum is trace's ($dsum)" || fail "d sum: want $dsum"
for r in exp weight "d w" "d exp" "d score"; do
	grep -q "^.*│ $r " "$T/pane" || fail "no row '$r' in columns"
done
keys s
wait_for "L0H0 d_attn_scores @ pos $last"
keys S S S
wait_for "L0 d_attn_wo @ pos $last"
cmp -s "$T/before" "$T/pane" && ok "S S S: back out to the identical screen" || {
	fail "the screen changed:"; diff "$T/before" "$T/pane" >&2; }
keys n
wait_for "L0 d_qkv @ pos 0" && ok "n steps over every head's backward"
keys N
wait_for "L0 d_attn_wo @ pos $last"
cmp -s "$T/before" "$T/pane" && ok "N: back to the identical screen" || fail "N: the screen changed"
keys q
ended "q quits"
finish
