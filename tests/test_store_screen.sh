#!/bin/sh
# SPDX-License-Identifier: MIT
# test_store_screen.sh - issue 9's sequence on screen: a viewer never stops
# a trainer. The debugger trains the default run on screen, R opens the
# runs browser, another process trains a long run, the run view computes
# its head statistics, and three more trainers run during and after the
# statistics: every one finishes (exit 0) and is listed as finished. (The
# viewer's process once lost its locks on the file each time it opened a
# connection, and was then left holding one that stopped every trainer.)
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
D=$T/runs.db
. "$(dirname "$0")/screen_lib.sh"

# train_bg NAME STEPS: a trainer in the background; its exit status lands in $T/NAME.rc
train_bg() {
	( "$M" train --db "$D" --steps "$2" --samples 1 --name "$1" >"$T/$1.out" 2>"$T/$1.err"
	  echo $? >"$T/$1.rc" ) &
}
# finished NAME: wait for the trainer's exit status; it must be 0
finished() {
	_n=600
	while [ ! -s "$T/$1.rc" ] && [ $_n -gt 0 ]; do sleep 0.1; _n=$((_n - 1)); done
	[ "$(cat "$T/$1.rc" 2>/dev/null)" = 0 ] || fail "trainer $1: exit $(cat "$T/$1.rc" 2>/dev/null): $(cat "$T/$1.err")"
}

start 100 30 "$M" --db "$D"
wait_for "(trained now)" 60 || finish
keys R
wait_for "runs in" || finish
train_bg long 30000
# the browser follows the long run; open it once it is listed
wait_for " long " 30 || finish
keys Home
keys Enter
wait_for "head statistics" 30 || finish
train_bg x 3000
finished x
# the statistics advance (they are computed, not stuck at 0): in progress,
# or already done when the long run outpaced them on a loaded machine
_n=600
until cap >"$T/pane" 2>/dev/null && grep -qE "of 30001 steps|over steps 0-30000" "$T/pane"; do
	_n=$((_n - 1)); [ $_n -gt 0 ] || { fail "the statistics never advanced: $(cat "$T/pane")"; break; }
	sleep 0.05
done
train_bg y 3000
finished y
finished long
wait_for "head statistics over steps 0-30000" 120
train_bg z 3000
finished z
# back to the browser, still open: a trainer after that too
keys q
wait_for "runs in" || finish
train_bg w 3000
finished w
expect 0 "runs" -- "$M" runs --db "$D"
for n in run-1 long x y z w; do
	grep -q " $n  *finished " "$T/out" || fail "$n is not listed as finished: $(cat "$T/out")"
done
keys q
finish
