#!/bin/sh
# SPDX-License-Identifier: MIT
# test_trace_attrib.sh - trace's workbench ops (head_logits, lens, --sweep's
# ablation, --patch-from/--patch) carry the engine's own numbers
# (tests/attrib_ref reads them from src/engine/attrib.c by a second path),
# for the default run and a 2-layer run; the last position is scored with
# the closing target, and the input's loss is training's loss of that name;
# bad flags get one line on stderr and exit 2.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
B=${top_builddir:-.}/tests
FLAT=$B/json_flat
REF=$B/attrib_ref
[ -x "$FLAT" ] && [ -x "$REF" ] || { echo "test helpers not built" >&2; exit 99; }

# the workbench's ops of $T/out as json_flat lines, into $T/got
wb() {
	"$FLAT" <"$T/out" >"$T/flat" || { fail "$1: not valid JSON"; return 1; }
	grep -e '^head_logits ' -e '^lens ' -e '^ablation ' -e '^patch ' "$T/flat" >"$T/got"
}
compare() {
	if ! cmp -s "$T/got" "$T/want"; then
		fail "$1: $(diff "$T/want" "$T/got" | head -c 400)"
		return 1
	fi
	ok "$1 ($(wc -l <"$T/want") lines)"
}
count() { # OP WANT
	n=$(grep -c "^$1 " "$T/got")
	[ "$n" = "$2" ] || fail "$n $1 lines, want $2"
}

# The default run, "emma" (5 positions, 4 heads, 3 lens points, 16 subsets).
expect 0 "trace --sweep json" -- "$M" trace --format json --sweep emma
[ -s "$T/err" ] && fail "trace wrote to stderr: $(head -c 200 "$T/err")"
wb "--sweep json"
"$REF" -S emma >"$T/want" || fail "attrib_ref failed"
compare "head_logits, lens, ablation = engine numbers"
count head_logits 20
count lens 15
count ablation 16
grep -q '^lens 4 L0.mlp ' "$T/got" || fail "no L0.mlp lens at pos 4"
grep -q '{"op":"ablation","off":\[\],"text_loss":[0-9]' "$T/out" || fail "all-on ablation: off not []"
grep -q '{"op":"ablation","off":\["L0H0","L0H2"\],' "$T/out" || fail "ablation off list"
# the last lens point is the logits
grep '^lens 3 L0.mlp ' "$T/got" | cut -d' ' -f4- >"$T/a"
grep '^logits 3 ' "$T/flat" | cut -d' ' -f5- >"$T/b"
cmp -s "$T/a" "$T/b" || fail "lens L0.mlp != logits at pos 3"

# The closing target: the last position predicts BOS, with its loss, and
# the input's loss (the all-on text_loss) is the mean of the positions'.
"$REF" -t emma >"$T/tl"
grep '"op":"probs","pos":4,' "$T/out" | grep -o '"target":[^,]*,"target_char":[^,]*,"loss":[^,}]*' >"$T/got"
echo "\"target\":26,\"target_char\":null,\"loss\":$(awk '$1 == 4 { print $3 }' "$T/tl")" >"$T/want"
compare "last position: target BOS and its loss"
grep -o '"off":\[\],"text_loss":[^,]*' "$T/out" | cut -d: -f3 >"$T/got"
awk '$1 == "mean" { print $2 }' "$T/tl" >"$T/want"
compare "text_loss = mean of the positions' losses"
# a cut input's last target is the next character (as training cuts a name)
expect 0 "cut input" -- "$M" trace --format json abcdefghijklmnopqrstuvwxyz
grep '"op":"probs","pos":15,' "$T/out" | grep -q '"target":15,"target_char":"p","loss":[0-9]' \
	|| fail "cut input: last target is not 'p'"

# The input's loss is training's logged loss of that name: step 501 trains
# document 500 with the weights after 500 steps.
name=$("$REF" -d 500 x)
expect 0 "--step 500 --sweep" -- "$M" trace --format json --step 500 --sweep "$name"
grep -o '"off":\[\],"text_loss":[^,]*' "$T/out" | cut -d: -f3 >"$T/got"
"$M" export latest | awk -F, '$1 == 501 { print $2 }' >"$T/want"
compare "text_loss of '$name' at step 500 = the logged loss of step 501"

