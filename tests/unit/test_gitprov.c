/* Git provenance against real repositories made with git in a temp dir:
 * outside a repo, clean, dirty (staged and unstaged, untracked ignored),
 * capped diffs, credentials stripped, diffs between commits, and recording
 * on a run. */
#include "testutil.h"
#include "git/gitprov.h"

#include <sys/stat.h>

static void sh(const char *dir, const char *cmd)
{
	char *full = ry_xasprintf("cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd);
	if (system(full) != 0)
		fail_msg("shell step failed: %s", cmd);
	free(full);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = ry_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

/* A repo with one commit of train.py on branch main. */
static char *make_repo(void)
{
	char *d = ry_test_tmpdir();
	sh(d, "git init -q -b main . && git config user.email t@example.com && git config user.name T");
	write_file(d, "train.py", "lr = 0.1\nprint(lr)\n");
	sh(d, "git add train.py && git commit -q -m first");
	return d;
}

static void test_gitprov__outside_a_repo_is_no_provenance(void **state)
{
	char *d = ry_test_tmpdir();
	ry_gitprov *g = (ry_gitprov *)1;
	(void)state;
	assert_int_equal(ry_gitprov_read(&g, d, 0), 0);
	assert_null(g);
	ry_test_rmdir(d);
}

static void test_gitprov__clean_repo(void **state)
{
	char *d = make_repo();
	ry_gitprov *g = NULL;
	(void)state;
	sh(d, "git remote add origin https://alice:s3cret@git.example.com/team/proj.git");
	char *sub = ry_xasprintf("%s/sub", d);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(ry_gitprov_read(&g, sub, 0), 0);
	assert_non_null(g);
	assert_int_equal(strlen(g->commit), 40);
	assert_string_equal(g->branch, "main");
	assert_string_equal(g->remote_url, "https://git.example.com/team/proj.git");
	assert_false(g->dirty);
	assert_null(g->diff);
	ry_gitprov_free(g);
	free(sub);
	ry_test_rmdir(d);
}

static void test_gitprov__dirty_diff_of_tracked_files(void **state)
{
	char *d = make_repo();
	ry_gitprov *g = NULL;
	(void)state;
	write_file(d, "train.py", "lr = 0.05\nprint(lr)\n");
	write_file(d, "notes.txt", "untracked scratch\n");
	write_file(d, "data.py", "x = 1\n");
	sh(d, "git add data.py"); /* staged, not committed */
	assert_int_equal(ry_gitprov_read(&g, d, 0), 0);
	assert_true(g->dirty);
	assert_non_null(g->diff);
	assert_non_null(strstr(g->diff, "-lr = 0.1"));
	assert_non_null(strstr(g->diff, "+lr = 0.05"));
	assert_non_null(strstr(g->diff, "+x = 1"));
	assert_null(strstr(g->diff, "untracked scratch"));
	assert_false(g->diff_truncated);
	assert_int_equal(g->diff_size, strlen(g->diff));
	ry_gitprov_free(g);

	/* capped: cut at a line end, the cap recorded */
	assert_int_equal(ry_gitprov_read(&g, d, 64), 0);
	assert_true(g->diff_truncated);
	assert_true(strlen(g->diff) <= 64);
	assert_true(g->diff_size > 64);
	ry_gitprov_free(g);
	ry_test_rmdir(d);
}

static void test_gitprov__unborn_and_detached(void **state)
{
	char *d = ry_test_tmpdir();
	ry_gitprov *g = NULL;
	(void)state;
	sh(d, "git init -q -b trunk .");
	assert_int_equal(ry_gitprov_read(&g, d, 0), 0);
	assert_non_null(g);
	assert_null(g->commit);
	assert_string_equal(g->branch, "trunk");
	ry_gitprov_free(g);
	ry_test_rmdir(d);

	d = make_repo();
	sh(d, "git checkout -q --detach");
	assert_int_equal(ry_gitprov_read(&g, d, 0), 0);
	assert_null(g->branch);
	assert_non_null(g->commit);
	ry_gitprov_free(g);
	ry_test_rmdir(d);
}

static void test_gitprov__remote_credentials_never_recorded(void **state)
{
	/* forms the hand parser let through; url.c's tests cover the rest */
	static const struct { const char *remote, *want; } cases[] = {
		{ "HTTPS://TOKEN1@git.example.com/a/b.git", "https://git.example.com/a/b.git" },
		{ "git+https://TOKEN2@git.example.com/a/b.git", "git+https://git.example.com/a/b.git" },
		{ "ftp://TOKEN3@git.example.com/a/b.git", "ftp://git.example.com/a/b.git" },
		{ "https://git.example.com/a/b.git?ref=main&access_token=TOKEN4", "https://git.example.com/a/b.git?ref=main" },
		{ "https://alice:pa/TOKEN5@git.example.com/a/b.git", "https://git.example.com/a/b.git" },
		{ "git@github.com:a/b.git", "git@github.com:a/b.git" },
	};
	char *d = make_repo();
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ry_gitprov *g = NULL;
		char *cmd = ry_xasprintf("git remote remove origin; git remote add origin '%s'", cases[i].remote);
		sh(d, cmd);
		free(cmd);
		assert_int_equal(ry_gitprov_read(&g, d, 0), 0);
		if (!g->remote_url || strcmp(g->remote_url, cases[i].want))
			fail_msg("remote %s recorded as %s, want %s", cases[i].remote, g->remote_url, cases[i].want);
		ry_gitprov_free(g);
	}
	ry_test_rmdir(d);
}

static void test_gitprov__diff_between_commits_and_runs(void **state)
{
	char *d = make_repo();
	ry_gitprov *g1 = NULL, *g2 = NULL;
	struct ry_test_ws ws;
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	int64_t a, b;
	char *patch = NULL;
	bool trunc;
	(void)state;
	assert_int_equal(ry_gitprov_read(&g1, d, 0), 0);
	write_file(d, "train.py", "lr = 0.2\nprint(lr)\n");
	sh(d, "git commit -q -am second");
	assert_int_equal(ry_gitprov_read(&g2, d, 0), 0);
	assert_string_not_equal(g1->commit, g2->commit);

	assert_int_equal(ry_gitprov_diff_commits(d, g1->commit, g2->commit, 0, &patch, &trunc), 0);
	assert_non_null(strstr(patch, "+lr = 0.2"));
	free(patch);
	assert_int_equal(ry_gitprov_diff_commits(d, g1->commit, "0123456789abcdef0123", 0, &patch, &trunc),
	                 RY_ENOTFOUND);

	ry_test_ws_open(&ws);
	spec.cwd = d;
	assert_int_equal(ry_run_create(ws.st, &spec, &a, NULL), 0);
	assert_int_equal(ry_run_create(ws.st, &spec, &b, NULL), 0);
	assert_int_equal(ry_gitprov_diff_runs(ws.st, a, b, &patch), RY_ENOTFOUND); /* nothing recorded */
	assert_int_equal(ry_gitprov_record(ws.st, a, g1), 0);
	assert_int_equal(ry_gitprov_record(ws.st, b, g2), 0);
	assert_int_equal(ry_gitprov_diff_runs(ws.st, a, b, &patch), 0);
	assert_non_null(strstr(patch, "-lr = 0.1"));
	free(patch);

	ry_run *r = NULL;
	assert_int_equal(ry_run_get(&r, ws.st, b), 0);
	assert_string_equal(r->git_commit, g2->commit);
	assert_string_equal(r->git_branch, "main");
	assert_int_equal(r->git_dirty, 0);
	ry_run_free(r);
	ry_test_ws_close(&ws);
	ry_gitprov_free(g1);
	ry_gitprov_free(g2);
	ry_test_rmdir(d);
}

static void test_gitprov__dirty_diff_stored_with_cap_flag(void **state)
{
	char *d = make_repo();
	ry_gitprov *g = NULL;
	struct ry_test_ws ws;
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	int64_t id;
	ry_run *r = NULL;
	(void)state;
	write_file(d, "train.py", "lr = 0.3\n");
	assert_int_equal(ry_gitprov_read(&g, d, 40), 0);
	ry_test_ws_open(&ws);
	assert_int_equal(ry_run_create(ws.st, &spec, &id, NULL), 0);
	assert_int_equal(ry_gitprov_record(ws.st, id, g), 0);
	assert_int_equal(ry_run_get(&r, ws.st, id), 0);
	assert_int_equal(r->git_dirty, 1);
	assert_true(r->git_diff_truncated);
	char *diff = ry_run_git_diff(ws.st, id);
	assert_string_equal(diff, g->diff);
	free(diff);
	ry_run_free(r);
	ry_test_ws_close(&ws);
	ry_gitprov_free(g);
	ry_test_rmdir(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gitprov__outside_a_repo_is_no_provenance),
		cmocka_unit_test(test_gitprov__clean_repo),
		cmocka_unit_test(test_gitprov__dirty_diff_of_tracked_files),
		cmocka_unit_test(test_gitprov__unborn_and_detached),
		cmocka_unit_test(test_gitprov__remote_credentials_never_recorded),
		cmocka_unit_test(test_gitprov__diff_between_commits_and_runs),
		cmocka_unit_test(test_gitprov__dirty_diff_stored_with_cap_flag),
	};
	/* the tests' git must not read the user's config or hooks */
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	ry_redact_configure(NULL); /* secret query keys: the built-in ones */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
