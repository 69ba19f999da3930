#!/bin/sh
# SPDX-License-Identifier: MIT
# test_trace.sh - `mgpt-tui trace`: the JSON is valid and carries the
# engine's own numbers (tests/trace_ref reads them from the trace by a
# second path), the text names every op, and bad input gets one line on
# stderr with exit 1 or 2.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
B=${top_builddir:-.}/tests
FLAT=$B/json_flat
REF=$B/trace_ref
[ -x "$FLAT" ] && [ -x "$REF" ] || { echo "test helpers not built" >&2; exit 99; }

# The pass's ops as json_flat lines, JSON checked whole; the workbench's ops
# that follow them (head_logits, lens) are test_trace_attrib.sh's subject.
flat() {
	"$FLAT" >"$T/flat" || return 1
	grep -v -e '^head_logits ' -e '^lens ' "$T/flat"
}

# compare WHAT: $T/got against $T/want, line by line, as text (the numbers
# are %.17g on both sides, so equal text is equal doubles)
compare() {
	if ! cmp -s "$T/got" "$T/want"; then
		fail "$1: $(diff "$T/want" "$T/got" | head -c 400)"
		return 1
	fi
	ok "$1 ($(wc -l <"$T/want") ops)"
}

# The default run, 1000 steps, input "emma": 5 positions of 35 ops.
expect 0 "trace json" -- "$M" trace --format json emma
[ -s "$T/err" ] && fail "trace json wrote to stderr: $(head -c 200 "$T/err")"
flat <"$T/out" >"$T/got" || fail "trace json is not valid JSON"
"$REF" emma >"$T/want" || fail "trace_ref failed"
compare "json = engine numbers"
[ "$(wc -l <"$T/got")" = 175 ] || fail "emma: $(wc -l <"$T/got") ops, want 175"
# one object a line, each with the keys the issue names
grep -c '"op":"attn_weights"' "$T/out" | grep -qx 20 || fail "attn_weights objects"
grep '"op":"attn_weights","pos":3,"layer":0,"head":2,' "$T/out" >"$T/line" || fail "L0H2 attn_weights @ 3"
awk -F'"out":\\[' '{ split($2, a, "]"); n = split(a[1], v, ","); exit n != 4 }' "$T/line" \
	|| fail "attn_weights at pos 3 has not 4 weights"
grep '"op":"probs","pos":0,' "$T/out" >"$T/line" || fail "probs @ 0"
awk -F'"out":\\[' '{ split($2, a, "]"); n = split(a[1], v, ","); exit n != 27 }' "$T/line" \
	|| fail "probs out is not indexed by the 27 token ids"
grep -q '"vocab":\["a","b",.*"z",null\]' "$T/line" || fail "probs vocab, BOS last"
grep -q '"target":4,"target_char":"e","loss":[0-9]' "$T/line" || fail "probs target e"
grep -q '"op":"embed","pos":0,"layer":null,"head":null,' "$T/out" || fail "null layer/head"

# An earlier step, and heads switched off: still the engine's numbers.
expect 0 "trace --step 10" -- "$M" trace --format json --step 10 anna
flat <"$T/out" >"$T/got" || fail "--step json invalid"
"$REF" -s 10 anna >"$T/want"
compare "--step 10 = engine numbers"
expect 0 "trace --ablate" -- "$M" trace --format json --ablate L0H1,l0h3 emma
flat <"$T/out" >"$T/got" || fail "--ablate json invalid"
"$REF" -m 10 emma >"$T/want"
compare "--ablate L0H1,L0H3 = engine numbers"
grep '"op":"concat","pos":2,' "$T/out" | grep -q '"heads_off":\["L0H1","L0H3"\]' \
	|| fail "concat does not list the heads off"
grep '"op":"probs","pos":1,' "$T/out" | grep -q '"probs_all_heads":\[.*"loss_all_heads":' \
	|| fail "probs without the all-heads-on comparison"
