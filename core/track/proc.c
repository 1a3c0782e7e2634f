/*
 * The processes behind a tracked local run: the command's output channels
 * (pipes, or pseudo-terminals when runyard writes to a terminal), the
 * keeper process that is the command's parent and outlives runyard if it
 * must, and the small files it leaves in the run's directory (the design
 * is in track_internal.h).
 *
 * This file does not read the command's output while runyard lives, nor
 * touch the workspace: the tracker (track.c) does both.  The keeper runs
 * in a forked copy of runyard and only uses system calls and fixed
 * buffers there, so nothing it inherited (the workspace's SQLite handle,
 * stdio buffers) is ever used twice.
 */
#include "track/track_internal.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/fault.h"
#include "base/util.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* ---- process identity --------------------------------------------------- */

/* Read up to n-1 bytes of a small file into buf; false if it cannot be read. */
static bool read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;
	if (fd < 0)
		return false;
	while ((got = read(fd, buf, n - 1)) < 0 && errno == EINTR)
		;
	close(fd);
	if (got <= 0)
		return false;
	buf[got] = '\0';
	return true;
}

/* "<boot id>:<start time in ticks>" for pid into out.  false when the pid
 * does not exist, or is a zombie and zombie_ok is false (for "is it still
 * alive", a zombie is gone; for "which process was it", a zombie nobody
 * reaped yet still says).  No malloc: the keeper calls it after fork. */
static bool identity(int pid, bool zombie_ok, char *out, size_t n)
{
	char path[64], stat[1024], boot[64] = "noboot", *p;
	unsigned long long start = 0;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (pid <= 0 || !read_small(path, stat, sizeof stat))
		return false;
	/* the command name (field 2) may hold spaces and ')': start after the last ')' */
	if (!(p = strrchr(stat, ')')))
		return false;
	p++;
	if (!zombie_ok && p[0] == ' ' && (p[1] == 'Z' || p[1] == 'X'))
		return false;
	/* fields 3..22: skip 19 more, then read starttime */
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1)
		return false;
	if (read_small("/proc/sys/kernel/random/boot_id", boot, sizeof boot))
		boot[strcspn(boot, "\n")] = '\0';
	if (!boot[0])
		strcpy(boot, "noboot");
	return snprintf(out, n, "%s:%llu", boot, start) < (int)n;
}

char *ry_track_pid_identity(int pid)
{
	char id[128];
	return identity(pid, false, id, sizeof id) ? ry_xstrdup(id) : NULL;
}

/* Write `text` to path atomically (a temporary file, then rename), so a
 * reader sees the old file or the new one, never half of one.  No malloc. */
static bool file_replace(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	size_t n = strlen(text);
	int fd;
	bool ok;
	if (snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid()) >= (int)sizeof tmp)
		return false;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return false;
	ok = write(fd, text, n) == (ssize_t)n;
	ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
	return ok;
}

/* ---- channels ----------------------------------------------------------- */

static int open_pipe(struct ry_track__chan *c)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return ry_error_set(RY_ERROR, "cannot create a pipe: %s", strerror(errno));
#ifdef F_SETPIPE_SZ
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20); /* fewer wakeups for chatty jobs; best effort */
#endif
	c->rd = p[0];
	c->wr = p[1];
	c->pty = false;
	return 0;
}

static int open_pty(struct ry_track__chan *c, int like_fd)
{
	char name[128];
	struct termios tio;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), s = -1;
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, name, sizeof name) != 0 ||
	    (s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int saved = errno;
		if (m >= 0)
			close(m);
		return ry_error_set(RY_ERROR, "cannot open a pseudo-terminal for the command: %s", strerror(saved));
	}
	/* Without output processing the slave turns no "\n" into "\r\n": the
	 * log gets the bytes the command wrote, and the real terminal, which
	 * does its own processing, shows them as it would have. */
	if (tcgetattr(s, &tio) == 0) {
		tio.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(s, TCSANOW, &tio);
	}
	c->rd = m;
	c->wr = s;
	c->pty = true;
	ry_track__pty_resize(m, like_fd);
	return 0;
}

