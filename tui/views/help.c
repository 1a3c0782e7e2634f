/*
 * The help screen: every binding of the screen it was opened from, read
 * from the keymaps (so it cannot drift from what the keys do), then the
 * prompt keys and the `:` commands.  Scrollable; `f`/`/` search like
 * everywhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/draw.h"
#include "app/find.h"
#include "app/tui.h"

struct help_line {
	char *keys;    /* NULL for headings and plain text */
	char *text;
	enum tui_color color;
};

struct help_priv {
	struct help_line *lines;
	size_t n, cap;
	struct tui_list list;   /* a pager over lines */
};

static void add(struct help_priv *p, const char *keys, const char *text, enum tui_color e)
{
	p->lines = ry_xgrow(p->lines, &p->cap, p->n + 1, sizeof *p->lines);
	p->lines[p->n].keys = keys ? ry_xstrdup(keys) : NULL;
	p->lines[p->n].text = ry_xstrdup(text);
	p->lines[p->n].color = e;
	p->n++;
}

static void add_actions(struct tui_ctx *c, struct help_priv *p, enum tui_keymap_id map, bool generic)
{
	for (int a = 1; a < TUI_ACT_COUNT; a++) {
		char keys[256];
		int nk;
		if (generic)
			nk = tui_keymap_keys_for(c->km, TUI_KM_GENERIC, (enum tui_action)a, false, keys, sizeof keys);
		else
			nk = tui_keymap_keys_for(c->km, map, (enum tui_action)a, false, keys, sizeof keys);
		if (nk > 0) {
			char text[256];
			snprintf(text, sizeof text, "%-15s %s", tui_action_name((enum tui_action)a),
			         tui_action_help((enum tui_action)a));
			add(p, keys, text, TUI_COLOR_DEFAULT);
		}
	}
}

static int help_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	struct tui_view *of = arg;
	struct help_priv *p = ry_xcalloc(1, sizeof *p);
	char title[128];
	v->priv = p;
	tui_list_init(&p->list, true);
	enum tui_keymap_id map = of ? of->ops->keymap : TUI_KM_GENERIC;
	snprintf(title, sizeof title, "Keys of the %s screen", of ? of->ops->name : "current");
	add(p, NULL, title, TUI_COLOR_HEADER);
	if (map != TUI_KM_GENERIC)
		add_actions(c, p, map, false);
	add(p, NULL, "", TUI_COLOR_DEFAULT);
	add(p, NULL, "Keys of every screen (unless the screen binds them itself)", TUI_COLOR_HEADER);
	add_actions(c, p, map, true);
	add(p, NULL, "", TUI_COLOR_DEFAULT);
	add(p, NULL, "In a prompt (/ filter, : command, find, notes)", TUI_COLOR_HEADER);
	add(p, "Enter", "apply and close", TUI_COLOR_DEFAULT);
	add(p, "Esc, C-g", "cancel (a filter goes back to what it was)", TUI_COLOR_DEFAULT);
	add(p, "C-a, C-e", "start, end of line", TUI_COLOR_DEFAULT);
	add(p, "C-u, C-k, C-w", "delete to start, to end, the word before", TUI_COLOR_DEFAULT);
	add(p, "Tab", "in the : line: complete the command, or the plugin after :import", TUI_COLOR_DEFAULT);
	add(p, "Up, Down", "in the : line: earlier command lines (kept with the workspace)", TUI_COLOR_DEFAULT);
	add(p, NULL, "", TUI_COLOR_DEFAULT);
	add(p, NULL, "Commands (press : first)", TUI_COLOR_HEADER);
	add(p, ":sort KEY[:desc]", "sort the runs, e.g. :sort metrics.val_acc:desc", TUI_COLOR_DEFAULT);
	add(p, ":goal KEY max|min|none", "whether higher or lower is better for a metric, or neither",
	    TUI_COLOR_DEFAULT);
	add(p, ":filter EXPR", "filter the runs, e.g. :filter lr < 0.01 and status = finished",
	    TUI_COLOR_DEFAULT);
	add(p, ":columns a,b,c", "choose param and metric columns, e.g. :columns lr,val_acc", TUI_COLOR_DEFAULT);
	add(p, ":sweep [ID]", "a sweep's runs shown and marked (c compares them); no ID: the sweep of the run "
	    "under the cursor", TUI_COLOR_DEFAULT);
	add(p, ":group KEY [median]", "one row per value of a param, tags.KEY or config (seeds collapsed): count, "
	    "mean +- std", TUI_COLOR_DEFAULT);
	add(p, "", "of each metric column (median: median, IQR); Enter shows a group's runs, Space marks them,",
	    TUI_COLOR_DIM);
	add(p, "", "s/S sort groups by a mean, c compares the marked groups; :group or :ungroup ends it",
	    TUI_COLOR_DIM);
	add(p, ":view [save|delete] NAME", "saved views: filter, sort, columns, grouping, chart settings; :view "
	    "lists them", TUI_COLOR_DEFAULT);
	add(p, ":theme NAME", "default, light, solarized-dark, high-contrast, monochrome, or a file",
	    TUI_COLOR_DEFAULT);
	add(p, ":import PLUGIN SRC", "import runs in the background, e.g. :import mlflow http://host:5000",
	    TUI_COLOR_DEFAULT);
	add(p, "", ":import mlflow alone reads $MLFLOW_TRACKING_URI; a bar shows runs done; Esc on the runs",
	    TUI_COLOR_DIM);
	add(p, "", "screen or :import cancel stops it (the run in progress is not kept)", TUI_COLOR_DIM);
	add(p, ":messages", "what the last import and deploy said (whole errors, the plugins' lines)",
	    TUI_COLOR_DEFAULT);
	add(p, ":columns source", "show where each run came from: local, ssh, plugin:NAME", TUI_COLOR_DEFAULT);
	add(p, ":save-display FILE", "write the screen's text to FILE", TUI_COLOR_DEFAULT);
	add(p, ":quit", "leave runyard", TUI_COLOR_DEFAULT);
	add(p, NULL, "", TUI_COLOR_DEFAULT);
	add(p, NULL, c->mouse ? "Mouse (on; 'mouse = off' in the config leaves it to the terminal)"
	                      : "Mouse (off; the config's 'mouse = off' or a script)", TUI_COLOR_HEADER);
	add(p, "click", "put the cursor on a row (runs, experiments, registry, versions, compare, pickers)",
	    TUI_COLOR_DEFAULT);
	add(p, "click again", "open the row under the cursor, as Enter (so does a double click)", TUI_COLOR_DEFAULT);
	add(p, "click a header", "runs: sort by that column; again: the other way", TUI_COLOR_DEFAULT);
	add(p, "wheel", "scroll, three lines a notch (every list, the run detail and its log)", TUI_COLOR_DEFAULT);
	add(p, NULL, "", TUI_COLOR_DEFAULT);
	add(p, NULL, "Bindings are configurable: [keys] or [keys main|detail|compare] in the config file,",
	    TUI_COLOR_DIM);
	add(p, NULL, "one 'KEY = action' per line, e.g. 'J = page-down'.  'hints = off' hides the key-hint bar.",
	    TUI_COLOR_DIM);
	return 0;
}

