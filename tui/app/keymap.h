/*
 * Keys are data: every user action is defined once in TUI_ACTIONS, which
 * yields the enum, the name used in config files and the help text, so the
 * help screen can never drift from the code.  Default bindings are text in
 * the config file's language (see keymap.c), parsed at start through the
 * same path as the user's [keys] sections.  Each view has its own keymap
 * that falls back to the generic one.
 */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/config.h"

#define TUI_ACTIONS(_) \
	_(NONE,          "none",           "Do nothing (unbind a key)") \
	_(MOVE_DOWN,     "move-down",      "Move the cursor down") \
	_(MOVE_UP,       "move-up",        "Move the cursor up") \
	_(MOVE_LEFT,     "move-left",      "Move the column cursor left") \
	_(MOVE_RIGHT,    "move-right",     "Move the column cursor right") \
	_(PAGE_DOWN,     "page-down",      "Scroll down one page") \
	_(PAGE_UP,       "page-up",        "Scroll up one page") \
	_(HALF_DOWN,     "half-page-down", "Scroll down half a page") \
	_(HALF_UP,       "half-page-up",   "Scroll up half a page") \
	_(FIRST,         "move-first",     "Jump to the first line") \
	_(LAST,          "move-last",      "Jump to the last line") \
	_(FOCUS_NEXT,    "focus-next",     "Switch pane / jump to the next section") \
	_(ENTER,         "enter",          "Open the item under the cursor") \
	_(BACK,          "back",           "Go back (quit on the main screen)") \
	_(QUIT,          "quit",           "Quit runyard") \
	_(ESCAPE,        "escape",         "Runs: clear the filter, then the marks; elsewhere: go back (never quits)") \
	_(HELP,          "help",           "Show the bindings of this screen") \
	_(TOGGLE_HINTS,  "toggle-hints",   "Show or hide the key-hint bar at the bottom (config: hints = off)") \
	_(COMMAND,       "command",        "Open the command line (:sort :filter :theme :columns :import :quit)") \
	_(FILTER,        "filter",         "Filter runs with the query language, live") \
	_(SEARCH,        "search",         "Search for plain text") \
	_(SEARCH_NEXT,   "search-next",    "Jump to the next search match") \
	_(SEARCH_PREV,   "search-prev",    "Jump to the previous search match") \
	_(SORT_ASC,      "sort-asc",       "Sort by the column under the cursor, ascending") \
	_(SORT_DESC,     "sort-desc",      "Sort by the column under the cursor, descending") \
	_(MARK,          "mark",           "Mark or unmark the run under the cursor") \
	_(UNMARK_ALL,    "unmark-all",     "Unmark every run") \
	_(MARK_RANGE,    "mark-range",     "Start a range at the cursor; pressed again, mark every run from there to the cursor") \
	_(MARK_ALL,      "mark-all",       "Mark every run the filter shows") \
	_(COMPARE,       "compare",        "Compare the marked runs (2 to 12); with one or none marked, chart the run under the cursor") \
	_(CHART_RUN,     "chart-run",      "Chart the run's metrics, each in its own small chart") \
	_(COLUMNS,       "columns",        "Choose the param and metric columns") \
	_(EDIT_NOTES,    "edit-notes",     "Edit the run's notes in $VISUAL or $EDITOR (vi); on one line where no editor runs") \
	_(COPY,          "copy",           "Copy the run's id, uuid or command to the clipboard (OSC 52)") \
	_(FOLLOW,        "follow",         "Follow the log of a running run") \
	_(TOGGLE_WRAP,   "toggle-wrap",    "Wrap long log lines, or cut them at the edge and scroll with h/l") \
	_(TOGGLE_RAW,    "toggle-raw",     "Show the log's raw bytes escaped (\\r \\b \\e), or as the terminal showed it") \
	_(TOGGLE_SAME,   "toggle-same",    "Hide or show rows whose values are all identical") \
	_(BASELINE,      "baseline",       "Make the run under the cursor the baseline") \
	_(METRIC_NEXT,   "metric-next",    "Chart the next metric (parallel coordinates: colour by the next metric)") \
	_(METRIC_PREV,   "metric-prev",    "Chart the previous metric") \
	_(METRIC_PICK,   "metric-pick",    "Pick the charted metric from a list") \
	_(XAXIS,         "x-axis",         "Cycle the chart's x axis: step, epoch (when logged), wall time, relative time (:x NAME: any metric)") \
	_(CURSOR_LEFT,   "cursor-left",    "Move the chart cursor left one column; the legend reads each run's value there") \
	_(CURSOR_RIGHT,  "cursor-right",   "Move the chart cursor right one column (the first move shows it, at the right edge)") \
	_(CURSOR_PAGE_LEFT, "cursor-page-left", "Zoomed: show the screenful before; else move the chart cursor a quarter of the plot left") \
	_(CURSOR_PAGE_RIGHT, "cursor-page-right", "Zoomed: show the screenful after; else move the chart cursor a quarter of the plot right") \
	_(ZOOM_MARK,     "zoom-mark",      "Mark a zoom's start at the chart cursor; pressed again, zoom to the range between mark and cursor") \
	_(ZOOM_IN,       "zoom-in",        "Zoom the x axis in twice as close, around the chart cursor (the y axis fits what is shown)") \
	_(ZOOM_OUT,      "zoom-out",       "Zoom the x axis out twice as far, around the chart cursor") \
	_(ZOOM_RESET,    "zoom-reset",     "Show the whole x range again") \
	_(BAND,          "band",           "Charting groups: the band around each mean, min to max or mean +- std") \
	_(SMALL_MULTIPLES, "small-multiples", "Compare: several metrics at once, a small chart each sharing the x axis (the cursor moves in all); again: back to the table") \
	_(EMA_LESS,      "smooth-less",    "Less EMA smoothing") \
	_(EMA_MORE,      "smooth-more",    "More EMA smoothing") \
	_(LOG_Y,         "log-y",          "Toggle a logarithmic y axis") \
	_(TOGGLE,        "toggle",         "Toggle the item under the cursor") \
	_(ITEM_DOWN,     "item-down",      "Move the item under the cursor down the list (the column picker: the column order)") \
	_(ITEM_UP,       "item-up",        "Move the item under the cursor up the list (the column picker: the column order)") \
	_(REFRESH,       "refresh",        "Reload and redraw the screen (hosts: probe again, every host)") \
	_(PROBE_HOST,    "probe-host",     "Probe the host under the cursor again, alone") \
	_(HOSTS,         "hosts",          "Show the hosts: GPUs, memory, who is on them (live probe)") \
	_(LAUNCH,        "launch",         "Launch a run on an SSH host (from the experiment or the run under the cursor; hosts: on the host under the cursor)") \
	_(CANCEL_RUN,    "cancel-run",     "Cancel the running remote run under the cursor") \
	_(REGISTRY,      "registry",       "Open the model registry") \
	_(PROMOTE,       "promote",        "Promote the run's artifact to a registered model") \
	_(TAG_ADD,       "tag-add",        "Add or change a tag of the run (asks for key=value; :tag K=V)") \
	_(TAG_REMOVE,    "tag-remove",     "Remove one of the run's tags, picked from a list (:untag K)") \
	_(RENAME,        "rename",         "Rename the run (:rename NAME)") \
	_(DELETE_RUN,    "delete-run",     "Delete the run, or every marked run, after a y/N confirm (:delete); refused for a run with registered model versions") \
	_(EXPORT_VIEW,   "export-view",    "Export what the screen shows to a file (asks for it): the runs or the comparison as .csv/.json, a chart as .svg (:export FILE)") \
	_(HISTORY,       "history",        "Show or hide the model's history (the audit trail)") \
	_(GOTO_RUN,      "goto-run",       "Open the source run of the version under the cursor") \
	_(ALIAS_MOVE,    "alias-move",     "Move an alias to the version under the cursor (asks first)") \
	_(ALIAS_DELETE,  "alias-delete",   "Delete an alias of the version under the cursor (asks first)") \
	_(EXPORT,        "export",         "Export the version's artifact to a directory (its sha256 checked)") \
	_(DESCRIBE,      "describe",       "Edit the model's description") \
	_(DEPLOY,        "deploy",         "Deploy the version under the cursor: pick a target, then confirm") \
	_(DEPLOYMENTS,   "deployments",    "Show the deployments with their live status") \
	_(UNDEPLOY,      "undeploy",       "Stop the deployment under the cursor (asks first)") \
	_(DEPLOY_LOGS,   "deploy-logs",    "Show the log of the deployment under the cursor") \
	_(PARALLEL,      "parallel",       "Parallel coordinates of the runs the filter shows: brush an axis to narrow the filter") \
	_(SCATTER,       "scatter",        "Scatter a param against the metric over the runs the filter shows, with parameter importance") \
	_(AXIS_LEFT,     "axis-left",      "Move the selected axis one place left") \
	_(AXIS_RIGHT,    "axis-right",     "Move the selected axis one place right") \
	_(AXIS_FLIP,     "axis-flip",      "Turn the selected axis upside down") \
	_(BRUSH_TOP_UP,  "brush-top-up",   "Raise the top end of the selected axis's brush") \
	_(BRUSH_TOP_DOWN, "brush-top-down", "Lower the top end of the selected axis's brush (narrows the runs table's filter)") \
	_(BRUSH_BOTTOM_UP, "brush-bottom-up", "Raise the bottom end of the selected axis's brush (narrows the runs table's filter)") \
	_(BRUSH_BOTTOM_DOWN, "brush-bottom-down", "Lower the bottom end of the selected axis's brush") \
	_(BRUSH_BOUNDS,  "brush-bounds",   "Type the selected axis's brush: LO..HI, or its values a,b") \
	_(BRUSH_CLEAR,   "brush-clear",    "Take the brush off the selected axis") \
	_(PARAM_NEXT,    "param-next",     "Put the next param on the scatter's x axis") \
	_(PARAM_PREV,    "param-prev",     "Put the previous param on the scatter's x axis") \
	_(LOG_X,         "log-x",          "Toggle a logarithmic x axis")

