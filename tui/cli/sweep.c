/*
 * `runyard sweep`: expand the axes into runs, show the plan (which start
 * now on which host and GPUs, which wait), the cost of one run and of the
 * whole sweep with the budget check, then queue every run and start what
 * fits (core's queue).  `--estimate` stops after the plan.
 */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "remote/queue.h"
#include "remote/sweep.h"
#include "remote/slurm.h"
#include "base/sha256.h"
#include "track/track.h"
#include "text/present.h"

static const char help[] =
	"usage: runyard sweep -e EXP [--grid KEY=V1,V2...]... [--random KEY=DIST(A,B)]... [--trials N]\n"
	"                     --host H1,H2|any [--gpus-per-run N] [--max-parallel N] [--time-limit DUR]\n"
	"                     [--seed N] [--code-dir DIR] [--estimate] [--yes] [--json] -- CMD ARG...\n"
	"\n"
	"Run CMD once per point of a sweep, on whatever allowed host has free GPUs:\n"
	"as many at once as there are free GPUs (and --max-parallel allows), the rest\n"
	"queued in the workspace and started as GPUs free up ('runyard queue --drain',\n"
	"or the full-screen app while it is open).  Before anything starts the plan is\n"
	"shown: how many runs, which start now on which host and GPUs, how many wait,\n"
	"the cost estimate of one run (as 'runyard launch' shows it, with its basis)\n"
	"and of the whole sweep, and the budget check (budget_per_run for each run,\n"
	"budget_per_month for the sweep's total).\n"
	"\n"
	"The runs are the cartesian product of the --grid axes, each repeated --trials\n"
	"times; every run draws its own value of each --random axis.  In CMD, {KEY} is\n"
	"replaced by the run's value of KEY; a KEY no word names is appended as\n"
	"--KEY=VALUE.  Every run carries its values as params and the sweep's id as\n"
	"the tag 'sweep' (filter: tags.sweep = ID); the code is packed once, as it is\n"
	"now, and every run of the sweep runs that code.  On a Slurm host (--host\n"
	"naming one host with scheduler = slurm) the sweep is one job array\n"
	"(--array=0-N%MAX, MAX = --max-parallel): Slurm holds the queue.\n"
	"\n"
	"  -e, --experiment EXP  the experiment (created if new; default \"default\")\n"
	"  --grid KEY=V1,V2...   a grid axis: each value in turn\n"
	"  --random KEY=DIST     a random axis: uniform(LOW,HIGH), loguniform(LOW,HIGH),\n"
	"                        randint(LOW,HIGH) or choice(A,B,...)\n"
	"  --trials N            runs per grid point (default 1)\n"
	"  --seed N              the random axes' seed (default: from the clock; kept on\n"
	"                        the runs as the tag sweep_seed)\n"
	"  --host H1,H2 | any    the hosts runs may go to\n"
	"  --gpus-per-run N      GPUs each run gets (default 1)\n"
	"  --max-parallel N      at most N runs of this sweep at once (default: as many\n"
	"                        as fit)\n"
	"  --time-limit DUR      stop each run after DUR (90s, 15m, 2h), on its host\n"
	"  --code-dir DIR        ship DIR when not inside a git repository\n"
	"  --estimate            print the plan and the estimate, and exit\n"
	"  --yes                 do not ask for confirmation\n"
	"  --json                the plan and the result as one JSON document\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: 0 queued (or estimated), 1 refused (budget, declined, a host,\n"
	"a secret in CMD) or failed, 2 bad usage.  See docs/remote.md, \"Sweeps and\n"
	"the queue\".\n";

/* How long the plan waits for the hosts' probe (all at once). */
#define PLAN_PROBE_MS 5000

struct sweep_args {
	const char *experiment, *hosts, *code_dir;
	int trials, gpus, max_parallel;
	double time_limit;
	uint64_t seed;
	bool estimate_only, yes, json;
	char **argv;
	ry_sweep *sweep;
};

