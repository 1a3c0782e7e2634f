/*
 * `runyard hosts [--probe] [--json] [NAME...]`: the host inventory (ssh
 * config + runyard config + workspace), optionally probed live over SSH.
 * Also home of cli_remote_open, the setup every remote subcommand shares.
 */
#include <cJSON.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "text/present.h"

static const char help[] =
	"usage: runyard hosts [--probe] [--timeout SECS] [--json] [NAME...]\n"
	"\n"
	"List the hosts runyard can launch on: the Host aliases of ~/.ssh/config\n"
	"(wildcard entries excluded), the [host NAME] sections of runyard's config\n"
	"file (price_per_hour, gpu_price_per_hour, labels, max_gpus, workdir,\n"
	"lease_dir; scheduler = slurm, partition, account, qos, partition_price.NAME\n"
	"for a Slurm cluster's login node) and the workspace's hosts table.\n"
	"\n"
	"  --probe         connect to each host (all at once) and show its GPUs with\n"
	"                  memory, utilisation and who uses them (the run holding a\n"
	"                  GPU's lease, or other processes' users), CPUs and load, free\n"
	"                  memory and free disk in the workdir; unreachable hosts say\n"
	"                  why (dns, refused, timeout, auth, unknown host key, ...);\n"
	"                  a Slurm host also shows its partitions with idle and\n"
	"                  allocated nodes and GPUs (sinfo) and your pending and\n"
	"                  running jobs with the pending reason (squeue)\n"
	"  --timeout SECS  per-host probe deadline (default 15)\n"
	"  --json          one JSON document (see docs/remote.md)\n"
	"  NAME...         only these hosts\n"
	"\n"
	"Environment: RUNYARD_CONFIG (config file), RUNYARD_SSH_CONFIG (instead of\n"
	"~/.ssh/config), RUNYARD_KNOWN_HOSTS (instead of ~/.ssh/known_hosts).\n"
	"Host keys are never accepted automatically: an unknown host is refused\n"
	"with its fingerprint and the command that trusts it.\n"
	"\n"
	"Options:\n"
	"  --db PATH       workspace file\n"
	"  -h, --help      print this help\n"
	"\n"
	"Exit status: 0 ok (also when a probed host cannot be reached: the list says\n"
	"why), 1 the config or workspace could not be read or a NAME is unknown,\n"
	"2 bad usage.\n";

/* `hosts --probe` connects to every host at once: one question on the
 * terminal at a time. */
static pthread_mutex_t tty_lock = PTHREAD_MUTEX_INITIALIZER;

static int ask_tty(const char *keyfile, char *buf, size_t size);

int cli_passphrase(const char *keyfile, char *buf, size_t size, void *payload)
{
	int rc;
	(void)payload;
	pthread_mutex_lock(&tty_lock);
	rc = ask_tty(keyfile, buf, size);
	pthread_mutex_unlock(&tty_lock);
	return rc;
}

static int ask_tty(const char *keyfile, char *buf, size_t size)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	ssize_t n;
	size_t len = 0;
	char c;
	if (fd < 0)
		return 1; /* no terminal: skip the key */
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return 1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	dprintf(fd, "Passphrase for %s: ", keyfile);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	while ((n = read(fd, &c, 1)) == 1 && c != '\n' && c != '\r')
		if (len + 1 < size)
			buf[len++] = c;
	buf[len] = '\0';
	tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	close(fd);
	explicit_bzero(&c, sizeof c);
	return n < 0 ? 1 : 0;
}

int cli_remote_open(struct cli_remote *r, const struct cli_global *g, bool need_store)
{
	int rc;
	memset(r, 0, sizeof *r);
	rc = ry_store_open(&r->st, g->db_path, need_store ? RY_STORE_CREATE : 0);
	if (rc == RY_ENOTFOUND && !need_store)
		rc = 0;
	if (rc || (rc = ry_inventory_open(&r->inv, r->st, NULL)))
		goto fail;
	r->cfg = ry_inventory_config(r->inv);
	r->sshcfg = ry_inventory_sshconfig(r->inv);
	r->hosts = ry_inventory_hosts(r->inv, &r->nhosts);
	return 0;
fail:
	rc = cli_fail(rc);
	cli_remote_close(r);
	return rc;
}

void cli_remote_close(struct cli_remote *r)
{
	ry_inventory_free(r->inv);
	ry_store_close(r->st);
	memset(r, 0, sizeof *r);
}

ry_host *cli_remote_host(struct cli_remote *r, const char *name)
{
	return ry_inventory_find(r->inv, name);
}

static void put_num(cJSON *o, const char *k, double v)
{
	cJSON_AddItemToObject(o, k, cli_json_number(v));
}

