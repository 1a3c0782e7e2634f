/*
 * The shell a remote job's host runs (internal to core/remote): the job
 * wrapper and the small scripts launch, sync and cancel send over SSH.
 *
 * The run directory D on the host holds the contract between them, files
 * written atomically (tmp + mv) by the wrapper or its watchdog:
 *   pid, pid_start  the wrapper's pid (the job's process group) and its
 *                   start time in ticks, written first
 *   started         when the command started (Unix seconds)
 *   ended           when the host saw the command end: written by the
 *                   wrapper, or by the watchdog when the wrapper was killed
 *   exit_code       the command's exit status, written last
 *   reason          "cancelled" or "time limit" when runyard stopped it
 *   cancel          asks a wrapper that has not started the command yet
 *                   not to start it
 *   heartbeat       the watchdog's clock every 10 s
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

/* The wrapper for one job: run directory dir, code subdirectory subdir
 * (NULL: the pack's root), run uuid, CUDA device list gpus (NULL: none),
 * time limit in seconds (<= 0: none), the command's argv.  Caller frees. */
char *ry_jobscript_wrapper(const char *dir, const char *subdir, const char *uuid, const char *gpus,
                           double limit, char *const *argv);

/* $1 work dir, $2 run uuid, $3 pack sha256: makes the directories and
 * prints the work dir's real path, "have" when the pack is there already,
 * "nosetsid" when the host cannot detach jobs. */
extern const char ry_jobscript_prepare[];
/* $1 run dir, $2 pack path, the wrapper on stdin: unpacks the code, starts
 * the wrapper detached, prints its pid once it wrote one. */
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
