/*
 * Run detail: one scrollable page with sections — the run (status,
 * command wrapped whole, host, GPUs, times, cost), where an imported run
 * came from, metrics (last/best/min/max with a sparkline each), params,
 * tags, notes (editable in place and saved at once), git provenance with the stored diff, artifacts, and the log with search
 * and follow mode for running runs.  The log is shown as a terminal showed
 * it (text/logtext: progress bars' redraws overwrite), wrapped to the width
 * or cut and scrolled sideways, or as its raw bytes escaped.
 *
 * The page is rebuilt from the store on open and on every data change; the
 * scroll position is kept.  Text is kept raw here and sanitised where it
 * is drawn (tui_draw_*), so nothing from the run reaches the terminal as is.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/clipboard.h"
#include "app/draw.h"
#include "app/find.h"
#include "text/logtext.h"
#include "text/present.h"
#include "text/text.h"
#include "app/tui.h"
#include "views/edit.h"

struct dline {
	char *text;            /* owned, raw */
	enum tui_color color;
	char *extra;           /* owned: drawn at extra_col (sparklines) */
	int extra_col;
	enum tui_color extra_color;
	bool section;          /* a heading that Tab jumps to */
	bool log;              /* a line of the log: scrolls sideways when not wrapped */
};

/* A sparkline is kept while its metric has the same number of points, so
 * the once-a-second refresh of a running run reads no unchanged history. */
struct spark_cache {
	char *key;
	int64_t n;
	char *spark;
};

struct detail_priv {
	int64_t id;
	struct spark_cache *sparks;
	size_t nsparks, capsparks;
	bool running;
	struct dline *lines;
	size_t n, cap;
	struct tui_list list;   /* a pager over lines */
	bool follow;
	double last_build;
	size_t log_start;      /* first line of the log section */
	bool nowrap;           /* log lines cut at the edge (h/l scroll) instead of wrapped */
	bool raw;              /* the log's stored bytes, escaped, instead of as shown */
	int hscroll;           /* columns of the log scrolled off to the left (nowrap) */
	int built_cols;        /* the width the wrapped log was built for */
};

static struct dline *add(struct detail_priv *p, enum tui_color e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct dline *add(struct detail_priv *p, enum tui_color e, const char *fmt, ...)
{
	va_list ap;
	p->lines = ry_xgrow(p->lines, &p->cap, p->n + 1, sizeof *p->lines);
	struct dline *l = &p->lines[p->n++];
	memset(l, 0, sizeof *l);
	va_start(ap, fmt);
	if (vasprintf(&l->text, fmt, ap) < 0)
		ry_fatal("out of memory formatting a line");
	va_end(ap);
	l->color = e;
	return l;
}

static void section(struct detail_priv *p, const char *title)
{
	if (p->n)
		add(p, TUI_COLOR_DEFAULT, "%s", "");
	add(p, TUI_COLOR_HEADER, "%s", title)->section = true;
}

/* "key" padded to w display columns (sanitised), then the value raw. */
static void kv(struct tui_ctx *c, struct detail_priv *p, const char *key, const char *value, int w)
{
	char k[256];
	tui_text_fit(k, sizeof k, key, w, true, false, c->utf8);
	add(p, TUI_COLOR_DEFAULT, "  %s %s", k, value ? value : "");
}

/* As kv, with a long value wrapped at words to the screen's width, each
 * continuation under the value's first column (a command is read whole,
 * never cut at the edge).  The page is rebuilt when the width changes. */
static void kv_wrapped(struct tui_ctx *c, struct detail_priv *p, const char *key, const char *value, int w)
{
	char k[256];
	int vw = c->cols - 1 - (2 + w + 1); /* lines are drawn from column 1 */
	tui_text_fit(k, sizeof k, key, w, true, false, c->utf8);
	if (vw < 8) {
		kv(c, p, key, value, w);
		return;
	}
	for (bool first = true; first || *value; first = false) {
		size_t len = tui_text_wrap(value, vw);
		add(p, TUI_COLOR_DEFAULT, "  %s %.*s", k, (int)len, value);
		if (first)
			memset(k, ' ', strlen(k)); /* continuation lines: the key's width in spaces */
		value += len;
		while (*value == ' ')
			value++;
	}
}

/* Multi-line text as separate lines (each sanitised when drawn). */
static void add_text_lines(struct detail_priv *p, const char *text, const char *indent, bool diff)
{
	const char *s = text;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		enum tui_color e = TUI_COLOR_DEFAULT;
		if (diff) {
			if (!strncmp(s, "+++", 3) || !strncmp(s, "---", 3) || !strncmp(s, "diff ", 5))
				e = TUI_COLOR_HEADER;
			else if (s[0] == '+')
				e = TUI_COLOR_DELTA_GOOD;
			else if (s[0] == '-')
				e = TUI_COLOR_DELTA_BAD;
			else if (!strncmp(s, "@@", 2))
				e = TUI_COLOR_KEY;
		}
		add(p, e, "%s%.*s", indent, (int)len, s);
		if (!nl)
			break;
		s = nl + 1;
	}
}

