/*
 * The Slurm backend (slurm.h): the sbatch script around runyard's job
 * wrapper, submitting it, reading the job's state from squeue, sacct or
 * scontrol, settling the run, scancel, and the Slurm part of a host probe.
 *
 * It owns no copy of the SSH path's machinery: the wrapper is
 * jobscript.c's, connecting, pulling log and metrics and fetching
 * artifacts are launch.c's (remote_internal.h).  What it adds is what
 * Slurm knows and the run directory cannot: whether the job is pending
 * and why, when Slurm started and ended it, and how it ended.  Every
 * script is constant text taking its values as positional arguments,
 * except the sbatch script, whose #SBATCH values are checked to be plain
 * words and whose paths are shell-quoted.
 */
#include "remote/slurm.h"
#include "remote/cost.h"
#include "remote/jobscript.h"
#include "remote/remote_internal.h"
#include "base/alloc.h"
#include "base/config.h"
#include "base/error.h"
#include "base/shell.h"
#include "base/util.h"
#include "track/track.h"
#include "git/codepack.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAG_JOB "slurm_job_id"
#define TAG_STATE "slurm_state"
#define TAG_REASON "slurm_reason"
#define TAG_SOURCE "slurm_state_source"

/* ---- host settings ------------------------------------------------------ */

bool ry_host_is_slurm(const ry_host *h)
{
	return h && h->scheduler && !strcmp(h->scheduler, "slurm");
}

/* An #SBATCH value sbatch reads as one word and Slurm as a name. */
static bool plain_word(const char *v)
{
	return v && *v && !v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.,:+-")];
}

static int set_word(char **dst, const char *v, const char *host, const char *key)
{
	if (!v)
		return 0;
	if (!plain_word(v))
		return ry_error_set(RY_EINVAL, "config: [host %s] %s = '%s' is not a Slurm name (letters, digits, "
		                    "_ . , : + -)", host, key, v);
	free(*dst);
	*dst = ry_xstrdup(v);
	return 0;
}

int ry_slurm__host_config(ry_host *h, const ry_config *cfg, const char *sec)
{
	const char *v = ry_config_get(cfg, sec, "scheduler"), *name = sec + 5;
	int rc;
	if (v && strcmp(v, "slurm") && strcmp(v, "none") && strcmp(v, "ssh"))
		return ry_error_set(RY_EINVAL, "config: [host %s] scheduler = '%s': runyard knows 'slurm' (or "
		                    "'none' for a plain SSH host)", name, v);
	if (v) {
		free(h->scheduler);
		h->scheduler = strcmp(v, "slurm") ? NULL : ry_xstrdup(v);
	}
	if ((rc = set_word(&h->partition, ry_config_get(cfg, sec, "partition"), name, "partition")) ||
	    (rc = set_word(&h->account, ry_config_get(cfg, sec, "account"), name, "account")) ||
	    (rc = set_word(&h->qos, ry_config_get(cfg, sec, "qos"), name, "qos")))
		return rc;
	for (size_t i = 0; i < ry_config_nentries(cfg, sec); i++) {
		const char *key, *val;
		double d;
		ry_config_entry(cfg, sec, i, &key, &val);
		if (strncmp(key, "partition_price.", 16))
			continue;
		if (!key[16] || !ry_parse_number(val, &d) || d < 0)
			return ry_error_set(RY_EINVAL, "config: [host %s] %s = '%s': write partition_price.PARTITION = "
			                    "price per GPU-hour", name, key, val);
		h->prices = ry_xrealloc(h->prices, (h->nprices + 1) * sizeof *h->prices);
		h->prices[h->nprices].partition = ry_xstrdup(key + 16);
		h->prices[h->nprices++].gpu_price_per_hour = d;
	}
	return 0;
}

void ry_slurm__clear_config(ry_host *h)
{
	free(h->scheduler);
	free(h->partition);
	free(h->account);
	free(h->qos);
	for (size_t i = 0; i < h->nprices; i++)
		free(h->prices[i].partition);
	free(h->prices);
	h->scheduler = h->partition = h->account = h->qos = NULL;
	h->prices = NULL;
	h->nprices = 0;
}

static void job_free(ry_slurm_job *j)
{
	free(j->id);
	free(j->name);
	free(j->state);
	free(j->reason);
	free(j->partition);
	free(j->elapsed);
}

void ry_slurm__clear_probe(ry_host *h)
{
	for (size_t i = 0; i < h->npartitions; i++)
		free(h->partitions[i].name);
	free(h->partitions);
	for (size_t i = 0; i < h->njobs; i++)
		job_free(&h->jobs[i]);
	free(h->jobs);
	free(h->slurm_error);
	h->partitions = NULL;
	h->jobs = NULL;
	h->npartitions = h->njobs = 0;
	h->slurm_error = NULL;
}

