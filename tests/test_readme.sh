#!/bin/sh
# SPDX-License-Identifier: MIT
# test_readme.sh - the examples of README.md and the man page come from the
# program: train's output as quoted, and the debugger's worked example (a
# screen) number by number against what `mgpt-tui trace` prints, then, in
# tmux, character by character against the screen itself.
#
# The worked example is the fenced block after the comment
# "<!-- screen WxH: mgpt-tui, keys K... (...)" in README.md (K*N is K sent
# N times). With UPDATE_README=1 (and tmux) the block is rewritten from the
# program: UPDATE_README=1 make check TESTS=tests/test_readme.sh; then run
# it again, as the numbers are checked before the screen is captured.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
R="$top_srcdir/README.md"
MAN="$top_srcdir/man/mgpt-tui.1.in"

# ---- train's output as the README and the man page quote it ----
expect 0 "train" -- "$M" train --no-db || fail "train"
awk '/^`train` prints exactly/ { f = 1; next }
     f && /^```/ { if (++n == 2) exit; next }
     f && n == 1 && $0 != "..." && $0 != "" { print }' "$R" >"$T/quoted"
[ "$(wc -l <"$T/quoted")" -ge 6 ] || fail "README: train's example not found ($(wc -l <"$T/quoted") lines)"
while IFS= read -r line; do
	grep -qxF -- "$line" "$T/out" || fail "README quotes '$line'; train prints no such line"
done <"$T/quoted"
grep -oE 'step +[0-9]+ / 1000 \| loss [0-9.]+' "$MAN" >"$T/manq"
[ -s "$T/manq" ] || fail "man page: no step line found"
while IFS= read -r line; do
	grep -qxF -- "$line" "$T/out" || fail "man page quotes '$line'; train prints no such line"
done <"$T/manq"
ok "train's output as quoted"

# ---- the worked example: every number against trace ----
awk '/^<!-- screen [0-9]+x[0-9]+: / { f = 1; next }
     f && /^```/ { if (++n == 2) exit; next }
     f && n == 1 { print }' "$R" >"$T/block"
spec=$(grep -m1 '^<!-- screen [0-9]*x[0-9]*: ' "$R")
[ -s "$T/block" ] && [ -n "$spec" ] || fail "README: no worked example after '<!-- screen WxH: ...'"
set -- $(sed -n 's/^  L\([0-9]*\)H\([0-9]*\) attn_scores @ pos \([0-9]*\) .*/\1 \2 \3/p' "$T/block")
L=${1:-x} H=${2:-x} P=${3:-x}
expect 0 "trace" -- "$M" trace --format json emma || fail "trace emma"
grep -F "\"op\":\"head_qkv\",\"pos\":$P,\"layer\":$L,\"head\":$H," "$T/out" >"$T/qkv"
grep -F "\"op\":\"attn_scores\",\"pos\":$P,\"layer\":$L,\"head\":$H," "$T/out" >"$T/scores"
[ -s "$T/qkv" ] && [ -s "$T/scores" ] || fail "trace: no L${L}H$H head_qkv/attn_scores at pos $P"
# expected values, one vector a line: q, k[0..P], scores (17-digit text)
{
	sed 's/.*"out":\[\([^]]*\)\].*/q \1/' "$T/qkv"
	sed 's/.*"k":\[\[\(.*\)\]\],"v".*/\1/; s/\],\[/\n/g' "$T/qkv" | sed 's/^/k /'
	sed 's/.*"out":\[\([^]]*\)\].*/s \1/' "$T/scores"
} | tr ',' ' ' >"$T/want"
awk -v want="$T/want" '
function num(s,   a, n, i, t) { # the decimal numbers of s, with their sign
	n = 0
	while (match(s, /[-+]?[0-9]+\.[0-9]+/)) {
		a[++n] = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
	}
	for (i = 1; i <= n; i++) t = t (i > 1 ? " " : "") a[i]
	return t
}
function same(got, val, fmt, what) {
	checked++
	if (got != sprintf(fmt, val)) { printf "FAIL: %s: README %s, trace %s\n", what, got, sprintf(fmt, val); bad++ }
}
BEGIN { nk = 0
	while ((getline line < want) > 0) {
		n = split(line, f, " ")
		if (f[1] == "q") for (i = 2; i <= n; i++) q[i - 2] = f[i]
		if (f[1] == "k") { for (i = 2; i <= n; i++) k[nk, i - 2] = f[i]; nk++ }
		if (f[1] == "s") for (i = 2; i <= n; i++) { sc[i - 2] = f[i]; ns++ }
	}
}
/^q  / { n = split(num($0), g, " "); rows++
	if (n != 4) { print "FAIL: q row: " n " numbers"; bad++ }
	for (i = 1; i <= n; i++) same(g[i], q[i - 1], "%+.4f", "q[" i - 1 "]") }
