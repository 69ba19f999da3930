#!/bin/sh
# SPDX-License-Identifier: MIT
# The run view's loss curve at 80x24: the moving average drawn in the
# charset's dots over a band of per-step losses in another glyph, with
# and without NO_COLOR (the two apart by glyph, not by colour alone); x puts
# the steps on a log axis (the powers of ten labelled) and back.
. "$(dirname "$0")/../lib.sh"
M=$MGPT_TUI
D=$T/runs.db
"$M" train --db "$D" --steps 1000 --name alpha --samples 0 >/dev/null 2>&1 || fail "train alpha"
. "$(dirname "$0")/../screen_lib.sh"
# the curve's rows (between the title and the legend) a byte a cell: B for
# a braille glyph (U+2801-28FF), o for the middle dot, ? for other UTF-8
B=$(printf '\342[\240-\243][\200-\277]') MD=$(printf '\302\267') U=$(printf '[\300-\377][\200-\277]*')
curve() {
	sed -n '2,/avg 50/p' "$T/pane" | sed '$d' |
	    LC_ALL=C sed -e "s/$B/B/g" -e "s/$MD/o/g" -e "s/$U/?/g"
}
for nc in "" 1; do
	start 80 24 "NO_COLOR=$nc '$M' replay alpha --db '$D'"
	wait_for "avg 50"
	curve >"$T/curve"
	# braille for the line, the middle dot for the noise, never one alone
	grep -q B "$T/curve" && grep -q o "$T/curve" \
	    && ok "NO_COLOR='$nc': the average in dots, the per-step losses as ·" \
	    || fail "NO_COLOR='$nc': the curve lacks one of the glyphs: $(cat "$T/curve")"
	# the average is one line across: a dot glyph in (nearly) every column
	cols=$(LC_ALL=C awk '{ for (i = 6; i <= length($0); i++) if (substr($0, i, 1) == "B") seen[i] = 1 }
	    END { k = 0; for (i in seen) k++; print k }' "$T/curve")
	[ "$cols" -ge 70 ] && [ "$cols" -le 75 ] && ok "NO_COLOR='$nc': the line spans $cols columns" \
	    || fail "NO_COLOR='$nc': the line spans only $cols columns"
	grep -q "⠒⠒ avg 50  ·· per step" "$T/pane" && ok "NO_COLOR='$nc': the legend shows both glyphs" \
	    || fail "NO_COLOR='$nc': legend: $(grep 'avg' "$T/pane")"
	axis=$(grep '└' "$T/pane")
	case $axis in *─10─*) fail "a linear axis labels 10: $axis" ;; esac
	keys x
	wait_for "log steps"
	axis=$(grep '└' "$T/pane")
	case $axis in
	*─10─*─100─*1000) ok "NO_COLOR='$nc': x: a log axis with 10 and 100" ;;
	*) fail "NO_COLOR='$nc': the log axis: $axis" ;;
	esac
	keys x
	wait_gone "log steps"
	keys q
	ended "q" && [ "$rc" = 0 ] || fail "exit $rc"
done
finish
