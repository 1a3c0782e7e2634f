/*
 * The text both front ends print through: the cost estimate, a host's
 * price and probe summary, money.  Each wording lives here once; the CLI
 * prints the lines, the app draws them with a colour per kind.  It does no
 * I/O and does not sanitise (the printing side does), and it computes
 * nothing: the numbers come from core (cost.h, hosts.h) as they are.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text/present.h"
#include "base/util.h"

void tui_present_money(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "unknown");
	else
		snprintf(out, n, "$%.2f", v);
}

void tui_present_run_cost(char *out, size_t n, double cost, double rate)
{
	if (isfinite(cost) && rate > 0)
		snprintf(out, n, "$%.2f at $%.2f/h", cost, rate);
	else if (isfinite(cost))
		snprintf(out, n, "$%.2f", cost);
	else
		snprintf(out, n, "-");
}

const char *tui_present_summary_name(enum tui_present_summary which)
{
	static const char *const names[TUI_PRESENT_NSUMMARY] = { "experiment", "status", "host", "duration", "cost" };
	return (unsigned)which < TUI_PRESENT_NSUMMARY ? names[which] : "";
}

void tui_present_summary(char *out, size_t n, const ry_run *r, enum tui_present_summary which, double now)
{
	const char *text = NULL;
	double v;
	switch (which) {
	case TUI_PRESENT_EXPERIMENT: text = r->experiment; break;
	case TUI_PRESENT_STATUS: text = r->status; break;
	case TUI_PRESENT_HOST: text = r->host; break;
	case TUI_PRESENT_DURATION:
		v = ry_run_duration(r, now);
		if (isfinite(v)) {
			ry_format_duration(v, out, n);
			return;
		}
		break;
	case TUI_PRESENT_COST:
		tui_present_run_cost(out, n, ry_run_cost(r, now), 0);
		return;
	case TUI_PRESENT_NSUMMARY: break;
	}
	snprintf(out, n, "%s", text && *text ? text : "-");
}

void tui_present_price(char *out, size_t n, const ry_host *h)
{
	if (h->gpu_price_per_hour > 0)
		snprintf(out, n, "$%.2f/h + $%.2f/GPU-h", h->price_per_hour, h->gpu_price_per_hour);
	else
		snprintf(out, n, "$%.2f/h", h->price_per_hour);
}

void tui_present_gpu_state(char *out, size_t n, const ry_gpu *g)
{
	if (g->lease_run)
		snprintf(out, n, "leased by run %.8s (%s)%s", g->lease_run, g->lease_user ? g->lease_user : "?",
		         g->nprocs ? ", in use" : "");
	else if (g->nprocs)
		snprintf(out, n, "busy: %s (%d process%s)", g->users ? g->users : "?", g->nprocs,
		         g->nprocs == 1 ? "" : "es");
	else
		snprintf(out, n, "%s", ry_gpu_is_free(g) ? "free" : "in use");
}

void tui_present_slurm_partition(char *out, size_t n, const ry_slurm_partition *p)
{
	snprintf(out, n, "partition %s: nodes %d idle, %d allocated, %d other; GPUs %d/%d allocated", p->name,
	         p->nodes_idle, p->nodes_alloc, p->nodes_other, p->gpus_alloc, p->gpus_total);
}

void tui_present_slurm_job(char *out, size_t n, const ry_slurm_job *j)
{
	bool why = j->reason && *j->reason && strcmp(j->reason, "None");
	snprintf(out, n, "job %s %s  %s%s%s%s  %s  %s", j->id, j->name, j->state, why ? " (" : "", why ? j->reason : "",
	         why ? ")" : "", j->partition, j->elapsed);
}

void tui_present_host_status(char *out, size_t n, const ry_host *h)
{
	char mem[32], disk[32];
	/* a demo host's probe is canned, not a connection: never "ok (0.00s)" */
	char ok[32];
	if (!h->probed) {
		snprintf(out, n, "%s", h->simulated ? "simulated, not probed" : "not probed");
		return;
	}
	if (h->simulated)
		snprintf(ok, sizeof ok, "simulated");
	else
		snprintf(ok, sizeof ok, "ok (%.2fs)", h->probe_secs);
	if (h->probe_rc) {
		snprintf(out, n, "unreachable (%s)", ry_ssh_fail_name(h->fail));
		return;
	}
	ry_format_bytes(h->mem_avail_kb < 0 ? -1 : h->mem_avail_kb * 1024, mem, sizeof mem);
	ry_format_bytes(h->disk_free_kb < 0 ? -1 : h->disk_free_kb * 1024, disk, sizeof disk);
	if (h->has_nvidia) {
		int nfree = 0;
		for (size_t i = 0; i < h->ngpus; i++)
			nfree += ry_gpu_is_free(&h->gpus[i]);
		snprintf(out, n, "%s  %zu GPUs, %d free  %d CPUs  load %.2f  mem %s free  disk %s free",
		         ok, h->ngpus, nfree, h->ncpu, h->load1, mem, disk);
	} else {
		snprintf(out, n, "%s  CPU host  %d CPUs  load %.2f  mem %s free  disk %s free", ok,
		         h->ncpu, h->load1, mem, disk);
	}
}

