#!/bin/sh
# SPDX-License-Identifier: MIT
# test_store_crash.sh - SIGKILL at many random moments leaves a whole
# database with a contiguous log and the run interrupted; resume after
# SIGKILL, SIGINT and a full disk ends bit-identical to an uninterrupted run.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
TOOL=${top_builddir:-.}/tests/store_tool
ARGS="--steps 3000 --snapshot-every 50 --samples 5"

# The uninterrupted run every resumed one must match.
expect 0 "reference run" -- "$M" train --db "$T/ref.db" $ARGS --name ref || finish
grep '^sample ' "$T/out" >"$T/ref.names"
"$M" export ref --db "$T/ref.db" >"$T/ref.csv" || fail "export ref"
"$TOOL" state "$T/ref.db" ref 3000 >"$T/ref.state" || fail "state ref"
[ "$(wc -l <"$T/ref.csv")" = 3001 ] || fail "reference log"

# same_as_ref WHAT DB RUN: the run's log, final state and names are the reference's.
same_as_ref() {
	"$M" export "$3" --db "$2" | cmp -s - "$T/ref.csv" || fail "$1: log differs from the uninterrupted run's"
	"$TOOL" state "$2" "$3" 3000 | cmp -s - "$T/ref.state" \
		|| fail "$1: final parameters/moments differ: $("$TOOL" state "$2" "$3" 3000 2>&1)"
	"$M" sample "$3" --db "$2" | cmp -s - "$T/ref.names" || fail "$1: sampled names differ"
}

# resume WHAT DB RUN: continue the run; its new stdout ends with the reference's names.
resume() {
	expect 0 "$1: resume" -- "$M" train --resume "$3" --db "$2" || return
	grep '^sample ' "$T/out" | cmp -s - "$T/ref.names" || fail "$1: resumed run printed other names"
	grep -q '^step 3000 / 3000 | loss ' "$T/out" || fail "$1: resumed run did not reach step 3000"
	same_as_ref "$1" "$2" "$3"
}

# stop_running PID DB: stop PID (SIGSTOP) at a moment when its run is
# running with steps logged. The run trains in a few tens of milliseconds,
# less than a few polls take: polled while it runs, it could finish between
# two of them (and a SIGINT then came too late). It trains a few
# milliseconds between polls and is stopped for each.
stop_running() {
	i=0
	while [ $i -lt 2000 ]; do
		i=$((i + 1))
		sleep 0.003
		kill -STOP "$1" 2>/dev/null || break
		"$M" runs --db "$2" 2>/dev/null | grep -q ' running  *[1-9][0-9]*/' && return 0
		kill -CONT "$1"
	done
	fail "no running run appeared in $2"
	return 1
}

# SIGKILL at random moments, from before the file exists to after the end.
delays=$(awk 'BEGIN { srand(20261128); for (i = 0; i < 14; i++) printf "%.3f ", rand() * 0.25 }')
k=0 resumed=0
for d in $delays; do
	k=$((k + 1))
	db=$T/kill.db
	[ $k -le 3 ] && db=$T/kill$k.db   # new files: kills during the schema's creation
	"$M" train --db "$db" $ARGS >/dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	# killed before it created the file: nothing to check
	[ -e "$db" ] || continue
	if ! "$TOOL" check "$db" >"$T/chk" 2>&1; then
		fail "SIGKILL after ${d}s: $(cat "$T/chk")"
		continue
	fi
	grep -q ' running ' "$T/chk" && fail "SIGKILL after ${d}s: a killed run reads as running"
	if [ -s "$db" ] && ! "$M" runs --db "$db" >/dev/null 2>"$T/err"; then
		grep -q 'empty database' "$T/err" || fail "runs after SIGKILL: $(cat "$T/err")"
	fi
	id=$(awk '$2 == "interrupted" { id = $1 } END { print id }' "$T/chk")
	if [ -n "$id" ]; then
		resume "kill $k (${d}s)" "$db" "$id"
		resumed=$((resumed + 1))
	fi
done
echo "ok: $k kills, $resumed runs resumed"

# SIGKILL once steps are logged, for certain mid-run.
"$M" train --db "$T/k.db" $ARGS >/dev/null 2>&1 &
pid=$!
stop_running $pid "$T/k.db"
kill -KILL $pid
wait $pid 2>/dev/null
expect 0 "check after SIGKILL" -- "$TOOL" check "$T/k.db" && grep -q '^1 interrupted [0-9]*$' "$T/out" \
	|| fail "after SIGKILL: $(cat "$T/out" "$T/err")"
