#!/bin/sh
# SPDX-License-Identifier: MIT
# soak.sh - the fault soak: the run store's crash and fault promises (issue 3)
# checked hundreds of times. Not part of `make check` (it takes minutes).
#
#   make && make tests/store_tool          # in the build folder
#   sh tests/soak/soak.sh                  # from the build folder, or BUILD=...
#   KILLS=1000 STEPS=1000 sh tests/soak/soak.sh
#
# Each round trains `mgpt-tui train --db DB --steps STEPS --samples 5` (the
# default model and snapshot interval) into a new database, or every other
# round into a copy of one that holds an earlier run, and:
#   kill   SIGKILLs it after a random delay (KILLS rounds) while viewers
#          (`runs`, `export latest`) read it in a loop. One round in four
#          draws the delay from the start of the process over the time a
#          one-step run takes (creating the file, switching it to WAL,
#          logging the run); the others wait for the run to be logged and
#          its training to start, then draw it over the training time. Both
#          times are measured first, in milliseconds;
#   full   runs it with a random RLIMIT_FSIZE (prlimit): a full disk (FULL);
#   eio    runs it with faulty_io.so preloaded: every file write from a
#          random point on fails with EIO, or ENOSPC every other round (EIO);
#   ro     runs it as nobody and takes the folder's write permission away
#          after a random delay (RO; root with setpriv only).
# After each round it checks: PRAGMA integrity_check is ok and every run's
# committed steps run 1..n without a gap with a snapshot at step 0
# (tests/store_tool check); the run reads as interrupted (killed), failed or
# interrupted (faults; or finished when the fault came after the end), never
# running; a failed writer said why in one line (a fault while the log is
# folded into the file at the end leaves the run finished, and the line
# says the run is saved and where its last steps are); then `train --resume`
# finishes it, and its exported log (every loss, lr, gradient norm, as %.17g),
# its final parameters and Adam moments (an XXH64 of each) and its sampled
# names are the same as an uninterrupted run's. Viewers may only ever say
# that there is no database, no run or no schema yet.
#
# It ends with the counts and exits 0 when every check passed.
# shellcheck disable=SC2086 # $ARGS and $AS are split into words on purpose
set -u
: "${KILLS:=200}" "${FULL:=25}" "${EIO:=25}" "${RO:=10}" "${STEPS:=2000}" "${SEED:=$$}"
here=$(cd "$(dirname "$0")" && pwd)   # faulty_io.c
B=${BUILD:-.}
M=${MGPT_TUI:-$B/src/mgpt-tui}
TOOL=${STORE_TOOL:-$B/tests/store_tool}
for p in "$M" "$TOOL"; do
	[ -x "$p" ] || { echo "soak: $p not found: run it from the build folder after 'make && make tests/store_tool' (or set BUILD)" >&2; exit 2; }
done
M=$(cd "$(dirname "$M")" && pwd)/$(basename "$M")
TOOL=$(cd "$(dirname "$TOOL")" && pwd)/$(basename "$TOOL")
T=$(mktemp -d "${TMPDIR:-/tmp}/mgpt-soak.XXXXXX")
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
ARGS="--steps $STEPS --samples 5"
export NO_COLOR='' MGPT_TUI_DB="$T/unused.db"

passed=0 failed=0 resumes=0 compared=0 identical=0 different=0 reads=0 read_fail=0
bad() { echo "FAIL: round $round ($what): $*" >&2; failed=$((failed + 1)); }
good() { passed=$((passed + 1)); }

# rnd N: R = a random number in 0..N-1 (awk's generator, its next seed
# drawn each time, so the whole soak follows from SEED).
rnd_state=$SEED
rnd() {
	# shellcheck disable=SC2046 # two numbers
	set -- "$1" $(awk -v s="$rnd_state" -v n="$1" 'BEGIN { srand(s); r = int(rand() * n);
		printf "%d %d\n", r, int(rand() * 2147483647) }')
	R=$2 rnd_state=$3
}
sleep_ms() { sleep "$(awk -v d="$1" 'BEGIN { printf "%.3f", d / 1000 }')"; }
now_ms() { date +%s%3N; }

