/*
 * Metric ingest: turns a run's log text and JSON lines into metric points
 * and hands them to a metrics writer in batches (the rules are in ingest.h).
 * It splits the stream into lines, applies redraws (\r, backspaces) and
 * strips escapes, gives each line to the scanner (metrics/scan.c) and the
 * user's patterns, chooses each point's step, drops repeated points, and
 * keeps the state a resumed ingest needs.  It does not know where bytes
 * come from (pipes, files, SSH) nor when to flush; the caller decides both.
 */
#include "metrics/ingest.h"
#include "metrics/ingest_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/dtoa.h"
#include "base/term.h"
#include "base/error.h"
#include "metrics/metrics.h"
#include "runs/run.h"
#include "base/util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEY RY_INGEST__MAX_KEY
#define MAX_SCALARS 64

/* ---- user patterns ---------------------------------------------------- */

struct named_group {
	int group;
	char *name;
};

struct pattern {
	char *label;
	regex_t re;
	size_t ngroups;
	int key_g, value_g, step_g; /* 0: none */
	struct named_group *named;  /* other names: metric = that name */
	size_t nnamed;
};

static void pattern_free(struct pattern *p)
{
	regfree(&p->re);
	for (size_t i = 0; i < p->nnamed; i++)
		free(p->named[i].name);
	free(p->named);
	free(p->label);
}

/* Turn (?<name>...) into (...), remembering which group had which name. */
static int translate_regex(struct pattern *p, const char *src, ry_buf *out)
{
	bool in_bracket = false;
	int group = 0;
	size_t cap = 0;
	for (const char *s = src; *s; s++) {
		if (in_bracket) {
			ry_buf_putc(out, *s);
			if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
				char close = s[1];
				const char *e = s + 2;
				while (*e && !(e[0] == close && e[1] == ']'))
					e++;
				if (*e) {
					ry_buf_put(out, s + 1, (size_t)(e + 1 - s));
					s = e + 1;
				}
			} else if (*s == ']') {
				in_bracket = false;
			}
			continue;
		}
		if (*s == '\\' && s[1]) {
			ry_buf_put(out, s, 2);
			s++;
			continue;
		}
		if (*s == '[') {
			ry_buf_putc(out, '[');
			in_bracket = true;
			if (s[1] == '^')
				ry_buf_putc(out, *++s);
			if (s[1] == ']')
				ry_buf_putc(out, *++s);
			continue;
		}
		if (*s == '(') {
			group++;
			ry_buf_putc(out, '(');
			if (s[1] == '?') {
				const char *n0 = s + 3, *n1 = n0;
				if (s[2] != '<')
					return ry_error_set(RY_EINVAL, "pattern '%s': '(?%c' is not POSIX regex syntax; "
					                    "use plain groups or (?<name>...)", p->label, s[2] ? s[2] : ' ');
				while (*n1 && (isalnum((unsigned char)*n1) || strchr("_./-", *n1)))
					n1++;
				if (*n1 != '>' || n1 == n0)
					return ry_error_set(RY_EINVAL, "pattern '%s': bad group name after '(?<'; "
					                    "write (?<name>...) with a name of letters, digits or _",
					                    p->label);
				size_t nl = (size_t)(n1 - n0);
				if (nl == 3 && !strncmp(n0, "key", 3))
					p->key_g = group;
				else if (nl == 5 && !strncmp(n0, "value", 5))
					p->value_g = group;
				else if (nl == 4 && !strncmp(n0, "step", 4))
					p->step_g = group;
				else {
					p->named = ry_xgrow(p->named, &cap, p->nnamed + 1, sizeof *p->named);
					p->named[p->nnamed].group = group;
					p->named[p->nnamed].name = ry_xstrndup(n0, nl);
					p->nnamed++;
				}
				s = n1;
			}
			continue;
		}
		ry_buf_putc(out, *s);
	}
	return 0;
}

static int pattern_compile(struct pattern *p, const char *label, const char *regex)
{
	ry_buf re = RY_BUF_INIT;
	int rc;
	memset(p, 0, sizeof *p);
	p->label = ry_xstrdup(label);
	if ((rc = translate_regex(p, regex, &re))) {
		ry_buf_free(&re);
		free(p->label);
		for (size_t i = 0; i < p->nnamed; i++)
			free(p->named[i].name);
		free(p->named);
		return rc;
	}
	int erc = regcomp(&p->re, ry_buf_cstr(&re), REG_EXTENDED);
	ry_buf_free(&re);
	if (erc) {
		char msg[256];
		regerror(erc, &p->re, msg, sizeof msg);
		rc = ry_error_set(RY_EINVAL, "pattern '%s': %s; fix the regex (POSIX extended syntax)", label, msg);
		free(p->label);
		for (size_t i = 0; i < p->nnamed; i++)
			free(p->named[i].name);
		free(p->named);
		return rc;
	}
	p->ngroups = p->re.re_nsub;
	if (!p->key_g && !p->value_g && !p->nnamed) {
		if (p->ngroups < 1) {
			pattern_free(p);
			return ry_error_set(RY_EINVAL, "pattern '%s' has no group for the value; "
			                    "put the number in parentheses, e.g. loss = Loss is ([0-9.eE+-]+)", label);
		}
		p->value_g = 1;
	}
	if (p->key_g && !p->value_g) {
		pattern_free(p);
		return ry_error_set(RY_EINVAL, "pattern '%s' names a (?<key>...) group but no (?<value>...) group",
		                    label);
	}
	return 0;
}

