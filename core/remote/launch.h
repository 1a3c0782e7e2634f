/*
 * Remote jobs on SSH hosts: launch, sync (stream + reconcile), cancel.
 *
 * Launch ships the code (codepack.h) to <workdir>/packs/<sha256>.tar once
 * per distinct tree, unpacks it into <workdir>/runs/<uuid>/code, takes the
 * GPUs' leases (lease.h), writes the job wrapper there and starts it
 * detached (setsid nohup) with CUDA_VISIBLE_DEVICES (PCI bus order),
 * RUNYARD_RUN_ID, RUNYARD_METRICS, RUNYARD_ARTIFACTS and PYTHONUNBUFFERED
 * set.  What the wrapper and its watchdog write in the run directory, and
 * how a job, its time limit and its cancel end its whole process group, is
 * jobscript.h's contract.
 * Sync pulls log and metric bytes from the offsets stored on the run
 * (runs.log_offset, runs.metrics_offset) into the local run directory
 * (<db>.runs/<uuid>/log) and the ingest API, then settles the status:
 * finished / failed from exit_code, killed when runyard stopped it, lost
 * when the pid is gone without an exit code, each ended when the host saw
 * it end; artifacts are fetched into the workspace's artifact store with
 * their sha256 checked.  A run left queued by a launch that was killed or
 * cut off is settled from the run directory (running if its job started,
 * failed if nothing ran).  An unreachable host leaves its runs running,
 * untouched, for the next sync.
 *
 * Every call opens its own SSH session(s) and takes a ry_remote_options
 * with a timeout, a cancel flag and a progress callback, so a TUI can run
 * it on a background thread.  The store must not be used by another thread
 * at the same time (open a second ry_store for the worker).
 */
#ifndef RY_LAUNCH_H
#define RY_LAUNCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "remote/hosts.h"
#include "remote/inventory.h"
#include "runs/run.h"
#include "remote/ssh.h"
#include "store/store.h"

typedef struct ry_remote_options {
	unsigned version;
	int timeout_ms;                  /* per SSH operation; <= 0: 20000 */
	const atomic_int *cancel;        /* optional */
	ry_progress_fn progress;         /* optional: packing, uploading, starting, syncing */
	void *payload;
	ry_ssh_passphrase_fn passphrase; /* optional */
	const ry_sshconfig *sshcfg;      /* resolves host aliases; NULL: defaults (launch only:
	                                    sync and cancel use their inventory's) */
} ry_remote_options;
#define RY_REMOTE_OPTIONS_INIT { 1, 20000, NULL, NULL, NULL, NULL, NULL }

typedef struct ry_launch_spec {
	unsigned version;
	const char *experiment;  /* NULL: "default" */
	const char *name;        /* NULL: generated */
	int ngpus;               /* -1: 1 on a GPU host, 0 on a CPU host */
	const char *gpu_ids;     /* "0,2": these GPUs (overrides ngpus) */
	double time_limit;       /* seconds; 0: none */
	char *const *argv;       /* the command, NULL-terminated */
	const char *cwd;         /* the directory whose code is shipped; NULL: getcwd */
	const char *code_dir;    /* shipped when cwd is outside a git repository */
	int64_t run_id;          /* > 0: launch as this queued run (queue.h) instead of creating one */
	const struct ry_codepack *pack; /* ship this pack (kept when queued) instead of packing cwd */
	const char *partition;   /* Slurm hosts (slurm.h): NULL the host's partition, else the cluster's */
	const char *account;     /* Slurm hosts: NULL the host's account */
	const char *qos;         /* Slurm hosts: NULL the host's qos */
} ry_launch_spec;
#define RY_LAUNCH_SPEC_INIT { 1, NULL, NULL, -1, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL }

typedef struct ry_launch_result {
	int64_t run_id;
	char uuid[37];
	char *remote_dir;        /* owned */
	char *gpus;              /* "0,2" or NULL (owned) */
	double cost_rate;
	bool pack_reused;        /* the host already had this code pack */
	char pack_sha256[65];
	int64_t pack_size;
	int pid;
	bool uncertain;          /* failed with the start sent: the job may run; sync settles the run */
	char job_id[32];         /* Slurm hosts: the job id; "" otherwise */
} ry_launch_result;

void ry_launch_result_clear(ry_launch_result *r); /* frees the owned strings */

/* The command line as it is stored on the run: each word shell-quoted
 * when it needs it, secret param values redacted (ry_track_join_argv).  The
 * host runs spec->argv itself, with the real values.  Caller frees. */
char *ry_launch_command_line(char *const *argv);

/* What can be refused before connecting: asking `host` for more GPUs than
 * its max_gpus allows (ngpus: what the spec asks, as the estimate counts
 * it).  0 or RY_EREFUSED with a message naming max_gpus. */
int ry_launch_check_gpus(const ry_host *host, int ngpus);

/* What a probe of the host (`probed`: probed and reachable) says about
 * ngpus GPUs chosen by count: RY_EREFUSED when the host has none or fewer
 * are free (no compute process, under 5% memory used), with the message the
 * launch refuses with; else 0.  GPUs named by --gpu-ids are not checked. */
