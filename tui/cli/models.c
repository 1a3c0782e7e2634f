/*
 * `runyard models` (the registered models) and `runyard model NAME` (one
 * model's versions, aliases and lineage -- source run, experiment, git
 * commit, params and metric summaries of each version's run; its audit trail
 * with --history; its model card with --card).  Reading only.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"

static const char models_help[] =
	"usage: runyard models [--json] [--db PATH]\n"
	"\n"
	"List the registered models: number of versions, latest version, aliases\n"
	"(alias=version) and when a version was last registered.\n"
	"\n"
	"Options:\n"
	"  --json      one JSON document (docs/registry.md)\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok, 1 the workspace could not be read, 2 bad usage.\n";

static const char model_help[] =
	"usage: runyard model NAME[@ALIAS|@VERSION] [--json] [--history]\n"
	"                     [--card [--output FILE]] [--db PATH]\n"
	"       runyard model NAME[@ALIAS|@VERSION] [--describe TEXT] [--tags K=V,...]\n"
	"\n"
	"Show a registered model: its aliases and its versions, newest first, each\n"
	"with its lineage -- source run, experiment, git commit, params and metric\n"
	"summaries of that run -- and its artifact (path, size, sha256).  NAME@ALIAS\n"
	"or NAME@VERSION (3 or v3) shows that one version.\n"
	"\n"
	"Options:\n"
	"  --history        the audit trail instead: who registered what and moved\n"
	"                   which alias from which version to which, when and why,\n"
	"                   including refused attempts\n"
	"  --card           write the model card (Markdown: lineage, params, metrics,\n"
	"                   data and code provenance, promotion history) of the\n"
	"                   version named (NAME alone: the latest)\n"
	"  --output FILE    with --card: write to FILE instead of stdout\n"
	"  --describe TEXT  set the description of the model (NAME) or of the version\n"
	"                   (NAME@ALIAS, NAME@VERSION); recorded in the audit trail\n"
	"  --tags K=V,...   set its tags likewise\n"
	"  --json           one JSON document (docs/registry.md)\n"
	"  --db PATH        workspace file\n"
	"  -h, --help       print this help\n"
	"\n"
	"Examples:\n"
	"  runyard model churn\n"
	"  runyard model churn@champion --card --output MODEL_CARD.md\n"
	"  runyard model churn --history\n"
	"\n"
	"Exit status: 0 ok, 1 unknown model/alias/version or unreadable workspace,\n"
	"2 bad usage.\n";

/* ---- runyard models ---------------------------------------------------- */

static int models_json(const ry_model *m, size_t n)
{
	cJSON *d = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(d, "models");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *al;
		cJSON_AddStringToObject(o, "name", m[i].name);
		cJSON_AddStringToObject(o, "description", m[i].description);
		cJSON_AddItemToObject(o, "tags", cli_json_string(m[i].tags));
		cli_json_add_time(o, "created", m[i].created);
		cli_json_add_time(o, "updated", m[i].updated);
		cJSON_AddNumberToObject(o, "versions", (double)m[i].nversions);
		cJSON_AddNumberToObject(o, "latest", (double)m[i].latest);
		cJSON_AddItemToObject(o, "source", cli_json_string(m[i].source));
		al = cJSON_AddObjectToObject(o, "aliases");
		for (size_t k = 0; k < m[i].naliases; k++)
			cJSON_AddNumberToObject(al, m[i].aliases[k].alias, (double)m[i].aliases[k].version);
		cJSON_AddItemToArray(arr, o);
	}
	return cli_json_print(d);
}

