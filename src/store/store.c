/* store.c - opening the run database: checks on the file, the schema and
 * its migrations, statements, and the queries that read runs.
 *
 * Every file is untrusted until proven ours: the header is read by hand
 * before SQLite sees the file (so that a foreign or damaged file is refused
 * without SQLite creating -wal/-shm files beside it), then the connection
 * runs in defensive mode with untrusted schema, triggers and views off. */
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
};

static const char *const sql_text[SQL__COUNT] = {
	[SQL_INSERT_STEP] = "INSERT INTO steps (run_id, step, loss, lr, grad_norm, n_pos) "
	                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQL_INSERT_SNAPSHOT] = "INSERT OR REPLACE INTO snapshots (run_id, step, n_params, params, "
	                        "adam_m, adam_v, checksum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQL_UPDATE_BEST] = "UPDATE runs SET best_loss = ?2 WHERE id = ?1",
	[SQL_INSERT_SAMPLE] = "INSERT INTO samples (run_id, idx, step, name) VALUES (?1, ?2, ?3, ?4)",
	[SQL_FIND_ID] = "SELECT " RUN_COLS " FROM runs WHERE id = ?1",
	[SQL_FIND_NAME] = "SELECT " RUN_COLS " FROM runs WHERE name = ?1",
	[SQL_FIND_LATEST] = "SELECT " RUN_COLS " FROM runs ORDER BY id DESC LIMIT 1",
	[SQL_LIST_RUNS] = "SELECT " RUN_COLS " FROM runs ORDER BY id",
	[SQL_LOAD_DATASET] = "SELECT d.hash, d.n_docs, d.text FROM runs r "
	                     "JOIN datasets d ON d.hash = r.dataset WHERE r.id = ?1",
	[SQL_SNAPSHOT_AT] = "SELECT step, n_params, params, adam_m, adam_v, checksum FROM snapshots "
	                    "WHERE run_id = ?1 AND step <= ?2 ORDER BY step DESC LIMIT 1",
	[SQL_LOSS_RANGE] = "SELECT step, loss FROM steps WHERE run_id = ?1 AND step > ?2 AND step <= ?3 "
	                   "ORDER BY step",
	[SQL_LOSSES] = "SELECT step, loss, lr FROM steps WHERE run_id = ?1 ORDER BY step",
};

/* ---- errors and statements ---- */

int
store_fail(struct store *st, const char *fmt, ...)
{
	char raw[STORE_ERRLEN], *o = st->err, *end = st->err + sizeof st->err - 1;
	const unsigned char *p;
	va_list ap;
	int n;

	st->busy = 0;
	n = snprintf(raw, sizeof raw, "%s: ", st->path);
	if (n < 0 || (size_t)n >= sizeof raw)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(raw + n, sizeof raw - (size_t)n, fmt, ap);
	va_end(ap);
	/* The reason is one line, whatever it quotes: a path, a run's name
	 * or status, SQLite's message naming part of a damaged schema. */
	for (p = (const unsigned char *)raw; *p && o < end; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			*o++ = (char)*p;
		else if (end - o >= 4)
			o += snprintf(o, 5, "\\x%02x", *p);
		else
			break;
	}
	*o = '\0';
	return -1;
}

static int fail_sql_msg(struct store *st, const char *what);

int
store_fail_sql(struct store *st, const char *what)
{
	int rc = sqlite3_errcode(st->db) & 0xff;

	fail_sql_msg(st, what);
	/* waiting for another connection's lock: the caller may try again */
	st->busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
	return -1;
}

static int
fail_sql_msg(struct store *st, const char *what)
{
	const char *msg = sqlite3_errmsg(st->db);
	int rc = sqlite3_errcode(st->db) & 0xff;   /* the primary code */

	if (sqlite3_extended_errcode(st->db) == SQLITE_READONLY_ROLLBACK)
		return store_fail(st, "%s%sa stopped writer left a journal beside it that must be "
		    "rolled back, and the file or its folder is not writable", what ? what : "",
		    what ? ": " : "");
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
		return store_fail(st, "%s%s%s (the file is damaged or truncated)",
		    what ? what : "", what ? ": " : "", msg);
	if (rc == SQLITE_READONLY)
		return store_fail(st, "%s%s%s (the file or its folder is not writable)",
		    what ? what : "", what ? ": " : "", msg);
	return store_fail(st, "%s%s%s", what ? what : "", what ? ": " : "", msg);
}