void ry_slurm__copy(ry_host *c, const ry_host *h)
{
	c->scheduler = ry_xstrdup(h->scheduler);
	c->partition = ry_xstrdup(h->partition);
	c->account = ry_xstrdup(h->account);
	c->qos = ry_xstrdup(h->qos);
	c->slurm_error = ry_xstrdup(h->slurm_error);
	c->prices = h->nprices ? ry_xcalloc(h->nprices, sizeof *c->prices) : NULL;
	for (size_t i = 0; i < h->nprices; i++) {
		c->prices[i] = h->prices[i];
		c->prices[i].partition = ry_xstrdup(h->prices[i].partition);
	}
	c->partitions = h->npartitions ? ry_xcalloc(h->npartitions, sizeof *c->partitions) : NULL;
	for (size_t i = 0; i < h->npartitions; i++) {
		c->partitions[i] = h->partitions[i];
		c->partitions[i].name = ry_xstrdup(h->partitions[i].name);
	}
	c->jobs = h->njobs ? ry_xcalloc(h->njobs, sizeof *c->jobs) : NULL;
	for (size_t i = 0; i < h->njobs; i++) {
		const ry_slurm_job *s = &h->jobs[i];
		ry_slurm_job *d = &c->jobs[i];
		d->id = ry_xstrdup(s->id);
		d->name = ry_xstrdup(s->name);
		d->state = ry_xstrdup(s->state);
		d->reason = ry_xstrdup(s->reason);
		d->partition = ry_xstrdup(s->partition);
		d->elapsed = ry_xstrdup(s->elapsed);
	}
}

double ry_slurm__gpu_price(const ry_host *h, const char *partition)
{
	if (!partition)
		partition = h->partition;
	for (size_t i = 0; partition && i < h->nprices; i++)
		if (!strcmp(h->prices[i].partition, partition))
			return h->prices[i].gpu_price_per_hour;
	return h->gpu_price_per_hour;
}

/* ---- the probe ---------------------------------------------------------- */

/* Split "a|b|c|" into at most max trimmed fields (owned by the caller). */
static size_t bar_split(const char *line, char **f, size_t max)
{
	size_t n = 0;
	const char *p = line;
	while (n < max && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\r'))
			len--;
		while (len && *p == ' ')
			p++, len--;
		f[n++] = ry_xstrndup(p, len);
		if (!bar)
			break;
		p = bar + 1;
	}
	return n;
}

/* No partition has more GPUs than this; a count past it is not one, and
 * counts are summed saturating at it, so a garbled sinfo line cannot
 * overflow an int (fuzz_probe found "gpu:2000000000" twice doing it). */
#define MAX_GPUS 1000000

static int gpus_add(int a, int b)
{
	return a > MAX_GPUS - b ? MAX_GPUS : a + b;
}

static int gpu_count(const char *s)
{
	long v = strtol(s, NULL, 10);
	return v < 0 ? 0 : v > MAX_GPUS ? MAX_GPUS : (int)v;
}

/* GPUs in a GRES string: "gpu:4", "gpu:a100:4(S:0-1)", "gpu:2(IDX:0-1),shard:0". */
static int gres_gpus(const char *g)
{
	int n = 0;
	for (const char *p = strstr(g, "gpu"); p; p = strstr(p + 3, "gpu")) {
		size_t len = strcspn(p, ",(");
		const char *colon = NULL;
		for (size_t i = 0; i < len; i++)
			if (p[i] == ':')
				colon = p + i;
		if (colon && (p == g || p[-1] == ','))
			n = gpus_add(n, gpu_count(colon + 1));
	}
	return n;
}

static void add_error(ry_host *h, const char *line)
{
	char *e;
	if (!*line)
		return;
	e = h->slurm_error ? ry_xasprintf("%s\n%s", h->slurm_error, line) : ry_xstrdup(line);
	free(h->slurm_error);
	h->slurm_error = e;
}

static void add_node(ry_host *h, char **f)
{
	ry_slurm_partition *p = NULL;
	const char *state = f[1];
	for (size_t i = 0; i < h->npartitions && !p; i++)
		if (!strcmp(h->partitions[i].name, f[0]))
			p = &h->partitions[i];
	if (!p) {
		h->partitions = ry_xrealloc(h->partitions, (h->npartitions + 1) * sizeof *h->partitions);
		p = &h->partitions[h->npartitions++];
		memset(p, 0, sizeof *p);
		p->name = ry_xstrdup(f[0]);
	}
	/* StateCompact: idle, mix, alloc, drain, down... with a flag suffix */
	if (!strncmp(state, "idle", 4))
		p->nodes_idle++;
	else if (!strncmp(state, "alloc", 5) || !strncmp(state, "mix", 3) || !strncmp(state, "comp", 4))
		p->nodes_alloc++;
	else
		p->nodes_other++;
	p->gpus_total = gpus_add(p->gpus_total, gres_gpus(f[2]));
	p->gpus_alloc = gpus_add(p->gpus_alloc, gres_gpus(f[3]));
}

bool ry_slurm__probe_line(ry_host *h, const char *section, const char *line)
{
	char *f[6] = { 0 };
	size_t nf;
	if (strcmp(section, "sinfo") && strcmp(section, "squeue"))
		return !strncmp(section, "slurmrc", 7);
	nf = bar_split(line, f, 6);
	if (!strcmp(section, "sinfo") && nf >= 4)
		add_node(h, f);
	else if (!strcmp(section, "squeue") && nf == 6) {
		ry_slurm_job *j;
		h->jobs = ry_xrealloc(h->jobs, (h->njobs + 1) * sizeof *h->jobs);
		j = &h->jobs[h->njobs++];
		j->id = f[0];
		j->name = f[1];
		j->state = f[2];
		j->reason = f[3];
		j->partition = f[4];
		j->elapsed = f[5];
		return true;
	} else
		add_error(h, line);
	for (size_t i = 0; i < 6; i++)
		free(f[i]);
	return true;
}

/* ---- the sbatch script -------------------------------------------------- */

/* What sbatch reads as one word: a path without blanks, quotes or the
 * % of its filename patterns. */
