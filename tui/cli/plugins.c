/*
 * `runyard plugins`: every plugin found (built-in or exec), its kind,
 * protocol version, where it was found and whether its handshake works.
 * `runyard import PLUGIN SOURCE`: import runs through a tracker plugin.
 *
 * The plugin host (core/plugin/plugin_host.h) does the finding, the
 * talking and the writing; this file parses options and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/url.h"
#include "cli/table.h"
#include "plugin/plugin_host.h"
#include "text/present.h"

static const char plugins_help[] =
	"usage: runyard plugins [--json]\n"
	"\n"
	"List every plugin runyard finds: the built-in ones, then each executable\n"
	"runyard-plugin-NAME in a directory of $PATH, in $XDG_DATA_HOME/runyard/plugins\n"
	"or in runyard's installed plugin directory (the first one found of a name\n"
	"wins).  Each exec plugin is started for a hello handshake and stopped again;\n"
	"the list shows its kind (tracker, serving), the protocol version it speaks,\n"
	"where it was found, and whether the handshake worked (and if not, why, with\n"
	"the end of its stderr).  docs/plugins.md describes the protocol.\n"
	"\n"
	"Options:\n"
	"  --json      print one JSON array instead of a table\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Environment: RUNYARD_PLUGIN_TIMEOUT  seconds a plugin may stay silent (30).\n"
	"\n"
	"Exit status: 0 ok (even when a plugin's handshake fails), 2 bad usage.\n";

static const char import_help[] =
	"usage: runyard import PLUGIN [SOURCE] [--experiment NAME]... [--watch [SECS]]\n"
	"                      [--full] [--db PATH] [--json]\n"
	"\n"
	"Import runs from SOURCE (a path or URL, as the plugin understands it)\n"
	"through tracker plugin PLUGIN, e.g. 'runyard import mlflow\n"
	"http://mlflow:5000', 'runyard import mlflow ./mlruns', 'runyard import\n"
	"mlflow sqlite:///mlflow.db' or 'runyard import lightning-csv\n"
	"lightning_logs'.  Without SOURCE the plugin's default is used (mlflow:\n"
	"$MLFLOW_TRACKING_URI).  Imported runs get source plugin:PLUGIN and keep the\n"
	"plugin's run id as tag PLUGIN.run_id, so importing again updates runs\n"
	"that changed (new points, params, tags, status) and skips the rest\n"
	"instead of duplicating them.  Each run is one transaction: a plugin that\n"
	"fails halfway leaves the runs it finished and nothing of the one it was\n"
	"in; run the import again to go on.  A tracker with a model registry\n"
	"(MLflow) brings its registered models, versions, aliases and tags too,\n"
	"after the runs; docs/mlflow.md lists what is read.\n"
	"\n"
	"Options:\n"
	"  --experiment NAME  import only this experiment of the source (repeat for\n"
	"                     more; default: every experiment)\n"
	"  --watch [SECS]     keep importing every SECS seconds (default 30) until\n"
	"                     interrupted; one summary line per round\n"
	"  --full      ignore the cursor kept from the last import of SOURCE and ask\n"
	"              the plugin for everything\n"
	"  --json      print the counts as one JSON object (one per round with --watch)\n"
	"  --db PATH   workspace file (default: $RUNYARD_DB, else\n"
	"              $XDG_DATA_HOME/runyard/workspace.db)\n"
	"  -h, --help  print this help\n"
	"\n"
	"Environment: RUNYARD_PLUGIN_TIMEOUT  seconds a plugin may stay silent (30);\n"
	"MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME,\n"
	"MLFLOW_TRACKING_PASSWORD, MLFLOW_TRACKING_INSECURE_TLS,\n"
	"MLFLOW_TRACKING_SERVER_CERT_PATH as MLflow's own client reads them\n"
	"(credentials are sent, never stored).\n"
	"\n"
	"Exit status: 0 ok, 1 the plugin or the import failed, 2 bad usage.\n";

static const char *kinds_text(unsigned kinds)
{
	switch (kinds & (RY_PLUGIN_TRACKER | RY_PLUGIN_SERVING)) {
	case RY_PLUGIN_TRACKER: return "tracker";
	case RY_PLUGIN_SERVING: return "serving";
	case RY_PLUGIN_TRACKER | RY_PLUGIN_SERVING: return "tracker,serving";
	default: return "?";
	}
}

static int plugins_json(const ry_plugin_info *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *k = cJSON_CreateArray();
		cJSON_AddItemToObject(o, "name", cli_json_string(v[i].name));
		if (v[i].kinds & RY_PLUGIN_TRACKER)
			cJSON_AddItemToArray(k, cJSON_CreateString("tracker"));
		if (v[i].kinds & RY_PLUGIN_SERVING)
			cJSON_AddItemToArray(k, cJSON_CreateString("serving"));
		cJSON_AddItemToObject(o, "kinds", k);
		if (v[i].protocol)
			cJSON_AddNumberToObject(o, "protocol", v[i].protocol);
		else
			cJSON_AddNullToObject(o, "protocol");
		cJSON_AddBoolToObject(o, "builtin", v[i].builtin);
		cJSON_AddItemToObject(o, "where", cli_json_string(v[i].where));
		cJSON_AddBoolToObject(o, "ok", v[i].ok);
		cJSON_AddItemToObject(o, "error", cli_json_string(v[i].error));
		cJSON_AddItemToArray(arr, o);
	}
	return cli_json_print(arr);
}

static void plugins_text(const ry_plugin_info *v, size_t n)
{
	if (n == 0) {
		printf("No plugins found.  An exec plugin is an executable runyard-plugin-NAME on $PATH\n"
		       "or in $XDG_DATA_HOME/runyard/plugins; docs/plugins.md says how to write one.\n");
		return;
	}
	cli_table *t = cli_table_new(5);
	cli_table_column(t, 0, "name", false, 30);
	cli_table_column(t, 1, "kind", false, 16);
	cli_table_column(t, 2, "protocol", true, 8);
	cli_table_column(t, 3, "handshake", false, 9);
	cli_table_column(t, 4, "where", false, 80);
	for (size_t i = 0; i < n; i++) {
		cli_table_row(t);
		cli_table_cell(t, 0, v[i].name);
		cli_table_cell(t, 1, kinds_text(v[i].kinds));
		if (v[i].protocol)
			cli_table_cellf(t, 2, "%d", v[i].protocol);
		else
			cli_table_cell(t, 2, "?");
		cli_table_cell(t, 3, v[i].ok ? "ok" : "FAILED");
		cli_table_cell(t, 4, v[i].where);
	}
	cli_table_print(t, stdout, true);
	cli_table_free(t);
	for (size_t i = 0; i < n; i++) {
		if (v[i].ok)
			continue;
		printf("\n%s: ", v[i].name);
		cli_put_safe(stdout, v[i].error);
		printf("\n");
	}
}

int cli_plugins(int argc, char **argv, struct cli_global *g)
{
	bool json;
	ry_plugin_info *v;
	size_t n;
	int rc;
	if ((rc = cli_parse_json_db(argc, argv, g, "plugins", plugins_help, &json)) >= 0)
		return rc;
	if (optind < argc)
		return cli_usage("plugins", "unexpected argument '%s'", argv[optind]);
	if ((rc = ry_plugin_list(&v, &n)))
		return cli_fail(rc);
	if (json)
		rc = plugins_json(v, n);
	else
		plugins_text(v, n);
	ry_plugin_infos_free(v, n);
	return rc;
}

/* One import round's summary, as JSON or a line. */
static int import_report(const ry_plugin *p, const char *source_typed, const ry_plugin_import_stats *stats,
                         bool json)
{
	/* a user:password@ typed into the URL is not shown back */
	char *source = ry_url_strip_credentials(source_typed);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "plugin", cli_json_string(ry_plugin_name(p)));
		cJSON_AddItemToObject(o, "source", cli_json_string(source));
		cJSON_AddNumberToObject(o, "runs_new", (double)stats->runs_new);
		cJSON_AddNumberToObject(o, "runs_updated", (double)stats->runs_updated);
		cJSON_AddNumberToObject(o, "runs_unchanged", (double)stats->runs_unchanged);
		cJSON_AddNumberToObject(o, "points", (double)stats->points);
		cJSON_AddNumberToObject(o, "registry_changes", (double)stats->registry_changes);
		free(source);
		return cli_json_print(o);
	}
	char line[4096];
	tui_present_import(line, sizeof line, stats, ry_plugin_name(p), source);
	cli_put_safe(stdout, line);
	putchar('\n');
	fflush(stdout);
	free(source);
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Was --watch given as --watch=SECS? */
static bool optarg_given(char **argv, int argc)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--watch=", 8))
			return true;
	return false;
}

