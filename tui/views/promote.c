/*
 * The promote dialog (`P` on a run): a small form — model (picked from the
 * registered ones or typed new), artifact (the run's only one preselected),
 * alias, gate METRIC:max|min and a note — with a live preview of what the
 * alias move would do: the candidate's metric beside the current holder's,
 * computed by ry_registry_gate_preview, which changes nothing.  `P` (or
 * Enter on the Promote row) performs the promotion through
 * ry_registry_promote with the previewed holder as the compare-and-set
 * expectation, as a background job (work/job.h): promotion re-hashes the
 * artifact, seconds for a big model, and the screen stays live meanwhile.
 * The tick shows its progress and then the outcome; refusals and errors go
 * to the dialog and the message line, never further.  It does not edit or
 * delete registry entries.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/artifact.h"
#include "app/draw.h"
#include "text/text.h"
#include "registry/registry.h"
#include "runs/run.h"
#include "app/tui.h"
#include "work/job.h"

enum { F_MODEL, F_ARTIFACT, F_ALIAS, F_GATE, F_NOTE, F_CONFIRM, F_COUNT };

static const char *const field_label[F_COUNT] = {
	"Model", "Artifact", "Alias", "Gate", "Note", "",
};

#define NEW_MODEL_ITEM "+ new model name..."

struct promote_priv {
	int64_t run_id;
	char *run_name;
	ry_artifact *art;
	size_t nart;
	char *val[F_COUNT];           /* field texts (owned, never NULL) */
	int cur;
	/* The preview of the current fields. */
	bool have_preview;
	int preview_rc;
	char preview_err[512];
	ry_gate gate;
	char holder_run[128];
	/* The last promotion's outcome. */
	char result[2][512];
	bool result_error;
	/* The promotion running in the background, or NULL. */
	struct tui_job *job;
	char job_alias[128];          /* its alias and model, for the outcome lines */
	char job_model[128];
	double job_started;           /* ry_monotonic() */
};

static void set_field(struct promote_priv *p, int f, const char *text)
{
	free(p->val[f]);
	p->val[f] = ry_xstrdup(text ? text : "");
	/* An outcome shown for other fields would now mislead. */
	p->result[0][0] = p->result[1][0] = '\0';
}

/* Parse "METRIC:max|min"; false with a message for anything else. */
static bool parse_gate(const char *s, char *metric, size_t n, int *goal, char *err, size_t errn)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || (strcmp(colon + 1, "max") && strcmp(colon + 1, "min"))) {
		snprintf(err, errn, "gate '%s' is not METRIC:max or METRIC:min (e.g. val_acc:max)", s);
		return false;
	}
	snprintf(metric, n, "%.*s", (int)(colon - s), s);
	*goal = strcmp(colon + 1, "max") ? -1 : 1;
	return true;
}

/* Fill opts from the fields; false (message in err) if they cannot work. */
static bool fill_opts(struct promote_priv *p, ry_promote_opts *o, char *metric, size_t mn, char *err,
                      size_t errn)
{
	o->run_id = p->run_id;
	o->model = p->val[F_MODEL];
	o->artifact = p->val[F_ARTIFACT][0] ? p->val[F_ARTIFACT] : NULL;
	o->alias = p->val[F_ALIAS][0] ? p->val[F_ALIAS] : NULL;
	o->note = p->val[F_NOTE][0] ? p->val[F_NOTE] : NULL;
	if (!o->model[0]) {
		snprintf(err, errn, "choose a model: Enter on the Model row");
		return false;
	}
	if (!o->artifact && p->nart > 1) {
		snprintf(err, errn, "the run has %zu artifacts: Enter on the Artifact row picks one", p->nart);
		return false;
	}
	if (p->val[F_GATE][0]) {
		if (!o->alias) {
			snprintf(err, errn, "a gate needs an alias to move: fill in the Alias row");
			return false;
		}
		if (!parse_gate(p->val[F_GATE], metric, mn, &o->gate_goal, err, errn))
			return false;
		o->gate_metric = metric;
	}
	return true;
}

