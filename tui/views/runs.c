/*
 * The main screen: the experiments pane on the left and the runs table on
 * the right, with the live `/` filter, sort by the column under the column
 * cursor, plain-text search, marks for compare, and the column picker.
 *
 * Virtual scrolling: the run list (core/query/runlist.h) is just ids in order;
 * cell values are fetched for the visible rows only and cached until the
 * window, the columns or the data change, so 100,000 runs cost the same
 * as 40.  It never reads metric histories.
 */
#include <curses.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/clipboard.h"
#include "text/present.h"
#include "app/draw.h"
#include "app/find.h"
#include "app/mouse.h"
#include "work/job.h"
#include "work/listing.h"
#include "text/present.h"
#include "text/text.h"
#include "app/tui.h"
#include "views/edit.h"
#include "views/export.h"

/* Built-in columns every table starts with; the name column takes what
 * the visible names need, up to NAME_CAP. */
static const char *const builtin_cols[] = { "status", "name", "created", "duration", "host", "cost" };
enum { NBUILTIN = 6, COL_STATUS = 0, COL_NAME = 1, NAME_MIN = 16, NAME_CAP = 40 };
static const int builtin_widths[NBUILTIN] = { 2, 0, 9, 8, 12, 8 };

struct col {
	char *spec;      /* what the user named: "params.lr", "duration" */
	ry_field *f;     /* owned */
	int width;       /* chosen at draw time */
	bool numeric;
	bool shown_for;  /* added because the sort or the filter reads it; never remembered */
	int x;           /* screen column its header was last drawn at; -1: not shown (clicks) */
};

struct main_priv {
	ry_experiment *exps;
	size_t nexps;
	bool exps_loaded;            /* the pane fills after the first frame (idle) */
	bool warmed;                 /* ry_runlist_warm done (idle, after the pane) */
	/* Data changed underneath: the visible cells are re-read at once, the
	 * list and the pane (queries over every run) at most every second or
	 * three, from idle, so a job logging twice a second cannot keep a
	 * 100,000-run workspace busy re-listing. */
	bool list_stale, exps_stale;
	double list_at, exps_at;     /* ry_monotonic() of the last load */
	struct tui_list exp;         /* the experiments pane; its cursor 0 is "all experiments" */
	bool focus_exps;

	ry_runlist *list;
	bool partial;                /* list is the first page only (start): whole at idle or the first key */
	bool opening;                /* main_open is restoring the remembered view */
	size_t total;                /* with partial: how many runs the whole list has */
	char *filter, *sort;         /* the applied (last good) ones; owned, may be NULL */
	/* Lists that take long (a big workspace) are computed by a worker
	 * (work/listing.h): the keystroke returns at once, the old rows stay
	 * on screen with "filtering…" until the new list comes. */
	struct tui_listing *bg;      /* started on first need */
	const char *bg_what;         /* what the screen says while it runs ("filtering"); NULL: nothing runs */
	bool bg_partial;             /* the list shown is its first rows: "counting" the rest */
	bool want_last;              /* `G` while the list was coming: the cursor goes to its end */
	double list_ms;              /* how long the last list took to compute */
	size_t most_runs;            /* the longest list shown: a workspace this big lists in the background */
	char *list_key;              /* experiment, filter and sort of the list shown or coming; owned */
	bool small_cache;            /* the store's page cache was cut for a big workspace */
	char *filter_saved;          /* before the `/` prompt opened, to restore on Esc */
	struct tui_list rows;        /* the table's cursor; pages scroll with it */
	int64_t cur_id;
	int64_t cancel_id;           /* the run a y/N cancel prompt is about */

	struct col *cols;
	size_t ncols, col_cur;
	bool cols_default;           /* nothing remembered: the default columns are shown */
	bool cols_source;            /* ... and they include the source (imported runs exist) */
	char **base;                 /* the chosen columns: remembered, or the default candidates */
	size_t nbase;
	int fit_w;                   /* table width the default columns were fitted to */
	size_t col_first;            /* first scrollable (non-pinned) column shown */

	ry_cell *cells;              /* cache: rows [cache_top, cache_top + cache_n) x ncols */
	size_t cache_top, cache_n;
	bool cache_valid;
	bool visible_running;        /* a visible run is running: refresh elapsed time */

	ry_field *name_field;        /* for search */
	unsigned char *found;        /* per row of the list: its name holds find_text; NULL: not read yet */
	char *find_text;             /* the search `found` was read for; owned */
	bool range_on;               /* `V` pressed once: a range runs from range_id to the cursor */
	int64_t range_id;
	int tbl_y;                   /* screen row of the table's header, as last drawn (clicks) */
	int pane_y, pane_w;          /* the experiments pane as last drawn; pane_w 0: not shown */

	/* `:group KEY`: the table shows one row per group of the listed runs
	 * (core/query/group.h), aggregating the metric columns. */
	char *group;                 /* the key; NULL: not grouped; owned */
	bool group_median;           /* median and IQR instead of mean +- std */
	bool group_stale;            /* the list or the columns changed: regroup before drawing */
	ry_grouping *grouping;
	size_t *gcols, ngcols;       /* the metric columns it aggregates (indices into cols) */
	struct tui_list grows;       /* the cursor over the groups */
	size_t gcol_cur;             /* 0 the value, 1 the count, 2.. the gcols */
	char *auto_text;             /* the automatic view as last saved (query/view.h); owned */
	int64_t auto_exp;            /* the experiment it belongs to */
};

static int64_t cur_exp_id(const struct main_priv *p)
{
	return p->exp.cur == 0 || p->exp.cur > p->nexps ? 0 : p->exps[p->exp.cur - 1].id;
}

static void cache_drop(struct main_priv *p)
{
	if (p->cells) {
		ry_cells_clear(p->cells, p->cache_n * p->ncols);
		free(p->cells);
	}
	p->cells = NULL;
	p->cache_n = 0;
	p->cache_valid = false;
}

static void cols_free(struct main_priv *p)
{
	cache_drop(p);
	for (size_t i = 0; i < p->ncols; i++) {
		free(p->cols[i].spec);
		ry_field_free(p->cols[i].f);
	}
	free(p->cols);
	p->cols = NULL;
	p->ncols = 0;
}

static bool col_add(struct tui_ctx *c, struct main_priv *p, const char *spec, bool report)
{
	ry_field *f = NULL;
	if (ry_field_parse(&f, c->st, spec) < 0) {
		if (report)
			tui_error(c, "%s", ry_error_last());
		return false;
	}
	p->cols = ry_xrealloc(p->cols, (p->ncols + 1) * sizeof *p->cols);
	p->cols[p->ncols].spec = ry_xstrdup(spec);
	p->cols[p->ncols].f = f;
	p->cols[p->ncols].width = 8;
	p->cols[p->ncols].numeric = ry_field_numeric(f);
	p->cols[p->ncols].shown_for = false;
	p->ncols++;
	return true;
}

/* The column shown as this spec already, by canonical name. */
static bool col_shown(const struct main_priv *p, const char *name)
{
	for (size_t j = 0; j < p->ncols; j++)
		if (!strcmp(ry_field_name(p->cols[j].f), name))
			return true;
	return false;
}

/* The width a column wants (the name's is chosen in layout_cols). */
static int col_want(const struct col *col, size_t j)
{
	if (j < NBUILTIN)
		return builtin_widths[j];
	if (!strcmp(col->spec, "source"))
		return 20; /* "plugin:lightning-csv" */
	int lw = tui_text_width(ry_field_label(col->f)) + 1;
	return lw < 9 ? 9 : lw > 16 ? 16 : lw;
}

/* The remembered columns of the current experiment (or of "all"). */
static char *columns_setting_get(struct tui_ctx *c, struct main_priv *p)
{
	int64_t e = cur_exp_id(p);
	return e > 0 ? ry_experiment_setting_get(c->st, e, "columns")
	             : ry_store_setting_get(c->st, "tui.columns");
}

static void columns_setting_set(struct tui_ctx *c, struct main_priv *p, const char *v)
{
	int64_t e = cur_exp_id(p);
	int rc = e > 0 ? ry_experiment_setting_set(c->st, e, "columns", v)
	               : ry_store_setting_set(c->st, "tui.columns", v);
	if (rc < 0)
		tui_error(c, "columns not remembered: %s", ry_error_last());
}

static void add_key(char ***keys, size_t *nkeys, size_t *cap, const char *key)
{
	for (size_t j = 0; j < *nkeys; j++)
		if (!strcmp((*keys)[j], key))
			return;
	*keys = ry_xgrow(*keys, cap, *nkeys + 1, sizeof **keys);
	(*keys)[(*nkeys)++] = ry_xstrdup(key);
}

/* Param and tag keys seen in the first runs of the list (core has no key
 * index for them; a sample is what a column picker needs). */
