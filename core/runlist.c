/* TEMPORARY STUB: replaced by the real implementation. */
#include "runlist.h"
#include "error.h"
#include <math.h>

int ry_runlist_open(ry_runlist **out, ry_store *st, const ry_runlist_options *opts)
{
	return ry_error_set(RY_ERROR, "ry_runlist_open: not implemented");
}

void ry_runlist_free(ry_runlist *l)
{

}

size_t ry_runlist_count(const ry_runlist *l)
{
	return 0;
}

int64_t ry_runlist_id(const ry_runlist *l, size_t i)
{
	return 0;
}

const int64_t *ry_runlist_ids(const ry_runlist *l)
{
	return NULL;
}

int ry_runlist_fetch(ry_store *st, const int64_t *ids, size_t n, ry_field *const *fields, size_t nfields, ry_cell *cells)
{
	return ry_error_set(RY_ERROR, "ry_runlist_fetch: not implemented");
}

void ry_cells_clear(ry_cell *cells, size_t n)
{

}

void ry_cell_format(const ry_field *f, const ry_cell *c, double now, char *out, size_t n)
{

}
