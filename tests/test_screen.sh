#!/bin/sh
# SPDX-License-Identifier: MIT
# test_screen.sh - the debugger driven in a real terminal: tmux at a fixed
# size, keys sent, the pane captured and compared. Every wait polls the pane
# for the expected text with a bounded timeout instead of sleeping.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI

# Without a terminal: one line pointing to trace, exit 1 (no tmux needed).
expect 1 "stdin not a tty" -- "$M" && one_line_error "stdin not a tty"
grep -q "trace" "$T/err" || fail "no-tty message does not point to trace: $(cat "$T/err")"
expect 1 "debug, stdin not a tty" -- "$M" debug --input anna && one_line_error "debug no tty"
expect 2 "debug bad flag" -- "$M" debug --bogus && one_line_error "debug bad flag"
expect 2 "debug bad step" -- "$M" debug --step -3 && one_line_error "debug bad step"
expect 2 "debug two runs" -- "$M" debug a b && one_line_error "debug two runs"
expect 2 "debug empty --db" -- "$M" debug --db '' && one_line_error "debug empty --db"
expect 0 "debug --help" -- "$M" debug --help && grep -q 'usage: mgpt-tui debug' "$T/out" \
	|| fail "debug --help"

. "$(dirname "$0")/screen_lib.sh"   # tmux helpers; exits 77 without tmux

# ---- 1. first start on an empty database: trains, logs, then the debugger ----
rm -f "$MGPT_TUI_DB"
start 80 24 "'$M'"
wait_for "op 1 of 175" 60 && ok "auto-trained and opened at the first op"
grep -q "run-1 (trained now)" "$T/pane" || fail "title does not name the new run"
grep -q "step 1000/1000" "$T/pane" || fail "not the final weights"
grep -q "input  BOS e m m a" "$T/pane" || fail "input is not emma"
grep -q "embed @ pos 0" "$T/pane" || fail "first op is not embed @ pos 0"

# ---- 2. forward k then back k: the identical screen ----
keys s s s s s s s s s j l
wait_for "op 10 of 175"
sleep 0.1; cape >"$T/a"
keys s s s s s s s s s s s s s s s s s s s s
wait_for "op 30 of 175"
keys S S S S S S S S S S S S S S S S S S S S
wait_for "op 10 of 175"
sleep 0.1; cape >"$T/b"
cmp -s "$T/a" "$T/b" && ok "s x20 then S x20: identical screen" \
	|| { fail "screen differs after stepping back"; diff "$T/a" "$T/b" | head -20 >&2; }
keys Right Right Right Left Left Left
wait_for "op 10 of 175"; sleep 0.1; cape >"$T/b"
cmp -s "$T/a" "$T/b" || fail "arrow keys: screen differs after stepping back"
keys Tab Tab BTab BTab
wait_for "op 10 of 175"; sleep 0.1; cape >"$T/b"
cmp -s "$T/a" "$T/b" || fail "Tab/Shift-Tab: screen differs"

# ---- 3. the help overlay, from the key table ----
keys '?'
wait_for "step to the next op" && ok "help overlay"
grep -q "any other key closes" "$T/pane" || fail "help has no way out shown"
keys Escape
wait_gone "step to the next op"

# ---- 4. a head off changes the probabilities; on again restores them ----
keys G
wait_for "probs @ pos 4"
sleep 0.1; cap >"$T/on"
keys 3
wait_for "off: L0H2" && wait_for "all on    dp"
cap >"$T/off"
grep '^ *[a-z] \|^ *BOS ' "$T/on" | head -8 >"$T/on.top"
grep '^ *[a-z] \|^ *BOS ' "$T/off" | head -8 >"$T/off.top"
if [ -s "$T/on.top" ] && ! cmp -s "$T/on.top" "$T/off.top"; then ok "L0H2 off changes the probabilities"
else fail "probabilities unchanged with L0H2 off"; fi
keys 3
wait_for "all heads on"
sleep 0.1; cap >"$T/on2"
# the status row says what was done; the rest must be as before
head -n 23 "$T/on" >"$T/on.h"; head -n 23 "$T/on2" >"$T/on2.h"
cmp -s "$T/on.h" "$T/on2.h" && ok "L0H2 on again: the same probabilities" \
	|| { fail "switching L0H2 back on does not restore the screen"; diff "$T/on.h" "$T/on2.h" | head >&2; }
