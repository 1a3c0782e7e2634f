/*
 * The view machinery (after tig's view_ops and tmux's window modes): every
 * screen — runs, run detail, compare, help, pickers, and later hosts,
 * launch and registry — is one small set of callbacks over private state.
 * Views live on a stack in the app context; the top one gets the keys and
 * the whole screen above the status bar.
 *
 * Handlers never draw: `action` and `command` change state and return a
 * reaction mask (TUI_REDRAW, TUI_RELOAD, ...); the main loop draws only
 * when something asked for it.
 */
#ifndef TUI_VIEW_H
#define TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/keymap.h"

struct tui_ctx;
struct tui_view;

/* Reaction bits returned by handlers. */
enum {
	TUI_UNHANDLED = 1 << 0, /* the view did not handle it: try the app's generic handler */
	TUI_REDRAW = 1 << 1,    /* draw again */
	TUI_RELOAD = 1 << 2,    /* re-read data from the store, then draw */
	TUI_POP = 1 << 3,       /* close this view */
	TUI_QUIT = 1 << 4,      /* leave the app */
};

struct tui_view_ops {
	const char *name;            /* shown in the title bar and in help */
	enum tui_keymap_id keymap;   /* its keymap (falls back to generic) */
	/* Build private state in v->priv from arg; 0 or -1 with a message in
	 * the context's message line (the view is then not pushed). */
	int (*open)(struct tui_view *v, struct tui_ctx *c, void *arg);
	/* Draw into rows [y, y+h) of the screen. */
	void (*draw)(struct tui_view *v, struct tui_ctx *c, int y, int h);
	/* Handle one action; return reaction bits. */
	int (*action)(struct tui_view *v, struct tui_ctx *c, enum tui_action a);
	/* Re-read from the store (data changed underneath); may be NULL. */
	void (*reload)(struct tui_view *v, struct tui_ctx *c);
	/* A `:` command the view understands (NULL or TUI_UNHANDLED otherwise). */
	int (*command)(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg);
	/* One line for the status bar (filter, sort, counts); may be NULL. */
	void (*status)(struct tui_view *v, struct tui_ctx *c, char *out, size_t n);
	/* A prompt this view opened changed (final: Enter; cancel: Esc). */
	int (*prompt)(struct tui_view *v, struct tui_ctx *c, int kind, const char *text,
	              bool final, bool cancel);
	/* Called every poll tick (~500 ms); return TUI_REDRAW to refresh
	 * time-dependent text (elapsed time of running runs).  May be NULL. */
	int (*tick)(struct tui_view *v, struct tui_ctx *c);
	/* Nothing to do and no key pending: prefetch what the next key will
	 * probably need.  Never draws; may be NULL. */
	void (*idle)(struct tui_view *v, struct tui_ctx *c);
	/* Release private state; the machinery frees the view itself. */
	void (*done)(struct tui_view *v, struct tui_ctx *c);
	/* The first mouse button pressed on screen cell (y, x), a row the view
	 * drew (mouse.h); reaction bits.  A view with rows moves its cursor to
	 * the row clicked and opens it when it was already there (as Enter).
	 * NULL: clicks do nothing (the wheel scrolls every view). */
	int (*click)(struct tui_view *v, struct tui_ctx *c, int y, int x);
};

struct tui_view {
	const struct tui_view_ops *ops;
	void *priv;                  /* owned by the view; released in done */
	int rows;                    /* height it was last drawn with (for paging) */
};