/* Sleep `secs`, in steps so a signal ends it at once. */
static void watch_wait(long secs)
{
	struct timespec t = { secs, 0 };
	while (nanosleep(&t, &t) == -1 && errno == EINTR)
		;
}

int cli_import(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "full", no_argument, NULL, 'f' },
		{ "experiment", required_argument, NULL, 'e' },
		{ "watch", optional_argument, NULL, 'w' },
		CLI_OPTIONS_END,
	};
	ry_plugin_import_options io = RY_PLUGIN_IMPORT_OPTIONS_INIT;
	ry_plugin_import_stats stats;
	struct cli_getopt go = CLI_GETOPT_INIT("import", import_help, g);
	bool json = false, watch = false;
	long every = 30;
	const char **exps = NULL;
	size_t nexps = 0;
	ry_plugin *p = NULL;
	ry_store *st = NULL;
	const char *source;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'f': io.full = true; break;
		case 'e':
			exps = realloc(exps, (nexps + 1) * sizeof *exps);
			exps[nexps++] = optarg;
			break;
		case 'w':
			watch = true;
			if (optarg && (!all_digits(optarg) || (every = atol(optarg)) < 1)) {
				free(exps);
				return cli_usage("import", "--watch takes whole seconds (1 or more), not '%s'", optarg);
			}
			break;
		default: free(exps); return go.status;
		}
	}
	/* "--watch 60": the seconds as a word of their own after PLUGIN [SOURCE]
	 * (no source is all digits) */
	if (watch && !optarg_given(argv, argc) && argc - optind >= 2 && argc - optind <= 3 &&
	    all_digits(argv[argc - 1])) {
		if ((every = atol(argv[argc - 1])) < 1) {
			free(exps);
			return cli_usage("import", "--watch takes whole seconds (1 or more)");
		}
		argc--;
	}
	if (argc - optind > 2) {
		free(exps);
		return cli_extra_arg("import", argv[optind + 2], NULL);
	}
	if (argc - optind < 1) {
		free(exps);
		return cli_usage("import", "needs PLUGIN (and SOURCE)");
	}
	if ((rc = ry_plugin_find(&p, RY_PLUGIN_TRACKER, argv[optind]))) {
		free(exps);
		return cli_fail(rc);
	}
	source = argc - optind == 2 ? argv[optind + 1] : ry_plugin_default_source(p);
	if (!source) {
		free(exps);
		ry_plugin_free(p);
		return cli_usage("import", "needs SOURCE: plugin %s has no default source set", argv[optind]);
	}
	if ((rc = cli_open_store(&st, g, RY_STORE_CREATE))) {
		free(exps);
		ry_plugin_free(p);
		return rc;
	}
	io.log = cli_plugin_log;
	io.experiments = exps;
	io.nexperiments = nexps;
	for (;;) {
		rc = ry_plugin_import(st, p, source, &io, &stats);
		if (rc) {
			char line[256];
			rc = cli_fail(rc);
			tui_present_import_partial(line, sizeof line, &stats);
			fprintf(stderr, "runyard: %s\n", line);
		} else {
			rc = import_report(p, source, &stats, json);
		}
		/* a watch goes on through a failed round: the source may be back next time */
		if (!watch)
			break;
		watch_wait(every);
		io.full = false;
	}
	ry_store_close(st);
	ry_plugin_free(p);
	free(exps);
	return rc;
}
