/*
 * SSH sessions (see ssh.h): TCP connect with a deadline, the optional jump
 * hop, handshake, host-key verification against known_hosts, agent and key
 * authentication, command execution and SFTP transfers.
 *
 * Every session runs libssh2 in non-blocking mode and waits in poll() slices
 * of at most 100 ms, so one loop enforces both the deadline and the cancel
 * flag; no call here can hang on a stuck host.  A session that timed out,
 * was cancelled or lost its connection is given up: every later call on it
 * fails at once with the same error, so a dead link costs one deadline, not
 * one per command or file.  libssh2 errors are turned
 * into messages a user can act on here, at the boundary, and nowhere else.
 * This module knows nothing about runs, GPUs or the workspace.
 */
#include "remote/ssh.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/shell.h"
#include "remote/sshheap.h"
#include "remote/remote_internal.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUT_CAP (64u << 20)

struct jump;

struct ry_ssh {
	int fd;
	LIBSSH2_SESSION *sess;
	ry_sshheap *heap;     /* sess allocates here; see sshheap.h */
	LIBSSH2_SFTP *sftp;
	ry_ssh_options o;
	int timeout_ms;
	double deadline;     /* monotonic seconds */
	ry_ssh_fail fail;
	ry_ssh_fail dead;    /* why the session was given up (see give_up); RY_SSH_OK while it is usable */
	char *dead_msg;      /* the error it was given up with, repeated by later calls */
	char *label;         /* "user@host:port", for messages */
	struct jump *jump;   /* the hop carrying this session, or NULL */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void lib_init(void)
{
	init_rc = libssh2_init(0);
}

const char *ry_ssh_fail_name(ry_ssh_fail f)
{
	switch (f) {
	case RY_SSH_OK: return "ok";
	case RY_SSH_DNS: return "dns";
	case RY_SSH_REFUSED: return "refused";
	case RY_SSH_TIMEOUT: return "timeout";
	case RY_SSH_NETWORK: return "network";
	case RY_SSH_HOSTKEY_UNKNOWN: return "unknown host key";
	case RY_SSH_HOSTKEY_CHANGED: return "host key changed";
	case RY_SSH_AUTH: return "auth";
	case RY_SSH_PROTOCOL: return "protocol";
	case RY_SSH_CANCELLED: return "cancelled";
	case RY_SSH_HOSTKEY_REVOKED: return "revoked host key";
	}
	return "error";
}

ry_ssh_fail ry_ssh_last_fail(const ry_ssh *s)
{
	return s ? s->fail : RY_SSH_OK;
}

static bool cancelled(const atomic_int *c)
{
	return c && atomic_load(c) != 0;
}

static void arm(ry_ssh *s, int timeout_ms)
{
	s->deadline = ry_monotonic() + (timeout_ms > 0 ? timeout_ms : s->timeout_ms) / 1000.0;
	s->fail = s->dead;
}

/* Give the session up after a timeout, a cancel or a lost connection, with
 * the error just set: libssh2 is left in the middle of an exchange, and on a
 * dead link each later call would wait out a deadline of its own (a sync of
 * three runs on a host whose link dropped took three deadlines).  Returns
 * rc. */
static int give_up(ry_ssh *s, ry_ssh_fail why, int rc)
{
	s->fail = why;
	if (s->dead == RY_SSH_OK) {
		s->dead = why;
		s->dead_msg = ry_xstrdup(ry_error_last());
	}
	return rc;
}

/* What a call on a session given up on returns, at once. */
static int refuse_dead(ry_ssh *s)
{
	s->fail = s->dead;
	return ry_error_set(RY_EIO, "%s", s->dead_msg);
}

/* After LIBSSH2_ERROR_EAGAIN: wait up to 100 ms for the socket in the
 * direction libssh2 is blocked on.  0 means try again. */
static int wait_io(ry_ssh *s, const char *what)
{
	struct pollfd p = { s->fd, 0, 0 };
	int dir = libssh2_session_block_directions(s->sess);
	double left = s->deadline - ry_monotonic();
	if (cancelled(s->o.cancel))
		return give_up(s, RY_SSH_CANCELLED, ry_error_set(RY_EIO, "%s: %s cancelled", s->label, what));
	if (left <= 0)
		return give_up(s, RY_SSH_TIMEOUT,
		               ry_error_set(RY_EIO, "%s: timed out (%s); the host or the link may be down or "
		                            "overloaded; try again later", s->label, what));
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (!p.events)
		p.events = POLLIN;
	if (poll(&p, 1, left > 0.1 ? 100 : (int)(left * 1000) + 1) < 0 && errno != EINTR)
		return give_up(s, RY_SSH_NETWORK, ry_error_set(RY_EIO, "%s: %s", s->label, strerror(errno)));
	return 0;
}

/* Translate a libssh2 failure into a user's message. */
static int sess_err(ry_ssh *s, int rc, const char *what)
{
	char *msg = NULL;
	libssh2_session_last_error(s->sess, &msg, NULL, 0);
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_NONE:
		return give_up(s, RY_SSH_NETWORK,
		               ry_error_set(RY_EIO, "%s: connection lost while %s (%s); check the host and the "
		                            "network, then try again", s->label, what, msg ? msg : "socket error"));
	case LIBSSH2_ERROR_TIMEOUT:
		return give_up(s, RY_SSH_TIMEOUT, ry_error_set(RY_EIO, "%s: timeout while %s", s->label, what));
	default:
		s->fail = RY_SSH_PROTOCOL;
		return ry_error_set(RY_ERROR, "%s: %s failed: %s", s->label, what, msg && *msg ? msg : "ssh error");
	}
}

/* ---- TCP ------------------------------------------------------------- */

static int tcp_connect(const char *host, int port, double deadline, const atomic_int *cancel,
                       const char *label, int *fd_out, ry_ssh_fail *why)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int gai, last_errno = 0, fd = -1;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof portstr, "%d", port);
	gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0) {
		*why = RY_SSH_DNS;
		return ry_error_set(RY_EIO, "%s: cannot resolve host name '%s' (%s); check HostName in your ssh "
		                    "config and your DNS", label, host, gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			last_errno = errno;
			close(fd);
			fd = -1;
			continue;
		}
		p.fd = fd;
		p.events = POLLOUT;
		for (;;) {
			double left = deadline - ry_monotonic();
			int r;
			if (cancelled(cancel) || left <= 0) {
				last_errno = cancelled(cancel) ? ECANCELED : ETIMEDOUT;
				break;
			}
			r = poll(&p, 1, left > 0.1 ? 100 : (int)(left * 1000) + 1);
			if (r > 0 || (r < 0 && errno != EINTR))
				break;
		}
		if (last_errno == ECANCELED || last_errno == ETIMEDOUT) {
			close(fd);
			fd = -1;
			break;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
			break;
		last_errno = soerr ? soerr : errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		*fd_out = fd;
		return 0;
	}
	switch (last_errno) {
	case ECONNREFUSED:
		*why = RY_SSH_REFUSED;
		return ry_error_set(RY_EIO, "%s: connection refused (nothing listens on port %d of %s); is sshd "
		                    "running there, and is Port right in your ssh config?", label, port, host);
	case ETIMEDOUT:
		*why = RY_SSH_TIMEOUT;
		return ry_error_set(RY_EIO, "%s: no answer from %s port %d (timeout); the host may be down, "
		                    "asleep or behind a firewall", label, host, port);
	case ECANCELED:
		*why = RY_SSH_CANCELLED;
		return ry_error_set(RY_EIO, "%s: connecting cancelled", label);
	default:
		*why = RY_SSH_NETWORK;
		return ry_error_set(RY_EIO, "%s: cannot connect to %s port %d: %s", label, host, port,
		                    strerror(last_errno ? last_errno : EIO));
	}
}

