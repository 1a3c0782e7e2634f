/*
 * MLflow's file store (an mlruns/ directory), read directly: the store's
 * layout, its experiments, and the import of its runs.
 *
 * The layout is MLflow 2.x's FileStore (mlflow/store/tracking/file_store.py):
 * one directory per experiment named by its id, holding meta.yaml and one
 * directory per run; deleted experiments moved to .trash/ (skipped, as a
 * deleted run is); the registry under models/ (registry.c).  Only what
 * MLflow itself would list is imported, and what MLflow would warn about
 * and skip (a directory without meta.yaml, a run filed under the wrong
 * experiment) is skipped with a warning too.  Everything else that cannot
 * be read is an error naming the file.
 *
 * An import reads the store twice: first every run, to check that all of
 * it reads and to ask core which runs changed (their fingerprints), then
 * again the changed ones with their histories, to send.  So a store with a
 * broken file anywhere imports nothing rather than half, and no run's whole
 * history is held while the rest are read.  Writing is never done here.
 */
#include "plugins/mlflow/files/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files and directories -------------------------------------------- */

int mlf_files_read(const mlf_files *fs, const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	*text = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return mlf_error(fs->svc, RY_PLUGIN_EIO, "%s: %s", path, strerror(e));
	}
	size_t cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 256, n = 0;
	char *buf = mlf_xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			buf = mlf_xrealloc(buf, cap *= 2);
		ssize_t got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			close(fd);
			free(buf);
			return mlf_error(fs->svc, RY_PLUGIN_EIO, "%s: %s", path, strerror(e));
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int mlf_files_meta(const mlf_files *fs, const char *path, mlf_yaml **out)
{
	char *text, *why;
	size_t len;
	int rc = mlf_files_read(fs, path, &text, &len);
	*out = NULL;
	if (rc)
		return rc;
	if (mlf_yaml_parse(out, text, len, &why)) {
		rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: %s: not a meta.yaml MLflow writes", path, why);
		free(why);
	}
	free(text);
	return rc;
}

void mlf_files_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_add(char ***v, size_t *n, size_t *cap, char *s)
{
	if (*n == *cap)
		*v = mlf_xrealloc(*v, (*cap = *cap ? *cap * 2 : 16) * sizeof **v);
	(*v)[(*n)++] = s;
}

/* Is dir/name a directory (following a symlink, as os.path.isdir does)? */
static int entry_kind(const char *dir, const char *name)
{
	char *p = mlf_xasprintf("%s/%s", dir, name);
	struct stat sb;
	int k = stat(p, &sb) != 0 ? -1 : S_ISDIR(sb.st_mode) ? 1 : S_ISREG(sb.st_mode) ? 0 : -1;
	free(p);
	return k;
}

int mlf_files_list(const mlf_files *fs, const char *dir, bool dirs, bool optional, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	size_t cap = 0;
	struct dirent *e;
	*names = NULL;
	*n = 0;
	if (!d) {
		if (optional && errno == ENOENT)
			return 0;
		return mlf_error(fs->svc, RY_PLUGIN_EIO, "%s: %s", dir, strerror(errno));
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		int k = entry_kind(dir, e->d_name);
		if (k == (dirs ? 1 : 0))
			names_add(names, n, &cap, mlf_xstrdup(e->d_name));
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof **names, name_cmp);
	return 0;
}

static int tree_walk(const mlf_files *fs, const char *dir, const char *prefix, char ***v, size_t *n, size_t *cap,
                     int depth)
{
	char **sub;
	size_t nsub;
	int rc;
	if (depth > 32)
		return mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: directories nested too deeply for a key", dir);
	if ((rc = mlf_files_list(fs, dir, false, depth == 0, &sub, &nsub)))
		return rc;
	for (size_t i = 0; i < nsub; i++)
		names_add(v, n, cap, prefix ? mlf_xasprintf("%s/%s", prefix, sub[i]) : mlf_xstrdup(sub[i]));
	mlf_files_names_free(sub, nsub);
	if ((rc = mlf_files_list(fs, dir, true, depth == 0, &sub, &nsub)))
		return rc;
	for (size_t i = 0; i < nsub && !rc; i++) {
		char *d = mlf_xasprintf("%s/%s", dir, sub[i]);
		char *p = prefix ? mlf_xasprintf("%s/%s", prefix, sub[i]) : mlf_xstrdup(sub[i]);
		rc = tree_walk(fs, d, p, v, n, cap, depth + 1);
		free(d);
		free(p);
	}
	mlf_files_names_free(sub, nsub);
	return rc;
}

