/*
 * The run list read from a filter's set of ids (runlist.c list_by_ids,
 * scan_ids) against the plain path, the index walk: on a workspace of
 * 20,000 runs, every filter, sort, limit and experiment lists the same
 * runs in the same order with the same total whichever path is taken --
 * for a set small enough that the cost picks the ids, and for a large one
 * read from its ids anyway -- and the cost does pick the ids for the small
 * set and the walk for the large one.
 */
#include "testutil.h"
#include "sqlutil.h"
#include "query/query_internal.h"
#include "store/store_internal.h"

#define NRUNS 20000

static struct ry_test_ws ws;

/* Runs 1..NRUNS in two experiments.  created takes 2,500 values, so runs
 * tie in the default order and in created:asc; val_acc is NULL (a NaN
 * metric) on every 13th run; rare (tag) on 11 runs; seed (param) is a
 * number on most runs and text on some; status cycles through three. */
static int setup(void **state)
{
	(void)state;
	ry_test_ws_open(&ws);
	ry_test_exec(ws.st,
		"BEGIN;"
		"INSERT INTO experiments(id, name, created) VALUES (1, 'a', 0), (2, 'b', 0);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
		" INSERT INTO runs(id, uuid, experiment_id, name, status, created)"
		" SELECT i, printf('%08x-0000-4000-8000-%012x', i, i), 1 + i % 2, 'run-' || (i * 37 % 1000),"
		"        CASE i % 3 WHEN 0 THEN 'failed' WHEN 1 THEN 'finished' ELSE 'killed' END,"
		"        1000000 + (i * 7919) % 2500 FROM n;"
		"INSERT INTO params(run_id, key, value, num)"
		" SELECT id, 'lr', printf('%.6g', pow(10, -5 + 5.0 * ((id * 2654435761) % 1000) / 1000.0)),"
		"        pow(10, -5 + 5.0 * ((id * 2654435761) % 1000) / 1000.0) FROM runs;"
		"INSERT INTO params(run_id, key, value, num)"
		" SELECT id, 'optimizer', CASE id % 4 WHEN 0 THEN 'adam' WHEN 1 THEN 'sgd' ELSE 'adamw' END, NULL FROM runs;"
		"INSERT INTO params(run_id, key, value, num)"
		" SELECT id, 'seed', CASE WHEN id % 11 = 0 THEN 'x' || (id % 5) ELSE id % 97 END,"
		"        CASE WHEN id % 11 = 0 THEN NULL ELSE id % 97 END FROM runs WHERE id % 3 <> 2;"
		"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max)"
		" SELECT id, 'val_acc', 10, 9, CASE WHEN id % 13 = 0 THEN NULL ELSE ((id * 40503) % 500) / 500.0 END, 0, 1"
		" FROM runs;"
		"INSERT INTO tags(run_id, key, value) SELECT id, 'rare', 'yes' FROM runs WHERE id % 1667 = 0;"
		"COMMIT;");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ry_test_ws_close(&ws);
	return 0;
}

struct listed {
	ry_runlist *l;
	size_t total;
	unsigned from_ids; /* lists and counts read from ids */
};

/* The list and the total by the path given (see ry_runlist__by_ids). */
static struct listed list(const char *filter, const char *sort, size_t limit, int64_t exp, int by_ids)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	struct listed r = { 0 };
	o.filter = filter;
	o.sort = sort;
	o.limit = limit;
	o.experiment_id = exp;
	ry_runlist__by_ids = by_ids;
	ry_runlist__ids_used = 0;
	int rc = ry_runlist_open(&r.l, ws.st, &o);
	if (!rc)
		rc = ry_runlist_total(ws.st, &o, &r.total);
	r.from_ids = ry_runlist__ids_used;
	ry_runlist__by_ids = 0;
	if (rc)
		fail_msg("%s by %s: %s", filter, sort ? sort : "default", ry_error_last());
	return r;
}

