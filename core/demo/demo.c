/*
 * The demo workspace: three experiments a data scientist would recognise
 * (an image-classifier sweep, a tabular churn model, an LLM LoRA fine-tune)
 * with runs whose params, hosts, costs, git provenance, statuses and metric
 * curves look like the real thing: noisy decaying losses, saturating
 * accuracies, lr schedules, the odd run that diverges to NaN, OOM failures,
 * killed runs, one or two still running and one queued.
 *
 * Everything derives from one seeded generator, so a seed gives the same
 * workspace (run uuids aside, which the run module draws).  Runs go through
 * the run API; metrics through the metrics writer, in one transaction, so
 * benchmark-sized workspaces (10^5 runs, 10^7 points) take seconds.
 *
 * Its hosts are marked simulated (core/remote/simulated.h): never contacted,
 * probed with a canned answer; its running runs carry their planned end in
 * a `simulated` tag so a sync settles them.  The registered models and their
 * artifacts are models.c's.
 */
#include "demo/demo.h"
#include "demo/demo_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "metrics/metrics.h"
#include "runs/run.h"
#include "store/store_internal.h"
#include "base/util.h"

/* ---- a small deterministic generator (splitmix64) ---------------------- */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rnext(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double runif(rng *r)
{
	return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rrange(rng *r, double lo, double hi)
{
	return lo + (hi - lo) * runif(r);
}

static double rlog(rng *r, double lo, double hi)
{
	return exp(rrange(r, log(lo), log(hi)));
}

static double rnorm(rng *r)
{
	double u = runif(r), v = runif(r);
	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static size_t rpick(rng *r, size_t n)
{
	return (size_t)(runif(r) * (double)n) % n;
}

#define PICK(r, arr) ((arr)[rpick((r), sizeof(arr) / sizeof((arr)[0]))])

static bool rchance(rng *r, double p)
{
	return runif(r) < p;
}

/* Two significant digits, as people type learning rates. */
static double sig2(double v)
{
	double e = pow(10.0, floor(log10(v)) - 1);
	return round(v / e) * e;
}

/* Frameworks log float32 tensors: values are exactly float32. */
static double f32(double v)
{
	return (double)(float)v;
}

/* ---- the workspace's fixed parts --------------------------------------- */

struct host {
	const char *name, *alias;
	double price, gpu_price; /* per hour; gpu_price per GPU */
	const char *labels;
	int max_gpus;
	double speed;            /* relative to an A100 */
};

static const struct host hosts[] = {
	{ "a100-box-1", "gpu-a100-1", 0, 2.10, "a100,80gb,nvlink", 8, 1.0 },
	{ "a100-box-2", "gpu-a100-2", 0, 2.10, "a100,80gb,nvlink", 8, 1.0 },
	{ "h100-box-1", "gpu-h100-1", 0, 3.50, "h100,80gb", 8, 1.9 },
	{ "rtx4090-ws", NULL, 0, 0.45, "rtx4090,24gb,desk", 2, 0.8 },
	{ "t4-spot-3", "spot-t4-3", 0, 0.35, "t4,16gb,spot", 4, 0.25 },
	{ "cpu-highmem", "cpu-hm-1", 0.90, 0, "cpu,64core,512gb", 0, 1.0 },
};
enum { H_A100_1, H_A100_2, H_H100, H_4090, H_T4, H_CPU };

enum kind { K_IMG, K_TAB, K_LLM };

struct experiment {
	const char *name, *description, *remote, *cwd;
	const char *branches[3];
	double start_days, end_days; /* window of run creation, days before now */
};

static const struct experiment experiments[] = {
	[K_IMG] = { "cifar10-resnet", "CIFAR-10 image classification: ResNet family, optimizer and lr sweep",
	            "git@github.com:acme-ml/vision.git", "/home/dana/src/vision",
	            { "main", "exp/cutmix", "exp/onecycle" }, 21.0, 0.02 },
	[K_TAB] = { "churn-xgboost", "Customer churn (tabular, 1.2M rows): gradient-boosted trees, feature set v3/v4",
	            "git@github.com:acme-ml/churn.git", "/home/dana/src/churn",
	            { "main", "feature/usage-v4", "main" }, 14.0, 0.01 },
	[K_LLM] = { "llama-lora-sft", "Supervised fine-tune with LoRA on support-chat transcripts",
	            "git@github.com:acme-ml/sft.git", "/home/dana/src/sft",
	            { "sft-v2", "main", "sft-v2" }, 9.0, 0.0 },
};

/* ---- one run's plan ----------------------------------------------------- */

#define MAX_PARAMS 16
#define MAX_KEYS 6

struct plan {
	enum kind kind;
	char name[64];
	const char *status;       /* what it ends as */
	int exit_code;
	bool has_exit;
	double created, started, duration; /* duration: planned full length (s) */
	double stop;              /* fraction of the curve that was logged */
	size_t host;
	int gpus;
	double rate;              /* per hour */
	char params[MAX_PARAMS][2][64];
	size_t nparams;
	const char *keys[MAX_KEYS];
	size_t nkeys;
	int64_t total_steps;      /* the step number of the last point */
	double quality;           /* final headline metric */
	double diverge;           /* fraction where it diverges; > 1 never */
	double lr;
	int schedule;             /* 0 cosine, 1 step, 2 onecycle */
	bool overfit;
	double speed;             /* tokens/s and the like */
	const char *note;
	const char *tag;          /* one extra tag key, e.g. "diverged" */
	int commit;               /* index into the experiment's commits */
};

static void param(struct plan *p, const char *key, double v)
{
	if (p->nparams >= MAX_PARAMS)
		return;
	snprintf(p->params[p->nparams][0], 64, "%s", key);
	snprintf(p->params[p->nparams][1], 64, "%g", v);
	p->nparams++;
}

static void param_s(struct plan *p, const char *key, const char *v)
{
	if (p->nparams >= MAX_PARAMS)
		return;
	snprintf(p->params[p->nparams][0], 64, "%s", key);
	snprintf(p->params[p->nparams][1], 64, "%s", v);
	p->nparams++;
}

static void plan_img(struct plan *p, rng *r)
{
	static const char *const models[] = { "resnet18", "resnet34", "resnet50", "wide_resnet28_10", "preact_resnet18" };
	static const double model_acc[] = { 0.935, 0.943, 0.948, 0.962, 0.940 };
	static const double model_epoch_s[] = { 18, 30, 55, 110, 20 };
	static const char *const augments[] = { "standard", "standard", "autoaugment", "cutmix" };
	static const char *const schedules[] = { "cosine", "step", "onecycle" };
	static const int batches[] = { 64, 128, 128, 256, 512 };
	static const int epochs_v[] = { 30, 50, 100, 100 };
	size_t m = rpick(r, 5);
	double u = runif(r), opt_lr, wd, acc;
	const char *optimizer = u < 0.45 ? "sgd" : u < 0.75 ? "adam" : "adamw";
	const char *augment = PICK(r, augments);
	int batch = PICK(r, batches), epochs = PICK(r, epochs_v), seed = (int)rpick(r, 5);

	p->schedule = (int)rpick(r, 3);
	if (!strcmp(optimizer, "sgd")) {
		p->lr = sig2(rlog(r, 0.01, 0.5));
		opt_lr = 0.1 * batch / 128.0;
		wd = rchance(r, 0.2) ? 0 : rchance(r, 0.5) ? 5e-4 : 1e-4;
	} else {
		p->lr = sig2(rlog(r, 2e-4, 2e-2));
		opt_lr = 1e-3;
		wd = !strcmp(optimizer, "adamw") ? (rchance(r, 0.5) ? 0.05 : 0.01) : (rchance(r, 0.4) ? 0 : 1e-4);
	}
	param_s(p, "model", models[m]);
	param_s(p, "optimizer", optimizer);
	param(p, "lr", p->lr);
	param(p, "batch_size", batch);
	param(p, "weight_decay", wd);
	param(p, "epochs", epochs);
	param_s(p, "schedule", schedules[p->schedule]);
	param_s(p, "augment", augment);
	param(p, "label_smoothing", rchance(r, 0.3) ? 0.1 : 0.0);
	param(p, "seed", seed);

	acc = model_acc[m] - 0.05 * pow(log10(p->lr / opt_lr), 2);
	acc += !strcmp(augment, "autoaugment") ? 0.008 : !strcmp(augment, "cutmix") ? 0.011 : 0;
	acc -= wd == 0 ? 0.015 : 0;
	acc -= epochs == 30 ? 0.012 : epochs == 50 ? 0.004 : 0;
	acc -= !strcmp(optimizer, "sgd") ? 0 : 0.003;
	acc += 0.003 * rnorm(r);
	p->quality = fmin(0.975, fmax(0.35, acc));
	p->overfit = wd == 0;
	if ((!strcmp(optimizer, "sgd") && p->lr > 0.3 && rchance(r, 0.6)) ||
	    (strcmp(optimizer, "sgd") && p->lr > 0.008 && rchance(r, 0.5)))
		p->diverge = rrange(r, 0.03, 0.5);

	p->host = rchance(r, 0.15) ? H_4090 : rchance(r, 0.2) ? H_T4 : rchance(r, 0.5) ? H_A100_1 : H_A100_2;
	p->gpus = p->host == H_4090 ? 1 : rchance(r, 0.7) ? 1 : 2;
	p->duration = epochs * model_epoch_s[m] * (batch < 128 ? 1.4 : 1.0) / hosts[p->host].speed / p->gpus;
	p->total_steps = (int64_t)epochs * (50000 / batch);
	p->keys[0] = "loss";
	p->keys[1] = "acc";
	p->keys[2] = "val_loss";
	p->keys[3] = "val_acc";
	p->keys[4] = "learning_rate";
	p->nkeys = 5;
}

static void plan_tab(struct plan *p, rng *r)
{
	static const int depths[] = { 3, 4, 6, 6, 8, 10 };
	static const int estimators[] = { 300, 500, 1000, 2000 };
	int depth = PICK(r, depths), n_est = PICK(r, estimators);
	double lr = sig2(rlog(r, 0.01, 0.3)), subsample = round(rrange(r, 0.6, 1.0) * 10) / 10;
	bool v4 = rchance(r, 0.5);
	double auc;

	p->lr = lr;
	param(p, "max_depth", depth);
	param(p, "eta", lr);
	param(p, "n_estimators", n_est);
	param(p, "subsample", subsample);
	param(p, "colsample_bytree", round(rrange(r, 0.5, 1.0) * 10) / 10);
	param(p, "min_child_weight", (double)(1 + rpick(r, 10)));
	param(p, "reg_lambda", sig2(rlog(r, 0.1, 10)));
	param_s(p, "features", v4 ? "v4-usage" : "v3");
	param_s(p, "tree_method", "hist");
	param(p, "seed", (double)rpick(r, 3));

	auc = 0.875 + (v4 ? 0.018 : 0) - 0.004 * fabs(depth - 6.0) - 0.03 * pow(log10(lr / 0.05), 2);
	auc += lr * n_est < 5 ? -0.02 : 0;
	auc += 0.003 * rnorm(r);
	p->quality = fmin(0.93, fmax(0.6, auc));
	p->overfit = depth >= 8 || lr > 0.15;
	p->host = rchance(r, 0.85) ? H_CPU : H_4090;
	p->gpus = p->host == H_4090 ? 1 : 0;
	p->duration = n_est * depth * (v4 ? 0.16 : 0.11) * rrange(r, 0.9, 1.1);
	p->total_steps = n_est;
	p->keys[0] = "train_logloss";
	p->keys[1] = "val_logloss";
	p->keys[2] = "val_auc";
	p->keys[3] = "val_acc";
	p->nkeys = 4;
}

static void plan_llm(struct plan *p, rng *r)
{
	static const char *const bases[] = { "meta-llama/Llama-3.1-8B", "mistralai/Mistral-7B-v0.3",
	                                     "meta-llama/Llama-3.2-3B" };
	static const double base_loss[] = { 1.05, 1.10, 1.24 };
	static const double base_tps[] = { 3400, 3600, 7800 };
	static const int ranks[] = { 8, 16, 16, 32, 64 };
	static const int batches[] = { 4, 8, 8, 16 };
	static const int seqs[] = { 2048, 2048, 4096 };
	size_t b = rpick(r, 3);
	int rank = PICK(r, ranks), batch = PICK(r, batches), seq = PICK(r, seqs), accum = 1 << (1 + rpick(r, 3));
	int epochs = 1 + (int)rpick(r, 3);
	double lr = sig2(rlog(r, 1e-5, 6e-4)), vl;

	p->lr = lr;
	p->schedule = 0;
	param_s(p, "base_model", bases[b]);
	param(p, "lr", lr);
	param(p, "lora_r", rank);
	param(p, "lora_alpha", 2 * rank);
	param(p, "lora_dropout", rchance(r, 0.5) ? 0.05 : 0.1);
	param(p, "batch_size", batch);
	param(p, "grad_accum", accum);
	param(p, "max_seq_len", seq);
	param(p, "epochs", epochs);
	param_s(p, "optimizer", rchance(r, 0.6) ? "adamw" : "paged_adamw_8bit");
	param(p, "warmup_ratio", 0.03);
	param_s(p, "dataset", "support-chat-2024q3");
	param(p, "seed", (double)rpick(r, 3));

	vl = base_loss[b] + 0.08 * pow(log10(lr / 1.5e-4), 2) - 0.01 * log2(rank / 8.0) + (epochs == 3 ? 0.03 : 0);
	p->quality = vl + 0.01 * rnorm(r);
	p->overfit = epochs == 3;
	if (lr > 3e-4 && rchance(r, 0.45))
		p->diverge = rrange(r, 0.1, 0.7);
	p->host = rchance(r, 0.35) ? H_H100 : rchance(r, 0.5) ? H_A100_1 : H_A100_2;
	p->gpus = rchance(r, 0.4) ? 8 : rchance(r, 0.5) ? 4 : 2;
	p->speed = base_tps[b] * p->gpus * hosts[p->host].speed * (seq == 4096 ? 0.85 : 1.0);
	p->duration = 3600.0 * epochs * (b == 2 ? 1.2 : 2.8) * 8.0 / p->gpus / hosts[p->host].speed;
	p->total_steps = (int64_t)epochs * 48000 / (batch * accum);
	if (p->total_steps < 10)
		p->total_steps = 10;
	if (batch == 16 && seq == 4096 && b != 2) {
		/* Out of GPU memory in the first minutes. */
		p->status = "failed";
		p->has_exit = true;
		p->exit_code = 1;
		p->stop = rrange(r, 0.002, 0.01);
		p->note = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB "
		          "(batch 16 x 4096 tokens); retry with grad_accum and a smaller batch";
		p->tag = "oom";
	}
	p->keys[0] = "loss";
	p->keys[1] = "val_loss";
	p->keys[2] = "val_perplexity";
	p->keys[3] = "learning_rate";
	p->keys[4] = "grad_norm";
	p->keys[5] = "tokens_per_sec";
	p->nkeys = 6;
}

/* The learning rate at progress t under the run's schedule (with 2% warmup). */
static double lr_at(const struct plan *p, double t)
{
	double w = t < 0.02 ? t / 0.02 : 1.0;
	switch (p->schedule) {
	case 1:
		return p->lr * w * (t < 0.5 ? 1.0 : t < 0.75 ? 0.1 : 0.01);
	case 2:
		return t < 0.3 ? p->lr * (0.04 + 0.96 * t / 0.3)
		               : p->lr * 0.5 * (1 + cos(M_PI * (t - 0.3) / 0.7));
	default:
		return p->lr * w * 0.5 * (1 + cos(M_PI * t));
	}
}

/* Divergence: the loss blows up within a few percent of the run, then NaN. */
static double blowup(const struct plan *p, double t, double v)
{
	double d = (t - p->diverge) / 0.03;
	if (d <= 0)
		return v;
	if (d > 3)
		return NAN;
	return v * exp(4.0 * d * d);
}

/* Value of metric k of the plan at progress t (0..1). */
static double value_at(const struct plan *p, size_t k, double t, rng *r)
{
	double e = exp(-6.0 * t), v;
	bool dv = t > p->diverge;
	switch (p->kind) {
	case K_IMG: {
		double acc_final = p->quality, train_final = fmin(0.999, acc_final + 0.035 + (p->overfit ? 0.02 : 0));
		double ramp = 1 - exp(-7.0 * t);
		switch (k) {
		case 0: /* loss */
			v = 0.03 + (1 - train_final) * 0.9 + (2.303 - 0.03) * e;
			v *= 1 + 0.07 * rnorm(r);
			return blowup(p, t, v);
		case 1: /* acc */
			v = dv ? 0.1 + 0.01 * rnorm(r) : 0.1 + (train_final - 0.1) * ramp + 0.008 * rnorm(r);
			return fmin(1.0, v);
		case 2: /* val_loss */
			v = 0.12 + (1 - acc_final) * 1.6 + 2.2 * e + (p->overfit ? 0.5 * pow(fmax(0, t - 0.55), 2) : 0);
			v *= 1 + 0.04 * rnorm(r);
			return blowup(p, t, v);
		case 3: /* val_acc */
			v = dv ? 0.1 + 0.005 * rnorm(r) : 0.1 + (acc_final - 0.1) * ramp + 0.005 * rnorm(r);
			if (p->overfit && t > 0.7)
				v -= 0.01 * (t - 0.7);
			return fmin(1.0, v);
		default:
			return lr_at(p, t);
		}
	}
	case K_TAB: {
		double auc = p->quality, ramp = 1 - exp(-5.0 * t);
		double over = p->overfit ? 0.05 * pow(fmax(0, t - 0.4), 2) : 0;
		switch (k) {
		case 0: /* train_logloss */
			return fmax(0.02, 0.22 - (p->overfit ? 0.12 * t : 0.04 * t) + 0.473 * exp(-8.0 * t)) *
			       (1 + 0.005 * rnorm(r));
		case 1: /* val_logloss */
			return (0.24 + (0.93 - auc) * 0.9 + 0.453 * exp(-7.0 * t) + over) * (1 + 0.008 * rnorm(r));
		case 2: /* val_auc */
			return 0.5 + (auc - 0.5) * ramp - over * 0.3 + 0.0015 * rnorm(r);
		default: /* val_acc: churn is imbalanced, accuracy starts at the base rate */
			return 0.80 + (auc - 0.72) * 0.55 * ramp - over * 0.2 + 0.002 * rnorm(r);
		}
	}
	default: {
		double vl = p->quality, ramp = exp(-9.0 * t);
		double over = p->overfit ? 0.12 * pow(fmax(0, t - 0.66), 1.5) : 0;
		switch (k) {
		case 0: /* loss */
			v = (vl - 0.06 - (p->overfit ? 0.15 * t : 0)) + 0.9 * ramp;
			v *= 1 + 0.05 * rnorm(r);
			return blowup(p, t, v);
		case 1: /* val_loss */
			v = vl + 0.85 * ramp + over + 0.006 * rnorm(r);
			return blowup(p, t, v);
		case 2: { /* val_perplexity */
			double l = vl + 0.85 * ramp + over + 0.006 * rnorm(r);
			return exp(blowup(p, t, l));
		}
		case 3:
			return lr_at(p, t);
		case 4: /* grad_norm: noisy, with spikes; huge when diverging */
			v = (0.35 + 0.6 * ramp) * exp(0.25 * rnorm(r));
			if (rchance(r, 0.01))
				v *= rrange(r, 3, 12);
			return dv ? blowup(p, t, v * 10) : v;
		default: /* tokens_per_sec */
			return round(p->speed * (1 + 0.02 * rnorm(r)) - (rchance(r, 0.02) ? p->speed * 0.3 : 0));
		}
	}
	}
}

/* ---- writing ------------------------------------------------------------ */

static int seed_hosts(ry_store *st)
{
	for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		const struct host *h = &hosts[i];
		sqlite3_stmt *q = ry_store__stmt(st, "INSERT OR IGNORE INTO hosts"
		                                     "(name, ssh_alias, price_per_hour, gpu_price_per_hour, labels, "
		                                     "max_gpus, workdir, simulated) VALUES (?, ?, ?, ?, ?, ?, ?, 1)");
		int rc = 0;
		sqlite3_bind_text(q, 1, h->name, -1, SQLITE_STATIC);
		ry_store__bind_text(q, 2, h->alias);
		if (h->price > 0)
			sqlite3_bind_double(q, 3, h->price);
		if (h->gpu_price > 0)
			sqlite3_bind_double(q, 4, h->gpu_price);
		sqlite3_bind_text(q, 5, h->labels, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 6, h->max_gpus);
		sqlite3_bind_text(q, 7, "~/.runyard/runs", -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = ry_store__sqlerr(st, "adding demo hosts");
		sqlite3_reset(q);
		if (rc)
			return rc;
	}
	return 0;
}

static void hex40(rng *r, char out[41])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 40; i++)
		out[i] = hex[rnext(r) & 15];
	out[40] = '\0';
}

/* How many runs of `total` go to each experiment: half image, a quarter
 * each tabular and LLM. */
static void split_runs(size_t total, size_t count[3])
{
	count[K_TAB] = total / 4;
	count[K_LLM] = total / 4;
	count[K_IMG] = total - count[K_TAB] - count[K_LLM];
}

/* Decide the fate of run i of n in its experiment. */
static void plan_status(struct plan *p, rng *r, size_t i, size_t n, enum kind kind)
{
	if (p->status)
		return; /* decided by the plan (OOM) */
	p->stop = 1.0;
	p->status = "finished";
	p->has_exit = true;
	p->exit_code = 0;
	if (n >= 4 && i == n - 1 && kind != K_TAB) {
		p->status = "running";
		p->has_exit = false;
		return;
	}
	if (n >= 4 && i == n - 1 && kind == K_TAB) {
		p->status = "queued";
		p->has_exit = false;
		p->stop = 0;
		return;
	}
	if (p->diverge <= 1.0) {
		p->stop = fmin(1.0, p->diverge + 0.09 + 0.02 * runif(r));
		if (rchance(r, 0.5)) {
			p->status = "failed";
			p->exit_code = 1;
			p->note = "diverged: loss became NaN; the trainer aborted (lr too high for this optimizer?)";
		} else {
			p->status = "killed";
			p->exit_code = 143;
			p->stop = fmin(1.0, p->diverge + 0.05);
			p->note = "killed by hand after the loss exploded";
		}
		p->tag = "diverged";
		return;
	}
	double u = runif(r);
	if (u < 0.05) {
		p->status = "failed";
		p->stop = rrange(r, 0.05, 0.8);
		if (kind == K_TAB) {
			p->exit_code = 137;
			p->note = "OOM-killed while building the v4 feature matrix (exit 137)";
		} else {
			p->exit_code = rchance(r, 0.5) ? 1 : 139;
			p->note = p->exit_code == 1 ? "RuntimeError: NCCL timeout in all_reduce after 1800s"
			                            : "segfault in the dataloader worker (exit 139)";
		}
	} else if (u < 0.09) {
		p->status = "killed";
		p->exit_code = 143;
		p->stop = rrange(r, 0.1, 0.6);
		p->note = "stopped early: superseded by a better config";
	} else if (u < 0.10 && n >= 20) {
		p->status = "lost";
		p->has_exit = false;
		p->stop = rrange(r, 0.2, 0.9);
		p->note = "host rebooted during the run; no exit status recorded";
	}
}

struct ctx {
	ry_store *st;
	const ry_demo_options *o;
	ry_metrics_writer *w;
	double now;
	size_t done, total;
	char commits[3][6][41];
};

static int put_params(ry_store *st, int64_t id, const struct plan *p)
{
	int rc = 0;
	for (size_t i = 0; i < p->nparams && !rc; i++)
		rc = ry_run_set_param(st, id, p->params[i][0], p->params[i][1]);
	return rc;
}

/* Git provenance, remote dir and heartbeat in one cached statement: the
 * generic ry_run_set_* prepare a statement per call, too slow for 10^5 runs. */
static int set_provenance(struct ctx *c, int64_t id, const struct plan *p, const char *uuid, rng *r)
{
	const struct experiment *e = &experiments[p->kind];
	int b = p->commit < 2 ? 0 : p->commit < 4 ? 1 : 2, rc = 0;
	sqlite3_stmt *q = ry_store__stmt(c->st, "UPDATE runs SET git_commit = ?, git_branch = ?, git_remote = ?, "
	                                        "git_dirty = ?, remote_dir = ?, heartbeat = ? WHERE id = ?");
	sqlite3_bind_text(q, 1, c->commits[p->kind][p->commit], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, e->branches[b], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, e->remote, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, rchance(r, 0.2) ? 1 : 0);
	if (hosts[p->host].alias) {
		char dir[128];
		snprintf(dir, sizeof dir, "~/.runyard/runs/%s", uuid);
		sqlite3_bind_text(q, 5, dir, -1, SQLITE_TRANSIENT);
	}
	if (!strcmp(p->status, "running"))
		sqlite3_bind_double(q, 6, c->now - rrange(r, 1, 20));
	sqlite3_bind_int64(q, 7, id);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = ry_store__sqlerr(c->st, "recording demo provenance");
	sqlite3_reset(q);
	return rc;
}

static void build_command(const struct plan *p, char *out, size_t n)
{
	ry_buf b = RY_BUF_INIT;
	ry_buf_puts(&b, p->kind == K_IMG ? "python train.py" : p->kind == K_TAB ? "python -m churn.train"
	                                                                        : "accelerate launch sft.py");
	for (size_t i = 0; i < p->nparams; i++)
		ry_buf_printf(&b, " --%s %s", p->params[i][0], p->params[i][1]);
	snprintf(out, n, "%s", ry_buf_cstr(&b));
	ry_buf_free(&b);
}

static int log_curves(struct ctx *c, int64_t id, const struct plan *p, rng *r)
{
	size_t steps = c->o->steps, last;
	int64_t prev_step = -1;
	int rc = 0;
	if (steps == 0 || p->stop <= 0)
		return 0;
	last = steps > 1 ? (size_t)floor(p->stop * (double)(steps - 1)) : 0;
	for (size_t i = 0; i <= last && !rc; i++) {
		double t = steps > 1 ? (double)i / (double)(steps - 1) : 1.0;
		int64_t step = (int64_t)llround(t * (double)p->total_steps);
		double ts = p->started + t * p->duration + rrange(r, 0, 0.8);
		bool nan_seen = false;
		if (step <= prev_step)
			step = prev_step + 1;
		prev_step = step;
		for (size_t k = 0; k < p->nkeys && !rc; k++) {
			double v = f32(value_at(p, k, t, r));
			nan_seen |= isnan(v);
			rc = ry_metrics_append(c->w, id, p->keys[k], step, ts, v);
		}
		/* The trainer stops at the first NaN. */
		if (nan_seen && strcmp(p->status, "finished"))
			break;
	}
	if (!rc && ry_metrics_pending(c->w) >= 500000)
		rc = ry_metrics_flush(c->w);
	return rc;
}

static int seed_run(struct ctx *c, enum kind kind, size_t i, size_t n, rng *r, int64_t *best_id,
                    double *best_q)
{
	const struct experiment *e = &experiments[kind];
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	struct plan p;
	char command[1024], uuid[37];
	int64_t id;
	double span, frac;
	int rc;

	memset(&p, 0, sizeof p);
	p.kind = kind;
	p.diverge = 2.0;
	if (kind == K_IMG)
		plan_img(&p, r);
	else if (kind == K_TAB)
		plan_tab(&p, r);
	else
		plan_llm(&p, r);
	plan_status(&p, r, i, n, kind);

	/* Spread runs over the experiment's window, in order. */
	span = (e->start_days - e->end_days) * 86400.0;
	frac = n > 1 ? (double)i / (double)(n - 1) : 1.0;
	p.created = c->now - e->start_days * 86400.0 + frac * span - rrange(r, 0, 0.3) * span / (double)(n + 1);
	p.started = p.created + rrange(r, 5, 240);
	if (!strcmp(p.status, "running")) {
		/* Started a while ago and still going: part of the curve is in. */
		p.stop = rrange(r, 0.25, 0.7);
		p.started = c->now - p.stop * p.duration;
		p.created = p.started - rrange(r, 5, 120);
	} else if (!strcmp(p.status, "queued")) {
		p.created = c->now - rrange(r, 60, 900);
	} else if (p.started + p.stop * p.duration > c->now - 60) {
		p.started = c->now - 60 - p.stop * p.duration - rrange(r, 0, 3600);
		p.created = p.started - rrange(r, 5, 120);
	}
	p.rate = hosts[p.host].gpu_price > 0 ? hosts[p.host].gpu_price * (p.gpus > 0 ? p.gpus : 1)
	                                      : hosts[p.host].price;
	p.commit = (int)(frac * 5.999);
	{
		/* the run module's names: none ends in a number another run has as
		 * id.  Two draws, as the words once took, so the rest of the demo
		 * (params, curves) stays what it was. */
		uint64_t ns = rnext(r);
		ns ^= rnext(r) << 1;
		char *name = ry_run_name_pick(c->st, &ns);
		snprintf(p.name, sizeof p.name, "%s", name);
		free(name);
	}
	build_command(&p, command, sizeof command);

	char gpus[32] = "";
	for (int g = 0; g < p.gpus && g < 8; g++)
		snprintf(gpus + strlen(gpus), sizeof gpus - strlen(gpus), g ? ",%d" : "%d", g);

	spec.experiment = e->name;
	spec.name = p.name;
	spec.status = !strcmp(p.status, "queued") ? "queued" : "running";
	spec.command = command;
	spec.cwd = e->cwd;
	spec.host = hosts[p.host].name;
	spec.gpus = p.gpus ? gpus : NULL;
	spec.source = hosts[p.host].alias ? "ssh" : "local";
	spec.created = p.created;
	spec.started = !strcmp(p.status, "queued") ? 0 : p.started;
	spec.cost_rate = p.rate;
	if ((rc = ry_run_create(c->st, &spec, &id, uuid)))
		return rc;
	if ((rc = put_params(c->st, id, &p)))
		return rc;

	if ((rc = set_provenance(c, id, &p, uuid, r)))
		return rc;

	/* Tags. */
	if ((rc = ry_run_set_tag(c->st, id, "sweep", frac < 0.5 ? "v1" : "v2")))
		return rc;
	if (i < 2 && (rc = ry_run_set_tag(c->st, id, "baseline", "")))
		return rc;
	if (p.tag && (rc = ry_run_set_tag(c->st, id, p.tag, "")))
		return rc;
	if (!strcmp(p.status, "running")) {
		/* when a sync settles it (core/remote/simulated.h) */
		char end[32];
		snprintf(end, sizeof end, "%.0f", p.started + p.duration);
		if ((rc = ry_run_set_tag(c->st, id, "simulated", end)))
			return rc;
	}
	{
		const char *note = p.note;
		if (!note && i == 0)
			note = kind == K_IMG ? "Baseline: the reference recipe, to check the pipeline reproduces ~94-95%."
			     : kind == K_TAB ? "Baseline on feature set v3 with default xgboost params."
			                     : "Baseline LoRA; compare against the full fine-tune numbers on the wiki.";
		if (note && (rc = ry_run_set_notes(c->st, id, note)))
			return rc;
	}

	if ((rc = log_curves(c, id, &p, r)))
		return rc;

	if (strcmp(p.status, "running") && strcmp(p.status, "queued")) {
		double ended = p.started + p.stop * p.duration + rrange(r, 2, 30);
		/* ry_run_finish settles cost_total from the rate. */
		if ((rc = ry_run_finish(c->st, id, p.status, ended, p.has_exit, p.exit_code)))
			return rc;
	}
	if (!strcmp(p.status, "finished")) {
		double q = kind == K_LLM ? -p.quality : p.quality;
		if (*best_id == 0 || q > *best_q) {
			*best_id = id;
			*best_q = q;
		}
	}
	return 0;
}

int ry_demo_seed(ry_store *st, const ry_demo_options *opts)
{
	ry_demo_options def = RY_DEMO_OPTIONS_INIT;
	struct ctx c;
	size_t count[3];
	rng r;
	int rc;

	if (!opts)
		opts = &def;
	if (opts->runs > 10000000)
		return ry_error_set(RY_EINVAL, "demo: %zu runs is more than the 10,000,000 the demo makes; "
		                    "ask for fewer with --runs", opts->runs);
	if (opts->steps > 1000000)
		return ry_error_set(RY_EINVAL, "demo: %zu steps per run is more than the 1,000,000 the demo "
		                    "makes; ask for fewer with --steps", opts->steps);
	memset(&c, 0, sizeof c);
	c.st = st;
	c.o = opts;
	c.now = opts->now > 0 ? opts->now : ry_now();
	c.total = opts->runs;
	r.s = opts->seed;
	for (int k = 0; k < 3; k++)
		for (int j = 0; j < 6; j++)
			hex40(&r, c.commits[k][j]);
	split_runs(opts->runs, count);

	if ((rc = ry_metrics_writer_new(&c.w, st)))
		return rc;
	if ((rc = ry_store_begin(st))) {
		ry_metrics_writer_free(c.w);
		return rc;
	}
	if ((rc = seed_hosts(st)))
		goto fail;
	for (int k = 0; k < 3; k++) {
		int64_t eid, best_id = 0;
		double best_q = 0;
		if (count[k] == 0)
			continue;
		if ((rc = ry_experiment_ensure(st, experiments[k].name, &eid)))
			goto fail;
		{
			sqlite3_stmt *q = ry_store__stmt(st, "UPDATE experiments SET description = ?, created = ? "
			                                     "WHERE id = ? AND description = ''");
			sqlite3_bind_text(q, 1, experiments[k].description, -1, SQLITE_STATIC);
			sqlite3_bind_double(q, 2, c.now - experiments[k].start_days * 86400.0 - 3600);
			sqlite3_bind_int64(q, 3, eid);
			rc = sqlite3_step(q) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "describing a demo experiment");
			sqlite3_reset(q);
			if (rc)
				goto fail;
		}
		for (size_t i = 0; i < count[k]; i++) {
			if ((rc = seed_run(&c, (enum kind)k, i, count[k], &r, &best_id, &best_q)))
				goto fail;
			c.done++;
			if (opts->progress && (c.done % 1000 == 0 || c.done == c.total))
				opts->progress((double)c.done / (double)c.total, opts->payload);
		}
		if (best_id && count[k] >= 4 &&
		    ((rc = ry_run_set_tag(st, best_id, "best", "")) ||
		     (rc = ry_run_set_notes(st, best_id, "Best finished run of the sweep so far; candidate "
		                                         "for promotion."))))
			goto fail;
	}
	if ((rc = ry_metrics_flush(c.w)))
		goto fail;
	if ((rc = ry_store_event(st, "demo", "workspace", "seeded demo data")))
		goto fail;
	if ((rc = ry_store_commit(st)))
		goto fail_free;
	ry_metrics_writer_free(c.w);
	return opts->models ? ry_demo__models(st, opts->seed) : 0;
fail:
	ry_store_rollback(st);
fail_free:
	ry_metrics_writer_free(c.w);
	return rc;
}
