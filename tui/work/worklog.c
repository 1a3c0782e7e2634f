/*
 * A worker's bounded, sanitised log (worklog.h).  Plain text in a ry_buf;
 * the locking is the worker's.
 */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "plugin/plugin_host.h"
#include "work/worklog.h"

void tui_worklog_put(ry_buf *b, const char *prefix, const char *text, size_t max)
{
	ry_buf_puts(b, prefix);
	ry_sanitize(b, text, strlen(text), true);
	ry_buf_putc(b, '\n');
	if (b->len > max) {
		/* Keep the end, from a line's start. */
		const char *from = b->ptr + b->len - max / 2;
		const char *nl = strchr(from, '\n');
		from = nl ? nl + 1 : from;
		size_t keep = b->len - (size_t)(from - b->ptr);
		memmove(b->ptr, from, keep + 1);
		b->len = keep;
	}
}

void tui_worklog_plugin_prefix(char *out, size_t n, const char *plugin, int level)
{
	snprintf(out, n, "plugin %s: %s", plugin,
	         level == RY_PLUGIN_LOG_ERROR ? "error: " : level == RY_PLUGIN_LOG_WARN ? "warning: " : "");
}
