/*
 * The model registry: registered models, their versions (each one artifact
 * of one source run, by sha256), aliases (@staging, @champion: one version
 * per alias per model), promotion with an optional metric gate, and the
 * append-only audit trail in the events table.
 *
 * Front ends (the CLI and the TUI's promote dialog and registry screen) use
 * this header only.  A typical TUI flow:
 *
 *     ry_registry_models()            -> the model list
 *     ry_registry_versions(model)     -> versions with their aliases and
 *                                        source run names
 *     ry_registry_history(model)      -> the audit trail
 *     ry_registry_gate_preview(opts)  -> candidate vs holder, no change
 *     opts.expect_holder = preview.holder_version;
 *     ry_registry_promote(opts, &res) -> RY_EREFUSED (with a message) if the
 *                                        gate fails or someone moved the
 *                                        alias since the preview
 *     ry_registry_card(model, version) -> the model card as Markdown
 *
 * The artifact picker of a promote dialog lists a run's artifacts with
 * ry_artifact_list (artifact.h); the model picker with ry_registry_models.
 *
 * Cost: promote, alias_set, export, verify and card re-hash the artifact
 * (about 200 MB/s per core), so for big models call them off the UI thread.
 * Everything else is a few indexed queries.
 *
 * Integrity: every promotion, alias move and export re-hashes the artifact;
 * bytes that no longer match their sha256 give RY_ECORRUPT and change
 * nothing.
 *
 * Concurrency: writes run in one BEGIN IMMEDIATE transaction each; alias
 * moves are compare-and-set on the version the caller expects the alias to
 * hold, so of two processes moving the same alias from the same state
 * exactly one wins and the other gets RY_EREFUSED.  Both attempts are
 * recorded as events.
 */
#ifndef RY_REGISTRY_H
#define RY_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

/* ---- reading ----------------------------------------------------------- */

typedef struct ry_model_alias {
	char *alias;     /* without '@' (owned) */
	int64_t version;
} ry_model_alias;

typedef struct ry_model {
	char *name;             /* owned, like every string below */
	char *description;      /* "" when none */
	char *tags;             /* free text "k=v,k=v", NULL when none */
	double created;         /* Unix seconds */
	double updated;         /* newest version's creation, else created */
	int64_t nversions;
	int64_t latest;         /* highest version number, 0 when none */
	ry_model_alias *aliases; size_t naliases; /* sorted by alias */
	char *source;           /* "plugin:NAME" for a model imported from a tracker, NULL for local */
} ry_model;

/* Every registered model, by name.  Free with ry_models_free. */
int ry_registry_models(ry_store *st, ry_model **out, size_t *n);
void ry_models_free(ry_model *m, size_t n); /* accepts NULL */

/* One model.  RY_ENOTFOUND names the registered models.  Free with
 * ry_models_free(m, 1). */
int ry_registry_model(ry_store *st, const char *name, ry_model **out);

typedef struct ry_model_version {
	char *model;
	int64_t version;
	int64_t run_id;         /* 0 when the source run was deleted (--force) */
	char *run_name;         /* NULL when the run is gone */
	char run_uuid[37];      /* "" when the run is gone */
	char *experiment;       /* source run's experiment, NULL when gone */
	char *run_status;
	char *git_commit;       /* source run's commit, NULL when unknown */
	char sha256[65];
	char *artifact_path;    /* the path the run recorded, e.g. "model.pt" */
	int64_t size;
	double created;
	char *description;      /* the --note given at promotion; "" when none */
	char *tags;             /* NULL when none */
	char *created_by;       /* actor of the registering event, NULL if unknown */
	char **aliases; size_t naliases; /* aliases on this version, sorted */
	char *source_uri;       /* where the artifact lives when imported from a tracker (sha256 is
	                           then "": this workspace holds only the record); NULL otherwise */
} ry_model_version;

/* Versions of a model, highest first.  RY_ENOTFOUND if no such model.
 * Free with ry_model_versions_free. */
int ry_registry_versions(ry_store *st, const char *model, ry_model_version **out, size_t *n);
void ry_model_versions_free(ry_model_version *v, size_t n); /* accepts NULL */

/* Resolve "NAME@ALIAS", "NAME@VERSION", "NAME@vVERSION", "NAME@latest" or a
 * bare "NAME" (its latest version) to a model and version; *model_out is
 * owned by the caller.  RY_EINVAL for a malformed spec, RY_ENOTFOUND for an
 * unknown model, alias or version (the message lists what exists). */
int ry_registry_resolve(ry_store *st, const char *spec, char **model_out, int64_t *version);

/* One version (free with ry_model_versions_free(v, 1)).  RY_ENOTFOUND. */
int ry_registry_version(ry_store *st, const char *model, int64_t version, ry_model_version **out);

