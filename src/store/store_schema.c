/* SPDX-License-Identifier: MIT */
/* store_schema.c - is this file an mgpt-tui database: the checks on the
 * file before SQLite sees it (so that a foreign or damaged file is refused
 * without SQLite creating -wal/-shm files beside it), the schema, and its
 * migrations. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "store_int.h"
#include "xmalloc.h"

/* Schema version n+1 is migrations[n] applied to version n, all of them in
 * one transaction. Documented column by column in mgpt-tui(1), FILES. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE datasets ("
	" hash TEXT PRIMARY KEY,"          /* SHA-256 of text, lower-case hex */
	" n_docs INTEGER NOT NULL,"
	" text TEXT NOT NULL);"            /* documents in file order, each + '\n' */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" status TEXT NOT NULL CHECK (status IN ('running','finished','interrupted','failed')),"
	" created INTEGER NOT NULL,"
	" ended INTEGER,"
	" seed INTEGER NOT NULL,"          /* seeds >= 2^63 are stored as seed - 2^64 */
	" vocab_size INTEGER NOT NULL, n_embd INTEGER NOT NULL, n_head INTEGER NOT NULL,"
	" n_layer INTEGER NOT NULL, block_size INTEGER NOT NULL, n_params INTEGER NOT NULL,"
	" n_steps INTEGER NOT NULL, snapshot_every INTEGER NOT NULL,"
	" lr REAL NOT NULL, beta1 REAL NOT NULL, beta2 REAL NOT NULL, eps REAL NOT NULL,"
	" samples INTEGER NOT NULL, temperature REAL NOT NULL,"
	" dataset TEXT NOT NULL REFERENCES datasets(hash),"
	" data_source TEXT NOT NULL,"
	" version TEXT NOT NULL,"
	" best_loss REAL,"
	" pid INTEGER, host TEXT, boot_id TEXT, proc_start INTEGER);"
	"CREATE INDEX runs_dataset ON runs(dataset);"
	"CREATE TABLE steps ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" step INTEGER NOT NULL,"
	" loss REAL,"                      /* NULL: the loss was NaN */
	" lr REAL NOT NULL,"
	" grad_norm REAL,"                 /* NULL: NaN */
	" n_pos INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, step)) WITHOUT ROWID;"
	"CREATE TABLE snapshots ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" step INTEGER NOT NULL,"
	" n_params INTEGER NOT NULL,"
	" params BLOB NOT NULL, adam_m BLOB NOT NULL, adam_v BLOB NOT NULL,"
	" checksum INTEGER NOT NULL,"      /* XXH64 of params || adam_m || adam_v */
	" PRIMARY KEY (run_id, step));"
	"CREATE TABLE samples ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" idx INTEGER NOT NULL,"
	" step INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" PRIMARY KEY (run_id, idx)) WITHOUT ROWID;",
	/* 1 -> 2: the replay screen's cache of per-head statistics (values
	 * the engine computes from replayed weights; droppable) */
	"CREATE TABLE head_stats ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" probe TEXT NOT NULL,"            /* the probe input, e.g. 'emma' */
	" step INTEGER NOT NULL,"          /* weights after this many steps; 0 = initial */
	" layer INTEGER NOT NULL,"
	" head INTEGER NOT NULL,"
	" entropy REAL,"                   /* NULL: NaN (a probe too short) */
	" prev REAL,"
	" bos REAL,"
	" PRIMARY KEY (run_id, probe, step, layer, head)) WITHOUT ROWID;",
	/* 2 -> 3: two more caches of values the engine computes from replayed
	 * weights (droppable): the ablation sweep's dataset loss per set of
	 * heads switched off, and per-head gradient and update figures of
	 * training steps */
	"CREATE TABLE sweep_cache ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" step INTEGER NOT NULL,"          /* weights after this many steps */
	" off TEXT NOT NULL,"              /* heads off, e.g. 'L0H1 L0H3'; '' none */
	" dataset_loss REAL,"              /* NULL: NaN */
	" PRIMARY KEY (run_id, step, off)) WITHOUT ROWID;"
	"CREATE TABLE grad_stats ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" step INTEGER NOT NULL,"          /* the training step, 1..n_steps */
	" layer INTEGER NOT NULL,"
	" head INTEGER NOT NULL,"
	" grad_norm REAL,"                 /* NULL: NaN */
	" update_ratio REAL,"
	" PRIMARY KEY (run_id, step, layer, head)) WITHOUT ROWID;",
};


