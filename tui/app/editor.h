/*
 * Editing a text in the user's editor ($VISUAL, else $EDITOR, else vi), as
 * git and tig do: the text goes to a private temporary file, the screen is
 * lent to the editor, and what the file holds when it exits comes back.
 */
#ifndef TUI_EDITOR_H
#define TUI_EDITOR_H

#include <stddef.h>

struct tui_ctx;

enum tui_edit_result {
	TUI_EDIT_SAVED,     /* *out holds the file's text, trailing blank lines and spaces dropped */
	TUI_EDIT_FAILED,    /* the editor exited non-zero or was killed: why says how */
	TUI_EDIT_NO_EDITOR, /* none could be run (not found, no terminal, headless): why says why */
};

/* Edit `text` (NULL: empty).  On TUI_EDIT_SAVED the caller owns *out
 * (free); otherwise *out is NULL.  why (may be NULL) gets one line for the
 * message bar.  Never draws: the screen is redrawn on the next frame. */
enum tui_edit_result tui_edit_text(struct tui_ctx *c, const char *text, char **out, char *why, size_t whyn);

#endif