/* ---- the jump hop: a socketpair pumped to a direct-tcpip channel ------- */

struct jump {
	ry_ssh *outer;       /* session to the jump host */
	LIBSSH2_CHANNEL *ch;
	int local;           /* our end of the socketpair */
	pthread_t thread;
	atomic_int stop;
};

static void *jump_pump(void *arg)
{
	struct jump *j = arg;
	char in[16384], out[16384];
	size_t inlen = 0, inoff = 0;
	bool local_eof = false;

	while (!atomic_load(&j->stop)) {
		struct pollfd p[2];
		ssize_t n;
		int progress = 0, dir;
		/* local -> channel */
		if (inoff == inlen && !local_eof) {
			n = read(j->local, in, sizeof in);
			if (n > 0) {
				inlen = (size_t)n;
				inoff = 0;
				progress = 1;
			} else if (n == 0) {
				local_eof = true;
				libssh2_channel_send_eof(j->ch);
			} else if (errno != EAGAIN && errno != EINTR) {
				break;
			}
		}
		while (inoff < inlen) {
			ssize_t w = libssh2_channel_write(j->ch, in + inoff, inlen - inoff);
			if (w == LIBSSH2_ERROR_EAGAIN)
				break;
			if (w < 0)
				goto done;
			inoff += (size_t)w;
			progress = 1;
		}
		/* channel -> local */
		n = libssh2_channel_read(j->ch, out, sizeof out);
		if (n > 0) {
			size_t off = 0;
			while (off < (size_t)n) {
				ssize_t w = write(j->local, out + off, (size_t)n - off);
				if (w < 0 && errno == EAGAIN) {
					struct pollfd wp = { j->local, POLLOUT, 0 };
					poll(&wp, 1, 100);
					if (atomic_load(&j->stop))
						goto done;
					continue;
				}
				if (w < 0)
					goto done;
				off += (size_t)w;
			}
			progress = 1;
		} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			break;
		} else if (n == 0 && libssh2_channel_eof(j->ch)) {
			break;
		}
		if (progress)
			continue;
		p[0].fd = j->local;
		p[0].events = (inoff == inlen && !local_eof) ? POLLIN : 0;
		p[1].fd = j->outer->fd;
		dir = libssh2_session_block_directions(j->outer->sess);
		p[1].events = POLLIN | ((dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) ? POLLOUT : 0);
		poll(p, 2, 100);
	}
done:
	/* Closing our end tells the inner session the link is gone. */
	shutdown(j->local, SHUT_RDWR);
	return NULL;
}

static void jump_free(struct jump *j)
{
	if (!j)
		return;
	atomic_store(&j->stop, 1);
	pthread_join(j->thread, NULL);
	/* The pump has stopped: free the channel in blocking mode, or a
	 * non-blocking free may stop at EAGAIN and leak it with its session. */
	if (j->outer && j->outer->sess) {
		libssh2_session_set_timeout(j->outer->sess, 1000);
		libssh2_session_set_blocking(j->outer->sess, 1);
	}
	libssh2_channel_free(j->ch);
	close(j->local);
	ry_ssh_close(j->outer);
	free(j);
}

static int connect_session(ry_ssh **out, const ry_sshhost *h, const ry_ssh_options *o, ry_ssh_fail *why,
                           int depth);

/* Connect to the jump host, open a direct-tcpip channel to h, and hand back
 * one end of a socketpair that behaves like a TCP socket to h. */
static int jump_open(const ry_sshhost *h, const ry_ssh_options *o, struct jump **out, int *fd, ry_ssh_fail *why)
{
	char *user = NULL, *host = NULL;
	int port = 0, rc, sp[2], err;
	ry_sshhost *jh = NULL;
	struct jump *j;

	*out = NULL;
	if ((rc = ry_sshconfig_parse_jump(h->proxy_jump, &user, &host, &port)))
		return rc;
	rc = ry_sshconfig_resolve(o->config, host, &jh);
	if (rc)
		goto out;
	if (user) {
		free(jh->user);
		jh->user = user;
		user = NULL;
	}
	if (port)
		jh->port = port;
	j = ry_xcalloc(1, sizeof *j);
	j->local = -1;
	if ((rc = connect_session(&j->outer, jh, o, why, 1))) {
		ry_error_set(rc, "via jump host %s: %s", h->proxy_jump, ry_error_last());
		free(j);
		goto out;
	}
	arm(j->outer, 0);
	while (!(j->ch = libssh2_channel_direct_tcpip(j->outer->sess, h->hostname, h->port)) &&
	       libssh2_session_last_errno(j->outer->sess) == LIBSSH2_ERROR_EAGAIN) {
		if ((rc = wait_io(j->outer, "opening the jump channel")))
			break;
	}
	if (!j->ch) {
		if (!rc) {
			rc = sess_err(j->outer, libssh2_session_last_errno(j->outer->sess), "opening a tunnel");
			ry_error_set(rc, "jump host %s could not reach %s port %d: %s", h->proxy_jump, h->hostname,
			             h->port, ry_error_last());
			*why = RY_SSH_REFUSED;
		} else {
			*why = j->outer->fail;
		}
		ry_ssh_close(j->outer);
		free(j);
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
		err = errno;
		libssh2_channel_free(j->ch);
		ry_ssh_close(j->outer);
		free(j);
		rc = ry_error_set(RY_EIO, "cannot create a socket pair: %s", strerror(err));
		goto out;
	}
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	fcntl(sp[1], F_SETFL, O_NONBLOCK);
	j->local = sp[1];
	if (pthread_create(&j->thread, NULL, jump_pump, j) != 0) {
		close(sp[0]);
		close(sp[1]);
		libssh2_channel_free(j->ch);
		ry_ssh_close(j->outer);
		free(j);
		rc = ry_error_set(RY_ERROR, "cannot start the jump-host thread");
		goto out;
	}
	*fd = sp[0];
	*out = j;
out:
	free(user);
	free(host);
	ry_sshhost_free(jh);
	return rc;
}

/* ---- host keys --------------------------------------------------------- */

static const char *key_type_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return "RSA";
	case LIBSSH2_HOSTKEY_TYPE_DSS: return "DSA";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ECDSA";
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ED25519";
	default: return "unknown-type";
	}
}