keys 1 2 0
wait_for "every head on again"

# ---- 5. breakpoints: set on a kind of op, c stops there at each position ----
keys g
wait_for "op 1 of 175"
keys s s s s s s s s s s s s s s   # op 15: L0H1 attn_scores @ pos 0
wait_for "op 15 of 175"
grep -q "L0H1 attn_scores @ pos 0" "$T/pane" || fail "op 15 is not L0H1 attn_scores"
keys b
wait_for "(breakpoint)" && wait_for "1 break"
keys g c
wait_for "L0H1 attn_scores @ pos 0" && wait_for "breakpoint: L0H1 attn_scores"
keys c c
wait_for "L0H1 attn_scores @ pos 1" && ok "c stops at the breakpoint at the next position"
keys C C
wait_for "L0H1 attn_scores @ pos 0"
keys B
wait_for "breakpoints (1)" && grep -q "L0H1 attn_scores" "$T/pane" || fail "breakpoint list"
keys d
wait_for "breakpoints (0)"
keys Escape
wait_gone "1 break"
keys g c
wait_for "probs @ pos 0" && ok "deleted breakpoint no longer stops c"

# ---- 6. editing the input ----
keys i C-u
wait_for "Enter feed it"
keys -l 'anna'
keys Enter
wait_for "input  BOS a n n a" && ok "input edited"
keys i C-u
keys -l 'Zoe1'
keys Enter
wait_for "not in the run's vocabulary: 'Z', '1'" && ok "characters outside the vocabulary refused by name"
grep -q "Enter feed it" "$T/pane" || fail "editor closed after a refusal"
keys Escape
wait_for "input unchanged"
grep -q "input  BOS a n n a" "$T/pane" || fail "refused input changed the pass"
keys i C-u
keys -l 'abcdefghijklmnopqrstu'
keys Enter
wait_for "input cut at block_size 16" && ok "long input cut with a note"
keys x
wait_for "the input is cut"
keys i C-u Enter
wait_for "input  BOS "
# typing q and ? while editing goes to the text
keys i C-u
keys -l 'q?'
sleep 0.2
cap | grep -q "input: q" || fail "keys did not go to the text while editing"
keys Escape
wait_for "input unchanged"

# ---- 7. sampling from an empty input spells the reference's first name ----
keys i C-u Enter
wait_for "input fed: 1 position"
n=0
while [ $n -lt 16 ]; do
	keys x
	n=$((n + 1))
	sleep 0.05
	cap | grep -q 'name: "' && break
done
wait_for 'name: "cerla"' && ok "x from an empty input draws 'cerla', as train does"
grep -q "falls in \[" "$T/pane" || fail "the draw is not laid open"
keys '<' '<'
wait_for "temperature 0.3"

# ---- 8. resize below the minimum and back ----
keys g
wait_for "op 1 of"
sleep 0.1; cap >"$T/before"
tm resize-window -t s -x 40 -y 10
wait_for "terminal too small" && wait_for "need 80x24, have 40x10" && ok "40x10: terminal too small"
tm resize-window -t s -x 80 -y 24
wait_gone "terminal too small"
sleep 0.2; cap >"$T/after"
cmp -s "$T/before" "$T/after" && ok "back at 80x24: the same screen" \
	|| { fail "screen differs after resizing back"; diff "$T/before" "$T/after" | head >&2; }

# ---- 9. q exits 0 and restores the terminal ----
keys q
ended "q" && [ "$rc" = 0 ] && ok "q exits 0, terminal restored" || fail "q: exit status $rc"

# the auto-trained run was logged as train logs it; the next start opens it
expect 0 "runs" -- "$M" runs && grep -q "run-1 .*finished *1000/1000" "$T/out" \
	&& ok "the auto-trained run is logged, finished" || fail "runs: $(cat "$T/out")"
expect 0 "sample" -- "$M" sample run-1 --count 1 && grep -q "sample  1: cerla" "$T/out" \
	|| fail "the logged run does not sample what train samples"
