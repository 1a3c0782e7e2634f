/*
 * Stored log bytes to display lines, for the detail screen and `runyard
 * logs` alike (see logtext.h).  What a byte does to a terminal is
 * core/base/term's knowledge (one home, shared with the metric scanner);
 * this file keeps the screen: rows of cells and a cursor.  Printable text
 * writes the cell under the cursor, carriage return, backspace and tab move
 * it on the row, newline goes to the next row's start, cursor up/down
 * (tqdm's nested bars: "\n" down to the bar's row, "\x1b[A" back up) moves
 * between rows, SGR sets the attribute new cells get, erase in line blanks
 * cells; every other sequence is dropped.
 *
 * Only the cursor's row is cells; the others are finished text, turned back
 * into cells when the cursor comes back to them (a bar redrawn in place).
 * Once output has moved the cursor up by n rows, the last n rows are held
 * back from the finished ones, so a follower prints each bar's last state.
 *
 * What is inert is ry_sanitize's call (one home): other control bytes show
 * in caret notation, invalid UTF-8 as \xNN, bidi controls as <U+202E>.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/term.h"
#include "base/util.h"
#include "text/logtext.h"
#include "text/text.h"

/* A line longer than this many cells is broken there: a log with megabytes
 * and no newline stays bounded. */
enum { MAX_CELLS = 16384 };

struct cell {
	char b[15];                    /* one character and its combining marks */
	uint8_t n;
	struct tui_logtext_attr a;
};

