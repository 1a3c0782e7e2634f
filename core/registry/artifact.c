/*
 * The content-addressed artifact store: putting files in (hash while
 * copying to a temp file, then rename), verifying and exporting them, and the
 * per-run artifacts table.  The hash itself is base/sha256.c's.
 *
 * It does not decide which artifact is a model or who may use it; that is
 * the registry's job.
 */
#include "registry/artifact.h"
#include "base/alloc.h"
#include "base/sha256.h"
#include "base/error.h"
#include "store/store_internal.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the store --------------------------------------------------------- */

char *ry_artifact_dir(ry_store *st)
{
	return ry_xasprintf("%s.artifacts", ry_store_path(st));
}

char *ry_artifact_object_path(ry_store *st, const char *sha256_hex)
{
	return ry_xasprintf("%s.artifacts/%.2s/%s", ry_store_path(st), sha256_hex, sha256_hex);
}

/* A temp file next to `final` (same filesystem, so rename is atomic). */
static int make_temp(const char *dir, char **tmp_out)
{
	char *tmp = ry_xasprintf("%s/.tmp-XXXXXX", dir);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int rc = ry_error_set(RY_EIO, "cannot create a temp file in %s: %s; check free space and "
		                      "permissions", dir, strerror(errno));
		free(tmp);
		return rc;
	}
	*tmp_out = tmp;
	return fd;
}

static int finish_file(int fd, const char *tmp)
{
	if (fsync(fd) != 0 || fchmod(fd, 0444) != 0 || close(fd) != 0)
		return ry_error_set(RY_EIO, "cannot write %s: %s", tmp, strerror(errno));
	return 0;
}

int ry_artifact_put(ry_store *st, const char *src, char sha256_hex[65], int64_t *size)
{
	char *root = ry_artifact_dir(st), *tmp = NULL, *sub = NULL, *obj = NULL;
	int in, out = -1, rc;

	if ((in = ry_open_regular(src, "artifact")) < 0) {
		free(root);
		return in;
	}
	if ((rc = ry_mkdir_p(root)))
		goto done;
	if ((out = make_temp(root, &tmp)) < 0) {
		rc = out;
		goto done;
	}
	if ((rc = ry_sha256_fd(in, out, src, tmp, sha256_hex, size))) {
		close(out);
		goto done;
	}
	if ((rc = finish_file(out, tmp)))
		goto done;
	sub = ry_xasprintf("%s/%.2s", root, sha256_hex);
	obj = ry_artifact_object_path(st, sha256_hex);
	if ((rc = ry_mkdir_p(sub)))
		goto done;
	/* Content already stored is replaced by identical bytes: the store keeps
	 * one object per content either way, and a damaged copy heals. */
	if (rename(tmp, obj) != 0) {
		rc = ry_error_set(RY_EIO, "cannot store artifact %s as %s: %s", src, obj, strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
done:
	if (tmp)
		unlink(tmp);
	close(in);
	free(tmp);
	free(sub);
	free(obj);
	free(root);
	return rc;
}

int ry_artifact_record(ry_store *st, int64_t run_id, const char *relpath,
                       const char *sha256_hex, int64_t size)
{
	sqlite3_stmt *s;
	int rc;
	if (!ry_sha256_valid(sha256_hex))
		return ry_error_set(RY_EINVAL, "'%s' is not a SHA-256 (64 lowercase hex digits)", sha256_hex);
	if (!relpath || !*relpath)
		return ry_error_set(RY_EINVAL, "an artifact needs a path");
	s = ry_store__stmt(st, "INSERT INTO artifacts(run_id, path, sha256, size) VALUES (?, ?, ?, ?) "
	                       "ON CONFLICT(run_id, path) DO UPDATE SET sha256 = excluded.sha256, "
	                       "size = excluded.size");
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, relpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, sha256_hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, size);
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		rc = ry_error_set(RY_ENOTFOUND, "cannot record artifact %s: there is no run %lld",
		                  relpath, (long long)run_id);
	else
		rc = rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "recording an artifact");
	sqlite3_reset(s);
	return rc;
}

static int open_object(ry_store *st, const char *sha256_hex, char **path_out)
{
	char *obj;
	int fd;
	if (!ry_sha256_valid(sha256_hex))
		return ry_error_set(RY_EINVAL, "'%s' is not a SHA-256 (64 lowercase hex digits)", sha256_hex);
	obj = ry_artifact_object_path(st, sha256_hex);
	fd = open(obj, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int rc = errno == ENOENT
			? ry_error_set(RY_ENOTFOUND, "artifact %.12s is missing from the store (%s); it was deleted "
			               "outside runyard and cannot be used", sha256_hex, obj)
			: ry_error_set(RY_EIO, "cannot read artifact %s: %s", obj, strerror(errno));
		free(obj);
		return rc;
	}
	*path_out = obj;
	return fd;
}

