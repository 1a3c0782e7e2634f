/*
 * The host inventory and the live probe of each host's GPUs, CPUs, memory
 * and disk.
 *
 * Hosts come from three places, merged by name: the literal Host aliases of
 * ~/.ssh/config (wildcard entries are not hosts), the `[host NAME]` sections
 * of runyard's config file (price_per_hour, gpu_price_per_hour, labels,
 * max_gpus, workdir, ssh_alias; for a Slurm cluster's login node scheduler
 * = slurm, partition, account, qos and partition_price.NAME, slurm.h) and
 * the workspace's hosts table.  The config
 * file wins over the workspace table.
 *
 * A probe is one ssh exec per host running a small POSIX sh script that
 * prints sections (nvidia-smi GPU and compute-app queries with the user
 * owning each pid, nproc, /proc/loadavg, MemAvailable, df of the workdir).
 * A host without nvidia-smi is a CPU host.  A simulated host (the demo's:
 * the workspace's hosts table marks it) is never connected to: its probe
 * is a canned answer from its labels and max_gpus, with the GPUs of the
 * workspace's running runs on it in use.  ry_hosts_probe probes many
 * hosts at once, one thread each, every one with its own deadline, so the
 * whole probe takes about as long as the slowest host; a stuck host never
 * delays the others.
 *
 * Threads: ry_hosts_probe may be called from a TUI background thread.  While
 * it runs, the ry_host records it was given belong to it; each record is
 * complete when its host_done callback fires (on the worker thread: copy
 * what you need with ry_host_copy under your own lock) and all are complete
 * when ry_hosts_probe returns.
 */
#ifndef RY_HOSTS_H
#define RY_HOSTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "remote/ssh.h"
#include "remote/sshconfig.h"
#include "store/store.h"

/* From core/base/config.h, declared here because "config.h" in a header found via
 * -I. could resolve to autoconf's config.h instead. */
typedef struct ry_config ry_config;

/* Default remote working directory when a host configures none. */
#define RY_HOSTS_DEFAULT_WORKDIR "~/.runyard"

typedef struct ry_gpu {
	int index;
	char *uuid;          /* "GPU-..." (owned) */
	char *name;          /* "NVIDIA A100-SXM4-80GB" (owned) */
	double mem_used;     /* MiB; NaN when the tool says [N/A] */
	double mem_total;    /* MiB; NaN when the tool says [N/A] */
	double util;         /* percent; NaN when unknown ([N/A] on a MIG GPU) */
	int nprocs;          /* compute processes on it */
	char *users;         /* owners of those processes, "alice,bob", or NULL (owned) */
	char *lease_run;     /* uuid of the run holding a lease on it (lease.h), or NULL (owned) */
	char *lease_user;    /* who launched that run, or NULL (owned) */
} ry_gpu;

/* A Slurm partition's price per GPU-hour (config: partition_price.NAME). */
typedef struct ry_partition_price {
	char *partition;          /* owned */
	double gpu_price_per_hour;
} ry_partition_price;

/* What a probe of a Slurm login node saw (slurm.h): one partition... */
typedef struct ry_slurm_partition {
	char *name;               /* owned */
	int nodes_idle, nodes_alloc, nodes_other; /* alloc counts mixed nodes too */
	int gpus_total, gpus_alloc;
} ry_slurm_partition;

/* ...and one of the login user's pending or running jobs. */
typedef struct ry_slurm_job {
	char *id, *name, *state, *reason, *partition, *elapsed; /* owned */
} ry_slurm_job;

