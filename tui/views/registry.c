/*
 * The registry screen (`R`): the registered models, and one model's page —
 * its versions with their aliases, source runs, hashes and sizes, and on `h`
 * the audit trail (who moved which alias when, from which version to which,
 * and why).  `r` opens a version's source run in the run detail view.  On a
 * model's page it also edits the registry through core/registry/registry.h:
 * `a` moves an alias to the version and `x` deletes one (each asks y/N
 * first), `e` exports the version's artifact to a directory and `E` edits
 * the model's description.  Export and alias moves re-hash the artifact, so
 * they run as background jobs (work/job.h); a delete and a description are a
 * few queries and run here.  Promoting is the promote dialog's job
 * (views/promote.c), deploying (`d` on a version) and the deployments pane
 * (`D`) are views/deploy.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/draw.h"
#include "app/find.h"
#include "app/mouse.h"
#include "text/text.h"
#include "registry/registry.h"
#include "app/tui.h"
#include "base/util.h"
#include "work/job.h"

/* ---- shared ------------------------------------------------------------- */

/* Cursor movement over n rows shared by both views; false if a not a move.
 * A page is the rows of the view less three, as it always was here. */
static bool move(struct tui_list *l, size_t n, int rows, enum tui_action a)
{
	tui_list_fit(l, n, l->height);
	return tui_list_action(l, a, rows > 3 ? (size_t)rows - 3 : 1);
}

/* ---- the model list ----------------------------------------------------- */

struct reg_priv {
	ry_model *m;
	size_t n;
	struct tui_list list;   /* the cursor over models */
	int y0;                 /* screen row of the first model shown (clicks) */
};

static void reg_load(struct tui_ctx *c, struct reg_priv *p)
{
	char *keep = p->n && p->list.cur < p->n ? ry_xstrdup(p->m[p->list.cur].name) : NULL;
	ry_models_free(p->m, p->n);
	p->m = NULL;
	p->n = 0;
	if (ry_registry_models(c->st, &p->m, &p->n) < 0)
		tui_error(c, "%s", ry_error_last());
	p->list.cur = 0;
	for (size_t i = 0; keep && i < p->n; i++)
		if (!strcmp(p->m[i].name, keep))
			p->list.cur = i;
	free(keep);
}

static int reg_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	(void)arg;
	v->priv = ry_xcalloc(1, sizeof(struct reg_priv));
	reg_load(c, v->priv);
	return 0;
}

static void reg_done(struct tui_view *v, struct tui_ctx *c)
{
	struct reg_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	ry_models_free(p->m, p->n);
	free(p);
}

static void reg_reload(struct tui_view *v, struct tui_ctx *c)
{
	reg_load(c, v->priv);
}

static void aliases_text(const ry_model *m, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < m->naliases && len < n; i++) {
		int w = snprintf(out + len, n - len, "%s@%s=v%lld", i ? " " : "", m->aliases[i].alias,
		                 (long long)m->aliases[i].version);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static void reg_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct reg_priv *p = v->priv;
	char line[1024], al[512], when[64];
	int w = c->cols - 2;
	snprintf(line, sizeof line, "%-32s %8s  %-34s %7s  %s", "MODEL", "VERSIONS", "ALIASES", "LATEST",
	         "CREATED");
	tui_draw_text(c, y, 1, w, line, TUI_COLOR_HEADER);
	if (!p->n) {
		tui_draw_text(c, y + 2, 2, w - 1,
		              "No registered models yet. Press q, pick a run with artifacts and press P to promote it.",
		              TUI_COLOR_DIM);
		return;
	}
	size_t rows = h > 1 ? (size_t)h - 1 : 1;
	tui_list_fit(&p->list, p->n, rows);
	p->y0 = y + 1;
	for (size_t i = 0; i < rows && p->list.top + i < p->n; i++) {
		const ry_model *m = &p->m[p->list.top + i];
		enum tui_color e = p->list.top + i == p->list.cur ? TUI_COLOR_CURSOR : TUI_COLOR_DEFAULT;
		char name[160], als[160];
		/* Fit outside text by display width before it goes into columns. */
		tui_text_fit(name, sizeof name, m->name, 32, true, false, c->utf8);
		aliases_text(m, al, sizeof al);
		tui_text_fit(als, sizeof als, al, 34, true, false, c->utf8);
		ry_format_time(m->created, when, sizeof when);
		char lv[32] = "-";
		if (m->latest)
			snprintf(lv, sizeof lv, "v%lld", (long long)m->latest);
		snprintf(line, sizeof line, "%s %8lld  %s %7s  %s", name, (long long)m->nversions, als, lv, when);
		tui_draw_fill(c, y + 1 + (int)i, 1, w, e);
		tui_draw_text(c, y + 1 + (int)i, 1, w, line, e);
	}
}