int ry_launch_check_free_gpus(const ry_host *probed, int ngpus);

/* What the estimate (the CLI's `launch --estimate`, the TUI's launch
 * dialog) says about free GPUs before connecting to launch, from a probe
 * made now.  The launch itself checks again. */
typedef struct ry_launch_gpu_check {
	int free;             /* free GPUs on the host; -1: unknown or not checked */
	const char *verdict;  /* "ok", "too few free" (static); NULL: unknown or not checked */
	char *message;        /* why not ok, or why unknown; NULL when ok or not checked (owned) */
	char *fact;           /* too few free: the message without its remedy, which names the CLI's
	                       * flags, for a front end that names its own (owned); else NULL */
} ry_launch_gpu_check;

/* The check of ngpus GPUs chosen by count against `probed`, a probe of
 * the host (probe_rc != 0: it could not be reached, so the count is
 * unknown and the message says why); ngpus <= 0 needs none free and is
 * not checked.  Release with ry_launch_gpu_check_clear. */
void ry_launch_gpu_check_from(ry_launch_gpu_check *g, const ry_host *probed, int ngpus);

/* Free g's message and make it "not checked"; NULL is fine. */
void ry_launch_gpu_check_clear(ry_launch_gpu_check *g);

/* Launch spec->argv on `host`.  Refuses (RY_EREFUSED) when fewer GPUs are
 * free than asked or max_gpus is exceeded, RY_EBUSY when another launch
 * took them meanwhile.  On success the run exists with status running,
 * source 'ssh', host, gpus, cost_rate, remote_dir, pid.  A run launched as
 * a queued one (spec->run_id) that was refused for its GPUs is left as it
 * was, queued, for a later try; any other failure fails it, as it fails a
 * run created here.  On failure res holds run_id, uuid and uncertain only
 * (nothing to free).
 * On a Slurm host (slurm.h) the job is submitted with sbatch instead: the
 * run is queued, source 'slurm', with tag slurm_job_id (res->pid 0,
 * res->job_id set), until sync sees Slurm start it. */
int ry_launch_run(ry_store *st, const ry_host *host, const ry_launch_spec *spec, const ry_remote_options *o,
                  ry_launch_result *res);

/* Why one run could not be checked.  kind is ry_ssh_fail_name of the
 * connection's failure ("dns", "refused", "timeout", "auth" ...), or
 * "error" for a failure that was not the connection's (e.g. the run's
 * remote files could not be read). */
typedef struct ry_sync_error {
	int64_t run;       /* run id */
	char *host;        /* owned; "" when the run names none */
	const char *kind;  /* static */
	char *message;     /* owned, may hold newlines */
} ry_sync_error;

typedef struct ry_sync_report {
	int runs;          /* remote runs looked at */
	int settled;       /* of which reached a final status now */
	int unreachable;   /* could not be checked (host down...) */
	int simulated;     /* on a simulated (demo) host and still running: left so, never connected to */
	int64_t log_bytes, metric_bytes, artifacts;
	char *errors;      /* one line per unreachable run, or NULL (owned) */
	ry_sync_error *errs; /* the same failures one by one, nerrs of them (owned) */
	size_t nerrs;
} ry_sync_report;

void ry_sync_report_clear(ry_sync_report *r);

/* Sync every running remote run (run_id 0) or one run (any status: a
 * settled run just has its remaining bytes and artifacts fetched).  The
 * inventory gives the hosts, their ssh aliases and the config whose
 * [patterns] the runs' output is scanned with (ry_ingest_options_for_run,
 * as for a local run).  o may be NULL.  Returns 0 even when some hosts were
 * unreachable (see the report); RY_ENOTFOUND for an unknown run_id. */
int ry_remote_sync(ry_store *st, ry_inventory *inv, int64_t run_id, const ry_remote_options *o,
                   ry_sync_report *rep);

/* Kill the run's remote process group (TERM, then KILL after 5 s), then
 * sync it so its status becomes killed and its last output is kept. */
int ry_remote_cancel(ry_store *st, ry_inventory *inv, int64_t run_id, const ry_remote_options *o);

/* Whether r is a remote run that sync, logs and cancel follow: launched on
 * an SSH host (source 'ssh') or submitted to Slurm (source 'slurm'). */
bool ry_remote_owns(const ry_run *r);

/* The local directory of a run's files: <db>.runs/<uuid> (caller frees). */
char *ry_remote_local_dir(ry_store *st, const char *uuid);

/* Remote runs (source 'ssh' or 'slurm'), newest first.  Free with ry_remote_jobs_free. */
int ry_remote_jobs(ry_store *st, ry_run ***runs, size_t *n);
void ry_remote_jobs_free(ry_run **runs, size_t n);

/* Core-internal (queue.c): record the params of a command's arguments on
 * run id, as a launch does. */
void ry_launch__record_params(ry_store *st, int64_t id, char *const *argv);

#endif
