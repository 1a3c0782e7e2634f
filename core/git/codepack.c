/*
 * Code packs (see codepack.h): walk the git index for the tracked paths,
 * read each one from the working tree, and write a ustar archive with a
 * running SHA-256.  Walking the index instead of applying a diff to the
 * HEAD tree gives the same result (commit + uncommitted changes of tracked
 * files) with nothing to get wrong.  Uploading is launch.c's job.
 */
#include "git/codepack.h"
#include "git/git_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/sha256.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- tar writer --------------------------------------------------------- */

struct tarw {
	FILE *f;
	ry_sha256 sha;
	int64_t size;
	int err;
};

static void tw_put(struct tarw *t, const void *p, size_t n)
{
	if (fwrite(p, 1, n, t->f) != n)
		t->err = errno ? errno : EIO;
	ry_sha256_update(&t->sha, p, n);
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
	ry_git__init();
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
			rc = ry_git__fail(RY_ERROR, "reading the git index");
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
	ry_sha256_init(&t.sha);
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
	ry_sha256_final_hex(&t.sha, p->sha256);
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
	if (p->path && !p->kept) {
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

int ry_codepack_keep(const ry_codepack *p, const char *dir, char **path)
{
	char *dest = ry_xasprintf("%s/%s.tar", dir, p->sha256), *tmp = NULL;
	char hex[65];
	int in = -1, out = -1, rc;
	struct stat sb;
	*path = NULL;
	if (stat(dest, &sb) == 0) {
		*path = dest;
		return 0;
	}
	if ((rc = ry_mkdir_p(dir)))
		goto fail;
	tmp = ry_xasprintf("%s.tmp.%ld", dest, (long)getpid());
	in = open(p->path, O_RDONLY | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in < 0 || out < 0) {
		rc = ry_error_set(RY_EIO, "cannot keep the code pack in %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((rc = ry_sha256_fd(in, out, p->path, tmp, hex, NULL)))
		goto fail;
	if (fsync(out) != 0 || close(out) != 0 || rename(tmp, dest) != 0) {
		out = -1;
		rc = ry_error_set(RY_EIO, "cannot keep the code pack as %s: %s", dest, strerror(errno));
		goto fail;
	}
	close(in);
	free(tmp);
	*path = dest;
	return 0;
fail:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(dest);
	return rc;
}

int ry_codepack_open(ry_codepack **out, const char *path, const char *subdir, const char *commit,
                     const char *branch, bool dirty)
{
	ry_codepack *p;
	char hex[65];
	const char *base = strrchr(path, '/');
	int64_t size;
	int rc;
	*out = NULL;
	if ((rc = ry_sha256_file(path, hex, &size)))
		return rc == RY_ENOTFOUND ? ry_error_set(rc, "the kept code pack %s is gone", path) : rc;
	base = base ? base + 1 : path;
	if (strncmp(base, hex, 64) || strcmp(base + 64, ".tar"))
		return ry_error_set(RY_ECORRUPT, "the kept code pack %s no longer matches its name (sha256 %s)", path, hex);
	p = ry_xcalloc(1, sizeof *p);
	p->path = ry_xstrdup(path);
	memcpy(p->sha256, hex, sizeof p->sha256);
	p->size = size;
	p->subdir = ry_xstrdup(subdir ? subdir : "");
	p->commit = commit ? ry_xstrdup(commit) : NULL;
	p->branch = branch ? ry_xstrdup(branch) : NULL;
	p->dirty = dirty;
	p->kept = true;
	*out = p;
	return 0;
}