/* ---- the file, before SQLite sees it ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
side_file_exists(const char *path, const char *suffix)
{
	char b[PATH_MAX + 16];
	struct stat sb;

	snprintf(b, sizeof b, "%s%s", path, suffix);
	return lstat(b, &sb) == 0;
}

/* The first n bytes of the file (fewer when it is shorter); -1 with errno.
 * Read through SQLite's own file layer, never with open() and close():
 * closing any descriptor of a file drops every POSIX lock this process
 * holds on it, those of its open connections included (a connection in WAL
 * mode holds a shared lock on the file for as long as it is open). The
 * replay screen opens connections while others are open, and each such
 * close silently unlocked the file under them: another process then
 * switched it out of WAL mode, and the connections were left holding a
 * lock no transaction owned, which stopped every trainer (issue 9). The
 * unix VFS keeps a descriptor open while the process holds locks on the
 * file, and reuses it. */
static ssize_t
read_header(const char *path, unsigned char *h, size_t n, sqlite3_int64 *fsize)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
	sqlite3_file *f;
	sqlite3_int64 size = 0;
	int out, rc;

	if (!vfs || sqlite3_initialize() != SQLITE_OK) {
		errno = ENOMEM;
		return -1;
	}
	f = xcalloc(1, (size_t)vfs->szOsFile);
	rc = vfs->xOpen(vfs, path, f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &out);
	if (rc != SQLITE_OK) {
		free(f);
		errno = errno ? errno : EACCES;
		return -1;
	}
	/* The header first, then the size: a file that grows meanwhile (a
	 * writer committing) is then never taken for a truncated one. */
	memset(h, 0, n);
	rc = f->pMethods->xRead(f, h, (int)n, 0);
	if (rc == SQLITE_IOERR_SHORT_READ)
		rc = SQLITE_OK;
	if (rc == SQLITE_OK)
		rc = f->pMethods->xFileSize(f, &size);
	f->pMethods->xClose(f);
	*fsize = size;
	free(f);
	if (rc != SQLITE_OK) {
		errno = EIO;
		return -1;
	}
	return size < (sqlite3_int64)n ? (ssize_t)size : (ssize_t)n;
}

/* Refuse what is not a regular file holding an mgpt-tui (or empty)
 * database. *exists: the file is there; *fresh: empty, or absent. */
int
store_preflight(struct store *st, const char *path, int create, int *exists)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char h[100];
	struct stat ls, sb;
	uint32_t page, app;
	sqlite3_int64 size = 0;
	ssize_t n;

	*exists = 0;
	if (lstat(path, &ls) < 0) {
		if (errno == ENOENT && create)
			return 0;
		if (errno == ENOENT)
			return store_fail(st, "no such database (no run has been logged there)");
		return store_fail(st, "%s", strerror(errno));
	}
	if (stat(path, &sb) < 0) {
		if (S_ISLNK(ls.st_mode) && errno == ENOENT)
			return store_fail(st, "dangling symbolic link");
		return store_fail(st, "%s", strerror(errno));
	}
	if (S_ISDIR(sb.st_mode))
		return store_fail(st, "is a directory");
	if (!S_ISREG(sb.st_mode))
		return store_fail(st, "not a regular file");
	*exists = 1;
	if (sb.st_size == 0)
		return 0;
	if ((n = read_header(path, h, sizeof h, &size)) < 0)
		return store_fail(st, "%s", strerror(errno));
	if (memcmp(h, magic, (size_t)n < sizeof magic ? (size_t)n : sizeof magic) != 0)
		return store_fail(st, "not an SQLite database");
	if (n < (ssize_t)sizeof h)
		return store_fail(st, "truncated SQLite database (%zd bytes)", n);
	page = (uint32_t)h[16] << 8 | h[17];
	if (page == 1)
		page = 65536;
	if (page < 512 || (page & (page - 1)))
		return store_fail(st, "damaged SQLite header (page size %u)", page);
	/* A database file is whole pages. With no journal or WAL beside it
	 * (which a writer may be using), its header's page count is exact. */
	if (size % page || (!side_file_exists(path, "-wal") &&
	    !side_file_exists(path, "-journal") && be32(h + 24) == be32(h + 92) &&
	    (uint64_t)be32(h + 28) * page > (uint64_t)size))
		return store_fail(st, "truncated database (%lld bytes; the header promises %llu)",
		    (long long)size, (unsigned long long)be32(h + 28) * page);
	app = be32(h + 68);
	if (app != STORE_APP_ID && app != 0)
		return store_fail(st, "not an mgpt-tui database (application_id 0x%08x)", app);
	/* Ours are created in rollback mode with their id set before the
	 * switch to WAL; a WAL file without an id is someone else's. */
	if (app == 0 && (h[18] == 2 || h[19] == 2))
		return store_fail(st, "not an mgpt-tui database (another program's SQLite file)");
	return 0;
}

