/*
 * The filter and sort language (docs/query.md): tokenizer, recursive-descent
 * parser, field resolution against the workspace, and the compiler to an SQL
 * condition over `runs AS r`.
 *
 * The parser emits SQL as it goes (there is no AST: the grammar is small and
 * every construct maps to one parenthesised SQL term).  Every value and every
 * key is a bound parameter; the only text spliced into SQL is fixed text from
 * this file.  Leaf predicates on params, metrics and tags compile to
 * `r.id IN (SELECT run_id FROM <table> WHERE key = ? AND <col> <op> ?)`, which
 * the (key, num) / (key, value) / (key, last) indexes answer, and which gives
 * two-valued logic: a run without the value fails the comparison, and `not`
 * of it succeeds.
 *
 * It does not run queries (runlist.c does) and it does not format anything
 * for a terminal beyond making its own error messages safe to print.
 */
#include "query/query_internal.h"
#include "store/store_internal.h"
#include "metrics/metrics.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Unix seconds "now" computed by SQLite at statement time, so that a field
 * kept by the TUI shows fresh durations and costs of running runs. */
#define NOW_SQL "((julianday('now') - 2440587.5) * 86400.0)"

/* ---- built-in fields --------------------------------------------------- */

enum btype {
	BT_TEXT,       /* compared as text */
	BT_STATUS,     /* text with a closed set of values */
	BT_EXPERIMENT, /* the experiment's name, filtered through experiments */
	BT_INT,        /* integer column */
	BT_TIME,       /* Unix seconds; literals are ages (7d) or dates */
	BT_DURATION,   /* seconds; literals are durations (2h30m) */
	BT_COST,       /* money; literals are numbers, "$" allowed */
};

struct builtin {
	const char *name;
	const char *sql;
	enum btype type;
	bool nullable;
};