/* Parse "NAME = REGEX" lines into patterns; *builtin_off for "builtin = off". */
static int patterns_parse(const char *text, struct pattern **out, size_t *n, bool *builtin_off)
{
	size_t cap = 0;
	int rc = 0;
	*out = NULL;
	*n = 0;
	*builtin_off = false;
	if (!text)
		return 0;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *l = ry_xstrndup(line, len), *eq, *name, *re, *e;
		line += len + (nl ? 1 : 0);
		name = l;
		while (isspace((unsigned char)*name))
			name++;
		if (!*name || *name == '#') {
			free(l);
			continue;
		}
		if (!(eq = strchr(name, '='))) {
			rc = ry_error_set(RY_EINVAL, "pattern line '%s' has no '='; write NAME = REGEX", name);
			free(l);
			break;
		}
		re = eq + 1;
		for (e = eq; e > name && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		while (isspace((unsigned char)*re))
			re++;
		for (e = re + strlen(re); e > re && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		if (!*name || !*re) {
			rc = ry_error_set(RY_EINVAL, "pattern line needs a name and a regex: NAME = REGEX");
			free(l);
			break;
		}
		if (!strcmp(name, "builtin")) {
			*builtin_off = !strcmp(re, "off") || !strcmp(re, "false") || !strcmp(re, "no");
			free(l);
			continue;
		}
		*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
		if ((rc = pattern_compile(&(*out)[*n], name, re))) {
			free(l);
			break;
		}
		(*n)++;
		free(l);
	}
	if (rc) {
		for (size_t i = 0; i < *n; i++)
			pattern_free(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int ry_ingest_check_patterns(const char *patterns)
{
	struct pattern *p;
	size_t n;
	bool off;
	int rc = patterns_parse(patterns, &p, &n, &off);
	for (size_t i = 0; i < n; i++)
		pattern_free(&p[i]);
	free(p);
	return rc;
}

/* ---- per-key state ---------------------------------------------------- */

/* A key's last points from log text: a summary that prints an earlier
 * step again (LightGBM's "Best iteration is: [90] ...") repeats one. */
#define KEY_HISTORY 32
#define RECENT_KEYS 256 /* key_slot's 8 bits */

struct keyent {
	char *key;      /* NULL: empty slot */
	size_t keylen;
	uint32_t hash;
	int64_t last;   /* last step given to this key; -1 none */
	double lastval; /* its value: the same point printed again is dropped */
	bool json;      /* arrived through JSONL: log capture leaves it alone */
	unsigned back;  /* the ingest's ctx_back when this key last got a point */
	signed char metric; /* from a scanned pair: 1 a metric, -1 not (its key
	                     * names a count, id, time or a sentence), 0 not
	                     * judged yet; judged once, not on every line */
	unsigned nhist; /* points recorded, the last KEY_HISTORY of them in hist */
	struct point_seen {
		int64_t step;
		double value;
	} *hist;        /* KEY_HISTORY entries, from the first log point; out of
	                 * line, so that probing the map stays in cache */
};

struct keymap {
	struct keyent *v;
	size_t cap, n; /* cap is a power of two */
	unsigned gen;  /* counts growths: entries move, pointers to them go stale */
};

static uint32_t hash_key(const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

static struct keyent *keymap_get(struct keymap *m, const char *k, size_t n)
{
	uint32_t h = hash_key(k, n);
	if (m->n * 2 >= m->cap) {
		struct keymap g = { ry_xcalloc(m->cap ? m->cap * 2 : 64, sizeof(struct keyent)),
		                    m->cap ? m->cap * 2 : 64, m->n, m->gen + 1 };
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->v[i].key)
				continue;
			size_t j = m->v[i].hash & (g.cap - 1);
			while (g.v[j].key)
				j = (j + 1) & (g.cap - 1);
			g.v[j] = m->v[i];
		}
		free(m->v);
		*m = g;
	}
	size_t j = h & (m->cap - 1);
	while (m->v[j].key) {
		if (m->v[j].hash == h && m->v[j].keylen == n && !memcmp(m->v[j].key, k, n))
			return &m->v[j];
		j = (j + 1) & (m->cap - 1);
	}
	m->v[j].key = ry_xstrndup(k, n);
	m->v[j].keylen = n;
	m->v[j].hash = h;
	m->v[j].last = -1;
	m->v[j].lastval = NAN;
	m->v[j].json = false;
	m->v[j].nhist = 0;
	m->v[j].metric = 0;
	m->v[j].back = 0;
	m->v[j].hist = NULL;
	m->n++;
	return &m->v[j];
}

static void keymap_free(struct keymap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->v[i].key);
		free(m->v[i].hist);
	}
	free(m->v);
}

/* ---- the ingest object ------------------------------------------------ */

struct pending_param {
	char *key, *value;
};

struct ry_ingest {
	ry_store *st;
	int64_t run_id;
	ry_metrics_writer *w;
	ry_ingest_point_fn on_point;
	ry_ingest_param_fn on_param;
	void *payload;
	bool builtin;             /* built-in scanner on */
	struct pattern *pats;
	size_t npats;
	ry_buf logbuf, jbuf;      /* partial lines */
	ry_buf plain;             /* a line with escape sequences removed */
	ry_buf render, pendseg;   /* a line with backspaces applied; a redraw held back */
	ry_ingest__table table;   /* the header row in force (metrics/table.c) */
	ry_scalar sc[MAX_SCALARS]; /* the pairs of the line being read */
	struct keyent *recent[RECENT_KEYS]; /* keys met lately, by key_slot: a log */
	unsigned recent_gen;                /* repeats a few; valid while keys.gen is this */
	bool log_skip, j_skip;    /* inside an over-long line: drop to newline */
	bool log_plain;           /* the current log feed holds no \r and no ESC */
	struct keymap keys;
	bool has_ctx;             /* a step seen on an earlier log line */
	int64_t ctx;
	unsigned ctx_back;        /* counts the times ctx went back (a second fit) */
	double now;               /* timestamp for log points of this feed */
	int64_t points, malformed, malformed_stored;
	struct pending_param *params;
	size_t nparams, capparams;
	int err;                  /* first writer error, reported by flush */
	bool keep;                /* resumable: store offsets and state */
	bool scalars;             /* the capture settings as given, for the state */
	char *patterns;
	int64_t log_fed, met_fed; /* file offsets just past the bytes fed */
	int64_t log_stored, met_stored;
	char *state_stored;       /* runs.ingest_state as last stored */
};

int ry_ingest_new(ry_ingest **out, ry_store *st, int64_t run_id, const ry_ingest_options *o)
{
	ry_ingest_options def = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in;
	bool off = false;
	int rc;

	*out = NULL;
	if (!o)
		o = &def;
	ry_ingest__scan_init();
	in = ry_xcalloc(1, sizeof *in);
	in->st = st;
	in->run_id = run_id;
	in->on_point = o->on_point;
	in->on_param = o->on_param;
	in->payload = o->payload;
	in->keep = o->keep_offsets && !o->on_point;
	in->scalars = o->scalars;
	in->patterns = o->patterns ? ry_xstrdup(o->patterns) : NULL;
	if (o->scalars && (rc = patterns_parse(o->patterns, &in->pats, &in->npats, &off))) {
		free(in->patterns);
		free(in);
		return rc;
	}
	in->builtin = o->scalars && !off;
	if (!in->on_point) {
		if (!st) {
			ry_ingest_free(in);
			return ry_error_set(RY_ERROR, "internal: ingest needs a workspace or a point callback");
		}
		if ((rc = ry_metrics_writer_new(&in->w, st))) {
			ry_ingest_free(in);
			return rc;
		}
	}
	*out = in;
	return 0;
}

void ry_ingest_free(ry_ingest *in)
{
	if (!in)
		return;
	ry_metrics_writer_free(in->w);
	for (size_t i = 0; i < in->npats; i++)
		pattern_free(&in->pats[i]);
	free(in->pats);
	ry_buf_free(&in->logbuf);
	ry_buf_free(&in->jbuf);
	ry_buf_free(&in->plain);
	ry_buf_free(&in->render);
	ry_buf_free(&in->pendseg);
	keymap_free(&in->keys);
	for (size_t i = 0; i < in->nparams; i++) {
		free(in->params[i].key);
		free(in->params[i].value);
	}
	free(in->params);
	free(in->patterns);
	free(in->state_stored);
	free(in);
}

int64_t ry_ingest_points(const ry_ingest *in)
{
	return in->points;
}

int64_t ry_ingest_malformed(const ry_ingest *in)
{
	return in->malformed;
}

static void emit(ry_ingest *in, const char *key, int64_t step, double ts, double value)
{
	in->points++;
	if (in->on_point) {
		in->on_point(in->payload, key, step, ts, value);
		return;
	}
	int rc = ry_metrics_append(in->w, in->run_id, key, step, ts, value);
	if (rc && !in->err)
		in->err = rc;
}

/* Was (step, v) one of e's last points? */
static bool recorded_before(const struct keyent *e, int64_t step, double v)
{
	unsigned n = e->nhist < KEY_HISTORY ? e->nhist : KEY_HISTORY;
	for (unsigned i = 0; i < n; i++)
		if (e->hist[i].step == step && e->hist[i].value == v)
			return true;
	return false;
}

/* A point from log text: choose its step, skip keys owned by JSONL, and
 * drop the same point printed again (a logger with two handlers, a summary
 * line repeating a progress line or an earlier step).  Without a step of
 * its own a point takes the step the log last printed when that is ahead of
 * the key, or went back since the key's last point (a second fit prints
 * epoch 1 again); else the key's last step + 1.  On a progress bar (bar) a
 * value the key already had is the bar's postfix showing the last logged
 * value again (Lightning's val_loss during the next epoch), not a point. */
/* Where key k (kl > 0 bytes) sits in the cache of recent keys: its length,
 * first, middle and last bytes mixed (Fibonacci hashing), not a hash of
 * every byte.  The cache was by the pair's
 * place on its line, which missed on every line when line shapes alternate
 * ("loss=.. acc=.." then Keras's "loss: .. - accuracy: .."). */
static inline unsigned key_slot(const char *k, size_t kl)
{
	uint32_t x = (uint32_t)(kl & 0xff) | (uint32_t)(unsigned char)k[0] << 8 |
	             (uint32_t)(unsigned char)k[kl / 2] << 16 | (uint32_t)(unsigned char)k[kl - 1] << 24;
	return (x * 2654435761u) >> 24;
}

/* memcmp(a, b, n) == 0 for a key's few bytes, in words: the cache is
 * checked for every point, and a libc call cost more than the compare.
 * The last word read overlaps the one before rather than read past n. */
static inline bool same_key(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, v;
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return false;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return false;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* The key of a pair (slot < 0: not a scanned pair). */
static struct keyent *key_at(ry_ingest *in, int slot, const char *k, size_t kl)
{
	struct keyent *e;
	if (slot < 0 || !kl)
		return keymap_get(&in->keys, k, kl);
	slot = (int)key_slot(k, kl);
	if (in->recent_gen == in->keys.gen && (e = in->recent[slot]) && e->keylen == kl && same_key(e->key, k, kl))
		return e;
	e = keymap_get(&in->keys, k, kl);
	if (in->recent_gen != in->keys.gen) {
		memset(in->recent, 0, sizeof in->recent);
		in->recent_gen = in->keys.gen;
	}
	in->recent[slot] = e;
	return e;
}

/* Inlined into line_points, which calls it for every scanned pair: the
 * nine arguments' moves and the saves and restores of the call were a
 * fifth of its cost.  log_point is the out-of-line entry for the rest. */
static inline __attribute__((always_inline)) void log_point_inline(ry_ingest *in, int slot, const char *k, size_t kl,
                                                                    bool has_step, int64_t step, double v, bool bar,
                                                                    const ry_scalar *judge)
{
	struct keyent *e = key_at(in, slot, k, kl);
	if (e->json)
		return;
	if (judge) {
		if (!e->metric)
			e->metric = ry_ingest__pair_is_metric(judge) ? 1 : -1;
		if (e->metric < 0)
			return;
	}
	if (!has_step) {
		if (in->has_ctx && e->last == in->ctx && e->lastval == v)
			return;
		/* a key printed twice under one step goes on to the next; a step
		 * printed again (ctx went back since the key's last point) is
		 * that step */
		step = in->has_ctx && (e->last < in->ctx || e->back != in->ctx_back) ? in->ctx : e->last + 1;
	} else if (e->last == step && e->lastval == v) {
		return;
	}
	if (step < e->last && recorded_before(e, step, v))
		return;
	if (bar && e->nhist && step != e->last && e->lastval == v)
		return;
	e->last = step;
	e->lastval = v;
	e->back = in->ctx_back;
	if (!e->hist)
		e->hist = ry_xcalloc(KEY_HISTORY, sizeof *e->hist);
	e->hist[e->nhist % KEY_HISTORY].step = step;
	e->hist[e->nhist % KEY_HISTORY].value = v;
	e->nhist++;
	emit(in, e->key, step, in->now, v); /* the map's copy is NUL-terminated */
}

static void log_point(ry_ingest *in, int slot, const char *k, size_t kl, bool has_step, int64_t step, double v,
                      bool bar, const ry_scalar *judge)
{
	log_point_inline(in, slot, k, kl, has_step, step, v, bar, judge);
}

/* A scanned pair's key: "group key_unit" ("Cosine-Similarity Pearson",
 * "time_ms"), in key or (most pairs: neither) lent from the line; NULL
 * when it would be longer than a key may be. */
static const char *scalar_key(const ry_scalar *sc, char *key, size_t *kl)
{
	size_t n = 0;
	if (!sc->grouplen && !sc->unitlen) {
		*kl = sc->keylen;
		return sc->key;
	}
	if (sc->grouplen + 1 + sc->keylen + 1 + sc->unitlen > MAX_KEY)
		return NULL;
	if (sc->grouplen) {
		memcpy(key, sc->group, sc->grouplen);
		key[sc->grouplen] = ' ';
		n = sc->grouplen + 1;
	}
	memcpy(key + n, sc->key, sc->keylen);
	n += sc->keylen;
	if (sc->unitlen) {
		key[n++] = '_';
		memcpy(key + n, sc->unit, sc->unitlen);
		n += sc->unitlen;
	}
	*kl = n;
	return key;
}

static void run_patterns(ry_ingest *in, const char *s, size_t n, bool has_step, int64_t step)
{
	regmatch_t m[10];
	for (size_t p = 0; p < in->npats; p++) {
		struct pattern *pt = &in->pats[p];
		size_t off = 0;
		while (off <= n) {
			m[0].rm_so = (regoff_t)off;
			m[0].rm_eo = (regoff_t)n;
			if (regexec(&pt->re, s, 10, m, REG_STARTEND | (off ? REG_NOTBOL : 0)) != 0)
				break;
			bool hs = has_step;
			int64_t st = step;
			double v;
			if (pt->step_g && pt->step_g < 10 && m[pt->step_g].rm_so >= 0) {
				size_t a = (size_t)m[pt->step_g].rm_so, b = (size_t)m[pt->step_g].rm_eo;
				double sv;
				if (b > a && ry_ingest__parse_number(s + a, b - a, &sv) == b - a && isfinite(sv)) {
					hs = true;
					st = (int64_t)sv;
				}
			}
			if (pt->value_g && pt->value_g < 10 && m[pt->value_g].rm_so >= 0) {
				size_t a = (size_t)m[pt->value_g].rm_so, b = (size_t)m[pt->value_g].rm_eo;
				if (b > a && ry_ingest__parse_number(s + a, b - a, &v) == b - a) {
					if (pt->key_g && pt->key_g < 10 && m[pt->key_g].rm_so >= 0) {
						size_t ka = (size_t)m[pt->key_g].rm_so, kb = (size_t)m[pt->key_g].rm_eo;
						if (kb > ka && kb - ka <= MAX_KEY)
							log_point(in, -1, s + ka, kb - ka, hs, st, v, false, NULL);
					} else if (!pt->key_g && strlen(pt->label) <= MAX_KEY) {
						log_point(in, -1, pt->label, strlen(pt->label), hs, st, v, false, NULL);
					}
				}
			}
			for (size_t g = 0; g < pt->nnamed; g++) {
				int gi = pt->named[g].group;
				if (gi >= 10 || m[gi].rm_so < 0)
					continue;
				size_t a = (size_t)m[gi].rm_so, b = (size_t)m[gi].rm_eo;
				if (b > a && ry_ingest__parse_number(s + a, b - a, &v) == b - a && strlen(pt->named[g].name) <= MAX_KEY)
					log_point(in, -1, pt->named[g].name, strlen(pt->named[g].name), hs, st, v, false, NULL);
			}
			if ((size_t)m[0].rm_eo <= off)
				break;
			off = (size_t)m[0].rm_eo;
		}
	}
}

/* Drop terminal escape sequences (colours from rich, tqdm, loguru): CSI
 * "ESC [ ... final" and OSC "ESC ] ... BEL or ESC \\". */
static void strip_escapes(ry_buf *out, const char *s, size_t n)
{
	ry_buf_clear(out);
	ry_buf_grow(out, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != 0x1b) {
			out->ptr[out->len++] = s[i];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '[') {
			for (i += 2; i < n && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e); i++)
				;
		} else if (i + 1 < n && s[i + 1] == ']') {
			for (i += 2; i < n && s[i] != 0x07 && !(s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\'); i++)
				;
			if (i < n && s[i] == 0x1b)
				i++;
		} else {
			i++; /* a two-byte escape */
		}
	}
	out->ptr[out->len] = '\0';
}

/* The step the log last printed, for the lines after it without one. */
static void set_ctx(ry_ingest *in, int64_t step)
{
	if (in->has_ctx && step < in->ctx)
		in->ctx_back++;
	in->has_ctx = true;
	in->ctx = step;
}

/* A line with no pair may be a table's header or one of its rows
 * (metrics/table.c); true when it was one of them.  A row's cells go to
 * sc. */
static bool table_line(ry_ingest *in, const char *s, size_t n, ry_scalar *sc, size_t *found, bool *has_step,
                       int64_t *step)
{
	long r;
	if (ry_ingest__table_header(&in->table, s, n))
		return true;
	if (!in->table.ncols || (r = ry_ingest__table_row(&in->table, s, n, sc, MAX_SCALARS, has_step, step)) < 0)
		return false;
	*found = (size_t)r < MAX_SCALARS ? (size_t)r : MAX_SCALARS;
	return true;
}

/* The found pairs of a line as points; row: they are a table row's cells.
 * Out of line, so that the pairs' inlined log_point costs nothing to the
 * lines without pairs. */
static __attribute__((noinline)) void pairs_points(ry_ingest *in, const ry_scalar *sc, size_t found, bool has_step,
                                                   int64_t step, bool bar, bool row)
{
	char buf[MAX_KEY + 1];
	const char *key;
	size_t kl;
	for (size_t i = 0; i < found; i++)
		if ((key = scalar_key(&sc[i], buf, &kl)))
			log_point_inline(in, (int)i, key, kl, has_step, step, sc[i].value, bar, row ? NULL : &sc[i]);
}

/* The points of one line of plain text (escapes removed, no \r); bar: the
 * last state of a progress bar redrawn with \r. */
static inline void line_points(ry_ingest *in, const char *s, size_t n, bool bar)
{
	ry_scalar *sc = in->sc;
	bool has_step = false;
	int64_t step = 0;
	size_t found = 0;
	bool row = false;

	if (in->builtin) {
		found = ry_ingest__scan_unjudged(s, n, sc, MAX_SCALARS, &has_step, &step);
		if (found > MAX_SCALARS)
			found = MAX_SCALARS;
		/* a table row's cells are its own (judged by table.c), not a postfix */
		if (!found && !has_step && (row = table_line(in, s, n, sc, &found, &has_step, &step)))
			bar = false;
	} else if (in->npats) {
		ry_ingest_scan(s, n, sc, 0, &has_step, &step); /* the step, for the regexes */
	}
	if (found)
		pairs_points(in, sc, found, has_step, step, bar, row);
	if (in->npats)
		run_patterns(in, s, n, has_step, step);
	if (has_step) {
		set_ctx(in, step);
	}
}

/* A tqdm bar's counter "| 500/4500 [": the position of a bar that shows no
 * step of its own (Hugging Face's training bar), which the step-less lines
 * printed under it (the Trainer's log dicts) take as their step. */
static bool bar_counter(const char *s, size_t n, int64_t *pos)
{
	const char *p = s, *end = s + n;
	while ((p = memchr(p, '|', (size_t)(end - p)))) {
		const char *q = ++p;
		int64_t v = 0;
		if (q < end && *q == ' ')
			q++;
		const char *d = q;
		while (q < end && *q >= '0' && *q <= '9' && q - d < 18)
			v = v * 10 + (*q++ - '0');
		if (q == d || q >= end || *q != '/')
			continue;
		for (q++; q < end && *q >= '0' && *q <= '9'; q++)
			;
		if (q + 1 < end && q[0] == ' ' && q[1] == '[') {
			*pos = v;
			return true;
		}
	}
	return false;
}

static bool is_table_header(const char *s, size_t n)
{
	ry_ingest__table scratch;
	return ry_ingest__table_header(&scratch, s, n);
}

/* Backspaces (Keras's progress bar) as a terminal applies them: each
 * overwrites from one byte further left; \r from the start. */
static void overlay(ry_buf *out, const char *s, size_t n)
{
	ry_term_overlay(out, s, n);
}

/* A line redrawn with \r: every redraw is a segment, and what counts is the
 * last state of each step shown (a bar that prints "Epoch 0" until epoch 1
 * starts on the same line gives epoch 0's final values), or the last
 * segment.  Nested bars (drawn on another row: they end in ESC [ A) are not
 * this line's. */
static void redraws(ry_ingest *in, const char *s, size_t n)
{
	ry_scalar sc[1];
	bool pend = false, pend_step = false;
	int64_t pstep = 0;
	ry_buf_clear(&in->pendseg);
	while (n) {
		const char *cr = memchr(s, '\r', n);
		size_t m = cr ? (size_t)(cr - s) : n;
		const char *t = s;
		size_t tn = m;
		bool nested = m >= 3 && memmem(s, m, "\x1b[A", 3);
		s += m + (cr != NULL);
		n -= m + (cr != NULL);
		if (!tn || nested)
			continue;
		if (memchr(t, 0x1b, tn)) {
			strip_escapes(&in->plain, t, tn);
			t = in->plain.ptr;
			tn = in->plain.len;
		}
		bool hs = false;
		int64_t st = 0, pos;
		size_t found = ry_ingest_scan(t, tn, sc, 0, &hs, &st);
		if (!found && !hs) {
			/* a table header above its bar (YOLO's validation) keeps the
			 * epoch: the bar counts batches */
			if (bar_counter(t, tn, &pos) && !is_table_header(t, tn)) {
				set_ctx(in, pos);
			}
			if (!memchr(t, ':', tn) && !memchr(t, '=', tn))
				continue;
		}
		if (pend && pend_step && hs && st != pstep)
			line_points(in, in->pendseg.ptr, in->pendseg.len, true);
		ry_buf_clear(&in->pendseg);
		ry_buf_put(&in->pendseg, t, tn);
		pend = true;
		pend_step = hs;
		pstep = st;
	}
	if (pend)
		line_points(in, in->pendseg.ptr, in->pendseg.len, true);
}

static void log_line(ry_ingest *in, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (in->log_plain && s != in->logbuf.ptr) {
		/* no \r, \b or escape anywhere in this feed: nothing to look for */
		line_points(in, s, n, false);
		return;
	}
	if (memchr(s, '\b', n)) {
		overlay(&in->render, s, n);
		s = in->render.ptr;
		n = in->render.len;
	}
	if (memchr(s, '\r', n)) {
		redraws(in, s, n);
		return;
	}
	if (memchr(s, 0x1b, n)) {
		strip_escapes(&in->plain, s, n);
		s = in->plain.ptr;
		n = in->plain.len;
	}
	line_points(in, s, n, false);
}

/* Split `data` into lines, calling fn for each complete one; keeps the
 * partial tail in buf.  Over-long lines are dropped (count_malformed). */
static void split_lines(ry_ingest *in, ry_buf *buf, bool *skip, const char *data, size_t len,
                        void (*fn)(ry_ingest *, const char *, size_t), bool jsonl)
{
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			if (*skip)
				return;
			ry_buf_put(buf, p, (size_t)(end - p));
			if (buf->len > RY_INGEST_MAX_LINE) {
				/* A progress bar redrawn with \r for a long time: keep the last redraw. */
				const char *cr = jsonl ? NULL : memrchr(buf->ptr, '\r', buf->len);
				if (cr && (size_t)(buf->ptr + buf->len - cr) < RY_INGEST_MAX_LINE) {
					size_t keep = (size_t)(buf->ptr + buf->len - cr);
					memmove(buf->ptr, cr, keep);
					buf->len = keep;
					buf->ptr[keep] = '\0';
				} else {
					ry_buf_clear(buf);
					*skip = true;
					if (jsonl)
						in->malformed++;
				}
			}
			return;
		}
		size_t n = (size_t)(nl - p);
		if (*skip) {
			*skip = false;
		} else if (buf->len) {
			if (buf->len + n > RY_INGEST_MAX_LINE && jsonl) {
				in->malformed++;
			} else {
				ry_buf_put(buf, p, n);
				fn(in, buf->ptr, buf->len);
			}
			ry_buf_clear(buf);
		} else if (n <= RY_INGEST_MAX_LINE) {
			fn(in, p, n);
		} else if (jsonl) {
			in->malformed++;
		}
		p = nl + 1;
	}
}