const char *
store_errmsg(const struct store *st)
{
	return st->err;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

sqlite3_stmt *
store_stmt(struct store *st, enum store_sql id)
{
	if (!st->stmt[id] && sqlite3_prepare_v3(st->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT,
	    &st->stmt[id], NULL) != SQLITE_OK) {
		store_fail_sql(st, NULL);
		st->stmt[id] = NULL;
		return NULL;
	}
	return st->stmt[id];
}

int
store_begin_write(struct store *st)
{
	if (st->readonly)
		return store_fail(st, "opened read-only");
	/* WAL from the first write on, so that a reader never blocks this
	 * writer; a writer that ends up writing nothing leaves the file as
	 * it found it, byte for byte. */
	if (!st->wal) {
		if (store_exec(st, "PRAGMA journal_mode = WAL") < 0)
			return -1;
		st->wal = 1;
	}
	return store_exec(st, "BEGIN IMMEDIATE");
}

int
store_exec(struct store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail_sql(st, NULL);
	return 0;
}

int
store_checkpoint(struct store *st)
{
	int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	/* busy or locked: a reader or another writer has the log; the
	 * next checkpoint does it */
	if (rc == SQLITE_OK || (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return 0;
	return store_fail_sql(st, "checkpoint");
}

void
store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

void
store_abort(struct store *st)
{
	if (st->db && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

double
store_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

const char *
store_status_name(enum run_status s)
{
	switch (s) {
	case RUN_RUNNING: return "running";
	case RUN_FINISHED: return "finished";
	case RUN_INTERRUPTED: return "interrupted";
	case RUN_FAILED: return "failed";
	}
	return "?";
}

/* One integer pragma's value into *v; -1 with the error set. (The value
 * itself may be negative: user_version and application_id are signed
 * 32-bit fields of the header, whatever a file puts there.) */
static int
pragma_int(struct store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, NULL);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(s, 0);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		store_fail(st, "no answer to %s", sql);
	else
		store_fail_sql(st, NULL);
	sqlite3_finalize(s);
	return ret;
}

/* ---- where the database is ---- */

const char *
store_default_path(char *buf, size_t n)
{
	const char *env = getenv("MGPT_TUI_DB"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int r;

	if (env && *env)
		r = snprintf(buf, n, "%s", env);
	else if (xdg && xdg[0] == '/')   /* XDG: relative values are ignored */
		r = snprintf(buf, n, "%s/mgpt-tui/runs.db", xdg);
	else if (home && *home)
		r = snprintf(buf, n, "%s/.local/share/mgpt-tui/runs.db", home);
	else
		return NULL;
	return r < 0 || (size_t)r >= n ? NULL : buf;
}

int
store_mkdir_parent(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], *p;
	struct stat sb;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	if (stat(dir, &sb) == 0)
		return 0;
	for (p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: %s", dir, strerror(errno));
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

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
read_header(const char *path, unsigned char *h, size_t n)
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
	rc = f->pMethods->xFileSize(f, &size);
	if (rc == SQLITE_OK && size > 0)
		rc = f->pMethods->xRead(f, h, (int)((size_t)size < n ? (size_t)size : n), 0);
	f->pMethods->xClose(f);
	free(f);
	if (rc != SQLITE_OK) {
		errno = EIO;
		return -1;
	}
	return size < (sqlite3_int64)n ? (ssize_t)size : (ssize_t)n;
}

/* Refuse what is not a regular file holding an mgpt-tui (or empty)
 * database. *exists: the file is there; *fresh: empty, or absent. */
static int
preflight(struct store *st, const char *path, int create, int *exists)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char h[100];
	struct stat ls, sb;
	uint32_t page, app;
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
	if ((n = read_header(path, h, sizeof h)) < 0)
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
	if (sb.st_size % page || (!side_file_exists(path, "-wal") &&
	    !side_file_exists(path, "-journal") && be32(h + 24) == be32(h + 92) &&
	    (uint64_t)be32(h + 28) * page > (uint64_t)sb.st_size))
		return store_fail(st, "truncated database (%lld bytes; the header promises %llu)",
		    (long long)sb.st_size, (unsigned long long)be32(h + 28) * page);
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
	return pragma_int(st, sql, &n) < 0 ? -1 : (int)n;
}

static int
check_tables(struct store *st, int version)
{
	static const struct { const char *name; int since; } tables[] = {
		{ "datasets", 1 }, { "runs", 1 }, { "steps", 1 }, { "snapshots", 1 },
		{ "samples", 1 }, { "head_stats", 2 },
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

static int
migrate(struct store *st, int fresh)
{
	int64_t app, ver, v;
	char sql[64];

	if (fresh && store_exec(st, "PRAGMA auto_vacuum = INCREMENTAL") < 0)
		return -1;
	if (store_exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	/* Another process may have done it while we waited for the lock. */
	if (pragma_int(st, "PRAGMA application_id", &app) < 0 ||
	    pragma_int(st, "PRAGMA user_version", &ver) < 0)
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

static int
check_schema(struct store *st, int *fresh)
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
	if (pragma_int(st, "PRAGMA application_id", &app) < 0 ||
	    pragma_int(st, "PRAGMA user_version", &ver) < 0)
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

static int
folder_writable(const char *path)
{
	char dir[PATH_MAX], *p;

	snprintf(dir, sizeof dir, "%s", path);
	p = strrchr(dir, '/');
	if (!p)
		return access(".", W_OK) == 0;
	if (p == dir)
		p[1] = '\0';
	else
		*p = '\0';
	return access(dir, W_OK) == 0;
}

/* Open st->db on path, read-only or not as st->readonly, untrusting. */
static int
connect(struct store *st, const char *path)
{
	int flags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;

	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		if (st->db)
			return store_fail_sql(st, NULL);
		return store_fail(st, "out of memory");
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	/* A viewer waits out a writer's brief locks instead of failing. */
	sqlite3_busy_timeout(st->db, st->readonly ? 5000 : 10000);
	if (store_exec(st, "PRAGMA cell_size_check = ON") < 0)
		return -1;
	if (st->readonly && store_exec(st, "PRAGMA query_only = ON") < 0)
		return -1;
	return 0;
}

/* A writer killed in mid-transaction while the file was in rollback mode
 * (creating the schema, or switching to WAL at the start of a run) leaves
 * a hot journal beside it, and a read-only connection then refuses to read
 * at all ("attempt to write a readonly database"). Roll it back as any
 * SQLite writer does on its first read: the file goes back to its last
 * committed state and the journal goes. SQLite checks that no live writer
 * owns the journal. */
static int
roll_back_journal(struct store *st, const char *path)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
		sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, "PRAGMA application_id", NULL, NULL, NULL);
	}
	sqlite3_close(db);
	if (rc != SQLITE_OK)
		return store_fail(st, "a stopped writer left a journal beside it that must be "
		    "rolled back, and the file or its folder is not writable");
	return 0;
}

int
store_step(struct store *st, sqlite3_stmt *s)
{
	int fresh = !sqlite3_stmt_busy(s), rc = sqlite3_step(s);

	/* Only a statement's first step takes the read lock: later ones
	 * cannot meet a journal that was not hot then. */
	if (rc == SQLITE_READONLY_ROLLBACK && fresh && st->readonly &&
	    roll_back_journal(st, st->path) == 0) {
		sqlite3_reset(s);
		rc = sqlite3_step(s);
	}
	return rc;
}

struct store *
store_open(const char *path, int create, int readonly, char *err, size_t errlen)
{
	return store_open_ex(path, create, readonly, NULL, err, errlen);
}

struct store *
store_open_ex(const char *path, int create, int readonly, int *deferred, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof *st);
	int exists, fresh, fd, rc;
	int64_t ver = 0;

	snprintf(st->path, sizeof st->path, "%s", path);
	st->readonly = readonly;
	st->commit_every = STORE_COMMIT_SECONDS;
	if (deferred)
		*deferred = 0;
	if (preflight(st, path, create && !readonly, &exists) < 0)
		goto fail;
	if (deferred && !readonly && !exists) {
		/* creating it is a write */
		*deferred = 1;
		goto fail;
	}
	if (!readonly && (!folder_writable(path) || (exists && access(path, W_OK) < 0))) {
		store_fail(st, "cannot write here (%s is read-only)", exists && access(path, W_OK) < 0 ?
		    "the file" : "its folder");
		goto fail;
	}
	if (!exists) {
		/* Made here so that it, and the -wal and -shm files SQLite
		 * gives the same mode, are private. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			store_fail(st, "%s", strerror(errno));
			goto fail;
		}
		close(fd);
	}
	if (connect(st, path) < 0)
		goto fail;
	if ((rc = check_schema(st, &fresh)) < 0) {
		if (!readonly || rc != -2)
			goto fail;
		sqlite3_close(st->db);
		st->db = NULL;
		if (roll_back_journal(st, path) < 0 || connect(st, path) < 0 ||
		    check_schema(st, &fresh) < 0)
			goto fail;
	}
	if (!readonly) {
		if (sqlite3_db_readonly(st->db, "main") == 1) {
			store_fail(st, "cannot write here (the file is read-only)");
			goto fail;
		}
		if (!fresh && pragma_int(st, "PRAGMA user_version", &ver) < 0)
			goto fail;
		if (fresh || ver < STORE_SCHEMA) {
			if (deferred) {
				/* setting it up is a write: left to the normal open */
				*deferred = 1;
				goto fail;
			}
			if (migrate(st, fresh) < 0)
				goto fail;
		}
		/* FULL: each commit is on the disk when it returns (in WAL
		 * mode, one fdatasync of the log), so a power loss keeps
		 * every committed step; NORMAL synced only at checkpoints. */
		if (store_exec(st, "PRAGMA synchronous = FULL") < 0 ||
		    store_exec(st, "PRAGMA foreign_keys = ON") < 0)
			goto fail;
	}
	return st;
fail:
	snprintf(err, errlen, "%s", st->err);
	store_close(st);
	return NULL;
}

int
store_fold(struct store *st)
{
	int rc;

	if (!st->wal)
		return 0;
	store_abort(st);
	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_exec(st->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_busy_timeout(st->db, st->readonly ? 5000 : 10000);
	if (rc == SQLITE_OK) {
		st->wal = 0;
		return 0;
	}
	/* another connection has the file open: it stays in WAL mode, and
	 * the last one to close it folds it */
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return 0;
	return store_fail_sql(st, "folding the log into the file");
}

void
store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	if (st->db) {
		store_abort(st);
		for (i = 0; i < SQL__COUNT; i++)
			sqlite3_finalize(st->stmt[i]);
		/* At rest the file is in rollback mode: viewers then open it
		 * without creating -wal/-shm files, even in a read-only folder.
		 * While another connection has it open, it stays in WAL. */
		if (st->wal) {
			sqlite3_busy_timeout(st->db, 0);
			sqlite3_exec(st->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
		}
		sqlite3_close(st->db);
	}
	model_free(&st->layout);
	free(st->pend);
	free(st->blob);
	free(st->ds_text);
	free(st);
}

void
store_set_commit_interval(struct store *st, double seconds)
{
	st->commit_every = seconds;
}

/* ---- runs ---- */

static int
copy_text(char *dst, size_t n, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
	return t != NULL;
}

int
store_run_decode(struct store *st, sqlite3_stmt *s, struct run_info *r)
{
	char status[16], host[256], boot[64], err[256];
	int64_t v, pid, start;

	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	copy_text(r->name, sizeof r->name, s, 1);
	copy_text(status, sizeof status, s, 2);
	r->created = sqlite3_column_int64(s, 3);
	r->ended = sqlite3_column_int64(s, 4);
	r->seed = (uint64_t)sqlite3_column_int64(s, 5);
	r->cfg.vocab_size = (int)sqlite3_column_int64(s, 6);
	r->cfg.n_embd = (int)sqlite3_column_int64(s, 7);
	r->cfg.n_head = (int)sqlite3_column_int64(s, 8);
	r->cfg.n_layer = (int)sqlite3_column_int64(s, 9);
	r->cfg.block_size = (int)sqlite3_column_int64(s, 10);
	/* An int column that does not fit an int reads as out of range. */
	for (v = 6; v <= 10; v++)
		if (sqlite3_column_int64(s, (int)v) != (int)sqlite3_column_int64(s, (int)v))
			return store_fail(st, "run %lld: impossible model sizes", (long long)r->id);
	if (model_config_check(&r->cfg, err, sizeof err) < 0)
		return store_fail(st, "run %lld: impossible model sizes: %s", (long long)r->id, err);
	if ((uint64_t)sqlite3_column_int64(s, 11) != model_config_params(&r->cfg))
		return store_fail(st, "run %lld: parameter count %lld does not match the model sizes",
		    (long long)r->id, (long long)sqlite3_column_int64(s, 11));
	v = sqlite3_column_int64(s, 12);
	if (v < 1 || v > 1000000000L)
		return store_fail(st, "run %lld: impossible step count %lld", (long long)r->id, (long long)v);
	r->n_steps = (long)v;
	v = sqlite3_column_int64(s, 13);
	if (v < 1 || v > 1000000000L)
		return store_fail(st, "run %lld: impossible snapshot interval %lld", (long long)r->id,
		    (long long)v);
	r->snapshot_every = (long)v;
	r->temperature = sqlite3_column_double(s, 14);
	if (!(r->temperature > 0) || !isfinite(r->temperature))
		return store_fail(st, "run %lld: impossible temperature", (long long)r->id);
	v = sqlite3_column_int64(s, 15);
	if (v < 0 || v > 1000000)
		return store_fail(st, "run %lld: impossible sample count %lld", (long long)r->id, (long long)v);
	r->n_samples = (long)v;
	copy_text(r->version, sizeof r->version, s, 16);
	r->best_loss = sqlite3_column_type(s, 17) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 17);
	pid = sqlite3_column_int64(s, 18);
	copy_text(host, sizeof host, s, 19);
	copy_text(boot, sizeof boot, s, 20);
	start = sqlite3_column_int64(s, 21);
	copy_text(r->data_source, sizeof r->data_source, s, 22);
	r->lr = sqlite3_column_double(s, 23);
	r->beta1 = sqlite3_column_double(s, 24);
	r->beta2 = sqlite3_column_double(s, 25);
	r->eps = sqlite3_column_double(s, 26);
	v = sqlite3_column_int64(s, 27);
	if (v < 0 || v > r->n_steps)
		return store_fail(st, "run %lld: %lld steps logged of %ld planned", (long long)r->id,
		    (long long)v, r->n_steps);
	r->steps_done = (long)v;
	r->last_loss = sqlite3_column_type(s, 28) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 28);
	if (!strcmp(status, "running")) {
		r->status = RUN_RUNNING;
		r->pid = pid;
		if (store_proc_gone(pid, host, boot, start)) {
			r->status = RUN_INTERRUPTED;
			r->pid = 0;
		}
	} else if (!strcmp(status, "finished"))
		r->status = RUN_FINISHED;
	else if (!strcmp(status, "interrupted"))
		r->status = RUN_INTERRUPTED;
	else if (!strcmp(status, "failed"))
		r->status = RUN_FAILED;
	else
		return store_fail(st, "run %lld: unknown status '%s'", (long long)r->id, status);
	return 0;
}

static int
all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int
store_find_run(struct store *st, const char *spec, struct run_info *out)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	if (!strcmp(spec, "latest"))
		s = store_stmt(st, SQL_FIND_LATEST);
	else if (all_digits(spec)) {
		if (strlen(spec) > 18)
			return store_fail(st, "no run with id %s", spec);
		if ((s = store_stmt(st, SQL_FIND_ID)))
			sqlite3_bind_int64(s, 1, strtoll(spec, NULL, 10));
	} else if ((s = store_stmt(st, SQL_FIND_NAME)))
		sqlite3_bind_text(s, 1, spec, -1, SQLITE_TRANSIENT);
	if (!s)
		return -1;
	rc = store_step(st, s);
	if (rc == SQLITE_ROW)
		ret = store_run_decode(st, s, out);
	else if (rc != SQLITE_DONE)
		store_fail_sql(st, NULL);
	else if (!strcmp(spec, "latest"))
		store_fail(st, "no runs yet");
	else if (all_digits(spec))
		store_fail(st, "no run with id %s", spec);
	else
		store_fail(st, "no run named '%s'", spec);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int
store_list_runs(struct store *st, struct run_info **out, int *n)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LIST_RUNS);
	struct run_info *v = NULL;
	int cap = 0, k = 0, rc;

	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	while ((rc = store_step(st, s)) == SQLITE_ROW) {
		if (k == cap)
			v = xrealloc(v, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *v);
		if (store_run_decode(st, s, &v[k]) < 0)
			goto fail;
		k++;
	}
	if (rc != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		goto fail;
	}
	sqlite3_reset(s);
	*out = v;
	*n = k;
	return 0;