static const struct builtin builtins[] = {
	{ "id", "r.id", BT_INT, false },
	{ "uuid", "r.uuid", BT_TEXT, false },
	{ "name", "r.name", BT_TEXT, false },
	{ "status", "r.status", BT_STATUS, false },
	{ "experiment", "(SELECT e.name FROM experiments AS e WHERE e.id = r.experiment_id)", BT_EXPERIMENT, false },
	{ "host", "r.host", BT_TEXT, true },
	{ "created", "r.created", BT_TIME, true },
	{ "started", "r.started", BT_TIME, true },
	{ "ended", "r.ended", BT_TIME, true },
	{ "duration", "(CASE WHEN r.ended IS NOT NULL THEN r.ended - r.started"
	              " WHEN r.status = 'running' THEN " NOW_SQL " - r.started END)", BT_DURATION, true },
	{ "cost", "(CASE WHEN r.status = 'running' AND r.ended IS NULL AND r.cost_rate IS NOT NULL"
	          " AND r.started IS NOT NULL THEN r.cost_rate * (" NOW_SQL " - r.started) / 3600.0"
	          " ELSE r.cost_total END)", BT_COST, true },
	{ "source", "r.source", BT_TEXT, false },
	{ "exit_code", "r.exit_code", BT_INT, true },
	{ "gpus", "r.gpus", BT_TEXT, true },
	{ "git_commit", "r.git_commit", BT_TEXT, true },
	{ "git_branch", "r.git_branch", BT_TEXT, true },
	{ "command", "r.command", BT_TEXT, true },
	{ "notes", "r.notes", BT_TEXT, true },
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

static const char *const statuses[] = { "queued", "running", "finished", "failed", "killed", "lost" };

static const struct {
	const char *name;
	ry_metric_agg agg;
} aggs[] = {
	{ "last", RY_AGG_LAST }, { "min", RY_AGG_MIN }, { "max", RY_AGG_MAX },
	{ "best", RY_AGG_BEST }, { "n", RY_AGG_COUNT },
};

struct ry_field {
	ry_field_kind kind;
	const struct builtin *b; /* RY_FIELD_BUILTIN */
	char *key;               /* param/metric/tag key; builtin name otherwise */
	char *label;
	char *name;              /* canonical, made on first ry_field_name */
	ry_metric_agg agg;
	const char *col;         /* metric_summary column for agg (best resolved) */
	bool numeric;
};

void ry_field_free(ry_field *f)
{
	if (!f)
		return;
	free(f->key);
	free(f->label);
	free(f->name);
	free(f);
}

ry_field_kind ry_field_kind_of(const ry_field *f) { return f->kind; }

/* An index gives the run list these orders for free (runs_by_created and
 * runs_listing,
 * runs_by_name, runs_by_status, the rowid) -- ascending only for columns
 * without NULLs, which sort last in either direction and so break an
 * index's ascending order.  Any other order is sorted in C (runlist.c):
 * SQLite would sort 100k rows in a temp b-tree, evaluating a computed field
 * like duration or cost row by row. */
bool ry_field__sql_sorted(const ry_field *f, bool desc)
{
	static const char *const indexed[] = { "created", "id", "name", "status" };
	if (f->kind != RY_FIELD_BUILTIN)
		return false;
	for (size_t i = 0; i < sizeof indexed / sizeof indexed[0]; i++)
		if (!strcmp(f->b->name, indexed[i]))
			return desc || !f->b->nullable;
	return false;
}

/* Where an index holds f's values in sort order, for the run list's first
 * page (runlist.c walks it instead of sorting every run).  Only columns of
 * one value class qualify: a metric summary (REAL, NaN stored as NULL), a
 * param whose values are all numbers (f->numeric: (key, num)) or all text
 * (key, value), a tag (always text).  A param mixing both sorts numbers and
 * text apart (numbers first ascending) and is left to the C sort. */
bool ry_field__index_order(const ry_field *f, ry_store *st, struct ry_field_index *out)
{
	switch (f->kind) {
	case RY_FIELD_METRIC:
		/* Only the last value is in index order (schema 11: one index,
		 * (key, last, run_id, min, max), for ingest's sake); .min, .max
		 * and .best are sorted in C from that index's entries. */
		if (f->col && !strcmp(f->col, "last")) {
			*out = (struct ry_field_index){ "metric_summary", "last", "metric_summary_by_key" };
			return true;
		}
		return false;
	case RY_FIELD_PARAM:
		if (f->numeric) {
			*out = (struct ry_field_index){ "params", "num", "params_by_key_num" };
			return true;
		}
		/* Text only: no number at all (one seek on (key, num), whose
		 * NULLs come first; -9e999 is -inf, so every number counts). */
		{
			sqlite3_stmt *s = ry_store__stmt(st, "SELECT 1 FROM params WHERE key = ? AND num >= -9e999 LIMIT 1");
			bool any_number;
			sqlite3_bind_text(s, 1, f->key, -1, SQLITE_TRANSIENT);
			any_number = sqlite3_step(s) == SQLITE_ROW;
			sqlite3_reset(s);
			if (any_number)
				return false;
		}
		*out = (struct ry_field_index){ "params", "value", "params_by_key_value" };
		return true;
	case RY_FIELD_TAG:
		*out = (struct ry_field_index){ "tags", "value", "tags_by_key_value" };
		return true;
	default:
		return false;
	}
}

const char *ry_field_key(const ry_field *f) { return f->key; }
const char *ry_field_label(const ry_field *f) { return f->label; }

/* A key goes bare when the parser reads it back as itself, else quoted. */
static void put_key(ry_buf *b, const char *key, bool metric)
{
	bool bare = *key != '\0';
	for (const char *s = key; *s && bare; s++)
		bare = isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '/' || (!metric && *s == '.');
	if (bare) {
		ry_buf_puts(b, key);
		return;
	}
	ry_buf_putc(b, '"');
	for (const char *s = key; *s; s++) {
		if (*s == '"' || *s == '\\')
			ry_buf_putc(b, '\\');
		ry_buf_putc(b, *s);
	}
	ry_buf_putc(b, '"');
}

char *ry_field_param_name(const char *key)
{
	ry_buf b = RY_BUF_INIT;
	ry_buf_puts(&b, "params.");
	put_key(&b, key, false);
	return ry_buf_detach(&b);
}

static bool is_wordchar(char c);

void ry_query_put_value(ry_buf *b, const char *v)
{
	char *end;
	bool bare = *v && strcmp(v, "and") && strcmp(v, "or") && strcmp(v, "not");
	for (const char *s = v; *s && bare; s++)
		bare = is_wordchar(*s);
	if (bare) { /* a word that reads as a number compares as one: quote it to stay text */
		strtod(v, &end);
		bare = *end != '\0';
	}
	if (bare) {
		ry_buf_puts(b, v);
		return;
	}
	ry_buf_putc(b, '"');
	for (const char *s = v; *s; s++) {
		if (*s == '"' || *s == '\\')
			ry_buf_putc(b, '\\');
		ry_buf_putc(b, *s);
	}
	ry_buf_putc(b, '"');
}

const char *ry_field_name(const ry_field *f)
{
	ry_field *m = (ry_field *)f; /* the name is a cache; the field stays what it was */
	if (m->name)
		return m->name;
	ry_buf b = RY_BUF_INIT;
	switch (f->kind) {
	case RY_FIELD_BUILTIN: ry_buf_puts(&b, f->key); break;
	case RY_FIELD_PARAM: ry_buf_puts(&b, "params."); put_key(&b, f->key, false); break;
	case RY_FIELD_TAG: ry_buf_puts(&b, "tags."); put_key(&b, f->key, false); break;
	case RY_FIELD_METRIC:
		ry_buf_puts(&b, "metrics.");
		put_key(&b, f->key, true);
		if (f->agg != RY_AGG_LAST) {
			ry_buf_putc(&b, '.');
			ry_buf_puts(&b, aggs[f->agg].name);
		}
		break;
	}
	m->name = ry_buf_detach(&b);
	return m->name;
}
ry_metric_agg ry_field_agg(const ry_field *f) { return f->agg; }
bool ry_field_numeric(const ry_field *f) { return f->numeric; }

static bool bt_numeric(enum btype t)
{
	return t == BT_INT || t == BT_TIME || t == BT_DURATION || t == BT_COST;
}

void ry_field__sql(const ry_field *f, ry_buf *sql)
{
	switch (f->kind) {
	case RY_FIELD_BUILTIN:
		ry_buf_puts(sql, f->b->sql);
		break;
	case RY_FIELD_PARAM:
		ry_buf_puts(sql, "(SELECT coalesce(p.num, p.value) FROM params AS p WHERE p.run_id = r.id AND p.key = ?)");
		break;
	case RY_FIELD_METRIC:
		ry_buf_printf(sql, "(SELECT m.%s FROM metric_summary AS m WHERE m.run_id = r.id AND m.key = ?)", f->col);
		break;
	case RY_FIELD_TAG:
		ry_buf_puts(sql, "(SELECT t.value FROM tags AS t WHERE t.run_id = r.id AND t.key = ?)");
		break;
	}
}

/* A column of every run from the list's covering index where it holds what
 * the field reads: a fifth of the table's pages, so at 10^6 runs a column
 * costs ~100 ms instead of 150-450. */
static const char *const listing_covers[] = { "id", "name", "status", "experiment", "host", "created",
                                              "started", "ended", "duration", "cost" };

bool ry_field__listed(const ry_field *f)
{
	if (f->kind != RY_FIELD_BUILTIN)
		return false;
	for (size_t i = 0; i < sizeof listing_covers / sizeof *listing_covers; i++)
		if (!strcmp(f->b->name, listing_covers[i]))
			return true;
	return false;
}

void ry_field__listing_sql(ry_field *const *f, size_t n, ry_buf *sql)
{
	ry_buf_puts(sql, "SELECT r.id");
	for (size_t i = 0; i < n; i++)
		ry_buf_printf(sql, ", %s", f[i]->b->sql);
	ry_buf_puts(sql, " FROM runs AS r INDEXED BY runs_listing");
}

void ry_field__scan_sql(const ry_field *f, ry_buf *sql, bool one_run)
{
	switch (f->kind) {
	case RY_FIELD_BUILTIN:
		ry_buf_printf(sql, "SELECT r.id, %s FROM runs AS r%s", f->b->sql,
		              !one_run && ry_field__listed(f) ? " INDEXED BY runs_listing" : "");
		if (one_run)
			ry_buf_puts(sql, " WHERE r.id = ?");
		return;
	case RY_FIELD_PARAM:
		if (!one_run) {
			/* Numbers from the (key, num) index, then every value from the
			 * (key, value) index: both scans are covering, where one
			 * coalesce(num, value) would look each row up in the table
			 * (10x slower).  Callers keep a number over the text. */
			ry_buf_puts(sql, "SELECT run_id, num FROM params WHERE key = ?1 AND num IS NOT NULL");
			/* A param whose values were all numbers when the field was
			 * made reads its text values (none, unless one came since)
			 * from the NULL end of the (key, num) index: one seek, where
			 * the (key, value) scan read every value a second time. */
			if (f->numeric)
				ry_buf_puts(sql, " UNION ALL SELECT run_id, value FROM params INDEXED BY params_by_key_num"
				                 " WHERE key = ?1 AND num IS NULL");
			else
				ry_buf_puts(sql, " UNION ALL SELECT run_id, value FROM params WHERE key = ?1");
			return;
		}
		ry_buf_puts(sql, "SELECT run_id, coalesce(num, value) FROM params WHERE key = ?");
		break;
	case RY_FIELD_METRIC:
		ry_buf_printf(sql, "SELECT run_id, %s FROM metric_summary WHERE key = ?", f->col);
		break;
	case RY_FIELD_TAG:
		ry_buf_puts(sql, "SELECT run_id, value FROM tags WHERE key = ?");
		break;
	}
	if (one_run)
		ry_buf_puts(sql, " AND run_id = ?");
}

int ry_field__bind(const ry_field *f, sqlite3_stmt *s, int first)
{
	if (f->kind == RY_FIELD_BUILTIN)
		return first;
	sqlite3_bind_text(s, first, f->key, -1, SQLITE_TRANSIENT);
	return first + 1;
}

/* ---- looking keys up in the workspace ---------------------------------- */

static const char sql_param_exists[] = "SELECT 1 FROM params WHERE key = ? LIMIT 1";
static const char sql_metric_exists[] = "SELECT 1 FROM metric_summary WHERE key = ? LIMIT 1";
static const char sql_tag_exists[] = "SELECT 1 FROM tags WHERE key = ? LIMIT 1";
/* A param column is numeric when it has values and none of them is text;
 * NULL nums sort first in the (key, num) index, so this is one seek. */
static const char sql_param_text[] = "SELECT 1 FROM params WHERE key = ? AND num IS NULL LIMIT 1";

static bool key_exists(ry_store *st, const char *sql, const char *key)
{
	sqlite3_stmt *s = ry_store__stmt(st, sql);
	bool found;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

/* Distinct keys of a table, by index seeks (key > previous), at most max. */
static const char sql_next_param[] = "SELECT min(key) FROM params WHERE key > ?";
static const char sql_next_metric[] = "SELECT min(key) FROM metric_summary WHERE key > ?";
static const char sql_next_tag[] = "SELECT min(key) FROM tags WHERE key > ?";

static char **distinct_keys(ry_store *st, const char *sql, size_t max, size_t *n)
{
	char **v = NULL, *prev = ry_xstrdup("");
	size_t cap = 0;
	*n = 0;
	while (*n < max) {
		sqlite3_stmt *s = ry_store__stmt(st, sql);
		char *k;
		sqlite3_bind_text(s, 1, prev, -1, SQLITE_TRANSIENT);
		k = sqlite3_step(s) == SQLITE_ROW ? ry_store__column_dup(s, 0) : NULL;
		sqlite3_reset(s);
		if (!k)
			break;
		v = ry_xgrow(v, &cap, *n + 1, sizeof *v);
		v[(*n)++] = k;
		free(prev);
		prev = ry_xstrdup(k);
	}
	free(prev);
	return v;
}

/* Case-insensitive edit distance, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, d;
	if (la > 64 || lb > 64)
		return 99;
	row = ry_xmalloc((lb + 1) * sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

struct cand {
	char *text;
	size_t dist;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return strcmp(x->text, y->text);
}

static void add_cand(struct cand **v, size_t *n, size_t *cap, const char *name, const char *text)
{
	size_t d = edit_distance(name, text), lim = strlen(name) / 3;
	if (lim < 2)
		lim = 2;
	if (d > lim && !(strlen(name) >= 3 && strcasestr(text, name)))
		return;
	*v = ry_xgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[*n].text = ry_xstrdup(text);
	(*v)[*n].dist = d;
	(*n)++;
}

static void list_some(ry_buf *b, const char *what, char **keys, size_t n)
{
	if (!n)
		return;
	ry_buf_printf(b, "; %s: ", what);
	for (size_t i = 0; i < n && i < 8; i++)
		ry_buf_printf(b, "%s%s", i ? ", " : "", keys[i]);
	if (n > 8)
		ry_buf_puts(b, ", ...");
}

/* The hint after "unknown field 'x'": close names, or some known ones. */
static char *unknown_hint(ry_store *st, const char *name)
{
	size_t np, nm, nt, nc = 0, cap = 0;
	char **pk = distinct_keys(st, sql_next_param, 500, &np);
	char **mk = distinct_keys(st, sql_next_metric, 500, &nm);
	char **tk = distinct_keys(st, sql_next_tag, 200, &nt);
	struct cand *c = NULL;
	ry_buf b = RY_BUF_INIT;

	for (size_t i = 0; i < NBUILTINS; i++)
		add_cand(&c, &nc, &cap, name, builtins[i].name);
	for (size_t i = 0; i < np; i++) {
		char *q = ry_xasprintf("params.%s", pk[i]);
		add_cand(&c, &nc, &cap, name, key_exists(st, sql_metric_exists, pk[i]) ? q : pk[i]);
		free(q);
	}
	for (size_t i = 0; i < nm; i++) {
		char *q = ry_xasprintf("metrics.%s", mk[i]);
		add_cand(&c, &nc, &cap, name, key_exists(st, sql_param_exists, mk[i]) ? q : mk[i]);
		free(q);
	}
	for (size_t i = 0; i < nt; i++) {
		char *q = ry_xasprintf("tags.%s", tk[i]);
		add_cand(&c, &nc, &cap, name, q);
		free(q);
	}
	if (nc) {
		qsort(c, nc, sizeof *c, cand_cmp);
		ry_buf_puts(&b, "did you mean ");
		for (size_t i = 0; i < nc && i < 5; i++)
			ry_buf_printf(&b, "%s%s", i ? (i + 1 == nc || i == 4 ? " or " : ", ") : "", c[i].text);
		ry_buf_puts(&b, "?");
	} else {
		ry_buf_puts(&b, "fields are name, status, host, experiment, created, started, ended, duration, cost, "
		                "id, uuid, source, exit_code, gpus, git_commit, git_branch");
		list_some(&b, "params", pk, np);
		list_some(&b, "metrics", mk, nm);
		list_some(&b, "tags (write tags.KEY)", tk, nt);
	}
	for (size_t i = 0; i < nc; i++)
		free(c[i].text);
	free(c);
	ry_strings_free(pk, np);
	ry_strings_free(mk, nm);
	ry_strings_free(tk, nt);
	return ry_buf_detach(&b);
}

/* ---- resolving a field name -------------------------------------------- */

static ry_field *new_field(ry_field_kind kind, const char *key)
{
	ry_field *f = ry_xcalloc(1, sizeof *f);
	f->kind = kind;
	f->key = ry_xstrdup(key);
	f->agg = RY_AGG_LAST;
	return f;
}

static ry_field *metric_field(ry_store *st, const char *key, ry_metric_agg agg)
{
	ry_field *f = new_field(RY_FIELD_METRIC, key);
	f->agg = agg;
	f->numeric = true;
	switch (agg) {
	case RY_AGG_LAST: f->col = "last"; break;
	case RY_AGG_MIN: f->col = "min"; break;
	case RY_AGG_MAX: f->col = "max"; break;
	case RY_AGG_COUNT: f->col = "n"; break;
	case RY_AGG_BEST: { /* summary columns; a metric with no goal has no best (col NULL: refused) */
		int goal = ry_metric_goal(st, key);
		f->col = goal > 0 ? "max" : goal < 0 ? "min" : NULL;
		break;
	}
	}
	/* A param of the same key owns the bare name (resolve_name): the
	 * metric's heading says which it is. */
	const char *pfx = key_exists(st, sql_param_exists, key) ? "metrics." : "";
	if (agg == RY_AGG_LAST)
		f->label = ry_xasprintf("%s%s", pfx, key);
	else
		f->label = ry_xasprintf("%s%s.%s", pfx, key, aggs[agg].name);
	return f;
}

static ry_field *param_field(ry_store *st, const char *key)
{
	ry_field *f = new_field(RY_FIELD_PARAM, key);
	f->label = ry_xstrdup(key);
	f->numeric = key_exists(st, sql_param_exists, key) && !key_exists(st, sql_param_text, key);
	return f;
}

static ry_field *tag_field(const char *key)
{
	ry_field *f = new_field(RY_FIELD_TAG, key);
	f->label = ry_xasprintf("tags.%s", key);
	return f;
}

/* If `key` ends in ".min" etc., the agg and the length of the base key. */
static bool split_agg(const char *key, ry_metric_agg *agg, size_t *baselen)
{
	const char *dot = strrchr(key, '.');
	if (!dot || dot == key || !dot[1])
		return false;
	for (size_t i = 0; i < sizeof aggs / sizeof aggs[0]; i++) {
		if (strcasecmp(dot + 1, aggs[i].name) == 0) {
			*agg = aggs[i].agg;
			*baselen = (size_t)(dot - key);
			return true;
		}
	}
	return false;
}

/* metrics.KEY: a metric of that exact key wins; else a trailing .min/.max/
 * .best/.n/.last names the aggregate.  `explicit` (written with metrics.)
 * accepts keys no run has yet, so scripts work on a fresh workspace. */
static ry_field *resolve_metric(ry_store *st, const char *key, bool explicit)
{
	ry_metric_agg agg;
	size_t baselen;
	if (key_exists(st, sql_metric_exists, key))
		return metric_field(st, key, RY_AGG_LAST);
	if (split_agg(key, &agg, &baselen)) {
		char *base = ry_xstrndup(key, baselen);
		ry_field *f = NULL;
		if (explicit || key_exists(st, sql_metric_exists, base))
			f = metric_field(st, base, agg);
		free(base);
		if (f)
			return f;
	}
	return explicit ? metric_field(st, key, RY_AGG_LAST) : NULL;
}

static const char *strip_prefix(const char *s, const char *const *prefixes)
{
	for (; *prefixes; prefixes++) {
		size_t n = strlen(*prefixes);
		if (strncasecmp(s, *prefixes, n) == 0)
			return s + n;
	}
	return NULL;
}

static const char *const param_prefixes[] = { "params.", "param.", NULL };
static const char *const metric_prefixes[] = { "metrics.", "metric.", NULL };
static const char *const tag_prefixes[] = { "tags.", "tag.", NULL };

/* Resolve `name` (with `qkey`: the quoted-key form PREFIX."KEY"[.AGG], where
 * name is the prefix).  On failure returns NULL, *why is the complaint and
 * *hint (may be NULL) what to do; both malloc'd. */
static ry_field *resolve_name(ry_store *st, const char *name, const char *qkey, const char *qagg,
                              char **why, char **hint)
{
	const char *rest;
	*why = *hint = NULL;

	if (qkey) {
		char *pfx = ry_xasprintf("%s.", name);
		ry_field *f = NULL;
		ry_metric_agg agg = RY_AGG_LAST;
		bool agg_ok = !qagg;
		for (size_t i = 0; qagg && i < sizeof aggs / sizeof aggs[0]; i++)
			if (strcasecmp(qagg, aggs[i].name) == 0)
				agg = aggs[i].agg, agg_ok = true;
		if (!*qkey) {
			*why = ry_xstrdup("empty key");
		} else if (strip_prefix(pfx, metric_prefixes)) {
			if (agg_ok)
				f = metric_field(st, qkey, agg);
			else
				*why = ry_xasprintf("unknown metric summary '.%s'", qagg),
				*hint = ry_xstrdup("use .min, .max, .best, .n or .last");
		} else if (qagg) {
			*why = ry_xasprintf("only metrics have summaries like '.%s'", qagg);
		} else if (strip_prefix(pfx, param_prefixes)) {
			f = param_field(st, qkey);
		} else if (strip_prefix(pfx, tag_prefixes)) {
			f = tag_field(qkey);
		} else {
			*why = ry_xasprintf("unknown prefix '%s'", pfx);
			*hint = ry_xstrdup("quoted keys go after params., metrics. or tags.");
		}
		free(pfx);
		return f;
	}

	for (size_t i = 0; i < NBUILTINS; i++) {
		if (strcasecmp(name, builtins[i].name) == 0) {
			ry_field *f = new_field(RY_FIELD_BUILTIN, builtins[i].name);
			f->b = &builtins[i];
			f->label = ry_xstrdup(builtins[i].name);
			f->numeric = bt_numeric(builtins[i].type);
			return f;
		}
	}
	if ((rest = strip_prefix(name, param_prefixes)) && *rest)
		return param_field(st, rest);
	if ((rest = strip_prefix(name, metric_prefixes)) && *rest)
		return resolve_metric(st, rest, true);
	if ((rest = strip_prefix(name, tag_prefixes)) && *rest)
		return tag_field(rest);

	/* A bare key: a param or a metric, whichever exists.  Both is the
	 * param: it is what the user set, while capture may also have read the
	 * startup line that echoed it ("lr=0.01"); metrics.KEY reaches the other. */
	if (key_exists(st, sql_param_exists, name))
		return param_field(st, name);
	if (key_exists(st, sql_metric_exists, name))
		return metric_field(st, name, RY_AGG_LAST);
	ry_field *f = resolve_metric(st, name, false);
	if (f)
		return f;
	*why = ry_xasprintf("unknown field '%s'", name);
	if (key_exists(st, sql_tag_exists, name))
		*hint = ry_xasprintf("'%s' is a tag: write tags.%s", name, name);
	else
		*hint = unknown_hint(st, name);
	return NULL;
}

/* resolve_name, refusing the .best of a metric whose goal is none: there
 * is no best to compare with, and max or min would pretend there is. */
static ry_field *resolve(ry_store *st, const char *name, const char *qkey, const char *qagg,
                         char **why, char **hint)
{
	ry_field *f = resolve_name(st, name, qkey, qagg, why, hint);
	if (f && f->kind == RY_FIELD_METRIC && !f->col) {
		*why = ry_xasprintf("metric '%s' has no goal, so no .best", f->key);
		*hint = ry_xasprintf("write .max or .min, or give it one: runyard goal %s max|min", f->key);
		ry_field_free(f);
		f = NULL;
	}
	return f;
}

/* A quoted string at s (s[0] is the quote).  Inside, a backslash escapes
 * the quote or a backslash, and a doubled quote stands for one.  *len is
 * the bytes consumed.  False if it is not closed. */
static bool unquote(const char *s, char **out, size_t *len)
{
	char q = s[0];
	ry_buf b = RY_BUF_INIT;
	size_t i = 1;
	for (;;) {
		if (!s[i]) {
			ry_buf_free(&b);
			return false;
		}
		if (s[i] == '\\' && (s[i + 1] == q || s[i + 1] == '\\')) {
			ry_buf_putc(&b, s[i + 1]);
			i += 2;
		} else if (s[i] == q && s[i + 1] == q) {
			ry_buf_putc(&b, q);
			i += 2;
		} else if (s[i] == q) {
			i++;
			break;
		} else {
			ry_buf_putc(&b, s[i++]);
		}
	}
	*out = ry_buf_detach(&b);
	*len = i;
	return true;
}

/* Column and sort names accept the filter's quoting: "optim.lr",
 * params."batch size", metrics."val acc".max. */
int ry_field_parse(ry_field **out, ry_store *st, const char *name)
{
	char *why = NULL, *hint = NULL, *safe, *key = NULL, *prefix = NULL;
	const char *quote = name ? strpbrk(name, "\"'") : NULL;
	int rc;
	*out = NULL;
	if (!name || !*name)
		return ry_error_set(RY_EINVAL, "empty field name; give a field like status, lr or metrics.val_acc");
	if (quote) {
		size_t len;
		const char *rest;
		if (!unquote(quote, &key, &len)) {
			why = ry_xstrdup("unterminated quote in the field name");
			hint = ry_xstrdup("close it with a matching quote");
			goto fail;
		}
		rest = quote + len;
		if (quote == name && !*rest) {
			*out = resolve(st, key, NULL, NULL, &why, &hint);
		} else if (quote > name + 1 && quote[-1] == '.' && (!*rest || (rest[0] == '.' && rest[1]))) {
			prefix = ry_xstrndup(name, (size_t)(quote - 1 - name));
			*out = resolve(st, prefix, key, *rest ? rest + 1 : NULL, &why, &hint);
		} else {
			why = ry_xasprintf("cannot read the field name %s", name);
			hint = ry_xstrdup("quote a whole key after its prefix: params.\"my key\"");
		}
	} else {
		*out = resolve(st, name, NULL, NULL, &why, &hint);
	}
	free(key);
	free(prefix);
	if (*out)
		return 0;
fail:
	safe = ry_sanitize_dup(why);
	rc = ry_error_set(RY_EINVAL, "%s%s%s", safe, hint ? "; " : "", hint ? hint : "");
	free(safe);
	free(why);
	free(hint);
	return rc;
}

int ry_sort_parse(ry_field **out, bool *descending, ry_store *st, const char *spec)
{
	const char *colon = spec ? strrchr(spec, ':') : NULL;
	char *name;
	int rc;
	*out = NULL;
	*descending = false;
	if (!spec || !*spec)
		return ry_error_set(RY_EINVAL, "empty sort key; give KEY, KEY:asc or KEY:desc");
	if (colon && (strcasecmp(colon + 1, "desc") == 0 || strcasecmp(colon + 1, "asc") == 0)) {
		*descending = strcasecmp(colon + 1, "desc") == 0;
		name = ry_xstrndup(spec, (size_t)(colon - spec));
	} else if (colon && colon[1] && !strchr(colon + 1, '.') && !strchr(colon + 1, '/')) {
		char *safe = ry_sanitize_dup(colon + 1);
		rc = ry_error_set(RY_EINVAL, "bad sort direction '%s'; write KEY:asc or KEY:desc", safe);
		free(safe);
		return rc;
	} else {
		name = ry_xstrdup(spec);
	}
	rc = ry_field_parse(out, st, name);
	free(name);
	return rc;
}

/* ---- tokens ------------------------------------------------------------ */

enum ttype { T_END, T_WORD, T_STRING, T_QFIELD, T_LPAREN, T_RPAREN, T_OP, T_AND, T_OR, T_NOT };

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_MATCH, OP_NMATCH };
static const char *const op_sql[] = { "=", "!=", "<", "<=", ">", ">=", "", "" };
static const char *const op_text[] = { "=", "!=", "<", "<=", ">", ">=", "~", "!~" };

struct tok {
	enum ttype type;
	size_t off, len;  /* bytes of the expression the token covers */
	char *text;       /* T_WORD/T_STRING: the value; T_QFIELD: the prefix */
	char *qkey;       /* T_QFIELD: the quoted key */
	char *qagg;       /* T_QFIELD: a trailing .AGG, or NULL */
	enum op op;       /* T_OP */
};

struct bind {
	enum { B_TEXT, B_REAL, B_INT, B_SET } type; /* B_SET: i indexes the query's sets */
	char *text;
	double num;
	int64_t i;
};

/* What fills one ry_idset: for a group of conditions on params /
 * metric_summary / tags rows joined by `and`, one index scan per condition
 * (a part); the set is the intersection of the parts. */
struct part {
	char *sql;          /* SELECT tN.run_id ... WHERE cond: the scan */
	char *probe;        /* SELECT 1 ... WHERE (cond) AND tN.run_id = ?: one candidate */
	char *collect;      /* SELECT ry_idset_collect(tN.run_id) ... WHERE cond: the scan in one step */
	char *key;          /* sql and the values, for the connection's cache */
	bool eq;            /* no range or pattern: likely the smaller part */
	struct bind *binds;
	size_t nbinds;
};

struct subq {
	struct part *parts;
	size_t nparts;
};

static void subq_free(struct subq *q);
static int fill_set(sqlite3 *db, void *payload, ry_idset *set, ry_idset_cache *cache);

struct ry_query {
	char *sql;
	struct bind *binds;
	size_t nbinds;
	struct subq **subs; /* subs[i] fills sets[i] */
	ry_idset **sets;
	size_t nsets;
	size_t driver;      /* as frag.driver, for the whole filter */
	bool driver_only;   /* the filter is that set alone */
	char **fields;      /* canonical names of the fields it reads, first use first */
	size_t nfields;
};

/* A piece of compiled SQL with the values its placeholders take, in order.
 * A "join leaf" (table != NULL) is a condition on one params / metric_summary
 * / tags row aliased t<alias>; the AND that holds it joins all its leaves
 * into one subquery (see parse_and). */
struct frag {
	ry_buf sql;
	struct bind *binds;
	size_t nbinds, capbinds;
	const char *table;
	int alias;
	const char *eq_col; /* set when the whole frag is `eq_col = ?` on a builtin
	                     * column, one value: an `or` of these becomes IN (...) */
	int height;         /* an upper bound on SQLite's expression depth of sql */
	size_t driver;      /* 1 + the index of a set holding every run sql selects; 0 none */
};

struct parser {
	ry_store *st;
	const char *expr;
	struct tok *toks;
	size_t ntoks, pos;
	struct frag *out; /* where emit_* write */
	int nalias;
	double now;
	int depth;
	struct subq **subs;
	size_t nsubs, capsubs;
	char **fields;    /* what ry_query_field lists, moved into the query */
	size_t nfields, capfields;
};

#define MAX_DEPTH 100

/* SQLite refuses an expression deeper than SQLITE_MAX_EXPR_DEPTH (1000 by
 * default), and a statement with more values than SQLITE_MAX_VARIABLE_NUMBER
 * (32766), both with messages that name SQLite's insides.  `or` and `and`
 * lists compile to balanced trees, so depth grows with nesting, not length;
 * these limits, checked while compiling, keep the rest a usage error.  The
 * run list wraps the filter in a few levels of its own, hence the margin;
 * docs/query.md states both limits. */
#define MAX_HEIGHT 900
#define MAX_VALUES 30000
/* What one predicate can add to the depth, at most: the deepest builtin
 * (cost, a CASE inside a comparison inside an AND) stays under it. */
#define PRED_HEIGHT 10

static _Thread_local int error_column;

int ry_query_error_column(void)
{
	return error_column;
}

/* 1-based column in characters (UTF-8 code points; an invalid part is one)
 * of byte offset off. */
static int column_of(const char *expr, size_t off)
{
	size_t len = strlen(expr), i = 0;
	int col = 1;
	uint32_t cp;
	/* One column per code point and per invalid part, as echo_expr shows them. */
	while (i < off && i < len) {
		i += ry_utf8_next(expr + i, len - i, &cp);
		col++;
	}
	return col;
}

/* The expression as one printable line with one output character per code
 * point (ry_utf8_next decides), so that the caret under it lines up:
 * invalid bytes, controls and anything a terminal could act on become '?',
 * the rest passes. */
static void echo_expr(ry_buf *b, const char *expr, int col, int *caret)
{
	size_t len = strlen(expr), i = 0;
	int c = 1, from = col > 70 ? col - 50 : 1, shown = 0;
	*caret = col;
	if (from > 1) {
		ry_buf_puts(b, "...");
		*caret = col - from + 4;
	}
	while (i < len) {
		uint32_t cp;
		size_t n = ry_utf8_next(expr + i, len - i, &cp);
		/* C0 and C1 controls, DEL, bidi overrides and isolates. */
		bool ok = cp != RY_UTF8_INVALID && cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0) &&
		          !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);
		if (c >= from) {
			if (shown >= 110) {
				ry_buf_puts(b, "...");
				break;
			}
			if (ok)
				ry_buf_put(b, expr + i, n);
			else
				ry_buf_putc(b, cp == '\t' || cp == '\n' ? ' ' : '?');
			shown++;
		}
		i += n;
		c++;
	}
}

