/*
 * `runyard push PLUGIN DEST RUN...` and `runyard push PLUGIN DEST --model
 * NAME@ALIAS`: send workspace runs, or a registered version with its
 * alias, to a tracker (MLflow's server).  Core's plugin host drives the
 * plugin (ry_plugin_export*); this file resolves what the user named and
 * prints.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "plugin/plugin_host.h"
#include "registry/registry.h"
#include "runs/run.h"

static const char push_help[] =
	"usage: runyard push PLUGIN DEST RUN... [--db PATH] [--json]\n"
	"       runyard push PLUGIN DEST --model NAME@ALIAS|NAME@VERSION [--json]\n"
	"\n"
	"Send workspace runs to a tracker, e.g. 'runyard push mlflow\n"
	"http://mlflow:5000 3 7 lr-sweep-2'.  Each RUN (an id, a uuid prefix or a\n"
	"unique name) is created at DEST in the experiment of its name (created if\n"
	"missing) with its name, params, tags, git provenance\n"
	"(mlflow.source.git.commit, .branch, .repoURL), whole metric histories,\n"
	"status and end time.  The id it gets there is kept on the run as tags\n"
	"mlflow.run_id and mlflow.tracking_uri, so pushing again updates that run\n"
	"(only what is missing is sent) instead of making another.\n"
	"\n"
	"With --model, the registered version (NAME@ALIAS, NAME@VERSION or NAME for\n"
	"its latest) is registered at DEST too, its source run pushed first, and\n"
	"the alias set there when you named one; pushing again finds the version\n"
	"registered before.\n"
	"\n"
	"DEST defaults to the plugin's default source (mlflow: $MLFLOW_TRACKING_URI)\n"
	"when it is '-'.\n"
	"\n"
	"Options:\n"
	"  --model SPEC  push a registered version instead of runs\n"
	"  --json        print what was pushed as one JSON object\n"
	"  --db PATH     workspace file (default: $RUNYARD_DB, else\n"
	"                $XDG_DATA_HOME/runyard/workspace.db)\n"
	"  -h, --help    print this help\n"
	"\n"
	"Environment: the MLflow variables of 'runyard import --help'.\n"
	"\n"
	"Exit status: 0 ok, 1 the push failed (runs before the failing one were\n"
	"pushed), 2 bad usage.\n";

/* The alias a spec names ("m@champion" -> "champion"), NULL for a version
 * number, "latest" or a bare name. */
static const char *spec_alias(const char *spec)
{
	const char *at = strchr(spec, '@');
	if (!at || !at[1] || !strcmp(at + 1, "latest"))
		return NULL;
	const char *p = at + 1 + (at[1] == 'v');
	if (*p && strspn(p, "0123456789") == strlen(p))
		return NULL;
	return at + 1;
}

static int push_runs(ry_store *st, ry_plugin *p, const char *dest, char **specs, int n, bool json)
{
	char **uuids = calloc((size_t)n + 1, sizeof *uuids);
	ry_plugin_import_options io = RY_PLUGIN_IMPORT_OPTIONS_INIT;
	int64_t done = 0;
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		ry_run *r = NULL;
		if ((rc = ry_run_find(&r, st, specs[i])) == 0)
			uuids[i] = strdup(r->uuid);
		ry_run_free(r);
	}
	io.log = cli_plugin_log;
	if (!rc)
		rc = ry_plugin_export(st, p, dest, (const char *const *)uuids, (size_t)n, &io, &done);
	if (rc) {
		rc = cli_fail(rc);
		if (done)
			fprintf(stderr, "runyard: %lld of %d runs were pushed before that\n", (long long)done, n);
	} else if (json) {
		cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray();
		cJSON_AddItemToObject(o, "plugin", cli_json_string(ry_plugin_name(p)));
		cJSON_AddItemToObject(o, "dest", cli_json_string(dest));
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(a, cli_json_string(uuids[i]));
		cJSON_AddItemToObject(o, "runs", a);
		rc = cli_json_print(o);
	} else {
		printf("Pushed %lld run%s to ", (long long)done, done == 1 ? "" : "s");
		cli_put_safe(stdout, dest);
		printf(" through plugin %s.\n", ry_plugin_name(p));
	}
	for (int i = 0; i < n; i++)
		free(uuids[i]);
	free(uuids);
	return rc;
}

static int push_model(ry_store *st, ry_plugin *p, const char *dest, const char *spec, bool json)
{
	ry_plugin_import_options io = RY_PLUGIN_IMPORT_OPTIONS_INIT;
	char *model = NULL;
	int64_t version = 0;
	const char *alias = spec_alias(spec);
	int rc = ry_registry_resolve(st, spec, &model, &version);
	io.log = cli_plugin_log;
	if (!rc)
		rc = ry_plugin_export_model(st, p, dest, model, version, alias, &io);
	if (rc) {
		rc = cli_fail(rc);
	} else if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "plugin", cli_json_string(ry_plugin_name(p)));
		cJSON_AddItemToObject(o, "dest", cli_json_string(dest));
		cJSON_AddItemToObject(o, "model", cli_json_string(model));
		cJSON_AddNumberToObject(o, "version", (double)version);
		cJSON_AddItemToObject(o, "alias", alias ? cli_json_string(alias) : cJSON_CreateNull());
		rc = cli_json_print(o);
	} else {
		printf("Pushed ");
		cli_put_safe(stdout, model);
		printf(" v%lld%s", (long long)version, alias ? " and its alias @" : "");
		if (alias)
			cli_put_safe(stdout, alias);
		printf(" to ");
		cli_put_safe(stdout, dest);
		printf(" through plugin %s.\n", ry_plugin_name(p));
	}
	free(model);
	return rc;
}

int cli_push(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "model", required_argument, NULL, 'm' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("push", push_help, g);
	const char *model = NULL, *dest;
	bool json = false;
	ry_plugin *p = NULL;
	ry_store *st = NULL;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'm': model = optarg; break;
		default: return go.status;
		}
	}
	if (argc - optind < 2)
		return cli_usage("push", "needs PLUGIN and DEST");
	if (model && argc - optind > 2)
		return cli_extra_arg("push", argv[optind + 2], "--model pushes one version, not runs");
	if (!model && argc - optind < 3)
		return cli_usage("push", "needs the RUNs to push (or --model NAME@ALIAS)");
	if ((rc = ry_plugin_find(&p, RY_PLUGIN_TRACKER, argv[optind])))
		return cli_fail(rc);
	dest = strcmp(argv[optind + 1], "-") ? argv[optind + 1] : ry_plugin_default_source(p);
	if (!dest) {
		ry_plugin_free(p);
		return cli_usage("push", "DEST is '-' but plugin %s has no default destination set", argv[optind]);
	}
	if ((rc = cli_open_store(&st, g, 0))) {
		ry_plugin_free(p);
		return rc;
	}
	rc = model ? push_model(st, p, dest, model, json)
	           : push_runs(st, p, dest, argv + optind + 2, argc - optind - 2, json);
	ry_store_close(st);
	ry_plugin_free(p);
	return rc;
}
