/*
 * Packing the code a user is looking at, for shipping to a host: the
 * tracked files of the git repository containing a directory, with their
 * working-tree contents (so the HEAD commit plus every uncommitted change
 * to tracked files, staged or not), as a deterministic tar (sorted, mtime 0,
 * owner 0) so the same tree always hashes the same and a host that already
 * has the pack is not sent it again.  Untracked and ignored files and .git
 * are left out.  Outside a repository a fallback directory is packed whole
 * (minus .git), or the caller is refused with a clear message.
 *
 * No globals; safe to call from a background thread (libgit2 is initialised
 * once, thread-safely).
 */
#ifndef RY_CODEPACK_H
#define RY_CODEPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/progress.h"

typedef struct ry_codepack {
	char *path;        /* the tar file in a private temp dir; removed by ry_codepack_free */
	char sha256[65];   /* of the tar, hex */
	int64_t size;
	size_t nfiles;
	char *root;        /* what was packed: the repo's working tree or the fallback dir */
	char *subdir;      /* the starting directory relative to root ("" at the top) */
	char *commit;      /* HEAD commit id, NULL outside a repo or before the first commit */
	char *branch;      /* NULL when detached or outside a repo */
	bool dirty;        /* tracked files differ from HEAD */
	bool kept;         /* path is a kept pack (ry_codepack_open): free leaves it */
} ry_codepack;

/* Pack the repository containing `dir`; outside one, pack `fallback_dir`
 * if given, else RY_EINVAL saying what to do.  Caller frees with
 * ry_codepack_free. */
int ry_codepack_create(ry_codepack **out, const char *dir, const char *fallback_dir,
                       ry_progress_fn progress, void *payload);

void ry_codepack_free(ry_codepack *p); /* accepts NULL; removes the tar unless kept */

/* Keep a copy of p's tar as DIR/SHA256.tar (made if missing; DIR too), for
 * a launch that happens later (a queued run ships the code as it was when
 * it was queued, not as it is when a GPU frees).  *path: the copy (caller
 * frees).  0 or RY_EIO. */
int ry_codepack_keep(const ry_codepack *p, const char *dir, char **path);

/* A pack for a kept tar (ry_codepack_keep): its sha256 and size are read
 * back and checked against the name; subdir, commit and branch as they were
 * recorded (NULL for none).  ry_codepack_free leaves the file.  RY_ENOTFOUND
 * when it is gone, RY_ECORRUPT when it no longer matches its name. */
int ry_codepack_open(ry_codepack **out, const char *path, const char *subdir, const char *commit,
                     const char *branch, bool dirty);

#endif