/* Record a parse error at byte offset `off`:
 *   filter: <what> at column N[; hint]
 *     <expression>
 *     <caret>                                                               */
static int perr(struct parser *p, size_t off, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int perr(struct parser *p, size_t off, const char *hint, const char *fmt, ...)
{
	ry_buf b = RY_BUF_INIT, what = RY_BUF_INIT;
	va_list ap;
	char *safe;
	int col = column_of(p->expr, off), caret;

	va_start(ap, fmt);
	{
		va_list ap2;
		int need;
		va_copy(ap2, ap);
		need = vsnprintf(NULL, 0, fmt, ap2);
		va_end(ap2);
		ry_buf_grow(&what, (size_t)(need > 0 ? need : 0) + 1);
		vsnprintf(what.ptr, what.cap, fmt, ap);
		what.len = strlen(what.ptr);
	}
	va_end(ap);
	safe = ry_sanitize_dup(ry_buf_cstr(&what));
	ry_buf_printf(&b, "filter: %s at column %d", safe, col);
	if (hint) {
		char *h = ry_sanitize_dup(hint);
		ry_buf_printf(&b, "; %s", h);
		free(h);
	}
	ry_buf_puts(&b, "\n  ");
	echo_expr(&b, p->expr, col, &caret);
	ry_buf_puts(&b, "\n  ");
	for (int i = 1; i < caret; i++)
		ry_buf_putc(&b, ' ');
	ry_buf_putc(&b, '^');
	error_column = col;
	ry_error_set(RY_EINVAL, "%s", ry_buf_cstr(&b));
	free(safe);
	ry_buf_free(&b);
	ry_buf_free(&what);
	return RY_EINVAL;
}

static bool is_opchar(char c)
{
	return c == '=' || c == '!' || c == '<' || c == '>' || c == '~';
}

static bool is_wordchar(char c)
{
	return c && !isspace((unsigned char)c) && c != '(' && c != ')' && c != '"' && c != '\'' && !is_opchar(c);
}

/* A quoted string at s (s[0] is the quote).  Inside, a backslash escapes the
 * quote or a backslash, and a doubled quote stands for one. */
static int read_string(struct parser *p, size_t off, char **out, size_t *len)
{
	if (!unquote(p->expr + off, out, len))
		return perr(p, off, "close it with a matching quote",
		            "unterminated string starting with %c", p->expr[off]);
	return 0;
}

static struct tok *push_tok(struct parser *p, size_t *cap, enum ttype type, size_t off, size_t len)
{
	struct tok *t;
	p->toks = ry_xgrow(p->toks, cap, p->ntoks + 1, sizeof *p->toks);
	t = &p->toks[p->ntoks++];
	memset(t, 0, sizeof *t);
	t->type = type;
	t->off = off;
	t->len = len;
	return t;
}

static int tokenize(struct parser *p)
{
	const char *e = p->expr;
	size_t i = 0, cap = 0;
	int rc;
	for (;;) {
		while (isspace((unsigned char)e[i]))
			i++;
		if (!e[i]) {
			push_tok(p, &cap, T_END, i, 0);
			return 0;
		}
		if (e[i] == '(' || e[i] == ')') {
			push_tok(p, &cap, e[i] == '(' ? T_LPAREN : T_RPAREN, i, 1);
			i++;
		} else if (is_opchar(e[i])) {
			size_t n = 0;
			static const struct { const char *s; enum op op; } ops[] = {
				{ "=", OP_EQ }, { "==", OP_EQ }, { "!=", OP_NE }, { "<>", OP_NE },
				{ "<", OP_LT }, { "<=", OP_LE }, { ">", OP_GT }, { ">=", OP_GE },
				{ "~", OP_MATCH }, { "!~", OP_NMATCH },
			};
			struct tok *t;
			bool found = false;
			while (is_opchar(e[i + n]))
				n++;
			t = push_tok(p, &cap, T_OP, i, n);
			for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
				if (strlen(ops[k].s) == n && strncmp(ops[k].s, e + i, n) == 0) {
					t->op = ops[k].op;
					found = true;
				}
			}
			if (!found) {
				char *o = ry_xstrndup(e + i, n);
				rc = perr(p, i, "use = != < <= > >= ~ or !~", "unknown operator '%s'", o);
				free(o);
				return rc;
			}
			i += n;
		} else if (e[i] == '"' || e[i] == '\'') {
			char *text;
			size_t len;
			if ((rc = read_string(p, i, &text, &len)))
				return rc;
			push_tok(p, &cap, T_STRING, i, len)->text = text;
			i += len;
		} else {
			size_t n = 0;
			struct tok *t;
			while (is_wordchar(e[i + n]))
				n++;
			t = push_tok(p, &cap, T_WORD, i, n);
			t->text = ry_xstrndup(e + i, n);
			if (n > 1 && e[i + n - 1] == '.' && (e[i + n] == '"' || e[i + n] == '\'')) {
				/* PREFIX."KEY"[.AGG]: a key with characters a word cannot hold. */
				size_t len;
				t->type = T_QFIELD;
				t->text[n - 1] = '\0';
				if ((rc = read_string(p, i + n, &t->qkey, &len)))
					return rc;
				n += len;
				if (e[i + n] == '.' && is_wordchar(e[i + n + 1])) {
					size_t m = 1;
					while (is_wordchar(e[i + n + m]))
						m++;
					t->qagg = ry_xstrndup(e + i + n + 1, m - 1);
					n += m;
				}
				t->len = n;
			} else if (strcasecmp(t->text, "and") == 0) {
				t->type = T_AND;
			} else if (strcasecmp(t->text, "or") == 0) {
				t->type = T_OR;
			} else if (strcasecmp(t->text, "not") == 0) {
				t->type = T_NOT;
			}
			i += n;
		}
	}
}