fail:
	sqlite3_reset(s);
	free(v);
	return -1;
}

/* ---- datasets ---- */

char *
store_dataset_text(const struct dataset *ds, size_t *len)
{
	char *t = xmalloc(ds->n_tok * 4 + ds->n_docs + 1), *p = t;
	char (*enc)[4] = xmalloc((size_t)ds->n_vocab * sizeof *enc);
	unsigned char *n = xmalloc((size_t)ds->n_vocab);
	size_t d, i;
	int k;

	/* Each character encoded once: a logged run waits for this text
	 * before it trains. */
	for (k = 0; k < ds->n_vocab; k++)
		n[k] = (unsigned char)utf8_put(enc[k], ds->vocab[k]);
	for (d = 0; d < ds->n_docs; d++) {
		const int *doc = dataset_doc(ds, d);
		size_t m = dataset_doc_len(ds, d);

		for (i = 0; i < m; i++) {
			memcpy(p, enc[doc[i]], 4);
			p += n[doc[i]];
		}
		*p++ = '\n';
	}
	*p = '\0';
	*len = (size_t)(p - t);
	free(enc);
	free(n);
	return t;
}

int
store_load_dataset(struct store *st, int64_t run_id, struct dataset *ds)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LOAD_DATASET);
	char hex[65], err[DATASET_ERRLEN];
	const char *hash, *text;
	int64_t n_docs;
	int rc, ret = -1, len;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	rc = store_step(st, s);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			store_fail(st, "run %lld: its dataset is missing", (long long)run_id);
		else
			store_fail_sql(st, NULL);
		goto out;
	}
	hash = (const char *)sqlite3_column_text(s, 0);
	n_docs = sqlite3_column_int64(s, 1);
	text = (const char *)sqlite3_column_text(s, 2);
	len = sqlite3_column_bytes(s, 2);
	if (!hash || !text) {
		store_fail(st, "run %lld: its dataset is damaged", (long long)run_id);
		goto out;
	}
	sha256_hex(text, (size_t)len, hex);
	if (strcmp(hex, hash) != 0) {
		store_fail(st, "run %lld: its dataset is damaged (SHA-256 mismatch)", (long long)run_id);
		goto out;
	}
	if (dataset_parse(ds, text, (size_t)len, err, sizeof err) < 0) {
		store_fail(st, "run %lld: its dataset: %s", (long long)run_id, err);
		goto out;
	}
	if ((int64_t)ds->n_docs != n_docs) {
		store_fail(st, "run %lld: its dataset is damaged (%zu documents, %lld recorded)",
		    (long long)run_id, ds->n_docs, (long long)n_docs);
		dataset_free(ds);
		goto out;
	}
	ret = 0;
out:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

/* ---- the per-step log ---- */

int
store_load_losses(struct store *st, int64_t run_id, double **loss, double **lr, long *n)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LOSSES);
	double *a = NULL, *b = NULL;
	long k = 0, cap = 0;
	int rc;

	*loss = *lr = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	while ((rc = store_step(st, s)) == SQLITE_ROW) {
		if (sqlite3_column_int64(s, 0) != k + 1) {
			store_fail(st, "run %lld: step %ld is missing from the log", (long long)run_id, k + 1);
			goto fail;
		}
		if (k == cap) {
			cap = cap ? 2 * cap : 1024;
			a = xrealloc(a, (size_t)cap * sizeof *a);
			b = xrealloc(b, (size_t)cap * sizeof *b);
		}
		a[k] = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
		b[k] = sqlite3_column_double(s, 2);
		k++;
	}
	if (rc != SQLITE_DONE) {
		store_fail_sql(st, NULL);
		goto fail;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*loss = a;
	*lr = b;
	*n = k;
	return 0;
fail:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(a);
	free(b);
	return -1;
}

int
store_each_step(struct store *st, int64_t run_id, int (*fn)(void *, const struct step_row *),
    void *ctx)
{
	sqlite3_stmt *s = NULL;
	struct step_row r;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT step, loss, lr, grad_norm, n_pos FROM steps "
	    "WHERE run_id = ?1 ORDER BY step", -1, &s, NULL) != SQLITE_OK)
		return store_fail_sql(st, NULL);
	sqlite3_bind_int64(s, 1, run_id);
	while (!stop && (rc = store_step(st, s)) == SQLITE_ROW) {
		r.step = (long)sqlite3_column_int64(s, 0);
		r.loss = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
		r.lr = sqlite3_column_double(s, 2);
		r.grad_norm = sqlite3_column_type(s, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 3);
		r.n_pos = (int)sqlite3_column_int64(s, 4);
		stop = fn(ctx, &r);
	}
	if (!stop && rc != SQLITE_DONE)
		store_fail_sql(st, NULL);
	sqlite3_finalize(s);
	return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}