static void sample_keys(struct tui_ctx *c, struct main_priv *p, char ***pkeys, size_t *npkeys,
                        char ***tkeys, size_t *ntkeys)
{
	size_t n = p->list ? ry_runlist_count(p->list) : 0, pcap = 0, tcap = 0;
	*pkeys = *tkeys = NULL;
	*npkeys = *ntkeys = 0;
	for (size_t i = 0; i < n && i < 25; i++) {
		ry_run *r = NULL;
		if (ry_run_get(&r, c->st, ry_runlist_id(p->list, i)) < 0)
			continue;
		for (size_t k = 0; k < r->nparams; k++)
			add_key(pkeys, npkeys, &pcap, r->params[k].key);
		for (size_t k = 0; k < r->ntags; k++)
			add_key(tkeys, ntkeys, &tcap, r->tags[k].key);
		ry_run_free(r);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does the current experiment (or the workspace) hold an imported run?
 * Then the default columns say where each run came from. */
static bool has_imported(struct tui_ctx *c, struct main_priv *p)
{
	bool any = false;
	return ry_run_import_any(c->st, cur_exp_id(p), &any) == 0 && any;
}

static int table_width(const struct tui_ctx *c);

/* What the visible names need: the widest name of the rows on screen. */
static int name_need(struct tui_ctx *c, struct main_priv *p, size_t h)
{
	size_t n = p->list ? ry_runlist_count(p->list) : 0, top = p->rows.top < n ? p->rows.top : 0;
	size_t k = n - top < h ? n - top : h;
	int need = NAME_MIN;
	if (!k)
		return need;
	ry_cell *cells = ry_xcalloc(k, sizeof *cells);
	if (ry_runlist_fetch(c->st, ry_runlist_ids(p->list) + top, k, &p->name_field, 1, cells) == 0)
		for (size_t i = 0; i < k; i++)
			if (cells[i].type == RY_CELL_TEXT) {
				int w = tui_text_width(cells[i].text) + 1;
				need = w > need ? w : need;
			}
	ry_cells_clear(cells, k);
	free(cells);
	return need > NAME_CAP ? NAME_CAP : need;
}

/* The columns the sort and the filter read, by canonical name, so that
 * what decides the order and the rows is always on screen. */
static void needed_names(struct tui_ctx *c, struct main_priv *p, char ***out, size_t *n)
{
	size_t cap = 0;
	ry_field *f = NULL;
	bool desc;
	*out = NULL;
	*n = 0;
	if (p->sort && ry_sort_parse(&f, &desc, c->st, p->sort) == 0) {
		*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
		(*out)[(*n)++] = ry_xstrdup(ry_field_name(f));
	}
	ry_field_free(f);
	ry_query *q = NULL;
	if (p->filter && ry_query_compile(&q, c->st, p->filter) == 0)
		for (size_t i = 0; i < ry_query_nfields(q); i++) {
			*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
			(*out)[(*n)++] = ry_xstrdup(ry_query_field(q, i));
		}
	ry_query_free(q);
}

/* Build the table's columns: the built-ins, the sort's and the filter's
 * (when not shown already), then the chosen ones -- all of a remembered
 * set; of the default candidates, as many as fit the table's width. */
static void columns_build(struct tui_ctx *c, struct main_priv *p)
{
	char *cur = p->col_cur < p->ncols ? ry_xstrdup(ry_field_name(p->cols[p->col_cur].f)) : NULL;
	char **need = NULL;
	size_t nneed = 0;
	cols_free(p);
	for (int i = 0; i < NBUILTIN; i++)
		col_add(c, p, builtin_cols[i], false);
	needed_names(c, p, &need, &nneed);
	for (size_t i = 0; i < nneed; i++)
		if (!col_shown(p, need[i]) && col_add(c, p, need[i], false))
			p->cols[p->ncols - 1].shown_for = true;
	ry_strings_free(need, nneed);
	if (p->cols_default && p->cols_source && !col_shown(p, "source"))
		col_add(c, p, "source", false);
	int w = table_width(c), used = 0;
	if (p->cols_default) {
		size_t h = p->rows.height ? p->rows.height : (size_t)(c->rows > 4 ? c->rows - 4 : 1);
		used = name_need(c, p, h) + 1;
		for (size_t j = 0; j < p->ncols; j++)
			if (j != COL_NAME)
				used += col_want(&p->cols[j], j) + 1;
		p->fit_w = w;
	}
	for (size_t i = 0; i < p->nbase; i++) {
		if (col_shown(p, p->base[i]) || !col_add(c, p, p->base[i], false))
			continue;
		if (!p->cols_default)
			continue;
		int cw = col_want(&p->cols[p->ncols - 1], p->ncols - 1) + 1;
		if (used + cw > w) {
			/* It does not fit: take it back (a narrower one later may). */
			p->ncols--;
			free(p->cols[p->ncols].spec);
			ry_field_free(p->cols[p->ncols].f);
			continue;
		}
		used += cw;
	}
	p->col_cur = COL_NAME;
	for (size_t j = 0; cur && j < p->ncols; j++)
		if (!strcmp(ry_field_name(p->cols[j].f), cur))
			p->col_cur = j;
	free(cur);
	p->col_first = 2;
	p->group_stale = true;
}

/* The sort or the filter changed: show what they read. */
static void columns_follow(struct tui_ctx *c, struct main_priv *p)
{
	char **need = NULL;
	size_t nneed = 0;
	bool same = true;
	needed_names(c, p, &need, &nneed);
	for (size_t i = 0; i < nneed && same; i++)
		same = col_shown(p, need[i]);
	size_t nfor = 0;
	for (size_t j = 0; j < p->ncols; j++)
		nfor += p->cols[j].shown_for;
	ry_strings_free(need, nneed);
	if (!same || nfor)
		columns_build(c, p);
}

/* The default candidates: the params that vary in the experiment and its
 * main metrics (core/query/keys.h), a metric and a param in turn, so that
 * a narrow table shows some of each. */
static void default_candidates(struct tui_ctx *c, struct main_priv *p)
{
	char **pk = NULL, **mk = NULL;
	size_t npk = 0, nmk = 0, cap = 0;
	if (ry_keys_varying_params(c->st, cur_exp_id(p), &pk, &npk) < 0)
		tui_error(c, "%s", ry_error_last());
	if (ry_keys_main_metrics(c->st, cur_exp_id(p), &mk, &nmk) < 0)
		tui_error(c, "%s", ry_error_last());
	for (size_t i = 0; i < npk || i < nmk; i++) {
		p->base = ry_xgrow(p->base, &cap, p->nbase + 2, sizeof *p->base);
		if (i < nmk)
			p->base[p->nbase++] = ry_xasprintf("metrics.%s", mk[i]);
		if (i < npk)
			p->base[p->nbase++] = ry_xasprintf("params.%s", pk[i]);
	}
	ry_strings_free(pk, npk);
	ry_strings_free(mk, nmk);
}

/* Set the columns: built-ins plus `specs` (comma-separated), or the
 * remembered ones, or when nothing is remembered the defaults.  A
 * remembered column whose key no run has any more is reported, not
 * silently left out. */
static void columns_load(struct tui_ctx *c, struct main_priv *p, const char *specs)
{
	char *owned = NULL;
	ry_strings_free(p->base, p->nbase);
	p->base = NULL;
	p->nbase = 0;
	if (!specs)
		specs = owned = columns_setting_get(c, p);
	p->cols_default = !specs;
	p->cols_source = false;
	if (specs) {
		char *copy = ry_xstrdup(specs), *save = NULL;
		ry_buf gone = RY_BUF_INIT;
		size_t cap = 0, ngone = 0;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			ry_field *f = NULL;
			while (*t == ' ')
				t++;
			if (!*t)
				continue;
			if (ry_field_parse(&f, c->st, t) < 0 || !ry_field_exists(c->st, f)) {
				ry_buf_printf(&gone, "%s%s", ngone++ ? ", " : "", t);
			} else {
				p->base = ry_xgrow(p->base, &cap, p->nbase + 1, sizeof *p->base);
				p->base[p->nbase++] = ry_xstrdup(t);
			}
			ry_field_free(f);
		}
		if (ngone)
			tui_error(c, "saved column%s %s no longer exist%s in any run: not shown (C or :columns changes the set)",
			          ngone == 1 ? "" : "s", ry_buf_cstr(&gone), ngone == 1 ? "s" : "");
		ry_buf_free(&gone);
		free(copy);
	} else {
		p->cols_source = has_imported(c, p);
		default_candidates(c, p);
	}
	free(owned);
	columns_build(c, p);
}

static char *columns_join(const struct main_priv *p)
{
	ry_buf b = RY_BUF_INIT;
	for (size_t i = NBUILTIN; i < p->ncols; i++) {
		if (p->cols[i].shown_for)
			continue;
		if (b.len)
			ry_buf_putc(&b, ',');
		ry_buf_puts(&b, p->cols[i].spec);
	}
	return ry_buf_detach(&b);
}

/* Find the row of run id in the list; false if it is gone. */
static bool find_row(const struct main_priv *p, int64_t id, size_t *row)
{
	size_t n = ry_runlist_count(p->list);
	const int64_t *ids = ry_runlist_ids(p->list);
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == id) {
			*row = i;
			return true;
		}
	}
	return false;
}

/* A list computed in the background is no longer wanted (another list
 * replaces it, on the spot). */
static void bg_drop(struct tui_ctx *c, struct main_priv *p)
{
	if (p->bg_what && p->bg)
		tui_listing_cancel(p->bg);
	p->bg_what = NULL;
	p->bg_partial = false;
	c->wake_ms = 0;
}

static void list_install(struct tui_ctx *c, struct main_priv *p, ry_runlist *l);

/* What a list is of, to tell a request for the list already shown (or
 * already coming) from a new one.  Caller frees. */
static char *list_key_of(struct main_priv *p, const char *filter, const char *sort)
{
	return ry_xasprintf("%lld\x1f%s\x1f%s", (long long)cur_exp_id(p), filter ? filter : "", sort ? sort : "");
}

/* Open the list with the given filter and sort; on error the old list is
 * kept and the message stays in ry_error_last(). */
static int list_open(struct tui_ctx *c, struct main_priv *p, const char *filter, const char *sort)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l = NULL;
	o.experiment_id = cur_exp_id(p);
	o.filter = filter;
	o.sort = sort;
	double t0 = ry_monotonic();
	int rc = ry_runlist_open(&l, c->st, &o);
	if (rc < 0)
		return rc;
	bg_drop(c, p);
	p->list_ms = (ry_monotonic() - t0) * 1000;
	free(p->list_key);
	p->list_key = list_key_of(p, filter, sort);
	list_install(c, p, l);
	return 0;
}

/* Above this, a list is computed in the background: the keystroke that
 * asked for it must stay under 50 ms with the redraw. */
#define BG_LIST_MS 25.0
/* ... and a workspace with this many runs in one list always is (at 10^6
 * runs a filter costs 100-200 ms whatever the last one cost). */
#define BG_RUNS 200000
/* The main connection's page cache once lists go to the worker. */
#define MAIN_CACHE_KIB 8192

/* Like list_open, but a list expected to take long is asked of the worker
 * and comes later (bg_poll); `what` is what the screen says meanwhile
 * ("filtering").  The filter and sort are checked here first, so that a
 * bad one is refused on the spot as by list_open. */
static int list_request(struct tui_ctx *c, struct main_priv *p, const char *filter, const char *sort,
                        const char *what)
{
	bool slow = p->list_ms > BG_LIST_MS || p->most_runs >= BG_RUNS || tui_listing_test_delay();
	char *key = list_key_of(p, filter, sort);
	bool same = p->list_key && !strcmp(key, p->list_key) && !p->list_stale;
	free(key);
	if (same)
		return 0; /* Enter on the filter shown, or being computed: nothing new */
	if (c->script || !slow)
		return list_open(c, p, filter, sort);
	if (!p->bg && !(p->bg = tui_listing_new(ry_store_path(c->st))))
		return list_open(c, p, filter, sort);
	ry_query *q = NULL;
	ry_field *f = NULL;
	bool desc;
	int rc = ry_query_compile(&q, c->st, filter);
	if (!rc && sort && *sort)
		rc = ry_sort_parse(&f, &desc, c->st, sort);
	ry_query_free(q);
	ry_field_free(f);
	if (rc < 0)
		return rc;
	/* In the default order the first screenful comes first (runlist.c's
	 * newest-first scan stops there); another order may need every run
	 * read before its first row, so it comes whole. */
	size_t first = !sort || !*sort ? (size_t)(c->rows > 0 ? c->rows : 50) : 0;
	tui_listing_submit(p->bg, cur_exp_id(p), filter, sort, first);
	free(p->list_key);
	p->list_key = list_key_of(p, filter, sort);
	p->bg_what = what;
	p->bg_partial = false;
	c->wake_ms = 30; /* pick the result up soon after it comes */
	return 0;
}

/* The worker's list, once it is there: shown.  A redraw mask. */
static int bg_poll(struct tui_ctx *c, struct main_priv *p)
{
	unsigned gen;
	ry_runlist *l = NULL;
	double ms;
	bool partial = false;
	char msg[512];
	if (!p->bg_what || !tui_listing_take(p->bg, &gen, &l, &partial, &ms, msg, sizeof msg))
		return 0;
	if (partial) {
		/* The first rows, shown while the rest is counted. */
		p->bg_partial = true;
		list_install(c, p, l);
		return TUI_REDRAW;
	}
	p->bg_what = NULL;
	p->bg_partial = false;
	c->wake_ms = 0;
	p->list_ms = ms;
	if (!l) {
		p->want_last = false;
		tui_error(c, "%s", msg);
		return TUI_REDRAW;
	}
	list_install(c, p, l);
	if (p->want_last && ry_runlist_count(l)) {
		/* `G` was pressed on the first rows: the end is the whole list's. */
		p->rows.cur = ry_runlist_count(l) - 1;
		p->cur_id = ry_runlist_id(l, p->rows.cur);
	}
	p->want_last = false;
	return TUI_REDRAW;
}

/* Make l the list shown (taken over), keeping the cursor on its run. */
static void list_install(struct tui_ctx *c, struct main_priv *p, ry_runlist *l)
{
	ry_runlist_free(p->list);
	p->list = l;
	p->partial = false;
	free(p->found); /* row numbers of the old list */
	p->found = NULL;
	p->list_at = ry_monotonic();
	p->list_stale = false;
	p->group_stale = true;
	cache_drop(p);
	size_t n = ry_runlist_count(l), row = 0;
	if (p->cur_id && find_row(p, p->cur_id, &row))
		p->rows.cur = row;
	else if (p->rows.cur >= n)
		p->rows.cur = n ? n - 1 : 0;
	if (n)
		p->cur_id = ry_runlist_id(l, p->rows.cur);
	if (n > p->most_runs)
		p->most_runs = n;
	if (p->most_runs >= BG_RUNS && !p->small_cache) {
		/* From now on the worker scans every run; this connection reads
		 * a screenful of cells, the pane and a run's details, for which
		 * 8 MiB of page cache is plenty.  At 10^6 runs that keeps the
		 * app ~24 MB smaller. */
		p->small_cache = true;
		if (ry_store_set_cache_kib(c->st, MAIN_CACHE_KIB) == 0)
			tui_listing_trim();
	}
}