static bool plain_path(const char *p)
{
	return *p && !p[strcspn(p, " \t\r\n\"'\\%$`")];
}

struct batch {
	const char *name;          /* --job-name */
	const char *output;        /* --output pattern */
	double time_limit;
	int ngpus;
	const char *partition, *account, *qos;
	size_t n;                  /* tasks (> 1: an array) */
	int max_parallel;
	const char *const *dirs;   /* each task's run dir */
};

static int check_words(const struct batch *b)
{
	const char *v[] = { b->partition, b->account, b->qos };
	const char *k[] = { "partition", "account", "qos" };
	for (size_t i = 0; i < 3; i++)
		if (v[i] && !plain_word(v[i]))
			return ry_error_set(RY_EINVAL, "%s '%s' is not a Slurm name (letters, digits, _ . , : + -)", k[i], v[i]);
	/* --output is under the run dirs' work dir: checking them checks it */
	for (size_t i = 0; i < b->n; i++)
		if (!plain_path(b->dirs[i]))
			return ry_error_set(RY_EINVAL, "the host's workdir gives the run directory %s, which an #SBATCH "
			                    "line cannot name (blanks, quotes, %% or $); set a plain workdir for this host",
			                    b->dirs[i]);
	return 0;
}

/* The script sbatch runs: the wrapper (run.sh, jobscript.h) of this task's
 * run, then the command's exit status as the job's, so that sacct's
 * ExitCode and State are the command's.  TERM (scancel, the time limit)
 * reaches every process of the job; the script waits for the wrapper,
 * which records the end, rather than die first. */
static char *batch_script(const struct batch *b)
{
	ry_buf s = RY_BUF_INIT;
	ry_buf_printf(&s, "#!/bin/sh\n#SBATCH --job-name=%s\n#SBATCH --output=%s\n", b->name, b->output);
	if (b->time_limit > 0) {
		long long t = (long long)ceil(b->time_limit);
		ry_buf_printf(&s, "#SBATCH --time=%lld:%02lld:%02lld\n", t / 3600, t / 60 % 60, t % 60);
	}
	if (b->ngpus > 0)
		ry_buf_printf(&s, "#SBATCH --gres=gpu:%d\n", b->ngpus);
	if (b->partition)
		ry_buf_printf(&s, "#SBATCH --partition=%s\n", b->partition);
	if (b->account)
		ry_buf_printf(&s, "#SBATCH --account=%s\n", b->account);
	if (b->qos)
		ry_buf_printf(&s, "#SBATCH --qos=%s\n", b->qos);
	if (b->n > 1) {
		ry_buf_printf(&s, "#SBATCH --array=0-%zu", b->n - 1);
		if (b->max_parallel > 0)
			ry_buf_printf(&s, "%%%d", b->max_parallel);
		ry_buf_putc(&s, '\n');
	}
	ry_buf_puts(&s, "# runyard: run.sh in the task's run directory is the job wrapper (runyard's "
	                "core/remote/jobscript.h)\ntrap 'true' TERM\ncase ${SLURM_ARRAY_TASK_ID:-0} in\n");
	for (size_t i = 0; i < b->n; i++) {
		ry_buf_printf(&s, "%zu) D=", i);
		ry_shell_quote(&s, b->dirs[i]);
		ry_buf_puts(&s, " ;;\n");
	}
	ry_buf_puts(&s, "*) echo \"runyard: no task $SLURM_ARRAY_TASK_ID in this job\" >&2; exit 2 ;;\nesac\n"
	                "sh \"$D/run.sh\"\nrc=$(cat \"$D/exit_code\" 2>/dev/null)\nexit \"${rc:-1}\"\n");
	return ry_buf_detach(&s);
}

/* $1 run dir, $2 pack path, the wrapper on stdin. */
static const char unpack_sh[] = "D=$1; P=$2\n" RY_JOBSCRIPT_UNPACK_SH;

/* $1 the batch script's path, the script on stdin: prints the job id. */
static const char sbatch_sh[] =
	"cat > \"$1\" || exit 4\n"
	"command -v sbatch >/dev/null 2>&1 || { echo 'no sbatch on this host: is it a Slurm login node?' >&2; exit 5; }\n"
	"sbatch --parsable \"$1\"\n";

/* Write task i's wrapper into dirs[i]. */
static int write_wrapper(ry_ssh *s, const char *host, const char *dir, const char *subdir, const char *uuid,
                         char *const *argv, const char *packpath)
{
	/* no GPUs, leases or time limit of runyard's: Slurm owns them, and
	 * sets CUDA_VISIBLE_DEVICES to the GPUs it gave the job */
	ry_jobscript_job job = { dir, subdir, uuid, NULL, NULL, NULL, 0, argv };
	char *w = ry_jobscript_wrapper(&job);
	const char *args[] = { dir, packpath };
	ry_buf err = RY_BUF_INIT;
	int status = 0, rc = ry_remote__rsh(s, unpack_sh, args, 2, w, strlen(w), NULL, &err, &status, 0);
	if (!rc && status)
		rc = ry_error_set(RY_EIO, "%s: cannot write the job into %s (exit %d): %.300s", host, dir, status,
		                  ry_buf_cstr(&err));
	free(w);
	ry_buf_free(&err);
	return rc;
}

