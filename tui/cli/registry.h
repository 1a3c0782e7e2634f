/*
 * Helpers shared by the registry subcommands (models, model, promote, alias,
 * export, rm): version numbers, failures, printing outside text padded and
 * sanitised (JSON values are cli/json.h's, as for every command).  Private
 * to those subcommands.
 */
#ifndef TUI_CLI_REGISTRY_H
#define TUI_CLI_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/table.h"

/* Print `s` sanitised, padded with spaces to `width` display columns. */
void cli_reg_put_padded(FILE *f, const char *s, int width);

/* Parse a version number ("3", "v3") or, when allow_none, "none"/"0" (an
 * unset alias, returned as 0).  False when it is neither. */
bool cli_reg_parse_version(const char *s, bool allow_none, int64_t *out);

/* Store, run or registry failure: print and return the exit status, closing
 * st (may be NULL). */
int cli_reg_fail(ry_store *st, int code);

#endif