start 80 24 "'$M' --step 150"
wait_for "op 1 of 175"
grep -q "run-1 (default run)  step 150/1000" "$T/pane" && ok "second start opens the logged run, --step 150" \
	|| fail "second start: $(head -1 "$T/pane")"
keys ']'
wait_for "step 151/1000"
keys '[' '['
wait_for "step 149/1000" && ok "] and [ move the weights one training step"
keys q
ended "q after ] ["
expect 0 "runs" -- "$M" runs
[ "$(grep -c 'run-' "$T/out")" = 1 ] || fail "a second run was trained: $(cat "$T/out")"

# ---- errors found before the screen starts: one line, exit 1 (2 for usage), nothing drawn ----
start_code=1
bad_start() { # WHAT ARGS... (exit status $start_code)
	what=$1; shift
	case $1 in
	TERM=*) start 80 24 "$* 2>'$T/err'" ;;
	*) start 80 24 "'$M' $* 2>'$T/err'" ;;
	esac
	ended "$what" || return
	[ "$rc" = "$start_code" ] || fail "$what: exit $rc, want $start_code"
	one_line_error "$what"
}
bad_start "no such run" debug nosuch
grep -q "nosuch" "$T/err" || fail "no such run: the message does not name it"
echo "not a database" >"$T/text.db"
bad_start "not a database" debug --db "'$T/text.db'"
grep -q "text.db" "$T/err" || fail "not a database: the message does not name the file"
# a usage error, as `sample --step` past the end is
start_code=2; bad_start "step past the end" debug --step 5000; start_code=1
bad_start "TERM=dumb" "TERM=dumb" "'$M'"
grep -q "cannot move the cursor" "$T/err" || fail "TERM=dumb: $(cat "$T/err")"
bad_start "TERM unknown" "TERM=no-such-terminal" "'$M'"
ok "database errors: one line, exit 1"

# ---- 10. SIGTERM and SIGINT restore the terminal too ----
for sig in TERM INT; do
	start 80 24 "sh -c 'echo \$\$ >\"$T/pid\"; exec \"$M\"'"
	wait_for "op 1 of 175"
	kill -"$sig" "$(cat "$T/pid")"
	ended "SIG$sig" && [ "$rc" -gt 128 ] && ok "SIG$sig: terminal restored, status $rc" \
		|| fail "SIG$sig: status $rc"
done
start 80 24 "trap : INT; '$M'"
wait_for "op 1 of 175"
keys C-c
ended "Ctrl-C" && [ "$rc" -gt 128 ] || fail "Ctrl-C: status $rc"

# ---- 11. no colour with NO_COLOR or --no-color; colour otherwise ----
has_colour() { grep -q "$(printf '\033')\[[0-9;]*\(3[0-7]\|38;5;[0-9]*\)m" "$1"; }
start 80 24 "TERM=screen-256color '$M'"
wait_for "op 1 of 175"; cape >"$T/colour"
has_colour "$T/colour" || fail "no colour on a colour terminal"
start 80 24 "TERM=screen-256color NO_COLOR=1 '$M'"
wait_for "op 1 of 175"; cape >"$T/mono"
has_colour "$T/mono" && fail "colour despite NO_COLOR"
start 80 24 "TERM=screen-256color '$M' --no-color"
wait_for "op 1 of 175"; cape >"$T/mono2"
has_colour "$T/mono2" && fail "colour despite --no-color"
cmp -s "$T/mono" "$T/mono2" || fail "NO_COLOR and --no-color draw differently"
ok "monochrome with NO_COLOR and --no-color"

# ---- 12. ASCII outside a UTF-8 locale ----
start 80 24 "LANG=C LC_ALL=C '$M'"
wait_for "op 1 of 175"
keys G
wait_for "probs @ pos 4"
cap | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII on the screen in the C locale"
cap | grep -q '#' || fail "no ASCII bars in the C locale"
ok "ASCII fallback"

# ---- 13. a large terminal: the outline of the position's ops ----
start 200 60 "'$M'"
wait_for "op 1 of 175"
grep -q "position 0: BOS" "$T/pane" && grep -q "H3 attn_weights" "$T/pane" \
	&& ok "200x60: outline shown" || fail "200x60: no outline"
keys q
ended "q at 200x60"
finish