/* ---- schema ---- */

static int
table_count(struct store *st, const char *where)
{
	char sql[256];
	int64_t n;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE %s", where);
	return store_pragma_int(st, sql, &n) < 0 ? -1 : (int)n;
}

static int
check_tables(struct store *st, int version)
{
	static const struct { const char *name; int since; } tables[] = {
		{ "datasets", 1 }, { "runs", 1 }, { "steps", 1 }, { "snapshots", 1 },
		{ "samples", 1 }, { "head_stats", 2 }, { "sweep_cache", 3 },
		{ "grad_stats", 3 },
	};
	char where[128];
	size_t i;
	int n;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (tables[i].since > version)
			continue;
		snprintf(where, sizeof where, "type = 'table' AND name = '%s'", tables[i].name);
		if ((n = table_count(st, where)) < 0)
			return -1;
		if (n == 0)
			return store_fail(st, "damaged mgpt-tui database (table %s is missing)", tables[i].name);
	}
	return 0;
}

int
store_migrate(struct store *st, int fresh)
{
	int64_t app, ver, v;
	char sql[64];

	if (fresh && store_exec(st, "PRAGMA auto_vacuum = INCREMENTAL") < 0)
		return -1;
	if (store_exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	/* Another process may have done it while we waited for the lock. */
	if (store_pragma_int(st, "PRAGMA application_id", &app) < 0 ||
	    store_pragma_int(st, "PRAGMA user_version", &ver) < 0)
		goto fail;
	if (ver < 0 || ver > STORE_SCHEMA) {
		store_fail(st, "schema version %lld changed under this program", (long long)ver);
		goto fail;
	}
	if (app == 0 && ver == 0 && (v = table_count(st, "1")) != 0) {
		if (v > 0)
			store_fail(st, "not an mgpt-tui database (it holds other tables)");
		goto fail;
	}
	if (app != 0 && app != STORE_APP_ID) {
		store_fail(st, "not an mgpt-tui database");
		goto fail;
	}
	for (v = ver; v < STORE_SCHEMA; v++)
		if (store_exec(st, migrations[v]) < 0)
			goto fail;
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", STORE_APP_ID);
	if (store_exec(st, sql) < 0)
		goto fail;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_SCHEMA);
	if (store_exec(st, sql) < 0 || store_exec(st, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	store_abort(st);
	return -1;
}

/* Is this an mgpt-tui database we can use? *fresh: empty, to be set up.
 * The reads are one read transaction: a writer creating the schema
 * meanwhile must not be seen half (no id yet, and then tables). -2: a
 * read-only connection met a hot journal (see roll_back_journal). */
static int check_schema_reads(struct store *st, int *fresh);

int
store_check_schema(struct store *st, int *fresh)
{
	int code;

	if (store_exec(st, "BEGIN") < 0)
		return -1;
	if (check_schema_reads(st, fresh) < 0) {
		code = sqlite3_extended_errcode(st->db);
		store_abort(st);
		return code == SQLITE_READONLY_ROLLBACK ? -2 : -1;
	}
	return store_exec(st, "COMMIT");
}

static int
check_schema_reads(struct store *st, int *fresh)
{
	int64_t app, ver;
	int n;

	*fresh = 0;
	if (store_pragma_int(st, "PRAGMA application_id", &app) < 0 ||
	    store_pragma_int(st, "PRAGMA user_version", &ver) < 0)
		return -1;
	if (app == 0) {
		if ((n = table_count(st, "1")) < 0)
			return -1;
		if (n > 0)
			return store_fail(st, "not an mgpt-tui database (it holds other tables)");
		if (ver != 0)
			return store_fail(st, "not an mgpt-tui database (another program's schema "
			    "version %lld)", (long long)ver);
		if (st->readonly)
			return store_fail(st, "empty database (no run has been logged there)");
		*fresh = 1;
		return 0;
	}
	if (app != STORE_APP_ID)
		return store_fail(st, "not an mgpt-tui database (application_id 0x%08x)", (unsigned)app);
	if (ver > STORE_SCHEMA)
		return store_fail(st, "schema version %lld is newer than this program's (%d): "
		    "this mgpt-tui is too old for it", (long long)ver, STORE_SCHEMA);
	if (ver < 1)
		return store_fail(st, "damaged mgpt-tui database (schema version %lld)", (long long)ver);
	/* A viewer reads an older schema as it is (it never writes, so it
	 * cannot migrate): the tables a later version added are only caches. */
	return check_tables(st, (int)ver);
}

