#!/bin/sh
# SPDX-License-Identifier: MIT
# valgrind_screen.sh - test_screen.sh with every run of mgpt-tui under
# valgrind's memcheck (make check-valgrind): the real binary in tmux, driven
# through every screen test, must show no memory errors and no definite leaks.
#
# MGPT_TUI becomes a wrapper that runs the binary under valgrind, so the
# screen tests run unchanged. Each process logs to a file of its own; -q
# leaves the file empty unless memcheck found something (an error, or a
# definite leak: --errors-for-leak-kinds=definite), and such a run also
# exits 99 (--error-exitcode), which the screen tests see as a failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MGPT_TUI:=$here/../src/mgpt-tui}"
# make check-valgrind names the shared-linked copy (src/mgpt-tui-shared):
# memcheck replaces malloc only in a dynamically linked program.
MGPT_TUI=${VALGRIND_MGPT_TUI:-$MGPT_TUI}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not found: skipping (Debian: apt-get install valgrind)"
	exit 77
fi
if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux not found: skipping"
	exit 77
fi
# A sanitizer build cannot run under valgrind.
if grep -q __asan_init "$MGPT_TUI" 2>/dev/null; then
	echo "an --enable-sanitizers build: skipping (valgrind needs a plain build)"
	exit 77
fi
if ! ldd "$MGPT_TUI" >/dev/null 2>&1; then
	echo "$MGPT_TUI is linked statically: skipping (make check-valgrind runs src/mgpt-tui-shared)"
	exit 77
fi
VG=$(mktemp -d "${TMPDIR:-/tmp}/mgpt-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$VG"' EXIT
cat >"$VG/mgpt-tui" <<EOF
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
    --show-leak-kinds=definite --log-file='$VG/log.%p' '$MGPT_TUI' "\$@"
EOF
chmod +x "$VG/mgpt-tui"

MGPT_TUI="$VG/mgpt-tui" sh "$here/test_screen.sh"
rc=$?
[ "$rc" = 77 ] && exit 77

runs=0 found=0
for f in "$VG"/log.*; do
	[ -f "$f" ] || continue
	runs=$((runs + 1))
	if [ -s "$f" ]; then
		found=$((found + 1))
		echo "FAIL: memcheck, $(basename "$f"):" >&2
		sed 's/^/  | /' "$f" >&2
	fi
done
echo "$runs runs of mgpt-tui under memcheck, $found with findings"
[ "$runs" -gt 0 ] || { echo "FAIL: mgpt-tui never ran under valgrind" >&2; exit 1; }
[ "$rc" = 0 ] && [ "$found" = 0 ]
