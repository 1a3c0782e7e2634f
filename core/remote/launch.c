/*
 * Remote jobs (see launch.h): choosing GPUs, shipping the code pack,
 * writing and starting the wrapper, and the sync/cancel passes that keep
 * the workspace in step with the host.  The job's life on the host is the
 * wrapper's business (it is self-sufficient once started); this file only
 * starts it, reads the files it writes and signals its process group.
 *
 * Every piece of every remote command is a positional argument of
 * `sh -c SCRIPT sh ARG...` or shell-quoted (ry_shell_quote): the scripts are
 * constant text and nothing a user typed is ever spliced into them.
 */
#include "remote/launch.h"
#include "remote/simulated.h"
#include "base/alloc.h"
#include "registry/artifact.h"
#include "git/codepack.h"
#include "remote/cost.h"
#include "remote/inventory.h"
#include "remote/jobscript.h"
#include "remote/lease.h"
#include "remote/remote_internal.h"
#include "remote/slurm.h"
#include "base/error.h"
#include "base/fault.h"
#include "metrics/ingest.h"
#include "base/redact.h"
#include "base/sha256.h"
#include "base/shell.h"
#include "store/store_internal.h"
#include "track/track.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PULL_MAX (64u << 20) /* bytes per file per sync */

static void progress(const ry_remote_options *o, double frac, const char *what)
{
	if (o->progress)
		o->progress(frac, what, o->payload);
}

void ry_launch_result_clear(ry_launch_result *r)
{
	free(r->remote_dir);
	free(r->gpus);
	memset(r, 0, sizeof *r);
}

void ry_sync_report_clear(ry_sync_report *r)
{
	free(r->errors);
	for (size_t i = 0; i < r->nerrs; i++) {
		free(r->errs[i].host);
		free(r->errs[i].message);
	}
	free(r->errs);
	memset(r, 0, sizeof *r);
}

char *ry_launch_command_line(char *const *argv)
{
	/* the same spelling as local runs, so command shapes compare */
	return ry_track_join_argv(argv);
}

char *ry_remote_local_dir(ry_store *st, const char *uuid)
{
	return ry_track_run_dir(st, uuid);
}

/* why (optional) gets the connection's failure kind. */
int ry_remote__open_host(ry_ssh **s, const ry_host *h, const ry_remote_options *o, ry_ssh_fail *why)
{
	ry_ssh_options so = RY_SSH_OPTIONS_INIT;
	ry_sshhost *sh = NULL;
	int rc;
	so.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 20000;
	so.cancel = o->cancel;
	so.passphrase = o->passphrase;
	so.payload = o->payload;
	so.config = o->sshcfg;
	if ((rc = ry_sshconfig_resolve(o->sshcfg, h->ssh_alias ? h->ssh_alias : h->name, &sh)))
		return rc;
	rc = ry_ssh_connect(s, sh, &so, why);
	ry_sshhost_free(sh);
	return rc;
}

/* Run a constant POSIX sh script with positional args, each quoted. */
int ry_remote__rsh(ry_ssh *s, const char *script, const char *const *args, size_t nargs, const char *in,
               size_t inlen, ry_buf *out, ry_buf *err, int *status, int timeout_ms)
{
	ry_buf cmd = RY_BUF_INIT;
	int rc;
	ry_buf_puts(&cmd, "sh -c ");
	ry_shell_quote(&cmd, script);
	ry_buf_puts(&cmd, " sh");
	for (size_t i = 0; i < nargs; i++) {
		ry_buf_putc(&cmd, ' ');
		ry_shell_quote(&cmd, args[i]);
	}
	rc = ry_ssh_exec(s, ry_buf_cstr(&cmd), in, inlen, out, err, status, timeout_ms);
	ry_buf_free(&cmd);
	return rc;
}

/* ---- GPUs ---------------------------------------------------------------- */

int ry_launch_check_gpus(const ry_host *host, int ngpus)
{
	if (host->max_gpus > 0 && ngpus > host->max_gpus)
		return ry_error_set(RY_EREFUSED, "%s allows at most %d GPUs per run (max_gpus), %d asked",
		                    host->name, host->max_gpus, ngpus);
	return 0;
}

/* What is wrong with ngpus GPUs on probed, without a remedy (each front end
 * names its own: flags, or the dialog's fields); NULL when nothing is. */
static char *free_gpus_fact(const ry_host *probed, int ngpus)
{
	int *idx;
	size_t nfree;
	if (ngpus > 0 && probed->ngpus == 0)
		return ry_xasprintf("%s has no GPUs (no nvidia-smi there)", probed->name);
	idx = ry_xcalloc(probed->ngpus + 1, sizeof *idx);
	nfree = ry_host_free_gpus(probed, idx, probed->ngpus);
	free(idx);
	if (ngpus > 0 && (size_t)ngpus > nfree)
		return ry_xasprintf("only %zu of the %zu GPUs on %s are free, %d asked", nfree, probed->ngpus,
		                    probed->name, ngpus);
	return NULL;
}

int ry_launch_check_free_gpus(const ry_host *probed, int ngpus)
{
	char *fact = free_gpus_fact(probed, ngpus);
	int rc = 0;
	if (fact && !probed->ngpus)
		rc = ry_error_set(RY_EREFUSED, "%s; launch with --gpus 0 or pick a GPU host", fact);
	else if (fact)
		rc = ry_error_set(RY_EREFUSED, "%s; ask for fewer, name them with --gpu-ids, or wait (see 'runyard "
		                  "hosts --probe %s')", fact, probed->name);
	free(fact);
	return rc;
}

void ry_launch_gpu_check_from(ry_launch_gpu_check *g, const ry_host *probed, int ngpus)
{
	g->free = -1, g->verdict = NULL, g->message = NULL, g->fact = NULL;
	if (ngpus <= 0)
		return;
	if (probed->probe_rc) {
		g->message = ry_xasprintf("free GPUs on %s unknown (%s); the launch checks again", probed->name,
		                          probed->error ? probed->error : "probe failed");
		return;
	}
	int *idx = ry_xcalloc(probed->ngpus + 1, sizeof *idx);
	g->free = (int)ry_host_free_gpus(probed, idx, probed->ngpus);
	free(idx);
	if (ry_launch_check_free_gpus(probed, ngpus)) {
		g->verdict = "too few free";
		g->message = ry_xstrdup(ry_error_last());
		g->fact = free_gpus_fact(probed, ngpus);
	} else {
		g->verdict = "ok";
	}
}

void ry_launch_gpu_check_clear(ry_launch_gpu_check *g)
{
	if (!g)
		return;
	free(g->message);
	free(g->fact);
	g->free = -1, g->verdict = NULL, g->message = NULL, g->fact = NULL;
}

/* How many GPUs a spec asks for before the host is probed: its --gpu-ids,
 * else --gpus (-1: the default, decided by the probe, counted as 1). */
