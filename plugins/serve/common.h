/*
 * What the built-in serving targets (ssh/, http/) share: a plugin sees only
 * plugin/plugin.h, so core's allocation, error and clock helpers are out of
 * reach, and these small ones live here once rather than in each target.
 */
#ifndef RY_PLUGINS_SERVE_COMMON_H
#define RY_PLUGINS_SERVE_COMMON_H

#include "plugin/plugin.h"

/* strdup that aborts when memory runs out (fatal, as in core). */
char *serve_xstrdup(const char *s);

/* Report a printf-formatted error through svc (cut at 4 KiB); returns
 * whatever svc->error returns (code), for `return serve_fail(...)`. */
int serve_fail(const ry_plugin_services *svc, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sleep secs seconds; the monotonic clock in seconds (for deadlines). */
void serve_nap(double secs);
double serve_now(void);

#endif