static int parse_args(struct sweep_args *a, int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "grid", required_argument, NULL, 'G' },
		{ "random", required_argument, NULL, 'R' },
		{ "trials", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 'S' },
		{ "host", required_argument, NULL, 'H' },
		{ "gpus-per-run", required_argument, NULL, 'g' },
		{ "max-parallel", required_argument, NULL, 'P' },
		{ "time-limit", required_argument, NULL, 't' },
		{ "code-dir", required_argument, NULL, 'C' },
		{ "estimate", no_argument, NULL, 'E' },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("sweep", help, g);
	double d;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "+e:yh", opts)) != -1) {
		switch (c) {
		case 'e': a->experiment = optarg; break;
		case 'G':
		case 'R':
			if ((rc = c == 'G' ? ry_sweep_add_grid(a->sweep, optarg) : ry_sweep_add_random(a->sweep, optarg)))
				return cli_fail(rc);
			break;
		case 'T':
			if (!ry_parse_number(optarg, &d) || d < 1 || d != floor(d) || d > 10000)
				return cli_bad_value("sweep", "--trials", optarg, "a whole number from 1 to 10000");
			a->trials = (int)d;
			break;
		case 'S':
			if (!ry_parse_number(optarg, &d) || d < 0 || d != floor(d) || d > 9007199254740992.0)
				return cli_bad_value("sweep", "--seed", optarg, "a whole number");
			a->seed = (uint64_t)d;
			break;
		case 'H': a->hosts = optarg; break;
		case 'g':
			if (!ry_parse_number(optarg, &d) || d < 0 || d != floor(d) || d > 1024)
				return cli_bad_value("sweep", "--gpus-per-run", optarg, "a whole number of GPUs");
			a->gpus = (int)d;
			break;
		case 'P':
			if (!ry_parse_number(optarg, &d) || d < 1 || d != floor(d) || d > 100000)
				return cli_bad_value("sweep", "--max-parallel", optarg, "a whole number, 1 or more");
			a->max_parallel = (int)d;
			break;
		case 't':
			if (!ry_parse_duration(optarg, &a->time_limit) || a->time_limit <= 0)
				return cli_bad_value("sweep", "--time-limit", optarg, "a duration like 90s, 15m, 2h or 1h30m");
			break;
		case 'C': a->code_dir = optarg; break;
		case 'E': a->estimate_only = true; break;
		case 'y': a->yes = true; break;
		case 'j': a->json = true; break;
		default: return go.status;
		}
	}
	if (optind < argc && !go.dashdash)
		return cli_usage("sweep", "put the command after --, e.g. runyard sweep ... -- %s", argv[optind]);
	if (!a->hosts)
		return cli_usage("sweep", "--host H1,H2 (or --host any) is required; 'runyard hosts' lists them");
	if (optind >= argc)
		return cli_usage("sweep", "no command: give it after --, e.g. -- python train.py --lr {lr}");
	if (ry_sweep_count(a->sweep, a->trials) > 10000)
		return cli_usage("sweep", "%zu runs is more than a sweep may have (10000); use fewer values or trials",
		                 ry_sweep_count(a->sweep, a->trials));
	a->argv = argv + optind;
	return -1;
}

/* One run of the plan. */
struct planned {
	ry_kv *values;
	size_t nvalues;
	char **argv;
	const ry_host *host; /* starts now here, or NULL: waits */
	char gpus[64];       /* the GPUs it would get now */
};


/* The allowed real hosts, probed at once (copies; caller frees with
 * ry_hosts_free). */
static ry_host *probe_allowed(const struct sweep_args *a, struct cli_remote *r, size_t *np)
{
	ry_hosts_probe_options po = RY_HOSTS_PROBE_OPTIONS_INIT;
	const char *lists[1] = { a->hosts };
	po.timeout_ms = PLAN_PROBE_MS;
	po.sshcfg = r->sshcfg;
	return ry_queue_probe_allowed(r->hosts, r->nhosts, lists, 1, &po, np);
}

/* Which runs would start now, where: the queue's rule (oldest first, the
 * first allowed host with enough free GPUs, --max-parallel), on a probe made
 * now.  Returns how many start. */
