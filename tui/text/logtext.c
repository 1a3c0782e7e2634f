/*
 * Stored log bytes to display lines, for the detail screen and `runyard
 * logs` alike (see logtext.h).  The model is one terminal line of cells and
 * a cursor: printable text writes the cell under the cursor, carriage return
 * moves the cursor to the start, backspace one cell back, tab to the next
 * multiple of 8, newline ends the line.  SGR sets the attribute new cells
 * get; erase-in-line (tqdm's and rich's "\r\x1b[2K") blanks cells; every
 * other CSI, OSC and escape is dropped.  Cursor movement between lines
 * (tqdm's nested bars' "\x1b[A") is not followed: those bars end up on lines
 * of their own, which reads fine and keeps a finished line finished.
 *
 * What is inert is ry_sanitize's call (one home): other control bytes show
 * in caret notation, invalid UTF-8 as \xNN, bidi controls as <U+202E>.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "text/logtext.h"
#include "text/text.h"

/* A line longer than this many cells is broken there: a log with megabytes
 * and no newline stays bounded. */
enum { MAX_CELLS = 16384, MAX_SEQ = 4096 };

struct cell {
	char b[15];                    /* one character and its combining marks */
	uint8_t n;
	struct tui_logtext_attr a;
};

struct tui_logtext {
	struct cell *cells;            /* the line being written */
	size_t ncells, capcells, col;
	struct tui_logtext_attr attr;  /* what new cells get (SGR) */
	ry_buf pend;                   /* bytes of a sequence cut by a feed's end */
	ry_buf scratch;                /* ry_sanitize's verdict on one character */
	struct tui_logtext_line *lines;
	size_t nlines, caplines;
	struct tui_logtext_line partial;
};

static const struct tui_logtext_attr plain = { TUI_LOGTEXT_NOCOLOR, TUI_LOGTEXT_NOCOLOR, 0 };

static bool attr_eq(struct tui_logtext_attr x, struct tui_logtext_attr y)
{
	return x.fg == y.fg && x.bg == y.bg && x.flags == y.flags;
}

tui_logtext *tui_logtext_new(void)
{
	tui_logtext *lt = ry_xcalloc(1, sizeof *lt);
	lt->attr = plain;
	return lt;
}

static void line_clear(struct tui_logtext_line *l)
{
	free(l->text);
	free(l->spans);
	memset(l, 0, sizeof *l);
}

void tui_logtext_drop(tui_logtext *lt)
{
	for (size_t i = 0; i < lt->nlines; i++)
		line_clear(&lt->lines[i]);
	lt->nlines = 0;
}

void tui_logtext_free(tui_logtext *lt)
{
	if (!lt)
		return;
	tui_logtext_drop(lt);
	free(lt->lines);
	line_clear(&lt->partial);
	free(lt->cells);
	ry_buf_free(&lt->pend);
	ry_buf_free(&lt->scratch);
	free(lt);
}

size_t tui_logtext_count(const tui_logtext *lt)
{
	return lt->nlines;
}

const struct tui_logtext_line *tui_logtext_line(const tui_logtext *lt, size_t i)
{
	return i < lt->nlines ? &lt->lines[i] : NULL;
}

/* The cells as text and spans. */
static void render(const tui_logtext *lt, struct tui_logtext_line *out)
{
	ry_buf t = RY_BUF_INIT;
	size_t cap = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < lt->ncells; i++) {
		const struct cell *c = &lt->cells[i];
		size_t at = t.len;
		ry_buf_put(&t, c->b, c->n);
		if (attr_eq(c->a, plain))
			continue;
		struct tui_logtext_span *last = out->nspans ? &out->spans[out->nspans - 1] : NULL;
		if (last && last->end == at && attr_eq(last->attr, c->a)) {
			last->end = t.len;
			continue;
		}
		out->spans = ry_xgrow(out->spans, &cap, out->nspans + 1, sizeof *out->spans);
		out->spans[out->nspans++] = (struct tui_logtext_span){ at, t.len, c->a };
	}
	/* Trailing blanks a cleared progress bar leaves look like nothing on a
	 * terminal: drop them, so the line ends where its text ends. */
	size_t keep = out->nspans ? out->spans[out->nspans - 1].end : 0;
	while (t.len > keep && t.ptr[t.len - 1] == ' ')
		t.len--;
	if (t.ptr)
		t.ptr[t.len] = '\0';
	out->len = t.len;
	out->text = ry_buf_detach(&t);
}