static void clear_lines(struct detail_priv *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->lines[i].text);
		free(p->lines[i].extra);
	}
	p->n = 0;
}

/* One log line, wrapped to the width (continuations indented alike) or
 * whole when not wrapping. */
static void add_log_line(struct tui_ctx *c, struct detail_priv *p, const char *text)
{
	int w = c->cols - 4;
	if (p->nowrap || w < 8) {
		add(p, TUI_COLOR_DEFAULT, "  %s", text)->log = true;
		return;
	}
	do {
		size_t n = tui_text_prefix(text, w);
		if (!n) /* a character wider than the width: it goes alone */
			n = 1;
		add(p, TUI_COLOR_DEFAULT, "  %.*s", (int)n, text)->log = true;
		text += n;
	} while (*text);
}

/* The raw bytes, escaped (\r \b \e visible), a line per newline. */
static void add_log_raw(struct tui_ctx *c, struct detail_priv *p, const char *buf, size_t len)
{
	ry_buf b = RY_BUF_INIT;
	tui_logtext_escape(&b, buf, len);
	const char *s = ry_buf_cstr(&b);
	for (;;) {
		const char *nl = strchr(s, '\n');
		char *line = ry_xasprintf("%.*s", (int)(nl ? (size_t)(nl - s) : strlen(s)), s);
		if (*line || nl)
			add_log_line(c, p, line);
		free(line);
		if (!nl)
			break;
		s = nl + 1;
	}
	ry_buf_free(&b);
}

static void add_log_rendered(struct tui_ctx *c, struct detail_priv *p, const char *buf, size_t len)
{
	tui_logtext *lt = tui_logtext_new();
	tui_logtext_feed(lt, buf, len);
	tui_logtext_finish(lt);
	/* colour (the lines' spans) is left out here: the theme owns colours */
	for (size_t i = 0; i < tui_logtext_count(lt); i++)
		add_log_line(c, p, tui_logtext_line(lt, i)->text);
	tui_logtext_free(lt);
}

static void add_log(struct tui_ctx *c, struct detail_priv *p, const ry_run *r)
{
	/* The tracker's log beside the workspace (remote runs are synced there). */
	char *path = ry_track_log_path(c->st, r);
	section(p, p->raw ? "Log (raw bytes, escaped)" : "Log");
	p->log_start = p->n;
	p->built_cols = c->cols;
	FILE *f = path ? fopen(path, "rb") : NULL;
	free(path);
	if (!f) {
		add(p, TUI_COLOR_DIM, "  %s", "no log recorded for this run");
		return;
	}
	/* Show the last 1 MiB: enough to read, bounded for huge logs. */
	enum { MAXLOG = 1 << 20 };
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	if (size > MAXLOG) {
		fseek(f, size - MAXLOG, SEEK_SET);
		add(p, TUI_COLOR_DIM, "  (showing the last %d KiB of %ld KiB)", MAXLOG / 1024, size / 1024);
	} else {
		fseek(f, 0, SEEK_SET);
	}
	char *buf = ry_xmalloc(MAXLOG + 1);
	size_t got = fread(buf, 1, MAXLOG, f);
	buf[got] = '\0';
	fclose(f);
	if (p->raw)
		add_log_raw(c, p, buf, got);
	else
		add_log_rendered(c, p, buf, got);
	free(buf);
}

