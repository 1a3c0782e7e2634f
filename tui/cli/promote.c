/*
 * `runyard promote RUN --model NAME ...`: register a run's artifact as a
 * model version and, with --alias, move the alias -- behind a metric gate
 * with --if-better.  The decisions are core's (ry_registry_promote); this
 * file parses, prints the gate's two values and the outcome.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"

static const char help[] =
	"usage: runyard promote RUN --model NAME [--artifact PATH] [--alias ALIAS]\n"
	"                       [--if-better METRIC:max|min] [--note TEXT]\n"
	"                       [--expect VERSION|none] [--json] [--db PATH]\n"
	"\n"
	"Register the artifact of run RUN (numeric id, uuid prefix or unique name) as\n"
	"a new version of model NAME (created if new).  Promoting an artifact that\n"
	"is already a version of NAME (same sha256) gives that version, not a\n"
	"duplicate.  The artifact is re-hashed first: a corrupt one is refused.\n"
	"\n"
	"Options:\n"
	"  --model NAME        the registered model (letters, digits, . _ -)\n"
	"  --artifact PATH     which of the run's artifacts (its recorded path, or a\n"
	"                      unique file name); needed when the run has several\n"
	"  --alias ALIAS       also point ALIAS (e.g. staging, champion) at the version\n"
	"  --if-better METRIC:max|min\n"
	"                      move the alias only if the run's last METRIC beats the\n"
	"                      current holder's (higher for max, lower for min); both\n"
	"                      values are printed; otherwise nothing changes, the\n"
	"                      refused attempt is recorded and the exit status is 1\n"
	"  --note TEXT         why: stored on the version and in the audit trail\n"
	"  --expect VERSION    move the alias only if it points at VERSION ('none':\n"
	"                      only if unset); without it, only if it still points\n"
	"                      where it did when the command started, so of two\n"
	"                      concurrent promotions to one alias one is refused\n"
	"  --json              print the outcome as one JSON document (docs/registry.md)\n"
	"  --db PATH           workspace file\n"
	"  -h, --help          print this help\n"
	"\n"
	"Examples:\n"
	"  runyard promote brave-otter-42 --model churn --alias staging\n"
	"  runyard promote 17 --model churn --alias champion --if-better val_auc:max\n"
	"\n"
	"Exit status: 0 promoted (or already there), 1 refused or failed (the message\n"
	"says why), 2 bad usage.\n";

static bool parse_gate(const char *s, ry_promote_opts *o, char **metric)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return false;
	if (!strcmp(colon + 1, "max"))
		o->gate_goal = 1;
	else if (!strcmp(colon + 1, "min"))
		o->gate_goal = -1;
	else
		return false;
	*metric = ry_xstrndup(s, (size_t)(colon - s));
	o->gate_metric = *metric;
	return true;
}

static void print_gate(const ry_gate *g)
{
	char cv[32], hv[32];
	if (!g->gated)
		return;
	if (isnan(g->candidate))
		snprintf(cv, sizeof cv, "none");
	else
		snprintf(cv, sizeof cv, "%.6g", g->candidate);
	if (isnan(g->holder))
		snprintf(hv, sizeof hv, "none");
	else
		snprintf(hv, sizeof hv, "%.6g", g->holder);
	printf("gate ");
	cli_put_safe(stdout, g->metric);
	printf(":%s  candidate %s", ry_metric_goal_name(g->goal), cv);
	if (g->holder_version)
		printf("  holder %s (version %lld)", hv, (long long)g->holder_version);
	else
		printf("  holder none (alias unset)");
	printf("  -> %s\n", g->passes ? "pass" : "refused");
}

static int print_json(const ry_promote_opts *o, const ry_promote_result *r, int rc)
{
	cJSON *d = cJSON_CreateObject(), *g;
	cJSON_AddStringToObject(d, "model", o->model);
	cJSON_AddNumberToObject(d, "run_id", (double)o->run_id);
	if (r->version)
		cJSON_AddNumberToObject(d, "version", (double)r->version);
	else
		cJSON_AddNullToObject(d, "version");
	cJSON_AddBoolToObject(d, "existing", r->existing);
	cJSON_AddItemToObject(d, "artifact", r->sha256[0] ? cJSON_CreateString(r->artifact) : cJSON_CreateNull());
	cJSON_AddItemToObject(d, "sha256", r->sha256[0] ? cJSON_CreateString(r->sha256) : cJSON_CreateNull());
	cJSON_AddBoolToObject(d, "model_created", r->model_created);
	cJSON_AddItemToObject(d, "alias", cli_json_string(o->alias && o->alias[0] == '@' ? o->alias + 1 : o->alias));
	cJSON_AddBoolToObject(d, "alias_moved", r->alias_moved);
	if (o->alias)
		cJSON_AddNumberToObject(d, "alias_from", (double)r->alias_from);
	else
		cJSON_AddNullToObject(d, "alias_from");
	cJSON_AddBoolToObject(d, "refused", rc != 0);
	cJSON_AddItemToObject(d, "error", rc ? cJSON_CreateString(ry_error_last()) : cJSON_CreateNull());
	if (r->gate.gated) {
		g = cJSON_AddObjectToObject(d, "gate");
		cJSON_AddStringToObject(g, "metric", r->gate.metric);
		cJSON_AddStringToObject(g, "goal", ry_metric_goal_name(r->gate.goal));
		cJSON_AddItemToObject(g, "candidate", cli_json_number(r->gate.candidate));
		cJSON_AddItemToObject(g, "holder", cli_json_number(r->gate.holder));
		cJSON_AddNumberToObject(g, "holder_version", (double)r->gate.holder_version);
		cJSON_AddBoolToObject(g, "passes", r->gate.passes);
		cJSON_AddStringToObject(g, "reason", r->gate.reason);
	} else {
		cJSON_AddNullToObject(d, "gate");
	}
	return cli_json_print(d);
}

int cli_promote(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "artifact", required_argument, NULL, 'a' },
		{ "alias", required_argument, NULL, 'A' },
		{ "if-better", required_argument, NULL, 'g' },
		{ "note", required_argument, NULL, 'n' },
		{ "expect", required_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTIONS_END,
	};
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_promote_result res;
	ry_run *run = NULL;
	ry_store *st;
	char *metric = NULL;
	bool json = false, have_expect = false;
	struct cli_getopt go = CLI_GETOPT_INIT("promote", help, g);
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'm': o.model = optarg; break;
		case 'a': o.artifact = optarg; break;
		case 'A': o.alias = optarg; break;
		case 'g':
			free(metric);
			metric = NULL;
			if (!parse_gate(optarg, &o, &metric))
				return cli_bad_value("promote", "--if-better", optarg,
				                     "METRIC:max or METRIC:min (e.g. val_acc:max)");
			break;
		case 'n': o.note = optarg; break;
		case 'x':
			if (!cli_reg_parse_version(optarg, true, &o.expect_holder)) {
				free(metric);
				return cli_bad_value("promote", "--expect", optarg, "a version number or 'none'");
			}
			have_expect = true;
			break;
		case 'j': json = true; break;
		default: free(metric); return go.status;
		}
	}
	rc = 0;
	if (optind >= argc)
		rc = cli_usage("promote", "which run? e.g. runyard promote RUN --model NAME");
	else if (optind + 1 < argc)
		rc = cli_extra_arg("promote", argv[optind + 1], NULL);
	else if (!o.model)
		rc = cli_usage("promote", "--model NAME is required");
	else if (o.gate_metric && !o.alias)
		rc = cli_usage("promote", "--if-better decides whether an alias moves; give --alias too");
	if (rc || (rc = cli_open_store(&st, g, 0))) {
		free(metric);
		return rc;
	}
	if ((rc = ry_run_find(&run, st, argv[optind]))) {
		free(metric);
		return cli_reg_fail(st, rc);
	}
	o.run_id = run->id;
	/* Without --expect, expect the holder seen now: a concurrent move between
	 * here and the write is refused instead of silently overwritten. */
	if (o.alias && !have_expect && (rc = ry_registry_alias_get(st, o.model, o.alias, &o.expect_holder))) {
		ry_run_free(run);
		free(metric);
		return cli_reg_fail(st, rc);
	}
	rc = ry_registry_promote(st, &o, &res);
	if (json) {
		int jrc = print_json(&o, &res, rc);
		if (rc)
			fprintf(stderr, "runyard: %s\n", ry_error_last());
		rc = rc ? ry_error_exit_status(rc) : jrc;
	} else {
		print_gate(&res.gate);
		if (rc) {
			rc = cli_fail(rc);
		} else {
			if (res.model_created) {
				printf("registered new model ");
				cli_put_safe(stdout, o.model);
				printf("\n");
			}
			if (res.existing) {
				printf("already registered: ");
				cli_put_safe(stdout, o.model);
				printf(" version %lld has this artifact (", (long long)res.version);
			} else {
				printf("registered ");
				cli_put_safe(stdout, o.model);
				printf(" version %lld from run ", (long long)res.version);
				cli_put_safe(stdout, run->name);
				printf(" (id %lld, ", (long long)run->id);
			}
			cli_put_safe(stdout, res.artifact);
			printf(", sha256 %.12s)\n", res.sha256);
			if (o.alias) {
				const char *a = o.alias[0] == '@' ? o.alias + 1 : o.alias;
				if (res.alias_moved && res.alias_from)
					printf("moved @%s: version %lld -> %lld\n", a, (long long)res.alias_from,
					       (long long)res.version);
				else if (res.alias_moved)
					printf("set @%s -> version %lld\n", a, (long long)res.version);
				else
					printf("@%s already points at version %lld\n", a, (long long)res.version);
			}
		}
	}
	ry_run_free(run);
	free(metric);
	ry_store_close(st);
	return rc;
}
