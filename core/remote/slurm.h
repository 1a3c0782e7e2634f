/*
 * Slurm clusters (docs/remote.md, "Slurm"): a host with `scheduler =
 * slurm` in its [host NAME] section is a cluster's login node, reached
 * over SSH like any host, and Slurm is the engine that runs the job.
 *
 * Launch (ry_launch_run) ships the code as for an SSH host, writes the
 * same job wrapper (jobscript.h: the RUNYARD_* environment and the run
 * directory's files) and an sbatch script around it (--time, --gres=gpu:N,
 * --partition, --account, --qos, --output into the run dir), submits it
 * with `sbatch --parsable` and records the job id as the run's tag
 * slurm_job_id.  Slurm owns the GPUs: no runyard leases, and
 * CUDA_VISIBLE_DEVICES is Slurm's.  The run is queued while the job is
 * pending (tag slurm_reason: Resources, Priority...), running from the
 * time Slurm started it, and settled from accounting once it ended:
 * sacct where the cluster has it, else what slurmctld still remembers
 * (scontrol show job, MinJobAge), else the run directory's files; tag
 * slurm_state_source says which.  Cost is the partition's GPU-hour price
 * (partition_price.NAME) or the host's prices, times GPUs, times elapsed.
 *
 * Sweeps submit many commands as one job array (ry_slurm_submit_array):
 * Slurm holds the queue, runyard only watches it.
 */
#ifndef RY_SLURM_H
#define RY_SLURM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "remote/launch.h"

/* What a job array runs: n commands, each its own run. */
typedef struct ry_slurm_array_spec {
	unsigned version;
	const char *experiment;         /* NULL: "default" */
	char *const *const *argvs;      /* n commands, each NULL-terminated */
	const char *const *names;       /* n run names, or NULL (generated) */
	size_t n;
	int max_parallel;               /* tasks at once (--array=0-N%MAX); <= 0: Slurm decides */
	int ngpus;                      /* per task; -1: 1 */
	double time_limit;              /* per task, seconds; 0: the partition's */
	const char *partition, *account, *qos; /* NULL: the host's, else the cluster's */
	const char *cwd;                /* the directory whose code is shipped; NULL: getcwd */
	const char *code_dir;           /* shipped when cwd is outside a git repository */
	const char *const *tag_keys;    /* optional tags set on every run, e.g. "sweep" */
	const char *const *tag_values;
	size_t ntags;
} ry_slurm_array_spec;
#define RY_SLURM_ARRAY_SPEC_INIT { 1, NULL, NULL, NULL, 0, 0, -1, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }

typedef struct ry_slurm_array_result {
	char job_id[32];                /* the array's job id; task i is "<job_id>_i" */
	int64_t *run_ids;               /* n of them, task i's run (owned) */
	size_t n;
	double cost_rate;               /* per task, per hour */
} ry_slurm_array_result;

void ry_slurm_array_result_clear(ry_slurm_array_result *r); /* frees run_ids */

/* Submit spec->n commands to Slurm host `host` as one job array, one code
 * pack shared by all: run i (source slurm, status queued, tag slurm_job_id
 * "JOB_i") runs argvs[i] as array task i.  RY_EINVAL when host is not a
 * Slurm host or a command is empty; on a failed submission the runs
 * created are failed with the reason in their notes. */
int ry_slurm_submit_array(ry_store *st, const ry_host *host, const ry_slurm_array_spec *spec,
                          const ry_remote_options *o, ry_slurm_array_result *res);

/* ---- core-internal (core/remote) ------------------------------------- */

/* Slurm's view of one job, parsed from the state script's output. */
typedef struct ry_slurm__job {
	char source[16];   /* where the final state came from: "sacct", "scontrol", "" none */
	char state[32];    /* JobState's first word: PENDING, RUNNING, COMPLETED... */
	char reason[64];   /* pending reason */
	bool listed;       /* squeue answered and listed it (pending or running) */
	bool gone;         /* squeue answered without it: it ended */
	char *error;       /* squeue failed: what it said (owned) */
	double start, end; /* Unix seconds; 0 unknown */
	bool has_exit;
	int exit_code;     /* "N:S" -> N, or 128 + S when killed by signal S */
} ry_slurm__job;

void ry_slurm__job_clear(ry_slurm__job *j);

/* Parse the state script's output (sections @@squeue @@sacct @@scontrol
 * @@rundir); rundir gets the run directory's state (may be NULL). */
void ry_slurm__parse_state(const char *out, ry_slurm__job *j, char **rundir);

/* A job that ended: the run status its Slurm state maps to, the
 * stopped_by tag ("time limit", "cancelled", NULL) and a note (NULL). */
const char *ry_slurm__map_state(const char *state, const char **stopped_by, const char **note);

/* Submit the run just created (launch.c): writes run.sh (the job wrapper)
 * and job.sbatch in rundir, runs sbatch and tags the run slurm_job_id
 * (res->job_id too).
 * *uncertain is left true when the link failed with sbatch sent. */
int ry_slurm__submit_run(ry_store *st, ry_ssh *s, const ry_host *host, const ry_launch_spec *spec, int ngpus,
                         ry_launch_result *res, const char *subdir, const char *packpath, bool *uncertain);

/* Sync (ry_remote_sync) and cancel (ry_remote_cancel) one Slurm run. */
int ry_slurm__sync_one(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, bool final_fetch,
                       ry_sync_report *rep);
int ry_slurm__cancel(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, int timeout_ms);

/* The host's Slurm settings from its config section sec, and their
 * release and copy (hosts.c). */
int ry_slurm__host_config(ry_host *h, const ry_config *cfg, const char *sec);
void ry_slurm__clear_config(ry_host *h);
void ry_slurm__clear_probe(ry_host *h);
void ry_slurm__copy(ry_host *dst, const ry_host *src); /* dst is a shallow copy of src */

/* The GPU-hour price of `partition` (NULL: the host's default) on h: its
 * partition_price, else gpu_price_per_hour. */
double ry_slurm__gpu_price(const ry_host *h, const char *partition);

/* The probe script's Slurm sections (hosts.c), in sh braces: partitions
 * per node (sinfo) and the login user's jobs (squeue). */
#define RY_SLURM_PROBE_SH \
	"echo @@sinfo; sinfo -h -N -O 'PartitionName:|,StateCompact:|,Gres:|,GresUsed:|' 2>&1;" \
	" echo \"@@slurmrc $?\"; echo @@squeue; squeue -h -u \"$(id -un)\" -o '%i|%j|%T|%r|%P|%M' 2>&1;" \
	" echo \"@@slurmrc $?\";"

/* One line of the probe's output in section `section`: true when it was
 * a Slurm section's (taken into h). */
bool ry_slurm__probe_line(ry_host *h, const char *section, const char *line);

#endif
