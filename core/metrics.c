/* TEMPORARY STUB: replaced by the real implementation. */
#include "metrics.h"
#include "util.h"
#include "error.h"
#include <math.h>

int ry_metrics_writer_new(ry_metrics_writer **out, ry_store *st)
{
	return ry_error_set(RY_ERROR, "ry_metrics_writer_new: not implemented");
}

int ry_metrics_append(ry_metrics_writer *w, int64_t run_id, const char *key, int64_t step, double ts, double value)
{
	return ry_error_set(RY_ERROR, "ry_metrics_append: not implemented");
}

int ry_metrics_flush(ry_metrics_writer *w)
{
	return ry_error_set(RY_ERROR, "ry_metrics_flush: not implemented");
}

size_t ry_metrics_pending(const ry_metrics_writer *w)
{
	return 0;
}

void ry_metrics_writer_free(ry_metrics_writer *w)
{

}

int ry_metrics_read(ry_store *st, int64_t run_id, const char *key, ry_point **out, size_t *n)
{
	return ry_error_set(RY_ERROR, "ry_metrics_read: not implemented");
}

int ry_metrics_summaries(ry_store *st, int64_t run_id, ry_metric_summary **out, size_t *n)
{
	return ry_error_set(RY_ERROR, "ry_metrics_summaries: not implemented");
}

void ry_metric_summaries_free(ry_metric_summary *s, size_t n)
{

}

int ry_metrics_keys(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	return ry_error_set(RY_ERROR, "ry_metrics_keys: not implemented");
}

int ry_metric_goal(ry_store *st, const char *key)
{
	return ry_error_set(RY_ERROR, "ry_metric_goal: not implemented");
}

int ry_metrics_storage(ry_store *st, int64_t *bytes, int64_t *points)
{
	return ry_error_set(RY_ERROR, "ry_metrics_storage: not implemented");
}