static void models_text(const ry_model *m, size_t n)
{
	double now = ry_now();
	int w = 5;
	if (!n) {
		printf("No registered models yet.  Register one with 'runyard promote RUN --model NAME'.\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		w = (int)strlen(m[i].name) > w ? (int)strlen(m[i].name) : w;
	w = w > 40 ? 40 : w;
	cli_reg_put_padded(stdout, "MODEL", w + 2);
	printf("VERSIONS  LATEST  UPDATED     ALIASES\n");
	for (size_t i = 0; i < n; i++) {
		char age[32];
		ry_format_age(m[i].updated, now, age, sizeof age);
		cli_reg_put_padded(stdout, m[i].name, w + 2);
		printf("%8lld  %6lld  %-10s ", (long long)m[i].nversions, (long long)m[i].latest, age);
		for (size_t k = 0; k < m[i].naliases; k++) {
			printf(" @");
			cli_put_safe(stdout, m[i].aliases[k].alias);
			printf("=%lld", (long long)m[i].aliases[k].version);
		}
		if (!m[i].naliases)
			printf(" -");
		printf("\n");
	}
}

int cli_models(int argc, char **argv, struct cli_global *g)
{
	ry_model *m = NULL;
	size_t n = 0;
	bool json = false;
	ry_store *st;
	int rc;

	if ((rc = cli_parse_json_db(argc, argv, g, "models", models_help, &json)) >= 0)
		return rc;
	if (optind < argc)
		return cli_extra_arg("models", argv[optind], NULL);
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_registry_models(st, &m, &n)))
		return cli_reg_fail(st, rc);
	if (json)
		rc = models_json(m, n);
	else
		models_text(m, n);
	ry_models_free(m, n);
	ry_store_close(st);
	return rc;
}

/* ---- runyard model NAME ------------------------------------------------ */

/* The source run and its metric summaries (either may be missing). */
struct lineage {
	ry_run *run;
	ry_metric_summary *metrics;
	size_t nmetrics;
	bool metrics_failed;
};

static void lineage_load(ry_store *st, const ry_model_version *v, struct lineage *l)
{
	memset(l, 0, sizeof *l);
	if (!v->run_id || ry_run_get(&l->run, st, v->run_id) != 0) {
		l->run = NULL;
		return;
	}
	if (ry_metrics_summaries(st, v->run_id, &l->metrics, &l->nmetrics) != 0) {
		l->metrics = NULL;
		l->nmetrics = 0;
		l->metrics_failed = true;
	}
}

static void lineage_free(struct lineage *l)
{
	ry_run_free(l->run);
	ry_metric_summaries_free(l->metrics, l->nmetrics);
}

static cJSON *version_json(const ry_model_version *v, const struct lineage *l)
{
	cJSON *o = cJSON_CreateObject(), *a, *r;
	cJSON_AddNumberToObject(o, "version", (double)v->version);
	a = cJSON_AddArrayToObject(o, "aliases");
	for (size_t i = 0; i < v->naliases; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v->aliases[i]));
	cli_json_add_time(o, "created", v->created);
	cJSON_AddItemToObject(o, "created_by", cli_json_string(v->created_by));
	cJSON_AddStringToObject(o, "description", v->description);
	cJSON_AddItemToObject(o, "tags", cli_json_string(v->tags));
	a = cJSON_AddObjectToObject(o, "artifact");
	cJSON_AddItemToObject(a, "path", cli_json_string(v->artifact_path));
	cJSON_AddItemToObject(a, "sha256", v->sha256[0] ? cJSON_CreateString(v->sha256) : cJSON_CreateNull());
	cJSON_AddNumberToObject(a, "size", (double)v->size);
	cJSON_AddItemToObject(a, "source_uri", cli_json_string(v->source_uri));
	if (!l->run) {
		cJSON_AddNullToObject(o, "run");
		return o;
	}
	r = cJSON_AddObjectToObject(o, "run");
	cJSON_AddNumberToObject(r, "id", (double)l->run->id);
	cJSON_AddStringToObject(r, "uuid", l->run->uuid);
	cJSON_AddItemToObject(r, "name", cli_json_string(l->run->name));
	cJSON_AddItemToObject(r, "experiment", cli_json_string(l->run->experiment));
	cJSON_AddItemToObject(r, "status", cli_json_string(l->run->status));
	cJSON_AddItemToObject(r, "git_commit", cli_json_string(l->run->git_commit));
	cJSON_AddItemToObject(r, "git_branch", cli_json_string(l->run->git_branch));
	if (l->run->git_dirty < 0)
		cJSON_AddNullToObject(r, "git_dirty");
	else
		cJSON_AddBoolToObject(r, "git_dirty", l->run->git_dirty == 1);
	a = cJSON_AddObjectToObject(r, "params");
	for (size_t i = 0; i < l->run->nparams; i++)
		cJSON_AddStringToObject(a, l->run->params[i].key, l->run->params[i].value);
	a = cJSON_AddObjectToObject(r, "metrics");
	for (size_t i = 0; i < l->nmetrics; i++) {
		cJSON *m = cJSON_AddObjectToObject(a, l->metrics[i].key);
		cJSON_AddItemToObject(m, "last", cli_json_number(l->metrics[i].last));
		cJSON_AddItemToObject(m, "min", cli_json_number(l->metrics[i].min));
		cJSON_AddItemToObject(m, "max", cli_json_number(l->metrics[i].max));
		cJSON_AddNumberToObject(m, "n", (double)l->metrics[i].n);
		cJSON_AddNumberToObject(m, "last_step", (double)l->metrics[i].last_step);
	}
	return o;
}