/* A Slurm login node's probe: partitions (sinfo) and your jobs (squeue). */
static cJSON *slurm_json(const ry_host *h)
{
	cJSON *o = cJSON_CreateObject(), *parts = cJSON_AddArrayToObject(o, "partitions");
	cJSON *jobs = cJSON_AddArrayToObject(o, "jobs");
	for (size_t i = 0; i < h->npartitions; i++) {
		const ry_slurm_partition *p = &h->partitions[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", p->name);
		cJSON_AddNumberToObject(e, "nodes_idle", p->nodes_idle);
		cJSON_AddNumberToObject(e, "nodes_allocated", p->nodes_alloc);
		cJSON_AddNumberToObject(e, "nodes_other", p->nodes_other);
		cJSON_AddNumberToObject(e, "gpus", p->gpus_total);
		cJSON_AddNumberToObject(e, "gpus_allocated", p->gpus_alloc);
		cJSON_AddItemToArray(parts, e);
	}
	for (size_t i = 0; i < h->njobs; i++) {
		const ry_slurm_job *j = &h->jobs[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "id", j->id);
		cJSON_AddStringToObject(e, "name", j->name);
		cJSON_AddStringToObject(e, "state", j->state);
		cJSON_AddStringToObject(e, "reason", j->reason);
		cJSON_AddStringToObject(e, "partition", j->partition);
		cJSON_AddStringToObject(e, "elapsed", j->elapsed);
		cJSON_AddItemToArray(jobs, e);
	}
	if (h->slurm_error)
		cJSON_AddStringToObject(o, "error", h->slurm_error);
	else
		cJSON_AddNullToObject(o, "error");
	return o;
}

static cJSON *host_json(const ry_host *h)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", h->name);
	cJSON_AddStringToObject(o, "ssh_alias", h->ssh_alias);
	cJSON_AddStringToObject(o, "origin", h->origin);
	cJSON_AddNumberToObject(o, "price_per_hour", h->price_per_hour);
	cJSON_AddNumberToObject(o, "gpu_price_per_hour", h->gpu_price_per_hour);
	if (h->labels)
		cJSON_AddStringToObject(o, "labels", h->labels);
	else
		cJSON_AddNullToObject(o, "labels");
	cJSON_AddNumberToObject(o, "max_gpus", h->max_gpus);
	cJSON_AddStringToObject(o, "workdir", h->workdir);
	cJSON_AddBoolToObject(o, "simulated", h->simulated);
	if (h->scheduler)
		cJSON_AddStringToObject(o, "scheduler", h->scheduler);
	else
		cJSON_AddNullToObject(o, "scheduler");
	if (!h->probed)
		return o;
	cJSON_AddBoolToObject(o, "reachable", h->probe_rc == 0);
	cJSON_AddNumberToObject(o, "probe_seconds", h->probe_secs);
	if (h->probe_rc) {
		cJSON_AddStringToObject(o, "error_kind", ry_ssh_fail_name(h->fail));
		cJSON_AddStringToObject(o, "error", h->error ? h->error : "");
		return o;
	}
	cJSON_AddBoolToObject(o, "gpu_host", h->has_nvidia);
	if (h->gpu_error)
		cJSON_AddStringToObject(o, "gpu_error", h->gpu_error);
	cJSON *gpus = cJSON_AddArrayToObject(o, "gpus");
	int nfree = 0;
	for (size_t i = 0; i < h->ngpus; i++) {
		const ry_gpu *gp = &h->gpus[i];
		cJSON *g = cJSON_CreateObject();
		cJSON_AddNumberToObject(g, "index", gp->index);
		cJSON_AddStringToObject(g, "uuid", gp->uuid);
		cJSON_AddStringToObject(g, "name", gp->name);
		put_num(g, "memory_used_mib", gp->mem_used);
		put_num(g, "memory_total_mib", gp->mem_total);
		put_num(g, "utilization", gp->util);
		cJSON_AddNumberToObject(g, "processes", gp->nprocs);
		if (gp->users)
			cJSON_AddStringToObject(g, "users", gp->users);
		else
			cJSON_AddNullToObject(g, "users");
		if (gp->lease_run) {
			cJSON *l = cJSON_AddObjectToObject(g, "lease");
			cJSON_AddStringToObject(l, "run_uuid", gp->lease_run);
			if (gp->lease_user)
				cJSON_AddStringToObject(l, "user", gp->lease_user);
			else
				cJSON_AddNullToObject(l, "user");
		} else {
			cJSON_AddNullToObject(g, "lease");
		}
		cJSON_AddBoolToObject(g, "free", ry_gpu_is_free(gp));
		nfree += ry_gpu_is_free(gp);
		cJSON_AddItemToArray(gpus, g);
	}
	cJSON_AddNumberToObject(o, "free_gpus", nfree);
	cJSON_AddNumberToObject(o, "cpus", h->ncpu);
	cJSON *load = cJSON_AddArrayToObject(o, "load");
	cJSON_AddItemToArray(load, cJSON_CreateNumber(h->load1));
	cJSON_AddItemToArray(load, cJSON_CreateNumber(h->load5));
	cJSON_AddItemToArray(load, cJSON_CreateNumber(h->load15));
	cJSON_AddNumberToObject(o, "mem_available_kb", (double)h->mem_avail_kb);
	cJSON_AddNumberToObject(o, "disk_free_kb", (double)h->disk_free_kb);
	if (ry_host_is_slurm(h))
		cJSON_AddItemToObject(o, "slurm", slurm_json(h));
	return o;
}

