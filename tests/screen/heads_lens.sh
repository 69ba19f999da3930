#!/bin/sh
# SPDX-License-Identifier: MIT
# The heads view's logit lens: a row per point of the residual stream
# (embed, L0.attn, L0.mlp), shown when there is room (120x40) and on L at
# 80x24; the last point's lens is the logits, so its characters come in
# the order of the prediction table's (most likely first).
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
start 120 40 "'$M' debug alpha --db '$D' --input emma"
wait_for "op 1 of"
keys H
wait_for "logit lens"
for p in embed L0.attn L0.mlp; do
	grep -q "^$p  *[^ ]* [+-][0-9]" "$T/pane" || fail "120x40: no lens row for $p"
done
lens=$(awk '$1 == "L0.mlp" { for (i = 2; i <= NF; i += 2) printf "%s ", $i }' "$T/pane")
table=$(awk '/^char  p now/ { on = 1; next } on && n < 6 { printf "%s ", $1; n++ }' "$T/pane")
[ -n "$lens" ] && [ "$lens" = "$table" ] && ok "120x40: the last point's lens is the logits' order ($lens)" \
    || fail "120x40: lens '$lens' against the table '$table'"
keys q q
ended "120x40: q quits"
start 80 24 "'$M' debug alpha --db '$D' --input emma"
wait_for "op 1 of"
keys H
wait_for "predicting BOS"
grep -q "logit lens" "$T/pane" && fail "80x24: the lens without L"
keys L
wait_for "logit lens" && ok "80x24: L shows the lens"
grep -q "^L0.mlp " "$T/pane" || fail "80x24: no L0.mlp row"
keys L
wait_gone "logit lens" && ok "80x24: L again hides it"
keys q q
ended "80x24: q quits"
finish
