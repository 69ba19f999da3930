#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh SRCDIR SECONDS TARGET... - run each libFuzzer harness for SECONDS
# on its seed corpus (and the inputs that once crashed it, and its
# dictionary when it has one); print executions, coverage and peak RSS, and
# any crash. New inputs are kept in fuzz-work/NAME; a crash leaves crash-*
# there: turn it into a regression test (tests/fuzz/regress/README).
srcdir=$1; secs=$2; shift 2
rc=0
for t in "$@"; do
	n=${t##*/fuzz_}
	mkdir -p "fuzz-work/$n"
	set -- "fuzz-work/$n" "$srcdir/tests/fuzz/corpus/$n"
	[ -d "$srcdir/tests/fuzz/regress/$n" ] && set -- "$@" "$srcdir/tests/fuzz/regress/$n"
	[ -f "$srcdir/tests/fuzz/$n.dict" ] && set -- -dict="$srcdir/tests/fuzz/$n.dict" "$@"
	echo "fuzz: $n for $secs s"
	# -timeout: an input that takes 10 s is a hang, reported like a crash
	if ! "./$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 -artifact_prefix="fuzz-work/$n/" \
	    "$@" >"fuzz-work/$n.log" 2>&1; then
		rc=1
		grep -E 'ERROR|SUMMARY|artifact' "fuzz-work/$n.log"
	fi
	grep -E '^#[0-9]+.*(DONE|pulse)' "fuzz-work/$n.log" | tail -n 1
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "fuzz-work/$n.log"
done
exit $rc