int ry_ingest_log(ry_ingest *in, const char *data, size_t len)
{
	in->log_fed += (int64_t)len;
	if (!in->builtin && !in->npats)
		return 0;
	in->now = ry_now();
	/* Two passes of memchr over the whole feed cost less than two calls per
	 * line, and most output has neither byte. */
	in->log_plain = !memchr(data, '\r', len) && !memchr(data, 0x1b, len) && !memchr(data, '\b', len);
	split_lines(in, &in->logbuf, &in->log_skip, data, len, log_line, false);
	return 0;
}

/* ---- JSON lines ------------------------------------------------------- */

#define NAN_MARK "__runyard_nan__"

/* Python's json writes NaN, Infinity and -Infinity, which are not JSON.
 * Rewrite them outside strings: inf as an out-of-range number (strtod gives
 * inf), NaN as a marker string.  Returns false if there was nothing to do. */
static bool rewrite_nonfinite(const char *s, size_t n, ry_buf *out)
{
	bool in_str = false, changed = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			ry_buf_putc(out, c);
			if (c == '\\' && i + 1 < n)
				ry_buf_putc(out, s[++i]);
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == 'N' && i + 3 <= n && !memcmp(s + i, "NaN", 3)) {
			ry_buf_puts(out, "\"" NAN_MARK "\"");
			i += 2;
			changed = true;
			continue;
		} else if (c == 'I' && i + 8 <= n && !memcmp(s + i, "Infinity", 8)) {
			ry_buf_puts(out, "1e999");
			i += 7;
			changed = true;
			continue;
		}
		ry_buf_putc(out, c);
	}
	return changed;
}

