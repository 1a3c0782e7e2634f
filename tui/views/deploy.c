/*
 * Deploying from the registry screens.  Two views:
 *
 * - the deploy dialog (`d` on a version): first a picker of the configured
 *   targets (name, kind, host or url), then a confirm naming exactly what
 *   goes where (model, version, alias, sha256, size, target) from
 *   ry_deploy_plan_get, which changes nothing.  Enter (or `d`) on the
 *   confirm hands the deploy to the app's slot (app/deploy_slot.h), which
 *   runs it in the background and reports it on the message line; Esc or
 *   `q` at either stage closes the dialog and nothing is deployed.
 * - the deployments pane (`D`): every deployment, newest first, with its
 *   status as recorded; while it is open the app's slot refreshes the live
 *   ones from their targets every REFRESH_SECS on a worker, and the pane
 *   redraws when the recorded status changes.  `U` stops the deployment
 *   under the cursor after a y/N question, `L` (or Enter) fetches its log.
 *
 * Neither view talks to a target itself: the UI thread only reads the
 * store and the config.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/deploy_slot.h"
#include "app/draw.h"
#include "app/tui.h"
#include "text/text.h"

/* How often the pane asks the targets (each ask may be an SSH session). */
#define REFRESH_SECS 5.0

/* ---- the deploy dialog --------------------------------------------------- */

struct deploy_priv {
	char *spec;
	ry_deploy_target *t;
	size_t nt;
	struct tui_list list;   /* the cursor over targets */
	bool confirm;           /* the second stage: plan is filled */
	ry_deploy_plan plan;
};

static void options(struct tui_ctx *c, ry_deploy_options *o)
{
	o->cfg = c->cfg; /* NULL: core loads the config file itself */
}

static int deploy_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_deploy_arg *a = arg;
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	struct deploy_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	p->spec = ry_xstrdup(a->spec);
	tui_list_init(&p->list, false);
	options(c, &o);
	if (ry_deploy_targets(&o, &p->t, &p->nt) < 0) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	if (!p->nt) {
		tui_error(c, "no serving targets: add a [target NAME] section with kind = ssh or http to the config "
		             "(runyard deploy --help shows both)");
		return -1;
	}
	return 0;
}

static void deploy_done(struct tui_view *v, struct tui_ctx *c)
{
	struct deploy_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	ry_deploy_targets_free(p->t, p->nt);
	ry_deploy_plan_clear(&p->plan);
	free(p->spec);
	free(p);
}

static void draw_targets(struct tui_ctx *c, struct deploy_priv *p, int y, int h)
{
	int w = c->cols - 2;
	char line[1024], name[96], kind[64];
	snprintf(line, sizeof line, "Deploy %s: to which target?", p->spec);
	tui_draw_text(c, y, 1, w, line, TUI_COLOR_TITLE);
	snprintf(line, sizeof line, "%-24s %-12s %s", "TARGET", "KIND", "HOST / URL");
	tui_draw_text(c, y + 2, 2, w - 1, line, TUI_COLOR_HEADER);
	size_t rows = h > 4 ? (size_t)h - 4 : 1;
	tui_list_fit(&p->list, p->nt, rows);
	for (size_t i = 0; i < rows && p->list.top + i < p->nt; i++) {
		size_t k = p->list.top + i;
		const ry_deploy_target *t = &p->t[k];
		enum tui_color e = k == p->list.cur ? TUI_COLOR_CURSOR : t->kind ? TUI_COLOR_DEFAULT : TUI_COLOR_DIM;
		tui_text_fit(name, sizeof name, t->name, 24, true, false, c->utf8);
		tui_text_fit(kind, sizeof kind, t->kind ? t->kind : "(no kind)", 12, true, false, c->utf8);
		snprintf(line, sizeof line, "%s %s %s", name, kind, t->where ? t->where : "-");
		tui_draw_fill(c, y + 3 + (int)i, 1, w, e);
		tui_draw_text(c, y + 3 + (int)i, 2, w - 1, line, e);
	}
}