void tui_present_budget(char *out, size_t n, const ry_cost_estimate *e)
{
	if (!e->over_budget)
		snprintf(out, n, "%s", "");
	else
		snprintf(out, n, "%s over budget: %s", e->block_mode ? "blocked:" : "warning:", e->budget_msg);
}

const char *tui_present_budget_fix(const ry_cost_estimate *e, bool dialog)
{
	if (!e->over_budget)
		return "";
	switch (e->budget_fix) {
	case RY_COST_FIX_SHORTER:
		return dialog ? "set a shorter 'time limit' or fewer 'GPUs'" : "set a shorter --time-limit or fewer --gpus";
	case RY_COST_FIX_LIMIT:
		return dialog ? "fill in 'time limit'" : "set --time-limit";
	case RY_COST_FIX_NONE:
		break;
	}
	return "";
}

/* The next line of out[], of kind k, its text cleared. */
static char *next(struct tui_present_line *out, size_t *i, enum tui_present_kind k)
{
	out[*i].kind = k;
	out[*i].text[0] = '\0';
	return out[(*i)++].text;
}

size_t tui_present_estimate(struct tui_present_line *out, const ry_cost_estimate *e, const ry_host *h)
{
	const size_t n = TUI_PRESENT_LINE_MAX;
	size_t i = 0;
	char a[32], d[32], *t;

	t = next(out, &i, TUI_PRESENT_TITLE);
	snprintf(t, n, "Estimate%s%s with %d GPU%s:", h ? " for " : "", h ? h->name : "", e->gpus,
	         e->gpus == 1 ? "" : "s");
	t = next(out, &i, TUI_PRESENT_BODY);
	if (h && e->gpus > 0 && h->gpu_price_per_hour > 0)
		snprintf(t, n, "  rate           $%.2f/h  ($%.2f/h + %d x $%.2f/GPU-h)", e->rate, h->price_per_hour,
		         e->gpus, h->gpu_price_per_hour);
	else
		snprintf(t, n, "  rate           $%.2f/h", e->rate);
	if (isnan(e->expected_secs))
		snprintf(d, sizeof d, "unknown");
	else
		ry_format_duration(e->expected_secs, d, sizeof d);
	snprintf(next(out, &i, TUI_PRESENT_BODY), n, "  expected time  %s  (%s)", d, e->basis);
	tui_present_money(a, sizeof a, e->expected_cost);
	snprintf(next(out, &i, TUI_PRESENT_BODY), n, "  expected cost  %s", a);
	t = next(out, &i, TUI_PRESENT_BODY);
	if (e->time_limit > 0) {
		ry_format_duration(e->time_limit, d, sizeof d);
		tui_present_money(a, sizeof a, e->max_cost);
		snprintf(t, n, "  max cost       %s at the time limit %s", a, d);
	} else {
		snprintf(t, n, "  max cost       unbounded (no time limit)");
	}
	t = next(out, &i, TUI_PRESENT_BODY);
	tui_present_money(a, sizeof a, e->month_spent);
	snprintf(t, n, "  this month     %s spent", a);
	if (e->budget_per_month > 0) {
		tui_present_money(a, sizeof a, e->budget_per_month);
		snprintf(t + strlen(t), n - strlen(t), " of %s", a);
	}
	if (e->over_budget)
		tui_present_budget(next(out, &i, TUI_PRESENT_ALERT), n, e);
	return i;
}