static bool json_number(const cJSON *v, double *out)
{
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return true;
	}
	if (cJSON_IsString(v) && !strcmp(v->valuestring, NAN_MARK)) {
		*out = NAN;
		return true;
	}
	return false;
}

/* Is k fit to store as a metric or param name as it is?  Not empty, at most
 * MAX_KEY bytes, valid UTF-8, no control character (C0, DEL, C1): anything
 * else would have to be truncated or altered to reach the store and the
 * screen, so the caller refuses the value and counts the line instead. */
static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > MAX_KEY || !ry_utf8_valid(k, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)k[i + 1] >= 0x80 &&
		                              (unsigned char)k[i + 1] <= 0x9f))
			return false;
	}
	return true;
}

bool ry_ingest_key_ok(const char *key)
{
	return key_ok(key);
}

/* cJSON decodes "\u0000" inside a string to a NUL byte, so a key
 * "lo\u0000ss" would come out as "lo" (and "step\u0000x" as "step").  In
 * the keys of s (strings followed by ':'), turn each \u0000 into \u0001,
 * a control character key_ok refuses, so the key is refused whole; the
 * marker is never stored.  Values are left as they are.  Returns false
 * (out untouched) when no key holds one. */
static bool mark_nul_keys(const char *s, size_t n, ry_buf *out)
{
	bool changed = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '"')
			continue;
		size_t start = i + 1, j = start, nul = 0;
		for (; j < n && s[j] != '"'; j++) {
			if (s[j] != '\\')
				continue;
			if (j + 5 < n && !memcmp(s + j + 1, "u0000", 5))
				nul++;
			j++;
		}
		size_t k = j + 1;
		while (k < n && isspace((unsigned char)s[k]))
			k++;
		if (nul && k < n && s[k] == ':') {
			if (!changed) {
				ry_buf_put(out, s, n);
				changed = true;
			}
			for (size_t m = start; m + 5 < j; m++) {
				if (s[m] == '\\' && !memcmp(s + m + 1, "u0000", 5))
					out->ptr[m + 5] = '1';
				if (s[m] == '\\')
					m++;
			}
		}
		i = j;
	}
	return changed;
}