struct tui_logtext {
	struct cell *cells;            /* the cursor's row */
	size_t ncells, capcells, col;
	size_t row;                    /* the cursor's row: lines[row] (stale while it is cells), or nlines, a new row */
	size_t reach;                  /* the most rows output has moved the cursor up */
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

/* Lines [0, count) can no longer change: rows above the cursor, less the
 * last `reach` rows, which a cursor moving up may still redraw. */
size_t tui_logtext_count(const tui_logtext *lt)
{
	size_t bottom = lt->row < lt->nlines ? lt->nlines - 1 : lt->nlines;
	size_t held = lt->reach < bottom ? lt->reach : bottom;
	return lt->row < bottom - held ? lt->row : bottom - held;
}

void tui_logtext_drop(tui_logtext *lt)
{
	size_t n = tui_logtext_count(lt);
	if (!n)
		return; /* nothing fed yet: lines is NULL, and NULL + 0 is undefined */
	for (size_t i = 0; i < n; i++)
		line_clear(&lt->lines[i]);
	memmove(lt->lines, lt->lines + n, (lt->nlines - n) * sizeof *lt->lines);
	lt->nlines -= n;
	lt->row -= n; /* a terminal's top row: the cursor goes no higher */
}

void tui_logtext_free(tui_logtext *lt)
{
	if (!lt)
		return;
	for (size_t i = 0; i < lt->nlines; i++) /* held rows too, not only finished ones */
		line_clear(&lt->lines[i]);
	free(lt->lines);
	line_clear(&lt->partial);
	free(lt->cells);
	ry_buf_free(&lt->pend);
	ry_buf_free(&lt->scratch);
	free(lt);
}

const struct tui_logtext_line *tui_logtext_line(const tui_logtext *lt, size_t i)
{
	return i < tui_logtext_count(lt) ? &lt->lines[i] : NULL;
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

static void put_cell(tui_logtext *lt, const char *b, size_t n);
static void put_mark(tui_logtext *lt, const char *b, size_t n);

/* The cursor's row back into lines (a new row at the bottom is added). */
static void store_row(tui_logtext *lt)
{
	if (lt->row == lt->nlines) {
		lt->lines = ry_xgrow(lt->lines, &lt->caplines, lt->nlines + 1, sizeof *lt->lines);
		lt->nlines++;
	} else {
		line_clear(&lt->lines[lt->row]);
	}
	render(lt, &lt->lines[lt->row]);
}

/* Row r's text and spans back into cells, one per character with its
 * combining marks (inert text is ASCII: a cell a byte, as put_inert made it). */
static void load_row(tui_logtext *lt, size_t r)
{
	const struct tui_logtext_line *l = &lt->lines[r];
	size_t sp = 0;
	lt->row = r;
	lt->ncells = 0;
	lt->col = 0;
	for (size_t i = 0, n; i < l->len; i += n) {
		uint32_t cp;
		n = ry_utf8_next(l->text + i, l->len - i, &cp);
		if (i && tui_text_cp_width(cp) == 0) {
			put_mark(lt, l->text + i, n);
			continue;
		}
		while (sp < l->nspans && l->spans[sp].end <= i)
			sp++;
		lt->attr = sp < l->nspans && l->spans[sp].start <= i ? l->spans[sp].attr : plain;
		put_cell(lt, l->text + i, n);
	}
	lt->col = 0;
}

/* To row r (clamped to the rows there are), keeping the column. */
static void move_to_row(tui_logtext *lt, size_t r)
{
	struct tui_logtext_attr attr = lt->attr;
	size_t col = lt->col;
	store_row(lt);
	if (r >= lt->nlines)
		r = lt->nlines - 1;
	load_row(lt, r);
	lt->col = col;
	lt->attr = attr;
}

static void cursor_up(tui_logtext *lt, size_t n)
{
	size_t to = lt->row > n ? lt->row - n : 0;
	if (to == lt->row)
		return;
	move_to_row(lt, to);
	if (lt->nlines - 1 - to > lt->reach)
		lt->reach = lt->nlines - 1 - to;
}

static void cursor_down(tui_logtext *lt, size_t n)
{
	if (lt->row + 1 < lt->nlines)
		move_to_row(lt, lt->row + n);
}

static void end_line(tui_logtext *lt)
{
	store_row(lt);
	if (lt->row + 1 < lt->nlines) {
		struct tui_logtext_attr attr = lt->attr;
		load_row(lt, lt->row + 1);
		lt->attr = attr;
	} else {
		lt->row = lt->nlines;
		lt->ncells = 0;
		lt->col = 0;
	}
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
	/* The cursor may stand past the last cell (a tab, a cursor move): then
	 * there is no character before it to join, only blank space. */
	struct cell *c = lt->col && lt->col <= lt->ncells ? &lt->cells[lt->col - 1] : NULL;
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

/* Handle what can be handled of s; returns the bytes used (the rest is a
 * sequence the end of s may have cut; none when at_end). */
static size_t step(tui_logtext *lt, const char *s, size_t len, bool at_end)
{
	ry_term_token t;
	size_t i = 0, k;
	while (i < len) {
		if (!(k = ry_term_next(&t, s + i, len - i, at_end)))
			return i;
		switch (t.kind) {
		case RY_TERM_TEXT: {
			uint32_t cp = (unsigned char)s[i];
			if (cp >= 0x80)
				ry_utf8_next(s + i, k, &cp);
			if (cp == RY_UTF8_INVALID || (cp >= 0x80 && !plain_char(lt, s + i, k)))
				put_inert(lt, s + i, k);
			else if (tui_text_cp_width(cp) == 0)
				put_mark(lt, s + i, k);
			else
				put_cell(lt, s + i, k);
			break;
		}
		case RY_TERM_NEWLINE:
			end_line(lt);
			break;
		case RY_TERM_CR:
		case RY_TERM_BS:
		case RY_TERM_TAB: /* put_cell pads up to a tab's column if text follows */
			lt->col = ry_term_column(t.kind, lt->col);
			break;
		case RY_TERM_CONTROL:
			put_inert(lt, s + i, k);
			break;
		case RY_TERM_SGR:
			sgr(lt, t.params, t.nparams);
			break;
		case RY_TERM_ERASE:
			erase_line(lt, t.params[0]);
			break;
		case RY_TERM_UP:
			cursor_up(lt, (size_t)t.params[0]);
			break;
		case RY_TERM_DOWN:
			cursor_down(lt, (size_t)t.params[0]);
			break;
		case RY_TERM_IGNORED:
			break;
		}
		i += k;
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
	if (lt->row < lt->nlines || lt->ncells)
		store_row(lt);
	lt->row = lt->nlines;
	lt->ncells = 0;
	lt->col = 0;
	/* Rows a bar left blank (tqdm's leave=False clears its row) show nothing
	 * under the last line; a plain log's empty lines are its own. */
	while (lt->reach && lt->nlines && !lt->lines[lt->nlines - 1].len)
		line_clear(&lt->lines[--lt->nlines]);
	lt->row = lt->nlines;
	lt->reach = 0; /* the end: every row is finished */
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