void tui_present_import(char *out, size_t n, const ry_plugin_import_stats *s, const char *plugin,
                        const char *source)
{
	char reg[64] = "";
	if (s->registry_changes)
		snprintf(reg, sizeof reg, ", %lld registry changes", (long long)s->registry_changes);
	snprintf(out, n, "Imported %lld runs (%lld new, %lld updated, %lld unchanged), %lld points%s, from %s "
	         "through plugin %s.", (long long)(s->runs_new + s->runs_updated + s->runs_unchanged),
	         (long long)s->runs_new, (long long)s->runs_updated, (long long)s->runs_unchanged,
	         (long long)s->points, reg, source, plugin);
}

void tui_present_import_partial(char *out, size_t n, const ry_plugin_import_stats *s)
{
	snprintf(out, n, "before that: %lld new runs, %lld updated (nothing of the run it was in)",
	         (long long)s->runs_new, (long long)s->runs_updated);
}

/* ---- parameter importance ------------------------------------------------ */

void tui_present_importance_method(char *out, size_t n, const char *metric, size_t nruns)
{
	snprintf(out, n,
	         "Against %s over %zu run%s (each param: the runs that have it and the metric).  Numeric params: "
	         "Pearson r, and Spearman rho (Pearson r of average ranks).  Categorical params: eta = "
	         "sqrt(SS_between/SS_total) and Kruskal-Wallis H (tie-corrected); their effect is sqrt(H/(n-1)).  "
	         "Sorted by |rho| (categorical: the effect).",
	         metric, nruns, nruns == 1 ? "" : "s");
}

void tui_present_importance_header(char *out, size_t n)
{
	snprintf(out, n, "%-24s %-5s %6s %7s %7s %7s %8s %7s", "PARAM", "KIND", "N", "EFFECT", "PEARSON", "SPEARMN",
	         "KW_H", "ETA");
}

/* v with prec decimals (and its sign when signed), or "-" when it could not be computed. */
static void num_or_dash(char *out, size_t n, int prec, bool sign, double v)
{
	if (!isfinite(v))
		snprintf(out, n, "-");
	else if (sign)
		snprintf(out, n, "%+.*f", prec, v);
	else
		snprintf(out, n, "%.*f", prec, v);
}

void tui_present_importance_row(char *out, size_t n, const ry_importance *r)
{
	char eff[16], pe[16], sp[16], h[16], eta[16], kind[16];
	num_or_dash(eff, sizeof eff, 3, false, r->effect);
	num_or_dash(pe, sizeof pe, 3, true, r->pearson);
	num_or_dash(sp, sizeof sp, 3, true, r->spearman);
	num_or_dash(h, sizeof h, 2, false, r->kw_h);
	num_or_dash(eta, sizeof eta, 3, false, r->eta);
	if (r->categorical)
		snprintf(kind, sizeof kind, "cat%d", r->ngroups);
	else
		snprintf(kind, sizeof kind, "num");
	snprintf(out, n, "%-24s %-5s %6zu %7s %7s %7s %8s %7s", r->label, kind, r->n, eff, pe, sp, h, eta);
}

void tui_present_group_stat(char *out, size_t n, const ry_group_stats *s, bool median, bool utf8)
{
	if (!s->n)
		snprintf(out, n, "-");
	else if (median)
		snprintf(out, n, s->n > 1 ? "%.4g iqr %.4g" : "%.4g", s->median, s->q3 - s->q1);
	else if (s->n > 1 && isfinite(s->std))
		snprintf(out, n, "%.4g %s %.4g", s->mean, utf8 ? "\xc2\xb1" : "+-", s->std);
	else
		snprintf(out, n, "%.4g", s->mean);
}
