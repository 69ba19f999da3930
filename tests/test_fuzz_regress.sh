#!/bin/sh
# SPDX-License-Identifier: MIT
# test_fuzz_regress.sh - the fuzz harnesses, without libFuzzer, on their
# seed corpora and on every input that once crashed one of them
# (tests/fuzz/regress/NAME/, one file per crash, named after what it broke).
. "$(dirname "$0")/lib.sh"
B=${top_builddir:-.}/tests/fuzz
S=$top_srcdir/tests/fuzz
for n in dataset store cli; do
	set -- "$S/corpus/$n"
	[ -d "$S/regress/$n" ] && set -- "$@" "$S/regress/$n"
	if TMPDIR=$T "$B/replay_$n" "$@" >"$T/out" 2>"$T/err"; then
		ok "$n: $(cat "$T/out")"
	else
		fail "$n: $(tail -n 5 "$T/err")"
	fi
done
finish
