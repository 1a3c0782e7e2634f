/*
 * The filter language: every operator, precedence, numbers vs text, units,
 * key resolution, metric summaries, tags, matching, hostile literals and
 * parse errors, each checked by running the compiled filter on a real
 * workspace (query_fixture.h) and comparing the matching run ids.
 */
#include "query_fixture.h"
#include "query/query_internal.h"


/* The ids matching `filter`, ascending, as "1,3"; a fresh string the caller
 * frees.  Fails the test on an error. */
static char *match(const char *filter)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l;
	ry_buf b = RY_BUF_INIT;
	o.filter = filter;
	o.sort = "id:asc";
	if (ry_runlist_open(&l, ws.st, &o) != 0)
		fail_msg("filter '%s' failed: %s", filter, ry_error_last());
	for (size_t i = 0; i < ry_runlist_count(l); i++)
		ry_buf_printf(&b, "%s%lld", i ? "," : "", (long long)ry_runlist_id(l, i));
	ry_runlist_free(l);
	return ry_buf_detach(&b);
}

#define MATCH(filter, want) do { \
		char *got_ = match(filter); \
		if (strcmp(got_, want) != 0) \
			fail_msg("filter '%s': got [%s], want [%s]", filter, got_, want); \
		free(got_); \
	} while (0)

/* Compiling `filter` must fail with RY_EINVAL; returns the message (lent). */
static const char *compile_error(const char *filter)
{
	ry_query *q = NULL;
	int rc = ry_query_compile(&q, ws.st, filter);
	if (rc != RY_EINVAL)
		fail_msg("filter '%s': want RY_EINVAL, got %d (%s)", filter, rc, q ? ry_query_sql(q) : "");
	assert_null(q);
	return ry_error_last();
}

#define ERROR_HAS(filter, text) do { \
		const char *m_ = compile_error(filter); \
		if (!strstr(m_, text)) \
			fail_msg("filter '%s': error [%s] lacks [%s]", filter, m_, text); \
	} while (0)

static void test_query_empty_matches_everything(void **state)
{
	(void)state;
	MATCH("", "1,2,3,4,5");
	MATCH("   ", "1,2,3,4,5");
	MATCH(NULL, "1,2,3,4,5");
}

static void test_query_equality_operators(void **state)
{
	(void)state;
	MATCH("status = finished", "1,3");
	MATCH("status == finished", "1,3");
	MATCH("status = FINISHED", "1,3");
	MATCH("status != finished", "2,4,5");
	MATCH("status <> finished", "2,4,5");
	MATCH("host = gpu1", "1,4");
	MATCH("id = 3", "3");
	MATCH("exit_code != 0", "2");
	MATCH("source = ssh", "2,4");
}

static void test_query_missing_value_fails_comparison(void **state)
{
	(void)state;
	/* runs 3 and 5 have no host: neither = nor != holds for them ... */
	MATCH("host != gpu1", "2");
	/* ... and `not` of a failed comparison holds. */
	MATCH("not host = gpu1", "2,3,5");
	MATCH("lr > 0", "1,2,3,4");
	MATCH("not lr > 0", "5");
	MATCH("optimizer != adam", "2,4,5");
	MATCH("val_acc < 2", "1,2,3");
	MATCH("not val_acc < 2", "4,5");
}

static void test_query_ordering_operators(void **state)
{
	(void)state;
	MATCH("lr < 0.01", "1,4");
	MATCH("lr <= 0.05", "1,3,4");
	MATCH("lr > 0.05", "2");
	MATCH("lr >= 0.05", "2,3");
	MATCH("lr<0.01", "1,4");
	MATCH("lr < 1e-3", "4");
	MATCH("id >= 4", "4,5");
	MATCH("loss > -1", "1,2,3,4");
}

static void test_query_numbers_compare_as_numbers(void **state)
{
	(void)state;
	/* As text "64" > "100"; as numbers it is not. */
	MATCH("batch_size > 100", "2");
	MATCH("batch_size = 64", "1");
	MATCH("lr = 0.0001", "4");
	/* A quoted literal compares with the text as written. */
	MATCH("lr = \"1e-4\"", "4");
	MATCH("lr = \"0.0001\"", "");
	/* Text params compare as text. */
	MATCH("model = resnet50", "1");
	MATCH("model > resnet2", "1,3,4");
	MATCH("name = 123", "");
	MATCH("tags.priority > 5", "4");
}