/^[0-9]+  / { u = $1; n = split(num($0), g, " "); rows++
	if (n != 5) { print "FAIL: row " u ": " n " numbers"; bad++ }
	for (i = 1; i <= 4 && i <= n; i++) same(g[i], k[u, i - 1], "%+.4f", "k[" u "][" i - 1 "]")
	if (n == 5) same(g[5], sc[u], "%+.4f", "score[" u "]") }
/^ score\[[0-9]+\] = / { sel = $1; sub(/^score\[/, "", sel); sub(/\].*/, "", sel); rows++
	checked++
	if (($3 "") != (sc[sel] "")) { printf "FAIL: score[%d]: README %s, trace %s\n", sel, $3, sc[sel]; bad++ }
	formula = 1; next }
formula && /^   / { fl = fl " " num($0) }
END {
	n = split(fl, g, " ")
	if (n != 8) { print "FAIL: the formula has " n " numbers, not 8"; bad++ }
	for (i = 1; i <= n; i++) {
		d = int((i - 1) / 2)
		if (i % 2) same(g[i], q[d], "%.6g", "formula q" d); else same(g[i], k[sel, d], "%.6g", "formula k" d)
	}
	if (rows != 6 || checked != 4 + 4 * 5 + 1 + 8) { print "FAIL: " rows " rows, " checked " numbers checked"; bad++ }
	exit bad > 0
}' "$T/block" >"$T/cmp" 2>&1 || fail "the worked example against trace:
$(cat "$T/cmp")"
grep -q '^FAIL' "$T/cmp" || ok "the worked example: $(grep -c . "$T/block") lines, every number as trace prints it"

# ---- the worked example: the screen itself ----
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: the screen itself not compared"; finish; }
. "$(dirname "$0")/screen_lib.sh"
size=$(echo "$spec" | sed 's/^<!-- screen \([0-9]*\)x\([0-9]*\):.*/\1 \2/')
ks=$(echo "$spec" | sed 's/.* keys \([^(]*\)(.*/\1/; s/ *-->.*//')
start $size "'$M'"
wait_for "op 1 of 175" || finish
for k in $ks; do
	case $k in
	*\**) i=${k#*\*}; while [ "$i" -gt 0 ]; do keys "${k%\**}"; i=$((i - 1)); done ;;
	*) keys "$k" ;;
	esac
done
wait_for "$(sed -n 3p "$T/block" | sed 's/^ *//; s/  .*//')" || true
wait_for "$(grep -o '^ score\[[0-9]*\] = ' "$T/block" | sed 's/^ *//')" 10 || true
cap | cat -s >"$T/screen"
keys q
ended "the worked example's screen"
if [ "${UPDATE_README:-}" = 1 ]; then
	awk -v new="$T/screen" '
	/^<!-- screen [0-9]+x[0-9]+: / { f = 1 }
	f && /^```/ { n++; print; if (n == 1) while ((getline l < new) > 0) print l; else f = 0; next }
	f && n == 1 { next }
	{ print }' "$R" >"$T/README.new" && cp "$T/README.new" "$R" && cp "$T/screen" "$T/block" \
		&& echo "README.md: the worked example rewritten"
fi
if diff "$T/block" "$T/screen" >"$T/diff"; then
	ok "the worked example is the screen"
else
	fail "the worked example differs from the screen (< README, > screen); UPDATE_README=1 rewrites it:
$(cat "$T/diff")"
fi
finish
