/*
 * Code packs (see codepack.h): walk the git index for the tracked paths,
 * read each one from the working tree, and write a ustar archive with a
 * running SHA-256.  Walking the index instead of applying a diff to the
 * HEAD tree gives the same result (commit + uncommitted changes of tracked
 * files) with nothing to get wrong.  Uploading is launch.c's job.
 */
#include "codepack.h"
#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------- */

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};

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

static void sha_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha_init(struct sha256 *s)
{
	static const uint32_t init[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, init, sizeof init);
	s->len = 0;
	s->n = 0;
}

static void sha_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	s->len += len;
	while (len) {
		size_t take = 64 - s->n < len ? 64 - s->n : len;
		memcpy(s->buf + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n == 64) {
			sha_block(s, s->buf);
			s->n = 0;
		}
	}
}

static void sha_final(struct sha256 *s, char hex[65])
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, zero = 0, lenb[8];
	sha_update(s, &pad, 1);
	while (s->n != 56)
		sha_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha_update(s, lenb, 8);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}

int ry_codepack_sha256_file(const char *path, char hex[65], int64_t *size)
{
	struct sha256 s;
	char buf[65536];
	ssize_t n;
	int64_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ry_error_set(errno == ENOENT ? RY_ENOTFOUND : RY_EIO, "cannot read %s: %s", path, strerror(errno));
	sha_init(&s);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		sha_update(&s, buf, (size_t)n);
		total += n;
	}
	close(fd);
	if (n < 0)
		return ry_error_set(RY_EIO, "cannot read %s: %s", path, strerror(errno));
	sha_final(&s, hex);
	if (size)
		*size = total;
	return 0;
}

/* ---- tar writer --------------------------------------------------------- */

struct tarw {
	FILE *f;
	struct sha256 sha;
	int64_t size;
	int err;
};

static void tw_put(struct tarw *t, const void *p, size_t n)
{
	if (fwrite(p, 1, n, t->f) != n)
		t->err = errno ? errno : EIO;
	sha_update(&t->sha, p, n);
	t->size += (int64_t)n;
}

static void tw_pad(struct tarw *t, int64_t n)
{
	static const char zeros[512];
	size_t rem = (size_t)(n % 512);
	if (rem)
		tw_put(t, zeros, 512 - rem);
}