/* sbatch the script b at path; *job_id gets Slurm's id. */
static int submit(ry_ssh *s, const char *host, const struct batch *b, const char *path, char job_id[32],
                  bool *uncertain)
{
	char *script;
	const char *args[] = { path };
	ry_buf out = RY_BUF_INIT, err = RY_BUF_INIT;
	int rc, status = 0;
	size_t len;
	if ((rc = check_words(b)))
		return rc;
	script = batch_script(b);
	*uncertain = true;
	rc = ry_remote__rsh(s, sbatch_sh, args, 1, script, strlen(script), &out, &err, &status, 0);
	free(script);
	if (!rc) {
		*uncertain = false;
		/* --parsable: "JOBID" or "JOBID;CLUSTER" */
		len = strspn(ry_buf_cstr(&out), "0123456789");
		if (status || !len || len >= 32)
			rc = ry_error_set(RY_EIO, "%s: sbatch refused the job (exit %d): %.300s", host, status,
			                  err.len ? ry_buf_cstr(&err) : ry_buf_cstr(&out));
		else
			snprintf(job_id, 32, "%.*s", (int)len, out.ptr);
	}
	ry_buf_free(&out);
	ry_buf_free(&err);
	return rc;
}

static const char *or_default(const char *v, const char *def)
{
	return v && *v ? v : def;
}

int ry_slurm__submit_run(ry_store *st, ry_ssh *s, const ry_host *host, const ry_launch_spec *spec, int ngpus,
                         ry_launch_result *res, const char *subdir, const char *packpath, bool *uncertain)
{
	const char *dirs[] = { res->remote_dir };
	char *name = ry_xasprintf("runyard-%.8s", res->uuid);
	char *output = ry_xasprintf("%s/slurm.out", res->remote_dir);
	char *path = ry_xasprintf("%s/job.sbatch", res->remote_dir);
	struct batch b = { name, output, spec->time_limit, ngpus, or_default(spec->partition, host->partition),
	                   or_default(spec->account, host->account), or_default(spec->qos, host->qos), 1, 0, dirs };
	int rc;
	*uncertain = false;
	if (!(rc = check_words(&b)) &&
	    !(rc = write_wrapper(s, host->name, res->remote_dir, subdir, res->uuid, spec->argv, packpath)) &&
	    !(rc = submit(s, host->name, &b, path, res->job_id, uncertain)))
		rc = ry_run_set_tag(st, res->run_id, TAG_JOB, res->job_id);
	if (!rc && b.partition)
		ry_run_set_tag(st, res->run_id, "slurm_partition", b.partition);
	free(name);
	free(output);
	free(path);
	return rc;
}

/* ---- job arrays ------------------------------------------------------------ */

void ry_slurm_array_result_clear(ry_slurm_array_result *r)
{
	free(r->run_ids);
	memset(r, 0, sizeof *r);
}

/* What is refused before anything is packed or sent. */
static int array_check(const ry_host *host, const ry_slurm_array_spec *spec, int ngpus)
{
	int rc;
	if (!ry_host_is_slurm(host))
		return ry_error_set(RY_EINVAL, "%s is not a Slurm host (scheduler = slurm in its config section); "
		                    "job arrays need one", host->name);
	if (!spec->n || !spec->argvs)
		return ry_error_set(RY_EINVAL, "a job array needs at least one command");
	for (size_t i = 0; i < spec->n; i++) {
		if (!spec->argvs[i] || !spec->argvs[i][0] || !*spec->argvs[i][0])
			return ry_error_set(RY_EINVAL, "command %zu of the job array is empty", i);
		if ((rc = ry_remote__check_not_redacted(spec->argvs[i])))
			return rc;
	}
	return ry_launch_check_gpus(host, ngpus);
}

/* Create task i's run, queued, with its params, code and tags. */
static int array_run(ry_store *st, const ry_host *host, const ry_slurm_array_spec *spec, const ry_codepack *pack,
                     const char *cwd, double rate, size_t i, int64_t *id, char uuid[37])
{
	ry_run_spec rs = RY_RUN_SPEC_INIT;
	char *command = ry_launch_command_line(spec->argvs[i]);
	int rc;
	rs.experiment = spec->experiment;
	rs.name = spec->names ? spec->names[i] : NULL;
	rs.status = "queued";
	rs.command = command;
	rs.cwd = cwd;
	rs.host = host->name;
	rs.source = "slurm";
	rs.cost_rate = rate;
	rs.time_limit = spec->time_limit;
	rc = ry_run_create(st, &rs, id, uuid);
	free(command);
	if (rc)
		return rc;
	ry_launch__record_params(st, *id, spec->argvs[i]);
	ry_remote__record_code(st, *id, pack);
	for (size_t t = 0; t < spec->ntags; t++)
		ry_run_set_tag(st, *id, spec->tag_keys[t], spec->tag_values[t]);
	return 0;
}

