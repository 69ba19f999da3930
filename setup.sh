#!/bin/sh
# SPDX-License-Identifier: MIT
# setup.sh - install what is missing (Debian 12), then configure and build.
# Used by both Quick start lines of README.md and by .ci/run.
#
# Installs only what the build needs (compiler, autotools, pkg-config, the
# ncursesw and SQLite headers) and tmux, with which make check drives the
# screen tests (they skip without it, so tmux is not worth failing for).
# apt-get runs directly as root, through sudo for another user when sudo
# exists; when neither can install, the missing packages and the exact
# command are printed and setup.sh exits 1 without building.
set -e
cd "$(dirname "$0")"
build_pkgs="build-essential autoconf automake pkg-config libncurses-dev libsqlite3-dev"
test_pkgs="tmux"

missing_of() { # PACKAGE...: those dpkg does not list as installed
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || printf ' %s' "$p"
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "setup.sh: not a Debian system: installing nothing; ./configure names what is missing" >&2
	build_missing="" test_missing=""
else
	build_missing=$(missing_of $build_pkgs)
	test_missing=$(missing_of $test_pkgs)
fi
missing="$build_missing$test_missing"

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		as_root=""
	elif command -v sudo >/dev/null 2>&1; then
		as_root="sudo"
	else
		as_root="none"
	fi
	installed=no
	if [ "$as_root" != none ]; then
		echo "setup.sh: installing$missing" >&2
		if $as_root apt-get update -qq &&
		   $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; then
			installed=yes
		fi
	fi
	if [ "$installed" = no ]; then
		if [ "$as_root" = none ]; then why="not root and no sudo"; else why="apt-get failed"; fi
		if [ -n "$build_missing" ]; then
			echo "setup.sh: cannot install$missing ($why); as root, run:" >&2
			echo "  apt-get install$missing" >&2
			exit 1
		fi
		echo "setup.sh: cannot install$test_missing ($why): the screen tests will be skipped; as root, run:" >&2
		echo "  apt-get install$test_missing" >&2
	fi
fi
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"