/* The known_hosts key bit for a key type name, for a hashed line. */
static int known_type_bit_name(const char *t)
{
	if (!strcmp(t, "ssh-rsa")) return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	if (!strcmp(t, "ssh-dss")) return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	if (!strcmp(t, "ecdsa-sha2-nistp256")) return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	if (!strcmp(t, "ecdsa-sha2-nistp384")) return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	if (!strcmp(t, "ecdsa-sha2-nistp521")) return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	if (!strcmp(t, "ssh-ed25519")) return LIBSSH2_KNOWNHOST_KEY_ED25519;
	return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
}

/* The name known_hosts records a host under: "host", or "[host]:port"
 * off port 22 (OpenSSH's put_host_port).  Caller frees. */
static char *known_name(const ry_sshhost *h)
{
	return h->port == 22 ? ry_xstrdup(h->hostname) : ry_xasprintf("[%s]:%d", h->hostname, h->port);
}

/* Does a known_hosts host field name `name`?  Plain fields are OpenSSH
 * pattern lists, matched here: libssh2 1.10 drops plain entries whose name
 * is shorter than 3 characters, so "g1" would never be known.  A hashed
 * field (|1|salt|hash) needs HMAC-SHA1, which libssh2 has: the line goes
 * into a one-line libssh2 list and is checked against its own key, so a
 * match says only that the name matched. */
static bool known_field_matches(LIBSSH2_SESSION *sess, const char *field, const char *type, const char *b64,
                                const char *name)
{
	bool any = false;
	if (!strncmp(field, "|1|", 3)) {
		LIBSSH2_KNOWNHOSTS *kh = sess ? libssh2_knownhost_init(sess) : NULL;
		char *line = ry_xasprintf("%s %s %s\n", field, type, b64);
		int bit = known_type_bit_name(type);
		if (kh && bit != LIBSSH2_KNOWNHOST_KEY_UNKNOWN &&
		    libssh2_knownhost_readline(kh, line, strlen(line), LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0)
			any = libssh2_knownhost_checkp(kh, name, -1, b64, strlen(b64), LIBSSH2_KNOWNHOST_TYPE_PLAIN |
			                               LIBSSH2_KNOWNHOST_KEYENC_BASE64 | bit, NULL) ==
			      LIBSSH2_KNOWNHOST_CHECK_MATCH;
		if (kh)
			libssh2_knownhost_free(kh);
		free(line);
		return any;
	}
	{
		char *copy = ry_xstrdup(field), *save = NULL;
		for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			if (p[0] == '!') {
				if (ry_sshconfig_match(p + 1, name)) {
					any = false; /* a negated pattern vetoes the line, as in OpenSSH */
					break;
				}
			} else if (ry_sshconfig_match(p, name)) {
				any = true;
			}
		}
		free(copy);
	}
	return any;
}


/* What known_hosts says about host h.  Read here line by line rather than
 * with libssh2_knownhost_readfile, which stops at the first line it cannot
 * parse (a cert-authority or security-key line) and ignores @revoked.
 * With key_type NULL it only collects, in *types, the key types recorded for
 * the host (comma-separated, file order, revoked keys left out), so the
 * handshake can ask for one of them first, as OpenSSH does.  Otherwise it
 * judges the server's key (type name and base64): a @revoked line with that
 * key wins over everything, then a line with that key, then a line with
 * another key of the same type (changed).  *line_out is the deciding line. */
static enum ry_ssh__known known_lookup(LIBSSH2_SESSION *sess, const ry_sshhost *h, const char *key_type,
                                       const char *key_b64, ry_buf *types, int *line_out)
{
	FILE *f = fopen(h->known_hosts, "r");
	char *name = known_name(h);
	enum ry_ssh__known v = ry_ssh__known_scan(sess, f, name, key_type, key_b64, types, line_out);
	free(name);
	if (f)
		fclose(f);
	return v;
}

enum ry_ssh__known ry_ssh__known_scan(LIBSSH2_SESSION *sess, FILE *f, const char *name, const char *key_type,
                                      const char *key_b64, ry_buf *types, int *line_out)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0;
	enum ry_ssh__known v = RY_SSH__KNOWN_NOTFOUND;

	*line_out = 0;
	while (f && getline(&line, &cap, f) > 0) {
		char *save = NULL, *marker = NULL, *field, *type, *b64;
		lineno++;
		field = strtok_r(line, " \t\r\n", &save);
		if (!field || field[0] == '#')
			continue;
		if (field[0] == '@') {
			marker = field;
			field = strtok_r(NULL, " \t\r\n", &save);
		}
		type = strtok_r(NULL, " \t\r\n", &save);
		b64 = strtok_r(NULL, " \t\r\n", &save);
		if (!field || !type || !b64)
			continue;
		if (marker && strcmp(marker, "@revoked"))
			continue; /* @cert-authority: runyard does not use host certificates */
		if (!known_field_matches(sess, field, type, b64, name))
			continue;
		if (!key_type) {
			if (!marker && !strstr(ry_buf_cstr(types), type))
				ry_buf_printf(types, "%s%s", types->len ? "," : "", type);
			continue;
		}
		if (strcmp(type, key_type) || strcmp(b64, key_b64)) {
			if (!marker && !strcmp(type, key_type) && v == RY_SSH__KNOWN_NOTFOUND) {
				v = RY_SSH__KNOWN_MISMATCH;
				*line_out = lineno;
			}
			continue;
		}
		if (marker) {
			v = RY_SSH__KNOWN_REVOKED;
			*line_out = lineno;
			break;
		}
		if (v != RY_SSH__KNOWN_MATCH) {
			v = RY_SSH__KNOWN_MATCH;
			*line_out = lineno;
		}
	}
	free(line);
	return v;
}

/* The key type name at the start of an ssh key blob (string "ssh-ed25519",
 * then the key).  Caller frees; NULL when the blob is malformed. */
