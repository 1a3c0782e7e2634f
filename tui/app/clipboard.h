/*
 * Copying to the terminal's clipboard with OSC 52 (ESC ] 52 ; c ; BASE64
 * BEL), which xterm, kitty, iTerm2, WezTerm, foot and tmux (set-clipboard
 * on) understand, also over SSH.  Only ever on a key the user pressed: the
 * copy menu (`y`) on a run offers its id, uuid and command.
 */
#ifndef TUI_CLIPBOARD_H
#define TUI_CLIPBOARD_H

#include <stdint.h>

struct tui_ctx;
struct tui_view;

/* Copy `text` (what names it in the message line: "uuid") to the
 * clipboard, sanitised as for the screen (ry_sanitize: a control character
 * as ^J or \u009B, invalid UTF-8 as \xNN), so what is pasted can never
 * run a command or move a cursor.  The message line says
 * what was copied; too long a text (over 64 KiB) is refused with a message.
 * Headless (scripts) the sequence is not written, the message still is. */
void tui_clipboard_copy(struct tui_ctx *c, const char *what, const char *text);

/* Open the copy menu for run `id` over `owner`: id, uuid, command; Enter
 * (or a click on the selected row) copies the one under the cursor. */
void tui_clipboard_menu(struct tui_ctx *c, struct tui_view *owner, int64_t id);

#endif
