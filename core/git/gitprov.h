/*
 * Git provenance of a run: which code it ran.  Read with libgit2 from the
 * run's working directory: commit, branch, remote URL (credentials
 * stripped), dirty flag and the uncommitted diff of tracked files (staged
 * and unstaged against HEAD, size-capped).  Outside a repository there is
 * simply no provenance; that is not an error.
 */
#ifndef RY_GITPROV_H
#define RY_GITPROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Default cap on a stored diff. */
#define RY_GITPROV_DIFF_CAP (1u << 20)

/* Every string is owned by the record (NULL when unknown). */
typedef struct ry_gitprov {
	char *root;          /* the repository's working directory */
	char *commit;        /* 40 hex digits; NULL before the first commit */
	char *branch;        /* NULL when HEAD is detached */
	char *remote_url;    /* origin, else the first remote; credentials stripped (url.h) */
	bool dirty;          /* tracked files differ from HEAD (staged or not) */
	char *diff;          /* patch text of those changes; NULL when clean */
	size_t diff_size;    /* bytes of the full patch (diff holds at most the cap) */
	bool diff_truncated; /* diff was cut at the cap (at a line end) */
} ry_gitprov;

/* Read the provenance of `dir`.  *out is NULL (and 0 returned) when dir is
 * not inside a git repository.  diff_cap 0 means RY_GITPROV_DIFF_CAP.  Caller
 * frees with ry_gitprov_free.  RY_ERROR only when a repository is there but
 * unreadable (the message says why). */
int ry_gitprov_read(ry_gitprov **out, const char *dir, size_t diff_cap);
void ry_gitprov_free(ry_gitprov *g); /* accepts NULL */

/* Store it on a run (git_commit, git_branch, git_remote, git_dirty, git_diff,
 * git_diff_truncated).  g NULL records "no provenance" (leaves them NULL). */
int ry_gitprov_record(ry_store *st, int64_t run_id, const ry_gitprov *g);

/* The patch between two commits (full ids or unique prefixes) of the
 * repository containing `dir`, capped like ry_gitprov_read.  Caller frees
 * *out (never NULL on success; empty when the trees are equal).
 * RY_ENOTFOUND when dir is not in a repository or a commit is not in it. */
int ry_gitprov_diff_commits(const char *dir, const char *from, const char *to, size_t cap,
                            char **out, bool *truncated);

/* The code diff between two recorded runs (`runyard compare --code`): their
 * commits, looked up in the repository at the first run's working directory
 * that still exists.  The text ends with notes when a run also had
 * uncommitted changes (see `runyard show RUN --diff`).  Caller frees *out. */
int ry_gitprov_diff_runs(ry_store *st, int64_t run_a, int64_t run_b, char **out);

#endif