/* The version an alias points at, 0 when the alias is unset. */
int ry_registry_alias_get(ry_store *st, const char *model, const char *alias, int64_t *version);

/* An audit event about a model.  Known kinds:
 *   model.create     the model was registered
 *   version.create   a version was registered (version, run, sha256)
 *   alias.set        alias moved/set (from -> to; from 0 = was unset)
 *   alias.delete     alias removed (from)
 *   alias.refused    a move was refused: gate failed (metric values in
 *                    detail) or another process moved the alias first
 *   promote.refused  a promotion was refused before any change (corrupt
 *                    artifact)
 *   run.delete       the source run of versions was deleted with --force
 *   model.update, version.update   description/tags changed
 *   model.import, version.import   created or changed by an import from a
 *                    tracker (detail: source, what changed)
 *   deploy.start     a version is being deployed (deployment, target, kind)
 *   deploy.ready     that deployment answers (endpoint)
 *   deploy.failed    it failed, or stopped by itself (reason)
 *   undeploy         it was stopped on purpose (core/deploy) */
typedef struct ry_model_event {
	int64_t id;
	double ts;
	char *actor;
	char *kind;
	char *alias;            /* NULL when not about an alias */
	int64_t version;        /* the version concerned, 0 when none */
	int64_t from_version;   /* alias moves: previous holder, 0 when unset */
	int64_t to_version;     /* alias moves: new holder, 0 when deleted */
	char *note;             /* why: the user's --note, or the refusal reason; NULL */
	char *detail;           /* the raw JSON detail column (all of the above and more) */
	int64_t deployment;     /* deploy events: the deployment's id, 0 otherwise */
	char *target;           /* deploy events: the target, NULL otherwise */
	char *endpoint;         /* deploy events: where it answers, NULL unknown */
} ry_model_event;

/* The audit trail of a model, oldest first (also for a model that no longer
 * exists: events are never deleted).  Free with ry_model_events_free. */
int ry_registry_history(ry_store *st, const char *model, ry_model_event **out, size_t *n);
void ry_model_events_free(ry_model_event *e, size_t n); /* accepts NULL */

/* An event's alias move as every front end and the model card print it:
 * "v1 -> v2", "unset -> v1", "v2 -> unset" (deleted), "v1 -> new" (a move
 * to a version not yet registered was refused), "(not moved)" (refused
 * before any move).  "" when the event is not about an alias.  Writes into out (n bytes; 48 hold any move). */
void ry_registry_event_move(const ry_model_event *e, char *out, size_t n);

/* ---- writing ----------------------------------------------------------- */

/* Append event `kind` about `model` to its audit trail (subject
 * "model:NAME"); detail is a JSON object's text (NULL: none), with the keys
 * ry_registry_history reads ("version", "note", "reason", "deployment",
 * "target", "endpoint").  For rooms above the registry that act on its
 * versions (core/deploy); inside the caller's transaction if one is open. */
int ry_registry_record(ry_store *st, const char *model, const char *kind, const char *detail);

/* Alias-move expectations (compare-and-set). */
#define RY_ALIAS_ANY ((int64_t)-1) /* move whatever it holds now */
#define RY_ALIAS_UNSET ((int64_t)0) /* the alias must be unset */

typedef struct ry_promote_opts {
	unsigned version;       /* of this struct: 1 */
	int64_t run_id;         /* the candidate run */
	const char *model;      /* created if new */
	const char *artifact;   /* the run's artifact path (or unique basename);
	                           NULL: the run's only artifact */
	const char *alias;      /* NULL: register only (a leading '@' is ok) */
	const char *gate_metric;/* NULL: no gate; needs alias */
	int gate_goal;          /* +1: higher is better, -1: lower is better */
	const char *note;       /* why; stored on the version and the events */
	int64_t expect_holder;  /* RY_ALIAS_ANY, RY_ALIAS_UNSET or a version: the
	                           alias must still hold this (from a preview) */
} ry_promote_opts;
#define RY_PROMOTE_OPTS_INIT { 1, 0, NULL, NULL, NULL, NULL, 0, NULL, RY_ALIAS_ANY }

/* What a gate compares.  Values are NaN when missing. */
typedef struct ry_gate {
	bool gated;             /* a gate metric was given */
	char metric[128];
	int goal;               /* +1 max, -1 min */
	int64_t holder_version; /* 0 when the alias is unset */
	int64_t holder_run_id;  /* 0 when none or deleted */
	int64_t candidate_version; /* existing version of the artifact, 0 if new */
	double candidate, holder;
	bool passes;            /* would the alias move? */
	char reason[256];       /* one line: why it passes or not */
} ry_gate;