static void help_done(struct tui_view *v, struct tui_ctx *c)
{
	struct help_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->lines[i].keys);
		free(p->lines[i].text);
	}
	free(p->lines);
	free(p);
}

static bool line_has(const struct tui_ctx *c, size_t i, void *arg)
{
	const struct help_line *l = &((struct help_priv *)arg)->lines[i];
	return tui_find_in(c, l->text, NULL, NULL) || tui_find_in(c, l->keys, NULL, NULL);
}

static void help_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct help_priv *p = v->priv;
	int kw = 20;
	tui_list_fit(&p->list, p->n, (size_t)h);
	size_t top = p->list.top;
	for (int i = 0; i < h && top + (size_t)i < p->n; i++) {
		struct help_line *l = &p->lines[top + (size_t)i];
		bool hit = line_has(c, top + (size_t)i, p);
		if (l->keys) {
			tui_draw_text(c, y + i, 2, kw, l->keys, hit ? TUI_COLOR_SEARCH_MATCH : TUI_COLOR_KEY);
			tui_draw_text(c, y + i, 2 + kw + 1, c->cols - kw - 3, l->text, hit ? TUI_COLOR_SEARCH_MATCH : l->color);
		} else {
			tui_draw_text(c, y + i, 1, c->cols - 1, l->text, hit ? TUI_COLOR_SEARCH_MATCH : l->color);
		}
	}
}

static int help_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct help_priv *p = v->priv;
	size_t page = v->rows > 1 ? (size_t)v->rows - 1 : 1;
	if (tui_list_action(&p->list, a, page))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_SEARCH:
		tui_prompt_open(c, v, TUI_PROMPT_SEARCH, "find: ", ""); /* a new search; n/N repeat the last */
		return TUI_REDRAW;
	case TUI_ACT_SEARCH_NEXT: case TUI_ACT_SEARCH_PREV: {
		size_t to;
		if (c->search[0] && tui_find_step(c, p->n, p->list.top, a == TUI_ACT_SEARCH_NEXT ? 1 : -1, line_has, p,
		                                  "line", &to))
			tui_list_set(&p->list, to);
		return TUI_REDRAW;
	}
	case TUI_ACT_HELP:
		return TUI_REDRAW; /* already here */
	default:
		return TUI_UNHANDLED;
	}
}

static int help_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                       bool cancel)
{
	struct help_priv *p = v->priv;
	size_t to;
	if (final && !cancel) {
		snprintf(c->search, sizeof c->search, "%s", text);
		/* A new search: the top line may be the first match. */
		if (c->search[0] && tui_find_step(c, p->n, p->list.top, 0, line_has, p, "line", &to))
			tui_list_set(&p->list, to);
	}
	return TUI_REDRAW;
}

static void help_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	(void)v; (void)c;
	snprintf(out, n, " help: j/k scroll, q back");
}

const struct tui_view_ops tui_view_help = {
	.name = "help",
	.keymap = TUI_KM_HELP,
	.open = help_open,
	.draw = help_draw,
	.action = help_action,
	.status = help_status,
	.prompt = help_prompt,
	.done = help_done,
};
