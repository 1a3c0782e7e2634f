/*
 * The exec adapter: an executable `runyard-plugin-NAME` driven over its
 * stdin and stdout with the versioned JSON-lines protocol of
 * docs/plugins.md, presented to the host as an ordinary ry_tracker_ops.
 *
 * One message is one line; every request waits for the plugin's next line
 * with a deadline ($RUNYARD_PLUGIN_TIMEOUT seconds, reset by each line, so
 * progress events keep a long import alive).  Everything a plugin can do
 * wrong (hang, crash, exit early, print garbage, invalid UTF-8, a line
 * without end) ends the request with an error that names the plugin, says
 * what it did and shows the tail of its stderr, sanitised; the plugin's
 * process group is then killed.  runyard itself never waits without a
 * deadline on a plugin, nor takes a SIGPIPE from one.
 *
 * This file translates messages to service calls and nothing more: what
 * they do to the workspace is session.c's business.  It shares the pipe
 * setup with track/proc.c; the spawning there does not fit (a tracked
 * command runs under a keeper that outlives runyard, with its output
 * going to a log), while a plugin must die with the request that needs it.
 */
#include "plugin/exec_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/util.h"
#include "track/track_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How much of a plugin's stderr an error shows (its end). */
#define ERR_TAIL 1024
/* How long a plugin whose stdin is closed may take to exit before its
 * process group is killed. */
#define EXIT_GRACE 2.0
/* How often a wait on a plugin looks at the import's cancel flag. */
#define CANCEL_POLL_MS 100

struct xsess {
	const struct xplug *pl;
	const ry_plugin_services *svc;
	char *source;
	pid_t pid;             /* also its process group; 0 once reaped */
	int in, out, err;      /* runyard's ends of its stdin, stdout, stderr; -1 when closed */
	ry_buf line;           /* stdout read but not yet consumed */
	size_t scanned;        /* bytes of line known to hold no newline */
	ry_buf errtail;        /* the end of its stderr */
	double timeout;
	int64_t next_id;
	bool dead;             /* failed once: every later request fails at once */
	bool can_export;       /* its hello's "ops" lists "export_run" */
	bool can_export_model; /* ... and "export_model" */
	bool serving;          /* a serving target's session: only progress and log events */
	int wstatus;           /* valid once exited */
	bool exited;
};

static double plugin_timeout(void)
{
	const char *e = getenv("RUNYARD_PLUGIN_TIMEOUT");
	double t;
	if (e && ry_parse_number(e, &t) && t > 0)
		return t;
	return RY_PLUGIN__TIMEOUT;
}

/* ---- the process ------------------------------------------------------- */

static void keep_tail(struct xsess *s, const char *p, size_t n)
{
	ry_buf_put(&s->errtail, p, n);
	if (s->errtail.len > 4 * ERR_TAIL) {
		size_t cut = s->errtail.len - ERR_TAIL;
		memmove(s->errtail.ptr, s->errtail.ptr + cut, ERR_TAIL + 1);
		s->errtail.len = ERR_TAIL;
	}
}

/* Read what stderr has now; closes it at EOF. */
static void drain_err(struct xsess *s)
{
	char buf[4096];
	for (;;) {
		ssize_t r = read(s->err, buf, sizeof buf);
		if (r > 0) {
			keep_tail(s, buf, (size_t)r);
			continue;
		}
		if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
			close(s->err);
			s->err = -1;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return;
	}
}

/* Has the plugin exited?  Looks without reaping, so the group id stays its
 * own until stop() has killed the group. */
static bool has_exited(struct xsess *s)
{
	siginfo_t si;
	if (s->exited)
		return true;
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == s->pid)
		s->exited = true;
	return s->exited;
}

/* Stop the plugin: wait up to `grace` seconds for it to exit by itself
 * (its stdin closed), reading its stderr meanwhile; then kill its process
 * group (what it left running too) and reap it. */
static void stop(struct xsess *s, double grace)
{
	double deadline = ry_monotonic() + grace;
	if (s->in >= 0) {
		close(s->in);
		s->in = -1;
	}
	if (!s->pid)
		return;
	while (!has_exited(s) && ry_monotonic() < deadline) {
		struct pollfd pf[2];
		int n = 0;
		if (s->err >= 0)
			pf[n++] = (struct pollfd){ s->err, POLLIN, 0 };
		if (s->out >= 0)
			pf[n++] = (struct pollfd){ s->out, POLLIN, 0 };
		if (n == 0) {
			/* Both streams are closed; nothing to poll but time. */
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(pf, (nfds_t)n, 10) > 0) {
			for (int i = 0; i < n; i++) {
				if (!pf[i].revents)
					continue;
				if (pf[i].fd == s->err) {
					drain_err(s);
				} else {
					char buf[4096];
					ssize_t r = read(s->out, buf, sizeof buf); /* discarded: no request waits */
					if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
						close(s->out);
						s->out = -1;
					}
				}
			}
		}
	}
	kill(-s->pid, SIGKILL);
	while (waitpid(s->pid, &s->wstatus, 0) < 0 && errno == EINTR)
		;
	s->exited = true;
	s->pid = 0;
	if (s->err >= 0)
		drain_err(s);
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* The child: its own process group, default signals, the pipes as 0 1 2.
 * Only async-signal-safe calls between fork and exec. */
static void child(const char *path, int in, int out, int err, int exec_w)
{
	sigset_t none;
	struct sigaction dfl;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD };
	setpgid(0, 0);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	execl(path, path, (char *)NULL);
	int e = errno;
	ssize_t w = write(exec_w, &e, sizeof e);
	(void)w;
	_exit(127);
}

