/*
 * ~/.ssh/config reader (see sshconfig.h).  Parsing flattens Include files
 * into one list of blocks, each a set of Host patterns and the options that
 * follow it; resolving a name walks the blocks in order and keeps the first
 * value of each option, which is OpenSSH's rule.  Options runyard does not
 * use are ignored, not rejected: a user's config must never stop runyard
 * from starting.  It does not connect anywhere.
 */
#include "remote/sshconfig.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_INCLUDE_DEPTH 16

struct opt {
	char *key;   /* lower-case keyword */
	char *value; /* the argument, unquoted; for ProxyCommand the rest of the line */
	char *where; /* "file:line", for messages */
};

struct block {
	char **pat;  /* Host patterns; NULL list (npat 0) = applies to all */
	size_t npat;
	bool never;  /* a Match block (or a Host line without patterns): skipped */
	char *match; /* a skipped Match block: "Match ARGS at file:line", else NULL */
	struct opt *o;
	size_t no, cap;
};

struct ry_sshconfig {
	struct block *b;
	size_t nb, cap;
	char **hosts;
	size_t nhosts, hcap;
};

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	return h && *h ? h : "/";
}

/* ~ and ~/ at the start of a path. */
static char *expand_tilde(const char *p)
{
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0'))
		return ry_xasprintf("%s%s", home_dir(), p + 1);
	return ry_xstrdup(p);
}

static struct block *new_block(ry_sshconfig *c)
{
	struct block *b;
	c->b = ry_xgrow(c->b, &c->cap, c->nb + 1, sizeof *c->b);
	b = &c->b[c->nb++];
	memset(b, 0, sizeof *b);
	return b;
}

static void add_opt(struct block *b, const char *key, const char *value, const char *name, int lineno)
{
	b->o = ry_xgrow(b->o, &b->cap, b->no + 1, sizeof *b->o);
	b->o[b->no].key = ry_xstrdup(key);
	b->o[b->no].value = ry_xstrdup(value);
	b->o[b->no].where = ry_xasprintf("%s:%d", name, lineno);
	b->no++;
}

/* A block with the same Host patterns as b (or Match state), so options
 * after an Include go back to the block the Include was written in, as
 * OpenSSH restores its active state after an included file. */
static void reopen_block(ry_sshconfig *c, size_t at)
{
	struct block *b = new_block(c), *was = &c->b[at];
	b->never = was->never;
	b->match = was->match ? ry_xstrdup(was->match) : NULL;
	b->npat = was->npat;
	b->pat = was->npat ? ry_xmalloc(was->npat * sizeof *b->pat) : NULL;
	for (size_t i = 0; i < was->npat; i++)
		b->pat[i] = ry_xstrdup(was->pat[i]);
}

static bool has_wildcard(const char *p)
{
	return strpbrk(p, "*?!") != NULL;
}

static void add_host(ry_sshconfig *c, const char *name)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (!strcmp(c->hosts[i], name))
			return;
	c->hosts = ry_xgrow(c->hosts, &c->hcap, c->nhosts + 1, sizeof *c->hosts);
	c->hosts[c->nhosts++] = ry_xstrdup(name);
}

/* Split the next whitespace-separated word (double quotes group). */
static char *next_word(char **p)
{
	char *s = *p, *w, *o;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	w = o = s;
	if (*s == '"') {
		s++;
		while (*s && *s != '"')
			*o++ = *s++;
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != ' ' && *s != '\t')
			*o++ = *s++;
	}
	if (*s)
		s++;
	*o = '\0';
	*p = s;
	return w;
}

static int parse_text(ry_sshconfig *c, const char *text, const char *name, int depth);

