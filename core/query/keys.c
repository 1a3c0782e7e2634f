/*
 * The keys that tell an experiment's runs apart (keys.h): params whose
 * values differ, and the main metrics by name and goal setting.  For the
 * params it reads the params index, never the runs one by one: the distinct
 * keys by skip-scan, then per key the smallest and the largest value among
 * the experiment's runs, each the first hit of an ordered index walk.
 *
 * It chooses nothing by width and formats nothing; the TUI decides how
 * many of these fit on screen.
 */
#include "query/keys.h"
#include "store/store_internal.h"
#include "metrics/metrics.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The CROSS JOIN keeps params outermost, so that SQLite walks
 * params_by_key_value in value order and stops at the first run of the
 * experiment, instead of sorting every run's value. */
static const char sql_first_key[] = "SELECT min(key) FROM params";
static const char sql_next_key[] = "SELECT min(key) FROM params WHERE key > ?";
static const char sql_lo_all[] = "SELECT value FROM params WHERE key = ?1 ORDER BY value LIMIT 1";
static const char sql_hi_all[] = "SELECT value FROM params WHERE key = ?1 ORDER BY value DESC LIMIT 1";
static const char sql_lo_exp[] = "SELECT p.value FROM params p CROSS JOIN runs r ON r.id = p.run_id "
                                 "WHERE p.key = ?1 AND r.experiment_id = ?2 ORDER BY p.value LIMIT 1";
static const char sql_hi_exp[] = "SELECT p.value FROM params p CROSS JOIN runs r ON r.id = p.run_id "
                                 "WHERE p.key = ?1 AND r.experiment_id = ?2 ORDER BY p.value DESC LIMIT 1";

/* One text value from a statement bound with (key, experiment); *out is
 * NULL when no row matched. */
static int one_value(ry_store *st, const char *sql, const char *key, int64_t exp, char **out)
{
	sqlite3_stmt *q = ry_store__stmt(st, sql);
	int step, rc = 0;
	*out = NULL;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	if (exp > 0)
		sqlite3_bind_int64(q, 2, exp);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		*out = ry_store__column_dup(q, 0);
	else if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "reading param values");
	sqlite3_reset(q);
	return rc;
}

/* The next param key after `after` (the first for NULL); *out NULL at the end. */
static int next_key(ry_store *st, const char *after, char **out)
{
	sqlite3_stmt *q = ry_store__stmt(st, after ? sql_next_key : sql_first_key);
	int step, rc = 0;
	*out = NULL;
	if (after)
		sqlite3_bind_text(q, 1, after, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		*out = ry_store__column_dup(q, 0);
	else if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "listing param names");
	sqlite3_reset(q);
	return rc;
}

int ry_keys_varying_params(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	char **v = NULL, *key = NULL, *prev = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = next_key(st, prev, &key)) == 0 && key) {
		char *lo = NULL, *hi = NULL;
		rc = one_value(st, experiment_id > 0 ? sql_lo_exp : sql_lo_all, key, experiment_id, &lo);
		if (!rc && lo)
			rc = one_value(st, experiment_id > 0 ? sql_hi_exp : sql_hi_all, key, experiment_id, &hi);
		bool varies = lo && hi && strcmp(lo, hi) != 0;
		free(lo);
		free(hi);
		free(prev);
		prev = key;
		if (rc)
			break;
		if (varies) {
			v = ry_xgrow(v, &cap, len + 1, sizeof *v);
			v[len++] = ry_xstrdup(key);
		}
	}
	free(prev);
	if (rc) {
		ry_strings_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* 0: its goal is set; 1: a validation metric; 2: the loss; 3: not main. */
static int rank(ry_store *st, const char *key)
{
	if (ry_metric_goal_set(st, key))
		return 0;
	if (starts(key, "val_") || starts(key, "val/") || starts(key, "valid_") || starts(key, "validation_"))
		return 1;
	return !strcmp(key, "loss") ? 2 : 3;
}

int ry_keys_main_metrics(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	char **keys = NULL;
	size_t nkeys = 0, len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ry_metrics_keys(st, experiment_id, &keys, &nkeys)) < 0)
		return rc;
	int *ranks = ry_xcalloc(nkeys ? nkeys : 1, sizeof *ranks);
	char **v = ry_xcalloc(nkeys ? nkeys : 1, sizeof *v);
	for (size_t i = 0; i < nkeys; i++)
		ranks[i] = rank(st, keys[i]);
	/* The keys come sorted, so one pass per rank keeps each group sorted. */
	for (int r = 0; r < 3; r++)
		for (size_t i = 0; i < nkeys; i++)
			if (ranks[i] == r)
				v[len++] = ry_xstrdup(keys[i]);
	if (!len)
		for (size_t i = 0; i < nkeys; i++)
			v[len++] = ry_xstrdup(keys[i]);
	free(ranks);
	ry_strings_free(keys, nkeys);
	if (!len) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = len;
	return 0;
}
