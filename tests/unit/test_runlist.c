/*
 * Run listing: sort orders (asc/desc, NULLs last, ties by id), limits,
 * experiment scoping, cell fetching by both plans (point lookups and column
 * scans must agree) and cell formatting.
 */
#include "query_fixture.h"


static char *list(const char *filter, const char *sort, size_t limit, int64_t exp)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l;
	ry_buf b = RY_BUF_INIT;
	o.filter = filter;
	o.sort = sort;
	o.limit = limit;
	o.experiment_id = exp;
	if (ry_runlist_open(&l, ws.st, &o) != 0)
		fail_msg("list '%s' sort '%s' failed: %s", filter ? filter : "", sort ? sort : "", ry_error_last());
	assert_int_equal(ry_runlist_count(l) == 0 || ry_runlist_ids(l) != NULL, 1);
	for (size_t i = 0; i < ry_runlist_count(l); i++)
		ry_buf_printf(&b, "%s%lld", i ? "," : "", (long long)ry_runlist_ids(l)[i]);
	ry_runlist_free(l);
	return ry_buf_detach(&b);
}

#define SORTED(sort, want) do { \
		char *got_ = list(NULL, sort, 0, 0); \
		if (strcmp(got_, want) != 0) \
			fail_msg("sort '%s': got [%s], want [%s]", sort ? sort : "(default)", got_, want); \
		free(got_); \
	} while (0)

static void test_runlist_default_order_is_newest_first(void **state)
{
	(void)state;
	SORTED(NULL, "5,3,4,2,1");
	SORTED("", "5,3,4,2,1");
	SORTED("created:asc", "1,2,4,3,5");
}

static void test_runlist_sort_nulls_last_both_ways(void **state)
{
	(void)state;
	SORTED("val_acc:desc", "3,1,2,5,4");
	SORTED("val_acc:asc", "2,1,3,5,4");
	SORTED("val_acc", "2,1,3,5,4");
	SORTED("lr", "4,1,3,2,5");
	SORTED("lr:desc", "2,3,1,4,5");
	SORTED("host:asc", "4,1,2,5,3");
	SORTED("host:desc", "2,4,1,5,3");
	SORTED("loss.best:asc", "3,1,4,2,5");
	SORTED("duration:desc", "4,1,2,3,5");
	SORTED("cost:asc", "3,2,1,4,5");
	SORTED("ended:DESC", "3,2,1,5,4");
}

static void test_runlist_ties_break_by_id_desc(void **state)
{
	(void)state;
	SORTED("optimizer:asc", "5,3,1,4,2");
	SORTED("status:asc", "2,3,1,5,4");
	SORTED("experiment", "5,3,4,2,1");
	SORTED("name:desc", "3,4,2,1,5");
}

static void test_runlist_filter_sort_limit_experiment(void **state)
{
	char *got;
	(void)state;
	got = list("status != queued", "val_acc:desc", 2, 0);
	assert_string_equal(got, "3,1");
	free(got);
	got = list(NULL, NULL, 0, 2);
	assert_string_equal(got, "5,3");
	free(got);
	got = list("lr < 1", NULL, 0, 1);
	assert_string_equal(got, "4,2,1");
	free(got);
	got = list("lr > 100", NULL, 0, 0);
	assert_string_equal(got, "");
	free(got);
}

static void test_runlist_bad_filter_or_sort_is_einval(void **state)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l = (ry_runlist *)&o;
	(void)state;
	o.filter = "lr <";
	assert_int_equal(ry_runlist_open(&l, ws.st, &o), RY_EINVAL);
	assert_null(l);
	assert_non_null(strstr(ry_error_last(), "expected a value after '<'"));
	o.filter = NULL;
	o.sort = "nope:desc";
	assert_int_equal(ry_runlist_open(&l, ws.st, &o), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "unknown field 'nope'"));
	ry_runlist_free(NULL);
}

/* A key both a param ('x' on run 1) and a metric (1 on run 2) sorts by the
 * param, never an error (issue 14); metric(s).KEY sorts by the metric. */
static void test_runlist_sort_param_shadowing_metric(void **state)
{
	(void)state;
	char *by_param = list(NULL, "shared", 0, 0), *by_metric = list(NULL, "metric.shared", 0, 0);
	if (strncmp(by_param, "1,", 2) || strncmp(by_metric, "2,", 2))
		fail_msg("sort shared: [%s] (want run 1 first); metric.shared: [%s] (want run 2 first)", by_param,
		         by_metric);
	free(by_param);
	free(by_metric);
}

