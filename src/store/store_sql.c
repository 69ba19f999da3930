/* SPDX-License-Identifier: MIT */
/* store_sql.c - the store's errors and the one-shot statements every file
 * of src/store uses (store_fail, store_exec, store_abort,
 * store_pragma_int): a leaf, so that store.c and store_schema.c, which
 * both use them, do not call each other in a circle. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

static int fail_sql_msg(struct store *st, const char *what);

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

int
store_exec(struct store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail_sql(st, NULL);
	return 0;
}

void
store_abort(struct store *st)
{
	if (st->db && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* One integer pragma's value into *v; -1 with the error set. (The value
 * itself may be negative: user_version and application_id are signed
 * 32-bit fields of the header, whatever a file puts there.) */
int
store_pragma_int(struct store *st, const char *sql, int64_t *v)
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