/* ---- emitting SQL ------------------------------------------------------ */

static void bind_text(struct parser *p, const char *s)
{
	struct bind *b;
	struct frag *o = p->out;
	o->binds = ry_xgrow(o->binds, &o->capbinds, o->nbinds + 1, sizeof *o->binds);
	b = &o->binds[o->nbinds++];
	memset(b, 0, sizeof *b);
	b->type = B_TEXT;
	b->text = ry_xstrdup(s);
}

static void bind_real(struct parser *p, double v)
{
	struct bind *b;
	struct frag *o = p->out;
	o->binds = ry_xgrow(o->binds, &o->capbinds, o->nbinds + 1, sizeof *o->binds);
	b = &o->binds[o->nbinds++];
	memset(b, 0, sizeof *b);
	b->type = B_REAL;
	b->num = v;
}

static void bind_int(struct parser *p, int64_t v)
{
	struct bind *b;
	struct frag *o = p->out;
	o->binds = ry_xgrow(o->binds, &o->capbinds, o->nbinds + 1, sizeof *o->binds);
	b = &o->binds[o->nbinds++];
	memset(b, 0, sizeof *b);
	b->type = B_INT;
	b->i = v;
}

/* A literal as written. */
struct value {
	const char *text;
	bool quoted;
	bool is_num;
	double num;
	size_t off;
};

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* `~`: case-insensitive substring, or a whole-value glob when the pattern
 * has * ? or [ ].  Appends a condition on `col` and binds the pattern. */
