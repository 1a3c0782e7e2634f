/*
 * The SSH layer as the TUI will drive it, against a real sshd: exec with
 * output capture and exit codes, deadlines, the cancel flag from another
 * thread, SFTP round trips with progress, passphrase-protected keys through
 * the callback, many sessions on many threads at once, and a handshake cut
 * off in the middle of key exchange (which must not leak under ASan).
 *
 * Run without the harness's environment, it re-executes itself under
 * tests/remote/test_ssh.sh, which starts the sshd and sets RT_*.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../unit/testutil.h"
#include "remote/ssh.h"
#include "remote/sshconfig.h"

static ry_sshconfig *cfg;

static ry_ssh *connect_alias(const char *alias, ry_ssh_options *o, int *rc, ry_ssh_fail *why)
{
	ry_sshhost *h;
	ry_ssh *s = NULL;
	assert_int_equal(ry_sshconfig_resolve(cfg, alias, &h), 0);
	*rc = ry_ssh_connect(&s, h, o, why);
	ry_sshhost_free(h);
	return s;
}

static void test_ssh_exec__output_and_status(void **state)
{
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_buf out = RY_BUF_INIT, err = RY_BUF_INIT;
	int rc, status;
	ry_ssh *s = connect_alias("gpu2", &o, &rc, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(ry_ssh_exec(s, "cat; echo out; echo err >&2; exit 3", "from stdin\n", 11, &out, &err, &status, 0), 0);
	assert_string_equal(ry_buf_cstr(&out), "from stdin\nout\n");
	assert_string_equal(ry_buf_cstr(&err), "err\n");
	assert_int_equal(status, 3);
	ry_buf_clear(&out);
	assert_int_equal(ry_ssh_exec(s, "kill -TERM $$", NULL, 0, &out, NULL, &status, 0), 0);
	assert_int_equal(status, 143);
	ry_buf_free(&out);
	ry_buf_free(&err);
	ry_ssh_close(s);
	ry_ssh_close(NULL);
}

static void test_ssh_exec__deadline(void **state)
{
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	int rc, status;
	double t0;
	ry_ssh *s = connect_alias("gpu2", &o, &rc, NULL);
	assert_int_equal(rc, 0);
	t0 = ry_monotonic();
	assert_int_equal(ry_ssh_exec(s, "sleep 5", NULL, 0, NULL, NULL, &status, 400), RY_EIO);
	assert_true(ry_monotonic() - t0 < 1.0);
	assert_int_equal(ry_ssh_last_fail(s), RY_SSH_TIMEOUT);
	ry_ssh_close(s);
}

struct canceller {
	atomic_int *flag;
};

static void *cancel_soon(void *arg)
{
	struct canceller *c = arg;
	usleep(300000);
	atomic_store(c->flag, 1);
	return NULL;
}

static void test_ssh_exec__cancel_from_another_thread(void **state)
{
	atomic_int flag = 0;
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	struct canceller c = { &flag };
	pthread_t t;
	int rc, status;
	double t0;
	ry_ssh *s;
	o.cancel = &flag;
	s = connect_alias("gpu2", &o, &rc, NULL);
	assert_int_equal(rc, 0);
	pthread_create(&t, NULL, cancel_soon, &c);
	t0 = ry_monotonic();
	assert_int_equal(ry_ssh_exec(s, "sleep 10", NULL, 0, NULL, NULL, &status, 20000), RY_EIO);
	assert_true(ry_monotonic() - t0 < 1.0);
	assert_int_equal(ry_ssh_last_fail(s), RY_SSH_CANCELLED);
	pthread_join(t, NULL);
	ry_ssh_close(s);
}

static int nprogress;
static void on_progress(double frac, const char *what, void *payload)
{
	assert_true(frac <= 1.0);
	nprogress++;
}

static void test_ssh_sftp__round_trip_and_ranges(void **state)
{
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	char *dir = ry_test_tmpdir(), *src = ry_xasprintf("%s/src", dir), *back = ry_xasprintf("%s/back", dir);
	char *remote = ry_xasprintf("%s/sftp-test.bin", getenv("RT_WORK"));
	char a[65], b[65];
	ry_buf part = RY_BUF_INIT;
	int64_t size = 0;
	int rc;
	FILE *f = fopen(src, "wb");
	for (int i = 0; i < 300000; i++)
		fprintf(f, "%d\n", i);
	fclose(f);
	ry_ssh *s = connect_alias("gpu2", &o, &rc, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(ry_ssh_upload(s, src, remote, 0644, on_progress, NULL), 0);
	assert_true(nprogress > 1);
	assert_int_equal(ry_ssh_stat(s, remote, &size), 0);
	{
		struct stat sb;
		stat(src, &sb);
		assert_int_equal(size, sb.st_size);
	}
	assert_int_equal(ry_ssh_download(s, remote, back, NULL, NULL), 0);
	{
		char *cmd = ry_xasprintf("cmp -s %s %s", src, back);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	assert_int_equal(ry_ssh_read_range(s, remote, 10, 8, &part, &size), 0);
	assert_string_equal(ry_buf_cstr(&part), "5\n6\n7\n8\n");
	assert_int_equal(ry_ssh_read_range(s, "/nonexistent/file", 0, 8, &part, NULL), RY_ENOTFOUND);
	(void)a;
	(void)b;
	ry_buf_free(&part);
	ry_ssh_close(s);
	free(src);
	free(back);
	free(remote);
	ry_test_rmdir(dir);
}

static int give_pass(const char *keyfile, char *buf, size_t size, void *payload)
{
	const char *p = payload;
	if (!p)
		return 1;
	snprintf(buf, size, "%s", p);
	return 0;
}

static void test_ssh_auth__passphrase_callback(void **state)
{
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_ssh_fail why;
	ry_ssh *s;
	int rc;
	o.passphrase = give_pass;
	o.payload = "correct horse";
	s = connect_alias("enckey", &o, &rc, &why);
	assert_int_equal(rc, 0);
	ry_ssh_close(s);
	o.payload = "wrong";
	s = connect_alias("enckey", &o, &rc, &why);
	assert_int_not_equal(rc, 0);
	assert_int_equal(why, RY_SSH_AUTH);
	if (!strstr(ry_error_last(), "enc_key (wrong passphrase)"))
		fail_msg("%s", ry_error_last());
	o.payload = NULL; /* the user declined */
	s = connect_alias("enckey", &o, &rc, &why);
	assert_int_equal(why, RY_SSH_AUTH);
	assert_non_null(strstr(ry_error_last(), "no passphrase given"));
}

