/*
 * `:import PLUGIN [SOURCE]` in the full-screen app: starts the import on
 * its worker (work/import.h), shows its progress in a bar of its own line
 * above the status bar while the user goes on browsing, cancels it on
 * request, and when it ends puts its result on the message line and keeps
 * what it said for `:messages`.  Handlers here never draw except
 * tui_import_bar_draw, which the app calls from its drawing.
 */
#ifndef TUI_IMPORT_BAR_H
#define TUI_IMPORT_BAR_H

#include <stdbool.h>

struct tui_ctx;

/* `:import ARGS`: "PLUGIN SOURCE" (sh-style words), "mlflow" alone
 * ($MLFLOW_TRACKING_URI), or "cancel".  Returns reaction bits. */
int tui_import_bar_command(struct tui_ctx *c, const char *arg);

/* For `:messages`: the running or last import's log and error; NULL when
 * there is none.  Caller frees. */
char *tui_import_bar_log(struct tui_ctx *c);

/* Is an import running (and not yet told to stop)? */
bool tui_import_bar_active(const struct tui_ctx *c);

/* Ask the running import to stop; false if none runs. */
bool tui_import_bar_cancel(struct tui_ctx *c);

/* Each poll tick: animate the bar; once the import ended, its result on
 * the message line and a reload.  Returns reaction bits. */
int tui_import_bar_poll(struct tui_ctx *c);

/* Rows the bar takes (0 or 1) and drawing it at row y. */
int tui_import_bar_rows(const struct tui_ctx *c);
void tui_import_bar_draw(struct tui_ctx *c, int y);

/* Cancel and wait for an import still running, forget the messages (the
 * app's tear-down). */
void tui_import_bar_close(struct tui_ctx *c);

#endif
