/* sshconfig.c and shell.c: how runyard reads ~/.ssh/config and quotes
 * every piece of a remote command. */
#include "testutil.h"
#include "remote/sshconfig.h"
#include "base/shell.h"

#include <sys/stat.h>

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_sshconfig_resolve__null_config_gives_defaults(void **state)
{
	ry_sshhost *h;
	setenv("HOME", "/home/tester", 1);
	unsetenv("RUNYARD_KNOWN_HOSTS");
	assert_int_equal(ry_sshconfig_resolve(NULL, "box", &h), 0);
	assert_string_equal(h->hostname, "box");
	assert_int_equal(h->port, 22);
	assert_false(h->identity_explicit);
	assert_int_equal(h->nidentity, 3);
	assert_string_equal(h->identity[0], "/home/tester/.ssh/id_ed25519");
	assert_string_equal(h->known_hosts, "/home/tester/.ssh/known_hosts");
	assert_null(h->proxy_jump);
	ry_sshhost_free(h);
	ry_sshhost_free(NULL);
	assert_int_equal(ry_sshconfig_resolve(NULL, "", &h), RY_EINVAL);
}

static void test_sshconfig_resolve__identities_only(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	(void)state;
	assert_int_equal(ry_sshconfig_parse(&c, "Host a\n\tIdentitiesOnly YES\nHost *\n\tIdentitiesOnly no\n", "t"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "a", &h), 0);
	assert_true(h->identities_only);
	ry_sshhost_free(h);
	assert_int_equal(ry_sshconfig_resolve(c, "b", &h), 0);
	assert_false(h->identities_only);
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
}

static void test_sshconfig_resolve__first_match_wins_and_wildcards_apply(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	const char *text =
		"User globaluser\n"
		"Host gpu1 gpu2\n"
		"    HostName %h.example.org\n"
		"    Port 2222\n"
		"    IdentityFile ~/.ssh/id_%h_%r\n"
		"Host gpu*\n"
		"    User ignored-because-global-came-first\n"
		"    Port 9999\n"
		"    IdentityFile /keys/shared\n"
		"Host *.lab !bad.lab\n"
		"    ProxyJump jumper@bastion:2200\n"
		"Host=eq-style\n"
		"    HostName=10.0.0.9\n"
		"Match exec \"false\"\n"
		"    Port 1\n"
		"Host *\n"
		"    ConnectTimeout 7\n";
	setenv("HOME", "/home/tester", 1);
	assert_int_equal(ry_sshconfig_parse(&c, text, "t"), 0);
	/* listed: literal aliases only, in order */
	assert_int_equal(ry_sshconfig_nhosts(c), 3);
	assert_string_equal(ry_sshconfig_host(c, 0), "gpu1");
	assert_string_equal(ry_sshconfig_host(c, 1), "gpu2");
	assert_string_equal(ry_sshconfig_host(c, 2), "eq-style");
	assert_null(ry_sshconfig_host(c, 3));

	assert_int_equal(ry_sshconfig_resolve(c, "gpu2", &h), 0);
	assert_string_equal(h->hostname, "gpu2.example.org");
	assert_string_equal(h->user, "globaluser");
	assert_int_equal(h->port, 2222);
	assert_true(h->identity_explicit);
	assert_int_equal(h->nidentity, 2);
	assert_string_equal(h->identity[0], "/home/tester/.ssh/id_gpu2.example.org_globaluser");
	assert_string_equal(h->identity[1], "/keys/shared");
	assert_int_equal(h->connect_timeout, 7);
	ry_sshhost_free(h);

	assert_int_equal(ry_sshconfig_resolve(c, "gpu7", &h), 0);
	assert_int_equal(h->port, 9999);
	ry_sshhost_free(h);

	assert_int_equal(ry_sshconfig_resolve(c, "x.lab", &h), 0);
	assert_string_equal(h->proxy_jump, "jumper@bastion:2200");
	ry_sshhost_free(h);
	assert_int_equal(ry_sshconfig_resolve(c, "bad.lab", &h), 0);
	assert_null(h->proxy_jump);
	ry_sshhost_free(h);

	assert_int_equal(ry_sshconfig_resolve(c, "eq-style", &h), 0);
	assert_string_equal(h->hostname, "10.0.0.9");
	assert_int_equal(h->port, 22); /* the Match block never applies */
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
}

