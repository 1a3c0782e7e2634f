/*
 * `runyard launch`: the cost estimate, the budget check, the confirmation,
 * then core's launch (pack, upload, start detached) with progress on
 * stderr.  `--estimate` stops after the estimate.
 */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"

static const char help[] =
	"usage: runyard launch -e EXP --host HOST [--name NAME] [--gpus N | --gpu-ids 0,2]\n"
	"                      [--time-limit DUR] [--code-dir DIR] [--estimate] [--yes] [--json]\n"
	"                      -- CMD ARG...\n"
	"\n"
	"Ship the code you are looking at to an SSH host and start CMD there, detached,\n"
	"as a tracked run.  The code is the git repository containing the current\n"
	"directory: its tracked files as they are in your working tree (the commit plus\n"
	"uncommitted changes), uploaded once per distinct tree.  The job gets\n"
	"CUDA_VISIBLE_DEVICES, RUNYARD_METRICS and RUNYARD_ARTIFACTS, survives this\n"
	"command, your laptop sleeping and the link dropping; follow it with\n"
	"'runyard logs RUN -f', settle it with 'runyard sync'.\n"
	"\n"
	"Before anything starts the cost estimate is shown: the rate (price_per_hour +\n"
	"GPUs x gpu_price_per_hour), the expected duration (median of the last comparable\n"
	"finished runs: same experiment, same command shape, a host with the same\n"
	"labels; else the time limit), the expected cost and the maximum cost at the\n"
	"time limit.  budget_per_run / budget_per_month in runyard's config warn, or\n"
	"refuse the launch with budget_mode = block.\n"
	"\n"
	"  -e, --experiment EXP  the experiment (created if new; default \"default\")\n"
	"  --host HOST           a host from 'runyard hosts'\n"
	"  --name NAME           the run's name (default: generated)\n"
	"  --gpus N              N free GPUs, chosen automatically (default 1 on a GPU\n"
	"                        host, 0 on a CPU host)\n"
	"  --gpu-ids 0,2         exactly these GPUs\n"
	"  --time-limit DUR      stop the job after DUR (90s, 15m, 2h, 1h30m), enforced\n"
	"                        on the host\n"
	"  --code-dir DIR        ship DIR when not inside a git repository (default: the\n"
	"                        experiment's code_dir setting, if any)\n"
	"  --estimate            print the estimate and exit\n"
	"  --yes                 do not ask for confirmation\n"
	"  --json                machine-readable estimate/result on stdout\n";

static void on_progress(double frac, const char *what, void *payload)
{
	(void)payload;
	if (frac >= 0)
		fprintf(stderr, "\r%-20s %3.0f%%", what, frac * 100);
	else
		fprintf(stderr, "\r%-20s", what);
	if (frac >= 1)
		fputc('\n', stderr);
	fflush(stderr);
}

static void money(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "unknown");
	else
		snprintf(out, n, "$%.2f", v);
}

static cJSON *estimate_json(const ry_cost_estimate *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "rate_per_hour", e->rate);
	cJSON_AddNumberToObject(o, "gpus", e->gpus);
	if (isnan(e->expected_secs))
		cJSON_AddNullToObject(o, "expected_seconds");
	else
		cJSON_AddNumberToObject(o, "expected_seconds", e->expected_secs);
	cJSON_AddStringToObject(o, "basis", e->basis);
	cJSON_AddNumberToObject(o, "history_runs", e->nhistory);
	if (isnan(e->expected_cost))
		cJSON_AddNullToObject(o, "expected_cost");
	else
		cJSON_AddNumberToObject(o, "expected_cost", e->expected_cost);
	cJSON_AddNumberToObject(o, "time_limit_seconds", e->time_limit);
	if (isnan(e->max_cost))
		cJSON_AddNullToObject(o, "max_cost");
	else
		cJSON_AddNumberToObject(o, "max_cost", e->max_cost);
	cJSON_AddNumberToObject(o, "month_spent", e->month_spent);
	cJSON_AddBoolToObject(o, "over_budget", e->over_budget);
	cJSON_AddStringToObject(o, "budget_mode", e->block_mode ? "block" : "warn");
	if (*e->budget_msg)
		cJSON_AddStringToObject(o, "budget_message", e->budget_msg);
	return o;
}