/* nvidia-smi says [N/A] for what a GPU does not report (utilisation of a
 * MIG-partitioned H100): NaN in ry_gpu, "n/a" here, never "nan". */
static const char *num_or_na(char *buf, size_t n, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.0f%s", v, unit);
	return buf;
}

static void print_host(const ry_host *h)
{
	char price[64], status[256], state[256], mem[32], total[32], util[32];
	cli_put_safe(stdout, h->name);
	tui_present_price(price, sizeof price, h);
	printf("  [%s]%s  %s", h->origin, h->simulated ? "  simulated (a demo host: never connected to)" : "",
	       price);
	if (h->labels) {
		printf("  labels: ");
		cli_put_safe(stdout, h->labels);
	}
	if (h->max_gpus)
		printf("  max %d GPUs", h->max_gpus);
	printf("\n");
	if (!h->probed)
		return;
	tui_present_host_status(status, sizeof status, h);
	if (h->probe_rc) {
		printf("  %s: ", status);
		cli_put_safe(stdout, h->error);
		printf("\n");
		return;
	}
	printf("  %s\n", status);
	if (h->gpu_error) {
		printf("  nvidia-smi failed: ");
		cli_put_safe(stdout, h->gpu_error);
		printf("\n");
	}
	for (size_t i = 0; i < h->ngpus; i++) {
		const ry_gpu *g = &h->gpus[i];
		printf("  GPU %-2d ", g->index);
		cli_put_safe(stdout, g->name);
		printf("  %6s/%s MiB  %4s  ", num_or_na(mem, sizeof mem, g->mem_used, ""),
		       num_or_na(total, sizeof total, g->mem_total, ""), num_or_na(util, sizeof util, g->util, "%"));
		tui_present_gpu_state(state, sizeof state, g);
		cli_put_safe(stdout, state);
		printf("\n");
	}
	if (h->slurm_error) {
		printf("  sinfo/squeue failed: ");
		cli_put_safe(stdout, h->slurm_error);
		printf("\n");
	}
	for (size_t i = 0; i < h->npartitions; i++) {
		tui_present_slurm_partition(state, sizeof state, &h->partitions[i]);
		printf("  ");
		cli_put_safe(stdout, state);
		printf("\n");
	}
	for (size_t i = 0; i < h->njobs; i++) {
		tui_present_slurm_job(state, sizeof state, &h->jobs[i]);
		printf("  ");
		cli_put_safe(stdout, state);
		printf("\n");
	}
}

int cli_hosts(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "probe", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("hosts", help, g);
	bool probe = false, json = false;
	double timeout = 15;
	struct cli_remote r;
	ry_host *sel;
	size_t nsel = 0;
	char **names;
	size_t nnames;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'p': probe = true; break;
		case 'j': json = true; break;
		case 't':
			if (!ry_parse_duration(optarg, &timeout) || timeout <= 0)
				return cli_bad_value("hosts", "--timeout", optarg, "a positive number of seconds");
			break;
		default: return go.status;
		}
	}
	names = argv + optind; /* the operands, in the order given */
	nnames = (size_t)(argc - optind);
	if ((rc = cli_remote_open(&r, g, false)))
		return rc;
	/* the selection: named hosts in the order given, else all */
	sel = ry_xcalloc(r.nhosts ? r.nhosts : 1, sizeof *sel);
	if (nnames) {
		for (size_t i = 0; i < nnames; i++) {
			ry_host *h = cli_remote_host(&r, names[i]);
			if (!h) {
				rc = cli_fail(RY_ENOTFOUND);
				free(sel);
				cli_remote_close(&r);
				return rc;
			}
			bool dup = false;
			for (size_t j = 0; j < nsel; j++)
				dup |= !strcmp(sel[j].name, h->name);
			if (!dup)
				sel[nsel++] = *h;
		}
	} else {
		for (size_t i = 0; i < r.nhosts; i++)
			sel[nsel++] = r.hosts[i];
	}
	if (probe) {
		ry_hosts_probe_options o = RY_HOSTS_PROBE_OPTIONS_INIT;
		o.timeout_ms = (int)(timeout * 1000);
		o.sshcfg = r.sshcfg;
		o.passphrase = cli_passphrase;
		ry_hosts_probe(sel, nsel, &o);
	}
	if (json) {
		cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "hosts");
		for (size_t i = 0; i < nsel; i++)
			cJSON_AddItemToArray(arr, host_json(&sel[i]));
		rc = cli_json_print(root);
	} else if (nsel == 0) {
		printf("no hosts: add Host entries to ~/.ssh/config or [host NAME] sections to runyard's config\n");
	} else {
		for (size_t i = 0; i < nsel; i++)
			print_host(&sel[i]);
	}
	/* sel holds shallow copies: hand probe results back to be freed once */
	for (size_t i = 0; i < nsel; i++) {
		ry_host *h = ry_hosts_find(r.hosts, r.nhosts, sel[i].name);
		*h = sel[i];
	}
	free(sel);
	cli_remote_close(&r);
	return rc;
}
