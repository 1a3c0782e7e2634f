/*
 * The model card: one Markdown document that says what a model version is
 * and where it came from -- lineage (source run, experiment, command, host,
 * times), code provenance (git), data provenance (data-like params and the
 * run's recorded files), params, metric summaries, artifact integrity and
 * the promotion history, and where it is deployed.
 *
 * It only reads; it uses the run and metrics modules for the source run so
 * that the card shows what `runyard show` shows.  Every value from outside
 * is sanitised and escaped for Markdown tables.  The words of an alias move
 * live here too (ry_registry_event_move), for the CLI and the registry
 * screen to print what the card prints.
 */
#include "registry/registry.h"
#include "base/alloc.h"
#include "registry/artifact.h"
#include "base/error.h"
#include "metrics/metrics.h"
#include "runs/run.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text for a table cell: sanitised (no newlines), '|' and backslash escaped. */
static void cell(ry_buf *b, const char *s)
{
	ry_buf tmp = RY_BUF_INIT;
	if (!s || !*s) {
		ry_buf_puts(b, "-");
		return;
	}
	ry_sanitize(&tmp, s, strlen(s), false);
	for (const char *p = ry_buf_cstr(&tmp); *p; p++) {
		if (*p == '|' || *p == '\\' || *p == '`' || *p == '<')
			ry_buf_putc(b, '\\');
		ry_buf_putc(b, *p);
	}
	ry_buf_free(&tmp);
}

