/*
 * A run's log as a terminal would have shown it: the one place both front
 * ends (the detail screen and `runyard logs`) turn stored log bytes into
 * display lines.  Progress bars redraw a line with carriage return (tqdm,
 * Lightning) or backspace runs (Keras); here those overwrite the line, so a
 * reader sees each line's last state instead of every redraw.  SGR colour is
 * kept as attribute spans over the text; every other escape sequence is
 * dropped; other control bytes and invalid UTF-8 are made inert by
 * ry_sanitize.  The text of a line never holds a control byte.
 *
 * Pure computation: no curses, no files; the stored log is never changed.
 */
#ifndef TUI_LOGTEXT_H
#define TUI_LOGTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

enum {
	TUI_LOGTEXT_BOLD = 1,
	TUI_LOGTEXT_DIM = 2,
	TUI_LOGTEXT_ITALIC = 4,
	TUI_LOGTEXT_UNDERLINE = 8,
	TUI_LOGTEXT_REVERSE = 16,
};
#define TUI_LOGTEXT_NOCOLOR (-1)

struct tui_logtext_attr {
	int16_t fg, bg;      /* 0..255 (the xterm palette), or TUI_LOGTEXT_NOCOLOR */
	uint8_t flags;       /* TUI_LOGTEXT_BOLD | ... */
};

/* Bytes [start, end) of a line's text drawn with attr; only text that is
 * not plain has a span. */
struct tui_logtext_span {
	size_t start, end;
	struct tui_logtext_attr attr;
};

struct tui_logtext_line {
	char *text;                      /* NUL-terminated UTF-8, no control byte */
	size_t len;
	struct tui_logtext_span *spans;  /* in order, not overlapping */
	size_t nspans;
};

typedef struct tui_logtext tui_logtext;

/* A renderer with nothing fed yet; free with tui_logtext_free (NULL is fine). */
tui_logtext *tui_logtext_new(void);
void tui_logtext_free(tui_logtext *lt);

/* Feed the next len bytes of the log.  A sequence cut by the end of s (a
 * UTF-8 character, an escape sequence) waits for the next feed. */
void tui_logtext_feed(tui_logtext *lt, const char *s, size_t len);

/* The end of the log: bytes still waiting are shown inert, and a line not
 * ended by a newline becomes a finished line (when it holds anything). */
void tui_logtext_finish(tui_logtext *lt);

/* Finished lines (ended by a newline, or by tui_logtext_finish); line i is
 * lent until tui_logtext_drop or tui_logtext_free. */
size_t tui_logtext_count(const tui_logtext *lt);
const struct tui_logtext_line *tui_logtext_line(const tui_logtext *lt, size_t i);

/* Forget the finished lines (a follower that printed them). */
void tui_logtext_drop(tui_logtext *lt);

/* The line being written now, as it stands (a progress bar mid-redraw), or
 * NULL when it is empty.  Lent until the next call on lt. */
const struct tui_logtext_line *tui_logtext_partial(tui_logtext *lt);

/* Append line l to b: its text, with SGR sequences rebuilt from its spans
 * when sgr (for a terminal that wants colour; a span ends with a reset). */
void tui_logtext_put(ry_buf *b, const struct tui_logtext_line *l, bool sgr);

/* Append the len bytes at s to b escaped for the raw view: carriage return,
 * backspace, tab and ESC as \r \b \t \e, every other control byte and
 * invalid UTF-8 as ry_sanitize shows them; newlines are kept. */
void tui_logtext_escape(ry_buf *b, const char *s, size_t len);

#endif