/* A person typing: slower than the whole connect deadline. */
static int give_pass_slowly(const char *keyfile, char *buf, size_t size, void *payload)
{
	struct timespec t = { 1, 500 * 1000 * 1000 };
	nanosleep(&t, NULL);
	return give_pass(keyfile, buf, size, payload);
}

static void test_ssh_auth__typing_does_not_eat_the_deadline(void **state)
{
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_ssh_fail why;
	ry_ssh *s;
	int rc;
	(void)state;
	o.timeout_ms = 1000;
	o.passphrase = give_pass_slowly;
	o.payload = "correct horse";
	s = connect_alias("enckey", &o, &rc, &why);
	if (rc)
		fail_msg("connect after a slow passphrase: %s", ry_error_last());
	ry_ssh_close(s);
}

static void *parallel_exec(void *arg)
{
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_buf out = RY_BUF_INIT;
	int rc, status = -1;
	ry_ssh *s = connect_alias("gpu8", &o, &rc, NULL);
	if (!rc)
		rc = ry_ssh_exec(s, "echo $((6 * 7))", NULL, 0, &out, NULL, &status, 0);
	ry_ssh_close(s);
	*(int *)arg = rc == 0 && status == 0 && !strcmp(ry_buf_cstr(&out), "42\n");
	ry_buf_free(&out);
	return NULL;
}

static void test_ssh_threads__sessions_in_parallel(void **state)
{
	pthread_t t[8];
	int ok[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, parallel_exec, &ok[i]);
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_true(ok[i]);
	}
}

