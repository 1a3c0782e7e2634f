/*
 * Git provenance with libgit2: what code a run ran, read from its working
 * directory, and the diff between two runs' commits.
 *
 * It only reads repositories; it never stages, commits or checks out, and it
 * does not look at untracked files (they are not part of "the code" a later
 * launch could reproduce from a commit plus a diff).
 */
#include "git/gitprov.h"
#include "git/git_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "runs/run.h"
#include "base/url.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ry_gitprov_free(ry_gitprov *g)
{
	if (!g)
		return;
	free(g->root);
	free(g->commit);
	free(g->branch);
	free(g->remote_url);
	free(g->diff);
	free(g);
}

static int git_fail(const char *what, const char *dir)
{
	return ry_git__fail(RY_ERROR, "git: cannot %s in %s", what, dir);
}

/* Collects patch text up to a cap; past it, only counts. */
struct patch_acc {
	ry_buf buf;
	size_t cap, total;
	bool truncated;
};

static int patch_line(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *line,
                      void *payload)
{
	struct patch_acc *a = payload;
	char origin = line->origin;
	size_t n = line->content_len + (origin == '+' || origin == '-' || origin == ' ' ? 1 : 0);
	(void)delta;
	(void)hunk;
	a->total += n;
	if (a->truncated)
		return 0;
	if (a->buf.len + n > a->cap) {
		a->truncated = true; /* cut at a line end: the kept part stays a readable patch */
		return 0;
	}
	if (origin == '+' || origin == '-' || origin == ' ')
		ry_buf_putc(&a->buf, origin);
	ry_buf_put(&a->buf, line->content, line->content_len);
	return 0;
}

static int diff_text(git_diff *diff, size_t cap, struct patch_acc *a)
{
	memset(a, 0, sizeof *a);
	a->cap = cap;
	if (git_diff_print(diff, GIT_DIFF_FORMAT_PATCH, patch_line, a) < 0)
		return -1;
	return 0;
}

static char *head_branch(git_repository *repo)
{
	git_reference *head = NULL;
	char *name = NULL;
	if (git_repository_head(&head, repo) == 0) {
		if (git_reference_is_branch(head))
			name = ry_xstrdup(git_reference_shorthand(head));
		git_reference_free(head);
	} else if (git_reference_lookup(&head, repo, "HEAD") == 0) {
		/* unborn: HEAD names the branch the first commit will create */
		const char *t = git_reference_symbolic_target(head);
		if (t && !strncmp(t, "refs/heads/", 11))
			name = ry_xstrdup(t + 11);
		git_reference_free(head);
	}
	return name;
}

/* origin's URL, else the first remote's, read from the config as written
 * (no insteadOf rewriting).  Read directly rather than with
 * git_remote_lookup, which leaks regex match data in libgit2 1.5. */
static char *remote_url(git_repository *repo)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	const char *url = NULL;
	char *out = NULL;
	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return NULL;
	if (git_config_get_string(&url, cfg, "remote.origin.url") == 0) {
		out = ry_url_strip_credentials(url);
	} else if (git_config_iterator_new(&it, cfg) == 0) {
		while (!out && git_config_next(&e, it) == 0) {
			size_t n = strlen(e->name);
			if (!strncmp(e->name, "remote.", 7) && n > 11 && !strcmp(e->name + n - 4, ".url"))
				out = ry_url_strip_credentials(e->value);
		}
		git_config_iterator_free(it);
	}
	git_config_free(cfg);
	return out;
}

int ry_gitprov_read(ry_gitprov **out, const char *dir, size_t diff_cap)
{
	git_repository *repo = NULL;
	git_object *head_tree = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	ry_gitprov *g;
	git_oid oid;
	int rc = 0, grc;

	*out = NULL;
	ry_git__init();
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	grc = git_repository_open_ext(&repo, dir, 0, NULL);
	if (grc == GIT_ENOTFOUND)
		return 0;
	if (grc < 0)
		return git_fail("open the repository", dir);
	g = ry_xcalloc(1, sizeof *g);
	if (git_repository_workdir(repo)) {
		g->root = ry_xstrdup(git_repository_workdir(repo));
		size_t l = strlen(g->root);
		if (l > 1 && g->root[l - 1] == '/')
			g->root[l - 1] = '\0';
	}
	if (git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &oid);
		g->commit = ry_xstrdup(hex);
		if (git_revparse_single(&head_tree, repo, "HEAD^{tree}") < 0)
			head_tree = NULL;
	}
	g->branch = head_branch(repo);
	g->remote_url = remote_url(repo);
	if (g->root) {
		struct patch_acc acc;
		if (git_diff_tree_to_workdir_with_index(&diff, repo, (git_tree *)head_tree, &dopts) < 0) {
			rc = git_fail("diff the working tree", dir);
			goto done;
		}
		g->dirty = git_diff_num_deltas(diff) > 0;
		if (g->dirty) {
			if (diff_text(diff, diff_cap ? diff_cap : RY_GITPROV_DIFF_CAP, &acc) < 0) {
				ry_buf_free(&acc.buf);
				rc = git_fail("format the diff", dir);
				goto done;
			}
			g->diff = acc.buf.ptr ? ry_buf_detach(&acc.buf) : ry_xstrdup("");
			g->diff_size = acc.total;
			g->diff_truncated = acc.truncated;
		}
	}
