#!/bin/sh
# SPDX-License-Identifier: MIT
# The run view's ablation panel (A in replay): each head's dataset loss with
# it switched off, over 32 steps spread across training, computed and
# cached in sweep_cache (5 masks a step), the numbers at the cursor equal
# to trace --sweep's at that step; a second replay reads them all from the
# cache; A again brings the head statistics back.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
TOOL=${top_builddir:-.}/tests/store_tool
[ -x "$TOOL" ] || { echo "store_tool not built" >&2; exit 99; }
D=$T/runs.db
head -n 400 "${top_srcdir}/data/names.txt" >"$T/names.txt"
"$M" train --db "$D" --data "$T/names.txt" --steps 40 --name alpha --samples 0 >/dev/null 2>&1 \
	|| fail "train alpha"
"$M" trace alpha --db "$D" --step 40 --sweep emma >"$T/sweep" 2>&1 || fail "trace --sweep"
all=$(awk '$1 == "none" && NF == 3 { print $3 }' "$T/sweep")
row() { awk -v h="$1" -v a="$all" '$1 == h && NF == 3 { printf "%.4f %+.4f at 40", $3, $3 - a }' "$T/sweep"; }
"$TOOL" sql "$D" "DELETE FROM sweep_cache" || fail "empty the cache"
. "$(dirname "$0")/../screen_lib.sh"
start 80 24 "'$M' replay alpha --db '$D'"
wait_for "head statistics"
keys A
wait_for "32 steps 0-40 (0 cached)" 60 && ok "A computes 32 steps over the run"
n=$("$TOOL" sql "$D" "SELECT count(*), count(DISTINCT step) FROM sweep_cache")
[ "$n" = "160|32" ] && ok "and caches 5 rows a step" || fail "cache rows: $n"
for h in L0H0 L0H1 L0H2 L0H3; do
	want=$(row $h)
	grep -qF "$h off" "$T/pane" && grep "$h off" "$T/pane" | grep -qF -- "$want" \
	    || fail "$h: want '$want': $(grep "$h off" "$T/pane")"
done
ok "the losses at step 40 are trace --sweep's"
keys A
wait_for "head statistics" && ok "A again: the statistics"
keys q
ended "q quits"
start 120 40 "'$M' replay alpha --db '$D'"
wait_for "head statistics"
keys A
wait_for "32 steps 0-40 (32 cached)" 20 && ok "a second replay reads every step from the cache"
grep "L0H2 off" "$T/pane" | grep -qF -- "$(row L0H2)" && ok "120x40: L0H2 as trace's" \
    || fail "120x40: L0H2: $(grep 'L0H2 off' "$T/pane")"
keys q
ended "q quits"
finish
