/*
 * `runyard deploy NAME@ALIAS --target NAME`, `runyard deployments`,
 * `runyard undeploy ID` and `runyard logs --deployment ID`: registry
 * versions on serving targets.
 *
 * core/deploy does the work and keeps the record (deploy/deploy.h); this
 * file parses options, asks for confirmation and prints.  A deployment's
 * log is reached through `logs --deployment ID` rather than a bare
 * `logs ID`, so `logs RUN` keeps meaning a run whatever the id looks like.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "plugin/plugin_host.h"

static const char deploy_help[] =
	"usage: runyard deploy NAME@ALIAS|NAME@VERSION --target NAME [--yes] [--json]\n"
	"\n"
	"Deploy a registered model version to a serving target: a [target NAME]\n"
	"section of runyard's config file, whose kind names the serving plugin:\n"
	"\n"
	"  [target staging]                [target prod]\n"
	"  kind = ssh                      kind = http\n"
	"  host = gpu-box-1                url = https://deploy.example.org/v1/deployments\n"
	"  serve = python3 serve.py \\      status_url = https://.../deployments/{id}\n"
	"    --model {model_path} \\        undeploy_url = https://.../deployments/{id}\n"
	"    --port {port}                 token_env = DEPLOY_TOKEN\n"
	"  port = 8000\n"
	"  health = http://127.0.0.1:{port}/health\n"
	"\n"
	"ssh copies the artifact to the host by SFTP (its sha256 checked there),\n"
	"starts the serve command detached in its own process group and waits until\n"
	"the health URL answers 2xx (polled on the host); http POSTs a JSON deploy\n"
	"request with the bearer token from $token_env and polls status_url.  A\n"
	"version whose bytes no longer match its sha256 is refused.  The deployment\n"
	"and its outcome go into the model's audit trail and its model card.\n"
	"\n"
	"Without --yes, deploy shows what goes where and asks; with no terminal to\n"
	"ask on, it refuses.\n"
	"\n"
	"Options:\n"
	"  --target NAME  the [target NAME] to deploy to\n"
	"  --yes          do not ask for confirmation\n"
	"  --json         print the deployment as one JSON object\n"
	"  --db PATH      workspace file (default: $RUNYARD_DB, else\n"
	"                 $XDG_DATA_HOME/runyard/workspace.db)\n"
	"  -h, --help     print this help\n"
	"\n"
	"Exit status: 0 deployed, 1 the deploy failed (recorded as failed when it\n"
	"got as far as the target) or no such model, version or target, 2 bad usage.\n";

static const char deployments_help[] =
	"usage: runyard deployments [--all] [--json]\n"
	"\n"
	"List deployments, newest first, each with its live status: every one not\n"
	"stopped is asked of its target first (the ssh target checks the process\n"
	"and the health URL, the http target asks its status_url), and a change is\n"
	"recorded, in the audit trail too.  A target that cannot be reached keeps\n"
	"its recorded status, with a warning.\n"
	"\n"
	"Options:\n"
	"  --all       include stopped deployments\n"
	"  --json      print one JSON array\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok, 1 failed, 2 bad usage.\n";

static const char undeploy_help[] =
	"usage: runyard undeploy ID [--yes]\n"
	"\n"
	"Stop deployment ID (from 'runyard deployments') through its target: the\n"
	"ssh target kills the serve command's process group, the http target sends\n"
	"DELETE to undeploy_url.  Recorded as stopped, and in the audit trail.\n"
	"Without --yes it asks; with no terminal to ask on, it refuses.\n"
	"\n"
	"Options:\n"
	"  --yes       do not ask for confirmation\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 stopped, 1 failed or no such deployment, 2 bad usage or a\n"
	"deployment already stopped.\n";

/* The plugin's progress lines, on stderr at a terminal. */
static void on_log(void *payload, const char *plugin, int level, const char *message)
{
	(void)payload;
	if (level < RY_PLUGIN_LOG_INFO || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "%s: ", plugin);
	cli_put_safe(stderr, message);
	fprintf(stderr, "\n");
}

static void options(ry_deploy_options *o)
{
	o->passphrase = cli_passphrase;
	o->log = on_log;
}

