#!/bin/sh
# SPDX-License-Identifier: MIT
# test_holes_cli.sh - holes hostile input found on the command line
# (issue 9) and what a newcomer trips on there (issue 11): each case one
# line on stderr naming the flag or file, the right exit status, nothing
# written.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
D=$T/runs.db
TOOL=${top_builddir:-.}/tests/store_tool
JSON=${top_builddir:-.}/tests/json_flat

bad() { # CODE WHAT ARGS...
	code=$1; what=$2; shift 2
	expect "$code" "$what" -- "$M" "$@" && one_line_error "$what"
}
"$M" train --db "$D" --steps 20 --samples 3 --name alpha >/dev/null 2>&1 || fail "train alpha"

# ---- 9.7 numbers are digits only (a sign where allowed), everywhere ----
TAB=$(printf '\t')
bad 2 "tab before --seed" train --no-db --seed "$TAB-1"
grep -qF -- "--seed: '\\t-1' is not" "$T/err" || fail "tab seed message: $(cat "$T/err")"
bad 2 "tab before --steps" train --no-db --steps "${TAB}5"
bad 2 "space before --steps" train --no-db --steps " 5"
bad 2 "plus before --steps" train --no-db --steps "+5"
bad 2 "hex --n-embd" train --no-db --n-embd 0x10
bad 2 "trailing space --samples" train --no-db --samples "3 "
bad 2 "tab before --temperature" train --no-db --temperature "${TAB}0.5"
bad 2 "hex --temperature" train --no-db --temperature 0x1p-1
bad 2 "inf --temperature" train --no-db --temperature inf
bad 2 "tab before sample --step" sample alpha --db "$D" --step "${TAB}3"
bad 2 "tab before trace --step" trace --db "$D" --step "${TAB}3" emma
bad 2 "tab before replay --step" replay alpha --db "$D" --step "${TAB}3"
expect 0 "plain numbers still pass" -- "$M" train --no-db --steps 2 --seed 7 --samples 1 \
	--temperature 0.75 || true
expect 0 "exponent temperature passes" -- "$M" train --no-db --steps 1 --samples 1 --temperature 5e-1 || true

# ---- 9.6 a temperature so small that logits/T overflow: refused ----
bad 2 "temperature 1e-310" train --no-db --temperature 1e-310
grep -q "1e-06" "$T/err" || fail "the minimum temperature is not in the message: $(cat "$T/err")"
bad 2 "sample temperature 1e-310" sample alpha --db "$D" --temperature 1e-310
bad 2 "temperature just under the minimum" train --no-db --temperature 9.9e-7
# at the minimum: argmax in effect, and real names (never empty)
expect 0 "temperature 1e-6" -- "$M" sample alpha --db "$D" --temperature 1e-6 --count 3
[ "$(grep -c '^sample  [0-9]: [a-z][a-z]*$' "$T/out")" = 3 ] || fail "temperature 1e-6 names: $(cat "$T/out")"

# a run logged with such a temperature before the minimum: sample says so
"$TOOL" sql "$D" "UPDATE runs SET temperature = 1e-310 WHERE name = 'alpha'" || fail "store_tool sql"
bad 2 "sample, the run's temperature 1e-310" sample alpha --db "$D"
grep -q "give --temperature" "$T/err" || fail "run's tiny temperature: $(cat "$T/err")"
expect 0 "sample with --temperature over the run's" -- "$M" sample alpha --db "$D" --temperature 0.5 \
	&& [ "$(grep -c '^sample  [0-9]: [a-z][a-z]*$' "$T/out")" = 3 ] || fail "sample --temperature 0.5"
"$TOOL" sql "$D" "UPDATE runs SET temperature = 0.5 WHERE name = 'alpha'" || fail "store_tool sql"