static size_t plan(const struct sweep_args *a, struct planned *p, size_t n, ry_host *pr, size_t np)
{
	size_t now = 0;
	int *used = ry_xcalloc(np + 1, sizeof *used), *idx = ry_xcalloc((size_t)a->gpus + 1, sizeof *idx);
	for (size_t i = 0; i < n; i++) {
		if (a->max_parallel > 0 && now >= (size_t)a->max_parallel)
			break;
		for (size_t h = 0; h < np && !p[i].host; h++) {
			size_t off = 0;
			if (!ry_queue_host_takes(&pr[h], a->hosts, a->gpus, used[h], idx, NULL))
				continue;
			p[i].host = &pr[h];
			for (int k = 0; k < a->gpus; k++)
				off += (size_t)snprintf(p[i].gpus + off, sizeof p[i].gpus - off, "%s%d", k ? "," : "", idx[k]);
			used[h] += a->gpus;
			now++;
		}
	}
	free(idx);
	free(used);
	return now;
}

static void print_values(const struct planned *p)
{
	for (size_t k = 0; k < p->nvalues; k++) {
		printf("%s", k ? " " : "");
		cli_put_safe(stdout, p->values[k].key);
		printf("=");
		cli_put_safe(stdout, p->values[k].value);
	}
}

static void print_plan(const struct sweep_args *a, const char *id, const struct planned *p, size_t n, size_t now,
                       ry_host *pr, size_t np)
{
	char *what = ry_sweep_describe(a->sweep, a->trials);
	size_t wait = 0;
	printf("Sweep %s: %zu run%s, %s; %d GPU%s each\n", id, n, n == 1 ? "" : "s", what, a->gpus,
	       a->gpus == 1 ? "" : "s");
	free(what);
	for (size_t i = 0; i < n; i++) {
		printf("  %3zu  ", i + 1);
		print_values(&p[i]);
		if (p[i].host) {
			printf("  -> now on ");
			cli_put_safe(stdout, p[i].host->name);
			printf(a->gpus ? " (GPU %s)\n" : "\n", p[i].gpus);
		} else {
			printf("  -> waits (queue %zu)\n", ++wait);
		}
	}
	for (size_t h = 0; h < np; h++)
		if (pr[h].probe_rc) {
			printf("  host ");
			cli_put_safe(stdout, pr[h].name);
			printf(" is unreachable now (");
			cli_put_safe(stdout, pr[h].error ? pr[h].error : "probe failed");
			printf("): its share waits\n");
		}
	printf("%zu start now, %zu wait for GPUs.\n", now, n - now);
}

/* The sweep's total and its month check: the per-run estimate times n.
 * Writes the lines; returns whether the month budget would be exceeded. */
static bool print_total(const ry_cost_estimate *e, size_t n, bool json, cJSON *o)
{
	double total = e->expected_cost * (double)n, worst = e->max_cost * (double)n;
	double basis = !isnan(total) ? total : worst;
	bool over = e->budget_per_month > 0 && !isnan(basis) && e->month_spent + basis > e->budget_per_month;
	if (json) {
		cJSON_AddItemToObject(o, "total_expected_cost", cli_json_number(total));
		cJSON_AddItemToObject(o, "total_max_cost", cli_json_number(worst));
		cJSON_AddBoolToObject(o, "over_month_budget", over);
		return over;
	}
	printf("sweep total    ");
	if (isnan(total))
		printf("unknown expected");
	else
		printf("$%.2f expected (%zu x $%.2f)", total, n, e->expected_cost);
	if (!isnan(worst))
		printf(", at most $%.2f at the time limit", worst);
	else
		printf(", unbounded (no time limit)");
	printf("\n");
	if (over)
		fprintf(stderr, "runyard: the sweep's %s $%.2f would take this month to $%.2f, over budget_per_month $%.2f\n",
		        !isnan(total) ? "expected" : "maximum", basis, e->month_spent + basis, e->budget_per_month);
	return over;
}

static void print_estimate(const ry_cost_estimate *e, const ry_host *h)
{
	struct tui_present_line l[TUI_PRESENT_ESTIMATE_LINES];
	size_t n = tui_present_estimate(l, e, h);
	printf("one run on ");
	cli_put_safe(stdout, h->name);
	printf(":\n");
	for (size_t i = 0; i < n; i++) {
		if (l[i].kind == TUI_PRESENT_ALERT)
			continue;
		printf("  ");
		cli_put_safe(stdout, l[i].text);
		printf("\n");
	}
}

static void sweep_id(char out[16])
{
	char hex[65], seed[64];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(seed, sizeof seed, "%lld.%ld.%d", (long long)ts.tv_sec, ts.tv_nsec, (int)getpid());
	ry_sha256_hex(seed, strlen(seed), hex);
	snprintf(out, 16, "sw-%.8s", hex);
}