static int asked_gpus(const ry_launch_spec *spec)
{
	int n = 1;
	if (!spec->gpu_ids || !*spec->gpu_ids)
		return spec->ngpus >= 0 ? spec->ngpus : 1;
	for (const char *p = spec->gpu_ids; *p; p++)
		n += *p == ',';
	return n;
}

static int choose_gpus(ry_host *probe, const ry_launch_spec *spec, char **out, int *ngpus)
{
	ry_buf b = RY_BUF_INIT;
	*out = NULL;
	*ngpus = 0;
	if (spec->gpu_ids && *spec->gpu_ids) {
		char *copy = ry_xstrdup(spec->gpu_ids), *save = NULL, *tok;
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			double d;
			const ry_gpu *g = NULL;
			if (!ry_parse_number(tok, &d) || d < 0 || d != floor(d)) {
				free(copy);
				ry_buf_free(&b);
				return ry_error_set(RY_EINVAL, "--gpu-ids '%s': '%s' is not a GPU index", spec->gpu_ids, tok);
			}
			for (size_t i = 0; i < probe->ngpus; i++)
				if (probe->gpus[i].index == (int)d)
					g = &probe->gpus[i];
			if (!g) {
				free(copy);
				ry_buf_free(&b);
				return ry_error_set(RY_EINVAL, "%s has no GPU %d (it has %zu GPU%s)", probe->name, (int)d,
				                    probe->ngpus, probe->ngpus == 1 ? "" : "s");
			}
			ry_buf_printf(&b, "%s%d", b.len ? "," : "", (int)d);
			(*ngpus)++;
		}
		free(copy);
	} else {
		int want = spec->ngpus >= 0 ? spec->ngpus : (probe->ngpus > 0 ? 1 : 0);
		int *idx;
		int rc;
		if ((rc = ry_launch_check_free_gpus(probe, want)))
			return rc;
		idx = ry_xcalloc(probe->ngpus + 1, sizeof *idx);
		ry_host_free_gpus(probe, idx, probe->ngpus);
		for (int i = 0; i < want; i++)
			ry_buf_printf(&b, "%s%d", i ? "," : "", idx[i]);
		free(idx);
		*ngpus = want;
	}
	if (ry_launch_check_gpus(probe, *ngpus)) {
		ry_buf_free(&b);
		return RY_EREFUSED;
	}
	*out = b.len ? ry_buf_detach(&b) : NULL;
	ry_buf_free(&b);
	return 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The uuids of the GPUs in list "0,2" (indices on probe), for their
 * leases: NULL-terminated, caller frees with ry_strv_free.  A uuid that is
 * not nvidia-smi's "GPU-" and hex and dashes never names a file there. */
static int gpu_uuids(const ry_host *probe, const char *list, char ***out)
{
	size_t n = 0;
	char **v = ry_xcalloc(probe->ngpus + 1, sizeof *v);
	for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',') {
		int idx = atoi(p);
		for (size_t i = 0; i < probe->ngpus && n < probe->ngpus; i++) {
			const char *u = probe->gpus[i].uuid;
			if (probe->gpus[i].index != idx)
				continue;
			if (!u || strncmp(u, "GPU-", 4) || u[4 + strspn(u + 4, "0123456789abcdefABCDEF-")]) {
				strv_free(v);
				return ry_error_set(RY_EIO, "%s: nvidia-smi gave GPU %d the uuid '%s', which runyard cannot "
				                    "lease", probe->name, idx, u ? u : "");
			}
			v[n++] = ry_xstrdup(u);
		}
	}
	*out = v;
	return 0;
}

/* The error for a start refused because another run holds a lease on a
 * GPU this one chose: out has "taken GPU_UUID RUN_UUID USER" lines. */
static int lease_conflict(const ry_host *probe, const char *out)
{
	char gpu[128] = "", run[64] = "", user[64] = "?";
	const char *p = strstr(out, "taken ");
	int idx = -1;
	if (p)
		sscanf(p, "taken %127s %63s %63s", gpu, run, user);
	for (size_t i = 0; i < probe->ngpus; i++)
		if (probe->gpus[i].uuid && !strcmp(probe->gpus[i].uuid, gpu))
			idx = probe->gpus[i].index;
	return ry_error_set(RY_EBUSY, "GPU %d on %s was just taken by run %.8s (launched by %s); pick other GPUs "
	                    "or launch again", idx, probe->name, run, user);
}

/* Take the leases and start the wrapper.  GPUs runyard chose that another
 * launch took a moment earlier are chosen again from a fresh probe (twice
 * at most); GPUs the user named are not swapped behind their back.
 * *uncertain is left true when the link failed with the start sent: the
 * job may be running. */
static int start_job(ry_store *st, ry_ssh *s, ry_host *probe, const ry_launch_spec *spec, ry_launch_result *res,
                     const char *subdir, const char *rundir, const char *packpath, bool *uncertain)
{
	ry_buf out = RY_BUF_INIT, err = RY_BUF_INIT;
	int rc = 0, status = 0;
	for (int attempt = 0;; attempt++) {
		char **uuids = NULL, *script;
		const char **args;
		size_t nargs = 4;
		ry_jobscript_job job = { rundir, subdir, res->uuid, res->gpus, NULL, probe->lease_dir, spec->time_limit,
		                         spec->argv };
		if ((rc = gpu_uuids(probe, res->gpus, &uuids)))
			break;
		job.gpu_uuids = uuids;
		script = ry_jobscript_wrapper(&job);
		args = ry_xcalloc(4 + probe->ngpus + 1, sizeof *args);
		args[0] = rundir;
		args[1] = packpath;
		args[2] = probe->lease_dir ? probe->lease_dir : RY_LEASE_DEFAULT_DIR;
		args[3] = res->uuid;
		for (size_t i = 0; uuids[i]; i++)
			args[nargs++] = uuids[i];
		ry_buf_clear(&out);
		ry_buf_clear(&err);
		*uncertain = true;
		rc = ry_remote__rsh(s, ry_jobscript_start, args, nargs, script, strlen(script), &out, &err, &status, 0);
		free(args);
		free(script);
		strv_free(uuids);
		if (rc)
			break;
		*uncertain = false;
		if (status != 5) {
			res->pid = atoi(ry_buf_cstr(&out));
			if (status != 0 || res->pid <= 0)
				rc = ry_error_set(RY_EIO, "%s: the job did not start (exit %d): %.300s", probe->name, status,
				                  err.len ? ry_buf_cstr(&err) : "no pid file appeared");
			break;
		}
		if ((spec->gpu_ids && *spec->gpu_ids) || attempt == 2) {
			rc = lease_conflict(probe, ry_buf_cstr(&out));
			break;
		}
		{
			int ngpus;
			free(res->gpus);
			res->gpus = NULL;
			if ((rc = ry_hosts__probe_session(probe, s, 0)) || (rc = choose_gpus(probe, spec, &res->gpus, &ngpus)))
				break;
			ry_run_set_text(st, res->run_id, "gpus", res->gpus);
		}
	}
	ry_buf_free(&out);
	ry_buf_free(&err);
	return rc;
}

