#!/bin/sh
# SPDX-License-Identifier: MIT
# A training step's backward values carry their formula with the step's
# numbers: rmsnorm's backward (with the residual's share), d xn1 from
# d q, d k, d v, and Adam's update lr_t m_hat / (v_hat^0.5 + eps) with
# trace --train-step's lr_t in it.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" --train-step 9 --format json >"$T/json" 2>&1 || fail "trace --train-step"
lr=$(sed -n 's/.*"op":"train_step".*"lr":\([-0-9.e]*\).*/\1/p' "$T/json" | head -n 1)
[ -n "$lr" ] || fail "no lr in trace's JSON"
. "$(dirname "$0")/../screen_lib.sh"
# step (s) until the op line names $1 (at most 500 keys)
to_op() {
	_i=0
	while [ $_i -lt 500 ]; do
		wait_for "op " >/dev/null && sed -n 3p "$T/pane" | grep -qF -- "$1" && return 0
		keys s
		_i=$((_i + 1))
	done
	fail "never reached $1"
	return 1
}
start 120 40 "'$M' debug alpha --db '$D' --train-step 9"
wait_for "training step 9/60"
to_op "L0 d_rmsnorm_mlp @ pos 0"
keys j j j
wait_for "d x_mid[0] = " && grep -q "d res + scale.d xn + 2x.(-0.5 scale^3 d scale)/n = [-0-9]" "$T/pane" \
	&& ok "d x_mid: rmsnorm's backward with its numbers" || fail "no rmsnorm formula: $(tail -n 8 "$T/pane")"
to_op "L0 d_qkv @ pos 0"
keys j j j j j j j
wait_for "d xn1[" && grep -q "wq^T d q + wk^T d k + wv^T d v = ((" "$T/pane" \
	&& ok "d xn1: the three projections' backward with their numbers" || fail "no d xn1 formula"
to_op "d_rmsnorm_in @ pos 0"
keys j j j
wait_for "d emb[0] = " && grep -q "scale.d xn + 2x.(-0.5 scale^3 d scale)/n = [-0-9]" "$T/pane" \
	&& ok "d emb: the first rmsnorm's backward" || fail "no d emb formula"
keys G
wait_for "adam layer0.mlp_fc2 "
keys j j l l
lr6=$(printf '%.6g' "$lr")
wait_for "update[" && grep -q "lr_t m_hat / (v_hat^0.5 + eps) = $lr6.[-(0-9]" "$T/pane" \
	&& ok "Adam's update written out with lr_t $lr6" || fail "no Adam formula with $lr6: $(tail -n 8 "$T/pane")"
keys q
ended "q quits"
finish