/* Pack the code once and keep it for every run of the sweep. */
static int pack_code(const struct sweep_args *a, struct cli_remote *r, ry_codepack **pack, char **kept)
{
	char *cwd = getcwd(NULL, 0), *dir;
	int rc;
	*pack = NULL;
	*kept = NULL;
	if (!cwd)
		return ry_error_set(RY_EIO, "cannot read the current directory");
	rc = ry_codepack_create(pack, cwd, a->code_dir, NULL, NULL);
	free(cwd);
	if (rc)
		return rc;
	/* beside the runs' local directories: <workspace>.runs/packs */
	dir = ry_track_run_dir(r->st, "packs");
	rc = ry_codepack_keep(*pack, dir, kept);
	free(dir);
	return rc;
}

static int queue_all(const struct sweep_args *a, struct cli_remote *r, const char *id, struct planned *p, size_t n,
                     cJSON *j)
{
	ry_codepack *pack;
	char *kept, *cwd = getcwd(NULL, 0), seed[32];
	cJSON *ids = j ? cJSON_AddArrayToObject(j, "queued") : NULL;
	int rc;
	if ((rc = pack_code(a, r, &pack, &kept))) {
		free(cwd);
		return rc;
	}
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)a->seed);
	for (size_t i = 0; i < n && !rc; i++) {
		ry_queue_spec q = { a->experiment, NULL, id, a->hosts, a->gpus, a->max_parallel, a->time_limit,
		                    p[i].argv, p[i].values, p[i].nvalues, pack, kept, cwd };
		int64_t run_id;
		if (!(rc = ry_queue_add(r->st, r->inv, &q, &run_id))) {
			ry_run_set_tag(r->st, run_id, "sweep_seed", seed);
			if (ids)
				cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)run_id));
		}
	}
	ry_codepack_free(pack);
	free(kept);
	free(cwd);
	return rc;
}

/* The one host a sweep names, when it is a Slurm cluster: Slurm holds the
 * queue there, so the whole sweep is one job array and runyard only
 * watches it. */
static const ry_host *slurm_target(const struct sweep_args *a, struct cli_remote *r)
{
	const ry_host *h = strchr(a->hosts, ',') || !strcmp(a->hosts, "any")
		? NULL : ry_hosts_find(r->hosts, r->nhosts, a->hosts);
	return h && ry_host_is_slurm(h) ? h : NULL;
}

/* A sweep on a Slurm cluster: every run one task of one job array
 * (--array=0-N%MAX), each task finding its values by SLURM_ARRAY_TASK_ID. */
static int submit_array(const struct sweep_args *a, struct cli_remote *r, const ry_host *h, const char *id,
                        struct planned *p, size_t n)
{
	ry_slurm_array_spec spec = RY_SLURM_ARRAY_SPEC_INIT;
	ry_slurm_array_result res;
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	char seed[32], ***argvs = ry_xcalloc(n + 1, sizeof *argvs);
	const char *keys[] = { "sweep", "sweep_seed" }, *vals[] = { id, seed };
	int rc;
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)a->seed);
	for (size_t i = 0; i < n; i++)
		argvs[i] = p[i].argv;
	spec.experiment = a->experiment;
	spec.argvs = (char *const *const *)argvs;
	spec.n = n;
	spec.max_parallel = a->max_parallel;
	spec.ngpus = a->gpus;
	spec.time_limit = a->time_limit;
	spec.code_dir = a->code_dir;
	spec.tag_keys = keys;
	spec.tag_values = vals;
	spec.ntags = 2;
	o.sshcfg = r->sshcfg;
	o.passphrase = cli_passphrase;
	rc = ry_slurm_submit_array(r->st, h, &spec, &o, &res);
	free(argvs);
	if (rc)
		return cli_fail(rc);
	for (size_t i = 0; i < res.n && i < n; i++)
		for (size_t k = 0; k < p[i].nvalues; k++)
			ry_run_set_param(r->st, res.run_ids[i], p[i].values[k].key, p[i].values[k].value);
	printf("sweep %s: %zu runs submitted to ", id, n);
	cli_put_safe(stdout, h->name);
	printf(" as Slurm job array %s (tasks 0-%zu%s); Slurm holds the queue\n", res.job_id, n - 1,
	       a->max_parallel > 0 ? ", at most --max-parallel at once" : "");
	printf("follow it with: runyard runs --filter 'tags.sweep = \"%s\"' (runyard sync updates them)\n", id);
	ry_slurm_array_result_clear(&res);
	return 0;
}