void ry_remote__record_code(ry_store *st, int64_t id, const ry_codepack *pack)
{
	if (pack->commit)
		ry_run_set_text(st, id, "git_commit", pack->commit);
	if (pack->branch)
		ry_run_set_text(st, id, "git_branch", pack->branch);
	if (pack->commit)
		ry_run_set_int(st, id, "git_dirty", pack->dirty);
}

int ry_remote__prepare(ry_ssh *s, const ry_host *host, const char *uuid, const char *sha256, bool need_setsid,
                       char **workdir, bool *have)
{
	const char *args[] = { host->workdir ? host->workdir : RY_HOSTS_DEFAULT_WORKDIR, uuid, sha256 };
	ry_buf out = RY_BUF_INIT, err = RY_BUF_INIT;
	int rc, status = 0;
	*workdir = NULL;
	if ((rc = ry_remote__rsh(s, ry_jobscript_prepare, args, 3, NULL, 0, &out, &err, &status, 0)))
		goto out;
	if (status != 0) {
		rc = ry_error_set(RY_EIO, "%s: cannot create the work directory %s: %.300s", host->name, args[0],
		                  ry_buf_cstr(&err));
		goto out;
	}
	if (need_setsid && strstr(ry_buf_cstr(&out), "nosetsid")) {
		rc = ry_error_set(RY_EIO, "%s has no 'setsid' command (util-linux), which runyard needs to detach "
		                  "jobs; install util-linux there", host->name);
		goto out;
	}
	*workdir = ry_xstrndup(out.ptr, strcspn(ry_buf_cstr(&out), "\n"));
	*have = strstr(ry_buf_cstr(&out), "\nhave") != NULL;
out:
	ry_buf_free(&out);
	ry_buf_free(&err);
	return rc;
}

