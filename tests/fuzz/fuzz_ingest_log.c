/* Scalar capture from a run's log (core/metrics/ingest.c, scan.c, table.c):
 * the bytes as a training script printed them, fed through the ingest path
 * in two reads (a line may be cut between them), points sent to a callback
 * instead of a workspace. */
#include "fuzz.h"

#include <math.h>

#include "metrics/ingest.h"
#include "metrics/ingest_internal.h"

static void on_point(void *payload, const char *key, int64_t step, double ts, double value)
{
	if (!ry_ingest_key_ok(key))
		abort(); /* a key no writer may store */
	(*(size_t *)payload)++;
}

static void on_param(void *payload, const char *key, const char *value) { (void)strlen(value); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t nrest, n = fuzz_split(data, size, &rest, &nrest);
	size_t points = 0;
	ry_ingest_options o = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in = NULL;
	o.on_point = on_point;
	o.on_param = on_param;
	o.payload = &points;
	if (ry_ingest_new(&in, NULL, 1, &o) != 0)
		abort();
	ry_ingest_log(in, (const char *)data, n);
	ry_ingest_flush(in, false);
	ry_ingest_log(in, (const char *)rest, nrest);
	ry_ingest_flush(in, true);
	ry_ingest_free(in);

	/* the scanner alone, on the first line */
	const char *nl = memchr(data, '\n', size);
	ry_scalar sc[16];
	bool has_step = false;
	int64_t step = 0;
	(void)ry_ingest_scan((const char *)data, nl ? (size_t)(nl - (const char *)data) : size, sc, 16, &has_step,
	                     &step);
	double v;
	(void)ry_ingest__parse_number((const char *)data, size < 64 ? size : 64, &v);
	return 0;
}
