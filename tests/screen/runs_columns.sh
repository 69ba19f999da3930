#!/bin/sh
# SPDX-License-Identifier: MIT
# Columns sized from the data: a run of 100,000 steps keeps `runs` aligned
# and leaves the browser's time whole at 80 columns.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 20 --name small --samples 0 >/dev/null 2>&1 || fail "train small"
"$M" train --db "$D" --steps 100000 --name big --samples 0 --n-embd 4 --n-head 1 --block-size 4 \
	>/dev/null 2>&1 || fail "train big"
"$M" runs --db "$D" >"$T/runs" || fail "runs"
# the LOSS column ends at the same place on every line
awk 'NR == 1 { want = index($0, "LOSS") + 3; next }
     { if (match($0, /[0-9]+\.[0-9]+  /) == 0 || RSTART + RLENGTH - 3 != want) bad = 1 }
     END { exit bad }' "$T/runs" && ok "runs: the columns stay aligned at 6-digit steps" \
	|| { fail "runs: columns out of line:"; sed 's/^/  | /' "$T/runs" >&2; }
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' replay --db '$D'"
wait_for "100000/100000"
when=$(date +%H:%M)
line=$(grep "100000/100000" "$T/pane")
case $line in
*" $when"|*" $(date -d '1 minute ago' +%H:%M 2>/dev/null || echo x)") ok "the browser shows the whole time" ;;
*) fail "the browser cut the row: '$line'" ;;
esac
keys q
ended "q"
finish