static void test_query_and_or_not_precedence(void **state)
{
	(void)state;
	MATCH("optimizer = adam or optimizer = sgd and lr > 0.01", "1,2,3");
	MATCH("(optimizer = adam or optimizer = sgd) and lr > 0.01", "2,3");
	MATCH("not optimizer = adam and lr < 0.01", "4");
	MATCH("not (optimizer = adam and lr < 0.01)", "2,3,4,5");
	MATCH("not not status = queued", "5");
	MATCH("((status = finished))", "1,3");
	MATCH("status = finished AND host = gpu1 OR status = queued", "1,5");
	MATCH("val_acc > 0.9 and optimizer = adam and lr < 0.01", "1");
	MATCH("tags.stage = prod and lr < 0.01 and status = running", "4");
	MATCH("lr < 0.01 and tags.stage = prod or tags.best", "1,4");
	MATCH("lr > 0.01 and not tags.bad and (val_acc > 0.9 or loss < 0.2)", "3");
	MATCH("lr < 0.01 and lr > 0.0005", "1");
}

static void test_query_duration_units(void **state)
{
	(void)state;
	MATCH("duration > 1h", "1,4");
	MATCH("duration < 1h", "2,3");
	MATCH("duration > 90m", "1,4");
	MATCH("duration >= 90", "1,2,3,4");
	MATCH("duration > 90s", "1,2,4");
	MATCH("duration <= 1.5m", "3");
	MATCH("duration > 1h30m", "1,4");
	MATCH("not duration > 0", "5");
	ERROR_HAS("duration > fast", "expected a duration after '>'");
}

static void test_query_time_ages_and_dates(void **state)
{
	char q[128], day[16];
	time_t t;
	struct tm tm;
	(void)state;
	MATCH("created < 7d", "2,3,4,5");
	MATCH("created > 7d", "1");
	MATCH("created < 1d", "3,4,5");
	MATCH("created < 90m", "3,5");
	MATCH("started > 1d", "1,2");
	MATCH("ended < 1d", "3");
	MATCH("ended", "1,2,3");
	MATCH("not ended", "4,5");

	t = (time_t)(fx_base - 5 * 86400);
	gmtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(q, sizeof q, "created > %s", day);
	MATCH(q, "2,3,4,5");
	snprintf(q, sizeof q, "created <= %s", day);
	MATCH(q, "1");
	t = (time_t)(fx_base - 3 * 86400);
	gmtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(q, sizeof q, "created = %s", day);
	MATCH(q, "2");
	MATCH("created > 2000-01-01T00:00:00Z", "1,2,3,4,5");
	ERROR_HAS("created < 7", "expected an age or a date after '<'");
	ERROR_HAS("created = 7d", "an age needs < or >");
	ERROR_HAS("created ~ 7d", "cannot be used with created");
}

static void test_query_cost(void **state)
{
	(void)state;
	MATCH("cost > 5", "4");        /* running: $3/h for 2h */
	MATCH("cost > $3.5", "1,4");
	MATCH("cost <= 1", "2,3");
	MATCH("not cost > 0", "3,5");
	ERROR_HAS("cost > lots", "expected an amount after '>'");
}

