/*
 * Tracking a local command as a run (`runyard run`): the child runs in its
 * own process group with its output passed through to the terminal and
 * appended to the run's log, scalars captured from that output, JSON lines
 * read from $RUNYARD_METRICS, git provenance and artifacts recorded, and its
 * end settled as finished, failed or killed.  Also the reconcile pass every
 * runyard start makes over runs whose tracker died.
 *
 * Files of a run live next to the workspace: <db>.runs/<uuid>/ holds `log`,
 * `metrics.jsonl` and the `artifacts/` outbox, and while the run is tracked
 * `keeper` (the keeper process's pid and identity); `exit` is left by a
 * keeper that saw the command end after runyard died.
 */
#ifndef RY_TRACK_H
#define RY_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "runs/run.h"
#include "store/store.h"

/* The run's directory (caller frees; it may not exist). */
char *ry_track_run_dir(ry_store *st, const char *uuid);
/* The run's log file, for any run with a uuid (caller frees; may not exist). */
char *ry_track_log_path(ry_store *st, const ry_run *r);

typedef struct ry_track_options {
	unsigned version;
	const char *experiment;  /* NULL: "default" */
	const char *name;        /* NULL: a generated memorable name */
	char *const *argv;       /* the command, NULL-terminated; argv[0] is looked up in PATH */
	const ry_kv *params;     /* --param K=V, added to (and overriding) parsed ones */
	size_t nparams;
	const ry_kv *tags;
	size_t ntags;
	bool parse_params;       /* params from the command's arguments (default true) */
	bool capture;            /* scalar capture from output (default true); false: --no-capture */
	const char *patterns;    /* the command line's extra patterns, NAME = REGEX lines (ingest.h);
	                            the run gets ry_ingest_options_for_run's full set */
	int out_fd, err_fd;      /* where the child's stdout/stderr are passed (1, 2) */
	void (*on_start)(void *payload, int64_t run_id, const char *uuid, int pid);
	void *payload;
	const ry_config *cfg;    /* runyard's config, for its [patterns]; NULL: none (lent) */
} ry_track_options;
#define RY_TRACK_OPTIONS_INIT { 1, NULL, NULL, NULL, NULL, 0, NULL, 0, true, true, NULL, 1, 2, NULL, NULL, NULL }

typedef struct ry_track_result {
	int64_t run_id;
	char uuid[37];
	const char *status;   /* "finished", "failed", "killed", or "lost" when the
	                         keeper died first (static string) */
	int exit_status;      /* what a shell would report: code, or 128+signal */
	bool exec_failed;     /* the command could not be started (status 127/126) */
	int64_t points, malformed, artifacts;
} ry_track_result;

/* Run and track o->argv to its end.  Returns 0 when the run was tracked
 * (whatever the command's own outcome, which is in *res), or an RY_E* code
 * when tracking itself failed.  SIGINT/SIGTERM/SIGHUP/SIGQUIT arriving
 * meanwhile are forwarded to the child's process group; a second SIGINT
 * sends SIGKILL.  SIGTSTP stops the child's group and then this process
 * until SIGCONT; SIGWINCH resizes the child's ptys.  Signal dispositions
 * and the signal mask are restored before returning.  The child is forked
 * by a keeper process (which outlives this one if it must): the caller
 * must not be multi-threaded. */
int ry_track_run(ry_store *st, const ry_track_options *o, ry_track_result *res);

/* Params from a command line: `--lr 0.01`, `--lr=0.01`, `lr=0.01` (Hydra's
 * `+lr=0.01` too), `--flag` as "true".  The program name is skipped, and for
 * an interpreter (python, Rscript, node, ...) its own options and the script
 * path too.  Single-letter options (-v) are ignored as ambiguous.  Later
 * values of a key win.  *out is sorted by key; free with ry_track_kv_free. */
int ry_track_parse_params(char *const *argv, ry_kv **out, size_t *n);
void ry_track_kv_free(ry_kv *kv, size_t n);

/* The command line as it is stored on a run: one shell-quoted string in
 * which the values of secret params (redact.h), read as
 * ry_track_parse_params reads them, are RY_REDACTED: `--password '***'`,
 * `'token=***'`.  Never run it; run argv.  Caller frees. */
char *ry_track_join_argv(char *const *argv);

/* Settle local runs whose tracker died.  A `running` run started on this
 * host whose process is gone, or whose pid now belongs to another process
 * (start identity differs), ends as its keeper's `exit` file says (finished,
 * failed or killed, with the command's end time; its artifacts recorded),
 * stays running while the keeper still lives, and becomes `lost` otherwise.
 * Runs whose process lives are left running.  *nsettled (may be NULL)
 * receives how many were settled. */
int ry_track_reconcile(ry_store *st, int *nsettled);

/* Open a workspace as ry_store_open does (same arguments, same errors) and
 * then settle runs whose tracker died (ry_track_reconcile; its failure is
 * cleared, not returned).  How every front end opens a workspace to work
 * on, so that none forgets to settle; a read-only store settles nothing. */
int ry_track_open_workspace(ry_store **out, const char *path, unsigned flags);

/* This process's identity for a pid: "<boot id>:<start time in ticks>" from
 * /proc, NULL if the pid does not exist or is a zombie.  Caller frees. */
char *ry_track_pid_identity(int pid);

/* A pid file: a first line "PID IDENTITY" (see ry_track_pid_identity),
 * the format of both <run dir>/tracker and <run dir>/keeper.  runyard
 * writes its tracker file while the run is created, in the same
 * transaction; while that process lives, no other start ingests the run's
 * output.  A remote launch keeps one for its launcher (remote/launch.c),
 * so that sync can tell a launch in progress from one that died.
 * Replaced atomically.  0 or RY_EIO. */
int ry_track_pidfile_write(const char *path, int pid);
/* Is the process recorded in the first line of `path` still alive? */
bool ry_track_pidfile_alive(const char *path);

#endif
