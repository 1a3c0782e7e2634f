/*
 * Internal to core/plugin's exec adapter: the JSON-lines session (exec.c)
 * that the tracker table (exec.c) and the serving table (exec_serve.c)
 * both drive.
 */
#ifndef RY_PLUGIN_EXEC_INTERNAL_H
#define RY_PLUGIN_EXEC_INTERNAL_H

#include "plugin/plugin_internal.h"

#include <cjson/cJSON.h>

/* Which executable: the data of an exec adapter's ops table (owned by it). */
struct xplug {
	char *path;
	char *name;
};

struct xplug *ry_plugin__xplug_new(const char *path, const char *name); /* copies both */
void ry_plugin__xplug_free(struct xplug *pl);                            /* accepts NULL */

/* One running plugin, spoken to over its stdin and stdout. */
struct xsess;

/* Start plugin pl (lent for the session's life), say hello, and check its
 * hello lists `kind` (RY_PLUGIN_TRACKER or RY_PLUGIN_SERVING; a serving
 * session takes only progress and log events).  svc is lent until free;
 * `source` is copied (a tracker's source, a serving target's name). */
int ry_plugin__xsess_open(struct xsess **out, const struct xplug *pl, const ry_plugin_services *svc,
                          const char *source, unsigned kind);
/* Send req (taken: deleted here; its "id" is added) and pass the events
 * that come back to the services until the answer; *answer (may be NULL)
 * gets the {"ok":true,...} message, the caller's to cJSON_Delete.  An error
 * names the plugin. */
int ry_plugin__xsess_request(struct xsess *s, cJSON *req, cJSON **answer);
/* The answer to `op` lacked what it must have: stop the plugin, and say so
 * with the tail of its stderr. */
int ry_plugin__xsess_bad_answer(struct xsess *s, const char *op, const char *what);
const char *ry_plugin__xsess_source(const struct xsess *s); /* lent */
void ry_plugin__xsess_free(struct xsess *s);                 /* accepts NULL; stops the plugin */

#endif
