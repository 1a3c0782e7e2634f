/*
 * The log a background worker keeps for `:messages`: outside text made
 * safe to show (ry_sanitize), one message a line, and only the end kept
 * once it grows past a bound, so a chatty plugin cannot fill memory.
 * Shared by the import and deployment workers; not locked (each worker
 * holds its own mutex around it).
 */
#ifndef TUI_WORK_WORKLOG_H
#define TUI_WORK_WORKLOG_H

#include <stddef.h>

#include "base/buf.h"

/* Append prefix (trusted) and text (outside: sanitised, newlines kept) and
 * a newline to b; past max bytes, drop its start, from a line's start, to
 * about half of max. */
void tui_worklog_put(ry_buf *b, const char *prefix, const char *text, size_t max);

/* The prefix of a plugin's log line at level (RY_PLUGIN_LOG_*):
 * "plugin NAME: ", "plugin NAME: warning: ", "plugin NAME: error: ". */
void tui_worklog_plugin_prefix(char *out, size_t n, const char *plugin, int level);

#endif
