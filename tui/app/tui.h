/*
 * The shared state of the full-screen app, in one context struct passed to
 * every view and helper (htop's State): the workspace, the terminal's
 * abilities, the theme and keymaps, the view stack, the prompt, the message
 * line and the marked runs.  No mutable globals except what the signal
 * handlers need (screen.c).
 */
#ifndef TUI_TUI_H
#define TUI_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runyard.h"
#include "base/config.h"
#include "app/keymap.h"
#include "app/prompt.h"
#include "widgets/list.h"
#include "widgets/theme.h"
#include "app/view.h"

#define TUI_MIN_COLS 60
#define TUI_MIN_ROWS 15
#define TUI_MAX_VIEWS 16
#define TUI_MAX_COMPARE 12

/* Prompt kinds (who asked and what for). */
enum {
	TUI_PROMPT_NONE,
	TUI_PROMPT_COMMAND, /* `:` handled by the app */
	TUI_PROMPT_FILTER,
	TUI_PROMPT_SEARCH,
	TUI_PROMPT_NOTES,
	TUI_PROMPT_FIELD,   /* a form field (the promote dialog) */
	TUI_PROMPT_CONFIRM, /* y/N before cancelling a run */
	TUI_PROMPT_PASSPHRASE, /* a background thread's SSH key (askpass.h), handled by the app */
	TUI_PROMPT_TAG,     /* key=value for the run edit_id (views/edit.h) */
	TUI_PROMPT_RENAME,  /* the new name of run edit_id */
	TUI_PROMPT_DELETE,  /* y/N: delete run edit_id, or the marked runs (edit_id 0) */
	TUI_PROMPT_EXPORT,  /* the file `:export` writes what the screen shows to */
};

struct tui_job;
struct tui_askpass;
struct tui_import;
struct tui_deploy_slot;
struct tui_cmdline;

struct tui_ctx {
	ry_store *st;
	ry_config *cfg;               /* the user's config; may be NULL */
	tui_keymaps *km;
	struct tui_theme theme;
	unsigned long attrs[TUI_COLOR_COUNT]; /* curses attributes per element (screen.c) */
	int ncolors;                  /* colours the terminal has (0: none or NO_COLOR) */
	bool utf8;                    /* braille, line drawing and … */
	bool color;                   /* false: NO_COLOR, monochrome terminal */
	bool headless;                /* drawing to /dev/null (script mode, bench) */
	bool script;                  /* keys come from a script: lists are computed on the spot, never in the background */
	int wake_ms;                  /* > 0: wait at most this long for a key (background work to pick up) */
	bool hints_off;               /* no key-hint bar (hints = off, or toggled; hints.h) */
	bool mouse;                   /* the terminal reports clicks and the wheel (mouse.h) */
	int rows, cols;

	struct tui_view *views[TUI_MAX_VIEWS];
	int nviews;

	struct tui_prompt prompt;     /* line editor, active when prompt_kind != NONE */
	int prompt_kind;
	struct tui_view *prompt_owner;
	char prompt_error[256];       /* shown under/next to the prompt (filter parse error) */
	int prompt_error_col;         /* 1-based column of the error in the text, 0 none */
	bool prompt_deferred;         /* an edit not yet given to the owner (keys were queued) */

	char msg[512];                /* one-line message in the status bar */
	bool msg_error;

	int64_t edit_id;              /* the run a tag, rename or delete prompt is about (views/edit.h) */
	bool edit_pop;                /* the view that asked closes once its run is deleted */

	int64_t *marked;              /* marked run ids, in marking order */
	size_t nmarked, capmarked;

	char search[256];             /* last plain-text search */
	int64_t data_version;
	bool quit;
	int dirty;                    /* TUI_REDRAW / TUI_RELOAD pending */

	struct tui_job *job;          /* a launch/cancel in the background (job.h), or NULL */
	struct tui_askpass *askpass;  /* background threads' passphrase questions; NULL: refuse */
	unsigned long askpass_id;     /* the question the passphrase prompt answers */

	struct tui_import *import;    /* an `:import` in the background (import_bar.h), or NULL */
	double import_started;        /* ry_monotonic() when it started */
	char *import_log;             /* owned: what the last import said, for :messages; may be NULL */

	struct tui_cmdline *cmdline;  /* the `:` line's history (cmdline.h); NULL until first used */
	struct tui_deploy_slot *deploying; /* deploys, undeploys, status refreshes (deploy_slot.h); NULL: none yet */
	ry_view chart;                /* compare's chart settings as last used (only x_axis, grid, metric,
	                                 metrics): what a saved view keeps of them, and what compare opens
	                                 with (query/view.h) */
};

/* Message line helpers (printf-style). */
void tui_msg(struct tui_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tui_error(struct tui_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open the prompt for `owner` with initial text. */
void tui_prompt_open(struct tui_ctx *c, struct tui_view *owner, int kind, const char *label,
                     const char *initial);
void tui_prompt_close(struct tui_ctx *c);

/* A dialog's field cursor (0..n-1, wrapping) moved by a movement action;
 * false if the action is not one. */
bool tui_field_move(int *cur, int n, enum tui_action a);

/* Move a list (widgets/list.h) by a movement action (line, half page,
 * page, first, last), page rows to a page (0: its height); false if the
 * action is not one, so the view handles it. */
bool tui_list_action(struct tui_list *l, enum tui_action a, size_t page);

/* Marks. */
bool tui_marked(const struct tui_ctx *c, int64_t id);
void tui_mark_toggle(struct tui_ctx *c, int64_t id);
void tui_mark_clear(struct tui_ctx *c);
/* Mark the n runs of ids (distinct) that are not marked yet, in their
 * order; n log n, for a whole filtered list. */
void tui_mark_add(struct tui_ctx *c, const int64_t *ids, size_t n);

/* Run one `:` command line (also used by scripts).  Returns reaction bits. */
int tui_command_run(struct tui_ctx *c, const char *line);

/* An on/off switch at the top of the config (`hints = off`): false for
 * off, no, false or 0; true when unset or on, yes, true, 1.  Anything else
 * reads as on and is reported in the message line, naming `what` ("the
 * mouse") as what stays on. */
bool tui_config_on(struct tui_ctx *c, const char *key, const char *what);

/* Apply a theme by name or path; false with a message on error. */
bool tui_theme_apply(struct tui_ctx *c, const char *name);

/* Draw the whole screen now (views, status bar, prompt) and update. */
void tui_app_draw(struct tui_ctx *c);

/* Dispatch one key to the prompt or the top view; returns reaction bits. */
int tui_app_key(struct tui_ctx *c, int key);

/* Let the top view prefetch while no key is pending. */
void tui_app_idle(struct tui_ctx *c);

/* Reload every view (data changed). */
void tui_app_reload(struct tui_ctx *c);

/* Write the screen's text to a file (`:save-display`), for tests. */
int tui_screen_save(struct tui_ctx *c, const char *path);

#endif