static int start(struct xsess *s)
{
	struct ry_track__chan in = RY_TRACK__CHAN_INIT, out = RY_TRACK__CHAN_INIT, err = RY_TRACK__CHAN_INIT;
	int ex[2] = { -1, -1 }, e = 0;
	int rc = 0;

	/* like_fd -1: always pipes, both ends close-on-exec. */
	if (ry_track__chan_open(&in, -1) || ry_track__chan_open(&out, -1) || ry_track__chan_open(&err, -1) ||
	    pipe2(ex, O_CLOEXEC) != 0) {
		rc = ry_error_set(RY_ERROR, "plugin %s: cannot create its pipes: %s", s->pl->name, strerror(errno));
		goto done;
	}
	s->pid = fork();
	if (s->pid < 0) {
		s->pid = 0;
		rc = ry_error_set(RY_ERROR, "plugin %s: cannot start it: %s", s->pl->name, strerror(errno));
		goto done;
	}
	if (s->pid == 0)
		child(s->pl->path, in.rd, out.wr, err.wr, ex[1]);
	setpgid(s->pid, s->pid); /* as the child does: whichever runs first */
	close(ex[1]);
	ex[1] = -1;
	while (read(ex[0], &e, sizeof e) < 0 && errno == EINTR)
		;
	s->in = in.wr;
	s->out = out.rd;
	s->err = err.rd;
	in.wr = out.rd = err.rd = -1;
	set_nonblock(s->in);
	set_nonblock(s->out);
	set_nonblock(s->err);
	if (e) {
		stop(s, 0);
		rc = ry_error_set(RY_EIO, "plugin %s: cannot run %s: %s", s->pl->name, s->pl->path, strerror(e));
	}
done:
	ry_track__chan_close(&in);
	ry_track__chan_close(&out);
	ry_track__chan_close(&err);
	if (ex[0] >= 0)
		close(ex[0]);
	if (ex[1] >= 0)
		close(ex[1]);
	return rc;
}

/* ---- errors that name the plugin --------------------------------------- */