static void test_query_bare_key_resolution(void **state)
{
	const char *m;
	(void)state;
	MATCH("val_acc > 0.9", "1,3");     /* metric */
	MATCH("optimizer = adam", "1,3");  /* param */
	MATCH("params.lr < 0.01", "1,4");
	MATCH("param.lr < 0.01", "1,4");
	MATCH("metrics.val_acc > 0.9", "1,3");
	MATCH("lr", "1,2,3,4");            /* present */

	/* Both a param and a metric: the bare key is the param, never an
	 * error (issue 14: a log that echoed lr=0.01 must not break lr < 0.02);
	 * either prefix, singular or plural, picks one. */
	MATCH("shared = x", "1");
	MATCH("shared = 1", "");
	MATCH("params.shared = x", "1");
	MATCH("param.shared = x", "1");
	MATCH("metrics.shared = 1", "2");
	MATCH("metric.shared = 1", "2");

	m = compile_error("vall_acc > 0.9");
	assert_non_null(strstr(m, "unknown field 'vall_acc' at column 1"));
	assert_non_null(strstr(m, "did you mean val_acc"));
	ERROR_HAS("zzzzzzzzzzzzz > 1", "fields are name, status");
	ERROR_HAS("zzzzzzzzzzzzz > 1", "params: ");
	ERROR_HAS("stage = prod", "'stage' is a tag: write tags.stage");
	/* Explicit prefixes accept keys no run has yet. */
	MATCH("metrics.nothing_yet > 1", "");
	MATCH("params.nothing_yet = 1", "");
	MATCH("not tags.nothing_yet", "1,2,3,4,5");
}

static void test_query_metric_summaries(void **state)
{
	(void)state;
	MATCH("val_acc.max >= 0.95", "2,3");
	MATCH("metrics.val_acc.min < 0.5", "2");
	MATCH("metrics.val_acc.last > 0.9", "1,3");
	MATCH("loss.best < 0.2", "1,3");     /* loss: lower is better */
	MATCH("val_acc.best > 0.94", "2,3"); /* accuracy: higher is better */
	MATCH("loss.n > 30", "1,2");
	MATCH("metrics.loss.n = 20", "4");
	MATCH("metrics.\"loss\".max > 2.2", "2,4");
	ERROR_HAS("val_acc > high", "expected a number after '>' (metric val_acc holds numbers), got 'high'");
	ERROR_HAS("val_acc ~ 9", "metric val_acc holds numbers");
	ERROR_HAS("metrics.\"loss\".median > 1", "unknown metric summary '.median'");
}

static void test_query_keys_with_dots_and_slashes(void **state)
{
	(void)state;
	MATCH("metrics.val/acc > 0.5", "1");
	MATCH("val/acc > 0.5", "1");
	MATCH("val/acc.min < 0.2", "1");
	MATCH("params.optim.lr = 0.1", "1");
	MATCH("optim.lr > 0", "1");
	MATCH("metrics.\"val/acc\" > 0.5", "1");
	MATCH("params.\"optim.lr\" = 0.1", "1");
	MATCH("params.'optim.lr' = 0.1", "1");
	MATCH("\"optim.lr\" = 0.1", "1");
	MATCH("params.\"no such key\" = 1", "");
	ERROR_HAS("params.\"lr\".max > 1", "only metrics have summaries");
}

static void test_query_tags(void **state)
{
	(void)state;
	MATCH("tags.best", "1");
	MATCH("tag.best", "1");
	MATCH("not tags.bad", "1,3,4,5");
	MATCH("tags.bad = diverged", "2");
	MATCH("tags.bad ~ DIVER", "2");
	MATCH("tags.stage = prod and status = running", "4");
	MATCH("tags.priority = 2", "3");
	MATCH("tags.priority < 5", "3");
}

static void test_query_substring_and_glob(void **state)
{
	(void)state;
	MATCH("name ~ resnet", "1,2");
	MATCH("name ~ RESNET", "1,2");
	MATCH("name ~ net-", "1,2");
	MATCH("name ~ \"resnet-?\"", "1,2");
	MATCH("name ~ res*", "1,2");
	MATCH("name ~ \"*-big\"", "4");
	MATCH("name ~ \"big*\"", "");        /* a glob matches the whole name */
	MATCH("name ~ \"[rx]*\"", "1,2,3");
	MATCH("name ~ \"[RX]*\"", "1,2,3");
	MATCH("model ~ vit-b/1?", "4");
	MATCH("name !~ resnet", "3,4,5");
	MATCH("name ~ _", "");               /* not a LIKE wildcard */
	MATCH("name ~ %", "");
	MATCH("experiment = vision", "1,2,4");
	MATCH("experiment ~ TAB", "3,5");
	MATCH("experiment != vision", "3,5");
	MATCH("uuid ~ cccc", "3");
	MATCH("host ~ gpu", "1,2,4");
	MATCH("tags.stage ~ \"p*\"", "4");
}

