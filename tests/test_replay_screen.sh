#!/bin/sh
# SPDX-License-Identifier: MIT
# test_replay_screen.sh - `mgpt-tui replay` driven in tmux at a fixed size:
# open a run, scrub forwards and back to the identical screen, End shows
# the loss `export` reports, the probe changes between distant steps, the
# debugger and back, compare, rename/filter/delete in the browser, a run
# trained by another process advancing on screen by itself, and a run
# trained from the form that finishes and is listed by `runs`.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
D=$T/runs.db

# ---- the command line, before any terminal is needed ----
expect 1 "replay, no database" -- "$M" replay --db "$T/none.db" && one_line_error "no database"
"$M" train --db "$D" --steps 300 --name alpha --samples 2 >/dev/null 2>&1 || fail "train alpha"
"$M" train --db "$D" --steps 300 --seed 7 --name beta --samples 2 >/dev/null 2>&1 || fail "train beta"
expect 1 "replay, no tty" -- "$M" replay alpha --db "$D" && one_line_error "no tty"
grep -q "export" "$T/err" || fail "the no-tty message does not point to export"
expect 1 "replay, no such run" -- "$M" replay nosuch --db "$D" && one_line_error "no such run"
expect 2 "replay, step past the end" -- "$M" replay alpha --step 301 --db "$D" && one_line_error "step past end"
expect 2 "replay, --step without RUN" -- "$M" replay --step 3 --db "$D" && one_line_error "step without run"
expect 2 "replay, bad flag" -- "$M" replay --bogus && one_line_error "bad flag"
expect 2 "replay, two runs" -- "$M" replay alpha beta --db "$D" && one_line_error "two runs"
expect 0 "replay --help" -- "$M" replay --help && grep -q 'usage: mgpt-tui replay' "$T/out" \
	|| fail "replay --help"

. "$(dirname "$0")/screen_lib.sh"

title_step() { sed -n '1s/.* step \([0-9]*\) \/ .*/\1/p' "$T/pane"; }
# the probe's panels: from the probe's rule to the statistics
probe_panel() { sed -n '/probe "/,/head statistics/p' "$T/pane" | sed '1d;$d'; }

# ---- 1. open a run at its last step ----
start 100 30 "'$M' replay alpha --db '$D'"
wait_for "alpha  finished  step 300 / 300" && ok "replay alpha opens at the last step"
wait_for 'probe "emma"'
wait_for "head statistics over steps 0-300" 20 && ok "head statistics computed"

# ---- 2. End shows the last step's loss exactly as export reports it ----
want=$("$M" export alpha --db "$D" | tail -n 1 | cut -d, -f2)
keys Home
wait_for "step 0 / 300  initial weights"
keys End
wait_for "step 300 / 300  loss $want" && ok "End shows loss $want, as export reports it"

# ---- 3. forwards and back: the identical screen ----
keys : 1 5 1 Enter
wait_for "step 151 / 300"
keys '['
wait_for "step 150 / 300"
sleep 0.1; cape >"$T/a"
keys ']' ']' ']' ']' ']'
wait_for "step 155 / 300"
keys '[' '[' '[' '[' '['
wait_for "step 150 / 300"
sleep 0.1; cape >"$T/b"
cmp -s "$T/a" "$T/b" && ok "] x5 then [ x5: identical screen" \
	|| { fail "the screen differs after scrubbing back"; diff "$T/a" "$T/b" | head -20 >&2; }
keys '}'; wait_for "step 160 / 300"
keys '{'; wait_for "step 150 / 300"
keys NPage; wait_for "step 250 / 300"
keys PPage; wait_for "step 150 / 300"
keys Right; wait_for "step 151 / 300"
keys Left; wait_for "step 150 / 300" && ok "} { PgDn PgUp arrows move by 10, 100, 1"
keys : 9 9 9 Enter
wait_for "not a step of this run" && ok ": refuses a step past the end"

# ---- 3b. Space plays the training; any key stops it ----
keys Home
wait_for "step 0 / 300"
keys Space
wait_for "playing >>" && ok "Space plays"
keys x
wait_gone "playing >>"
cap >"$T/pane"; p1=$(title_step)
sleep 0.3; cap >"$T/pane"; p2=$(title_step)
[ -n "$p1" ] && [ "$p1" -gt 0 ] && [ "$p1" = "$p2" ] && ok "a key stopped playing at step $p1" \
	|| fail "playing: step $p1 then $p2"

# ---- 4. the probe changes between distant steps ----
keys Home
wait_for "step 0 / 300"
sleep 0.1; cap >"$T/pane"; probe_panel >"$T/p0"
keys End
wait_for "step 300 / 300"
sleep 0.1; cap >"$T/pane"; probe_panel >"$T/p300"
if [ -s "$T/p0" ] && ! cmp -s "$T/p0" "$T/p300"; then ok "the probe differs between steps 0 and 300"
else fail "the probe is the same at steps 0 and 300"; fi
grep -q "changes since step 0" "$T/pane" || fail "no 'changes since' the step shown before"

# ---- 5. Enter: the debugger at this step; q comes back ----
keys Enter
wait_for "op 1 of" && ok "Enter opens the debugger"
grep -q "alpha  step 300/300" "$T/pane" || fail "the debugger is not at step 300 of alpha"
keys q
wait_for "alpha  finished  step 300 / 300" && ok "q in the debugger returns to the run view"

# ---- 6. help lists the run view's keys ----
keys '?'
wait_for "next training step" && ok "help lists the run view's keys"
keys Escape
wait_gone "next training step"

