/*
 * An import through a tracker plugin (`:import PLUGIN SOURCE`) on a thread
 * of its own, so the app keeps browsing while runs arrive.  The worker
 * opens its own store connection, finds the plugin and runs
 * ry_plugin_import; the plugin's progress and log lines (reported on the
 * worker's thread) go into a mutex-guarded slot the main loop polls.  It
 * never draws and decides nothing about what is shown.
 */
#ifndef TUI_WORK_IMPORT_H
#define TUI_WORK_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/plugin_host.h"

struct tui_import;

/* Start importing `source` through tracker plugin `plugin` into the
 * workspace at db_path (strings are copied).  NULL with msg filled if the
 * thread cannot start; a plugin that is not found fails the import itself
 * (tui_import_poll reports it). */
struct tui_import *tui_import_start(const char *db_path, const char *plugin, const char *source, char *msg,
                                    size_t n);

/* What the import has done so far. */
struct tui_import_state {
	bool done;                    /* finished: rc, stats and line are final */
	bool cancelling;              /* tui_import_cancel was called */
	int rc;                       /* once done: 0 or an RY_E* code */
	int64_t runs, total;          /* progress as the plugin reports it: runs done of total (-1 unknown) */
	ry_plugin_import_stats stats; /* once done */
	char line[1024];              /* once done: the summary, or the error's first line; sanitised */
};

/* Copy the state into *out; returns out->done. */
bool tui_import_poll(struct tui_import *im, struct tui_import_state *out);

/* Ask the import to stop (returns at once): the run in progress is rolled
 * back and the import ends with "cancelled".  Poll until done. */
void tui_import_cancel(struct tui_import *im);

/* Everything the import said: the plugin's log lines and, when it failed,
 * the whole error text; sanitised, one message a line (may span lines).
 * Caller frees. */
char *tui_import_messages(struct tui_import *im);

/* "PLUGIN SOURCE", as the user named them; lent for the import's life. */
const char *tui_import_label(const struct tui_import *im);

/* Cancel if still running, join, free.  NULL ok. */
void tui_import_free(struct tui_import *im);

#endif
