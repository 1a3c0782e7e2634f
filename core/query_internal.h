/* Internal to core: binding a compiled filter or field into a statement. */
#ifndef RY_QUERY_INTERNAL_H
#define RY_QUERY_INTERNAL_H

#include <sqlite3.h>

#include "query.h"
#include "buf.h"

/* Bind the filter's values starting at parameter index `first`; returns the
 * next free index. */
int ry_query__bind(const ry_query *q, sqlite3_stmt *s, int first);

/* Append an SQL expression yielding the field's value for run `r.id` to
 * `sql`, adding its bound values to the field's own list; bind them with
 * ry_field__bind in the same order. */
void ry_field__sql(const ry_field *f, ry_buf *sql);
int ry_field__bind(const ry_field *f, sqlite3_stmt *s, int first);

/* Append a whole statement reading the field for every run that has it
 * (index range scans), or with one_run for the run whose id is bound last
 * (one primary-key lookup): columns (run id, value).  Bind the field with
 * ry_field__bind from 1, then the id.  Without one_run a run may come
 * twice, first with a number and then with text: keep the number. */
void ry_field__scan_sql(const ry_field *f, ry_buf *sql, bool one_run);

#endif
