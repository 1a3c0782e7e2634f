/*
 * Saved views (view.h): a view's text form and where it is kept.  Named
 * views are workspace settings `view.NAME`, listed in the setting `views`
 * (one name a line: the settings API has no key listing); an experiment's
 * automatic view is its experiment setting `view`, the one of every
 * experiment the workspace setting `tui.view`.
 */
#include "query/view.h"
#include "runs/run.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_KEY "views"

static void set(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? ry_xstrdup(s) : NULL;
}

void ry_view_clear(ry_view *v)
{
	static const ry_view init = RY_VIEW_INIT;
	if (!v)
		return;
	free(v->filter);
	free(v->sort);
	free(v->columns);
	free(v->group);
	free(v->x_axis);
	free(v->metric);
	free(v->metrics);
	*v = init;
}

void ry_view_copy(ry_view *dst, const ry_view *src)
{
	ry_view_clear(dst);
	set(&dst->filter, src->filter);
	set(&dst->sort, src->sort);
	set(&dst->columns, src->columns);
	set(&dst->group, src->group);
	dst->median = src->median;
	set(&dst->x_axis, src->x_axis);
	dst->grid = src->grid;
	set(&dst->metric, src->metric);
	set(&dst->metrics, src->metrics);
}

static void put(ry_buf *b, const char *key, const char *value)
{
	if (!value)
		return;
	ry_buf_printf(b, "%s ", key);
	for (const char *s = value; *s; s++) {
		if (*s == '\n')
			ry_buf_puts(b, "\\n");
		else if (*s == '\\')
			ry_buf_puts(b, "\\\\");
		else
			ry_buf_putc(b, *s);
	}
	ry_buf_putc(b, '\n');
}

char *ry_view_encode(const ry_view *v)
{
	ry_buf b = RY_BUF_INIT;
	put(&b, "filter", v->filter);
	put(&b, "sort", v->sort);
	put(&b, "columns", v->columns);
	put(&b, "group", v->group);
	if (v->group && v->median)
		put(&b, "stat", "median");
	put(&b, "x", v->x_axis);
	if (v->grid >= 0)
		put(&b, "grid", v->grid ? "1" : "0");
	put(&b, "metric", v->metric);
	put(&b, "metrics", v->metrics);
	char *text = ry_buf_detach(&b);
	return text ? text : ry_xstrdup(""); /* an empty view is "", not NULL */
}

void ry_view_decode(ry_view *v, const char *text)
{
	ry_view_clear(v);
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n'), *sp;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		ry_buf val = RY_BUF_INIT;
		char key[16];
		sp = memchr(line, ' ', len);
		if (sp && (size_t)(sp - line) < sizeof key) {
			memcpy(key, line, (size_t)(sp - line));
			key[sp - line] = '\0';
			for (const char *s = sp + 1; s < line + len; s++) {
				if (*s == '\\' && s + 1 < line + len) {
					s++;
					ry_buf_putc(&val, *s == 'n' ? '\n' : *s);
				} else {
					ry_buf_putc(&val, *s);
				}
			}
			const char *s = ry_buf_cstr(&val);
			if (!strcmp(key, "filter"))
				set(&v->filter, s);
			else if (!strcmp(key, "sort"))
				set(&v->sort, s);
			else if (!strcmp(key, "columns"))
				set(&v->columns, s);
			else if (!strcmp(key, "group"))
				set(&v->group, s);
			else if (!strcmp(key, "stat"))
				v->median = !strcmp(s, "median");
			else if (!strcmp(key, "x"))
				set(&v->x_axis, s);
			else if (!strcmp(key, "grid"))
				v->grid = !strcmp(s, "1");
			else if (!strcmp(key, "metric"))
				set(&v->metric, s);
			else if (!strcmp(key, "metrics"))
				set(&v->metrics, s);
		}
		ry_buf_free(&val);
		line = end ? end + 1 : line + len;
	}
}

bool ry_view_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n >= 1 && n <= 64 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

