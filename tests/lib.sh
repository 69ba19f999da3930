# SPDX-License-Identifier: MIT
# lib.sh - shared by the shell tests: a scratch folder, and checks that
# count failures instead of stopping at the first.
set -u
: "${MGPT_TUI:=$(cd "$(dirname "$0")/.." && pwd)/src/mgpt-tui}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mgpt-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
export MGPT_TUI_DB="$T/default.db" XDG_DATA_HOME="$T/xdg" NO_COLOR=
# In a sanitizer build (./configure --enable-sanitizers), AddressSanitizer's
# and LeakSanitizer's reports go to files of their own, which finish() turns
# into failures: a program run in tmux, or one expected to exit non-zero,
# cannot lose its report. UBSan writes to stderr whatever log_path says (GCC's
# runtime beside ASan's), so it aborts instead: status 134, which expect()
# and the screen tests refuse.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}abort_on_error=1:print_stacktrace=1"

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# expect CODE DESCRIPTION -- CMD...: run CMD, check its exit status; its
# stdout/stderr land in $T/out and $T/err.
expect() {
	want=$1; shift; what=$1; shift; [ "$1" = "--" ] && shift
	"$@" >"$T/out" 2>"$T/err" </dev/null
	got=$?
	if [ "$got" != "$want" ]; then
		fail "$what: exit $got, want $want; stderr: $(head -c 300 "$T/err")"
		return 1
	fi
	return 0
}

# one_line_error: stderr is exactly one line starting with "mgpt-tui: "
one_line_error() {
	n=$(wc -l <"$T/err")
	if [ "$n" != 1 ] || ! grep -q '^mgpt-tui: ' "$T/err"; then
		fail "$1: stderr is not one 'mgpt-tui: ' line: $(head -c 300 "$T/err")"
		return 1
	fi
	return 0
}

finish() {
	for _f in "$T"/sanitizer.*; do
		[ -f "$_f" ] || continue
		fail "sanitizer report ($(basename "$_f")):"
		sed 's/^/  | /' "$_f" >&2
	done
	if [ "$fails" -ne 0 ]; then echo "$fails failure(s)" >&2; exit 1; fi
	exit 0
}
