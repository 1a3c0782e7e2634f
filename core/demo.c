/* TEMPORARY STUB: replaced by the real implementation. */
#include "demo.h"
#include "error.h"
#include <math.h>

int ry_demo_seed(ry_store *st, const ry_demo_options *opts)
{
	return ry_error_set(RY_ERROR, "ry_demo_seed: not implemented");
}
