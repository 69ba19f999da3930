#!/bin/sh
# SPDX-License-Identifier: MIT
# The debugger's sweep (A) on a run caches its dataset losses (table
# sweep_cache) when it finishes, and the next sweep of the same run and
# step reads them all: "16 of 16 subsets from the cache", the same rows.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
TOOL=${top_builddir:-.}/tests/store_tool
[ -x "$TOOL" ] || { echo "store_tool not built" >&2; exit 99; }
D=$T/runs.db
"$M" train --db "$D" --steps 30 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' debug alpha --db '$D' --input emma"
wait_for "op 1 of"
keys A
wait_for "0 of 16 subsets from the cache" 30 && ok "the first sweep computes every subset"
awk '$1 ~ /^(none|L[0-9])/ && NF >= 5' "$T/pane" | sort >"$T/first"
n=$("$TOOL" sql "$D" "SELECT count(*) FROM sweep_cache WHERE step = 30")
[ "$n" = 16 ] && ok "it wrote 16 rows" || fail "rows after the sweep: $n"
keys q
wait_for "op 1 of"
keys A
wait_for "16 of 16 subsets from the cache" 30 && ok "the second sweep reads them"
awk '$1 ~ /^(none|L[0-9])/ && NF >= 5' "$T/pane" | sort >"$T/second"
cmp -s "$T/first" "$T/second" && ok "the same rows" \
	|| fail "rows differ: $(diff "$T/first" "$T/second" | head -4)"
keys q q
ended "q quits"
[ "$rc" = 0 ] || fail "exit $rc"
finish
