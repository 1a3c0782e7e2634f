/*
 * The line editor behind every prompt.  Pure text editing over a byte
 * buffer kept on UTF-8 character boundaries; the caller decides what a
 * change means (apply a filter live, run a command, save notes).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/prompt.h"
#include "app/keymap.h"

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static size_t prev_char(const ry_buf *b, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && is_cont((unsigned char)b->ptr[at]))
		at--;
	return at;
}

static size_t next_char(const ry_buf *b, size_t at)
{
	if (at >= b->len)
		return b->len;
	at++;
	while (at < b->len && is_cont((unsigned char)b->ptr[at]))
		at++;
	return at;
}

static void erase_range(struct tui_prompt *p, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(p->text.ptr + from, p->text.ptr + to, p->text.len - to + 1);
	p->text.len -= to - from;
	p->cursor = from;
}

void tui_prompt_set(struct tui_prompt *p, const char *label, const char *text)
{
	tui_prompt_wipe(p); /* whatever was typed before, a passphrase included */
	snprintf(p->label, sizeof p->label, "%s", label);
	ry_buf_clear(&p->text);
	ry_buf_puts(&p->text, text ? text : "");
	p->cursor = p->text.len;
}

void tui_prompt_set_secret(struct tui_prompt *p, const char *label)
{
	tui_prompt_set(p, label, "");
	ry_buf_grow(&p->text, TUI_PROMPT_SECRET_MAX + 4);
	p->secret = true;
}

void tui_prompt_wipe(struct tui_prompt *p)
{
	if (p->text.ptr && p->text.cap)
		explicit_bzero(p->text.ptr, p->text.cap);
	p->text.len = 0;
	p->cursor = 0;
	p->secret = false;
}

void tui_prompt_free(struct tui_prompt *p)
{
	tui_prompt_wipe(p);
	ry_buf_free(&p->text);
}

const char *tui_prompt_text(const struct tui_prompt *p)
{
	return ry_buf_cstr(&p->text);
}

static void insert_cp(struct tui_prompt *p, int cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp; n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
	}
	ry_buf_grow(&p->text, n);
	memmove(p->text.ptr + p->cursor + n, p->text.ptr + p->cursor, p->text.len - p->cursor + 1);
	memcpy(p->text.ptr + p->cursor, u, n);
	p->text.len += n;
	p->cursor += n;
}

enum tui_prompt_event tui_prompt_key(struct tui_prompt *p, int key)
{
	if (!p->text.ptr)
		ry_buf_puts(&p->text, "");
	switch (key) {
	case '\n': case '\r': case TUI_KEY_FN | KEY_ENTER:
		return TUI_PROMPT_DONE;
	case 27: case 7: /* Esc, C-g */
		return TUI_PROMPT_CANCEL;
	case TUI_KEY_FN | KEY_LEFT: case 2: /* C-b */
		p->cursor = prev_char(&p->text, p->cursor);
		return TUI_PROMPT_MOVED;
	case TUI_KEY_FN | KEY_RIGHT: case 6: /* C-f */
		p->cursor = next_char(&p->text, p->cursor);
		return TUI_PROMPT_MOVED;
	case TUI_KEY_FN | KEY_HOME: case 1: /* C-a */
		p->cursor = 0;
		return TUI_PROMPT_MOVED;
	case TUI_KEY_FN | KEY_END: case 5: /* C-e */
		p->cursor = p->text.len;
		return TUI_PROMPT_MOVED;
	case TUI_KEY_FN | KEY_BACKSPACE: case 127: case 8:
		if (p->cursor == 0)
			return TUI_PROMPT_MOVED;
		erase_range(p, prev_char(&p->text, p->cursor), p->cursor);
		return TUI_PROMPT_EDITED;
	case TUI_KEY_FN | KEY_DC: case 4: /* C-d */
		if (p->cursor >= p->text.len)
			return TUI_PROMPT_MOVED;
		erase_range(p, p->cursor, next_char(&p->text, p->cursor));
		return TUI_PROMPT_EDITED;
	case 21: /* C-u: to the start */
		erase_range(p, 0, p->cursor);
		return TUI_PROMPT_EDITED;
	case 11: /* C-k: to the end */
		p->text.len = p->cursor;
		p->text.ptr[p->cursor] = '\0';
		return TUI_PROMPT_EDITED;
	case 23: { /* C-w: the word before the cursor */
		size_t at = p->cursor;
		while (at > 0 && p->text.ptr[at - 1] == ' ')
			at--;
		while (at > 0 && p->text.ptr[at - 1] != ' ')
			at--;
		erase_range(p, at, p->cursor);
		return TUI_PROMPT_EDITED;
	}
	default:
		break;
	}
	if (key & TUI_KEY_FN || key < ' ' || key == 127 || (key >= 0x80 && key < 0xa0) || key > 0x10ffff)
		return TUI_PROMPT_IGNORED;
	if (p->secret && p->text.len + 4 > TUI_PROMPT_SECRET_MAX)
		return TUI_PROMPT_IGNORED; /* the reserved room is full: never realloc */
	insert_cp(p, key);
	return TUI_PROMPT_EDITED;
}