int mlf_files_tree(const mlf_files *fs, const char *dir, char ***names, size_t *n)
{
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	int rc = tree_walk(fs, dir, NULL, names, n, &cap, 0);
	if (rc) {
		mlf_files_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof **names, name_cmp);
	return 0;
}

/* ---- experiments --------------------------------------------------------- */

typedef struct experiment {
	char *id, *name, *dir;
} experiment;

static void experiments_free(experiment *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].name);
		free(v[i].dir);
	}
	free(v);
}

static void warn(const mlf_files *fs, const char *msg)
{
	if (fs->svc->log)
		fs->svc->log(fs->svc->host, RY_PLUGIN_LOG_WARN, msg);
}

/* The store's active experiments (all of them, or only those wanted),
 * in id order.  *found counts every experiment directory seen, so open can
 * tell a store from a directory that is not one. */
static int experiments_list(const mlf_files *fs, bool only_wanted, experiment **out, size_t *nout, size_t *found)
{
	char **names;
	size_t n, cap = 0;
	int rc = mlf_files_list(fs, fs->root, true, false, &names, &n);
	*out = NULL;
	*nout = 0;
	if (found)
		*found = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		/* .trash holds deleted experiments; models/ is the registry */
		if (!strcmp(names[i], ".trash") || !strcmp(names[i], "models"))
			continue;
		char *dir = mlf_xasprintf("%s/%s", fs->root, names[i]);
		char *meta = mlf_xasprintf("%s/meta.yaml", dir);
		mlf_yaml *y = NULL;
		if (access(meta, F_OK) != 0) {
			/* MLflow warns and skips a folder without meta.yaml */
			char *m = mlf_xasprintf("%s: no meta.yaml, not an experiment; skipped", dir);
			warn(fs, m);
			free(m);
		} else if (!(rc = mlf_files_meta(fs, meta, &y))) {
			const char *id = mlf_yaml_str(y, "experiment_id"), *name = mlf_yaml_str(y, "name");
			const char *stage = mlf_yaml_str(y, "lifecycle_stage");
			if (found)
				(*found)++;
			if (!id || !name) {
				rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: no %s: not an experiment's meta.yaml", meta,
				               !id ? "experiment_id" : "name");
			} else if (strcmp(id, names[i])) {
				char *m = mlf_xasprintf("%s: experiment_id '%s' is not its folder's name; skipped, as MLflow "
				                        "does", meta, id);
				warn(fs, m);
				free(m);
			} else if ((!stage || !strcmp(stage, "active")) && (!only_wanted || mlf_experiment_wanted(fs->svc, name))) {
				if (*nout == cap)
					*out = mlf_xrealloc(*out, (cap = cap ? cap * 2 : 8) * sizeof **out);
				(*out)[(*nout)++] = (experiment){ mlf_xstrdup(id), mlf_xstrdup(name), dir };
				dir = NULL;
			}
		}
		mlf_yaml_free(y);
		free(meta);
		free(dir);
	}
	mlf_files_names_free(names, n);
	if (rc) {
		experiments_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
	return rc;
}

/* ---- the ops ---------------------------------------------------------------- */

static int files_open(void **self, const ry_plugin_services *svc, const char *source)
{
	mlf_files *fs = mlf_xmalloc(sizeof *fs);
	experiment *v;
	size_t n, found;
	*self = NULL;
	*fs = (mlf_files){ svc, mlf_xstrdup(source), mlf_xstrdup(mlf_source_path(source)) };
	/* "mlruns/" and "mlruns" are the same store */
	for (size_t l = strlen(fs->root); l > 1 && fs->root[l - 1] == '/'; l--)
		fs->root[l - 1] = '\0';
	int rc = experiments_list(fs, false, &v, &n, &found);
	if (rc == 0 && found == 0) {
		char *trash = mlf_xasprintf("%s/.trash", fs->root);
		bool has_trash = access(trash, F_OK) == 0;
		free(trash);
		/* a store all of whose experiments are deleted is still one */
		if (!has_trash)
			rc = mlf_error(svc, RY_PLUGIN_EINVAL, "%s: not an MLflow file store (an mlruns/ directory holds a "
			               "folder per experiment, each with a meta.yaml; none here)", fs->root);
	}
	experiments_free(v, n);
	if (rc) {
		free(fs->source);
		free(fs->root);
		free(fs);
		return rc;
	}
	*self = fs;
	return 0;
}

