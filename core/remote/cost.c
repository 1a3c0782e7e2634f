/*
 * Cost estimates and budgets (see cost.h).  Reads the runs table for
 * history and spend; never writes.  Accrual of a running job's cost is not
 * here: a run's cost is its rate times its elapsed time (ry_run_cost).
 */
#include "remote/cost.h"
#include "remote/slurm.h"
#include "base/config.h"
#include "base/alloc.h"
#include "base/error.h"
#include "store/store_internal.h"
#include "base/util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double ry_cost_rate(const ry_host *h, int gpus)
{
	/* a Slurm partition's price, where one is set, is the GPU-hour's */
	return h->price_per_hour + (gpus > 0 ? gpus : 0) * ry_slurm__gpu_price(h, NULL);
}

/* Split a command line into words, undoing '...', "..." and \ quoting. */
static char **split_words(const char *s, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	while (*s) {
		ry_buf w = RY_BUF_INIT;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		while (*s && !isspace((unsigned char)*s)) {
			if (*s == '\'') {
				for (s++; *s && *s != '\''; s++)
					ry_buf_putc(&w, *s);
				if (*s)
					s++;
			} else if (*s == '"') {
				for (s++; *s && *s != '"'; s++) {
					if (*s == '\\' && s[1])
						s++;
					ry_buf_putc(&w, *s);
				}
				if (*s)
					s++;
			} else if (*s == '\\' && s[1]) {
				ry_buf_putc(&w, s[1]);
				s += 2;
			} else {
				ry_buf_putc(&w, *s++);
			}
		}
		v = ry_xgrow(v, &cap, *n + 1, sizeof *v);
		v[(*n)++] = w.ptr ? ry_buf_detach(&w) : ry_xstrdup("");
	}
	return v;
}

static bool is_number(const char *s)
{
	double d;
	return ry_parse_number(s, &d);
}

