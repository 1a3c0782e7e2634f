/*
 * The `:` command line's own keys: Tab completes the command name (and the
 * first argument where the candidates are cheap to know: plugin names
 * after `:import`), Up and Down walk the lines run before.  The history is
 * kept per workspace across restarts, in the workspace setting
 * `tui.command_history` (the last 100 lines): it travels with the
 * workspace file, needs no path of its own, and a throwaway demo
 * workspace takes its history with it.  A read-only workspace keeps it
 * for the session only.
 */
#ifndef TUI_CMDLINE_H
#define TUI_CMDLINE_H

struct tui_ctx;

/* The `:` prompt just opened: the walk starts after the newest line. */
void tui_cmdline_open(struct tui_ctx *c);
/* A key for the open `:` prompt: the reaction bits when it was Tab, Up or
 * Down (handled here), -1 for the line editor to handle. */
int tui_cmdline_key(struct tui_ctx *c, int key);
/* A line was run: remember it (not empty, not the same as the last). */
void tui_cmdline_remember(struct tui_ctx *c, const char *line);
/* Release the history (tear-down). */
void tui_cmdline_free(struct tui_ctx *c);

#endif
