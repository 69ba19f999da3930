#!/bin/sh
# SPDX-License-Identifier: MIT
# test_pack.sh - packaging: --version's copyright and licences, the man page
# made for the configured directories, setup.sh's choices (with stand-ins
# for dpkg-query, apt-get, sudo, id and make), and configure's refusal to
# build with x87 double arithmetic (with its probe's results forced).
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
: "${top_builddir:=$(dirname "$M")/..}"

# ---- --version: version, copyright, licence, the data's licence ----
expect 0 "--version" -- "$M" --version
head -n 1 "$T/out" | grep -q '^mgpt-tui [0-9][0-9.]*$' || fail "--version: first line: $(head -n 1 "$T/out")"
copyright=$(sed -n 's/^Copyright (c) /Copyright (c) /p' "$top_srcdir/LICENSE")
[ -n "$copyright" ] || fail "LICENSE has no copyright line"
grep -qxF "$copyright" "$T/out" || fail "--version does not print LICENSE's line '$copyright'"
head -n 1 "$top_srcdir/LICENSE" | grep -q '^MIT License$' || fail "LICENSE is not the MIT licence"
grep -q '^License MIT ' "$T/out" || fail "--version does not name the MIT licence"
grep -q 'NO WARRANTY' "$T/out" || fail "--version: no warranty line"
grep -q 'names.*PDDL 1.0.*CC0 1.0' "$T/out" || fail "--version does not state the names' licence"
grep -q 'PDDL 1.0.*CC0 1.0' "$top_srcdir/data/README.md" || fail "data/README.md: no licence"
grep -q 'Moby Word II' "$top_srcdir/data/README.md" || fail "data/README.md: no original source"
[ -s "$T/err" ] && fail "--version wrote to stderr"
cp "$T/out" "$T/version"
expect 0 "-V" -- "$M" -V && cmp -s "$T/out" "$T/version" || fail "-V differs from --version"
ok "--version"

# ---- the man page: made for the configured directories and version ----
man="$top_builddir/man/mgpt-tui.1"
if [ -f "$man" ]; then
	grep -n '@[A-Za-z_]*@' "$man" >&2 && fail "man page: a placeholder left"
	[ -n "${pkgdatadir:-}" ] || fail "pkgdatadir not in the test environment"
	grep -qxF ".I ${pkgdatadir:-?}/names.txt" "$man" || fail "man page FILES: not ${pkgdatadir:-?}/names.txt"
	ver=$("$M" --version | sed -n '1s/^mgpt-tui //p')
	head -n 1 "$man" | grep -qF "\"mgpt-tui $ver\"" || fail "man page .TH: not version $ver"
	grep -q '^\.BR 129 ' "$man" || grep -q '129' "$man" || fail "man page: no exit status 129 (SIGHUP)"
	ok "man page"
else
	fail "no $man"
fi

# ---- setup.sh: what it installs, how, and what it says when it cannot ----
S="$T/setup"; B="$T/bin"
mkdir -p "$S" "$B"
cp "$top_srcdir/setup.sh" "$S/setup.sh"
printf '#!/bin/sh\nexit 0\n' >"$S/configure"; chmod +x "$S/configure"; : >"$S/Makefile"
SH=$(command -v sh)
for tool in dirname grep env nproc cat; do
	p=$(command -v "$tool") || { fail "no $tool"; continue; }
	ln -s "$p" "$B/$tool"