/* The runs' run directories on the host, their wrappers, then one sbatch. */
static int array_ship(ry_store *st, ry_ssh *s, const ry_host *host, const ry_slurm_array_spec *spec,
                      const ry_codepack *pack, const ry_remote_options *o, int ngpus, char (*uuids)[37],
                      ry_slurm_array_result *res, bool *uncertain)
{
	char *workdir = NULL, *packpath = NULL, *output = NULL, *path = NULL, *name = NULL;
	char **dirs = ry_xcalloc(spec->n, sizeof *dirs);
	bool have = false;
	int rc = 0;
	for (size_t i = 0; i < spec->n && !rc; i++) {
		free(workdir);
		if (!(rc = ry_remote__prepare(s, host, uuids[i], pack->sha256, false, &workdir, &have))) {
			dirs[i] = ry_xasprintf("%s/runs/%s", workdir, uuids[i]);
			ry_run_set_text(st, res->run_ids[i], "remote_dir", dirs[i]);
		}
	}
	if (rc)
		goto out;
	packpath = ry_xasprintf("%s/packs/%s.tar", workdir, pack->sha256);
	if (!have && o->progress)
		o->progress(0, "uploading code", o->payload);
	if (!have && (rc = ry_ssh_upload(s, pack->path, packpath, 0644, o->progress, o->payload)))
		goto out;
	for (size_t i = 0; i < spec->n && !rc; i++)
		rc = write_wrapper(s, host->name, dirs[i], pack->subdir, uuids[i], spec->argvs[i], packpath);
	if (rc)
		goto out;
	/* one output file per task: the run dirs are not named by task */
	output = ry_xasprintf("%s/runs/slurm-%%A_%%a.out", workdir);
	path = ry_xasprintf("%s/job.sbatch", dirs[0]);
	name = ry_xasprintf("runyard-%.8s", uuids[0]);
	{
		struct batch b = { name, spec->n > 1 ? output : "", spec->time_limit, ngpus,
		                   or_default(spec->partition, host->partition), or_default(spec->account, host->account),
		                   or_default(spec->qos, host->qos), spec->n, spec->max_parallel,
		                   (const char *const *)dirs };
		char *single = ry_xasprintf("%s/slurm.out", dirs[0]);
		if (spec->n == 1)
			b.output = single;
		if (o->progress)
			o->progress(1, "submitting", o->payload);
		rc = submit(s, host->name, &b, path, res->job_id, uncertain);
		free(single);
	}
	for (size_t i = 0; !rc && i < spec->n; i++) {
		char *task = spec->n > 1 ? ry_xasprintf("%s_%zu", res->job_id, i) : ry_xstrdup(res->job_id);
		rc = ry_run_set_tag(st, res->run_ids[i], TAG_JOB, task);
		free(task);
	}
out:
	for (size_t i = 0; i < spec->n; i++)
		free(dirs[i]);
	free(dirs);
	free(workdir);
	free(packpath);
	free(output);
	free(path);
	free(name);
	return rc;
}

int ry_slurm_submit_array(ry_store *st, const ry_host *host, const ry_slurm_array_spec *spec,
                          const ry_remote_options *opts, ry_slurm_array_result *res)
{
	ry_remote_options def = RY_REMOTE_OPTIONS_INIT;
	const ry_remote_options *o = opts ? opts : &def;
	int ngpus = spec->ngpus >= 0 ? spec->ngpus : 1, rc;
	ry_codepack *pack = NULL;
	ry_ssh *s = NULL;
	ry_host *priced = NULL;
	char *cwd = NULL, (*uuids)[37] = NULL, **launchers = NULL;
	bool uncertain = false;

	memset(res, 0, sizeof *res);
	if ((rc = array_check(host, spec, ngpus)))
		return rc;
	cwd = spec->cwd ? ry_xstrdup(spec->cwd) : getcwd(NULL, 0);
	if (!cwd)
		return ry_error_set(RY_EIO, "cannot read the current directory: %s", strerror(errno));
	priced = ry_host_copy(host);
	if (spec->partition && *spec->partition) {
		free(priced->partition);
		priced->partition = ry_xstrdup(spec->partition);
	}
	res->cost_rate = ry_cost_rate(priced, ngpus);
	if ((rc = ry_codepack_create(&pack, cwd, spec->code_dir, o->progress, o->payload)) ||
	    (rc = ry_remote__open_host(&s, host, o, NULL)))
		goto out;
	res->run_ids = ry_xcalloc(spec->n, sizeof *res->run_ids);
	uuids = ry_xcalloc(spec->n, sizeof *uuids);
	launchers = ry_xcalloc(spec->n, sizeof *launchers);
	for (size_t i = 0; i < spec->n && !rc; i++) {
		if (!(rc = array_run(st, host, spec, pack, cwd, res->cost_rate, i, &res->run_ids[i], uuids[i]))) {
			res->n++;
			rc = ry_remote__mark_launcher(st, uuids[i], &launchers[i]);
		}
	}
	if (!rc)
		rc = array_ship(st, s, host, spec, pack, o, ngpus, uuids, res, &uncertain);
	if (!rc)
		for (size_t i = 0; i < res->n; i++)
			ry_store_event(st, "launch", uuids[i], host->name);
out:
	if (rc) {
		/* the runs made say why; a link lost with sbatch sent may have
		 * queued the array: squeue -n runyard-UUID8 finds it */
		char *msg = ry_xasprintf(uncertain ? "the link to %s failed while sbatch ran (%s): the array may be "
		                         "queued; look with squeue -n runyard-%.8s" : "launch failed on %s: %s%.0s",
		                         host->name, ry_error_last(), res->n ? uuids[0] : "");
		for (size_t i = 0; i < res->n; i++) {
			ry_run_set_notes(st, res->run_ids[i], msg);
			ry_run_finish(st, res->run_ids[i], "failed", ry_now(), false, 0);
		}
		ry_error_set(rc, "%s", msg);
		free(msg);
	}
	for (size_t i = 0; launchers && i < spec->n; i++) {
		if (launchers[i])
			unlink(launchers[i]);
		free(launchers[i]);
	}
	free(launchers);
	free(uuids);
	ry_ssh_close(s);
	ry_codepack_free(pack);
	ry_host_free(priced);
	free(cwd);
	return rc;
}