static void version_text(const ry_model_version *v, const struct lineage *l)
{
	char t[40];
	ry_format_time(v->created, t, sizeof t);
	printf("version %lld", (long long)v->version);
	for (size_t i = 0; i < v->naliases; i++) {
		printf("  @");
		cli_put_safe(stdout, v->aliases[i]);
	}
	printf("\n  registered  %s", t);
	if (v->created_by) {
		printf(" by ");
		cli_put_safe(stdout, v->created_by);
	}
	printf("\n  artifact    ");
	cli_put_safe(stdout, v->artifact_path ? v->artifact_path : "-");
	printf("  %lld bytes  sha256 %s\n", (long long)v->size, v->sha256);
	if (v->description[0]) {
		printf("  note        ");
		cli_put_safe(stdout, v->description);
		printf("\n");
	}
	if (v->tags) {
		printf("  tags        ");
		cli_put_safe(stdout, v->tags);
		printf("\n");
	}
	if (!l->run) {
		printf("  source run  (deleted)\n");
		return;
	}
	printf("  source run  ");
	cli_put_safe(stdout, l->run->name);
	printf(" (id %lld, %.8s, ", (long long)l->run->id, l->run->uuid);
	cli_put_safe(stdout, l->run->status);
	printf(")\n  experiment  ");
	cli_put_safe(stdout, l->run->experiment);
	printf("\n  git commit  ");
	if (l->run->git_commit) {
		cli_put_safe(stdout, l->run->git_commit);
		if (l->run->git_branch) {
			printf(" (");
			cli_put_safe(stdout, l->run->git_branch);
			printf(")");
		}
		if (l->run->git_dirty == 1)
			printf(" + uncommitted changes");
	} else {
		printf("-");
	}
	printf("\n  params     ");
	for (size_t i = 0; i < l->run->nparams; i++) {
		printf(" ");
		cli_put_safe(stdout, l->run->params[i].key);
		printf("=");
		cli_put_safe(stdout, l->run->params[i].value);
	}
	if (!l->run->nparams)
		printf(" -");
	printf("\n  metrics    ");
	if (l->metrics_failed) {
		printf(" (could not be read)");
	}
	for (size_t i = 0; i < l->nmetrics; i++) {
		printf(" ");
		cli_put_safe(stdout, l->metrics[i].key);
		if (isnan(l->metrics[i].last))
			printf("=none");
		else
			printf("=%.6g", l->metrics[i].last);
		if (!isnan(l->metrics[i].min) && !isnan(l->metrics[i].max))
			printf(" [%.4g..%.4g]", l->metrics[i].min, l->metrics[i].max);
	}
	if (!l->nmetrics && !l->metrics_failed)
		printf(" -");
	printf("\n");
}

