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

#include "base/buf.h"

/* The most bytes a secret prompt takes (a passphrase; core reads 1023). */
#define TUI_PROMPT_SECRET_MAX 1023

struct tui_prompt {
	char label[256];  /* "/", ":", "notes: ", "Passphrase for KEY: " */
	ry_buf text;      /* owned */
	size_t cursor;    /* byte offset, on a character boundary */
	bool secret;      /* a passphrase: shown masked, never grown by realloc, wiped */
};

enum tui_prompt_event {
	TUI_PROMPT_IGNORED, /* a key the editor does not use */
	TUI_PROMPT_MOVED,   /* cursor moved, text unchanged */
	TUI_PROMPT_EDITED,  /* text changed */
	TUI_PROMPT_DONE,    /* Enter */
	TUI_PROMPT_CANCEL,  /* Esc or C-g */
};

void tui_prompt_set(struct tui_prompt *p, const char *label, const char *text);
/* A secret prompt (a passphrase): empty, with room reserved for
 * TUI_PROMPT_SECRET_MAX bytes so typing never moves the text (a realloc
 * would leave a copy behind in freed memory); longer input is ignored.
 * Draw it masked and call tui_prompt_wipe when done. */
void tui_prompt_set_secret(struct tui_prompt *p, const char *label);
/* Zero the whole edit buffer (its full capacity) and leave it empty and
 * not secret. */
void tui_prompt_wipe(struct tui_prompt *p);
/* Wipe and free the buffer. */
void tui_prompt_free(struct tui_prompt *p);
/* Feed one key (code point, or TUI_KEY_FN|KEY_*). */
enum tui_prompt_event tui_prompt_key(struct tui_prompt *p, int key);
const char *tui_prompt_text(const struct tui_prompt *p); /* lent, never NULL */

#endif