int ry_track__chan_open(struct ry_track__chan *c, int like_fd)
{
	c->rd = c->wr = -1;
	c->pty = false;
	return like_fd >= 0 && isatty(like_fd) ? open_pty(c, like_fd) : open_pipe(c);
}

void ry_track__pty_resize(int master, int like_fd)
{
	struct winsize ws;
	if (master >= 0 && ioctl(like_fd, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

void ry_track__chan_close(struct ry_track__chan *c)
{
	if (c->rd >= 0)
		close(c->rd);
	if (c->wr >= 0)
		close(c->wr);
	c->rd = c->wr = -1;
}

/* ---- the command ------------------------------------------------------ */

/* Every signal runyard or the keeper handles or ignores: the command starts
 * with all of them at their defaults. */
static const int touched[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE, SIGTSTP,
                               SIGTTIN, SIGTTOU, SIGCONT, SIGWINCH };
#define NTOUCHED (sizeof touched / sizeof touched[0])

static void child_exec(const struct ry_track__spawn *s, struct ry_track__chan chans[2], int exec_w)
{
	struct sigaction sa;
	sigset_t none;
	int saved;
	setpgid(0, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NTOUCHED; i++)
		sigaction(touched[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (isatty(0)) {
		/* Not in the terminal's foreground group, the command would be
		 * stopped by SIGTTIN the moment it read the terminal. */
		int dn = open("/dev/null", O_RDONLY);
		if (dn >= 0) {
			dup2(dn, 0);
			close(dn);
		}
	}
	dup2(chans[0].wr, 1);
	dup2(chans[1].wr, 2);
	setenv("RUNYARD_METRICS", s->metrics, 1);
	setenv("RUNYARD_ARTIFACTS", s->artifacts, 1);
	setenv("RUNYARD_RUN_ID", s->uuid, 1);
	/* the name remote jobs were first given; kept as an alias (launch.c) */
	setenv("RUNYARD_RUN_UUID", s->uuid, 1);
	setenv("PYTHONUNBUFFERED", "1", 0);
	execvp(s->argv[0], s->argv);
	saved = errno;
	if (write(exec_w, &saved, sizeof saved) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(saved == ENOENT ? 127 : 126);
}

/* ---- the keeper ------------------------------------------------------- */

enum { MSG_CHILD = 1, MSG_EXIT = 2 };

struct msg {
	int kind;
	int value; /* MSG_CHILD: the command's pid, or -errno; MSG_EXIT: wait status */
};

static int keeper_sig[2] = { -1, -1 };

static void keeper_on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (write(keeper_sig[1], &c, 1) < 0) {
		/* a full pipe already says "look" */
	}
	errno = saved;
}

static void send_msg(int fd, int kind, int value)
{
	struct msg m = { kind, value };
	/* a pipe takes writes this small whole; if runyard is gone, so be it */
	if (fd >= 0 && write(fd, &m, sizeof m) < 0) {
	}
}

static void put_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the log cannot be written: nothing better to do */
		p += w;
		n -= (size_t)w;
	}
}

/* Leave how the command ended where the next runyard start will look,
 * atomically, without malloc: this is a forked copy of runyard. */
static void exit_write(const char *path, int wstatus)
{
	char line[96];
	if (WIFSIGNALED(wstatus))
		snprintf(line, sizeof line, "signal %d %.3f\n", WTERMSIG(wstatus), ry_now());
	else
		snprintf(line, sizeof line, "exit %d %.3f\n", WEXITSTATUS(wstatus), ry_now());
	file_replace(path, line);
}

/* The keeper's file: its own pid and identity, then (once started) the
 * command's.  Written by the keeper itself before the command can run, so
 * that a command never runs without a file that says who keeps it. */
static bool keeper_file(const char *path, pid_t child)
{
	char me[128], it[128] = "-", text[320];
	if (!identity(getpid(), false, me, sizeof me))
		return false;
	if (child > 0 && !identity(child, true, it, sizeof it))
		strcpy(it, "-");
	if (child > 0)
		snprintf(text, sizeof text, "%d %s\n%d %s\n", (int)getpid(), me, (int)child, it);
	else
		snprintf(text, sizeof text, "%d %s\n", (int)getpid(), me);
	return file_replace(path, text);
}

/* Has runyard gone (its end of the lifeline closed without a goodbye)? */
static bool runyard_gone(int life)
{
	struct pollfd pf = { life, POLLIN, 0 };
	char c;
	return poll(&pf, 1, 0) == 1 && read(life, &c, 1) == 0;
}

/* The keeper's life: start the command, report its pid and its end to
 * runyard, and if runyard's lifeline breaks, take over its output.  Never
 * returns. */
static void keeper_main(const struct ry_track__spawn *s, struct ry_track__chan chans[2], int events,
                        int life, int exec_w)
{
	static const int ignored[] = { SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGWINCH };
	static char buf[64 << 10];
	struct sigaction sa;
	sigset_t none;
	int rd[2] = { chans[0].rd, chans[1].rd }, wstatus = 0, dn;
	bool ended = false, alone = false;
	double ended_at = 0;
	pid_t child;

	/* Signals meant for runyard or the command are not the keeper's: a
	 * `pkill runyard` must not cost the run its exit status.  The keeper
	 * gets its own process group so the terminal's Ctrl-C and Ctrl-Z do
	 * not reach it either. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		sigaction(ignored[i], &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCONT, &sa, NULL);
	for (size_t i = 0; i < s->nclose_fds; i++)
		if (s->close_fds[i] >= 0)
			close(s->close_fds[i]);
	if (pipe2(keeper_sig, O_CLOEXEC | O_NONBLOCK) != 0) {
		send_msg(events, MSG_CHILD, -errno);
		_exit(1);
	}
	sa.sa_handler = keeper_on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP; /* a stopped command (Ctrl-Z) is no news */
	sigaction(SIGCHLD, &sa, NULL);
	setpgid(0, 0);
	prctl(PR_SET_NAME, "runyard-keeper", 0, 0, 0);

	/* Reconcile decides from the files in the run's directory: the keeper's
	 * file exists before the command does, and a runyard that died before
	 * the command started means it never starts (reconcile, which checked
	 * for this file after finding runyard dead, settles the run lost). */
	if (!keeper_file(s->keeper_path, 0)) {
		send_msg(events, MSG_CHILD, -(errno ? errno : EIO));
		_exit(1);
	}
	if (runyard_gone(life)) {
		unlink(s->keeper_path);
		_exit(0);
	}
	ry_fault("keeper-before-fork");
	child = fork();
	if (child == 0) {
		close(keeper_sig[0]);
		close(keeper_sig[1]);
		close(events);
		close(life);
		child_exec(s, chans, exec_w);
	}
	if (child > 0) {
		setpgid(child, child); /* before runyard learns the pid and signals the group */
		/* the command's identity, read before the keeper can reap it: even a
		 * command that ends at once is told apart from a later process that
		 * reuses its pid */
		keeper_file(s->keeper_path, child);
	}
	send_msg(events, MSG_CHILD, child > 0 ? child : -errno);
	if (child < 0)
		_exit(1);
	close(exec_w);
	for (int i = 0; i < 2; i++)
		close(chans[i].wr);
	/* The user's terminal or pipe is runyard's and the command's business:
	 * a keeper holding it open would keep a `| less` waiting after both. */
	if ((dn = open("/dev/null", O_RDWR)) >= 0) {
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
		if (dn > 2)
			close(dn);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	for (;;) {
		struct pollfd pf[4];
		int np = 0, ir[2] = { -1, -1 }, il = -1;
		pf[np].fd = keeper_sig[0];
		pf[np++].events = POLLIN;
		if (life >= 0) {
			il = np;
			pf[np].fd = life;
			pf[np++].events = POLLIN;
		}
		for (int i = 0; alone && i < 2; i++) {
			if (rd[i] >= 0) {
				ir[i] = np;
				pf[np].fd = rd[i];
				pf[np++].events = POLLIN;
			}
		}
		if (poll(pf, (nfds_t)np, alone && ended ? 100 : -1) < 0 && errno != EINTR)
			_exit(1);
		if (pf[0].revents & POLLIN) {
			char c[64];
			while (read(keeper_sig[0], c, sizeof c) > 0)
				;
		}
		if (!ended && waitpid(child, &wstatus, WNOHANG) == child) {
			ended = true;
			ended_at = ry_monotonic();
			send_msg(alone ? -1 : events, MSG_EXIT, wstatus);
		}
		if (il >= 0 && (pf[il].revents & (POLLIN | POLLHUP | POLLERR))) {
			char c;
			ssize_t n = read(life, &c, 1);
			if (n == 1)
				_exit(0); /* goodbye: runyard settled the run */
			if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				/* runyard is gone: from now on the output is ours.  A
				 * command stopped with runyard (Ctrl-Z) would wait
				 * for a `fg` that can no longer come. */
				alone = true;
				close(life);
				life = -1;
				kill(-child, SIGCONT);
				/* runyard may have died before making them so, and a
				 * blocking read on one stream could starve the other */
				for (int i = 0; i < 2; i++)
					fcntl(rd[i], F_SETFL, fcntl(rd[i], F_GETFL) | O_NONBLOCK);
				if (ended) /* the grace for grandchildren starts now */
					ended_at = ry_monotonic();
				continue; /* poll the output too before deciding anything */
			}
		}
		for (int i = 0; i < 2; i++) {
			if (ir[i] < 0 || !(pf[ir[i]].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			for (;;) {
				ssize_t n = read(rd[i], buf, sizeof buf);
				if (n > 0) {
					put_all(s->log_fd, buf, (size_t)n);
					continue;
				}
				if (n < 0 && (errno == EINTR || errno == EAGAIN))
					break;
				/* EOF, or EIO: a pty master once no one holds the slave */
				close(rd[i]);
				rd[i] = -1;
				break;
			}
		}
		if (alone && ended &&
		    ((rd[0] < 0 && rd[1] < 0) || ry_monotonic() - ended_at > RY_TRACK__DRAIN_GRACE)) {
			exit_write(s->exit_path, wstatus);
			_exit(0);
		}
	}
}

int ry_track__start(struct ry_track__proc *p, const struct ry_track__spawn *s,
                    struct ry_track__chan chans[2])
{
	int ev[2] = { -1, -1 }, life[2] = { -1, -1 }, ex[2] = { -1, -1 }, rc = 0;
	struct msg m;
	ssize_t n;

	p->keeper = p->child = -1;
	p->events = p->lifeline = -1;
	p->exec_errno = 0;
	if (pipe2(ev, O_CLOEXEC) != 0 || pipe2(life, O_CLOEXEC) != 0 || pipe2(ex, O_CLOEXEC) != 0) {
		rc = ry_error_set(RY_ERROR, "cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL); /* or the forks would print runyard's pending output again */
	if ((p->keeper = fork()) < 0) {
		rc = ry_error_set(RY_ERROR, "cannot start a process: %s", strerror(errno));
		goto fail;
	}
	if (p->keeper == 0) {
		close(ev[0]);
		close(life[1]);
		close(ex[0]);
		keeper_main(s, chans, ev[1], life[0], ex[1]);
	}
	close(ev[1]);
	close(life[0]);
	close(ex[1]);
	ev[1] = life[0] = ex[1] = -1;
	for (int i = 0; i < 2; i++) {
		close(chans[i].wr);
		chans[i].wr = -1;
	}
	p->events = ev[0];
	p->lifeline = life[1];
	ev[0] = life[1] = -1;
	while ((n = read(p->events, &m, sizeof m)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof m || m.kind != MSG_CHILD || m.value <= 0) {
		rc = ry_error_set(RY_ERROR, "cannot start a process: %s",
		                  n == (ssize_t)sizeof m && m.value < 0 ? strerror(-m.value) : "its keeper died");
		ry_track__release(p);
		goto fail;
	}
	p->child = m.value;
	/* EOF: the exec succeeded and closed its end */
	while ((n = read(ex[0], &p->exec_errno, sizeof p->exec_errno)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof p->exec_errno)
		p->exec_errno = 0;
	fcntl(p->events, F_SETFL, fcntl(p->events, F_GETFL) | O_NONBLOCK);
fail:
	for (int i = 0; i < 2; i++) {
		if (ev[i] >= 0)
			close(ev[i]);
		if (life[i] >= 0)
			close(life[i]);
		if (ex[i] >= 0)
			close(ex[i]);
	}
	return rc;
}

int ry_track__read_event(struct ry_track__proc *p, int *wstatus)
{
	struct msg m;
	ssize_t n = read(p->events, &m, sizeof m);
	if (n == (ssize_t)sizeof m && m.kind == MSG_EXIT) {
		*wstatus = m.value;
		return 1;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n > 0)
		return 0; /* nothing else is ever sent */
	close(p->events);
	p->events = -1;
	return -1;
}

void ry_track__release(struct ry_track__proc *p)
{
	if (p->lifeline >= 0) {
		/* A keeper that died already makes this write EPIPE; it must not
		 * become a SIGPIPE that kills the caller. */
		struct sigaction ign, old;
		memset(&ign, 0, sizeof ign);
		ign.sa_handler = SIG_IGN;
		sigemptyset(&ign.sa_mask);
		sigaction(SIGPIPE, &ign, &old);
		if (write(p->lifeline, "d", 1) < 0) {
			/* the keeper is gone already */
		}
		sigaction(SIGPIPE, &old, NULL);
		close(p->lifeline);
		p->lifeline = -1;
	}
	if (p->events >= 0) {
		close(p->events);
		p->events = -1;
	}
	if (p->keeper > 0) {
		while (waitpid(p->keeper, NULL, 0) < 0 && errno == EINTR)
			;
		p->keeper = -1;
	}
}

/* ---- files in the run's directory ------------------------------------- */

bool ry_track__exit_read(const char *path, struct ry_track__end *e)
{
	char line[128], how[16];
	FILE *f = fopen(path, "r");
	bool ok;
	if (!f)
		return false;
	ok = fgets(line, sizeof line, f) && sscanf(line, "%15s %d %lf", how, &e->code, &e->ended) == 3 &&
	     (!strcmp(how, "exit") || !strcmp(how, "signal"));
	fclose(f);
	if (ok)
		e->signaled = !strcmp(how, "signal");
	return ok;
}

int ry_track_pidfile_write(const char *path, int pid)
{
	char id[128] = "-", text[160];
	identity(pid, false, id, sizeof id);
	snprintf(text, sizeof text, "%d %s\n", (int)pid, id);
	if (!file_replace(path, text))
		return ry_error_set(RY_EIO, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

char *ry_track__keeper_child(const char *path, int *pid)
{
	char text[320], id[128];
	const char *line2;
	*pid = 0;
	if (!read_small(path, text, sizeof text) || !(line2 = strchr(text, '\n')) ||
	    sscanf(line2 + 1, "%d %127s", pid, id) != 2 || *pid <= 0)
		return NULL;
	return strcmp(id, "-") ? ry_xstrdup(id) : NULL;
}

bool ry_track_pidfile_alive(const char *path)
{
	char want[128], *have;
	int pid;
	bool alive;
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	alive = fscanf(f, "%d %127s", &pid, want) == 2 && pid > 0;
	fclose(f);
	if (!alive)
		return false;
	have = ry_track_pid_identity(pid);
	alive = have && !strcmp(have, want);
	free(have);
	return alive;
}
