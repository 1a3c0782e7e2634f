/*
 * Terminal output cut into tokens (see term.h).  Escape sequences are framed
 * as ECMA-48 frames them: CSI (ESC [ parameters intermediates final), the
 * string sequences OSC, DCS, SOS, PM and APC (ended by BEL or ST), and the
 * two-byte escapes.  Of CSI, only what changes a log's text is told apart:
 * SGR, erase in line and cursor up/down; cursor positioning, scroll regions
 * and private modes (ESC [ ? 25 l) are IGNORED.  Nothing here allocates.
 */
#include <string.h>

#include "base/term.h"
#include "base/util.h"

/* A sequence longer than this is no sequence (a log that holds an ESC and
 * then megabytes): its bytes are dropped instead of waited for. */
enum { MAX_SEQ = 4096 };

static size_t token(ry_term_token *t, enum ry_term_kind kind, size_t len)
{
	t->kind = kind;
	t->len = len;
	return len;
}

static void csi_params(ry_term_token *t, const char *s, size_t len)
{
	size_t n = 0;
	t->params[0] = 0;
	for (size_t i = 2; i + 1 < len; i++) {
		char ch = s[i];
		if (ch >= '0' && ch <= '9') {
			if (!n)
				n = 1;
			if (t->params[n - 1] < 100000)
				t->params[n - 1] = t->params[n - 1] * 10 + (ch - '0');
		} else if ((ch == ';' || ch == ':') && n < RY_TERM_MAX_PARAMS) {
			if (!n)
				n = 1;
			if (n < RY_TERM_MAX_PARAMS)
				t->params[n++] = 0;
		}
	}
	t->nparams = n;
}

/* A whole CSI sequence of len bytes: what it does. */
static size_t csi(ry_term_token *t, const char *s, size_t len)
{
	char final = s[len - 1];
	bool private = len > 3 && (s[2] == '?' || s[2] == '>' || s[2] == '<' || s[2] == '=');
	csi_params(t, s, len);
	if (private)
		return token(t, RY_TERM_IGNORED, len);
	if (final == 'm')
		return token(t, RY_TERM_SGR, len);
	if (final == 'K') {
		if (!t->nparams)
			t->params[0] = 0;
		return token(t, RY_TERM_ERASE, len);
	}
	if (final == 'A' || final == 'B') {
		if (!t->nparams || t->params[0] < 1)
			t->params[0] = 1; /* ESC [ A and ESC [ 0 A both move one line */
		return token(t, final == 'A' ? RY_TERM_UP : RY_TERM_DOWN, len);
	}
	return token(t, RY_TERM_IGNORED, len);
}

/* The sequence at s[0] == ESC. */
static size_t escape(ry_term_token *t, const char *str, size_t len, bool at_end)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i;
	if (len < 2)
		return at_end ? token(t, RY_TERM_IGNORED, len) : 0;
	if (s[1] == '[') {
		for (i = 2; i < len && s[i] >= 0x30 && s[i] <= 0x3f; i++)
			;
		for (; i < len && s[i] >= 0x20 && s[i] <= 0x2f; i++)
			;
		if (i == len)
			return at_end || len > MAX_SEQ ? token(t, RY_TERM_IGNORED, len) : 0;
		if (s[i] >= 0x40 && s[i] <= 0x7e)
			return csi(t, str, i + 1);
		return token(t, RY_TERM_IGNORED, i); /* the byte that broke it is output */
	}
	if (s[1] == ']' || s[1] == 'P' || s[1] == 'X' || s[1] == '^' || s[1] == '_') {
		for (i = 2; i < len; i++) {
			if (s[i] == 7)
				return token(t, RY_TERM_IGNORED, i + 1);
			if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '\\')
				return token(t, RY_TERM_IGNORED, i + 2);
			if (s[i] == 0x1b && i + 1 == len)
				break;
		}
		return at_end || len > MAX_SEQ ? token(t, RY_TERM_IGNORED, len) : 0;
	}
	for (i = 1; i < len && s[i] >= 0x20 && s[i] <= 0x2f; i++)
		;
	if (i == len)
		return at_end ? token(t, RY_TERM_IGNORED, len) : 0;
	return token(t, RY_TERM_IGNORED, s[i] >= 0x30 && s[i] <= 0x7e ? i + 1 : i);
}

