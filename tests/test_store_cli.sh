#!/bin/sh
# SPDX-License-Identifier: MIT
# test_store_cli.sh - the run database from the command line: train logs without
# changing its output, runs / export / sample / rm, where the database is,
# NaN and infinities in the export, usage errors, a viewer beside a writer.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
TOOL=${top_builddir:-.}/tests/store_tool
D=$T/runs.db

# train: stdout byte-identical with and without the database.
expect 0 "train --no-db" -- "$M" train --no-db --steps 300 --samples 5
mv "$T/out" "$T/nodb.out"
expect 0 "train --db" -- "$M" train --db "$D" --steps 300 --samples 5 --name first
cmp -s "$T/out" "$T/nodb.out" || fail "train stdout differs with the database"
[ -s "$T/err" ] && fail "train --db wrote to stderr: $(head -c 200 "$T/err")"
[ -e "$D-wal" ] || [ -e "$D-shm" ] || [ -e "$D-journal" ] && fail "train left -wal/-shm/-journal"
[ -e "$T/default.db" ] && fail "--db still touched \$MGPT_TUI_DB"
expect 0 "check after train" -- "$TOOL" check "$D" && grep -q '^1 finished 300$' "$T/out" \
	|| fail "check: $(cat "$T/out" "$T/err")"

# --no-db touches no database at all.
expect 0 "--no-db" -- "$M" train --no-db --steps 2 --samples 0
[ -e "$T/default.db" ] && fail "--no-db created \$MGPT_TUI_DB"
[ -e "$T/xdg" ] && fail "--no-db created the XDG folder"

# runs
expect 0 "runs" -- "$M" runs --db "$D"
grep -q '^ *1  first  *finished  *300/300  *[0-9.]*  [0-9-]* [0-9:]*$' "$T/out" \
	|| fail "runs line: $(cat "$T/out")"
[ "$(wc -l <"$T/out")" = 2 ] || fail "runs: not a header and one line"

# export: header, one row a step counted from 1, 17 significant digits.
expect 0 "export csv" -- "$M" export first --db "$D"
head -1 "$T/out" | grep -q '^step,loss,lr' || fail "export header: $(head -1 "$T/out")"
[ "$(wc -l <"$T/out")" = 301 ] || fail "export: $(wc -l <"$T/out") lines, want 301"
grep -q '^1,3.4430117242179779,0.01,' "$T/out" || fail "export step 1: $(sed -n 2p "$T/out")"
grep -q '^2,3.4365672712737281,' "$T/out" || fail "export step 2: $(sed -n 3p "$T/out")"
sed -n '$p' "$T/out" | grep -q '^300,' || fail "export last row"
# The printed 4-decimal losses are the exported ones rounded.
awk -F, 'NR > 1 { printf "step %4d / %4d | loss %.4f\n", $1, 300, $2 }' "$T/out" >"$T/rounded"
grep '^step ' "$T/nodb.out" | cmp -s - "$T/rounded" || fail "exported losses do not round to the printed ones"
expect 0 "export json" -- "$M" export 1 --db "$D" --format json
grep -q '"name": "first"' "$T/out" && grep -q '{"step": 300, "loss": ' "$T/out" \
	|| fail "export json: $(head -c 300 "$T/out")"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["steps"]) == 300' \
		"$T/out" || fail "export json does not parse"
fi

# NaN and infinities, as a diverging run would log them.
cp "$D" "$T/nan.db"
"$TOOL" sql "$T/nan.db" "UPDATE steps SET loss = NULL WHERE step = 2; \
	UPDATE steps SET loss = 9e999 WHERE step = 3; UPDATE steps SET loss = -9e999 WHERE step = 4" \
	|| fail "could not write NaN/inf"
expect 0 "export nan" -- "$M" export latest --db "$T/nan.db"
sed -n 3,5p "$T/out" | cut -d, -f1,2 | tr '\n' ' ' | grep -q '^2,nan 3,inf 4,-inf $' \
	|| fail "export of nan/inf: $(sed -n 3,5p "$T/out")"
expect 0 "export nan json" -- "$M" export latest --db "$T/nan.db" --format json
# JSON has no NaN or infinity: null, as trace writes them (json_out.h)
grep -q '"step": 2, "loss": null' "$T/out" && grep -q '"step": 3, "loss": null' "$T/out" \
	&& grep -q '"step": 4, "loss": null' "$T/out" || fail "json nan/inf"