/* ---- state -------------------------------------------------------------- */

/* $1 job id, $2 run dir, $3 the run-dir status script (jobscript.h).
 * Times as Unix seconds (SLURM_TIME_FORMAT).  Each section ends with its
 * command's exit status. */
static const char state_sh[] =
	"J=$1; D=$2; export SLURM_TIME_FORMAT=%s\n"
	"echo @@squeue; squeue -h -j \"$J\" -o '%T|%r|%S' 2>&1; echo \"@@rc $?\"\n"
	"echo @@sacct; sacct -n -P -X -j \"$J\" -o State,ExitCode,Start,End 2>&1; echo \"@@rc $?\"\n"
	"echo @@scontrol; scontrol -o show job \"$J\" 2>&1; echo \"@@rc $?\"\n"
	"echo @@rundir; sh -c \"$3\" sh \"$D\"\n"
	"echo @@end\n";

void ry_slurm__job_clear(ry_slurm__job *j)
{
	free(j->error);
	memset(j, 0, sizeof *j);
}

/* "N:S" -> the exit code the shell would report. */
static void parse_exit(ry_slurm__job *j, const char *v)
{
	int code, sig = 0;
	if (sscanf(v, "%d:%d", &code, &sig) >= 1) {
		j->has_exit = true;
		j->exit_code = sig > 0 ? 128 + sig : code;
	}
}

static double parse_time(const char *v)
{
	double d;
	return ry_parse_number(v, &d) && d > 0 ? d : 0;
}

static void set_state(ry_slurm__job *j, const char *v, const char *source)
{
	snprintf(j->state, sizeof j->state, "%.*s", (int)strcspn(v, " +"), v);
	snprintf(j->source, sizeof j->source, "%s", source);
}

/* One "Key=Value" of scontrol -o's line. */
static void scontrol_field(ry_slurm__job *j, const char *tok)
{
	if (!strncmp(tok, "JobState=", 9))
		set_state(j, tok + 9, "scontrol");
	else if (!strncmp(tok, "ExitCode=", 9))
		parse_exit(j, tok + 9);
	else if (!strncmp(tok, "StartTime=", 10))
		j->start = parse_time(tok + 10);
	else if (!strncmp(tok, "EndTime=", 8))
		j->end = parse_time(tok + 8);
}

void ry_slurm__parse_state(const char *out, ry_slurm__job *j, char **rundir)
{
	const char *p = out, *rd = NULL;
	char section[16] = "";
	ry_buf qerr = RY_BUF_INIT;
	bool sacct_ok = false;
	ry_slurm__job sc;
	memset(j, 0, sizeof *j);
	memset(&sc, 0, sizeof sc);
	if (rundir)
		*rundir = NULL;
	while (*p) {
		const char *nl = strchr(p, '\n'), *start = p;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = ry_xstrndup(p, len);
		p += len + (nl ? 1 : 0);
		if (!strcmp(section, "rundir")) {
			/* the run dir's own lines, for ry_remote__parse_state */
			/* @@end closes the section; a second one (output printed
			 * twice) leaves the first, instead of leaking it (fuzz_slurm) */
			if (!strcmp(line, "@@end")) {
				if (rundir && !*rundir)
					*rundir = ry_xstrndup(rd, (size_t)(start - rd));
				*section = '\0';
			}
			free(line);
			continue;
		}
		if (!strncmp(line, "@@rc ", 5)) {
			int st = atoi(line + 5);
			if (!strcmp(section, "squeue")) {
				/* a job slurmctld forgot is an "Invalid job id": it ended */
				if (!st)
					j->gone = !j->listed;
				else if (strstr(ry_buf_cstr(&qerr), "Invalid job id"))
					j->gone = true;
				else if (!j->error) /* a second squeue section: the first failure stands */
					j->error = ry_xstrdup(qerr.len ? ry_buf_cstr(&qerr) : "squeue failed");
			}
			*section = '\0';
		} else if (!strncmp(line, "@@", 2)) {
			snprintf(section, sizeof section, "%s", line + 2);
			if (!strcmp(section, "rundir"))
				rd = p;
		} else if (!strcmp(section, "squeue")) {
			char *f[3] = { 0 };
			if (bar_split(line, f, 3) == 3 && *f[0] && !strchr(f[0], ' ')) {
				j->listed = true;
				snprintf(j->state, sizeof j->state, "%s", f[0]);
				snprintf(j->reason, sizeof j->reason, "%s", f[1]);
				j->start = parse_time(f[2]);
			} else {
				ry_buf_printf(&qerr, "%s%s", qerr.len ? "\n" : "", line);
			}
			for (size_t i = 0; i < 3; i++)
				free(f[i]);
		} else if (!strcmp(section, "sacct") && !sacct_ok) {
			char *f[4] = { 0 };
			if (bar_split(line, f, 4) == 4 && strchr(f[1], ':')) {
				sacct_ok = true;
				set_state(&sc, f[0], "sacct");
				parse_exit(&sc, f[1]);
				sc.start = parse_time(f[2]);
				sc.end = parse_time(f[3]);
			}
			for (size_t i = 0; i < 4; i++)
				free(f[i]);
		} else if (!strcmp(section, "scontrol") && !sacct_ok && strstr(line, "JobState=")) {
			char *save = NULL;
			for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				scontrol_field(&sc, tok);
		}
		free(line);
	}
	if (!j->listed && *sc.state) {
		/* the job's final word: accounting's, or the controller's memory */
		snprintf(j->state, sizeof j->state, "%s", sc.state);
		snprintf(j->source, sizeof j->source, "%s", sc.source);
		j->start = sc.start;
		j->end = sc.end;
		j->has_exit = sc.has_exit;
		j->exit_code = sc.exit_code;
	}
	ry_buf_free(&qerr);
}

