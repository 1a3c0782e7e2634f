/*
 * The user's config file (INI-style, see config.h): parsed once into
 * sections of key/value entries kept in file order.  This module only reads
 * text; what a key means (prices, budgets, key bindings, patterns) is decided
 * by the module that asks for it.  It never writes the file.
 *
 * Syntax: `# ...` and `; ...` comment lines, `[section]` headers (inner
 * whitespace collapsed, so `[host  gpu1]` is "host gpu1"), `key = value`
 * lines (whitespace around both trimmed; a value wrapped in double quotes
 * loses them).  A repeated section continues the first; a repeated key
 * replaces the earlier value in place.
 */
#include "base/config.h"
#include "base/alloc.h"
#include "base/error.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key;
	char *value;
};

struct section {
	char *name;
	struct entry *e;
	size_t n, cap;
};

struct ry_config {
	struct section *s;
	size_t n, cap;
};

static struct section *find_section(const ry_config *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->s[i].name, name))
			return &c->s[i];
	return NULL;
}

static struct section *add_section(ry_config *c, const char *name)
{
	struct section *s = find_section(c, name);
	if (s)
		return s;
	c->s = ry_xgrow(c->s, &c->cap, c->n + 1, sizeof *c->s);
	s = &c->s[c->n++];
	memset(s, 0, sizeof *s);
	s->name = ry_xstrdup(name);
	return s;
}

static void set_entry(struct section *s, const char *key, const char *value)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(s->e[i].key, key)) {
			free(s->e[i].value);
			s->e[i].value = ry_xstrdup(value);
			return;
		}
	}
	s->e = ry_xgrow(s->e, &s->cap, s->n + 1, sizeof *s->e);
	s->e[s->n].key = ry_xstrdup(key);
	s->e[s->n].value = ry_xstrdup(value);
	s->n++;
}

/* Trim in place; returns the start of the trimmed text. */
static char *trim(char *s)
{
	char *end;
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* "[ host   gpu1 ]" -> "host gpu1" (written into out, same size as in). */
static void collapse_ws(char *out, const char *in)
{
	bool space = false;
	size_t n = 0;
	for (; *in; in++) {
		if (*in == ' ' || *in == '\t') {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = *in;
	}
	out[n] = '\0';
}

int ry_config_parse(ry_config **out, const char *text, const char *name)
{
	ry_config *c = ry_xcalloc(1, sizeof *c);
	struct section *cur = add_section(c, "");
	const char *p = text ? text : "";
	int lineno = 0, rc = 0;

	*out = NULL;
	if (!name)
		name = "config";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = ry_xstrndup(p, len), *t = trim(line);
		lineno++;
		p += len + (nl ? 1 : 0);
		if (*t == '\0' || *t == '#' || *t == ';') {
			free(line);
			continue;
		}
		if (*t == '[') {
			char *close = strchr(t, ']');
			char *rest = close ? trim(close + 1) : NULL;
			if (!close || (*rest && *rest != '#' && *rest != ';')) {
				free(line);
				rc = ry_error_set(RY_EINVAL, "%s:%d: a section header must look like [name] or "
				                  "[host NAME]; fix or remove the line", name, lineno);
				break;
			}
			*close = '\0';
			collapse_ws(t, t + 1);
			if (!*t) {
				free(line);
				rc = ry_error_set(RY_EINVAL, "%s:%d: empty section name []; give it a name", name, lineno);
				break;
			}
			cur = add_section(c, t);
			free(line);
			continue;
		}
		char *eq = strchr(t, '=');
		if (!eq) {
			free(line);
			rc = ry_error_set(RY_EINVAL, "%s:%d: expected 'key = value' or '[section]'; fix or "
			                  "comment out the line with #", name, lineno);
			break;
		}
		*eq = '\0';
		char *key = trim(t), *val = trim(eq + 1);
		size_t vl = strlen(val);
		if (!*key) {
			free(line);
			rc = ry_error_set(RY_EINVAL, "%s:%d: a value without a key; write 'key = value'", name, lineno);
			break;
		}
		for (char *k = key; *k; k++) {
			if (isspace((unsigned char)*k)) {
				rc = ry_error_set(RY_EINVAL, "%s:%d: key '%s' contains a space; keys are single words",
				                  name, lineno, key);
				break;
			}
		}
		if (rc) {
			free(line);
			break;
		}
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		set_entry(cur, key, val);
		free(line);
	}
	if (rc) {
		ry_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

char *ry_config_default_path(void)
{
	const char *env = getenv("RUNYARD_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (env && *env)
		return ry_xstrdup(env);
	if (xdg && *xdg == '/')
		return ry_xasprintf("%s/runyard/config", xdg);
	return ry_xasprintf("%s/.config/runyard/config", home && *home ? home : "/tmp");
}

int ry_config_load(ry_config **out, const char *path)
{
	char *owned = NULL, *text;
	bool explicit_path = path != NULL || (getenv("RUNYARD_CONFIG") && *getenv("RUNYARD_CONFIG"));
	FILE *f;
	long size;
	int rc;

	*out = NULL;
	if (!path)
		path = owned = ry_config_default_path();
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT && !explicit_path) {
			free(owned);
			return ry_config_parse(out, "", "config");
		}
		rc = ry_error_set(errno == ENOENT ? RY_ENOTFOUND : RY_EIO, "cannot read config file %s: %s",
		                  path, strerror(errno));
		free(owned);
		return rc;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    size > 16L * 1024 * 1024) {
		fclose(f);
		rc = ry_error_set(RY_EIO, "cannot read config file %s (not a regular file, or over 16 MiB)", path);
		free(owned);
		return rc;
	}
	text = ry_xmalloc((size_t)size + 1);
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(text);
		rc = ry_error_set(RY_EIO, "cannot read config file %s", path);
		free(owned);
		return rc;
	}
	fclose(f);
	text[size] = '\0';
	if (strlen(text) != (size_t)size)
		rc = ry_error_set(RY_EINVAL, "config file %s contains NUL bytes; is it a text file?", path);
	else
		rc = ry_config_parse(out, text, path);
	free(text);
	free(owned);
	return rc;
}

void ry_config_free(ry_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->s[i].n; j++) {
			free(c->s[i].e[j].key);
			free(c->s[i].e[j].value);
		}
		free(c->s[i].e);
		free(c->s[i].name);
	}
	free(c->s);
	free(c);
}

const char *ry_config_get(const ry_config *c, const char *section, const char *key)
{
	struct section *s = find_section(c, section ? section : "");
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->e[i].key, key))
			return s->e[i].value;
	return NULL;
}

size_t ry_config_nsections(const ry_config *c)
{
	return c ? c->n : 0;
}

const char *ry_config_section(const ry_config *c, size_t i)
{
	return c && i < c->n ? c->s[i].name : NULL;
}

size_t ry_config_nentries(const ry_config *c, const char *section)
{
	struct section *s = find_section(c, section ? section : "");
	return s ? s->n : 0;
}

void ry_config_entry(const ry_config *c, const char *section, size_t i, const char **key, const char **value)
{
	struct section *s = find_section(c, section ? section : "");
	*key = *value = NULL;
	if (s && i < s->n) {
		*key = s->e[i].key;
		*value = s->e[i].value;
	}
}