/* The first frame shows a screenful: at 10^6 runs reading every id in
 * order (70 ms) is most of its cost, so it reads a page (the index on the
 * sort key stops there, core/query/runlist.c) and the count from the
 * maintained per-experiment counts; the whole list follows at the next
 * idle moment, or first thing when a key comes before it. */
enum { FIRST_PAGE = 256 };

static int list_open_first_page(struct tui_ctx *c, struct main_priv *p, const char *filter, const char *sort)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l = NULL;
	size_t total = 0;
	int rc;
	o.experiment_id = cur_exp_id(p);
	o.filter = filter;
	o.sort = sort;
	o.limit = FIRST_PAGE;
	if ((rc = ry_runlist_open(&l, c->st, &o)) < 0)
		return rc;
	/* Without a filter the total is the maintained counts (one row per
	 * experiment); with one it would be a scan of every run (70 ms at 10^6),
	 * left to the whole list that follows: until then the status says
	 * "256+". */
	if (ry_runlist_count(l) == FIRST_PAGE) {
		total = SIZE_MAX;
		if ((!filter || !*filter) && (rc = ry_runlist_total(c->st, &o, &total)) < 0) {
			ry_runlist_free(l);
			return rc;
		}
	}
	ry_runlist_free(p->list);
	p->list = l;
	p->partial = ry_runlist_count(l) == FIRST_PAGE && total > FIRST_PAGE;
	p->total = total;
	p->list_at = ry_monotonic();
	p->list_stale = false;
	p->group_stale = true;
	cache_drop(p);
	p->rows.cur = 0;
	p->cur_id = ry_runlist_count(l) ? ry_runlist_id(l, 0) : 0;
	return 0;
}

/* Before anything that reads rows past the page (a key, a command). */
static void list_complete(struct tui_ctx *c, struct main_priv *p)
{
	if (p->partial && list_open(c, p, p->filter, p->sort) < 0)
		tui_error(c, "%s", ry_error_last());
	p->partial = false;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s && *s ? ry_xstrdup(s) : NULL;
}

static void exps_load(struct tui_ctx *c, struct main_priv *p)
{
	int64_t keep = cur_exp_id(p);
	ry_experiments_free(p->exps, p->nexps);
	p->exps = NULL;
	p->nexps = 0;
	if (ry_experiments_list(c->st, &p->exps, &p->nexps) < 0) {
		tui_error(c, "%s", ry_error_last());
		return;
	}
	p->exp.cur = 0;
	p->exps_loaded = true;
	p->exps_stale = false;
	p->exps_at = ry_monotonic();
	for (size_t i = 0; keep && i < p->nexps; i++)
		if (p->exps[i].id == keep)
			p->exp.cur = i + 1;
}

static void view_autosave(struct tui_ctx *c, struct main_priv *p);
static void view_restore_auto(struct tui_ctx *c, struct main_priv *p);

/* Start on the experiment selected when runyard last quit; every
 * experiment when none was, or it is gone.  Only then are the experiments
 * read before the first frame. */
static void start_exp(struct tui_ctx *c, struct main_priv *p)
{
	int64_t last = ry_view_load_experiment(c->st);
	if (!last)
		return;
	exps_load(c, p);
	for (size_t i = 0; i < p->nexps; i++)
		if (p->exps[i].id == last)
			p->exp.cur = i + 1;
}

/* ---- view callbacks ------------------------------------------------------ */

static int main_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	struct main_priv *p = ry_xcalloc(1, sizeof *p);
	(void)arg;
	v->priv = p;
	tui_list_init(&p->exp, false);
	tui_list_init(&p->rows, false);
	p->rows.page_scrolls = true;
	/* The experiments pane (counts and costs over every run) is filled
	 * right after the first frame, so the runs show without waiting. */
	if (ry_field_parse(&p->name_field, c->st, "name") < 0) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	start_exp(c, p);
	if (list_open_first_page(c, p, NULL, NULL) < 0) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	columns_load(c, p, NULL);
	p->col_cur = COL_NAME;
	p->opening = true; /* its sort and filter too start on a first page */
	view_restore_auto(c, p); /* how that experiment was last looked at */
	p->opening = false;
	return 0;
}

static void main_done(struct tui_view *v, struct tui_ctx *c)
{
	struct main_priv *p = v->priv;
	if (!p)
		return;
	view_autosave(c, p);
	tui_listing_free(p->bg);
	free(p->list_key);
	c->wake_ms = 0;
	cols_free(p);
	ry_strings_free(p->base, p->nbase);
	ry_runlist_free(p->list);
	ry_experiments_free(p->exps, p->nexps);
	ry_field_free(p->name_field);
	ry_grouping_free(p->grouping);
	free(p->gcols);
	free(p->group);
	free(p->auto_text);
	free(p->found);
	free(p->find_text);
	free(p->filter);
	free(p->sort);
	free(p->filter_saved);
	free(p);
}

static void main_reload(struct tui_view *v, struct tui_ctx *c)
{
	struct main_priv *p = v->priv;
	(void)c;
	cache_drop(p);
	p->list_stale = true;
	p->exps_stale = true;
}

static int main_tick(struct tui_view *v, struct tui_ctx *c)
{
	struct main_priv *p = v->priv;
	int r = bg_poll(c, p);
	if (!p->visible_running)
		return r;
	/* Elapsed time and accrued cost of running runs move with the clock. */
	cache_drop(p);
	return TUI_REDRAW;
}

/* Fetch rows [from, from+n) into the cache, replacing it. */
static void cache_load(struct tui_ctx *c, struct main_priv *p, size_t from, size_t n)
{
	cache_drop(p);
	p->cache_top = from;
	p->cache_valid = true;
	if (!n)
		return;
	ry_field **fields = ry_xmalloc(p->ncols * sizeof *fields);
	for (size_t j = 0; j < p->ncols; j++)
		fields[j] = p->cols[j].f;
	p->cells = ry_xcalloc(n * p->ncols, sizeof *p->cells);
	if (ry_runlist_fetch(c->st, ry_runlist_ids(p->list) + from, n, fields, p->ncols, p->cells) < 0)
		tui_error(c, "%s", ry_error_last());
	free(fields);
	p->cache_n = n;
}

/* Make sure the visible rows [top, top+h) are in the cache: only they are
 * fetched when they are not (virtual scrolling). */
static void cache_fill(struct tui_ctx *c, struct main_priv *p, size_t h)
{
	size_t n = ry_runlist_count(p->list);
	size_t want = p->rows.top < n ? (n - p->rows.top < h ? n - p->rows.top : h) : 0;
	if (p->cache_valid && p->rows.top >= p->cache_top && p->rows.top + want <= p->cache_top + p->cache_n)
		return;
	cache_load(c, p, p->rows.top, want);
}

/* Between keys: widen the cache to a page above and two below, so that
 * paging and scrolling find their rows already fetched. */
static void main_idle(struct tui_view *v, struct tui_ctx *c)
{
	struct main_priv *p = v->priv;
	/* Scripts (tests) want every change at once, not throttled. */
	double now = c->headless ? INFINITY : ry_monotonic();
	if (!p->exps_loaded) {
		exps_load(c, p);
		p->exps_loaded = true;
		c->dirty |= TUI_REDRAW;
		return;
	}
	if (p->partial) {
		list_complete(c, p);
		c->dirty |= TUI_REDRAW;
		return;
	}
	if (!p->warmed) {
		/* the next idle moment: ready the index a filter reads -- on the
		 * worker's side when lists are computed there (at 10^6 runs the
		 * read takes 80-180 ms, which a key arriving meanwhile would wait) */
		p->warmed = true;
		if (!c->script && p->most_runs >= BG_RUNS &&
		    (p->bg || (p->bg = tui_listing_new(ry_store_path(c->st))))) {
			tui_listing_warm(p->bg);
			return;
		}
		ry_runlist_warm(c->st);
		return;
	}
	c->dirty |= bg_poll(c, p);
	if (p->list_stale && now - p->list_at >= 1.0 && !p->bg_what) {
		if (list_request(c, p, p->filter, p->sort, "listing") < 0)
			tui_error(c, "%s", ry_error_last());
		p->list_stale = false;
		/* The first imported run arrived: the default columns gain its source. */
		if (p->cols_default && !p->cols_source && has_imported(c, p))
			columns_load(c, p, NULL);
		c->dirty |= TUI_REDRAW;
		return;
	}
	if (p->exps_stale && now - p->exps_at >= 3.0) {
		exps_load(c, p);
		c->dirty |= TUI_REDRAW;
		return;
	}
	size_t n = p->list ? ry_runlist_count(p->list) : 0;
	size_t h = v->rows > 1 ? (size_t)v->rows - 1 : 1;
	size_t from = p->rows.top > h ? p->rows.top - h : 0, to = p->rows.top + 3 * h;
	if (to > n)
		to = n;
	if (!p->cache_valid || from >= to || (p->cache_top <= from && to <= p->cache_top + p->cache_n))
		return;
	cache_load(c, p, from, to - from);
}

static int exp_pane_width(const struct tui_ctx *c)
{
	return c->cols >= 110 ? 30 : c->cols >= 84 ? 24 : 0;
}

static int table_width(const struct tui_ctx *c)
{
	return c->cols - exp_pane_width(c);
}

static void draw_exps(struct tui_view *v, struct tui_ctx *c, int y, int h, int w)
{
	struct main_priv *p = v->priv;
	size_t total = p->nexps + 1;
	int per = 2; /* lines per entry */
	size_t fit = (size_t)(h - 1) / (size_t)per;
	if (!fit)
		fit = 1;
	tui_list_fit(&p->exp, total, fit);
	p->pane_y = y;
	p->pane_w = w;
	tui_draw_text(c, y, 0, w - 1, " Experiments", p->focus_exps ? TUI_COLOR_PANE_ACTIVE : TUI_COLOR_HEADER);
	if (!p->exps_loaded) {
		tui_draw_text(c, y + 1, 1, w - 2, c->utf8 ? "counting\xe2\x80\xa6" : "counting...", TUI_COLOR_DIM);
		tui_draw_vline(c, y, w - 1, h, TUI_COLOR_BORDER);
		return;
	}
	int64_t allruns = 0, allrunning = 0;
	double allcost = NAN; /* unknown until one experiment knows its cost (run.h) */
	for (size_t i = 0; i < p->nexps; i++) {
		allruns += p->exps[i].nruns;
		allrunning += p->exps[i].nrunning;
		if (!isnan(p->exps[i].cost))
			allcost = (isnan(allcost) ? 0 : allcost) + p->exps[i].cost;
	}
	for (size_t i = p->exp.top; i < total && (int)((i - p->exp.top) * (size_t)per) + 1 < h; i++) {
		int yy = y + 1 + (int)(i - p->exp.top) * per;
		const char *name = i ? p->exps[i - 1].name : "(all experiments)";
		int64_t nr = i ? p->exps[i - 1].nruns : allruns, nrun = i ? p->exps[i - 1].nrunning : allrunning;
		double cost = i ? p->exps[i - 1].cost : allcost;
		char line[128], money[64];
		bool sel = i == p->exp.cur;
		enum tui_color e = sel ? (p->focus_exps ? TUI_COLOR_CURSOR : TUI_COLOR_MARKED) : TUI_COLOR_DEFAULT;
		tui_draw_fill(c, yy, 0, w - 1, e);
		tui_draw_text(c, yy, 1, w - 2, name, e);
		if (nrun)
			snprintf(line, sizeof line, "%lld run%s, %lld running", (long long)nr, nr == 1 ? "" : "s",
			         (long long)nrun);
		else
			snprintf(line, sizeof line, "%lld run%s", (long long)nr, nr == 1 ? "" : "s");
		/* "-" or the money, as the runs table and `runyard experiments`
		 * write it; drawn whole at the right, the counts take what is left */
		tui_present_run_cost(money, sizeof money, cost, 0);
		int mw = tui_text_width(money);
		if (nrun && tui_text_width(line) > w - 4 - mw - 1) /* narrow: the runs table's running glyph */
			snprintf(line, sizeof line, "%lld run%s, %lld %s", (long long)nr, nr == 1 ? "" : "s",
			         (long long)nrun, tui_status_glyph(c, "running"));
		if (yy + 1 < y + h) {
			tui_draw_text(c, yy + 1, 3, w - 4 - mw - 1, line, sel ? e : TUI_COLOR_DIM);
			tui_draw_text_right(c, yy + 1, w - 1 - mw, mw, money, sel ? e : TUI_COLOR_DIM);
		}
		if (sel && yy + 1 < y + h)
			tui_draw_fill(c, yy + 1, 0, 3, e);
	}
	tui_draw_vline(c, y, w - 1, h, TUI_COLOR_BORDER);
}

