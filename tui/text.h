/*
 * Text for the screen: display width (wide CJK, combining marks, emoji) and
 * truncation with an ellipsis, always after sanitising outside text
 * (ry_sanitize) so no control or escape sequence reaches the terminal.
 */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Display columns of a UTF-8 string (already sanitised). */
int tui_text_width(const char *s);

/* Copy at most `cols` display columns of `s` (sanitising it first) into
 * out (size n bytes), ending in "…" ("~" when !utf8) when cut.  Returns the
 * columns used.  Pads with spaces to exactly `cols` when pad is true;
 * right-aligns when right is true. */
int tui_text_fit(char *out, size_t n, const char *s, int cols, bool pad, bool right, bool utf8);

#endif
