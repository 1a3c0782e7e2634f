/*
 * What the bytes a program wrote mean to a terminal: the one home for that
 * knowledge, shared by the log renderer of both front ends (tui/text/logtext)
 * and the metric scanner (metrics/ingest), which reads numbers off a line
 * only as a terminal left it.
 *
 * ry_term_next cuts output into tokens (a character, a control byte, an
 * escape sequence with its parameters) and says what each one does;
 * ry_term_column is where carriage return, backspace and tab move the
 * cursor.  Neither draws or allocates: cells, colours and lines are the
 * caller's.  ry_term_overlay is the smallest renderer on top: one line, a
 * byte per cell, for the scanner's hot path.
 */
#ifndef RY_TERM_H
#define RY_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

enum ry_term_kind {
	RY_TERM_TEXT,     /* a character: one byte, or one UTF-8 sequence (maybe invalid) */
	RY_TERM_NEWLINE,  /* "\n": the next line, at its start (a tty's onlcr) */
	RY_TERM_CR,       /* "\r", "\b", "\t": the cursor moves on the line (ry_term_column) */
	RY_TERM_BS,
	RY_TERM_TAB,
	RY_TERM_CONTROL,  /* another C0 byte or DEL: a terminal shows nothing; a viewer may */
	RY_TERM_SGR,      /* ESC [ ... m: colour and attributes, in params */
	RY_TERM_ERASE,    /* ESC [ n K: erase in line, n = 0 (to the end), 1 (to the cursor), 2 (all) */
	RY_TERM_UP,       /* ESC [ n A, ESC [ n B: n lines up, down (tqdm's nested bars) */
	RY_TERM_DOWN,
	RY_TERM_IGNORED,  /* any other escape sequence, or an ESC that starts none: no text */
};

enum { RY_TERM_MAX_PARAMS = 32 };

typedef struct ry_term_token {
	enum ry_term_kind kind;
	size_t len;                       /* bytes of the output it covers */
	int params[RY_TERM_MAX_PARAMS];   /* SGR: every parameter; ERASE, UP, DOWN: params[0] */
	size_t nparams;                   /* SGR: 0 for "ESC [ m" (a reset) */
} ry_term_token;

/* The token at s[0] (len > 0) into *t.  Returns t->len, or 0 when the end
 * of s may have cut it (an escape sequence or a UTF-8 character): wait for
 * more bytes, unless at_end, when the cut bytes are one token (IGNORED for an
 * escape, TEXT for a character, which ry_utf8_next then calls invalid). */
size_t ry_term_next(ry_term_token *t, const char *s, size_t len, bool at_end);

/* Where kind (CR, BS or TAB) moves a cursor standing at col; col for any
 * other kind. */
size_t ry_term_column(enum ry_term_kind kind, size_t col);

/* s[0..n), one line, as a terminal leaves it, one byte per cell, into out
 * (cleared; NUL-terminated): text overwrites, CR, BS and TAB move, erase in
 * line blanks, every other sequence and control byte is dropped.  Allocates
 * only when out is smaller than the line. */
void ry_term_overlay(ry_buf *out, const char *s, size_t n);

#endif
