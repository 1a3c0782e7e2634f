/* MLflow's file store meta.yaml (plugins/mlflow/files/yaml.c): parse, then
 * ask for what the importer asks for. */
#include "fuzz.h"

#include "plugins/mlflow/files/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mlf_yaml *y = NULL;
	char *why = NULL;
	if (mlf_yaml_parse(&y, (const char *)data, size, &why) == 0) {
		static const char *const keys[] = { "run_id", "run_uuid", "experiment_id", "name", "status",
		                                    "start_time", "end_time", "lifecycle_stage", "artifact_uri",
		                                    "user_id", "run_name", "version", "aliases", "tags" };
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
			int64_t v;
			(void)mlf_yaml_str(y, keys[i]);
			(void)mlf_yaml_int(y, keys[i], &v);
			(void)mlf_yaml_is_map(y, keys[i]);
		}
		(void)mlf_yaml_nested(y, "aliases", "champion");
	}
	mlf_yaml_free(y);
	free(why);
	return 0;
}