/* Column widths for a table of width w, and the first scrollable column
 * (status and name stay pinned) so that the column cursor is visible. */
static void layout_cols(struct main_priv *p, int w)
{
	int need = NAME_MIN;
	for (size_t j = 0; j < p->ncols; j++)
		if (j != COL_NAME)
			p->cols[j].width = col_want(&p->cols[j], j);
	/* Name takes what the names on screen need (the cache holds them), up
	 * to NAME_CAP, and never more than the table leaves it. */
	for (size_t i = 0; p->cells && i < p->cache_n; i++) {
		const ry_cell *cell = &p->cells[i * p->ncols + COL_NAME];
		if (i + p->cache_top >= p->rows.top && i + p->cache_top < p->rows.top + p->rows.height &&
		    cell->type == RY_CELL_TEXT) {
			int tw = tui_text_width(cell->text) + 1;
			need = tw > need ? tw : need;
		}
	}
	int others = 0;
	for (size_t j = 0; j < p->ncols; j++)
		if (j != COL_NAME)
			others += p->cols[j].width + 1;
	int left = w - others - 1;
	need = need > NAME_CAP ? NAME_CAP : need;
	p->cols[COL_NAME].width = left < need ? (left < NAME_MIN ? NAME_MIN : left) : need;
	/* Keep the column cursor visible by scrolling the non-pinned columns. */
	if (p->col_cur >= 2 && p->col_cur < p->col_first)
		p->col_first = p->col_cur;
	for (;;) {
		int used = p->cols[0].width + 1 + p->cols[1].width + 1;
		size_t j;
		for (j = p->col_first; j < p->ncols && used + p->cols[j].width <= w; j++)
			used += p->cols[j].width + 1;
		if (p->col_cur < 2 || p->col_cur < j || p->col_first + 1 >= p->ncols)
			break;
		p->col_first++;
	}
}

/* The search text in a name cell drawn at yy, x, cw wide: in the
 * search-match colour, where it is not cut off. */
static void highlight_found(struct tui_ctx *c, int yy, int x, int cw, const char *text)
{
	int col, w;
	if (!tui_find_in(c, text, &col, &w) || col >= cw - 1)
		return;
	if (col + w > cw - 1)
		w = cw - 1 - col;
	attr_t a = (attr_t)c->attrs[TUI_COLOR_SEARCH_MATCH] | A_BOLD;
	mvchgat(yy, x + col, w, a, (short)PAIR_NUMBER(a), NULL);
}

/* ---- grouped rows (`:group KEY`) ------------------------------------------ */

/* Group the listed runs by p->group over the metric columns shown, in the
 * order the sort asks when it is one of them (groups by its mean). */
static void group_build(struct tui_ctx *c, struct main_priv *p)
{
	ry_field **fields;
	p->group_stale = false;
	ry_grouping_free(p->grouping);
	p->grouping = NULL;
	p->ngcols = 0;
	if (!p->group)
		return;
	p->gcols = ry_xrealloc(p->gcols, (p->ncols ? p->ncols : 1) * sizeof *p->gcols);
	fields = ry_xmalloc((p->ncols ? p->ncols : 1) * sizeof *fields);
	for (size_t j = NBUILTIN; j < p->ncols; j++) {
		if (ry_field_kind_of(p->cols[j].f) == RY_FIELD_METRIC) {
			fields[p->ngcols] = p->cols[j].f;
			p->gcols[p->ngcols++] = j;
		}
	}
	if (ry_grouping_open(&p->grouping, c->st, ry_runlist_ids(p->list), ry_runlist_count(p->list), p->group,
	                     fields, p->ngcols) < 0) {
		tui_error(c, "%s", ry_error_last());
		free(p->group);
		p->group = NULL;
	} else if (p->sort) {
		ry_field *f = NULL;
		bool desc = false;
		if (ry_sort_parse(&f, &desc, c->st, p->sort) == 0)
			for (size_t k = 0; k < p->ngcols; k++)
				if (!strcmp(ry_field_name(p->cols[p->gcols[k]].f), ry_field_name(f)))
					ry_grouping_sort(p->grouping, k, desc);
		ry_field_free(f);
	}
	free(fields);
	if (p->gcol_cur >= p->ngcols + 2)
		p->gcol_cur = 0;
}

/* Whether every run of group i is marked (the row shows as marked). */
static bool group_marked(const struct tui_ctx *c, const struct main_priv *p, size_t i)
{
	size_t n = ry_grouping_nruns(p->grouping, i);
	for (size_t k = 0; k < n; k++)
		if (!tui_marked(c, ry_grouping_ids(p->grouping, i)[k]))
			return false;
	return n > 0;
}

static void draw_groups(struct tui_view *v, struct tui_ctx *c, int y, int x0, int h, int w)
{
	struct main_priv *p = v->priv;
	size_t rows = h > 1 ? (size_t)h - 1 : 1, ng;
	int vw = 24, nw = 6, mw = 20, x;
	if (p->group_stale)
		group_build(c, p);
	if (!p->grouping) {
		p->group_stale = true;
		return;
	}
	ng = ry_grouping_count(p->grouping);
	tui_list_fit(&p->grows, ng, rows);
	/* The value column takes what the others leave, 12 to 48 wide. */
	vw = w - 1 - (nw + 1) - (int)p->ngcols * (mw + 1);
	vw = vw < 12 ? 12 : vw > 48 ? 48 : vw;
	p->tbl_y = y;
	tui_draw_fill(c, y, x0, w, TUI_COLOR_HEADER);
	x = x0 + 1;
	for (size_t k = 0; k < p->ngcols + 2 && x < x0 + w; k++) {
		int cw = k == 0 ? vw : k == 1 ? nw : mw;
		char label[160];
		enum tui_color e = k == p->gcol_cur && !p->focus_exps ? TUI_COLOR_CURSOR : TUI_COLOR_HEADER;
		if (x + cw > x0 + w)
			cw = x0 + w - x;
		if (k == 0)
			snprintf(label, sizeof label, "%s", p->group);
		else if (k == 1)
			snprintf(label, sizeof label, "runs");
		else
			snprintf(label, sizeof label, "%s%s", ry_field_label(p->cols[p->gcols[k - 2]].f),
			         p->group_median ? " med" : "");
		if (k == 0)
			tui_draw_text(c, y, x, cw, label, e);
		else
			tui_draw_text_right(c, y, x, cw, label, e);
		x += cw + 1;
	}
	for (size_t i = 0; i < rows && p->grows.top + i < ng; i++) {
		size_t g = p->grows.top + i;
		int yy = y + 1 + (int)i;
		bool is_cur = g == p->grows.cur && !p->focus_exps, marked = group_marked(c, p, g);
		enum tui_color base = is_cur ? TUI_COLOR_CURSOR : marked ? TUI_COLOR_MARKED : TUI_COLOR_DEFAULT;
		const char *val = ry_grouping_value(p->grouping, g);
		char text[160];
		tui_draw_fill(c, yy, x0, w, base);
		tui_draw_text(c, yy, x0, 1, marked ? (c->utf8 ? "\xe2\x96\x8c" : ">") : " ", base);
		x = x0 + 1;
		tui_draw_text(c, yy, x, vw, val ? (*val ? val : "\"\"") : "(none)", val ? base : TUI_COLOR_DIM);
		x += vw + 1;
		snprintf(text, sizeof text, "%zu", ry_grouping_nruns(p->grouping, g));
		tui_draw_text_right(c, yy, x, nw, text, base);
		x += nw + 1;
		for (size_t k = 0; k < p->ngcols && x < x0 + w; k++) {
			int cw = x + mw > x0 + w ? x0 + w - x : mw;
			tui_present_group_stat(text, sizeof text, ry_grouping_stats(p->grouping, g, k), p->group_median,
			                       c->utf8);
			tui_draw_text_right(c, yy, x, cw, text, base);
			x += mw + 1;
		}
	}
	if (!ng)
		tui_draw_text(c, y + 2, x0 + 2, w - 4, "No runs to group here.", TUI_COLOR_DIM);
	else if (!p->ngcols)
		tui_draw_text(c, y + 2 + (int)ng, x0 + 2, w - 4,
		              "No metric column to aggregate: C or :columns adds one.", TUI_COLOR_DIM);
}

/* `:group KEY [median]`, `:group` / `:ungroup` to end it. */
static int group_command(struct tui_ctx *c, struct main_priv *p, const char *arg, bool ungroup)
{
	char key[256] = "", how[32] = "";
	if (!ungroup)
		sscanf(arg, "%255s %31s", key, how);
	if (!*key) {
		if (p->group)
			tui_msg(c, "ungrouped");
		free(p->group);
		p->group = NULL;
		group_build(c, p);
		return TUI_REDRAW;
	}
	if (*how && strcmp(how, "median") && strcmp(how, "mean")) {
		tui_error(c, ":group KEY [median]: '%s' is not median or mean", how);
		return TUI_REDRAW;
	}
	set_str(&p->group, key);
	p->group_median = !strcmp(how, "median");
	p->grows.cur = p->grows.top = 0;
	p->gcol_cur = 0;
	group_build(c, p);
	if (p->grouping)
		tui_msg(c, "grouped by %s: %zu group%s of %zu runs; Enter shows a group's runs, :group ends it",
		        p->group, ry_grouping_count(p->grouping), ry_grouping_count(p->grouping) == 1 ? "" : "s",
		        ry_runlist_count(p->list));
	return TUI_REDRAW;
}

/* Enter on a group row: its runs, by a filter where one selects the group
 * (a param or tag value), else marked (a config); either way ungrouped. */
static int group_enter(struct tui_ctx *c, struct main_priv *p)
{
	size_t g = p->grows.cur;
	char *f, *both;
	if (!p->grouping || g >= ry_grouping_count(p->grouping))
		return TUI_REDRAW;
	f = ry_grouping_filter(p->grouping, g);
	if (!f) {
		tui_mark_clear(c);
		tui_mark_add(c, ry_grouping_ids(p->grouping, g), ry_grouping_nruns(p->grouping, g));
		tui_msg(c, "%zu run%s of the group marked; c compares them", ry_grouping_nruns(p->grouping, g),
		        ry_grouping_nruns(p->grouping, g) == 1 ? "" : "s");
		free(p->group);
		p->group = NULL;
		group_build(c, p);
		return TUI_REDRAW;
	}
	both = p->filter ? ry_xasprintf("(%s) and %s", p->filter, f) : ry_xstrdup(f);
	if (list_open(c, p, both, p->sort) < 0) {
		tui_error(c, "%s", ry_error_last());
	} else {
		set_str(&p->filter, both);
		free(p->group);
		p->group = NULL;
		group_build(c, p);
		columns_follow(c, p);
	}
	free(both);
	free(f);
	return TUI_REDRAW;
}

/* `c` on group rows: chart the marked groups (every run marked), or with
 * none marked the first TUI_MAX_COMPARE groups shown. */