static void same(const struct listed *plain, const struct listed *b, const char *what)
{
	size_t n = ry_runlist_count(plain->l);
	if (n != ry_runlist_count(b->l))
		fail_msg("%s: %zu runs from ids, %zu walked", what, ry_runlist_count(b->l), n);
	for (size_t i = 0; i < n; i++)
		if (ry_runlist_id(plain->l, i) != ry_runlist_id(b->l, i))
			fail_msg("%s: row %zu is run %lld from ids, %lld walked", what, i,
			         (long long)ry_runlist_id(b->l, i), (long long)ry_runlist_id(plain->l, i));
	if (plain->total != b->total)
		fail_msg("%s: total %zu from ids, %zu walked", what, b->total, plain->total);
}

static const char *const sorts[] = {
	NULL, "created:asc", "name", "name:asc", "status:asc", "val_acc", "val_acc:asc",
	"lr:asc", "seed", "seed:asc", "optimizer:asc", "tags.rare", "duration", "id:asc",
};
static const size_t limits[] = { 0, 1, 7, 256 };

/* Every sort, limit and experiment: from ids equals walked.  Returns how
 * many lists and counts the automatic choice read from ids. */
static unsigned check_filter(const char *filter)
{
	unsigned from_ids = 0;
	for (size_t s = 0; s < sizeof sorts / sizeof *sorts; s++)
		for (size_t k = 0; k < sizeof limits / sizeof *limits; k++)
			for (int64_t exp = 0; exp <= 2; exp += 2) {
				char what[256];
				struct listed plain = list(filter, sorts[s], limits[k], exp, 1);
				struct listed ids = list(filter, sorts[s], limits[k], exp, 2);
				struct listed chosen = list(filter, sorts[s], limits[k], exp, 0);
				snprintf(what, sizeof what, "%s, sort %s, limit %zu, experiment %lld", filter,
				         sorts[s] ? sorts[s] : "default", limits[k], (long long)exp);
				assert_true(plain.from_ids == 0);
				assert_true(ids.from_ids > 0);
				same(&plain, &ids, what);
				same(&plain, &chosen, what);
				from_ids += chosen.from_ids;
				ry_runlist_free(plain.l);
				ry_runlist_free(ids.l);
				ry_runlist_free(chosen.l);
			}
	return from_ids;
}

/* 11 tagged runs of 20,000: the cost reads them by id, and the lists are
 * the walk's. */
static void test_small_set_is_read_by_id(void **state)
{
	(void)state;
	assert_true(check_filter("tags.rare = yes and status != killed") > 0);
	assert_true(check_filter("tags.rare") > 0);
	assert_true(check_filter("optimizer = adam and lr < 0.0002 and val_acc > 0.5") > 0);
}

/* Half the runs and more: the cost walks, and reading the set's ids
 * anyway lists the same. */
static void test_large_set_is_walked(void **state)
{
	(void)state;
	assert_int_equal(check_filter("lr < 0.05 and status = finished"), 0);
	assert_int_equal(check_filter("optimizer != sgd and seed >= 0"), 0);
}

/* A filter that is its set alone counts by the set's size; no set (an `or`
 * at the top, built-in fields only) always walks. */
static void test_totals_and_no_set(void **state)
{
	(void)state;
	struct listed plain = list("tags.rare", NULL, 0, 0, 1);
	struct listed chosen = list("tags.rare", NULL, 0, 0, 0);
	assert_int_equal(plain.total, 11);
	assert_int_equal(chosen.total, 11);
	same(&plain, &chosen, "tags.rare");
	ry_runlist_free(plain.l);
	ry_runlist_free(chosen.l);
	const char *noset[] = { "tags.rare or status = failed", "status = failed and name = run-37" };
	for (size_t i = 0; i < 2; i++) {
		plain = list(noset[i], "val_acc", 0, 0, 1);
		chosen = list(noset[i], "val_acc", 0, 0, 2);
		assert_int_equal(chosen.from_ids, 0);
		same(&plain, &chosen, noset[i]);
		ry_runlist_free(plain.l);
		ry_runlist_free(chosen.l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_set_is_read_by_id),
		cmocka_unit_test(test_large_set_is_walked),
		cmocka_unit_test(test_totals_and_no_set),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