static void print_estimate(const ry_cost_estimate *e, const ry_host *h)
{
	char a[32], b[32], d[32];
	printf("Estimate for ");
	cli_put_safe(stdout, h->name);
	printf(" with %d GPU%s:\n", e->gpus, e->gpus == 1 ? "" : "s");
	printf("  rate           $%.2f/h", e->rate);
	if (e->gpus > 0 && h->gpu_price_per_hour > 0)
		printf("  ($%.2f/h + %d x $%.2f/GPU-h)", h->price_per_hour, e->gpus, h->gpu_price_per_hour);
	printf("\n");
	if (isnan(e->expected_secs))
		snprintf(d, sizeof d, "unknown");
	else
		ry_format_duration(e->expected_secs, d, sizeof d);
	printf("  expected time  %s  (%s)\n", d, e->basis);
	money(a, sizeof a, e->expected_cost);
	printf("  expected cost  %s\n", a);
	if (e->time_limit > 0) {
		ry_format_duration(e->time_limit, d, sizeof d);
		money(b, sizeof b, e->max_cost);
		printf("  max cost       %s at the time limit %s\n", b, d);
	} else {
		printf("  max cost       unbounded (no --time-limit)\n");
	}
	printf("  this month     $%.2f spent", e->month_spent);
	if (e->budget_per_month > 0)
		printf(" of $%.2f", e->budget_per_month);
	printf("\n");
}