static const char *spark_for(struct tui_ctx *c, struct detail_priv *p, int64_t run_id,
                             const ry_metric_summary *m)
{
	struct spark_cache *sc = NULL;
	for (size_t i = 0; i < p->nsparks && !sc; i++)
		if (!strcmp(p->sparks[i].key, m->key))
			sc = &p->sparks[i];
	if (sc && sc->n == m->n)
		return sc->spark;
	if (!sc) {
		p->sparks = ry_xgrow(p->sparks, &p->capsparks, p->nsparks + 1, sizeof *p->sparks);
		sc = &p->sparks[p->nsparks++];
		sc->key = ry_xstrdup(m->key);
		sc->spark = NULL;
	}
	free(sc->spark);
	sc->spark = NULL;
	sc->n = m->n;
	ry_point *pts = NULL;
	size_t np = 0;
	if (ry_metrics_read(c->st, run_id, m->key, &pts, &np) == 0 && np) {
		double *v = ry_xmalloc(np * sizeof *v);
		for (size_t j = 0; j < np; j++)
			v[j] = pts[j].value;
		char spark[256];
		tui_sparkline(spark, sizeof spark, v, np, 24, c->utf8);
		sc->spark = ry_xstrdup(spark);
		free(v);
	}
	free(pts);
	return sc->spark;
}

static void add_metrics(struct tui_ctx *c, struct detail_priv *p, const ry_run *r)
{
	ry_metric_summary *ms = NULL;
	size_t nms = 0;
	section(p, "Metrics (c charts them)");
	if (ry_metrics_summaries(c->st, r->id, &ms, &nms) < 0) {
		add(p, TUI_COLOR_ERROR, "  %s", ry_error_last());
		return;
	}
	if (!nms) {
		add(p, TUI_COLOR_DIM, "  %s", "no metrics logged");
		return;
	}
	char head[256];
	char k[128];
	tui_text_fit(k, sizeof k, "metric", 20, true, false, c->utf8);
	snprintf(head, sizeof head, "  %s %10s %10s %10s %10s %8s  trend", k, "last", "best", "min", "max",
	         "points");
	add(p, TUI_COLOR_DIM, "%s", head);
	for (size_t i = 0; i < nms; i++) {
		char last[32], best[32], mn[32], mx[32];
		int goal = ry_metric_goal_in(c->st, r->experiment_id, ms[i].key);
		tui_fmt_num(ms[i].last, last, sizeof last);
		if (goal)
			tui_fmt_num(ry_metric_summary_best(&ms[i], goal), best, sizeof best);
		else
			snprintf(best, sizeof best, "-"); /* no goal, no best */
		tui_fmt_num(ms[i].min, mn, sizeof mn);
		tui_fmt_num(ms[i].max, mx, sizeof mx);
		tui_text_fit(k, sizeof k, ms[i].key, 20, true, false, c->utf8);
		struct dline *l = add(p, TUI_COLOR_DEFAULT, "  %s %10s %10s %10s %10s %8lld", k, last, best, mn, mx,
		                      (long long)ms[i].n);
		const char *spark = spark_for(c, p, r->id, &ms[i]);
		if (spark && *spark) {
			l->extra = ry_xstrdup(spark);
			l->extra_col = 2 + 20 + 1 + 4 * 11 + 9 + 2;
			l->extra_color = TUI_COLOR_SERIES_1;
		}
	}
	ry_metric_summaries_free(ms, nms);
}

/* Where an imported run came from: the plugin, and its origin tags
 * ("NAME.*": the source's run id, and for MLflow the tracking URI and
 * experiment id), so the run can be found again at its source. */
static void add_source(struct tui_ctx *c, struct detail_priv *p, const ry_run *r)
{
	if (!r->source || strncmp(r->source, "plugin:", 7))
		return;
	const char *name = r->source + 7;
	size_t nl = strlen(name);
	section(p, "Source");
	kv(c, p, "plugin", name, 24);
	for (size_t i = 0; i < r->ntags; i++)
		if (!strncmp(r->tags[i].key, name, nl) && r->tags[i].key[nl] == '.')
			kv(c, p, r->tags[i].key, r->tags[i].value, 24);
}

