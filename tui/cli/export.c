/*
 * `runyard export NAME@ALIAS|NAME@VERSION DIR`: copy a model version's
 * artifact out of the workspace's store, verifying its sha256 while copying;
 * a corrupt artifact is reported and nothing is written.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"

static const char help[] =
	"usage: runyard export NAME@ALIAS|NAME@VERSION DIR [--json] [--db PATH]\n"
	"\n"
	"Copy the artifact of a model version into DIR (created if missing), under\n"
	"the file name the source run gave it.  The bytes are hashed while copying\n"
	"and the file appears only if they match the registered sha256; a corrupt\n"
	"artifact is reported and nothing is written.  An existing file is never\n"
	"overwritten.  NAME alone means its latest version.\n"
	"\n"
	"Options:\n"
	"  --json      print what was written as JSON (docs/registry.md)\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Example:\n"
	"  runyard export churn@champion ./deploy\n"
	"\n"
	"Exit status: 0 exported, 1 failed (unknown model/alias/version, corrupt\n"
	"or missing artifact, file exists, I/O error), 2 bad usage.\n";

int cli_export(int argc, char **argv, struct cli_global *g)
{
	ry_model_version *v = NULL;
	char *model = NULL, *written = NULL;
	int64_t version = 0;
	bool json = false;
	ry_store *st;
	int rc;

	if ((rc = cli_parse_json_db(argc, argv, g, "export", help, &json)) >= 0)
		return rc;
	if (argc - optind != 2)
		return cli_usage("export", "expected NAME@ALIAS (or NAME@VERSION) and a directory");
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_registry_resolve(st, argv[optind], &model, &version)) ||
	    (rc = ry_registry_version(st, model, version, &v)) ||
	    (rc = ry_registry_export(st, model, version, argv[optind + 1], &written))) {
		free(model);
		ry_model_versions_free(v, v ? 1 : 0);
		return cli_reg_fail(st, rc);
	}
	if (json) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "model", model);
		cJSON_AddNumberToObject(d, "version", (double)version);
		cJSON_AddStringToObject(d, "path", written);
		cJSON_AddStringToObject(d, "sha256", v->sha256);
		cJSON_AddNumberToObject(d, "size", (double)v->size);
		cJSON_AddBoolToObject(d, "verified", true);
		rc = cli_json_print(d);
	} else {
		printf("exported ");
		cli_put_safe(stdout, model);
		printf(" version %lld to ", (long long)version);
		cli_put_safe(stdout, written);
		printf(" (%lld bytes, sha256 %s verified)\n", (long long)v->size, v->sha256);
	}
	free(written);
	free(model);
	ry_model_versions_free(v, 1);
	ry_store_close(st);
	return rc;
}
