/*
 * The goal of a metric: whether a higher or a lower value is better, or
 * neither, which decides "best" everywhere (query's .best, compare's marks
 * and deltas, the detail screen, the promotion gate's comparison).  An
 * experiment's setting metric.KEY.goal wins, then the workspace's; otherwise
 * the name decides.
 *
 * The guess reads a key as the frameworks print it -- "train/box_loss",
 * "valid_0's l2", "eval-logloss", "metrics/mAP50-95(B)", "train_loss_epoch"
 * -- by cutting it into words, so that one word list covers every prefix
 * and suffix a logger adds.  A word that names a quality (loss, acc, f1,
 * wer...) decides; failing that, a word that names a schedule, a counter or
 * a speed (lr, epoch, grad_norm, runtime, per_second, mfu...) means
 * neither: such a metric has no best and no verdict.  A correlation
 * (Pearson, Spearman) is checked first, a bare dataset name (CatBoost's
 * "test") means its objective, a loss.  Everything else is
 * higher-is-better, as before.
 *
 * It reads and writes the one setting and nothing else: what a front end
 * calls the goal ("max"/"min"/"none") is here too, so the words cannot
 * drift; how a gate's METRIC:max is parsed belongs to the front ends that
 * read it.
 */
#include "metrics/metrics.h"
#include "runs/run.h"
#include "store/store.h"
#include "base/alloc.h"
#include "base/error.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Correlations win over what they correlate: "Euclidean-Distance
 * Pearson" (sentence-transformers) is higher-is-better although it names
 * a distance. */
static const char *const higher_first[] = {
	"pearson", "spearman", "kendall", "corr", "correlation",
};
/* Name parts that mean "lower is better" anywhere in a name ("logloss",
 * "merror", "error_rate")... */
static const char *const lower_substrings[] = {
	"loss", "error", "perplexity", "latency", "regret", "distance", "divergence",
};
/* ...and "higher" ("DetectionBoxes_Precision", "val_accuracy")... */
static const char *const higher_substrings[] = {
	"accuracy", "precision", "recall",
};
/* ...and, as whole words ("val_mse", "eval/wer", "valid_0's l2"), so that
 * "accuracy" does not match "cc".  A word is also tried without its
 * trailing digits: mAP50, bleu4, rouge1, acc1, lr0. */
static const char *const lower_words[] = {
	"err", "mse", "mae", "rmse", "rmsle", "msle", "mape", "smape", "nll", "ppl", "wer", "cer", "ter", "fid", "kl",
	"bpb", "bpc", "bpd", "l1", "l2", "huber", "xent", "bce", "cost",
};
static const char *const higher_words[] = {
	"acc", "auc", "auroc", "auprc", "f1", "fscore", "f1score", "map", "ap", "ar", "bleu", "sacrebleu", "rouge",
	"rougel", "rougelsum", "meteor", "chrf", "iou", "miou", "dice", "jaccard", "r2", "ndcg", "mrr", "hit", "hits",
	"top", "kappa", "mcc", "psnr", "ssim", "reward", "rewards", "rew", "return", "score", "em",
};
/* A dataset's name alone is the value of the objective on it, a loss:
 * CatBoost prints "learn: 0.65  test: 0.66  best: 0.66", then "bestTest". */
static const char *const lower_alone[] = {
	"learn", "test", "best", "besttest", "train", "valid", "validation",
};
/* Words of a schedule, a counter, a clock, a speed or a resource: a value
 * that is neither good nor bad.  "loss_scale" is the fp16 scaler, not a
 * loss: "scale" is checked before the quality words. */
static const char *const neither_first[] = { "scale", "scaler" };
static const char *const neither_words[] = {
	"lr", "learning", "grad", "gradnorm", "norm", "epoch", "epochs", "step", "steps", "global", "iter",
	"iteration", "iterations", "it", "runtime", "time", "ms", "sec", "secs", "second", "seconds", "duration",
	"elapsed", "eta", "throughput", "per", "mfu", "memory", "mem", "momentum", "decay", "wd", "flos", "flops",
	"samples", "tokens", "batch", "warmup", "speed", "fps", "util", "utilization",
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

static bool in_list(const char *w, size_t wl, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == wl && !strncmp(w, list[i], wl))
			return true;
	return false;
}

/* Whether a word of the name, as it is or without trailing digits, is in list. */
static bool has_word(const char *lower, const char *const *list, size_t n)
{
	for (const char *p = lower; *p;) {
		size_t wl = 0, bare;
		while (p[wl] && isalnum((unsigned char)p[wl]))
			wl++;
		for (bare = wl; bare > 0 && isdigit((unsigned char)p[bare - 1]); bare--)
			;
		if (wl && (in_list(p, wl, list, n) || (bare && bare < wl && in_list(p, bare, list, n))))
			return true;
		p += wl;
		while (*p && !isalnum((unsigned char)*p))
			p++;
	}
	return false;
}

static bool has_substring(const char *lower, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(lower, list[i]))
			return true;
	return false;
}