/* ---- the agent's many keys and IdentitiesOnly ------------------------ */

static int connect_with_agent(const char *alias)
{
	char *sock = ry_xasprintf("%s/agent.sock", getenv("RT"));
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_ssh *s;
	int rc;
	setenv("SSH_AUTH_SOCK", sock, 1);
	s = connect_alias(alias, &o, &rc, NULL);
	unsetenv("SSH_AUTH_SOCK");
	ry_ssh_close(s);
	free(sock);
	return rc;
}

/* 7 refused agent keys would use up sshd's 6 tries before the file key. */
static void test_ssh_auth__identities_only_skips_the_agents_keys(void **state)
{
	(void)state;
	if (connect_with_agent("onlyid") != 0)
		fail_msg("%s", ry_error_last());
}

static void test_ssh_auth__identity_file_before_the_agents_other_keys(void **state)
{
	(void)state;
	if (connect_with_agent("firstid") != 0)
		fail_msg("%s", ry_error_last());
}

/* Without its ProxyCommand the connection would go elsewhere: refuse. */
static void test_ssh_connect__proxycommand_host_is_refused_plainly(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	ry_ssh *s = NULL;
	char *text = ry_xasprintf("Host pc\n\tHostName 127.0.0.1\n\tPort %s\n\tProxyCommand nc %%h %%p\n",
	                          getenv("RT_PORT2"));
	(void)state;
	assert_int_equal(ry_sshconfig_parse(&c, text, "test"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "pc", &h), 0);
	assert_int_equal(ry_ssh_connect(&s, h, NULL, NULL), RY_EINVAL);
	assert_null(s);
	if (!strstr(ry_error_last(), "@pc") || !strstr(ry_error_last(), "ProxyCommand 'nc %h %p'"))
		fail_msg("%s", ry_error_last());
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
	free(text);
}

/* tcsh reads ! and newlines inside single quotes ("Unmatched '''."). */
static void test_ssh_exec__tcsh_login_shell(void **state)
{
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_buf out = RY_BUF_INIT;
	int rc, status;
	ry_ssh *s;
	(void)state;
	if (!getenv("RT_TCSH_USER") || !*getenv("RT_TCSH_USER"))
		skip(); /* no tcsh here: apt-get install tcsh */
	s = connect_alias("tcshbox", &o, &rc, NULL);
	if (rc)
		fail_msg("%s", ry_error_last());
	assert_int_equal(ry_ssh_exec(s, "cat; printf '%s|' 'a!b' \"it's\" \"$0\"\necho \"${SHELL##*/}\"; exit 4",
	                             "in\n", 3, &out, NULL, &status, 0), 0);
	assert_string_equal(ry_buf_cstr(&out), "in\na!b|it's|sh|tcsh\n");
	assert_int_equal(status, 4);
	ry_buf_free(&out);
	ry_ssh_close(s);
}

/* ---- host keys against known_hosts files the harness wrote ---------- */

/* Connect to gpu2 checking its key against $RT/<file>. */
static int connect_with_known_hosts(const char *file, ry_ssh_fail *why)
{
	char *path = ry_xasprintf("%s/%s", getenv("RT"), file);
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_ssh *s;
	int rc;
	setenv("RUNYARD_KNOWN_HOSTS", path, 1);
	s = connect_alias("gpu2", &o, &rc, why);
	unsetenv("RUNYARD_KNOWN_HOSTS");
	ry_ssh_close(s);
	free(path);
	return rc;
}

static void test_ssh_hostkey__revoked_key_is_refused(void **state)
{
	ry_ssh_fail why;
	(void)state;
	assert_int_equal(connect_with_known_hosts("kh_revoked", &why), RY_EREFUSED);
	assert_int_equal(why, RY_SSH_HOSTKEY_REVOKED);
	if (!strstr(ry_error_last(), "@revoked") || !strstr(ry_error_last(), "kh_revoked line 2"))
		fail_msg("%s", ry_error_last());
}

