#!/bin/sh
# SPDX-License-Identifier: MIT
# test_signals.sh - every long-running command ends on SIGINT, SIGTERM and
# SIGHUP with status 128 + the signal (130, 143, 129): train with its run
# written and marked interrupted (and going on under nohup, where SIGHUP is
# ignored), the screens (debug, the runs browser, a run, a run trained from
# the browser's form) with the terminal's modes restored.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
DB="$T/sig.db"

wait_running() { # DB: a run is logging steps
	i=0
	while [ $i -lt 1000 ]; do
		i=$((i + 1))
		"$M" runs --db "$1" 2>/dev/null | grep -q ' running  *[1-9][0-9]*/' && return 0
		sleep 0.01
	done
	fail "no running run appeared in $1"
	return 1
}

# ---- train: 128 + n, the run interrupted with every printed step logged ----
n=0
for sig in INT TERM HUP; do
	n=$((n + 1))
	"$M" train --db "$DB" --steps 300000 --name "s$sig" >"$T/t.out" 2>"$T/t.err" &
	pid=$!
	wait_running "$DB"
	kill -"$sig" $pid
	wait $pid
	rc=$?
	case $sig in INT) want=130;; TERM) want=143;; HUP) want=129;; esac
	[ $rc = $want ] || fail "train, SIG$sig: exit $rc, want $want ($(cat "$T/t.err"))"
	[ -s "$T/t.err" ] && fail "train, SIG$sig: stderr: $(cat "$T/t.err")"
	last=$(sed -n 's|^step *\([0-9]*\) / 300000 .*|\1|p' "$T/t.out" | tail -n 1)
	"$M" runs --db "$DB" >"$T/runs" 2>&1
	grep -q "^ *$n  *s$sig  *interrupted  *$last/300000 " "$T/runs" \
		|| fail "train, SIG$sig: want run $n interrupted at step $last: $(cat "$T/runs")"
done
ok "train: SIGINT 130, SIGTERM 143, SIGHUP 129, the run interrupted and whole"

# nohup: SIGHUP ignored, training goes on to the end
( trap '' HUP; exec "$M" train --db "$T/nohup.db" --steps 100000 --name nohup >"$T/n.out" 2>"$T/n.err" ) &
pid=$!
wait_running "$T/nohup.db"
kill -HUP $pid
wait $pid
rc=$?
[ $rc = 0 ] || fail "train with SIGHUP ignored: exit $rc, want 0"
grep -q '^step 100000 / 100000 ' "$T/n.out" || fail "train with SIGHUP ignored did not finish"
ok "train: an ignored SIGHUP stays ignored (nohup)"

# ---- the screens: 128 + n and the terminal restored ----
. "$(dirname "$0")/screen_lib.sh"
"$M" train --db "$DB" --steps 50 --name small >/dev/null 2>&1 || fail "train small"
screen_sig() { # WHAT SIG WAIT-TEXT [KEYS...] -- ARGS...
	what=$1 sig=$2 text=$3; shift 3
	ks=""
	while [ "$1" != "--" ]; do ks="$ks $1"; shift; done
	shift
	start 100 30 "sh -c 'echo \$\$ >\"$T/pid\"; exec \"$M\" $* --db \"$DB\"'"
	wait_for "$text" || return
	for k in $ks; do keys "$k"; done
	[ -n "$ks" ] && { wait_for "running" 20 || return; }
	kill -"$sig" "$(cat "$T/pid")"
	case $sig in INT) want=130;; TERM) want=143;; HUP) want=129;; esac
	ended "$what, SIG$sig" && [ "$rc" = "$want" ] || fail "$what, SIG$sig: status $rc, want $want"
}
for sig in INT TERM HUP; do
	screen_sig debug "$sig" "op 1 of 175" -- debug small
	screen_sig "runs browser" "$sig" "small" -- replay
	screen_sig "run view" "$sig" "small" -- replay small
done
# a run trained from the browser's form stops as train does
screen_sig "form training" HUP "small" t Down Down C-u 300000 Enter -- replay
"$M" runs --db "$DB" >"$T/runs" 2>&1
[ "$(grep -c 'interrupted  *[0-9]*/300000 ' "$T/runs")" = 4 ] \
	|| fail "the form's run is not interrupted after SIGHUP: $(cat "$T/runs")"
ok "debug, replay and the form's training: 130, 143, 129, terminal restored"

finish
