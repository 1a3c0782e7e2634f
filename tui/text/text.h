/*
 * Text for the screen: display width (wide CJK, combining marks, emoji) and
 * truncation with an ellipsis, always after sanitising outside text
 * (ry_sanitize) so no control or escape sequence reaches the terminal.
 */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Display columns of a UTF-8 string (already sanitised).  NULL is 0; an
 * invalid byte counts as one column. */
int tui_text_width(const char *s);

/* Bytes of the longest start of s (sanitised text) that fits in cols
 * columns: a wide character is never split, combining marks stay with the
 * character before them.  NULL is 0.  For wrapping and sideways scrolling. */
size_t tui_text_prefix(const char *s, int cols);

/* Bytes of s that go on one line of cols columns when s is wrapped at
 * words: all of it when it fits, else up to (not including) the last space
 * that fits, else tui_text_prefix (a word longer than the line is cut
 * there), and at least one character.  The caller skips the spaces that
 * follow before the next line.  NULL or "" is 0. */
size_t tui_text_wrap(const char *s, int cols);

/* Columns of one code point: 0 (combining, format, control), 1, or 2 (wide
 * CJK, emoji).  Locale-independent; agrees with glibc's wcwidth. */
int tui_text_cp_width(uint32_t cp);

/* Copy at most `cols` display columns of `s` (sanitising it first) into
 * out (size n bytes), ending in "…" ("~" when !utf8) when cut.  Returns the
 * columns used.  Pads with spaces to exactly `cols` when pad is true;
 * right-aligns when right is true (which implies padding on the left).
 * A sequence or wide character is never split: if a wide character would
 * straddle the edge a space takes its place before the ellipsis.  When
 * !utf8 every non-ASCII character is shown as one '?'.  s may be NULL
 * (empty).  out is always NUL-terminated; if n is too small for the
 * result it is cut at a character boundary and the return value says how
 * many columns it really holds.  4*cols+1 bytes hold any result except
 * one with combining marks, which add bytes but no columns. */
int tui_text_fit(char *out, size_t n, const char *s, int cols, bool pad, bool right, bool utf8);

/* Short labels that still tell n names apart, for a chart legend or the
 * compare screen's column heads: the words (split at - _ / : = , space)
 * that every name shares at the start and at the end are dropped, so
 * "resnet-lr0.1-bs64" and "resnet-lr0.01-bs64" become "lr0.1" and "lr0.01".
 * If any label would be empty (identical names, or one name is all shared
 * words), or n < 2, each keeps its full name.  Labels are sanitised, not cut
 * to a width (use tui_text_fit).  out[i] is malloc'd: free each (or
 * ry_strings_free(out, n) if out itself was malloc'd).  NULL names are "". */
void tui_text_distinct(char **out, const char *const *names, size_t n);

#endif
