/*
 * The user's OpenSSH client config (~/.ssh/config), read the way ssh(1)
 * reads it for the options runyard needs: Host (patterns, `*`, `?`, `!`
 * negation), HostName, User, Port, IdentityFile, IdentitiesOnly, ProxyJump (one hop),
 * ConnectTimeout, UserKnownHostsFile and Include (globs, relative paths
 * taken from ~/.ssh).  For each option the first value obtained wins, as in
 * OpenSSH; IdentityFile values accumulate.  Values may be "quoted".
 * Options after an Include belong to the Host block the Include is in.
 * `Match` blocks (but `Match all`) and ProxyCommand are not honoured: the
 * resolved host says so (ry_sshhost.unevaluated, .unsupported), so a
 * connection never silently goes where ssh would not.
 *
 * Environment: RUNYARD_SSH_CONFIG overrides the config path and
 * RUNYARD_KNOWN_HOSTS the known_hosts path (the tests use both); ~ means
 * $HOME.  Thread-safe: a loaded config is read-only and may be shared by
 * probe threads.
 */
#ifndef RY_SSHCONFIG_H
#define RY_SSHCONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ry_sshconfig ry_sshconfig;

/* Everything needed to connect to one host, resolved for a name.  All
 * strings are owned by the struct; free it with ry_sshhost_free. */
typedef struct ry_sshhost {
	char *alias;          /* the name asked for */
	char *hostname;       /* HostName with %h expanded, else the alias */
	char *user;           /* User, else the local user name */
	int port;             /* Port, else 22 */
	char **identity;      /* IdentityFile paths, expanded (~, %h %u %r %d %%), in
	                         order; when none are configured the defaults
	                         ~/.ssh/id_ed25519, id_ecdsa, id_rsa (ed25519 first) */
	size_t nidentity;
	bool identity_explicit; /* identities came from the config */
	bool identities_only; /* IdentitiesOnly yes: of the agent's keys, only those of `identity` */
	char *proxy_jump;     /* "[user@]host[:port]" of the one jump host, or NULL */
	char *known_hosts;    /* $RUNYARD_KNOWN_HOSTS, else UserKnownHostsFile, else ~/.ssh/known_hosts */
	int connect_timeout;  /* ConnectTimeout seconds, 0 when unset */
	char *unsupported;    /* an option this host needs that runyard cannot honour:
	                         "ProxyCommand 'CMD' (file:line)"; NULL when none.
	                         ry_ssh_connect refuses to connect, naming it */
	char *unevaluated;    /* a Match block runyard skips that may apply to this host:
	                         "'Match ARGS' at file:line"; NULL when none.  Named
	                         when connecting fails, as a likely reason */
} ry_sshhost;

/* Load `path` (NULL: $RUNYARD_SSH_CONFIG, else ~/.ssh/config).  A missing
 * default file is an empty config; a missing explicit path is RY_ENOTFOUND.
 * A line that cannot be parsed is RY_EINVAL naming file:line.  Include
 * cycles are cut after 16 levels.  Caller frees with ry_sshconfig_free. */
int ry_sshconfig_load(ry_sshconfig **out, const char *path);

/* Parse from memory; `name` is used in messages. */
int ry_sshconfig_parse(ry_sshconfig **out, const char *text, const char *name);

void ry_sshconfig_free(ry_sshconfig *c); /* accepts NULL */

/* Host aliases to list: every Host pattern without wildcards or negation,
 * in file order, each once.  Lent for the config's lifetime. */
size_t ry_sshconfig_nhosts(const ry_sshconfig *c);
const char *ry_sshconfig_host(const ry_sshconfig *c, size_t i);

/* Resolve `name` to connection settings (first match wins per option, as
 * ssh does).  Any name resolves, listed or not (c may be NULL: defaults
 * only).  Caller frees *out with ry_sshhost_free. */
int ry_sshconfig_resolve(const ry_sshconfig *c, const char *name, ry_sshhost **out);

void ry_sshhost_free(ry_sshhost *h); /* accepts NULL */

/* Parse a ProxyJump/"[user@]host[:port]" spec.  Out strings are caller-owned
 * (user NULL when absent; port 0 when absent).  RY_EINVAL on a bad spec or
 * more than one hop. */
int ry_sshconfig_parse_jump(const char *spec, char **user, char **host, int *port);

/* OpenSSH-style pattern match (`*`, `?`, case-insensitive). */
bool ry_sshconfig_match(const char *pattern, const char *name);

/* The known_hosts path runyard uses by default (caller frees). */
char *ry_sshconfig_known_hosts_path(void);

#endif
