/* TEMPORARY STUB: replaced by the real implementation. */
#include "query_internal.h"
#include "error.h"
#include <math.h>

int ry_field_parse(ry_field **out, ry_store *st, const char *name)
{
	return ry_error_set(RY_ERROR, "ry_field_parse: not implemented");
}

void ry_field_free(ry_field *f)
{

}

ry_field_kind ry_field_kind_of(const ry_field *f)
{
	return 0;
}

const char *ry_field_key(const ry_field *f)
{
	return NULL;
}

const char *ry_field_label(const ry_field *f)
{
	return NULL;
}

ry_metric_agg ry_field_agg(const ry_field *f)
{
	return 0;
}

bool ry_field_numeric(const ry_field *f)
{
	return 0;
}

int ry_sort_parse(ry_field **out, bool *descending, ry_store *st, const char *spec)
{
	return ry_error_set(RY_ERROR, "ry_sort_parse: not implemented");
}

int ry_query_compile(ry_query **out, ry_store *st, const char *expr)
{
	return ry_error_set(RY_ERROR, "ry_query_compile: not implemented");
}

void ry_query_free(ry_query *q)
{

}

const char *ry_query_sql(const ry_query *q)
{
	return NULL;
}

int ry_query_error_column(void)
{
	return ry_error_set(RY_ERROR, "ry_query_error_column: not implemented");
}
int ry_query__bind(const ry_query *q, sqlite3_stmt *s, int first) { return first; }
void ry_field__sql(const ry_field *f, ry_buf *sql) { }
int ry_field__bind(const ry_field *f, sqlite3_stmt *s, int first) { return first; }
