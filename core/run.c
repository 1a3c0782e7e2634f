/* TEMPORARY STUB: replaced by the real implementation. */
#include "run.h"
#include "error.h"
#include <math.h>

void ry_run_free(ry_run *r)
{

}

int ry_run_get(ry_run **out, ry_store *st, int64_t id)
{
	return ry_error_set(RY_ERROR, "ry_run_get: not implemented");
}

int ry_run_find(ry_run **out, ry_store *st, const char *spec)
{
	return ry_error_set(RY_ERROR, "ry_run_find: not implemented");
}

int ry_run_resolve(int64_t *id, ry_store *st, const char *spec)
{
	return ry_error_set(RY_ERROR, "ry_run_resolve: not implemented");
}

double ry_run_duration(const ry_run *r, double now)
{
	return NAN;
}

double ry_run_cost(const ry_run *r, double now)
{
	return NAN;
}

char *ry_run_git_diff(ry_store *st, int64_t id)
{
	return NULL;
}

int ry_run_create(ry_store *st, const ry_run_spec *spec, int64_t *id, char uuid_out[37])
{
	return ry_error_set(RY_ERROR, "ry_run_create: not implemented");
}

int ry_run_set_param(ry_store *st, int64_t id, const char *key, const char *value)
{
	return ry_error_set(RY_ERROR, "ry_run_set_param: not implemented");
}

int ry_run_set_tag(ry_store *st, int64_t id, const char *key, const char *value)
{
	return ry_error_set(RY_ERROR, "ry_run_set_tag: not implemented");
}

int ry_run_set_notes(ry_store *st, int64_t id, const char *notes)
{
	return ry_error_set(RY_ERROR, "ry_run_set_notes: not implemented");
}

int ry_run_finish(ry_store *st, int64_t id, const char *status, double ended, bool has_exit, int exit_code)
{
	return ry_error_set(RY_ERROR, "ry_run_finish: not implemented");
}

int ry_run_set_text(ry_store *st, int64_t id, const char *column, const char *value)
{
	return ry_error_set(RY_ERROR, "ry_run_set_text: not implemented");
}

int ry_run_set_int(ry_store *st, int64_t id, const char *column, int64_t value)
{
	return ry_error_set(RY_ERROR, "ry_run_set_int: not implemented");
}

int ry_run_set_real(ry_store *st, int64_t id, const char *column, double value)
{
	return ry_error_set(RY_ERROR, "ry_run_set_real: not implemented");
}

int ry_experiments_list(ry_store *st, ry_experiment **out, size_t *n)
{
	return ry_error_set(RY_ERROR, "ry_experiments_list: not implemented");
}

void ry_experiments_free(ry_experiment *e, size_t n)
{

}

int ry_experiment_ensure(ry_store *st, const char *name, int64_t *id)
{
	return ry_error_set(RY_ERROR, "ry_experiment_ensure: not implemented");
}

int ry_experiment_find(ry_store *st, const char *spec, int64_t *id)
{
	return ry_error_set(RY_ERROR, "ry_experiment_find: not implemented");
}

char *ry_experiment_setting_get(ry_store *st, int64_t id, const char *key)
{
	return NULL;
}

int ry_experiment_setting_set(ry_store *st, int64_t id, const char *key, const char *value)
{
	return ry_error_set(RY_ERROR, "ry_experiment_setting_set: not implemented");
}