resume "SIGKILL mid-run" "$T/k.db" 1

# SIGINT: what is done is written, the run is interrupted, exit 130.
"$M" train --db "$T/int.db" $ARGS >"$T/int.out" 2>"$T/int.err" &
pid=$!
stop_running $pid "$T/int.db"
kill -INT $pid
kill -CONT $pid
wait $pid
rc=$?
[ $rc = 130 ] || fail "SIGINT: exit $rc, want 130 ($(cat "$T/int.err"))"
[ -s "$T/int.err" ] && fail "SIGINT: stderr: $(cat "$T/int.err")"
grep -q '^sample ' "$T/int.out" && fail "SIGINT: sampled anyway"
expect 0 "check after SIGINT" -- "$TOOL" check "$T/int.db" || fail "after SIGINT: $(cat "$T/err")"
last=$(sed -n 's|^step *\([0-9]*\) / 3000 .*|\1|p' "$T/int.out" | tail -n 1)
grep -q "^1 interrupted $last\$" "$T/out" || fail "SIGINT: want all $last printed steps logged: $(cat "$T/out")"
[ -e "$T/int.db-wal" ] && fail "SIGINT: -wal left behind"
resume "SIGINT" "$T/int.db" 1

# A full disk (RLIMIT_FSIZE): one line, exit 1, a consistent file that resumes.
(ulimit -f 1200 && exec "$M" train --db "$T/full.db" $ARGS) >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "full disk: exit $rc, want 1"
one_line_error "full disk"
grep -q "$T/full.db: .*\(full\|I/O error\).*training stopped after step" "$T/err" \
	|| fail "full disk message: $(cat "$T/err")"
expect 0 "check after full disk" -- "$TOOL" check "$T/full.db" || fail "after full disk: $(cat "$T/err")"
grep -q '^1 \(failed\|interrupted\) [1-9][0-9]*$' "$T/out" || fail "after full disk: $(cat "$T/out")"
expect 0 "export after full disk" -- "$M" export 1 --db "$T/full.db"
resume "full disk" "$T/full.db" 1

# A full disk at any moment, the fold into one file at the end included:
# never exit 0 with a -wal left beside the file (the man page says it is
# one file); one line that says how many steps are saved (the count the
# database holds) and where the last of them are when a -wal is left.
for lim in 1800 4000 8000 9000 10000 11200 11800 12400 14000; do   # (512-byte blocks in dash)
	rm -f "$T/fd.db" "$T/fd.db-wal" "$T/fd.db-shm"
	(ulimit -f $lim && exec "$M" train --db "$T/fd.db" $ARGS) >"$T/out" 2>"$T/err"
	rc=$?
	wal=n; [ -e "$T/fd.db-wal" ] && wal=y
	if [ $rc = 0 ]; then
		[ $wal = n ] || fail "full disk at $lim blocks: exit 0 with a -wal left"
		[ -s "$T/err" ] && fail "full disk at $lim blocks: exit 0 with a message: $(cat "$T/err")"
		continue
	fi
	[ $rc = 1 ] || fail "full disk at $lim blocks: exit $rc, want 1 or 0"
	one_line_error "full disk at $lim blocks"
	if [ $wal = y ]; then
		grep -q -- "fd.db-wal" "$T/err" || fail "full disk at $lim blocks: a -wal left unmentioned: $(cat "$T/err")"
	fi
	said=$(sed -n 's/.*; \([0-9]*\) steps are saved.*/\1/p' "$T/err")
	cp "$T/err" "$T/fd.err"
	expect 0 "check after full disk at $lim blocks" -- "$TOOL" check "$T/fd.db" || continue
	have=$(sed -n 's/^1 [a-z]* \([0-9]*\)$/\1/p' "$T/out")
	if [ -n "$said" ]; then
		[ "$said" = "$have" ] || fail "full disk at $lim blocks: said $said steps are saved, the database has $have"
	else
		grep -q "the run is saved" "$T/fd.err" && [ "$have" = 3000 ] \
			|| fail "full disk at $lim blocks: $(cat "$T/fd.err"); the database has $have steps"
	fi
done
finish