typedef struct ry_promote_result {
	int64_t version;        /* the version registered or found */
	bool existing;          /* the artifact was already this version */
	bool model_created;
	bool alias_moved;
	int64_t alias_from;     /* previous holder, 0 when unset */
	char sha256[65];        /* the artifact chosen ("" if none was) */
	char artifact[256];     /* its path as the run recorded it (cut to fit) */
	ry_gate gate;
} ry_promote_result;

/* What promoting would do, changing nothing: selects the artifact (errors as
 * ry_registry_promote), reads the alias holder and both metric values. */
int ry_registry_gate_preview(ry_store *st, const ry_promote_opts *o, ry_gate *out);

/* Register the run's artifact as a version of o->model (the existing version
 * when that model already has this sha256), then, with an alias, move it:
 * checked against o->expect_holder and the gate inside one transaction.
 * Refusals (gate not beaten, alias moved meanwhile) return RY_EREFUSED,
 * change nothing but the audit trail, and fill *res (gate values) so the
 * caller can print them.  A corrupt artifact gives RY_ECORRUPT.  res may be
 * NULL. */
int ry_registry_promote(ry_store *st, const ry_promote_opts *o, ry_promote_result *res);

/* Point alias at version (compare-and-set on expect: RY_ALIAS_ANY, _UNSET or
 * a version).  The version's artifact is verified first.  *from (may be
 * NULL) receives the previous holder. */
int ry_registry_alias_set(ry_store *st, const char *model, const char *alias, int64_t version,
                          int64_t expect, const char *note, int64_t *from);

/* Remove an alias.  RY_ENOTFOUND if it is unset. */
int ry_registry_alias_delete(ry_store *st, const char *model, const char *alias, const char *note);

/* Set a model's or a version's description and/or tags (NULL leaves one
 * unchanged); recorded as model.update / version.update events. */
int ry_registry_model_update(ry_store *st, const char *model, const char *description,
                             const char *tags);
int ry_registry_version_update(ry_store *st, const char *model, int64_t version,
                               const char *description, const char *tags);

/* Copy a version's artifact to dir/<basename of its recorded path>
 * (creating dir if missing), verifying the sha256 while copying.  *written
 * (may be NULL; caller frees) receives the file written.  RY_ECORRUPT leaves
 * nothing behind; RY_EEXISTS if the file is already there. */
int ry_registry_export(ry_store *st, const char *model, int64_t version, const char *dir,
                       char **written);

/* Verify a version's artifact (0, RY_ECORRUPT, RY_ENOTFOUND). */
int ry_registry_verify(ry_store *st, const char *model, int64_t version);

/* Delete a run.  A run that is the source of registered versions is refused
 * (RY_EREFUSED naming them) unless force; with force the versions stay,
 * keep their artifact and lose only the link to the run.  A running run is
 * refused.  The run's params, tags, metrics and artifact records go with it;
 * stored artifact objects are kept. */
int ry_registry_run_delete(ry_store *st, int64_t run_id, bool force);

/* The model card of a version as Markdown, appended to out: lineage
 * (source run, experiment, command, host, times), code provenance (git
 * commit, branch, remote, dirty), data provenance (data-like params, the
 * run's artifacts with hashes), params, metric summaries, artifact integrity
 * and the promotion history.  `alias` (may be NULL) is how the user named
 * it, for the title.  Outside text is sanitised. */
int ry_registry_card(ry_store *st, const char *model, int64_t version, const char *alias,
                     ry_buf *out);

/* ---- importing from a tracker (core/plugin's model_* services) -------- */

/* Create model `name` as imported through plugin `source` ("plugin:NAME"),
 * or update its description and tags ("k=v,k=v"; NULL: none).  A model of
 * that name that is local or came from another plugin is RY_EEXISTS: two
 * registries' version numbers are never merged.  *changed (may be NULL)
 * tells whether anything was written (then an event is too).  Each call is
 * one transaction unless one is open. */
int ry_registry_import_model(ry_store *st, const char *source, const char *name, const char *description,
                             const char *tags, double created, bool *changed);
/* Create or update version `number` of an imported model: its source run
 * (run_id 0: none), where the artifact lives (source_uri), description,
 * tags.  The workspace holds no copy of the artifact (sha256 ""). */
int ry_registry_import_version(ry_store *st, const char *source, const char *model, int64_t number,
                               int64_t run_id, const char *source_uri, const char *description,
                               const char *tags, double created, bool *changed);
/* Point alias at version `number` of an imported model (an alias.set event
 * when it moves). */
int ry_registry_import_alias(ry_store *st, const char *source, const char *model, const char *alias,
                             int64_t number, bool *changed);

/* Validate names: models [A-Za-z0-9][A-Za-z0-9._-]* (<= 100), aliases
 * [A-Za-z][A-Za-z0-9._-]* (<= 64, not "latest").  RY_EINVAL with a message. */
int ry_registry_check_model_name(const char *name);
int ry_registry_check_alias_name(const char *alias);

#endif