static int group_chart(struct tui_ctx *c, struct main_priv *p)
{
	const char *labels[TUI_MAX_COMPARE];
	const int64_t *ids[TUI_MAX_COMPARE];
	size_t nids[TUI_MAX_COMPARE], n = 0, ng = ry_grouping_count(p->grouping);
	for (int pass = 0; pass < 2 && !n; pass++) {
		for (size_t g = 0; g < ng && n < TUI_MAX_COMPARE; g++) {
			if (pass == 0 && !group_marked(c, p, g))
				continue;
			labels[n] = ry_grouping_value(p->grouping, g);
			ids[n] = ry_grouping_ids(p->grouping, g);
			nids[n++] = ry_grouping_nruns(p->grouping, g);
		}
	}
	if (!n) {
		tui_error(c, "no group to chart here");
		return TUI_REDRAW;
	}
	struct tui_groupchart_arg ga = { p->group, n, labels, ids, nids };
	tui_view_push(c, &tui_view_groupchart, &ga);
	return TUI_REDRAW;
}

/* Keys on group rows: movement, Enter, Space (marks a group's runs), the
 * column cursor and s/S over the group's columns; the rest as ungrouped. */
static int group_action(struct tui_ctx *c, struct main_priv *p, enum tui_action a, size_t page)
{
	size_t ng = ry_grouping_count(p->grouping);
	tui_list_fit(&p->grows, ng, p->grows.height);
	if (tui_list_action(&p->grows, a, page))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_ENTER: return group_enter(c, p);
	case TUI_ACT_MOVE_LEFT:
		if (p->gcol_cur > 0)
			p->gcol_cur--;
		else
			p->focus_exps = true;
		return TUI_REDRAW;
	case TUI_ACT_MOVE_RIGHT:
		if (p->gcol_cur + 1 < p->ngcols + 2)
			p->gcol_cur++;
		return TUI_REDRAW;
	case TUI_ACT_MARK:
		if (ng) {
			size_t g = p->grows.cur, n = ry_grouping_nruns(p->grouping, g);
			const int64_t *ids = ry_grouping_ids(p->grouping, g);
			if (group_marked(c, p, g)) {
				for (size_t k = 0; k < n; k++)
					tui_mark_toggle(c, ids[k]);
			} else {
				for (size_t k = 0; k < n; k++)
					if (!tui_marked(c, ids[k]))
						tui_mark_toggle(c, ids[k]);
			}
			tui_list_action(&p->grows, TUI_ACT_MOVE_DOWN, page);
		}
		return TUI_REDRAW;
	case TUI_ACT_SORT_ASC: case TUI_ACT_SORT_DESC: {
		bool desc = a == TUI_ACT_SORT_DESC;
		if (p->gcol_cur >= 2) {
			char *s = ry_xasprintf("%s:%s", p->cols[p->gcols[p->gcol_cur - 2]].spec, desc ? "desc" : "asc");
			if (list_open(c, p, p->filter, s) == 0)
				set_str(&p->sort, s);
			free(s);
		} else {
			set_str(&p->sort, NULL);
			list_open(c, p, p->filter, NULL);
		}
		group_build(c, p);
		return TUI_REDRAW;
	}
	case TUI_ACT_ESCAPE:
		free(p->group);
		p->group = NULL;
		group_build(c, p);
		tui_msg(c, "ungrouped");
		return TUI_REDRAW;
	case TUI_ACT_COMPARE: return group_chart(c, p);
	/* These act on the run under the cursor, which group rows hide: never
	 * on one the user cannot see. */
	case TUI_ACT_COPY: case TUI_ACT_PROMOTE: case TUI_ACT_CANCEL_RUN: case TUI_ACT_EDIT_NOTES:
	case TUI_ACT_TAG_ADD: case TUI_ACT_TAG_REMOVE: case TUI_ACT_RENAME: case TUI_ACT_DELETE_RUN:
		tui_error(c, "that acts on one run: Enter shows a group's runs (:group ends grouping)");
		return TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
}

static void draw_table(struct tui_view *v, struct tui_ctx *c, int y, int x0, int h, int w)
{
	struct main_priv *p = v->priv;
	size_t n = ry_runlist_count(p->list);
	size_t rows = h > 1 ? (size_t)h - 1 : 1;
	double now = ry_now();
	if (p->group) {
		draw_groups(v, c, y, x0, h, w);
		if (p->group)
			return;
	}
	tui_list_fit(&p->rows, n, rows);
	/* The default columns fill the width: refit them when it changed. */
	if (p->cols_default && w != p->fit_w)
		columns_build(c, p);
	cache_fill(c, p, rows);
	layout_cols(p, w);

	/* Header, with the sort column marked and the column cursor shown. */
	tui_draw_fill(c, y, x0, w, TUI_COLOR_HEADER);
	const char *sort_key = NULL;
	bool sort_desc = false;
	char sortbuf[256] = "";
	if (p->sort) {
		snprintf(sortbuf, sizeof sortbuf, "%s", p->sort);
		char *colon = strrchr(sortbuf, ':');
		if (colon && (!strcmp(colon, ":desc") || !strcmp(colon, ":asc"))) {
			sort_desc = !strcmp(colon, ":desc");
			*colon = '\0';
		}
		sort_key = sortbuf;
	}
	int x = x0;
	p->tbl_y = y;
	for (size_t j = 0; j < p->ncols; j++)
		p->cols[j].x = -1;
	for (size_t j = 0; j < p->ncols && x < x0 + w; j++) {
		if (j >= 2 && j < p->col_first)
			continue;
		struct col *col = &p->cols[j];
		int cw = col->width;
		if (x + cw > x0 + w)
			cw = x0 + w - x;
		col->x = x;
		char label[128];
		const char *lab = j == COL_STATUS ? "" : ry_field_label(col->f);
		bool sorted = sort_key && (!strcmp(sort_key, col->spec) || !strcmp(sort_key, ry_field_label(col->f)));
		snprintf(label, sizeof label, "%s%s", lab,
		         sorted ? (sort_desc ? (c->utf8 ? "\xe2\x96\xbc" : "v") : (c->utf8 ? "\xe2\x96\xb2" : "^")) : "");
		enum tui_color e = j == p->col_cur && !p->focus_exps ? TUI_COLOR_CURSOR : TUI_COLOR_HEADER;
		if (col->numeric && j >= 2)
			tui_draw_text_right(c, y, x, cw, label, e);
		else
			tui_draw_text(c, y, x, cw, label, e);
		x += cw + 1;
	}

	/* A range being marked (`V`) shows as marked until it is. */
	size_t range_lo = 0, range_hi = 0;
	bool range_on = p->range_on && find_row(p, p->range_id, &range_lo);
	range_hi = range_lo > p->rows.cur ? range_lo : p->rows.cur;
	range_lo = range_lo > p->rows.cur ? p->rows.cur : range_lo;
	p->visible_running = false;
	for (size_t i = 0; i < rows && p->rows.top + i < n; i++) {
		size_t row = p->rows.top + i;
		int yy = y + 1 + (int)i;
		int64_t id = ry_runlist_id(p->list, row);
		bool is_cur = row == p->rows.cur && !p->focus_exps;
		bool marked = tui_marked(c, id) || (range_on && row >= range_lo && row <= range_hi);
		enum tui_color base = is_cur ? TUI_COLOR_CURSOR : marked ? TUI_COLOR_MARKED : TUI_COLOR_DEFAULT;
		tui_draw_fill(c, yy, x0, w, base);
		size_t ci = row - p->cache_top;
		const ry_cell *cells = p->cells && row >= p->cache_top && ci < p->cache_n ? p->cells + ci * p->ncols
		                                                                         : NULL;
		x = x0;
		for (size_t j = 0; j < p->ncols && x < x0 + w; j++) {
			if (j >= 2 && j < p->col_first)
				continue;
			struct col *col = &p->cols[j];
			int cw = col->width;
			if (x + cw > x0 + w)
				cw = x0 + w - x;
			char text[512] = "";
			if (cells && j == COL_STATUS) {
				const char *status = cells[j].type == RY_CELL_TEXT ? cells[j].text : "";
				char g[32];
				if (!strcmp(status, "running"))
					p->visible_running = true;
				snprintf(g, sizeof g, "%s%s", marked ? (c->utf8 ? "\xe2\x96\x8c" : ">") : " ",
				         tui_status_glyph(c, status));
				tui_draw_text(c, yy, x, cw, g, is_cur ? base : tui_status_color(status));
			} else if (cells) {
				ry_cell_format(col->f, &cells[j], now, text, sizeof text);
				if (col->numeric && j >= 2)
					tui_draw_text_right(c, yy, x, cw, text, base);
				else
					tui_draw_text(c, yy, x, cw, text, base);
				if (j == COL_NAME)
					highlight_found(c, yy, x, cw, text);
			}
			x += cw + 1;
		}
	}
	if (!n && p->bg_what) {
		tui_draw_text(c, y + 2, x0 + 2, w - 4, p->bg_what, TUI_COLOR_DIM);
	} else if (!n) {
		const char *m = p->filter ? "No runs match the filter.  Press / to change it."
		                          : "No runs yet.  Track one with 'runyard run -- CMD', or try 'runyard --demo'.";
		tui_draw_text(c, y + 2, x0 + 2, w - 4, m, TUI_COLOR_DIM);
	}
}

static void main_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct main_priv *p = v->priv;
	int pw = exp_pane_width(c);
	p->pane_w = 0; /* draw_exps sets it when the pane shows */
	if (pw)
		draw_exps(v, c, y, h, pw);
	draw_table(v, c, y, pw, h, c->cols - pw);
	if (!pw && p->focus_exps) {
		/* Too narrow for the pane beside the table: Tab shows it over the
		 * table's left side until Tab, Enter or Esc. */
		int ow = c->cols - 8 < 32 ? c->cols - 8 : 32;
		if (ow < 16)
			ow = c->cols;
		for (int yy = y; yy < y + h; yy++)
			tui_draw_fill(c, yy, 0, ow, TUI_COLOR_DEFAULT);
		draw_exps(v, c, y, h, ow);
	}
}

static void main_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct main_priv *p = v->priv;
	size_t count = p->partial ? p->total : ry_runlist_count(p->list);
	char marked[48] = "";
	if (c->nmarked)
		snprintf(marked, sizeof marked, "  %zu marked", c->nmarked);
	/* The experiment always shows: it, the filter and the sort are what
	 * decide the rows ("No runs match" has its reason in view). */
	const char *exp = p->exp.cur > 0 && p->exp.cur <= p->nexps ? p->exps[p->exp.cur - 1].name : "all";
	if (p->bg_what && p->bg_partial) {
		snprintf(out, n, " exp: %s  filter: %s  sort: %s  first %zu runs, counting\u2026%s", exp,
		         p->filter ? p->filter : "(none)", p->sort ? p->sort : "created:desc", count, marked);
		return;
	}
	if (p->bg_what) {
		/* The rows shown are the last list's; their count is not the new one's. */
		snprintf(out, n, " exp: %s  filter: %s  sort: %s  %s\u2026 (%zu runs shown until it is done)%s", exp,
		         p->filter ? p->filter : "(none)", p->sort ? p->sort : "created:desc", p->bg_what, count,
		         marked);
		return;
	}
	if (p->group && p->grouping) {
		size_t ng = ry_grouping_count(p->grouping);
		snprintf(out, n, " exp: %s  filter: %s  sort: %s  group: %s  %zu/%zu group%s of %zu run%s%s", exp,
		         p->filter ? p->filter : "(none)", p->sort ? p->sort : "created:desc", p->group,
		         ng ? p->grows.cur + 1 : 0, ng, ng == 1 ? "" : "s", count, count == 1 ? "" : "s", marked);
		return;
	}
	if (count == SIZE_MAX) { /* a first page whose total is still to come */
		count = ry_runlist_count(p->list);
		snprintf(out, n, " exp: %s  filter: %s  sort: %s  %zu/%zu+ runs%s", exp, p->filter ? p->filter : "(none)",
		         p->sort ? p->sort : "created:desc", p->rows.cur + 1, count, marked);
		return;
	}
	snprintf(out, n, " exp: %s  filter: %s  sort: %s  %zu/%zu run%s%s", exp, p->filter ? p->filter : "(none)",
	         p->sort ? p->sort : "created:desc", count ? p->rows.cur + 1 : 0, count, count == 1 ? "" : "s",
	         marked);
}