# Heads off and a patch: the patched pass's ops and the workbench's.
expect 0 "--patch json" -- "$M" trace --format json --ablate L0H1 --patch-from anna --patch l0h2@2 emma
wb "--patch json"
"$REF" -m 2 -f anna -P 0,2,2 emma >"$T/want"
compare "--ablate --patch: head_logits, lens, patch = engine numbers"
count patch 1
grep -e '^logits ' -e '^probs ' "$T/flat" >"$T/got"
"$REF" -m 2 -f anna -P 0,2,2 -o emma >"$T/want"
compare "--patch: the pass printed is the patched pass"
"$M" trace --format json --ablate L0H1 emma | "$FLAT" | grep '^probs 2 ' >"$T/a"
grep '^probs 2 ' "$T/got" >"$T/b"
cmp -s "$T/a" "$T/b" && fail "--patch changed nothing at pos 2"
grep -q '"op":"patch","pos":2,"layer":0,"head":2,"from":"anna","out":\[' "$T/out" \
	|| fail "patch op"

# Text: the parts, the lens, the sweep table, the patch.
expect 0 "text --sweep --patch" -- "$M" trace --sweep --patch-from anna --patch L0H2@2 emma
grep -q '^pos 4: a -> BOS; logits = embed + heads + mlp (largest error' "$T/out" || fail "text parts"
grep -q '^  lens L0.attn ' "$T/out" || fail "text lens"
[ "$(grep -c -E '^  L0H[0-9,LH]* +[0-9.]+ +[0-9.]+$' "$T/out")" = 15 ] || fail "text sweep rows"
grep -q "^# patched: L0H2's output at pos 2 is its output on 'anna'" "$T/out" || fail "text patch"

# Help and bad flags: one line, exit 2, nothing on stdout.
expect 0 "help" -- "$M" trace --help
grep -q -- '--sweep' "$T/out" && grep -q -- '--patch-from TEXT2' "$T/out" || fail "trace --help"
bad() { # WHAT ARGS...
	what=$1; shift
	expect 2 "$what" -- "$M" "$@" && one_line_error "$what"
	[ -s "$T/out" ] && fail "$what: wrote to stdout"
	grep -q -- "$FLAGNAME" "$T/err" || fail "$what: $FLAGNAME not named: $(cat "$T/err")"
}
FLAGNAME=--patch
bad "--patch alone" trace --patch L0H1@1 emma
bad "--patch-from alone" trace --patch-from anna emma
bad "bad --patch" trace --patch-from anna --patch L0X1@1 emma
bad "--patch no @" trace --patch-from anna --patch L0H1 emma
bad "--patch no such head" trace --patch-from anna --patch L0H4@1 emma
bad "--patch no such layer" trace --patch-from anna --patch L1H0@1 emma
bad "--patch past the input" trace --patch-from anna --patch L0H1@5 emma
bad "--patch-from unknown char" trace --patch-from 'an!a' --patch L0H1@1 emma
grep -q "'!'" "$T/err" || fail "unknown char not named"
bad "--patch-from other length" trace --patch-from annie --patch L0H1@1 emma
FLAGNAME=--sweep
bad "--sweep with a value" trace --sweep=3 emma
# A 2-layer run (8 heads: 256 subsets) on 300 of the names.
head -n 300 "$top_srcdir/data/names.txt" >"$T/names300.txt"
expect 0 "train 2-layer" -- "$M" train --data "$T/names300.txt" --n-layer 2 --steps 300 --name two
expect 0 "2-layer --sweep" -- "$M" trace two --format json --sweep sophie
wb "2-layer json"
"$REF" -D "$T/names300.txt" -l 2 -n 300 -S sophie >"$T/want"
compare "2-layer: head_logits, lens, ablation = engine numbers"
count head_logits 56
count lens 35
count ablation 256
grep -q '^lens 6 L1.attn ' "$T/got" || fail "no L1.attn lens"
expect 0 "2-layer --patch" -- "$M" trace two --format json --patch-from agatha --patch L0H3@4 sophie
wb "2-layer patch"
"$REF" -D "$T/names300.txt" -l 2 -n 300 -f agatha -P 0,3,4 sophie >"$T/want"
compare "2-layer --patch L0H3@4 = engine numbers"
grep -e '^logits ' -e '^probs ' "$T/flat" >"$T/got"
"$REF" -D "$T/names300.txt" -l 2 -n 300 -f agatha -P 0,3,4 -o sophie >"$T/want"
compare "2-layer: the patched pass"

finish
