#!/bin/sh
# run.sh SRCDIR SECONDS TARGET... - run each libFuzzer harness for SECONDS
# on a copy of its seed corpus; print executions, coverage and any crash.
# A crash leaves crash-* in fuzz-work/NAME: turn it into a regression test.
srcdir=$1; secs=$2; shift 2
rc=0
for t in "$@"; do
	n=${t##*/fuzz_}
	mkdir -p "fuzz-work/$n"
	echo "fuzz: $n for $secs s"
	if ! "./$t" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="fuzz-work/$n/" \
	    "fuzz-work/$n" "$srcdir/tests/fuzz/corpus/$n" >"fuzz-work/$n.log" 2>&1; then
		rc=1
		grep -E 'ERROR|SUMMARY|artifact' "fuzz-work/$n.log"
	fi
	grep -E '^#[0-9]+.*(DONE|pulse)' "fuzz-work/$n.log" | tail -n 1
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "fuzz-work/$n.log"
done
exit $rc