/* libssh2 1.10 reads a host field of 1-2 characters ("g1") as a hashed
 * one and drops the line; OpenSSH accepts it. */
static void test_ssh_hostkey__short_host_field_is_known(void **state)
{
	ry_ssh_fail why;
	(void)state;
	if (connect_with_known_hosts("kh_short", &why) != 0)
		fail_msg("%s", ry_error_last());
}

/* OpenSSH asks first for the key types known_hosts holds for the host. */
static void test_ssh_hostkey__known_only_by_ecdsa(void **state)
{
	ry_ssh_fail why;
	(void)state;
	if (connect_with_known_hosts("kh_ecdsa", &why) != 0)
		fail_msg("%s", ry_error_last());
}

/* ---- errors that add context keep the reason, once ------------------- */

/* A listener that answers like a web server and hangs up. */
static void *http_server_main(void *arg)
{
	static const char reply[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	char sink[256];
	if (fd < 0)
		return NULL;
	if (write(fd, reply, sizeof reply - 1) < 0 || read(fd, sink, sizeof sink) < 0) {
		/* the client may hang up first: nothing to do */
	}
	close(fd);
	return NULL;
}

static int listen_any(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_ssh_errors__not_an_ssh_server_keeps_the_reason(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	ry_ssh *s = NULL;
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	pthread_t t;
	int port, lfd = listen_any(&port);
	char *text = ry_xasprintf("Host web\n\tHostName 127.0.0.1\n\tPort %d\n", port);
	(void)state;
	assert_int_equal(pthread_create(&t, NULL, http_server_main, &lfd), 0);
	assert_int_equal(ry_sshconfig_parse(&c, text, "test"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "web", &h), 0);
	o.timeout_ms = 3000;
	assert_int_not_equal(ry_ssh_connect(&s, h, &o, NULL), 0);
	if (!strstr(ry_error_last(), "the ssh handshake failed: ") || count_of(ry_error_last(), "@web") != 1 ||
	    !strstr(ry_error_last(), "(is it an ssh server?)"))
		fail_msg("%s", ry_error_last());
	pthread_join(t, NULL);
	close(lfd);
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
	free(text);
}

static void test_ssh_errors__jump_host_named_once(void **state)
{
	ry_sshconfig *c;
	ry_sshhost *h;
	ry_ssh *s = NULL;
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	int port, lfd = listen_any(&port);
	char *text;
	(void)state;
	close(lfd); /* nothing listens there now: the jump host refuses */
	text = ry_xasprintf("Host inner\n\tHostName 127.0.0.1\n\tProxyJump hop\nHost hop\n\tHostName 127.0.0.1\n"
	                    "\tPort %d\n", port);
	assert_int_equal(ry_sshconfig_parse(&c, text, "test"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "inner", &h), 0);
	o.config = c;
	assert_int_not_equal(ry_ssh_connect(&s, h, &o, NULL), 0);
	if (count_of(ry_error_last(), "via jump host hop") != 1 || !strstr(ry_error_last(), "connection refused"))
		fail_msg("%s", ry_error_last());
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
	free(text);
}

/* ---- a server that stops answering in the middle of key exchange ------- */

static int tcp_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static void read_exact(int fd, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

/* The real sshd's banner and KEXINIT packet, as a client first sees them. */
static size_t capture_server_hello(int port, unsigned char *buf, size_t cap)
{
	int fd = tcp_to(port);
	size_t n = 0;
	static const char banner[] = "SSH-2.0-runyard_test\r\n";
	assert_int_equal(write(fd, banner, sizeof banner - 1), (ssize_t)(sizeof banner - 1));
	while (n < cap && (n == 0 || buf[n - 1] != '\n'))
		read_exact(fd, buf + n++, 1);
	assert_true(n + 4 < cap);
	read_exact(fd, buf + n, 4);
	uint32_t len = (uint32_t)buf[n] << 24 | (uint32_t)buf[n + 1] << 16 | (uint32_t)buf[n + 2] << 8 | buf[n + 3];
	assert_true(n + 4 + len <= cap);
	read_exact(fd, buf + n + 4, len);
	close(fd);
	return n + 4 + len;
}

struct mute_server {
	int listen_fd;
	unsigned char hello[8192];
	size_t hello_len;
};

/* Accepts one client, sends the captured hello, then reads and never
 * answers, so the client sits in key exchange holding its ephemeral keys. */
static void *mute_server_main(void *arg)
{
	struct mute_server *m = arg;
	char sink[4096];
	int fd = accept(m->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (write(fd, m->hello, m->hello_len) == (ssize_t)m->hello_len)
		while (read(fd, sink, sizeof sink) > 0)
			;
	close(fd);
	return NULL;
}

static void test_ssh_handshake__cut_off_in_key_exchange(void **state)
{
	struct mute_server m;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof a;
	pthread_t t;
	ry_sshconfig *c;
	ry_sshhost *h;
	ry_ssh *s = NULL;
	ry_ssh_options o = RY_SSH_OPTIONS_INIT;
	ry_ssh_fail why;
	char *text;

	m.hello_len = capture_server_hello(atoi(getenv("RT_PORT2")), m.hello, sizeof m.hello);
	m.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(m.listen_fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(m.listen_fd, 1), 0);
	assert_int_equal(getsockname(m.listen_fd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(pthread_create(&t, NULL, mute_server_main, &m), 0);

	text = ry_xasprintf("Host mute\n\tHostName 127.0.0.1\n\tPort %d\n", ntohs(a.sin_port));
	assert_int_equal(ry_sshconfig_parse(&c, text, "test"), 0);
	assert_int_equal(ry_sshconfig_resolve(c, "mute", &h), 0);
	o.timeout_ms = 500;
	assert_int_not_equal(ry_ssh_connect(&s, h, &o, &why), 0);
	assert_null(s);
	assert_int_equal(why, RY_SSH_TIMEOUT);
	assert_non_null(strstr(ry_error_last(), "handshake"));

	pthread_join(t, NULL);
	close(m.listen_fd);
	ry_sshhost_free(h);
	ry_sshconfig_free(c);
	free(text);
}

int main(int argc, char **argv)
{
	if (!getenv("RT_WORK")) {
		/* not under the harness yet: let it start sshd and call us back */
		const char *src = getenv("RUNYARD_SRCDIR");
		char *harness = ry_xasprintf("%s/tests/remote/test_ssh.sh", src ? src : ".");
		execl("/bin/bash", "bash", harness, argv[0], (char *)NULL);
		perror(harness);
		return 99;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_exec__output_and_status),
		cmocka_unit_test(test_ssh_exec__deadline),
		cmocka_unit_test(test_ssh_exec__cancel_from_another_thread),
		cmocka_unit_test(test_ssh_sftp__round_trip_and_ranges),
		cmocka_unit_test(test_ssh_auth__passphrase_callback),
		cmocka_unit_test(test_ssh_auth__typing_does_not_eat_the_deadline),
		cmocka_unit_test(test_ssh_threads__sessions_in_parallel),
		cmocka_unit_test(test_ssh_handshake__cut_off_in_key_exchange),
		cmocka_unit_test(test_ssh_auth__identities_only_skips_the_agents_keys),
		cmocka_unit_test(test_ssh_auth__identity_file_before_the_agents_other_keys),
		cmocka_unit_test(test_ssh_connect__proxycommand_host_is_refused_plainly),
		cmocka_unit_test(test_ssh_exec__tcsh_login_shell),
		cmocka_unit_test(test_ssh_hostkey__revoked_key_is_refused),
		cmocka_unit_test(test_ssh_hostkey__short_host_field_is_known),
		cmocka_unit_test(test_ssh_hostkey__known_only_by_ecdsa),
		cmocka_unit_test(test_ssh_errors__not_an_ssh_server_keeps_the_reason),
		cmocka_unit_test(test_ssh_errors__jump_host_named_once),
	};
	if (ry_sshconfig_load(&cfg, NULL) != 0)
		fail_msg("ssh config: %s", ry_error_last());
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	ry_sshconfig_free(cfg);
	return rc;
}