done
cat >"$B/dpkg-query" <<EOF
#!$SH
for last; do :; done
grep -qx "\$last" "$T/installed" && printf 'install ok installed'
exit 0
EOF
cat >"$B/apt-get" <<EOF
#!$SH
echo "apt-get \$*" >>"$T/log"
[ "\$1" = update ] && exit 0
exit \${APT_RC:-0}
EOF
cat >"$B/id" <<EOF
#!$SH
echo \${FAKE_UID:-1000}
EOF
cat >"$B/make" <<EOF
#!$SH
echo "make \$*" >>"$T/log"
EOF
sudo_stub="#!$SH
echo \"sudo \$*\" >>\"$T/log\"
exec \"\$@\""
chmod +x "$B"/*
all="build-essential autoconf automake pkg-config libncurses-dev libsqlite3-dev tmux"
# setup CASE UID SUDO(yes/no) APT_RC MISSING...: run with those packages missing
setup() {
	what=$1 uid=$2 sudo=$3 aptrc=$4; shift 4
	rm -f "$T/log" "$B/sudo"; : >"$T/log"
	[ "$sudo" = yes ] && { printf '%s\n' "$sudo_stub" >"$B/sudo"; chmod +x "$B/sudo"; }
	: >"$T/installed"
	for p in $all; do
		case " $* " in *" $p "*) ;; *) echo "$p" >>"$T/installed" ;; esac
	done
	PATH="$B" FAKE_UID=$uid APT_RC=$aptrc "$SH" "$S/setup.sh" >"$T/out" 2>"$T/err" </dev/null
	got=$?
}
setup "nothing missing" 1000 no 0
[ $got = 0 ] || fail "setup.sh, nothing missing: exit $got: $(cat "$T/err")"
grep -q '^apt-get\|^sudo' "$T/log" && fail "setup.sh installed although nothing is missing: $(cat "$T/log")"
grep -q '^make ' "$T/log" || fail "setup.sh, nothing missing: did not build"
# everything missing: the build's packages and tmux, not the sqlite3 shell
setup "all missing" 0 no 0 $all sqlite3
[ $got = 0 ] || fail "setup.sh, all missing: exit $got: $(cat "$T/err")"
grep -qx "apt-get install -y -qq $all" "$T/log" || fail "setup.sh, all missing, installed: $(grep install "$T/log")"
# not root, no sudo, a build package missing: the command to run, exit 1
setup "no sudo" 1000 no 0 libncurses-dev
[ $got = 1 ] || fail "setup.sh without sudo: exit $got, want 1"
grep -q 'cannot install libncurses-dev' "$T/err" || fail "setup.sh without sudo: $(cat "$T/err")"
grep -q '^  apt-get install libncurses-dev$' "$T/err" || fail "setup.sh without sudo: no command: $(cat "$T/err")"
[ -s "$T/log" ] && fail "setup.sh without sudo ran: $(cat "$T/log")"
# root: apt-get itself, no sudo even where sudo exists
setup "root" 0 yes 0 libsqlite3-dev
[ $got = 0 ] || fail "setup.sh as root: exit $got: $(cat "$T/err")"
grep -q '^sudo' "$T/log" && fail "setup.sh as root used sudo"
grep -q '^apt-get install -y -qq libsqlite3-dev$' "$T/log" || fail "setup.sh as root: $(cat "$T/log")"
grep -q '^make ' "$T/log" || fail "setup.sh as root: did not build"
# another user with sudo: through sudo
setup "sudo" 1000 yes 0 tmux pkg-config
[ $got = 0 ] || fail "setup.sh with sudo: exit $got: $(cat "$T/err")"
grep -q '^sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config tmux$' "$T/log" \
	|| fail "setup.sh with sudo: $(cat "$T/log")"
# apt-get failing: the command to run, exit 1, no build
setup "apt-get fails" 0 no 100 autoconf
[ $got = 1 ] || fail "setup.sh, apt-get failing: exit $got, want 1"
grep -q '^  apt-get install autoconf$' "$T/err" || fail "setup.sh, apt-get failing: $(cat "$T/err")"
grep -q '^make ' "$T/log" && fail "setup.sh built after apt-get failed"
# only tmux missing and no way to install it: said, and the build goes on
setup "tmux only" 1000 no 0 tmux
[ $got = 0 ] || fail "setup.sh, only tmux missing: exit $got: $(cat "$T/err")"
grep -q '^  apt-get install tmux$' "$T/err" || fail "setup.sh, only tmux missing: $(cat "$T/err")"
grep -q '^make ' "$T/log" || fail "setup.sh, only tmux missing: did not build"
ok "setup.sh"

# ---- configure: double arithmetic must be binary64 (FLT_EVAL_METHOD) ----
# configure in a copy of what it reads (the source folder may be configured
# in place), the probe's results forced through its cache variables: x87
# (2) with a compiler that takes the SSE2 flags, refuses them, or still
# reports 2 with them. The failing cases stop at the probe, so run first.
C="$T/conf"
mkdir -p "$C/src"
cp "$top_srcdir/configure" "$top_srcdir/Makefile.in" "$top_srcdir/config.h.in" "$C/" &&
cp -R "$top_srcdir/build-aux" "$C/" && : >"$C/src/main.c" || fail "copying configure"
chmod -R u+w "$C"
conf() { # forced values: command-line assignments win over the cache,
	# but a forced value must not stay in the cache for the next run
	[ -f "$C/config.cache" ] && sed -i '/mgpt_cv_flt_eval/d' "$C/config.cache"
	(cd "$C" && ./configure -C "$@") >"$T/out" 2>"$T/err" </dev/null
}
conf mgpt_cv_flt_eval_method=2 mgpt_cv_flt_eval_method_sse=no
got=$?
[ $got != 0 ] || fail "configure built with x87 doubles and no -mfpmath=sse"
grep -q 'error: .*FLT_EVAL_METHOD 2 .*refuses -msse2 -mfpmath=sse' "$T/err" \
	|| fail "configure, flags refused: $(tail -n 3 "$T/err")"
conf mgpt_cv_flt_eval_method=2 mgpt_cv_flt_eval_method_sse=2
[ $? != 0 ] || fail "configure built with x87 doubles although the flags do not help"
grep -q 'error: .*FLT_EVAL_METHOD 2, and 2 with -msse2 -mfpmath=sse' "$T/err" \
	|| fail "configure, flags useless: $(tail -n 3 "$T/err")"
conf mgpt_cv_flt_eval_method=2
got=$?
if [ $got = 0 ]; then
	grep -q '^EXACT_CFLAGS = .* -msse2 -mfpmath=sse$' "$C/Makefile" \
		|| fail "configure, x87: no SSE2 flags: $(grep '^EXACT_CFLAGS' "$C/Makefile")"
	grep -q 'adding -msse2 -mfpmath=sse' "$T/out" || fail "configure, x87: not said"
elif grep -q 'refuses -msse2' "$T/err"; then
	echo "this compiler refuses -msse2 -mfpmath=sse: that case tested by the refusal above"
else
	fail "configure, x87 forced: exit $got: $(tail -n 3 "$T/err")"
fi
ok "configure's FLT_EVAL_METHOD probe"

finish