static void octal(char *field, size_t width, uint64_t v)
{
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

static void tw_header(struct tarw *t, const char *name, char type, unsigned mode, int64_t size, const char *link)
{
	char h[512];
	size_t nl = strlen(name);
	unsigned sum = 0;
	memset(h, 0, sizeof h);
	if (nl > 100) {
		/* ustar's prefix field first; beyond it a GNU long-name record,
		 * which GNU and BSD tar both read. */
		const char *slash = NULL;
		for (const char *p = name; *p; p++)
			if (*p == '/' && (size_t)(p - name) <= 155 && nl - (size_t)(p - name) - 1 <= 100)
				slash = p;
		if (slash) {
			memcpy(h + 345, name, (size_t)(slash - name));
			memcpy(h, slash + 1, nl - (size_t)(slash - name) - 1);
		} else {
			tw_header(t, "././@LongLink", 'L', 0644, (int64_t)nl + 1, NULL);
			tw_put(t, name, nl + 1);
			tw_pad(t, (int64_t)nl + 1);
			memcpy(h, name, 100);
		}
	} else {
		memcpy(h, name, nl);
	}
	octal(h + 100, 8, mode);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, (uint64_t)size);
	octal(h + 136, 12, 0);
	memset(h + 148, ' ', 8);
	h[156] = type;
	if (link)
		strncpy(h + 157, link, 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	tw_put(t, h, 512);
}

/* Add workdir file `rel` under `root`.  Missing files (deleted in the working
 * tree) are skipped: the pack is what the user has. */
static int tw_add(struct tarw *t, const char *root, const char *rel, size_t *nfiles)
{
	char *path = ry_xasprintf("%s/%s", root, rel);
	struct stat sb;
	int rc = 0;
	if (lstat(path, &sb) != 0) {
		free(path);
		return 0;
	}
	if (S_ISLNK(sb.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n >= 0 && n <= 100) {
			target[n] = '\0';
			tw_header(t, rel, '2', 0777, 0, target);
			(*nfiles)++;
		}
	} else if (S_ISREG(sb.st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		char buf[65536];
		ssize_t n;
		int64_t done = 0;
		if (fd < 0) {
			rc = ry_error_set(RY_EIO, "cannot read %s: %s", path, strerror(errno));
			free(path);
			return rc;
		}
		tw_header(t, rel, '0', (sb.st_mode & 0111) ? 0755 : 0644, sb.st_size, NULL);
		while (done < sb.st_size && (n = read(fd, buf, sizeof buf)) > 0) {
			if (done + n > sb.st_size)
				n = (ssize_t)(sb.st_size - done); /* grew while we read: keep the header honest */
			tw_put(t, buf, (size_t)n);
			done += n;
		}
		close(fd);
		if (done < sb.st_size) {
			/* shrank while we read: pad with zeros to the announced size */
			memset(buf, 0, sizeof buf);
			while (done < sb.st_size) {
				size_t k = sb.st_size - done < (int64_t)sizeof buf ? (size_t)(sb.st_size - done) : sizeof buf;
				tw_put(t, buf, k);
				done += (int64_t)k;
			}
		}
		tw_pad(t, sb.st_size);
		(*nfiles)++;
	}
	free(path);
	return rc;
}

/* ---- sources -------------------------------------------------------------- */

static pthread_once_t git_once = PTHREAD_ONCE_INIT;

static void git_init(void)
{
	git_libgit2_init();
}

static int giterr(const char *what)
{
	const git_error *e = git_error_last();
	return ry_error_set(RY_ERROR, "%s: %s", what, e && e->message ? e->message : "git error");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file and symlink under root (minus .git), relative paths. */
static void walk_dir(const char *root, const char *rel, char ***v, size_t *n, size_t *cap)
{
	char *dir = *rel ? ry_xasprintf("%s/%s", root, rel) : ry_xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d) {
		free(dir);
		return;
	}
	while ((de = readdir(d))) {
		char *r, *full;
		struct stat sb;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".git"))
			continue;
		r = *rel ? ry_xasprintf("%s/%s", rel, de->d_name) : ry_xstrdup(de->d_name);
		full = ry_xasprintf("%s/%s", root, r);
		if (lstat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			walk_dir(root, r, v, n, cap);
			free(r);
		} else {
			*v = ry_xgrow(*v, cap, *n + 1, sizeof **v);
			(*v)[(*n)++] = r;
		}
		free(full);
	}
	closedir(d);
	free(dir);
}

static char *relative_to(const char *root, const char *dir)
{
	char *r = realpath(root, NULL), *d = realpath(dir, NULL), *out;
	size_t rl;
	if (!r || !d) {
		free(r);
		free(d);
		return ry_xstrdup("");
	}
	rl = strlen(r);
	if (!strncmp(d, r, rl) && (d[rl] == '/' || d[rl] == '\0'))
		out = ry_xstrdup(d[rl] ? d + rl + 1 : "");
	else
		out = ry_xstrdup("");
	free(r);
	free(d);
	return out;
}