static int include_files(ry_sshconfig *c, const char *args, const char *name, int lineno, int depth)
{
	char *copy = ry_xstrdup(args), *p = copy, *w;
	int rc = 0;
	if (depth >= MAX_INCLUDE_DEPTH) {
		free(copy);
		return ry_error_set(RY_EINVAL, "%s:%d: Include nested more than %d deep (a cycle?); "
		                    "fix the Include lines", name, lineno, MAX_INCLUDE_DEPTH);
	}
	while (!rc && (w = next_word(&p))) {
		char *pattern;
		glob_t g;
		if (w[0] == '~' || w[0] == '/')
			pattern = expand_tilde(w);
		else
			pattern = ry_xasprintf("%s/.ssh/%s", home_dir(), w);
		if (glob(pattern, 0, NULL, &g) == 0) {
			for (size_t i = 0; !rc && i < g.gl_pathc; i++) {
				FILE *f = fopen(g.gl_pathv[i], "rb");
				ry_buf t = RY_BUF_INIT;
				char chunk[4096];
				size_t n;
				if (!f)
					continue; /* like ssh: an unreadable include is skipped */
				while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
					ry_buf_put(&t, chunk, n);
				fclose(f);
				rc = parse_text(c, ry_buf_cstr(&t), g.gl_pathv[i], depth + 1);
				ry_buf_free(&t);
			}
			globfree(&g);
		}
		free(pattern);
	}
	free(copy);
	return rc;
}

static int parse_text(ry_sshconfig *c, const char *text, const char *name, int depth)
{
	const char *p = text;
	int lineno = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = ry_xstrndup(p, len), *s = line, *key, *end;
		int rc = 0;
		lineno++;
		p += len + (nl ? 1 : 0);
		end = line + strlen(line);
		while (end > line && isspace((unsigned char)end[-1]))
			*--end = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#') {
			free(line);
			continue;
		}
		/* keyword, then whitespace or '=' (with optional whitespace). */
		key = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '=')
			s++;
		if (*s) {
			bool eq = *s == '=';
			*s++ = '\0';
			while (*s == ' ' || *s == '\t' || (!eq && *s == '=' && (eq = true)))
				s++;
		}
		for (char *k = key; *k; k++)
			*k = (char)tolower((unsigned char)*k);
		if (!*s && strcmp(key, "host") && strcmp(key, "match")) {
			rc = ry_error_set(RY_EINVAL, "%s:%d: '%s' has no value; fix the line in your ssh config",
			                  name, lineno, key);
			free(line);
			return rc;
		}
		if (!strcmp(key, "host")) {
			struct block *b = new_block(c);
			char *w;
			while ((w = next_word(&s))) {
				b->pat = ry_xrealloc(b->pat, (b->npat + 1) * sizeof *b->pat);
				b->pat[b->npat++] = ry_xstrdup(w);
				if (!has_wildcard(w))
					add_host(c, w);
			}
			if (b->npat == 0)
				b->never = true;
		} else if (!strcmp(key, "match")) {
			struct block *b = new_block(c);
			char *args = ry_xstrdup(s), *a = args, *w = next_word(&a);
			/* "Match all" is the one form we can honour without evaluating
			 * exec/user/localuser conditions; the others are named when a
			 * connection they may apply to fails. */
			b->never = !(w && !strcasecmp(w, "all") && !next_word(&a));
			if (b->never)
				b->match = ry_xasprintf("'Match %s' at %s:%d", s, name, lineno);
			free(args);
		} else if (!strcmp(key, "include")) {
			size_t nb = c->nb;
			rc = include_files(c, s, name, lineno, depth);
			if (!rc && c->nb != nb) {
				if (nb > 0)
					reopen_block(c, nb - 1);
				else
					new_block(c); /* back to options for every host */
			}
		} else {
			/* Every option runyard reads takes one argument, quoted or
			 * not (User "q" is q); ProxyCommand keeps the whole command. */
			char *v = !strcmp(key, "proxycommand") ? s : next_word(&s);
			if (c->nb == 0)
				new_block(c); /* options before any Host apply to every host */
			add_opt(&c->b[c->nb - 1], key, v ? v : "", name, lineno);
		}
		free(line);
		if (rc)
			return rc;
	}
	return 0;
}

