/*
 * Internal to core/plugin: what the host (host.c, session.c) and the exec
 * adapter (exec.c) share.
 */
#ifndef RY_PLUGIN_INTERNAL_H
#define RY_PLUGIN_INTERNAL_H

#include "plugin/plugin_host.h"

/* The JSON-lines protocol version this runyard speaks (docs/plugins.md). */
#define RY_PLUGIN__PROTOCOL 1
/* Longest line a plugin may send; a longer one fails the request. */
#define RY_PLUGIN__MAX_LINE (8u << 20)
/* Seconds an exec plugin may stay silent while runyard waits for its next
 * message, unless $RUNYARD_PLUGIN_TIMEOUT says otherwise. */
#define RY_PLUGIN__TIMEOUT 30.0

/* Start the exec plugin at `path`, say hello, stop it.  0 with *kinds and
 * *protocol filled in, or an error whose message names the plugin and ends
 * with the tail of its stderr. */
int ry_plugin__exec_probe(const char *path, const char *name, unsigned *kinds, int *protocol);

/* A tracker ops table that drives the exec plugin at `path` (started by
 * open, stopped by close).  Free with ry_plugin__exec_tracker_free. */
ry_tracker_ops *ry_plugin__exec_tracker_new(const char *path, const char *name);
void ry_plugin__exec_tracker_free(ry_tracker_ops *ops); /* accepts NULL */

/* Run tracker `ops` (named `name`) over `source` into st (session.c; the
 * body of ry_plugin_import). */
int ry_plugin__import(ry_store *st, const ry_tracker_ops *ops, const char *name, const char *source,
                      const ry_plugin_import_options *opts, ry_plugin_import_stats *stats);

/* The serving table of p, NULL when p is not a serving target (host.c). */
const ry_serving_ops *ry_plugin__serving_ops(const ry_plugin *p);

/* Open stored artifact sha256 for reading (*fd the caller's to close), for
 * the artifact_open service of plugin `plugin` (serve.c). */
int ry_plugin__artifact_open(ry_store *st, const char *plugin, const char *sha256, int *fd);

#endif