static char *blob_type(const unsigned char *k, size_t len)
{
	uint32_t n;
	if (len < 4)
		return NULL;
	n = (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 | (uint32_t)k[2] << 8 | k[3];
	if (n == 0 || n > 64 || n > len - 4)
		return NULL;
	return ry_xstrndup((const char *)k + 4, n);
}

static int check_host_key(ry_ssh *s, const ry_sshhost *h)
{
	size_t len = 0;
	int type = 0, rc = 0, line = 0;
	const char *key = libssh2_session_hostkey(s->sess, &len, &type);
	const char *hash = libssh2_hostkey_hash(s->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
	enum ry_ssh__known check;
	char *tname;
	ry_buf fp = RY_BUF_INIT, keyscan = RY_BUF_INIT, b64 = RY_BUF_INIT;

	if (!key || !hash || !(tname = blob_type((const unsigned char *)key, len))) {
		s->fail = RY_SSH_PROTOCOL;
		return ry_error_set(RY_ERROR, "%s: the server sent no host key", s->label);
	}
	ry_buf_puts(&fp, "SHA256:");
	ry_buf_base64(&fp, hash, 32, false);
	ry_buf_base64(&b64, key, len, true);
	check = known_lookup(s->sess, h, tname, ry_buf_cstr(&b64), NULL, &line);
	free(tname);
	ry_buf_free(&b64);
	ry_buf_puts(&keyscan, "ssh-keyscan ");
	if (h->port != 22)
		ry_buf_printf(&keyscan, "-p %d ", h->port);
	ry_shell_quote_soft(&keyscan, h->hostname);
	ry_buf_puts(&keyscan, " >> ");
	ry_shell_quote_soft(&keyscan, h->known_hosts);
	switch (check) {
	case RY_SSH__KNOWN_MATCH:
		break;
	case RY_SSH__KNOWN_REVOKED:
		s->fail = RY_SSH_HOSTKEY_REVOKED;
		rc = ry_error_set(RY_EREFUSED,
		                  "%s presents a REVOKED host key: its %s key %s is marked @revoked in %s line %d, "
		                  "so runyard refused to connect (as ssh does).  The host may be compromised or "
		                  "impersonated; ask its admin for the current key",
		                  s->label, key_type_name(type), ry_buf_cstr(&fp), h->known_hosts, line);
		break;
	case RY_SSH__KNOWN_MISMATCH: {
		char hostspec[300];
		if (h->port != 22)
			snprintf(hostspec, sizeof hostspec, "[%s]:%d", h->hostname, h->port);
		else
			snprintf(hostspec, sizeof hostspec, "%s", h->hostname);
		s->fail = RY_SSH_HOSTKEY_CHANGED;
		rc = ry_error_set(RY_EREFUSED,
		                  "WARNING: THE HOST KEY OF %s HAS CHANGED.  runyard refused to connect.  The host now "
		                  "presents %s key %s, which differs from the key recorded in %s.  Someone may be "
		                  "intercepting the connection, or the host was reinstalled.  Only if you know why it "
		                  "changed: remove the old key with 'ssh-keygen -R %s -f %s', check the new "
		                  "fingerprint with the host's admin, then trust it with: %s",
		                  s->label, key_type_name(type), ry_buf_cstr(&fp), h->known_hosts, hostspec,
		                  h->known_hosts, ry_buf_cstr(&keyscan));
		break;
	}
	case RY_SSH__KNOWN_NOTFOUND:
		s->fail = RY_SSH_HOSTKEY_UNKNOWN;
		rc = ry_error_set(RY_EREFUSED,
		                  "%s is not a known host: its %s key %s is not in %s, and runyard never accepts "
		                  "host keys automatically.  If that fingerprint is the host's, trust it with: %s  "
		                  "(or run 'ssh %s' once and answer yes), then try again",
		                  s->label, key_type_name(type), ry_buf_cstr(&fp), h->known_hosts,
		                  ry_buf_cstr(&keyscan), h->alias);
		break;
	}
	ry_buf_free(&fp);
	ry_buf_free(&keyscan);
	return rc;
}

/* ---- authentication ---------------------------------------------------- */

static char *slurp_small(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	if (!f)
		return NULL;
	buf = ry_xmalloc(max + 1);
	n = fread(buf, 1, max, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static bool key_is_encrypted(const char *priv)
{
	char *t = slurp_small(priv, 16384);
	bool enc = false;
	if (!t)
		return false;
	if (strstr(t, "ENCRYPTED"))
		enc = true;
	/* openssh-key-v1 with cipher "none" always starts with this base64. */
	else if (strstr(t, "BEGIN OPENSSH PRIVATE KEY") && !strstr(t, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"))
		enc = true;
	free(t);
	return enc;
}

static bool key_is_rsa(const char *priv)
{
	char *pub = ry_xasprintf("%s.pub", priv);
	char *t = slurp_small(pub, 64);
	bool rsa = false;
	if (t)
		rsa = strncmp(t, "ssh-rsa ", 8) == 0;
	else if ((t = slurp_small(priv, 64)))
		rsa = strstr(t, "BEGIN RSA PRIVATE KEY") != NULL;
	if (!t && strstr(priv, "rsa"))
		rsa = true;
	free(t);
	free(pub);
	return rsa;
}

/* The base64 key field of priv's .pub file, to recognise the same key in
 * the agent; NULL without a readable .pub.  Caller frees. */
static char *pub_b64(const char *priv)
{
	char *pub = ry_xasprintf("%s.pub", priv), *t = slurp_small(pub, 16384), *save = NULL, *k = NULL;
	free(pub);
	if (t && strtok_r(t, " \t\r\n", &save) && (k = strtok_r(NULL, " \t\r\n", &save)))
		k = ry_xstrdup(k);
	free(t);
	return k;
}

/* $SSH_AUTH_SOCK's agent with its identities listed, or NULL: a dead agent
 * socket is no reason to fail, the key files are tried next. */
static LIBSSH2_AGENT *agent_open(ry_ssh *s)
{
	LIBSSH2_AGENT *agent;
	if (!getenv("SSH_AUTH_SOCK") || !*getenv("SSH_AUTH_SOCK"))
		return NULL;
	if (!(agent = libssh2_agent_init(s->sess)))
		return NULL;
	if (libssh2_agent_connect(agent) != 0 || libssh2_agent_list_identities(agent) != 0) {
		libssh2_agent_free(agent);
		return NULL;
	}
	return agent;
}

static void agent_close(LIBSSH2_AGENT *agent)
{
	if (!agent)
		return;
	libssh2_agent_disconnect(agent);
	libssh2_agent_free(agent);
}

/* Offer the agent's keys that are (listed) or are not (!listed) among
 * pubs[0..npub), base64 key fields as in .pub files.  A server counts every
 * offer against MaxAuthTries (6 by default), which is why the configured
 * keys go first and IdentitiesOnly skips the others. */
static int agent_try(ry_ssh *s, LIBSSH2_AGENT *agent, const char *user, char *const *pubs, size_t npub,
                     bool listed, bool *ok, int *tried)
{
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int rc = 0;
	while (!*ok && libssh2_agent_get_identity(agent, &id, prev) == 0) {
		ry_buf b64 = RY_BUF_INIT;
		bool in = false;
		int r;
		prev = id;
		ry_buf_base64(&b64, id->blob, id->blob_len, true);
		for (size_t i = 0; i < npub; i++)
			if (pubs[i] && !strcmp(pubs[i], ry_buf_cstr(&b64)))
				in = true;
		ry_buf_free(&b64);
		if (in != listed)
			continue;
		(*tried)++;
		while ((r = libssh2_agent_userauth(agent, user, id)) == LIBSSH2_ERROR_EAGAIN)
			if ((rc = wait_io(s, "authenticating with ssh-agent")))
				return rc;
		*ok = r == 0;
	}
	return rc;
}

/* After an encrypted key with a passphrase failed: was the passphrase
 * wrong?  libssh2 decrypts the key only to sign, with a .pub file beside
 * it, and then reports its signing callback's failure, with the code it
 * also uses for a key the host refused; without a .pub file it fails to
 * read the file.  The key was readable a moment ago (key_is_encrypted). */
static bool bad_passphrase(ry_ssh *s, int r)
{
	char *msg = NULL;
	if (r == LIBSSH2_ERROR_FILE)
		return true;
	if (r != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
		return false;
	libssh2_session_last_error(s->sess, &msg, NULL, 0);
	return msg && strstr(msg, "Callback returned error");
}

static int authenticate(ry_ssh *s, const ry_sshhost *h)
{
	char *list;
	bool ok = false, rsa_refused = false;
	int rc = 0, agent_tried = 0;
	ry_buf tried = RY_BUF_INIT;
	LIBSSH2_AGENT *agent;
	char **pubs;
	unsigned ulen = (unsigned)strlen(h->user);

	while (!(list = libssh2_userauth_list(s->sess, h->user, ulen)) &&
	       libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "starting authentication")))
			return rc;
	if (!list) {
		if (libssh2_userauth_authenticated(s->sess))
			return 0;
		return sess_err(s, libssh2_session_last_errno(s->sess), "starting authentication");
	}
	if (!strstr(list, "publickey")) {
		s->fail = RY_SSH_AUTH;
		return ry_error_set(RY_ERROR, "%s accepts only '%s' authentication; runyard logs in with ssh keys: "
		                    "enable PubkeyAuthentication on the host", s->label, list);
	}
	/* OpenSSH's order: the IdentityFile keys (the agent's copy when it
	 * holds one), then the agent's other keys, unless IdentitiesOnly.
	 * Without IdentityFile the agent goes before the default key files, so
	 * an agent key spares a passphrase prompt. */
	agent = s->o.use_agent ? agent_open(s) : NULL;
	pubs = ry_xcalloc(h->nidentity + 1, sizeof *pubs);
	for (size_t i = 0; i < h->nidentity; i++)
		pubs[i] = pub_b64(h->identity[i]);
	if (agent && (rc = agent_try(s, agent, h->user, pubs, h->nidentity, true, &ok, &agent_tried)))
		goto done;
	if (agent && !ok && !h->identity_explicit && !h->identities_only &&
	    (rc = agent_try(s, agent, h->user, pubs, h->nidentity, false, &ok, &agent_tried)))
		goto done;
	for (size_t i = 0; !ok && i < h->nidentity; i++) {
		const char *priv = h->identity[i];
		char *pub = ry_xasprintf("%s.pub", priv);
		char pass[1024] = "";
		bool encrypted = false;
		int r;
		if (access(priv, R_OK) != 0) {
			free(pub);
			continue;
		}
		if (access(pub, R_OK) != 0) {
			free(pub);
			pub = NULL;
		}
		if ((encrypted = key_is_encrypted(priv))) {
			int asked = s->o.passphrase ? s->o.passphrase(priv, pass, sizeof pass, s->o.payload) : 1;
			/* A person may have taken a minute to type: the deadline is
			 * for the host, so it starts again from here. */
			arm(s, 0);
			if (asked != 0) {
				explicit_bzero(pass, sizeof pass);
				ry_buf_printf(&tried, "%s%s (encrypted, no passphrase given)", tried.len ? ", " : "", priv);
				free(pub);
				continue;
			}
		}
		while ((r = libssh2_userauth_publickey_fromfile_ex(s->sess, h->user, ulen, pub, priv, pass)) ==
		       LIBSSH2_ERROR_EAGAIN)
			if ((rc = wait_io(s, "authenticating")))
				break;
		explicit_bzero(pass, sizeof pass);
		free(pub);
		if (rc)
			goto done;
		if (r == 0) {
			ok = true;
			break;
		}
		if (encrypted && bad_passphrase(s, r))
			ry_buf_printf(&tried, "%s%s (wrong passphrase)", tried.len ? ", " : "", priv);
		else if (r == LIBSSH2_ERROR_FILE)
			ry_buf_printf(&tried, "%s%s (unreadable, or wrong passphrase)", tried.len ? ", " : "", priv);
		else
			ry_buf_printf(&tried, "%s%s", tried.len ? ", " : "", priv);
		if ((r == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED || r == LIBSSH2_ERROR_AUTHENTICATION_FAILED) &&
		    !(encrypted && bad_passphrase(s, r)) && key_is_rsa(priv))
			rsa_refused = true;
		if (r == LIBSSH2_ERROR_SOCKET_SEND || r == LIBSSH2_ERROR_SOCKET_RECV ||
		    r == LIBSSH2_ERROR_SOCKET_DISCONNECT) {
			rc = sess_err(s, r, "authenticating");
			if (agent_tried >= 3)
				/* the usual reason: every agent key counted against MaxAuthTries */
				rc = ry_error_set(rc, "%s hung up after %d keys from ssh-agent, before %s was tried (sshd's "
				                  "MaxAuthTries); add 'IdentitiesOnly yes' and the right IdentityFile for "
				                  "this host to your ssh config", s->label, agent_tried, priv);
			goto done;
		}
	}
	if (agent && !ok && h->identity_explicit && !h->identities_only &&
	    (rc = agent_try(s, agent, h->user, pubs, h->nidentity, false, &ok, &agent_tried)))
		goto done;
	if (ok)
		goto done;
	s->fail = RY_SSH_AUTH;
	if (rsa_refused)
		rc = ry_error_set(RY_ERROR, "%s refused your RSA key: this build of libssh2 signs RSA keys with SHA-1 "
		                  "(ssh-rsa), which OpenSSH 8.8 and later reject.  Use an ed25519 key instead: "
		                  "'ssh-keygen -t ed25519', add the .pub line to ~/.ssh/authorized_keys on the host, "
		                  "and name it with IdentityFile in your ssh config (tried: %s)",
		                  s->label, ry_buf_cstr(&tried));
	else
		rc = ry_error_set(RY_ERROR, "%s: authentication failed: no key was accepted (ssh-agent: %s; key "
		                  "files: %s).  Add your public key to ~/.ssh/authorized_keys on the host "
		                  "(ssh-copy-id), or set IdentityFile/User for this host in your ssh config",
		                  s->label, agent_tried ? "keys refused" : "not available",
		                  tried.len ? ry_buf_cstr(&tried) : "none found");
done:
	agent_close(agent);
	ry_strings_free(pubs, h->nidentity);
	ry_buf_free(&tried);
	return rc;
}

/* ---- connect ----------------------------------------------------------- */

/* The key type a host key algorithm signs with ("rsa-sha2-512" is an
 * ssh-rsa key). */
static const char *alg_key_type(const char *alg)
{
	return strncmp(alg, "rsa-sha2-", 9) ? alg : "ssh-rsa";
}

/* OpenSSH's order, with the types known_hosts holds for this host moved to
 * the front (OpenSSH's order_hostkeyalgs): a host known only by its ECDSA
 * key must not be asked for ed25519 first and then refused as unknown.
 * Only names this libssh2 supports are passed: 1.10 removes unknown ones
 * with an overlapping memcpy. */
static void set_hostkey_pref(LIBSSH2_SESSION *sess, const ry_sshhost *h)
{
	static const char *const want[] = { "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	                                    "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa" };
	const char **algs = NULL;
	int n = libssh2_session_supported_algs(sess, LIBSSH2_METHOD_HOSTKEY, &algs), line;
	ry_buf b = RY_BUF_INIT, known = RY_BUF_INIT;
	known_lookup(sess, h, NULL, NULL, &known, &line);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; n > 0 && i < sizeof want / sizeof want[0]; i++) {
			bool is_known = false;
			for (char *k = known.ptr, *e; k && *k; k = *e ? e + 1 : e) {
				e = strchr(k, ',');
				if (!e)
					e = k + strlen(k);
				if ((size_t)(e - k) == strlen(alg_key_type(want[i])) &&
				    !strncmp(k, alg_key_type(want[i]), (size_t)(e - k)))
					is_known = true;
			}
			if (is_known != (pass == 0))
				continue;
			for (int j = 0; j < n; j++)
				if (!strcmp(algs[j], want[i]))
					ry_buf_printf(&b, "%s%s", b.len ? "," : "", want[i]);
		}
	}
	if (n > 0)
		libssh2_free(sess, algs);
	if (b.len)
		libssh2_session_method_pref(sess, LIBSSH2_METHOD_HOSTKEY, b.ptr);
	ry_buf_free(&b);
	ry_buf_free(&known);
}

static int connect_session(ry_ssh **out, const ry_sshhost *h, const ry_ssh_options *o, ry_ssh_fail *why,
                           int depth)
{
	ry_ssh *s;
	int rc;

	*out = NULL;
	*why = RY_SSH_OK;
	pthread_once(&init_once, lib_init);
	if (init_rc != 0)
		return ry_error_set(RY_ERROR, "cannot initialise libssh2");
	s = ry_xcalloc(1, sizeof *s);
	s->fd = -1;
	s->o = *o;
	s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
	if (h->connect_timeout > 0 && h->connect_timeout * 1000 < s->timeout_ms)
		s->timeout_ms = h->connect_timeout * 1000;
	s->label = h->port == 22 ? ry_xasprintf("%s@%s", h->user, h->alias)
	                         : ry_xasprintf("%s@%s:%d", h->user, h->alias, h->port);
	arm(s, 0);
	if (h->unsupported) {
		/* Connecting without it would reach another machine, or none. */
		*why = RY_SSH_PROTOCOL;
		rc = ry_error_set(RY_EINVAL, "%s: your ssh config gives this host %s, which runyard does not run; "
		                  "use ProxyJump for a jump host, or reach the host directly",
		                  s->label, h->unsupported);
		goto fail;
	}
	if (h->proxy_jump && depth == 0) {
		rc = jump_open(h, o, &s->jump, &s->fd, why);
	} else if (h->proxy_jump) {
		*why = RY_SSH_PROTOCOL;
		rc = ry_error_set(RY_EINVAL, "%s: the jump host itself has a ProxyJump; runyard supports one hop",
		                  s->label);
	} else {
		rc = tcp_connect(h->hostname, h->port, s->deadline, o->cancel, s->label, &s->fd, why);
	}
	if (rc)
		goto fail;
	s->heap = ry_sshheap_new();
	s->sess = ry_sshheap_session(s->heap);
	if (!s->sess) {
		rc = ry_error_set(RY_ERROR, "cannot create an ssh session");
		goto fail;
	}
	libssh2_session_set_blocking(s->sess, 0);
	set_hostkey_pref(s->sess, h);
	arm(s, 0);
	while ((rc = libssh2_session_handshake(s->sess, s->fd)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "the ssh handshake")))
			break;
	if (rc) {
		if (s->fail == RY_SSH_OK) {
			rc = sess_err(s, rc, "the ssh handshake");
			ry_error_set(rc, "%s (is it an ssh server?)", ry_error_last());
		}
		goto fail;
	}
	if ((rc = check_host_key(s, h)) || (rc = authenticate(s, h)))
		goto fail;
	*out = s;
	return 0;
fail:
	if (*why == RY_SSH_OK)
		*why = s->fail != RY_SSH_OK ? s->fail : RY_SSH_PROTOCOL;
	{
		char *msg = ry_xstrdup(ry_error_last());
		ry_ssh_close(s);
		if (h->unevaluated && !h->unsupported)
			ry_error_set(rc, "%s (note: runyard does not evaluate %s in your ssh config; if it applies to "
			             "this host, put its options in a Host block)", msg, h->unevaluated);
		else
			ry_error_set(rc, "%s", msg);
		free(msg);
	}
	return rc;
}

int ry_ssh_connect(ry_ssh **out, const ry_sshhost *h, const ry_ssh_options *o, ry_ssh_fail *why)
{
	ry_ssh_options def = RY_SSH_OPTIONS_INIT;
	ry_ssh_fail dummy;
	return connect_session(out, h, o ? o : &def, why ? why : &dummy, 0);
}

void ry_ssh_close(ry_ssh *s)
{
	if (!s)
		return;
	if (s->sess) {
		bool stuck = s->dead != RY_SSH_OK || s->fail == RY_SSH_TIMEOUT || s->fail == RY_SSH_CANCELLED ||
		             s->fail == RY_SSH_NETWORK;
		double until = ry_monotonic() + (stuck ? 0.05 : 1.0);
		int rc = 0;
		if (s->sftp) {
			while ((rc = libssh2_sftp_shutdown(s->sftp)) == LIBSSH2_ERROR_EAGAIN && ry_monotonic() < until)
				usleep(1000);
		}
		/* an SFTP channel the host did not close in time: the link died
		 * after the last call (a launch that had started its job) */
		if (rc == LIBSSH2_ERROR_EAGAIN)
			stuck = true;
		while (libssh2_session_disconnect(s->sess, "bye") == LIBSSH2_ERROR_EAGAIN && ry_monotonic() < until)
			usleep(1000);
		/* In non-blocking mode libssh2_session_free can stop half way with
		 * EAGAIN and leak the session; free it in blocking mode with a
		 * short timeout, after cutting a stuck link so nothing waits on it:
		 * a blocking free that times out on a channel stops half way too,
		 * leaking libcrypto's state (the heap only holds libssh2's own). */
		if (stuck && s->fd >= 0)
			shutdown(s->fd, SHUT_RDWR);
		libssh2_session_set_timeout(s->sess, 1000);
		libssh2_session_set_blocking(s->sess, 1);
		libssh2_session_free(s->sess);
	}
	ry_sshheap_free(s->heap);
	if (s->fd >= 0)
		close(s->fd);
	jump_free(s->jump);
	free(s->dead_msg);
	free(s->label);
	free(s);
}

/* ---- exec -------------------------------------------------------------- */

static void channel_free(ry_ssh *s, LIBSSH2_CHANNEL *ch)
{
	/* After a timeout or cancel, do not wait on the host again: whatever is
	 * left is freed with the session. */
	double until = ry_monotonic() + (s->fail == RY_SSH_OK ? 1.0 : 0.05);
	while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && ry_monotonic() < until) {
		struct pollfd p = { s->fd, POLLIN, 0 };
		poll(&p, 1, 20);
	}
}

static void capped_put(ry_buf *b, const char *data, size_t n)
{
	if (b && b->len < OUTPUT_CAP)
		ry_buf_put(b, data, n < OUTPUT_CAP - b->len ? n : OUTPUT_CAP - b->len);
}

int ry_ssh_exec(ry_ssh *s, const char *cmd, const char *in, size_t inlen, ry_buf *out, ry_buf *err,
                int *exit_status, int timeout_ms)
{
	LIBSSH2_CHANNEL *ch;
	char buf[32768];
	size_t off = 0;
	int rc = 0;
	char *sig = NULL;
	ry_buf wrapped = RY_BUF_INIT;

	*exit_status = -1;
	arm(s, timeout_ms);
	if (s->dead)
		return refuse_dead(s);
	while (!(ch = libssh2_channel_open_session(s->sess)) &&
	       libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "opening a channel")))
			return rc;
	if (!ch)
		return sess_err(s, libssh2_session_last_errno(s->sess), "opening a channel");
	/* The user's login shell runs what we send: whatever it is, it only
	 * hands cmd to sh (csh and tcsh would choke on ! and newlines). */
	ry_shell_wrap_for_login_shell(&wrapped, cmd);
	while ((rc = libssh2_channel_exec(ch, ry_buf_cstr(&wrapped))) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "starting a remote command")))
			goto out;
	if (rc) {
		rc = sess_err(s, rc, "starting a remote command");
		goto out;
	}
	while (in && off < inlen) {
		ssize_t w = libssh2_channel_write(ch, in + off, inlen - off);
		if (w == LIBSSH2_ERROR_EAGAIN) {
			if ((rc = wait_io(s, "sending input")))
				goto out;
			continue;
		}
		if (w < 0) {
			rc = sess_err(s, (int)w, "sending input");
			goto out;
		}
		off += (size_t)w;
	}
	while ((rc = libssh2_channel_send_eof(ch)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "sending input")))
			goto out;
	for (;;) {
		ssize_t n1 = libssh2_channel_read(ch, buf, sizeof buf);
		ssize_t n2;
		if (n1 > 0)
			capped_put(out, buf, (size_t)n1);
		n2 = libssh2_channel_read_stderr(ch, buf, sizeof buf);
		if (n2 > 0)
			capped_put(err, buf, (size_t)n2);
		if ((n1 < 0 && n1 != LIBSSH2_ERROR_EAGAIN) || (n2 < 0 && n2 != LIBSSH2_ERROR_EAGAIN)) {
			rc = sess_err(s, (int)(n1 < 0 && n1 != LIBSSH2_ERROR_EAGAIN ? n1 : n2), "reading command output");
			goto out;
		}
		if (n1 > 0 || n2 > 0)
			continue;
		if (libssh2_channel_eof(ch))
			break;
		if ((rc = wait_io(s, "running a remote command")))
			goto out;
	}
	while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "closing a channel")))
			goto out;
	while ((rc = libssh2_channel_wait_closed(ch)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "closing a channel")))
			goto out;
	rc = 0;
	*exit_status = libssh2_channel_get_exit_status(ch);
	if (libssh2_channel_get_exit_signal(ch, &sig, NULL, NULL, NULL, NULL, NULL) == 0 && sig) {
		static const char *const names[] = { "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
		                                     "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM" };
		*exit_status = 128;
		for (int i = 0; i < 15; i++)
			if (!strcmp(sig, names[i]))
				*exit_status = 129 + i;
		libssh2_free(s->sess, sig);
	}