int ry_sshconfig_parse(ry_sshconfig **out, const char *text, const char *name)
{
	ry_sshconfig *c = ry_xcalloc(1, sizeof *c);
	int rc = parse_text(c, text ? text : "", name ? name : "ssh config", 0);
	*out = NULL;
	if (rc) {
		ry_sshconfig_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int ry_sshconfig_load(ry_sshconfig **out, const char *path)
{
	const char *env = getenv("RUNYARD_SSH_CONFIG");
	bool explicit_path = path || (env && *env);
	char *owned = NULL;
	FILE *f;
	ry_buf t = RY_BUF_INIT;
	char chunk[4096];
	size_t n;
	int rc;

	*out = NULL;
	if (!path)
		path = owned = (env && *env) ? ry_xstrdup(env) : ry_xasprintf("%s/.ssh/config", home_dir());
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT && !explicit_path) {
			free(owned);
			return ry_sshconfig_parse(out, "", "ssh config");
		}
		rc = ry_error_set(errno == ENOENT ? RY_ENOTFOUND : RY_EIO, "cannot read ssh config %s: %s",
		                  path, strerror(errno));
		free(owned);
		return rc;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		ry_buf_put(&t, chunk, n);
	fclose(f);
	rc = ry_sshconfig_parse(out, ry_buf_cstr(&t), path);
	ry_buf_free(&t);
	free(owned);
	return rc;
}

void ry_sshconfig_free(ry_sshconfig *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nb; i++) {
		struct block *b = &c->b[i];
		ry_strings_free(b->pat, b->npat);
		for (size_t j = 0; j < b->no; j++) {
			free(b->o[j].key);
			free(b->o[j].value);
			free(b->o[j].where);
		}
		free(b->o);
		free(b->match);
	}
	free(c->b);
	ry_strings_free(c->hosts, c->nhosts);
	free(c);
}

size_t ry_sshconfig_nhosts(const ry_sshconfig *c)
{
	return c ? c->nhosts : 0;
}

const char *ry_sshconfig_host(const ry_sshconfig *c, size_t i)
{
	return c && i < c->nhosts ? c->hosts[i] : NULL;
}

bool ry_sshconfig_match(const char *pat, const char *s)
{
	for (;;) {
		if (*pat == '\0')
			return *s == '\0';
		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			if (*pat == '\0')
				return true;
			for (; *s; s++)
				if (ry_sshconfig_match(pat, s))
					return true;
			return false;
		}
		if (*s == '\0')
			return false;
		if (*pat != '?' && tolower((unsigned char)*pat) != tolower((unsigned char)*s))
			return false;
		pat++;
		s++;
	}
}

/* Could a skipped Match block apply to name?  Only its host/originalhost
 * criteria can be judged here (against the alias); anything else may. */
static bool match_may_apply(const char *match, const char *name)
{
	const char *args = match + strlen("'Match ");
	char *copy = ry_xstrndup(args, strcspn(args, "'")), *p = copy, *w;
	bool may = true;
	while (may && (w = next_word(&p))) {
		char *list, *save = NULL;
		bool any = false, veto = false;
		if (strcasecmp(w, "host") && strcasecmp(w, "originalhost"))
			continue;
		if (!(list = next_word(&p)))
			break;
		for (char *pat = strtok_r(list, ",", &save); pat; pat = strtok_r(NULL, ",", &save)) {
			if (pat[0] == '!')
				veto |= ry_sshconfig_match(pat + 1, name);
			else
				any |= ry_sshconfig_match(pat, name);
		}
		may = any && !veto;
	}
	free(copy);
	return may;
}

static bool block_matches(const struct block *b, const char *name)
{
	bool any = false;
	if (b->never)
		return false;
	if (b->npat == 0)
		return true;
	for (size_t i = 0; i < b->npat; i++) {
		const char *p = b->pat[i];
		if (p[0] == '!') {
			if (ry_sshconfig_match(p + 1, name))
				return false; /* a negated match vetoes the block */
		} else if (ry_sshconfig_match(p, name)) {
			any = true;
		}
	}
	return any;
}