/* Params from the command's arguments, parsed as for local runs. */
void ry_launch__record_params(ry_store *st, int64_t id, char *const *argv)
{
	ry_kv *kv = NULL;
	size_t n = 0;
	if (ry_track_parse_params(argv, &kv, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++)
		ry_run_set_param(st, id, kv[i].key, kv[i].value);
	ry_track_kv_free(kv, n);
}

/* Take queued run id (queue.h) as the run this launch starts: it gets the
 * host, GPUs and rate chosen now and becomes an ssh run; its command,
 * params, tags and code were recorded when it was queued. */
static int adopt_run(ry_store *st, int64_t id, const ry_host *host, ry_launch_result *res, char **launcher)
{
	ry_run *r = NULL;
	int rc = ry_run_get(&r, st, id);
	if (rc)
		return rc;
	if (strcmp(r->status, "queued")) {
		rc = ry_error_set(RY_ESTALE, "run %s is %s, not queued: it was started or cancelled meanwhile", r->name,
		                  r->status);
		ry_run_free(r);
		return rc;
	}
	res->run_id = id;
	snprintf(res->uuid, sizeof res->uuid, "%s", r->uuid);
	ry_run_free(r);
	/* the launcher's mark first: once it is an ssh run, sync looks at it */
	if ((rc = ry_remote__mark_launcher(st, res->uuid, launcher)))
		return rc;
	if ((rc = ry_run_set_text(st, id, "host", host->name)) || (rc = ry_run_set_text(st, id, "gpus", res->gpus)) ||
	    (rc = ry_run_set_real(st, id, "cost_rate", res->cost_rate)) ||
	    (rc = ry_run_set_text(st, id, "source", ry_host_is_slurm(host) ? "slurm" : "ssh")))
		return rc;
	return 0;
}

/* The launcher's pid file in the run's local directory, kept while the
 * launch goes on: sync leaves a queued run alone while its launcher lives,
 * and settles it from the host once the launcher died (sync_queued). */
int ry_remote__mark_launcher(ry_store *st, const char *uuid, char **path)
{
	char *dir = ry_remote_local_dir(st, uuid);
	int rc = ry_mkdir_p(dir);
	*path = ry_xasprintf("%s/launcher", dir);
	if (!rc)
		rc = ry_track_pidfile_write(*path, (int)getpid());
	free(dir);
	if (rc) {
		free(*path);
		*path = NULL;
	}
	return rc;
}

/* A command copied from a stored run (the TUI's launch dialog starts from
 * the selected run's) has RY_REDACTED where its secrets were: refuse it
 * rather than start a job with "***" as its password. */
int ry_remote__check_not_redacted(char *const *argv)
{
	ry_kv *kv = NULL;
	size_t n = 0;
	int rc = 0;
	ry_track_parse_params(argv, &kv, &n);
	for (size_t i = 0; i < n && !rc; i++)
		if (!strcmp(kv[i].value, RY_REDACTED) && ry_redact_is_secret(kv[i].key))
			rc = ry_error_set(RY_EINVAL, "the command's %s is '%s', a secret runyard did not store; "
			                  "give its real value", kv[i].key, RY_REDACTED);
	ry_track_kv_free(kv, n);
	return rc;
}

int ry_launch_run(ry_store *st, const ry_host *host, const ry_launch_spec *spec, const ry_remote_options *o,
                  ry_launch_result *res)
{
	ry_remote_options def = RY_REMOTE_OPTIONS_INIT;
	ry_codepack *made = NULL;
	const ry_codepack *pack = spec->pack;
	ry_ssh *s = NULL;
	ry_host *probe = NULL;
	ry_run_spec rs = RY_RUN_SPEC_INIT;
	char *cwd = NULL, *command = NULL, *workdir = NULL, *rundir = NULL, *packpath = NULL;
	char *launcher = NULL;
	int rc, ngpus = 0;
	bool created = false, adopted = false, uncertain = false, slurm = ry_host_is_slurm(host);
	ry_host *priced = NULL;

	memset(res, 0, sizeof *res);
	if (!o)
		o = &def;
	if (!spec->argv || !spec->argv[0] || !*spec->argv[0])
		return ry_error_set(RY_EINVAL, "no command to launch; give it after --, e.g. -- python train.py");
	if ((rc = ry_remote__check_not_redacted(spec->argv)))
		return rc;
	if ((rc = ry_launch_check_gpus(host, asked_gpus(spec))))
		return rc; /* before anything is packed or sent */
	if (host->simulated)
		return ry_error_set(RY_EREFUSED, "%s is a simulated demo host: nothing can run there (its probe and "
		                    "runs are canned); add a real host to ~/.ssh/config or runyard's config "
		                    "(docs/remote.md)", host->name);
	cwd = spec->cwd ? ry_xstrdup(spec->cwd) : getcwd(NULL, 0);
	if (!cwd)
		return ry_error_set(RY_EIO, "cannot read the current directory: %s", strerror(errno));

	if (!pack) {
		progress(o, 0, "packing code");
		if ((rc = ry_codepack_create(&made, cwd, spec->code_dir, o->progress, o->payload)))
			goto out;
		pack = made;
	}
	progress(o, 0, "connecting");
	if ((rc = ry_remote__open_host(&s, host, o, NULL)))
		goto out;
	if (slurm) {
		/* Slurm chooses the GPUs and owns them (slurm.h); the rate is
		 * the partition's the job goes to */
		if (spec->gpu_ids && *spec->gpu_ids) {
			rc = ry_error_set(RY_EINVAL, "%s is a Slurm cluster: Slurm chooses the GPUs; ask for a count "
			                  "with --gpus", host->name);
			goto out;
		}
		ngpus = spec->ngpus >= 0 ? spec->ngpus : 1;
		priced = ry_host_copy(host);
		if (spec->partition && *spec->partition) {
			free(priced->partition);
			priced->partition = ry_xstrdup(spec->partition);
		}
	} else {
		progress(o, 0, "checking GPUs");
		probe = ry_host_copy(host);
		if ((rc = ry_hosts__probe_session(probe, s, o->timeout_ms)))
			goto out;
		if ((rc = choose_gpus(probe, spec, &res->gpus, &ngpus)))
			goto out;
	}

	command = ry_launch_command_line(spec->argv);
	res->cost_rate = ry_cost_rate(priced ? priced : host, ngpus);
	if (spec->run_id) {
		if ((rc = adopt_run(st, spec->run_id, host, res, &launcher)))
			goto out;
		adopted = true;
	} else {
		rs.experiment = spec->experiment;
		rs.name = spec->name;
		rs.status = "queued";
		rs.command = command;
		rs.cwd = cwd;
		rs.host = host->name;
		rs.gpus = res->gpus;
		rs.source = slurm ? "slurm" : "ssh";
		rs.cost_rate = res->cost_rate;
		rs.time_limit = spec->time_limit;
		if ((rc = ry_run_create(st, &rs, &res->run_id, res->uuid)))
			goto out;
		created = true;
	}
	if (!launcher && (rc = ry_remote__mark_launcher(st, res->uuid, &launcher)))
		goto out;
	ry_fault("launch-created");
	if (created) {
		ry_launch__record_params(st, res->run_id, spec->argv);
		ry_remote__record_code(st, res->run_id, pack);
	}

	if ((rc = ry_remote__prepare(s, host, res->uuid, pack->sha256, !slurm, &workdir, &res->pack_reused)))
		goto out;
	memcpy(res->pack_sha256, pack->sha256, sizeof res->pack_sha256);
	res->pack_size = pack->size;
	rundir = ry_xasprintf("%s/runs/%s", workdir, res->uuid);
	packpath = ry_xasprintf("%s/packs/%s.tar", workdir, pack->sha256);
	res->remote_dir = ry_xstrdup(rundir);
	ry_run_set_text(st, res->run_id, "remote_dir", rundir);
	if (!res->pack_reused) {
		progress(o, 0, "uploading code");
		if ((rc = ry_ssh_upload(s, pack->path, packpath, 0644, o->progress, o->payload)))
			goto out;
	}
	if (slurm) {
		progress(o, 1, "submitting");
		if (!(rc = ry_slurm__submit_run(st, s, host, spec, ngpus, res, pack->subdir, packpath, &uncertain)))
			ry_store_event(st, "launch", res->uuid, host->name);
		goto out;
	}
	progress(o, 1, "starting");
	if ((rc = start_job(st, s, probe, spec, res, pack->subdir, rundir, packpath, &uncertain)))
		goto out;
	ry_fault("launch-started");
	ry_run_set_int(st, res->run_id, "pid", res->pid);
	ry_run_set_real(st, res->run_id, "started", ry_now());
	rc = ry_run_set_text(st, res->run_id, "status", "running");
	ry_store_event(st, "launch", res->uuid, host->name);
out:
	if (rc && uncertain) {
		/* The link failed with the start sent: the job may well be
		 * running.  The run stays queued for sync to settle from the run
		 * directory (sync_one), never marked failed over a live job. */
		char *msg = ry_xasprintf("the link to %s failed while the job was starting (%s); it may be running: "
		                         "'runyard sync' finds out from the host", host->name, ry_error_last());
		ry_run_set_notes(st, res->run_id, msg);
		ry_error_set(rc, "%s", msg);
		free(msg);
	} else if (rc && adopted && (rc == RY_EBUSY || rc == RY_EREFUSED)) {
		/* its GPUs went to another launch: queued again, as it was */
		int keep = rc;
		char *msg = ry_xstrdup(ry_error_last());
		ry_run_set_text(st, res->run_id, "source", "queue");
		ry_run_set_text(st, res->run_id, "host", NULL);
		ry_run_set_text(st, res->run_id, "gpus", NULL);
		ry_run_set_text(st, res->run_id, "remote_dir", NULL);
		ry_error_set(keep, "%s", msg);
		free(msg);
	} else if (rc && (created || adopted)) {
		char *msg = ry_xasprintf("launch failed: %s", ry_error_last());
		int keep = rc;
		ry_run_set_notes(st, res->run_id, msg);
		ry_run_finish(st, res->run_id, "failed", ry_now(), false, 0);
		ry_error_set(keep, "%s", msg + strlen("launch failed: "));
		free(msg);
	}
	if (launcher)
		unlink(launcher);
	free(launcher);
	res->uncertain = rc && uncertain;
	if (rc) {
		/* a failed launch leaves run_id, uuid and uncertain, no strings */
		free(res->remote_dir);
		free(res->gpus);
		res->remote_dir = res->gpus = NULL;
	}
	ry_ssh_close(s);
	ry_codepack_free(made);
	ry_host_free(probe);
	ry_host_free(priced);
	free(cwd);
	free(command);
	free(workdir);
	free(rundir);
	free(packpath);
	return rc;
}

/* ---- sync ---------------------------------------------------------------- */

void ry_remote__parse_state(const char *out, ry_remote__state *rs)
{
	const char *p = out;
	memset(rs, 0, sizeof *rs);
	rs->script_age = -1;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = ry_xstrndup(p, len);
		p += len + (nl ? 1 : 0);
		if (!strcmp(line, "missing"))
			rs->missing = true;
		else if (!strcmp(line, "alive"))
			rs->alive = true;
		else if (!strcmp(line, "end"))
			rs->end = true;
		else if (!strcmp(line, "pid"))
			rs->has_pid = true;
		else if (!strncmp(line, "exit ", 5) && line[5]) {
			char *e;
			long v = strtol(line + 5, &e, 10);
			if (e != line + 5) {
				rs->has_exit = true;
				rs->exit_code = (int)v;
			}
		} else if (!strncmp(line, "ended ", 6))
			rs->ended = atof(line + 6);
		else if (!strncmp(line, "started ", 8))
			rs->started = atof(line + 8);
		else if (!strncmp(line, "script_age ", 11))
			rs->script_age = atol(line + 11);
		else if (!strncmp(line, "heartbeat ", 10))
			rs->heartbeat = atof(line + 10);
		else if (!strncmp(line, "reason ", 7))
			snprintf(rs->reason, sizeof rs->reason, "%s", line + 7);
		free(line);
	}
}