/* A workspace of n runs with ids 3, 6, 9... (gaps, as after deletions), a
 * metric 'score' (some NULL) and a param 'mixed' of numbers and text. */
static void fill_big(ry_store *st, int n)
{
	char *sql = ry_xasprintf(
		"INSERT INTO experiments(id, name, created) VALUES (1, 'e', 0);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		" INSERT INTO runs(id, uuid, experiment_id, name, status, created)"
		"  SELECT i * 3, 'u' || i, 1, 'r' || i, CASE WHEN i %% 4 THEN 'finished' ELSE 'failed' END, i FROM n;"
		"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max)"
		"  SELECT id, 'score', 1, 0, CASE WHEN id %% 7 = 0 THEN NULL ELSE ((id * 37) %% 11) - 5.5 END, 0, 0"
		"  FROM runs WHERE id %% 13 != 0;"
		"INSERT INTO params(run_id, key, value, num)"
		"  SELECT id, 'mixed', CASE WHEN id %% 5 = 0 THEN 'x' || (id %% 4) ELSE CAST(id %% 9 AS TEXT) END,"
		"         CASE WHEN id %% 5 = 0 THEN NULL ELSE id %% 9 END FROM runs WHERE id %% 11 != 0;", n);
	fx_exec(st, sql);
	free(sql);
}

/* The run list for o must be exactly the ids `sql` selects, in its order.
 * Returns how many. */
static size_t expect_sql_order(ry_store *st, const ry_runlist_options *o, const char *sql, const char *what)
{
	ry_runlist *l;
	sqlite3_stmt *s;
	size_t i = 0;
	if (ry_runlist_open(&l, st, o) != 0)
		fail_msg("%s: %s", what, ry_error_last());
	assert_int_equal(sqlite3_prepare_v2(ry_store__db(st), sql, -1, &s, NULL), SQLITE_OK);
	for (; sqlite3_step(s) == SQLITE_ROW; i++)
		if (i >= ry_runlist_count(l) || sqlite3_column_int64(s, 0) != ry_runlist_id(l, i))
			fail_msg("%s: row %zu is run %lld, SQLite says %lld", what, i, (long long)ry_runlist_id(l, i),
			         (long long)sqlite3_column_int64(s, 0));
	assert_int_equal(i, ry_runlist_count(l));
	sqlite3_finalize(s);
	ry_runlist_free(l);
	return i;
}

/* Sorting in C (one radix sort; text by rank of its distinct strings) must
 * give SQLite's order: NULLs last, numbers before text, ties newest first. */
static void test_runlist_sort_matches_sqlite_at_scale(void **state)
{
	struct ry_test_ws big;
	static const char *const specs[][2] = {
		{ "score:desc", "v IS NULL, v DESC" }, { "score:asc", "v IS NULL, v ASC" },
		{ "mixed:desc", "v IS NULL, v DESC" }, { "mixed", "v IS NULL, v ASC" },
	};
	(void)state;
	ry_test_ws_open(&big);
	fill_big(big.st, 5000);
	for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
		ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
		const char *key = strncmp(specs[k][0], "score", 5) == 0 ? "score" : "mixed";
		char *sql = ry_xasprintf(
			strcmp(key, "score") == 0 ?
			"SELECT r.id FROM runs AS r LEFT JOIN (SELECT run_id, last AS v FROM metric_summary"
			" WHERE key = 'score') AS x ON x.run_id = r.id ORDER BY %s, r.id DESC" :
			"SELECT r.id FROM runs AS r LEFT JOIN (SELECT run_id, coalesce(num, value) AS v FROM params"
			" WHERE key = 'mixed') AS x ON x.run_id = r.id ORDER BY %s, r.id DESC", specs[k][1]);
		o.sort = specs[k][0];
		assert_int_equal(expect_sql_order(big.st, &o, sql, specs[k][0]), 5000);
		free(sql);
	}
	ry_test_ws_close(&big);
}

/* A first page (a limit) sorted by a metric, a param or a tag walks the
 * index on the sort key (runlist.c page_by_index): it must be exactly the
 * head of the fully sorted list -- NULLs and missing values last, ties by
 * id descending, both directions, with filters and experiments, and where
 * a selective filter makes the walk give up and sort everything instead.
 * The total it is a page of must be the full list's length. */
