/*
 * `runyard launch`: the cost estimate, the budget check, the confirmation,
 * then core's launch (pack, upload, start detached) with progress on
 * stderr.  `--estimate` stops after the estimate.
 */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "text/present.h"

static const char help[] =
	"usage: runyard launch -e EXP --host HOST [--name NAME] [--gpus N | --gpu-ids 0,2]\n"
	"                      [--time-limit DUR] [--code-dir DIR] [--estimate] [--yes] [--json]\n"
	"                      [--partition P] [--account A] [--qos Q] -- CMD ARG...\n"
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
	"labels, and the same --epochs/max_steps/steps if CMD sets one, else those runs\n"
	"scaled by its ratio; else the time limit) and its basis, the expected cost and\n"
	"the maximum cost at the time limit.  budget_per_run and budget_per_month in\n"
	"runyard's config are each checked; they warn, or refuse the launch with\n"
	"budget_mode = block.  The host is probed (5 s at most; an unreachable host is\n"
	"only noted): fewer free GPUs than --gpus asks is a warning with --estimate and\n"
	"refuses the launch before the prompt, --yes or not (--gpu-ids is not checked).\n"
	"\n"
	"On a Slurm cluster (scheduler = slurm in the host's config section: its login\n"
	"node) the job is submitted with sbatch instead (--time, --gres=gpu:N,\n"
	"--partition, --account, --qos, output into the run dir) and the run stays\n"
	"queued until Slurm starts it; Slurm chooses the GPUs and sets\n"
	"CUDA_VISIBLE_DEVICES.  The rate uses the partition's partition_price.NAME\n"
	"where set (docs/remote.md, \"Slurm\").\n"
	"\n"
	"  -e, --experiment EXP  the experiment (created if new; default \"default\")\n"
	"  --host HOST           a host from 'runyard hosts'\n"
	"  --name NAME           the run's name (default: generated)\n"
	"  --gpus N              N free GPUs, chosen automatically (default 1 on a GPU\n"
	"                        host, 0 on a CPU host)\n"
	"  --gpu-ids 0,2         exactly these GPUs (not on a Slurm host)\n"
	"  --time-limit DUR      stop the job after DUR (90s, 15m, 2h, 1h30m), enforced\n"
	"                        on the host (by Slurm on a Slurm host: --time)\n"
	"  --partition P         Slurm hosts: the partition (default: the host's\n"
	"                        partition setting, else the cluster's default)\n"
	"  --account A           Slurm hosts: the account to charge (default: account)\n"
	"  --qos Q               Slurm hosts: the QOS (default: the host's qos)\n"
	"  --code-dir DIR        ship DIR when not inside a git repository (default: the\n"
	"                        experiment's code_dir setting, if any)\n"
	"  --estimate            print the estimate and exit\n"
	"  --yes                 do not ask for confirmation\n"
	"  --json                machine-readable estimate/result on stdout\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: 0 launched (or estimated), 1 refused (budget, declined, host) or\n"
	"failed, 2 bad usage.\n";

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

static cJSON *estimate_json(const ry_cost_estimate *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "rate_per_hour", e->rate);
	cJSON_AddNumberToObject(o, "gpus", e->gpus);
	cJSON_AddItemToObject(o, "expected_seconds", cli_json_number(e->expected_secs));
	cJSON_AddStringToObject(o, "basis", e->basis);
	cJSON_AddNumberToObject(o, "history_runs", e->nhistory);
	cJSON_AddItemToObject(o, "expected_cost", cli_json_number(e->expected_cost));
	/* unknown is null, as everywhere in --json: no time limit is not 0 s */
	cJSON_AddItemToObject(o, "time_limit_seconds", cli_json_number(e->time_limit > 0 ? e->time_limit : NAN));
	cJSON_AddItemToObject(o, "max_cost", cli_json_number(e->max_cost));
	cJSON_AddNumberToObject(o, "month_spent", e->month_spent);
	cJSON_AddBoolToObject(o, "over_budget", e->over_budget);
	cJSON_AddStringToObject(o, "budget_mode", e->block_mode ? "block" : "warn");
	if (*e->budget_msg)
		cJSON_AddStringToObject(o, "budget_message", e->budget_msg);
	else
		cJSON_AddNullToObject(o, "budget_message");
	return o;
}