static bool model_found(const struct tui_ctx *c, size_t i, void *arg)
{
	return tui_find_in(c, ((struct reg_priv *)arg)->m[i].name, NULL, NULL);
}

static int reg_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct reg_priv *p = v->priv;
	if (move(&p->list, p->n, v->rows, a))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_ENTER:
		if (p->n) {
			struct tui_model_arg ma = { p->m[p->list.cur].name };
			tui_view_push(c, &tui_view_model, &ma);
		}
		return TUI_REDRAW;
	case TUI_ACT_SEARCH:
		tui_prompt_open(c, v, TUI_PROMPT_SEARCH, "find: ", ""); /* a new search; n/N repeat the last */
		return TUI_REDRAW;
	case TUI_ACT_SEARCH_NEXT: case TUI_ACT_SEARCH_PREV: {
		size_t to;
		if (c->search[0] && tui_find_step(c, p->n, p->list.cur, a == TUI_ACT_SEARCH_NEXT ? 1 : -1, model_found, p,
		                                  "model name", &to))
			p->list.cur = to;
		return TUI_REDRAW;
	}
	case TUI_ACT_HISTORY: case TUI_ACT_GOTO_RUN: case TUI_ACT_ALIAS_MOVE: case TUI_ACT_ALIAS_DELETE:
	case TUI_ACT_EXPORT: case TUI_ACT_DESCRIBE:
		tui_error(c, "press Enter to open a model first");
		return TUI_REDRAW;
	case TUI_ACT_DEPLOY:
		tui_error(c, "press Enter to open a model, then d on the version to deploy");
		return TUI_REDRAW;
	case TUI_ACT_DEPLOYMENTS:
		tui_view_push(c, &tui_view_deployments, NULL);
		return TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
}

static int reg_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                      bool cancel)
{
	struct reg_priv *p = v->priv;
	if (kind != TUI_PROMPT_SEARCH || !final || cancel)
		return TUI_REDRAW;
	size_t to;
	snprintf(c->search, sizeof c->search, "%s", text);
	/* A new search: the current model may be the first match. */
	if (c->search[0] && tui_find_step(c, p->n, p->list.cur, 0, model_found, p, "model name", &to))
		p->list.cur = to;
	return TUI_REDRAW;
}

static int reg_click(struct tui_view *v, struct tui_ctx *c, int y, int x)
{
	struct reg_priv *p = v->priv;
	(void)x;
	if (!p->n)
		return 0;
	enum tui_click k = tui_mouse_list_click(&p->list, p->y0, y);
	return k == TUI_CLICK_OPEN ? reg_action(v, c, TUI_ACT_ENTER) : k == TUI_CLICK_MOVED ? TUI_REDRAW : 0;
}

static void reg_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct reg_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " %zu model%s  Enter opens  D deployments  q back", p->n, p->n == 1 ? "" : "s");
}

const struct tui_view_ops tui_view_registry = {
	.name = "registry",
	.keymap = TUI_KM_REGISTRY,
	.open = reg_open,
	.draw = reg_draw,
	.action = reg_action,
	.reload = reg_reload,
	.status = reg_status,
	.prompt = reg_prompt,
	.done = reg_done,
	.click = reg_click,
};

/* ---- one model ------------------------------------------------------------ */

struct model_priv {
	char *name;
	ry_model *m;                  /* NULL if it vanished */
	ry_model_version *ver;
	size_t nver;
	struct tui_list list;   /* the cursor over versions */
	ry_model_event *ev;
	size_t nev;
	struct tui_list evl;    /* the cursor over history events */
	int ver_y0, ev_y0;      /* screen rows of the first version and event shown; -1: none (clicks) */
	bool history;
	bool hfocus;                  /* Tab: the keys scroll the history */
	/* What the open prompt asks for, and about which alias and version. */
	enum { ASK_NONE, ASK_MOVE, ASK_MOVE_OK, ASK_DELETE, ASK_DELETE_OK, ASK_EXPORT, ASK_DESCRIBE } ask;
	char ask_alias[128];
	char confirm[512];            /* a y/N question to open on the next tick, or "" */
	int64_t ask_version, ask_holder;
	struct tui_job *job;          /* an export or alias move in the background, or NULL */
};

