#!/bin/sh
# SPDX-License-Identifier: MIT
# test_store_files.sh - hostile and damaged files: every command refuses each
# with one line naming the file, exit 1, the file byte for byte unchanged
# and nothing left beside it; viewers never write; read-only databases.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
TOOL=${top_builddir:-.}/tests/store_tool
G=$T/good.db

expect 0 "a database to damage" -- "$M" train --db "$G" --steps 30 --snapshot-every 10 --samples 2 || finish

# no_side_files WHAT FILE
no_side_files() {
	for s in -wal -shm -journal; do
		[ -e "$2$s" ] && { fail "$1: left $2$s"; rm -f "$2$s"; }
	done
}

# refused WHAT FILE PATTERN COMMAND...: each command refuses FILE.
refused() {
	# (expect sets $what: these names are its own)
	r_what=$1 r_f=$2 r_pat=$3
	shift 3
	for c in "$@"; do
		rm -f "$T/orig"
		[ -f "$r_f" ] && [ ! -L "$r_f" ] && cp "$r_f" "$T/orig"
		# shellcheck disable=SC2086 # $c is a command and its words
		expect 1 "$r_what: $c" -- "$M" $c --db "$r_f" || continue
		one_line_error "$r_what: $c" || continue
		grep -q "^mgpt-tui: $r_f: " "$T/err" || fail "$r_what: $c: the error does not name the file: $(cat "$T/err")"
		grep -q "$r_pat" "$T/err" || fail "$r_what: $c: want '$r_pat' in: $(cat "$T/err")"
		[ -e "$T/orig" ] && ! cmp -s "$r_f" "$T/orig" && fail "$r_what: $c: the file changed"
		no_side_files "$r_what: $c" "$r_f"
	done
}
ALL="runs|export latest|sample latest|rm latest|train --steps 2 --samples 0|train --resume latest"
every() { # WHAT FILE PATTERN: all commands
	old=$IFS; IFS='|'
	# shellcheck disable=SC2086
	set -- "$1" "$2" "$3" $ALL
	IFS=$old
	refused "$@"
}

printf 'name,score\nann,3\n' >"$T/text.db"
every "a text file" "$T/text.db" "not an SQLite database"
head -c 4096 /dev/urandom >"$T/random.db"
every "random bytes" "$T/random.db" "not an SQLite database"
"$TOOL" sql "$T/foreign.db" "CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ann')" \
	|| fail "make foreign.db"
every "another program's database" "$T/foreign.db" "not an mgpt-tui database"
"$TOOL" sql "$T/foreignwal.db" "PRAGMA journal_mode = WAL; CREATE TABLE t (x)" || fail "make foreignwal.db"
every "another program's WAL database" "$T/foreignwal.db" "not an mgpt-tui database"
"$TOOL" sql "$T/appid.db" "PRAGMA application_id = 1234; CREATE TABLE t (x)" || fail "make appid.db"
every "another application_id" "$T/appid.db" "not an mgpt-tui database (application_id"
size=$(wc -c <"$G")
head -c $((size / 2 + 100)) "$G" >"$T/trunc.db"
every "a truncated database" "$T/trunc.db" "truncated"
head -c 8192 "$G" >"$T/trunc2.db"
every "a database cut at a page" "$T/trunc2.db" "truncated"
head -c 60 "$G" >"$T/trunc3.db"
every "a database cut in its header" "$T/trunc3.db" "truncated"
cp "$G" "$T/newer.db"
"$TOOL" sql "$T/newer.db" "PRAGMA user_version = 99" || fail "make newer.db"
every "a newer schema" "$T/newer.db" "schema version 99 is newer than this program's ([0-9]*): this mgpt-tui is too old"
# The previous version's schema (1, without the head_stats cache): viewers
# read it as it is and leave it byte for byte; a writer migrates it.
cp "$G" "$T/old.db"
"$TOOL" sql "$T/old.db" "DROP TABLE head_stats; DROP TABLE sweep_cache; DROP TABLE grad_stats;
	PRAGMA user_version = 1" || fail "make old.db"
cp "$T/old.db" "$T/old.orig"
expect 0 "runs on schema 1" -- "$M" runs --db "$T/old.db" && grep -q ' finished ' "$T/out" \
	|| fail "runs on schema 1: $(cat "$T/out" "$T/err")"
