#!/bin/sh
# run.sh PROGRAM... - run each benchmark program and print one table.
#
# A benchmark program prints one line per case, tab-separated:
#     bench <TAB> case <TAB> seconds <TAB> work <TAB> unit <TAB> peak RSS in KiB
# (work is how much was done in that many seconds, counted in unit). This
# script adds the rate and lays the rows out; a new benchmark needs only its
# name in BENCH_PROGRAMS in Makefile.am.
set -u
rows=$(mktemp "${TMPDIR:-/tmp}/mgpt-bench.XXXXXX") || exit 1
trap 'rm -f "$rows"' EXIT
status=0
for prog in "$@"; do
	"$prog" >>"$rows" || { echo "run.sh: $prog failed" >&2; status=1; }
done
awk -F '\t' '
BEGIN { fmt = "%-9s %-44s %8s %16s %18s %9s\n"
        printf fmt, "bench", "case", "seconds", "work", "rate", "peak RSS"
        printf fmt, "-----", "----", "-------", "----", "----", "--------" }
NF >= 6 {
	printf fmt, $1, $2, sprintf("%.3f", $3), $4 " " $5,
	    sprintf("%.0f /s", $3 > 0 ? $4 / $3 : 0), sprintf("%.1f MiB", $6 / 1024)
}' "$rows"
exit $status