out:
	channel_free(s, ch);
	ry_buf_free(&wrapped);
	return rc;
}

/* ---- SFTP -------------------------------------------------------------- */

static int sftp_ready(ry_ssh *s)
{
	int rc;
	if (s->sftp)
		return 0;
	while (!(s->sftp = libssh2_sftp_init(s->sess)) && libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "starting SFTP")))
			return rc;
	if (!s->sftp) {
		rc = sess_err(s, libssh2_session_last_errno(s->sess), "starting SFTP");
		return ry_error_set(rc, "%s (does the host's sshd have 'Subsystem sftp'?)", ry_error_last());
	}
	return 0;
}

/* SFTP paths are relative to the login directory: "~/x" is "x". */
static const char *sftp_path(const char *p)
{
	if (p[0] == '~' && p[1] == '\0')
		return ".";
	if (p[0] == '~' && p[1] == '/')
		return p + 2;
	return p;
}

static int sftp_err(ry_ssh *s, const char *what, const char *path)
{
	unsigned long e;
	if (libssh2_session_last_errno(s->sess) != LIBSSH2_ERROR_SFTP_PROTOCOL)
		return sess_err(s, libssh2_session_last_errno(s->sess), what);
	e = libssh2_sftp_last_error(s->sftp);
	s->fail = RY_SSH_PROTOCOL;
	if (e == LIBSSH2_FX_NO_SUCH_FILE || e == LIBSSH2_FX_NO_SUCH_PATH)
		return ry_error_set(RY_ENOTFOUND, "%s: %s: no such file on the host", s->label, path);
	if (e == LIBSSH2_FX_PERMISSION_DENIED)
		return ry_error_set(RY_EIO, "%s: %s: permission denied on the host", s->label, path);
	if (e == LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM || e == LIBSSH2_FX_QUOTA_EXCEEDED)
		return ry_error_set(RY_EIO, "%s: %s: the host's disk is full", s->label, path);
	return ry_error_set(RY_EIO, "%s: %s %s failed (SFTP error %lu)", s->label, what, path, e);
}