static void test_sshconfig_parse__bad_port_and_multi_hop_refused(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	assert_int_equal(ry_sshconfig_parse(&c, "Host a\n Port http\nHost b\n ProxyJump x,y\n", "t"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "a", &h), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "Port"));
	assert_int_equal(ry_sshconfig_resolve(c, "b", &h), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "one jump host"));
	ry_sshconfig_free(c);
	assert_int_equal(ry_sshconfig_parse(&c, "Host a\n User\n", "t"), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "t:2"));
}

static void test_sshconfig_load__include_globs_relative_to_dot_ssh(void **state)
{
	char *dir = ry_test_tmpdir();
	char *ssh = ry_xasprintf("%s/.ssh", dir), *confd = ry_xasprintf("%s/.ssh/conf.d", dir);
	char *p;
	ry_sshconfig *c;
	ry_sshhost *h;
	setenv("HOME", dir, 1);
	unsetenv("RUNYARD_SSH_CONFIG");
	assert_int_equal(mkdir(ssh, 0700), 0);
	assert_int_equal(mkdir(confd, 0700), 0);
	p = ry_xasprintf("%s/config", ssh);
	write_file(p, "Include conf.d/*.conf\nHost main\n  Port 2\n");
	free(p);
	p = ry_xasprintf("%s/a.conf", confd);
	write_file(p, "Host inc-a\n  HostName 127.0.0.1\n  Port 1234\n");
	free(p);
	p = ry_xasprintf("%s/b.conf", confd);
	write_file(p, "Host inc-b\n  User bee\n");
	free(p);
	assert_int_equal(ry_sshconfig_load(&c, NULL), 0);
	assert_int_equal(ry_sshconfig_nhosts(c), 3);
	assert_string_equal(ry_sshconfig_host(c, 0), "inc-a");
	assert_string_equal(ry_sshconfig_host(c, 2), "main");
	assert_int_equal(ry_sshconfig_resolve(c, "inc-a", &h), 0);
	assert_int_equal(h->port, 1234);
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
	/* explicit path via the environment; missing is an error */
	p = ry_xasprintf("%s/nope", dir);
	setenv("RUNYARD_SSH_CONFIG", p, 1);
	assert_int_equal(ry_sshconfig_load(&c, NULL), RY_ENOTFOUND);
	unsetenv("RUNYARD_SSH_CONFIG");
	free(p);
	/* a self-include is cut, not an infinite loop */
	p = ry_xasprintf("%s/config", ssh);
	write_file(p, "Include config\n");
	assert_int_equal(ry_sshconfig_load(&c, p), RY_EINVAL);
	free(p);
	setenv("RUNYARD_KNOWN_HOSTS", "/tmp/kh", 1);
	assert_int_equal(ry_sshconfig_resolve(NULL, "x", &h), 0);
	assert_string_equal(h->known_hosts, "/tmp/kh");
	ry_sshhost_free(h);
	unsetenv("RUNYARD_KNOWN_HOSTS");
	free(ssh);
	free(confd);
	ry_test_rmdir(dir);
}

/* OpenSSH restores the Host block after an included file. */
static void test_sshconfig_include__options_after_it_stay_in_their_block(void **state)
{
	char *dir = ry_test_tmpdir(), *ssh = ry_xasprintf("%s/.ssh", dir), *p;
	ry_sshconfig *c;
	ry_sshhost *h;
	(void)state;
	setenv("HOME", dir, 1);
	assert_int_equal(mkdir(ssh, 0700), 0);
	p = ry_xasprintf("%s/inc.conf", ssh);
	write_file(p, "Port 2200\nHost other\n  Port 1\n");
	free(p);
	assert_int_equal(ry_sshconfig_parse(&c, "Host a\n  Include inc.conf\n  User after\n"
	                                        "Include inc.conf\nHostName everyone\n", "t"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "a", &h), 0);
	assert_string_equal(h->user, "after");
	assert_int_equal(h->port, 2200);
	assert_string_equal(h->hostname, "everyone");
	ry_sshhost_free(h);
	assert_int_equal(ry_sshconfig_resolve(c, "other", &h), 0);
	assert_string_not_equal(h->user, "after");
	assert_int_equal(h->port, 1);
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
	free(ssh);
	ry_test_rmdir(dir);
}