static void preview(struct tui_ctx *c, struct promote_priv *p)
{
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	char metric[128];
	p->have_preview = false;
	p->preview_err[0] = p->holder_run[0] = '\0';
	memset(&p->gate, 0, sizeof p->gate);
	if (!p->val[F_MODEL][0])
		return;
	if (!fill_opts(p, &o, metric, sizeof metric, p->preview_err, sizeof p->preview_err)) {
		p->have_preview = true;
		p->preview_rc = RY_EINVAL;
		return;
	}
	p->have_preview = true;
	p->preview_rc = ry_registry_gate_preview(c->st, &o, &p->gate);
	if (p->preview_rc < 0) {
		snprintf(p->preview_err, sizeof p->preview_err, "%s", ry_error_last());
		return;
	}
	if (p->gate.holder_run_id) {
		ry_run *r = NULL;
		if (ry_run_get(&r, c->st, p->gate.holder_run_id) == 0)
			snprintf(p->holder_run, sizeof p->holder_run, "%s", r->name ? r->name : "");
		ry_run_free(r);
	}
}

/* The last promotion's model, alias and gate are workspace settings, so the
 * next P (also after a restart) starts from them. */
static const char *const remembered_key[F_COUNT] = {
	[F_MODEL] = "tui.promote.model", [F_ALIAS] = "tui.promote.alias", [F_GATE] = "tui.promote.gate",
};

static void remembered_load(struct tui_ctx *c, struct promote_priv *p)
{
	for (int f = 0; f < F_COUNT; f++) {
		char *v = remembered_key[f] ? ry_store_setting_get(c->st, remembered_key[f]) : NULL;
		if (v)
			set_field(p, f, v);
		free(v);
	}
}

static void remembered_save(struct tui_ctx *c, struct promote_priv *p)
{
	for (int f = 0; f < F_COUNT; f++)
		if (remembered_key[f] && ry_store_setting_set(c->st, remembered_key[f], p->val[f]) < 0)
			tui_error(c, "%s", ry_error_last());
}

static int promote_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_promote_arg *a = arg;
	ry_run *r = NULL;
	if (ry_run_get(&r, c->st, (int64_t)a->run_id) < 0) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	struct promote_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	p->run_id = r->id;
	p->run_name = ry_xstrdup(r->name ? r->name : "");
	ry_run_free(r);
	for (int f = 0; f < F_COUNT; f++)
		p->val[f] = ry_xstrdup("");
	if (ry_artifact_list(c->st, p->run_id, &p->art, &p->nart) < 0) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	if (!p->nart) {
		char name[128];
		tui_text_fit(name, sizeof name, p->run_name, 40, false, false, c->utf8);
		tui_error(c, "run %s has no artifacts to promote: save a file into $RUNYARD_ARTIFACTS in the run", name);
		return -1;
	}
	if (p->nart == 1)
		set_field(p, F_ARTIFACT, p->art[0].path);
	remembered_load(c, p);
	return 0;
}

static void promote_done(struct tui_view *v, struct tui_ctx *c)
{
	struct promote_priv *p = v->priv;
	if (!p)
		return;
	/* Leaving mid-promotion: the app's job slot reports how it ends; if a
	 * launch holds it, wait here (the hash cannot be interrupted). */
	if (p->job && !c->job)
		c->job = p->job;
	else
		tui_job_free(p->job);
	for (int f = 0; f < F_COUNT; f++)
		free(p->val[f]);
	ry_artifacts_free(p->art, p->nart);
	free(p->run_name);
	free(p);
}

static void fmt_value(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "(none)");
	else
		snprintf(out, n, "%.6g", v);
}