# sample: by default the names train printed; any step; other seeds.
grep '^sample ' "$T/nodb.out" >"$T/names"
expect 0 "sample" -- "$M" sample first --db "$D"
cmp -s "$T/out" "$T/names" || fail "sample does not repeat train's names: $(head -3 "$T/out")"
expect 0 "sample --step 0" -- "$M" sample latest --db "$D" --step 0 --count 3
[ "$(grep -c '^sample  [1-3]: ' "$T/out")" = 3 ] || fail "sample --step 0: $(cat "$T/out")"
head -3 "$T/names" | cmp -s - "$T/out" && fail "step 0 samples like step 300"
expect 0 "sample --seed" -- "$M" sample 1 --db "$D" --seed 43 --temperature 1.5 --count 5
cmp -s "$T/out" "$T/names" && fail "--seed/--temperature changed nothing"
expect 0 "sample --step 150 twice" -- "$M" sample 1 --db "$D" --step 150
cp "$T/out" "$T/s150"
expect 0 "sample --step 150 again" -- "$M" sample 1 --db "$D" --step 150
cmp -s "$T/out" "$T/s150" || fail "sample is not deterministic"

# A second run: generated name, latest, rm.
expect 0 "second run" -- "$M" train --db "$D" --steps 20 --samples 0
expect 0 "runs 2" -- "$M" runs --db "$D"
grep -q '^ *2  run-2  *finished  *20/20 ' "$T/out" || fail "generated name: $(cat "$T/out")"
expect 1 "duplicate name" -- "$M" train --db "$D" --steps 2 --name first && one_line_error "duplicate name"
grep -q "already exists" "$T/err" || fail "duplicate name message: $(cat "$T/err")"
expect 0 "rm latest" -- "$M" rm latest --db "$D"
expect 1 "export removed" -- "$M" export run-2 --db "$D" && one_line_error "export removed"
grep -q "$D: no run named 'run-2'" "$T/err" || fail "removed run message: $(cat "$T/err")"
expect 0 "check after rm" -- "$TOOL" check "$D" && [ "$(cat "$T/out")" = "1 finished 300" ] \
	|| fail "after rm: $(cat "$T/out")"

# Where the database is: --db, else $MGPT_TUI_DB, else XDG, else ~/.local/share.
expect 0 "MGPT_TUI_DB" -- env MGPT_TUI_DB="$T/env.db" "$M" train --steps 2 --samples 0
[ -f "$T/env.db" ] || fail "MGPT_TUI_DB not used"
(
	unset MGPT_TUI_DB
	XDG_DATA_HOME="$T/xdg" "$M" train --steps 2 --samples 0 >/dev/null || echo "FAIL: xdg train" >&2
	XDG_DATA_HOME="$T/xdg" "$M" runs | grep -q ' run-1 ' || echo "FAIL: xdg runs" >&2
	unset XDG_DATA_HOME
	HOME="$T/home" "$M" train --steps 2 --samples 0 >/dev/null || echo "FAIL: home train" >&2
) 2>"$T/err"
[ -s "$T/err" ] && fail "default paths: $(cat "$T/err")"
[ -f "$T/xdg/mgpt-tui/runs.db" ] || fail "no database at \$XDG_DATA_HOME/mgpt-tui/runs.db"
[ -f "$T/home/.local/share/mgpt-tui/runs.db" ] || fail "no database at ~/.local/share/mgpt-tui"
[ "$(stat -c %a "$T/xdg/mgpt-tui")" = 700 ] || fail "folder mode $(stat -c %a "$T/xdg/mgpt-tui")"
[ "$(stat -c %a "$T/xdg/mgpt-tui/runs.db")" = 600 ] || fail "file mode"

# Usage errors: one line, exit 2, nothing written.
usage() { # WHAT ARGS...
	what=$1; shift
	expect 2 "$what" -- "$@" && one_line_error "$what"
}
cp "$D" "$T/before.db"
usage "export --format" "$M" export 1 --db "$D" --format xml
usage "export no run" "$M" export --db "$D"
usage "export two runs" "$M" export 1 2 --db "$D"
usage "sample past the log" "$M" sample 1 --db "$D" --step 301
usage "sample bad count" "$M" sample 1 --db "$D" --count -1
usage "sample bad temperature" "$M" sample 1 --db "$D" --temperature 0
usage "rm no run" "$M" rm --db "$D"
usage "runs stray" "$M" runs extra --db "$D"
usage "runs bad flag" "$M" runs --bogus
usage "train --no-db --db" "$M" train --no-db --db "$D"
usage "train --resume --steps" "$M" train --resume 1 --steps 5 --db "$D"
usage "train --name digits" "$M" train --name 42 --db "$D"
usage "train --name latest" "$M" train --name latest --db "$D"
usage "train --snapshot-every 0" "$M" train --snapshot-every 0 --db "$D"
usage "--db empty" "$M" runs --db ""
cmp -s "$D" "$T/before.db" || fail "a usage error changed the database"
expect 1 "no such run" -- "$M" sample 99 --db "$D" && one_line_error "no such run"
expect 1 "resume a finished run" -- "$M" train --resume first --db "$D" && one_line_error "resume finished"
grep -q "finished" "$T/err" || fail "resume finished: $(cat "$T/err")"