/* ---- actions ------------------------------------------------------------- */

/* Move the table's cursor by a movement action (false if a is not one);
 * the run under it is remembered so a reload finds it again. */
static bool move_cursor(struct main_priv *p, enum tui_action a, size_t page)
{
	size_t n = ry_runlist_count(p->list);
	tui_list_fit(&p->rows, n, p->rows.height);
	if (!tui_list_action(&p->rows, a, page))
		return false;
	if (n)
		p->cur_id = ry_runlist_id(p->list, p->rows.cur);
	return true;
}

/* ---- saved views (core/query/view.h) ---------------------------------------- */

/* What is shown, as a view: the filter, sort and grouping, the chart
 * settings compare last used, and for a named view the chosen columns
 * (the automatic view leaves them to the remembered columns). */
static void view_of(struct tui_ctx *c, struct main_priv *p, ry_view *v, bool named)
{
	ry_view_copy(v, &c->chart);
	v->filter = p->filter ? ry_xstrdup(p->filter) : NULL;
	v->sort = p->sort ? ry_xstrdup(p->sort) : NULL;
	v->group = p->group ? ry_xstrdup(p->group) : NULL;
	v->median = p->group_median;
	if (named && !p->cols_default) {
		char *j = columns_join(p);
		if (*j)
			v->columns = j;
		else
			free(j);
	}
}

/* Save the automatic view of the experiment shown when it changed. */
static void view_autosave(struct tui_ctx *c, struct main_priv *p)
{
	ry_view v = RY_VIEW_INIT;
	char *text;
	if (ry_store_readonly(c->st))
		return;
	view_of(c, p, &v, false);
	text = ry_view_encode(&v);
	if (!p->auto_text || p->auto_exp != cur_exp_id(p) || strcmp(text, p->auto_text)) {
		if (ry_view_save_auto(c->st, cur_exp_id(p), &v) < 0)
			tui_error(c, "%s", ry_error_last());
		free(p->auto_text);
		p->auto_text = text;
		p->auto_exp = cur_exp_id(p);
	} else {
		free(text);
	}
	ry_view_clear(&v);
}

/* Show a view: its filter and sort (kept as they were when one no longer
 * parses, with the message), its grouping, its chart settings, and a named
 * view's columns (remembered as :columns remembers them). */
static void view_apply(struct tui_ctx *c, struct main_priv *p, const ry_view *v, bool named)
{
	/* a view starts at its top row, as a fresh list does */
	p->cur_id = 0;
	p->rows.cur = p->rows.top = 0;
	/* A grouping reads every run, so only an ungrouped view opening the
	 * screen starts on a first page. */
	if ((p->opening && !v->group ? list_open_first_page(c, p, v->filter, v->sort)
	                             : list_open(c, p, v->filter, v->sort)) < 0) {
		tui_error(c, "view not applied: %s", ry_error_last());
		return;
	}
	set_str(&p->filter, v->filter);
	set_str(&p->sort, v->sort);
	if (named && v->columns) {
		columns_setting_set(c, p, v->columns);
		columns_load(c, p, v->columns);
	} else {
		columns_follow(c, p);
	}
	set_str(&p->group, v->group);
	p->group_median = v->median;
	p->grows.cur = p->grows.top = 0;
	p->group_stale = true;
	if (v->x_axis || v->grid >= 0 || v->metric || v->metrics) {
		ry_view_clear(&c->chart);
		c->chart.x_axis = v->x_axis ? ry_xstrdup(v->x_axis) : NULL;
		c->chart.grid = v->grid;
		c->chart.metric = v->metric ? ry_xstrdup(v->metric) : NULL;
		c->chart.metrics = v->metrics ? ry_xstrdup(v->metrics) : NULL;
	}
}

/* The experiment's automatic view, when it has one. */
static void view_restore_auto(struct tui_ctx *c, struct main_priv *p)
{
	ry_view v = RY_VIEW_INIT;
	if (ry_view_load_auto(c->st, cur_exp_id(p), &v) == 0) {
		view_apply(c, p, &v, false);
		free(p->auto_text);
		p->auto_text = ry_view_encode(&v);
		p->auto_exp = cur_exp_id(p);
	}
	ry_view_clear(&v);
}

/* `:view` lists, `:view NAME` loads, `:view save NAME`, `:view delete NAME`. */
static int view_command(struct tui_ctx *c, struct main_priv *p, const char *arg)
{
	char verb[80] = "", name[80] = "";
	ry_view v = RY_VIEW_INIT;
	sscanf(arg, "%79s %79s", verb, name);
	if (!*verb) {
		char **names = NULL;
		size_t n = 0;
		ry_buf b = RY_BUF_INIT;
		ry_view_list(c->st, &names, &n);
		for (size_t i = 0; i < n; i++)
			ry_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
		if (n)
			tui_msg(c, "views: %s  (:view NAME shows one)", ry_buf_cstr(&b));
		else
			tui_msg(c, "no saved views yet: :view save NAME saves what is shown");
		ry_buf_free(&b);
		ry_strings_free(names, n);
	} else if (!strcmp(verb, "save") || !strcmp(verb, "delete")) {
		bool save = !strcmp(verb, "save");
		int rc;
		if (!*name) {
			tui_error(c, ":view %s needs a NAME", verb);
			return TUI_REDRAW;
		}
		if (save)
			view_of(c, p, &v, true);
		rc = save ? ry_view_save(c->st, name, &v) : ry_view_delete(c->st, name);
		if (rc < 0)
			tui_error(c, "%s", ry_error_last());
		else
			tui_msg(c, save ? "view %s saved: filter, sort, columns, grouping and chart settings (:view %s shows it)"
			                : "view %s deleted", name, name);
	} else if (ry_view_load(c->st, verb, &v) < 0) {
		tui_error(c, "%s", ry_error_last());
	} else {
		view_apply(c, p, &v, true);
		tui_msg(c, "view %s", verb);
	}
	ry_view_clear(&v);
	return TUI_REDRAW;
}

static void select_exp(struct tui_ctx *c, struct main_priv *p, size_t e)
{
	if (e > p->nexps || e == p->exp.cur)
		return;
	view_autosave(c, p); /* the experiment being left */
	p->exp.cur = e;
	if (ry_view_save_experiment(c->st, cur_exp_id(p)) < 0)
		tui_error(c, "%s", ry_error_last());
	p->rows.cur = 0;
	p->rows.top = 0;
	p->cur_id = 0;
	if (list_request(c, p, p->filter, p->sort, "listing") < 0) {
		/* A filter naming a key this experiment lacks: show everything. */
		tui_error(c, "%s", ry_error_last());
		set_str(&p->filter, NULL);
		list_request(c, p, NULL, p->sort, "listing");
	}
	columns_load(c, p, NULL);
	view_restore_auto(c, p);
}

/* Which rows' names hold the search text: read once per search and list,
 * in chunks of names, so that n/N can count every match. */
static bool find_read(struct tui_ctx *c, struct main_priv *p)
{
	size_t n = ry_runlist_count(p->list);
	if (p->found && p->find_text && !strcmp(p->find_text, c->search))
		return true;
	free(p->found);
	p->found = ry_xcalloc(n ? n : 1, 1);
	set_str(&p->find_text, c->search);
	enum { CHUNK = 512 };
	ry_cell cells[CHUNK];
	for (size_t off = 0; off < n; off += CHUNK) {
		size_t len = n - off < CHUNK ? n - off : CHUNK;
		memset(cells, 0, sizeof cells);
		if (ry_runlist_fetch(c->st, ry_runlist_ids(p->list) + off, len, &p->name_field, 1, cells) < 0) {
			tui_error(c, "%s", ry_error_last());
			free(p->found);
			p->found = NULL;
			return false;
		}
		for (size_t k = 0; k < len; k++)
			p->found[off + k] = cells[k].type == RY_CELL_TEXT && tui_find_in(c, cells[k].text, NULL, NULL);
		ry_cells_clear(cells, len);
	}
	return true;
}

static bool row_found(const struct tui_ctx *c, size_t i, void *arg)
{
	(void)c;
	return ((const struct main_priv *)arg)->found[i];
}

/* Jump to the next row (dir +1/-1) whose name holds the search text,
 * wrapping once; the message line counts the matches. */
static bool search_jump(struct tui_ctx *c, struct main_priv *p, int dir)
{
	size_t n = ry_runlist_count(p->list), to;
	if (!c->search[0] || !find_read(c, p))
		return false;
	if (!tui_find_step(c, n, p->rows.cur, dir, row_found, p, "run name", &to))
		return false;
	p->rows.cur = to;
	p->cur_id = ry_runlist_id(p->list, to);
	return true;
}

static void sort_by(struct tui_ctx *c, struct main_priv *p, bool desc)
{
	if (p->col_cur >= p->ncols)
		return;
	const char *key = p->col_cur == COL_STATUS ? "status" : p->cols[p->col_cur].spec;
	char *s = ry_xasprintf("%s:%s", key, desc ? "desc" : "asc");
	if (list_request(c, p, p->filter, s, "sorting") < 0)
		tui_error(c, "%s", ry_error_last());
	else
		set_str(&p->sort, s);
	free(s);
	columns_follow(c, p);
}

static void columns_chosen(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	struct main_priv *p = owner->priv;
	ry_buf b = RY_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			ry_buf_putc(&b, ',');
		ry_buf_puts(&b, chosen[i]);
	}
	columns_setting_set(c, p, ry_buf_cstr(&b));
	columns_load(c, p, ry_buf_cstr(&b));
	ry_buf_free(&b);
}

/* The picker's items: the chosen columns first, in their order (J/K move
 * them), then where each run came from (local, ssh, plugin:NAME), the
 * params, metrics and tags not chosen. */
static void open_column_picker(struct tui_view *v, struct tui_ctx *c, struct main_priv *p)
{
	char **pk = NULL, **mk = NULL, **tk = NULL;
	size_t npk = 0, nmk = 0, ntk = 0, nitems = 0, cap = 0;
	sample_keys(c, p, &pk, &npk, &tk, &ntk);
	if (npk)
		qsort(pk, npk, sizeof *pk, cmp_str);
	if (ntk)
		qsort(tk, ntk, sizeof *tk, cmp_str);
	if (ry_metrics_keys(c->st, cur_exp_id(p), &mk, &nmk) < 0) {
		mk = NULL;
		nmk = 0;
	}
	char **items = NULL;
	for (size_t j = NBUILTIN; j < p->ncols; j++)
		if (!p->cols[j].shown_for)
			add_key(&items, &nitems, &cap, p->cols[j].spec);
	size_t nsel = nitems;
	add_key(&items, &nitems, &cap, "source");
	for (size_t i = 0; i < npk + nmk + ntk; i++) {
		char *spec = i < npk ? ry_xasprintf("params.%s", pk[i])
		           : i < npk + nmk ? ry_xasprintf("metrics.%s", mk[i - npk])
		                           : ry_xasprintf("tags.%s", tk[i - npk - nmk]);
		add_key(&items, &nitems, &cap, spec);
		free(spec);
	}
	bool *sel = ry_xcalloc(nitems + 1, sizeof *sel);
	for (size_t i = 0; i < nsel; i++)
		sel[i] = true;
	struct tui_picker_arg a = {
		.title = "Columns: Space toggles, J/K move, Enter applies (remembered for this experiment)",
		.items = (const char *const *)items, .nitems = nitems, .selected = sel, .multi = true,
		.done = columns_chosen, .owner = v, .reorder = true,
	};
	tui_view_push(c, &tui_view_picker, &a);
	ry_strings_free(items, nitems);
	free(sel);
	ry_strings_free(pk, npk);
	ry_strings_free(mk, nmk);
	ry_strings_free(tk, ntk);
}

/* What a launch starts from: the run under the cursor as template (its
 * command, experiment and host), else the selected experiment.  The
 * strings are lent from *r (the caller frees it) or the pane. */