/* "exited with status 3", "was killed by signal 11 (Segmentation fault)" */
static void how_ended(ry_buf *b, int wstatus)
{
	if (WIFEXITED(wstatus))
		ry_buf_printf(b, "exited with status %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		ry_buf_printf(b, "was killed by signal %d (%s)", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	else
		ry_buf_puts(b, "ended");
}

/* Fail the session: stop the plugin, then set an error naming it, saying
 * what went wrong (fmt; "%E" is not special), how it ended when it ended
 * by itself, and the last lines of its stderr. */
static int perr(struct xsess *s, int code, bool ended_by_itself, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int perr(struct xsess *s, int code, bool ended_by_itself, const char *fmt, ...)
{
	ry_buf b = RY_BUF_INIT;
	va_list ap;
	char *what;
	int rc;

	stop(s, ended_by_itself ? EXIT_GRACE : 0);
	s->dead = true;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	ry_buf_printf(&b, "plugin %s (%s) %s", s->pl->name, s->pl->path, what ? what : "failed");
	free(what);
	if (ended_by_itself) {
		ry_buf_puts(&b, ": it ");
		how_ended(&b, s->wstatus);
	}
	if (s->errtail.len) {
		const char *t = s->errtail.ptr;
		size_t n = s->errtail.len;
		while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'))
			n--;
		if (n > ERR_TAIL) {
			t += n - ERR_TAIL;
			n = ERR_TAIL;
			/* start at a line, if one starts in what is kept */
			const char *nl = memchr(t, '\n', n);
			if (nl && (size_t)(nl - t) < n - 1) {
				n -= (size_t)(nl + 1 - t);
				t = nl + 1;
			}
		}
		ry_buf_puts(&b, "; its stderr ends with:\n    ");
		ry_buf tmp = RY_BUF_INIT;
		ry_sanitize(&tmp, t, n, true);
		for (size_t i = 0; i < tmp.len; i++) {
			ry_buf_putc(&b, tmp.ptr[i]);
			if (tmp.ptr[i] == '\n')
				ry_buf_puts(&b, "    ");
		}
		ry_buf_free(&tmp);
	} else {
		ry_buf_puts(&b, " (its stderr was empty)");
	}
	rc = ry_error_set(code, "%s", ry_buf_cstr(&b));
	ry_buf_free(&b);
	return rc;
}

/* ---- lines ------------------------------------------------------------- */

/* A short, printable excerpt of a bad line for an error. */
static char *excerpt(const char *p, size_t n)
{
	ry_buf b = RY_BUF_INIT;
	ry_sanitize(&b, p, n > 60 ? 60 : n, false);
	if (n > 60)
		ry_buf_puts(&b, "...");
	return ry_buf_detach(&b);
}

/* Check and parse one line (without its newline) into *out. */
static int parse_line(struct xsess *s, const char *p, size_t n, cJSON **out)
{
	*out = NULL;
	if (!ry_utf8_valid(p, n))
		return perr(s, RY_EIO, false, "sent a line that is not valid UTF-8");
	/* cJSON would cut a string at an escaped NUL and pass the rest off as
	 * the whole: refuse it (docs/plugins.md). */
	if (memmem(p, n, "\\u0000", 6))
		return perr(s, RY_EIO, false, "sent a string with \\u0000 in it");
	cJSON *j = cJSON_ParseWithLength(p, n);
	if (!cJSON_IsObject(j)) {
		char *ex = excerpt(p, n);
		int rc = perr(s, RY_EIO, false, "sent a line that is not a JSON object: '%s'", ex);
		free(ex);
		cJSON_Delete(j);
		return rc;
	}
	*out = j;
	return 0;
}

/* Wait for the plugin's next line and parse it; the deadline is the
 * session's timeout from now. */
static int read_msg(struct xsess *s, cJSON **out)
{
	double deadline = ry_monotonic() + s->timeout;
	*out = NULL;
	if (s->dead)
		return ry_error_set(RY_EIO, "plugin %s failed earlier in this session", s->pl->name);
	for (;;) {
		char *nl = s->line.len > s->scanned ? memchr(s->line.ptr + s->scanned, '\n', s->line.len - s->scanned)
		                                    : NULL;
		if (nl) {
			size_t n = (size_t)(nl - s->line.ptr), used = n + 1;
			if (n > 0 && s->line.ptr[n - 1] == '\r')
				n--;
			int rc = n == 0 ? 0 : parse_line(s, s->line.ptr, n, out);
			if (rc == 0 || !s->dead) {
				memmove(s->line.ptr, s->line.ptr + used, s->line.len - used + 1);
				s->line.len -= used;
				s->scanned = 0;
			}
			if (rc || *out)
				return rc;
			continue; /* an empty line */
		}
		s->scanned = s->line.len;
		if (s->line.len > RY_PLUGIN__MAX_LINE)
			return perr(s, RY_EIO, false, "sent a line longer than %u MiB", RY_PLUGIN__MAX_LINE >> 20);
		if (s->out < 0)
			return perr(s, RY_EIO, true, "stopped before it answered");
		double left = deadline - ry_monotonic();
		if (left <= 0)
			return perr(s, RY_EIO, false, "sent nothing for %g s and was stopped (RUNYARD_PLUGIN_TIMEOUT "
			            "sets how long to wait)", s->timeout);
		/* A cancelled import stops the plugin at once, not at its timeout:
		 * the flag is looked at every CANCEL_POLL_MS. */
		const atomic_int *cancel = ry_plugin__cancel_flag();
		if (cancel && atomic_load(cancel))
			return perr(s, RY_ERROR, false, "was stopped: the import was cancelled");
		int wait_ms = (int)(left * 1000) + 1;
		if (cancel && wait_ms > CANCEL_POLL_MS)
			wait_ms = CANCEL_POLL_MS;
		struct pollfd pf[2] = { { s->out, POLLIN, 0 }, { s->err, POLLIN, 0 } };
		int r = poll(pf, s->err >= 0 ? 2 : 1, wait_ms);
		if (r < 0 && errno != EINTR)
			return perr(s, RY_EIO, false, "could not be read: %s", strerror(errno));
		if (r <= 0)
			continue;
		if (s->err >= 0 && pf[1].revents)
			drain_err(s);
		if (pf[0].revents) {
			ry_buf_grow(&s->line, 65536);
			ssize_t got = read(s->out, s->line.ptr + s->line.len, 65536);
			if (got > 0) {
				s->line.len += (size_t)got;
				s->line.ptr[s->line.len] = '\0';
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(s->out);
				s->out = -1;
				if (s->line.len > 0)
					ry_buf_putc(&s->line, '\n'); /* a last line without its newline */
			}
		}
	}
}

/* Send one message (a line) to the plugin's stdin, within the timeout.  A
 * plugin that closed its stdin must not kill runyard with SIGPIPE: the
 * signal is blocked for the write and a pending one taken back. */
static int send_msg(struct xsess *s, cJSON *msg)
{
	char *text = cJSON_PrintUnformatted(msg);
	size_t n = strlen(text), off = 0;
	double deadline = ry_monotonic() + s->timeout;
	sigset_t pipe_set, old;
	int rc = 0;

	if (s->dead) {
		cJSON_free(text);
		return ry_error_set(RY_EIO, "plugin %s failed earlier in this session", s->pl->name);
	}
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (off <= n && rc == 0) {
		const char *p = off < n ? text + off : "\n";
		size_t len = off < n ? n - off : 1;
		ssize_t w = write(s->in, p, len);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			double left = deadline - ry_monotonic();
			struct pollfd pf = { s->in, POLLOUT, 0 };
			if (left <= 0)
				rc = perr(s, RY_EIO, false, "read nothing for %g s and was stopped", s->timeout);
			else
				poll(&pf, 1, (int)(left * 1000) + 1);
			continue;
		}
		if (w < 0 && errno == EPIPE) {
			struct timespec zero = { 0, 0 };
			sigtimedwait(&pipe_set, NULL, &zero);
			rc = perr(s, RY_EIO, true, "closed its input before it read the request");
		} else {
			rc = perr(s, RY_EIO, false, "could not be written to: %s", strerror(errno));
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	cJSON_free(text);
	return rc;
}

/* ---- the hello --------------------------------------------------------- */

static int hello_answer(struct xsess *s, cJSON *ans, unsigned *kinds, int *protocol);

static int hello(struct xsess *s, unsigned *kinds, int *protocol)
{
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	int rc;
	cJSON_AddNumberToObject(req, "runyard", RY_PLUGIN__PROTOCOL);
	cJSON_AddStringToObject(req, "op", "hello");
	rc = send_msg(s, req);
	cJSON_Delete(req);
	if (rc || (rc = read_msg(s, &ans)))
		return rc;
	return hello_answer(s, ans, kinds, protocol);
}

/* Judge the hello's answer `ans` (deleted here). */
static int hello_answer(struct xsess *s, cJSON *ans, unsigned *kinds, int *protocol)
{
	int rc = 0;
	const cJSON *pv = cJSON_GetObjectItemCaseSensitive(ans, "protocol");
	const cJSON *kv = cJSON_GetObjectItemCaseSensitive(ans, "kinds");
	const cJSON *nv = cJSON_GetObjectItemCaseSensitive(ans, "name");
	const cJSON *k;
	*kinds = 0;
	*protocol = 0;
	if (!cJSON_IsNumber(pv) || !cJSON_IsArray(kv)) {
		rc = perr(s, RY_EIO, false, "did not answer the hello with {\"protocol\":N,\"kinds\":[...]}");
		goto out;
	}
	*protocol = pv->valueint;
	if (pv->valuedouble != RY_PLUGIN__PROTOCOL) {
		rc = perr(s, RY_EREFUSED, false, "speaks protocol %g; this runyard speaks protocol %d",
		          pv->valuedouble, RY_PLUGIN__PROTOCOL);
		goto out;
	}
	cJSON_ArrayForEach(k, kv) {
		if (cJSON_IsString(k) && !strcmp(k->valuestring, "tracker"))
			*kinds |= RY_PLUGIN_TRACKER;
		else if (cJSON_IsString(k) && !strcmp(k->valuestring, "serving"))
			*kinds |= RY_PLUGIN_SERVING;
	}
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(ans, "ops"))
		if (cJSON_IsString(k) && !strcmp(k->valuestring, "export_run"))
			s->can_export = true;
		else if (cJSON_IsString(k) && !strcmp(k->valuestring, "export_model"))
			s->can_export_model = true;
	if (cJSON_IsString(nv) && strcmp(nv->valuestring, s->pl->name)) {
		char *ex = excerpt(nv->valuestring, strlen(nv->valuestring));
		rc = perr(s, RY_EIO, false, "calls itself '%s' in its hello", ex);
		free(ex);
	}
out:
	cJSON_Delete(ans);
	return rc;
}

static void sess_free(struct xsess *s)
{
	if (!s)
		return;
	stop(s, EXIT_GRACE);
	if (s->out >= 0)
		close(s->out);
	if (s->err >= 0)
		close(s->err);
	ry_buf_free(&s->line);
	ry_buf_free(&s->errtail);
	free(s->source);
	free(s);
}

static struct xsess *sess_new(const struct xplug *pl)
{
	struct xsess *s = ry_xcalloc(1, sizeof *s);
	s->pl = pl;
	s->in = s->out = s->err = -1;
	s->timeout = plugin_timeout();
	s->next_id = 1;
	return s;
}

int ry_plugin__exec_probe(const char *path, const char *name, unsigned *kinds, int *protocol)
{
	struct xplug pl = { (char *)path, (char *)name };
	struct xsess *s = sess_new(&pl);
	int rc = start(s);
	if (rc == 0)
		rc = hello(s, kinds, protocol);
	sess_free(s);
	return rc;
}

/* ---- requests ---------------------------------------------------------- */

static int error_code(const char *name)
{
	static const struct { const char *name; int code; } codes[] = {
		{ "EINVAL", RY_EINVAL }, { "ENOTFOUND", RY_ENOTFOUND }, { "EEXISTS", RY_EEXISTS },
		{ "EIO", RY_EIO }, { "ECORRUPT", RY_ECORRUPT }, { "EBUSY", RY_EBUSY }, { "EREFUSED", RY_EREFUSED },
	};
	for (size_t i = 0; name && i < sizeof codes / sizeof *codes; i++)
		if (!strcmp(codes[i].name, name))
			return codes[i].code;
	return RY_ERROR;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* A JSON number that is an integer a double holds exactly (|v| <= 2^53),
 * into *out.  The range is checked before the conversion: converting a
 * double outside int64_t's range is undefined (fuzz_exec sent 8.9e122). */
static bool whole_number(const cJSON *v, int64_t *out)
{
	if (!cJSON_IsNumber(v) || !(fabs(v->valuedouble) <= 9007199254740992.0) ||
	    v->valuedouble != floor(v->valuedouble))
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

/* A param or tag value: a string, or a number or boolean written as text. */
static bool value_text(const cJSON *v, char *buf, size_t n, const char **out)
{
	int64_t i;
	if (cJSON_IsString(v))
		*out = v->valuestring;
	else if (cJSON_IsBool(v))
		*out = cJSON_IsTrue(v) ? "true" : "false";
	else if (whole_number(v, &i))
		snprintf(buf, n, "%lld", (long long)i), *out = buf;
	else if (cJSON_IsNumber(v))
		snprintf(buf, n, "%.17g", v->valuedouble), *out = buf;
	else
		return false;
	return true;
}

/* A point's value: a number, or "NaN", "Infinity", "-Infinity" (JSON has
 * no literal for them). */
static bool point_value(const cJSON *v, double *out)
{
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return true;
	}
	if (!cJSON_IsString(v))
		return false;
	if (!strcmp(v->valuestring, "NaN"))
		*out = NAN;
	else if (!strcmp(v->valuestring, "Infinity"))
		*out = INFINITY;
	else if (!strcmp(v->valuestring, "-Infinity"))
		*out = -INFINITY;
	else
		return false;
	return true;
}

static int bad_event(struct xsess *s, const char *event, const char *what)
{
	return perr(s, RY_EIO, false, "sent a '%s' event %s", event, what);
}

static int metric_event(struct xsess *s, const cJSON *m)
{
	const char *key = str_of(m, "key");
	const cJSON *pts = cJSON_GetObjectItemCaseSensitive(m, "points"), *p;
	int np = cJSON_GetArraySize(pts), i = 0;
	if (!key || !cJSON_IsArray(pts))
		return bad_event(s, "metric", "without a \"key\" string and a \"points\" array");
	ry_plugin_point *v = ry_xmalloc(sizeof *v * (size_t)(np > 0 ? np : 1));
	cJSON_ArrayForEach(p, pts) {
		const cJSON *st = cJSON_GetArrayItem(p, 0), *ts = cJSON_GetArrayItem(p, 1), *val = cJSON_GetArrayItem(p, 2);
		if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 3 || !cJSON_IsNumber(st) ||
		    st->valuedouble != floor(st->valuedouble) || fabs(st->valuedouble) > 9007199254740992.0 ||
		    !(cJSON_IsNumber(ts) || cJSON_IsNull(ts)) || !point_value(val, &v[i].value)) {
			free(v);
			return bad_event(s, "metric", "with a point that is not [step, ts or null, value]");
		}
		v[i].step = (int64_t)st->valuedouble;
		v[i].ts = cJSON_IsNumber(ts) ? ts->valuedouble : 0;
		i++;
	}
	int rc = s->svc->run_metric(s->svc->host, key, v, (size_t)i);
	free(v);
	return rc;
}

/* A {"k":"v",...} object as kvs pointing into it (values must be strings). */
static ry_plugin_kv *kvs_of(const cJSON *o, size_t *n, bool *ok)
{
	const cJSON *e;
	ry_plugin_kv *v = ry_xcalloc((size_t)cJSON_GetArraySize(o) + 1, sizeof *v);
	*n = 0;
	*ok = o == NULL || cJSON_IsObject(o);
	cJSON_ArrayForEach(e, o) {
		if (!cJSON_IsString(e))
			*ok = false;
		else
			v[(*n)++] = (ry_plugin_kv){ e->string, e->valuestring };
	}
	return v;
}

/* model, model_version, alias: the registry of a tracker, sent after the
 * runs (outside any run). */
static int registry_event(struct xsess *s, const char *ev, const cJSON *m)
{
	const ry_plugin_services *svc = s->svc;
	int64_t number = 0;
	bool has_number = whole_number(cJSON_GetObjectItemCaseSensitive(m, "version"), &number);
	bool ok;
	size_t n;
	int rc;
	if (!strcmp(ev, "alias")) {
		if (!str_of(m, "model") || !str_of(m, "alias") || !has_number)
			return bad_event(s, ev, "without \"model\", \"alias\" strings and a \"version\" number");
		return svc->model_alias_put(svc->host, str_of(m, "model"), str_of(m, "alias"), number);
	}
	ry_plugin_kv *tags = kvs_of(cJSON_GetObjectItemCaseSensitive(m, "tags"), &n, &ok);
	if (!ok) {
		free(tags);
		return bad_event(s, ev, "with \"tags\" that are not an object of strings");
	}
	if (!strcmp(ev, "model")) {
		ry_plugin_model md = RY_PLUGIN_MODEL_INIT;
		if (!(md.name = str_of(m, "name"))) {
			free(tags);
			return bad_event(s, ev, "without a \"name\" string");
		}
		md.description = str_of(m, "description");
		md.created = num_of(m, "created");
		md.tags = tags;
		md.ntags = n;
		rc = svc->model_put(svc->host, &md);
	} else {
		ry_plugin_model_version v = RY_PLUGIN_MODEL_VERSION_INIT;
		if (!(v.model = str_of(m, "model")) || !has_number) {
			free(tags);
			return bad_event(s, ev, "without a \"model\" string and a \"version\" number");
		}
		v.number = number;
		v.run_id = str_of(m, "run_id");
		v.source_uri = str_of(m, "source_uri");
		v.description = str_of(m, "description");
		v.created = num_of(m, "created");
		v.tags = tags;
		v.ntags = n;
		rc = svc->model_version_put(svc->host, &v);
	}
	free(tags);
	return rc;
}

/* One streamed event to its service. */
static int event(struct xsess *s, const char *ev, const cJSON *m)
{
	const ry_plugin_services *svc = s->svc;
	char buf[64];
	const char *value;

	/* A serving target is lent no run or registry services. */
	if (s->serving && strcmp(ev, "progress") && strcmp(ev, "log")) {
		char *ex = excerpt(ev, strlen(ev));
		int rc = perr(s, RY_EIO, false, "sent a '%s' event to a serving request (only progress and log "
		              "belong there)", ex);
		free(ex);
		return rc;
	}
	if (!strcmp(ev, "run_begin")) {
		ry_plugin_run r = RY_PLUGIN_RUN_INIT;
		if (!(r.id = str_of(m, "run_id")))
			return bad_event(s, ev, "without a \"run_id\" string");
		r.experiment = str_of(m, "experiment");
		r.name = str_of(m, "name");
		r.command = str_of(m, "command");
		r.host = str_of(m, "host");
		r.created = num_of(m, "created");
		r.started = num_of(m, "started");
		r.git_commit = str_of(m, "git_commit");
		r.git_branch = str_of(m, "git_branch");
		r.git_remote = str_of(m, "git_remote");
		r.fingerprint = str_of(m, "fingerprint");
		return svc->run_begin(svc->host, &r);
	}
	if (!strcmp(ev, "artifact")) {
		int64_t size;
		if (!str_of(m, "path") || !str_of(m, "uri"))
			return bad_event(s, ev, "without \"path\" and \"uri\" strings");
		if (!whole_number(cJSON_GetObjectItemCaseSensitive(m, "size"), &size) || size < 0)
			size = -1; /* unknown */
		return svc->run_artifact(svc->host, str_of(m, "path"), str_of(m, "uri"), size);
	}
	if (!strcmp(ev, "model") || !strcmp(ev, "model_version") || !strcmp(ev, "alias"))
		return registry_event(s, ev, m);
	if (!strcmp(ev, "param") || !strcmp(ev, "tag")) {
		const char *key = str_of(m, "key");
		if (!key || !value_text(cJSON_GetObjectItemCaseSensitive(m, "value"), buf, sizeof buf, &value))
			return bad_event(s, ev, "without a \"key\" string and a string, number or boolean \"value\"");
		return (ev[0] == 'p' ? svc->run_param : svc->run_tag)(svc->host, key, value);
	}
	if (!strcmp(ev, "metric"))
		return metric_event(s, m);
	if (!strcmp(ev, "run_end")) {
		const char *status = str_of(m, "status");
		if (!status)
			return bad_event(s, ev, "without a \"status\" string");
		return svc->run_end(svc->host, status, num_of(m, "ended"));
	}
	if (!strcmp(ev, "progress")) {
		ry_buf b = RY_BUF_INIT;
		const char *msg = str_of(m, "message");
		/* for a progress bar: a total that is not a count is unknown */
		double done = num_of(m, "done"), total = num_of(m, "total");
		ry_buf_printf(&b, "%g/%g%s%s", done, total, msg ? " " : "", msg ? msg : "");
		svc->log(svc->host, RY_PLUGIN_LOG_DEBUG, ry_buf_cstr(&b));
		ry_buf_free(&b);
		if (svc->progress && done >= 0 && done < 9e18)
			svc->progress(svc->host, (int64_t)done, total > 0 && total < 9e18 ? (int64_t)total : -1);
		return 0;
	}
	if (!strcmp(ev, "log")) {
		const char *level = str_of(m, "level"), *msg = str_of(m, "message");
		int lv = !level ? RY_PLUGIN_LOG_INFO : !strcmp(level, "debug") ? RY_PLUGIN_LOG_DEBUG
		       : !strcmp(level, "warn") ? RY_PLUGIN_LOG_WARN : !strcmp(level, "error") ? RY_PLUGIN_LOG_ERROR
		       : RY_PLUGIN_LOG_INFO;
		svc->log(svc->host, lv, msg ? msg : "");
		return 0;
	}
	char *ex = excerpt(ev, strlen(ev));
	int rc = perr(s, RY_EIO, false, "sent an event '%s' this runyard does not know (protocol %d)", ex,
	              RY_PLUGIN__PROTOCOL);
	free(ex);
	return rc;
}

/* Send request `req` (its "id" is added here) and pass the events that
 * come back to the services until the answer; *answer (may be NULL) gets
 * the final {"ok":true,...} message, the caller's to cJSON_Delete. */
static int answer_of(struct xsess *s, int64_t id, cJSON **answer);

static int request(struct xsess *s, cJSON *req, cJSON **answer)
{
	int64_t id = s->next_id++;
	int rc;
	if (answer)
		*answer = NULL;
	cJSON_AddNumberToObject(req, "id", (double)id);
	rc = send_msg(s, req);
	cJSON_Delete(req);
	return rc ? rc : answer_of(s, id, answer);
}

/* Read request id's events and answer (request, above). */
static int answer_of(struct xsess *s, int64_t id, cJSON **answer)
{
	int rc = 0;
	while (rc == 0) {
		cJSON *m = NULL;
		if ((rc = read_msg(s, &m)))
			break;
		const cJSON *idv = cJSON_GetObjectItemCaseSensitive(m, "id");
		const char *ev = str_of(m, "event");
		const cJSON *okv = cJSON_GetObjectItemCaseSensitive(m, "ok");
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(m, "error");
		if (!cJSON_IsNumber(idv) || idv->valuedouble != (double)id) {
			rc = perr(s, RY_EIO, false, "sent a message without this request's \"id\":%lld", (long long)id);
		} else if (ev) {
			rc = event(s, ev, m);
		} else if (cJSON_IsTrue(okv)) {
			if (answer) {
				*answer = m;
				m = NULL;
			}
			cJSON_Delete(m);
			return 0;
		} else if (cJSON_IsObject(err)) {
			const char *msg = str_of(err, "message");
			char *clean = ry_sanitize_dup(msg ? msg : "failed");
			rc = ry_error_set(error_code(str_of(err, "code")), "plugin %s: %s", s->pl->name, clean);
			free(clean);
		} else {
			rc = perr(s, RY_EIO, false, "sent a message that is neither an event nor an answer");
		}
		cJSON_Delete(m);
	}
	return rc;
}

/* ---- the ops table ----------------------------------------------------- */

int ry_plugin__xsess_open(struct xsess **out, const struct xplug *pl, const ry_plugin_services *svc,
                          const char *source, unsigned kind)
{
	struct xsess *s = sess_new(pl);
	unsigned kinds;
	int protocol, rc;
	*out = NULL;
	s->svc = svc;
	s->source = ry_xstrdup(source);
	s->serving = kind == RY_PLUGIN_SERVING;
	if ((rc = start(s)) || (rc = hello(s, &kinds, &protocol))) {
		sess_free(s);
		return rc;
	}
	if (!(kinds & kind)) {
		bool serving = kind == RY_PLUGIN_SERVING;
		rc = ry_error_set(RY_EREFUSED, "plugin %s (%s) is not a %s (its hello lists no \"%s\")", s->pl->name,
		                  s->pl->path, serving ? "serving target" : "tracker", serving ? "serving" : "tracker");
		sess_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int ry_plugin__xsess_request(struct xsess *s, cJSON *req, cJSON **answer)
{
	return request(s, req, answer);
}

void ry_plugin__xsess_free(struct xsess *s)
{
	sess_free(s);
}

const char *ry_plugin__xsess_source(const struct xsess *s)
{
	return s->source;
}

int ry_plugin__xsess_bad_answer(struct xsess *s, const char *op, const char *what)
{
	return perr(s, RY_EIO, false, "answered '%s' %s", op, what);
}

static int x_open(void **self, void *data, const ry_plugin_services *svc, const char *source)
{
	return ry_plugin__xsess_open((struct xsess **)self, data, svc, source, RY_PLUGIN_TRACKER);
}

static int x_list_experiments(void *self, char ***names, size_t *n)
{
	struct xsess *s = self;
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	const cJSON *e;
	*names = NULL;
	*n = 0;
	cJSON_AddStringToObject(req, "op", "list_experiments");
	cJSON_AddStringToObject(req, "source", s->source);
	int rc = request(s, req, &ans);
	if (rc)
		return rc;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(ans, "experiments");
	*names = ry_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **names);
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e))
			(*names)[(*n)++] = ry_xstrdup(e->valuestring);
	cJSON_Delete(ans);
	return 0;
}

/* The --experiment names as a JSON array, null for all. */
static cJSON *experiments_json(const ry_plugin_services *svc)
{
	const char *want = svc->option ? svc->option(svc->host, "experiment") : NULL;
	if (!want)
		return cJSON_CreateNull();
	cJSON *a = cJSON_CreateArray();
	for (const char *p = want; *p;) {
		size_t n = strcspn(p, "\n");
		char *name = ry_xstrndup(p, n);
		cJSON_AddItemToArray(a, cJSON_CreateString(name));
		free(name);
		p += n + (p[n] == '\n');
	}
	return a;
}

static int x_import_runs(void *self, const char *since, char **cursor)
{
	struct xsess *s = self;
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	*cursor = NULL;
	cJSON_AddStringToObject(req, "op", "import_runs");
	cJSON_AddStringToObject(req, "source", s->source);
	cJSON_AddItemToObject(req, "experiments", experiments_json(s->svc));
	if (since)
		cJSON_AddStringToObject(req, "since", since);
	else
		cJSON_AddNullToObject(req, "since");
	int rc = request(s, req, &ans);
	if (rc == 0) {
		*cursor = ry_xstrdup(str_of(ans, "cursor"));
		cJSON_Delete(ans);
	}
	return rc;
}

/* A number, or "NaN" / "Infinity" / "-Infinity" as the protocol spells
 * what JSON cannot. */
static cJSON *json_value(double v)
{
	if (isnan(v))
		return cJSON_CreateString("NaN");
	if (isinf(v))
		return cJSON_CreateString(v > 0 ? "Infinity" : "-Infinity");
	return cJSON_CreateNumber(v);
}

static cJSON *kvs_json(const ry_plugin_kv *v, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++)
		cJSON_AddStringToObject(o, v[i].key, v[i].value ? v[i].value : "");
	return o;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

/* The run export_run sends (docs/plugins.md). */
static cJSON *run_json(const ry_plugin_run_data *d)
{
	cJSON *o = cJSON_CreateObject(), *g = cJSON_CreateObject(), *ms = cJSON_CreateObject();
	add_str(o, "uuid", d->uuid);
	add_str(o, "experiment", d->experiment);
	add_str(o, "name", d->name);
	add_str(o, "status", d->status);
	add_str(o, "command", d->command);
	add_str(o, "host", d->host);
	add_str(o, "source", d->source);
	add_str(o, "notes", d->notes);
	cJSON_AddNumberToObject(o, "created", d->created);
	cJSON_AddNumberToObject(o, "started", d->started);
	cJSON_AddNumberToObject(o, "ended", d->ended);
	cJSON_AddItemToObject(o, "exit_code", d->has_exit_code ? cJSON_CreateNumber(d->exit_code) : cJSON_CreateNull());
	add_str(g, "commit", d->git_commit);
	add_str(g, "branch", d->git_branch);
	add_str(g, "remote", d->git_remote);
	cJSON_AddItemToObject(g, "dirty", d->git_dirty < 0 ? cJSON_CreateNull() : cJSON_CreateBool(d->git_dirty));
	cJSON_AddItemToObject(o, "git", g);
	cJSON_AddItemToObject(o, "params", kvs_json(d->params, d->nparams));
	cJSON_AddItemToObject(o, "tags", kvs_json(d->tags, d->ntags));
	for (size_t i = 0; i < d->nmetrics; i++) {
		cJSON *pts = cJSON_CreateArray();
		for (size_t k = 0; k < d->metrics[i].n; k++) {
			const ry_plugin_point *p = &d->metrics[i].points[k];
			cJSON *pt = cJSON_CreateArray();
			cJSON_AddItemToArray(pt, cJSON_CreateNumber((double)p->step));
			cJSON_AddItemToArray(pt, p->ts > 0 ? cJSON_CreateNumber(p->ts) : cJSON_CreateNull());
			cJSON_AddItemToArray(pt, json_value(p->value));
			cJSON_AddItemToArray(pts, pt);
		}
		cJSON_AddItemToObject(ms, d->metrics[i].key, pts);
	}
	cJSON_AddItemToObject(o, "metrics", ms);
	return o;
}

/* The tags an export's answer gives, set on workspace run `uuid`. */
static int annotate(struct xsess *s, const char *uuid, const cJSON *ans)
{
	const cJSON *t;
	int rc = 0;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(ans, "tags"))
		if (!rc && cJSON_IsString(t))
			rc = s->svc->run_annotate(s->svc->host, uuid, t->string, t->valuestring);
	return rc;
}