# ---- 9.4 data that never ends, or is too big: refused at once ----
before=$(ls -A "$T" | wc -l)
expect 1 "--data /dev/zero" -- timeout 5 "$M" train --no-db --data /dev/zero && one_line_error "/dev/zero"
grep -q "/dev/zero: not a regular file or a pipe" "$T/err" || fail "/dev/zero message: $(cat "$T/err")"
truncate -s 17M "$T/big.txt"
expect 1 "--data over the limit" -- timeout 5 "$M" train --no-db --data "$T/big.txt" && one_line_error "big"
grep -q "big.txt: larger than the limit of 16 MiB" "$T/err" || fail "big data message: $(cat "$T/err")"
rm -f "$T/big.txt"
mkfifo "$T/fifo"
( yes abc >"$T/fifo" 2>/dev/null & echo $! >"$T/yes.pid"; wait ) &
expect 1 "--data an endless pipe" -- timeout 10 "$M" train --no-db --data "$T/fifo" \
	&& one_line_error "endless pipe"
grep -q "fifo: larger than the limit of 16 MiB" "$T/err" || fail "endless pipe message: $(cat "$T/err")"
kill "$(cat "$T/yes.pid")" 2>/dev/null; wait
# a pipe that ends is read as a file is
printf 'ann\nbob\n' | "$M" train --no-db --data /dev/stdin --steps 1 --samples 0 >"$T/out" 2>"$T/err" \
	&& grep -q '^num docs: 2$' "$T/out" || fail "data from a pipe: $(cat "$T/err")"
rm -f "$T/fifo" "$T/yes.pid"
[ "$(ls -A "$T" | wc -l)" = "$before" ] || fail "--data refusals left files: $(ls -A "$T")"

# ---- 9.12 an empty --data names the option ----
bad 2 "--data ''" train --no-db --data ''
grep -q '^mgpt-tui: --data: empty path' "$T/err" || fail "--data '' message: $(cat "$T/err")"

# ---- 9.5 stdout that cannot be written: exit 1, one line ----
full() { # WHAT ARGS...
	what=$1; shift
	"$M" "$@" >/dev/full 2>"$T/err" </dev/null
	got=$?
	[ "$got" = 1 ] || fail "$what >/dev/full: exit $got, want 1"
	one_line_error "$what >/dev/full"
	grep -q 'standard output\|cannot write' "$T/err" || fail "$what >/dev/full: $(cat "$T/err")"
}
if [ -w /dev/full ]; then
	full "--help" --help
	full "--version" --version
	full "train --help" train --help
	full "runs" runs --db "$D"
	full "sample" sample alpha --db "$D"
	full "export" export alpha --db "$D"
	full "export json" export alpha --db "$D" --format json
	full "trace" trace --db "$D" alpha emma
	full "train" train --no-db --steps 2 --samples 1
	ok "every command checks its output"
else
	echo "no /dev/full: the output checks are skipped"
fi

# ---- 9.8 run names: no controls, no invalid UTF-8; odd names escaped ----
bad 2 "name with a C1 control" train --db "$D" --steps 1 --name "$(printf 'x\302\2332J')"
bad 2 "name with invalid UTF-8" train --db "$D" --steps 1 --name "$(printf 'x\377')"
bad 2 "name with DEL" train --db "$D" --steps 1 --name "$(printf 'x\177')"
bad 2 "name starting with -" train --db "$D" --steps 1 --name -d
bad 2 "name like an id" train --db "$D" --steps 1 --name 42
expect 0 "accented name" -- "$M" train --db "$D" --steps 1 --samples 0 --name "Jos$(printf '\303\251')" || true
# a database written before the checks: the name holds ESC, a C1 CSI and a
# byte that is not UTF-8
"$TOOL" sql "$D" "UPDATE runs SET name = CAST(X'61c29b324a1b5b316dff7a' AS TEXT) WHERE name = 'alpha'" \
	|| fail "store_tool sql"