static void test_runlist_first_page_is_head_of_full_sort(void **state)
{
	struct ry_test_ws big;
	static const char *const sorts[] = {
		"score:desc", "score", "metrics.score.min:desc", "metrics.score.max", "whole:desc", "whole",
		"opt", "opt:desc", "tags.kind", "tags.kind:desc", "mixed:desc",
	};
	static const char *const filters[] = { NULL, "status = failed", "name = r7", "whole > 4 and opt = b" };
	static const size_t limits[] = { 1, 7, 50, 4000 };
	(void)state;
	ry_test_ws_open(&big);
	fill_big(big.st, 25000); /* more candidates than a walk reads before giving up */
	fx_exec(big.st,
		"INSERT INTO experiments(id, name, created) VALUES (2, 'f', 0);"
		"UPDATE runs SET experiment_id = 2 WHERE id % 2 = 0;"
		"INSERT INTO params(run_id, key, value, num) SELECT id, 'whole', CAST(id % 10 AS TEXT), id % 10"
		"  FROM runs WHERE id % 17 != 0;"
		"INSERT INTO params(run_id, key, value, num) SELECT id, 'opt', char(97 + id % 3), NULL"
		"  FROM runs WHERE id % 19 != 0;"
		"INSERT INTO tags(run_id, key, value) SELECT id, 'kind', CASE WHEN id % 3 THEN 'k' || (id % 5) ELSE '' END"
		"  FROM runs WHERE id % 23 != 0;");
	for (size_t si = 0; si < sizeof sorts / sizeof *sorts; si++)
		for (size_t fi = 0; fi < sizeof filters / sizeof *filters; fi++)
			for (int64_t exp = 0; exp <= 2; exp += 2) {
				ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
				ry_runlist *full, *page;
				size_t total = 0;
				o.sort = sorts[si];
				o.filter = filters[fi];
				o.experiment_id = exp;
				if (ry_runlist_open(&full, big.st, &o))
					fail_msg("%s: %s", sorts[si], ry_error_last());
				assert_int_equal(ry_runlist_total(big.st, &o, &total), 0);
				if (total != ry_runlist_count(full))
					fail_msg("filter '%s' exp %lld: total %zu, list %zu", filters[fi] ? filters[fi] : "",
					         (long long)exp, total, ry_runlist_count(full));
				for (size_t li = 0; li < sizeof limits / sizeof *limits; li++) {
					o.limit = limits[li];
					if (ry_runlist_open(&page, big.st, &o))
						fail_msg("%s: %s", sorts[si], ry_error_last());
					size_t want = ry_runlist_count(full) < o.limit ? ry_runlist_count(full) : o.limit;
					if (ry_runlist_count(page) != want)
						fail_msg("sort %s filter '%s' exp %lld limit %zu: %zu rows, want %zu", sorts[si],
						         filters[fi] ? filters[fi] : "", (long long)exp, o.limit,
						         ry_runlist_count(page), want);
					for (size_t i = 0; i < want; i++)
						if (ry_runlist_id(page, i) != ry_runlist_id(full, i))
							fail_msg("sort %s filter '%s' exp %lld limit %zu: row %zu is run %lld, "
							         "the full sort says %lld", sorts[si], filters[fi] ? filters[fi] : "",
							         (long long)exp, o.limit, i, (long long)ry_runlist_id(page, i),
							         (long long)ry_runlist_id(full, i));
					ry_runlist_free(page);
				}
				ry_runlist_free(full);
			}
	ry_test_ws_close(&big);
}

/* Conditions on params and metrics run as run-id sets (a bitmap, or sorted
 * ids searched by bisection when ids are far apart): the runs listed must
 * be exactly those SQLite's own IN subqueries select. */