enum tui_action {
#define TUI_ACTION_ENUM(id, name, help) TUI_ACT_##id,
	TUI_ACTIONS(TUI_ACTION_ENUM)
#undef TUI_ACTION_ENUM
	TUI_ACT_COUNT
};

/* Keymaps: one generic map and one per view kind. */
#define TUI_KEYMAPS(_) \
	_(GENERIC, "generic") \
	_(MAIN,    "main")    \
	_(DETAIL,  "detail")  \
	_(COMPARE, "compare") \
	_(HELP,    "help")    \
	_(PICKER,  "picker")  \
	_(HOSTS,   "hosts")   \
	_(LAUNCH,  "launch") \
	_(REGISTRY, "registry") \
	_(PROMOTE, "promote") \
	_(CHARTS,  "charts") \
	_(PARALLEL, "parallel") \
	_(SCATTER, "scatter")

enum tui_keymap_id {
#define TUI_KEYMAP_ENUM(id, name) TUI_KM_##id,
	TUI_KEYMAPS(TUI_KEYMAP_ENUM)
#undef TUI_KEYMAP_ENUM
	TUI_KM_COUNT
};

/* A key: a character (Unicode code point) or a curses KEY_* code with
 * TUI_KEY_FN set. */
#define TUI_KEY_FN 0x40000000