static bool is_key(const char *s, size_t n)
{
	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

char *ry_cost_command_shape(const char *command)
{
	size_t n;
	char **w = split_words(command ? command : "", &n);
	ry_buf b = RY_BUF_INIT;
	bool after_flag = false;
	for (size_t i = 0; i < n; i++) {
		const char *t = w[i], *eq = strchr(t, '=');
		if (i)
			ry_buf_putc(&b, ' ');
		if (t[0] == '-' && !is_number(t)) {
			if (eq) {
				ry_buf_put(&b, t, (size_t)(eq - t + 1));
				ry_buf_putc(&b, '*');
				after_flag = false;
			} else {
				ry_buf_puts(&b, t);
				after_flag = t[1] != '\0';
			}
			continue;
		}
		if (eq && is_key(t, (size_t)(eq - t))) {
			ry_buf_put(&b, t, (size_t)(eq - t + 1));
			ry_buf_putc(&b, '*');
		} else if (after_flag || is_number(t)) {
			ry_buf_putc(&b, '*');
		} else {
			ry_buf_puts(&b, t);
		}
		after_flag = false;
	}
	ry_strings_free(w, n);
	return ry_buf_detach(&b);
}

/* "A100, big" -> "a100,big" (sorted, lower case) for comparing label sets. */
static char *norm_labels(const char *labels)
{
	char *copy = ry_xstrdup(labels ? labels : ""), *save = NULL, *tok;
	char **v = NULL;
	size_t n = 0, cap = 0;
	ry_buf b = RY_BUF_INIT;
	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		for (char *p = tok; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		v = ry_xgrow(v, &cap, n + 1, sizeof *v);
		v[n++] = tok;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		ry_buf_printf(&b, "%s%s", i ? "," : "", v[i]);
	free(v);
	free(copy);
	return ry_buf_detach(&b);
}

static bool comparable_host(const char *run_host, const ry_host *hosts, size_t n, const ry_host *target,
                            const char *target_labels)
{
	const ry_host *h;
	char *l;
	bool same;
	if (!run_host)
		return false;
	if (!strcmp(run_host, target->name))
		return true;
	if (!*target_labels)
		return false; /* no labels: only the same host is comparable */
	h = ry_hosts_find((ry_host *)hosts, n, run_host);
	if (!h)
		return false;
	l = norm_labels(h->labels);
	same = !strcmp(l, target_labels);
	free(l);
	return same;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The params a run's length scales with, in the order they are looked for. */
static const char *const scale_keys[] = { "epochs", "max_steps", "steps" };

/* The value of `key` in a command line (--key V, --key=V, -key V, key=V);
 * false when it is not there or not a positive number. */
static bool command_param(const char *command, const char *key, double *out)
{
	size_t n, klen = strlen(key);
	char **w = split_words(command ? command : "", &n);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++) {
		const char *t = w[i];
		bool flag = t[0] == '-';
		while (*t == '-')
			t++;
		if (strncmp(t, key, klen) || (t[klen] != '=' && t[klen] != '\0'))
			continue;
		if (t[klen] == '=')
			found = ry_parse_number(t + klen + 1, out);
		else if (flag && i + 1 < n)
			found = ry_parse_number(w[i + 1], out);
		found = found && *out > 0;
	}
	ry_strings_free(w, n);
	return found;
}

/* The first scale key the command sets: its index, or -1. */
static int command_scale(const char *command, double *value)
{
	for (size_t k = 0; k < sizeof scale_keys / sizeof scale_keys[0]; k++)
		if (command_param(command, scale_keys[k], value))
			return (int)k;
	return -1;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int ry_cost_month_spent(ry_store *st, double now, double *out)
{
	time_t t = (time_t)now;
	struct tm tm;
	double start;
	sqlite3_stmt *s;
	int rc;
	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	start = (double)timegm(&tm);
	s = ry_store__stmt(st, "SELECT coalesce(sum(CASE WHEN ended IS NOT NULL THEN coalesce(cost_total, 0) "
	                       "ELSE coalesce(cost_rate, 0) * max(?1 - started, 0) / 3600.0 END), 0) "
	                       "FROM runs WHERE started >= ?2");
	sqlite3_bind_double(s, 1, now);
	sqlite3_bind_double(s, 2, start);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_double(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : ry_store__sqlerr(st, "summing this month's cost");
}

static int budget_value(const ry_config *cfg, const char *key, double *out)
{
	const char *v = cfg ? ry_config_get(cfg, "", key) : NULL;
	*out = 0;
	if (!v || !*v)
		return 0;
	if (!ry_parse_number(v, out) || *out < 0)
		return ry_error_set(RY_EINVAL, "config: %s = '%s' is not a non-negative amount; fix runyard's config",
		                    key, v);
	return 0;
}

/* Append one reason to e->budget_msg ("; " between reasons). */
static void over(ry_cost_estimate *e, enum ry_cost_fix fix, const char *fmt, ...)
{
	size_t len = strlen(e->budget_msg);
	va_list ap;
	if (len && len + 2 < sizeof e->budget_msg) {
		memcpy(e->budget_msg + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(e->budget_msg + len, sizeof e->budget_msg - len, fmt, ap);
	va_end(ap);
	e->over_budget = true;
	if (fix > e->budget_fix)
		e->budget_fix = fix;
}

/* Both budgets, each on its own: a run within budget_per_run can still
 * take the month over budget_per_month.  The worst case when it is known,
 * else the expectation; with neither the cost is unbounded. */
static void check_budgets(ry_cost_estimate *e)
{
	double run_cost = !isnan(e->max_cost) ? e->max_cost : e->expected_cost;
	const char *which = !isnan(e->max_cost) ? "maximum cost at the time limit" : "expected cost";
	bool unbounded = isnan(run_cost) && e->rate > 0;
	if (e->budget_per_run > 0 && !isnan(run_cost) && run_cost > e->budget_per_run)
		over(e, RY_COST_FIX_SHORTER, "the %s, %.2f, exceeds budget_per_run %.2f", which, run_cost,
		     e->budget_per_run);
	else if (e->budget_per_run > 0 && unbounded)
		over(e, RY_COST_FIX_LIMIT, "with no history and no time limit the cost is unbounded but "
		     "budget_per_run is %.2f", e->budget_per_run);
	if (e->budget_per_month > 0 && !isnan(run_cost) && e->month_spent + run_cost > e->budget_per_month)
		over(e, RY_COST_FIX_SHORTER, "this month's spend %.2f plus the %s %.2f exceeds budget_per_month %.2f",
		     e->month_spent, which, run_cost, e->budget_per_month);
	else if (e->budget_per_month > 0 && unbounded && e->month_spent >= e->budget_per_month)
		over(e, RY_COST_FIX_NONE, "this month's spend %.2f has reached budget_per_month %.2f",
		     e->month_spent, e->budget_per_month);
}

int ry_cost_estimate_run(ry_cost_estimate *e, ry_store *st, const ry_config *cfg, const ry_host *hosts,
                         size_t n, const ry_host *target, const char *experiment, const char *command,
                         int gpus, double time_limit)
{
	char *shape = ry_cost_command_shape(command), *labels = norm_labels(target->labels);
	double durs[RY_COST_HISTORY], scaled[RY_COST_HISTORY], from[RY_COST_HISTORY], want = 0;
	int key = command_scale(command, &want), nscaled = 0;
	const char *mode = cfg ? ry_config_get(cfg, "", "budget_mode") : NULL;
	char where[96];
	sqlite3_stmt *s;
	int rc = 0;

	memset(e, 0, sizeof *e);
	e->gpus = gpus;
	e->rate = ry_cost_rate(target, gpus);
	e->time_limit = time_limit > 0 ? time_limit : 0;
	e->max_cost = e->time_limit > 0 ? e->rate * e->time_limit / 3600.0 : NAN;
	s = ry_store__stmt(st, "SELECT r.host, r.command, r.ended - r.started FROM runs r "
	                       "JOIN experiments e ON e.id = r.experiment_id "
	                       "WHERE e.name = ? AND r.status = 'finished' AND r.started > 0 AND r.ended > r.started "
	                       "ORDER BY r.ended DESC LIMIT 10000");
	sqlite3_bind_text(s, 1, experiment ? experiment : "default", -1, SQLITE_TRANSIENT);
	/* With a scale key (epochs, ...) in the command, runs with the same value
	 * count as they are; runs with another value are kept aside, their
	 * durations scaled by the ratio, for when no run has the same value. */
	while (e->nhistory < RY_COST_HISTORY && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *rcmd = (const char *)sqlite3_column_text(s, 1);
		double secs = sqlite3_column_double(s, 2), have = 0;
		char *rshape;
		bool same;
		if (!comparable_host((const char *)sqlite3_column_text(s, 0), hosts, n, target, labels))
			continue;
		rshape = ry_cost_command_shape(rcmd);
		same = !strcmp(rshape, shape);
		free(rshape);
		if (!same)
			continue;
		if (key < 0 || (command_param(rcmd, scale_keys[key], &have) && have == want)) {
			durs[e->nhistory++] = secs;
		} else if (have > 0 && nscaled < RY_COST_HISTORY) {
			from[nscaled] = have;
			scaled[nscaled++] = secs * want / have;
		}
	}
	rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : ry_store__sqlerr(st, "reading run history");
	sqlite3_reset(s);
	free(shape);
	if (rc)
		goto out;
	snprintf(where, sizeof where, "same experiment and command shape, %s%s",
	         *labels ? "hosts labelled " : "this host", *labels ? labels : "");
	if (e->nhistory > 0) {
		char with[64] = "";
		if (key >= 0)
			snprintf(with, sizeof with, "with %s=%g, ", scale_keys[key], want);
		e->expected_secs = median(durs, e->nhistory);
		snprintf(e->basis, sizeof e->basis, "median of the last %d comparable run%s (%s%s)", e->nhistory,
		         e->nhistory == 1 ? "" : "s", with, where);
	} else if (nscaled > 0) {
		bool one_from = true;
		char by[64];
		for (int i = 1; i < nscaled; i++)
			one_from = one_from && from[i] == from[0];
		if (one_from)
			snprintf(by, sizeof by, "%s=%g x%g", scale_keys[key], from[0], want / from[0]);
		else
			snprintf(by, sizeof by, "other %s, to %s=%g", scale_keys[key], scale_keys[key], want);
		e->nhistory = nscaled;
		e->expected_secs = median(scaled, nscaled);
		snprintf(e->basis, sizeof e->basis, "scaled from the last %d comparable run%s (%s, %s)", nscaled,
		         nscaled == 1 ? "" : "s", by, where);
	} else if (e->time_limit > 0) {
		e->expected_secs = e->time_limit;
		snprintf(e->basis, sizeof e->basis, "no history: time limit");
	} else {
		e->expected_secs = NAN;
		snprintf(e->basis, sizeof e->basis, "no history and no time limit: unknown");
	}
	if (e->nhistory > 0 && e->time_limit > 0 && e->expected_secs > e->time_limit)
		e->expected_secs = e->time_limit; /* the host stops it there */
	e->expected_cost = isnan(e->expected_secs) ? NAN : e->rate * e->expected_secs / 3600.0;

	if ((rc = budget_value(cfg, "budget_per_run", &e->budget_per_run)) ||
	    (rc = budget_value(cfg, "budget_per_month", &e->budget_per_month)))
		goto out;
	if (mode && strcmp(mode, "warn") && strcmp(mode, "block")) {
		rc = ry_error_set(RY_EINVAL, "config: budget_mode = '%s' must be warn or block", mode);
		goto out;
	}
	e->block_mode = mode && !strcmp(mode, "block");
	if ((rc = ry_cost_month_spent(st, ry_now(), &e->month_spent)))
		goto out;
	check_budgets(e);
out:
	free(labels);
	return rc;
}