expect 0 "runs with an odd name" -- "$M" runs --db "$D"
iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1 || fail "runs: not valid UTF-8"
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/out" && fail "runs: control characters in the output"
LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$T/out" && fail "runs: a C1 control in the output"
grep -qF 'a\u009b2J\x1b[1m\xffz' "$T/out" || fail "runs: the odd name is not escaped: $(sed -n 2p "$T/out")"
expect 0 "export json with an odd name" -- "$M" export 1 --db "$D" --format json
iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1 || fail "export json: not valid UTF-8"
{ printf '[{"op":"x","pos":0,"layer":0,"head":0,"out":[],"export":'; cat "$T/out"; echo "}]"; } | "$JSON" >/dev/null || fail "export json: not JSON"
grep -qF '"name": "a\u009b2J\u001b[1m\ufffdz"' "$T/out" || fail "export json name: $(sed -n 2p "$T/out")"
"$TOOL" sql "$D" "UPDATE runs SET name = 'alpha' WHERE id = 1" || fail "store_tool sql"

# ---- 11 a run typed as a command; misspelt options ----
bad 2 "a run as the command" alpha --db "$D"
grep -qF "mgpt-tui debug alpha" "$T/err" || fail "run as command: $(cat "$T/err")"
bad 2 "an unknown word" nosuchword --db "$D"
grep -qF "try 'mgpt-tui --help'" "$T/err" || fail "unknown word: $(cat "$T/err")"
bad 2 "misspelt command" trian
grep -qF "did you mean 'train'" "$T/err" || fail "misspelt command: $(cat "$T/err")"
bad 2 "misspelt option" train --no-db --stpes 5
grep -qF "train: unknown option '--stpes' (did you mean '--steps'?)" "$T/err" || fail "--stpes: $(cat "$T/err")"
bad 2 "misspelt option, no command" --stpes 5
grep -q "debug" "$T/err" && fail "no command typed, yet reported for debug: $(cat "$T/err")"
grep -qF "did you mean 'train --steps'?" "$T/err" || fail "--stpes, no command: $(cat "$T/err")"
bad 2 "misspelt option of sample" sample alpha --cuont 3
grep -qF "sample: unknown option '--cuont' (did you mean '--count'?)" "$T/err" || fail "--cuont: $(cat "$T/err")"

# ---- 11 trace RUN with TEXT forgotten ----
bad 2 "trace RUN, no TEXT" trace --db "$D" alpha-1 2>/dev/null
"$M" train --db "$D" --steps 2 --samples 0 --name run-1 >/dev/null 2>&1
bad 2 "trace run-1, no TEXT" trace --db "$D" run-1
grep -qF "TEXT is missing" "$T/err" || fail "trace run-1: $(cat "$T/err")"
expect 0 "trace TEXT still traces" -- "$M" trace --db "$D" emma

# ---- 11 exit codes and quoting agree ----
bad 2 "sample, step past the end" sample alpha --db "$D" --step 21
cp "$T/err" "$T/err.sample"
bad 2 "trace, step past the end" trace alpha --db "$D" --step 21 emma
cmp -s "$T/err" "$T/err.sample" || fail "trace and sample say different things: $(cat "$T/err" "$T/err.sample")"
bad 2 "replay, step past the end" replay alpha --db "$D" --step 21
cmp -s "$T/err" "$T/err.sample" || fail "replay and sample say different things: $(cat "$T/err" "$T/err.sample")"
bad 2 "replay --probe outside the vocabulary" replay alpha --db "$D" --probe 'Zo1"'
grep -qF "mgpt-tui: --probe: not in the run's vocabulary: 'Z', '1', '\"'" "$T/err" \
	|| fail "--probe quoting: $(cat "$T/err")"
bad 2 "trace outside the vocabulary" trace alpha --db "$D" 'Zo1"'
grep -qF "not in the run's vocabulary: 'Z', '1', '\"'" "$T/err" || fail "trace quoting: $(cat "$T/err")"
finish
