/*
 * A list picker for other views: one choice (the chart's metric) or several
 * (the table's columns).  It copies its items, reports the choice through
 * the opener's callback and closes; it never touches the store.  A
 * multiple choice may be reorderable (the columns): item-up/-down carry the
 * item under the cursor, and the chosen items are reported in list order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/draw.h"
#include "app/find.h"
#include "app/mouse.h"
#include "app/tui.h"

struct picker_priv {
	char *title;
	char **items;
	bool *sel;
	size_t n;
	struct tui_list list;   /* the cursor over items */
	bool multi, reorder;
	void (*done)(struct tui_ctx *, struct tui_view *, const char *const *, size_t);
	struct tui_view *owner;
	int y0;                 /* screen row of the first item shown (clicks) */
};

static int picker_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_picker_arg *a = arg;
	struct picker_priv *p = ry_xcalloc(1, sizeof *p);
	(void)c;
	v->priv = p;
	p->title = ry_xstrdup(a->title);
	p->n = a->nitems;
	p->items = ry_xcalloc(p->n + 1, sizeof *p->items);
	p->sel = ry_xcalloc(p->n + 1, sizeof *p->sel);
	for (size_t i = 0; i < p->n; i++) {
		p->items[i] = ry_xstrdup(a->items[i]);
		p->sel[i] = a->selected && a->selected[i];
	}
	tui_list_init(&p->list, false);
	p->list.n = p->n;
	p->list.cur = a->cursor < p->n ? a->cursor : 0;
	p->multi = a->multi;
	p->reorder = a->multi && a->reorder;
	p->done = a->done;
	p->owner = a->owner;
	return 0;
}

static void picker_done(struct tui_view *v, struct tui_ctx *c)
{
	struct picker_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	ry_strings_free(p->items, p->n);
	free(p->sel);
	free(p->title);
	free(p);
}

static void picker_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct picker_priv *p = v->priv;
	size_t rows = h > 2 ? (size_t)h - 2 : 1;
	tui_draw_text(c, y, 1, c->cols - 2, p->title, TUI_COLOR_HEADER);
	tui_list_fit(&p->list, p->n, rows);
	p->y0 = y + 2;
	for (size_t i = 0; i < rows && p->list.top + i < p->n; i++) {
		size_t k = p->list.top + i;
		enum tui_color e = k == p->list.cur ? TUI_COLOR_CURSOR : TUI_COLOR_DEFAULT;
		char line[512];
		if (p->multi)
			snprintf(line, sizeof line, "[%s] %s", p->sel[k] ? "x" : " ", p->items[k]);
		else
			snprintf(line, sizeof line, "%s", p->items[k]);
		tui_draw_fill(c, y + 2 + (int)i, 1, c->cols - 2, e);
		tui_draw_text(c, y + 2 + (int)i, 2, c->cols - 4, line, e);
	}
}

static bool item_found(const struct tui_ctx *c, size_t i, void *arg)
{
	return tui_find_in(c, ((struct picker_priv *)arg)->items[i], NULL, NULL);
}

/* The item under the cursor one place down (dir 1) or up (-1), with it. */
static void move_item(struct tui_ctx *c, struct picker_priv *p, int dir)
{
	size_t i = p->list.cur, j = dir > 0 ? i + 1 : i - 1;
	if (!p->reorder) {
		tui_error(c, "this list keeps its order");
		return;
	}
	if (!p->n || (dir > 0 && j >= p->n) || (dir < 0 && !i))
		return;
	char *item = p->items[i];
	bool sel = p->sel[i];
	p->items[i] = p->items[j], p->sel[i] = p->sel[j];
	p->items[j] = item, p->sel[j] = sel;
	p->list.cur = j;
}

static int picker_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct picker_priv *p = v->priv;
	size_t page = v->rows > 3 ? (size_t)v->rows - 3 : 1;
	if (tui_list_action(&p->list, a, page))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_TOGGLE: case TUI_ACT_MARK:
		if (p->multi && p->n) {
			p->sel[p->list.cur] = !p->sel[p->list.cur];
			if (p->list.cur + 1 < p->n)
				p->list.cur++;
		}
		return TUI_REDRAW;
	case TUI_ACT_ITEM_DOWN: case TUI_ACT_ITEM_UP:
		move_item(c, p, a == TUI_ACT_ITEM_DOWN ? 1 : -1);
		return TUI_REDRAW;
	case TUI_ACT_ENTER: {
		const char **chosen = ry_xcalloc(p->n + 1, sizeof *chosen);
		size_t k = 0;
		for (size_t i = 0; i < p->n; i++)
			if (p->multi ? p->sel[i] : i == p->list.cur)
				chosen[k++] = p->items[i];
		if (p->done)
			p->done(c, p->owner, chosen, k);
		free(chosen);
		return TUI_POP | TUI_REDRAW;
	}
	case TUI_ACT_SEARCH:
		tui_prompt_open(c, v, TUI_PROMPT_SEARCH, "find: ", ""); /* a new search; n/N repeat the last */
		return TUI_REDRAW;
	case TUI_ACT_SEARCH_NEXT: case TUI_ACT_SEARCH_PREV: {
		size_t to;
		if (c->search[0] && tui_find_step(c, p->n, p->list.cur, a == TUI_ACT_SEARCH_NEXT ? 1 : -1, item_found, p,
		                                  "item", &to))
			p->list.cur = to;
		return TUI_REDRAW;
	}
	default:
		return TUI_UNHANDLED;
	}
}

static int picker_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                         bool cancel)
{
	if (final && !cancel) {
		struct picker_priv *p = v->priv;
		size_t to;
		snprintf(c->search, sizeof c->search, "%s", text);
		/* A new search: the current item may be the first match. */
		if (c->search[0] && tui_find_step(c, p->n, p->list.cur, 0, item_found, p, "item", &to))
			p->list.cur = to;
	}
	return TUI_REDRAW;
}

static void picker_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct picker_priv *p = v->priv;
	size_t k = 0;
	(void)c;
	for (size_t i = 0; i < p->n; i++)
		k += p->sel[i];
	if (p->reorder)
		snprintf(out, n, " %zu of %zu chosen  Space toggles  J/K move  Enter applies  q cancels", k, p->n);
	else if (p->multi)
		snprintf(out, n, " %zu of %zu chosen  Space toggles  Enter applies  q cancels", k, p->n);
	else
		snprintf(out, n, " %zu items  Enter picks  q cancels", p->n);
}

/* A click on an item puts the cursor there; one on the item under the
 * cursor toggles it (multiple choice) or picks it (single), as the keys do. */
static int picker_click(struct tui_view *v, struct tui_ctx *c, int y, int x)
{
	struct picker_priv *p = v->priv;
	(void)x;
	if (!p->n)
		return 0;
	enum tui_click k = tui_mouse_list_click(&p->list, p->y0, y);
	if (k != TUI_CLICK_OPEN)
		return k == TUI_CLICK_MOVED ? TUI_REDRAW : 0;
	if (!p->multi)
		return picker_action(v, c, TUI_ACT_ENTER);
	/* Toggling moves the cursor down for Space; a click stays on the item. */
	size_t at = p->list.cur;
	int r = picker_action(v, c, TUI_ACT_TOGGLE);
	p->list.cur = at;
	return r;
}

const struct tui_view_ops tui_view_picker = {
	.name = "pick",
	.keymap = TUI_KM_PICKER,
	.open = picker_open,
	.draw = picker_draw,
	.action = picker_action,
	.status = picker_status,
	.prompt = picker_prompt,
	.done = picker_done,
	.click = picker_click,
};
