/*
 * The clipboard (clipboard.h): the copy menu of a run and the OSC 52
 * sequence.  The text is sanitised (ry_sanitize), base64-encoded and
 * written straight to the terminal between two screen updates; curses
 * never sees it (it moves no cursor and draws nothing).  Inside tmux no
 * passthrough wrapping is needed: tmux takes OSC 52 itself (set-clipboard
 * on or external) and hands it to the outer terminal.  This file does not
 * read the clipboard back, and never writes it unless asked by a key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/clipboard.h"
#include "app/tui.h"
#include "text/text.h"

#define CLIP_MAX (64 * 1024) /* what terminals take in one OSC 52, with room */

void tui_clipboard_copy(struct tui_ctx *c, const char *what, const char *text)
{
	/* ry_sanitize: what a run holds reaches the clipboard as the terminal
	 * would show it, so a newline in a command is pasted as ^J, never run. */
	ry_buf clean = RY_BUF_INIT;
	ry_sanitize(&clean, text ? text : "", text ? strlen(text) : 0, false);
	size_t n = clean.len;
	char *t = ry_buf_detach(&clean);
	if (!n) {
		tui_error(c, "nothing to copy: the run has no %s", what);
		free(t);
		return;
	}
	if (n > CLIP_MAX) {
		tui_error(c, "not copied: the %s is %zu bytes, more than a terminal takes (%d)", what, n, CLIP_MAX);
		free(t);
		return;
	}
	if (!c->headless) {
		ry_buf b = RY_BUF_INIT;
		ry_buf_puts(&b, "\033]52;c;");
		ry_buf_base64(&b, t, n, true);
		ry_buf_puts(&b, "\a");
		/* Between updates: curses has flushed its own output. */
		fflush(stdout);
		fwrite(b.ptr, 1, b.len, stdout);
		fflush(stdout);
		ry_buf_free(&b);
	}
	char shown[96];
	tui_text_fit(shown, sizeof shown, t, 40, false, false, c->utf8);
	tui_msg(c, "copied the %s to the clipboard: %s", what, shown);
	free(t);
}

/* The menu's rows: a label in a fixed-width column, then the value. */
enum { LABEL_W = 9 };
static const char *const labels[] = { "id", "uuid", "command" };

static void picked(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	(void)owner;
	if (n != 1 || strlen(chosen[0]) < LABEL_W)
		return;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (!strncmp(chosen[0], labels[i], strlen(labels[i])) && chosen[0][strlen(labels[i])] == ' ')
			tui_clipboard_copy(c, i == 0 ? "run id" : labels[i], chosen[0] + LABEL_W);
}

void tui_clipboard_menu(struct tui_ctx *c, struct tui_view *owner, int64_t id)
{
	ry_run *r = NULL;
	if (ry_run_get(&r, c->st, id) < 0) {
		tui_error(c, "%s", ry_error_last());
		return;
	}
	char *items[3];
	items[0] = ry_xasprintf("%-*s%lld", LABEL_W, labels[0], (long long)r->id);
	items[1] = ry_xasprintf("%-*s%s", LABEL_W, labels[1], r->uuid);
	items[2] = ry_xasprintf("%-*s%s", LABEL_W, labels[2], r->command ? r->command : "");
	struct tui_picker_arg pa = { "Copy to the clipboard (OSC 52): Enter copies, q cancels",
	                             (const char *const *)items, 3, NULL, false, 0, picked, owner, false };
	tui_view_push(c, &tui_view_picker, &pa);
	for (int i = 0; i < 3; i++)
		free(items[i]);
	ry_run_free(r);
}