static void emit_match(struct parser *p, const char *col, const char *pat)
{
	ry_buf b = RY_BUF_INIT;
	if (strchr(pat, '[')) {
		/* GLOB is case-sensitive: compare lowercased (ASCII) text. */
		ry_buf_printf(&p->out->sql, "lower(%s) GLOB ?", col);
		for (const char *s = pat; *s; s++)
			ry_buf_putc(&b, (char)tolower((unsigned char)*s));
	} else {
		bool glob = has_glob(pat);
		ry_buf_printf(&p->out->sql, "%s LIKE ? ESCAPE '\\'", col);
		if (!glob)
			ry_buf_putc(&b, '%');
		for (const char *s = pat; *s; s++) {
			if (glob && *s == '*')
				ry_buf_putc(&b, '%');
			else if (glob && *s == '?')
				ry_buf_putc(&b, '_');
			else if (*s == '%' || *s == '_' || *s == '\\')
				ry_buf_putc(&b, '\\'), ry_buf_putc(&b, *s);
			else
				ry_buf_putc(&b, *s);
		}
		if (!glob)
			ry_buf_putc(&b, '%');
	}
	bind_text(p, ry_buf_cstr(&b));
	ry_buf_free(&b);
}

/* `col op value` or `col ~ value` as text. */
static void emit_text_cmp(struct parser *p, const char *col, enum op op, const char *text)
{
	if (op == OP_MATCH || op == OP_NMATCH) {
		if (op == OP_NMATCH)
			ry_buf_puts(&p->out->sql, "NOT (");
		emit_match(p, col, text);
		if (op == OP_NMATCH)
			ry_buf_puts(&p->out->sql, ")");
	} else {
		ry_buf_printf(&p->out->sql, "%s %s ?", col, op_sql[op]);
		bind_text(p, text);
	}
}

static int need_number(struct parser *p, const struct value *v, enum op op, const char *what)
{
	if (op == OP_MATCH || op == OP_NMATCH)
		return perr(p, v->off, "'~' matches text; compare numbers with = != < <= > >=",
		            "%s holds numbers", what);
	if (!v->is_num)
		return perr(p, v->off, NULL, "expected a number after '%s' (%s holds numbers), got '%s'",
		            op_text[op], what, v->text);
	return 0;
}

/* Time fields: an age (`created < 7d` = less than 7 days ago) or a date. */
static int emit_time(struct parser *p, const struct builtin *b, enum op op, const struct value *v)
{
	double t, age;
	static const enum op flipped[] = { OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE, OP_MATCH, OP_NMATCH };
	if (op == OP_MATCH || op == OP_NMATCH)
		return perr(p, v->off, "compare times with < or > and an age (7d) or a date (2026-11-01)",
		            "'%s' cannot be used with %s", op_text[op], b->name);
	if (ry_parse_time(v->text, &t)) {
		if (strlen(v->text) == 10 && (op == OP_EQ || op == OP_NE)) {
			/* A date alone means that whole (UTC) day. */
			ry_buf_printf(&p->out->sql, "(%s IS NOT NULL AND %s(%s >= ? AND %s < ?))", b->sql,
			              op == OP_NE ? "NOT " : "", b->sql, b->sql);
			bind_real(p, t);
			bind_real(p, t + 86400);
			return 0;
		}
		if (strlen(v->text) == 10 && (op == OP_GT || op == OP_LE))
			t += 86400; /* after a date = after that day; <= includes it */
		ry_buf_printf(&p->out->sql, "(%s IS NOT NULL AND %s %s ?)", b->sql, b->sql, op_sql[op]);
		bind_real(p, t);
		return 0;
	}
	if (!v->is_num && ry_parse_duration(v->text, &age)) {
		if (op == OP_EQ || op == OP_NE)
			return perr(p, v->off, "write e.g. created < 7d (newer than 7 days) or created > 2026-11-01",
			            "an age needs < or > (not '%s')", op_text[op]);
		ry_buf_printf(&p->out->sql, "(%s IS NOT NULL AND %s %s ?)", b->sql, b->sql, op_sql[flipped[op]]);
		bind_real(p, p->now - age);
		return 0;
	}
	return perr(p, v->off, "write an age like 7d, 12h, 30m or a date like 2026-11-01",
	            "expected an age or a date after '%s', got '%s'", op_text[op], v->text);
}

static int emit_builtin(struct parser *p, const struct builtin *b, bool has_op, enum op op,
                        const struct value *v)
{
	const char *nn = b->nullable ? " IS NOT NULL AND " : "";
	double num;
	int rc;

	if (!has_op) {
		/* A field alone: it has a value. */
		if (b->type == BT_TEXT)
			ry_buf_printf(&p->out->sql, "(%s IS NOT NULL AND %s != '')", b->sql, b->sql);
		else
			ry_buf_printf(&p->out->sql, "(%s IS NOT NULL)", b->sql);
		return 0;
	}
	switch (b->type) {
	case BT_STATUS:
		if ((op == OP_EQ || op == OP_NE) && !has_glob(v->text)) {
			size_t k;
			for (k = 0; k < sizeof statuses / sizeof statuses[0]; k++)
				if (strcasecmp(v->text, statuses[k]) == 0)
					break;
			if (k == sizeof statuses / sizeof statuses[0])
				return perr(p, v->off, "statuses are queued, running, finished, failed, killed, lost",
				            "unknown status '%s'", v->text);
			ry_buf_printf(&p->out->sql, "(r.status %s ?)", op_sql[op]);
			bind_text(p, statuses[k]);
			if (op == OP_EQ)
				p->out->eq_col = "r.status";
			return 0;
		}
		/* fall through */
	case BT_TEXT:
		ry_buf_printf(&p->out->sql, "(%s%s", b->nullable ? b->sql : "", nn);
		emit_text_cmp(p, b->sql, op, v->text);
		ry_buf_puts(&p->out->sql, ")");
		/* A NULL column is in no IN list, as it equals no value. */
		if (op == OP_EQ && b->type == BT_TEXT)
			p->out->eq_col = b->sql;
		return 0;
	case BT_EXPERIMENT:
		/* Through the experiments table, so the runs index can drive. */
		ry_buf_puts(&p->out->sql, "(r.experiment_id IN (SELECT e.id FROM experiments AS e WHERE ");
		emit_text_cmp(p, "e.name", op, v->text);
		ry_buf_puts(&p->out->sql, "))");
		return 0;
	case BT_INT:
		if ((rc = need_number(p, v, op, b->name)))
			return rc;
		ry_buf_printf(&p->out->sql, "(%s%s%s %s ?)", b->nullable ? b->sql : "", nn, b->sql, op_sql[op]);
		if (v->num == floor(v->num) && fabs(v->num) < 9e15)
			bind_int(p, (int64_t)v->num);
		else
			bind_real(p, v->num);
		if (op == OP_EQ)
			p->out->eq_col = b->sql;
		return 0;
	case BT_TIME:
		return emit_time(p, b, op, v);
	case BT_DURATION:
		if (op == OP_MATCH || op == OP_NMATCH || !ry_parse_duration(v->text, &num))
			return perr(p, v->off, "write a duration like 90s, 30m, 2h, 1.5d or 1h30m",
			            "expected a duration after '%s', got '%s'", op_text[op], v->text);
		ry_buf_printf(&p->out->sql, "(%s IS NOT NULL AND %s %s ?)", b->sql, b->sql, op_sql[op]);
		bind_real(p, num);
		return 0;
	case BT_COST: {
		const char *t = v->text[0] == '$' ? v->text + 1 : v->text;
		if (op == OP_MATCH || op == OP_NMATCH || !ry_parse_number(t, &num))
			return perr(p, v->off, "write an amount like 5 or 12.50",
			            "expected an amount after '%s', got '%s'", op_text[op], v->text);
		ry_buf_printf(&p->out->sql, "(%s IS NOT NULL AND %s %s ?)", b->sql, b->sql, op_sql[op]);
		bind_real(p, num);
		return 0;
	}
	}
	return 0;
}

