/* codepack.c: what gets shipped to a host, byte for byte. */
#include "testutil.h"
#include "git/codepack.h"

#include <sys/stat.h>

/* Run a shell command with $D set to dir. */
static void sh(const char *cmd, const char *dir)
{
	setenv("D", dir, 1);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static void test_codepack_create__outside_a_repo_is_refused(void **state)
{
	char *dir = ry_test_tmpdir();
	ry_codepack *p = (ry_codepack *)1;
	assert_int_equal(ry_codepack_create(&p, dir, NULL, NULL, NULL), RY_EINVAL);
	assert_null(p);
	assert_non_null(strstr(ry_error_last(), "not inside a git repository"));
	ry_codepack_free(NULL);
	ry_test_rmdir(dir);
}

static void test_codepack_create__tracked_working_tree_files_only(void **state)
{
	char *dir = ry_test_tmpdir();
	ry_codepack *p, *q;
	char *long_dir = ry_xasprintf("%s/r/%s", dir, "a-very-long-directory-name-to-push-the-path-over-one-hundred-bytes/and-another-level-of-it");
	sh("mkdir -p $D/r/sub && cd $D/r && git init -q . && git config user.email t@t && git config user.name t && "
	   "echo one > a.txt && echo two > sub/b.txt && printf '#!/bin/sh\\n' > run.sh && chmod +x run.sh && "
	   "ln -s a.txt link && git add . && git commit -qm init && echo changed >> a.txt && echo junk > junk.txt && "
	   "echo ignored > ig.log && echo '*.log' > .gitignore && git add .gitignore", dir);
	ry_mkdir_p(long_dir);
	{
		char *f = ry_xasprintf("%s/deep-file-name.txt", long_dir);
		FILE *fp = fopen(f, "w");
		fputs("deep\n", fp);
		fclose(fp);
		free(f);
	}
	sh("cd $D/r && git add a-very-long-directory-name-to-push-the-path-over-one-hundred-bytes", dir);
	{
		char *sub = ry_xasprintf("%s/r/sub", dir);
		assert_int_equal(ry_codepack_create(&p, sub, NULL, NULL, NULL), 0);
		free(sub);
	}
	assert_non_null(p->commit);
	assert_int_equal(strlen(p->commit), 40);
	assert_true(p->dirty);
	assert_string_equal(p->subdir, "sub");
	assert_int_equal(p->nfiles, 6); /* a.txt sub/b.txt run.sh link .gitignore deep */
	assert_int_equal(strlen(p->sha256), 64);
	/* the same tree packs to the same bytes */
	assert_int_equal(ry_codepack_create(&q, dir, NULL, NULL, NULL) == 0 ? RY_EINVAL : 0, 0);
	{
		char *r = ry_xasprintf("%s/r", dir);
		assert_int_equal(ry_codepack_create(&q, r, NULL, NULL, NULL), 0);
		free(r);
	}
	assert_string_equal(p->sha256, q->sha256);
	{
		char hex[65];
		int64_t size;
		assert_int_equal(ry_sha256_file(p->path, hex, &size), 0);
		assert_string_equal(hex, p->sha256);
		assert_int_equal(size, p->size);
	}
	/* what GNU tar makes of it */
	{
		char *cmd = ry_xasprintf("mkdir %s/x && tar -xf %s -C %s/x && cd %s/x && test \"$(cat a.txt)\" = \"$(printf 'one\\nchanged')\" "
		                         "&& test -x run.sh && test -L link && test ! -e junk.txt && test ! -e ig.log && test ! -e .git "
		                         "&& test \"$(cat a-very-long-directory-name-to-push-the-path-over-one-hundred-bytes/and-another-level-of-it/deep-file-name.txt)\" = deep",
		                         dir, p->path, dir, dir);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	ry_codepack_free(q);
	{
		char *path = ry_xstrdup(p->path);
		ry_codepack_free(p);
		assert_int_not_equal(access(path, F_OK), 0); /* the temp tar is removed */
		free(path);
	}
	/* a fallback directory outside any repo */
	sh("mkdir -p $D/plain/d && echo x > $D/plain/d/f && mkdir $D/plain/.git && echo no > $D/plain/.git/HEAD", dir);
	{
		char *plain = ry_xasprintf("%s/plain", dir), *outside = ry_xstrdup("/");
		assert_int_equal(ry_codepack_create(&p, outside, plain, NULL, NULL), 0);
		assert_int_equal(p->nfiles, 1);
		assert_null(p->commit);
		ry_codepack_free(p);
		free(plain);
		free(outside);
	}
	free(long_dir);
	ry_test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codepack_create__outside_a_repo_is_refused),
		cmocka_unit_test(test_codepack_create__tracked_working_tree_files_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