/* The line's step from its "step" field: absent or null is no step (the
 * key's own count goes on); a number that is an integer in [0, 2^53] is
 * that step.  Anything else (a string, a bool, NaN, an infinity, a negative
 * or fractional number, one past 2^53) returns false: renumbering or
 * rounding it would store points at steps the job never wrote. */
static bool json_step(const cJSON *f, bool *has_step, int64_t *step)
{
	*has_step = false;
	if (!f || cJSON_IsNull(f))
		return true;
	if (!cJSON_IsNumber(f) || !isfinite(f->valuedouble) || f->valuedouble < 0 ||
	    f->valuedouble > 9007199254740992.0 || f->valuedouble != floor(f->valuedouble))
		return false;
	*has_step = true;
	*step = (int64_t)f->valuedouble;
	return true;
}

/* Store one value under key; false (nothing stored) if the key is refused. */
static bool json_point(ry_ingest *in, const char *key, bool has_step, int64_t step, double ts, double v)
{
	if (!key_ok(key))
		return false;
	struct keyent *e = keymap_get(&in->keys, key, strlen(key));
	e->json = true;
	if (!has_step)
		step = e->last + 1;
	e->last = step;
	emit(in, key, step, ts, v);
	return true;
}

/* Queue a param; false if its key is refused (key_ok). */
static bool add_param(ry_ingest *in, const char *key, const cJSON *v)
{
	char *val;
	if (cJSON_IsNull(v))
		return true;
	if (!key_ok(key))
		return false;
	if (cJSON_IsString(v))
		val = ry_xstrdup(v->valuestring);
	else if (cJSON_IsBool(v))
		val = ry_xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v)) {
		char b[RY_DTOA_SIZE];
		ry_dtoa_15_or_17(v->valuedouble, b);
		val = ry_xstrdup(b);
	} else {
		char *p = cJSON_PrintUnformatted(v);
		val = ry_xstrdup(p ? p : "");
		cJSON_free(p);
	}
	in->params = ry_xgrow(in->params, &in->capparams, in->nparams + 1, sizeof *in->params);
	in->params[in->nparams].key = ry_xstrdup(key);
	in->params[in->nparams].value = val;
	in->nparams++;
	return true;
}