static void test_runlist_filter_sets_match_sqlite(void **state)
{
	struct ry_test_ws big;
	static const char *const specs[][2] = {
		{ "mixed > 3", "r.id IN (SELECT run_id FROM params WHERE key = 'mixed' AND num > 3)" },
		{ "not score < 0", "NOT r.id IN (SELECT run_id FROM metric_summary WHERE key = 'score' AND last < 0)" },
		{ "score < 0 or mixed = x1",
		  "r.id IN (SELECT run_id FROM metric_summary WHERE key = 'score' AND last < 0)"
		  " OR r.id IN (SELECT run_id FROM params WHERE key = 'mixed' AND value = 'x1')" },
		{ "score < 0 and mixed > 3", /* with the far run: a bitmap and a sorted part intersect */
		  "r.id IN (SELECT run_id FROM metric_summary WHERE key = 'score' AND last < 0)"
		  " AND r.id IN (SELECT run_id FROM params WHERE key = 'mixed' AND num > 3)" },
		{ "score and mixed and status = finished",
		  "r.id IN (SELECT run_id FROM metric_summary WHERE key = 'score')"
		  " AND r.id IN (SELECT run_id FROM params WHERE key = 'mixed') AND r.status = 'finished'" },
	};
	(void)state;
	ry_test_ws_open(&big);
	fill_big(big.st, 3000);
	for (int sparse = 0; sparse < 2; sparse++) {
		if (sparse) /* one id far beyond the rest: the sets switch to bisection */
			fx_exec(big.st,
				"INSERT INTO runs(id, uuid, experiment_id, name, status, created)"
				"  VALUES (1000000000000, 'far', 1, 'far', 'finished', 99999);"
				"INSERT INTO params(run_id, key, value, num) VALUES (1000000000000, 'mixed', '8', 8);"
				"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max)"
				"  VALUES (1000000000000, 'score', 1, 0, 1, 1, 1);");
		for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
			ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
			char *sql = ry_xasprintf("SELECT r.id FROM runs AS r WHERE %s ORDER BY r.created DESC, r.id DESC",
			                         specs[k][1]);
			char *what = ry_xasprintf("filter '%s'%s", specs[k][0], sparse ? " (sparse ids)" : "");
			o.filter = specs[k][0];
			assert_true(expect_sql_order(big.st, &o, sql, what) > 10);
			if (sparse && k == 0) {
				ry_runlist *l;
				assert_int_equal(ry_runlist_open(&l, big.st, &o), 0);
				assert_int_equal(ry_runlist_id(l, 0), 1000000000000LL);
				ry_runlist_free(l);
			}
			free(what);
			free(sql);
		}
	}
	ry_test_ws_close(&big);
}

static const char *const field_names[] = {
	"name", "status", "lr", "model", "val_acc", "loss.best", "duration", "cost", "created",
	"tags.stage", "experiment", "id", "exit_code", "metrics.loss.n",
};
#define NF (sizeof field_names / sizeof field_names[0])

static void parse_fields(ry_field **f)
{
	for (size_t j = 0; j < NF; j++)
		if (ry_field_parse(&f[j], ws.st, field_names[j]) != 0)
			fail_msg("field %s: %s", field_names[j], ry_error_last());
}

static void free_fields(ry_field **f)
{
	for (size_t j = 0; j < NF; j++)
		ry_field_free(f[j]);
}

static void assert_num(const ry_cell *c, double want)
{
	assert_int_equal(c->type, RY_CELL_NUM);
	if (fabs(c->num - want) > 1e-9)
		fail_msg("cell %g, want %g", c->num, want);
}

static void assert_text(const ry_cell *c, const char *want)
{
	assert_int_equal(c->type, RY_CELL_TEXT);
	assert_string_equal(c->text, want);
}

static void test_runlist_fetch_cells(void **state)
{
	ry_field *f[NF];
	int64_t ids[] = { 3, 1, 99, 4 };
	ry_cell cells[4 * NF];
	(void)state;
	parse_fields(f);
	assert_int_equal(ry_runlist_fetch(ws.st, ids, 4, f, NF, cells), 0);

	ry_cell *r = cells; /* run 3 */
	assert_text(&r[0], "xgb-1");
	assert_text(&r[1], "finished");
	assert_num(&r[2], 0.05);
	assert_text(&r[3], "xgb");
	assert_num(&r[4], 0.95);
	assert_num(&r[5], 0.1);
	assert_num(&r[6], 90);
	assert_num(&r[7], 0);
	assert_num(&r[8], fx_base - 3600);
	assert_int_equal(r[9].type, RY_CELL_NULL);
	assert_text(&r[10], "tabular");
	assert_num(&r[11], 3);
	assert_num(&r[12], 0);
	assert_num(&r[13], 10);

	r = cells + NF; /* run 1 */
	assert_text(&r[0], "resnet-a");
	assert_num(&r[5], 0.19);
	assert_num(&r[7], 4);
	assert_text(&r[10], "vision");

	r = cells + 2 * NF; /* no run 99: every cell missing */
	for (size_t j = 0; j < NF; j++)
		assert_int_equal(r[j].type, RY_CELL_NULL);

	r = cells + 3 * NF; /* run 4, running */
	assert_text(&r[1], "running");
	assert_int_equal(r[4].type, RY_CELL_NULL);
	assert_int_equal(r[6].type, RY_CELL_NUM);
	assert_true(r[6].num >= 7200 && r[6].num < 7200 + 600);
	assert_true(r[7].num >= 6.0 && r[7].num < 6.5);
	assert_text(&r[9], "prod");
	assert_int_equal(r[12].type, RY_CELL_NULL);

	ry_cells_clear(cells, 4 * NF);
	assert_int_equal(cells[0].type, RY_CELL_NULL);
	assert_null(cells[0].text);
	assert_int_equal(ry_runlist_fetch(ws.st, ids, 0, f, NF, cells), 0);
	free_fields(f);
}

