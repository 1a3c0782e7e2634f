/*
 * A small workspace shared by test_query and test_runlist, filled by plain
 * SQL (the run API is not what these tests are about).  Times are relative
 * to a whole-second `base` near now so that ages and durations are exact.
 *
 *  id name          status    host  exp      created   ran          cost
 *  1  resnet-a      finished  gpu1  vision   10d ago   2h           $4.00
 *  2  resnet-b      failed    gpu2  vision   3d ago    30m, exit 1  $1.00
 *  3  xgb-1         finished  -     tabular  1h ago    90s          $0.00
 *  4  vit-big       running   gpu1  vision   2h ago    2h so far    $3/h
 *  5  O'Brien "q"   queued    -     tabular  5m ago    -            -
 */
#ifndef RY_QUERY_FIXTURE_H
#define RY_QUERY_FIXTURE_H

#include "testutil.h"
#include "store/store_internal.h"

#include <math.h>
#include <time.h>

static double fx_base;

static void fx_exec(ry_store *st, const char *sql)
{
	if (ry_store__exec(st, sql) != 0)
		fail_msg("fixture SQL failed: %s\n%s", ry_error_last(), sql);
}

static void fx_fill(ry_store *st)
{
	double b = fx_base = floor(ry_now());
	char *sql = ry_xasprintf(
		"INSERT INTO experiments(id, name, created) VALUES (1, 'vision', %.0f), (2, 'tabular', %.0f);"
		"INSERT INTO runs(id, uuid, experiment_id, name, status, host, created, started, ended,"
		"                 exit_code, cost_rate, cost_total, source) VALUES"
		" (1, 'aaaa1111-0000-4000-8000-000000000001', 1, 'resnet-a', 'finished', 'gpu1',"
		"     %.0f, %.0f, %.0f, 0, 2.0, 4.0, 'local'),"
		" (2, 'bbbb2222-0000-4000-8000-000000000002', 1, 'resnet-b', 'failed', 'gpu2',"
		"     %.0f, %.0f, %.0f, 1, 2.0, 1.0, 'ssh'),"
		" (3, 'cccc3333-0000-4000-8000-000000000003', 2, 'xgb-1', 'finished', NULL,"
		"     %.0f, %.0f, %.0f, 0, 0, 0.0, 'local'),"
		" (4, 'dddd4444-0000-4000-8000-000000000004', 1, 'vit-big', 'running', 'gpu1',"
		"     %.0f, %.0f, NULL, NULL, 3.0, NULL, 'ssh'),"
		" (5, 'eeee5555-0000-4000-8000-000000000005', 2, 'O''Brien \"q\"', 'queued', NULL,"
		"     %.0f, NULL, NULL, NULL, NULL, NULL, 'local');",
		b - 20 * 86400, b - 20 * 86400,
		b - 10 * 86400, b - 10 * 86400, b - 10 * 86400 + 7200,
		b - 3 * 86400, b - 3 * 86400, b - 3 * 86400 + 1800,
		b - 3600, b - 3600, b - 3600 + 90,
		b - 7200, b - 7200,
		b - 300);
	fx_exec(st, sql);
	free(sql);
	fx_exec(st,
		"INSERT INTO params(run_id, key, value, num) VALUES"
		" (1, 'lr', '0.001', 0.001), (1, 'optimizer', 'adam', NULL), (1, 'batch_size', '64', 64),"
		" (1, 'model', 'resnet50', NULL), (1, 'optim.lr', '0.1', 0.1), (1, 'shared', 'x', NULL),"
		" (2, 'lr', '0.1', 0.1), (2, 'optimizer', 'sgd', NULL), (2, 'batch_size', '128', 128),"
		" (2, 'model', 'resnet18', NULL),"
		" (3, 'lr', '0.05', 0.05), (3, 'optimizer', 'adam', NULL), (3, 'max_depth', '6', 6),"
		" (3, 'model', 'xgb', NULL),"
		" (4, 'lr', '1e-4', 0.0001), (4, 'optimizer', 'adamw', NULL), (4, 'batch_size', '32', 32),"
		" (4, 'model', 'vit-b/16', NULL),"
		" (5, 'optimizer', '''; DROP TABLE runs; --', NULL);"
		"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max) VALUES"
		" (1, 'val_acc', 100, 99, 0.92, 0.5, 0.93), (1, 'loss', 100, 99, 0.2, 0.19, 2.0),"
		" (1, 'val/acc', 100, 99, 0.9, 0.1, 0.9),"
		" (2, 'val_acc', 50, 49, 0.85, 0.4, 0.95), (2, 'loss', 50, 49, 0.5, 0.45, 2.3),"
		" (2, 'shared', 1, 0, 1, 1, 1),"
		" (3, 'val_acc', 10, 9, 0.95, 0.7, 0.95), (3, 'loss', 10, 9, 0.1, 0.1, 1.0),"
		" (4, 'loss', 20, 19, 0.3, 0.3, 2.5);"
		"INSERT INTO tags(run_id, key, value) VALUES"
		" (1, 'best', ''), (2, 'bad', 'diverged'), (4, 'stage', 'prod'), (4, 'priority', '10'),"
		" (3, 'priority', '2');");
}

/* The workspace a file's tests run on, opened and filled once for the file
 * (cmocka's group setup and teardown). */
static struct ry_test_ws ws;

static inline int fx_setup(void **state)
{
	(void)state;
	ry_test_ws_open(&ws);
	fx_fill(ws.st);
	return 0;
}

static inline int fx_teardown(void **state)
{
	(void)state;
	ry_test_ws_close(&ws);
	return 0;
}

#endif
