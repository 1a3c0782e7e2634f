/* Credentials out of URLs: user and password in every scheme (upper-case,
 * git+https, ftp), secret query keys, a password curl cannot parse, IPv6
 * hosts, and what must come back unchanged (ssh user names, scp-style
 * remotes, local paths, URLs with nothing secret). */
#include "testutil.h"

struct url_case {
	const char *in, *out;
};

static void check(const struct url_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *s = ry_url_strip_credentials(c[i].in);
		if (strcmp(s, c[i].out))
			fail_msg("%s -> %s, want %s", c[i].in, s, c[i].out);
		free(s);
	}
}

static int builtin_only(void **state)
{
	(void)state;
	ry_redact_configure(NULL); /* secret query keys: not the config of whoever runs the tests */
	return 0;
}

static void test_url__null_is_null(void **state)
{
	(void)state;
	assert_null(ry_url_strip_credentials(NULL));
}

static void test_url__user_and_password_go_in_every_scheme(void **state)
{
	static const struct url_case c[] = {
		{ "https://user:token@github.com/a/b.git", "https://github.com/a/b.git" },
		{ "https://ghp_abc@github.com/a/b", "https://github.com/a/b" },
		{ "http://u:p@host:8080/x", "http://host:8080/x" },
		{ "HTTPS://TOKEN@github.com/a/b.git", "https://github.com/a/b.git" },
		{ "git+https://TOKEN@host/x.git", "git+https://host/x.git" },
		{ "ftp://TOKEN@host/x", "ftp://host/x" },
		{ "git://TOKEN@host/x", "git://host/x" },
		{ "ssh://git:pw@host/x.git", "ssh://host/x.git" },
		{ "https://oauth2:glpat-x%2Fy@gitlab.com/g/p.git", "https://gitlab.com/g/p.git" },
	};
	(void)state;
	check(c, sizeof c / sizeof *c);
}

static void test_url__unparseable_password_still_goes(void **state)
{
	/* curl reads "pa" as a port: the fallback drops up to the last '@' */
	static const struct url_case c[] = {
		{ "https://user:pa/ss@host/x", "https://host/x" },
		{ "https://user:p@ss@host/x", "https://host/x" },
		{ "https://user:pa/ss@host/x?ref=main&token=T", "https://host/x?ref=main" },
	};
	(void)state;
	check(c, sizeof c / sizeof *c);
}

static void test_url__secret_query_keys_go(void **state)
{
	static const struct url_case c[] = {
		{ "https://host/x?ref=main&access_token=T", "https://host/x?ref=main" },
		{ "https://host/x.git?private_token=T", "https://host/x.git" },
		{ "https://host/x?token=T&a=1&b=2", "https://host/x?a=1&b=2" },
		{ "https://u:p@host/x?ref=main&Access-Token=T#frag", "https://host/x?ref=main#frag" },
		{ "https://host/x?max_tokens=5", "https://host/x?max_tokens=5" },
	};
	(void)state;
	check(c, sizeof c / sizeof *c);
}

static void test_url__ipv6_hosts(void **state)
{
	static const struct url_case c[] = {
		{ "https://tok@[::1]:8080/x.git", "https://[::1]:8080/x.git" },
		{ "https://u:p@[2001:db8::1]/r.git", "https://[2001:db8::1]/r.git" },
		{ "ssh://git@[2001:db8::1]:22/x.git", "ssh://git@[2001:db8::1]:22/x.git" },
	};
	(void)state;
	check(c, sizeof c / sizeof *c);
}

static void test_url__what_holds_no_secret_is_kept_as_written(void **state)
{
	static const struct url_case c[] = {
		{ "ssh://git@host:22/x.git", "ssh://git@host:22/x.git" },
		{ "ssh://git@host/x.git", "ssh://git@host/x.git" },
		{ "git+ssh://git@host/x.git", "git+ssh://git@host/x.git" },
		{ "git@github.com:org/repo.git", "git@github.com:org/repo.git" },
		{ "/srv/git/repo.git", "/srv/git/repo.git" },
		{ "../repo", "../repo" },
		{ "file:///srv/git/repo.git", "file:///srv/git/repo.git" },
		{ "https://host/a@b", "https://host/a@b" },
		{ "HTTPS://Host.example/x", "HTTPS://Host.example/x" },
		{ "https://host", "https://host" },
	};
	(void)state;
	check(c, sizeof c / sizeof *c);
}

/* URLs inside longer text (a param value, a word of a command line) */
static void test_url__credentials_go_from_urls_inside_text(void **state)
{
	static const struct url_case c[] = {
		{ "--data=https://ada:pw-1@data.example.com/x", "--data=https://data.example.com/x" },
		{ "a https://u:p@h.example.com/y b ftp://T@f.example.com/z", "a https://h.example.com/y b ftp://f.example.com/z" },
		{ "src=s3://k@b/x?access_token=T&x=1", "src=s3://b/x?x=1" },
	};
	(void)state;
	assert_null(ry_url_strip_credentials_in(NULL));
	assert_null(ry_url_strip_credentials_in("no url here"));
	assert_null(ry_url_strip_credentials_in("https://example.com/x and git@host:a/b"));
	assert_null(ry_url_strip_credentials_in("mail me@example.com"));
	/* data URLs with nothing secret stay exactly as written */
	assert_null(ry_url_strip_credentials_in("file:///tmp/x?y=1"));
	assert_null(ry_url_strip_credentials_in("s3://my_bucket/x?versionId=3"));
	assert_null(ry_url_strip_credentials_in("--src=hdfs://nn:8020/p?op=OPEN#top"));
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char *s = ry_url_strip_credentials_in(c[i].in);
		if (!s || strcmp(s, c[i].out))
			fail_msg("%s -> %s, want %s", c[i].in, s ? s : "(unchanged)", c[i].out);
		free(s);
	}
	/* what a param stores: a secret name's value goes whole, a URL's credentials alone */
	char *v = ry_redact_value("db_password", "https://u:p@h/x");
	assert_string_equal(v, RY_REDACTED);
	free(v);
	v = ry_redact_value("data", "https://u:p@h/x");
	assert_string_equal(v, "https://h/x");
	free(v);
	v = ry_redact_value("lr", "0.1");
	assert_string_equal(v, "0.1");
	free(v);
	assert_null(ry_redact_value("lr", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url__null_is_null),
		cmocka_unit_test(test_url__user_and_password_go_in_every_scheme),
		cmocka_unit_test(test_url__unparseable_password_still_goes),
		cmocka_unit_test(test_url__secret_query_keys_go),
		cmocka_unit_test(test_url__ipv6_hosts),
		cmocka_unit_test(test_url__what_holds_no_secret_is_kept_as_written),
		cmocka_unit_test(test_url__credentials_go_from_urls_inside_text),
	};
	return cmocka_run_group_tests(tests, builtin_only, NULL);
}