static void model_load(struct tui_ctx *c, struct model_priv *p)
{
	ry_model_event *ev = NULL;
	size_t nev = 0;
	ry_models_free(p->m, p->m ? 1 : 0);
	ry_model_versions_free(p->ver, p->nver);
	p->m = NULL;
	p->ver = NULL;
	p->nver = 0;
	if (ry_registry_model(c->st, p->name, &p->m) < 0 ||
	    ry_registry_versions(c->st, p->name, &p->ver, &p->nver) < 0)
		tui_error(c, "%s", ry_error_last());
	if (ry_registry_history(c->st, p->name, &ev, &nev) < 0) {
		tui_error(c, "%s", ry_error_last()); /* keep showing the trail we had */
	} else {
		bool at_end = p->evl.cur + 1 >= p->nev;
		ry_model_events_free(p->ev, p->nev);
		p->ev = ev;
		p->nev = nev;
		/* Following the newest event stays on it as new ones arrive. */
		if (at_end || p->evl.cur >= p->nev)
			p->evl.cur = p->nev ? p->nev - 1 : 0;
	}
	if (p->list.cur >= p->nver)
		p->list.cur = p->nver ? p->nver - 1 : 0;
}

static int model_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_model_arg *a = arg;
	struct model_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	p->name = ry_xstrdup(a->name);
	model_load(c, p);
	return 0;
}

static void model_done(struct tui_view *v, struct tui_ctx *c)
{
	struct model_priv *p = v->priv;
	if (!p)
		return;
	/* Leaving mid-job: the app's job slot reports how it ends. */
	if (p->job && !c->job)
		c->job = p->job;
	else
		tui_job_free(p->job);
	ry_models_free(p->m, p->m ? 1 : 0);
	ry_model_versions_free(p->ver, p->nver);
	ry_model_events_free(p->ev, p->nev);
	free(p->name);
	free(p);
}

static void model_reload(struct tui_view *v, struct tui_ctx *c)
{
	model_load(c, v->priv);
}