static int emit_field(struct parser *p, const ry_field *f, bool has_op, enum op op, const struct value *v)
{
	int rc;
	if (f->kind == RY_FIELD_BUILTIN)
		return emit_builtin(p, f->b, has_op, op, v);

	/* A join leaf: conditions on row t<alias> of the field's table. */
	struct frag *o = p->out;
	char col[32];
	int a = o->alias = p->nalias++;
	o->table = f->kind == RY_FIELD_PARAM ? "params" : f->kind == RY_FIELD_METRIC ? "metric_summary" : "tags";
	ry_buf_printf(&o->sql, "t%d.key = ?", a);
	bind_text(p, f->key);
	if (!has_op)
		return 0;
	ry_buf_puts(&o->sql, " AND ");
	switch (f->kind) {
	case RY_FIELD_PARAM:
		/* An unquoted number compares with numeric values; anything else,
		 * and a quoted "1.10", compares with the text as written. */
		if (v->is_num && !v->quoted && op != OP_MATCH && op != OP_NMATCH) {
			ry_buf_printf(&o->sql, "t%d.num %s ?", a, op_sql[op]);
			bind_real(p, v->num);
		} else {
			snprintf(col, sizeof col, "t%d.value", a);
			emit_text_cmp(p, col, op, v->text);
		}
		break;
	case RY_FIELD_METRIC: {
		char *what = ry_xasprintf("metric %s", f->key);
		rc = need_number(p, v, op, what);
		free(what);
		if (rc)
			return rc;
		ry_buf_printf(&o->sql, "t%d.%s %s ?", a, f->col, op_sql[op]);
		bind_real(p, v->num);
		break;
	}
	default:
		snprintf(col, sizeof col, "t%d.value", a);
		if (v->is_num && !v->quoted && op != OP_EQ && op != OP_NE && op != OP_MATCH && op != OP_NMATCH) {
			ry_buf_printf(&o->sql, "%s GLOB '*[0-9]*' AND NOT %s GLOB '*[^0-9eE.+-]*'"
			                       " AND CAST(%s AS REAL) %s ?", col, col, col, op_sql[op]);
			bind_real(p, v->num);
		} else {
			emit_text_cmp(p, col, op, v->text);
		}
		break;
	}
	return 0;
}

/* ---- the grammar --------------------------------------------------------
 *   or        := and { "or" and }
 *   and       := unary { "and" unary }
 *   unary     := "not" unary | "(" or ")" | predicate
 *   predicate := field [ op value ]
 * Each rule compiles into a struct frag.                                   */

static void free_binds(struct bind *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(b[i].text);
	free(b);
}

static void subq_free(struct subq *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nparts; i++) {
		free(q->parts[i].sql);
		free(q->parts[i].probe);
		free(q->parts[i].collect);
		free(q->parts[i].key);
		free_binds(q->parts[i].binds, q->parts[i].nbinds);
	}
	free(q->parts);
	free(q);
}

static void frag_free(struct frag *f)
{
	ry_buf_free(&f->sql);
	free_binds(f->binds, f->nbinds);
	memset(f, 0, sizeof *f);
}

/* Append src's SQL and values to dst, leaving src empty. */
static void frag_take(struct frag *dst, struct frag *src)
{
	ry_buf_put(&dst->sql, src->sql.ptr ? src->sql.ptr : "", src->sql.len);
	for (size_t i = 0; i < src->nbinds; i++) {
		dst->binds = ry_xgrow(dst->binds, &dst->capbinds, dst->nbinds + 1, sizeof *dst->binds);
		dst->binds[dst->nbinds++] = src->binds[i];
	}
	src->nbinds = 0;
	frag_free(src);
}

/* Turn join leaves into an ordinary condition on r: a run-id set tested
 * with ry_idset(r.id, ?) (see query/idset.c for why not `r.id IN (...)`),
 * filled by one range scan of a (key, ...) index per leaf and intersected
 * in C.  Sequential index scans beat joining the leaves' tables, which
 * probed a primary key per candidate row: `val_acc > 0.9 and optimizer =
 * adam and lr < 0.01` cost 90 ms joined at 100k runs. */
static void frag_finish(struct parser *p, struct frag *leaves, size_t n, struct frag *out)
{
	struct subq *q = ry_xcalloc(1, sizeof *q);
	struct bind *b;

	q->parts = ry_xcalloc(n, sizeof *q->parts);
	q->nparts = n;
	for (size_t i = 0; i < n; i++) {
		struct frag sub = { 0 };
		ry_buf probe = RY_BUF_INIT, key = RY_BUF_INIT, collect = RY_BUF_INIT;
		int a = leaves[i].alias;
		const char *table = leaves[i].table;
		struct part *pt = &q->parts[i];
		char *cond = ry_xstrdup(ry_buf_cstr(&leaves[i].sql));
		pt->eq = !strpbrk(cond, "<>!") && !strstr(cond, "GLOB") && !strstr(cond, "LIKE");
		ry_buf_printf(&probe, "SELECT 1 FROM %s AS t%d WHERE (%s) AND t%d.run_id = ?", leaves[i].table, a, cond, a);
		ry_buf_printf(&collect, "SELECT ry_idset_collect(t%d.run_id) FROM %s AS t%d WHERE %s", a, table, a, cond);
		ry_buf_printf(&sub.sql, "SELECT t%d.run_id FROM %s AS t%d WHERE ", a, leaves[i].table, a);
		frag_take(&sub, &leaves[i]);
		pt->sql = ry_buf_detach(&sub.sql);
		pt->probe = ry_buf_detach(&probe);
		pt->collect = ry_buf_detach(&collect);
		pt->binds = sub.binds;
		pt->nbinds = sub.nbinds;
		/* The key leaves the alias out: t0 and t3 with the same condition
		 * select the same runs. */
		ry_buf_printf(&key, "%s|", table);
		for (const char *c = cond; *c; c++)
			if (!(c[0] == 't' && (c == cond || !is_wordchar(c[-1])) && c[1] >= '0' && c[1] <= '9'))
				ry_buf_put(&key, c, 1);
			else
				while (c[1] >= '0' && c[1] <= '9')
					c++;
		for (size_t k = 0; k < pt->nbinds; k++) {
			const struct bind *v = &pt->binds[k];
			if (v->type == B_TEXT)
				ry_buf_printf(&key, "\x1ft%zu:%s", strlen(v->text), v->text);
			else if (v->type == B_REAL)
				ry_buf_printf(&key, "\x1fr%.17g", v->num);
			else
				ry_buf_printf(&key, "\x1fi%lld", (long long)v->i);
		}
		free(cond);
		pt->key = ry_buf_detach(&key);
	}
	p->subs = ry_xgrow(p->subs, &p->capsubs, p->nsubs + 1, sizeof *p->subs);
	p->subs[p->nsubs++] = q;

	memset(out, 0, sizeof *out);
	ry_buf_puts(&out->sql, "ry_idset(r.id, ?)");
	out->height = 2;
	out->driver = p->nsubs;
	out->binds = ry_xgrow(out->binds, &out->capbinds, 1, sizeof *out->binds);
	b = &out->binds[out->nbinds++];
	memset(b, 0, sizeof *b);
	b->type = B_SET;
	b->i = (int64_t)p->nsubs - 1;
}

static void frag_plain(struct parser *p, struct frag *f)
{
	if (f->table) {
		struct frag leaf = *f, out;
		frag_finish(p, &leaf, 1, &out);
		*f = out;
	}
}

static struct tok *peek(struct parser *p)
{
	return &p->toks[p->pos];
}

static int parse_or(struct parser *p, struct frag *out);

static const char *tok_desc(const struct tok *t)
{
	switch (t->type) {
	case T_AND: return "'and'";
	case T_OR: return "'or'";
	case T_NOT: return "'not'";
	case T_LPAREN: return "'('";
	case T_RPAREN: return "')'";
	case T_OP: return "an operator";
	case T_END: return "the end";
	default: return "a value";
	}
}

/* Remember a field the filter reads (once), for ry_query_field. */
static void note_field(struct parser *p, const ry_field *f)
{
	const char *name = ry_field_name(f);
	for (size_t i = 0; i < p->nfields; i++)
		if (!strcmp(p->fields[i], name))
			return;
	p->fields = ry_xgrow(p->fields, &p->capfields, p->nfields + 1, sizeof *p->fields);
	p->fields[p->nfields++] = ry_xstrdup(name);
}