static void test_sshconfig_parse__quoted_values_lose_their_quotes(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	(void)state;
	setenv("HOME", "/home/tester", 1);
	assert_int_equal(ry_sshconfig_parse(&c, "Host \"q\"\n  User \"q\"\n  HostName=\"q.example\"\n"
	                                        "  Port \"2222\"\n  IdentityFile \"~/my keys/id\"\n", "t"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "q", &h), 0);
	assert_string_equal(h->user, "q");
	assert_string_equal(h->hostname, "q.example");
	assert_int_equal(h->port, 2222);
	assert_string_equal(h->identity[0], "/home/tester/my keys/id");
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
}

static void test_sshconfig_match__host_patterns_ignore_case(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	(void)state;
	assert_int_equal(ry_sshconfig_parse(&c, "Host GPU1\n  Port 11\nHost gpu2\n  Port 12\n", "t"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "gpu1", &h), 0);
	assert_int_equal(h->port, 11);
	ry_sshhost_free(h);
	assert_int_equal(ry_sshconfig_resolve(c, "GPU2", &h), 0);
	assert_int_equal(h->port, 12);
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
}

/* Not honoured, and never silently: the host says what it would need. */
static void test_sshconfig_resolve__match_and_proxycommand_are_named(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	(void)state;
	assert_int_equal(ry_sshconfig_parse(&c, "Host viaproxy\n  ProxyCommand nc -X 5 %h %p\n"
	                                        "Host noproxy\n  ProxyCommand none\n"
	                                        "Match host other*\n  User o\n"
	                                        "Match exec \"test -f /x\"\n  User m\n", "t"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "viaproxy", &h), 0);
	assert_non_null(h->unsupported);
	assert_non_null(strstr(h->unsupported, "ProxyCommand 'nc -X 5 %h %p' (t:2)"));
	assert_non_null(h->unevaluated);
	assert_non_null(strstr(h->unevaluated, "'Match exec \"test -f /x\"' at t:7"));
	ry_sshhost_free(h);
	assert_int_equal(ry_sshconfig_resolve(c, "noproxy", &h), 0);
	assert_null(h->unsupported);
	ry_sshhost_free(h);
	assert_int_equal(ry_sshconfig_resolve(c, "otherbox", &h), 0);
	assert_non_null(strstr(h->unevaluated, "Match host other*"));
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
}

static void test_sshconfig_parse_jump__forms(void **state)
{
	char *u, *h;
	int port;
	assert_int_equal(ry_sshconfig_parse_jump("bastion", &u, &h, &port), 0);
	assert_null(u);
	assert_string_equal(h, "bastion");
	assert_int_equal(port, 0);
	free(h);
	assert_int_equal(ry_sshconfig_parse_jump("me@[::1]:2200", &u, &h, &port), 0);
	assert_string_equal(u, "me");
	assert_string_equal(h, "::1");
	assert_int_equal(port, 2200);
	free(u);
	free(h);
	assert_int_equal(ry_sshconfig_parse_jump("a,b", &u, &h, &port), RY_EINVAL);
	assert_int_equal(ry_sshconfig_parse_jump("a:0", &u, &h, &port), RY_EINVAL);
	assert_int_equal(ry_sshconfig_parse_jump("me@", &u, &h, &port), RY_EINVAL);
}

static void test_sshconfig_match__patterns(void **state)
{
	assert_true(ry_sshconfig_match("*", "anything"));
	assert_true(ry_sshconfig_match("gpu?", "GPU1"));
	assert_false(ry_sshconfig_match("gpu?", "gpu12"));
	assert_true(ry_sshconfig_match("*.lab", "a.b.lab"));
	assert_false(ry_sshconfig_match("*.lab", "lab"));
	assert_true(ry_sshconfig_match("a*b*c", "aXXbYYc"));
}

