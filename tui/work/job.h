/*
 * One slow operation (launch, cancel, promote, probe, export, alias move) running on a
 * background thread while the UI stays live: the only threads of the app
 * live here and in the other work/ modules.  The worker opens its own store,
 * config, ssh config and inventory (the store is not shared between
 * threads), reports
 * progress into a mutex-guarded slot and never touches curses; the main
 * loop polls it (tui_job_poll) and draws.  Freeing sets the cancel flag and
 * joins, so nothing outlives the app.
 */
#ifndef TUI_JOB_H
#define TUI_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"
#include "remote/hosts.h"
#include "remote/sshconfig.h"

struct tui_job;
struct tui_askpass;

struct tui_launch_req {
	const char *experiment;  /* NULL: default */
	const char *command;     /* shell words (split like sh does) */
	const char *host;
	int ngpus;               /* -1: host default */
	double time_limit;       /* seconds, 0 none */
	const char *name;        /* NULL or "": generated */
};

/* Start a job (strings are copied).  An encrypted key's passphrase is
 * asked through askpass (NULL: such keys are skipped); it must outlive the
 * job.  NULL with msg filled if the thread cannot start. */
struct tui_job *tui_job_launch(const char *db_path, const struct tui_launch_req *r, struct tui_askpass *askpass,
                               char *msg, size_t n);
struct tui_job *tui_job_cancel_run(const char *db_path, int64_t run_id, struct tui_askpass *askpass, char *msg,
                                   size_t n);

/* Register a run's artifact as a model version (ry_registry_promote, which
 * re-hashes the artifact) on its own store connection; o's strings are
 * copied.  NULL with msg filled if the thread cannot start. */
struct tui_job *tui_job_promote(const char *db_path, const ry_promote_opts *o, char *msg, size_t n);

/* A finished promotion's result (gate values, version, alias move) into
 * *out; false while it runs or for another kind of job.  The message line
 * (and the error of a refusal) is tui_job_poll's result. */
bool tui_job_promote_result(struct tui_job *j, ry_promote_result *out);

/* Copy a version's artifact into dir (ry_registry_export), or point alias
 * at version, compare-and-set on expect (ry_registry_alias_set): both
 * re-hash the artifact.  Strings are copied; tui_job_poll's result line
 * says what happened ("exported M vN to PATH", "@A moved v1 -> v2").  NULL
 * with msg filled if the thread cannot start. */
struct tui_job *tui_job_export(const char *db_path, const char *model, int64_t version, const char *dir,
                               char *msg, size_t n);
struct tui_job *tui_job_alias_set(const char *db_path, const char *model, const char *alias, int64_t version,
                                  int64_t expect, char *msg, size_t n);

/* Probe hosts (ry_hosts_probe, timeout_ms each); the job owns hosts from
 * here on (also on failure), sshcfg is lent and must outlive the job. */
struct tui_job *tui_job_probe(ry_host *hosts, size_t nhosts, const ry_sshconfig *sshcfg, int timeout_ms,
                              struct tui_askpass *askpass, char *msg, size_t n);

/* A finished probe: hands its hosts to the caller (free with
 * ry_hosts_free) and says whether a passphrase was asked; false while it
 * runs. */
bool tui_job_probe_take(struct tui_job *j, ry_host **hosts, size_t *nhosts, bool *asked);

/* Progress ("uploading 40%") and, once done, the result line.  Returns
 * true when the job is finished (*rc: 0 or an RY_E* code). */
bool tui_job_poll(struct tui_job *j, char *progress, size_t pn, char *result, size_t rn, int *rc);

/* What the job is doing, for messages: "launch", "cancel", "promote",
 * "probe", "export" or "alias move". */
const char *tui_job_what(const struct tui_job *j);

/* Cancel if still running, join, free.  NULL ok. */
void tui_job_free(struct tui_job *j);

/* Split a command line into words the way sh would for plain words,
 * '...', "..." and backslashes (no expansions).  NULL-terminated array,
 * free with ry_strings_free(words, *n); NULL for an unterminated quote. */
char **tui_job_split_command(const char *s, size_t *n);

#endif
