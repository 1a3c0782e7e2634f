/*
 * The content-addressed artifact store: SHA-256, putting files in (hash while
 * copying to a temp file, then rename), verifying and exporting them, and the
 * per-run artifacts table.
 *
 * It does not decide which artifact is a model or who may use it; that is
 * the registry's job.  SHA-256 lives here rather than in a crypto library so
 * that core has no OpenSSL dependency; it is the plain FIPS 180-4 algorithm,
 * tested against the standard vectors and sha256sum.
 */
#include "registry/artifact.h"
#include "base/alloc.h"
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

/* ---- SHA-256 ----------------------------------------------------------- */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

void ry_sha256_init(ry_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(c->h, iv, sizeof iv);
	c->nbytes = 0;
	c->nblock = 0;
}

void ry_sha256_update(ry_sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	c->nbytes += n;
	if (c->nblock) {
		size_t take = 64 - c->nblock < n ? 64 - c->nblock : n;
		memcpy(c->block + c->nblock, p, take);
		c->nblock += take;
		p += take;
		n -= take;
		if (c->nblock < 64)
			return;
		compress(c->h, c->block);
		c->nblock = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		compress(c->h, p);
	memcpy(c->block, p, n);
	c->nblock = n;
}

void ry_sha256_final_hex(ry_sha256 *c, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint64_t bits = c->nbytes * 8;
	c->block[c->nblock++] = 0x80;
	if (c->nblock > 56) {
		memset(c->block + c->nblock, 0, 64 - c->nblock);
		compress(c->h, c->block);
		c->nblock = 0;
	}
	memset(c->block + c->nblock, 0, 56 - c->nblock);
	for (int i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(c->h, c->block);
	for (int i = 0; i < 32; i++) {
		unsigned char byte = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
		hex[2 * i] = digits[byte >> 4];
		hex[2 * i + 1] = digits[byte & 15];
	}
	hex[64] = '\0';
}

void ry_sha256_hex(const void *data, size_t n, char hex[65])
{
	ry_sha256 c;
	ry_sha256_init(&c);
	ry_sha256_update(&c, data, n);
	ry_sha256_final_hex(&c, hex);
}

int ry_sha256_valid(const char *s)
{
	size_t i;
	if (!s)
		return 0;
	for (i = 0; s[i]; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return i == 64;
}

#define COPY_CHUNK (256 * 1024)

/* Stream fd `in` through the hash, writing every byte to `out` too when
 * out >= 0.  `what` names the source in messages. */
static int hash_stream(int in, int out, const char *what, const char *dest, char hex[65], int64_t *size)
{
	unsigned char *buf = ry_xmalloc(COPY_CHUNK);
	ry_sha256 c;
	int64_t total = 0;
	int rc = 0;
	ry_sha256_init(&c);
	for (;;) {
		ssize_t n = read(in, buf, COPY_CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ry_error_set(RY_EIO, "cannot read %s: %s", what, strerror(errno));
			goto out;
		}
		ry_sha256_update(&c, buf, (size_t)n);
		total += n;
		for (ssize_t off = 0; out >= 0 && off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = ry_error_set(RY_EIO, "cannot write %s: %s; check free space and permissions",
				                  dest, strerror(errno));
				goto out;
			}
			off += w;
		}
	}
	ry_sha256_final_hex(&c, hex);
	if (size)
		*size = total;
out:
	free(buf);
	return rc;
}

static int open_regular(const char *path, const char *what)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ry_error_set(errno == ENOENT ? RY_ENOTFOUND : RY_EIO, "cannot open %s %s: %s",
		                    what, path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ry_error_set(RY_EINVAL, "%s %s is not a regular file", what, path);
	}
	return fd;
}

int ry_sha256_file(const char *path, char sha256_hex[65], int64_t *size)
{
	int fd = open_regular(path, "file"), rc;
	if (fd < 0)
		return fd;
	rc = hash_stream(fd, -1, path, NULL, sha256_hex, size);
	close(fd);
	return rc;
}

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

	if ((in = open_regular(src, "artifact")) < 0) {
		free(root);
		return in;
	}
	if ((rc = ry_mkdir_p(root)))
		goto done;
	if ((out = make_temp(root, &tmp)) < 0) {
		rc = out;
		goto done;
	}
	if ((rc = hash_stream(in, out, src, tmp, sha256_hex, size))) {
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
	rc = hash_stream(fd, -1, obj, NULL, got, NULL);
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
	rc = hash_stream(in, out, obj, tmp, got, NULL);
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

int ry_artifact_list(ry_store *st, int64_t run_id, ry_artifact **out, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT path, sha256, size FROM artifacts WHERE run_id = ? "
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
	for (size_t i = 0; i < n; i++)
		free(a[i].path);
	free(a);
}
