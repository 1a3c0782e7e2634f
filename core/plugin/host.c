/*
 * The registry of plugins: built-ins registered by table at start, exec
 * plugins found on disk by name, and the list `runyard plugins` shows.
 *
 * This file knows the ops *types* only, never a plugin: which built-ins
 * exist is the binary's business (plugins/builtin.c).  It does not talk to
 * a plugin (exec.c does) nor write the workspace (session.c does).
 */
#include "plugin/plugin_internal.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* plugin.h repeats the codes so a plugin needs no other header. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(RY_PLUGIN_ERROR, RY_ERROR) && SAME(RY_PLUGIN_EINVAL, RY_EINVAL) &&
               SAME(RY_PLUGIN_ENOTFOUND, RY_ENOTFOUND) && SAME(RY_PLUGIN_EEXISTS, RY_EEXISTS) &&
               SAME(RY_PLUGIN_EIO, RY_EIO) && SAME(RY_PLUGIN_ECORRUPT, RY_ECORRUPT) &&
               SAME(RY_PLUGIN_EBUSY, RY_EBUSY) && SAME(RY_PLUGIN_EREFUSED, RY_EREFUSED),
               "plugin.h's error codes must equal error.h's");

#define PREFIX "runyard-plugin-"
#define MAX_BUILTIN 32

static const ry_tracker_ops *trackers[MAX_BUILTIN];
static size_t ntrackers;
static const ry_serving_ops *servings[MAX_BUILTIN];
static size_t nservings;

struct ry_plugin {
	char *name;
	char *where;
	const ry_tracker_ops *tracker; /* lent (built-in) or owned_tracker */
	const ry_serving_ops *serving; /* lent (built-in) or owned_serving */
	ry_tracker_ops *owned_tracker; /* an exec adapter's tables */
	ry_serving_ops *owned_serving;
};

bool ry_plugin_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 64 || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[0]))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int check_ops(unsigned version, const char *name, bool has_open, bool has_close, const char *kind)
{
	if (version != RY_PLUGIN_ABI)
		return ry_error_set(RY_EINVAL, "%s plugin '%s' was built for plugin ABI %u; this runyard has ABI %d",
		                    kind, name ? name : "?", version, RY_PLUGIN_ABI);
	if (!ry_plugin_name_ok(name))
		return ry_error_set(RY_EINVAL, "%s plugin name '%s' is not one: use [a-z0-9][a-z0-9._-]*", kind,
		                    name ? name : "");
	if (!has_open || !has_close)
		return ry_error_set(RY_EINVAL, "%s plugin '%s' has no open or close", kind, name);
	return 0;
}

int ry_plugin_register_tracker(const ry_tracker_ops *ops)
{
	int rc = check_ops(ops->version, ops->name, ops->open != NULL, ops->close != NULL, "tracker");
	if (rc)
		return rc;
	for (size_t i = 0; i < ntrackers; i++)
		if (!strcmp(trackers[i]->name, ops->name))
			return ry_error_set(RY_EEXISTS, "tracker plugin '%s' is registered twice", ops->name);
	if (ntrackers == MAX_BUILTIN)
		return ry_error_set(RY_ERROR, "too many built-in tracker plugins (at most %d)", MAX_BUILTIN);
	trackers[ntrackers++] = ops;
	return 0;
}

int ry_plugin_register_serving(const ry_serving_ops *ops)
{
	int rc = check_ops(ops->version, ops->name, ops->open != NULL, ops->close != NULL, "serving");
	if (rc)
		return rc;
	for (size_t i = 0; i < nservings; i++)
		if (!strcmp(servings[i]->name, ops->name))
			return ry_error_set(RY_EEXISTS, "serving plugin '%s' is registered twice", ops->name);
	if (nservings == MAX_BUILTIN)
		return ry_error_set(RY_ERROR, "too many built-in serving plugins (at most %d)", MAX_BUILTIN);
	servings[nservings++] = ops;
	return 0;
}

void ry_plugin_unregister_all(void)
{
	ntrackers = nservings = 0;
}

/* ---- exec plugins on disk ----------------------------------------------- */

