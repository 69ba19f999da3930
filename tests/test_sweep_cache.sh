#!/bin/sh
# SPDX-License-Identifier: MIT
# test_sweep_cache.sh - trace --sweep caches the dataset losses per run,
# step and set of heads off (table sweep_cache) and reads them back: the
# second sweep finds every row, prints the same numbers, and a value
# changed in the table shows up (so it is read, not recomputed); another
# step is another set of rows; a read-only database is only read; rm
# deletes the run's rows.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
TOOL=${top_builddir:-.}/tests/store_tool
[ -x "$TOOL" ] || { echo "store_tool not built" >&2; exit 99; }
D=$T/runs.db
q() { "$TOOL" sql "$D" "$1"; }

"$M" train --db "$D" --steps 40 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
[ "$(q "SELECT count(*) FROM sweep_cache")" = 0 ] || fail "rows before any sweep"

expect 0 "first sweep" -- "$M" trace alpha --db "$D" --sweep --format json emma
grep '"op":"ablation"' "$T/out" >"$T/first"
[ "$(wc -l <"$T/first")" = 16 ] || fail "first sweep: $(wc -l <"$T/first") ablation rows"
[ "$(q "SELECT count(*), min(step), max(step) FROM sweep_cache")" = "16|40|40" ] \
	&& ok "the first sweep wrote 16 rows at step 40" \
	|| fail "rows after the first sweep: $(q "SELECT count(*), min(step), max(step) FROM sweep_cache")"
[ "$(q "SELECT count(*) FROM sweep_cache WHERE off = ''")" = 1 ] || fail "no row for none off"
[ "$(q "SELECT count(*) FROM sweep_cache WHERE off = 'L0H0 L0H2'")" = 1 ] \
	|| fail "no row 'L0H0 L0H2' (heads space-separated)"

expect 0 "text sweep, cached" -- "$M" trace alpha --db "$D" --sweep emma
grep -q "(16 cached)" "$T/out" && ok "the second sweep read 16 rows" \
	|| fail "second sweep: $(grep '^# ablation' "$T/out")"
expect 0 "second sweep" -- "$M" trace alpha --db "$D" --sweep --format json emma
grep '"op":"ablation"' "$T/out" >"$T/second"
cmp -s "$T/first" "$T/second" && ok "cached numbers equal computed ones, bit for bit" \
	|| fail "cached sweep differs: $(diff "$T/first" "$T/second" | head -4)"

# a changed value shows up: the cache is read
q "UPDATE sweep_cache SET dataset_loss = 9.25 WHERE off = 'L0H1 L0H3'" || fail "update"
expect 0 "sweep after the update" -- "$M" trace alpha --db "$D" --sweep --format json emma
grep -q '"off":\["L0H1","L0H3"\],"text_loss":[^,]*,"dataset_loss":9.25}' "$T/out" \
	&& ok "a changed cached value is what the sweep prints" \
	|| fail "the changed value did not show: $(grep 'L0H1","L0H3"\]' "$T/out")"
# a deleted row is computed again (and only that one)
q "DELETE FROM sweep_cache WHERE off = 'L0H2'" || fail "delete"
expect 0 "text sweep, one missing" -- "$M" trace alpha --db "$D" --sweep emma
grep -q "(15 cached)" "$T/out" || fail "one row missing: $(grep '^# ablation' "$T/out")"
[ "$(q "SELECT count(*) FROM sweep_cache")" = 16 ] || fail "the missing row was not written back"

# another step, other rows
expect 0 "sweep at step 10" -- "$M" trace alpha --db "$D" --step 10 --sweep --format json emma
[ "$(q "SELECT count(*) FROM sweep_cache WHERE step = 10")" = 16 ] && ok "step 10: 16 rows of its own" \
	|| fail "step 10 rows: $(q "SELECT count(*) FROM sweep_cache WHERE step = 10")"
grep '"op":"ablation"' "$T/out" | cmp -s - "$T/first" && fail "step 10 sweep equals step 40's"

# a database that cannot be written: computed, not cached, no complaint
q "DELETE FROM sweep_cache WHERE step = 10" || fail "delete step 10"
cp "$D" "$T/ro.db"
chmod a-w "$T/ro.db"
if [ -w "$T/ro.db" ]; then
	echo "skip: running as a user who writes read-only files"
else
	expect 0 "read-only sweep" -- "$M" trace alpha --db "$T/ro.db" --step 10 --sweep --format json emma
	[ -s "$T/err" ] && fail "read-only sweep wrote to stderr: $(head -c 200 "$T/err")"
	[ "$(grep -c '"op":"ablation"' "$T/out")" = 16 ] && ok "a read-only database: computed" \
		|| fail "read-only sweep rows"
	[ "$("$TOOL" sql "$T/ro.db" "SELECT count(*) FROM sweep_cache WHERE step = 10")" = 0 ] \
		|| fail "rows written into a read-only file"
fi

# rm deletes the run's rows
"$M" train --db "$D" --steps 20 --name beta --samples 0 >/dev/null 2>&1 || fail "train beta"
expect 0 "beta sweep" -- "$M" trace beta --db "$D" --sweep emma
expect 0 "rm alpha" -- "$M" rm alpha --db "$D"
[ "$(q "SELECT count(*) FROM sweep_cache WHERE run_id = (SELECT id FROM runs WHERE name = 'beta')")" = 16 ] \
	|| fail "beta's rows went with alpha"
[ "$(q "SELECT count(*) FROM sweep_cache")" = 16 ] && ok "rm deleted the run's rows, not the others'" \
	|| fail "rows after rm: $(q "SELECT count(*) FROM sweep_cache")"
finish