static void test_query_hostile_literals_stay_values(void **state)
{
	ry_query *q;
	sqlite3_stmt *s;
	(void)state;
	MATCH("name = \"O'Brien \\\"q\\\"\"", "5");
	MATCH("name = 'O''Brien \"q\"'", "5");
	MATCH("optimizer = \"'; DROP TABLE runs; --\"", "5");
	MATCH("optimizer = '''; DROP TABLE runs; --'", "5");
	MATCH("name = \"x' OR '1'='1\"", "");
	MATCH("params.\"x'); DROP TABLE runs; --\" = 1", "");
	MATCH("tags.\"'\" = \"'\"", "");

	assert_int_equal(ry_query_compile(&q, ws.st, "optimizer = \"'; DROP TABLE runs; --\""), 0);
	assert_null(strstr(ry_query_sql(q), "DROP"));
	assert_null(strstr(ry_query_sql(q), "optimizer"));
	ry_query_free(q);

	assert_int_equal(sqlite3_prepare_v2(ry_store__db(ws.st), "SELECT count(*) FROM runs", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 5);
	sqlite3_finalize(s);
}

static void test_query_status_values_are_checked(void **state)
{
	(void)state;
	ERROR_HAS("status = finised", "unknown status 'finised' at column 10; statuses are queued, running");
	MATCH("status ~ fin", "1,3");
	MATCH("status ~ \"*ed\"", "1,2,3,5");
}

static void test_query_parse_error_messages(void **state)
{
	const char *m;
	(void)state;
	m = compile_error("cost >");
	assert_string_equal(m, "filter: expected a value after '>' at column 6\n  cost >\n       ^");
	assert_int_equal(ry_query_error_column(), 6);

	m = compile_error("lr < 0.01 val_acc > 0.9");
	assert_string_equal(m, "filter: expected 'and' or 'or' before 'val_acc' at column 11\n"
	                       "  lr < 0.01 val_acc > 0.9\n"
	                       "            ^");
	assert_int_equal(ry_query_error_column(), 11);

	ERROR_HAS("(lr < 1", "expected ')' to close '(', got the end at column 8; the '(' is at column 1");
	ERROR_HAS("lr < 1)", "unmatched ')' at column 7");
	ERROR_HAS("lr =< 1", "unknown operator '=<' at column 4");
	ERROR_HAS("name = \"abc", "unterminated string starting with \" at column 8");
	ERROR_HAS("lr < 1 and", "expected a condition after 'and' at column 8");
	ERROR_HAS("lr < 1 or ()", "expected a condition after '(', got ')' at column 12");
	ERROR_HAS("> 1", "expected a field name, got an operator at column 1");
	ERROR_HAS("lr < 1 > 2", "unexpected operator '>' at column 8");
	ERROR_HAS("name = and", "expected a value after '=' at column 6; quote a value");
	ERROR_HAS("not", "expected a condition after 'not' at column 1");

	/* Columns count characters, not bytes. */
	compile_error("name = \"é\" and >");
	assert_int_equal(ry_query_error_column(), 16);

	/* A good filter clears the column. */
	{
		ry_query *q;
		assert_int_equal(ry_query_compile(&q, ws.st, "lr < 1"), 0);
		assert_int_equal(ry_query_error_column(), 0);
		ry_query_free(q);
	}
}

static void test_query_error_echo_is_terminal_safe(void **state)
{
	const char *m;
	(void)state;
	m = compile_error("name = \"\x1b[31mred\" >");
	assert_null(strchr(m, '\x1b'));
	m = compile_error("bad\x1b]0;title\x07 > 1");
	assert_null(strchr(m, '\x1b'));
	assert_null(strchr(m, '\x07'));
}

/* The caret sits under the error whatever comes before it: each code point
 * is one column, and each invalid part (an overlong C0 AF is two bytes that
 * are never UTF-8, a cut-short E2 82 is one part) is one '?' and one column. */
static void test_query_error_caret_after_multibyte_and_invalid_bytes(void **state)
{
	const char *m;
	(void)state;
	m = compile_error("name = \"\xe6\x97\xa5\xc3\xa9\xc0\xaf\xe2\x82\" >");
	assert_string_equal(m, "filter: unexpected operator '>' at column 16; compare one field with one value; "
	                       "join conditions with and/or\n"
	                       "  name = \"\xe6\x97\xa5\xc3\xa9???\" >\n"
	                       "                 ^");
	assert_int_equal(ry_query_error_column(), 16);
}

static void test_query_deep_nesting_is_refused(void **state)
{
	char expr[2100];
	(void)state;
	memset(expr, '(', 1000);
	strcpy(expr + 1000, "lr < 1");
	memset(expr + 1006, ')', 1000);
	expr[2006] = '\0';
	ERROR_HAS(expr, "too deeply nested");
	memset(expr, 0, sizeof expr);
	for (int i = 0; i < 300; i++)
		strcat(expr, "not ");
	strcat(expr, "lr < 1");
	ERROR_HAS(expr, "too deeply nested");
}

/* `filter` made of n terms, each term(i, buf) joined by `join`; the caller frees it. */
static char *long_filter(int n, const char *join, void (*term)(int, ry_buf *))
{
	ry_buf b = RY_BUF_INIT;
	for (int i = 0; i < n; i++) {
		if (i)
			ry_buf_puts(&b, join);
		term(i, &b);
	}
	return ry_buf_detach(&b);
}

static void name_term(int i, ry_buf *b)
{
	/* The last two are real names: the list must still find them. */
	if (i == 998)
		ry_buf_puts(b, "name = \"xgb-1\"");
	else if (i == 999)
		ry_buf_puts(b, "name = \"resnet-a\"");
	else
		ry_buf_printf(b, "name = \"nope-%d\"", i);
}

static void mixed_term(int i, ry_buf *b)
{
	/* Fields that cannot merge into one IN list, and a param leaf. */
	switch (i % 4) {
	case 0: ry_buf_printf(b, "name ~ nope%d", i); break;
	case 1: ry_buf_printf(b, "id = %d", 1000 + i); break;
	case 2: ry_buf_printf(b, "lr = %d", 1000 + i); break;
	default: ry_buf_printf(b, "(status = queued and exit_code = %d)", i); break;
	}
	if (i == 999)
		ry_buf_puts(b, " or uuid = \"bbbb2222-0000-4000-8000-000000000002\"");
}

static void ne_term(int i, ry_buf *b)
{
	ry_buf_printf(b, "name != \"nope-%d\"", i);
}

static void test_query_thousand_or_terms_work(void **state)
{
	char *f;
	(void)state;
	f = long_filter(1000, " or ", name_term);
	MATCH(f, "1,3");
	free(f);
	/* Same-field equalities, pasted, become one IN list. */
	assert_int_equal(ry_query_compile((ry_query **)state, ws.st, "id = 1 or id = 3 or name = x or id = 4"), 0);
	assert_non_null(strstr(ry_query_sql(*state), "r.id IN (?, ?, ?)"));
	ry_query_free(*state);
	*state = NULL;
	f = long_filter(1000, " or ", mixed_term);
	MATCH(f, "2");
	free(f);
	f = long_filter(1000, " and ", ne_term);
	MATCH(f, "1,2,3,4,5");
	free(f);
}

static void nest_term(int i, ry_buf *b)
{
	(void)i;
	ry_buf_puts(b, "(");
	for (int k = 0; k < 1023; k++)
		ry_buf_printf(b, "id < %d or ", -k);
}

static void id_term(int i, ry_buf *b)
{
	ry_buf_printf(b, "id = %d", i);
}

static void test_query_too_deep_for_sqlite_is_a_usage_error(void **state)
{
	/* 90 levels of 1024-term or lists: within the parser's nesting limit,
	 * ten levels each even as balanced trees, too deep for SQLite; the
	 * error must be ours, at compile time, not SQLite's. */
	char *f = long_filter(90, "", nest_term);
	ry_buf b = RY_BUF_INIT;
	(void)state;
	ry_buf_puts(&b, f);
	ry_buf_puts(&b, "id < 1");
	for (int i = 0; i < 90; i++)
		ry_buf_puts(&b, ")");
	free(f);
	f = ry_buf_detach(&b);
	ERROR_HAS(f, "nests too deeply to run");
	free(f);
	/* More values than one SQLite statement binds: ours too. */
	f = long_filter(30001, " or ", id_term);
	ERROR_HAS(f, "30001 values");
	free(f);
}

static void test_query_sql_binds_every_value(void **state)
{
	ry_query *q;
	(void)state;
	assert_int_equal(ry_query_compile(&q, ws.st, "lr < 0.01 and name ~ abc and tags.x = y and created < 7d"), 0);
	assert_null(strstr(ry_query_sql(q), "0.01"));
	assert_null(strstr(ry_query_sql(q), "abc"));
	assert_null(strstr(ry_query_sql(q), "'lr'"));
	/* The param and tag leaves of the AND share one joined subquery, whose
	 * run ids are tested as a set, not as an IN list. */
	const char *set = strstr(ry_query_sql(q), "ry_idset(r.id, ?)");
	assert_non_null(set);
	assert_null(strstr(set + 1, "ry_idset"));
	assert_null(strstr(ry_query_sql(q), " IN ("));
	assert_int_equal(ry_query__nsets(q), 1);
	ry_query_free(q);
}

/* Random token soup: every input either compiles to SQL that runs, or is
 * refused with a filter error; nothing crashes (ASan/UBSan builds). */
static void test_query_random_input_never_crashes(void **state)
{
	static const char *const pieces[] = {
		"lr", "val_acc", "name", "status", "tags.stage", "params.\"a b\"", "metrics.loss.best", "(", ")",
		" and ", " or ", "not ", "=", "!=", "<", ">=", "~", "!~", "=<", "0.5", "-1", "1e-3", "\"x", "'",
		"\"q\"", "7d", "2026-01-01", " ", "*", "\\", "\x01", "\xc3\xa9", ".", "$5", "finished",
		"created", "duration", "cost", "metrics.\"v\".max", "shared", "\xff", "\"\"",
	};
	unsigned seed = 12345;
	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		char expr[512] = "";
		ry_query *q = NULL;
		int rc, k;
		seed = seed * 1103515245u + 12345u;
		k = 1 + (int)((seed >> 16) % 12);
		for (int i = 0; i < k; i++) {
			seed = seed * 1103515245u + 12345u;
			strcat(expr, pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])]);
		}
		rc = ry_query_compile(&q, ws.st, expr);
		if (rc == 0) {
			ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
			ry_runlist *l;
			o.filter = expr;
			ry_query_free(q);
			if (ry_runlist_open(&l, ws.st, &o) != 0)
				fail_msg("'%s' compiled but did not run: %s", expr, ry_error_last());
			ry_runlist_free(l);
		} else if (rc != RY_EINVAL || strncmp(ry_error_last(), "filter: ", 8) != 0) {
			fail_msg("'%s': rc %d, message [%s]", expr, rc, ry_error_last());
		} else {
			assert_null(q);
			assert_true(ry_query_error_column() >= 1);
		}
	}
}