static void end_line(tui_logtext *lt)
{
	lt->lines = ry_xgrow(lt->lines, &lt->caplines, lt->nlines + 1, sizeof *lt->lines);
	render(lt, &lt->lines[lt->nlines++]);
	lt->ncells = 0;
	lt->col = 0;
}

static void put_cell(tui_logtext *lt, const char *b, size_t n)
{
	if (lt->col >= MAX_CELLS)
		end_line(lt);
	lt->cells = ry_xgrow(lt->cells, &lt->capcells, lt->col + 1, sizeof *lt->cells);
	while (lt->ncells < lt->col) { /* after a tab past the end */
		struct cell *pad = &lt->cells[lt->ncells++];
		pad->b[0] = ' ';
		pad->n = 1;
		pad->a = plain;
	}
	struct cell *c = &lt->cells[lt->col++];
	memcpy(c->b, b, n);
	c->n = (uint8_t)n;
	c->a = lt->attr;
	if (lt->ncells < lt->col)
		lt->ncells = lt->col;
}

/* A zero-width code point joins the character before it. */
static void put_mark(tui_logtext *lt, const char *b, size_t n)
{
	struct cell *c = lt->col ? &lt->cells[lt->col - 1] : NULL;
	if (c && c->n + n <= sizeof c->b)
		memcpy(c->b + c->n, b, n), c->n = (uint8_t)(c->n + n);
}

/* Outside text that is not plain: one cell per byte of what ry_sanitize
 * makes of it (all ASCII: ^G, \xFF, \u0085, <U+202E>). */
static void put_inert(tui_logtext *lt, const char *s, size_t n)
{
	ry_buf_clear(&lt->scratch);
	ry_sanitize(&lt->scratch, s, n, false);
	for (size_t i = 0; i < lt->scratch.len; i++)
		put_cell(lt, lt->scratch.ptr + i, 1);
}

/* Whether ry_sanitize lets this one character through as it is (C1
 * controls and bidi overrides it does not): its rule, not a copy of it. */
static bool plain_char(tui_logtext *lt, const char *s, size_t n)
{
	ry_buf_clear(&lt->scratch);
	ry_sanitize(&lt->scratch, s, n, false);
	return lt->scratch.len == n && !memcmp(lt->scratch.ptr, s, n);
}

static int16_t cube(int r, int g, int b)
{
	/* 24-bit colour to the nearest of the xterm 6x6x6 cube */
	int q[3] = { r, g, b };
	for (int i = 0; i < 3; i++)
		q[i] = q[i] < 48 ? 0 : q[i] < 115 ? 1 : (q[i] - 35) / 40;
	return (int16_t)(16 + 36 * q[0] + 6 * q[1] + q[2]);
}

/* An extended colour (38/48 ; 5 ; n  or  ; 2 ; r ; g ; b) from p[i]; returns
 * how many parameters it used after the 38/48. */
static size_t extended(const int *p, size_t n, size_t i, int16_t *out)
{
	if (i + 1 < n && p[i] == 5) {
		if (p[i + 1] >= 0 && p[i + 1] <= 255)
			*out = (int16_t)p[i + 1];
		return 2;
	}
	if (i + 3 < n && p[i] == 2) {
		*out = cube(p[i + 1] & 255, p[i + 2] & 255, p[i + 3] & 255);
		return 4;
	}
	return n - i;
}