int cli_launch(int argc, char **argv, struct cli_global *g)
{
	ry_launch_spec spec = RY_LAUNCH_SPEC_INIT;
	const char *host_name = NULL;
	bool estimate_only = false, yes = false, json = false;
	struct cli_remote r;
	ry_host *host;
	ry_cost_estimate est;
	char *command, *code_dir = NULL;
	int i, rc, est_gpus;

	spec.experiment = "default";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return cli_help(help);
		} else if ((!strcmp(a, "-e") || !strcmp(a, "--experiment")) && has_val) {
			spec.experiment = argv[++i];
		} else if (!strcmp(a, "--host") && has_val) {
			host_name = argv[++i];
		} else if (!strcmp(a, "--name") && has_val) {
			spec.name = argv[++i];
		} else if (!strcmp(a, "--gpus") && has_val) {
			double d;
			if (!ry_parse_number(argv[i + 1], &d) || d < 0 || d != floor(d) || d > 1024)
				return cli_usage("launch", "--gpus needs a whole number of GPUs, got '%s'", argv[i + 1]);
			spec.ngpus = (int)d;
			i++;
		} else if (!strcmp(a, "--gpu-ids") && has_val) {
			spec.gpu_ids = argv[++i];
		} else if (!strcmp(a, "--time-limit") && has_val) {
			if (!ry_parse_duration(argv[i + 1], &spec.time_limit) || spec.time_limit <= 0)
				return cli_usage("launch", "--time-limit needs a duration like 90s, 15m, 2h or 1h30m, got '%s'",
				                 argv[i + 1]);
			i++;
		} else if (!strcmp(a, "--code-dir") && has_val) {
			spec.code_dir = argv[++i];
		} else if (!strcmp(a, "--db") && has_val) {
			g->db_path = argv[++i];
		} else if (!strcmp(a, "--estimate")) {
			estimate_only = true;
		} else if (!strcmp(a, "--yes") || !strcmp(a, "-y")) {
			yes = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (a[0] == '-') {
			return cli_usage("launch", "unknown option '%s' (or it needs a value)", a);
		} else {
			return cli_usage("launch", "put the command after --, e.g. runyard launch --host H -- %s", a);
		}
	}
	if (!host_name)
		return cli_usage("launch", "--host HOST is required; 'runyard hosts' lists them");
	if (i >= argc)
		return cli_usage("launch", "no command: give it after --, e.g. -- python train.py --lr 0.01");
	if (spec.gpu_ids && spec.ngpus >= 0)
		return cli_usage("launch", "give --gpus or --gpu-ids, not both");
	spec.argv = argv + i;
	if ((rc = cli_remote_open(&r, g, true)))
		return rc;
	if (!(host = cli_remote_host(&r, host_name))) {
		rc = cli_fail(RY_ENOTFOUND);
		goto out;
	}
	if (spec.gpu_ids) {
		est_gpus = 1;
		for (const char *p = spec.gpu_ids; *p; p++)
			est_gpus += *p == ',';
	} else {
		est_gpus = spec.ngpus >= 0 ? spec.ngpus : (host->gpu_price_per_hour > 0 ? 1 : 0);
	}
	if (!spec.code_dir) {
		/* outside a repository the experiment's configured directory is shipped */
		int64_t eid;
		if (ry_experiment_find(r.st, spec.experiment, &eid) == 0)
			code_dir = ry_experiment_setting_get(r.st, eid, "code_dir");
		spec.code_dir = code_dir;
	}
	command = ry_launch_command_line(spec.argv);
	rc = ry_cost_estimate_run(&est, r.st, r.cfg, r.hosts, r.nhosts, host, spec.experiment, command, est_gpus,
	                          spec.time_limit);
	free(command);
	if (rc) {
		rc = cli_fail(rc);
		goto out;
	}
	if (json && estimate_only) {
		rc = cli_json_print(estimate_json(&est));
	} else if (!json) {
		print_estimate(&est, host);
	}
	if (est.over_budget) {
		if (est.block_mode) {
			ry_error_set(RY_EREFUSED, "over budget: %s (budget_mode = block)", est.budget_msg);
			rc = cli_fail(RY_EREFUSED);
			goto out;
		}
		fprintf(stderr, "runyard: warning: over budget: %s\n", est.budget_msg);
	}
	if (estimate_only)
		goto out; /* rc: 0, or 1 if the JSON could not be written */
	if (!yes) {
		char line[16];
		if (!isatty(0)) {
			ry_error_set(RY_EINVAL, "launching needs confirmation; add --yes to launch without a prompt");
			rc = cli_fail(RY_EINVAL);
			goto out;
		}
		fprintf(stderr, "Launch on %s? [y/N] ", host->name);
		if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
			fprintf(stderr, "not launched\n");
			rc = 1;
			goto out;
		}
	}
	{
		ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
		ry_launch_result res;
		o.sshcfg = r.sshcfg;
	o.passphrase = cli_passphrase;
		if (isatty(2) && !json)
			o.progress = on_progress;
		rc = ry_launch_run(r.st, host, &spec, &o, &res);
		if (rc) {
			rc = cli_fail(rc);
			goto out;
		}
		if (json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddNumberToObject(j, "id", (double)res.run_id);
			cJSON_AddStringToObject(j, "uuid", res.uuid);
			cJSON_AddStringToObject(j, "host", host->name);
			if (res.gpus)
				cJSON_AddStringToObject(j, "gpus", res.gpus);
			else
				cJSON_AddNullToObject(j, "gpus");
			cJSON_AddStringToObject(j, "remote_dir", res.remote_dir);
			cJSON_AddNumberToObject(j, "pid", res.pid);
			cJSON_AddNumberToObject(j, "cost_rate", res.cost_rate);
			cJSON_AddStringToObject(j, "pack_sha256", res.pack_sha256);
			cJSON_AddBoolToObject(j, "pack_reused", res.pack_reused);
			cJSON_AddItemToObject(j, "estimate", estimate_json(&est));
			rc = cli_json_print(j);
		} else {
			ry_run *run = NULL;
			ry_run_get(&run, r.st, res.run_id);
			printf("launched run ");
			cli_put_safe(stdout, run ? run->name : res.uuid);
			printf(" (id %lld) on ", (long long)res.run_id);
			cli_put_safe(stdout, host->name);
			printf(", GPUs %s, $%.2f/h, pid %d\n", res.gpus ? res.gpus : "none", res.cost_rate, res.pid);
			printf("code %.12s (%s), remote dir ", res.pack_sha256, res.pack_reused ? "already on the host" : "uploaded");
			cli_put_safe(stdout, res.remote_dir);
			printf("\nfollow it with: runyard logs %lld -f\n", (long long)res.run_id);
			ry_run_free(run);
		}
		ry_launch_result_clear(&res);
	}
out:
	free(code_dir);
	cli_remote_close(&r);
	return rc;
}