/* One JSON line.  A line runyard cannot take as written is counted
 * malformed once: whole (not an object, a bad step) or in part (a refused
 * key; its other values are kept). */
static void jsonl_line(ry_ingest *in, const char *s, size_t n)
{
	ry_buf nulfix = RY_BUF_INIT, fixed = RY_BUF_INIT;
	cJSON *root, *f;
	bool has_step = false, bad = false;
	int64_t step = 0;
	double ts;
	size_t i = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i == n)
		return; /* blank lines are not malformed */
	if (!ry_utf8_valid(s, n)) {
		in->malformed++;
		return;
	}
	if (memmem(s, n, "\\u0000", 6) && mark_nul_keys(s, n, &nulfix)) {
		s = nulfix.ptr;
		n = nulfix.len;
	}
	root = cJSON_ParseWithLength(s, n);
	if (!root && rewrite_nonfinite(s, n, &fixed))
		root = cJSON_ParseWithLength(fixed.ptr, fixed.len);
	ry_buf_free(&fixed);
	ry_buf_free(&nulfix);
	if (!cJSON_IsObject(root) || !json_step(cJSON_GetObjectItemCaseSensitive(root, "step"), &has_step, &step)) {
		in->malformed++;
		cJSON_Delete(root);
		return;
	}
	ts = ry_now();
	if ((f = cJSON_GetObjectItemCaseSensitive(root, "ts")) && cJSON_IsNumber(f) &&
	    isfinite(f->valuedouble))
		ts = f->valuedouble;
	if ((f = cJSON_GetObjectItemCaseSensitive(root, "_params")) && cJSON_IsObject(f)) {
		for (cJSON *p = f->child; p; p = p->next)
			if (p->string && !add_param(in, p->string, p))
				bad = true;
	}
	for (f = root->child; f; f = f->next) {
		double v;
		if (!f->string || !strcmp(f->string, "step") || !strcmp(f->string, "ts") || f->string[0] == '_')
			continue;
		if (json_number(f, &v)) {
			if (!json_point(in, f->string, has_step, step, ts, v))
				bad = true;
		} else if (cJSON_IsObject(f)) {
			for (cJSON *g = f->child; g; g = g->next) {
				if (g->string && json_number(g, &v)) {
					/* "x/" or "/y" would hide a refused part in a kept name */
					char *k = ry_xasprintf("%s/%s", f->string, g->string);
					if (!*f->string || !*g->string || !json_point(in, k, has_step, step, ts, v))
						bad = true;
					free(k);
				}
			}
		}
	}
	if (bad)
		in->malformed++;
	cJSON_Delete(root);
}