/* Append bytes to the local file at exactly `offset` (truncating anything a
 * crashed earlier sync wrote past the recorded offset). */
static int write_local(const char *path, int64_t offset, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	int rc = 0;
	if (fd < 0)
		return ry_error_set(RY_EIO, "cannot write %s: %s", path, strerror(errno));
	if (ftruncate(fd, offset) != 0 || lseek(fd, offset, SEEK_SET) < 0 ||
	    (len && write(fd, data, len) != (ssize_t)len))
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", path, strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", path, strerror(errno));
	return rc;
}

/* Complete lines only, unless the file is final. */
static size_t whole_lines(const ry_buf *b, bool final)
{
	if (final || b->len == 0)
		return b->len;
	for (size_t i = b->len; i > 0; i--)
		if (b->ptr[i - 1] == '\n')
			return i;
	return 0;
}

int ry_remote__fetch_artifacts(ry_store *st, ry_ssh *s, const ry_run *r, const char *localdir, ry_sync_report *rep)
{
	ry_buf out = RY_BUF_INIT;
	const char *args[] = { r->remote_dir };
	const char *p;
	int rc, status;
	if ((rc = ry_remote__rsh(s, ry_jobscript_artifacts, args, 1, NULL, 0, &out, NULL, &status, 0)))
		return rc;
	p = ry_buf_cstr(&out);
	while (!rc && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = ry_xstrndup(p, len), *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		p += len + (nl ? 1 : 0);
		if (sp1 && sp2 && sp1 - line == 64 && sp2[1]) {
			const char *rel = sp2 + 1;
			char *remote = ry_xasprintf("%s/artifacts/%s", r->remote_dir, rel);
			char *tmp = ry_xasprintf("%s/artifact.tmp", localdir);
			char hex[65];
			int64_t size = 0;
			*sp1 = '\0';
			if (!(rc = ry_ssh_download(s, remote, tmp, NULL, NULL)) &&
			           !(rc = ry_sha256_file(tmp, hex, &size))) {
				if (strcmp(hex, line) != 0) {
					rc = ry_error_set(RY_ECORRUPT, "artifact %s of run %s changed in transit (sha256 %s on the "
					                  "host, %s here); run 'runyard sync' again", rel, r->name, line, hex);
				} else if (!(rc = ry_artifact_put(st, tmp, hex, &size))) {
					rc = ry_artifact_record(st, r->id, rel, hex, size);
					rep->artifacts++;
				}
			}
			unlink(tmp);
			free(tmp);
			free(remote);
		}
		free(line);
	}
	ry_buf_free(&out);
	return rc;
}

/* One round of pulling: at most PULL_MAX bytes of each file from the
 * stored offsets, written locally and ingested, offsets advanced in the same
 * transaction.  *more is set when a file had more than one round's worth. */
static int pull_round(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, const char *localdir, bool final,
                      bool *more, ry_sync_report *rep)
{
	ry_buf logb = RY_BUF_INIT, metb = RY_BUF_INIT;
	char *logpath = ry_xasprintf("%s/log", localdir);
	char *remote_log = ry_xasprintf("%s/log", r->remote_dir);
	char *remote_met = ry_xasprintf("%s/metrics.jsonl", r->remote_dir);
	ry_ingest *in = NULL;
	size_t nlog, nmet;
	int rc;

	*more = false;
	rc = ry_ssh_read_range(s, remote_log, r->log_offset, PULL_MAX, &logb, NULL);
	if (rc == RY_ENOTFOUND)
		rc = 0;
	if (!rc) {
		rc = ry_ssh_read_range(s, remote_met, r->metrics_offset, PULL_MAX, &metb, NULL);
		if (rc == RY_ENOTFOUND)
			rc = 0;
	}
	if (rc)
		goto out;
	*more = logb.len == PULL_MAX || metb.len == PULL_MAX;
	nlog = whole_lines(&logb, final && logb.len < PULL_MAX);
	nmet = whole_lines(&metb, final && metb.len < PULL_MAX);
	/* a single line longer than a round is taken as it is */
	if (nlog == 0 && logb.len == PULL_MAX)
		nlog = logb.len;
	if (nmet == 0 && metb.len == PULL_MAX)
		nmet = metb.len;
	if ((rc = write_local(logpath, r->log_offset, logb.ptr, nlog)))
		goto out;
	ry_fault("sync-pulled"); /* the log is written past the stored offset, nothing committed */
	if ((rc = ry_store_begin(st)))
		goto out;
	if (nmet) {
		/* the raw lines too, next to the log, as for local runs */
		char *mp = ry_xasprintf("%s/metrics.jsonl", localdir);
		rc = write_local(mp, r->metrics_offset, metb.ptr, nmet);
		free(mp);
	}
	if (!rc && (nlog || nmet)) {
		/* Each round goes on from the last one's ingest_state, as a
		 * local run's tracker does after a crash: the last `Epoch N/M`
		 * still numbers step-less lines, and a key that came as JSON is
		 * not counted again from the log.  The state is stored with the
		 * points, in this round's transaction, so it always belongs to
		 * the stored offsets; one that does not (there is none) starts
		 * afresh. */
		int64_t lo = 0, mo = 0;
		rc = ry_ingest_resume(&in, st, r->id, &lo, &mo);
		if (!rc && in && (lo != r->log_offset || mo != r->metrics_offset)) {
			ry_ingest_free(in);
			in = NULL;
		}
		if (!rc && !in) {
			/* the capture settings `runyard run` gives a local run: the
			 * experiment's and the config's (a broken [patterns] section
			 * is left out here as there, and `runyard run` is where it
			 * is said); kept in ingest_state from this round on.  A
			 * new resumable ingest counts offsets from byte 0; a run an
			 * older runyard synced is further on, and the offsets set
			 * below, after the flush and in the same transaction, are
			 * the ones that stand. */
			ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
			char *patterns = NULL;
			ry_ingest_options_for_run(&io, &patterns, NULL, st, r->experiment_id, cfg);
			io.keep_offsets = true;
			rc = ry_ingest_new(&in, st, r->id, &io);
			if (!rc && (rc = ry_ingest_continue_steps(in))) {
				ry_ingest_free(in);
				in = NULL;
			}
			free(patterns);
		}
	}
	if (!rc && in) {
		if (nlog)
			ry_ingest_log(in, logb.ptr, nlog);
		if (nmet)
			ry_ingest_jsonl(in, metb.ptr, nmet);
		rc = ry_ingest_flush(in, true);
		ry_ingest_free(in);
	}
	if (!rc)
		rc = ry_run_set_int(st, r->id, "log_offset", r->log_offset + (int64_t)nlog);
	if (!rc)
		rc = ry_run_set_int(st, r->id, "metrics_offset", r->metrics_offset + (int64_t)nmet);
	if (rc) {
		ry_store_rollback(st);
		goto out;
	}
	ry_fault("sync-ingested"); /* points and offsets written, not yet committed */
	if ((rc = ry_store_commit(st)))
		goto out;
	r->log_offset += (int64_t)nlog;
	r->metrics_offset += (int64_t)nmet;
	rep->log_bytes += (int64_t)nlog;
	rep->metric_bytes += (int64_t)nmet;
	if (nlog == 0 && nmet == 0)
		*more = false;
out:
	ry_buf_free(&logb);
	ry_buf_free(&metb);
	free(logpath);
	free(remote_log);
	free(remote_met);
	return rc;
}

