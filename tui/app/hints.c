/*
 * The key-hint bar.  Which actions deserve a hint on which screen, in
 * what order of importance, and the word each gets there, is this file's
 * knowledge; the key is always asked of the keymaps at draw time (so
 * rebinding shows), and what the action does is the views' business.
 * The prompt has hints of its own: its keys are the line editor's
 * (prompt.c), not the keymaps'.  It never decides layout: app.c gives it
 * its row.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/draw.h"
#include "app/hints.h"
#include "app/tui.h"
#include "text/text.h"

struct hint {
	enum tui_action a;
	const char *word;
};

#define END { TUI_ACT_NONE, NULL }

/* Most important first: a narrow screen keeps the head of each list. */
static const struct hint main_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "quit" },          { TUI_ACT_ENTER, "open" },
	{ TUI_ACT_FILTER, "filter" },    { TUI_ACT_SEARCH, "find" },        { TUI_ACT_MARK, "mark+down" },
	{ TUI_ACT_COMPARE, "compare" },  { TUI_ACT_SORT_ASC, "sort" },      { TUI_ACT_PARALLEL, "parallel" },
	{ TUI_ACT_SCATTER, "scatter" },  { TUI_ACT_MARK_RANGE, "range" },
	{ TUI_ACT_MARK_ALL, "mark all" }, { TUI_ACT_UNMARK_ALL, "unmark" }, { TUI_ACT_COLUMNS, "columns" },
	{ TUI_ACT_COMMAND, "command" },  { TUI_ACT_FOCUS_NEXT, "pane" },    { TUI_ACT_LAUNCH, "launch" },
	{ TUI_ACT_HOSTS, "hosts" },      { TUI_ACT_REGISTRY, "registry" },  { TUI_ACT_PROMOTE, "promote" },
	{ TUI_ACT_TOGGLE_HINTS, "hide hints" }, { TUI_ACT_TAG_ADD, "tag" }, { TUI_ACT_RENAME, "rename" }, { TUI_ACT_EDIT_NOTES, "notes" },
	{ TUI_ACT_DELETE_RUN, "delete" }, { TUI_ACT_EXPORT_VIEW, "export" }, END,
};
static const struct hint detail_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "back" },          { TUI_ACT_SEARCH, "find" },
	{ TUI_ACT_SEARCH_NEXT, "next" }, { TUI_ACT_FOLLOW, "follow" },      { TUI_ACT_TOGGLE_WRAP, "wrap" },
	{ TUI_ACT_TOGGLE_RAW, "raw" },   { TUI_ACT_CHART_RUN, "chart" },    { TUI_ACT_EDIT_NOTES, "notes" },
	{ TUI_ACT_PROMOTE, "promote" },  { TUI_ACT_COMMAND, "command" },
	{ TUI_ACT_TOGGLE_HINTS, "hide hints" }, { TUI_ACT_TAG_ADD, "tag" }, { TUI_ACT_TAG_REMOVE, "untag" },
	{ TUI_ACT_RENAME, "rename" }, { TUI_ACT_DELETE_RUN, "delete" }, END,
};
static const struct hint compare_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "back" },          { TUI_ACT_METRIC_NEXT, "metric" },
	{ TUI_ACT_METRIC_PICK, "pick metric" }, { TUI_ACT_BASELINE, "baseline" },
	{ TUI_ACT_CURSOR_RIGHT, "cursor" }, { TUI_ACT_ZOOM_MARK, "zoom" },  { TUI_ACT_SMALL_MULTIPLES, "grid" },
	{ TUI_ACT_TOGGLE_SAME, "same rows" }, { TUI_ACT_XAXIS, "x axis" },  { TUI_ACT_LOG_Y, "log y" },
	{ TUI_ACT_EMA_MORE, "smooth" },  { TUI_ACT_ZOOM_RESET, "unzoom" },  { TUI_ACT_TOGGLE_HINTS, "hide hints" }, { TUI_ACT_EXPORT_VIEW, "export" }, END,
};
static const struct hint charts_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "back" },          { TUI_ACT_METRIC_PICK, "pick metrics" },
	{ TUI_ACT_CURSOR_RIGHT, "cursor" }, { TUI_ACT_ZOOM_MARK, "zoom" },  { TUI_ACT_XAXIS, "x axis" },
	{ TUI_ACT_LOG_Y, "log y" },      { TUI_ACT_EMA_MORE, "smooth" },    { TUI_ACT_ZOOM_RESET, "unzoom" },
	{ TUI_ACT_TOGGLE_HINTS, "hide hints" }, { TUI_ACT_EXPORT_VIEW, "export" }, END,
};
static const struct hint parallel_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "back" },          { TUI_ACT_MOVE_RIGHT, "axis" },
	{ TUI_ACT_BRUSH_BOTTOM_UP, "brush low" }, { TUI_ACT_BRUSH_TOP_DOWN, "brush high" },
	{ TUI_ACT_BRUSH_BOUNDS, "bounds" }, { TUI_ACT_BRUSH_CLEAR, "unbrush" }, { TUI_ACT_AXIS_RIGHT, "move axis" },
	{ TUI_ACT_AXIS_FLIP, "flip" },   { TUI_ACT_METRIC_NEXT, "metric" }, { TUI_ACT_TOGGLE_HINTS, "hide hints" }, END,
};
static const struct hint scatter_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "back" },          { TUI_ACT_ENTER, "open run" },
	{ TUI_ACT_MOVE_RIGHT, "next point" }, { TUI_ACT_PARAM_NEXT, "param" }, { TUI_ACT_LOG_X, "log x" },
	{ TUI_ACT_LOG_Y, "log y" },      { TUI_ACT_TOGGLE_HINTS, "hide hints" }, END,
};
static const struct hint registry_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "back" },          { TUI_ACT_ENTER, "open" },
	{ TUI_ACT_SEARCH, "find" },      { TUI_ACT_HISTORY, "history" },    { TUI_ACT_GOTO_RUN, "run" },
	{ TUI_ACT_ALIAS_MOVE, "move alias" }, { TUI_ACT_ALIAS_DELETE, "delete alias" },
	{ TUI_ACT_EXPORT, "export" },    { TUI_ACT_DEPLOY, "deploy" },      { TUI_ACT_DEPLOYMENTS, "deployments" },
	{ TUI_ACT_DESCRIBE, "describe" }, { TUI_ACT_TOGGLE_HINTS, "hide hints" }, END,
};
static const struct hint picker_hints[] = {
	{ TUI_ACT_ENTER, "choose" },     { TUI_ACT_TOGGLE, "toggle" },      { TUI_ACT_BACK, "cancel" },
	{ TUI_ACT_ITEM_DOWN, "move down" }, { TUI_ACT_ITEM_UP, "move up" }, { TUI_ACT_SEARCH, "find" },      { TUI_ACT_TOGGLE_HINTS, "hide hints" }, END,
};
static const struct hint dialog_hints[] = { /* launch, promote: forms */
	{ TUI_ACT_FOCUS_NEXT, "next field" }, { TUI_ACT_ENTER, "edit" },    { TUI_ACT_LAUNCH, "launch" },
	{ TUI_ACT_PROMOTE, "promote" },  { TUI_ACT_BACK, "cancel" },        { TUI_ACT_HELP, "help" },
	{ TUI_ACT_TOGGLE_HINTS, "hide hints" }, END,
};
static const struct hint hosts_hints[] = {
	{ TUI_ACT_HELP, "help" },        { TUI_ACT_BACK, "back" },          { TUI_ACT_LAUNCH, "launch here" },
	{ TUI_ACT_PROBE_HOST, "probe host" }, { TUI_ACT_REFRESH, "probe all" },
	{ TUI_ACT_TOGGLE_HINTS, "hide hints" }, END,
};
static const struct hint pager_hints[] = { /* help, messages, anything generic */
	{ TUI_ACT_BACK, "back" },        { TUI_ACT_SEARCH, "find" },        { TUI_ACT_SEARCH_NEXT, "next" },
	{ TUI_ACT_PAGE_DOWN, "page" },   { TUI_ACT_HELP, "help" },          { TUI_ACT_TOGGLE_HINTS, "hide hints" },
	END,
};

