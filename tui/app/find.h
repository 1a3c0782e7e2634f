/*
 * Find (`f`, then `n`/`N`) on every screen that has it: the step from the
 * cursor to the next or previous item holding the search text, and what
 * the message line says about it -- "match 3/17", "match 1/17 (search
 * wrapped to top)", or that nothing matched -- so every screen counts and
 * words it alike.  The views say what an item's text is; the search text
 * itself is the context's (c->search, shared by the screens).
 */
#ifndef TUI_FIND_H
#define TUI_FIND_H

#include <stdbool.h>
#include <stddef.h>

struct tui_ctx;

/* Does item i hold the search text (tui_find_in)?  arg is the view's. */
typedef bool (*tui_find_match_fn)(const struct tui_ctx *c, size_t i, void *arg);

/* From item `cur` of n, the next (dir > 0) or previous (dir < 0) item that
 * matches, or for a new search (dir 0) `cur` itself or the next, wrapping
 * once; *to gets it and the message line says its rank
 * among all matches and whether it wrapped.  With no match it says "no
 * WHAT contains 'TEXT'" (what: "run name", "line") and returns false, *to
 * untouched. */
bool tui_find_step(struct tui_ctx *c, size_t n, size_t cur, int dir, tui_find_match_fn match, void *arg,
                   const char *what, size_t *to);

/* Does text hold the search text (case-insensitive)?  At *col the display
 * column where the match starts and at *w its width, for highlighting;
 * either may be NULL.  False when there is no search. */
bool tui_find_in(const struct tui_ctx *c, const char *text, int *col, int *w);

#endif