static int build(struct tui_ctx *c, struct detail_priv *p)
{
	ry_run *r = NULL;
	double now = ry_now();
	char t1[64], t2[96];
	if (ry_run_get(&r, c->st, p->id) < 0) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	clear_lines(p);
	p->running = r->status && !strcmp(r->status, "running");
	add(p, tui_status_color(r->status), "%s %s", tui_status_glyph(c, r->status), r->status ? r->status : "");
	add(p, TUI_COLOR_TITLE, " %s ", r->name ? r->name : "");
	add(p, TUI_COLOR_DIM, "  #%lld  %s", (long long)r->id, r->uuid);

	section(p, "Run");
	kv(c, p, "experiment", r->experiment, 12);
	kv_wrapped(c, p, "command", r->command ? r->command : "(unknown)", 12);
	kv(c, p, "host", r->host ? r->host : "(unknown)", 12);
	char *gpus = ry_run_gpus_text(r->gpus);
	kv(c, p, "GPUs", gpus ? gpus : "none", 12);
	free(gpus);
	kv(c, p, "source", r->source, 12);
	if (r->cwd)
		kv(c, p, "directory", r->cwd, 12);
	if (r->remote_dir)
		kv(c, p, "remote dir", r->remote_dir, 12);
	if (r->created > 0) {
		ry_format_time(r->created, t1, sizeof t1);
		ry_format_age(r->created, now, t2, sizeof t2);
		char *s = ry_xasprintf("%s (%s)", t1, t2);
		kv(c, p, "created", s, 12);
		free(s);
	}
	if (r->started > 0) {
		ry_format_time(r->started, t1, sizeof t1);
		kv(c, p, "started", t1, 12);
	}
	if (r->ended > 0) {
		ry_format_time(r->ended, t1, sizeof t1);
		kv(c, p, "ended", t1, 12);
	}
	double dur = ry_run_duration(r, now);
	if (isfinite(dur)) {
		ry_format_duration(dur, t1, sizeof t1);
		kv(c, p, "duration", p->running ? (snprintf(t2, sizeof t2, "%s (running)", t1), t2) : t1, 12);
	}
	double cost = ry_run_cost(r, now);
	char cs[64];
	tui_present_run_cost(cs, sizeof cs, cost, r->cost_rate);
	kv(c, p, "cost", cs, 12);
	if (r->has_exit_code) {
		snprintf(t1, sizeof t1, "%d", r->exit_code);
		kv(c, p, "exit code", t1, 12);
	}
	if (r->time_limit > 0) {
		ry_format_duration(r->time_limit, t1, sizeof t1);
		kv(c, p, "time limit", t1, 12);
	}

	add_source(c, p, r);

	/* right under the run: what a run is opened for, in view on the first
	 * page however long the command (wrapped above) or the params are */
	add_metrics(c, p, r);

	section(p, "Params");
	for (size_t i = 0; i < r->nparams; i++)
		kv(c, p, r->params[i].key, r->params[i].value, 24);
	if (!r->nparams)
		add(p, TUI_COLOR_DIM, "  %s", "none");

	section(p, "Tags");
	for (size_t i = 0; i < r->ntags; i++)
		kv(c, p, r->tags[i].key, r->tags[i].value, 24);
	if (!r->ntags)
		add(p, TUI_COLOR_DIM, "  %s", "none");

	section(p, "Notes (e edits)");
	if (r->notes && *r->notes)
		add_text_lines(p, r->notes, "  ", false);
	else
		add(p, TUI_COLOR_DIM, "  %s", "no notes; press e to write some");

	section(p, "Git");
	kv(c, p, "commit", r->git_commit ? r->git_commit : "(not recorded)", 12);
	if (r->git_branch)
		kv(c, p, "branch", r->git_branch, 12);
	kv(c, p, "dirty", r->git_dirty < 0 ? "unknown" : r->git_dirty ? "yes (diff below)" : "no", 12);
	if (r->git_remote)
		kv(c, p, "remote", r->git_remote, 12);
	char *diff = ry_run_git_diff(c->st, r->id);
	if (diff && *diff) {
		section(p, r->git_diff_truncated ? "Uncommitted diff (truncated when stored)" : "Uncommitted diff");
		add_text_lines(p, diff, "  ", true);
	}
	free(diff);

	ry_artifact *arts = NULL;
	size_t narts = 0;
	section(p, "Artifacts");
	if (ry_artifact_list(c->st, r->id, &arts, &narts) < 0) {
		add(p, TUI_COLOR_ERROR, "  %s", ry_error_last());
	} else if (!narts) {
		add(p, TUI_COLOR_DIM, "  %s", "none recorded");
	} else {
		for (size_t i = 0; i < narts; i++) {
			char size[32], key[256];
			if (arts[i].size >= 1 << 20)
				snprintf(size, sizeof size, "%.1f MiB", (double)arts[i].size / (1 << 20));
			else if (arts[i].size >= 1 << 10)
				snprintf(size, sizeof size, "%.1f KiB", (double)arts[i].size / (1 << 10));
			else
				snprintf(size, sizeof size, "%lld B", (long long)arts[i].size);
			tui_text_fit(key, sizeof key, arts[i].path, 40, true, false, c->utf8);
			add(p, TUI_COLOR_DEFAULT, "  %s %10s  sha256 %.12s", key, size, arts[i].sha256);
		}
	}
	ry_artifacts_free(arts, narts);

	add_log(c, p, r);
	ry_run_free(r);
	p->last_build = ry_monotonic();
	tui_list_fit(&p->list, p->n, p->list.height);
	if (p->follow)
		tui_list_move(&p->list, TUI_LIST_LAST, 0);
	return 0;
}

