/*
 * The terminal: curses start and stop, colours from the theme, and the
 * signal handling that guarantees the terminal is restored whatever way
 * runyard leaves (normal exit, Ctrl-C, SIGTERM/SIGHUP, a fatal signal,
 * ry_fatal).  Resizes arrive as KEY_RESIZE from ncurses' own SIGWINCH
 * handler.  Headless mode draws into a terminal on /dev/null of a fixed
 * size, for scripted tests and the benchmark.
 */
#ifndef TUI_SCREEN_H
#define TUI_SCREEN_H

#include <stdbool.h>

struct tui_ctx;

/* Start curses.  headless: draw to /dev/null with rows x cols (TERM
 * defaults to xterm-256color).  Returns 0, or -1 with a message on stderr. */
int tui_screen_init(struct tui_ctx *c, bool headless, int rows, int cols);
/* Restore the terminal; safe to call twice. */
void tui_screen_end(struct tui_ctx *c);

/* Re-read the size after KEY_RESIZE (or set it in headless mode). */
void tui_screen_resize(struct tui_ctx *c, int rows, int cols);

/* Set the colour pairs and attributes for the context's theme. */
void tui_screen_colors(struct tui_ctx *c);

/* Lend the terminal to a program run in the foreground (an editor): the
 * program mode is saved and the terminal's own settings put back (echo,
 * line editing, flow control, the normal screen, no mouse reports) until
 * tui_screen_resume restores the mode and redraws everything. */
void tui_screen_suspend(void);
void tui_screen_resume(struct tui_ctx *c);

/* Next key (code point or TUI_KEY_FN|KEY_*), -1 on timeout. */
int tui_screen_getkey(struct tui_ctx *c);
/* Wait 50 ms for a key instead of 500 (on) before the views tick: for a
 * view following background work it shows the progress of (a load). */
void tui_screen_wait_short(bool on);

/* True when a key is already waiting to be read. */
bool tui_screen_key_pending(void);

/* Non-zero once SIGINT/SIGTERM/SIGHUP asked us to leave. */
bool tui_screen_quit_requested(void);

#endif
