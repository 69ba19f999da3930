#!/bin/sh
# SPDX-License-Identifier: MIT
# perfdoc.sh OUTPUT DOC - put the table of a `make bench` run (its OUTPUT,
# as run.sh printed it) into DOC (docs/PERFORMANCE.md) under
# "## The latest figures", indented as a code block, in place of the
# previous one. `make bench-doc` runs the benchmarks and this.
set -u
out=$1 doc=$2
grep -q '^machine: ' "$out" || { echo "perfdoc.sh: $out: no make bench output" >&2; exit 1; }
grep -q '^## The latest figures' "$doc" || { echo "perfdoc.sh: $doc: no \"## The latest figures\"" >&2; exit 1; }
tmp=$(mktemp "${TMPDIR:-/tmp}/perfdoc.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
awk -v out="$out" '
function table(    line, on) {
	on = 0
	while ((getline line < out) > 0) {
		if (line ~ /^machine: /) on = 1
		if (!on || line ~ /^make(\[[0-9]+\])?: /) continue
		print line == "" ? "" : "    " line
	}
}
/^## The latest figures/ { print; print ""; table(); print ""; skip = 1; next }
skip && /^## / { skip = 0 }
!skip { print }
' "$doc" >"$tmp" && cat "$tmp" >"$doc"
