/*
 * Internal to core/registry: what registry.c shares with the other files of
 * the room (import.c).
 */
#ifndef RY_REGISTRY_INTERNAL_H
#define RY_REGISTRY_INTERNAL_H

#include <cjson/cJSON.h>

#include "store/store.h"

/* Append an event about `model` to the audit trail; `j` (the detail) is
 * consumed. */
int ry_registry__event(ry_store *st, const char *model, const char *kind, cJSON *j);

#endif
