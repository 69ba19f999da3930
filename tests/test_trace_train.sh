#!/bin/sh
# SPDX-License-Identifier: MIT
# test_trace_train.sh - `mgpt-tui trace RUN --train-step S`: valid JSON of
# the documented shape; the step's loss and lr are the run's logged ones;
# its forward ops are `trace --step S-1 DOC`'s numbers; every forward op's
# grad is as long as its out; logits' grad is d_logits'; one param_grad and
# one adam per tensor in state_dict order; a replayed step and a snapshot
# step; text; bad flags get one line and exit 2. (The gradients themselves
# are checked against an autograd in tests/test_train_step.c.)
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
B=${top_builddir:-.}/tests
FLAT=$B/json_flat
[ -x "$FLAT" ] || { echo "test helpers not built" >&2; exit 99; }
DB=$T/r.db

expect 0 "train" -- "$M" train --db "$DB" --name one --steps 12 --snapshot-every 5 --samples 0 \
	|| { finish; }
expect 0 "train 2x2" -- "$M" train --db "$DB" --name two --steps 6 --n-layer 2 --n-head 2 \
	--samples 0 || { finish; }
"$M" export one --db "$DB" >"$T/log.csv" || fail "export"

# check_step RUN S CHECKED L H: one step, all checks
check_step() {
	run=$1 s=$2 checked=$3 L=$4 H=$5
	expect 0 "$run step $s json" -- "$M" trace "$run" --db "$DB" --train-step "$s" --format json \
		|| return
	[ -s "$T/err" ] && fail "$run step $s wrote to stderr: $(head -c 200 "$T/err")"
	cp "$T/out" "$T/step.json"
	"$FLAT" grad <"$T/step.json" >"$T/flat" || { fail "$run step $s: not valid JSON"; return; }
	head -1 "$T/step.json" | grep -q '^\[$' || fail "not an array a line"
	sed -n 2p "$T/step.json" >"$T/first"
	grep -q "^{\"op\":\"train_step\",\"pos\":null,\"layer\":null,\"head\":null,\"step\":$s," "$T/first" \
		|| fail "$run step $s: first object is not train_step: $(head -c 200 "$T/first")"
	grep -q "\"checked_against\":\"$checked\",\"weights_match\":true}" "$T/first" \
		|| fail "$run step $s: not checked against the $checked"
	doc=$(sed 's/.*"doc":"\([^"]*\)".*/\1/' "$T/first")
	n=$(sed 's/.*"positions":\([0-9]*\).*/\1/' "$T/first")
	[ "$n" = $((${#doc} + 1)) ] || fail "$run step $s: $n positions for '$doc'"

	# the op sequence: forward, loss, backward, param_grad, adam
	per=$((5 + L * (14 + 4 * H)))
	nf=$((n * per))
	nb=$((1 + 2 * n + L * (7 * n + 3 * H * n) + 2 * n))
	nt=$((3 + 6 * L))
	[ "$(wc -l <"$T/flat")" = $((1 + nf + nb + 2 * nt)) ] \
		|| fail "$run step $s: $(wc -l <"$T/flat") objects, want $((1 + nf + nb + 2 * nt))"
	sed -n "$((nf + 2))p" "$T/flat" | grep -q '^loss null null null$' || fail "loss after the forward"
	sed -n "$((nf + 3))p" "$T/flat" | grep -q '^d_logits 0 ' || fail "d_logits first"
	sed -n "$((nf + nb + 1))p" "$T/flat" | grep -q '^d_embed 0 ' || fail "d_embed @ 0 last"
	# every forward op has a grad as long as its out
	awk -v nf="$nf" 'NR >= 3 && NR <= nf + 2 {
		line = $0
		o = line; sub(/.*"out":\[/, "", o); sub(/\].*/, "", o)
		g = line; sub(/.*"grad":\[/, "", g); sub(/\].*/, "", g)
		if (index(line, "\"grad\":[") == 0 || split(o, a, ",") != split(g, b, ",")) bad++
	} END { exit bad > 0 }' "$T/step.json" || fail "$run step $s: a forward op without a grad of its length"

	# the logged loss and lr of step s (export prints %.17g, so does trace)
	if [ "$run" = one ]; then
		want=$(awk -F, -v s="$s" '$1 == s { print $2 "," $3 }' "$T/log.csv")
		got=$(sed 's/.*"loss":\([^,]*\),"lr":\([^,]*\),.*/\1,\2/' "$T/first")
		[ "$got" = "$want" ] || fail "step $s: loss,lr $got, logged $want"
	fi

	# the forward ops are trace's for DOC with the weights after s-1 steps
	expect 0 "trace --step" -- "$M" trace "$run" --db "$DB" --step $((s - 1)) --format json "$doc"
	"$FLAT" <"$T/out" | head -n "$nf" >"$T/want"
	"$FLAT" out <"$T/step.json" | sed -n "2,$((nf + 1))p" >"$T/got"
	cmp -s "$T/got" "$T/want" || fail "$run step $s: forward ops differ from trace --step $((s - 1)) $doc"

	# logits' grad is d_logits' grad, position by position
	grep '"op":"logits"' "$T/step.json" | sed 's/.*"grad":\[\([^]]*\)\].*/\1/' >"$T/got"
	grep '"op":"d_logits"' "$T/step.json" | sed 's/.*"grad":\[\([^]]*\)\].*/\1/' >"$T/want"
	[ "$(wc -l <"$T/got")" = "$n" ] && cmp -s "$T/got" "$T/want" || fail "$run step $s: logits grad"

	# per tensor, state_dict order, R*C numbers
	want="wte wpe lm_head"
	l=0
	while [ $l -lt "$L" ]; do
		for k in attn_wq attn_wk attn_wv attn_wo mlp_fc1 mlp_fc2; do want="$want layer$l.$k"; done
		l=$((l + 1))
	done
	for op in param_grad adam; do
		got=$(grep "\"op\":\"$op\"" "$T/step.json" | sed 's/.*"tensor":"\([^"]*\)".*/\1/' | tr '\n' ' ')
		[ "$got" = "$want " ] || fail "$run step $s: $op tensors '$got'"
	done
	grep '"op":"param_grad"' "$T/step.json" | awk '{
		r = $0; sub(/.*"rows":/, "", r); sub(/,.*/, "", r)
		c = $0; sub(/.*"cols":/, "", c); sub(/,.*/, "", c)
		g = $0; sub(/.*"grad":\[/, "", g); sub(/\].*/, "", g)
		if (split(g, a, ",") != r * c) bad++
	} END { exit bad > 0 }' || fail "$run step $s: a param_grad is not rows*cols long"
	grep '"op":"adam"' "$T/step.json" | awk '{
		r = $0; sub(/.*"rows":/, "", r); sub(/,.*/, "", r)
		c = $0; sub(/.*"cols":/, "", c); sub(/,.*/, "", c)
		for (k = 1; k <= 3; k++) {
			key = k == 1 ? "\"m\":\\[" : k == 2 ? "\"v\":\\[" : "\"after\":\\["
			x = $0; if (!sub(".*" key, "", x)) { bad++; continue }
			sub(/\].*/, "", x)
			if (split(x, a, ",") != r * c) bad++
		}
	} END { exit bad > 0 }' || fail "$run step $s: an adam without m, v, after of rows*cols"
	ok "$run step $s: $((1 + nf + nb + 2 * nt)) objects"
}

