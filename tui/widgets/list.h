/*
 * One scrolling list for every view that shows rows (tig keeps one scroll
 * routine for all its views): a cursor, the first row shown and the number
 * of rows shown, moved by line, half page, page, first and last, with the
 * cursor kept on screen and everything clamped when the list or the screen
 * changes size.  Two kinds: a cursor list (runs, pickers, registry), where
 * moves move the cursor and the top follows, and a pager (help, run detail,
 * compare table, hosts), which has no cursor and moves its top row.
 *
 * Pure arithmetic on plain fields: it knows no curses, no keymap and no
 * item; a view owns a struct tui_list by value, tells it the item count and
 * the height it draws with (tui_list_fit) and reads cur/top back.
 */
#ifndef TUI_LIST_H
#define TUI_LIST_H

#include <stdbool.h>
#include <stddef.h>

enum tui_list_step {
	TUI_LIST_DOWN,       /* one line */
	TUI_LIST_UP,
	TUI_LIST_HALF_DOWN,  /* half a page (at least one line) */
	TUI_LIST_HALF_UP,
	TUI_LIST_PAGE_DOWN,  /* a page */
	TUI_LIST_PAGE_UP,
	TUI_LIST_FIRST,
	TUI_LIST_LAST,
};

struct tui_list {
	size_t n;            /* items */
	size_t cur;          /* the cursor, < n when n > 0 (0 in a pager) */
	size_t top;          /* the first item shown */
	size_t height;       /* items shown, from the last fit; 0: not drawn yet */
	bool pager;          /* no cursor: moves scroll the top row */
	bool page_scrolls;   /* a cursor list whose page moves also move the top by
	                        the same amount (the cursor keeps its screen row) */
};

/* A list of kind pager (true) or cursor list, empty and at the top (a
 * zeroed struct is an empty cursor list too). */
void tui_list_init(struct tui_list *l, bool pager);

/* The list now has n items and shows height rows: clamp the cursor into
 * the list, keep it visible and leave no blank rows below the last item
 * while there are rows above the top. */
void tui_list_fit(struct tui_list *l, size_t n, size_t height);

/* Move by one step; page is how many rows a page moves (0: the height).
 * Clamped; true if cur or top changed. */
bool tui_list_move(struct tui_list *l, enum tui_list_step s, size_t page);

/* Put the cursor on item i (clamped), or in a pager item i at the top,
 * and scroll just enough to show it. */
void tui_list_set(struct tui_list *l, size_t i);

/* The largest top that still fills the height (0 when everything fits). */
size_t tui_list_max_top(const struct tui_list *l);

#endif