static void sgr(tui_logtext *lt, const int *p, size_t n)
{
	struct tui_logtext_attr *a = &lt->attr;
	static const uint8_t on[10] = { 0, TUI_LOGTEXT_BOLD, TUI_LOGTEXT_DIM, TUI_LOGTEXT_ITALIC,
	                                TUI_LOGTEXT_UNDERLINE, 0, 0, TUI_LOGTEXT_REVERSE, 0, 0 };
	if (!n) {
		*a = plain;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int v = p[i];
		if (v == 0)
			*a = plain;
		else if (v < 10)
			a->flags |= on[v];
		else if (v == 22)
			a->flags &= (uint8_t)~(TUI_LOGTEXT_BOLD | TUI_LOGTEXT_DIM);
		else if (v == 23 || v == 24 || v == 27)
			a->flags &= (uint8_t)~on[v - 20];
		else if (v >= 30 && v <= 37)
			a->fg = (int16_t)(v - 30);
		else if (v >= 40 && v <= 47)
			a->bg = (int16_t)(v - 40);
		else if (v >= 90 && v <= 97)
			a->fg = (int16_t)(v - 90 + 8);
		else if (v >= 100 && v <= 107)
			a->bg = (int16_t)(v - 100 + 8);
		else if (v == 39)
			a->fg = TUI_LOGTEXT_NOCOLOR;
		else if (v == 49)
			a->bg = TUI_LOGTEXT_NOCOLOR;
		else if (v == 38 || v == 48)
			i += extended(p, n, i + 1, v == 38 ? &a->fg : &a->bg);
	}
}

static void erase_line(tui_logtext *lt, int mode)
{
	size_t from = mode == 0 ? lt->col : 0, to = mode == 1 ? lt->col + 1 : lt->ncells;
	if (to > lt->ncells)
		to = lt->ncells;
	for (size_t i = from; i < to; i++) {
		lt->cells[i].b[0] = ' ';
		lt->cells[i].n = 1;
		lt->cells[i].a = plain;
	}
	/* blank cells past the cursor are no text: a terminal shows nothing there */
	if (mode != 1 && lt->ncells > lt->col)
		lt->ncells = lt->col;
}

/* A whole CSI sequence, ESC [ params intermediates final. */
static void csi(tui_logtext *lt, const char *s, size_t len)
{
	int p[32];
	size_t n = 0;
	char final = s[len - 1];
	bool private = len > 3 && (s[2] == '?' || s[2] == '>' || s[2] == '<' || s[2] == '=');
	p[0] = 0;
	for (size_t i = 2; i + 1 < len; i++) {
		char ch = s[i];
		if (ch >= '0' && ch <= '9') {
			if (!n)
				n = 1;
			if (p[n - 1] < 100000)
				p[n - 1] = p[n - 1] * 10 + (ch - '0');
		} else if ((ch == ';' || ch == ':') && n < 32) {
			if (!n)
				n = 1;
			if (n < 32)
				p[n++] = 0;
		}
	}
	if (private)
		return;
	if (final == 'm')
		sgr(lt, p, n);
	else if (final == 'K')
		erase_line(lt, n ? p[0] : 0);
}

/* Length of the escape sequence at s[0] == ESC: > 0 when complete, 0 when
 * it may still be cut by the end of s, or -k for k bytes that start no
 * sequence (dropped). */
static long escape_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i;
	if (len < 2)
		return 0;
	if (s[1] == '[') {
		for (i = 2; i < len && s[i] >= 0x30 && s[i] <= 0x3f; i++)
			;
		for (; i < len && s[i] >= 0x20 && s[i] <= 0x2f; i++)
			;
		if (i == len)
			return len > MAX_SEQ ? -(long)len : 0;
		return s[i] >= 0x40 && s[i] <= 0x7e ? (long)i + 1 : -(long)i;
	}
	if (s[1] == ']' || s[1] == 'P' || s[1] == 'X' || s[1] == '^' || s[1] == '_') {
		/* a string, ended by BEL or ST (ESC \) */
		for (i = 2; i < len; i++) {
			if (s[i] == 7)
				return (long)i + 1;
			if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '\\')
				return (long)i + 2;
			if (s[i] == 0x1b && i + 1 == len)
				break;
		}
		return len > MAX_SEQ ? -(long)len : 0;
	}
	for (i = 1; i < len && s[i] >= 0x20 && s[i] <= 0x2f; i++)
		;
	if (i == len)
		return 0;
	return s[i] >= 0x30 && s[i] <= 0x7e ? (long)i + 1 : -(long)i;
}

/* Handle what can be handled of s; returns the bytes used (the rest is a
 * sequence the end of s may have cut; none when at_end). */
