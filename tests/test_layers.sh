#!/bin/sh
# SPDX-License-Identifier: MIT
# test_layers.sh - the house rules of docs/ARCHITECTURE.md, read from the
# sources: no circle between files, each folder includes only what sits
# below it, one training loop, no file over 800 lines without a reason.
. "$(dirname "$0")/lib.sh"
S=$top_srcdir/src

out=$(sh "$top_srcdir/tools/calls.sh" -c "$S" 2>&1) && ok "no circle between the files of src/" \
	|| fail "files on a circle of calls: $out"

# includes_in DIR PATTERN: the files of DIR whose #include lines match
includes_in() { grep -l "^#include .*$2" "$S/$1"/*.[ch] 2>/dev/null; }
bad=$(includes_in engine '"\(store\|session\|ui\|cli\|cmd\|debug_run\|train_run\)[a-z_]*\.h"\|curses\|sqlite')
[ -z "$bad" ] && ok "the engine includes nothing above it" || fail "the engine includes from above: $bad"
bad=$(includes_in store '"\(session\|ui\|cli\|cmd\|debug_run\|debug_session\|train_run\|replay_run\)[a-z_]*\.h"\|curses')
[ -z "$bad" ] && ok "the store includes no session, screen or command line" || fail "store: $bad"
bad=$(includes_in session 'curses\|"cli\.h"\|"cmd\.h"\|"ui[a-z_]*\.h"')
[ -z "$bad" ] && ok "session/ includes no curses, cli.h or ui" || fail "session/: $bad"
bad=$(grep -ln '\b\(printf\|fprintf\|puts\|fputs\|putchar\|perror\)\s*(' "$S"/session/*.c)
[ -z "$bad" ] && ok "session/ prints nothing" || fail "session/ prints: $bad"
bad=$(includes_in ui '"cli\.h"\|"cmd\.h"')
[ -z "$bad" ] && ok "ui/ includes no cli.h" || fail "ui/: $bad"
bad=$(grep -ln 'curses\.h' "$S"/*.c "$S"/*.h "$S"/session/* "$S"/store/* "$S"/engine/* 2>/dev/null)
[ -z "$bad" ] && ok "only src/ui includes curses.h" || fail "curses.h outside src/ui: $bad"

# one training loop: trainer_step outside the engine only in train_run.c (and in
# train_step.c, which re-runs one logged step with its records attached)
# (the store's replay re-runs logged steps; that is not training)
bad=$(grep -ln 'trainer_step\s*(' "$S"/*.c "$S"/session/*.c "$S"/ui/*.c | grep -v '/session/train_run\.c$' \
	| grep -v '/session/train_step\.c$')
[ -z "$bad" ] && ok "trainer_step is called from one loop (session/train_run.c)" \
	|| fail "trainer_step called from: $bad"

# no source file over 800 lines unless its first lines say why
for f in "$S"/*.[ch] "$S"/*/*.[ch]; do
	case $f in
	*/names_data.c) continue ;;
	esac
	n=$(wc -l <"$f")
	[ "$n" -le 800 ] && continue
	head -n 12 "$f" | grep -qi 'over 800 lines' || fail "$(basename "$f") has $n lines and no reason at its top"
done
finish