int ry_remote__pull(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, const char *localdir, bool final,
                    ry_sync_report *rep)
{
	bool more = false;
	int rc = 0;
	for (int round = 0; round < 64; round++) {
		if ((rc = pull_round(st, s, r, cfg, localdir, final, &more, rep)) || !more)
			break;
	}
	return rc;
}

/* When the job ended as the host saw it: the wrapper's (or, when the
 * wrapper was killed with its group, the watchdog's) record; else the
 * last heartbeat; only with neither, now.  Never the time of the sync:
 * a host out of reach for an hour must not bill that hour. */
double ry_remote__ended_at(const ry_remote__state *rs)
{
	if (rs->ended > 0)
		return rs->ended;
	if (rs->heartbeat > 0)
		return rs->heartbeat;
	return ry_now();
}

/* Whether the process that launched run r may still be at it: its pid
 * file (mark_launcher) names a live process, or there is none yet and the
 * run is seconds old (the launcher writes it just after creating the run). */
bool ry_remote__launcher_alive(ry_store *st, const ry_run *r)
{
	char *dir = ry_remote_local_dir(st, r->uuid), *path = ry_xasprintf("%s/launcher", dir);
	bool alive = ry_track_pidfile_alive(path) || (access(path, F_OK) != 0 && ry_now() - r->created < 30);
	free(path);
	free(dir);
	return alive;
}

/* Settle a queued run that will never start: status, note, event. */
int ry_remote__settle_unstarted(ry_store *st, const ry_run *r, const char *status, const char *note,
                            ry_sync_report *rep)
{
	int rc = ry_run_finish(st, r->id, status, ry_now(), false, 0);
	if (!rc && note)
		rc = ry_run_set_notes(st, r->id, note);
	if (!rc) {
		rep->settled++;
		ry_store_event(st, "settle", r->uuid, r->host);
	}
	return rc;
}

int ry_remote__mark_running(ry_store *st, ry_run *r, double started)
{
	int rc;
	if (started <= 0)
		started = ry_now();
	if ((rc = ry_run_set_real(st, r->id, "started", started)) ||
	    (rc = ry_run_set_text(st, r->id, "status", "running")))
		return rc;
	free(r->status);
	r->status = ry_xstrdup("running");
	r->started = started;
	ry_store_event(st, "launch", r->uuid, r->host);
	return 0;
}

/* A queued run is one whose launch has not said the job started: still
 * launching, or its launcher was killed or lost its link before or after
 * the start.  The host's run directory decides: a pid there means the job
 * started, and the run becomes running from the host's start time;
 * otherwise, once the launcher is gone and no wrapper is about to start
 * (run.sh is older than the start script waits), nothing ran.  Returns 1
 * when the run stays queued for now, 0 when it is running (r updated), 2
 * when it was settled, or an RY_E* code. */
static int sync_queued(ry_store *st, ry_run *r, const ry_remote__state *rs, ry_sync_report *rep)
{
	int rc;
	if (rs->has_pid || rs->has_exit)
		return ry_remote__mark_running(st, r, rs->started);
	if (ry_remote__launcher_alive(st, r))
		return 1;
	if (!strcmp(rs->reason, "cancelled"))
		return (rc = ry_remote__settle_unstarted(st, r, "killed", "cancelled before the job started", rep)) ? rc : 2;
	if (!rs->missing && rs->script_age >= 0 && rs->script_age < 30)
		return 1;
	rc = ry_remote__settle_unstarted(st, r, "failed", "the launch stopped before the job started on the host; nothing ran",
	                      rep);
	return rc ? rc : 2;
}

/* Pull new log and metric bytes, then settle.  final_fetch: also fetch
 * artifacts of a run that was settled before. */
static int sync_one(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, bool final_fetch,
                    ry_sync_report *rep)
{
	ry_remote__state rs;
	ry_buf out = RY_BUF_INIT;
	const char *args[] = { r->remote_dir };
	char *localdir = NULL;
	int rc, status;
	bool finished_now = false, final;

	if ((rc = ry_remote__rsh(s, ry_jobscript_status, args, 1, NULL, 0, &out, NULL, &status, 0)))
		goto out;
	ry_remote__parse_state(ry_buf_cstr(&out), &rs);
	if (!rs.end) {
		rc = ry_error_set(RY_EIO, "run %s: the host's status check failed (exit %d)", r->name, status);
		goto out;
	}
	if (!strcmp(r->status, "queued") && (rc = sync_queued(st, r, &rs, rep))) {
		if (rc > 0)
			rc = 0;
		goto out;
	}
	/* The state is read before the bytes: whatever a job wrote before it
	 * ended is in the files by the time we read them. */
	final = rs.has_exit || !rs.alive || rs.missing;
	localdir = ry_remote_local_dir(st, r->uuid);
	if ((rc = ry_mkdir_p(localdir)))
		goto out;
	if (!rs.missing && (rc = ry_remote__pull(st, s, r, cfg, localdir, final, rep)))
		goto out;
	if (rs.heartbeat > 0)
		ry_run_set_real(st, r->id, "heartbeat", rs.heartbeat);
	if (!strcmp(r->status, "running") && final) {
		const char *stname;
		bool stopped = !strcmp(rs.reason, "cancelled") || !strcmp(rs.reason, "time limit");
		if (rs.has_exit)
			stname = rs.exit_code == 0 ? "finished" : stopped ? "killed" : "failed";
		else
			stname = stopped ? "killed" : "lost";
		if ((rc = ry_store_begin(st)))
			goto out;
		rc = ry_run_finish(st, r->id, stname, ry_remote__ended_at(&rs), rs.has_exit, rs.exit_code);
		if (!rc && *rs.reason)
			rc = ry_run_set_tag(st, r->id, "stopped_by", rs.reason);
		if (!rc && rs.missing)
			rc = ry_run_set_notes(st, r->id, "the run directory disappeared from the host");
		if (rc) {
			ry_store_rollback(st);
			goto out;
		}
		if ((rc = ry_store_commit(st)))
			goto out;
		finished_now = true;
		rep->settled++;
		ry_store_event(st, "settle", r->uuid, r->host);
	}
	if ((finished_now || (final_fetch && strcmp(r->status, "running"))) && !rs.missing)
		rc = ry_remote__fetch_artifacts(st, s, r, localdir, rep);
out:
	ry_buf_free(&out);
	free(localdir);
	return rc;
}

