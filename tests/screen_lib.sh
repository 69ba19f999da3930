# SPDX-License-Identifier: MIT
# screen_lib.sh - driving the real binary in tmux, for the screen tests:
# a private server per pane, keys sent, the pane captured and polled for
# the expected text with a bounded timeout (never a fixed sleep). Source
# it after lib.sh; it exits 77 when tmux is missing.
if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux not found: skipping the screen tests"
	exit 77
fi
n_sock=0
SOCK="mgpt-scr-$$-0"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export TMUX_TMPDIR="$T"
unset TMUX
printf 'set -g remain-on-exit on\nset -g status off\n' >"$T/tmux.conf"
tm() { tmux -L "$SOCK" -f "$T/tmux.conf" "$@"; }
screen_cleanup() {
	i=0
	while [ $i -le $n_sock ]; do tmux -L "mgpt-scr-$$-$i" kill-server 2>/dev/null; i=$((i + 1)); done
	rm -rf "$T"
}
trap screen_cleanup EXIT
trap 'exit 1' INT TERM

cap() { tm capture-pane -p -t s; }
cape() { tm capture-pane -p -e -t s; }     # with colours and attributes
keys() { tm send-keys -t s "$@"; }

# wait_for TEXT [SECONDS]: poll the pane until TEXT shows (fixed string).
wait_for() {
	_n=$(( ${2:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		if cap >"$T/pane" 2>/dev/null && grep -qF -- "$1" "$T/pane"; then
			# a frame may be half drawn: return once two captures agree
			_m=20
			while [ "$_m" -gt 0 ]; do
				sleep 0.05
				cap >"$T/pane.2" 2>/dev/null
				cmp -s "$T/pane" "$T/pane.2" && return 0
				mv "$T/pane.2" "$T/pane"
				_m=$((_m - 1))
			done
			return 0
		fi
		sleep 0.05
		_n=$((_n - 1))
	done
	fail "waited for '$1'; the pane shows:"
	sed 's/^/  | /' "$T/pane" >&2
	return 1
}
# wait_gone TEXT [SECONDS]: poll until TEXT is no longer on the pane.
wait_gone() {
	_n=$(( ${2:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		cap >"$T/pane" 2>/dev/null && ! grep -qF -- "$1" "$T/pane" && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	fail "'$1' did not go away"
	return 1
}
# start W H CMD: a fresh pane running CMD in sh, stty saved before and after.
start() {
	w=$1 h=$2; shift 2
	tm kill-server 2>/dev/null
	n_sock=$((n_sock + 1))
	SOCK="mgpt-scr-$$-$n_sock"
	rm -f "$T/stty.before" "$T/stty.after" "$T/rc"
	tm new-session -d -s s -x "$w" -y "$h" \
	    "stty -g >'$T/stty.before'; $*; echo \$? >'$T/rc'; stty -g >'$T/stty.after'; echo SHELL-BACK; sleep 60"
}
# ended WHAT: the program left and the pane shows the shell again; its
# exit status is in $rc; the terminal modes are as before.
ended() {
	wait_for SHELL-BACK || return 1
	rc=$(cat "$T/rc")
	[ "$rc" != 134 ] || fail "$1: the program aborted (an assertion or a sanitizer; see the pane)"
	cmp -s "$T/stty.before" "$T/stty.after" || fail "$1: terminal modes not restored"
	return 0
}
