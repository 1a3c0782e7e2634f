/*
 * Mouse events (mouse.h): the one place that talks to curses about the
 * mouse.  A press of the first button is a click (reported at once:
 * mouseinterval 0, so curses never holds a click back to see whether a
 * second one follows; a double-click is two clicks, and the second lands
 * on the row the first one selected, which opens it).  The wheel is sent
 * to the top view as move actions.  What a click means is each view's
 * business (its `click` op); this file only finds the view and the list
 * row under a cell.  It never draws.
 */
#include <curses.h>

#include "app/mouse.h"
#include "app/tui.h"

void tui_mouse_start(struct tui_ctx *c)
{
	/* Without a mask curses never sends the terminal its mouse mode
	 * (xterm's XM: ESC [ ? 1006 ; 1000 h), so the terminal keeps the mouse
	 * for its own selection. */
	if (!tui_config_on(c, "mouse", "the mouse") || c->headless)
		return;
	mmask_t want = BUTTON1_PRESSED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
	want |= BUTTON5_PRESSED;
#endif
	mouseinterval(0);
	c->mouse = mousemask(want, NULL) != 0;
}

enum tui_click tui_mouse_list_click(struct tui_list *l, int y0, int y)
{
	if (l->pager || y < y0 || !l->height || (size_t)(y - y0) >= l->height)
		return TUI_CLICK_MISS;
	size_t item = l->top + (size_t)(y - y0);
	if (item >= l->n)
		return TUI_CLICK_MISS;
	if (item == l->cur)
		return TUI_CLICK_OPEN;
	tui_list_set(l, item);
	return TUI_CLICK_MOVED;
}

/* A wheel notch: the view's own move actions, so its cursor, follow mode
 * and paging rules all apply as for the keys. */
static int wheel(struct tui_ctx *c, struct tui_view *v, bool down)
{
	int r = 0;
	if (!v->ops->action)
		return 0;
	for (int i = 0; i < TUI_WHEEL_LINES; i++) {
		int one = v->ops->action(v, c, down ? TUI_ACT_MOVE_DOWN : TUI_ACT_MOVE_UP);
		if (one & TUI_UNHANDLED)
			break;
		r |= one;
	}
	return r;
}

int tui_mouse_event(struct tui_ctx *c)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return 0;
	/* While a prompt is open the keys belong to it; so does the mouse
	 * (nothing to click there), and a too-small screen shows no view. */
	if (c->prompt_kind != TUI_PROMPT_NONE || c->rows < TUI_MIN_ROWS || c->cols < TUI_MIN_COLS)
		return 0;
	struct tui_view *v = c->views[c->nviews - 1];
	bool up = ev.bstate & BUTTON4_PRESSED, down = false;
#ifdef BUTTON5_PRESSED
	down = ev.bstate & BUTTON5_PRESSED;
#endif
	if (up || down) {
		c->msg[0] = '\0';
		return wheel(c, v, down) | TUI_REDRAW;
	}
	if (!(ev.bstate & BUTTON1_PRESSED) || !v->ops->click)
		return 0;
	/* Only the view's rows: the title bar and the status bar are not its. */
	if (ev.y < 1 || ev.y >= 1 + v->rows || ev.x < 0 || ev.x >= c->cols)
		return 0;
	c->msg[0] = '\0';
	int r = v->ops->click(v, c, ev.y, ev.x);
	return r & TUI_UNHANDLED ? TUI_REDRAW : r;
}