static int corrupt(const char *obj, const char *want, const char *got)
{
	return ry_error_set(RY_ECORRUPT, "artifact %s is corrupt: its bytes hash to %.12s, not %.12s; "
	                    "it was modified outside runyard and must not be used", obj, got, want);
}

int ry_artifact_verify(ry_store *st, const char *sha256_hex)
{
	char *obj = NULL, got[65];
	int fd = open_object(st, sha256_hex, &obj), rc;
	if (fd < 0)
		return fd;
	rc = ry_sha256_fd(fd, -1, obj, NULL, got, NULL);
	close(fd);
	if (!rc && strcmp(got, sha256_hex) != 0)
		rc = corrupt(obj, sha256_hex, got);
	free(obj);
	return rc;
}

int ry_artifact_export(ry_store *st, const char *sha256_hex, const char *dest)
{
	char *obj = NULL, *dir, *slash, *tmp = NULL, got[65];
	int in, out, rc;
	struct stat sb;

	if (lstat(dest, &sb) == 0)
		return ry_error_set(RY_EEXISTS, "%s already exists; remove it or export elsewhere", dest);
	if ((in = open_object(st, sha256_hex, &obj)) < 0)
		return in;
	dir = ry_xstrdup(dest);
	slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		dir = ry_xstrdup(".");
	} else if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	if ((out = make_temp(dir, &tmp)) < 0) {
		rc = out;
		goto done;
	}
	rc = ry_sha256_fd(in, out, obj, tmp, got, NULL);
	if (!rc && strcmp(got, sha256_hex) != 0)
		rc = corrupt(obj, sha256_hex, got);
	if (rc) {
		close(out);
		goto done;
	}
	if (fsync(out) != 0 || fchmod(out, 0644) != 0 || close(out) != 0) {
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	/* link() rather than rename(): never replace a file that appeared
	 * meanwhile.  Where hard links are unsupported, fall back to rename after
	 * a last check (a narrow race, on such filesystems only). */
	if (link(tmp, dest) != 0) {
		if (errno == EEXIST || lstat(dest, &sb) == 0) {
			rc = ry_error_set(RY_EEXISTS, "%s already exists; remove it or export elsewhere", dest);
			goto done;
		}
		if (rename(tmp, dest) != 0) {
			rc = ry_error_set(RY_EIO, "cannot create %s: %s", dest, strerror(errno));
			goto done;
		}
	}
done:
	if (tmp)
		unlink(tmp);
	close(in);
	free(tmp);
	free(dir);
	free(obj);
	return rc;
}

int ry_artifact_record_external(ry_store *st, int64_t run_id, const char *relpath, const char *uri,
                                int64_t size)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO artifacts(run_id, path, sha256, size, uri) "
	                                     "VALUES (?, ?, '', ?, ?) ON CONFLICT(run_id, path) DO UPDATE SET "
	                                     "sha256 = '', size = excluded.size, uri = excluded.uri");
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, relpath, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, size);
	sqlite3_bind_text(s, 4, uri, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "recording an artifact");
	sqlite3_reset(s);
	return rc;
}

int ry_artifact_list(ry_store *st, int64_t run_id, ry_artifact **out, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT path, sha256, size, uri FROM artifacts WHERE run_id = ? "
	                                     "ORDER BY path");
	ry_artifact *v = NULL;
	size_t len = 0, cap = 0;
	int rc;
	sqlite3_bind_int64(s, 1, run_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(s, 1);
		v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		v[len].run_id = run_id;
		v[len].path = ry_store__column_dup(s, 0);
		snprintf(v[len].sha256, sizeof v[len].sha256, "%s", sha ? sha : "");
		v[len].size = sqlite3_column_int64(s, 2);
		v[len].uri = ry_store__column_dup(s, 3);
		len++;
	}
	if (rc != SQLITE_DONE) {
		rc = ry_store__sqlerr(st, "listing artifacts");
		sqlite3_reset(s);
		ry_artifacts_free(v, len);
		return rc;
	}
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return 0;
}

void ry_artifacts_free(ry_artifact *a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++) {
		free(a[i].path);
		free(a[i].uri);
	}
	free(a);
}
