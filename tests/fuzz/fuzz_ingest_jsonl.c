/* JSON metric lines (core/metrics/ingest.c): metrics.jsonl as a script
 * wrote it ({"loss": 0.3, "step": 10}), fed in two reads. */
#include "fuzz.h"

#include "metrics/ingest.h"

static void on_point(void *payload, const char *key, int64_t step, double ts, double value)
{
	if (!ry_ingest_key_ok(key))
		abort();
}

static void on_param(void *payload, const char *key, const char *value)
{
	if (!ry_ingest_key_ok(key))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t nrest, n = fuzz_split(data, size, &rest, &nrest);
	ry_ingest_options o = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in = NULL;
	o.on_point = on_point;
	o.on_param = on_param;
	if (ry_ingest_new(&in, NULL, 1, &o) != 0)
		abort();
	ry_ingest_jsonl(in, (const char *)data, n);
	ry_ingest_flush(in, false);
	ry_ingest_jsonl(in, (const char *)rest, nrest);
	ry_ingest_flush(in, true);
	(void)ry_ingest_points(in);
	(void)ry_ingest_malformed(in);
	ry_ingest_free(in);
	return 0;
}
