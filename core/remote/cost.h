/*
 * What a run will cost, before it starts: the host's rate, an expected
 * duration from the history of comparable runs, the expected cost, the
 * worst case at the time limit, and the budget check.
 *
 * Comparable runs are finished runs of the same experiment, with the same
 * command shape (the command with its param values blanked, so `--lr 0.1`
 * and `--lr 0.01` compare) on a host with the same labels (the same host
 * when it has none).  The expected duration is the median of the last
 * RY_COST_HISTORY of them; with none the time limit stands in and the basis
 * says so.
 *
 * With epochs, max_steps or steps in the command (--epochs 30, epochs=30;
 * the first of these found), only comparable runs with the same value
 * count; when none has it, the durations of those with another value are
 * scaled linearly by the ratio (10 epochs in 5m: 30 epochs in 15m), and the
 * basis says which.
 *
 * Budgets come from runyard's config: budget_per_run, budget_per_month
 * (calendar month, UTC, all runs with a cost) and budget_mode = warn|block.
 * Each budget is checked whether or not the other is exceeded.
 */
#ifndef RY_COST_H
#define RY_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "remote/hosts.h"
#include "store/store.h"

#define RY_COST_HISTORY 5

/* What would bring a run back within budget, for a front end to name in
 * its own words (a CLI flag, a dialog field); larger is the stronger. */
enum ry_cost_fix {
	RY_COST_FIX_NONE,    /* nothing about this run: the month is spent */
	RY_COST_FIX_SHORTER, /* a shorter time limit or fewer GPUs */
	RY_COST_FIX_LIMIT,   /* a time limit: without one the cost is unbounded */
};

typedef struct ry_cost_estimate {
	double rate;             /* per hour: price_per_hour + gpus * gpu_price_per_hour (on a Slurm
	                            host the partition's partition_price, where set) */
	int gpus;
	double expected_secs;    /* NaN when unknown (no history, no time limit) */
	int nhistory;            /* comparable runs the median came from */
	char basis[256];         /* "median of 3 comparable runs" / "no history: time limit" / ... */
	double expected_cost;    /* NaN when unknown */
	double time_limit;       /* seconds; 0 none */
	double max_cost;         /* at the time limit; NaN without one */
	double month_spent;      /* this calendar month so far, all runs */
	double budget_per_run;   /* 0 unset */
	double budget_per_month; /* 0 unset */
	bool block_mode;         /* budget_mode = block */
	bool over_budget;        /* a budget would be exceeded */
	char budget_msg[512];    /* why, "" when within budget; each budget exceeded, "; " between */
	enum ry_cost_fix budget_fix; /* the remedy, named by the front end */
} ry_cost_estimate;

/* The hourly rate of a host with `gpus` GPUs (a Slurm host's: in its
 * partition, h->partition; slurm.h). */
double ry_cost_rate(const ry_host *h, int gpus);

/* The command with param values blanked: "python train.py --lr * seed=*".
 * Caller frees. */
char *ry_cost_command_shape(const char *command);

/* Estimate running `command` on `target` (a record of hosts[0..n)) in
 * `experiment` with `gpus` GPUs and a time limit (0: none).  cfg may be
 * NULL (no budgets).  Fills *e; RY_EINVAL for a bad budget setting. */
int ry_cost_estimate_run(ry_cost_estimate *e, ry_store *st, const ry_config *cfg, const ry_host *hosts,
                         size_t n, const ry_host *target, const char *experiment, const char *command,
                         int gpus, double time_limit);

/* Spend of the calendar month (UTC) containing `now`: settled runs' totals
 * plus running runs' rate x elapsed. */
int ry_cost_month_spent(ry_store *st, double now, double *out);

#endif
