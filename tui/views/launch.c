/*
 * The launch dialog (`L`): command, host (picked from the inventory), GPU
 * count, time limit and name, with the cost estimate (rate, expected
 * duration and its basis, expected cost, max cost at the time limit,
 * budget) recomputed whenever a field changes, before anything starts.
 * Confirming hands the launch to a background job (job.h) and closes; the
 * progress and the result appear in the message line and the new run in
 * the runs table.  GPUs are checked as `runyard launch --estimate` checks
 * them, in core's words: more than the host's max_gpus is refused at once,
 * more than are free warns, from a probe of the chosen host made in the
 * background (a demo host answers with its canned probe) before any
 * connection to launch; the launch itself checks again.
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
	struct tui_job *probe;   /* the probe of probe_host running, or NULL */
	char *probe_host;        /* the host probed last (or being probed) */
	ry_host *probed;         /* its answer (an array of one, owned), NULL until it comes */
	ry_launch_gpu_check gpu; /* the GPU count against `probed` */
};

/* How long the dialog's probe may take; as the CLI's estimate waits. */
#define PROBE_MS 5000

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

/* Probe host h in the background, unless it is the one probed already. */
static void probe_host(struct tui_ctx *c, struct launch_priv *p, const ry_host *h)
{
	char msg[256];
	if (p->probe_host && !strcmp(p->probe_host, h->name))
		return;
	tui_job_free(p->probe); /* a probe of the host picked before: cancelled */
	p->probe = NULL;
	ry_hosts_free(p->probed, 1);
	p->probed = NULL;
	free(p->probe_host);
	p->probe_host = ry_xstrdup(h->name);
	ry_host *one = ry_xcalloc(1, sizeof *one), *copy = ry_host_copy(h);
	*one = *copy; /* an array of one, as the job and ry_hosts_free want */
	free(copy);
	p->probe = tui_job_probe(one, 1, ry_inventory_sshconfig(p->inv), PROBE_MS, c->askpass, msg, sizeof msg);
	if (!p->probe)
		tui_error(c, "free GPUs not checked: %s", msg);
}

/* The probe's answer, once it came; true when it did. */
static bool probe_collect(struct launch_priv *p)
{
	ry_host *hosts;
	size_t n;
	bool asked;
	if (!p->probe || !tui_job_probe_take(p->probe, &hosts, &n, &asked))
		return false;
	tui_job_free(p->probe);
	p->probe = NULL;
	ry_hosts_free(p->probed, 1);
	p->probed = hosts; /* one host was asked: one comes back */
	if (n != 1) {
		ry_hosts_free(hosts, n);
		p->probed = NULL;
	}
	return true;
}

/* The free-GPU check of g GPUs on h: from its probe, or asked for. */
static void gpu_check(struct tui_ctx *c, struct launch_priv *p, const ry_host *h, int g)
{
	ry_launch_gpu_check_clear(&p->gpu);
	if (g <= 0)
		return; /* none asked needs none free */
	probe_host(c, p, h);
	if (p->probed)
		ry_launch_gpu_check_from(&p->gpu, p->probed, g);
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
	if (ry_launch_check_gpus(h, g)) { /* refused before any connection, in the CLI's words */
		ry_launch_gpu_check_clear(&p->gpu);
		snprintf(p->est_error, sizeof p->est_error, "%s", ry_error_last());
		return;
	}
	gpu_check(c, p, h, g);
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
	tui_job_free(p->probe); /* cancels a probe still running and waits for it */
	ry_hosts_free(p->probed, 1);
	free(p->probe_host);
	ry_launch_gpu_check_clear(&p->gpu);
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
	if (p->gpu.fact && row < y + h) {
		/* too few free: warned (the launch refuses then), the remedy in the dialog's words */
		snprintf(buf, sizeof buf, "  warning: %s; set fewer 'GPUs', pick another 'host' or wait", p->gpu.fact);
		tui_draw_text(c, row++, 0, c->cols, buf, TUI_COLOR_ERROR);
	} else if (p->gpu.message && row < y + h) {
		snprintf(buf, sizeof buf, "  %s", p->gpu.message); /* unknown: the probe's reason */
		tui_draw_text(c, row++, 0, c->cols, buf, TUI_COLOR_DIM);
	} else if (p->gpu.verdict && row < y + h) {
		snprintf(buf, sizeof buf, "  free GPUs on %s: %d", host ? host->name : "?", p->gpu.free);
		tui_draw_text(c, row++, 0, c->cols, buf, TUI_COLOR_DEFAULT);
	} else if (p->probe && row < y + h) {
		snprintf(buf, sizeof buf, "  free GPUs on %s: checking...", p->probe_host);
		tui_draw_text(c, row++, 0, c->cols, buf, TUI_COLOR_DIM);
	}
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

static int launch_tick(struct tui_view *v, struct tui_ctx *c)
{
	struct launch_priv *p = v->priv;
	if (!probe_collect(p))
		return 0;
	estimate(c, p);
	return TUI_REDRAW;
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
	.tick = launch_tick,
	.prompt = launch_prompt,
	.status = launch_status,
	.done = launch_done,
};