static void launch_template(struct tui_ctx *c, struct main_priv *p, struct tui_launch_arg *a, ry_run **r)
{
	*a = (struct tui_launch_arg){ NULL, NULL, NULL };
	*r = NULL;
	if (!p->focus_exps && p->cur_id && ry_run_get(r, c->st, p->cur_id) == 0) {
		a->experiment = (*r)->experiment;
		a->command = (*r)->command;
		a->host = ry_remote_owns(*r) ? (*r)->host : NULL;
	} else if (p->exp.cur > 0 && p->exp.cur <= p->nexps) {
		a->experiment = p->exps[p->exp.cur - 1].name;
	}
}

/* `L`: the launch dialog from launch_template. */
static int open_launch(struct tui_ctx *c, struct main_priv *p)
{
	struct tui_launch_arg a;
	ry_run *r;
	launch_template(c, p, &a, &r);
	tui_view_push(c, &tui_view_launch, &a);
	ry_run_free(r);
	return TUI_REDRAW;
}

/* `H`: the hosts screen, whose "launch here" starts from the same
 * template as `L` (on the host chosen there). */
static int open_hosts(struct tui_ctx *c, struct main_priv *p)
{
	struct tui_launch_arg a;
	ry_run *r;
	launch_template(c, p, &a, &r);
	struct tui_hosts_arg h = { a.experiment, a.command };
	tui_view_push(c, &tui_view_hosts, &h);
	ry_run_free(r);
	return TUI_REDRAW;
}

/* `K`: a running remote run under the cursor, after a y/N prompt. */
static int ask_cancel(struct tui_view *v, struct tui_ctx *c, struct main_priv *p)
{
	ry_run *r = NULL;
	char label[256], name[64];
	if (!p->cur_id || ry_run_get(&r, c->st, p->cur_id) < 0) {
		tui_error(c, "no run under the cursor");
		return TUI_REDRAW;
	}
	if (strcmp(r->status, "running")) {
		tui_error(c, "cannot cancel: this run is %s, not running (K stops a running remote run)", r->status);
		ry_run_free(r);
		return TUI_REDRAW;
	}
	if (!ry_remote_owns(r)) {
		/* Its process is this machine's: the terminal it runs in stops it. */
		if (r->pid > 0)
			tui_error(c, "cannot cancel: a local run (pid %lld); stop it where it runs (Ctrl-C, or kill %lld)",
			          (long long)r->pid, (long long)r->pid);
		else
			tui_error(c, "cannot cancel: a %s run; stop it where it runs (K stops a running remote run)",
			          r->source ? r->source : "local");
		ry_run_free(r);
		return TUI_REDRAW;
	}
	if (c->job) {
		tui_error(c, "a %s is still running; wait for it", tui_job_what(c->job));
		ry_run_free(r);
		return TUI_REDRAW;
	}
	tui_text_fit(name, sizeof name, r->name ? r->name : "?", 40, false, false, c->utf8);
	snprintf(label, sizeof label, "cancel run %s? (y/N) ", name);
	p->cancel_id = r->id;
	ry_run_free(r);
	tui_prompt_open(c, v, TUI_PROMPT_CONFIRM, label, "");
	return TUI_REDRAW;
}

/* `V`: the first press anchors a range at the cursor, the second marks
 * every run from the anchor to the cursor (marks are added, never
 * toggled off, as vim's visual mode selects). */
static int mark_range(struct tui_ctx *c, struct main_priv *p)
{
	size_t n = ry_runlist_count(p->list), from;
	char key[64];
	if (!n)
		return TUI_REDRAW;
	if (!p->range_on || !find_row(p, p->range_id, &from)) {
		p->range_on = true;
		p->range_id = ry_runlist_id(p->list, p->rows.cur);
		tui_keymap_keys_for(c->km, TUI_KM_MAIN, TUI_ACT_MARK_RANGE, true, key, sizeof key);
		tui_msg(c, "range: move, then %s marks it", key);
		return TUI_REDRAW;
	}
	size_t lo = from < p->rows.cur ? from : p->rows.cur, hi = from < p->rows.cur ? p->rows.cur : from;
	tui_mark_add(c, ry_runlist_ids(p->list) + lo, hi - lo + 1);
	p->range_on = false;
	tui_msg(c, "marked %zu run%s (%zu marked)", hi - lo + 1, hi == lo ? "" : "s", c->nmarked);
	return TUI_REDRAW;
}

/* Esc peels one layer a press, the filter then the marks (the prompt's
 * own Esc came first); with nothing left it says so and stays. */
static int escape(struct tui_ctx *c, struct main_priv *p)
{
	if (p->range_on) {
		p->range_on = false; /* the range being chosen goes first: it is the newest */
		tui_msg(c, "range cancelled");
	} else if (p->filter && *p->filter) {
		if (list_open(c, p, NULL, p->sort) == 0)
			set_str(&p->filter, NULL);
		tui_msg(c, c->nmarked ? "filter cleared (Esc again clears the marks)" : "filter cleared");
	} else if (c->nmarked) {
		tui_mark_clear(c);
		tui_msg(c, "marks cleared");
	} else {
		return TUI_UNHANDLED;
	}
	return TUI_REDRAW;
}

static int open_analysis(struct tui_view *v, struct tui_ctx *c, struct main_priv *p,
                         const struct tui_view_ops *ops, const char *arg);

static int main_action_do(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct main_priv *p = v->priv;
	size_t page = v->rows > 3 ? (size_t)v->rows - 2 : 1;
	size_t n = ry_runlist_count(p->list);

	if (p->focus_exps) {
		size_t e = p->exp.cur;
		switch (a) {
		case TUI_ACT_MOVE_DOWN: select_exp(c, p, e + 1 <= p->nexps ? e + 1 : e); return TUI_REDRAW;
		case TUI_ACT_MOVE_UP: select_exp(c, p, e ? e - 1 : 0); return TUI_REDRAW;
		case TUI_ACT_FIRST: select_exp(c, p, 0); return TUI_REDRAW;
		case TUI_ACT_LAST: select_exp(c, p, p->nexps); return TUI_REDRAW;
		case TUI_ACT_ENTER: case TUI_ACT_MOVE_RIGHT: case TUI_ACT_FOCUS_NEXT:
			p->focus_exps = false;
			return TUI_REDRAW;
		case TUI_ACT_BACK: case TUI_ACT_ESCAPE:
			if (exp_pane_width(c))
				break;
			p->focus_exps = false; /* Esc closes the overlay, never the app */
			return TUI_REDRAW;
		default:
			break;
		}
	}
	if (p->group && p->grouping && !p->focus_exps) {
		int r = group_action(c, p, a, page);
		if (r != TUI_UNHANDLED)
			return r;
	}
	if (p->bg_what)
		p->want_last = a == TUI_ACT_LAST || (p->want_last && a == TUI_ACT_NONE);
	if (move_cursor(p, a, page))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_MOVE_LEFT:
		if (p->col_cur > 0)
			p->col_cur--;
		else
			p->focus_exps = true; /* beside the table, or over it when narrow */
		return TUI_REDRAW;
	case TUI_ACT_MOVE_RIGHT:
		if (p->col_cur + 1 < p->ncols)
			p->col_cur++;
		return TUI_REDRAW;
	case TUI_ACT_FOCUS_NEXT:
		p->focus_exps = !p->focus_exps;
		return TUI_REDRAW;
	case TUI_ACT_ENTER:
		if (n) {
			struct tui_detail_arg d = { (long long)ry_runlist_id(p->list, p->rows.cur) };
			tui_view_push(c, &tui_view_detail, &d);
		}
		return TUI_REDRAW;
	case TUI_ACT_COPY:
		if (n)
			tui_clipboard_menu(c, v, ry_runlist_id(p->list, p->rows.cur));
		return TUI_REDRAW;
	case TUI_ACT_FILTER:
		set_str(&p->filter_saved, p->filter);
		tui_prompt_open(c, v, TUI_PROMPT_FILTER, "/", p->filter ? p->filter : "");
		return TUI_REDRAW;
	case TUI_ACT_SEARCH:
		/* Empty: a new search, not an edit of the last one (n/N repeat that). */
		tui_prompt_open(c, v, TUI_PROMPT_SEARCH, "find: ", "");
		return TUI_REDRAW;
	case TUI_ACT_SEARCH_NEXT: case TUI_ACT_SEARCH_PREV:
		if (!c->search[0])
			tui_error(c, "no search yet: press f and type some text");
		else
			search_jump(c, p, a == TUI_ACT_SEARCH_NEXT ? 1 : -1);
		return TUI_REDRAW;
	case TUI_ACT_SORT_ASC: sort_by(c, p, false); return TUI_REDRAW;
	case TUI_ACT_SORT_DESC: sort_by(c, p, true); return TUI_REDRAW;
	case TUI_ACT_MARK:
		if (n) {
			tui_mark_toggle(c, ry_runlist_id(p->list, p->rows.cur));
			move_cursor(p, TUI_ACT_MOVE_DOWN, page);
		}
		return TUI_REDRAW;
	case TUI_ACT_UNMARK_ALL: p->range_on = false; tui_mark_clear(c); return TUI_REDRAW;
	case TUI_ACT_MARK_RANGE: return mark_range(c, p);
	case TUI_ACT_MARK_ALL:
		p->range_on = false;
		tui_mark_add(c, ry_runlist_ids(p->list), n);
		tui_msg(c, "marked all %zu shown (%zu marked)", n, c->nmarked);
		return TUI_REDRAW;
	case TUI_ACT_ESCAPE: return escape(c, p);
	case TUI_ACT_PARALLEL:
	case TUI_ACT_SCATTER:
		return open_analysis(v, c, p, a == TUI_ACT_PARALLEL ? &tui_view_parallel : &tui_view_scatter, "");
	case TUI_ACT_COMPARE: {
		if (c->nmarked < 2) {
			/* nothing to compare: chart the run under the cursor */
			struct tui_charts_arg ca = { n ? (long long)ry_runlist_id(p->list, p->rows.cur) : 0 };
			if (n)
				tui_view_push(c, &tui_view_charts, &ca);
			else
				tui_error(c, "no run to chart here");
			return TUI_REDRAW;
		}
		if (c->nmarked > TUI_MAX_COMPARE) {
			tui_error(c, "mark 2 to %d runs with Space, then press c (%zu marked)", TUI_MAX_COMPARE,
			          c->nmarked);
			return TUI_REDRAW;
		}
		long long ids[TUI_MAX_COMPARE];
		for (size_t i = 0; i < c->nmarked; i++)
			ids[i] = (long long)c->marked[i];
		struct tui_compare_arg ca = { ids, c->nmarked };
		tui_view_push(c, &tui_view_compare, &ca);
		return TUI_REDRAW;
	}
	case TUI_ACT_COLUMNS: open_column_picker(v, c, p); return TUI_REDRAW;
	case TUI_ACT_HOSTS: return open_hosts(c, p);
	case TUI_ACT_LAUNCH: return open_launch(c, p);
	case TUI_ACT_CANCEL_RUN: return ask_cancel(v, c, p);
	case TUI_ACT_REGISTRY: tui_view_push(c, &tui_view_registry, NULL); return TUI_REDRAW;
	case TUI_ACT_PROMOTE:
		if (!n) {
			tui_error(c, "no run here to promote");
			return TUI_REDRAW;
		} else {
			struct tui_promote_arg pa = { (long long)ry_runlist_id(p->list, p->rows.cur) };
			tui_view_push(c, &tui_view_promote, &pa);
		}
		return TUI_REDRAW;
	case TUI_ACT_EXPORT_VIEW:
		return tui_export_ask(v, c);
	default:
		return tui_edit_action(v, c, a, n ? ry_runlist_id(p->list, p->rows.cur) : 0, true, false);
	}
}