const char *ry_slurm__map_state(const char *state, const char **stopped_by, const char **note)
{
	static const struct {
		const char *state, *status, *stopped_by, *note;
	} map[] = {
		{ "COMPLETED", "finished", NULL, NULL },
		{ "FAILED", "failed", NULL, NULL },
		{ "TIMEOUT", "killed", "time limit", "Slurm stopped the job at its time limit" },
		{ "CANCELLED", "killed", "cancelled", NULL },
		{ "PREEMPTED", "killed", "preempted", "Slurm preempted the job" },
		{ "DEADLINE", "killed", "deadline", "Slurm stopped the job at its deadline" },
		{ "OUT_OF_MEMORY", "failed", NULL, "Slurm stopped the job: out of memory (ask for more with --mem)" },
		{ "NODE_FAIL", "lost", NULL, "the job's node failed (Slurm NODE_FAIL)" },
		{ "BOOT_FAIL", "failed", NULL, "the job's node failed to boot (Slurm BOOT_FAIL)" },
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		if (!strcmp(map[i].state, state)) {
			*stopped_by = map[i].stopped_by;
			*note = map[i].note;
			return map[i].status;
		}
	}
	*stopped_by = NULL;
	*note = "Slurm ended the job in a state runyard does not know";
	return "failed";
}

/* ---- sync ----------------------------------------------------------------- */

static const char *run_tag(const ry_run *r, const char *key)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i].key, key))
			return r->tags[i].value;
	return NULL;
}

static bool active(const char *state)
{
	static const char *const states[] = { "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED",
	                                      "REQUEUED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT",
	                                      "STOPPED", "RESV_DEL_HOLD", "REQUEUE_FED" };
	for (size_t i = 0; i < sizeof states / sizeof *states; i++)
		if (!strcmp(states[i], state))
			return true;
	return false;
}

/* The job is pending or running: its state and pending reason as tags. */
static int sync_active(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, const ry_slurm__job *j,
                       const ry_remote__state *rd, ry_sync_report *rep)
{
	int rc = ry_run_set_tag(st, r->id, TAG_STATE, j->state);
	bool pending = !strcmp(j->state, "PENDING") || !strcmp(j->state, "CONFIGURING");
	char *localdir;
	if (!rc && pending && *j->reason && strcmp(j->reason, "None"))
		rc = ry_run_set_tag(st, r->id, TAG_REASON, j->reason);
	else if (!rc && !pending && run_tag(r, TAG_REASON))
		ry_run_unset_tag(st, r->id, TAG_REASON);
	if (rc || pending)
		return rc;
	if (!strcmp(r->status, "queued") &&
	    (rc = ry_remote__mark_running(st, r, j->start > 0 ? j->start : rd->started)))
		return rc;
	if (rd->heartbeat > 0)
		ry_run_set_real(st, r->id, "heartbeat", rd->heartbeat);
	localdir = ry_remote_local_dir(st, r->uuid);
	if (!(rc = ry_mkdir_p(localdir)) && !rd->missing)
		rc = ry_remote__pull(st, s, r, cfg, localdir, false, rep);
	free(localdir);
	return rc;
}

/* The job ended: settle the run from Slurm's final state, or from the run
 * directory's files where neither accounting nor the controller knows it. */
static int sync_ended(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, const ry_slurm__job *j,
                      const ry_remote__state *rd, ry_sync_report *rep)
{
	const char *status, *stopped_by = NULL, *note = NULL, *source = *j->source ? j->source : "rundir";
	bool ran = rd->has_pid || rd->started > 0 || r->started > 0, has_exit = rd->has_exit || j->has_exit;
	int exit_code = rd->has_exit ? rd->exit_code : j->exit_code, rc;
	double ended = j->end > 0 ? j->end : ry_remote__ended_at(rd);
	char *localdir = ry_remote_local_dir(st, r->uuid);

	if (*j->state) {
		status = ry_slurm__map_state(j->state, &stopped_by, &note);
	} else {
		stopped_by = *rd->reason ? rd->reason : NULL;
		status = rd->has_exit ? (rd->exit_code == 0 ? "finished" : stopped_by ? "killed" : "failed")
		                      : stopped_by ? "killed" : "lost";
		note = "Slurm no longer knows the job and has no accounting (sacct) here: settled from the run "
		       "directory's files";
	}
	if (!ran && !strcmp(status, "killed"))
		note = "cancelled before the job started";
	/* Slurm's clock for both ends where it has them (whole seconds), so
	 * that the elapsed time billed is the one Slurm accounts */
	if (!strcmp(r->status, "queued") && ran &&
	    (rc = ry_remote__mark_running(st, r, j->start > 0 ? j->start : rd->started)))
		goto out;
	if (ended < r->started)
		ended = r->started;
	if ((rc = ry_mkdir_p(localdir)))
		goto out;
	if (ran && !rd->missing && (rc = ry_remote__pull(st, s, r, cfg, localdir, true, rep)))
		goto out;
	if ((rc = ry_store_begin(st)))
		goto out;
	rc = ry_run_finish(st, r->id, status, ran ? ended : ry_now(), has_exit && ran, exit_code);
	if (!rc && *j->state)
		rc = ry_run_set_tag(st, r->id, TAG_STATE, j->state);
	if (!rc)
		rc = ry_run_set_tag(st, r->id, TAG_SOURCE, source);
	if (!rc && stopped_by)
		rc = ry_run_set_tag(st, r->id, "stopped_by", stopped_by);
	if (!rc && note)
		rc = ry_run_set_notes(st, r->id, note);
	if (!rc && run_tag(r, TAG_REASON))
		rc = ry_run_unset_tag(st, r->id, TAG_REASON);
	if (rc) {
		ry_store_rollback(st);
		goto out;
	}
	if ((rc = ry_store_commit(st)))
		goto out;
	rep->settled++;
	ry_store_event(st, "settle", r->uuid, r->host);
	if (ran && !rd->missing)
		rc = ry_remote__fetch_artifacts(st, s, r, localdir, rep);
out:
	free(localdir);
	return rc;
}