static int bad_name(const char *name)
{
	return ry_error_set(RY_EINVAL, "view name '%s': 1 to 64 letters, digits, - _ or .", name ? name : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ry_view_list(ry_store *st, char ***names, size_t *n)
{
	char *idx = ry_store_setting_get(st, INDEX_KEY), *save = NULL;
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	for (char *t = idx ? strtok_r(idx, "\n", &save) : NULL; t; t = strtok_r(NULL, "\n", &save)) {
		*names = ry_xgrow(*names, &cap, *n + 1, sizeof **names);
		(*names)[(*n)++] = ry_xstrdup(t);
	}
	free(idx);
	if (*n)
		qsort(*names, *n, sizeof **names, cmp_str);
	return 0;
}

/* Write the index with name added (add) or taken out. */
static int index_update(ry_store *st, const char *name, bool add)
{
	char **names;
	size_t n;
	bool found = false;
	ry_buf b = RY_BUF_INIT;
	int rc;
	ry_view_list(st, &names, &n);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(names[i], name)) {
			found = true;
			if (!add)
				continue;
		}
		ry_buf_printf(&b, "%s\n", names[i]);
	}
	if (add && !found)
		ry_buf_printf(&b, "%s\n", name);
	rc = ry_store_setting_set(st, INDEX_KEY, b.len ? ry_buf_cstr(&b) : NULL);
	ry_buf_free(&b);
	ry_strings_free(names, n);
	return rc;
}

int ry_view_save(ry_store *st, const char *name, const ry_view *v)
{
	char *key, *text;
	int rc;
	if (!ry_view_name_ok(name))
		return bad_name(name);
	key = ry_xasprintf("view.%s", name);
	text = ry_view_encode(v);
	if ((rc = ry_store_begin(st)) == 0) {
		if ((rc = ry_store_setting_set(st, key, text)) == 0 && (rc = index_update(st, name, true)) == 0)
			rc = ry_store_commit(st);
		else
			ry_store_rollback(st);
	}
	free(text);
	free(key);
	return rc;
}

static int not_found(ry_store *st, const char *name)
{
	char **names;
	size_t n;
	ry_buf b = RY_BUF_INIT;
	int rc;
	ry_view_list(st, &names, &n);
	for (size_t i = 0; i < n; i++)
		ry_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	rc = ry_error_set(RY_ENOTFOUND, "no saved view '%s' (%s%s)", name, n ? "saved: " : "none saved yet",
	                  ry_buf_cstr(&b));
	ry_buf_free(&b);
	ry_strings_free(names, n);
	return rc;
}

int ry_view_load(ry_store *st, const char *name, ry_view *out)
{
	char *key, *text;
	ry_view_clear(out);
	if (!ry_view_name_ok(name))
		return bad_name(name);
	key = ry_xasprintf("view.%s", name);
	text = ry_store_setting_get(st, key);
	free(key);
	if (!text)
		return not_found(st, name);
	ry_view_decode(out, text);
	free(text);
	return 0;
}

int ry_view_delete(ry_store *st, const char *name)
{
	char *key, *text;
	int rc;
	if (!ry_view_name_ok(name))
		return bad_name(name);
	key = ry_xasprintf("view.%s", name);
	text = ry_store_setting_get(st, key);
	if (!text) {
		free(key);
		return not_found(st, name);
	}
	free(text);
	if ((rc = ry_store_begin(st)) == 0) {
		if ((rc = ry_store_setting_set(st, key, NULL)) == 0 && (rc = index_update(st, name, false)) == 0)
			rc = ry_store_commit(st);
		else
			ry_store_rollback(st);
	}
	free(key);
	return rc;
}

int ry_view_save_auto(ry_store *st, int64_t experiment_id, const ry_view *v)
{
	char *text = ry_view_encode(v);
	int rc = experiment_id > 0 ? ry_experiment_setting_set(st, experiment_id, "view", text)
	                           : ry_store_setting_set(st, "tui.view", text);
	free(text);
	return rc;
}

int ry_view_load_auto(ry_store *st, int64_t experiment_id, ry_view *out)
{
	char *text = experiment_id > 0 ? ry_experiment_setting_get(st, experiment_id, "view")
	                               : ry_store_setting_get(st, "tui.view");
	ry_view_clear(out);
	if (!text)
		return RY_ENOTFOUND;
	ry_view_decode(out, text);
	free(text);
	return 0;
}

int64_t ry_view_load_experiment(ry_store *st)
{
	char *text = ry_store_setting_get(st, "tui.experiment"), *end = NULL;
	long long id = text ? strtoll(text, &end, 10) : 0;
	if (!text || end == text || *end || id < 0)
		id = 0;
	free(text);
	return (int64_t)id;
}

int ry_view_save_experiment(ry_store *st, int64_t experiment_id)
{
	char num[32];
	if (experiment_id <= 0)
		return ry_store_setting_set(st, "tui.experiment", NULL);
	snprintf(num, sizeof num, "%lld", (long long)experiment_id);
	return ry_store_setting_set(st, "tui.experiment", num);
}