static int detail_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_detail_arg *a = arg;
	struct detail_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	tui_list_init(&p->list, true);
	p->id = (int64_t)a->run_id;
	return build(c, p);
}

static void detail_done(struct tui_view *v, struct tui_ctx *c)
{
	struct detail_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	clear_lines(p);
	free(p->lines);
	for (size_t i = 0; i < p->nsparks; i++) {
		free(p->sparks[i].key);
		free(p->sparks[i].spark);
	}
	free(p->sparks);
	free(p);
}

static void detail_reload(struct tui_view *v, struct tui_ctx *c)
{
	build(c, v->priv);
}

static int detail_tick(struct tui_view *v, struct tui_ctx *c)
{
	struct detail_priv *p = v->priv;
	/* A running run's duration, cost and log move without a store change. */
	if (p->running && ry_monotonic() - p->last_build >= 1.0) {
		build(c, p);
		return TUI_REDRAW;
	}
	return 0;
}

static void detail_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct detail_priv *p = v->priv;
	/* Wrapped lines (the command, the log) were cut for the old width:
	 * cut them again (the page is rebuilt from the store, as on any
	 * change; resizes are rare). */
	if (p->built_cols != c->cols)
		build(c, p);
	tui_list_fit(&p->list, p->n, (size_t)h);
	size_t top = p->list.top;
	for (int i = 0; i < h && top + (size_t)i < p->n; i++) {
		struct dline *l = &p->lines[top + (size_t)i];
		bool match = c->search[0] && strcasestr(l->text, c->search);
		enum tui_color e = match ? TUI_COLOR_SEARCH_MATCH : l->color;
		if (l->log && p->hscroll > 0) {
			const char *t = l->text + 2; /* past the indent */
			tui_draw_text(c, y + i, 1, c->cols - 1, "", e);
			tui_draw_text(c, y + i, 3, c->cols - 3, t + tui_text_prefix(t, p->hscroll), e);
			continue;
		}
		tui_draw_text(c, y + i, 1, c->cols - 1, l->text, e);
		if (l->extra && l->extra_col < c->cols)
			tui_draw_str(c, y + i, l->extra_col, c->cols - l->extra_col, l->extra, l->extra_color);
	}
}

static void detail_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct detail_priv *p = v->priv;
	(void)c;
	char log[64] = "";
	if (p->nowrap)
		snprintf(log, sizeof log, "  log: no wrap, col %d", p->hscroll + 1);
	snprintf(out, n, " run #%lld  line %zu/%zu%s%s%s%s", (long long)p->id, p->list.top + 1, p->n,
	         p->raw ? "  log: raw" : "", log,
	         p->follow ? "  following the log" : "", p->running ? "  running" : "");
}

static bool line_found(const struct tui_ctx *c, size_t i, void *arg)
{
	return tui_find_in(c, ((struct detail_priv *)arg)->lines[i].text, NULL, NULL);
}