/* Many rows take the column-scan plan; it must give what lookups give,
 * repeated and unknown ids included. */
static void test_runlist_fetch_scan_matches_lookup(void **state)
{
	enum { MANY = 4000 };
	ry_field *f[NF];
	int64_t few[6] = { 1, 2, 3, 4, 5, 6 }, *many = malloc(MANY * sizeof *many);
	ry_cell *a = calloc(6 * NF, sizeof *a), *b = calloc(MANY * NF, sizeof *b);
	(void)state;
	parse_fields(f);
	for (size_t i = 0; i < MANY; i++)
		many[i] = (int64_t)(i % 6) + 1;
	assert_int_equal(ry_runlist_fetch(ws.st, few, 6, f, NF, a), 0);
	assert_int_equal(ry_runlist_fetch(ws.st, many, MANY, f, NF, b), 0);
	for (size_t i = 0; i < MANY; i++) {
		for (size_t j = 0; j < NF; j++) {
			const ry_cell *x = &a[(i % 6) * NF + j], *y = &b[i * NF + j];
			if (x->type != y->type)
				fail_msg("row %zu field %s: type %d vs %d", i, field_names[j], x->type, y->type);
			if (x->type == RY_CELL_TEXT)
				assert_string_equal(x->text, y->text);
			else if (x->type == RY_CELL_NUM && fabs(x->num - y->num) > 1.0)
				fail_msg("row %zu field %s: %g vs %g", i, field_names[j], x->num, y->num);
		}
	}
	ry_cells_clear(b, MANY * NF);

	/* Ids far apart take the hash-table plan. */
	for (size_t i = 0; i < MANY; i++)
		many[i] = i % 2 ? (int64_t)(i % 6) + 1 : (int64_t)1000000000000 + (int64_t)i;
	assert_int_equal(ry_runlist_fetch(ws.st, many, MANY, f, NF, b), 0);
	for (size_t i = 0; i < MANY; i++) {
		for (size_t j = 0; j < NF; j++) {
			const ry_cell *x = &a[(i % 6) * NF + j], *y = &b[i * NF + j];
			if (i % 2 == 0) {
				assert_int_equal(y->type, RY_CELL_NULL);
				continue;
			}
			if (x->type != y->type)
				fail_msg("sparse row %zu field %s: type %d vs %d", i, field_names[j], x->type, y->type);
			if (x->type == RY_CELL_TEXT)
				assert_string_equal(x->text, y->text);
			else if (x->type == RY_CELL_NUM && fabs(x->num - y->num) > 1.0)
				fail_msg("sparse row %zu field %s: %g vs %g", i, field_names[j], x->num, y->num);
		}
	}
	ry_cells_clear(a, 6 * NF);
	ry_cells_clear(b, MANY * NF);
	free(a);
	free(b);
	free(many);
	free_fields(f);
}

/* The ids of a fetch plan, into ids (room for many): 0 the column arrays
 * (many dense ids, each asked more than once), 1 lookups (few rows), 2 ids
 * far apart (a hash from id to row).  Their count. */
static size_t plan_ids(int plan, int64_t *ids, size_t many)
{
	size_t n = plan == 1 ? 50 : many;
	for (size_t i = 0; i < n; i++)
		ids[i] = plan == 2 && i % 2 ? (int64_t)1000000000000 + (int64_t)i : (int64_t)(i * 7 % 6) + 1;
	return n;
}

/* The streaming reader (ry_cellreader) gives, block by block, the cells
 * ry_runlist_fetch gives for every row at once: with the column arrays
 * (many dense ids, a row asked twice), and by lookups (few rows, ids far
 * apart), across block boundaries of any size. */