static void version_line(struct tui_ctx *c, const ry_model_version *mv, char *out, size_t n)
{
	char al[256] = "", run[64], size[32], when[64], alf[96];
	size_t len = 0;
	for (size_t i = 0; i < mv->naliases && len < sizeof al; i++) {
		int w = snprintf(al + len, sizeof al - len, "%s@%s", i ? " " : "", mv->aliases[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	tui_text_fit(alf, sizeof alf, al, 22, true, false, c->utf8);
	tui_text_fit(run, sizeof run, mv->run_name ? mv->run_name : "(run deleted)", 14, true, false,
	             c->utf8);
	ry_format_bytes(mv->size, size, sizeof size);
	ry_format_time(mv->created, when, sizeof when);
	snprintf(out, n, "v%-4lld %s %s %-20s %.12s %10s  %s", (long long)mv->version, alf, run, when,
	         mv->sha256, size, mv->description ? mv->description : "");
}

static void event_line(const ry_model_event *e, char *out, size_t n)
{
	char when[64], what[96] = "";
	ry_format_time(e->ts, when, sizeof when);
	if (e->alias) {
		char mv[48];
		ry_registry_event_move(e, mv, sizeof mv);
		snprintf(what, sizeof what, "@%s %s", e->alias, mv);
	} else if (e->version) {
		snprintf(what, sizeof what, "v%lld", (long long)e->version);
	}
	snprintf(out, n, "%-20s  %-10.10s %-16s %-26s %s", when, e->actor ? e->actor : "?", e->kind, what,
	         e->note ? e->note : "");
}

static void model_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct model_priv *p = v->priv;
	int w = c->cols - 2, row = y;
	char line[1024];
	if (!p->m) {
		tui_draw_text(c, y, 1, w, "This model is not registered (any more).", TUI_COLOR_DIM);
		return;
	}
	snprintf(line, sizeof line, "Model %s  %lld version%s%s%s", p->m->name, (long long)p->m->nversions,
	         p->m->nversions == 1 ? "" : "s", p->m->description[0] ? "  " : "", p->m->description);
	tui_draw_text(c, row++, 1, w, line, TUI_COLOR_TITLE);
	snprintf(line, sizeof line, "%-5s %-22s %-14s %-20s %-12s %10s  %s", "VER", "ALIASES", "RUN",
	         "CREATED", "SHA256", "SIZE", "DESCRIPTION");
	tui_draw_text(c, row++, 1, w, line, TUI_COLOR_HEADER);
	int vrows = h - 2;
	if (p->history)
		vrows = vrows / 2 > 3 ? vrows / 2 : (vrows > 3 ? 3 : vrows);
	if (vrows < 1)
		vrows = 1;
	tui_list_fit(&p->list, p->nver, (size_t)vrows);
	p->ver_y0 = row;
	p->ev_y0 = -1;
	for (int i = 0; i < vrows && p->list.top + (size_t)i < p->nver; i++) {
		size_t k = p->list.top + (size_t)i;
		enum tui_color e = k == p->list.cur ? TUI_COLOR_CURSOR : TUI_COLOR_DEFAULT;
		version_line(c, &p->ver[k], line, sizeof line);
		tui_draw_fill(c, row + i, 1, w, e);
		tui_draw_text(c, row + i, 1, w, line, e);
	}
	if (!p->history)
		return;
	row += vrows;
	int hrows = y + h - row - 2;
	if (hrows < 1)
		return;
	snprintf(line, sizeof line, "History: %zu event%s, newest last%s", p->nev, p->nev == 1 ? "" : "s",
	         p->nev > (size_t)hrows ? (p->hfocus ? "  (scrolling: Tab back to versions)"
	                                             : "  (Tab to scroll)") : "");
	tui_draw_text(c, row++, 1, w, line, TUI_COLOR_TITLE);
	snprintf(line, sizeof line, "%-20s  %-10s %-16s %-26s %s", "WHEN", "WHO", "WHAT", "FROM -> TO", "WHY");
	tui_draw_text(c, row++, 1, w, line, TUI_COLOR_HEADER);
	/* The cursor starts on the newest event: the end of the trail is what
	 * was just done. */
	tui_list_fit(&p->evl, p->nev, (size_t)hrows);
	p->ev_y0 = row;
	for (int i = 0; i < hrows && p->evl.top + (size_t)i < p->nev; i++) {
		size_t k = p->evl.top + (size_t)i;
		enum tui_color e = p->hfocus && k == p->evl.cur ? TUI_COLOR_CURSOR
		                 : strstr(p->ev[k].kind, "refused") ? TUI_COLOR_ERROR : TUI_COLOR_DEFAULT;
		event_line(&p->ev[k], line, sizeof line);
		if (e == TUI_COLOR_CURSOR)
			tui_draw_fill(c, row + i, 1, w, e);
		tui_draw_text(c, row + i, 1, w, line, e);
	}
}

/* Ask for `what` about the version under the cursor; false if there is none
 * or a job is still running. */
static bool ask(struct tui_view *v, struct tui_ctx *c, struct model_priv *p, int what, const char *label,
                const char *initial)
{
	if (!p->nver || !p->m)
		return false;
	if (p->job) {
		tui_error(c, "an %s is still running; wait for it", tui_job_what(p->job));
		return false;
	}
	p->ask = what;
	p->ask_version = p->ver[p->list.cur].version;
	tui_prompt_open(c, v, what == ASK_MOVE_OK || what == ASK_DELETE_OK ? TUI_PROMPT_CONFIRM : TUI_PROMPT_FIELD,
	                label, initial);
	return true;
}

static void start_job(struct tui_ctx *c, struct model_priv *p, struct tui_job *j, const char *err)
{
	if (!j) {
		tui_error(c, "%s", err);
		return;
	}
	p->job = j;
	tui_msg(c, "%s: verifying the artifact's sha256...", tui_job_what(j));
}

/* The answer to ask(): the alias named, the y/N, the directory or the
 * description. */
static int model_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                        bool cancel)
{
	struct model_priv *p = v->priv;
	char label[512], err[512];
	int what = p->ask;
	if (!final && !cancel)
		return TUI_REDRAW;
	p->ask = ASK_NONE;
	p->confirm[0] = '\0';
	if (cancel || (kind != TUI_PROMPT_FIELD && kind != TUI_PROMPT_CONFIRM))
		return TUI_REDRAW;
	const char *name = text[0] == '@' ? text + 1 : text;
	switch (what) {
	case ASK_MOVE: case ASK_DELETE: {
		int64_t holder = 0;
		if (!name[0])
			return TUI_REDRAW;
		if (ry_registry_check_alias_name(name) < 0 ||
		    ry_registry_alias_get(c->st, p->name, name, &holder) < 0) {
			tui_error(c, "%s", ry_error_last());
			return TUI_REDRAW;
		}
		if (what == ASK_DELETE && !holder) {
			tui_error(c, "@%s is not set on %s", name, p->name);
			return TUI_REDRAW;
		}
		snprintf(p->ask_alias, sizeof p->ask_alias, "%s", name);
		p->ask_holder = holder;
		if (what == ASK_MOVE && holder)
			snprintf(label, sizeof label, "move @%s from v%lld to v%lld? (y/N) ", name, (long long)holder,
			         (long long)p->ask_version);
		else if (what == ASK_MOVE)
			snprintf(label, sizeof label, "set @%s (unset now) to v%lld? (y/N) ", name, (long long)p->ask_version);
		else
			snprintf(label, sizeof label, "delete @%s (on v%lld)? (y/N) ", name, (long long)holder);
		/* The app closes this prompt when we return: the question opens
		 * on the next tick. */
		p->ask = what == ASK_MOVE ? ASK_MOVE_OK : ASK_DELETE_OK;
		snprintf(p->confirm, sizeof p->confirm, "%s", label);
		return TUI_REDRAW;
	}
	case ASK_MOVE_OK: case ASK_DELETE_OK:
		if (text[0] != 'y' && text[0] != 'Y') {
			tui_msg(c, "@%s not %s", p->ask_alias, what == ASK_MOVE_OK ? "moved" : "deleted");
			return TUI_REDRAW;
		}
		if (what == ASK_MOVE_OK) {
			/* Compare-and-set on what the question showed. */
			start_job(c, p, tui_job_alias_set(ry_store_path(c->st), p->name, p->ask_alias, p->ask_version,
			                                  p->ask_holder, err, sizeof err), err);
			return TUI_REDRAW;
		}
		if (ry_registry_alias_delete(c->st, p->name, p->ask_alias, NULL) < 0)
			tui_error(c, "not deleted: %s", ry_error_last());
		else
			tui_msg(c, "@%s deleted (was on v%lld)", p->ask_alias, (long long)p->ask_holder);
		return TUI_RELOAD;
	case ASK_EXPORT:
		if (!text[0])
			return TUI_REDRAW;
		start_job(c, p, tui_job_export(ry_store_path(c->st), p->name, p->ask_version, text, err, sizeof err), err);
		return TUI_REDRAW;
	case ASK_DESCRIBE:
		if (ry_registry_model_update(c->st, p->name, text, NULL) < 0)
			tui_error(c, "%s", ry_error_last());
		else
			tui_msg(c, "description of %s saved", p->name);
		return TUI_RELOAD;
	}
	return TUI_REDRAW;
}

/* The job's outcome on the message line, and the page reloaded. */
static int model_tick(struct tui_view *v, struct tui_ctx *c)
{
	struct model_priv *p = v->priv;
	char progress[128], line[512];
	int rc;
	if (p->confirm[0]) {
		tui_prompt_open(c, v, TUI_PROMPT_CONFIRM, p->confirm, "");
		p->confirm[0] = '\0';
		return TUI_REDRAW;
	}
	if (!p->job || !tui_job_poll(p->job, progress, sizeof progress, line, sizeof line, &rc))
		return 0;
	tui_job_free(p->job);
	p->job = NULL;
	if (rc < 0)
		tui_error(c, "%s", line);
	else
		tui_msg(c, "%s", line);
	return TUI_RELOAD;
}

static int model_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct model_priv *p = v->priv;
	if (p->history && p->hfocus ? move(&p->evl, p->nev, v->rows / 2, a) : move(&p->list, p->nver, v->rows, a))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_HISTORY:
		p->history = !p->history;
		p->hfocus = false;
		p->evl.cur = p->nev ? p->nev - 1 : 0;
		p->evl.top = 0; /* the fit then puts the newest on the last row */
		return TUI_REDRAW;
	case TUI_ACT_FOCUS_NEXT:
		if (p->history)
			p->hfocus = !p->hfocus;
		return TUI_REDRAW;
	case TUI_ACT_GOTO_RUN: case TUI_ACT_ENTER: {
		if (!p->nver)
			return TUI_REDRAW;
		const ry_model_version *mv = &p->ver[p->list.cur];
		if (!mv->run_id) {
			tui_error(c, "the source run of v%lld was deleted; its artifact is kept", (long long)mv->version);
			return TUI_REDRAW;
		}
		struct tui_detail_arg d = { (long long)mv->run_id };
		tui_view_push(c, &tui_view_detail, &d);
		return TUI_REDRAW;
	}
	case TUI_ACT_DEPLOY: {
		if (!p->nver)
			return TUI_REDRAW;
		/* By its alias when it holds one, so the deployment records
		 * which alias it was made for. */
		const ry_model_version *mv = &p->ver[p->list.cur];
		char *spec = mv->naliases ? ry_xasprintf("%s@%s", p->name, mv->aliases[0])
		                          : ry_xasprintf("%s@%lld", p->name, (long long)mv->version);
		struct tui_deploy_arg da = { spec };
		tui_view_push(c, &tui_view_deploy, &da);
		free(spec);
		return TUI_REDRAW;
	}
	case TUI_ACT_DEPLOYMENTS:
		tui_view_push(c, &tui_view_deployments, NULL);
		return TUI_REDRAW;
	case TUI_ACT_ALIAS_MOVE: case TUI_ACT_ALIAS_DELETE: {
		if (!p->nver)
			return TUI_REDRAW;
		const ry_model_version *mv = &p->ver[p->list.cur];
		char label[96];
		bool del = a == TUI_ACT_ALIAS_DELETE;
		if (del && !mv->naliases) {
			tui_error(c, "v%lld holds no alias to delete", (long long)mv->version);
			return TUI_REDRAW;
		}
		snprintf(label, sizeof label, "%s which alias %s v%lld: ", del ? "delete" : "move", del ? "of" : "to",
		         (long long)mv->version);
		ask(v, c, p, del ? ASK_DELETE : ASK_MOVE, label, del ? mv->aliases[0] : "");
		return TUI_REDRAW;
	}
	case TUI_ACT_EXPORT:
		if (p->nver) {
			char label[96];
			snprintf(label, sizeof label, "export v%lld to directory: ", (long long)p->ver[p->list.cur].version);
			ask(v, c, p, ASK_EXPORT, label, ".");
		}
		return TUI_REDRAW;
	case TUI_ACT_DESCRIBE:
		if (p->m)
			ask(v, c, p, ASK_DESCRIBE, "description: ", p->m->description);
		return TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
}

