/*
 * JSON for the command line: the one door every document leaves by
 * (cli_json_write makes it valid UTF-8 whatever bytes the store holds), the
 * typing of values (null for the unknown and the non-finite), and the run
 * object shared by runs, show, compare and jobs (docs/json.md).  This file
 * builds values; it does not decide which commands print what.
 */
#include <errno.h>
#include <float.h>
#include <locale.h>
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
		if (i + 8 <= len) { /* 8 bytes at a time while all are below 0x7f */
			uint64_t w;
			memcpy(&w, text + i, sizeof w);
			if (!((w | (w + 0x0101010101010101ull)) & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
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
	cli_json_text_string(b, s ? s : "");
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

/* ---- the text, by hand ------------------------------------------------ */

void cli_json_obj_begin(cli_json_obj *o, ry_buf *b, int depth)
{
	o->b = b;
	o->depth = depth;
	o->empty = true;
	ry_buf_put(b, "{\n", 2);
}

static void indent(ry_buf *b, int depth)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	while (depth > 0) {
		int k = depth < 16 ? depth : 16;
		ry_buf_put(b, tabs, (size_t)k);
		depth -= k;
	}
}

void cli_json_obj_key(cli_json_obj *o, const char *key)
{
	if (!o->empty)
		ry_buf_put(o->b, ",\n", 2);
	o->empty = false;
	indent(o->b, o->depth + 1);
	cli_json_text_string(o->b, key);
	ry_buf_put(o->b, ":\t", 2);
}

/* cJSON ends an object on its own line, an empty one too ("{\n\t}"). */
void cli_json_obj_end(cli_json_obj *o)
{
	if (!o->empty)
		ry_buf_putc(o->b, '\n');
	indent(o->b, o->depth);
	ry_buf_putc(o->b, '}');
}

/* cJSON 1.7's print_number: "%1.15g" when that reads back within one
 * DBL_EPSILON of the value (a relative test, so a few 15-digit texts that
 * do not read back exactly pass), else "%1.17g". */
void cli_json_text_number(ry_buf *b, double v)
{
	static locale_t c_numeric;
	char t[RY_DTOA_SIZE];
	int away;
	size_t n;
	if (!isfinite(v)) {
		ry_buf_put(b, "null", 4);
		return;
	}
	n = ry_dtoa_prec(v, 15, t, &away);
	/* the next double passes cJSON's test and any further one fails it,
	 * except where ry_dtoa_prec cannot say: there the text is parsed */
	if (away < 0) {
		double test, big;
		if (!c_numeric) /* the text has a '.', whatever LC_NUMERIC says */
			c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
		test = c_numeric ? strtod_l(t, NULL, c_numeric) : strtod(t, NULL);
		big = fabs(test) > fabs(v) ? fabs(test) : fabs(v);
		away = fabs(test - v) <= big * DBL_EPSILON ? 0 : 2;
	}
	if (away > 1)
		n = ry_dtoa_prec(v, 17, t, NULL);
	ry_buf_put(b, t, n);
}

/* cJSON's print_string_ptr: \" \\ \b \f \n \r \t, other bytes below 32 as
 * \u00xx, everything else as it is. */
void cli_json_text_string(ry_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p, *from;
	if (!s) {
		ry_buf_put(b, "null", 4);
		return;
	}
	ry_buf_putc(b, '"');
	for (p = from = (const unsigned char *)s; *p; p++) {
		char e;
		if (*p >= 32 && *p != '"' && *p != '\\')
			continue;
		ry_buf_put(b, from, (size_t)(p - from));
		from = p + 1;
		switch (*p) {
		case '"': e = '"'; break;
		case '\\': e = '\\'; break;
		case '\b': e = 'b'; break;
		case '\f': e = 'f'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\t': e = 't'; break;
		default: e = 0; break;
		}
		if (e) {
			char two[2] = { '\\', e };
			ry_buf_put(b, two, 2);
		} else {
			char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
			ry_buf_put(b, u, 6);
		}
	}
	ry_buf_put(b, from, (size_t)(p - from));
	ry_buf_putc(b, '"');
}

void cli_json_text_value(ry_buf *b, const char *s)
{
	double v;
	if (s && ry_parse_number(s, &v) && !strchr(s, ' '))
		cli_json_text_number(b, v);
	else
		cli_json_text_string(b, s);
}

static void text_time(cli_json_obj *o, const char *name, const char *iso_name, double ts)
{
	char buf[32];
	cli_json_obj_key(o, name);
	cli_json_text_number(o->b, ts > 0 ? ts : NAN);
	cli_json_obj_key(o, iso_name);
	if (!isfinite(ts) || ts <= 0) {
		ry_buf_put(o->b, "null", 4);
	} else {
		ry_format_time(ts, buf, sizeof buf);
		cli_json_text_string(o->b, buf);
	}
}

static void text_kv(cli_json_obj *parent, const ry_kv *kv, size_t n)
{
	cli_json_obj o;
	cli_json_obj_begin(&o, parent->b, parent->depth + 1);
	for (size_t i = 0; i < n; i++) {
		cli_json_obj_key(&o, kv[i].key);
		cli_json_text_value(o.b, kv[i].value);
	}
	cli_json_obj_end(&o);
}

struct cli_json_goal {
	int64_t experiment_id;
	char *key;
	int goal;
};

void cli_json_goals_free(cli_json_goals *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].key);
	free(g->v);
	g->v = NULL;
	g->n = g->cap = 0;
}