int ry_ingest_jsonl(ry_ingest *in, const char *data, size_t len)
{
	in->met_fed += (int64_t)len;
	split_lines(in, &in->jbuf, &in->j_skip, data, len, jsonl_line, true);
	return 0;
}

/* ---- resumable state -------------------------------------------------- */

/* Where a resumed ingest must start reading for its line splitter to be
 * where this one is: at the partial line kept, or (inside an over-long
 * line being dropped) right here with the skip flag stored.  The partial
 * line a progress bar's redraws left starts at a '\r', which is all of it
 * that can still count, so a line of any length moves the offset on. */
static int64_t log_done(const ry_ingest *in)
{
	return in->log_fed - (in->log_skip ? 0 : (int64_t)in->logbuf.len);
}

static int64_t met_done(const ry_ingest *in)
{
	return in->met_fed - (in->j_skip ? 0 : (int64_t)in->jbuf.len);
}

static char *state_text(const ry_ingest *in)
{
	cJSON *o = cJSON_CreateObject(), *keys = cJSON_AddArrayToObject(o, "json");
	char step[32], *p, *text;
	cJSON_AddBoolToObject(o, "scalars", in->scalars);
	if (in->patterns)
		cJSON_AddStringToObject(o, "patterns", in->patterns);
	if (in->has_ctx) {
		/* as text: a double would round steps past 2^53 */
		snprintf(step, sizeof step, "%lld", (long long)in->ctx);
		cJSON_AddStringToObject(o, "ctx", step);
	}
	if (in->log_skip)
		cJSON_AddTrueToObject(o, "log_skip");
	if (in->j_skip)
		cJSON_AddTrueToObject(o, "jsonl_skip");
	for (size_t i = 0; i < in->keys.cap; i++)
		if (in->keys.v[i].key && in->keys.v[i].json)
			cJSON_AddItemToArray(keys, cJSON_CreateString(in->keys.v[i].key));
	p = cJSON_PrintUnformatted(o);
	text = ry_xstrdup(p ? p : "{}");
	cJSON_free(p);
	cJSON_Delete(o);
	return text;
}