static void model_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct model_priv *p = v->priv;
	(void)c;
	if (p->history && p->hfocus)
		snprintf(out, n, " event %zu/%zu  Tab versions  H hide history  q back", p->nev ? p->evl.cur + 1 : 0,
		         p->nev);
	else
		snprintf(out, n, " version %zu/%zu  r run  a/x alias move/delete  e export  E describe  d deploy  D deployments"
		         "  H history%s  q back",
		         p->nver ? p->list.cur + 1 : 0,
		         p->nver, p->history ? " (shown, Tab scrolls it)" : "");
}

/* A click on a version selects it (again: opens its run, as Enter); one
 * on the history gives the history the keys, on that event. */
static int model_click(struct tui_view *v, struct tui_ctx *c, int y, int x)
{
	struct model_priv *p = v->priv;
	(void)x;
	if (!p->m)
		return 0;
	if (p->history && p->ev_y0 >= 0 && y >= p->ev_y0) {
		if (tui_mouse_list_click(&p->evl, p->ev_y0, y) == TUI_CLICK_MISS)
			return 0;
		p->hfocus = true;
		return TUI_REDRAW;
	}
	bool was_history = p->hfocus;
	enum tui_click k = tui_mouse_list_click(&p->list, p->ver_y0, y);
	if (k == TUI_CLICK_MISS)
		return 0;
	p->hfocus = false;
	return k == TUI_CLICK_OPEN && !was_history ? model_action(v, c, TUI_ACT_ENTER) : TUI_REDRAW;
}

const struct tui_view_ops tui_view_model = {
	.name = "model",
	.keymap = TUI_KM_REGISTRY,
	.open = model_open,
	.draw = model_draw,
	.action = model_action,
	.reload = model_reload,
	.status = model_status,
	.prompt = model_prompt,
	.tick = model_tick,
	.done = model_done,
	.click = model_click,
};