static void test_field_parse_describes_fields(void **state)
{
	ry_field *f;
	bool desc;
	(void)state;
	assert_int_equal(ry_field_parse(&f, ws.st, "val_acc.max"), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_METRIC);
	assert_string_equal(ry_field_key(f), "val_acc");
	assert_string_equal(ry_field_label(f), "val_acc.max");
	assert_int_equal(ry_field_agg(f), RY_AGG_MAX);
	assert_true(ry_field_numeric(f));
	ry_field_free(f);

	assert_int_equal(ry_field_parse(&f, ws.st, "lr"), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_PARAM);
	assert_true(ry_field_numeric(f));
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "model"), 0);
	assert_false(ry_field_numeric(f));
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "tags.stage"), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_TAG);
	assert_string_equal(ry_field_key(f), "stage");
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "Status"), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_BUILTIN);
	assert_string_equal(ry_field_key(f), "status");
	assert_false(ry_field_numeric(f));
	ry_field_free(f);

	assert_int_equal(ry_field_parse(&f, ws.st, "nope"), RY_EINVAL);
	assert_null(f);
	assert_non_null(strstr(ry_error_last(), "unknown field 'nope'"));
	/* A key both a param and a metric: the bare name (a column, a sort) is
	 * the param; the metric says which it is in its heading. */
	assert_int_equal(ry_field_parse(&f, ws.st, "shared"), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_PARAM);
	assert_string_equal(ry_field_label(f), "shared");
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "metric.shared"), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_METRIC);
	assert_string_equal(ry_field_label(f), "metrics.shared");
	ry_field_free(f);
	ry_field_free(NULL);

	/* Column and sort names take the filter's quoting. */
	assert_int_equal(ry_field_parse(&f, ws.st, "params.\"optim.lr\""), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_PARAM);
	assert_string_equal(ry_field_key(f), "optim.lr");
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "metrics.'val/acc'.min"), 0);
	assert_string_equal(ry_field_key(f), "val/acc");
	assert_int_equal(ry_field_agg(f), RY_AGG_MIN);
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "\"optim.lr\""), 0);
	assert_int_equal(ry_field_kind_of(f), RY_FIELD_PARAM);
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "params.\"open"), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "unterminated quote"));
	assert_int_equal(ry_field_parse(&f, ws.st, "a\"b\"c"), RY_EINVAL);
	assert_int_equal(ry_sort_parse(&f, &desc, ws.st, "metrics.\"val/acc\".max:desc"), 0);
	assert_true(desc);
	assert_string_equal(ry_field_label(f), "val/acc.max");
	ry_field_free(f);

	assert_int_equal(ry_sort_parse(&f, &desc, ws.st, "val_acc:desc"), 0);
	assert_true(desc);
	assert_string_equal(ry_field_key(f), "val_acc");
	ry_field_free(f);
	assert_int_equal(ry_sort_parse(&f, &desc, ws.st, "lr"), 0);
	assert_false(desc);
	ry_field_free(f);
	assert_int_equal(ry_sort_parse(&f, &desc, ws.st, "lr:up"), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "bad sort direction 'up'"));
	assert_int_equal(ry_sort_parse(&f, &desc, ws.st, ""), RY_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_empty_matches_everything),
		cmocka_unit_test(test_query_equality_operators),
		cmocka_unit_test(test_query_missing_value_fails_comparison),
		cmocka_unit_test(test_query_ordering_operators),
		cmocka_unit_test(test_query_numbers_compare_as_numbers),
		cmocka_unit_test(test_query_and_or_not_precedence),
		cmocka_unit_test(test_query_duration_units),
		cmocka_unit_test(test_query_time_ages_and_dates),
		cmocka_unit_test(test_query_cost),
		cmocka_unit_test(test_query_bare_key_resolution),
		cmocka_unit_test(test_query_metric_summaries),
		cmocka_unit_test(test_query_keys_with_dots_and_slashes),
		cmocka_unit_test(test_query_tags),
		cmocka_unit_test(test_query_substring_and_glob),
		cmocka_unit_test(test_query_hostile_literals_stay_values),
		cmocka_unit_test(test_query_status_values_are_checked),
		cmocka_unit_test(test_query_parse_error_messages),
		cmocka_unit_test(test_query_error_echo_is_terminal_safe),
		cmocka_unit_test(test_query_error_caret_after_multibyte_and_invalid_bytes),
		cmocka_unit_test(test_query_deep_nesting_is_refused),
		cmocka_unit_test(test_query_sql_binds_every_value),
		cmocka_unit_test(test_query_thousand_or_terms_work),
		cmocka_unit_test(test_query_too_deep_for_sqlite_is_a_usage_error),
		cmocka_unit_test(test_query_random_input_never_crashes),
		cmocka_unit_test(test_field_parse_describes_fields),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