static LIBSSH2_SFTP_HANDLE *sftp_open(ry_ssh *s, const char *path, unsigned long flags, long mode, int *rc)
{
	LIBSSH2_SFTP_HANDLE *fh;
	const char *p = sftp_path(path);
	*rc = 0;
	while (!(fh = libssh2_sftp_open_ex(s->sftp, p, (unsigned)strlen(p), flags, mode, LIBSSH2_SFTP_OPENFILE)) &&
	       libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
		if ((*rc = wait_io(s, "opening a remote file")))
			return NULL;
	if (!fh)
		*rc = sftp_err(s, "opening", path);
	return fh;
}

static void sftp_close(ry_ssh *s, LIBSSH2_SFTP_HANDLE *fh)
{
	/* on a session given up, the handle goes with the session */
	double until = ry_monotonic() + (s->dead ? 0.05 : 2.0);
	while (libssh2_sftp_close_handle(fh) == LIBSSH2_ERROR_EAGAIN && ry_monotonic() < until) {
		struct pollfd p = { s->fd, POLLIN, 0 };
		poll(&p, 1, 20);
	}
}

static int sftp_rename(ry_ssh *s, const char *from, const char *to)
{
	const char *f = sftp_path(from), *t = sftp_path(to);
	int rc;
	/* SFTPv3 rename refuses an existing target: remove it first. */
	while ((rc = libssh2_sftp_unlink_ex(s->sftp, t, (unsigned)strlen(t))) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "replacing a remote file")))
			return rc;
	while ((rc = libssh2_sftp_rename_ex(s->sftp, f, (unsigned)strlen(f), t, (unsigned)strlen(t),
	                                    LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
	                                    LIBSSH2_SFTP_RENAME_NATIVE)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "renaming a remote file")))
			return rc;
	return rc ? sftp_err(s, "renaming", to) : 0;
}