/* %h %u %r %d %% tokens of IdentityFile (and HostName's %h). */
static char *expand_tokens(const char *in, const ry_sshhost *h)
{
	ry_buf b = RY_BUF_INIT;
	char *tilde = expand_tilde(in);
	for (const char *p = tilde; *p; p++) {
		if (*p != '%' || !p[1]) {
			ry_buf_putc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 'h': ry_buf_puts(&b, h->hostname ? h->hostname : h->alias); break;
		case 'n': ry_buf_puts(&b, h->alias); break;
		case 'u': ry_buf_puts(&b, ry_username()); break;
		case 'r': ry_buf_puts(&b, h->user ? h->user : ry_username()); break;
		case 'd': ry_buf_puts(&b, home_dir()); break;
		case 'p': ry_buf_printf(&b, "%d", h->port); break;
		case '%': ry_buf_putc(&b, '%'); break;
		default: ry_buf_putc(&b, '%'); ry_buf_putc(&b, *p); break;
		}
	}
	free(tilde);
	return ry_buf_detach(&b);
}

char *ry_sshconfig_known_hosts_path(void)
{
	const char *env = getenv("RUNYARD_KNOWN_HOSTS");
	if (env && *env)
		return ry_xstrdup(env);
	return ry_xasprintf("%s/.ssh/known_hosts", home_dir());
}

int ry_sshconfig_resolve(const ry_sshconfig *c, const char *name, ry_sshhost **out)
{
	ry_sshhost *h = ry_xcalloc(1, sizeof *h);
	const char *hostname = NULL, *user = NULL, *port = NULL, *jump = NULL, *khf = NULL, *cto = NULL;
	const char *idonly = NULL, *proxycmd = NULL, *proxycmd_at = NULL, *match = NULL;
	const char **ids = NULL;
	size_t nids = 0;

	*out = NULL;
	if (!name || !*name) {
		free(h);
		return ry_error_set(RY_EINVAL, "empty host name; give an ssh host alias or name");
	}
	for (size_t i = 0; c && i < c->nb; i++) {
		const struct block *b = &c->b[i];
		if (b->match && b->no && !match && match_may_apply(b->match, name))
			match = b->match;
		if (!block_matches(b, name))
			continue;
		for (size_t j = 0; j < b->no; j++) {
			const char *k = b->o[j].key, *v = b->o[j].value;
			if (!strcmp(k, "hostname") && !hostname) hostname = v;
			else if (!strcmp(k, "user") && !user) user = v;
			else if (!strcmp(k, "port") && !port) port = v;
			else if (!strcmp(k, "proxyjump") && !jump && !proxycmd) jump = v;
			else if (!strcmp(k, "userknownhostsfile") && !khf) khf = v;
			else if (!strcmp(k, "connecttimeout") && !cto) cto = v;
			else if (!strcmp(k, "identitiesonly") && !idonly) idonly = v;
			else if (!strcmp(k, "proxycommand") && !proxycmd && !jump) {
				proxycmd = v;
				proxycmd_at = b->o[j].where;
			}
			else if (!strcmp(k, "identityfile")) {
				ids = ry_xrealloc(ids, (nids + 1) * sizeof *ids);
				ids[nids++] = v;
			}
		}
	}
	h->alias = ry_xstrdup(name);
	h->port = 22;
	if (port) {
		char *end;
		long v = strtol(port, &end, 10);
		if (*end || v <= 0 || v > 65535) {
			free(ids);
			ry_sshhost_free(h);
			return ry_error_set(RY_EINVAL, "ssh config: Port '%s' for host %s is not a port number "
			                    "(1-65535); fix it in your ssh config", port, name);
		}
		h->port = (int)v;
	}
	h->user = ry_xstrdup(user ? user : ry_username());
	h->hostname = hostname ? expand_tokens(hostname, h) : ry_xstrdup(name);
	if (nids > 0) {
		h->identity_explicit = true;
		for (size_t i = 0; i < nids; i++) {
			if (!strcasecmp(ids[i], "none"))
				continue;
			h->identity = ry_xrealloc(h->identity, (h->nidentity + 1) * sizeof *h->identity);
			h->identity[h->nidentity++] = expand_tokens(ids[i], h);
		}
	} else {
		static const char *const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
		h->identity = ry_xmalloc(3 * sizeof *h->identity);
		for (size_t i = 0; i < 3; i++)
			h->identity[h->nidentity++] = ry_xasprintf("%s/.ssh/%s", home_dir(), defaults[i]);
	}
	free(ids);
	if (jump && strcasecmp(jump, "none")) {
		if (strchr(jump, ',')) {
			ry_sshhost_free(h);
			return ry_error_set(RY_EINVAL, "ssh config: ProxyJump '%s' for host %s has more than one hop; "
			                    "runyard supports one jump host", jump, name);
		}
		h->proxy_jump = ry_xstrdup(jump);
	}
	if (getenv("RUNYARD_KNOWN_HOSTS") && *getenv("RUNYARD_KNOWN_HOSTS"))
		h->known_hosts = ry_xstrdup(getenv("RUNYARD_KNOWN_HOSTS"));
	else if (khf && strcasecmp(khf, "none")) {
		char *copy = ry_xstrdup(khf), *p = copy, *first = next_word(&p);
		h->known_hosts = expand_tokens(first ? first : khf, h);
		free(copy);
	} else
		h->known_hosts = ry_sshconfig_known_hosts_path();
	h->identities_only = idonly && !strcasecmp(idonly, "yes");
	if (proxycmd && strcasecmp(proxycmd, "none"))
		h->unsupported = ry_xasprintf("ProxyCommand '%s' (%s)", proxycmd, proxycmd_at);
	if (match)
		h->unevaluated = ry_xstrdup(match);
	if (cto)
		h->connect_timeout = atoi(cto) > 0 ? atoi(cto) : 0;
	*out = h;
	return 0;
}

