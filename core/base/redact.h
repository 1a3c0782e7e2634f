/*
 * Secrets kept out of the workspace: which param names hold a secret
 * (`--password`, `hf_token`, `AWS_SECRET_ACCESS_KEY`, ...), whose values
 * runyard stores as RY_REDACTED in params and in stored command lines, and
 * which URL query keys are secret (url.h).  The command itself always runs
 * with the real values; only what is written down is redacted.
 *
 * The policy is the built-in name rules plus the config file's
 *
 *   [tracking]
 *   secret_params = wandb_key, *signature*   (more secret names)
 *   public_params = auth                     (names never secret)
 *
 * Both lists hold shell globs, matched like the built-in rules against the
 * key's last component (after the last '.' or '/'), case-insensitively and
 * with '-' and '_' the same.
 */
#ifndef RY_REDACT_H
#define RY_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"

/* What a secret value is stored as.  Not shell-safe: a stored command
 * line quotes it ('***'). */
#define RY_REDACTED "***"

/* Is a param (or URL query key) named `key` a secret?  NULL is not.  The
 * first call reads the user's config file when ry_redact_configure was not
 * called; a config that cannot be read leaves the built-in rules alone
 * (its reader reports it).  Safe from any thread. */
bool ry_redact_is_secret(const char *key);

/* Set the policy from cfg's [tracking] section (NULL: the built-in rules
 * alone), replacing what was set or read before.  Call it before other
 * threads use the policy: it is meant for a program's start and for tests.
 * Empty list entries are skipped. */
void ry_redact_configure(const ry_config *cfg);

/* `value` as it is stored for param `key`: RY_REDACTED when the key is a
 * secret, else value itself (lent, NULL stays NULL). */
const char *ry_redact_param_value(const char *key, const char *value);

/* `value` as it is written down for param (or tag) `key`, newly allocated:
 * RY_REDACTED when the key is a secret, else value with the credentials of
 * every URL in it taken out (ry_url_strip_credentials_in: a data URL given
 * as `--data https://user:pw@host/x`).  Caller frees; NULL stays NULL. */
char *ry_redact_value(const char *key, const char *value);

#endif