static int detail_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct detail_priv *p = v->priv;
	size_t page = v->rows > 1 ? (size_t)v->rows - 1 : 1;
	if (tui_list_action(&p->list, a, page)) {
		/* Scrolling down or to the end keeps following the log. */
		if (a != TUI_ACT_PAGE_DOWN && a != TUI_ACT_HALF_DOWN && a != TUI_ACT_LAST)
			p->follow = false;
		return TUI_REDRAW;
	}
	switch (a) {
	case TUI_ACT_FOCUS_NEXT:
		for (size_t i = p->list.top + 1; i < p->n; i++) {
			if (p->lines[i].section) {
				tui_list_set(&p->list, i);
				return TUI_REDRAW;
			}
		}
		tui_list_set(&p->list, 0);
		return TUI_REDRAW;
	case TUI_ACT_MOVE_LEFT: case TUI_ACT_MOVE_RIGHT: {
		int step = c->cols / 2 > 8 ? c->cols / 2 : 8;
		if (!p->nowrap) {
			tui_msg(c, "the log wraps; w cuts it at the edge to scroll sideways");
			return TUI_REDRAW;
		}
		p->hscroll += a == TUI_ACT_MOVE_RIGHT ? step : -step;
		if (p->hscroll < 0)
			p->hscroll = 0;
		return TUI_REDRAW;
	}
	case TUI_ACT_TOGGLE_WRAP:
		p->nowrap = !p->nowrap;
		p->hscroll = 0;
		build(c, p);
		tui_msg(c, p->nowrap ? "log lines cut at the edge: h/l scroll sideways" : "log lines wrap");
		return TUI_REDRAW;
	case TUI_ACT_TOGGLE_RAW:
		p->raw = !p->raw;
		build(c, p);
		tui_msg(c, p->raw ? "the log's raw bytes, escaped (\\r carriage return, \\b backspace, \\e escape)"
		                  : "the log as the terminal showed it");
		return TUI_REDRAW;
	case TUI_ACT_COPY:
		tui_clipboard_menu(c, v, p->id);
		return TUI_REDRAW;
	case TUI_ACT_CHART_RUN: {
		struct tui_charts_arg ca = { (long long)p->id };
		tui_view_push(c, &tui_view_charts, &ca);
		return TUI_REDRAW;
	}
	case TUI_ACT_FOLLOW:
		p->follow = !p->follow;
		if (p->follow)
			tui_list_move(&p->list, TUI_LIST_LAST, 0);
		tui_msg(c, p->follow ? "following the log (any scroll up stops)" : "follow off");
		return TUI_REDRAW;
	case TUI_ACT_EDIT_NOTES:
		return tui_edit_notes(v, c, p->id);
	case TUI_ACT_PROMOTE: {
		struct tui_promote_arg pa = { (long long)p->id };
		tui_view_push(c, &tui_view_promote, &pa);
		return TUI_REDRAW;
	}
	case TUI_ACT_SEARCH:
		tui_prompt_open(c, v, TUI_PROMPT_SEARCH, "find: ", ""); /* a new search; n/N repeat the last */
		return TUI_REDRAW;
	case TUI_ACT_SEARCH_NEXT: case TUI_ACT_SEARCH_PREV: {
		size_t to;
		if (!c->search[0]) {
			tui_error(c, "no search yet: press / and type some text");
			return TUI_REDRAW;
		}
		if (tui_find_step(c, p->n, p->list.top, a == TUI_ACT_SEARCH_NEXT ? 1 : -1, line_found, p, "line", &to)) {
			tui_list_set(&p->list, to);
			p->follow = false;
		}
		return TUI_REDRAW;
	}
	default:
		return tui_edit_action(v, c, a, p->id, false, true);
	}
}

static int detail_command(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg)
{
	struct detail_priv *p = v->priv;
	return tui_edit_command(v, c, cmd, arg, p->id, false, true);
}

static int detail_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                         bool cancel)
{
	struct detail_priv *p = v->priv;
	int r = tui_edit_prompt(c, kind, text, final, cancel);
	if (!(r & TUI_UNHANDLED))
		return r;
	if (!final || cancel)
		return TUI_REDRAW;
	if (kind == TUI_PROMPT_SEARCH) {
		size_t to;
		snprintf(c->search, sizeof c->search, "%s", text);
		/* A new search: the top line may be the first match. */
		if (c->search[0] && tui_find_step(c, p->n, p->list.top, 0, line_found, p, "line", &to)) {
			tui_list_set(&p->list, to);
			p->follow = false;
		}
		return TUI_REDRAW;
	}
	return TUI_REDRAW;
}

const struct tui_view_ops tui_view_detail = {
	.name = "run",
	.keymap = TUI_KM_DETAIL,
	.open = detail_open,
	.draw = detail_draw,
	.action = detail_action,
	.reload = detail_reload,
	.status = detail_status,
	.prompt = detail_prompt,
	.command = detail_command,
	.tick = detail_tick,
	.done = detail_done,
};
