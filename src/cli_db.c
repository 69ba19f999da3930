/* SPDX-License-Identifier: MIT */
/* cli_db.c - finding and opening the run database for a command. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "paths.h"
#include "store.h"

const char *
cli_db_path(const char *db_flag, char *buf, size_t n, int *is_default)
{
	const char *env = getenv("MGPT_TUI_DB");

	*is_default = 0;
	if (db_flag) {
		if (!*db_flag) {
			cli_error("--db: empty path");
			return NULL;
		}
		return db_flag;
	}
	if (!store_default_path(buf, n)) {
		cli_error("cannot tell where the run database is: set HOME, XDG_DATA_HOME or MGPT_TUI_DB, "
		    "or give --db");
		return NULL;
	}
	*is_default = !(env && *env);
	return buf;
}

struct store *
cli_store_open(const char *db_flag, enum cli_db_mode mode)
{
	char buf[MGPT_PATH_MAX], err[STORE_ERRLEN];
	const char *path;
	struct store *st;
	int is_default;

	if (!(path = cli_db_path(db_flag, buf, sizeof buf, &is_default)))
		return NULL;
	if (mode == CLI_DB_CREATE && is_default && store_mkdir_parent(path, err, sizeof err) < 0) {
		cli_error("%s", err);
		return NULL;
	}
	if (!(st = store_open(path, mode == CLI_DB_CREATE, mode == CLI_DB_READ, err, sizeof err)))
		cli_error("%s", err);
	return st;
}

struct store *
cli_store_open_run(const char *db_flag, enum cli_db_mode mode, const char *spec,
    struct run_info *run)
{
	struct store *st = cli_store_open(db_flag, mode);

	if (st && store_find_run(st, spec, run) < 0) {
		cli_error("%s", store_errmsg(st));
		store_close(st);
		return NULL;
	}
	return st;
}
