#!/bin/sh
# SPDX-License-Identifier: MIT
# calls.sh - who uses whom between the files of src/: one line "A.c -> B.c"
# per pair where A calls or names a function, or names a table, defined
# (not static) in B. With -c, print only the files that sit on a circle
# (none: exit 0; some: exit 1).
# Usage: tools/calls.sh [-c] [SRCDIR]    (POSIX sh and awk; no compiler)
cyc=0
[ "$1" = -c ] && { cyc=1; shift; }
src=${1:-src}
files=$(find "$src" -name '*.c' ! -name names_data.c | sort)
# definitions: a line "name(" at column 0 after a line that is a return type
# shellcheck disable=SC2086
awk '
FNR == 1 { prev = "" }
/^[a-z_][a-z0-9_]*\(/ && prev !~ /static/ && prev !~ /^#/ && prev != "" && prev !~ /[;{}]$/ {
	n = $0; sub(/\(.*/, "", n); print n, FILENAME
}
/^(const )?struct [a-z_]+ [a-z_][a-z0-9_]*(\[.*\])? =/ {
	n = $0; sub(/ *(\[.*\])? =.*/, "", n); sub(/.* /, "", n); print n, FILENAME
}
{ prev = $0 }' $files >"${TMPDIR:-/tmp}/calls.defs.$$"
# uses: every identifier outside comments and strings
awk -v defs="${TMPDIR:-/tmp}/calls.defs.$$" '
BEGIN { while ((getline l < defs) > 0) { split(l, a, " "); def[a[1]] = a[2] } }
{
	line = $0
	if (incom) { if (sub(/.*\*\//, "", line)) incom = 0; else next }
	gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
	if (sub(/\/\*.*/, "", line)) incom = 1
	gsub(/"([^"\\]|\\.)*"/, "\"\"", line)
	while (match(line, /[A-Za-z_][A-Za-z0-9_]*/)) {
		id = substr(line, RSTART, RLENGTH)
		line = substr(line, RSTART + RLENGTH)
		if ((id in def) && def[id] != FILENAME) {
			e = FILENAME " -> " def[id]
			if (!(e in seen)) { seen[e] = 1; print e }
		}
	}
}' $files | sort >"${TMPDIR:-/tmp}/calls.edges.$$"
rm -f "${TMPDIR:-/tmp}/calls.defs.$$"
if [ $cyc = 0 ]; then
	cat "${TMPDIR:-/tmp}/calls.edges.$$"
	rm -f "${TMPDIR:-/tmp}/calls.edges.$$"
	exit 0
fi
# peel off files that call no file left (and are called by none) until
# nothing changes: what remains lies on a circle
awk '
{ from[NR] = $1; to[NR] = $3; node[$1]; node[$3]; n = NR }
END {
	do {
		changed = 0
		for (v in node) { out[v] = 0; inn[v] = 0 }
		for (i = 1; i <= n; i++)
			if ((from[i] in node) && (to[i] in node)) { out[from[i]]++; inn[to[i]]++ }
		for (v in node)
			if (!out[v] || !inn[v]) { delete node[v]; changed = 1 }
	} while (changed)
	for (v in node) { print "on a circle: " v; bad = 1 }
	exit bad
}' "${TMPDIR:-/tmp}/calls.edges.$$"
rc=$?
rm -f "${TMPDIR:-/tmp}/calls.edges.$$"
exit $rc