/* Inline code: a sanitised value in a backtick span long enough to hold it. */
static void code(ry_buf *b, const char *s)
{
	ry_buf tmp = RY_BUF_INIT;
	size_t run = 0, longest = 0;
	ry_sanitize(&tmp, s ? s : "", s ? strlen(s) : 0, false);
	for (const char *p = ry_buf_cstr(&tmp); *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	for (size_t i = 0; i <= longest; i++)
		ry_buf_putc(b, '`');
	ry_buf_puts(b, longest ? " " : "");
	ry_buf_puts(b, ry_buf_cstr(&tmp));
	ry_buf_puts(b, longest ? " " : "");
	for (size_t i = 0; i <= longest; i++)
		ry_buf_putc(b, '`');
	ry_buf_free(&tmp);
}

static void row(ry_buf *b, const char *k, const char *v)
{
	ry_buf_printf(b, "| %s | ", k);
	cell(b, v);
	ry_buf_puts(b, " |\n");
}

static void when(double ts, char *out, size_t n)
{
	if (ts > 0)
		ry_format_time(ts, out, n);
	else
		snprintf(out, n, "-");
}

static void num(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.6g", v);
}

/* Params that name data: a dataset, a path or a split. */
static bool data_like(const char *key)
{
	static const char *const hints[] = { "data", "dataset", "train", "valid", "val_", "test", "path",
	                                     "file", "input", "source", "corpus", "split", NULL };
	for (int i = 0; hints[i]; i++) {
		if (strstr(key, hints[i]))
			return true;
	}
	return false;
}

static void section_version(ry_buf *b, ry_store *st, const ry_model_version *v)
{
	char t[40], size[32];
	ry_buf aliases = RY_BUF_INIT;
	int vrc = v->sha256[0] ? ry_artifact_verify(st, v->sha256) : RY_ENOTFOUND;
	for (size_t i = 0; i < v->naliases; i++)
		ry_buf_printf(&aliases, "%s@%s", i ? " " : "", v->aliases[i]);
	when(v->created, t, sizeof t);
	snprintf(size, sizeof size, "%lld bytes", (long long)v->size);
	ry_buf_puts(b, "## Version\n\n| | |\n|---|---|\n");
	row(b, "Model", v->model);
	ry_buf_printf(b, "| Version | %lld |\n", (long long)v->version);
	row(b, "Aliases", aliases.len ? ry_buf_cstr(&aliases) : "none");
	row(b, "Registered", t);
	row(b, "Registered by", v->created_by);
	row(b, "Note", v->description);
	row(b, "Tags", v->tags);
	row(b, "Artifact", v->artifact_path);
	row(b, "Size", size);
	row(b, "Source", v->source_uri);
	if (!v->sha256[0]) {
		row(b, "Integrity", "not held here: the version was imported from a tracker and its artifact "
		                    "stays at its source");
	} else {
		ry_buf_printf(b, "| SHA-256 | `%s` |\n", v->sha256);
		row(b, "Integrity", vrc == 0 ? "verified: the stored bytes match the SHA-256"
		                    : vrc == RY_ECORRUPT ? "CORRUPT: the stored bytes no longer match; do not deploy"
		                    : "MISSING: the artifact is not in the store");
	}
	ry_buf_puts(b, "\n");
	ry_buf_free(&aliases);
}

static void section_lineage(ry_buf *b, ry_store *st, const ry_model_version *v, const ry_run *r)
{
	char t[40], d[32];
	ry_buf_puts(b, "## Lineage\n\n");
	if (!r) {
		ry_buf_puts(b, "The source run was deleted; the artifact and this version were kept.\n\n");
		return;
	}
	ry_buf_puts(b, "| | |\n|---|---|\n");
	row(b, "Source run", r->name);
	ry_buf_printf(b, "| Run id | %lld (`%s`) |\n", (long long)r->id, r->uuid);
	row(b, "Experiment", r->experiment);
	row(b, "Status", r->status);
	when(r->started, t, sizeof t);
	row(b, "Started", t);
	ry_format_duration(ry_run_duration(r, ry_now()), d, sizeof d);
	row(b, "Duration", isnan(ry_run_duration(r, ry_now())) ? "-" : d);
	row(b, "Host", r->host);
	row(b, "Working directory", r->cwd);
	ry_buf_puts(b, "| Command | ");
	if (r->command)
		code(b, r->command);
	else
		ry_buf_puts(b, "-");
	ry_buf_puts(b, " |\n\n");
}

static void section_code(ry_buf *b, ry_store *st, const ry_run *r)
{
	char *diff;
	ry_buf_puts(b, "## Code provenance\n\n");
	if (!r || !r->git_commit) {
		ry_buf_puts(b, "No git provenance was recorded for the source run.\n\n");
		return;
	}
	ry_buf_puts(b, "| | |\n|---|---|\n");
	row(b, "Git commit", r->git_commit);
	row(b, "Branch", r->git_branch);
	row(b, "Remote", r->git_remote);
	row(b, "Working tree", r->git_dirty == 1 ? "dirty (uncommitted changes)"
	                       : r->git_dirty == 0 ? "clean" : "unknown");
	diff = r->git_dirty == 1 ? ry_run_git_diff(st, r->id) : NULL;
	if (diff) {
		char line[96];
		snprintf(line, sizeof line, "%zu bytes recorded%s ('runyard show %lld --diff')", strlen(diff),
		         r->git_diff_truncated ? ", truncated" : "", (long long)r->id);
		row(b, "Uncommitted diff", line);
	}
	free(diff);
	ry_buf_puts(b, "\n");
}

static void section_data(ry_buf *b, ry_store *st, const ry_model_version *v, const ry_run *r)
{
	ry_artifact *a = NULL;
	size_t na = 0, nd = 0;
	ry_buf_puts(b, "## Data provenance\n\n");
	for (size_t i = 0; r && i < r->nparams; i++) {
		if (!data_like(r->params[i].key))
			continue;
		if (!nd++)
			ry_buf_puts(b, "Data-related params of the source run:\n\n| param | value |\n|---|---|\n");
		ry_buf_puts(b, "| ");
		cell(b, r->params[i].key);
		ry_buf_puts(b, " | ");
		cell(b, r->params[i].value);
		ry_buf_puts(b, " |\n");
	}
	if (!nd)
		ry_buf_puts(b, "The source run recorded no data-related params (data, dataset, path, split...); "
		               "record them with --param data=... when tracking.\n");
	ry_buf_puts(b, "\n");
	if (r && ry_artifact_list(st, r->id, &a, &na) == 0 && na) {
		ry_buf_puts(b, "Files the run recorded:\n\n| path | size | sha256 |\n|---|---|---|\n");
		for (size_t i = 0; i < na; i++) {
			ry_buf_puts(b, "| ");
			cell(b, a[i].path);
			ry_buf_printf(b, " | %lld | `%s` |\n", (long long)a[i].size, a[i].sha256);
		}
		ry_buf_puts(b, "\n");
	}
	ry_artifacts_free(a, na);
}

static void section_params(ry_buf *b, const ry_run *r)
{
	ry_buf_puts(b, "## Parameters\n\n");
	if (!r || !r->nparams) {
		ry_buf_puts(b, "None recorded.\n\n");
		return;
	}
	ry_buf_puts(b, "| param | value |\n|---|---|\n");
	for (size_t i = 0; i < r->nparams; i++) {
		ry_buf_puts(b, "| ");
		cell(b, r->params[i].key);
		ry_buf_puts(b, " | ");
		cell(b, r->params[i].value);
		ry_buf_puts(b, " |\n");
	}
	ry_buf_puts(b, "\n");
}

static void section_metrics(ry_buf *b, ry_store *st, const ry_run *r)
{
	ry_metric_summary *m = NULL;
	size_t n = 0;
	ry_buf_puts(b, "## Metrics\n\n");
	if (!r) {
		ry_buf_puts(b, "Unknown: the source run was deleted.\n\n");
		return;
	}
	if (ry_metrics_summaries(st, r->id, &m, &n) != 0) {
		ry_buf_puts(b, "Could not be read: ");
		cell(b, ry_error_last());
		ry_buf_puts(b, "\n\n");
		return;
	}
	if (!n) {
		ry_buf_puts(b, "None recorded.\n\n");
		ry_metric_summaries_free(m, n);
		return;
	}
	ry_buf_puts(b, "| metric | last | min | max | points | last step |\n|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		char last[32], lo[32], hi[32];
		num(m[i].last, last, sizeof last);
		num(m[i].min, lo, sizeof lo);
		num(m[i].max, hi, sizeof hi);
		ry_buf_puts(b, "| ");
		cell(b, m[i].key);
		ry_buf_printf(b, " | %s | %s | %s | %lld | %lld |\n", last, lo, hi, (long long)m[i].n,
		              (long long)m[i].last_step);
	}
	ry_buf_puts(b, "\n");
	ry_metric_summaries_free(m, n);
}

/* "v3" for a version, `none` for 0. */
static void version_word(char *out, size_t n, int64_t v, const char *none)
{
	if (v)
		snprintf(out, n, "v%lld", (long long)v);
	else
		snprintf(out, n, "%s", none);
}

void ry_registry_event_move(const ry_model_event *e, char *out, size_t n)
{
	char from[24], to[24];
	if (!e->alias) {
		snprintf(out, n, "%s", "");
		return;
	}
	if (!e->from_version && !e->to_version) { /* promote.refused: refused before any move */
		snprintf(out, n, "(not moved)");
		return;
	}
	version_word(from, sizeof from, e->from_version, "unset");
	/* A refused move to no version was a candidate not yet registered. */
	version_word(to, sizeof to, e->to_version, e->kind && !strcmp(e->kind, "alias.refused") ? "new" : "unset");
	snprintf(out, n, "%s -> %s", from, to);
}

static void section_history(ry_buf *b, ry_store *st, const char *model, int64_t version)
{
	ry_model_event *e = NULL;
	size_t n = 0;
	ry_buf_puts(b, "## Promotion history\n\n");
	if (ry_registry_history(st, model, &e, &n) != 0 || !n) {
		ry_buf_puts(b, "No events recorded.\n\n");
		ry_model_events_free(e, n);
		return;
	}
	ry_buf_puts(b, "| when | who | what | version | alias | from -> to | why |\n"
	               "|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		char t[40], ver[24] = "-", mv[48] = "-";
		when(e[i].ts, t, sizeof t);
		if (e[i].version)
			snprintf(ver, sizeof ver, "%lld%s", (long long)e[i].version,
			         e[i].version == version ? " (this)" : "");
		if (e[i].alias)
			ry_registry_event_move(&e[i], mv, sizeof mv);
		ry_buf_printf(b, "| %s | ", t);
		cell(b, e[i].actor);
		ry_buf_puts(b, " | ");
		cell(b, e[i].kind);
		ry_buf_printf(b, " | %s | ", ver);
		if (e[i].alias)
			ry_buf_puts(b, "@");
		cell(b, e[i].alias);
		ry_buf_printf(b, " | %s | ", mv);
		cell(b, e[i].note);
		ry_buf_puts(b, " |\n");
	}
	ry_buf_puts(b, "\n");
	ry_model_events_free(e, n);
}

/* The deployments of this version, from the audit trail (the registry
 * knows no serving target: each deploy event names its deployment, and the
 * newest event of each says where it stands). */
static void section_deployments(ry_buf *b, ry_store *st, const char *model, int64_t version)
{
	ry_model_event *e = NULL;
	size_t n = 0, shown = 0;
	ry_buf_puts(b, "## Deployments\n\n");
	if (ry_registry_history(st, model, &e, &n) != 0)
		n = 0;
	for (size_t i = n; i-- > 0;) {
		const ry_model_event *last = &e[i], *first = last;
		bool newest = true;
		if (!last->deployment || last->version != version)
			continue;
		for (size_t k = i + 1; k < n && newest; k++)
			newest = e[k].deployment != last->deployment;
		if (!newest)
			continue;
		for (size_t k = 0; k < i; k++)
			if (e[k].deployment == last->deployment) {
				first = &e[k];
				break;
			}
		const char *state = !strcmp(last->kind, "deploy.ready") ? "ready"
		                    : !strcmp(last->kind, "deploy.failed") ? "failed"
		                    : !strcmp(last->kind, "undeploy")      ? "stopped"
		                                                           : "starting";
		char since[40], t[40];
		const char *endpoint = NULL;
		for (size_t k = 0; k <= i; k++)
			if (e[k].deployment == last->deployment && e[k].endpoint)
				endpoint = e[k].endpoint;
		if (!shown++)
			ry_buf_puts(b, "| deployment | target | status | endpoint | deployed | last change | by | why |\n"
			               "|---|---|---|---|---|---|---|---|\n");
		when(first->ts, since, sizeof since);
		when(last->ts, t, sizeof t);
		ry_buf_printf(b, "| %lld | ", (long long)last->deployment);
		cell(b, last->target);
		ry_buf_printf(b, " | %s | ", state);
		cell(b, endpoint);
		ry_buf_printf(b, " | %s | %s | ", since, t);
		cell(b, last->actor);
		ry_buf_puts(b, " | ");
		cell(b, !strcmp(state, "failed") ? last->note : NULL);
		ry_buf_puts(b, " |\n");
	}
	ry_buf_puts(b, shown ? "\n" : "Not deployed.\n\n");
	ry_model_events_free(e, n);
}

int ry_registry_card(ry_store *st, const char *model, int64_t version, const char *alias, ry_buf *out)
{
	ry_model_version *v = NULL;
	ry_model *m = NULL;
	ry_run *r = NULL;
	char now[40];
	int rc;
	if ((rc = ry_registry_model(st, model, &m)) || (rc = ry_registry_version(st, model, version, &v)))
		goto out;
	if (v->run_id && ry_run_get(&r, st, v->run_id) != 0)
		r = NULL;
	ry_buf_puts(out, "# Model card: ");
	cell(out, model);
	if (alias && alias[0])
		ry_buf_printf(out, "@%s", alias[0] == '@' ? alias + 1 : alias);
	ry_buf_printf(out, " (version %lld)\n\n", (long long)version);
	if (m->description && *m->description) {
		cell(out, m->description);
		ry_buf_puts(out, "\n\n");
	}
	if (m->tags) {
		ry_buf_puts(out, "Tags: ");
		cell(out, m->tags);
		ry_buf_puts(out, "\n\n");
	}
	ry_format_time(ry_now(), now, sizeof now);
	ry_buf_printf(out, "Generated by runyard on %s.\n\n", now);
	section_version(out, st, v);
	section_lineage(out, st, v, r);
	section_code(out, st, r);
	section_data(out, st, v, r);
	section_params(out, r);
	section_metrics(out, st, r);
	section_deployments(out, st, model, version);
	section_history(out, st, model, version);
out:
	ry_run_free(r);
	ry_model_versions_free(v, v ? 1 : 0);
	ry_models_free(m, m ? 1 : 0);
	return rc;
}
