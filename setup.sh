#!/bin/sh
# setup.sh - install what is missing (Debian 12), then configure and build.
# Used by both Quick start lines of README.md and by .ci/run.
set -e
cd "$(dirname "$0")"
pkgs="build-essential autoconf automake pkg-config libncurses-dev libsqlite3-dev sqlite3 tmux"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
	echo "setup.sh: installing$missing" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"
