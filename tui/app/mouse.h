/*
 * The mouse, translated once: curses' KEY_MOUSE events become either a
 * click at a screen cell, handed to the top view's `click` op (view.h),
 * or a wheel turn, which is the same as pressing move-down / move-up a
 * few times, so every list and pager scrolls without knowing the mouse.
 * Off with `mouse = off` in the config: the terminal is then never asked
 * to report the mouse, and its own selection keeps working.
 */
#ifndef TUI_MOUSE_H
#define TUI_MOUSE_H

#include <stdbool.h>
#include <stddef.h>

struct tui_ctx;
struct tui_list;

/* Ask the terminal to report clicks and the wheel, unless the config says
 * `mouse = off` (or the screen is headless).  Call once the screen is up. */
void tui_mouse_start(struct tui_ctx *c);

/* The key tui_screen_getkey returned was KEY_MOUSE: read the event and
 * act on it.  Returns reaction bits (0 for events that mean nothing here:
 * a release, another button, a click outside any list). */
int tui_mouse_event(struct tui_ctx *c);

/* A click at screen row y on list l, whose first visible item is drawn on
 * screen row y0: TUI_CLICK_MISS when the row shows no item (a header, the
 * empty rows below the last item), TUI_CLICK_OPEN when it is the item
 * under the cursor already (the second click of a double-click), else
 * TUI_CLICK_MOVED with the cursor put on the item. */
enum tui_click { TUI_CLICK_MISS, TUI_CLICK_MOVED, TUI_CLICK_OPEN };
enum tui_click tui_mouse_list_click(struct tui_list *l, int y0, int y);

/* How many lines one wheel notch moves (xterm and most apps: three). */
#define TUI_WHEEL_LINES 3

#endif