static int x_export_run(void *self, const char *uuid)
{
	struct xsess *s = self;
	const ry_plugin_run_data *d;
	cJSON *ans = NULL;
	int rc;
	if (!s->can_export)
		return ry_error_set(RY_EREFUSED, "plugin %s cannot push runs (its hello lists no \"export_run\" "
		                    "in \"ops\")", s->pl->name);
	if ((rc = s->svc->run_read(s->svc->host, uuid, &d)))
		return rc;
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "export_run");
	cJSON_AddStringToObject(req, "dest", s->source);
	cJSON_AddItemToObject(req, "run", run_json(d));
	if ((rc = request(s, req, &ans)))
		return rc;
	/* what the run is called there, kept on it so the next push updates */
	rc = annotate(s, uuid, ans);
	cJSON_Delete(ans);
	return rc;
}

/* The version export_model sends (docs/plugins.md). */
static cJSON *version_json(const ry_plugin_model_version *v)
{
	cJSON *o = cJSON_CreateObject(), *al = cJSON_CreateArray();
	add_str(o, "name", v->model);
	cJSON_AddNumberToObject(o, "version", (double)v->number);
	add_str(o, "description", v->description);
	add_str(o, "source_uri", v->source_uri);
	add_str(o, "sha256", v->sha256 && *v->sha256 ? v->sha256 : NULL);
	add_str(o, "artifact_path", v->artifact_path);
	cJSON_AddNumberToObject(o, "created", v->created);
	cJSON_AddItemToObject(o, "tags", kvs_json(v->tags, v->ntags));
	for (size_t i = 0; i < v->naliases; i++)
		cJSON_AddItemToArray(al, cJSON_CreateString(v->aliases[i]));
	cJSON_AddItemToObject(o, "aliases", al);
	return o;
}