static cJSON *deployment_json(const ry_deployment *d, const char *warning)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)d->id);
	cJSON_AddItemToObject(o, "model", cli_json_string(d->model));
	cJSON_AddNumberToObject(o, "version", (double)d->version);
	cJSON_AddItemToObject(o, "alias", cli_json_string(d->alias));
	cJSON_AddItemToObject(o, "target", cli_json_string(d->target));
	cJSON_AddItemToObject(o, "kind", cli_json_string(d->kind));
	cJSON_AddItemToObject(o, "status", cli_json_string(d->status));
	cJSON_AddItemToObject(o, "endpoint", cli_json_string(d->endpoint));
	cli_json_add_time(o, "created", d->created);
	cli_json_add_time(o, "updated", d->updated);
	cJSON_AddItemToObject(o, "detail", cli_json_string(d->detail));
	if (warning)
		cJSON_AddItemToObject(o, "warning", cli_json_string(warning));
	return o;
}

/* One deployment id from the command line. */
static int parse_id(const char *cmd, const char *s, int64_t *id)
{
	uint64_t v;
	if (!cli_parse_count(s, 1, INT64_MAX, &v))
		return cli_usage(cmd, "'%s' is not a deployment id (a number from 'runyard deployments')", s);
	*id = (int64_t)v;
	return 0;
}

int cli_deploy(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("deploy", deploy_help, g);
	const char *target = NULL, *spec;
	bool yes = false, json = false;
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	ry_deploy_plan pl;
	ry_store *st = NULL;
	ry_deployment *d = NULL;
	int64_t id = 0;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "t:yh", opts)) != -1) {
		switch (c) {
		case CLI_GETOPT_EXIT: return go.status;
		case 't': target = optarg; break;
		case 'y': yes = true; break;
		case 'j': json = true; break;
		}
	}
	if (optind >= argc)
		return cli_usage("deploy", "which version? give NAME@ALIAS or NAME@VERSION");
	if (optind + 1 < argc)
		return cli_extra_arg("deploy", argv[optind + 1], NULL);
	if (!target)
		return cli_usage("deploy", "where to? give --target NAME (a [target NAME] of runyard's config)");
	spec = argv[optind];
	options(&o);
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_deploy_plan_get(st, spec, target, &o, &pl))) {
		rc = cli_fail(rc);
		goto out;
	}
	{
		char *q = ry_xasprintf("Deploy %s v%" PRId64 "%s%s%s (%.12s, %" PRId64 " bytes) to target %s (%s%s%s)?",
		                       pl.model, pl.version, pl.alias ? " (@" : "", pl.alias ? pl.alias : "",
		                       pl.alias ? ")" : "", pl.sha256[0] ? pl.sha256 : "no local copy", pl.size,
		                       pl.target, pl.kind, pl.where ? " on " : "", pl.where ? pl.where : "");
		char *safe = ry_sanitize_dup(q);
		rc = cli_confirm(yes, safe, "deploying needs confirmation; add --yes to deploy without a prompt",
		                 "not deployed");
		free(safe);
		free(q);
	}
	ry_deploy_plan_clear(&pl);
	if (rc)
		goto out;
	rc = ry_deploy(st, spec, target, &o, &id);
	if (rc) {
		rc = cli_fail(rc);
		if (id)
			fprintf(stderr, "runyard: recorded as deployment %" PRId64 " (failed); 'runyard logs --deployment "
			        "%" PRId64 "' shows its log\n", id, id);
		goto out;
	}
	if ((rc = ry_deploy_get(st, id, &d))) {
		rc = cli_fail(rc);
		goto out;
	}
	if (json) {
		rc = cli_json_print(deployment_json(d, NULL));
	} else {
		printf("deployment %" PRId64 ": ", d->id);
		cli_put_safe(stdout, d->model);
		printf(" v%" PRId64 " on %s is %s", d->version, d->target, d->status);
		if (d->endpoint) {
			printf(" at ");
			cli_put_safe(stdout, d->endpoint);
		}
		printf("\n");
	}
out:
	ry_deployments_free(d, d ? 1 : 0);
	ry_store_close(st);
	return rc;
}