static void draw_confirm(struct tui_ctx *c, struct deploy_priv *p, int y, int h)
{
	const ry_deploy_plan *pl = &p->plan;
	int w = c->cols - 2, row = y;
	char line[1024], size[32];
	ry_format_bytes(pl->size, size, sizeof size);
	tui_draw_text(c, row++, 1, w, "Deploy this version?", TUI_COLOR_TITLE);
	row++;
	const char *labels[] = { "Model", "Version", "Alias", "sha256", "Size", "Target" };
	char vals[6][512];
	snprintf(vals[0], sizeof vals[0], "%s", pl->model);
	snprintf(vals[1], sizeof vals[1], "v%" PRId64, pl->version);
	if (pl->alias)
		snprintf(vals[2], sizeof vals[2], "@%s", pl->alias);
	else
		snprintf(vals[2], sizeof vals[2], "(none: deployed by number)");
	snprintf(vals[3], sizeof vals[3], "%.12s", pl->sha256[0] ? pl->sha256 : "(no local copy)");
	snprintf(vals[4], sizeof vals[4], "%s", size);
	snprintf(vals[5], sizeof vals[5], "%s (%s%s%s)", pl->target, pl->kind, pl->where ? " on " : "",
	         pl->where ? pl->where : "");
	for (int i = 0; i < 6 && row < y + h; i++) {
		snprintf(line, sizeof line, "%-9s %s", labels[i], vals[i]);
		tui_draw_text(c, row++, 2, w - 1, line, TUI_COLOR_DEFAULT);
	}
	row++;
	if (row < y + h) {
		tui_draw_fill(c, row, 1, w, TUI_COLOR_CURSOR);
		tui_draw_text(c, row, 2, w - 1, "[ Deploy ]  Enter or d deploys; Esc or q cancels (nothing is deployed)",
		              TUI_COLOR_CURSOR);
	}
}

static void deploy_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct deploy_priv *p = v->priv;
	if (p->confirm)
		draw_confirm(c, p, y, h);
	else
		draw_targets(c, p, y, h);
}

/* Enter on a target: what would be deployed, for the confirm. */
static void pick(struct tui_ctx *c, struct deploy_priv *p)
{
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	options(c, &o);
	ry_deploy_plan_clear(&p->plan);
	if (ry_deploy_plan_get(c->st, p->spec, p->t[p->list.cur].name, &o, &p->plan) < 0) {
		tui_error(c, "%s", ry_error_last());
		return;
	}
	p->confirm = true;
}

static int deploy_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct deploy_priv *p = v->priv;
	tui_list_fit(&p->list, p->nt, p->list.height);
	if (!p->confirm && tui_list_action(&p->list, a, v->rows > 5 ? (size_t)v->rows - 5 : 1))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_ENTER: case TUI_ACT_DEPLOY: {
		if (!p->confirm) {
			pick(c, p);
			return TUI_REDRAW;
		}
		struct tui_deploy_req r = { TUI_DEPLOY_DEPLOY, p->spec, p->plan.target, 0 };
		if (!tui_deploy_slot_start(c, &r))
			return TUI_REDRAW; /* the reason is on the message line; the confirm stays */
		return TUI_POP | TUI_REDRAW;
	}
	case TUI_ACT_BACK: case TUI_ACT_ESCAPE:
		tui_msg(c, "not deployed");
		return TUI_POP | TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
}

static void deploy_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct deploy_priv *p = v->priv;
	(void)c;
	if (p->confirm)
		snprintf(out, n, " confirm: Enter deploys  Esc cancels");
	else
		snprintf(out, n, " %zu target%s  Enter picks  Esc cancels", p->nt, p->nt == 1 ? "" : "s");
}

const struct tui_view_ops tui_view_deploy = {
	.name = "deploy",
	.keymap = TUI_KM_REGISTRY,
	.open = deploy_open,
	.draw = deploy_draw,
	.action = deploy_action,
	.status = deploy_status,
	.done = deploy_done,
};

/* ---- the deployments pane ------------------------------------------------ */

struct deps_priv {
	ry_deployment *d;
	size_t n;
	struct tui_list list;   /* the cursor over deployments */
	int64_t undeploy_id;    /* the y/N question is about this one, 0 none */
};

