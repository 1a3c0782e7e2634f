/*
 * JSON for the command line: the one door every document leaves by
 * (cli_json_write makes it valid UTF-8 whatever bytes the store holds), the
 * typing of values (null for the unknown and the non-finite), and the run
 * object shared by runs, show, compare and jobs (docs/json.md).  This file
 * builds values; it does not decide which commands print what.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/json.h"
#include "cli/table.h"

bool cli_json_write(FILE *f, const char *text, size_t len)
{
	ry_buf b = RY_BUF_INIT;
	size_t i = 0, from = 0;
	bool ok;
	/* Names, params and commands are stored as given, and cJSON copies bytes
	 * it does not understand into its strings, so a non-UTF-8 argument would
	 * make the whole document unreadable to a strict parser: each invalid
	 * part becomes U+FFFD.  cJSON escapes C0 controls but copies DEL, the C1
	 * controls and bidi overrides raw, which a terminal showing the document
	 * would act on: those become \uXXXX (ry_sanitize_needed says which), so
	 * the string keeps its value and the bytes stay inert.  Every byte we
	 * touch is 0x7f or above, so it only ever lands inside a string: the
	 * document's ASCII structure is never touched. */
	while (i < len) {
		uint32_t cp;
		size_t n;
		if ((unsigned char)text[i] < 0x7f) {
			i++;
			continue;
		}
		n = ry_utf8_next(text + i, len - i, &cp);
		if (cp == RY_UTF8_INVALID || ry_sanitize_needed(cp)) {
			ry_buf_put(&b, text + from, i - from);
			if (cp == RY_UTF8_INVALID)
				ry_buf_puts(&b, "\xef\xbf\xbd"); /* U+FFFD */
			else
				ry_buf_printf(&b, "\\u%04x", (unsigned)cp);
			from = i + n;
		}
		i += n;
	}
	if (from == 0)
		return fwrite(text, 1, len, f) == len;
	ry_buf_put(&b, text + from, len - from);
	ok = fwrite(b.ptr, 1, b.len, f) == b.len;
	ry_buf_free(&b);
	return ok;
}

int cli_json_fprint(FILE *f, cJSON *doc)
{
	char *text = cJSON_Print(doc);
	int rc = 0;
	cJSON_Delete(doc);
	if (!text)
		ry_fatal("out of memory printing JSON");
	if (!cli_json_write(f, text, strlen(text)) || fputc('\n', f) == EOF || fflush(f) == EOF)
		rc = ry_error_set(RY_EIO, "cannot write the output: %s", strerror(errno));
	cJSON_free(text);
	return rc;
}

int cli_json_print(cJSON *doc)
{
	char *text = cJSON_Print(doc);
	int rc = 0;
	cJSON_Delete(doc);
	if (!text)
		ry_fatal("out of memory printing JSON");
	if (!cli_json_write(stdout, text, strlen(text)) || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, "runyard: cannot write the output: %s\n", strerror(errno));
		rc = 1;
	}
	cJSON_free(text);
	return rc;
}

void cli_json_quote(ry_buf *b, const char *s)
{
	cJSON *str = cJSON_CreateString(s ? s : "");
	char *text = str ? cJSON_PrintUnformatted(str) : NULL;
	if (!text)
		ry_fatal("out of memory printing JSON");
	ry_buf_puts(b, text);
	cJSON_free(text);
	cJSON_Delete(str);
}

cJSON *cli_json_number(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

void cli_json_put_number(FILE *f, double v)
{
	char b[32];
	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	cli_format_exact(v, b, sizeof b);
	fputs(b, f);
}

cJSON *cli_json_string(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

cJSON *cli_json_value(const char *s)
{
	double v;
	if (s && ry_parse_number(s, &v) && !strchr(s, ' '))
		return cJSON_CreateNumber(v);
	return cli_json_string(s);
}

cJSON *cli_json_time(double ts)
{
	char buf[32];
	if (!isfinite(ts) || ts <= 0)
		return cJSON_CreateNull();
	ry_format_time(ts, buf, sizeof buf);
	return cJSON_CreateString(buf);
}

void cli_json_add_time(cJSON *o, const char *name, double ts)
{
	char iso[64];
	snprintf(iso, sizeof iso, "%s_iso", name);
	cJSON_AddItemToObject(o, name, cli_json_number(ts > 0 ? ts : NAN));
	cJSON_AddItemToObject(o, iso, cli_json_time(ts));
}

cJSON *cli_json_kv(const ry_kv *kv, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToObject(o, kv[i].key, cli_json_value(kv[i].value));
	return o;
}

cJSON *cli_json_metrics(ry_store *st, int64_t experiment_id, const ry_metric_summary *m, size_t nm)
{
	cJSON *metrics = cJSON_CreateObject();
	for (size_t i = 0; i < nm; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddItemToObject(s, "last", cli_json_number(m[i].last));
		cJSON_AddItemToObject(s, "min", cli_json_number(m[i].min));
		cJSON_AddItemToObject(s, "max", cli_json_number(m[i].max));
		cJSON_AddNumberToObject(s, "n", (double)m[i].n);
		cJSON_AddNumberToObject(s, "last_step", (double)m[i].last_step);
		cJSON_AddStringToObject(s, "goal", ry_metric_goal_name(ry_metric_goal_in(st, experiment_id, m[i].key)));
		cJSON_AddItemToObject(metrics, m[i].key, s);
	}
	return metrics;
}

cJSON *cli_json_run(ry_store *st, const ry_run *r, const ry_metric_summary *m, size_t nm, double now)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "uuid", r->uuid);
	cJSON_AddItemToObject(o, "name", cli_json_string(r->name));
	cJSON_AddNumberToObject(o, "experiment_id", (double)r->experiment_id);
	cJSON_AddItemToObject(o, "experiment", cli_json_string(r->experiment));
	cJSON_AddItemToObject(o, "status", cli_json_string(r->status));
	cJSON_AddItemToObject(o, "command", cli_json_string(r->command));
	cJSON_AddItemToObject(o, "cwd", cli_json_string(r->cwd));
	cJSON_AddItemToObject(o, "host", cli_json_string(r->host));
	cJSON_AddItemToObject(o, "gpus", cli_json_string(r->gpus));
	cJSON_AddItemToObject(o, "source", cli_json_string(r->source));
	cJSON_AddItemToObject(o, "remote_dir", cli_json_string(r->remote_dir));
	cli_json_add_time(o, "created", r->created);
	cli_json_add_time(o, "started", r->started);
	cli_json_add_time(o, "ended", r->ended);
	cJSON_AddItemToObject(o, "duration", cli_json_number(ry_run_duration(r, now)));
	cJSON_AddItemToObject(o, "time_limit", cli_json_number(r->time_limit > 0 ? r->time_limit : NAN));
	if (r->has_exit_code)
		cJSON_AddNumberToObject(o, "exit_code", r->exit_code);
	else
		cJSON_AddNullToObject(o, "exit_code");
	cJSON_AddItemToObject(o, "cost", cli_json_number(ry_run_cost(r, now)));
	cJSON_AddNumberToObject(o, "cost_rate", r->cost_rate);
	cJSON_AddItemToObject(o, "params", cli_json_kv(r->params, r->nparams));
	cJSON_AddItemToObject(o, "tags", cli_json_kv(r->tags, r->ntags));
	cJSON_AddItemToObject(o, "metrics", cli_json_metrics(st, r->experiment_id, m, nm));
	return o;
}