static int x_export_model(void *self, const char *model, int64_t number, const char *alias)
{
	struct xsess *s = self;
	const ry_plugin_model_version *v;
	const ry_plugin_run_data *d = NULL;
	cJSON *ans = NULL;
	int rc;
	if (!s->can_export_model)
		return ry_error_set(RY_EREFUSED, "plugin %s cannot push models (its hello lists no \"export_model\" "
		                    "in \"ops\")", s->pl->name);
	if ((rc = s->svc->model_read(s->svc->host, model, number, &v)))
		return rc;
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "export_model");
	cJSON_AddStringToObject(req, "dest", s->source);
	cJSON_AddItemToObject(req, "model", version_json(v));
	add_str(req, "alias", alias);
	/* the run goes with it, so the plugin can create or find it there first */
	char *uuid = v->run_id ? ry_xstrdup(v->run_id) : NULL;
	if (uuid && (rc = s->svc->run_read(s->svc->host, uuid, &d))) {
		free(uuid);
		cJSON_Delete(req);
		return rc;
	}
	cJSON_AddItemToObject(req, "run", d ? run_json(d) : cJSON_CreateNull());
	if ((rc = request(s, req, &ans)) == 0 && uuid)
		rc = annotate(s, uuid, ans);
	cJSON_Delete(ans);
	free(uuid);
	return rc;
}