typedef struct ry_host {
	char *name;               /* what the user types: --host NAME */
	char *ssh_alias;          /* the ssh config alias to connect to (default name) */
	char *origin;             /* "ssh", "config", "workspace", joined with '+' */
	double price_per_hour;    /* per hour for the machine; 0 when unset */
	double gpu_price_per_hour;/* per GPU-hour on top; 0 when unset */
	char *labels;             /* "a100, big" or NULL */
	int max_gpus;             /* 0: no limit */
	char *workdir;            /* remote dir for runs/packs (default ~/.runyard) */
	char *lease_dir;          /* the host's GPU lease directory, shared by its users (lease.h) */
	bool simulated;           /* a demo host (hosts.simulated): never connected to; probes get a
	                             canned answer and its runs settle by themselves (simulated.h) */
	char *canned_probe;       /* simulated hosts: that answer, from the workspace (owned) */
	char *scheduler;          /* "slurm" for a cluster's login node, NULL for a plain SSH host */
	char *partition, *account, *qos; /* Slurm defaults for launches (NULL: the cluster's) */
	ry_partition_price *prices; size_t nprices; /* per-partition GPU-hour prices (owned) */

	/* probe results (valid when probed) */
	bool probed;
	int probe_rc;             /* 0 reachable, else the RY_E* code */
	ry_ssh_fail fail;         /* why unreachable */
	char *error;              /* the message when probe_rc != 0 (owned) */
	double probe_secs;        /* how long the probe took */
	double probed_at;         /* Unix time */
	bool has_nvidia;          /* nvidia-smi present and answered */
	char *gpu_error;          /* nvidia-smi present but failed: its stderr, or which line of its
	                             answer is not the table asked for (owned) */
	ry_gpu *gpus;
	size_t ngpus;
	int ncpu;
	double load1, load5, load15;
	int64_t mem_avail_kb;     /* -1 unknown */
	int64_t disk_free_kb;     /* free space in the workdir's filesystem; -1 unknown */
	ry_slurm_partition *partitions; size_t npartitions; /* Slurm hosts: sinfo */
	ry_slurm_job *jobs; size_t njobs;                   /* Slurm hosts: your squeue jobs */
	char *slurm_error;        /* Slurm hosts: sinfo/squeue failed: what they said (owned) */
} ry_host;

/* Whether h is a Slurm login node (scheduler = slurm). */
bool ry_host_is_slurm(const ry_host *h);

/* Build the inventory.  cfg, sshcfg and st may each be NULL.  *hosts is an
 * array of *n records sorted by name; free with ry_hosts_free. */
int ry_hosts_list(ry_host **hosts, size_t *n, const ry_config *cfg, const ry_sshconfig *sshcfg, ry_store *st);
void ry_hosts_free(ry_host *hosts, size_t n); /* accepts NULL */

/* Find a host by name in a list; NULL if none (lent). */
ry_host *ry_hosts_find(ry_host *hosts, size_t n, const char *name);

/* Deep copy of one record (for a UI thread).  Free with ry_host_free. */
ry_host *ry_host_copy(const ry_host *h);
void ry_host_free(ry_host *h); /* frees a record made by ry_host_copy; NULL ok */

typedef struct ry_hosts_probe_options {
	unsigned version;
	int timeout_ms;                  /* per host, connect to last byte; <= 0: 15000 */
	const atomic_int *cancel;        /* optional: stop early (hosts not done get an error) */
	ry_progress_fn progress;         /* optional: frac = hosts done / total, what = host name */
	void (*host_done)(ry_host *h, size_t index, void *payload); /* optional, see above */
	void *payload;
	ry_ssh_passphrase_fn passphrase; /* optional, for encrypted keys */
	const ry_sshconfig *sshcfg;      /* resolves aliases; NULL: defaults only */
} ry_hosts_probe_options;
#define RY_HOSTS_PROBE_OPTIONS_INIT { 1, 15000, NULL, NULL, NULL, NULL, NULL, NULL }

/* Probe hosts[0..n) concurrently.  Per-host failures are recorded in the
 * records (probe_rc, fail, error), not returned: the call itself fails only
 * for bad arguments. */
int ry_hosts_probe(ry_host *hosts, size_t n, const ry_hosts_probe_options *o);

/* Probe one host on the calling thread. */
int ry_host_probe(ry_host *h, const ry_hosts_probe_options *o);

/* Parse the probe script's output into h (exposed for tests/fuzzing). */
void ry_host_parse_probe(ry_host *h, const char *out);

/* Core-internal (launch.c): run the probe on an open session. */
int ry_hosts__probe_session(ry_host *h, ry_ssh *s, int timeout_ms);

/* Whether a GPU is free to launch on: no lease held on it (lease.h), no
 * compute process, under 5% of its memory used. */
bool ry_gpu_is_free(const ry_gpu *g);

/* Up to `want` free GPU indices into idx (at most max entries), lowest
 * index first; returns how many were found. */
size_t ry_host_free_gpus(const ry_host *h, int *idx, size_t max);

#endif
