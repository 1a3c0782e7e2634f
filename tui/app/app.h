/*
 * The full-screen app's entry point, called by main.c when no subcommand is
 * given.  It takes plain values rather than the CLI's option struct, so the
 * app and its views depend on nothing under tui/cli/.
 */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <stdbool.h>

/* What main.c's global options say (both lent for the call; NULL: unset). */
struct tui_app_options {
	const char *db_path; /* --db, else NULL: RUNYARD_DB or the default */
	const char *theme;   /* --theme, else NULL: the config's theme */
};

/* Run the app on the workspace (or, with demo, on a freshly seeded one in a
 * temporary directory); returns the exit status. */
int tui_app_run(const struct tui_app_options *g, bool demo);

#endif