static int parse_predicate(struct parser *p, struct frag *out)
{
	struct tok *ft = &p->toks[p->pos++], *t;
	char *why, *hint;
	struct value v = { 0 };
	ry_field *f;
	bool has_op = false;
	enum op op = OP_EQ;
	int rc;

	f = resolve(p->st, ft->text, ft->type == T_QFIELD ? ft->qkey : NULL, ft->qagg, &why, &hint);
	if (!f) {
		rc = perr(p, ft->off, hint, "%s", why);
		free(why);
		free(hint);
		return rc;
	}
	t = peek(p);
	if (t->type == T_OP) {
		struct tok *vt;
		has_op = true;
		op = t->op;
		p->pos++;
		vt = peek(p);
		if (vt->type != T_WORD && vt->type != T_STRING) {
			rc = perr(p, t->off, vt->type == T_AND || vt->type == T_OR || vt->type == T_NOT ?
			          "quote a value that is a keyword: \"and\"" : NULL,
			          "expected a value after '%s'", op_text[op]);
			ry_field_free(f);
			return rc;
		}
		p->pos++;
		v.text = vt->text;
		v.quoted = vt->type == T_STRING;
		v.is_num = ry_parse_number(vt->text, &v.num);
		v.off = vt->off;
	}
	p->out = out;
	out->height = PRED_HEIGHT;
	rc = emit_field(p, f, has_op, op, &v);
	p->out = NULL;
	note_field(p, f);
	ry_field_free(f);
	return rc;
}

static int parse_unary(struct parser *p, struct frag *out)
{
	struct tok *t = peek(p);
	struct frag sub = { 0 };
	int rc;
	if (p->depth >= MAX_DEPTH)
		return perr(p, t->off, "simplify the expression", "too deeply nested");
	switch (t->type) {
	case T_NOT:
		p->pos++;
		p->depth++;
		rc = parse_unary(p, &sub);
		p->depth--;
		if (rc)
			break;
		frag_plain(p, &sub);
		out->height = sub.height + 1;
		ry_buf_puts(&out->sql, "NOT (");
		frag_take(out, &sub);
		ry_buf_puts(&out->sql, ")");
		return 0;
	case T_LPAREN:
		p->pos++;
		p->depth++;
		if ((rc = parse_or(p, &sub)))
			break;
		p->depth--;
		if (peek(p)->type != T_RPAREN) {
			char hint[64];
			snprintf(hint, sizeof hint, "the '(' is at column %d", column_of(p->expr, t->off));
			rc = perr(p, peek(p)->off, hint, "expected ')' to close '(', got %s", tok_desc(peek(p)));
			break;
		}
		p->pos++;
		out->eq_col = sub.eq_col;
		out->height = sub.height;
		out->driver = sub.driver;
		ry_buf_puts(&out->sql, "(");
		frag_take(out, &sub);
		ry_buf_puts(&out->sql, ")");
		return 0;
	case T_WORD:
	case T_STRING:
	case T_QFIELD:
		return parse_predicate(p, out);
	default:
		if (p->pos > 0) {
			struct tok *prev = &p->toks[p->pos - 1];
			if (prev->type == T_AND || prev->type == T_OR || prev->type == T_NOT)
				return perr(p, t->type == T_END ? prev->off : t->off, NULL,
				            "expected a condition after %s", tok_desc(prev));
			if (prev->type == T_LPAREN)
				return perr(p, t->off, NULL, "expected a condition after '(', got %s", tok_desc(t));
		}
		return perr(p, t->off, t->type == T_OP ? "write FIELD OP VALUE, e.g. lr < 0.01" : NULL,
		            "expected a field name, got %s", tok_desc(t));
	}
	frag_free(&sub);
	return rc;
}

/* Append v[0] OP v[1] OP ... as a balanced tree, so that a list of a
 * thousand conditions is ten levels deep, not a thousand; returns its
 * height.  The order of the SQL, and so of the values, stays v's. */
static int join_balanced(struct frag *dst, struct frag *v, size_t n, const char *op)
{
	int l, r;
	if (n == 1) {
		l = v[0].height;
		frag_take(dst, &v[0]);
		return l;
	}
	ry_buf_puts(&dst->sql, "(");
	l = join_balanced(dst, v, n / 2, op);
	ry_buf_puts(&dst->sql, op);
	r = join_balanced(dst, v + n / 2, n - n / 2, op);
	ry_buf_puts(&dst->sql, ")");
	return 1 + (l > r ? l : r);
}

/* `name = "a" or name = "b" or ...` -- the list people paste -- becomes
 * `r.name IN (?, ?, ...)`: one test per run instead of a thousand.  Each
 * later equality on a column joins the first one's list; `or` does not
 * care about order, and each value keeps its own frag's place. */
static size_t merge_equalities(struct frag *ops, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		if (ops[i].eq_col)
			for (j = 0; j < m && ops[j].eq_col != ops[i].eq_col; j++)
				;
		if (!ops[i].eq_col || j == m) {
			ops[m++] = ops[i];
			continue;
		}
		struct frag *g = &ops[j], *e = &ops[i];
		for (size_t k = 0; k < e->nbinds; k++) {
			g->binds = ry_xgrow(g->binds, &g->capbinds, g->nbinds + 1, sizeof *g->binds);
			g->binds[g->nbinds++] = e->binds[k];
		}
		e->nbinds = 0;
		frag_free(e);
	}
	/* Written once all values are in, which keeps this linear. */
	for (size_t i = 0; i < m; i++) {
		if (!ops[i].eq_col || ops[i].nbinds < 2)
			continue;
		ry_buf_free(&ops[i].sql);
		ry_buf_printf(&ops[i].sql, "%s IN (?", ops[i].eq_col);
		for (size_t k = 1; k < ops[i].nbinds; k++)
			ry_buf_puts(&ops[i].sql, ", ?");
		ry_buf_puts(&ops[i].sql, ")");
		ops[i].height = 3;
	}
	return m;
}

/* The join leaves of one AND become one subquery; the other operands
 * follow it.  A lone operand is passed up as it is. */
static int parse_and(struct parser *p, struct frag *out)
{
	struct frag *ops = NULL, *leaves = NULL;
	size_t n = 0, cap = 0, nleaves = 0, lcap = 0;
	int rc;
	for (;;) {
		ops = ry_xgrow(ops, &cap, n + 1, sizeof *ops);
		memset(&ops[n], 0, sizeof *ops);
		rc = parse_unary(p, &ops[n++]);
		if (rc || peek(p)->type != T_AND)
			break;
		p->pos++;
	}
	if (!rc && n == 1) {
		*out = ops[0];
		n = 0;
	} else if (!rc) {
		size_t m = 1;
		for (size_t i = 0; i < n; i++) {
			if (ops[i].table) {
				leaves = ry_xgrow(leaves, &lcap, nleaves + 1, sizeof *leaves);
				leaves[nleaves++] = ops[i];
				memset(&ops[i], 0, sizeof ops[i]);
			}
		}
		/* ops[0] becomes the joined set (when there are leaves), then the
		 * other operands, in order. */
		ops = ry_xgrow(ops, &cap, n + 1, sizeof *ops);
		memmove(&ops[1], &ops[0], n * sizeof *ops);
		memset(&ops[0], 0, sizeof *ops);
		if (nleaves)
			frag_finish(p, leaves, nleaves, &ops[0]);
		else
			m = 0;
		for (size_t i = 1; i <= n; i++)
			if (ops[i].sql.len)
				ops[m++] = ops[i];
			else
				frag_free(&ops[i]);
		/* Any operand's set holds every run of an `and`. */
		for (size_t i = 0; i < m && !out->driver; i++)
			out->driver = ops[i].driver;
		ry_buf_puts(&out->sql, "(");
		out->height = join_balanced(out, ops, m, " AND ");
		ry_buf_puts(&out->sql, ")");
		n = 0;
	}
	for (size_t i = 0; i < n; i++)
		frag_free(&ops[i]);
	free(ops);
	free(leaves);
	return rc;
}

static int parse_or(struct parser *p, struct frag *out)
{
	struct frag *ops = NULL;
	size_t n = 0, cap = 0;
	int rc;
	for (;;) {
		ops = ry_xgrow(ops, &cap, n + 1, sizeof *ops);
		memset(&ops[n], 0, sizeof *ops);
		if ((rc = parse_and(p, &ops[n++])))
			break;
		frag_plain(p, &ops[n - 1]);
		if (peek(p)->type != T_OR)
			break;
		p->pos++;
	}
	if (!rc && n == 1) {
		*out = ops[0];
		n = 0;
	} else if (!rc) {
		n = merge_equalities(ops, n);
		if (n == 1) {
			*out = ops[0];
			n = 0;
		} else {
			out->height = join_balanced(out, ops, n, " OR ");
		}
	}
	for (size_t i = 0; i < n; i++)
		frag_free(&ops[i]);
	free(ops);
	return rc;
}