/* The estimate on stdout; its budget check goes to stderr, below. */
static void print_estimate(const ry_cost_estimate *e, const ry_host *h)
{
	struct tui_present_line l[TUI_PRESENT_ESTIMATE_LINES];
	size_t n = tui_present_estimate(l, e, h);
	for (size_t i = 0; i < n; i++) {
		if (l[i].kind == TUI_PRESENT_ALERT)
			continue;
		cli_put_safe(stdout, l[i].text);
		printf("\n");
	}
}

/* What the command line asked for. */
struct launch_args {
	ry_launch_spec spec;   /* argv, experiment, name, GPUs, time limit, code dir */
	const char *host_name; /* --host */
	bool estimate_only;    /* --estimate */
	bool yes;              /* --yes: no prompt */
	bool json;             /* --json */
};

/* Stage 1: the options and the command after "--".  -1 to go on, else the
 * exit status to return. */
static int parse_args(struct launch_args *a, int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "host", required_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'n' },
		{ "gpus", required_argument, NULL, 'g' },
		{ "gpu-ids", required_argument, NULL, 'G' },
		{ "time-limit", required_argument, NULL, 't' },
		{ "code-dir", required_argument, NULL, 'C' },
		{ "estimate", no_argument, NULL, 'E' },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ "partition", required_argument, NULL, 'P' },
		{ "account", required_argument, NULL, 'A' },
		{ "qos", required_argument, NULL, 'Q' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("launch", help, g);
	ry_launch_spec *spec = &a->spec;
	int c;

	spec->experiment = "default";
	/* '+': the scan stops at the command, whose options are its own */
	while ((c = cli_getopt(&go, argc, argv, "+e:yh", opts)) != -1) {
		switch (c) {
		case 'e': spec->experiment = optarg; break;
		case 'H': a->host_name = optarg; break;
		case 'n': spec->name = optarg; break;
		case 'g': {
			double d;
			if (!ry_parse_number(optarg, &d) || d < 0 || d != floor(d) || d > 1024)
				return cli_bad_value("launch", "--gpus", optarg, "a whole number of GPUs");
			spec->ngpus = (int)d;
			break;
		}
		case 'G': spec->gpu_ids = optarg; break;
		case 't':
			if (!ry_parse_duration(optarg, &spec->time_limit) || spec->time_limit <= 0)
				return cli_bad_value("launch", "--time-limit", optarg, "a duration like 90s, 15m, 2h or 1h30m");
			break;
		case 'C': spec->code_dir = optarg; break;
		case 'E': a->estimate_only = true; break;
		case 'y': a->yes = true; break;
		case 'j': a->json = true; break;
		case 'P': spec->partition = optarg; break;
		case 'A': spec->account = optarg; break;
		case 'Q': spec->qos = optarg; break;
		default: return go.status;
		}
	}
	if (optind < argc && !go.dashdash)
		return cli_usage("launch", "put the command after --, e.g. runyard launch --host H -- %s", argv[optind]);
	if (!a->host_name)
		return cli_usage("launch", "--host HOST is required; 'runyard hosts' lists them");
	if (optind >= argc)
		return cli_usage("launch", "no command: give it after --, e.g. -- python train.py --lr 0.01");
	if (spec->gpu_ids && spec->ngpus >= 0)
		return cli_usage("launch", "give --gpus or --gpu-ids, not both");
	spec->argv = argv + optind;
	return -1;
}

/* How long the estimate waits for the host's probe: short, since an
 * estimate must not need a reachable host (the launch probes again). */
#define ESTIMATE_PROBE_MS 5000

/* The estimate's look at the host's free GPUs, from a probe made now (a
 * simulated host answers without connecting; none is stored between
 * commands); the verdict and its words are core's, shared with the TUI's
 * launch dialog.  Found first, said after the estimate (gpus_report), so
 * --estimate --json can carry it too. */