done:
	git_diff_free(diff);
	git_object_free(head_tree);
	git_repository_free(repo);
	if (rc) {
		ry_gitprov_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int ry_gitprov_record(ry_store *st, int64_t run_id, const ry_gitprov *g)
{
	int rc;
	if (!g)
		return 0;
	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = ry_run_set_text(st, run_id, "git_commit", g->commit)) ||
	    (rc = ry_run_set_text(st, run_id, "git_branch", g->branch)) ||
	    (rc = ry_run_set_text(st, run_id, "git_remote", g->remote_url)) ||
	    (rc = ry_run_set_int(st, run_id, "git_dirty", g->dirty)) ||
	    (rc = ry_run_set_text(st, run_id, "git_diff", g->diff)) ||
	    (rc = ry_run_set_int(st, run_id, "git_diff_truncated", g->diff_truncated))) {
		ry_store_rollback(st);
		return rc;
	}
	return ry_store_commit(st);
}

static int lookup_tree(git_tree **out, git_repository *repo, const char *spec, const char *dir)
{
	git_object *obj = NULL;
	char *rev = ry_xasprintf("%s^{tree}", spec);
	int grc = git_revparse_single(&obj, repo, rev);
	free(rev);
	if (grc < 0)
		return ry_error_set(RY_ENOTFOUND, "commit %s is not in the repository at %s; fetch it first "
		                    "(git fetch) or compare from a clone that has it", spec, dir);
	*out = (git_tree *)obj;
	return 0;
}

int ry_gitprov_diff_commits(const char *dir, const char *from, const char *to, size_t cap,
                            char **out, bool *truncated)
{
	git_repository *repo = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	struct patch_acc acc;
	int rc = 0;

	*out = NULL;
	*truncated = false;
	ry_git__init();
	if (git_repository_open_ext(&repo, dir, 0, NULL) < 0)
		return ry_error_set(RY_ENOTFOUND, "%s is not inside a git repository, so the code of the runs "
		                    "cannot be compared there", dir);
	if ((rc = lookup_tree(&ta, repo, from, dir)) || (rc = lookup_tree(&tb, repo, to, dir)))
		goto done;
	if (git_diff_tree_to_tree(&diff, repo, ta, tb, NULL) < 0) {
		rc = git_fail("diff the commits", dir);
		goto done;
	}
	if (diff_text(diff, cap ? cap : RY_GITPROV_DIFF_CAP, &acc) < 0) {
		ry_buf_free(&acc.buf);
		rc = git_fail("format the diff", dir);
		goto done;
	}
	*out = acc.buf.ptr ? ry_buf_detach(&acc.buf) : ry_xstrdup("");
	*truncated = acc.truncated;
done:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_repository_free(repo);
	return rc;
}

int ry_gitprov_diff_runs(ry_store *st, int64_t run_a, int64_t run_b, char **out)
{
	ry_run *a = NULL, *b = NULL;
	const char *dir = NULL;
	struct stat sb;
	ry_buf text = RY_BUF_INIT;
	char *patch = NULL;
	bool truncated = false;
	int rc;

	*out = NULL;
	if ((rc = ry_run_get(&a, st, run_a)) || (rc = ry_run_get(&b, st, run_b)))
		goto done;
	for (int i = 0; i < 2; i++) {
		ry_run *r = i ? b : a;
		if (!r->git_commit) {
			rc = ry_error_set(RY_ENOTFOUND, "run %s has no recorded git commit (it did not run inside a "
			                  "git repository), so there is no code to compare", r->name ? r->name : r->uuid);
			goto done;
		}
	}
	if (a->cwd && stat(a->cwd, &sb) == 0)
		dir = a->cwd;
	else if (b->cwd && stat(b->cwd, &sb) == 0)
		dir = b->cwd;
	if (!dir) {
		rc = ry_error_set(RY_ENOTFOUND, "the working directories of both runs are gone, so their repository "
		                  "cannot be read; compare commits %.12s and %.12s with git in a clone",
		                  a->git_commit, b->git_commit);
		goto done;
	}
	if ((rc = ry_gitprov_diff_commits(dir, a->git_commit, b->git_commit, 0, &patch, &truncated)))
		goto done;
	ry_buf_puts(&text, patch);
	if (truncated)
		ry_buf_printf(&text, "# (diff cut at %u bytes)\n", RY_GITPROV_DIFF_CAP);
	for (int i = 0; i < 2; i++) {
		ry_run *r = i ? b : a;
		if (r->git_dirty == 1)
			ry_buf_printf(&text, "# note: run %s also had uncommitted changes: runyard show %lld --diff\n",
			              r->name ? r->name : r->uuid, (long long)r->id);
	}
	*out = text.ptr ? ry_buf_detach(&text) : ry_xstrdup("");
done:
	free(patch);
	ry_buf_free(&text);
	ry_run_free(a);
	ry_run_free(b);
	return rc;
}