/* The views that exist. */
extern const struct tui_view_ops tui_view_main;
extern const struct tui_view_ops tui_view_detail;
extern const struct tui_view_ops tui_view_compare;
extern const struct tui_view_ops tui_view_help;
extern const struct tui_view_ops tui_view_picker;
extern const struct tui_view_ops tui_view_hosts;
extern const struct tui_view_ops tui_view_launch;
extern const struct tui_view_ops tui_view_registry; /* registered models */
extern const struct tui_view_ops tui_view_model;    /* one model: versions, history */
extern const struct tui_view_ops tui_view_promote;  /* the promote dialog of a run */
extern const struct tui_view_ops tui_view_messages; /* a pager over a block of text (:messages) */
extern const struct tui_view_ops tui_view_deploy;   /* deploy a version: target picker, confirm */
extern const struct tui_view_ops tui_view_deployments; /* the deployments pane, live status */
extern const struct tui_view_ops tui_view_charts;   /* one run's metrics, a small chart each */
extern const struct tui_view_ops tui_view_groupchart; /* groups' mean curves with bands (:group, then c) */
extern const struct tui_view_ops tui_view_parallel; /* parallel coordinates of many runs, brushed */
extern const struct tui_view_ops tui_view_scatter;  /* a param against a metric, and param importance */

/* The runs the parallel-coordinates view drew last (for the bench); 0 for another view. */
size_t tui_parallel_shown(const struct tui_view *v);
/* Whether the parallel-coordinates view is still reading its runs in the background. */
bool tui_parallel_loading(const struct tui_view *v);
/* The runs it read, and whether its last plot was drawn as density (for the bench). */
size_t tui_parallel_rows(const struct tui_view *v);
bool tui_parallel_density(const struct tui_view *v);

/* Push a new view opened with arg; returns it or NULL if open failed. */
struct tui_view *tui_view_push(struct tui_ctx *c, const struct tui_view_ops *ops, void *arg);
/* Pop and free the top view (never the last one). */
void tui_view_pop(struct tui_ctx *c);

/* ---- arguments of views opened by other views -------------------------- */

struct tui_detail_arg {
	long long run_id;
};

/* tui_view_model: the model's name (copied). */
struct tui_model_arg {
	const char *name;
};

/* tui_view_promote: the candidate run. */
struct tui_promote_arg {
	long long run_id;
};

/* tui_view_charts: the run whose metrics are charted. */
struct tui_charts_arg {
	long long run_id;
};

/* tui_view_parallel, tui_view_scatter: the runs of an experiment (0: all)
 * that a filter shows, the fields (NULL/0: the varying params; scatter:
 * fields[0] goes on the x axis) and the target metric (NULL: the main
 * one).  All copied.  owner: the runs view, whose filter a brush narrows
 * through its `filter` command (NULL: none is narrowed). */
struct tui_analysis_arg {
	int64_t experiment_id;
	const char *filter;
	const char *const *fields;
	size_t nfields;
	const char *metric;
	struct tui_view *owner;
};

struct tui_compare_arg {
	const long long *ids;
	size_t n;
};

/* tui_view_groupchart: the groups to chart (copied; at most
 * TUI_MAX_COMPARE): the key, and per group its value (NULL: the runs
 * without the key) and runs. */
struct tui_groupchart_arg {
	const char *key;
	size_t ngroups;
	const char *const *labels;
	const int64_t *const *ids;
	const size_t *nids;
};

/* A list picker: single choice (Enter picks) or multiple (Space toggles,
 * Enter applies).  Items and selection are copied. */
struct tui_picker_arg {
	const char *title;
	const char *const *items;
	size_t nitems;
	const bool *selected;         /* multi only; may be NULL */
	bool multi;
	size_t cursor;
	/* Called with the result before the picker closes; `owner` is the view
	 * that opened it (still on the stack below the picker). */
	void (*done)(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n);
	struct tui_view *owner;
	bool reorder;                 /* multi: item-up/-down move items, and chosen comes in list order */
};

/* tui_view_deploy: what to deploy, NAME@ALIAS or NAME@VERSION (copied). */
struct tui_deploy_arg {
	const char *spec;
};

/* tui_view_messages: a title and the text (both copied). */
struct tui_messages_arg {
	const char *title;
	const char *text;
};

/* tui_view_hosts: what its "launch here" starts from (copied; NULL: the
 * launch dialog's defaults).  The arg itself may be NULL. */
struct tui_hosts_arg {
	const char *experiment;
	const char *command;
};

/* The launch dialog: the experiment, and the command (prefilled from a
 * run used as template, or NULL) and its host (NULL: the first host). */
struct tui_launch_arg {
	const char *experiment;
	const char *command;
	const char *host;
};

#endif
