/*
 * The user's config file: $RUNYARD_CONFIG, else $XDG_CONFIG_HOME/runyard/config,
 * else ~/.config/runyard/config.  INI-style:
 *
 *   theme = solarized-dark
 *   budget_per_run = 50
 *   [host gpu-box-1]
 *   price_per_hour = 2.5
 *   labels = a100, big
 *   [keys]
 *   j = move-down
 *   [patterns]
 *   ...
 *
 * Keys before any section belong to section "".  Values are raw strings.
 */
#ifndef RY_CONFIG_H
#define RY_CONFIG_H

#include <stddef.h>

typedef struct ry_config ry_config;

/* Load (path NULL: the default location; a missing default file gives an
 * empty config, a missing explicit path is RY_ENOTFOUND).  A syntax error is
 * RY_EINVAL naming file and line.  Caller frees with ry_config_free. */
int ry_config_load(ry_config **out, const char *path);
/* Parse from memory (name is used in error messages). */
int ry_config_parse(ry_config **out, const char *text, const char *name);
void ry_config_free(ry_config *c); /* accepts NULL */

/* Value of key in section ("" for top level, "host gpu1" for [host gpu1]);
 * NULL if unset.  Lent for the config's lifetime. */
const char *ry_config_get(const ry_config *c, const char *section, const char *key);

/* Number of sections, and the i-th section's name (lent). */
size_t ry_config_nsections(const ry_config *c);
const char *ry_config_section(const ry_config *c, size_t i);

/* Number of entries in a section, and the i-th key/value (lent), in file order. */
size_t ry_config_nentries(const ry_config *c, const char *section);
void ry_config_entry(const ry_config *c, const char *section, size_t i, const char **key, const char **value);

/* The default config path (caller frees). */
char *ry_config_default_path(void);

#endif
