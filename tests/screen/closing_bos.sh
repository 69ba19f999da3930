#!/bin/sh
# SPDX-License-Identifier: MIT
# The debugger scores its input as training scores a name: the last
# position's target is the closing BOS, its probability and -log p those
# trace prints for the same pass.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" trace alpha --db "$D" emma >"$T/trace" 2>&1 || fail "trace"
want=$(sed -n 's/.*probs @ pos 4: .*next BOS p \([0-9.e-]*\), -log p \([0-9.e-]*\)$/\1 \2/p' "$T/trace" |
    awk '{ printf "next BOS: p %.5f  -log p %.4f", $1, $2 }')
[ -n "$want" ] || fail "trace does not score the closing BOS: $(grep 'probs @ pos 4' "$T/trace")"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' debug alpha --db '$D' --input emma"
wait_for "op 1 of"
keys G
wait_for "probs @ pos 4"
grep -q "pos 4/4  next BOS" "$T/pane" && ok "the last position predicts BOS" \
    || fail "no closing BOS: $(sed -n 2p "$T/pane")"
grep -qF "$want" "$T/pane" && ok "p and -log p are trace's ($want)" \
    || fail "want '$want', the pane: $(sed -n 4p "$T/pane")"
keys q
ended "q quits"
finish