static cJSON *history_json(const ry_model_event *e, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *detail = e[i].detail ? cJSON_Parse(e[i].detail) : NULL;
		cJSON_AddNumberToObject(o, "id", (double)e[i].id);
		cli_json_add_time(o, "ts", e[i].ts);
		cJSON_AddItemToObject(o, "actor", cli_json_string(e[i].actor));
		cJSON_AddItemToObject(o, "kind", cli_json_string(e[i].kind));
		cJSON_AddItemToObject(o, "alias", cli_json_string(e[i].alias));
		if (e[i].version)
			cJSON_AddNumberToObject(o, "version", (double)e[i].version);
		else
			cJSON_AddNullToObject(o, "version");
		if (e[i].alias) {
			cJSON_AddNumberToObject(o, "from", (double)e[i].from_version);
			cJSON_AddNumberToObject(o, "to", (double)e[i].to_version);
		}
		cJSON_AddItemToObject(o, "note", cli_json_string(e[i].note));
		cJSON_AddItemToObject(o, "detail", detail ? detail : cJSON_CreateNull());
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void history_text(const ry_model_event *e, size_t n)
{
	if (!n) {
		printf("No events recorded.\n");
		return;
	}
	printf("%-20s  %-12s  %-15s  %-7s  %-12s  %-14s  %s\n", "WHEN", "WHO", "WHAT", "VERSION", "ALIAS",
	       "FROM -> TO", "WHY");
	for (size_t i = 0; i < n; i++) {
		char t[40], ver[24] = "-", mv[48] = "-", al[80] = "-";
		ry_format_time(e[i].ts, t, sizeof t);
		if (e[i].version)
			snprintf(ver, sizeof ver, "%lld", (long long)e[i].version);
		if (e[i].alias) {
			ry_registry_event_move(&e[i], mv, sizeof mv);
			snprintf(al, sizeof al, "@%s", e[i].alias);
		}
		printf("%-20s  ", t);
		cli_reg_put_padded(stdout, e[i].actor, 12);
		printf("  ");
		cli_reg_put_padded(stdout, e[i].kind, 15);
		printf("  %-7s  ", ver);
		cli_reg_put_padded(stdout, al, 12);
		printf("  %-14s  ", mv);
		cli_put_safe(stdout, e[i].note ? e[i].note : "");
		if (e[i].deployment) {
			printf("%sdeployment %lld on ", e[i].note ? "; " : "", (long long)e[i].deployment);
			cli_put_safe(stdout, e[i].target ? e[i].target : "?");
			if (e[i].endpoint) {
				printf(" at ");
				cli_put_safe(stdout, e[i].endpoint);
			}
		}
		printf("\n");
	}
}

static int show_card(ry_store *st, const char *model, int64_t version, const char *alias, const char *output)
{
	ry_buf b = RY_BUF_INIT;
	int rc = ry_registry_card(st, model, version, alias, &b);
	if (rc) {
		ry_buf_free(&b);
		return cli_fail(rc);
	}
	if (output) {
		FILE *f = fopen(output, "w");
		if (!f || fputs(ry_buf_cstr(&b), f) == EOF || fclose(f) != 0) {
			fprintf(stderr, "runyard: cannot write the model card to %s; check the path and permissions\n",
			        output);
			ry_buf_free(&b);
			return 1;
		}
	} else {
		fputs(ry_buf_cstr(&b), stdout);
	}
	ry_buf_free(&b);
	return 0;
}

static int update(struct cli_global *g, const char *spec, bool one_version, const char *describe,
                  const char *tags)
{
	char *model = NULL;
	int64_t version = 0;
	ry_store *st;
	int rc;
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if (one_version) {
		if ((rc = ry_registry_resolve(st, spec, &model, &version)) ||
		    (rc = ry_registry_version_update(st, model, version, describe, tags))) {
			free(model);
			return cli_reg_fail(st, rc);
		}
		printf("updated ");
		cli_put_safe(stdout, model);
		printf(" version %lld\n", (long long)version);
	} else {
		if ((rc = ry_registry_model_update(st, spec, describe, tags)))
			return cli_reg_fail(st, rc);
		printf("updated model ");
		cli_put_safe(stdout, spec);
		printf("\n");
	}
	free(model);
	ry_store_close(st);
	return 0;
}

int cli_model(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "history", no_argument, NULL, 'H' },
		{ "card", no_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "describe", required_argument, NULL, 'd' },
		{ "tags", required_argument, NULL, 't' },
		CLI_OPTIONS_END,
	};
	bool json = false, history = false, card = false;
	const char *output = NULL, *describe = NULL, *tags = NULL, *spec, *at;
	ry_model *m = NULL;
	ry_model_version *v = NULL;
	ry_model_event *e = NULL;
	size_t nv = 0, ne = 0;
	char *model = NULL;
	int64_t version = 0;
	struct cli_getopt go = CLI_GETOPT_INIT("model", model_help, g);
	ry_store *st;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "ho:", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'H': history = true; break;
		case 'c': card = true; break;
		case 'o': output = optarg; break;
		case 'd': describe = optarg; break;
		case 't': tags = optarg; break;
		default: return go.status;
		}
	}
	if (argc - optind != 1)
		return cli_usage("model", argc - optind ? "expected one model name" : "which model? e.g. runyard model NAME");
	if (output && !card)
		return cli_usage("model", "--output goes with --card");
	if (card && (json || history))
		return cli_usage("model", "--card writes Markdown; it does not combine with --json or --history");
	if ((describe || tags) && (card || history || json))
		return cli_usage("model", "--describe and --tags change the model; they do not combine with "
		                 "--card, --history or --json");
	spec = argv[optind];
	at = strchr(spec, '@');
	if (describe || tags)
		return update(g, spec, at != NULL, describe, tags);
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if (at || card) {
		if ((rc = ry_registry_resolve(st, spec, &model, &version)))
			return cli_reg_fail(st, rc);
	} else {
		model = ry_xstrdup(spec);
	}
	if (card) {
		const char *alias = at && !cli_reg_parse_version(at + 1, false, &(int64_t){ 0 }) &&
		                    strcmp(at + 1, "latest") ? at + 1 : NULL;
		rc = show_card(st, model, version, alias, output);
		free(model);
		ry_store_close(st);
		return rc;
	}
	if ((rc = ry_registry_model(st, model, &m)) || (rc = ry_registry_history(st, model, &e, &ne)))
		goto fail;
	if (version) {
		if ((rc = ry_registry_version(st, model, version, &v)))
			goto fail;
		nv = 1;
	} else if ((rc = ry_registry_versions(st, model, &v, &nv))) {
		goto fail;
	}

	if (json) {
		cJSON *d = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(d, "model"), *al, *arr;
		cJSON_AddStringToObject(o, "name", m->name);
		cJSON_AddStringToObject(o, "description", m->description);
		cJSON_AddItemToObject(o, "tags", cli_json_string(m->tags));
		cli_json_add_time(o, "created", m->created);
		cJSON_AddNumberToObject(o, "versions", (double)m->nversions);
		cJSON_AddNumberToObject(o, "latest", (double)m->latest);
		cJSON_AddItemToObject(o, "source", cli_json_string(m->source));
		al = cJSON_AddObjectToObject(o, "aliases");
		for (size_t k = 0; k < m->naliases; k++)
			cJSON_AddNumberToObject(al, m->aliases[k].alias, (double)m->aliases[k].version);
		if (history) {
			cJSON_AddItemToObject(d, "history", history_json(e, ne));
		} else {
			arr = cJSON_AddArrayToObject(d, "versions");
			for (size_t i = 0; i < nv; i++) {
				struct lineage l;
				lineage_load(st, &v[i], &l);
				cJSON_AddItemToArray(arr, version_json(&v[i], &l));
				lineage_free(&l);
			}
		}
		rc = cli_json_print(d);
	} else {
		printf("model ");
		cli_put_safe(stdout, m->name);
		printf("  (%lld version%s)\n", (long long)m->nversions, m->nversions == 1 ? "" : "s");
		if (m->description[0]) {
			printf("  ");
			cli_put_safe(stdout, m->description);
			printf("\n");
		}
		if (m->tags) {
			printf("  tags: ");
			cli_put_safe(stdout, m->tags);
			printf("\n");
		}
		printf("aliases:");
		for (size_t k = 0; k < m->naliases; k++) {
			printf(" @");
			cli_put_safe(stdout, m->aliases[k].alias);
			printf(" -> %lld", (long long)m->aliases[k].version);
		}
		printf("%s\n\n", m->naliases ? "" : " none");
		if (history) {
			history_text(e, ne);
		} else {
			for (size_t i = 0; i < nv; i++) {
				struct lineage l;
				lineage_load(st, &v[i], &l);
				version_text(&v[i], &l);
				lineage_free(&l);
				if (i + 1 < nv)
					printf("\n");
			}
			if (!nv)
				printf("no versions yet\n");
		}
	}
	goto out;
fail:
	rc = cli_fail(rc);
out:
	ry_models_free(m, m ? 1 : 0);
	ry_model_versions_free(v, nv);
	ry_model_events_free(e, ne);
	free(model);
	ry_store_close(st);
	return rc;
}