# ---- the uninterrupted run everything is compared with ----
"$M" train --db "$T/ref.db" $ARGS >"$T/ref.out" 2>"$T/ref.err" || { cat "$T/ref.err"; exit 1; }
grep '^sample ' "$T/ref.out" >"$T/ref.names"
"$M" export 1 --db "$T/ref.db" >"$T/ref.csv" || exit 1
"$TOOL" state "$T/ref.db" 1 "$STEPS" >"$T/ref.state" || exit 1
# A database holding an earlier, finished run: every other round starts
# from a copy, so that its run is the second and the file starts at rest in
# rollback mode with data to lose.
# (a long one: the statistics viewers replay it while the round's run trains)
"$M" train --db "$T/base.db" --steps 20000 --samples 1 --name earlier >/dev/null || exit 1
# How long a whole run and a one-step run take here, now (the median of
# three, with the line-buffered output the kill rounds use).
timed_run() { # STEPS
	rm -f "$T/time.db"
	t0=$(now_ms)
	stdbuf -oL "$M" train --db "$T/time.db" --steps "$1" --samples 5 >/dev/null 2>&1
	echo $(($(now_ms) - t0))
}
median3() { { timed_run "$1"; timed_run "$1"; timed_run "$1"; } | sort -n | sed -n 2p; }
run_ms=$(median3 "$STEPS")
start_ms=$(median3 1)
train_ms=$((run_ms - start_ms))
[ $train_ms -gt 0 ] || train_ms=1
ref_kb=$(($(wc -c <"$T/ref.db") / 1024))
echo "soak: seed $SEED; $STEPS steps; a run takes $run_ms ms here ($start_ms ms for one step), and ends at $ref_kb KiB"

# new_db DB: a new database for a round, or a copy of base.db every other
# round; rid is the id the round's run will get.
new_db() {
	rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
	if [ $((round % 2)) = 0 ]; then cp "$T/base.db" "$1"; rid=2; else rid=1; fi
}

# resume_check DB: the round's run in DB, continued, is the uninterrupted run.
resume_check() {
	resumes=$((resumes + 1))
	if ! "$M" train --resume $rid --db "$1" >"$T/res.out" 2>"$T/res.err"; then
		bad "resume failed: $(cat "$T/res.err")"
		compared=$((compared + 1)) different=$((different + 1))
		return
	fi
	same_as_ref "$1" "$T/res.out"
}

# same_as_ref DB OUT: the round's run's log, final state and the names
# printed in OUT are the uninterrupted run's.
same_as_ref() {
	compared=$((compared + 1))
	why=
	"$M" export $rid --db "$1" >"$T/cmp.csv" 2>&1 && cmp -s "$T/cmp.csv" "$T/ref.csv" || why="log"
	"$TOOL" state "$1" $rid "$STEPS" >"$T/cmp.state" 2>&1 && cmp -s "$T/cmp.state" "$T/ref.state" \
		|| why="$why parameters"
	grep '^sample ' "$2" | cmp -s - "$T/ref.names" || why="$why names"
	if [ -n "$why" ]; then
		bad "differs from the uninterrupted run: $why"
		different=$((different + 1))
	else
		identical=$((identical + 1))
		good
	fi
}

# check_db DB ALLOWED: integrity, contiguous steps, snapshot 0 (every run);
# the round's run's status one of ALLOWED (a regex), the earlier run still
# finished; sets $status and $committed ("" when the run was not logged).
check_db() {
	c_db=$1 c_allowed=$2
	status='' committed=''
	[ -s "$c_db" ] || { good; return 0; }   # killed before the file had a byte
	if ! "$TOOL" check "$c_db" >"$T/chk" 2>&1; then
		bad "store_tool check: $(cat "$T/chk")"
		return 1
	fi
	good
	if [ $rid = 2 ]; then
		if head -n 1 "$T/chk" | grep -qx '1 finished 20000'; then good; else bad "the earlier run: $(head -n 1 "$T/chk")"; fi
	fi
	# the newest run: "ID STATUS STEPS", or "no runs", or nothing
	# shellcheck disable=SC2046
	set -- $(tail -n 1 "$T/chk")
	if [ "${1:-}" != $rid ]; then   # "no runs", nothing, or the earlier run only
		return 0
	fi
	status=$2 committed=$3
	if echo "$status" | grep -Eqx "$c_allowed"; then good; else bad "status $status, want $c_allowed"; fi
	# what a viewer sees now
	if "$M" runs --db "$c_db" >/dev/null 2>"$T/v.err"; then good; else bad "runs: $(cat "$T/v.err")"; fi
}

# hist NAME VALUE: count VALUE (a bucket label) under NAME.
hist() { echo "$2" >>"$T/hist.$1"; }
bucket() { # STEPS-DONE: which tenth of the run, or a phase
	case $1 in
	none|"") echo "  before the first step" ;;
	0) echo "  0 (the run and its step-0 snapshot only)" ;;
	"$STEPS") echo "  all $STEPS steps" ;;
	*) b=$(($1 * 10 / STEPS)); echo "  $((b * STEPS / 10 + 1))..$(((b + 1) * STEPS / 10))" ;;
	esac
}