int ry_slurm__sync_one(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, bool final_fetch,
                       ry_sync_report *rep)
{
	const char *job = run_tag(r, TAG_JOB);
	const char *args[] = { job, r->remote_dir, ry_jobscript_status };
	ry_buf out = RY_BUF_INIT;
	ry_slurm__job j;
	ry_remote__state rd;
	char *rundir = NULL;
	int rc, status;

	if (!job) {
		/* sbatch never answered: the launcher is at it, or it died */
		if (!strcmp(r->status, "queued") && !ry_remote__launcher_alive(st, r))
			return ry_remote__settle_unstarted(st, r, "failed", "the launch stopped before sbatch gave a job "
			                                   "id; if a job was submitted, find it with squeue -n runyard-"
			                                   "<uuid>", rep);
		return 0;
	}
	if (strcmp(r->status, "queued") && strcmp(r->status, "running")) {
		/* settled before: only what is left to fetch */
		char *localdir = ry_remote_local_dir(st, r->uuid);
		rc = final_fetch ? ry_remote__pull(st, s, r, cfg, localdir, true, rep) : 0;
		if (!rc && final_fetch)
			rc = ry_remote__fetch_artifacts(st, s, r, localdir, rep);
		free(localdir);
		return rc;
	}
	if ((rc = ry_remote__rsh(s, state_sh, args, 3, NULL, 0, &out, NULL, &status, 0)))
		goto out;
	ry_slurm__parse_state(ry_buf_cstr(&out), &j, &rundir);
	ry_remote__parse_state(rundir ? rundir : "", &rd);
	if (!rd.end) {
		rc = ry_error_set(RY_EIO, "run %s: the host's status check failed (exit %d)", r->name, status);
	} else if (j.error) {
		/* the controller did not answer: nothing is known, nothing changes */
		rc = ry_error_set(RY_EIO, "run %s: squeue on %s failed: %.300s", r->name, r->host, j.error);
	} else if (j.listed && active(j.state)) {
		rc = sync_active(st, s, r, cfg, &j, &rd, rep);
	} else {
		rc = sync_ended(st, s, r, cfg, &j, &rd, rep);
	}
	ry_slurm__job_clear(&j);
out:
	free(rundir);
	ry_buf_free(&out);
	return rc;
}

/* ---- cancel --------------------------------------------------------------- */

/* $1 job id, $2 run dir: scancel, then wait (60 s at most) until Slurm
 * lists the job no more, its processes gone.  A job still listed writes
 * reason "cancelled" into its run dir first, for a sync without
 * accounting.  Exit 3 scancel failed, 4 the job outlived the wait. */
static const char cancel_sh[] =
	"J=$1; D=$2\n"
	"[ -n \"$(squeue -h -j \"$J\" -o %T 2>/dev/null)\" ] && [ -d \"$D\" ] && echo cancelled > \"$D/reason\"\n"
	"scancel \"$J\" || exit 3\n"
	"i=0\n"
	"while [ $i -lt 600 ]; do\n"
	"  s=$(squeue -h -j \"$J\" -o %T 2>/dev/null) || exit 0\n"
	"  [ -z \"$s\" ] && exit 0\n"
	"  sleep 0.1; i=$((i + 1))\n"
	"done\n"
	"echo \"job $J is still $s a minute after scancel\" >&2\n"
	"exit 4\n";

int ry_slurm__cancel(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, int timeout_ms)
{
	const char *job = run_tag(r, TAG_JOB);
	const char *args[] = { job, r->remote_dir };
	ry_buf err = RY_BUF_INIT;
	ry_sync_report rep;
	int rc, status = 0;
	if (!job)
		return ry_error_set(RY_EREFUSED, "run %s has no Slurm job id yet; cancel it again in a moment", r->name);
	if ((rc = ry_remote__rsh(s, cancel_sh, args, 2, NULL, 0, NULL, &err, &status, timeout_ms + 60000)))
		goto out;
	if (status) {
		rc = ry_error_set(RY_ERROR, "cannot cancel run %s (Slurm job %s) on %s: %.200s", r->name, job, r->host,
		                  ry_buf_cstr(&err));
		goto out;
	}
	ry_store_event(st, "cancel", r->uuid, r->host);
	memset(&rep, 0, sizeof rep);
	rc = ry_slurm__sync_one(st, s, r, cfg, false, &rep);
	ry_sync_report_clear(&rep);
out:
	ry_buf_free(&err);
	return rc;
}
