/*
 * Runs and experiments: create, find, read, annotate.
 *
 * A run is resolved from what a user types (ry_run_find): a numeric id, a
 * uuid prefix (at least 4 hex digits), or a unique name.  An ambiguous
 * prefix or name is an error listing the candidates.
 */
#ifndef RY_RUN_H
#define RY_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct ry_kv {
	char *key;
	char *value;
} ry_kv;

/* A run record.  Every string is owned by the run (NULL when unknown);
 * free the whole record with ry_run_free. */
typedef struct ry_run {
	int64_t id;
	char uuid[37];
	int64_t experiment_id;
	char *experiment;     /* experiment name */
	char *name;
	char *status;         /* queued|running|finished|failed|killed|lost */
	char *command;
	char *cwd;
	char *host;           /* where it ran: "local" machine name or an ssh host */
	char *gpus;           /* "0,1" or NULL */
	char *source;         /* local|ssh|slurm|plugin:NAME */
	char *remote_dir;
	double created, started, ended; /* Unix seconds; 0 when unknown */
	bool has_exit_code;
	int exit_code;
	int64_t pid;          /* 0 when none */
	char *pid_start;      /* process start identity, to tell a reused pid apart */
	char *git_commit, *git_branch, *git_remote;
	int git_dirty;        /* -1 unknown, 0 clean, 1 dirty */
	bool git_diff_truncated;
	char *notes;
	double cost_rate;     /* per hour; 0 when free or unknown */
	double cost_total;
	double time_limit;    /* seconds; 0 none */
	int64_t log_offset, metrics_offset, malformed_lines;
	char *ingest_state;   /* local runs: what resuming ingest needs (ingest.h); NULL none */
	ry_kv *params; size_t nparams;  /* sorted by key */
	ry_kv *tags; size_t ntags;      /* sorted by key */
} ry_run;

void ry_run_free(ry_run *r); /* accepts NULL */

/* Load run `id`.  RY_ENOTFOUND if there is none. */
int ry_run_get(ry_run **out, ry_store *st, int64_t id);

/* Resolve a user's spec (id, uuid prefix, unique name).  RY_ENOTFOUND or
 * RY_EAMBIGUOUS (message lists up to 10 candidates as "id name"). */
int ry_run_find(ry_run **out, ry_store *st, const char *spec);
int ry_run_resolve(int64_t *id, ry_store *st, const char *spec);

/* Duration in seconds: ended-started, or now-started while running; NaN
 * when it never started. */
double ry_run_duration(const ry_run *r, double now);

/* Cost so far: cost_total when ended, else rate * elapsed hours. */
double ry_run_cost(const ry_run *r, double now);

/* GPUs for people: "0" reads as "1 (id 0)", "0,1" as "2 (ids 0,1)" (a
 * bare "0" looks like none).  NULL for no GPUs; the caller frees. */
char *ry_run_gpus_text(const char *gpus);

/* The stored uncommitted diff (caller frees), NULL if none. */
char *ry_run_git_diff(ry_store *st, int64_t id);

/* ---- writing ---------------------------------------------------------- */

/* A memorable name no run in the workspace has ("brave-otter", then
 * "brave-otter-qzk" once pairs run short).  It never ends in a digit, so it
 * cannot be read as a run's id.  *state is the caller's random stream,
 * advanced: the same state and workspace give the same name.  The caller
 * frees the name. */
char *ry_run_name_pick(ry_store *st, uint64_t *state);

/* What a new run starts with; strings are copied.  Unset fields may be
 * NULL/0.  name NULL generates a memorable unique name ("brave-otter"). */
typedef struct ry_run_spec {
	unsigned version;
	const char *experiment; /* created if new; NULL means "default" */
	const char *name;
	const char *status;     /* default "running" */
	const char *command;
	const char *cwd;
	const char *host;
	const char *gpus;
	const char *source;     /* default "local" */
	double created, started; /* 0: now */
	double cost_rate;
	double time_limit;
} ry_run_spec;
#define RY_RUN_SPEC_INIT { 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0 }

/* Create a run; *id and (if uuid_out) its uuid are returned. */
int ry_run_create(ry_store *st, const ry_run_spec *spec, int64_t *id, char uuid_out[37]);

/* Runs imported through a tracker plugin (imports.c): the workspace run
 * the plugin's run `ext_id` became (*run_id 0 when none) and the
 * fingerprint stored with it (*fingerprint malloc'd or NULL; the argument
 * may be NULL); record or replace that link. */
int ry_run_import_find(ry_store *st, const char *plugin, const char *ext_id, int64_t *run_id,
                       char **fingerprint);
int ry_run_import_record(ry_store *st, const char *plugin, const char *ext_id, int64_t run_id,
                         const char *fingerprint);
/* Does experiment experiment_id (0: the workspace) hold a run imported
 * through a plugin?  One indexed probe of the imports table, so a front end
 * may ask at every refresh. */
int ry_run_import_any(ry_store *st, int64_t experiment_id, bool *any);

/* Param and tag values are text; a param that parses as a number is also
 * indexed as one so filters compare numerically.  A param whose name is a
 * secret (redact.h) is stored as RY_REDACTED. */
int ry_run_set_param(ry_store *st, int64_t id, const char *key, const char *value);
int ry_run_set_tag(ry_store *st, int64_t id, const char *key, const char *value);
int ry_run_set_notes(ry_store *st, int64_t id, const char *notes);
/* Remove a run's tag; RY_ENOTFOUND when the run has no tag `key`. */
int ry_run_unset_tag(ry_store *st, int64_t id, const char *key);

/* Settle a run: status, end time, exit code (has_exit false: none), cost.
 * Only a queued or running run is settled (compare-and-set): one already
 * settled is left as it is and RY_ESTALE says so. */
int ry_run_finish(ry_store *st, int64_t id, const char *status, double ended,
                  bool has_exit, int exit_code);

/* Generic single-column updates used by the tracker and launcher. */
int ry_run_set_text(ry_store *st, int64_t id, const char *column, const char *value);
/* Name run id `name`: refused (RY_EINVAL) when empty or only digits (it
 * would read as an id), and (RY_EEXISTS) when another run is named so,
 * since one name for two runs would make both ambiguous.  Both front
 * ends rename through here. */
int ry_run_rename(ry_store *st, int64_t id, const char *name);
int ry_run_set_int(ry_store *st, int64_t id, const char *column, int64_t value);
int ry_run_set_real(ry_store *st, int64_t id, const char *column, double value);

/* ---- experiments ------------------------------------------------------ */

typedef struct ry_experiment {
	int64_t id;
	char *name;          /* owned */
	char *description;   /* owned */
	double created;
	int64_t nruns, nrunning;
	double cost;         /* total cost of its runs; NaN when none of them has one */
} ry_experiment;

/* Every experiment, by name, with counts.  Free with ry_experiments_free. */
int ry_experiments_list(ry_store *st, ry_experiment **out, size_t *n);
void ry_experiments_free(ry_experiment *e, size_t n);

/* Find by name, creating it if missing. */
int ry_experiment_ensure(ry_store *st, const char *name, int64_t *id);
/* Find by name or id; RY_ENOTFOUND names the known experiments. */
int ry_experiment_find(ry_store *st, const char *spec, int64_t *id);

/* Per-experiment JSON settings blob (remembered columns...); caller frees. */
char *ry_experiment_setting_get(ry_store *st, int64_t id, const char *key);
int ry_experiment_setting_set(ry_store *st, int64_t id, const char *key, const char *value);

#endif
