/*
 * Taking credentials out of URLs (see url.h) with libcurl's URL parser
 * rather than by hand: it knows where an authority ends, IPv6 literals,
 * percent-encoding and upper-case schemes, which hand parsing got wrong.
 * It does not fetch anything and does not judge whether a URL is usable.
 *
 * A URL curl cannot parse (`https://user:pa/ss@host/x`: a '/' in the
 * password) must still not be stored with its secret.  Its authority
 * cannot be trusted to end at the first '/', so everything from the scheme
 * to the last '@' before the query goes, even if that '@' was in the path:
 * losing part of a broken URL is better than storing a token.  The rest is
 * parsed again for the query; failing that, the query and fragment go too.
 */
#include "base/url.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/redact.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PARSE_FLAGS (CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS | CURLU_ALLOW_SPACE)

/* Length of "scheme://" at the start of s, 0 if there is none. */
static size_t scheme_len(const char *s)
{
	size_t n = 0;
	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	return strncmp(s + n, "://", 3) ? 0 : n + 3;
}

/* The `&`-separated entries of a query or fragment, less those whose key
 * is a secret; *changed is set when one went.  NULL when none are left,
 * else the caller frees. */
static char *filter_pairs(const char *q, bool *changed)
{
	ry_buf b = RY_BUF_INIT;
	for (const char *p = q; *p; ) {
		size_t n = strcspn(p, "&"), kl = strcspn(p, "=&");
		char *key = ry_xstrndup(p, kl);
		if (ry_redact_is_secret(key)) {
			*changed = true;
		} else if (n) {
			if (b.len)
				ry_buf_putc(&b, '&');
			ry_buf_put(&b, p, n);
		}
		free(key);
		p += n;
		if (*p == '&')
			p++;
	}
	return b.len ? ry_buf_detach(&b) : (ry_buf_free(&b), NULL);
}

/* Filter one part (query or fragment) in place; false when curl refuses. */
static bool filter_part(CURLU *h, CURLUPart part, bool *changed)
{
	char *v = NULL, *kept;
	bool ok = true, gone = false;
	if (curl_url_get(h, part, &v, 0) != CURLUE_OK || !v)
		return true; /* no such part */
	kept = filter_pairs(v, &gone);
	if (gone) {
		*changed = true;
		ok = curl_url_set(h, part, kept, 0) == CURLUE_OK;
	}
	free(kept);
	curl_free(v);
	return ok;
}

static bool ssh_scheme(const char *s)
{
	return !strcmp(s, "ssh") || !strcmp(s, "git+ssh") || !strcmp(s, "ssh+git");
}

/* The cleaned URL, or NULL when curl cannot parse it.  A URL with nothing
 * to take out comes back as the caller wrote it, not as curl spells it
 * (curl lower-cases the scheme and adds a '/' to an empty path). */
static char *clean(const char *url)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *user = NULL, *pass = NULL, *opts = NULL, *out = NULL, *s = NULL;
	bool changed = false, keep_user;
	if (!h)
		ry_fatal("out of memory parsing a URL");
	if (curl_url_set(h, CURLUPART_URL, url, PARSE_FLAGS) != CURLUE_OK)
		goto done;
	curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(h, CURLUPART_USER, &user, 0);
	curl_url_get(h, CURLUPART_PASSWORD, &pass, 0);
	curl_url_get(h, CURLUPART_OPTIONS, &opts, 0);
	keep_user = scheme && ssh_scheme(scheme) && !pass && !opts;
	if ((user && !keep_user) || pass || opts) {
		curl_url_set(h, CURLUPART_USER, NULL, 0);
		curl_url_set(h, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(h, CURLUPART_OPTIONS, NULL, 0);
		changed = true;
	}
	if (!filter_part(h, CURLUPART_QUERY, &changed) || !filter_part(h, CURLUPART_FRAGMENT, &changed))
		goto done;
	if (!changed)
		out = ry_xstrdup(url);
	else if (curl_url_get(h, CURLUPART_URL, &s, 0) == CURLUE_OK)
		out = ry_xstrdup(s);
done:
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(opts);
	curl_free(s);
	curl_url_cleanup(h);
	return out;
}

char *ry_url_strip_credentials(const char *url)
{
	size_t sl;
	const char *rest, *end, *at;
	char *cut, *out;
	if (!url)
		return NULL;
	if (!(sl = scheme_len(url)))
		return ry_xstrdup(url); /* scp-style user@host:path or a path: no password goes there */
	if ((out = clean(url)))
		return out;
	/* curl cannot parse it: see the top of the file */
	rest = url + sl;
	end = rest + strcspn(rest, "?#");
	at = memrchr(rest, '@', (size_t)(end - rest));
	cut = ry_xasprintf("%.*s%s", (int)sl, url, at ? at + 1 : rest);
	if ((out = clean(cut))) {
		free(cut);
		return out;
	}
	cut[sl + strcspn(cut + sl, "?#")] = '\0';
	return cut;
}

char *ry_url_strip_credentials_in(const char *text)
{
	ry_buf b = RY_BUF_INIT;
	const char *p, *from;
	bool changed = false;
	/* a secret in a URL sits before an '@' or in its query: most values
	 * have neither, and pay one scan */
	if (!text || !strstr(text, "://") || !strpbrk(text, "@?#"))
		return NULL;
	for (p = from = text; (p = strstr(p, "://")); ) {
		const char *start = p, *end = p + 3 + strcspn(p + 3, " \t\n\"'<>");
		while (start > from && (isalnum((unsigned char)start[-1]) || strchr("+-.", start[-1])))
			start--;
		if (start < p) {
			char *url = ry_xstrndup(start, (size_t)(end - start));
			char *clean = ry_url_strip_credentials(url);
			if (strcmp(clean, url)) {
				ry_buf_put(&b, from, (size_t)(start - from));
				ry_buf_puts(&b, clean);
				from = end;
				changed = true;
			}
			free(url);
			free(clean);
		}
		p = end;
	}
	if (!changed) {
		ry_buf_free(&b);
		return NULL;
	}
	ry_buf_puts(&b, from);
	return ry_buf_detach(&b);
}