static int files_list_experiments(void *self, char ***names, size_t *n)
{
	mlf_files *fs = self;
	experiment *v;
	size_t nv;
	int rc = experiments_list(fs, true, &v, &nv, NULL);
	*names = NULL;
	*n = 0;
	if (rc)
		return rc;
	*names = mlf_xmalloc((nv ? nv : 1) * sizeof **names);
	for (size_t i = 0; i < nv; i++)
		(*names)[i] = mlf_xstrdup(v[i].name);
	*n = nv;
	experiments_free(v, nv);
	return 0;
}

/* One run to import: where it is and under which experiment. */
typedef struct todo {
	char *dir;
	const experiment *exp;
	bool send;
} todo;

/* Every run directory of the wanted experiments (MLflow's _list_run_infos:
 * the experiment's subfolders but its tags/ and datasets/). */
static int runs_list(const mlf_files *fs, const experiment *exps, size_t nexp, todo **out, size_t *nout)
{
	size_t cap = 0;
	int rc = 0;
	*out = NULL;
	*nout = 0;
	for (size_t e = 0; e < nexp && !rc; e++) {
		char **names;
		size_t n;
		if ((rc = mlf_files_list(fs, exps[e].dir, true, false, &names, &n)))
			break;
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(names[i], "tags") || !strcmp(names[i], "datasets"))
				continue;
			if (*nout == cap)
				*out = mlf_xrealloc(*out, (cap = cap ? cap * 2 : 64) * sizeof **out);
			(*out)[(*nout)++] = (todo){ mlf_xasprintf("%s/%s", exps[e].dir, names[i]), &exps[e], false };
		}
		mlf_files_names_free(names, n);
	}
	return rc;
}

static void progress(const mlf_files *fs, int64_t done, int64_t total)
{
	if (fs->svc->progress)
		fs->svc->progress(fs->svc->host, done, total);
}

/* Pass one: read every run's listing (latest points, no histories), and
 * mark the ones core does not hold as they are now. */
static int runs_check(const mlf_files *fs, todo *t, size_t n, int64_t *done)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		mlf_run r = { 0 };
		bool skip;
		rc = mlf_files_run(fs, t[i].dir, t[i].exp->id, t[i].exp->name, false, &r, &skip);
		if (rc == 0 && !skip) {
			int u = mlf_run_unchanged(fs->svc, &r);
			if (u < 0)
				rc = u;
			t[i].send = u == 0;
		}
		if (rc == 0 && !t[i].send)
			progress(fs, ++*done, (int64_t)n);
		mlf_run_clear(&r);
	}
	return rc;
}

/* Pass two: the marked runs again, with their histories, into core. */
static int runs_send(const mlf_files *fs, todo *t, size_t n, int64_t *done)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!t[i].send)
			continue;
		mlf_run r = { 0 };
		bool skip;
		rc = mlf_files_run(fs, t[i].dir, t[i].exp->id, t[i].exp->name, true, &r, &skip);
		if (rc == 0 && !skip)
			rc = mlf_run_import(fs->svc, fs->source, &r);
		if (rc == 0)
			progress(fs, ++*done, (int64_t)n);
		mlf_run_clear(&r);
	}
	return rc;
}

static int files_import_runs(void *self, const char *since, char **cursor)
{
	mlf_files *fs = self;
	experiment *exps;
	todo *t = NULL;
	size_t nexp, n = 0;
	int64_t done = 0;
	/* a file store has no change log to resume from: fingerprints skip
	 * what did not change */
	(void)since;
	*cursor = NULL;
	int rc = experiments_list(fs, true, &exps, &nexp, NULL);
	if (rc)
		return rc;
	if (!(rc = runs_list(fs, exps, nexp, &t, &n))) {
		progress(fs, 0, (int64_t)n);
		if (!(rc = runs_check(fs, t, n, &done)))
			rc = runs_send(fs, t, n, &done);
	}
	for (size_t i = 0; i < n; i++)
		free(t[i].dir);
	free(t);
	experiments_free(exps, nexp);
	return rc;
}

static int files_sync_registry(void *self)
{
	return mlf_files_registry(self);
}

static void files_close(void *self)
{
	mlf_files *fs = self;
	if (!fs)
		return;
	free(fs->source);
	free(fs->root);
	free(fs);
}

const mlf_source_ops mlf_files_source = {
	.what = "file store",
	.open = files_open,
	.list_experiments = files_list_experiments,
	.import_runs = files_import_runs,
	.sync_registry = files_sync_registry,
	.close = files_close,
};