static void test_cellreader_blocks_match_fetch(void **state)
{
	enum { MANY = 4000 };
	ry_field *f[NF];
	int64_t *ids = malloc(MANY * sizeof *ids);
	ry_cell *all = calloc(MANY * NF, sizeof *all), *blk = calloc(MANY * NF, sizeof *blk);
	static const size_t blocks[] = { 1, 7, 1024, MANY };
	(void)state;
	parse_fields(f);
	for (int plan = 0; plan < 3; plan++) {
		size_t n = plan_ids(plan, ids, MANY);
		for (size_t bi = 0; bi < sizeof blocks / sizeof *blocks; bi++) {
			ry_cellreader *r = NULL;
			/* read again for each pass: a running run's duration (and cost)
			 * moves with the clock, by no more than the time since this read
			 * however long one-row blocks take on a busy machine */
			double t0 = ry_monotonic();
			assert_int_equal(ry_runlist_fetch(ws.st, ids, n, f, NF, all), 0);
			assert_int_equal(ry_cellreader_open(&r, ws.st, ids, n, f, NF), 0);
			for (size_t from = 0; from < n; from += blocks[bi]) {
				size_t k = n - from < blocks[bi] ? n - from : blocks[bi];
				assert_int_equal(ry_cellreader_read(r, from, k, blk), 0);
				double slack = ry_monotonic() - t0 + 1.0;
				for (size_t i = 0; i < k * NF; i++) {
					const ry_cell *x = &all[from * NF + i], *y = &blk[i];
					if (x->type != y->type || (x->type == RY_CELL_TEXT && strcmp(x->text, y->text)) ||
					    (x->type == RY_CELL_NUM && x->num != y->num && fabs(x->num - y->num) > slack))
						fail_msg("plan %d block %zu row %zu field %s differs", plan, blocks[bi],
						         from + i / NF, field_names[i % NF]);
				}
				ry_cells_clear(blk, k * NF);
			}
			ry_cellreader_free(r);
			ry_cells_clear(all, n * NF);
		}
	}
	free(all);
	free(blk);
	free(ids);
	free_fields(f);
}

/* A compact column (ry_runlist_fetch_column) holds what the cells hold:
 * numbers as they are, or, once any value is text, every value as text
 * (numbers "%.17g") through codes into distinct texts in strcmp order. */
static void column_matches_cells(ry_store *st, const int64_t *ids, size_t n, ry_field *f, const char *what)
{
	ry_cell *cells = calloc(n ? n : 1, sizeof *cells);
	ry_column c;
	bool text = false;
	assert_int_equal(ry_runlist_fetch(st, ids, n, &f, 1, cells), 0);
	assert_int_equal(ry_runlist_fetch_column(st, ids, n, f, &c), 0);
	for (size_t i = 0; i < n; i++)
		text = text || cells[i].type == RY_CELL_TEXT;
	assert_int_equal(c.num == NULL, text);
	assert_int_equal(c.code != NULL, text);
	for (size_t t = 1; t < c.ntexts; t++)
		if (strcmp(c.texts[t - 1], c.texts[t]) >= 0)
			fail_msg("%s: texts not distinct and sorted at %zu", what, t);
	for (size_t i = 0; i < n; i++) {
		const ry_cell *x = &cells[i];
		if (!text) {
			if (x->type == RY_CELL_NULL ? !isnan(c.num[i]) : fabs(c.num[i] - x->num) > 1.0)
				fail_msg("%s row %zu: %g vs cell %g", what, i, c.num[i], x->num);
			continue;
		}
		char want[40];
		if (x->type == RY_CELL_NUM)
			snprintf(want, sizeof want, "%.17g", x->num);
		if (x->type == RY_CELL_NULL) {
			assert_int_equal(c.code[i], -1);
			continue;
		}
		assert_true(c.code[i] >= 0 && (size_t)c.code[i] < c.ntexts);
		assert_string_equal(c.texts[c.code[i]], x->type == RY_CELL_TEXT ? x->text : want);
	}
	ry_column_clear(&c);
	assert_null(c.num);
	ry_cells_clear(cells, n);
	free(cells);
}

