#!/bin/sh
# SPDX-License-Identifier: MIT
# mgpt-tui with no arguments opens the default run (bundled names, seed
# 42, the default settings), not the newest run, and its title says so.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --name tut --samples 0 >/dev/null 2>&1 || fail "train the default run"
"$M" train --db "$D" --name other --seed 7 --steps 50 --samples 0 >/dev/null 2>&1 || fail "train another"
. "$(dirname "$0")/../screen_lib.sh"
start 100 30 "'$M' --db '$D'"
wait_for "tut (default run)  step 1000/1000" && ok "the default run is open, not the newest"
grep -q "R picks another" "$T/pane" && ok "the status line says how to pick another" \
	|| fail "no word on picking another run"
keys q
ended "q"
# a RUN given is opened as it is
start 100 30 "'$M' debug other --db '$D'"
wait_for "other  step 50/50" && ok "debug RUN opens RUN"
grep -q "(default run)" "$T/pane" && fail "another run called the default"
keys q
ended "q"
finish
