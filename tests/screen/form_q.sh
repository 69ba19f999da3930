#!/bin/sh
# SPDX-License-Identifier: MIT
# The training form's words and q agree: it says the run trains on while
# mgpt-tui runs, q in its run view goes back to the browser with the run
# still training, and quitting leaves it interrupted (resumable).
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 10 --name first --samples 0 >/dev/null 2>&1 || fail "train first"
. "$(dirname "$0")/../screen_lib.sh"
start 100 30 "'$M' replay --db '$D'"
wait_for "runs in "
keys t
wait_for "train a new run"
keys Tab Tab C-u 5 0 0 0 0 0 0 0 Tab Tab Tab Tab Tab Tab C-u f o r m r u n Enter
wait_for "trains on while mgpt-tui runs" 10 && ok "the form says what q does"
keys q
wait_for "runs in " && ok "q goes back to the browser"
wait_for "formrun" 5
grep -q "formrun .*running" "$T/pane" && ok "the run still trains after q" || fail "formrun is not running"
keys q
ended "q"
"$M" runs --db "$D" | grep -q "formrun .*interrupted" && ok "quitting left it interrupted" \
	|| fail "after quitting: $("$M" runs --db "$D")"
finish