int cli_sweep(int argc, char **argv, struct cli_global *g)
{
	struct sweep_args a = { "default", NULL, NULL, 1, 1, 0, 0, 0, false, false, false, NULL, ry_sweep_new() };
	struct cli_remote r;
	struct planned *p = NULL;
	ry_host *pr = NULL, *est_host;
	size_t n = 0, np = 0, now;
	ry_cost_estimate est;
	char id[16], *command;
	cJSON *j = NULL;
	bool over;
	int rc;

	a.seed = (uint64_t)time(NULL);
	if ((rc = parse_args(&a, argc, argv, g)) >= 0) {
		ry_sweep_free(a.sweep);
		return rc;
	}
	if ((rc = cli_remote_open(&r, g, true))) {
		ry_sweep_free(a.sweep);
		return rc;
	}
	if (strcmp(a.hosts, "any")) {
		char *copy = ry_xstrdup(a.hosts), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
			if (!cli_remote_host(&r, t))
				rc = cli_fail(RY_ENOTFOUND);
		free(copy);
		if (rc)
			goto out;
	}
	n = ry_sweep_count(a.sweep, a.trials);
	p = ry_xcalloc(n, sizeof *p);
	for (size_t i = 0; i < n; i++) {
		ry_sweep_values(a.sweep, a.trials, a.seed, i, &p[i].values, &p[i].nvalues);
		p[i].argv = ry_sweep_argv(a.argv, p[i].values, p[i].nvalues);
	}
	sweep_id(id);
	{
		const ry_host *sh = slurm_target(&a, &r);
		if (sh) {
			char *what = ry_sweep_describe(a.sweep, a.trials), *q;
			printf("Sweep %s: %zu run%s, %s; %d GPU%s each, as one Slurm job array on ", id, n, n == 1 ? "" : "s",
			       what, a.gpus, a.gpus == 1 ? "" : "s");
			cli_put_safe(stdout, sh->name);
			printf(" (Slurm schedules them)\n");
			free(what);
			for (size_t i = 0; i < n; i++) {
				printf("  %3zu  ", i + 1);
				print_values(&p[i]);
				printf("\n");
			}
			command = ry_launch_command_line(p[0].argv);
			rc = ry_cost_estimate_run(&est, r.st, r.cfg, r.hosts, r.nhosts, sh, a.experiment, command, a.gpus,
			                          a.time_limit);
			free(command);
			if (rc) {
				rc = cli_fail(rc);
				goto out;
			}
			print_estimate(&est, sh);
			if (print_total(&est, n, false, NULL) && est.block_mode) {
				rc = cli_fail(ry_error_set(RY_EREFUSED, "over budget_per_month (budget_mode = block); not submitted"));
				goto out;
			}
			if (a.estimate_only)
				goto out;
			q = ry_xasprintf("Submit %zu run%s to %s as one job array?", n, n == 1 ? "" : "s", sh->name);
			rc = cli_confirm(a.yes, q, "a sweep needs confirmation; add --yes to submit it without a prompt",
			                 "not submitted");
			free(q);
			if (!rc)
				rc = submit_array(&a, &r, sh, id, p, n);
			goto out;
		}
	}
	pr = probe_allowed(&a, &r, &np);
	if (np == 0) {
		/* every host named is a demo one (or, with any, there is no other) */
		ry_error_set(RY_EREFUSED, "no host runs can go to: %s %s simulated demo host%s, where nothing runs; add a "
		             "real host to ~/.ssh/config or runyard's config (docs/remote.md)", a.hosts,
		             strcmp(a.hosts, "any") ? "is a" : "has only", strchr(a.hosts, ',') ? "s" : "");
		rc = cli_fail(RY_EREFUSED);
		goto out;
	}
	now = plan(&a, p, n, pr, np);
	est_host = p[0].host ? (ry_host *)p[0].host : &pr[0];
	command = ry_launch_command_line(p[0].argv);
	rc = ry_cost_estimate_run(&est, r.st, r.cfg, r.hosts, r.nhosts, ry_hosts_find(r.hosts, r.nhosts, est_host->name),
	                          a.experiment, command, a.gpus, a.time_limit);
	free(command);
	if (rc) {
		rc = cli_fail(rc);
		goto out;
	}
	if (a.json) {
		cJSON *arr;
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "sweep", id);
		cJSON_AddNumberToObject(j, "runs", (double)n);
		cJSON_AddNumberToObject(j, "start_now", (double)now);
		cJSON_AddNumberToObject(j, "wait", (double)(n - now));
		arr = cJSON_AddArrayToObject(j, "plan");
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject(), *v = cJSON_AddObjectToObject(o, "values");
			for (size_t k = 0; k < p[i].nvalues; k++)
				cJSON_AddStringToObject(v, p[i].values[k].key, p[i].values[k].value);
			cJSON_AddItemToObject(o, "host", p[i].host ? cJSON_CreateString(p[i].host->name) : cJSON_CreateNull());
			cJSON_AddItemToObject(o, "gpus", p[i].host && a.gpus ? cJSON_CreateString(p[i].gpus) : cJSON_CreateNull());
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddNumberToObject(j, "rate_per_hour", est.rate);
		cJSON_AddItemToObject(j, "expected_cost_per_run", cli_json_number(est.expected_cost));
		cJSON_AddItemToObject(j, "max_cost_per_run", cli_json_number(est.max_cost));
		cJSON_AddStringToObject(j, "basis", est.basis);
	} else {
		print_plan(&a, id, p, n, now, pr, np);
		print_estimate(&est, est_host);
	}
	over = print_total(&est, n, a.json, j);
	if (est.over_budget || over) {
		if (est.block_mode) {
			ry_error_set(RY_EREFUSED, "over budget: %s%s(budget_mode = block); not queued", est.budget_msg,
			             *est.budget_msg ? " " : "");
			rc = cli_fail(RY_EREFUSED);
			goto out;
		}
		if (est.over_budget)
			fprintf(stderr, "runyard: warning: %s\n", est.budget_msg);
	}
	if (a.estimate_only) {
		rc = j ? cli_json_print(j) : 0;
		j = NULL;
		goto out;
	}
	{
		char *q = ry_xasprintf("Queue %zu run%s (%zu start now)?", n, n == 1 ? "" : "s", now);
		rc = cli_confirm(a.yes, q, "a sweep needs confirmation; add --yes to queue it without a prompt",
		                 "not queued");
		free(q);
		if (rc)
			goto out;
	}
	if ((rc = queue_all(&a, &r, id, p, n, j))) {
		rc = cli_fail(rc);
		goto out;
	}
	{
		ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
		ry_queue_report rep;
		o.sshcfg = r.sshcfg;
		o.passphrase = cli_passphrase;
		ry_queue_drain(r.st, r.inv, &o, &rep);
		if (j) {
			cJSON_AddNumberToObject(j, "started", rep.started);
			cJSON_AddNumberToObject(j, "waiting", rep.waiting);
		} else {
			if (rep.log) {
				char *save = NULL;
				printf("started:\n");
				for (char *l = strtok_r(rep.log, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
					printf("  ");
					cli_put_safe(stdout, l);
					printf("\n");
				}
			}
			printf("sweep %s: %d started, %d waiting", id, rep.started, rep.waiting);
			if (rep.waiting)
				printf("; 'runyard queue --drain' (or the full-screen app) starts them as GPUs free");
			printf("\nfollow it with: runyard runs --filter 'tags.sweep = \"%s\"'\n", id);
		}
		if (rep.errors) {
			fprintf(stderr, "runyard: ");
			cli_put_safe(stderr, rep.errors);
			fprintf(stderr, "\n");
		}
		ry_queue_report_clear(&rep);
	}
	if (j) {
		rc = cli_json_print(j);
		j = NULL;
	}
out:
	cJSON_Delete(j);
	for (size_t i = 0; i < n && p; i++) {
		ry_sweep_values_free(p[i].values, p[i].nvalues);
		ry_sweep_argv_free(p[i].argv);
	}
	free(p);
	ry_hosts_free(pr, np);
	ry_sweep_free(a.sweep);
	cli_remote_close(&r);
	return rc;
}
