/*
 * The words both front ends print about the same thing: the cost estimate
 * before a launch, a host's price and probe summary, and money.  The CLI
 * prints these lines and the full-screen app draws them, so a change of
 * wording lands once and `runyard launch --estimate` and the launch dialog
 * cannot drift apart.
 *
 * Everything here is plain text into caller buffers: no curses, no stdio,
 * no colour (a line says what kind it is; the front end picks how to show
 * it).  Outside text (a host name, an error) is copied as it is: the front
 * end sanitises when it prints (cli_put_safe, tui_draw_text), as it does
 * for any other outside text.
 */
#ifndef TUI_PRESENT_H
#define TUI_PRESENT_H

#include <stddef.h>

#include "analysis/analysis.h"
#include "plugin/plugin_host.h"
#include "query/group.h"
#include "remote/cost.h"
#include "remote/hosts.h"
#include "runs/run.h"

/* Money: "$12.50", or "unknown" for NaN.  Writes into out (n bytes). */
void tui_present_money(char *out, size_t n, double v);

/* What a run cost: "$1.20 at $2.00/h" when it has a rate, "$1.20" without,
 * "-" when the cost is not a number.  Writes into out. */
void tui_present_run_cost(char *out, size_t n, double cost, double rate);

/* The rows both compares (runyard compare, the compare screen) put above
 * params and metrics, in this order. */
enum tui_present_summary {
	TUI_PRESENT_EXPERIMENT,
	TUI_PRESENT_STATUS,
	TUI_PRESENT_HOST,
	TUI_PRESENT_DURATION,
	TUI_PRESENT_COST,
	TUI_PRESENT_NSUMMARY
};

/* The row's label ("experiment", ..., "cost"); static text. */
const char *tui_present_summary_name(enum tui_present_summary which);

/* Run r's value in that row at time now: the experiment, status and host
 * as they are (outside text: the printing side sanitises), the duration
 * as ry_format_duration writes it, the cost as tui_present_run_cost (no
 * rate); "-" when unknown.  Writes into out. */
void tui_present_summary(char *out, size_t n, const ry_run *r, enum tui_present_summary which, double now);

/* A host's price: "$0.50/h + $1.25/GPU-h", or "$0.50/h" without a GPU
 * price.  Writes into out. */
void tui_present_price(char *out, size_t n, const ry_host *h);

/* What a probe found, in one line without the host's name:
 *   "ok (0.12s)  2 GPUs, 1 free  8 CPUs  load 0.50  mem 3.0 GiB free  disk 9.5 GiB free"
 *   "ok (0.12s)  CPU host  8 CPUs  load 0.50  mem ... free  disk ... free"
 *   "unreachable (auth)"       (the error itself is the front end's to show)
 *   "not probed"
 * Writes into out. */
void tui_present_host_status(char *out, size_t n, const ry_host *h);

/* A GPU's state as `hosts` and the hosts screen show it: "leased by run
 * 1a2b3c4d (alice)" (a runyard run holds it, lease.h), "busy: alice (2
 * processes)" (a process outside runyard's leases), "free" or "in use"
 * (memory used with no process).  Raw text from the host: the caller
 * sanitises it on the way to the terminal. */
void tui_present_gpu_state(char *out, size_t n, const ry_gpu *g);

/* A Slurm host's partition and job as `hosts` and the hosts screen show
 * them (slurm.h):
 *   "partition gpu: nodes 1 idle, 0 allocated, 0 other; GPUs 2/4 allocated"
 *   "job 12 runyard-1a2b3c4d  PENDING (Resources)  gpu  0:00"
 * Raw text from the host: the caller sanitises it. */
void tui_present_slurm_partition(char *out, size_t n, const ry_slurm_partition *p);
void tui_present_slurm_job(char *out, size_t n, const ry_slurm_job *j);

/* The budget check of e: "warning: over budget: WHY", "blocked: over
 * budget: WHY" under budget_mode = block, or "" within budget. */
void tui_present_budget(char *out, size_t n, const ry_cost_estimate *e);

/* What would bring e back within budget, in the words of the front end
 * showing it: the CLI's flags, or (dialog) the launch dialog's fields; ""
 * when within budget or nothing about the run would.  Static text. */
const char *tui_present_budget_fix(const ry_cost_estimate *e, bool dialog);

/* One line of a cost estimate and how to show it. */
enum tui_present_kind {
	TUI_PRESENT_TITLE, /* "Estimate for gpu1 with 2 GPUs:" */
	TUI_PRESENT_BODY,  /* rate, expected time and its basis, costs, month */
	TUI_PRESENT_ALERT, /* the budget check, only when over budget */
};

#define TUI_PRESENT_LINE_MAX 1024
#define TUI_PRESENT_ESTIMATE_LINES 7

struct tui_present_line {
	enum tui_present_kind kind;
	char text[TUI_PRESENT_LINE_MAX];
};

/* The estimate e for host h (NULL: the title names no host) as at most
 * TUI_PRESENT_ESTIMATE_LINES lines into out[]; returns how many.  In order:
 * the title, the rate (with its price breakdown when GPUs are priced), the
 * expected time with its basis, the expected cost, the max cost at the time
 * limit (or "unbounded"), the month's spend against its budget, and, only
 * when a budget would be exceeded, the budget check (tui_present_budget). */
size_t tui_present_estimate(struct tui_present_line *out, const ry_cost_estimate *e, const ry_host *h);

/* What an import did, as `runyard import` prints it and the app's message
 * line shows it:
 *   "Imported 3 runs (2 new, 1 updated, 0 unchanged), 120 points, from SOURCE through plugin NAME."
 * (", N registry changes" after the points when the registry changed too).
 * Writes into out. */
void tui_present_import(char *out, size_t n, const ry_plugin_import_stats *s, const char *plugin,
                        const char *source);

/* What a failed or cancelled import had done before it stopped:
 *   "before that: 2 new runs, 1 updated (nothing of the run it was in)"
 * Writes into out. */
void tui_present_import_partial(char *out, size_t n, const ry_plugin_import_stats *s);

/* Parameter importance (`runyard importance`, the scatter screen): the
 * line saying how the numbers are computed, for `nruns` runs against
 * `metric`; the table's header; one row. */
void tui_present_importance_method(char *out, size_t n, const char *metric, size_t nruns);
void tui_present_importance_header(char *out, size_t n);
void tui_present_importance_row(char *out, size_t n, const ry_importance *r);

/* A group's aggregate of one column (group.h), as the grouped runs table
 * and `runyard runs --group` show it, 4 significant digits:
 *   "0.935 ± 0.0212"     mean ± sample std (utf8 false: "0.935 +- 0.0212")
 *   "0.935"              one value: no spread
 *   "0.935 iqr 0.015"    median: the median and q3 - q1
 *   "-"                  no value in the group
 * Writes into out. */
void tui_present_group_stat(char *out, size_t n, const ry_group_stats *s, bool median, bool utf8);

#endif