int ry_codepack_create(ry_codepack **out, const char *dir, const char *fallback_dir, ry_progress_fn progress,
                       void *payload)
{
	git_repository *repo = NULL;
	ry_codepack *p;
	char **files = NULL;
	size_t nfiles = 0, cap = 0;
	char *tmpl = NULL;
	const char *tmpdir = getenv("TMPDIR");
	struct tarw t;
	int rc = 0;
	static const char zeros[1024];

	*out = NULL;
	pthread_once(&git_once, git_init);
	p = ry_xcalloc(1, sizeof *p);
	if (git_repository_open_ext(&repo, dir, 0, NULL) == 0 && !git_repository_is_bare(repo)) {
		git_index *idx = NULL;
		git_reference *head = NULL;
		git_status_list *sl = NULL;
		git_status_options so;
		const char *wd = git_repository_workdir(repo);
		size_t len = strlen(wd);
		p->root = ry_xstrndup(wd, len > 1 && wd[len - 1] == '/' ? len - 1 : len);
		if (git_repository_index(&idx, repo) != 0) {
			rc = giterr("reading the git index");
			git_repository_free(repo);
			goto fail;
		}
		for (size_t i = 0; i < git_index_entrycount(idx); i++) {
			const git_index_entry *e = git_index_get_byindex(idx, i);
			if (!e || git_index_entry_stage(e) > 1 || (e->mode & 0170000) == 0160000)
				continue; /* conflict stages beyond the first, submodules */
			if (nfiles && !strcmp(files[nfiles - 1], e->path))
				continue;
			files = ry_xgrow(files, &cap, nfiles + 1, sizeof *files);
			files[nfiles++] = ry_xstrdup(e->path);
		}
		git_index_free(idx);
		if (git_repository_head(&head, repo) == 0) {
			char hex[GIT_OID_HEXSZ + 1];
			const git_oid *oid = git_reference_target(head);
			if (oid) {
				git_oid_tostr(hex, sizeof hex, oid);
				p->commit = ry_xstrdup(hex);
			}
			if (git_reference_is_branch(head))
				p->branch = ry_xstrdup(git_reference_shorthand(head));
			git_reference_free(head);
		}
		git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
		so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
		so.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
		if (git_status_list_new(&sl, repo, &so) == 0) {
			p->dirty = git_status_list_entrycount(sl) > 0;
			git_status_list_free(sl);
		}
		git_repository_free(repo);
	} else if (fallback_dir && *fallback_dir) {
		struct stat sb;
		git_repository_free(repo);
		if (stat(fallback_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			rc = ry_error_set(RY_EINVAL, "the experiment's code directory %s does not exist; fix it or "
			                  "launch from inside a git repository", fallback_dir);
			goto fail;
		}
		p->root = ry_xstrdup(fallback_dir);
		walk_dir(p->root, "", &files, &nfiles, &cap);
		if (nfiles)
			qsort(files, nfiles, sizeof *files, cmp_str);
	} else {
		git_repository_free(repo);
		rc = ry_error_set(RY_EINVAL, "%s is not inside a git repository, so runyard does not know which files "
		                  "are your code; launch from inside your repository, or set the experiment's code "
		                  "directory", dir);
		goto fail;
	}
	p->subdir = relative_to(p->root, dir);

	tmpl = ry_xasprintf("%s/runyard-pack-XXXXXX", tmpdir && *tmpdir == '/' ? tmpdir : "/tmp");
	if (!mkdtemp(tmpl)) {
		rc = ry_error_set(RY_EIO, "cannot create a temp dir: %s", strerror(errno));
		goto fail;
	}
	p->path = ry_xasprintf("%s/code.tar", tmpl);
	memset(&t, 0, sizeof t);
	sha_init(&t.sha);
	t.f = fopen(p->path, "wb");
	if (!t.f) {
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", p->path, strerror(errno));
		goto fail;
	}
	for (size_t i = 0; !rc && i < nfiles; i++) {
		rc = tw_add(&t, p->root, files[i], &p->nfiles);
		if (progress && (i % 64 == 0 || i + 1 == nfiles))
			progress((double)(i + 1) / (double)nfiles, "packing code", payload);
	}
	tw_put(&t, zeros, sizeof zeros);
	if (fclose(t.f) != 0 && !t.err)
		t.err = errno;
	if (!rc && t.err)
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", p->path, strerror(t.err));
	if (rc)
		goto fail;
	sha_final(&t.sha, p->sha256);
	p->size = t.size;
	ry_strings_free(files, nfiles);
	free(tmpl);
	*out = p;
	return 0;
fail:
	ry_strings_free(files, nfiles);
	free(tmpl);
	ry_codepack_free(p);
	return rc;
}

void ry_codepack_free(ry_codepack *p)
{
	if (!p)
		return;
	if (p->path) {
		char *slash;
		unlink(p->path);
		slash = strrchr(p->path, '/');
		if (slash) {
			*slash = '\0';
			rmdir(p->path);
		}
	}
	free(p->path);
	free(p->root);
	free(p->subdir);
	free(p->commit);
	free(p->branch);
	free(p);
}