expect 0 "export on schema 1" -- "$M" export 1 --db "$T/old.db" || fail "export on schema 1"
expect 0 "sample on schema 1" -- "$M" sample 1 --count 1 --db "$T/old.db" || fail "sample on schema 1"
cmp -s "$T/old.db" "$T/old.orig" || fail "a viewer changed a schema-1 database"
[ -e "$T/old.db-wal" ] || [ -e "$T/old.db-shm" ] && fail "a viewer left -wal/-shm beside schema 1"
expect 0 "train into schema 1" -- "$M" train --db "$T/old.db" --steps 2 --samples 0 \
	|| fail "train into schema 1"
"$TOOL" sql "$T/old.db" "SELECT count(*) FROM head_stats" >/dev/null 2>&1 \
	|| fail "a writer did not migrate schema 1 (no head_stats table)"
"$TOOL" sql "$T/old.db" "SELECT count(*) FROM sweep_cache, grad_stats" >/dev/null 2>&1 \
	|| fail "a writer did not migrate schema 1 to 3 (no sweep_cache or grad_stats table)"
# Schema 2 (before the sweep and gradient caches): the same.
cp "$G" "$T/v2.db"
"$TOOL" sql "$T/v2.db" "DROP TABLE sweep_cache; DROP TABLE grad_stats; PRAGMA user_version = 2" \
	|| fail "make v2.db"
cp "$T/v2.db" "$T/v2.orig"
expect 0 "runs on schema 2" -- "$M" runs --db "$T/v2.db" || fail "runs on schema 2"
cmp -s "$T/v2.db" "$T/v2.orig" || fail "a viewer changed a schema-2 database"
expect 0 "train into schema 2" -- "$M" train --db "$T/v2.db" --steps 2 --samples 0 \
	|| fail "train into schema 2"
"$TOOL" sql "$T/v2.db" "SELECT count(*) FROM sweep_cache, grad_stats" >/dev/null 2>&1 \
	|| fail "a writer did not migrate schema 2 (no sweep_cache or grad_stats table)"
# Header fields are signed: a negative schema version is a reason too, never
# an empty message (found by fuzz_store).
cp "$G" "$T/negver.db"
"$TOOL" sql "$T/negver.db" "PRAGMA user_version = -1" || fail "make negver.db"
every "a negative schema version" "$T/negver.db" "damaged mgpt-tui database (schema version -1)"
"$TOOL" sql "$T/negforeign.db" "PRAGMA user_version = -134217728" || fail "make negforeign.db"
every "another program's negative schema version" "$T/negforeign.db" "not an mgpt-tui database"
mkdir "$T/dir.db"
every "a directory" "$T/dir.db" "is a directory"
[ -d "$T/dir.db" ] && [ -z "$(ls -A "$T/dir.db")" ] || fail "the directory changed"
ln -s "$T/nowhere.db" "$T/dangling.db"
every "a dangling symlink" "$T/dangling.db" "dangling symbolic link"
[ -e "$T/nowhere.db" ] && fail "the dangling symlink's target was created"
[ -L "$T/dangling.db" ] || fail "the dangling symlink is gone"

# Damaged records in a good file. The run is made resumable so that
# train --resume reaches its snapshot too.
"$TOOL" sql "$G" "UPDATE runs SET status = 'interrupted'" || fail "mark interrupted"
cp "$G" "$T/len.db"
"$TOOL" sql "$T/len.db" "UPDATE snapshots SET params = substr(params, 1, 8) WHERE step = 30" || fail "len"
refused "a snapshot of the wrong length" "$T/len.db" "blob of 8 bytes" \
	"sample latest" "train --resume latest"
cp "$G" "$T/sum.db"
"$TOOL" sql "$T/sum.db" "UPDATE snapshots SET checksum = checksum + 1 WHERE step = 30" || fail "sum"
refused "a snapshot with a bad checksum" "$T/sum.db" "bad checksum" \
	"sample latest" "train --resume latest"
cp "$G" "$T/sizes.db"
"$TOOL" sql "$T/sizes.db" "UPDATE runs SET n_head = 3" || fail "sizes"
refused "impossible sizes" "$T/sizes.db" "impossible model sizes" \
	"runs" "export latest" "sample latest" "rm latest" "train --resume latest"
cp "$G" "$T/huge.db"
"$TOOL" sql "$T/huge.db" "UPDATE runs SET n_embd = 4096, n_head = 1, n_layer = 64, block_size = 4096" \
	|| fail "huge"
refused "absurd sizes" "$T/huge.db" "GiB" "runs" "sample latest"
cp "$G" "$T/data.db"
"$TOOL" sql "$T/data.db" "UPDATE datasets SET text = 'zz' || text" || fail "data"
refused "a damaged dataset" "$T/data.db" "SHA-256" "sample latest" "train --resume latest"

