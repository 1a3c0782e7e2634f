/*
 * The content-addressed artifact store of a workspace: files are copied into
 * <workspace>.artifacts/<sha256[0:2]>/<sha256> once per distinct content and
 * recorded per run in the artifacts table.  The registry promotes and exports
 * from here, verifying the hash every time.
 *
 * Stored objects are made read-only (0444) so that nobody edits one by
 * accident; they are never changed in place, only added.
 */
#ifndef RY_ARTIFACT_H
#define RY_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h" /* the hash objects are named by */
#include "store/store.h"

/* ---- the store --------------------------------------------------------- */

/* The store directory for a workspace, "<db path>.artifacts" (caller frees). */
char *ry_artifact_dir(ry_store *st);

/* Path of a stored object (caller frees); it may not exist. */
char *ry_artifact_object_path(ry_store *st, const char *sha256_hex);

/* Hash `src` and copy it into the store unless that content is already
 * there (written to a temp file, fsynced and renamed, so a crash never leaves
 * a half-written object; concurrent puts of the same content are safe).
 * sha256_hex receives 64 hex digits + NUL; size may be NULL.  Touches only
 * files, not the database: pair it with ry_artifact_record. */
int ry_artifact_put(ry_store *st, const char *src, char sha256_hex[65], int64_t *size);

/* Record that run `run_id` produced `relpath` with this content (replaces a
 * previous record of the same path).  RY_EINVAL for a malformed hash. */
int ry_artifact_record(ry_store *st, int64_t run_id, const char *relpath,
                       const char *sha256_hex, int64_t size);

/* Record that run `run_id` has artifact `relpath` that stays at `uri`
 * (imported from a tracker; size -1 when unknown): listed with the run's
 * artifacts, never copied here. */
int ry_artifact_record_external(ry_store *st, int64_t run_id, const char *relpath, const char *uri,
                                int64_t size);

/* Re-hash a stored object: 0 if it matches, RY_ECORRUPT if its bytes no
 * longer match (message names the object), RY_ENOTFOUND if missing. */
int ry_artifact_verify(ry_store *st, const char *sha256_hex);

/* Copy a stored object to `dest` (a file path), hashing while copying: the
 * file appears (temp + rename) only if the bytes match sha256_hex; a corrupt
 * object gives RY_ECORRUPT and leaves nothing at dest.  RY_EEXISTS if dest
 * exists. */
int ry_artifact_export(ry_store *st, const char *sha256_hex, const char *dest);

/* One artifacts-table row. */
typedef struct ry_artifact {
	int64_t run_id;
	char *path;          /* relative path the run gave it (owned by the array) */
	char sha256[65];     /* "" for an artifact that stays at its source (uri) */
	int64_t size;        /* -1 unknown */
	char *uri;           /* where it lives when this workspace holds no copy; NULL otherwise */
} ry_artifact;

/* The artifacts a run recorded, sorted by path; *n may be 0.  Free with
 * ry_artifacts_free. */
int ry_artifact_list(ry_store *st, int64_t run_id, ry_artifact **out, size_t *n);
void ry_artifacts_free(ry_artifact *a, size_t n); /* accepts NULL */

#endif