# ---- kill rounds ----
viewer() { # DB: read until told to stop; one line per read: exit status, stderr
	while [ ! -e "$T/stop" ]; do
		for c in "runs" "export latest"; do
			# shellcheck disable=SC2086
			"$M" $c --db "$1" >/dev/null 2>"$T/vr.err"
			echo "$? $(head -c 300 "$T/vr.err" | tr '\n' ' ')"
		done
	done >>"$T/reads"
}
# stats_viewer DB: what the run view does, over and over: open the newest
# run (the long one of the database's earlier runs, or the one being
# trained), replay it computing the head statistics of every step, write
# them to the cache through connections opened and closed meanwhile
# (issue 9: such a viewer once stopped every trainer)
stats_viewer() {
	while [ ! -e "$T/stop" ]; do
		for r in 1 latest; do
			"$TOOL" view "$1" $r >/dev/null 2>"$T/sv.err"
			echo "$? $(head -c 300 "$T/sv.err" | tr '\n' ' ')"
		done
	done >>"$T/reads"
}

# started PID: wait until the writer has logged its run and begun training
# (it prints "num params" then), or is gone.
started() {
	while kill -0 "$1" 2>/dev/null; do
		grep -q '^num params' "$T/w.out" && return 0
		sleep 0.001
	done
	return 1
}

round=0
while [ $round -lt "$KILLS" ]; do
	round=$((round + 1)) what=kill
	db=$T/k.db
	new_db "$db"
	rm -f "$T/stop" "$T/reads"
	stdbuf -oL "$M" train --db "$db" $ARGS >"$T/w.out" 2>"$T/w.err" &
	wpid=$!
	viewer "$db" &
	vpid=$!
	stats_viewer "$db" &
	spid=$!
	if [ $((round % 4)) = 1 ]; then
		rnd $((start_ms + 1))
		hist phase "  from the start of the process, 0..$start_ms ms"
	else
		started $wpid
		rnd $((train_ms * 11 / 10 + 1))
		hist phase "  from the start of training, 0..$((train_ms * 11 / 10)) ms"
	fi
	sleep_ms "$R"
	kill -KILL $wpid 2>/dev/null
	{ wait $wpid; } 2>/dev/null   # (no "Killed" from the shell)
	rc=$?
	: >"$T/stop"
	wait $vpid $spid
	# viewers: only "not there yet" is an acceptable complaint
	n=$(wc -l <"$T/reads")
	reads=$((reads + n))
	grep -v '^0 ' "$T/reads" | grep -Ev 'no such database|empty database|no runs yet|no run with id 1' >"$T/vbad"
	if [ -s "$T/vbad" ]; then
		read_fail=$((read_fail + $(wc -l <"$T/vbad")))
		bad "viewer: $(head -n 2 "$T/vbad")"
	fi
	trained=$(sed -n 's|^step *\([0-9]*\) / .*|\1|p' "$T/w.out" | tail -n 1)
	if [ $rc = 0 ]; then
		hist killed "  after the end (the run had finished)"
		check_db "$db" finished && [ -n "$status" ] && same_as_ref "$db" "$T/w.out"
		continue
	fi
	[ $rc = 137 ] || bad "writer exit $rc before the kill: $(cat "$T/w.err")"
	# finished: killed while closing the file, after the run's end was written
	check_db "$db" 'interrupted|finished' || continue
	if [ -z "$status" ]; then
		hist killed "  before the run was logged"
		continue
	fi
	if [ "$status" = finished ]; then
		hist killed "  while closing (the run had finished)"
		same_as_ref "$db" "$T/w.out"
		continue
	fi
	hist killed "$(bucket "${trained:-none}")"
	hist committed "  $committed"
	resume_check "$db"
done

