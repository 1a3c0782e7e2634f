/*
 * The content-addressed artifact store of a workspace: files are copied into
 * <workspace>.artifacts/<sha256[0:2]>/<sha256> once per distinct content and
 * recorded per run in the artifacts table.  The registry promotes and exports
 * from here, verifying the hash every time.
 */
#ifndef RY_ARTIFACT_H
#define RY_ARTIFACT_H

#include <stdint.h>

#include "store.h"

/* The store directory for a workspace (caller frees). */
char *ry_artifact_dir(ry_store *st);

/* Hash `src` and copy it into the store unless that content is already
 * there (written to a temp file and renamed, so a crash never leaves a
 * half-written object).  sha256_hex receives 64 hex digits + NUL. */
int ry_artifact_put(ry_store *st, const char *src, char sha256_hex[65], int64_t *size);

/* Record that run `run_id` produced `relpath` with this content (replaces a
 * previous record of the same path). */
int ry_artifact_record(ry_store *st, int64_t run_id, const char *relpath,
                       const char *sha256_hex, int64_t size);

/* Path of a stored object (caller frees); it may not exist. */
char *ry_artifact_object_path(ry_store *st, const char *sha256_hex);

/* Re-hash a stored object: 0 if it matches, RY_ECORRUPT if its bytes no
 * longer match (message names the object), RY_ENOTFOUND if missing. */
int ry_artifact_verify(ry_store *st, const char *sha256_hex);

/* SHA-256 of a file, as hex. */
int ry_sha256_file(const char *path, char sha256_hex[65], int64_t *size);

#endif
