/*
 * The launch dialog (`L`): command, host (picked from the inventory), GPU
 * count, time limit and name, with the cost estimate (rate, expected
 * duration and its basis, expected cost, max cost at the time limit,
 * budget) recomputed whenever a field changes, before anything starts.
 * Confirming hands the launch to a background job (job.h) and closes; the
 * progress and the result appear in the message line and the new run in
 * the runs table.  It does not probe hosts: GPU availability is checked by
 * the launch itself.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/draw.h"
#include "text/present.h"
#include "work/job.h"
#include "app/tui.h"

enum { F_COMMAND, F_HOST, F_GPUS, F_LIMIT, F_NAME, F_LAUNCH, F_COUNT };

static const char *const field_label[F_COUNT] = {
	"command", "host", "GPUs", "time limit", "name", "",
};

struct launch_priv {
	char *experiment;
	char *field[F_COUNT];
	ry_inventory *inv;       /* the hosts (p->hosts, lent from it) */
	ry_host *hosts;
	size_t nhosts;
	int cur;
	bool have_est;
	ry_cost_estimate est;
	char est_error[512];
};

static void set_field(struct launch_priv *p, int f, const char *s)
{
	free(p->field[f]);
	p->field[f] = ry_xstrdup(s ? s : "");
}

/* The GPU count as the CLI reads it: "" means the host default. */
static int gpus_of(const struct launch_priv *p)
{
	const char *s = p->field[F_GPUS];
	if (!*s)
		return -1;
	return atoi(s);
}

static void estimate(struct tui_ctx *c, struct launch_priv *p)
{
	size_t nw = 0;
	char **w;
	char *cmd;
	double limit = 0;
	ry_host *h = ry_hosts_find(p->hosts, p->nhosts, p->field[F_HOST]);
	p->have_est = false;
	p->est_error[0] = '\0';
	if (!h) {
		snprintf(p->est_error, sizeof p->est_error, "pick a host (Enter on the host field)");
		return;
	}
	if (*p->field[F_LIMIT] && (!ry_parse_duration(p->field[F_LIMIT], &limit) || limit < 0)) {
		snprintf(p->est_error, sizeof p->est_error, "time limit: give a duration like 90m, 2h or 3600");
		return;
	}
	int g = gpus_of(p);
	if (*p->field[F_GPUS] && (g < 0 || g > 1024 || strspn(p->field[F_GPUS], "0123456789") != strlen(p->field[F_GPUS]))) {
		snprintf(p->est_error, sizeof p->est_error, "GPUs: give a count (0, 1, 2, ...) or leave it empty");
		return;
	}
	if (g < 0)
		g = h->gpu_price_per_hour > 0 ? 1 : 0; /* what `runyard launch` assumes */
	if (!(w = tui_job_split_command(p->field[F_COMMAND], &nw)) || !nw) {
		snprintf(p->est_error, sizeof p->est_error, "command: empty or an unterminated quote");
		if (w)
			free(w);
		return;
	}
	cmd = ry_launch_command_line(w);
	ry_strings_free(w, nw);
	if (ry_cost_estimate_run(&p->est, c->st, c->cfg, p->hosts, p->nhosts, h, p->experiment, cmd, g, limit))
		snprintf(p->est_error, sizeof p->est_error, "%s", ry_error_last());
	else
		p->have_est = true;
	free(cmd);
}

static int launch_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_launch_arg *a = arg;
	struct launch_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	for (int f = 0; f < F_COUNT; f++)
		p->field[f] = ry_xstrdup("");
	p->experiment = ry_xstrdup(a && a->experiment ? a->experiment : "default");
	if (ry_inventory_open(&p->inv, c->st, c->cfg)) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	p->hosts = ry_inventory_hosts(p->inv, &p->nhosts);
	if (!p->nhosts) {
		tui_error(c, "no hosts to launch on: add Host entries to ~/.ssh/config or [host NAME] to runyard's config");
		return -1;
	}
	set_field(p, F_COMMAND, a && a->command ? a->command : "");
	set_field(p, F_HOST, a && a->host && ry_hosts_find(p->hosts, p->nhosts, a->host) ? a->host : p->hosts[0].name);
	estimate(c, p);
	return 0;
}

static void launch_done(struct tui_view *v, struct tui_ctx *c)
{
	struct launch_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	for (int f = 0; f < F_COUNT; f++)
		free(p->field[f]);
	free(p->experiment);
	ry_inventory_free(p->inv);
	free(p);
}

