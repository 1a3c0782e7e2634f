/* MLflow REST answers (plugins/mlflow/rest): a response body parsed as the
 * client parses every body (rest_json_parse), then read as the answers the
 * importer reads: runs/search's "runs" (rest_run_parse), runs/get's "run",
 * metrics/get-history's "metrics", experiments/search's "experiments", an
 * error's "error_code" and "message". */
#include "fuzz.h"

#include "plugins/mlflow/rest/rest.h"

static void run_of(const cJSON *run)
{
	mlf_run *r = rest_run_parse(run, "exp");
	if (r) {
		char *fp = mlf_run_fingerprint(r);
		free(fp);
		mlf_run_clear(r);
		free(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = rest_json_parse((const char *)data, size);
	if (!j)
		return 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "runs"))
		run_of(x);
	run_of(cJSON_GetObjectItemCaseSensitive(j, "run"));
	mlf_run r;
	memset(&r, 0, sizeof r);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "metrics")) {
		const char *key = rest_str(x, "key");
		mlf_history_add(mlf_run_history(&r, key ? key : "m"), rest_i64(x, "step", 0),
		                rest_i64(x, "timestamp", 0), rest_value(cJSON_GetObjectItemCaseSensitive(x, "value")));
		(void)rest_str(x, "run_id");
	}
	mlf_run_clear(&r);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "experiments")) {
		(void)rest_str(x, "experiment_id");
		(void)rest_str(x, "name");
		(void)rest_str(x, "lifecycle_stage");
		(void)rest_i64(x, "creation_time", 0);
	}
	(void)rest_str(j, "next_page_token");
	(void)rest_str(j, "error_code");
	(void)rest_str(j, "message");
	cJSON_Delete(j);
	return 0;
}