static int apply_filter(struct tui_ctx *c, struct main_priv *p, const char *text, bool report_msg)
{
	if (list_request(c, p, text, p->sort, "filtering") < 0) {
		snprintf(c->prompt_error, sizeof c->prompt_error, "%s", ry_error_last());
		char *nl = strchr(c->prompt_error, '\n');
		if (nl)
			*nl = '\0';
		c->prompt_error_col = ry_query_error_column();
		if (report_msg)
			tui_error(c, "%s", ry_error_last());
		return -1;
	}
	c->prompt_error[0] = '\0';
	c->prompt_error_col = 0;
	set_str(&p->filter, text);
	columns_follow(c, p);
	return 0;
}

/* `:export FILE.csv|FILE.json`: the table as shown (experiment, filter,
 * sort, its param and metric columns) in the very bytes `runyard runs
 * --csv/--json` writes for that selection. */
static int main_export(struct tui_ctx *c, struct main_priv *p, const char *path)
{
	char *cols = columns_join(p);
	struct cli_runs_select sel = { cur_exp_id(p), p->filter, p->sort, *cols ? cols : NULL, 0 };
	tui_export_runs(c, path, &sel);
	free(cols);
	return TUI_REDRAW;
}

static int main_prompt_do(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                          bool cancel)
{
	struct main_priv *p = v->priv;
	int r = tui_edit_prompt(c, kind, text, final, cancel);
	if (!(r & TUI_UNHANDLED))
		return r;
	if (kind == TUI_PROMPT_EXPORT)
		return final && !cancel ? main_export(c, p, text) : TUI_REDRAW;
	if (kind == TUI_PROMPT_FILTER) {
		if (cancel) {
			/* Esc puts back the filter that was there before. */
			if (list_request(c, p, p->filter_saved, p->sort, "filtering") == 0)
				set_str(&p->filter, p->filter_saved);
			columns_follow(c, p);
			return TUI_REDRAW;
		}
		/* Live: every edit applies; a bad expression keeps the last good
		 * result on screen and the error under the prompt. */
		if (apply_filter(c, p, text, false) < 0 && final)
			tui_error(c, "filter not applied (kept '%s'): %s", p->filter ? p->filter : "", c->prompt_error);
		return TUI_REDRAW;
	}
	if (kind == TUI_PROMPT_CONFIRM && final && !cancel) {
		char msg[256];
		if ((text[0] == 'y' || text[0] == 'Y') && p->cancel_id) {
			if (!(c->job = tui_job_cancel_run(ry_store_path(c->st), p->cancel_id, c->askpass, msg, sizeof msg)))
				tui_error(c, "%s", msg);
			else
				tui_msg(c, "cancel: stopping the run");
		} else {
			tui_msg(c, "not cancelled");
		}
		p->cancel_id = 0;
		return TUI_REDRAW;
	}
	if (kind == TUI_PROMPT_SEARCH && final) {
		snprintf(c->search, sizeof c->search, "%s", text);
		if (c->search[0])
			search_jump(c, p, 0); /* the run under the cursor may be the first match */
	}
	return TUI_REDRAW;
}

/* `:parallel [PARAM...]`, `:scatter [PARAM [METRIC]]` (p, x): the runs the
 * table shows, in the analysis views; their brushes come back through
 * this view's `filter` command.  Params may be separated by spaces or
 * commas. */
static int open_analysis(struct tui_view *v, struct tui_ctx *c, struct main_priv *p,
                         const struct tui_view_ops *ops, const char *arg)
{
	char *copy = ry_xstrdup(arg), *save = NULL;
	const char *fields[32], *metric = NULL;
	size_t nf = 0;
	for (char *t = strtok_r(copy, " ,", &save); t && nf < 32; t = strtok_r(NULL, " ,", &save))
		fields[nf++] = t;
	if (ops == &tui_view_scatter && nf == 2)
		metric = fields[--nf];
	struct tui_analysis_arg a = { cur_exp_id(p), p->filter, nf ? fields : NULL, nf, metric, v };
	tui_view_push(c, ops, &a);
	free(copy);
	return TUI_REDRAW;
}

/* `:sweep [ID]`: a sweep's runs as one group, the sweep of the run under
 * the cursor when no ID is given: shown (the filter tags.sweep = ID) and
 * marked, so `c` compares them. */
static int sweep_command(struct tui_ctx *c, struct main_priv *p, const char *arg)
{
	char id[64] = "", *filter;
	size_t n = p->list ? ry_runlist_count(p->list) : 0;
	if (*arg) {
		snprintf(id, sizeof id, "%s", arg);
	} else if (n) {
		ry_run *r = NULL;
		if (ry_run_get(&r, c->st, ry_runlist_id(p->list, p->rows.cur)) == 0)
			for (size_t i = 0; i < r->ntags; i++)
				if (!strcmp(r->tags[i].key, "sweep"))
					snprintf(id, sizeof id, "%s", r->tags[i].value);
		ry_run_free(r);
	}
	if (!*id || id[strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")]) {
		tui_error(c, *id ? ":sweep '%s': a sweep id is letters, digits and - _ . (like sw-1a2b3c4d)"
		                 : ":sweep needs a sweep id, or a run of a sweep under the cursor%s", *id ? id : "");
		return TUI_REDRAW;
	}
	filter = ry_xasprintf("tags.sweep = \"%s\"", id);
	if (list_open(c, p, filter, p->sort) < 0) {
		tui_error(c, "%s", ry_error_last());
	} else {
		set_str(&p->filter, filter);
		n = p->list ? ry_runlist_count(p->list) : 0;
		tui_mark_clear(c);
		tui_mark_add(c, ry_runlist_ids(p->list), n);
		if (n)
			tui_msg(c, "sweep %s: %zu run%s shown and marked; c compares them", id, n, n == 1 ? "" : "s");
		else
			tui_error(c, "no run of sweep %s here (the experiment shown: (all experiments) shows every one)", id);
	}
	free(filter);
	columns_follow(c, p);
	return TUI_REDRAW;
}

static int main_command_do(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg)
{
	struct main_priv *p = v->priv;
	if (!strcmp(cmd, "parallel"))
		return open_analysis(v, c, p, &tui_view_parallel, arg);
	if (!strcmp(cmd, "scatter"))
		return open_analysis(v, c, p, &tui_view_scatter, arg);
	if (!strcmp(cmd, "sort")) {
		if (!*arg) {
			set_str(&p->sort, NULL);
			list_request(c, p, p->filter, NULL, "sorting");
		} else if (list_request(c, p, p->filter, arg, "sorting") < 0) {
			tui_error(c, "%s", ry_error_last());
		} else {
			set_str(&p->sort, arg);
		}
		columns_follow(c, p);
		return TUI_REDRAW;
	}
	if (!strcmp(cmd, "filter")) {
		if (list_request(c, p, arg, p->sort, "filtering") < 0)
			tui_error(c, "%s", ry_error_last());
		else
			set_str(&p->filter, arg);
		columns_follow(c, p);
		return TUI_REDRAW;
	}
	if (!strcmp(cmd, "sweep"))
		return sweep_command(c, p, arg);
	if (!strcmp(cmd, "group") || !strcmp(cmd, "ungroup"))
		return group_command(c, p, arg, !strcmp(cmd, "ungroup"));
	if (!strcmp(cmd, "view"))
		return view_command(c, p, arg);
	if (!strcmp(cmd, "export"))
		return *arg ? main_export(c, p, arg) : tui_export_ask(v, c);
	if (p->group && (!strcmp(cmd, "tag") || !strcmp(cmd, "untag") || !strcmp(cmd, "rename") ||
	                 !strcmp(cmd, "delete"))) {
		tui_error(c, ":%s acts on one run: Enter shows a group's runs (:group ends grouping)", cmd);
		return TUI_REDRAW;
	}
	{
		size_t n = p->list ? ry_runlist_count(p->list) : 0;
		int r = tui_edit_command(v, c, cmd, arg, n ? ry_runlist_id(p->list, p->rows.cur) : 0, true, false);
		if (!(r & TUI_UNHANDLED))
			return r;
	}
	if (!strcmp(cmd, "columns")) {
		/* Validate every name first so a typo changes nothing. */
		char *copy = ry_xstrdup(arg), *save = NULL;
		bool ok = true;
		for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
			ry_field *f = NULL;
			while (*t == ' ')
				t++;
			if (*t && ry_field_parse(&f, c->st, t) < 0) {
				tui_error(c, "%s", ry_error_last());
				ok = false;
			}
			ry_field_free(f);
		}
		free(copy);
		if (ok) {
			columns_setting_set(c, p, arg);
			columns_load(c, p, arg);
			char *j = columns_join(p);
			tui_msg(c, "columns: %s", *j ? j : "(built-in only)");
			free(j);
		}
		return TUI_REDRAW;
	}
	return TUI_UNHANDLED;
}

/* Every key, prompt edit and command may change what is shown: the
 * automatic view follows (written only when it changed). */
static int main_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	list_complete(c, v->priv);
	int r = main_action_do(v, c, a);
	view_autosave(c, v->priv);
	return r;
}

static int main_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                       bool cancel)
{
	list_complete(c, v->priv);
	int r = main_prompt_do(v, c, kind, text, final, cancel);
	if (final || cancel)
		view_autosave(c, v->priv);
	return r;
}

static int main_command(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg)
{
	list_complete(c, v->priv);
	int r = main_command_do(v, c, cmd, arg);
	view_autosave(c, v->priv);
	return r;
}

/* ---- the mouse ----------------------------------------------------------- */

/* A click on the experiments pane (two rows an entry): select that
 * experiment; a click on the one selected gives the table the keys back. */
static int click_exps(struct tui_view *v, struct tui_ctx *c, struct main_priv *p, int y)
{
	if (!p->exps_loaded || y <= p->pane_y)
		return 0;
	size_t e = p->exp.top + (size_t)(y - p->pane_y - 1) / 2;
	if (e > p->nexps)
		return 0;
	if (p->focus_exps && e == p->exp.cur)
		return main_action(v, c, TUI_ACT_ENTER);
	select_exp(c, p, e);
	p->focus_exps = true;
	return TUI_REDRAW;
}

/* A click on a column header sorts by it, ascending; a click on the
 * column sorted ascending reverses it (the arrow shows which). */
static int click_header(struct tui_ctx *c, struct main_priv *p, int x)
{
	for (size_t j = 0; j < p->ncols; j++) {
		const struct col *col = &p->cols[j];
		if (col->x < 0 || x < col->x || x >= col->x + col->width + 1)
			continue;
		ry_field *f = NULL;
		bool desc = true, asc_now;
		/* The table's own default order is created, newest first. */
		ry_sort_parse(&f, &desc, c->st, p->sort ? p->sort : "created:desc");
		asc_now = f && !desc && !strcmp(ry_field_name(f), ry_field_name(col->f));
		ry_field_free(f);
		p->focus_exps = false;
		p->col_cur = j;
		sort_by(c, p, asc_now);
		return TUI_REDRAW;
	}
	return 0;
}

static int main_click(struct tui_view *v, struct tui_ctx *c, int y, int x)
{
	struct main_priv *p = v->priv;
	list_complete(c, p);
	if (x < p->pane_w)
		return click_exps(v, c, p, y);
	if (y == p->tbl_y)
		return click_header(c, p, x);
	size_t n = ry_runlist_count(p->list);
	tui_list_fit(&p->rows, n, p->rows.height);
	enum tui_click k = tui_mouse_list_click(&p->rows, p->tbl_y + 1, y);
	if (k == TUI_CLICK_MISS)
		return 0;
	/* With the pane focused, the first click only gives the table the keys. */
	if (k == TUI_CLICK_OPEN && !p->focus_exps)
		return main_action(v, c, TUI_ACT_ENTER);
	p->focus_exps = false;
	p->cur_id = ry_runlist_id(p->list, p->rows.cur);
	return TUI_REDRAW;
}

const struct tui_view_ops tui_view_main = {
	.name = "runs",
	.keymap = TUI_KM_MAIN,
	.open = main_open,
	.draw = main_draw,
	.action = main_action,
	.reload = main_reload,
	.command = main_command,
	.status = main_status,
	.prompt = main_prompt,
	.tick = main_tick,
	.idle = main_idle,
	.done = main_done,
	.click = main_click,
};
