/*
 * The list widget's arithmetic (list.h): one place for the cursor, top-row
 * and page movement that every list view shares.  Nothing here draws or
 * knows what the rows are; the views decide their page size (a picker pages
 * by its visible rows less a line of context, the compare table by a third
 * of the screen) and pass it in, so each keeps the feel it had.
 */
#include "widgets/list.h"

void tui_list_init(struct tui_list *l, bool pager)
{
	*l = (struct tui_list){ .pager = pager };
}

size_t tui_list_max_top(const struct tui_list *l)
{
	return l->n > l->height ? l->n - l->height : 0;
}

/* The cursor inside the list, and the top where it shows the cursor and no
 * blank tail. */
static void clamp(struct tui_list *l)
{
	if (l->pager || !l->n)
		l->cur = 0;
	else if (l->cur >= l->n)
		l->cur = l->n - 1;
	if (!l->pager && l->height) {
		if (l->cur < l->top)
			l->top = l->cur;
		if (l->cur >= l->top + l->height)
			l->top = l->cur - l->height + 1;
	}
	/* Before the first fit the height is unknown: only the count bounds. */
	size_t max = l->height ? tui_list_max_top(l) : (l->n ? l->n - 1 : 0);
	if (l->top > max)
		l->top = max;
}

void tui_list_fit(struct tui_list *l, size_t n, size_t height)
{
	l->n = n;
	l->height = height;
	clamp(l);
}

static size_t sub(size_t a, size_t b)
{
	return a > b ? a - b : 0;
}

bool tui_list_move(struct tui_list *l, enum tui_list_step s, size_t page)
{
	size_t was_cur = l->cur, was_top = l->top;
	size_t *at = l->pager ? &l->top : &l->cur;
	if (!page)
		page = l->height ? l->height : 1;
	size_t half = page / 2 ? page / 2 : 1;
	switch (s) {
	case TUI_LIST_DOWN: *at += 1; break;
	case TUI_LIST_UP: *at = sub(*at, 1); break;
	case TUI_LIST_HALF_DOWN: *at += half; break;
	case TUI_LIST_HALF_UP: *at = sub(*at, half); break;
	case TUI_LIST_PAGE_DOWN:
		*at += page;
		if (l->page_scrolls && !l->pager)
			l->top += page;
		break;
	case TUI_LIST_PAGE_UP:
		*at = sub(*at, page);
		if (l->page_scrolls && !l->pager)
			l->top = sub(l->top, page);
		break;
	case TUI_LIST_FIRST: *at = 0; break;
	case TUI_LIST_LAST: *at = l->pager ? tui_list_max_top(l) : (l->n ? l->n - 1 : 0); break;
	}
	clamp(l);
	return l->cur != was_cur || l->top != was_top;
}

void tui_list_set(struct tui_list *l, size_t i)
{
	if (l->pager)
		l->top = i;
	else
		l->cur = i;
	clamp(l);
}