/* What a POSIX shell makes of a quoted word must be the original bytes. */
static void test_shell_quote__hostile_values_survive_sh(void **state)
{
	const char *vals[] = { "", "plain", "$(rm -rf ~)", "'; reboot'", "a'b\"c`d`\\e", "line1\nline2", "*", "-n" };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		char *q = ry_shell_quote_dup(vals[i]);
		char *cmd = ry_xasprintf("printf %%s %s", q);
		FILE *p = popen(cmd, "r");
		char got[256] = { 0 };
		size_t n = fread(got, 1, sizeof got - 1, p);
		pclose(p);
		got[n] = '\0';
		assert_string_equal(got, vals[i]);
		free(q);
		free(cmd);
	}
	char *q = ry_shell_quote_dup("it's");
	assert_string_equal(q, "'it'\\''s'");
	free(q);
	ry_buf b = RY_BUF_INIT;
	char *argv[] = { "python", "--lr", "0 1" };
	ry_shell_quote_argv(&b, 3, argv);
	assert_string_equal(ry_buf_cstr(&b), "'python' '--lr' '0 1'");
	ry_buf_free(&b);
}

/* What `SHELL -c CMD` prints: sshd runs the login shell just so. */
static char *run_in(const char *shell, const char *cmd)
{
	ry_buf line = RY_BUF_INIT, got = RY_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *p;
	ry_buf_printf(&line, "%s -c ", shell);
	ry_shell_quote(&line, cmd);
	ry_buf_puts(&line, " 2>&1");
	p = popen(ry_buf_cstr(&line), "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		ry_buf_put(&got, chunk, n);
	pclose(p);
	ry_buf_free(&line);
	return ry_buf_detach(&got);
}

/* csh and tcsh expand ! and reject newlines even in single quotes
 * ("Unmatched '''."); every login shell must hand the command to sh as is. */
static void test_shell_wrap__any_login_shell_runs_the_sh_command(void **state)
{
	static const char *const shells[] = { "/bin/sh", "bash", "tcsh", "csh", "zsh", "fish" };
	const char *cmd = "printf '%s|' 'a!b' \"it's\" '$(x)' \"`echo \\\\c`\" 'tab\there' '\xc3\xa9'; echo\n"
	                  "sh -c 'echo \"$1\"; exit 3' sh \"two\nlines !!\"\n";
	ry_buf w = RY_BUF_INIT;
	char *want = run_in("/bin/sh", cmd);
	int tried = 0;
	(void)state;
	ry_shell_wrap_for_login_shell(&w, cmd);
	assert_null(strchr(ry_buf_cstr(&w), '\n'));
	assert_null(strchr(ry_buf_cstr(&w), '!'));
	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++) {
		char *probe = ry_xasprintf("command -v %s >/dev/null 2>&1", shells[i]), *got;
		int have = system(probe) == 0;
		free(probe);
		if (!have)
			continue;
		got = run_in(shells[i], ry_buf_cstr(&w));
		if (strcmp(got, want))
			fail_msg("%s printed [%s], sh printed [%s]", shells[i], got, want);
		free(got);
		tried++;
	}
	assert_true(tried >= 1);
	free(want);
	ry_buf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sshconfig_resolve__null_config_gives_defaults),
		cmocka_unit_test(test_sshconfig_resolve__first_match_wins_and_wildcards_apply),
		cmocka_unit_test(test_sshconfig_parse__bad_port_and_multi_hop_refused),
		cmocka_unit_test(test_sshconfig_load__include_globs_relative_to_dot_ssh),
		cmocka_unit_test(test_sshconfig_resolve__identities_only),
		cmocka_unit_test(test_sshconfig_include__options_after_it_stay_in_their_block),
		cmocka_unit_test(test_sshconfig_parse__quoted_values_lose_their_quotes),
		cmocka_unit_test(test_sshconfig_match__host_patterns_ignore_case),
		cmocka_unit_test(test_sshconfig_resolve__match_and_proxycommand_are_named),
		cmocka_unit_test(test_sshconfig_parse_jump__forms),
		cmocka_unit_test(test_sshconfig_match__patterns),
		cmocka_unit_test(test_shell_quote__hostile_values_survive_sh),
		cmocka_unit_test(test_shell_wrap__any_login_shell_runs_the_sh_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
