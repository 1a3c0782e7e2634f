/*
 * The meta.yaml reader (yaml.h): a line scanner for the block mappings
 * yaml.safe_dump writes, with its three scalar styles and their line
 * folding.  It is not a YAML parser: every construct MLflow does not write
 * is an error naming the line, so a file we misread cannot pass for one we
 * understood.  Keys are kept in the order written, each with the index of
 * the mapping it belongs to.
 */
#include "plugins/mlflow/files/yaml.h"
#include "plugins/mlflow/mlflow.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { Y_NULL, Y_PLAIN, Y_QUOTED, Y_MAP, Y_SEQ };

typedef struct node {
	char *key;
	char *val;  /* Y_PLAIN, Y_QUOTED: decoded; else NULL */
	int kind;
	int parent; /* index of the Y_MAP node it is in, -1 top level */
} node;

struct mlf_yaml {
	node *v;
	size_t n, cap;
};

/* The scanner's state: the text, where it is, which line that is. */
typedef struct scan {
	const char *p, *end;
	int line;
	char *why;
} scan;

/* A growing string. */
typedef struct sbuf {
	char *s;
	size_t n, cap;
} sbuf;

static void sb_putc(sbuf *b, char c)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = mlf_xrealloc(b->s, b->cap);
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_putc(b, s[i]);
}

static char *sb_take(sbuf *b)
{
	return b->s ? b->s : mlf_xstrdup("");
}

/* Drop trailing blanks: YAML folds them away at a line break. */
static void sb_rtrim(sbuf *b)
{
	while (b->n > 0 && (b->s[b->n - 1] == ' ' || b->s[b->n - 1] == '\t'))
		b->s[--b->n] = '\0';
}

/* U+0085, U+2028, U+2029: line breaks to YAML 1.1, which PyYAML writes
 * raw inside a scalar and folds on reading.  Rare enough in run metadata
 * to refuse rather than mimic. */
static bool unicode_break(const char *p, const char *end)
{
	return (end - p >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0x85) ||
	       (end - p >= 3 && (unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
	        ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9));
}

static int fail(scan *s, const char *what)
{
	if (!s->why)
		s->why = mlf_xasprintf("line %d: %s", s->line, what);
	return -1;
}

/* ---- lines ------------------------------------------------------------ */

/* Does p start with lit, within the text?  (The text is len bytes, not a
 * C string: strncmp would read past its end.) */
static bool starts(const scan *s, const char *p, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(s->end - p) >= n && !memcmp(p, lit, n);
}

static const char *line_end(const scan *s, const char *p)
{
	const char *e = memchr(p, '\n', (size_t)(s->end - p));
	return e ? e : s->end;
}

/* Leading spaces of the line at p (a tab there is an error in YAML). */
static int indent_of(const scan *s, const char *p)
{
	int n = 0;
	while (p < s->end && *p == ' ')
		p++, n++;
	return n;
}

static bool blank_line(const scan *s, const char *p)
{
	const char *e = line_end(s, p);
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p == e;
}

static void next_line(scan *s)
{
	s->p = line_end(s, s->p);
	if (s->p < s->end) {
		s->p++;
		s->line++;
	}
}

/* After a scalar: only blanks or a comment may follow on its line. */
static int rest_of_line_empty(scan *s, const char *p)
{
	const char *e = line_end(s, p);
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p < e && *p != '#')
		return fail(s, "unexpected text after a value");
	return 0;
}

/* ---- scalars ----------------------------------------------------------- */

/* At a line break inside a quoted or plain scalar (s->p on the '\n'):
 * fold it -- one break becomes a space, each blank line a newline -- and
 * leave s->p on the next line's first character.  That line must be
 * indented deeper than the key (`indent`); otherwise the scalar has
 * ended, which for a quoted one is an error. */
static int fold_break(scan *s, sbuf *b, int indent, bool quoted)
{
	int blanks = 0;
	const char *p = s->p;
	sb_rtrim(b);
	for (;;) {
		p++; /* past the '\n' */
		s->line++;
		if (p >= s->end)
			return quoted ? fail(s, "unterminated quoted string") : 1;
		if (!blank_line(s, p))
			break;
		if (line_end(s, p) >= s->end)
			return quoted ? fail(s, "unterminated quoted string") : 1;
		blanks++;
		p = line_end(s, p);
	}
	if (indent_of(s, p) <= indent)
		return quoted ? fail(s, "unterminated quoted string") : 1;
	while (p < s->end && (*p == ' ' || *p == '\t'))
		p++;
	if (blanks == 0)
		sb_putc(b, ' ');
	for (int i = 0; i < blanks; i++)
		sb_putc(b, '\n');
	s->p = p;
	return 0;
}