static void promote_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct promote_priv *p = v->priv;
	int w = c->cols - 2, row = y;
	char line[1024];
	snprintf(line, sizeof line, "Promote run %s (#%lld) to the model registry", p->run_name,
	         (long long)p->run_id);
	tui_draw_text(c, row++, 1, w, line, TUI_COLOR_TITLE);
	row++;
	for (int f = 0; f < F_COUNT; f++, row++) {
		enum tui_color e = f == p->cur ? TUI_COLOR_CURSOR : TUI_COLOR_DEFAULT;
		if (f == F_CONFIRM) {
			snprintf(line, sizeof line, "[ Promote ]  (P or Enter here; q cancels)");
		} else {
			const char *hint = "";
			if (!p->val[f][0]) {
				hint = f == F_MODEL ? "(Enter: pick or type a name)"
				     : f == F_ARTIFACT ? "(Enter: pick one of the run's artifacts)"
				     : f == F_ALIAS ? "(optional: staging, champion, ...)"
				     : f == F_GATE ? "(optional: METRIC:max or METRIC:min)"
				     : "(optional: why)";
			}
			snprintf(line, sizeof line, "%-9s %s%s", field_label[f], p->val[f], hint);
		}
		tui_draw_fill(c, row, 1, w, e);
		tui_draw_text(c, row, 2, w - 1, line,
		              p->val[f][0] || f == F_CONFIRM || f == p->cur ? e : TUI_COLOR_DIM);
	}
	row++;
	if (row >= y + h)
		return;
	if (p->have_preview && p->preview_rc < 0) {
		tui_draw_text(c, row++, 2, w - 1, p->preview_err, TUI_COLOR_ERROR);
	} else if (p->have_preview && p->val[F_ALIAS][0]) {
		const ry_gate *g = &p->gate;
		char cand[64], hold[64], hv[160];
		if (g->holder_version)
			snprintf(hv, sizeof hv, "v%lld%s%s%s", (long long)g->holder_version,
			         p->holder_run[0] ? " (run " : "", p->holder_run, p->holder_run[0] ? ")" : "");
		else
			snprintf(hv, sizeof hv, "unset");
		snprintf(line, sizeof line, "@%s now holds %s", p->val[F_ALIAS], hv);
		tui_draw_text(c, row++, 2, w - 1, line, TUI_COLOR_DEFAULT);
		if (g->gated && row + 3 < y + h) {
			fmt_value(g->candidate, cand, sizeof cand);
			fmt_value(g->holder, hold, sizeof hold);
			snprintf(line, sizeof line, "%-24s %-24s %-24s", "gate", "candidate", "holder");
			tui_draw_text(c, row++, 2, w - 1, line, TUI_COLOR_HEADER);
			/* Cells are cut by tui_text_fit so a cut name ends in "…". */
			char cl[4 * 24 + 1], hl[4 * 24 + 1], ml[160], mc[4 * 24 + 1];
			tui_text_fit(cl, sizeof cl, p->run_name, 24, true, false, c->utf8);
			tui_text_fit(hl, sizeof hl, g->holder_version ? hv : "(no holder)", 24, true, false, c->utf8);
			snprintf(line, sizeof line, "%-24s %s %s", "", cl, hl);
			tui_draw_text(c, row++, 2, w - 1, line, TUI_COLOR_DIM);
			snprintf(ml, sizeof ml, "%s (%s)", g->metric, ry_metric_goal_name(g->goal));
			tui_text_fit(mc, sizeof mc, ml, 24, true, false, c->utf8);
			snprintf(line, sizeof line, "%s %-24s %-24s", mc, cand, hold);
			tui_draw_text(c, row++, 2, w - 1, line, TUI_COLOR_DEFAULT);
			snprintf(line, sizeof line, "%s: %s", g->passes ? "would move" : "would refuse", g->reason);
			tui_draw_text(c, row++, 2, w - 1, line, g->passes ? TUI_COLOR_DELTA_GOOD : TUI_COLOR_ERROR);
		} else if (g->candidate_version && row < y + h) {
			snprintf(line, sizeof line, "this artifact is already v%lld of the model",
			         (long long)g->candidate_version);
			tui_draw_text(c, row++, 2, w - 1, line, TUI_COLOR_DIM);
		}
	}
	row++;
	for (int i = 0; i < 2 && row < y + h; i++)
		if (p->result[i][0])
			tui_draw_text(c, row++, 2, w - 1, p->result[i],
			              p->result_error ? TUI_COLOR_ERROR : TUI_COLOR_DELTA_GOOD);
}

