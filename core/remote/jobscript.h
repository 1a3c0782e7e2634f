/*
 * The shell a remote job's host runs (internal to core/remote): the job
 * wrapper and the small scripts launch, sync and cancel send over SSH.
 *
 * The run directory D on the host holds the contract between them, files
 * written atomically (tmp + mv) by the wrapper or its watchdog:
 *   pid_start, pid  the wrapper's start time in ticks, then its pid (the
 *                   job's process group): a pid means the job started, and
 *                   its pid_start is there to check it against
 *   started         when the command started (Unix seconds)
 *   ended           when the host saw the command end: written by the
 *                   wrapper, or by the watchdog when the wrapper was killed
 *   exit_code       the command's exit status, written last
 *   reason          "cancelled" or "time limit" when runyard stopped it
 *   cancel          asks a wrapper that has not started the command yet
 *                   not to start it
 *   heartbeat       the watchdog's clock every 10 s
 * and the job's GPU leases (lease.h) are stamped with the wrapper's pid
 * once it runs and given back once the group is gone.
 *   log, metrics.jsonl, artifacts/   what the command wrote
 * A job is over when its whole process group is gone: the wrapper stops
 * what the command left behind (TERM, then KILL) before it writes
 * exit_code, and cancel verifies the group is gone.
 *
 * Every script is constant text taking its values as positional
 * arguments; the wrapper is the one script with values in it, each
 * shell-quoted.
 */
#ifndef RY_REMOTE_JOBSCRIPT_H
#define RY_REMOTE_JOBSCRIPT_H

/* Shell function pid_alive PID START: status 0 when process PID lives
 * (not a zombie: where nothing reaps orphans, a dead wrapper lingers as
 * one) and started at START, field 22 of /proc/PID/stat as the wrapper
 * recorded it in pid_start, so that a reused pid is not taken for it. */
#define RY_JOBSCRIPT_PID_ALIVE_SH \
	"pid_alive() {\n" \
	"  _s=$(cat \"/proc/$1/stat\" 2>/dev/null) || return 1\n" \
	"  _w=$2\n" \
	"  set -f; set -- ${_s##*) }; set +f\n" \
	"  [ \"$1\" != Z ] && [ \"${20}\" = \"$_w\" ]\n" \
	"}\n"

/* With $D the run dir and $P the code pack: unpack the code into $D/code
 * (exit 3 when it cannot) and write the wrapper from stdin to $D/run.sh
 * (exit 4). */
#define RY_JOBSCRIPT_UNPACK_SH \
	"mkdir -p \"$D/code\" && tar -xf \"$P\" -C \"$D/code\" || { echo \"cannot unpack the code into $D/code\" >&2; exit 3; }\n" \
	"cat > \"$D/run.sh\" || exit 4\n"

/* What a job wrapper is made of. */
typedef struct ry_jobscript_job {
	const char *dir;        /* the run directory on the host */
	const char *subdir;     /* code subdirectory to run in (NULL: the pack's root) */
	const char *uuid;       /* the run's */
	const char *gpus;       /* CUDA device list "0,2" (NULL: none) */
	char *const *gpu_uuids; /* the leased GPUs' uuids, NULL-terminated (NULL: none) */
	const char *lease_dir;  /* the host's lease directory (lease.h) */
	double limit;           /* time limit in seconds (<= 0: none) */
	char *const *argv;      /* the command */
} ry_jobscript_job;

/* The wrapper for one job.  Caller frees. */
char *ry_jobscript_wrapper(const ry_jobscript_job *job);

/* $1 work dir, $2 run uuid, $3 pack sha256: makes the directories and
 * prints the work dir's real path, "have" when the pack is there already,
 * "nosetsid" when the host cannot detach jobs. */
extern const char ry_jobscript_prepare[];
/* $1 run dir, $2 pack path, $3 lease dir, $4 run uuid, then the GPU uuids
 * to lease, the wrapper on stdin: unpacks the code, takes the leases (exit
 * 5 with "taken GPU RUN USER" lines when another run holds one, 6 when the
 * lease directory is unusable), starts the wrapper detached, prints its
 * pid once it wrote one. */
extern const char ry_jobscript_start[];
/* $1 run dir: prints the job's state as lines "missing", "exit N",
 * "ended T", "started T", "reason R", "pid", "alive", "heartbeat T",
 * "script_age S" (seconds since the wrapper was written), then "end". */
extern const char ry_jobscript_status[];
/* $1 run dir: stops the job's whole process group (TERM, a grace, KILL)
 * and verifies it is gone; a job not started yet is told not to start.
 * Exit 0 done (prints "notstarted" for the latter), 3 no pid, 4 processes
 * survived KILL (named on stderr).  It takes up to RY_JOBSCRIPT_CANCEL_MS
 * on the host. */
extern const char ry_jobscript_cancel[];
#define RY_JOBSCRIPT_CANCEL_MS 16000
/* $1 run dir: "SHA256 SIZE PATH" per file under artifacts/. */
extern const char ry_jobscript_artifacts[];

#endif