static void x_close(void *self)
{
	sess_free(self);
}

struct xplug *ry_plugin__xplug_new(const char *path, const char *name)
{
	struct xplug *pl = ry_xcalloc(1, sizeof *pl);
	pl->path = ry_xstrdup(path);
	pl->name = ry_xstrdup(name);
	return pl;
}

void ry_plugin__xplug_free(struct xplug *pl)
{
	if (!pl)
		return;
	free(pl->path);
	free(pl->name);
	free(pl);
}

ry_tracker_ops *ry_plugin__exec_tracker_new(const char *path, const char *name)
{
	ry_tracker_ops *ops = ry_xcalloc(1, sizeof *ops);
	struct xplug *pl = ry_plugin__xplug_new(path, name);
	ops->version = RY_PLUGIN_ABI;
	ops->name = pl->name;
	ops->data = pl;
	ops->open = x_open;
	ops->list_experiments = x_list_experiments;
	ops->import_runs = x_import_runs;
	/* the registry comes as events of import_runs */
	ops->export_run = x_export_run;
	ops->export_model = x_export_model;
	ops->close = x_close;
	return ops;
}

void ry_plugin__exec_tracker_free(ry_tracker_ops *ops)
{
	if (!ops)
		return;
	ry_plugin__xplug_free(ops->data);
	free(ops);
}

/* ---- replay (tests, fuzzing) ------------------------------------------- */

int ry_plugin__exec_replay(const ry_plugin_services *svc, const char *text, size_t n, unsigned *kinds)
{
	struct xplug pl = { (char *)"replay", (char *)"replay" };
	struct xsess *s = sess_new(&pl);
	cJSON *ans = NULL;
	int protocol, rc;
	s->svc = svc;
	ry_buf_put(&s->line, text, n);
	if (!n || text[n - 1] != '\n')
		ry_buf_putc(&s->line, '\n'); /* as read_msg does at the end of the plugin's output */
	*kinds = 0;
	if (!(rc = read_msg(s, &ans)) && !(rc = hello_answer(s, ans, kinds, &protocol)))
		for (int64_t id = 1; rc == 0 && id < 64; id++) {
			cJSON *a = NULL;
			if (!(rc = answer_of(s, id, &a)))
				cJSON_Delete(a);
		}
	sess_free(s);
	return rc;
}