static const struct hint *hints_for(enum tui_keymap_id map)
{
	switch (map) {
	case TUI_KM_MAIN: return main_hints;
	case TUI_KM_DETAIL: return detail_hints;
	case TUI_KM_COMPARE: return compare_hints;
	case TUI_KM_CHARTS: return charts_hints;
	case TUI_KM_PARALLEL: return parallel_hints;
	case TUI_KM_SCATTER: return scatter_hints;
	case TUI_KM_REGISTRY: return registry_hints;
	case TUI_KM_PICKER: return picker_hints;
	case TUI_KM_LAUNCH: case TUI_KM_PROMOTE: return dialog_hints;
	case TUI_KM_HOSTS: return hosts_hints;
	default: return pager_hints;
	}
}

/* The prompt's own keys (the line editor's, fixed): "KEY\tWORD" pairs. */
static const char *const *prompt_hints(int kind)
{
	static const char *const command[] = { "Enter\trun", "Esc\tcancel", "Tab\tcomplete", "Up/Down\thistory", NULL };
	static const char *const filter[] = { "Enter\tapply", "Esc\tput back", "C-u\tclear", NULL };
	static const char *const search[] = { "Enter\tfind", "Esc\tcancel", NULL };
	static const char *const secret[] = { "Enter\tsend", "Esc\tskip the key", NULL };
	static const char *const other[] = { "Enter\tok", "Esc\tcancel", NULL };
	switch (kind) {
	case TUI_PROMPT_COMMAND: return command;
	case TUI_PROMPT_FILTER: return filter;
	case TUI_PROMPT_SEARCH: return search;
	case TUI_PROMPT_PASSPHRASE: return secret;
	default: return other;
	}
}