static bool is_slurm_run(const ry_run *r)
{
	return r->source && !strcmp(r->source, "slurm");
}

bool ry_remote_owns(const ry_run *r)
{
	return r->source && (!strcmp(r->source, "ssh") || is_slurm_run(r));
}

/* Whether runs on host `name` are simulated (simulated.h): settled here,
 * never connected to. */
static bool is_simulated(ry_host *hosts, size_t n, const char *name)
{
	const ry_host *h = name ? ry_hosts_find(hosts, n, name) : NULL;
	return h && h->simulated;
}

static int load_remote_runs(ry_store *st, int64_t run_id, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s = run_id
		? ry_store__stmt(st, "SELECT id FROM runs WHERE id = ? AND source IN ('ssh', 'slurm') AND remote_dir IS NOT NULL")
		: ry_store__stmt(st, "SELECT id FROM runs WHERE source IN ('ssh', 'slurm') AND ?1 = 0 AND (status = 'running' AND "
		                     "remote_dir IS NOT NULL OR status = 'queued') ORDER BY host, id");
	size_t cap = 0;
	int rc;
	*ids = NULL;
	*n = 0;
	sqlite3_bind_int64(s, 1, run_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = ry_xgrow(*ids, &cap, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ry_store__sqlerr(st, "listing remote runs");
	if (run_id && *n == 0)
		return ry_error_set(RY_ENOTFOUND, "run %lld is not a remote run (launched with 'runyard launch')",
		                    (long long)run_id);
	return 0;
}

/* One session per host for the whole pass, all opened at once before any
 * run is synced: a host that is down costs its connect timeout once, in
 * parallel with the others, instead of holding up every host after it.  A
 * host that failed is not retried in the same pass (its runs wait for the
 * next sync).  The runs themselves are then synced one after another on
 * this thread, which alone writes to the store. */
struct session {
	char *host;
	ry_host tmp;        /* for a host not in the inventory: its ssh alias */
	const ry_host *h;
	ry_remote_options o;
	ry_ssh *s;
	int rc;
	char *err;
	ry_ssh_fail why;    /* of a failed open */
	pthread_t tid;
	bool started;
};

static void *open_thread(void *arg)
{
	struct session *e = arg;
	e->why = RY_SSH_OK;
	e->rc = ry_remote__open_host(&e->s, e->h, &e->o, &e->why);
	if (e->rc)
		e->err = ry_xstrdup(ry_error_last());
	return NULL;
}

static void sessions_open(struct session *ss, size_t nss, const ry_host *hosts, size_t nhosts,
                          const ry_remote_options *o)
{
	for (size_t i = 0; i < nss; i++) {
		struct session *e = &ss[i];
		e->h = ry_hosts_find((ry_host *)hosts, nhosts, e->host);
		if (!e->h) {
			e->tmp.name = e->tmp.ssh_alias = e->host;
			e->h = &e->tmp;
		}
		e->o = *o;
		e->o.progress = NULL;
		e->started = nss > 1 && pthread_create(&e->tid, NULL, open_thread, e) == 0;
		if (!e->started)
			open_thread(e);
	}
	for (size_t i = 0; i < nss; i++)
		if (ss[i].started)
			pthread_join(ss[i].tid, NULL);
}

/* why gets the failure kind of a session that did not open. */
static ry_ssh *session_find(struct session *ss, size_t nss, const char *name, int *rc, ry_ssh_fail *why)
{
	*why = RY_SSH_OK;
	for (size_t i = 0; i < nss; i++) {
		if (!strcmp(ss[i].host, name)) {
			*rc = ss[i].rc;
			*why = ss[i].why;
			if (*rc)
				ry_error_set(*rc, "%s", ss[i].err);
			return ss[i].s;
		}
	}
	*rc = ry_error_set(RY_ERROR, "no session for host '%s'", name);
	return NULL;
}

/* Count run r as unreachable: its line in errs and its entry in rep->errs,
 * with the message from ry_error_last(). */
static void sync_failed(ry_sync_report *rep, ry_buf *errs, const ry_run *r, ry_ssh_fail why)
{
	ry_sync_error *e;
	rep->unreachable++;
	ry_buf_printf(errs, "%s%s: %s", errs->len ? "\n" : "", r->name, ry_error_last());
	rep->errs = ry_xrealloc(rep->errs, (rep->nerrs + 1) * sizeof *rep->errs);
	e = &rep->errs[rep->nerrs++];
	e->run = r->id;
	e->host = ry_xstrdup(r->host ? r->host : "");
	e->kind = why == RY_SSH_OK ? "error" : ry_ssh_fail_name(why);
	e->message = ry_xstrdup(ry_error_last());
}

int ry_remote_sync(ry_store *st, ry_inventory *inv, int64_t run_id, const ry_remote_options *opts,
                   ry_sync_report *rep)
{
	ry_remote_options def = RY_REMOTE_OPTIONS_INIT, oo = opts ? *opts : def;
	const ry_remote_options *o = &oo;
	const ry_config *cfg = ry_inventory_config(inv);
	struct session *ss = NULL;
	size_t nss = 0, n, nhosts;
	ry_host *hosts = ry_inventory_hosts(inv, &nhosts);
	int64_t *ids;
	ry_run **runs;
	ry_buf errs = RY_BUF_INIT;
	int rc;

	memset(rep, 0, sizeof *rep);
	oo.sshcfg = ry_inventory_sshconfig(inv);
	if ((rc = load_remote_runs(st, run_id, &ids, &n)))
		return rc;
	runs = ry_xcalloc(n ? n : 1, sizeof *runs);
	for (size_t i = 0; i < n; i++) {
		const char *host;
		bool seen = false;
		if (ry_run_get(&runs[i], st, ids[i]))
			continue;
		host = runs[i]->host ? runs[i]->host : "";
		if (is_simulated(hosts, nhosts, host) || !runs[i]->remote_dir)
			continue; /* settled below without a session */
		for (size_t k = 0; k < nss && !seen; k++)
			seen = !strcmp(ss[k].host, host);
		if (!seen) {
			ss = ry_xrealloc(ss, (nss + 1) * sizeof *ss);
			memset(&ss[nss], 0, sizeof *ss);
			ss[nss++].host = ry_xstrdup(host);
		}
	}
	if (nss) {
		char what[64];
		snprintf(what, sizeof what, "connecting to %zu host%s", nss, nss == 1 ? "" : "s");
		progress(o, 0, what);
		sessions_open(ss, nss, hosts, nhosts, o);
	}
	for (size_t i = 0; i < n; i++) {
		ry_run *r = runs[i];
		ry_ssh *s;
		ry_ssh_fail why;
		int src;
		if (!r)
			continue;
		if (o->cancel && atomic_load(o->cancel))
			break;
		rep->runs++;
		progress(o, (double)i / (double)n, r->name);
		if (is_simulated(hosts, nhosts, r->host)) {
			/* a demo run queued stays queued, as it always has */
			if (strcmp(r->status, "queued") && ry_simulated__sync(st, r, rep))
				sync_failed(rep, &errs, r, RY_SSH_OK);
			continue;
		}
		if (!r->remote_dir) {
			/* queued, and its launch never got as far as the host */
			if (!ry_remote__launcher_alive(st, r) &&
			    ry_remote__settle_unstarted(st, r, "failed", "the launch stopped before it reached the host; nothing ran", rep))
				sync_failed(rep, &errs, r, RY_SSH_OK);
			continue;
		}
		s = session_find(ss, nss, r->host ? r->host : "", &src, &why);
		if (!src && (src = (is_slurm_run(r) ? ry_slurm__sync_one : sync_one)(st, s, r, cfg, run_id != 0, rep)))
			why = ry_ssh_last_fail(s);
		if (src)
			sync_failed(rep, &errs, r, why);
	}
	progress(o, 1, "synced");
	for (size_t i = 0; i < nss; i++) {
		ry_ssh_close(ss[i].s);
		free(ss[i].host);
		free(ss[i].err);
	}
	for (size_t i = 0; i < n; i++)
		ry_run_free(runs[i]);
	free(runs);
	free(ss);
	free(ids);
	rep->errors = errs.len ? ry_buf_detach(&errs) : NULL;
	ry_buf_free(&errs);
	return 0;
}

int ry_remote_cancel(ry_store *st, ry_inventory *inv, int64_t run_id, const ry_remote_options *opts)
{
	ry_remote_options def = RY_REMOTE_OPTIONS_INIT, oo = opts ? *opts : def;
	const ry_remote_options *o = &oo;
	size_t nhosts;
	ry_host *hosts = ry_inventory_hosts(inv, &nhosts);
	ry_run *r = NULL;
	ry_ssh *s = NULL;
	ry_host tmp;
	const ry_host *h;
	ry_buf err = RY_BUF_INIT;
	ry_sync_report rep;
	int rc, status;

	oo.sshcfg = ry_inventory_sshconfig(inv);
	if ((rc = ry_run_get(&r, st, run_id)))
		return rc;
	if (ry_remote_owns(r) && !r->remote_dir && !strcmp(r->status, "queued")) {
		ry_sync_report none = { 0 };
		rc = ry_remote__launcher_alive(st, r)
			? ry_error_set(RY_EREFUSED, "run %s is still being launched and has not reached %s yet; "
			               "cancel it again in a moment", r->name, r->host ? r->host : "its host")
			: ry_remote__settle_unstarted(st, r, "killed", "cancelled before the launch reached the host", &none);
		goto out;
	}
	if (!ry_remote_owns(r) || !r->remote_dir) {
		/* Refused, not bad usage: the run exists, it is just not ours to kill. */
		rc = ry_error_set(RY_EREFUSED, "run %s is not a remote run; stop a local run with Ctrl-C in its "
		                  "terminal", r->name);
		goto out;
	}
	if (strcmp(r->status, "running") && strcmp(r->status, "queued")) {
		rc = ry_error_set(RY_EINVAL, "run %s is already %s", r->name, r->status);
		goto out;
	}
	h = ry_hosts_find(hosts, nhosts, r->host);
	if (h && h->simulated) {
		rc = ry_simulated__cancel(st, r);
		goto out;
	}
	if (!h) {
		memset(&tmp, 0, sizeof tmp);
		tmp.name = tmp.ssh_alias = r->host;
		h = &tmp;
	}
	if ((rc = ry_remote__open_host(&s, h, o, NULL)))
		goto out;
	if (is_slurm_run(r)) {
		rc = ry_slurm__cancel(st, s, r, ry_inventory_config(inv), o->timeout_ms > 0 ? o->timeout_ms : 20000);
		goto out;
	}
	{
		const char *args[] = { r->remote_dir };
		/* The script waits for the group: a TERM grace, the wrapper's
		 * own 5 s for what the command left, then KILL (jobscript.h). */
		int wait_ms = (o->timeout_ms > 0 ? o->timeout_ms : 20000) + RY_JOBSCRIPT_CANCEL_MS;
		if ((rc = ry_remote__rsh(s, ry_jobscript_cancel, args, 1, NULL, 0, NULL, &err, &status, wait_ms)))
			goto out;
		if (status != 0) {
			rc = ry_error_set(RY_ERROR, "cannot cancel run %s on %s: %.200s", r->name, r->host, ry_buf_cstr(&err));
			goto out;
		}
	}
	ry_store_event(st, "cancel", r->uuid, r->host);
	memset(&rep, 0, sizeof rep);
	rc = sync_one(st, s, r, ry_inventory_config(inv), false, &rep);
	ry_sync_report_clear(&rep);
out:
	ry_ssh_close(s);
	ry_run_free(r);
	ry_buf_free(&err);
	return rc;
}

int ry_remote_jobs(ry_store *st, ry_run ***runs, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT id FROM runs WHERE source IN ('ssh', 'slurm') "
	                                     "ORDER BY created DESC, id DESC");
	int64_t *ids = NULL;
	size_t cap = 0, nids = 0;
	int rc;
	*runs = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ids = ry_xgrow(ids, &cap, nids + 1, sizeof *ids);
		ids[nids++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(ids);
		return ry_store__sqlerr(st, "listing remote runs");
	}
	*runs = ry_xcalloc(nids ? nids : 1, sizeof **runs);
	for (size_t i = 0; i < nids; i++)
		if (ry_run_get(&(*runs)[*n], st, ids[i]) == 0)
			(*n)++;
	free(ids);
	return 0;
}

void ry_remote_jobs_free(ry_run **runs, size_t n)
{
	for (size_t i = 0; runs && i < n; i++)
		ry_run_free(runs[i]);
	free(runs);
}
