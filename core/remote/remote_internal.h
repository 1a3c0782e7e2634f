/*
 * What the SSH launch path (launch.c) lends the other backends in
 * core/remote (slurm.c), so that connecting, running a constant script,
 * reading the run directory's state and pulling a run's log, metrics and
 * artifacts have one home.  Core-internal: front ends never include it.
 */
#ifndef RY_REMOTE_INTERNAL_H
#define RY_REMOTE_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "base/buf.h"
#include "git/codepack.h"
#include "remote/launch.h"

/* The run directory's state as ry_jobscript_status prints it. */
typedef struct ry_remote__state {
	bool missing, has_exit, has_pid, alive, end;
	int exit_code;
	double ended, started, heartbeat;
	long script_age; /* seconds since run.sh was written; -1 none */
	char reason[65];
} ry_remote__state;

/* Connect to h (its ssh alias through o->sshcfg); why (optional) gets the
 * failure kind.  The caller closes *s with ry_ssh_close. */
int ry_remote__open_host(ry_ssh **s, const ry_host *h, const ry_remote_options *o, ry_ssh_fail *why);

/* Run a constant POSIX sh script with positional args, each quoted; out,
 * err (optional) collect its output, *status its exit status. */
int ry_remote__rsh(ry_ssh *s, const char *script, const char *const *args, size_t nargs, const char *in,
                   size_t inlen, ry_buf *out, ry_buf *err, int *status, int timeout_ms);

/* Parse ry_jobscript_status's output. */
void ry_remote__parse_state(const char *out, ry_remote__state *rs);

/* When the job ended as the host saw it (never the time of the sync). */
double ry_remote__ended_at(const ry_remote__state *rs);

/* Pull r's new log and metric bytes from its remote_dir into localdir and
 * the ingest API (final: the files are complete, take a last partial
 * line); r's offsets advance. */
int ry_remote__pull(ry_store *st, ry_ssh *s, ry_run *r, const ry_config *cfg, const char *localdir, bool final,
                    ry_sync_report *rep);

/* Fetch r's artifacts/ into the workspace's artifact store, checked. */
int ry_remote__fetch_artifacts(ry_store *st, ry_ssh *s, const ry_run *r, const char *localdir,
                               ry_sync_report *rep);

/* Whether the process that launched run r may still be at it (its pid
 * file names a live process, or there is none yet and r is seconds old). */
bool ry_remote__launcher_alive(ry_store *st, const ry_run *r);

/* A queued run whose job started is running from `started` (<= 0: now),
 * in the store and in r; a "launch" event says so. */
int ry_remote__mark_running(ry_store *st, ry_run *r, double started);

/* Settle a run that never started: status, note, event, counted. */
int ry_remote__settle_unstarted(ry_store *st, const ry_run *r, const char *status, const char *note,
                                ry_sync_report *rep);

/* On the host: make <workdir>/runs/<uuid> and say whether the code pack
 * sha256 is there already (*have).  *workdir gets the work dir's real path
 * (caller frees).  need_setsid: refuse a host without setsid. */
int ry_remote__prepare(ry_ssh *s, const ry_host *host, const char *uuid, const char *sha256, bool need_setsid,
                       char **workdir, bool *have);

/* A new run's code provenance (the pack's commit, branch, dirty flag); its
 * params are ry_launch__record_params's (launch.h). */
void ry_remote__record_code(ry_store *st, int64_t id, const ry_codepack *pack);

/* The launcher's pid file in run uuid's local directory (*path, caller
 * unlinks and frees once the launch is over): sync leaves the queued run
 * alone while it lives. */
int ry_remote__mark_launcher(ry_store *st, const char *uuid, char **path);

/* RY_EINVAL when a secret param of argv holds RY_REDACTED (a command
 * copied from a stored run). */
int ry_remote__check_not_redacted(char *const *argv);

/* What a known_hosts text (f, read from where it stands; NULL: empty) says
 * about host `name` ("host" or "[host]:port") -- ssh.c's matching, which
 * ry_ssh_connect applies to the host's file; exposed for tests/fuzz.  With
 * key_type NULL it only collects the key types recorded for the host into
 * *types; otherwise it judges the server's key (type name, base64).
 * *line_out: the deciding line, 0 none.  sess (a libssh2 session, for
 * hashed |1| lines; NULL: they never match) is lent. */
enum ry_ssh__known { RY_SSH__KNOWN_NOTFOUND, RY_SSH__KNOWN_MATCH, RY_SSH__KNOWN_MISMATCH, RY_SSH__KNOWN_REVOKED };
struct _LIBSSH2_SESSION;
enum ry_ssh__known ry_ssh__known_scan(struct _LIBSSH2_SESSION *sess, FILE *f, const char *name, const char *key_type,
                                      const char *key_b64, ry_buf *types, int *line_out);

#endif