int ry_ingest_continue_steps(ry_ingest *in)
{
	ry_metric_summary *sum = NULL;
	size_t nsum = 0;
	ry_run *r = NULL;
	int rc;
	if (!in->st)
		return 0;
	/* the run's count goes on too: a flush stores this ingest's total */
	if ((rc = ry_run_get(&r, in->st, in->run_id)))
		return rc;
	in->malformed = in->malformed_stored = r->malformed_lines;
	ry_run_free(r);
	if ((rc = ry_metrics_summaries(in->st, in->run_id, &sum, &nsum)))
		return rc;
	for (size_t i = 0; i < nsum; i++) {
		size_t kl = strlen(sum[i].key);
		if (kl && kl <= MAX_KEY)
			keymap_get(&in->keys, sum[i].key, kl)->last = sum[i].last_step;
	}
	ry_metric_summaries_free(sum, nsum);
	return 0;
}

int ry_ingest_resume(ry_ingest **out, ry_store *st, int64_t run_id, int64_t *log_off, int64_t *met_off)
{
	ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
	ry_run *r = NULL;
	cJSON *root, *f;
	ry_ingest *in = NULL;
	int rc;

	*out = NULL;
	if ((rc = ry_run_get(&r, st, run_id)))
		return rc;
	root = r->ingest_state ? cJSON_Parse(r->ingest_state) : NULL;
	/* Unreadable state is treated as none: going on with a guess could
	 * double points, leaving the rest out only misses them. */
	if (!cJSON_IsObject(root))
		goto out;
	io.keep_offsets = true;
	io.scalars = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "scalars"));
	f = cJSON_GetObjectItemCaseSensitive(root, "patterns");
	io.patterns = cJSON_IsString(f) ? f->valuestring : NULL;
	if ((rc = ry_ingest_new(&in, st, run_id, &io)) || (rc = ry_ingest_continue_steps(in)))
		goto out;
	f = cJSON_GetObjectItemCaseSensitive(root, "json");
	for (cJSON *k = cJSON_IsArray(f) ? f->child : NULL; k; k = k->next) {
		size_t kl = cJSON_IsString(k) ? strlen(k->valuestring) : 0;
		if (kl && kl <= MAX_KEY)
			keymap_get(&in->keys, k->valuestring, kl)->json = true;
	}
	f = cJSON_GetObjectItemCaseSensitive(root, "ctx");
	if (cJSON_IsString(f)) {
		in->has_ctx = true;
		in->ctx = strtoll(f->valuestring, NULL, 10);
	}
	in->log_skip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "log_skip"));
	in->j_skip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "jsonl_skip"));
	in->log_fed = in->log_stored = r->log_offset;
	in->met_fed = in->met_stored = r->metrics_offset;
	in->state_stored = ry_xstrdup(r->ingest_state);
	*log_off = r->log_offset;
	*met_off = r->metrics_offset;
	*out = in;
	in = NULL;
out:
	ry_ingest_free(in);
	cJSON_Delete(root);
	ry_run_free(r);
	return rc;
}

/* ---- flushing --------------------------------------------------------- */

int ry_ingest_flush(ry_ingest *in, bool end)
{
	int rc = 0;
	if (end) {
		in->now = ry_now();
		in->log_plain = false;
		if (in->logbuf.len && !in->log_skip)
			log_line(in, in->logbuf.ptr, in->logbuf.len);
		if (in->jbuf.len && !in->j_skip)
			jsonl_line(in, in->jbuf.ptr, in->jbuf.len);
		ry_buf_clear(&in->logbuf);
		ry_buf_clear(&in->jbuf);
		in->log_skip = in->j_skip = false;
	}
	if (in->on_point) {
		for (size_t i = 0; i < in->nparams; i++)
			if (in->on_param)
				in->on_param(in->payload, in->params[i].key, in->params[i].value);
		goto done;
	}
	if (in->err) {
		rc = in->err;
		in->err = 0;
		return rc;
	}
	char *state = NULL;
	bool moved = false;
	if (in->keep) {
		state = state_text(in);
		if (in->state_stored && !strcmp(state, in->state_stored)) {
			free(state);
			state = NULL;
		}
		moved = log_done(in) != in->log_stored || met_done(in) != in->met_stored;
	}
	if (!ry_metrics_pending(in->w) && !in->nparams && in->malformed == in->malformed_stored && !state &&
	    !moved)
		return 0;
	if ((rc = ry_store_begin(in->st))) {
		free(state);
		return rc;
	}
	for (size_t i = 0; i < in->nparams && !rc; i++)
		rc = ry_run_set_param(in->st, in->run_id, in->params[i].key, in->params[i].value);
	if (!rc && in->malformed != in->malformed_stored)
		rc = ry_run_set_int(in->st, in->run_id, "malformed_lines", in->malformed);
	if (!rc)
		rc = ry_metrics_flush(in->w);
	if (!rc && moved)
		rc = ry_run_set_int(in->st, in->run_id, "log_offset", log_done(in));
	if (!rc && moved)
		rc = ry_run_set_int(in->st, in->run_id, "metrics_offset", met_done(in));
	if (!rc && state)
		rc = ry_run_set_text(in->st, in->run_id, "ingest_state", state);
	if (!rc)
		rc = ry_store_commit(in->st);
	if (rc) {
		ry_store_rollback(in->st);
		free(state);
		return rc;
	}
	in->malformed_stored = in->malformed;
	if (moved) {
		in->log_stored = log_done(in);
		in->met_stored = met_done(in);
	}
	if (state) {
		free(in->state_stored);
		in->state_stored = state;
	}
done:
	for (size_t i = 0; i < in->nparams; i++) {
		free(in->params[i].key);
		free(in->params[i].value);
	}
	in->nparams = 0;
	return rc;
}
