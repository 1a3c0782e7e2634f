/*
 * The goal of a metric: whether a higher or a lower value is better, which
 * decides "best" everywhere (query's .best, compare's marks and deltas, the
 * detail screen, the promotion gate's comparison).  A workspace setting
 * metric.KEY.goal wins; otherwise the name decides (loss, error, perplexity,
 * time... are lower-is-better, everything else higher).
 *
 * It reads one setting and nothing else: what a front end calls the goal
 * ("max"/"min") is here too, so the words cannot drift; how a gate's
 * METRIC:max is parsed belongs to the front ends that read it.
 */
#include "metrics/metrics.h"
#include "store/store.h"
#include "base/alloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Name parts that mean "lower is better" anywhere in a name... */
static const char *const lower_substrings[] = {
	"loss", "error", "perplexity", "latency", "regret", "distance", "divergence",
};
/* ...and as a whole word ("val_mse", "eval/wer", "time_s"), so that
 * "accuracy" or "items" do not match "cc" or "ms". */
static const char *const lower_words[] = {
	"err", "mse", "mae", "rmse", "mape", "smape", "nll", "ppl", "wer", "cer", "ter", "fid", "kl",
	"bpb", "bpc", "bpd", "time", "duration", "sec", "secs", "seconds", "ms", "cost",
};

int ry_metric_goal(ry_store *st, const char *key)
{
	char lower[256];
	size_t len;

	if (!key)
		return 1;
	if (st) {
		char *name = ry_xasprintf("metric.%s.goal", key);
		char *v = ry_store_setting_get(st, name);
		int goal = 0;
		free(name);
		if (v) {
			if (!strcasecmp(v, "min") || !strcasecmp(v, "lower"))
				goal = -1;
			else if (!strcasecmp(v, "max") || !strcasecmp(v, "higher"))
				goal = 1;
			free(v);
			if (goal)
				return goal;
		}
	}
	for (len = 0; key[len] && len < sizeof lower - 1; len++)
		lower[len] = (char)tolower((unsigned char)key[len]);
	lower[len] = '\0';
	for (size_t i = 0; i < sizeof lower_substrings / sizeof *lower_substrings; i++)
		if (strstr(lower, lower_substrings[i]))
			return -1;
	/* Rates are throughput: "tokens_per_sec", "samples/s". */
	if (strstr(lower, "per_") || strstr(lower, "per-") || (len >= 2 && !strcmp(lower + len - 2, "/s")) || strstr(lower, "throughput"))
		return 1;
	for (const char *p = lower; *p;) {
		size_t wl = 0;
		while (p[wl] && isalnum((unsigned char)p[wl]))
			wl++;
		for (size_t i = 0; wl && i < sizeof lower_words / sizeof *lower_words; i++)
			if (strlen(lower_words[i]) == wl && !strncmp(p, lower_words[i], wl))
				return -1;
		p += wl;
		while (*p && !isalnum((unsigned char)*p))
			p++;
	}
	return 1;
}

bool ry_metric_goal_set(ry_store *st, const char *key)
{
	if (!st || !key)
		return false;
	char *name = ry_xasprintf("metric.%s.goal", key);
	char *v = ry_store_setting_get(st, name);
	free(name);
	free(v);
	return v != NULL;
}

const char *ry_metric_goal_name(int goal)
{
	return goal > 0 ? "max" : "min";
}

bool ry_metric_better(int goal, double a, double b)
{
	return goal > 0 ? a > b : a < b;
}

long ry_metric_best_index(const double *v, size_t n, int goal)
{
	long best = -1;
	bool tied = false;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (best < 0 || ry_metric_better(goal, v[i], v[best])) {
			best = (long)i;
			tied = false;
		} else if (v[i] == v[best]) {
			tied = true;
		}
	}
	return tied ? -1 : best;
}

double ry_metric_summary_best(const ry_metric_summary *s, int goal)
{
	return s ? (goal > 0 ? s->max : s->min) : NAN;
}
