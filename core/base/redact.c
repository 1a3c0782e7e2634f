/*
 * Which names hold secrets (see redact.h).  The built-in rules are tuned
 * against the params ML scripts really take: `token` must catch `hf_token`
 * and `authToken` but not `max_tokens` or `tokenizer`, so some words count
 * only whole or as the end of a word, while unambiguous ones (password,
 * secret, api_key) count anywhere in the name.
 *
 * It decides only; the stores of params (run.c) and of command lines
 * (track.c) and the URL cleaner (url.c) apply the decision.  The user's
 * lists are read from the config once per process, lazily, so that every
 * path that stores a param obeys them without each caller passing them on.
 */
#include "base/redact.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/url.h"

#include <ctype.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct patterns {
	char **v;
	size_t n, cap;
};

static struct patterns secret_pats, public_pats;
static bool configured;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* The key's last component, lower-cased, '-' as '_' (caller frees). */
static char *normalize(const char *key)
{
	const char *last = key;
	for (const char *p = key; *p; p++)
		if (*p == '.' || *p == '/')
			last = p + 1;
	char *s = ry_xstrdup(last);
	for (char *p = s; *p; p++)
		*p = *p == '-' ? '_' : (char)tolower((unsigned char)*p);
	return s;
}

/* Words that are secret wherever they appear, compared with the '_'s
 * removed so that api_key, apikey and apiKey read the same. */
static const char *const anywhere[] = {
	"password", "passwd", "passphrase", "secret", "apikey", "accesskey", "privatekey", "credential", NULL,
};

/* Words that are secret only as a whole word of the name: `pwd` and `auth`
 * are too short to trust inside other words (author, pwdir). */
static const char *const whole[] = { "pwd", "auth", NULL };

static bool builtin_secret(const char *norm)
{
	char *joined = ry_xmalloc(strlen(norm) + 1), *q = joined;
	bool hit = false;
	for (const char *p = norm; *p; p++)
		if (*p != '_')
			*q++ = *p;
	*q = '\0';
	for (size_t i = 0; anywhere[i] && !hit; i++)
		hit = strstr(joined, anywhere[i]) != NULL;
	free(joined);
	/* whole words; `token` also as a word's end (hftoken, authtoken), never
	 * followed by more letters (tokens, tokenizer) */
	for (const char *w = norm; *w && !hit; ) {
		size_t n = strcspn(w, "_");
		for (size_t i = 0; whole[i] && !hit; i++)
			hit = n == strlen(whole[i]) && !strncmp(w, whole[i], n);
		if (!hit && n >= 5 && !strncmp(w + n - 5, "token", 5))
			hit = true;
		w += n;
		w += strspn(w, "_");
	}
	return hit;
}

static bool any_match(const struct patterns *ps, const char *norm)
{
	for (size_t i = 0; i < ps->n; i++)
		if (fnmatch(ps->v[i], norm, 0) == 0)
			return true;
	return false;
}

static void patterns_clear(struct patterns *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i]);
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

/* A comma-separated list, each entry normalised like a key (but '.' and
 * '/' kept: a pattern names a last component, it has none of its own). */
static void patterns_set(struct patterns *ps, const char *list)
{
	patterns_clear(ps);
	for (const char *p = list ? list : ""; *p; ) {
		size_t n = strcspn(p, ",");
		const char *a = p, *b = p + n;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a) {
			char *s = ry_xstrndup(a, (size_t)(b - a));
			for (char *c = s; *c; c++)
				*c = *c == '-' ? '_' : (char)tolower((unsigned char)*c);
			ps->v = ry_xgrow(ps->v, &ps->cap, ps->n + 1, sizeof *ps->v);
			ps->v[ps->n++] = s;
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

void ry_redact_configure(const ry_config *cfg)
{
	patterns_set(&secret_pats, cfg ? ry_config_get(cfg, "tracking", "secret_params") : NULL);
	patterns_set(&public_pats, cfg ? ry_config_get(cfg, "tracking", "public_params") : NULL);
	configured = true;
}

static void load_user_config(void)
{
	ry_config *cfg = NULL;
	if (configured)
		return;
	if (ry_config_load(&cfg, NULL) == 0)
		ry_redact_configure(cfg);
	else
		ry_error_clear(); /* not this caller's error: the config's readers report it */
	ry_config_free(cfg);
}

bool ry_redact_is_secret(const char *key)
{
	char *norm;
	bool secret;
	if (!key)
		return false;
	pthread_once(&load_once, load_user_config);
	norm = normalize(key);
	secret = !any_match(&public_pats, norm) && (any_match(&secret_pats, norm) || builtin_secret(norm));
	free(norm);
	return secret;
}

const char *ry_redact_param_value(const char *key, const char *value)
{
	return value && ry_redact_is_secret(key) ? RY_REDACTED : value;
}

char *ry_redact_value(const char *key, const char *value)
{
	char *clean;
	if (!value)
		return NULL;
	value = ry_redact_param_value(key, value);
	clean = ry_url_strip_credentials_in(value);
	return clean ? clean : ry_xstrdup(value);
}