static void deps_load(struct tui_ctx *c, struct deps_priv *p)
{
	int64_t keep = p->n && p->list.cur < p->n ? p->d[p->list.cur].id : 0;
	ry_deployments_free(p->d, p->n);
	p->d = NULL;
	p->n = 0;
	if (ry_deploy_list(c->st, true, &p->d, &p->n) < 0)
		tui_error(c, "%s", ry_error_last());
	p->list.cur = 0;
	for (size_t i = 0; keep && i < p->n; i++)
		if (p->d[i].id == keep)
			p->list.cur = i;
}

static int deps_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	struct deps_priv *p = ry_xcalloc(1, sizeof *p);
	(void)arg;
	v->priv = p;
	tui_list_init(&p->list, false);
	deps_load(c, p);
	tui_deploy_slot_refresh(c);
	return 0;
}

static void deps_done(struct tui_view *v, struct tui_ctx *c)
{
	struct deps_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	ry_deployments_free(p->d, p->n);
	free(p);
}

static void deps_reload(struct tui_view *v, struct tui_ctx *c)
{
	deps_load(c, v->priv);
}

static enum tui_color status_color(const ry_deployment *d)
{
	if (!strcmp(d->status, "ready"))
		return TUI_COLOR_DELTA_GOOD;
	if (!strcmp(d->status, "failed"))
		return TUI_COLOR_ERROR;
	if (!strcmp(d->status, "stopped"))
		return TUI_COLOR_DIM;
	return TUI_COLOR_DEFAULT;
}

static void deps_line(struct tui_ctx *c, const ry_deployment *d, double now, char *out, size_t n)
{
	char mv[256], mvf[160], tf[96], ef[192], age[32];
	snprintf(mv, sizeof mv, "%s@v%" PRId64 "%s%s%s", d->model, d->version, d->alias ? " (@" : "",
	         d->alias ? d->alias : "", d->alias ? ")" : "");
	tui_text_fit(mvf, sizeof mvf, mv, 30, true, false, c->utf8);
	tui_text_fit(tf, sizeof tf, d->target, 12, true, false, c->utf8);
	tui_text_fit(ef, sizeof ef, d->endpoint ? d->endpoint : "-", 40, true, false, c->utf8);
	ry_format_age(d->created, now, age, sizeof age);
	snprintf(out, n, "%-5" PRId64 " %s %s %-8s %s %s", d->id, mvf, tf, d->status, ef, age);
}

static void deps_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct deps_priv *p = v->priv;
	int w = c->cols - 2, row = y;
	double now = ry_now();
	char line[1024];
	const char *rl = tui_deploy_slot_refresh_line(c);
	double at = tui_deploy_slot_refreshed_at(c);
	if (tui_deploy_slot_refreshing(c))
		snprintf(line, sizeof line, "Deployments  (asking the targets...)");
	else if (at > 0)
		snprintf(line, sizeof line, "Deployments  (status asked %.0fs ago: %s)", ry_monotonic() - at, rl);
	else
		snprintf(line, sizeof line, "Deployments%s%s", rl[0] ? "  " : "", rl);
	tui_draw_text(c, row++, 1, w, line, TUI_COLOR_TITLE);
	snprintf(line, sizeof line, "%-5s %-30s %-12s %-8s %-40s %s", "ID", "MODEL@VERSION (ALIAS)", "TARGET", "STATUS",
	         "ENDPOINT", "AGE");
	tui_draw_text(c, row++, 1, w, line, TUI_COLOR_HEADER);
	if (!p->n) {
		tui_draw_text(c, row + 1, 2, w - 1, "No deployments yet. Open a model (Enter), put the cursor on a version "
		              "and press d.", TUI_COLOR_DIM);
		return;
	}
	/* The detail line of the deployment under the cursor (why it failed). */
	int rows = h - 4 > 1 ? h - 4 : 1;
	tui_list_fit(&p->list, p->n, (size_t)rows);
	for (int i = 0; i < rows && p->list.top + (size_t)i < p->n; i++) {
		size_t k = p->list.top + (size_t)i;
		enum tui_color e = k == p->list.cur ? TUI_COLOR_CURSOR : status_color(&p->d[k]);
		deps_line(c, &p->d[k], now, line, sizeof line);
		if (e == TUI_COLOR_CURSOR)
			tui_draw_fill(c, row + i, 1, w, e);
		tui_draw_text(c, row + i, 1, w, line, e);
	}
	const ry_deployment *cur = &p->d[p->list.cur];
	if (cur->detail && y + h - 1 > row) {
		snprintf(line, sizeof line, "#%" PRId64 ": %s", cur->id, cur->detail);
		tui_draw_text(c, y + h - 1, 1, w, line, strcmp(cur->status, "ready") ? TUI_COLOR_ERROR : TUI_COLOR_DIM);
	}
}