/* The directories searched, in order (each malloc'd; ry_strings_free). */
static char **search_dirs(size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	const char *path = getenv("PATH");
	*n = 0;
	if (path) {
		const char *p = path;
		for (;;) {
			const char *e = strchr(p, ':');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			/* An empty PATH entry means the current directory; a plugin is
			 * never picked up from wherever runyard happens to run. */
			if (len > 0) {
				v = ry_xgrow(v, &cap, *n + 1, sizeof *v);
				v[(*n)++] = ry_xstrndup(p, len);
			}
			if (!e)
				break;
			p = e + 1;
		}
	}
	char *data = ry_data_dir();
	v = ry_xgrow(v, &cap, *n + 2, sizeof *v);
	v[(*n)++] = ry_xasprintf("%s/plugins", data);
	v[(*n)++] = ry_xstrdup(RY_DATADIR "/plugins");
	free(data);
	return v;
}

static bool is_executable(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

/* The first runyard-plugin-NAME in the search directories (caller frees),
 * or NULL.  *where_looked (may be NULL) gets the directories, for errors. */
static char *exec_find(const char *name, char **where_looked)
{
	size_t n;
	char **dirs = search_dirs(&n);
	char *found = NULL;
	for (size_t i = 0; i < n && !found; i++) {
		char *p = ry_xasprintf("%s/" PREFIX "%s", dirs[i], name);
		if (is_executable(p))
			found = p;
		else
			free(p);
	}
	/* The last two are runyard's own directories (search_dirs). */
	if (where_looked)
		*where_looked = ry_xasprintf("%s or %s", dirs[n - 2], dirs[n - 1]);
	ry_strings_free(dirs, n);
	return found;
}

int ry_plugin_find(ry_plugin **out, ry_plugin_kind kind, const char *name)
{
	*out = NULL;
	if (!ry_plugin_name_ok(name))
		return ry_error_set(RY_EINVAL, "'%s' is not a plugin name: use [a-z0-9][a-z0-9._-]*", name ? name : "");
	ry_plugin *p = ry_xcalloc(1, sizeof *p);
	p->name = ry_xstrdup(name);
	if (kind & RY_PLUGIN_TRACKER)
		for (size_t i = 0; i < ntrackers && !p->tracker; i++)
			if (!strcmp(trackers[i]->name, name))
				p->tracker = trackers[i];
	if (kind & RY_PLUGIN_SERVING)
		for (size_t i = 0; i < nservings && !p->serving; i++)
			if (!strcmp(servings[i]->name, name))
				p->serving = servings[i];
	if (p->tracker || p->serving) {
		p->where = ry_xstrdup("built-in");
		*out = p;
		return 0;
	}
	char *looked = NULL;
	char *path = exec_find(name, &looked);
	if (!path) {
		int rc = ry_error_set(RY_ENOTFOUND, "no plugin '%s': not built in, and no executable " PREFIX
		                      "%s on $PATH or in %s ('runyard plugins' lists those found)", name, name, looked);
		free(looked);
		ry_plugin_free(p);
		return rc;
	}
	free(looked);
	p->where = path;
	/* Whether it is what was asked for, its hello says when it is opened. */
	if (kind & RY_PLUGIN_TRACKER)
		p->tracker = p->owned_tracker = ry_plugin__exec_tracker_new(path, name);
	if (kind & RY_PLUGIN_SERVING)
		p->serving = p->owned_serving = ry_plugin__exec_serving_new(path, name);
	*out = p;
	return 0;
}

void ry_plugin_free(ry_plugin *p)
{
	if (!p)
		return;
	ry_plugin__exec_tracker_free(p->owned_tracker);
	ry_plugin__exec_serving_free(p->owned_serving);
	free(p->name);
	free(p->where);
	free(p);
}

const char *ry_plugin_name(const ry_plugin *p)
{
	return p->name;
}

const char *ry_plugin_where(const ry_plugin *p)
{
	return p->where;
}

const ry_serving_ops *ry_plugin__serving_ops(const ry_plugin *p)
{
	return p->serving;
}

int ry_plugin_import(ry_store *st, ry_plugin *p, const char *source, const ry_plugin_import_options *opts,
                     ry_plugin_import_stats *stats)
{
	ry_plugin_import_stats dummy;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof *stats);
	if (!p->tracker)
		return ry_error_set(RY_EREFUSED, "plugin '%s' is not a tracker: it cannot import runs", p->name);
	return ry_plugin__import(st, p->tracker, p->name, source, opts, stats);
}

