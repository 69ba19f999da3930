#!/bin/sh
# SPDX-License-Identifier: MIT
# A run followed live while another process trains it shows its end once
# it finishes: its last step and "finished", not a step on the way.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 10 --name first --samples 0 >/dev/null 2>&1 || fail "train first"
"$M" train --db "$D" --steps 80000 --name live --samples 0 >/dev/null 2>&1 &
wpid=$!
. "$(dirname "$0")/../screen_lib.sh"
n=0
until "$M" runs --db "$D" 2>/dev/null | grep -q " live "; do
	n=$((n + 1)); [ $n -gt 200 ] && break; sleep 0.05
done
start 100 30 "'$M' replay live --db '$D'"
wait_for "live  running" 10
wait $wpid || fail "the trainer failed"
wait_for "live  finished  step 80000 / 80000" 30 && ok "the followed run shows its end"
keys q
ended "q"
finish