void ry_sshhost_free(ry_sshhost *h)
{
	if (!h)
		return;
	free(h->alias);
	free(h->hostname);
	free(h->user);
	ry_strings_free(h->identity, h->nidentity);
	free(h->proxy_jump);
	free(h->known_hosts);
	free(h->unsupported);
	free(h->unevaluated);
	free(h);
}

int ry_sshconfig_parse_jump(const char *spec, char **user, char **host, int *port)
{
	const char *at, *hs, *colon;
	*user = *host = NULL;
	*port = 0;
	if (!spec || !*spec || strchr(spec, ',') || strchr(spec, ' '))
		return ry_error_set(RY_EINVAL, "jump host '%s' must be one [user@]host[:port]", spec ? spec : "");
	if (!strncmp(spec, "ssh://", 6))
		spec += 6;
	at = strrchr(spec, '@');
	hs = at ? at + 1 : spec;
	if (*hs == '[') {
		const char *close = strchr(hs, ']');
		if (!close)
			return ry_error_set(RY_EINVAL, "jump host '%s': unbalanced [", spec);
		*host = ry_xstrndup(hs + 1, (size_t)(close - hs - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strrchr(hs, ':');
		*host = colon ? ry_xstrndup(hs, (size_t)(colon - hs)) : ry_xstrdup(hs);
	}
	if (colon) {
		char *end;
		long v = strtol(colon + 1, &end, 10);
		if (*end || v <= 0 || v > 65535) {
			free(*host);
			*host = NULL;
			return ry_error_set(RY_EINVAL, "jump host '%s': bad port", spec);
		}
		*port = (int)v;
	}
	if (at)
		*user = ry_xstrndup(spec, (size_t)(at - spec));
	if (!**host) {
		free(*host);
		free(*user);
		*host = *user = NULL;
		return ry_error_set(RY_EINVAL, "jump host '%s' has no host name", spec);
	}
	return 0;
}