# Viewers never write: the file unchanged, nothing beside it.
cp "$G" "$T/view.db"
for c in "runs" "export latest" "export latest --format json" "sample latest" "sample latest --step 3"; do
	# shellcheck disable=SC2086
	expect 0 "view: $c" -- "$M" $c --db "$T/view.db"
	cmp -s "$T/view.db" "$G" || fail "view: $c changed the file"
	no_side_files "view: $c" "$T/view.db"
done

# A writer killed in mid-transaction while the file is in rollback mode
# (creating it, or switching it to WAL) leaves a hot journal; a viewer rolls
# it back, as any SQLite writer does, and reads the last committed state
# (found by tests/soak/soak.sh: viewers said "attempt to write a readonly
# database" until the next writer came).
HALF="PRAGMA cache_size = 2; BEGIN IMMEDIATE; UPDATE snapshots SET checksum = checksum + 1;
	UPDATE runs SET name = 'half-renamed'"
cp "$G" "$T/hot.db"
"$TOOL" die "$T/hot.db" "$HALF" 2>/dev/null
if [ -s "$T/hot.db-journal" ] && ! cmp -s "$T/hot.db" "$G"; then
	for c in "runs" "export latest" "sample latest"; do
		# shellcheck disable=SC2086
		expect 0 "hot journal: $c" -- "$M" $c --db "$T/hot.db"
		grep -q half-renamed "$T/out" && fail "hot journal: $c read the uncommitted change"
	done
	cmp -s "$T/hot.db" "$G" || fail "hot journal: the file is not back to its last commit"
	no_side_files "hot journal" "$T/hot.db"
else
	fail "store_tool die made no hot journal"
fi

# Read-only databases: listed, exported, replayed; training into them fails.
# As root, permissions do not stop writes: run the commands as nobody.
AS=
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
		chmod 755 "$T"
	else
		echo "skip: read-only databases (root without setpriv)"
		finish
	fi
fi
# readonly_case WHAT FILE-WRITABLE FOLDER-WRITABLE (y or n)
readonly_case() {
	d=$T/ro-$2$3
	mkdir "$d"
	cp "$G" "$d/runs.db"
	if [ -n "$AS" ]; then   # root owns both; nobody gets what "others" get
		fm=644 dm=755; [ "$2" = y ] && fm=666; [ "$3" = y ] && dm=777
	else
		fm=444 dm=555; [ "$2" = y ] && fm=644; [ "$3" = y ] && dm=755
	fi
	chmod $fm "$d/runs.db"
	chmod $dm "$d"
	cp "$d/runs.db" "$T/ro-orig"
	for c in "runs" "export latest" "sample latest"; do
		# shellcheck disable=SC2086
		expect 0 "$1: $c" -- $AS "$M" $c --db "$d/runs.db"
	done
	# shellcheck disable=SC2086
	expect 1 "$1: train" -- $AS "$M" train --steps 2 --db "$d/runs.db" && one_line_error "$1: train"
	grep -q "^mgpt-tui: $d/runs.db: cannot write here" "$T/err" || fail "$1: train: $(cat "$T/err")"
	# shellcheck disable=SC2086
	expect 1 "$1: rm" -- $AS "$M" rm latest --db "$d/runs.db" && one_line_error "$1: rm"
	cmp -s "$d/runs.db" "$T/ro-orig" || fail "$1: the file changed"
	no_side_files "$1" "$d/runs.db"
	chmod 755 "$d"
}
readonly_case "file and folder read-only" n n
readonly_case "file read-only" n y
readonly_case "folder read-only" y n
# A hot journal that cannot be rolled back (nothing writable): a clear line.
d=$T/ro-hot
mkdir "$d"
cp "$G" "$d/runs.db"
"$TOOL" die "$d/runs.db" "$HALF" 2>/dev/null
chmod 644 "$d/runs.db" "$d/runs.db-journal"
if [ -n "$AS" ]; then chmod 755 "$d"; else chmod 444 "$d/runs.db"; chmod 555 "$d"; fi
# shellcheck disable=SC2086
expect 1 "hot journal, nothing writable" -- $AS "$M" runs --db "$d/runs.db" \
	&& one_line_error "hot journal, nothing writable"
grep -q "^mgpt-tui: $d/runs.db: a stopped writer left a journal beside it" "$T/err" \
	|| fail "hot journal, nothing writable: $(cat "$T/err")"
chmod 755 "$d"
finish
