/*
 * The built-in plugins, as tables the binary registers at start
 * (tui/main.c).  Core never sees this header: it knows plugins only by the
 * tables handed to it.
 */
#ifndef RY_PLUGINS_BUILTIN_H
#define RY_PLUGINS_BUILTIN_H

#include "plugin/plugin.h"

/* NULL-terminated; the tables are static and live as long as the process. */
extern const ry_tracker_ops *const ry_builtin_trackers[];
extern const ry_serving_ops *const ry_builtin_servings[];

#endif
