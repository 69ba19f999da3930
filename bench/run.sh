#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh PROGRAM... - run each benchmark program and print one table.
#
# A benchmark program prints one line per figure, tab-separated (bench/bench.h):
#     bench <TAB> case <TAB> value <TAB> unit <TAB> goal <TAB> peak RSS in KiB
#           [<TAB> the same figure by the wall clock]
# goal is empty or "<= N", "< N", ">= N", "> N" in the row's unit; peak RSS
# may be empty. A figure of time is measured in CPU time (user + system) and
# judged on it; the wall-clock figure is shown beside it. This script lays
# the rows out and judges each goal: "met", or "missed by" the difference and
# how far off in per cent; it says what the machine is and how loaded it was
# (the load average before and after). A new benchmark needs only its name in
# BENCHMARKS in Makefile.am. BENCH_FULL=1 runs the long mode.
#
# Rows of the older shape (bench, case, seconds, work, unit, peak RSS: a
# number in the fourth field) are still read, as a rate with no goal.
set -u
rows=$(mktemp "${TMPDIR:-/tmp}/mgpt-bench.XXXXXX") || exit 1
trap 'rm -f "$rows" "$rows.times"' EXIT
status=0
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
mhz=$(sed -n 's/^cpu MHz[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: ${cpu:-unknown CPU}, $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs${mhz:+, $mhz MHz}; $(uname -sr)"
if [ -n "${BENCH_FULL:-}" ] && [ "$BENCH_FULL" != 0 ]; then
	echo "command: BENCH_FULL=$BENCH_FULL make bench (the long mode)"
else
	echo "command: make bench (BENCH_FULL=1 make bench: the long mode)"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
t0=$(date +%s)
for prog in "$@"; do
	"$prog" >>"$rows" || { echo "run.sh: $prog failed" >&2; status=1; }
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
# the benchmarks' own cost: wall seconds, and the CPU seconds of this
# shell's children (times: user and system of the children, its line 2;
# run in this shell, not in a $(...) subshell, which has no children)
times >"$rows.times"
echo "the run took $(($(date +%s) - t0)) s, $(sed -n 2p "$rows.times" | awk '{
	split($1, u, "m"); split($2, s, "m")
	printf "%.1f CPU-s", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')"
rm -f "$rows.times"
echo "Times are CPU time (user + system); goals are judged on it. \"wall\" is the same figure by the wall clock."
echo
awk -F '\t' '
# a number as a person reads it: thousands grouped, three figures or so
function num(v,    a, s, i, r) {
	a = v < 0 ? -v : v
	if (a >= 1000) {
		s = sprintf("%.0f", a); r = ""
		for (i = length(s); i > 3; i -= 3)
			r = "," substr(s, i - 2, 3) r
		s = substr(s, 1, i) r
	} else if (a >= 100) s = sprintf("%.0f", a)
	else if (a >= 10) s = sprintf("%.1f", a)
	else if (a >= 1) s = sprintf("%.2f", a)
	else if (a == 0) s = "0"
	else s = sprintf("%.2g", a)
	return (v < 0 ? "-" : "") s
}
function with_unit(v, u) { return num(v) (u == "x" ? "x" : " " u) }
function verdict(v, op, g, u,    ok, d, rel) {
	ok = (op == "<=" && v <= g) || (op == "<" && v < g) || \
	     (op == ">=" && v >= g) || (op == ">" && v > g)
	if (ok) return "met"
	d = v - g; if (d < 0) d = -d
	if (u == "%") return "missed by " num(d) " points"
	rel = g != 0 ? sprintf(" (%s%.0f %%)", v > g ? "+" : "-", 100 * d / g) : ""
	return "missed by " with_unit(d, u) rel
}
BEGIN {
	fmt = "%-6s %-60s %20s %12s  %-28s %8s  %s\n"
	printf fmt, "bench", "case", "measured (CPU)", "goal", "verdict", "peak RSS", "wall"
	printf fmt, "-----", "----", "--------------", "----", "-------", "--------", "----"
}
NF >= 5 {
	bench = $1; what = $2; value = $3; unit = $4; goal = $5; rss = $6
	if ($4 ~ /^[0-9.]+$/) {    # the older shape: seconds, work, unit, RSS
		value = $3 > 0 ? $4 / $3 : 0; unit = $5 "/s"; goal = ""
	}
	g = ""; v = ""
	if (goal != "") {
		op = goal; sub(/[ 0-9.eE+-]+$/, "", op)
		lim = goal; sub(/^[<>=]+ */, "", lim)
		g = op " " (lim + 0 >= 1000 || lim != int(lim) ? num(lim + 0) : lim + 0) \
		    (unit == "x" ? "x" : length(unit) <= 2 ? " " unit : "")
		v = verdict(value + 0, op, lim + 0, unit)
	}
	line = sprintf(fmt, bench, what, with_unit(value + 0, unit), g, v,
	    rss != "" ? sprintf("%.1f MB", rss * 1024 / 1e6) : "",
	    NF >= 7 && $7 != "" ? with_unit($7 + 0, unit) : "")
	sub(/ +\n$/, "\n", line)
	printf "%s", line
}' "$rows"
exit $status