const char *ry_plugin_default_source(const ry_plugin *p)
{
	const char *env = p->tracker ? p->tracker->default_source_env : NULL;
	const char *v = env ? getenv(env) : NULL;
	return v && *v ? v : NULL;
}

int ry_plugin_export(ry_store *st, ry_plugin *p, const char *dest, const char *const *runs, size_t n,
                     const ry_plugin_import_options *opts, int64_t *done)
{
	int64_t dummy;
	if (!done)
		done = &dummy;
	*done = 0;
	if (!p->tracker)
		return ry_error_set(RY_EREFUSED, "plugin '%s' is not a tracker: it cannot push runs", p->name);
	return ry_plugin__export(st, p->tracker, p->name, dest, runs, n, NULL, 0, NULL, opts, done);
}

int ry_plugin_export_model(ry_store *st, ry_plugin *p, const char *dest, const char *model, int64_t number,
                           const char *alias, const ry_plugin_import_options *opts)
{
	int64_t done;
	if (!p->tracker)
		return ry_error_set(RY_EREFUSED, "plugin '%s' is not a tracker: it cannot push models", p->name);
	return ry_plugin__export(st, p->tracker, p->name, dest, NULL, 0, model, number, alias, opts, &done);
}

/* ---- the list --------------------------------------------------------- */

static bool listed(const ry_plugin_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return true;
	return false;
}

static ry_plugin_info *add_builtin(ry_plugin_info *v, size_t *n, size_t *cap, const char *name, unsigned kind)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].builtin && !strcmp(v[i].name, name)) {
			v[i].kinds |= kind;
			return v;
		}
	v = ry_xgrow(v, cap, *n + 1, sizeof *v);
	v[*n] = (ry_plugin_info){ ry_xstrdup(name), kind, RY_PLUGIN_ABI, true, ry_xstrdup("built-in"), true, NULL };
	(*n)++;
	return v;
}

static ry_plugin_info *add_exec(ry_plugin_info *v, size_t *n, size_t *cap, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return v;
	while ((e = readdir(d))) {
		const char *name = e->d_name + strlen(PREFIX);
		if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) || !ry_plugin_name_ok(name) || listed(v, *n, name))
			continue;
		char *path = ry_xasprintf("%s/%s", dir, e->d_name);
		if (!is_executable(path)) {
			free(path);
			continue;
		}
		v = ry_xgrow(v, cap, *n + 1, sizeof *v);
		ry_plugin_info *in = &v[(*n)++];
		*in = (ry_plugin_info){ ry_xstrdup(name), 0, 0, false, path, true, NULL };
		if (ry_plugin__exec_probe(path, name, &in->kinds, &in->protocol) != 0) {
			in->ok = false;
			in->error = ry_xstrdup(ry_error_last());
		}
	}
	closedir(d);
	return v;
}

static int info_cmp(const void *a, const void *b)
{
	return strcmp(((const ry_plugin_info *)a)->name, ((const ry_plugin_info *)b)->name);
}

int ry_plugin_list(ry_plugin_info **out, size_t *n)
{
	ry_plugin_info *v = NULL;
	size_t cap = 0, ndirs;
	*n = 0;
	for (size_t i = 0; i < ntrackers; i++)
		v = add_builtin(v, n, &cap, trackers[i]->name, RY_PLUGIN_TRACKER);
	for (size_t i = 0; i < nservings; i++)
		v = add_builtin(v, n, &cap, servings[i]->name, RY_PLUGIN_SERVING);
	char **dirs = search_dirs(&ndirs);
	for (size_t i = 0; i < ndirs; i++)
		v = add_exec(v, n, &cap, dirs[i]);
	ry_strings_free(dirs, ndirs);
	if (*n > 1)
		qsort(v, *n, sizeof *v, info_cmp);
	*out = v;
	return 0;
}

void ry_plugin_infos_free(ry_plugin_info *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].where);
		free(v[i].error);
	}
	free(v);
}
