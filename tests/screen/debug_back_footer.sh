#!/bin/sh
# SPDX-License-Identifier: MIT
# The debugger opened from the run view (Enter) says that q goes back, and
# q does go back to the run view.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 60 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
start 100 30 "'$M' replay alpha --db '$D'"
wait_for "alpha  finished  step 60 / 60"
keys Enter
wait_for "op 1 of"
grep -q "q back" "$T/pane" && ok "the footer says q back" || fail "the footer does not say q back"
grep -q "q quit" "$T/pane" && fail "the footer still says q quit"
keys q
wait_for "alpha  finished  step 60 / 60" && ok "q goes back to the run view"
finish