static void gpus_check(ry_launch_gpu_check *g, const struct launch_args *a, const struct cli_remote *r,
                       const ry_host *host, int ngpus)
{
	ry_hosts_probe_options po = RY_HOSTS_PROBE_OPTIONS_INIT;
	ry_host *probe;

	g->free = -1, g->verdict = NULL, g->message = NULL, g->fact = NULL;
	if (a->spec.gpu_ids || ngpus <= 0 || ry_host_is_slurm(host))
		return; /* --gpu-ids names GPUs, none asked needs none free, Slurm queues the job */
	po.timeout_ms = ESTIMATE_PROBE_MS;
	po.sshcfg = r->sshcfg;
	probe = ry_host_copy(host);
	ry_host_probe(probe, &po);
	ry_launch_gpu_check_from(g, probe, ngpus);
	ry_host_free(probe);
}

/* Too few free: a warning for --estimate, a refusal before the prompt
 * otherwise (--yes does not override it: the GPUs are someone's).  An
 * unreachable host is only noted.  0 to go on, else the exit status. */
static int gpus_report(const ry_launch_gpu_check *g, bool estimate_only)
{
	if (!g->message)
		return 0;
	if (!g->verdict) {
		fprintf(stderr, "runyard: %s\n", g->message);
		return 0;
	}
	if (estimate_only) {
		fprintf(stderr, "runyard: warning: %s\n", g->message);
		return 0;
	}
	ry_error_set(RY_EREFUSED, "%s", g->message);
	return cli_fail(RY_EREFUSED);
}

/* Stage 2: the cost estimate, shown (text, or JSON with --estimate) and
 * checked against the budget.  *code_dir receives the experiment's
 * configured directory when --code-dir was not given (caller frees).
 * 0 to go on, else the exit status; *stop when --estimate ends it here. */
static int estimate(struct launch_args *a, struct cli_remote *r, ry_host *host, ry_cost_estimate *est,
                    char **code_dir, bool *stop)
{
	ry_launch_spec *spec = &a->spec;
	bool json = a->json, estimate_only = a->estimate_only;
	char *command;
	int rc, est_gpus;

	*stop = false;
	if (spec->gpu_ids) {
		est_gpus = 1;
		for (const char *p = spec->gpu_ids; *p; p++)
			est_gpus += *p == ',';
	} else {
		est_gpus = spec->ngpus >= 0 ? spec->ngpus : (host->gpu_price_per_hour > 0 || ry_host_is_slurm(host) ? 1 : 0);
	}
	if (ry_host_is_slurm(host) && spec->partition) {
		/* priced in the partition the job goes to */
		free(host->partition);
		host->partition = ry_xstrdup(spec->partition);
	}
	if (!spec->code_dir) {
		/* outside a repository the experiment's configured directory is shipped */
		int64_t eid;
		if (ry_experiment_find(r->st, spec->experiment, &eid) == 0)
			*code_dir = ry_experiment_setting_get(r->st, eid, "code_dir");
		spec->code_dir = *code_dir;
	}
	/* refused here, before any connection or estimate */
	if ((rc = ry_launch_check_gpus(host, est_gpus)))
		return cli_fail(rc);
	command = ry_launch_command_line(spec->argv);
	rc = ry_cost_estimate_run(est, r->st, r->cfg, r->hosts, r->nhosts, host, spec->experiment, command, est_gpus,
	                          spec->time_limit);
	free(command);
	if (rc)
		return cli_fail(rc);
	ry_launch_gpu_check gc;
	gpus_check(&gc, a, r, host, est_gpus);
	if (json && estimate_only) {
		cJSON *o = estimate_json(est);
		/* unknown (not probed, unreachable, --gpu-ids) is null, as the rest */
		cJSON_AddItemToObject(o, "free_gpus", gc.free >= 0 ? cJSON_CreateNumber(gc.free) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "gpu_check", gc.verdict ? cJSON_CreateString(gc.verdict) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "gpu_check_message",
		                      gc.message ? cJSON_CreateString(gc.message) : cJSON_CreateNull());
		rc = cli_json_print(o);
	} else if (!json) {
		print_estimate(est, host);
	}
	{
		int frc = gpus_report(&gc, estimate_only);
		ry_launch_gpu_check_clear(&gc);
		if (frc)
			return frc;
	}
	if (est->over_budget) {
		const char *fix = tui_present_budget_fix(est, false);
		if (est->block_mode) {
			ry_error_set(RY_EREFUSED, "over budget: %s%s%s (budget_mode = block)", est->budget_msg,
			             *fix ? "; " : "", fix);
			return cli_fail(RY_EREFUSED);
		}
		char why[TUI_PRESENT_LINE_MAX];
		tui_present_budget(why, sizeof why, est);
		fprintf(stderr, "runyard: %s%s%s\n", why, *fix ? "; " : "", fix);
	}
	*stop = estimate_only;
	return rc; /* 0, or 1 if the JSON could not be written */
}