static void put_utf8(sbuf *b, unsigned long c)
{
	if (c < 0x80) {
		sb_putc(b, (char)c);
	} else if (c < 0x800) {
		sb_putc(b, (char)(0xc0 | (c >> 6)));
		sb_putc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		sb_putc(b, (char)(0xe0 | (c >> 12)));
		sb_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		sb_putc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		sb_putc(b, (char)(0xf0 | (c >> 18)));
		sb_putc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		sb_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		sb_putc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/* One escape of a double-quoted scalar, s->p just past the backslash. */
static int escape(scan *s, sbuf *b)
{
	static const char simple[] = "0\0a\ab\bt\tn\nv\vf\fr\re\033 \040\"\"//\\\\";
	if (s->p >= s->end)
		return fail(s, "unterminated quoted string");
	char c = *s->p++;
	if (c == '\t') {
		sb_putc(b, '\t');
		return 0;
	}
	for (size_t i = 0; i + 1 < sizeof simple; i += 2)
		if (simple[i] == c) {
			sb_putc(b, simple[i + 1]);
			return 0;
		}
	int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
	unsigned long cp = c == 'N' ? 0x85 : c == '_' ? 0xa0 : c == 'L' ? 0x2028 : c == 'P' ? 0x2029 : 0;
	if (!digits && !cp)
		return fail(s, "unknown escape in a double-quoted string");
	for (int i = 0; i < digits; i++, s->p++) {
		char h = s->p < s->end ? *s->p : '\0';
		int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
		        h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
		if (d < 0)
			return fail(s, "bad hex digits in an escape");
		cp = cp * 16 + (unsigned long)d;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail(s, "escape is not a Unicode character");
	put_utf8(b, cp);
	return 0;
}

/* A quoted scalar, s->p on its opening quote; leaves s->p past the closing
 * one. */
static int quoted(scan *s, int indent, char **out)
{
	char q = *s->p++;
	sbuf b = { 0 };
	for (;;) {
		if (s->p >= s->end) {
			free(b.s);
			return fail(s, "unterminated quoted string");
		}
		char c = *s->p;
		if (c == q) {
			if (q == '\'' && s->p + 1 < s->end && s->p[1] == '\'') {
				sb_putc(&b, '\'');
				s->p += 2;
				continue;
			}
			s->p++;
			break;
		}
		if (c == '\n') {
			if (fold_break(s, &b, indent, true)) {
				free(b.s);
				return -1;
			}
			continue;
		}
		if (q == '"' && c == '\\') {
			s->p++;
			if (s->p < s->end && *s->p == '\n') {
				/* an escaped line break: joined as it is, without a space */
				s->p++;
				s->line++;
				if (s->p >= s->end || indent_of(s, s->p) <= indent) {
					free(b.s);
					return fail(s, "unterminated quoted string");
				}
				while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
					s->p++;
				continue;
			}
			if (escape(s, &b)) {
				free(b.s);
				return -1;
			}
			continue;
		}
		if (unicode_break(s->p, s->end)) {
			free(b.s);
			return fail(s, "a Unicode line separator inside a value (not read)");
		}
		sb_putc(&b, c);
		s->p++;
	}
	*out = sb_take(&b);
	return 0;
}

/* The text of a plain scalar on one line [p, e): up to a comment, without
 * trailing blanks. */
static size_t plain_len(const char *p, const char *e)
{
	const char *q = p;
	while (q < e && !(*q == '#' && q > p && (q[-1] == ' ' || q[-1] == '\t')))
		q++;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
		q--;
	return (size_t)(q - p);
}

static bool has_mapping_indicator(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == ':' && (i + 1 == n || p[i + 1] == ' '))
			return true;
	return false;
}

/* A plain scalar starting at s->p, continued on deeper-indented lines. */
static int plain(scan *s, int indent, char **out)
{
	sbuf b = { 0 };
	for (;;) {
		const char *e = line_end(s, s->p);
		size_t n = plain_len(s->p, e);
		for (size_t i = 0; i < n; i++)
			if (unicode_break(s->p + i, s->p + n)) {
				free(b.s);
				return fail(s, "a Unicode line separator inside a value (not read)");
			}
		if (has_mapping_indicator(s->p, n)) {
			free(b.s);
			return fail(s, "a mapping inside a plain value (not written by MLflow)");
		}
		sb_put(&b, s->p, n);
		/* a comment ends the scalar */
		if (n < (size_t)(e - s->p) && memchr(s->p + n, '#', (size_t)(e - s->p) - n)) {
			s->p = e;
			break;
		}
		s->p = e;
		if (s->p >= s->end)
			break;
		/* look ahead: does the next non-blank line continue it? */
		const char *save = s->p;
		int line = s->line;
		sbuf probe = b;
		probe.s = b.s ? mlf_xstrdup(b.s) : NULL;
		probe.cap = b.s ? b.n + 1 : 0;
		int rc = fold_break(s, &probe, indent, false);
		if (rc) {
			free(probe.s);
			s->p = save;
			s->line = line;
			break;
		}
		free(b.s);
		b = probe;
	}
	*out = sb_take(&b);
	return 0;
}

/* ---- the document ------------------------------------------------------- */

static void add(mlf_yaml *y, char *key, char *val, int kind, int parent)
{
	if (y->n == y->cap) {
		y->cap = y->cap ? y->cap * 2 : 32;
		y->v = mlf_xrealloc(y->v, y->cap * sizeof *y->v);
	}
	y->v[y->n++] = (node){ key, val, kind, parent };
}

/* A key at s->p up to its ':'; leaves s->p after the ':'. */
static int key(scan *s, char **out)
{
	const char *e = line_end(s, s->p);
	if (*s->p == '\'' || *s->p == '"') {
		if (quoted(s, -1, out))
			return -1;
		if (s->p >= e || *s->p != ':') {
			free(*out);
			*out = NULL;
			return fail(s, "expected ':' after a quoted key");
		}
		s->p++;
		return 0;
	}
	if (strchr("-?&*!|>[]{}%@`,", *s->p))
		return fail(s, *s->p == '-' ? "a sequence (not written by MLflow)"
		                            : "a YAML construct MLflow does not write");
	const char *p = s->p;
	while (p < e && !(*p == ':' && (p + 1 == e || p[1] == ' ' || p[1] == '\r')))
		p++;
	if (p == e)
		return fail(s, "expected 'key: value'");
	size_t n = (size_t)(p - s->p);
	while (n > 0 && s->p[n - 1] == ' ')
		n--;
	*out = mlf_xasprintf("%.*s", (int)n, s->p);
	s->p = p + 1;
	return 0;
}

/* The value after "key:" (s->p just after the colon).  *block is set
 * when a nested block mapping follows, which the caller then reads. */
static int value(scan *s, int indent, char **val, int *kind, bool *block)
{
	const char *e = line_end(s, s->p);
	while (s->p < e && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
	*val = NULL;
	if (s->p == e || *s->p == '#' || *s->p == '\r') {
		/* empty: a nested block if the next content line is deeper */
		const char *p = s->p < s->end ? line_end(s, s->p) : s->end;
		while (p < s->end && blank_line(s, p + 1) && line_end(s, p + 1) < s->end)
			p = line_end(s, p + 1);
		if (p < s->end && p + 1 < s->end) {
			int in = indent_of(s, p + 1);
			const char *c = p + 1 + in;
			if (c < s->end && *c == '-' && (c + 1 == s->end || c[1] == ' ' || c[1] == '\n') && in >= indent)
				return fail(s, "a sequence (not written by MLflow)");
			if (in > indent) {
				*kind = Y_MAP;
				*block = true;
				s->p = e;
				return 0;
			}
		}
		*kind = Y_NULL;
		s->p = e;
		return 0;
	}
	if (*s->p == '\'' || *s->p == '"') {
		*kind = Y_QUOTED;
		if (quoted(s, indent, val))
			return -1;
		if (rest_of_line_empty(s, s->p)) {
			free(*val);
			*val = NULL;
			return -1;
		}
		s->p = line_end(s, s->p);
		return 0;
	}
	if (starts(s, s->p, "[]") || starts(s, s->p, "{}")) {
		*kind = s->p[0] == '[' ? Y_SEQ : Y_MAP;
		s->p += 2;
		if (rest_of_line_empty(s, s->p))
			return -1;
		s->p = e;
		return 0;
	}
	if (strchr("[]{}&*!|>%@`,", *s->p) || (*s->p == '-' && s->p + 1 < e && s->p[1] == ' '))
		return fail(s, "a YAML construct MLflow does not write");
	if (plain(s, indent, val))
		return -1;
	*kind = Y_PLAIN;
	if (!strcmp(*val, "null") || !strcmp(*val, "~") || !strcmp(*val, "Null") || !strcmp(*val, "NULL")) {
		free(*val);
		*val = NULL;
		*kind = Y_NULL;
	}
	return 0;
}

int mlf_yaml_parse(mlf_yaml **out, const char *text, size_t len, char **why)
{
	mlf_yaml *y = mlf_xmalloc(sizeof *y);
	scan s = { text, text + len, 1, NULL };
	/* open mappings: their indentation and node index (-1: the document) */
	int ind[64], par[64], depth = 0;
	bool any = false;
	*y = (mlf_yaml){ 0 };
	*out = NULL;
	*why = NULL;
	ind[0] = 0;
	par[0] = -1;
	if (memchr(text, '\0', len))
		fail(&s, "a NUL byte (not a text file)");
	while (!s.why && s.p < s.end) {
		if (blank_line(&s, s.p) || s.p[indent_of(&s, s.p)] == '#') {
			next_line(&s);
			continue;
		}
		int in = indent_of(&s, s.p);
		if (s.p[in] == '\t') {
			fail(&s, "a tab in the indentation");
			break;
		}
		while (depth > 0 && in < ind[depth])
			depth--;
		if (in != ind[depth]) {
			fail(&s, depth == 0 && in > 0 ? "unexpected indentation" : "indentation does not match any key above");
			break;
		}
		s.p += in;
		if (!any && (starts(&s, s.p, "---") || starts(&s, s.p, "{}"))) {
			fail(&s, "a YAML construct MLflow does not write");
			break;
		}
		char *k = NULL, *v = NULL;
		int kind = Y_NULL;
		bool block = false;
		if (key(&s, &k) || value(&s, in, &v, &kind, &block)) {
			free(k);
			break;
		}
		for (size_t i = 0; i < y->n; i++)
			if (y->v[i].parent == par[depth] && !strcmp(y->v[i].key, k)) {
				fail(&s, "a key given twice");
				break;
			}
		if (s.why) {
			free(k);
			free(v);
			break;
		}
		add(y, k, v, kind, par[depth]);
		any = true;
		if (block) {
			/* the nested block: its indentation is its first line's */
			const char *p = s.p + 1;
			while (p < s.end && blank_line(&s, p))
				p = line_end(&s, p) + 1;
			if (p < s.end && indent_of(&s, p) > in) {
				if (depth + 1 >= (int)(sizeof ind / sizeof *ind)) {
					fail(&s, "mappings nested too deeply");
					break;
				}
				depth++;
				ind[depth] = indent_of(&s, p);
				par[depth] = (int)y->n - 1;
			}
		}
		next_line(&s);
	}
	if (!s.why && !any)
		fail(&s, "no 'key: value' lines (an empty file)");
	if (s.why) {
		*why = s.why;
		mlf_yaml_free(y);
		return -1;
	}
	*out = y;
	return 0;
}

void mlf_yaml_free(mlf_yaml *y)
{
	if (!y)
		return;
	for (size_t i = 0; i < y->n; i++) {
		free(y->v[i].key);
		free(y->v[i].val);
	}
	free(y->v);
	free(y);
}

static const node *find(const mlf_yaml *y, int parent, const char *key)
{
	for (size_t i = 0; i < y->n; i++)
		if (y->v[i].parent == parent && !strcmp(y->v[i].key, key))
			return &y->v[i];
	return NULL;
}

const char *mlf_yaml_str(const mlf_yaml *y, const char *key)
{
	const node *n = find(y, -1, key);
	return n && (n->kind == Y_PLAIN || n->kind == Y_QUOTED) ? n->val : NULL;
}

const char *mlf_yaml_nested(const mlf_yaml *y, const char *map, const char *key)
{
	const node *m = find(y, -1, map);
	if (!m || m->kind != Y_MAP)
		return NULL;
	const node *n = find(y, (int)(m - y->v), key);
	return n && (n->kind == Y_PLAIN || n->kind == Y_QUOTED) ? n->val : NULL;
}

int mlf_yaml_is_map(const mlf_yaml *y, const char *key)
{
	const node *n = find(y, -1, key);
	return n && n->kind == Y_MAP;
}

int mlf_yaml_int(const mlf_yaml *y, const char *key, int64_t *v)
{
	const node *n = find(y, -1, key);
	if (!n || n->kind == Y_NULL)
		return 1;
	if (n->kind != Y_PLAIN && n->kind != Y_QUOTED)
		return -1;
	char *end;
	errno = 0;
	long long x = strtoll(n->val, &end, 10);
	if (errno || end == n->val || *end)
		return -1;
	*v = x;
	return 0;
}