int ry_metric_goal_guess(const char *key)
{
	char lower[256];
	size_t len;

	if (!key)
		return 1;
	for (len = 0; key[len] && len < sizeof lower - 1; len++)
		lower[len] = (char)tolower((unsigned char)key[len]);
	lower[len] = '\0';
	if (has_word(lower, neither_first, COUNT(neither_first)))
		return 0;
	if (has_word(lower, higher_first, COUNT(higher_first)))
		return 1;
	if (in_list(lower, len, lower_alone, COUNT(lower_alone)))
		return -1;
	if (has_substring(lower, lower_substrings, COUNT(lower_substrings)))
		return -1;
	if (has_substring(lower, higher_substrings, COUNT(higher_substrings)))
		return 1;
	if (has_word(lower, lower_words, COUNT(lower_words)))
		return -1;
	if (has_word(lower, higher_words, COUNT(higher_words)))
		return 1;
	/* "samples/s", "it/s": a speed. */
	if (has_word(lower, neither_words, COUNT(neither_words)) || (len >= 2 && !strcmp(lower + len - 2, "/s")))
		return 0;
	return 1;
}

bool ry_metric_goal_parse(const char *word, int *goal)
{
	if (!word)
		return false;
	if (!strcasecmp(word, "max") || !strcasecmp(word, "higher"))
		*goal = 1;
	else if (!strcasecmp(word, "min") || !strcasecmp(word, "lower"))
		*goal = -1;
	else if (!strcasecmp(word, "none") || !strcasecmp(word, "neither"))
		*goal = 0;
	else
		return false;
	return true;
}

/* The goal a stored setting names; false when there is none (or it is not
 * a goal word, which is then ignored rather than trusted). */
static bool setting_goal(ry_store *st, int64_t experiment_id, const char *key, int *goal)
{
	char *name = ry_xasprintf("metric.%s.goal", key);
	char *v = experiment_id > 0 ? ry_experiment_setting_get(st, experiment_id, name) : ry_store_setting_get(st, name);
	bool ok = ry_metric_goal_parse(v, goal);
	free(name);
	free(v);
	return ok;
}

int ry_metric_goal_source(ry_store *st, int64_t experiment_id, const char *key, ry_goal_source *src)
{
	int goal;
	ry_goal_source dummy;
	if (!src)
		src = &dummy;
	*src = RY_GOAL_GUESSED;
	if (st && key) {
		if (experiment_id > 0 && setting_goal(st, experiment_id, key, &goal)) {
			*src = RY_GOAL_EXPERIMENT;
			return goal;
		}
		if (setting_goal(st, 0, key, &goal)) {
			*src = RY_GOAL_WORKSPACE;
			return goal;
		}
	}
	return ry_metric_goal_guess(key);
}

const char *ry_metric_goal_source_name(ry_goal_source src)
{
	return src == RY_GOAL_EXPERIMENT ? "experiment" : src == RY_GOAL_WORKSPACE ? "workspace" : "guessed from the name";
}

int ry_metric_goal_in(ry_store *st, int64_t experiment_id, const char *key)
{
	return ry_metric_goal_source(st, experiment_id, key, NULL);
}

int ry_metric_goal_of_runs(ry_store *st, const int64_t *experiment_ids, size_t n, const char *key)
{
	int64_t e = n ? experiment_ids[0] : 0;
	for (size_t i = 1; i < n; i++)
		if (experiment_ids[i] != e)
			e = 0; /* runs of several experiments: only the workspace speaks for all */
	return ry_metric_goal_in(st, e, key);
}

int ry_metric_goal(ry_store *st, const char *key)
{
	return ry_metric_goal_source(st, 0, key, NULL);
}

bool ry_metric_goal_set(ry_store *st, const char *key)
{
	int goal;
	return st && key && setting_goal(st, 0, key, &goal) && goal != 0;
}

int ry_metric_goal_save(ry_store *st, int64_t experiment_id, const char *key, const char *goal)
{
	int g;
	if (!key || !*key)
		return ry_error_set(RY_EINVAL, "which metric? give its key");
	if (goal && !ry_metric_goal_parse(goal, &g))
		return ry_error_set(RY_EINVAL, "a goal is max, min or none, not '%s'", goal);
	char *name = ry_xasprintf("metric.%s.goal", key);
	const char *word = goal ? ry_metric_goal_name(g) : NULL;
	int rc = experiment_id > 0 ? ry_experiment_setting_set(st, experiment_id, name, word)
	                           : ry_store_setting_set(st, name, word);
	free(name);
	return rc;
}

const char *ry_metric_goal_name(int goal)
{
	return goal > 0 ? "max" : goal < 0 ? "min" : "none";
}

bool ry_metric_better(int goal, double a, double b)
{
	return goal > 0 ? a > b : goal < 0 ? a < b : false;
}

long ry_metric_best_index(const double *v, size_t n, int goal)
{
	long best = -1;
	bool tied = false;
	if (!goal) /* no direction: no value is better than another */
		return -1;
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
	return s && goal ? (goal > 0 ? s->max : s->min) : NAN;
}
