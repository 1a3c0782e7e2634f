/* MLflow's file store metrics files (plugins/mlflow/files/run.c): one
 * "timestamp value [step]" line each, as mlruns/<exp>/<run>/metrics/<key>
 * holds them; the points go into a run's history as the importer does. */
#include "fuzz.h"

#include "plugins/mlflow/files/files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	mlf_run r;
	memset(&r, 0, sizeof r);
	mlf_history *h = mlf_run_history(&r, "loss");
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		int64_t ts, step;
		double v;
		if (mlf_files__parse_point(p, e, &ts, &v, &step)) {
			mlf_history_add(h, step, ts, v);
			mlf_run_latest(&r, "loss", v, step, ts);
		}
		p = e + 1;
	}
	mlf_run_clear(&r);
	return 0;
}