check_step one 7 replay 1 4
check_step one 10 snapshot 1 4
check_step one 1 replay 1 4
check_step two 3 replay 2 2

# text, readable
expect 0 "text" -- "$M" trace one --db "$DB" --train-step 7
grep -q '^# run [0-9]* .one., training step 7 / 12: document' "$T/out" || fail "text header"
grep -q '^# backward, in the order computed' "$T/out" || fail "text backward"
grep -q '^  L0H3 d_attn_scores @ pos 0' "$T/out" || fail "text d_attn_scores"
grep -q '^  adam layer0.attn_wq \[16 x 16\]: lr ' "$T/out" || fail "text adam"
grep -q '^    grad  ' "$T/out" || fail "text forward grads"
ok "text"

# bad use: one line, exit 2 (usage) or 1
for args in "--train-step 0" "--train-step 13" "--train-step x" "--train-step 3 emma" \
	"--train-step 3 --step 2" "--train-step 3 --ablate L0H1" "--train-step 3 --sweep"; do
	# shellcheck disable=SC2086
	expect 2 "$args" -- "$M" trace one --db "$DB" $args && one_line_error "$args"
done
expect 2 "past the end" -- "$M" trace one --db "$DB" --train-step 13
grep -q 'mgpt-tui: --train-step: 13 is not a step of the run (1..12)' "$T/err" || fail "past the end message"
expect 1 "no such run" -- "$M" trace nosuch --db "$DB" --train-step 3 && one_line_error "no such run"
ok "errors"
finish