# ---- 7. compare: mark alpha, open beta ----
keys m
wait_for "marked alpha"
keys R
wait_for "runs in "
wait_for "beta"
keys Enter
wait_for "beta  finished  step 300 / 300"
wait_for "alpha @ 300" && ok "beta shows alpha's attention beside its own"
grep -q -- "── alpha" "$T/pane" || fail "no alpha curve in the legend"

# ---- 8. the browser: filter, rename, delete ----
keys R
wait_for "runs in "
keys / a l p Enter
wait_for "filtered"
grep -q " beta " "$T/pane" && fail "the filter still shows beta"
keys / C-u Enter
wait_gone "filtered"
keys / a l p Enter
wait_for "filtered"
keys r C-u g a m m a Enter
wait_for "renamed to gamma" && ok "r renames"
"$M" runs --db "$D" | grep -q " gamma " || fail "runs does not list gamma"
keys / C-u b e t a Enter
wait_for "filtered"
keys d
wait_for "delete beta"
keys y
wait_for "deleted beta" && ok "d y deletes"
"$M" runs --db "$D" | grep -q " beta " && fail "runs still lists beta"

# ---- 9. a run trained by another process moves by itself ----
keys / C-u Enter
"$M" train --db "$D" --steps 50000000 --name live --samples 0 >/dev/null 2>&1 &
wpid=$!
wait_for " live " 20
wait_for "running"
ok "the browser lists the new run as running without a key"
keys Home          # the newest run: live
wait_for "live  running  data:"
keys Enter
wait_for "live  running" 10
cap >"$T/pane"; s1=$(title_step)
got=0 n=0
while [ $n -lt 100 ]; do
	sleep 0.1; cap >"$T/pane"; s2=$(title_step)
	if [ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ]; then got=1; break; fi
	n=$((n + 1))
done
[ $got = 1 ] && ok "the run view follows another process's training ($s1 -> $s2) with no key" \
	|| fail "the run view did not advance by itself (step $s1, then $s2)"
kill -TERM $wpid 2>/dev/null; wait $wpid 2>/dev/null
wait_for "live  interrupted" 10 && ok "the stopped run reads as interrupted"

# ---- 10. train from the form; it finishes and runs lists it ----
keys R
wait_for "runs in "
keys t
wait_for "train a new run"
keys Tab Tab C-u 4 0 0 Tab Tab Tab Tab Tab Tab C-u f r o m f o r m Enter
wait_for "fromform" 10
wait_for "fromform finished: 400 steps" 60 && ok "the run trained from the form finished"
wait_for "fromform  finished  step 400 / 400" && ok "the view followed the training to its last step"
keys q
wait_for "runs in "

# ---- 10b. p pauses a run trained here; quitting leaves it interrupted ----
keys t
wait_for "train a new run"
keys Tab Tab C-u 1 0 0 0 0 0 0 0 0 Tab Tab Tab Tab Tab Tab C-u l o n g r u n Enter
wait_for "longrun  running" 10
keys p
wait_for "paused, p goes on" && ok "p pauses"
# the view catches up with what was trained before the pause, then stays
n=0 q1=x q2=y
while [ $n -lt 20 ] && [ "$q1" != "$q2" ]; do
	cap >"$T/pane"; q1=$(title_step)
	sleep 0.6; cap >"$T/pane"; q2=$(title_step)
	n=$((n + 1))
done
sleep 0.6; cap >"$T/pane"; q4=$(title_step)
[ -n "$q1" ] && [ "$q1" = "$q2" ] && [ "$q2" = "$q4" ] && ok "paused at step $q1" \
	|| fail "paused, yet $q1, $q2, $q4"
"$M" export longrun --db "$D" | tail -n 1 | grep -q "^$q2," && ok "a pause writes every trained step" \
	|| fail "paused at $q2 but the log ends at $("$M" export longrun --db "$D" | tail -n 1 | cut -d, -f1)"
keys p
wait_gone "paused, p goes on"
n=0
while [ $n -lt 100 ]; do
	sleep 0.05; cap >"$T/pane"; q3=$(title_step)
	[ -n "$q3" ] && [ "$q3" -gt "$q2" ] && break
	n=$((n + 1))
done
[ -n "$q3" ] && [ "$q3" -gt "$q2" ] && ok "p again goes on ($q2 -> $q3)" || fail "not going on after p: $q3"
keys q
wait_for "runs in "
keys q
ended "q" && [ "$rc" = 0 ] && ok "q exits 0, terminal restored" || fail "q: exit status $rc"
"$M" runs --db "$D" | grep -q "longrun *interrupted" && ok "quitting leaves longrun interrupted" \
	|| fail "longrun: $("$M" runs --db "$D" | grep longrun)"
"$M" runs --db "$D" >"$T/out" 2>&1
grep -q "fromform *finished *400/400" "$T/out" && ok "runs lists fromform as finished" \
	|| fail "runs: $(cat "$T/out")"
want=$("$M" train --no-db --steps 400 --samples 0 | sed -n 's/^step  400 \/  400 | loss //p')
"$M" export fromform --db "$D" | tail -n 1 | cut -d, -f2 | grep -q "^${want%?}" \
	|| fail "fromform's last loss is not train's ($want)"

# ---- 11. 80x24, and too small ----
start 80 24 "'$M' replay gamma --db '$D'"
wait_for "gamma  finished  step 300 / 300"
wait_for "names at step 300" && ok "80x24 shows everything down to the names"
tm resize-window -t s -x 40 -y 10
wait_for "terminal too small" && ok "40x10: terminal too small"
tm resize-window -t s -x 80 -y 24
wait_gone "terminal too small"
keys q
ended "q at 80x24" && [ "$rc" = 0 ] || fail "q at 80x24: exit $rc"
finish