grep -q '"op":"head_out","pos":1,"layer":0,"head":1,.*"off":true' "$T/out" || fail "head_out off"
# the ablated pass's all-heads-on figures are the plain pass's
"$M" trace --format json emma | grep '"op":"probs","pos":1,' | sed 's/.*"out":\[\([^]]*\)\].*/\1/' >"$T/want"
grep '"op":"probs","pos":1,' "$T/out" | sed 's/.*"probs_all_heads":\[\([^]]*\)\].*/\1/' >"$T/got"
compare "probs_all_heads = the pass with all heads on"

# Text: every op named, in the same order as the JSON.
expect 0 "trace text" -- "$M" trace emma
grep -E '^  (L[0-9]+(H[0-9]+)? )?[a-z_0-9]+ @ pos [0-9]+' "$T/out" | sed 's/^  \(L[0-9H]* \)\{0,1\}\([a-z_0-9]*\) @ pos \([0-9]*\).*/\2 \3/' >"$T/got"
"$REF" emma | cut -d' ' -f1,2 >"$T/want"
compare "text op sequence"
grep -q "^# run [0-9]* '[^']*'.* at step 1000$" "$T/out" || fail "text header: $(head -1 "$T/out")"
grep -q 'L0 relu @ pos 0: [0-9]* of 64 units active' "$T/out" || fail "relu active count"

# BOS alone (empty TEXT); a long TEXT is cut at block_size with a note.
expect 0 "empty text" -- "$M" trace --format json "" && flat <"$T/out" >"$T/got" \
	&& [ "$(wc -l <"$T/got")" = 35 ] || fail "empty TEXT: BOS alone"
expect 0 "long text" -- "$M" trace --format json abcdefghijklmnopqrstuvwxyz
flat <"$T/out" >"$T/got" && [ "$(wc -l <"$T/got")" = $((16 * 35)) ] || fail "long TEXT not cut at 16 tokens"
[ "$(wc -l <"$T/err")" = 1 ] && grep -q '^mgpt-tui: note: .*cut' "$T/err" || fail "no cut note: $(cat "$T/err")"
expect 0 "help" -- "$M" trace --help && grep -q '^usage: mgpt-tui trace' "$T/out" || fail "trace --help"

# Bad input: one line, exit 1 or 2.
bad() { # CODE WHAT ARGS...
	code=$1; what=$2; shift 2
	expect "$code" "$what" -- "$M" "$@" && one_line_error "$what"
	[ -s "$T/out" ] && fail "$what: wrote to stdout"
}
bad 2 "unknown char" trace 'em!ma'
grep -q "'!'" "$T/err" || fail "unknown char not named: $(cat "$T/err")"
bad 2 "unknown chars" trace 'Zo1Z'
grep -q "vocabulary: 'Z', '1'$" "$T/err" || fail "unknown chars not named: $(cat "$T/err")"
bad 2 "control char" trace "$(printf 'a\tb')"
grep -q 'U+0009' "$T/err" || fail "tab not named"
bad 2 "invalid utf-8" trace "$(printf 'a\377')"
bad 2 "bad --ablate" trace --ablate L0X1 emma
grep -q -- '--ablate' "$T/err" || fail "bad --ablate does not name the flag"
bad 2 "empty --ablate" trace --ablate '' emma
bad 2 "--ablate no such head" trace --ablate L0H4 emma
grep -q -- '--ablate' "$T/err" || fail "--ablate L0H4 does not name the flag"
bad 2 "--ablate no such layer" trace --ablate L1H0 emma
bad 2 "bad --format" trace --format xml emma
grep -q -- '--format' "$T/err" || fail "bad --format does not name the flag"
bad 2 "bad --step" trace --step x emma
bad 2 "--step too far" trace --step 1001 emma
bad 2 "negative --step" trace --step -1 emma
bad 2 "no text" trace
bad 2 "extra argument" trace a b c
bad 2 "unknown option" trace --bogus emma
bad 2 "missing value" trace emma --format
bad 1 "no such run" trace nosuchrun emma
finish
