/*
 * A one-line editor for the `/` filter, the `:` command line, searches and
 * notes: UTF-8 text with a cursor, readline's common keys (C-a C-e C-u C-k
 * C-w, arrows, Home/End, Backspace/Delete) and history-free.  It edits
 * bytes and knows nothing about curses drawing (draw.c shows it).
 */
#ifndef TUI_PROMPT_H
#define TUI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct tui_prompt {
	char label[32];   /* "/", ":", "notes: " */
	ry_buf text;      /* owned */
	size_t cursor;    /* byte offset, on a character boundary */
};

enum tui_prompt_event {
	TUI_PROMPT_IGNORED, /* a key the editor does not use */
	TUI_PROMPT_MOVED,   /* cursor moved, text unchanged */
	TUI_PROMPT_EDITED,  /* text changed */
	TUI_PROMPT_DONE,    /* Enter */
	TUI_PROMPT_CANCEL,  /* Esc or C-g */
};

void tui_prompt_set(struct tui_prompt *p, const char *label, const char *text);
void tui_prompt_free(struct tui_prompt *p);
/* Feed one key (code point, or TUI_KEY_FN|KEY_*). */
enum tui_prompt_event tui_prompt_key(struct tui_prompt *p, int key);
const char *tui_prompt_text(const struct tui_prompt *p); /* lent, never NULL */

#endif