static int deps_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct deps_priv *p = v->priv;
	tui_list_fit(&p->list, p->n, p->list.height);
	if (tui_list_action(&p->list, a, v->rows > 5 ? (size_t)v->rows - 5 : 1))
		return TUI_REDRAW;
	const ry_deployment *d = p->n ? &p->d[p->list.cur] : NULL;
	switch (a) {
	case TUI_ACT_UNDEPLOY: {
		char label[512], mv[160];
		if (!d)
			return TUI_REDRAW;
		if (!strcmp(d->status, "stopped")) {
			tui_error(c, "deployment %" PRId64 " is already stopped", d->id);
			return TUI_REDRAW;
		}
		tui_text_fit(mv, sizeof mv, d->model, 40, false, false, c->utf8);
		snprintf(label, sizeof label, "stop deployment %" PRId64 " (%s v%" PRId64 " on %s, %s)? (y/N) ", d->id, mv,
		         d->version, d->target, d->status);
		p->undeploy_id = d->id;
		tui_prompt_open(c, v, TUI_PROMPT_CONFIRM, label, "");
		return TUI_REDRAW;
	}
	case TUI_ACT_DEPLOY_LOGS: case TUI_ACT_ENTER: {
		if (!d)
			return TUI_REDRAW;
		struct tui_deploy_req r = { TUI_DEPLOY_LOGS, NULL, NULL, d->id };
		tui_deploy_slot_start(c, &r);
		return TUI_REDRAW;
	}
	case TUI_ACT_REFRESH:
		tui_deploy_slot_refresh(c);
		return TUI_RELOAD;
	case TUI_ACT_DEPLOYMENTS:
		return TUI_REDRAW; /* already here */
	default:
		return TUI_UNHANDLED;
	}
}

static int deps_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                       bool cancel)
{
	struct deps_priv *p = v->priv;
	if (kind != TUI_PROMPT_CONFIRM || (!final && !cancel))
		return TUI_REDRAW;
	if (final && (text[0] == 'y' || text[0] == 'Y') && p->undeploy_id) {
		struct tui_deploy_req r = { TUI_DEPLOY_UNDEPLOY, NULL, NULL, p->undeploy_id };
		tui_deploy_slot_start(c, &r);
	} else {
		tui_msg(c, "not undeployed");
	}
	p->undeploy_id = 0;
	return TUI_REDRAW;
}

/* Ask the targets again every REFRESH_SECS while the pane is on top. */
static int deps_tick(struct tui_view *v, struct tui_ctx *c)
{
	(void)v;
	if (!tui_deploy_slot_refreshing(c) && ry_monotonic() - tui_deploy_slot_refreshed_at(c) >= REFRESH_SECS)
		tui_deploy_slot_refresh(c);
	return TUI_REDRAW; /* the ages and "asked Ns ago" */
}

static void deps_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct deps_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " deployment %zu/%zu  U undeploy  L log  C-l ask now  q back", p->n ? p->list.cur + 1 : 0,
	         p->n);
}

const struct tui_view_ops tui_view_deployments = {
	.name = "deployments",
	.keymap = TUI_KM_REGISTRY,
	.open = deps_open,
	.draw = deps_draw,
	.action = deps_action,
	.reload = deps_reload,
	.status = deps_status,
	.prompt = deps_prompt,
	.tick = deps_tick,
	.done = deps_done,
};