static void perform(struct tui_ctx *c, struct promote_priv *p)
{
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	char metric[128], err[512];
	if (p->job) {
		tui_msg(c, "a promotion is already running");
		return;
	}
	p->result[0][0] = p->result[1][0] = '\0';
	p->result_error = true;
	/* Invalid fields are already explained by the preview line: the
	 * message line says it again for whoever looks only there. */
	if (!fill_opts(p, &o, metric, sizeof metric, err, sizeof err)) {
		tui_error(c, "not promoted: %.400s", err);
		return;
	}
	/* Refresh the preview so the compare-and-set expects what was shown. */
	preview(c, p);
	if (p->preview_rc < 0) {
		tui_error(c, "not promoted: %.400s", p->preview_err);
		return;
	}
	if (o.alias)
		o.expect_holder = p->gate.holder_version;
	p->job = tui_job_promote(ry_store_path(c->st), &o, err, sizeof err);
	if (!p->job) {
		snprintf(p->result[0], sizeof p->result[0], "not promoted: %.400s", err);
		tui_error(c, "not promoted: %.400s", err);
		return;
	}
	snprintf(p->job_alias, sizeof p->job_alias, "%s", o.alias ? o.alias : "");
	snprintf(p->job_model, sizeof p->job_model, "%s", o.model);
	p->job_started = ry_monotonic();
	p->result_error = false;
	snprintf(p->result[0], sizeof p->result[0], "promoting: verifying the artifact's sha256...");
}

/* The finished job's outcome, into the dialog and the message line. */
static void performed(struct tui_ctx *c, struct promote_priv *p, int rc, const char *line)
{
	ry_promote_result res;
	const char *alias = p->job_alias[0] ? p->job_alias : NULL;
	memset(&res, 0, sizeof res);
	tui_job_promote_result(p->job, &res);
	tui_job_free(p->job);
	p->job = NULL;
	p->result[0][0] = p->result[1][0] = '\0';
	p->result_error = true;
	if (rc < 0 && rc != RY_EREFUSED) {
		snprintf(p->result[0], sizeof p->result[0], "%s", line);
		tui_error(c, "%s", line);
		return;
	}
	if (res.version)
		remembered_save(c, p);
	if (res.version)
		snprintf(p->result[0], sizeof p->result[0], "%s %s version %lld (%s, sha256 %.12s)",
		         res.existing ? "already registered:" : "registered", p->job_model, (long long)res.version,
		         res.artifact, res.sha256);
	if (rc == RY_EREFUSED) {
		char cand[64], hold[64];
		fmt_value(res.gate.candidate, cand, sizeof cand);
		fmt_value(res.gate.holder, hold, sizeof hold);
		if (res.gate.gated)
			snprintf(p->result[1], sizeof p->result[1], "@%s not moved: %s %s candidate %s vs holder v%lld %s",
			         alias, res.gate.metric, ry_metric_goal_name(res.gate.goal), cand,
			         (long long)res.gate.holder_version, hold);
		else
			snprintf(p->result[1], sizeof p->result[1], "@%s not moved: %.300s", alias, line);
		tui_error(c, "%s", line);
		preview(c, p);
		return;
	}
	p->result_error = false;
	if (alias && res.alias_moved) {
		if (res.alias_from)
			snprintf(p->result[1], sizeof p->result[1], "@%s moved v%lld -> v%lld", alias,
			         (long long)res.alias_from, (long long)res.version);
		else
			snprintf(p->result[1], sizeof p->result[1], "@%s set -> v%lld", alias, (long long)res.version);
	} else if (alias) {
		snprintf(p->result[1], sizeof p->result[1], "@%s already on v%lld", alias, (long long)res.version);
	}
	tui_msg(c, "%s", p->result[0]);
	preview(c, p);
}

/* The promotion's progress while it runs, its outcome once it ends. */
static int promote_tick(struct tui_view *v, struct tui_ctx *c)
{
	struct promote_priv *p = v->priv;
	char progress[128], line[512];
	int rc;
	if (!p->job)
		return 0;
	if (tui_job_poll(p->job, progress, sizeof progress, line, sizeof line, &rc)) {
		performed(c, p, rc, line);
		return TUI_REDRAW;
	}
	snprintf(p->result[0], sizeof p->result[0], "promoting: %s... %.0fs", progress,
	         ry_monotonic() - p->job_started);
	p->result_error = false;
	return TUI_REDRAW;
}

/* Model picker's answer: a registered name, or "new" which asks for one. */
static void model_picked(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	struct promote_priv *p = owner->priv;
	if (!n)
		return;
	if (!strcmp(chosen[0], NEW_MODEL_ITEM)) {
		tui_prompt_open(c, owner, TUI_PROMPT_FIELD, "new model: ", "");
		return;
	}
	set_field(p, F_MODEL, chosen[0]);
	preview(c, p);
}