int ry_ssh_upload(ry_ssh *s, const char *local, const char *remote, int mode, ry_progress_fn progress,
                  void *payload)
{
	LIBSSH2_SFTP_HANDLE *fh;
	char *part = ry_xasprintf("%s.part", remote);
	char buf[65536];
	int fd, rc;
	struct stat sb;
	int64_t done = 0;

	arm(s, 0);
	if (s->dead) {
		free(part);
		return refuse_dead(s);
	}
	fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		rc = ry_error_set(RY_EIO, "cannot read %s: %s", local, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(part);
		return rc;
	}
	if ((rc = sftp_ready(s)) || !(fh = sftp_open(s, part, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT |
	                                              LIBSSH2_FXF_TRUNC, mode, &rc))) {
		close(fd);
		free(part);
		return rc;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf), off = 0;
		if (n < 0) {
			rc = ry_error_set(RY_EIO, "cannot read %s: %s", local, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		while (off < n) {
			ssize_t w = libssh2_sftp_write(fh, buf + off, (size_t)(n - off));
			if (w == LIBSSH2_ERROR_EAGAIN) {
				if ((rc = wait_io(s, "uploading")))
					break;
				continue;
			}
			if (w < 0) {
				rc = sftp_err(s, "writing", part);
				break;
			}
			off += w;
			arm(s, 0); /* the deadline is for a stall, not the whole file */
		}
		if (rc)
			break;
		done += n;
		if (progress)
			progress(sb.st_size ? (double)done / (double)sb.st_size : 1.0, "uploading code", payload);
	}
	close(fd);
	sftp_close(s, fh);
	if (!rc)
		rc = sftp_rename(s, part, remote);
	free(part);
	return rc;
}

int ry_ssh_download(ry_ssh *s, const char *remote, const char *local, ry_progress_fn progress, void *payload)
{
	LIBSSH2_SFTP_HANDLE *fh;
	LIBSSH2_SFTP_ATTRIBUTES attr;
	char *part = ry_xasprintf("%s.part", local);
	char buf[65536];
	int fd, rc;
	int64_t done = 0, total = -1;

	arm(s, 0);
	if (s->dead) {
		free(part);
		return refuse_dead(s);
	}
	if ((rc = sftp_ready(s)) || !(fh = sftp_open(s, remote, LIBSSH2_FXF_READ, 0, &rc))) {
		free(part);
		return rc;
	}
	while ((rc = libssh2_sftp_fstat_ex(fh, &attr, 0)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "downloading")))
			break;
	if (rc == 0 && (attr.flags & LIBSSH2_SFTP_ATTR_SIZE))
		total = (int64_t)attr.filesize;
	rc = 0;
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", part, strerror(errno));
		sftp_close(s, fh);
		free(part);
		return rc;
	}
	for (;;) {
		ssize_t n = libssh2_sftp_read(fh, buf, sizeof buf);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if ((rc = wait_io(s, "downloading")))
				break;
			continue;
		}
		if (n < 0) {
			rc = sftp_err(s, "reading", remote);
			break;
		}
		if (n == 0)
			break;
		if (write(fd, buf, (size_t)n) != n) {
			rc = ry_error_set(RY_EIO, "cannot write %s: %s", part, strerror(errno));
			break;
		}
		done += n;
		arm(s, 0);
		if (progress)
			progress(total > 0 ? (double)done / (double)total : -1, "downloading", payload);
	}
	sftp_close(s, fh);
	if (close(fd) != 0 && !rc)
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", part, strerror(errno));
	if (!rc && rename(part, local) != 0)
		rc = ry_error_set(RY_EIO, "cannot write %s: %s", local, strerror(errno));
	if (rc)
		unlink(part);
	free(part);
	return rc;
}

