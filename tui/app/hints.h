/*
 * The key-hint bar: the bottom row of every screen (htop's and lazygit's
 * habit) with the most useful keys of the screen and a word for each, such
 * as "/ filter  f find  Space mark+down".  The keys are read from the live
 * keymaps, so a key the user rebinds shows under its new name and an
 * unbound action drops out.  `hints = off` in the config hides the bar,
 * and the toggle-hints action (F2) shows or hides it.
 */
#ifndef TUI_HINTS_H
#define TUI_HINTS_H

#include <stddef.h>

struct tui_ctx;

/* The bar's text for the top screen (or the open prompt) fitted to width
 * columns, as "KEY WORD" items two spaces apart, into out: the least
 * important items are dropped, a word is never cut.  Each item's key ends
 * at the byte offsets stored in key_end[] (so the drawing can colour
 * keys); returns the number of items (at most max_items). */
size_t tui_hints_text(struct tui_ctx *c, int width, char *out, size_t n, size_t *key_start,
                      size_t *key_end, size_t max_items);

/* Draw the bar on row y. */
void tui_hints_draw(struct tui_ctx *c, int y);

#endif