/* Append "KEY WORD" to out when it fits in width columns (*used so far);
 * records where the key sits. */
static bool add_item(char *out, size_t n, size_t *len, int *used, int width, const char *key,
                     const char *word, size_t *ks, size_t *ke)
{
	int w = tui_text_width(key) + 1 + tui_text_width(word) + (*used ? 2 : 0);
	if (*used + w > width || *len + strlen(key) + strlen(word) + 4 >= n)
		return false;
	if (*used)
		*len += (size_t)snprintf(out + *len, n - *len, "  ");
	*ks = *len;
	*len += (size_t)snprintf(out + *len, n - *len, "%s", key);
	*ke = *len;
	*len += (size_t)snprintf(out + *len, n - *len, " %s", word);
	*used += w;
	return true;
}

size_t tui_hints_text(struct tui_ctx *c, int width, char *out, size_t n, size_t *key_start,
                      size_t *key_end, size_t max_items)
{
	size_t len = 0, k = 0;
	int used = 0;
	out[0] = '\0';
	if (c->prompt_kind != TUI_PROMPT_NONE) {
		for (const char *const *h = prompt_hints(c->prompt_kind); *h && k < max_items; h++) {
			char key[32];
			const char *tab = strchr(*h, '\t');
			snprintf(key, sizeof key, "%.*s", (int)(tab - *h), *h);
			if (add_item(out, n, &len, &used, width, key, tab + 1, &key_start[k], &key_end[k]))
				k++;
		}
		return k;
	}
	const struct tui_view *v = c->views[c->nviews - 1];
	enum tui_keymap_id map = v->ops->keymap;
	for (const struct hint *h = hints_for(map); h->word && k < max_items; h++) {
		char keys[128];
		if (tui_keymap_keys_for(c->km, map, h->a, true, keys, sizeof keys) <= 0)
			continue; /* unbound here: nothing to hint */
		char *comma = strstr(keys, ", ");
		if (comma)
			*comma = '\0';
		/* Dropped when it does not fit; a shorter one further on may. */
		if (add_item(out, n, &len, &used, width, keys, h->word, &key_start[k], &key_end[k]))
			k++;
	}
	return k;
}

void tui_hints_draw(struct tui_ctx *c, int y)
{
	enum { MAXI = 32 };
	char text[1024];
	size_t ks[MAXI], ke[MAXI];
	int width = c->cols - 2;
	size_t k = tui_hints_text(c, width, text, sizeof text, ks, ke, MAXI);
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_DEFAULT);
	int x = 1;
	size_t at = 0;
	for (size_t i = 0; i < k; i++) {
		char piece[256];
		/* the gap and the word before this key, then the key */
		snprintf(piece, sizeof piece, "%.*s", (int)(ks[i] - at), text + at);
		x += tui_draw_str(c, y, x, c->cols - x, piece, TUI_COLOR_DIM);
		snprintf(piece, sizeof piece, "%.*s", (int)(ke[i] - ks[i]), text + ks[i]);
		x += tui_draw_str(c, y, x, c->cols - x, piece, TUI_COLOR_KEY);
		at = ke[i];
	}
	tui_draw_str(c, y, x, c->cols - x, text + at, TUI_COLOR_DIM);
}