int ry_query_compile(ry_query **out, ry_store *st, const char *expr)
{
	struct parser p = { 0 };
	struct frag top = { 0 };
	int rc;

	*out = NULL;
	error_column = 0;
	p.st = st;
	p.expr = expr ? expr : "";
	p.now = ry_now();
	if ((rc = tokenize(&p)))
		goto done;
	if (p.toks[0].type == T_END) {
		ry_buf_puts(&top.sql, "1");
	} else {
		if ((rc = parse_or(&p, &top)))
			goto done;
		if (peek(&p)->type != T_END) {
			struct tok *t = peek(&p);
			if (t->type == T_RPAREN)
				rc = perr(&p, t->off, "remove it or add a '(' before", "unmatched ')'");
			else if (t->type == T_OP)
				rc = perr(&p, t->off, "compare one field with one value; join conditions with and/or",
				          "unexpected operator '%s'", op_text[t->op]);
			else if (t->type == T_WORD || t->type == T_STRING || t->type == T_QFIELD)
				rc = perr(&p, t->off, NULL, "expected 'and' or 'or' before '%.*s'", (int)t->len,
				          p.expr + t->off);
			else
				rc = perr(&p, t->off, NULL, "expected 'and' or 'or' before %s", tok_desc(t));
			goto done;
		}
		if (top.height > MAX_HEIGHT) {
			rc = ry_error_set(RY_EINVAL, "the filter nests too deeply to run (depth about %d, at most %d);"
			                  " write long lists as one flat 'a or b or c' without nested parentheses",
			                  top.height, MAX_HEIGHT);
			goto done;
		}
		if (top.nbinds > MAX_VALUES) {
			rc = ry_error_set(RY_EINVAL, "the filter has %zu values, more than the %d one query can take;"
			                  " split it into several filters", top.nbinds, MAX_VALUES);
			goto done;
		}
	}
	*out = ry_xcalloc(1, sizeof **out);
	(*out)->sql = ry_buf_detach(&top.sql);
	(*out)->binds = top.binds;
	(*out)->nbinds = top.nbinds;
	top.binds = NULL;
	top.nbinds = 0;
	(*out)->subs = p.subs;
	(*out)->nsets = p.nsubs;
	(*out)->driver = top.driver;
	{
		/* Alone: nothing but the set's test inside the parentheses. */
		const char *c = (*out)->sql;
		size_t len = strlen(c);
		while (len > 2 && c[0] == '(' && c[len - 1] == ')')
			c++, len -= 2;
		(*out)->driver_only = top.driver && len == strlen("ry_idset(r.id, ?)") &&
		                      !strncmp(c, "ry_idset(r.id, ?)", len);
	}
	(*out)->sets = ry_xcalloc(p.nsubs ? p.nsubs : 1, sizeof *(*out)->sets);
	for (size_t i = 0; i < p.nsubs; i++)
		(*out)->sets[i] = ry_idset__new(fill_set, p.subs[i]);
	p.subs = NULL;
	p.nsubs = 0;
	(*out)->fields = p.fields;
	(*out)->nfields = p.nfields;
	p.fields = NULL;
	p.nfields = 0;
done:
	ry_strings_free(p.fields, p.nfields);
	for (size_t i = 0; i < p.nsubs; i++)
		subq_free(p.subs[i]);
	free(p.subs);
	for (size_t i = 0; i < p.ntoks; i++) {
		free(p.toks[i].text);
		free(p.toks[i].qkey);
		free(p.toks[i].qagg);
	}
	free(p.toks);
	frag_free(&top);
	return rc;
}

void ry_query_free(ry_query *q)
{
	if (!q)
		return;
	free(q->sql);
	free_binds(q->binds, q->nbinds);
	for (size_t i = 0; i < q->nsets; i++) {
		ry_idset__free(q->sets[i]);
		subq_free(q->subs[i]);
	}
	free(q->sets);
	free(q->subs);
	ry_strings_free(q->fields, q->nfields);
	free(q);
}

const char *ry_query_sql(const ry_query *q)
{
	return q->sql;
}

size_t ry_query_nfields(const ry_query *q)
{
	return q ? q->nfields : 0;
}

const char *ry_query_field(const ry_query *q, size_t i)
{
	return q && i < q->nfields ? q->fields[i] : NULL;
}

bool ry_field_exists(ry_store *st, const ry_field *f)
{
	switch (f->kind) {
	case RY_FIELD_PARAM: return key_exists(st, sql_param_exists, f->key);
	case RY_FIELD_METRIC: return key_exists(st, sql_metric_exists, f->key);
	case RY_FIELD_TAG: return key_exists(st, sql_tag_exists, f->key);
	default: return true;
	}
}

static int bind_all(const struct bind *binds, size_t n, ry_idset *const *sets, sqlite3_stmt *s, int first)
{
	for (size_t i = 0; i < n; i++, first++) {
		const struct bind *b = &binds[i];
		switch (b->type) {
		case B_TEXT: sqlite3_bind_text(s, first, b->text, -1, SQLITE_STATIC); break;
		case B_REAL: sqlite3_bind_double(s, first, b->num); break;
		case B_INT: sqlite3_bind_int64(s, first, b->i); break;
		case B_SET: ry_idset__bind(s, first, sets[b->i]); break;
		}
	}
	return first;
}

int ry_query__bind(const ry_query *q, sqlite3_stmt *s, int first)
{
	return bind_all(q->binds, q->nbinds, q->sets, s, first);
}

bool ry_query__empty(const ry_query *q)
{
	return !strcmp(q->sql, "1");
}

ry_idset *ry_query__driver(const ry_query *q, bool *only)
{
	*only = q->driver_only;
	return q->driver ? q->sets[q->driver - 1] : NULL;
}

size_t ry_query__nsets(const ry_query *q)
{
	return q->nsets;
}

ry_idset *ry_query__set(const ry_query *q, size_t i)
{
	return q->sets[i];
}

bool ry_query__plain = false;
_Thread_local struct ry_query__stats ry_query__stats;

/* Probing one candidate (bind, a primary-key seek, reset) costs ~10x what
 * one row of a range scan costs (callgrind at 10^6 runs: ~9,600 against
 * ~930 instructions): a part is probed when it is expected to hold more
 * than this many times the candidates left. */
#define PROBE_RATIO 10

/* Without a size seen before: equality parts (optimizer = adam) before
 * ranges and patterns, each kept in the order written. */
#define UNKNOWN_EQ ((size_t)1 << 60)
#define UNKNOWN_RANGE ((size_t)1 << 61)

struct probe {
	sqlite3_stmt *s;
	int idx; /* the run id's parameter */
};

static int probe_one(void *arg, int64_t id)
{
	struct probe *pr = arg;
	int rc;
	sqlite3_bind_int64(pr->s, pr->idx, id);
	rc = sqlite3_step(pr->s);
	sqlite3_reset(pr->s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -rc;
}

/* Test each candidate against part pt, one primary-key seek each. */
static int probe_part(sqlite3 *db, const struct part *pt, ry_idset *set)
{
	struct probe pr = { NULL, (int)pt->nbinds + 1 };
	ry_query__stats.probes++;
	int rc = sqlite3_prepare_v2(db, pt->probe, -1, &pr.s, NULL);
	if (rc == SQLITE_OK) {
		bind_all(pt->binds, pt->nbinds, NULL, pr.s, 1);
		rc = ry_idset__filter(set, probe_one, &pr);
		rc = rc < 0 ? -rc : SQLITE_OK;
	}
	sqlite3_finalize(pr.s);
	return rc;
}

/* Scan part pt into the set; with a budget, give up past that many rows
 * (*over set) and leave the part undone. */
static int scan_part(sqlite3 *db, const struct part *pt, ry_idset *set, ry_idset_cache *cache, size_t budget,
                     bool *over)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, cache ? pt->collect : pt->sql, -1, &s, NULL);
	*over = false;
	ry_query__stats.scans++;
	if (rc == SQLITE_OK) {
		bind_all(pt->binds, pt->nbinds, NULL, s, 1);
		if (cache) {
			rc = ry_idset__collect(set, cache, s, budget, over);
		} else {
			while ((rc = sqlite3_step(s)) == SQLITE_ROW)
				ry_idset__add(set, sqlite3_column_int64(s, 0));
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	if (*over) {
		ry_idset__size_note(cache, pt->key, ry_idset__part_rows(set)); /* at least that many */
		ry_idset__part_abort(set);
	} else if (rc == SQLITE_OK) {
		ry_idset__part_done_keep(set, cache, pt->key);
	} else {
		ry_idset__part_done(set);
	}
	return rc;
}

/* The ry_idset fill function.  The parts are intersected, so the order is
 * free: parts kept on the connection come first (no reading at all), then
 * the one expected smallest is scanned, and each later one is either
 * scanned (into a bitmap, intersected in C) or, when it is expected to be
 * much bigger than the candidates left, tested candidate by candidate.  A
 * part whose size is unknown is scanned with a budget of PROBE_RATIO x the
 * candidates; past it, the scan is dropped for probes (at worst about
 * twice the better plan's cost).  An empty intersection ends the fill. */
static int fill_set(sqlite3 *db, void *payload, ry_idset *set, ry_idset_cache *cache)
{
	const struct subq *q = payload;
	int rc = SQLITE_OK;
	bool over;
	if (ry_query__plain) {
		for (size_t i = 0; i < q->nparts && rc == SQLITE_OK; i++)
			rc = scan_part(db, &q->parts[i], set, NULL, 0, &over);
		return rc;
	}
	size_t *order = ry_xcalloc(q->nparts, sizeof *order), *est = ry_xcalloc(q->nparts, sizeof *est), n = 0;
	for (size_t i = 0; i < q->nparts; i++) {
		if (ry_idset__cached_part(set, cache, q->parts[i].key)) {
			ry_query__stats.hits++;
			continue;
		}
		long long hint = ry_idset__size_hint(cache, q->parts[i].key);
		est[i] = hint >= 0 ? (size_t)hint : q->parts[i].eq ? UNKNOWN_EQ : UNKNOWN_RANGE;
		/* insertion sort by estimate, stable: a handful of parts */
		size_t k = n++;
		while (k > 0 && est[order[k - 1]] > est[i]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	for (size_t j = 0; j < n && rc == SQLITE_OK; j++) {
		const struct part *pt = &q->parts[order[j]];
		if (!ry_idset__started(set)) {
			rc = scan_part(db, pt, set, cache, 0, &over);
			continue;
		}
		size_t cand = ry_idset__candidates(set);
		if (cand == 0)
			break;
		size_t budget = cand * PROBE_RATIO;
		if (est[order[j]] < UNKNOWN_EQ && est[order[j]] > budget) {
			rc = probe_part(db, pt, set);
			continue;
		}
		rc = scan_part(db, pt, set, cache, est[order[j]] < UNKNOWN_EQ ? 0 : budget, &over);
		if (rc == SQLITE_OK && over)
			rc = probe_part(db, pt, set);
	}
	free(order);
	free(est);
	return rc;
}
