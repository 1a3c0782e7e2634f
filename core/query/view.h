/*
 * Saved views: how a runs table is looked at (filter, sort, columns,
 * grouping) and how its compare charts (x axis, small multiples, the
 * metrics chosen), kept in the workspace's settings so that both front
 * ends can apply one.  Two kinds of place: the automatic view of each
 * experiment (and of "all experiments"), which the TUI writes as it
 * changes and restores when the experiment is opened again; and named
 * views, `:view save NAME` / `runyard runs --view NAME`, shared by every
 * experiment of the workspace.
 *
 * A view is stored as text, one `key value` line a field (backslash
 * escapes for newline and backslash); unknown keys are skipped, so an
 * older runyard reads a newer view.  This module only keeps the strings:
 * what a filter or an axis means is query.h's and the front ends' to say.
 */
#ifndef RY_VIEW_H
#define RY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct ry_view {
	char *filter;    /* query language; NULL: none */
	char *sort;      /* "KEY[:asc|:desc]"; NULL: newest first */
	char *columns;   /* "K,K" as :columns takes them; NULL: the defaults */
	char *group;     /* :group KEY; NULL: not grouped */
	bool median;     /* grouped by median and IQR */
	char *x_axis;    /* "step", "time", "relative" or "metric:NAME"; NULL: step */
	int grid;        /* small multiples: 1 on, 0 off, -1 unset */
	char *metric;    /* the compare chart's metric; NULL: the default */
	char *metrics;   /* the small multiples' metrics, "K,K"; NULL: the default */
} ry_view;
#define RY_VIEW_INIT { NULL, NULL, NULL, NULL, false, NULL, -1, NULL, NULL }

/* Free the strings and reset to RY_VIEW_INIT; accepts NULL. */
void ry_view_clear(ry_view *v);
/* A deep copy into *dst (cleared first). */
void ry_view_copy(ry_view *dst, const ry_view *src);

/* The stored text of v; caller frees.  ry_view_decode reads it back into
 * *v (cleared first); it never fails on unknown keys. */
char *ry_view_encode(const ry_view *v);
void ry_view_decode(ry_view *v, const char *text);

/* Whether a view name is usable: 1 to 64 of letters, digits, - _ . */
bool ry_view_name_ok(const char *name);

/* Named views.  Save replaces one of the same name; load fills *out or
 * fails with RY_ENOTFOUND (message naming the saved ones); delete fails
 * with RY_ENOTFOUND for an unknown name.  RY_EINVAL for a bad name. */
int ry_view_save(ry_store *st, const char *name, const ry_view *v);
int ry_view_load(ry_store *st, const char *name, ry_view *out);
int ry_view_delete(ry_store *st, const char *name);
/* The names, sorted; caller frees with ry_strings_free; *n may be 0. */
int ry_view_list(ry_store *st, char ***names, size_t *n);

/* The automatic view of an experiment (experiment_id > 0) or of every
 * experiment (0).  Load: 0 and *out filled, or RY_ENOTFOUND when none was
 * saved (*out left cleared). */
int ry_view_save_auto(ry_store *st, int64_t experiment_id, const ry_view *v);
int ry_view_load_auto(ry_store *st, int64_t experiment_id, ry_view *out);

/* The experiment the runs screen showed last (workspace setting
 * tui.experiment), so the next session starts on it.  Load: its id, or 0
 * for every experiment (none saved, or the text is not an id; whether it
 * still exists is the caller's to check).  Save: 0 deletes the setting. */
int64_t ry_view_load_experiment(ry_store *st);
int ry_view_save_experiment(ry_store *st, int64_t experiment_id);

#endif