/* Stage 3: ask on the terminal unless --yes.  0 to go on, else the exit
 * status. */
static int confirm(const struct launch_args *a, const ry_host *host)
{
	char *q = ry_xasprintf("Launch on %s?", host->name);
	int rc = cli_confirm(a->yes, q, "launching needs confirmation; add --yes to launch without a prompt",
	                     "not launched");
	free(q);
	return rc;
}

/* Stage 4: core's launch (pack, upload, start detached), then what was
 * started.  Returns the exit status. */
static int launch(const struct launch_args *a, struct cli_remote *r, ry_host *host, const ry_cost_estimate *est)
{
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	ry_launch_result res;
	bool json = a->json;
	int rc;

	o.sshcfg = r->sshcfg;
	o.passphrase = cli_passphrase;
	if (isatty(2) && !json)
		o.progress = on_progress;
	rc = ry_launch_run(r->st, host, &a->spec, &o, &res);
	if (rc)
		return cli_fail(rc);
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
		if (*res.job_id)
			cJSON_AddStringToObject(j, "slurm_job_id", res.job_id);
		cJSON_AddNumberToObject(j, "cost_rate", res.cost_rate);
		cJSON_AddStringToObject(j, "pack_sha256", res.pack_sha256);
		cJSON_AddBoolToObject(j, "pack_reused", res.pack_reused);
		cJSON_AddItemToObject(j, "estimate", estimate_json(est));
		rc = cli_json_print(j);
	} else {
		ry_run *run = NULL;
		ry_run_get(&run, r->st, res.run_id);
		printf("%s run ", *res.job_id ? "submitted" : "launched");
		cli_put_safe(stdout, run ? run->name : res.uuid);
		printf(" (id %lld) on ", (long long)res.run_id);
		cli_put_safe(stdout, host->name);
		if (*res.job_id)
			printf(" as Slurm job %s, $%.2f/h while it runs; queued until Slurm starts it\n", res.job_id,
			       res.cost_rate);
		else
			printf(", GPUs %s, $%.2f/h, pid %d\n", res.gpus ? res.gpus : "none", res.cost_rate, res.pid);
		printf("code %.12s (%s), remote dir ", res.pack_sha256, res.pack_reused ? "already on the host" : "uploaded");
		cli_put_safe(stdout, res.remote_dir);
		printf("\nfollow it with: runyard logs %lld -f\n", (long long)res.run_id);
		ry_run_free(run);
	}
	ry_launch_result_clear(&res);
	return rc;
}

int cli_launch(int argc, char **argv, struct cli_global *g)
{
	struct launch_args a = { RY_LAUNCH_SPEC_INIT, NULL, false, false, false };
	struct cli_remote r;
	ry_host *host;
	ry_cost_estimate est;
	char *code_dir = NULL;
	bool stop;
	int rc;

	if ((rc = parse_args(&a, argc, argv, g)) >= 0)
		return rc;
	if ((rc = cli_remote_open(&r, g, true)))
		return rc;
	if (!(host = cli_remote_host(&r, a.host_name))) {
		rc = cli_fail(RY_ENOTFOUND);
		goto out;
	}
	if ((rc = estimate(&a, &r, host, &est, &code_dir, &stop)) || stop)
		goto out;
	if ((rc = confirm(&a, host)))
		goto out;
	rc = launch(&a, &r, host, &est);
out:
	free(code_dir);
	cli_remote_close(&r);
	return rc;
}