int cli_deployments(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("deployments", deployments_help, g);
	bool all = false, json = false;
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	ry_store *st = NULL;
	ry_deployment *v = NULL;
	size_t n = 0;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "ah", opts)) != -1) {
		switch (c) {
		case CLI_GETOPT_EXIT: return go.status;
		case 'a': all = true; break;
		case 'j': json = true; break;
		}
	}
	if (optind < argc)
		return cli_extra_arg("deployments", argv[optind], NULL);
	options(&o);
	o.log = NULL;
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	/* refresh what is live, then read the rows as they now are */
	if ((rc = ry_deploy_list(st, false, &v, &n)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char *why = NULL;
		if ((rc = ry_deploy_refresh(st, v[i].id, &o, &why)))
			goto fail;
		if (why) {
			fprintf(stderr, "runyard: deployment %" PRId64 ": status not refreshed: ", v[i].id);
			cli_put_safe(stderr, why);
			fprintf(stderr, "\n");
			free(why);
		}
	}
	ry_deployments_free(v, n);
	v = NULL;
	if ((rc = ry_deploy_list(st, all, &v, &n)))
		goto fail;
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, deployment_json(&v[i], NULL));
		rc = cli_json_print(arr);
	} else if (!n) {
		printf(all ? "No deployments.\n" : "No live deployments ('--all' shows stopped ones too).\n");
	} else {
		printf("%-4s  %-24s  %-12s  %-8s  %-40s  %s\n", "ID", "MODEL", "TARGET", "STATUS", "ENDPOINT", "SINCE");
		for (size_t i = 0; i < n; i++) {
			char mv[160], t[40];
			snprintf(mv, sizeof mv, "%s v%" PRId64 "%s%s", v[i].model, v[i].version, v[i].alias ? " @" : "",
			         v[i].alias ? v[i].alias : "");
			ry_format_time(v[i].created, t, sizeof t);
			printf("%-4" PRId64 "  ", v[i].id);
			cli_put_safe(stdout, mv);
			printf("%*s  ", (int)(strlen(mv) < 24 ? 24 - strlen(mv) : 0), "");
			cli_put_safe(stdout, v[i].target);
			printf("%*s  %-8s  ", (int)(strlen(v[i].target) < 12 ? 12 - strlen(v[i].target) : 0), "",
			       v[i].status);
			cli_put_safe(stdout, v[i].endpoint ? v[i].endpoint : "-");
			size_t el = v[i].endpoint ? strlen(v[i].endpoint) : 1;
			printf("%*s  %s\n", (int)(el < 40 ? 40 - el : 0), "", t);
			if (v[i].detail && strcmp(v[i].status, "ready")) {
				printf("      ");
				cli_put_safe(stdout, v[i].detail);
				printf("\n");
			}
		}
	}
	ry_deployments_free(v, n);
	ry_store_close(st);
	return rc;
fail:
	rc = cli_fail(rc);
	ry_deployments_free(v, n);
	ry_store_close(st);
	return rc;
}

int cli_undeploy(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "yes", no_argument, NULL, 'y' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("undeploy", undeploy_help, g);
	bool yes = false;
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	ry_store *st = NULL;
	ry_deployment *d = NULL;
	int64_t id = 0;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "yh", opts)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return go.status;
		yes = true; /* -y, --yes */
	}
	if (optind >= argc)
		return cli_usage("undeploy", "which deployment? give its id (from 'runyard deployments')");
	if (optind + 1 < argc)
		return cli_extra_arg("undeploy", argv[optind + 1], NULL);
	if ((rc = parse_id("undeploy", argv[optind], &id)))
		return rc;
	options(&o);
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_deploy_get(st, id, &d))) {
		rc = cli_fail(rc);
		goto out;
	}
	{
		char *q = ry_xasprintf("Stop deployment %" PRId64 " (%s v%" PRId64 " on %s, %s)?", id, d->model,
		                       d->version, d->target, d->status);
		char *safe = ry_sanitize_dup(q);
		rc = cli_confirm(yes, safe, "undeploying needs confirmation; add --yes to undeploy without a prompt",
		                 "not undeployed");
		free(safe);
		free(q);
	}
	if (rc)
		goto out;
	if ((rc = ry_deploy_undeploy(st, id, &o))) {
		rc = cli_fail(rc);
		goto out;
	}
	printf("deployment %" PRId64 " stopped\n", id);
out:
	ry_deployments_free(d, d ? 1 : 0);
	ry_store_close(st);
	return rc;
}

int cli_deployment_logs(struct cli_global *g, const char *spec, size_t max_bytes)
{
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	ry_store *st = NULL;
	char *text = NULL;
	int64_t id = 0;
	int rc;
	if ((rc = parse_id("logs", spec, &id)))
		return rc;
	options(&o);
	o.log = NULL;
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_deploy_logs(st, id, max_bytes, &o, &text))) {
		rc = cli_fail(rc);
	} else {
		ry_buf b = RY_BUF_INIT;
		ry_sanitize(&b, text, strlen(text), true);
		fwrite(b.ptr ? b.ptr : "", 1, b.len, stdout);
		ry_buf_free(&b);
	}
	free(text);
	ry_store_close(st);
	return rc;
}