size_t ry_term_next(ry_term_token *t, const char *s, size_t len, bool at_end)
{
	unsigned char ch = (unsigned char)s[0];
	t->nparams = 0;
	switch (ch) {
	case 0x1b:
		return escape(t, s, len, at_end);
	case '\n':
		return token(t, RY_TERM_NEWLINE, 1);
	case '\r':
		return token(t, RY_TERM_CR, 1);
	case '\b':
		return token(t, RY_TERM_BS, 1);
	case '\t':
		return token(t, RY_TERM_TAB, 1);
	}
	if (ch < 0x20 || ch == 0x7f)
		return token(t, RY_TERM_CONTROL, 1);
	if (ch < 0x80)
		return token(t, RY_TERM_TEXT, 1);
	uint32_t cp;
	size_t n = ry_utf8_next(s, len, &cp);
	if (cp == RY_UTF8_INVALID && n == len && ch >= 0xc2 && ch <= 0xf4 && !at_end)
		return 0; /* the rest of this character is in the next bytes */
	return token(t, RY_TERM_TEXT, n);
}

size_t ry_term_column(enum ry_term_kind kind, size_t col)
{
	switch (kind) {
	case RY_TERM_CR:
		return 0;
	case RY_TERM_BS:
		return col ? col - 1 : 0;
	case RY_TERM_TAB:
		return (col / 8 + 1) * 8;
	default:
		return col;
	}
}

/* Room for the cells up to col in out (whose len is the line's length so
 * far: ry_buf_grow keeps those bytes). */
static void room(ry_buf *out, size_t col)
{
	if (col + 1 > out->cap)
		ry_buf_grow(out, col + 1 - out->len);
}

void ry_term_overlay(ry_buf *out, const char *s, size_t n)
{
	size_t col = 0;
	ry_term_token t;
	ry_buf_clear(out);
	ry_buf_grow(out, n + 1);
	for (size_t i = 0, k; i < n; i += k) {
		/* The hot path (Keras: ~60 bytes of text, then as many "\b"):
		 * a run of text, a byte a cell (UTF-8 too), is copied at once, and
		 * a run of backspaces is one step; the rest goes token by token.
		 * Kept this way, the scanner reads these lines as fast as before. */
		for (k = 0; i + k < n && (unsigned char)s[i + k] >= 0x20 && s[i + k] != 0x7f; k++)
			;
		if (k) {
			t.kind = RY_TERM_TEXT;
		} else if (s[i] == '\b') {
			for (k = 1; i + k < n && s[i + k] == '\b'; k++)
				;
			col = col > k ? col - k : 0; /* ry_term_column's rule, k times */
			continue;
		} else {
			k = ry_term_next(&t, s + i, n - i, true);
		}
		switch (t.kind) {
		case RY_TERM_TEXT:
			room(out, col + k);
			if (col > out->len) /* after a tab past the end */
				memset(out->ptr + out->len, ' ', col - out->len);
			memcpy(out->ptr + col, s + i, k);
			col += k;
			if (col > out->len)
				out->len = col;
			break;
		case RY_TERM_CR:
		case RY_TERM_BS:
		case RY_TERM_TAB:
			col = ry_term_column(t.kind, col);
			break;
		case RY_TERM_ERASE:
			if (t.params[0] == 1)
				memset(out->ptr, ' ', col < out->len ? col + 1 : out->len);
			else if (t.params[0] == 0 || t.params[0] == 2) {
				if (t.params[0] == 2)
					memset(out->ptr, ' ', col < out->len ? col : out->len);
				if (out->len > col)
					out->len = col;
			}
			break;
		default:
			break;
		}
	}
	out->ptr[out->len] = '\0';
}