static void launch_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct launch_priv *p = v->priv;
	char buf[1024];
	int row = y;
	const ry_host *host = ry_hosts_find(p->hosts, p->nhosts, p->field[F_HOST]);
	for (int r = 0; r < h; r++)
		tui_draw_fill(c, y + r, 0, c->cols, TUI_COLOR_DEFAULT);
	snprintf(buf, sizeof buf, "Launch in experiment %s", p->experiment);
	tui_draw_text(c, row++, 0, c->cols, buf, TUI_COLOR_HEADER);
	row++;
	for (int f = 0; f < F_COUNT; f++) {
		enum tui_color e = f == p->cur ? TUI_COLOR_CURSOR : TUI_COLOR_DEFAULT;
		if (f == F_LAUNCH) {
			bool blocked = p->have_est && p->est.over_budget && p->est.block_mode;
			snprintf(buf, sizeof buf, "  %s", blocked ? "[ blocked by the budget ]" : "[ Launch ]");
		} else {
			const char *val = p->field[f];
			if (!*val)
				val = f == F_GPUS ? "(host default)" : f == F_LIMIT ? "(none)" : f == F_NAME ? "(generated)" : "";
			snprintf(buf, sizeof buf, "  %-11s %s", field_label[f], val);
		}
		tui_draw_text(c, row++, 0, c->cols, buf, e);
	}
	row++;
	if (!p->have_est) {
		tui_draw_text(c, row++, 0, c->cols, p->est_error, TUI_COLOR_ERROR);
		return;
	}
	struct tui_present_line l[TUI_PRESENT_ESTIMATE_LINES];
	size_t nl = tui_present_estimate(l, &p->est, host);
	for (size_t i = 0; i < nl; i++)
		tui_draw_text(c, row++, 0, c->cols, l[i].text,
		              l[i].kind == TUI_PRESENT_TITLE   ? TUI_COLOR_HEADER
		              : l[i].kind == TUI_PRESENT_ALERT ? TUI_COLOR_ERROR
		                                               : TUI_COLOR_DEFAULT);
	if (*tui_present_budget_fix(&p->est, true) && row < y + h) {
		/* the remedy in this dialog's words: its fields, not the CLI's flags */
		snprintf(buf, sizeof buf, "  to fit the budget: %s", tui_present_budget_fix(&p->est, true));
		tui_draw_text(c, row++, 0, c->cols, buf, TUI_COLOR_ERROR);
	}
	row++;
	if (row < y + h)
		tui_draw_text(c, row, 0, c->cols, "Enter edits a field (the host: pick from a list); Enter on [ Launch ] starts it; q closes",
		              TUI_COLOR_DIM);
}

static void host_picked(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	struct launch_priv *p = owner->priv;
	if (n) {
		set_field(p, F_HOST, chosen[0]);
		estimate(c, p);
	}
}

static int start(struct tui_ctx *c, struct launch_priv *p)
{
	struct tui_launch_req r;
	double limit = 0;
	char msg[256];
	if (!p->have_est) {
		tui_error(c, "cannot launch: %s", p->est_error);
		return TUI_REDRAW;
	}
	if (p->est.over_budget && p->est.block_mode) {
		const char *fix = tui_present_budget_fix(&p->est, true);
		tui_error(c, "not launched: over budget (budget_mode = block): %s%s%s", p->est.budget_msg,
		          *fix ? "; " : "", fix);
		return TUI_REDRAW;
	}
	if (c->job) {
		tui_error(c, "a %s is still running; wait for it", tui_job_what(c->job));
		return TUI_REDRAW;
	}
	if (*p->field[F_LIMIT])
		ry_parse_duration(p->field[F_LIMIT], &limit);
	r.experiment = p->experiment;
	r.command = p->field[F_COMMAND];
	r.host = p->field[F_HOST];
	r.ngpus = *p->field[F_GPUS] ? atoi(p->field[F_GPUS]) : -1;
	r.time_limit = limit;
	r.name = p->field[F_NAME];
	if (!(c->job = tui_job_launch(ry_store_path(c->st), &r, c->askpass, msg, sizeof msg))) {
		tui_error(c, "%s", msg);
		return TUI_REDRAW;
	}
	tui_msg(c, "launch: starting");
	return TUI_POP | TUI_REDRAW;
}

static int launch_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct launch_priv *p = v->priv;
	if (tui_field_move(&p->cur, F_COUNT, a))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_LAUNCH:
		return start(c, p);
	case TUI_ACT_ENTER:
		if (p->cur == F_LAUNCH)
			return start(c, p);
		if (p->cur == F_HOST) {
			const char **items = ry_xcalloc(p->nhosts, sizeof *items);
			size_t cur = 0;
			for (size_t i = 0; i < p->nhosts; i++) {
				items[i] = p->hosts[i].name;
				if (!strcmp(items[i], p->field[F_HOST]))
					cur = i;
			}
			struct tui_picker_arg pa = { "host", items, p->nhosts, NULL, false, cur, host_picked, v, false };
			tui_view_push(c, &tui_view_picker, &pa);
			free(items);
			return TUI_REDRAW;
		}
		{
			char label[32];
			snprintf(label, sizeof label, "%s: ", field_label[p->cur]);
			tui_prompt_open(c, v, TUI_PROMPT_FIELD, label, p->field[p->cur]);
		}
		return TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
}

static int launch_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                         bool cancel)
{
	struct launch_priv *p = v->priv;
	if (kind != TUI_PROMPT_FIELD || !final || cancel)
		return TUI_REDRAW;
	set_field(p, p->cur, text);
	estimate(c, p);
	return TUI_REDRAW;
}

static void launch_reload(struct tui_view *v, struct tui_ctx *c)
{
	estimate(c, v->priv); /* history and month spend may have moved */
}

static void launch_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct launch_priv *p = v->priv;
	(void)c;
	snprintf(out, n, "launch on %s", p->field[F_HOST]);
}

const struct tui_view_ops tui_view_launch = {
	.name = "launch",
	.keymap = TUI_KM_LAUNCH,
	.open = launch_open,
	.draw = launch_draw,
	.action = launch_action,
	.reload = launch_reload,
	.prompt = launch_prompt,
	.status = launch_status,
	.done = launch_done,
};