static size_t step(tui_logtext *lt, const char *s, size_t len, bool at_end)
{
	size_t i = 0;
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == 0x1b) {
			long k = escape_len(s + i, len - i);
			if (k == 0 && !at_end)
				return i;
			if (k > 0 && s[i + 1] == '[')
				csi(lt, s + i, (size_t)k);
			i += k > 0 ? (size_t)k : k < 0 ? (size_t)-k : len - i;
			continue;
		}
		if (ch == '\n') {
			end_line(lt);
		} else if (ch == '\r') {
			lt->col = 0;
		} else if (ch == '\b') {
			if (lt->col)
				lt->col--;
		} else if (ch == '\t') {
			lt->col = (lt->col / 8 + 1) * 8; /* put_cell pads up to here if text follows */
		} else if (ch < 0x20 || ch == 0x7f) {
			put_inert(lt, s + i, 1);
		} else if (ch < 0x80) {
			put_cell(lt, s + i, 1);
		} else {
			uint32_t cp;
			size_t n = ry_utf8_next(s + i, len - i, &cp);
			if (cp == RY_UTF8_INVALID && i + n == len && ch >= 0xc2 && ch <= 0xf4 && !at_end)
				return i; /* the rest of this character is in the next feed */
			if (cp == RY_UTF8_INVALID || !plain_char(lt, s + i, n))
				put_inert(lt, s + i, n);
			else if (tui_text_cp_width(cp) == 0)
				put_mark(lt, s + i, n);
			else
				put_cell(lt, s + i, n);
			i += n;
			continue;
		}
		i++;
	}
	return len;
}

void tui_logtext_feed(tui_logtext *lt, const char *s, size_t len)
{
	if (!lt->pend.len) {
		size_t used = step(lt, s, len, false);
		ry_buf_put(&lt->pend, s + used, len - used);
		return;
	}
	ry_buf_put(&lt->pend, s, len);
	size_t used = step(lt, lt->pend.ptr, lt->pend.len, false);
	memmove(lt->pend.ptr, lt->pend.ptr + used, lt->pend.len - used);
	lt->pend.len -= used;
}

void tui_logtext_finish(tui_logtext *lt)
{
	if (lt->pend.len)
		step(lt, lt->pend.ptr, lt->pend.len, true);
	ry_buf_clear(&lt->pend);
	if (lt->ncells)
		end_line(lt);
	lt->col = 0;
}

const struct tui_logtext_line *tui_logtext_partial(tui_logtext *lt)
{
	line_clear(&lt->partial);
	if (!lt->ncells)
		return NULL;
	render(lt, &lt->partial);
	return &lt->partial;
}

static void put_sgr(ry_buf *b, struct tui_logtext_attr a)
{
	ry_buf_puts(b, "\x1b[0");
	for (int bit = 0; bit < 5; bit++)
		if (a.flags & (1 << bit))
			ry_buf_printf(b, ";%d", (int[]){ 1, 2, 3, 4, 7 }[bit]);
	if (a.fg != TUI_LOGTEXT_NOCOLOR)
		ry_buf_printf(b, ";38;5;%d", a.fg);
	if (a.bg != TUI_LOGTEXT_NOCOLOR)
		ry_buf_printf(b, ";48;5;%d", a.bg);
	ry_buf_putc(b, 'm');
}

void tui_logtext_put(ry_buf *b, const struct tui_logtext_line *l, bool sgr_on)
{
	size_t at = 0;
	if (!sgr_on) {
		ry_buf_put(b, l->text, l->len);
		return;
	}
	for (size_t i = 0; i < l->nspans; i++) {
		const struct tui_logtext_span *sp = &l->spans[i];
		ry_buf_put(b, l->text + at, sp->start - at);
		put_sgr(b, sp->attr);
		ry_buf_put(b, l->text + sp->start, sp->end - sp->start);
		ry_buf_puts(b, "\x1b[0m");
		at = sp->end;
	}
	ry_buf_put(b, l->text + at, l->len - at);
}

void tui_logtext_escape(ry_buf *b, const char *s, size_t len)
{
	size_t from = 0;
	for (size_t i = 0; i < len; i++) {
		const char *e = s[i] == '\r' ? "\\r" : s[i] == '\b' ? "\\b" : s[i] == '\t' ? "\\t"
		              : s[i] == 0x1b ? "\\e" : s[i] == '\\' ? "\\\\" : NULL;
		if (!e)
			continue;
		ry_sanitize(b, s + from, i - from, true);
		ry_buf_puts(b, e);
		from = i + 1;
	}
	ry_sanitize(b, s + from, len - from, true);
}