# ---- fault rounds ----
# fault_round WHAT DB WRITER-RC: the checks after a writer that met a fault.
fault_round() {
	if [ "$3" = 0 ]; then
		hist "$1" "  finished before the fault"
		check_db "$2" finished && [ -n "$status" ] && same_as_ref "$2" "$T/w.out"
		return
	fi
	if [ "$3" != 1 ] || [ "$(wc -l <"$T/w.err")" != 1 ] || ! grep -q '^mgpt-tui: ' "$T/w.err"; then
		bad "writer exit $3, want 1 and one line: $(head -c 300 "$T/w.err")"
	else
		good
	fi
	# the fault came while the log was folded into the file at the end:
	# the run is saved and finished, and the writer said so (exit 1)
	if grep -q "(the run is saved, its last steps in .*-wal" "$T/w.err"; then
		hist "$1" "  after the end: $(sed 's|^mgpt-tui: [^:]*: ||; s| (the run is saved.*||' "$T/w.err") in the fold"
		check_db "$2" finished && [ -n "$status" ] && same_as_ref "$2" "$T/w.out"
		return
	fi
	check_db "$2" 'failed|interrupted' || return
	if [ -z "$status" ]; then
		hist "$1" "  stopped before the run was logged: $(sed 's|^mgpt-tui: [^:]*: ||' "$T/w.err")"
		return
	fi
	at=$(sed -n 's|.*training stopped after step \([0-9]*\).*|\1|p' "$T/w.err")
	hist "$1" "$(bucket "$at"): $(sed 's|^mgpt-tui: [^:]*: ||; s| (training stopped.*||' "$T/w.err")"
	resume_check "$2"
}

n=0
while [ $n -lt "$FULL" ]; do
	n=$((n + 1)) round=$((round + 1)) what=full
	db=$T/f.db
	new_db "$db"
	rnd $((ref_kb + 256))
	limit=$((R * 1024 + 4096))
	prlimit --fsize=$limit:$limit "$M" train --db "$db" $ARGS >"$T/w.out" 2>"$T/w.err"
	fault_round full "$db" $?
done

${CC:-cc} -shared -fPIC -o "$T/faulty_io.so" "$here/faulty_io.c" -ldl || exit 1
rm -f "$T/c.db"
LD_PRELOAD=$T/faulty_io.so FAULT_COUNT=$T/count "$M" train --db "$T/c.db" $ARGS >/dev/null 2>&1
writes=$(cat "$T/count")
n=0
while [ $n -lt "$EIO" ]; do
	n=$((n + 1)) round=$((round + 1)) what=eio
	db=$T/e.db
	new_db "$db"
	errno=EIO
	[ $((n % 2)) = 0 ] && errno=ENOSPC
	rnd $((writes + 10))
	after=$R
	LD_PRELOAD=$T/faulty_io.so FAULT_AFTER=$after FAULT_ERRNO=$errno \
		"$M" train --db "$db" $ARGS >"$T/w.out" 2>"$T/w.err"
	fault_round "$errno" "$db" $?
done

AS=
if [ "$RO" -gt 0 ] && [ "$(id -u)" = 0 ]; then
	if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
		chmod 755 "$T"
	else
		echo "soak: skipping the read-only folder rounds (root without setpriv)"
		RO=0
	fi
fi
n=0
while [ $n -lt "$RO" ]; do
	n=$((n + 1)) round=$((round + 1)) what=ro
	d=$T/ro
	chmod -R u+w "$d" 2>/dev/null; rm -rf "$d"; mkdir "$d"
	new_db "$d/runs.db"
	[ -n "$AS" ] && chown -R 65534:65534 "$d"
	rnd $((run_ms * 105 / 100 + 1))
	delay=$R
	# shellcheck disable=SC2086
	$AS "$M" train --db "$d/runs.db" $ARGS >"$T/w.out" 2>"$T/w.err" &
	wpid=$!
	sleep_ms "$delay"
	chmod 555 "$d"
	wait $wpid
	rc=$?
	chmod 755 "$d"
	fault_round ro "$d/runs.db" $rc
done

# ---- the counts ----
show() { # NAME TITLE
	[ -s "$T/hist.$1" ] || return 0
	echo "$2"
	sort "$T/hist.$1" | uniq -c | sort -s -k2,2n | sed 's/^ */    /'
}
echo
echo "soak: seed $SEED, $STEPS steps a run; a run takes $run_ms ms ($start_ms ms for one step)"
echo "kills: $KILLS; full disk: $FULL; I/O errors: $EIO (EIO and ENOSPC in turn); read-only folder: $RO"
show phase "kill delays drawn:"
show killed "steps trained when killed (the writer's last printed line):"
show committed "steps committed when killed (in the database afterwards):"
show full "full disk (RLIMIT_FSIZE) outcomes:"
show EIO "EIO outcomes:"
show ENOSPC "ENOSPC outcomes:"
show ro "read-only folder outcomes:"
echo "viewer reads during kill rounds: $reads, failed: $read_fail"
echo "checks passed: $passed, failed: $failed"
echo "runs compared with the uninterrupted one: $compared ($resumes resumed, the others finished"
echo "  before their kill or fault): bit-identical $identical, different or failed $different"
[ "$failed" = 0 ] && [ "$different" = 0 ] && [ "$read_fail" = 0 ]