static void test_runlist_fetch_column_matches_cells(void **state)
{
	enum { MANY = 4000 };
	ry_field *f[NF];
	int64_t *ids = malloc(MANY * sizeof *ids);
	(void)state;
	parse_fields(f);
	/* every plan: the index scan (many dense ids, repeated), lookups (few),
	 * ids far apart */
	for (int plan = 0; plan < 3; plan++) {
		size_t n = plan_ids(plan, ids, MANY);
		for (size_t j = 0; j < NF; j++) {
			char what[64];
			snprintf(what, sizeof what, "plan %d field %s", plan, field_names[j]);
			column_matches_cells(ws.st, ids, n, f[j], what);
		}
	}
	free_fields(f);
	/* a param mixing numbers and texts over 5,000 runs, and a metric */
	struct ry_test_ws big;
	ry_test_ws_open(&big);
	fill_big(big.st, 5000);
	for (size_t i = 0; i < MANY; i++)
		ids[i] = (int64_t)(MANY - i) * 3;
	static const char *const keys[] = { "mixed", "score", "name" };
	for (size_t k = 0; k < 3; k++) {
		ry_field *g = NULL;
		assert_int_equal(ry_field_parse(&g, big.st, keys[k]), 0);
		column_matches_cells(big.st, ids, MANY, g, keys[k]);
		column_matches_cells(big.st, ids, 0, g, keys[k]); /* no run */
		ry_field_free(g);
	}
	ry_test_ws_close(&big);
	free(ids);
}

static void check_format(const char *field, ry_cell c, double now, const char *want)
{
	ry_field *f;
	char out[64];
	if (ry_field_parse(&f, ws.st, field) != 0)
		fail_msg("field %s: %s", field, ry_error_last());
	ry_cell_format(f, &c, now, out, sizeof out);
	if (strcmp(out, want) != 0)
		fail_msg("format %s: got [%s], want [%s]", field, out, want);
	ry_field_free(f);
}

static ry_cell num(double v)
{
	ry_cell c = { RY_CELL_NUM, v, NULL };
	return c;
}

static void test_runlist_cell_format(void **state)
{
	ry_cell null = { RY_CELL_NULL, 0, NULL }, text = { RY_CELL_TEXT, 0, (char *)"adam" };
	double now = 1800000000;
	ry_field *f;
	char small[4];
	(void)state;
	check_format("val_acc", num(0.92), now, "0.92");
	check_format("val_acc", num(0.123456789), now, "0.123457");
	check_format("batch_size", num(64), now, "64");
	check_format("lr", num(1e-4), now, "0.0001");
	check_format("lr", num(1234567.891), now, "1.23457e+06");
	check_format("lr", num(1234567), now, "1234567");
	check_format("lr", num(-0.0), now, "0");
	check_format("val_acc", num(NAN), now, "nan");
	check_format("lr", null, now, "-");
	check_format("optimizer", text, now, "adam");
	check_format("duration", num(7200), now, "2h00m");
	check_format("duration", num(90), now, "1m30s");
	check_format("created", num(now - 3 * 86400), now, "3d ago");
	check_format("started", num(now - 120), now, "2m ago");
	check_format("cost", num(4), now, "$4.00");
	check_format("cost", num(12.5), now, "$12.50");
	check_format("exit_code", num(1), now, "1");
	check_format("metrics.loss.n", num(100), now, "100");

	assert_int_equal(ry_field_parse(&f, ws.st, "lr"), 0);
	{
		ry_cell c = num(1234567);
		ry_cell_format(f, &c, now, small, sizeof small);
	}
	assert_string_equal(small, "123");
	ry_field_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runlist_default_order_is_newest_first),
		cmocka_unit_test(test_runlist_sort_nulls_last_both_ways),
		cmocka_unit_test(test_runlist_ties_break_by_id_desc),
		cmocka_unit_test(test_runlist_sort_matches_sqlite_at_scale),
		cmocka_unit_test(test_runlist_first_page_is_head_of_full_sort),
		cmocka_unit_test(test_runlist_filter_sort_limit_experiment),
		cmocka_unit_test(test_runlist_filter_sets_match_sqlite),
		cmocka_unit_test(test_runlist_bad_filter_or_sort_is_einval),
		cmocka_unit_test(test_runlist_sort_param_shadowing_metric),
		cmocka_unit_test(test_runlist_fetch_cells),
		cmocka_unit_test(test_runlist_fetch_scan_matches_lookup),
		cmocka_unit_test(test_cellreader_blocks_match_fetch),
		cmocka_unit_test(test_runlist_fetch_column_matches_cells),
		cmocka_unit_test(test_runlist_cell_format),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
