/*
 * The keys that tell an experiment's runs apart (keys.h): params whose
 * values differ, and the main metrics by name and goal setting.  Over the
 * whole workspace it reads the params index only: the distinct keys by
 * skip-scan, then per key its smallest and largest value (two seeks).  An
 * index walk cannot do that for one experiment -- proving that a key is
 * absent from it means reading every row of the key -- so there it reads
 * the params of the experiment's newest RY_KEYS_SAMPLE runs by primary key:
 * exact for an experiment that size or smaller, and for a bigger one what
 * varies lately, which is what the newest-first table shows.
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

static const char sql_first_key[] = "SELECT min(key) FROM params";
static const char sql_next_key[] = "SELECT min(key) FROM params WHERE key > ?";
static const char sql_lo_all[] = "SELECT value FROM params WHERE key = ?1 ORDER BY value LIMIT 1";
static const char sql_hi_all[] = "SELECT value FROM params WHERE key = ?1 ORDER BY value DESC LIMIT 1";
/* The newest runs of one experiment: runs_by_experiment walked backwards. */
#define NEWEST "(SELECT id FROM runs WHERE experiment_id = ?1 ORDER BY id DESC LIMIT ?2)"
static const char sql_exp_params[] = "SELECT p.key, p.value FROM " NEWEST " r "
                                     "JOIN params p ON p.run_id = r.id ORDER BY p.key";
static const char sql_exp_metrics[] = "SELECT DISTINCT s.key FROM " NEWEST " r "
                                      "JOIN metric_summary s ON s.run_id = r.id ORDER BY s.key";

/* One text value of key from a statement bound with it; *out is NULL when
 * no row matched. */
static int one_value(ry_store *st, const char *sql, const char *key, char **out)
{
	sqlite3_stmt *q = ry_store__stmt(st, sql);
	int step, rc = 0;
	*out = NULL;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
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

static void push(char ***v, size_t *len, size_t *cap, const char *s)
{
	*v = ry_xgrow(*v, cap, *len + 1, sizeof **v);
	(*v)[(*len)++] = ry_xstrdup(s);
}

/* One experiment: its newest runs' params, in key order, grouped here. */
static int varying_in_experiment(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	sqlite3_stmt *q = ry_store__stmt(st, sql_exp_params);
	char *key = NULL, *first = NULL;
	bool varies = false;
	size_t cap = 0;
	int step, rc = 0;

	sqlite3_bind_int64(q, 1, experiment_id);
	sqlite3_bind_int(q, 2, RY_KEYS_SAMPLE);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 0);
		const char *val = (const char *)sqlite3_column_text(q, 1);
		if (!k || !val)
			continue;
		if (!key || strcmp(key, k)) {
			if (varies)
				push(out, n, &cap, key);
			free(key);
			free(first);
			key = ry_xstrdup(k);
			first = ry_xstrdup(val);
			varies = false;
		} else if (!varies && strcmp(first, val)) {
			varies = true;
		}
	}
	if (varies)
		push(out, n, &cap, key);
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "reading the experiment's params");
	sqlite3_reset(q);
	free(key);
	free(first);
	return rc;
}

int ry_keys_varying_params(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	char **v = NULL, *key = NULL, *prev = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (experiment_id > 0) {
		if ((rc = varying_in_experiment(st, experiment_id, &v, &len)) < 0) {
			ry_strings_free(v, len);
			return rc;
		}
		*out = v;
		*n = len;
		return 0;
	}
	while ((rc = next_key(st, prev, &key)) == 0 && key) {
		char *lo = NULL, *hi = NULL;
		rc = one_value(st, sql_lo_all, key, &lo);
		if (!rc && lo)
			rc = one_value(st, sql_hi_all, key, &hi);
		bool varies = lo && hi && strcmp(lo, hi) != 0;
		free(lo);
		free(hi);
		free(prev);
		prev = key;
		if (rc)
			break;
		if (varies)
			push(&v, &len, &cap, key);
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

/* The metric keys of the workspace (an index skip-scan), or of one
 * experiment's newest runs, sorted. */
static int metric_keys(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	if (experiment_id <= 0)
		return ry_metrics_keys(st, 0, out, n);
	sqlite3_stmt *q = ry_store__stmt(st, sql_exp_metrics);
	size_t cap = 0;
	int step, rc = 0;
	sqlite3_bind_int64(q, 1, experiment_id);
	sqlite3_bind_int(q, 2, RY_KEYS_SAMPLE);
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (sqlite3_column_text(q, 0))
			push(out, n, &cap, (const char *)sqlite3_column_text(q, 0));
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "listing the experiment's metric names");
	sqlite3_reset(q);
	if (rc) {
		ry_strings_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int ry_keys_main_metrics(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	char **keys = NULL;
	size_t nkeys = 0, len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = metric_keys(st, experiment_id, &keys, &nkeys)) < 0)
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
