/*
 * The compound filter's plan (query.c fill_set, idset.c's cache) against
 * the straightforward evaluation (ry_query__plain: every part scanned in
 * the order written, nothing kept): on a real workspace of 20,000 runs,
 * each filter lists exactly the same runs, in the same order, whichever
 * plan is taken -- the first time, from the connection's cache, after a
 * write on this connection and after one by another connection -- and
 * the plan's choices (a probe for a big part, a cache hit) do happen.
 */
#include "testutil.h"
#include "sqlutil.h"
#include "query/query_internal.h"
#include "store/store_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define NRUNS 20000

static struct ry_test_ws ws;

/* Runs 1..NRUNS: lr spread over 1e-5..1 (every run), optimizer one of
 * three, val_acc 0..1, status finished or failed; tags.rare on 11 runs;
 * params.seed on run ids divisible by 7. */
static int setup(void **state)
{
	(void)state;
	ry_test_ws_open(&ws);
	ry_test_exec(ws.st,
		"BEGIN;"
		"INSERT INTO experiments(id, name, created) VALUES (1, 'plan', 0);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
		" INSERT INTO runs(id, uuid, experiment_id, name, status, created)"
		" SELECT i, printf('%08x-0000-4000-8000-%012x', i, i), 1, 'run-' || i,"
		"        CASE WHEN i % 5 = 0 THEN 'failed' ELSE 'finished' END, 1000000 + (i * 7919) % 20000 FROM n;"
		"INSERT INTO params(run_id, key, value, num)"
		" SELECT id, 'lr', printf('%.6g', pow(10, -5 + 5.0 * ((id * 2654435761) % 1000) / 1000.0)),"
		"        pow(10, -5 + 5.0 * ((id * 2654435761) % 1000) / 1000.0) FROM runs;"
		"INSERT INTO params(run_id, key, value, num)"
		" SELECT id, 'optimizer', CASE id % 3 WHEN 0 THEN 'adam' WHEN 1 THEN 'sgd' ELSE 'adamw' END, NULL FROM runs;"
		"INSERT INTO params(run_id, key, value, num) SELECT id, 'seed', id, id FROM runs WHERE id % 7 = 0;"
		"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max)"
		" SELECT id, 'val_acc', 10, 9, ((id * 40503) % 1000) / 1000.0, 0, 1 FROM runs;"
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

/* The ids a filter lists, by the plan given. */
static ry_runlist *list(ry_store *st, const char *filter, bool plain)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l = NULL;
	o.filter = filter;
	ry_query__plain = plain;
	int rc = ry_runlist_open(&l, st, &o);
	ry_query__plain = false;
	if (rc)
		fail_msg("%s: %s", filter, ry_error_last());
	return l;
}

static void same(const ry_runlist *a, const ry_runlist *b, const char *filter, const char *when)
{
	size_t n = ry_runlist_count(a);
	if (n != ry_runlist_count(b))
		fail_msg("%s (%s): %zu runs planned, %zu plain", filter, when, ry_runlist_count(b), n);
	for (size_t i = 0; i < n; i++)
		if (ry_runlist_id(a, i) != ry_runlist_id(b, i))
			fail_msg("%s (%s): row %zu differs", filter, when, i);
}

static const char *const filters[] = {
	"val_acc > 0.9 and optimizer = adam and lr < 0.01 and status = finished",
	"lr < 0.01 and optimizer = adam",
	"tags.rare and lr > 0",                      /* 11 candidates against 20,000: probed */
	"optimizer = adamw and val_acc > 0.5 and seed > 0",
	"seed < 700 and val_acc >= 0 and lr > 1e-6 and optimizer != sgd",
	"(optimizer = adam and lr < 0.001) or (optimizer = sgd and val_acc > 0.99)",
	"not (optimizer = adam and lr < 0.1) and val_acc < 0.2",
	"tags.rare = yes and optimizer = nothing",   /* empty */
	"val_acc > 2 and lr > 0",                     /* empty first part */
	"optimizer ~ ada and val_acc.max > 0.5 and lr <= 0.5",
};

/* Each filter: the plain plan, then the planned one twice (the second
 * from the cache), all equal. */
static void test_plans_agree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
		ry_runlist *plain = list(ws.st, filters[i], true);
		ry_runlist *first = list(ws.st, filters[i], false);
		ry_runlist *again = list(ws.st, filters[i], false);
		same(plain, first, filters[i], "first");
		same(plain, again, filters[i], "cached");
		ry_runlist_free(plain);
		ry_runlist_free(first);
		ry_runlist_free(again);
	}
}

/* A part 1,000 times the candidates left is tested candidate by candidate,
 * and the result is the plain one. */
static void test_big_part_is_probed(void **state)
{
	(void)state;
	ry_runlist *plain = list(ws.st, "tags.rare and val_acc >= 0", true);
	memset(&ry_query__stats, 0, sizeof ry_query__stats);
	ry_runlist *l = list(ws.st, "tags.rare and val_acc >= 0", false);
	assert_true(ry_query__stats.probes >= 1);
	assert_int_equal(ry_runlist_count(l), 11);
	same(plain, l, "tags.rare and val_acc >= 0", "probed");
	ry_runlist_free(plain);
	ry_runlist_free(l);
}

