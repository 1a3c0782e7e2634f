/*
 * URLs written down by runyard (a run's git remote, for one) with the
 * credentials taken out.  Parsing is libcurl's URL API: the one use of
 * libcurl in core, which does no transfers (those stay in plugins).
 */
#ifndef RY_URL_H
#define RY_URL_H

/* `url` without what may be a secret: the user name and password of the
 * authority (`https://TOKEN@host/x`, `ftp://u:p@host/x` -> `…://host/x`),
 * in any scheme, and the query (and fragment) entries whose key is a
 * secret name (redact.h: `access_token`, `private_token`, `token`, ...;
 * `?ref=main&access_token=T` -> `?ref=main`).  An ssh URL keeps a user
 * name without a password (`ssh://git@host/x`): it is an account, not a
 * secret.  Text without a scheme (scp-style `git@host:org/x.git`, a local
 * path) comes back as it is, and so does a URL with nothing to take out.
 * Caller frees; NULL in, NULL out. */
char *ry_url_strip_credentials(const char *url);

/* `text` with ry_url_strip_credentials applied to each URL in it (a
 * `scheme://` up to the next blank or quote): `--data=https://u:p@h/x` ->
 * `--data=https://h/x`.  NULL when there was nothing to take out (text is
 * then as it should be stored), else a new string the caller frees. */
char *ry_url_strip_credentials_in(const char *text);

#endif
