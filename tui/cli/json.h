/*
 * JSON for the command line, in one place: how a document leaves (valid
 * UTF-8, one door), how values are typed (numbers, null for the unknown and
 * the non-finite, params and tags as numbers when they are one), and the one
 * object that describes a run, shared by every command that prints runs
 * (runs, show, compare, jobs) so that the same run has the same keys and
 * types everywhere (docs/json.md).  What each command adds around it stays
 * with the command.
 */
#ifndef TUI_CLI_JSON_H
#define TUI_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "runyard.h"

/* The one way JSON text reaches an output: write the len bytes at text to f
 * with every part that is not UTF-8 replaced by U+FFFD, so that each
 * document is valid UTF-8, and DEL, C1 controls and bidi controls written
 * as \uXXXX escapes, so that none reaches a terminal raw (docs/json.md).
 * False if f failed. */
bool cli_json_write(FILE *f, const char *text, size_t len);

/* Print `doc` as one JSON document (indented) plus a newline on stdout,
 * through cli_json_write, and delete it.  Returns 0, or 1 (with a message on
 * stderr) if writing stdout failed. */
int cli_json_print(cJSON *doc);
/* The same document to f, deleted: 0, or RY_EIO (message set) if f failed. */
int cli_json_fprint(FILE *f, cJSON *doc);

/* Append s (NULL as "") to b as a JSON string, escaped as cJSON escapes the
 * strings of every other document; for the one document written by hand
 * (metrics, streamed key by key), which still leaves by cli_json_write. */
void cli_json_quote(ry_buf *b, const char *s);

/* A number, or null when not finite (JSON has no NaN): the one place that
 * decides how a number is written, for cJSON documents and, written to f as
 * the shortest text that reads back as the same double, for the one written
 * by hand (metrics). */
cJSON *cli_json_number(double v);
void cli_json_put_number(FILE *f, double v);
/* A string, or null for NULL. */
cJSON *cli_json_string(const char *s);
/* A param or tag value: a number when the whole text is one, else a string. */
cJSON *cli_json_value(const char *s);
/* A Unix time as an ISO-8601 UTC string, or null when unknown (0): the
 * `_iso` half of a time field; add time fields with cli_json_add_time. */
cJSON *cli_json_time(double ts);
/* The one shape of a time field (docs/json.md): `name` as Unix seconds and
 * `name_iso` as ISO 8601 UTC, both null when unknown (0 or less). */
void cli_json_add_time(cJSON *o, const char *name, double ts);

/* The run object of docs/json.md ("The run object"): ids, names, status,
 * where and how it ran, times, cost, params, tags and `metrics` (from the m
 * summaries, nm of them; NULL/0 for none).  `now` prices and times a running
 * run, so a document made of several runs uses one.  The caller owns the
 * result; commands add their own fields on top (show: git, notes,
 * artifacts). */
cJSON *cli_json_run(ry_store *st, const ry_run *r, const ry_metric_summary *m, size_t nm, double now);

/* The `metrics` object of a run of experiment experiment_id: {"KEY":
 * {"last", "min", "max", "n", "last_step", "goal"}}, goal as that
 * experiment sees it (max, min or none).  Owned by the caller. */
cJSON *cli_json_metrics(ry_store *st, int64_t experiment_id, const ry_metric_summary *m, size_t nm);

/* Params or tags as an object, values typed by cli_json_value. */
cJSON *cli_json_kv(const ry_kv *kv, size_t n);

/* ---- the same text without cJSON, for documents of 10^6 runs ----------
 * cJSON_Print's formatted text written straight into a buffer, byte for
 * byte what printing the cJSON values above would give (numbers with
 * cJSON's choice of %.15g or %.17g, strings escaped as cJSON escapes them,
 * one tab an indent level), so `runs --json` streams a run at a time
 * without building or freeing a tree.  The text still leaves through
 * cli_json_write. */

/* An object being written at nesting depth `depth` (0 for a document's
 * top): begin writes "{", each member is a key then one value appended by
 * the caller, end writes the closing brace. */
typedef struct cli_json_obj {
	ry_buf *b;
	int depth;
	bool empty; /* no member yet */
} cli_json_obj;
void cli_json_obj_begin(cli_json_obj *o, ry_buf *b, int depth);
void cli_json_obj_key(cli_json_obj *o, const char *key);
void cli_json_obj_end(cli_json_obj *o);

/* Values as cJSON prints those of cli_json_number (null when not finite),
 * cli_json_string (null for NULL) and cli_json_value. */
void cli_json_text_number(ry_buf *b, double v);
void cli_json_text_string(ry_buf *b, const char *s);
void cli_json_text_value(ry_buf *b, const char *s);

/* Goals looked up once per experiment and metric while writing many runs
 * (the setting lookups were a seventh of `runs --json`).  Zero-initialise;
 * free with cli_json_goals_free. */
typedef struct cli_json_goals {
	struct cli_json_goal *v;
	size_t n, cap;
} cli_json_goals;
void cli_json_goals_free(cli_json_goals *g);

/* The members of cli_json_run's object, written into o (begun, not ended:
 * a command adds its own members, then ends it).  goals may be NULL. */
void cli_json_run_members(cli_json_obj *o, ry_store *st, const ry_run *r, const ry_metric_summary *m,
                          size_t nm, double now, cli_json_goals *goals);

#endif
