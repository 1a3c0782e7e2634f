/* The filter language (core/query/query.c): compile an expression against
 * a small workspace (made once, in a temp dir, with params, metrics and
 * tags for bare keys to resolve against), then run what compiled through
 * the run list, so the SQL it makes is executed, not only printed.  The
 * same text as a sort key and a field name. */
#include "fuzz.h"

#include <stdio.h>
#include <unistd.h>

#include "query/query.h"
#include "query/runlist.h"
#include "store/store_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static ry_store *st;
static char dir[] = "/tmp/runyard-fuzz-query-XXXXXX";
static char path[sizeof dir + 16];

static void cleanup(void)
{
	ry_store_close(st);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/ws.db", dir);
	if (ry_store_open(&st, path, RY_STORE_CREATE) != 0)
		abort();
	atexit(cleanup);
	if (ry_store__exec(st,
	        "INSERT INTO experiments(id, name, created) VALUES (1, 'vision', 1e9), (2, 'tabular', 1e9);"
	        "INSERT INTO runs(id, uuid, experiment_id, name, status, host, created, started, ended,"
	        " exit_code, cost_rate, cost_total, source) VALUES"
	        " (1, 'aaaa1111-0000-4000-8000-000000000001', 1, 'resnet-a', 'finished', 'gpu1',"
	        "  1.7e9, 1.7e9, 1.7e9 + 7200, 0, 2.0, 4.0, 'local'),"
	        " (2, 'bbbb2222-0000-4000-8000-000000000002', 2, 'O''Brien', 'running', NULL,"
	        "  1.7e9, 1.7e9, NULL, NULL, 3.0, NULL, 'ssh');"
	        "INSERT INTO params(run_id, key, value, num) VALUES (1, 'lr', '0.001', 0.001),"
	        " (1, 'optimizer', 'adam', NULL), (2, 'lr', '0.1', 0.1), (2, 'shared', 'x', NULL),"
	        " (1, 'batch size', '64', 64);"
	        "INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max) VALUES"
	        " (1, 'val_acc', 100, 99, 0.92, 0.5, 0.93), (1, 'loss', 100, 99, 0.2, 0.19, 2.0),"
	        " (2, 'shared', 1, 0, 1, 1, 1), (2, 'val/acc', 3, 2, 0.5, 0.1, 0.6);"
	        "INSERT INTO tags(run_id, key, value) VALUES (1, 'best', ''), (2, 'stage', 'prod');") != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An unknown field's hint is an edit distance to every known key,
	 * quadratic in the name: long inputs only slow the search down. */
	if (size > 1024)
		return 0;
	char *text = fuzz_cstr(data, size);
	ry_query *q = NULL;
	if (ry_query_compile(&q, st, text) == 0) {
		(void)strlen(ry_query_sql(q));
		for (size_t i = 0; i < ry_query_nfields(q); i++)
			(void)strlen(ry_query_field(q, i));
		ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
		ry_runlist *l = NULL;
		o.filter = text;
		if (ry_runlist_open(&l, st, &o) == 0)
			(void)ry_runlist_count(l);
		ry_runlist_free(l);
	} else {
		(void)ry_query_error_column();
	}
	ry_query_free(q);

	ry_field *f = NULL;
	bool desc;
	if (size < 128 && ry_sort_parse(&f, &desc, st, text) == 0) {
		(void)ry_field_name(f);
		(void)ry_field_label(f);
		ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
		ry_runlist *l = NULL;
		o.sort = text;
		if (ry_runlist_open(&l, st, &o) == 0)
			(void)ry_runlist_count(l);
		ry_runlist_free(l);
	}
	ry_field_free(f);
	free(text);
	return 0;
}