/* The second evaluation reads kept sets; a write on this connection, and
 * one by another connection, make the next evaluation read again and see
 * the change. */
static void test_cache_follows_writes(void **state)
{
	(void)state;
	const char *f = "optimizer = adam and lr < 0.01";
	ry_runlist *l = list(ws.st, f, false);
	size_t before = ry_runlist_count(l);
	ry_runlist_free(l);
	memset(&ry_query__stats, 0, sizeof ry_query__stats);
	l = list(ws.st, f, false);
	assert_int_equal(ry_query__stats.hits, 2);
	assert_int_equal(ry_query__stats.scans, 0);
	assert_int_equal(ry_runlist_count(l), before);
	ry_runlist_free(l);

	/* Two adam runs (id % 3 = 0) whose lr was big get a small one. */
	ry_test_exec(ws.st, "CREATE TEMP TABLE moved AS SELECT run_id FROM params WHERE key = 'lr' AND num >= 0.01"
	                " AND run_id % 3 = 0 ORDER BY run_id LIMIT 2;"
	                "UPDATE params SET num = 1e-6, value = '1e-6' WHERE run_id IN (SELECT run_id FROM moved)"
	                " AND key = 'lr'");
	ry_runlist *plain = list(ws.st, f, true);
	memset(&ry_query__stats, 0, sizeof ry_query__stats);
	l = list(ws.st, f, false);
	assert_int_equal(ry_query__stats.hits, 0);
	same(plain, l, f, "after a write here");
	size_t mid = ry_runlist_count(l);
	assert_int_equal(mid, before + 2);
	ry_runlist_free(plain);
	ry_runlist_free(l);

	/* Another connection (another process, a tracker) writes. */
	ry_store *other = NULL;
	if (ry_store_open(&other, ws.path, 0))
		fail_msg("open: %s", ry_error_last());
	ry_test_exec(other, "UPDATE params SET value = 'sgd' WHERE key = 'optimizer' AND run_id IN"
	                " (SELECT run_id FROM params WHERE key = 'lr' AND num = 1e-6)");
	ry_store_close(other);
	plain = list(ws.st, f, true);
	l = list(ws.st, f, false);
	same(plain, l, f, "after a write elsewhere");
	assert_int_equal(ry_runlist_count(l), mid - 2);
	ry_runlist_free(plain);
	ry_runlist_free(l);
}

/* ry_store_interrupt from another thread: a list in progress fails and
 * says why, ry_store_end_read leaves no snapshot behind, and the next list
 * is whole and current. */
static atomic_int stop;
static void *interrupter(void *arg)
{
	while (!atomic_load(&stop)) {
		ry_store_interrupt(arg);
		struct timespec ts = { 0, 50000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void test_interrupt(void **state)
{
	(void)state;
	const char *f = "val_acc > 0.1 and optimizer != sgd";
	ry_runlist *plain = list(ws.st, f, true);
	pthread_t th;
	int failed = 0;
	atomic_store(&stop, 0);
	assert_int_equal(pthread_create(&th, NULL, interrupter, ws.st), 0);
	for (int i = 0; i < 2000 && !failed; i++) {
		ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
		ry_runlist *l = NULL;
		o.filter = f;
		o.sort = "val_acc:desc";
		if (ry_runlist_open(&l, ws.st, &o) < 0) {
			failed = 1;
			if (!strstr(ry_error_last(), "interrupt")) {
				atomic_store(&stop, 1);
				pthread_join(th, NULL);
				fail_msg("an interrupted list says: %s", ry_error_last());
			}
		}
		ry_runlist_free(l);
		ry_store_end_read(ws.st);
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	assert_true(failed);
	/* A write elsewhere after the interrupt: the next list sees it (run 5
	 * is adamw with val_acc 0.515, untouched by the tests before; a
	 * snapshot left open would still show it). */
	ry_store *other = NULL;
	if (ry_store_open(&other, ws.path, 0))
		fail_msg("open: %s", ry_error_last());
	ry_test_exec(other, "UPDATE metric_summary SET last = 0.05 WHERE key = 'val_acc' AND run_id = 5");
	ry_store_close(other);
	ry_runlist *after = list(ws.st, f, false);
	ry_runlist *plain_after = list(ws.st, f, true);
	same(plain_after, after, f, "after an interrupt");
	assert_int_equal(ry_runlist_count(after), ry_runlist_count(plain) - 1);
	ry_runlist_free(plain);
	ry_runlist_free(after);
	ry_runlist_free(plain_after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plans_agree),
		cmocka_unit_test(test_big_part_is_probed),
		cmocka_unit_test(test_cache_follows_writes),
		cmocka_unit_test(test_interrupt),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