static void artifact_picked(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	struct promote_priv *p = owner->priv;
	if (!n)
		return;
	set_field(p, F_ARTIFACT, chosen[0]);
	preview(c, p);
}

static void edit_field(struct tui_view *v, struct tui_ctx *c, struct promote_priv *p)
{
	switch (p->cur) {
	case F_MODEL: {
		ry_model *m = NULL;
		size_t n = 0;
		if (ry_registry_models(c->st, &m, &n) < 0) {
			tui_error(c, "%s", ry_error_last());
			return;
		}
		if (!n) {
			tui_prompt_open(c, v, TUI_PROMPT_FIELD, "new model: ", p->val[F_MODEL]);
			return;
		}
		const char **items = ry_xcalloc(n + 1, sizeof *items);
		size_t cur = 0;
		for (size_t i = 0; i < n; i++) {
			items[i] = m[i].name;
			if (!strcmp(m[i].name, p->val[F_MODEL]))
				cur = i;
		}
		items[n] = NEW_MODEL_ITEM;
		struct tui_picker_arg a = { "Promote to which model?", items, n + 1, NULL, false, cur,
		                            model_picked, v, false };
		tui_view_push(c, &tui_view_picker, &a);
		free(items);
		ry_models_free(m, n);
		return;
	}
	case F_ARTIFACT: {
		const char **items = ry_xcalloc(p->nart + 1, sizeof *items);
		size_t cur = 0;
		for (size_t i = 0; i < p->nart; i++) {
			items[i] = p->art[i].path;
			if (!strcmp(p->art[i].path, p->val[F_ARTIFACT]))
				cur = i;
		}
		struct tui_picker_arg a = { "Which artifact of the run?", items, p->nart, NULL, false, cur,
		                            artifact_picked, v, false };
		tui_view_push(c, &tui_view_picker, &a);
		free(items);
		return;
	}
	case F_ALIAS: case F_GATE: case F_NOTE: {
		char label[32];
		snprintf(label, sizeof label, "%s: ", p->cur == F_ALIAS ? "alias" : p->cur == F_GATE ? "gate" : "note");
		tui_prompt_open(c, v, TUI_PROMPT_FIELD, label, p->val[p->cur]);
		return;
	}
	case F_CONFIRM:
		perform(c, p);
		return;
	}
}

static int promote_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct promote_priv *p = v->priv;
	if (tui_field_move(&p->cur, F_COUNT, a))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_ENTER:
		edit_field(v, c, p);
		return TUI_REDRAW;
	case TUI_ACT_PROMOTE:
		perform(c, p);
		return TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
}

static int promote_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                          bool cancel)
{
	struct promote_priv *p = v->priv;
	if (kind != TUI_PROMPT_FIELD || !final || cancel)
		return TUI_REDRAW;
	if (p->cur == F_MODEL && text[0] && ry_registry_check_model_name(text) < 0) {
		tui_error(c, "%s", ry_error_last());
		return TUI_REDRAW;
	}
	if (p->cur == F_ALIAS && text[0] && ry_registry_check_alias_name(text[0] == '@' ? text + 1 : text) < 0) {
		tui_error(c, "%s", ry_error_last());
		return TUI_REDRAW;
	}
	set_field(p, p->cur, p->cur == F_ALIAS && text[0] == '@' ? text + 1 : text);
	preview(c, p);
	if (p->preview_rc < 0 && p->have_preview)
		tui_error(c, "%s", p->preview_err);
	return TUI_REDRAW;
}

static void promote_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct promote_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " %zu artifact%s  Enter edits  P promotes  q cancels", p->nart, p->nart == 1 ? "" : "s");
}

static void promote_reload(struct tui_view *v, struct tui_ctx *c)
{
	preview(c, v->priv);
}

const struct tui_view_ops tui_view_promote = {
	.name = "promote",
	.keymap = TUI_KM_PROMOTE,
	.open = promote_open,
	.draw = promote_draw,
	.action = promote_action,
	.reload = promote_reload,
	.status = promote_status,
	.prompt = promote_prompt,
	.tick = promote_tick,
	.done = promote_done,
};