static int goal_of(cli_json_goals *g, ry_store *st, int64_t experiment_id, const char *key)
{
	struct cli_json_goal *e;
	if (!g)
		return ry_metric_goal_in(st, experiment_id, key);
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].experiment_id == experiment_id && !strcmp(g->v[i].key, key))
			return g->v[i].goal;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->v = ry_xrealloc(g->v, g->cap * sizeof *g->v);
	}
	e = &g->v[g->n++];
	e->experiment_id = experiment_id;
	e->key = ry_xstrdup(key);
	e->goal = ry_metric_goal_in(st, experiment_id, key);
	return e->goal;
}

/* {"KEY": {"last", "min", "max", "n", "last_step", "goal"}} into o. */
static void put_metrics(cli_json_obj *o, ry_store *st, int64_t experiment_id, const ry_metric_summary *m,
                        size_t nm, cli_json_goals *goals)
{
	for (size_t i = 0; i < nm; i++) {
		cli_json_obj s;
		cli_json_obj_key(o, m[i].key);
		cli_json_obj_begin(&s, o->b, o->depth + 1);
		cli_json_obj_key(&s, "last");
		cli_json_text_number(s.b, m[i].last);
		cli_json_obj_key(&s, "min");
		cli_json_text_number(s.b, m[i].min);
		cli_json_obj_key(&s, "max");
		cli_json_text_number(s.b, m[i].max);
		cli_json_obj_key(&s, "n");
		cli_json_text_number(s.b, (double)m[i].n);
		cli_json_obj_key(&s, "last_step");
		cli_json_text_number(s.b, (double)m[i].last_step);
		cli_json_obj_key(&s, "goal");
		cli_json_text_string(s.b, ry_metric_goal_name(goal_of(goals, st, experiment_id, m[i].key)));
		cli_json_obj_end(&s);
	}
}

static void put_string(cli_json_obj *o, const char *key, const char *s)
{
	cli_json_obj_key(o, key);
	cli_json_text_string(o->b, s);
}

static void put_number(cli_json_obj *o, const char *key, double v)
{
	cli_json_obj_key(o, key);
	cli_json_text_number(o->b, v);
}

void cli_json_run_members(cli_json_obj *o, ry_store *st, const ry_run *r, const ry_metric_summary *m,
                          size_t nm, double now, cli_json_goals *goals)
{
	cli_json_obj metrics;
	put_number(o, "id", (double)r->id);
	put_string(o, "uuid", r->uuid);
	put_string(o, "name", r->name);
	put_number(o, "experiment_id", (double)r->experiment_id);
	put_string(o, "experiment", r->experiment);
	put_string(o, "status", r->status);
	put_string(o, "command", r->command);
	put_string(o, "cwd", r->cwd);
	put_string(o, "host", r->host);
	put_string(o, "gpus", r->gpus);
	put_string(o, "source", r->source);
	put_string(o, "remote_dir", r->remote_dir);
	text_time(o, "created", "created_iso", r->created);
	text_time(o, "started", "started_iso", r->started);
	text_time(o, "ended", "ended_iso", r->ended);
	put_number(o, "duration", ry_run_duration(r, now));
	put_number(o, "time_limit", r->time_limit > 0 ? r->time_limit : NAN);
	put_number(o, "exit_code", r->has_exit_code ? r->exit_code : NAN);
	put_number(o, "cost", ry_run_cost(r, now));
	put_number(o, "cost_rate", r->cost_rate);
	cli_json_obj_key(o, "params");
	text_kv(o, r->params, r->nparams);
	cli_json_obj_key(o, "tags");
	text_kv(o, r->tags, r->ntags);
	cli_json_obj_key(o, "metrics");
	cli_json_obj_begin(&metrics, o->b, o->depth + 1);
	put_metrics(&metrics, st, r->experiment_id, m, nm, goals);
	cli_json_obj_end(&metrics);
}

/* The written text as a cJSON tree, for the commands that add to it (show,
 * compare, jobs): one shape, written in one place.  Parsing gives back the
 * numbers cJSON prints as the same text. */
static cJSON *parse_own(ry_buf *b)
{
	cJSON *doc;
	ry_buf_putc(b, '\0');
	doc = cJSON_Parse(b->ptr);
	ry_buf_free(b);
	if (!doc)
		ry_fatal("out of memory reading JSON back");
	return doc;
}

cJSON *cli_json_metrics(ry_store *st, int64_t experiment_id, const ry_metric_summary *m, size_t nm)
{
	ry_buf b = RY_BUF_INIT;
	cli_json_obj o;
	cli_json_obj_begin(&o, &b, 0);
	put_metrics(&o, st, experiment_id, m, nm, NULL);
	cli_json_obj_end(&o);
	return parse_own(&b);
}

cJSON *cli_json_run(ry_store *st, const ry_run *r, const ry_metric_summary *m, size_t nm, double now)
{
	ry_buf b = RY_BUF_INIT;
	cli_json_obj o;
	cli_json_obj_begin(&o, &b, 0);
	cli_json_run_members(&o, st, r, m, nm, now, NULL);
	cli_json_obj_end(&o);
	return parse_own(&b);
}