# A viewer beside a writer: never "locked", sees the steps as they land.
W=$T/live.db
"$M" train --db "$W" --steps 1000000 --snapshot-every 1000 --samples 0 >/dev/null 2>"$T/werr" &
wpid=$!
last=-1 rises=0 i=0
while [ $i -lt 400 ] && [ $rises -lt 4 ]; do
	i=$((i + 1))
	if [ ! -s "$W" ]; then sleep 0.02; continue; fi
	if ! "$M" runs --db "$W" >"$T/out" 2>"$T/err"; then
		grep -q 'empty database\|no such database' "$T/err" && continue
		fail "runs beside a writer: $(cat "$T/err")"
		break
	fi
	[ -s "$T/err" ] && fail "runs beside a writer wrote: $(cat "$T/err")"
	n=$(sed -n 's|^ *1  run-1  *running  *\([0-9]*\)/1000000 .*|\1|p' "$T/out")
	if [ -z "$n" ]; then
		# the schema may be committed before the run's first row
		[ "$(wc -l <"$T/out")" -le 1 ] && continue
		fail "runs beside a writer: $(cat "$T/out")"
		break
	fi
	[ "$n" -lt "$last" ] && fail "steps went back: $n after $last"
	[ "$n" -gt "$last" ] && [ "$last" -ge 0 ] && rises=$((rises + 1))
	last=$n
	"$M" export latest --db "$W" >"$T/out" 2>"$T/err" || fail "export beside a writer: $(cat "$T/err")"
	sleep 0.05
done
[ $rises -ge 4 ] || fail "the viewer saw the step count rise $rises times"
kill -TERM $wpid
wait $wpid
rc=$?
[ $rc = 143 ] || fail "writer after SIGTERM: exit $rc, want 143; $(cat "$T/werr")"
expect 0 "check live" -- "$TOOL" check "$W" && grep -q '^1 interrupted [0-9]*$' "$T/out" \
	|| fail "live run after SIGTERM: $(cat "$T/out" "$T/err")"

# Issue 9, part 2. A database holding id 2^63-1: a new run takes a free id
# and the existing run is left as it was (its id once overflowed, and the
# failed new run marked it failed).
I=$T/ids.db
expect 0 "ids: first run" -- "$M" train --db "$I" --steps 3 --samples 0 --name old
"$TOOL" sql "$I" "UPDATE runs SET id = 9223372036854775807; UPDATE steps SET run_id = 9223372036854775807;
UPDATE snapshots SET run_id = 9223372036854775807; UPDATE samples SET run_id = 9223372036854775807;" \
	|| fail "ids: store_tool sql"
expect 0 "ids: a run beside id 2^63-1" -- "$M" train --db "$I" --steps 3 --samples 0 --name new
expect 0 "ids: runs" -- "$M" runs --db "$I"
grep -q '^ *9223372036854775807  old  *finished  *3/3 ' "$T/out" || fail "ids: the old run changed: $(cat "$T/out")"
grep -q '^ *1  new  *finished  *3/3 ' "$T/out" || fail "ids: the new run: $(cat "$T/out")"

# A "running" row with no pid: interrupted (its owner is unknown), not
# "still being trained (process 0)" forever.
I=$T/nullpid.db
expect 0 "null pid: run" -- "$M" train --db "$I" --steps 20 --snapshot-every 10 --samples 0 --name orphan
"$TOOL" sql "$I" "UPDATE runs SET status = 'running', ended = NULL, pid = NULL, host = NULL WHERE name = 'orphan'" \
	|| fail "null pid: store_tool sql"
expect 0 "null pid: runs" -- "$M" runs --db "$I"
grep -q ' orphan  *interrupted ' "$T/out" || fail "null pid: runs shows $(grep orphan "$T/out")"
expect 0 "null pid: resume" -- "$M" train --resume orphan --db "$I"
expect 0 "null pid: rm" -- "$M" rm orphan --db "$I"

# A model that passes the size check but whose snapshot cannot be one
# SQLite row: refused before training, with the limit.
expect 1 "too big to log" -- "$M" train --db "$T/big.db" --steps 1 --n-embd 1024 --n-layer 4 --n-head 8 \
	&& one_line_error "too big to log"
grep -q "cannot be logged.*at most [0-9]* parameters" "$T/err" || fail "too big to log: $(cat "$T/err")"
grep -q '^step ' "$T/out" && fail "too big to log: it trained first"
finish