int ry_ssh_stat(ry_ssh *s, const char *remote, int64_t *size)
{
	LIBSSH2_SFTP_ATTRIBUTES attr;
	const char *p = sftp_path(remote);
	int rc;
	arm(s, 0);
	if (s->dead)
		return refuse_dead(s);
	if ((rc = sftp_ready(s)))
		return rc;
	while ((rc = libssh2_sftp_stat_ex(s->sftp, p, (unsigned)strlen(p), LIBSSH2_SFTP_STAT, &attr)) ==
	       LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "checking a remote file")))
			return rc;
	if (rc)
		return sftp_err(s, "checking", remote);
	*size = (attr.flags & LIBSSH2_SFTP_ATTR_SIZE) ? (int64_t)attr.filesize : 0;
	return 0;
}

int ry_ssh_read_range(ry_ssh *s, const char *remote, int64_t offset, size_t max, ry_buf *out, int64_t *size)
{
	LIBSSH2_SFTP_HANDLE *fh;
	LIBSSH2_SFTP_ATTRIBUTES attr;
	char buf[65536];
	size_t got = 0;
	int rc;

	arm(s, 0);
	if (s->dead)
		return refuse_dead(s);
	if ((rc = sftp_ready(s)) || !(fh = sftp_open(s, remote, LIBSSH2_FXF_READ, 0, &rc)))
		return rc;
	while ((rc = libssh2_sftp_fstat_ex(fh, &attr, 0)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(s, "reading a remote file")))
			goto out;
	if (rc) {
		rc = sftp_err(s, "checking", remote);
		goto out;
	}
	if (size)
		*size = (attr.flags & LIBSSH2_SFTP_ATTR_SIZE) ? (int64_t)attr.filesize : 0;
	libssh2_sftp_seek64(fh, (libssh2_uint64_t)offset);
	while (got < max) {
		size_t want = max - got < sizeof buf ? max - got : sizeof buf;
		ssize_t n = libssh2_sftp_read(fh, buf, want);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if ((rc = wait_io(s, "reading a remote file")))
				goto out;
			continue;
		}
		if (n < 0) {
			rc = sftp_err(s, "reading", remote);
			goto out;
		}
		if (n == 0)
			break;
		ry_buf_put(out, buf, (size_t)n);
		got += (size_t)n;
		arm(s, 0);
	}
out:
	sftp_close(s, fh);
	return rc;
}

void ry_ssh_quote_path(ry_buf *b, const char *path)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		ry_buf_puts(b, "\"$HOME\"");
		if (path[1] && path[2])
			ry_shell_quote(b, path + 1);
		else if (path[1])
			ry_buf_putc(b, '/');
		return;
	}
	ry_shell_quote(b, path);
}