typedef struct tui_keymaps tui_keymaps;

/* Keymaps holding the default bindings.  Caller frees. */
tui_keymaps *tui_keymap_new(void);
void tui_keymap_free(tui_keymaps *km); /* accepts NULL */

/* Bind `keyname` to `action` in keymap `map` ("generic", "main", ...).
 * Errors (-1) fill err with what was wrong: unknown key, action or map. */
int tui_keymap_bind(tui_keymaps *km, const char *map, const char *keyname,
                    const char *action, char *err, size_t errn);

/* Apply every [keys] (generic) and [keys VIEW] section of a config.
 * Returns the number of bad entries; the first error goes to err. */
int tui_keymap_apply_config(tui_keymaps *km, const ry_config *cfg, char *err, size_t errn);

/* The action for key in map, falling back to the generic map. */
enum tui_action tui_keymap_lookup(const tui_keymaps *km, enum tui_keymap_id map, int key);

/* Keys bound to action in map (including generic ones not overridden by
 * the map), as "j, Down", into out.  Returns the number of keys. */
int tui_keymap_keys_for(const tui_keymaps *km, enum tui_keymap_id map, enum tui_action a,
                        bool include_generic, char *out, size_t n);

/* Every binding of every keymap, one "MAP<TAB>KEY<TAB>ACTION" line each,
 * in binding order, keys named as the help screen names them.  For
 * `runyard __keys`, which the man page's KEYS section is checked against. */
void tui_keymap_print(const tui_keymaps *km, FILE *f);

const char *tui_action_name(enum tui_action a);
const char *tui_action_help(enum tui_action a);

/* Parse a key name ("j", "C-d", "PgDn", "Space", "LBracket") into a key
 * code; -1 if unknown.  tui_key_name does the reverse (into out). */
int tui_key_parse(const char *name);
void tui_key_name(int key, char *out, size_t n);

#endif
