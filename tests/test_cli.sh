#!/bin/sh
# SPDX-License-Identifier: MIT
# test_cli.sh - the command line: the reference's output, help, and every
# bad input getting one line on stderr, exit 1 or 2, and no files written.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI

# --help, --version (GNU conventions: stdout, exit 0)
expect 0 "--help" -- "$M" --help && grep -q '^usage: mgpt-tui' "$T/out" || fail "--help output"
expect 0 "--version" -- "$M" --version && grep -q '^mgpt-tui [0-9]' "$T/out" || fail "--version output"
expect 0 "train --help" -- "$M" train --help && grep -q 'usage: mgpt-tui train' "$T/out" || fail "train --help"

# The reference's output format, known figures (seed 42, defaults).
expect 0 "train 3 steps" -- "$M" train --no-db --steps 3 --samples 2
head -3 "$T/out" | tr '\n' '|' | grep -q '^num docs: 8403|vocab size: 27|num params: 4192|$' \
	|| fail "train header: $(head -3 "$T/out")"
grep -q '^step    1 /    3 | loss 3.4430$' "$T/out" || fail "step 1 line"
grep -q "^step    2 /    3 | loss 3.4366$" "$T/out" || fail "step 2 line"
grep -q '^--- inference (new, hallucinated names) ---$' "$T/out" || fail "inference header"
grep -q '^sample  2: ' "$T/out" || fail "sample line format"
[ -s "$T/err" ] && fail "progress bar written although stderr is not a terminal"

# The binary's own arithmetic (statically linked, it calls glibc's exp core
# without the errno wrapper: model_exp) gives the reference's 1000th step
# to the last bit (tests/test_model checks the same in-process).
expect 0 "train 1000 steps" -- "$M" train --db "$T/known.db" --samples 1
expect 0 "trace step 1000" -- "$M" trace --db "$T/known.db" --train-step 1000
sed -n 2p "$T/out" | grep -qxF '# loss 2.1184045964554596, lr 1.0000000000000009e-05, grad norm 2.0353766561686655' \
	|| fail "step 1000's figures: $(sed -n 2p "$T/out")"
rm -f "$T/known.db"

# Mixed case, hyphens and accented UTF-8 are ordinary characters.
printf 'Anne-Marie\nJos\303\251\n\303\211lodie\n' >"$T/mixed.txt"
expect 0 "utf-8 data" -- "$M" train --no-db --data "$T/mixed.txt" --steps 2 --samples 1 \
	&& grep -q '^vocab size: 16$' "$T/out" || fail "utf-8 vocab: $(head -3 "$T/out")"

# Bad input: one line, exit 1 or 2, nothing written.
touch "$T/empty.txt"; printf '\n  \n\t\n' >"$T/blank.txt"; printf 'ok\nbad\377\n' >"$T/bad.txt"
mkdir "$T/dir"
bad() { # CODE WHAT ARGS...
	code=$1; what=$2; shift 2
	before=$(ls -A "$T" | wc -l)
	expect "$code" "$what" -- "$M" "$@" && one_line_error "$what"
	[ "$(ls -A "$T" | wc -l)" = "$before" ] || fail "$what: files were written"
}
bad 1 "missing data" train --no-db --data "$T/nope.txt"
bad 1 "directory data" train --no-db --data "$T/dir"
bad 1 "empty data" train --no-db --data "$T/empty.txt"
bad 1 "blank data" train --no-db --data "$T/blank.txt"
bad 1 "invalid utf-8" train --no-db --data "$T/bad.txt"
grep -q 'line 2' "$T/err" || fail "invalid utf-8 error does not name the line"
grep -q "$T/bad.txt" "$T/err" || fail "invalid utf-8 error does not name the file"
bad 2 "n_embd % n_head" train --no-db --n-embd 10 --n-head 4
bad 2 "zero steps" train --no-db --steps 0
bad 2 "negative size" train --no-db --n-layer -1
bad 2 "non-numeric" train --no-db --seed abc
bad 2 "out of range" train --no-db --steps 99999999999999999999
bad 2 "temperature 0" train --no-db --temperature 0
bad 2 "temperature negative" train --no-db --temperature -1
bad 2 "temperature nan" train --no-db --temperature nan
bad 2 "absurd size" train --no-db --n-embd 4096 --n-head 1 --n-layer 8 --block-size 4096
grep -q 'GiB' "$T/err" || fail "absurd size error has no figure"
bad 2 "unknown flag" train --no-db --bogus
bad 2 "unknown command" frobnicate
bad 2 "stray argument" train --no-db extra
# What the user typed is quoted with its control characters escaped: the
# error stays one line and sends nothing to the terminal (found by fuzz_cli).
bad 2 "newline in an argument" runs "$(printf 'a\nb\033[1m')"
grep -qF "unexpected argument 'a\\nb\\x1b[1m'" "$T/err" || fail "control characters not escaped: $(cat "$T/err")"
if [ -r /etc/shadow ] && [ "$(id -u)" != 0 ]; then
	bad 1 "unreadable data" train --no-db --data /etc/shadow
fi
# The bundled names are compiled in: the binary alone, away from the
# source tree, still trains on them.
mkdir "$T/alone" && cp "$M" "$T/alone/mgpt-tui"
(cd / && "$T/alone/mgpt-tui" train --no-db --steps 1 --samples 0) >"$T/out" 2>"$T/err" \
	&& grep -q '^num docs: 8403$' "$T/out" || fail "binary away from the source tree: $(cat "$T/err")"
finish
