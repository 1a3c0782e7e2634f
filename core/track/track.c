/*
 * Local run tracking: start a command (through its keeper, track/proc.c)
 * in its own process group, tee its output (terminal + the run's log),
 * feed the output and the JSONL metrics file to ingest every half second,
 * pass the user's signals on (Ctrl-C, Ctrl-Z, window size changes), and
 * settle the run when it ends; plus the reconcile pass over runs whose
 * tracker died.
 *
 * The command's stdout and stderr are ptys where runyard's are terminals,
 * pipes elsewhere; Python gets PYTHONUNBUFFERED=1 so that piped metrics
 * arrive live.  It does not launch anything remotely (launch.c) nor draw
 * anything.
 */
#include "track/track.h"
#include "base/alloc.h"
#include "registry/artifact.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/shell.h"
#include "base/fault.h"
#include "git/gitprov.h"
#include "metrics/ingest.h"
#include "base/redact.h"
#include "base/url.h"
#include "store/store_internal.h"
#include "track/track_internal.h"
#include "base/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FLUSH_INTERVAL 0.5

/* ---- paths ------------------------------------------------------------ */

char *ry_track_run_dir(ry_store *st, const char *uuid)
{
	return ry_xasprintf("%s.runs/%s", ry_store_path(st), uuid);
}

char *ry_track_log_path(ry_store *st, const ry_run *r)
{
	return ry_xasprintf("%s.runs/%s/log", ry_store_path(st), r->uuid);
}

/* ---- command lines and params ----------------------------------------- */

static bool is_interpreter(const char *prog)
{
	static const char *const names[] = { "python", "pypy", "Rscript", "R", "julia", "node", "deno",
	                                     "ruby", "perl", "bash", "sh", "zsh", "lua", "php", NULL };
	const char *base = strrchr(prog, '/');
	base = base ? base + 1 : prog;
	for (size_t i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		/* python3, python3.11, pypy3 */
		if (!strncmp(base, names[i], n) && (base[n] == '\0' || isdigit((unsigned char)base[n])))
			return true;
	}
	return false;
}

static void kv_set(ry_kv **v, size_t *n, size_t *cap, const char *k, size_t kl, const char *val)
{
	for (size_t i = 0; i < *n; i++) {
		if (strlen((*v)[i].key) == kl && !strncmp((*v)[i].key, k, kl)) {
			free((*v)[i].value);
			(*v)[i].value = ry_xstrdup(val);
			return;
		}
	}
	*v = ry_xgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[*n].key = ry_xstrndup(k, kl);
	(*v)[*n].value = ry_xstrdup(val);
	(*n)++;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const ry_kv *)a)->key, ((const ry_kv *)b)->key);
}

static bool is_negative_number(const char *s)
{
	double d;
	return s[0] == '-' && ry_parse_number(s, &d);
}

static bool key_ok(const char *k, size_t n)
{
	if (n == 0 || n > 200 || !(isalpha((unsigned char)k[0]) || k[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)k[i]) || strchr("_.-/", k[i])))
			return false;
	return true;
}

/* A param found in argv: key k (kl bytes) with value `val`, which is the
 * text of argv[word] from val on (`--lr=0.01`, `lr=0.01`: inside the word;
 * `--lr 0.01`: the whole next word); word is SIZE_MAX for a bare `--flag`,
 * whose value "true" is in no word. */
typedef void (*param_fn)(void *payload, const char *k, size_t kl, const char *val, size_t word);

/* Walk argv as ry_track_parse_params reads it: the one reading of a command
 * line, shared by the params a run records and the redaction of its stored
 * command, so that every value stored as a param is found in both. */
static void each_param(char *const *argv, param_fn fn, void *payload)
{
	size_t i = 1;
	if (!argv || !argv[0])
		return;
	if (is_interpreter(argv[0])) {
		/* the interpreter's own options, then the script (or -m module / -c code) */
		bool py = strstr(argv[0], "python") || strstr(argv[0], "pypy");
		for (; argv[i]; i++) {
			if (py && (!strcmp(argv[i], "-m") || !strcmp(argv[i], "-c"))) {
				i += argv[i + 1] ? 2 : 1;
				break;
			}
			if (py && (!strcmp(argv[i], "-W") || !strcmp(argv[i], "-X")) && argv[i + 1]) {
				i++;
				continue;
			}
			if (argv[i][0] != '-') {
				i++;
				break;
			}
		}
	}
	for (; argv[i]; i++) {
		const char *a = argv[i], *eq;
		if (!strcmp(a, "--"))
			continue;
		/* --lr 0.01, and -lr 0.01: argparse accepts multi-letter
		 * single-dash options too */
		if ((a[0] == '-' && a[1] == '-') || (a[0] == '-' && a[1] && a[2] && !is_negative_number(a))) {
			const char *k = a + (a[1] == '-' ? 2 : 1);
			eq = strchr(k, '=');
			if (eq) {
				if (key_ok(k, (size_t)(eq - k)))
					fn(payload, k, (size_t)(eq - k), eq + 1, i);
			} else if (argv[i + 1] && (argv[i + 1][0] != '-' || is_negative_number(argv[i + 1]))) {
				if (key_ok(k, strlen(k)))
					fn(payload, k, strlen(k), argv[i + 1], i + 1);
				i++;
			} else if (key_ok(k, strlen(k))) {
				fn(payload, k, strlen(k), "true", SIZE_MAX);
			}
		} else if (a[0] != '-' && (eq = strchr(a, '='))) {
			const char *k = a;
			while (*k == '+')
				k++; /* Hydra: +key=value adds, ++key=value forces */
			if (key_ok(k, (size_t)(eq - k)))
				fn(payload, k, (size_t)(eq - k), eq + 1, i);
		}
		/* other positional arguments and -x short options: not params */
	}
}

struct param_acc {
	ry_kv *v;
	size_t n, cap;
};

static void collect_param(void *payload, const char *k, size_t kl, const char *val, size_t word)
{
	struct param_acc *a = payload;
	(void)word;
	kv_set(&a->v, &a->n, &a->cap, k, kl, val);
}

int ry_track_parse_params(char *const *argv, ry_kv **out, size_t *n)
{
	struct param_acc a = { NULL, 0, 0 };
	each_param(argv, collect_param, &a);
	if (a.n)
		qsort(a.v, a.n, sizeof *a.v, kv_cmp);
	*out = a.v;
	*n = a.n;
	return 0;
}

/* For each word of argv, where its secret value starts (SIZE_MAX: none). */
struct secret_cuts {
	char *const *argv;
	size_t *cut;
};

static void mark_secret(void *payload, const char *k, size_t kl, const char *val, size_t word)
{
	struct secret_cuts *c = payload;
	char *key;
	if (word == SIZE_MAX)
		return;
	key = ry_xstrndup(k, kl);
	if (ry_redact_is_secret(key))
		c->cut[word] = (size_t)(val - c->argv[word]);
	free(key);
}

char *ry_track_join_argv(char *const *argv)
{
	ry_buf b = RY_BUF_INIT, w = RY_BUF_INIT;
	size_t n = 0;
	while (argv[n])
		n++;
	struct secret_cuts c = { argv, ry_xmalloc((n ? n : 1) * sizeof *c.cut) };
	for (size_t i = 0; i < n; i++)
		c.cut[i] = SIZE_MAX;
	each_param(argv, mark_secret, &c);
	for (size_t i = 0; i < n; i++) {
		const char *word = argv[i];
		char *clean = NULL;
		if (c.cut[i] != SIZE_MAX) {
			ry_buf_clear(&w);
			ry_buf_put(&w, argv[i], c.cut[i]);
			ry_buf_puts(&w, RY_REDACTED);
			word = ry_buf_cstr(&w);
		} else if ((clean = ry_url_strip_credentials_in(word))) {
			word = clean; /* a URL with user:password@ in any word */
		}
		if (i)
			ry_buf_putc(&b, ' ');
		ry_shell_quote_soft(&b, word); /* plain words stay readable */
		free(clean);
	}
	ry_buf_free(&w);
	free(c.cut);
	return b.ptr ? ry_buf_detach(&b) : ry_xstrdup("");
}

void ry_track_kv_free(ry_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

char *ry_track__host(void)
{
	char h[HOST_NAME_MAX + 1];
	if (gethostname(h, sizeof h) != 0)
		return ry_xstrdup("localhost");
	h[sizeof h - 1] = '\0';
	return ry_xstrdup(h);
}

/* ---- signals ---------------------------------------------------------- */

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* full pipe: the loop has plenty to do already */
	}
	errno = saved;
}

/* What runyard catches while a command runs: the ones it passes on to the
 * command, SIGCHLD (the keeper), Ctrl-Z and the continue after it, and
 * window size changes for the command's pseudo-terminal. */
static const int handled[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGTSTP, SIGCONT, SIGWINCH };
#define NHANDLED (sizeof handled / sizeof handled[0])

struct saved_signals {
	struct sigaction old[NHANDLED];
	struct sigaction old_pipe;
	sigset_t old_mask;
};

/* Install the handlers with all of them blocked, so that the keeper can be
 * forked before any runs (unblock_signals after). */
static void install_signals(struct saved_signals *sv)
{
	struct sigaction sa;
	sigset_t block;
	sigemptyset(&block);
	for (size_t i = 0; i < NHANDLED; i++)
		sigaddset(&block, handled[i]);
	sigprocmask(SIG_BLOCK, &block, &sv->old_mask);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < NHANDLED; i++)
		sigaction(handled[i], &sa, &sv->old[i]);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &sv->old_pipe);
}

static void unblock_signals(struct saved_signals *sv)
{
	sigprocmask(SIG_SETMASK, &sv->old_mask, NULL);
}

static void restore_signals(struct saved_signals *sv)
{
	for (size_t i = 0; i < NHANDLED; i++)
		sigaction(handled[i], &sv->old[i], NULL);
	sigaction(SIGPIPE, &sv->old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &sv->old_mask, NULL);
}

/* Ctrl-Z: stop the command's group, then runyard itself, as a shell stops
 * a job; `fg` or `bg` continues runyard, which continues the command.  The
 * terminal's SIGTSTP reaches runyard's group only: the command has its own. */
static void suspend(pid_t group)
{
	struct sigaction dfl, old;
	kill(-group, SIGTSTP);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &old);
	raise(SIGTSTP); /* returns once continued (at once if the group is orphaned) */
	sigaction(SIGTSTP, &old, NULL);
	kill(-group, SIGCONT);
}

/* ---- the tracking loop ------------------------------------------------ */

struct stream {
	int fd;       /* runyard's end of the command's output; -1 at EOF */
	int out;      /* where it is passed through; -1 after EPIPE */
	bool pty;     /* fd is a pty master: its size follows out's */
};

struct tracker {
	ry_store *st;
	int64_t run_id;
	ry_ingest *in;
	int log_fd;          /* runyard's own, not O_APPEND: written at log_off (splice needs that) */
	off_t log_off;
	int metrics_fd;
	char *buf;
	size_t bufsz;
	int flush_err;
	int dup[2];          /* a private pipe the command's pipe output is tee'd into; -1 for none */
};

static void write_all(int *fd, const char *p, size_t n)
{
	while (*fd >= 0 && n > 0) {
		ssize_t w = write(*fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { *fd, POLLOUT, 0 };
				poll(&pf, 1, 1000);
				continue;
			}
			*fd = -1; /* the terminal went away (EPIPE): keep logging */
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Append to the log at runyard's offset. */
static void log_write(struct tracker *t, const char *p, size_t n)
{
	while (t->log_fd >= 0 && n > 0) {
		ssize_t w = pwrite(t->log_fd, p, n, t->log_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the log cannot be written (disk full): the rest goes on */
		t->log_off += w;
		p += w;
		n -= (size_t)w;
	}
}

/* From a pipe, output moves into the log inside the kernel before runyard
 * has it: tee(2) copies what the pipe holds into a private pipe without
 * taking it, splice(2) then moves those bytes into the log file, and the
 * copy is read for the terminal and ingest.  Were runyard killed between
 * any two of these, every byte is in the log or still in the command's
 * pipe, where the keeper finds it: none is lost, none doubled.  Returns
 * the bytes taken, 0 at EOF, -1 with errno (EAGAIN: nothing there; EINVAL:
 * not a pipe). */
static ssize_t pump_pipe(struct tracker *t, struct stream *s)
{
	ssize_t n = tee(s->fd, t->dup[1], t->bufsz, SPLICE_F_NONBLOCK), moved = 0, got = 0;
	if (n <= 0)
		return n;
	while (moved < n) {
		ssize_t m = splice(s->fd, NULL, t->log_fd, &t->log_off, (size_t)(n - moved), 0);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			break;
		moved += m;
	}
	ry_fault("track-pumped");
	/* The log refused some (disk full): take them from the pipe anyway, or
	 * the next tee would copy them again. */
	while (moved < n) {
		ssize_t m = read(s->fd, t->buf, (size_t)(n - moved));
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			break;
		moved += m;
	}
	while (got < n) {
		ssize_t m = read(t->dup[0], t->buf + got, (size_t)(n - got));
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			break;
		got += m;
	}
	write_all(&s->out, t->buf, (size_t)got);
	ry_ingest_log(t->in, t->buf, (size_t)got);
	return got;
}

/* Read what is there (adding the byte count to *got); false at EOF.  A
 * pty master gives EIO, not EOF, once the command and everything it left
 * behind have closed the slave, and only after every byte was read. */
static bool pump(struct tracker *t, struct stream *s, size_t *got)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t r;
		if (!s->pty && t->dup[0] >= 0) {
			r = pump_pipe(t, s);
			if (r < 0 && errno == EINVAL) {
				close(t->dup[0]);
				close(t->dup[1]);
				t->dup[0] = t->dup[1] = -1; /* not a pipe after all: read it */
				continue;
			}
		} else {
			r = read(s->fd, t->buf, t->bufsz);
			if (r > 0) {
				/* A pty has no tee: the bytes are runyard's now, so the
				 * log gets them before anything else. */
				log_write(t, t->buf, (size_t)r);
				ry_fault("track-pumped");
				write_all(&s->out, t->buf, (size_t)r);
				ry_ingest_log(t->in, t->buf, (size_t)r);
			}
		}
		if (r < 0)
			return errno == EINTR || errno == EAGAIN;
		if (r == 0)
			return false;
		*got += (size_t)r;
		if ((size_t)r < t->bufsz)
			return true; /* drained: another read would mostly cost syscalls */
	}
	return true;
}

static void read_metrics(struct tracker *t)
{
	for (;;) {
		ssize_t r = read(t->metrics_fd, t->buf, t->bufsz);
		if (r <= 0)
			return;
		ry_ingest_jsonl(t->in, t->buf, (size_t)r);
	}
}

static void flush(struct tracker *t, bool end)
{
	read_metrics(t);
	int rc = ry_ingest_flush(t->in, end);
	if (rc && !t->flush_err) {
		t->flush_err = rc;
		fprintf(stderr, "runyard: metrics not saved: %s\n", ry_error_last());
	}
}

/* Record the files left in the artifacts outbox, then remove them (their
 * content now lives in the workspace's artifact store).  A file that cannot
 * be stored stays in the outbox, said on stderr unless quiet. */
void ry_track__record_artifacts(ry_store *st, int64_t run_id, const char *root, const char *rel, int64_t *count,
                                bool quiet)
{
	char *dir = rel[0] ? ry_xasprintf("%s/%s", root, rel) : ry_xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d) {
		free(dir);
		return;
	}
	while ((e = readdir(d))) {
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *path = ry_xasprintf("%s/%s", dir, e->d_name);
		char *r = rel[0] ? ry_xasprintf("%s/%s", rel, e->d_name) : ry_xstrdup(e->d_name);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			ry_track__record_artifacts(st, run_id, root, r, count, quiet);
			rmdir(path);
		} else if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			char sha[65];
			int64_t size;
			if (ry_artifact_put(st, path, sha, &size) || ry_artifact_record(st, run_id, r, sha, size)) {
				if (!quiet)
					fprintf(stderr, "runyard: artifact %s not recorded: %s\n", r, ry_error_last());
			} else {
				(*count)++;
				unlink(path);
			}
		}
		free(path);
		free(r);
	}
	closedir(d);
	free(dir);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The files of one tracked run, all in its directory. */
struct run_files {
	char *dir, *log, *metrics, *artifacts, *exit, *keeper, *tracker;
};

static void run_files_set(struct run_files *f, ry_store *st, const char *uuid)
{
	f->dir = ry_track_run_dir(st, uuid);
	f->log = ry_xasprintf("%s/log", f->dir);
	f->metrics = ry_xasprintf("%s/metrics.jsonl", f->dir);
	f->artifacts = ry_xasprintf("%s/artifacts", f->dir);
	f->exit = ry_xasprintf("%s/exit", f->dir);
	f->keeper = ry_xasprintf("%s/keeper", f->dir);
	f->tracker = ry_xasprintf("%s/tracker", f->dir);
}

static void run_files_free(struct run_files *f)
{
	free(f->dir);
	free(f->log);
	free(f->metrics);
	free(f->artifacts);
	free(f->exit);
	free(f->keeper);
	free(f->tracker);
}

/* Create the run, its directory and its tracker file in one transaction:
 * once the run is visible as `running`, its directory says who tracks it,
 * so a reconcile can always tell a run being started from one whose
 * runyard died (reconcile.c), pid or no pid. */
static int create_run(ry_store *st, const ry_track_options *o, ry_track_result *res, struct run_files *f)
{
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	char *cmd = ry_track_join_argv(o->argv), *cwd = getcwd(NULL, 0), *host = ry_track__host();
	ry_kv *params = NULL;
	size_t np = 0;
	int rc;

	spec.experiment = o->experiment;
	spec.name = o->name;
	spec.status = "running";
	spec.command = cmd;
	spec.cwd = cwd;
	spec.host = host;
	spec.source = "local";
	if ((rc = ry_store_begin(st)))
		goto done;
	rc = ry_run_create(st, &spec, &res->run_id, res->uuid);
	if (!rc && o->parse_params)
		rc = ry_track_parse_params(o->argv, &params, &np);
	for (size_t i = 0; i < np && !rc; i++)
		rc = ry_run_set_param(st, res->run_id, params[i].key, params[i].value);
	for (size_t i = 0; i < o->nparams && !rc; i++)
		rc = ry_run_set_param(st, res->run_id, o->params[i].key, o->params[i].value);
	for (size_t i = 0; i < o->ntags && !rc; i++)
		rc = ry_run_set_tag(st, res->run_id, o->tags[i].key, o->tags[i].value);
	if (!rc) {
		run_files_set(f, st, res->uuid);
		rc = ry_mkdir_p(f->artifacts);
	}
	if (!rc)
		rc = ry_track_pidfile_write(f->tracker, getpid());
	if (!rc)
		rc = ry_store_commit(st);
	else
		ry_store_rollback(st);
	if (rc && f->dir) {
		/* nothing refers to the directory: leave no trace of it */
		unlink(f->tracker);
		rmdir(f->artifacts);
		rmdir(f->dir);
	}
done:
	ry_track_kv_free(params, np);
	free(cmd);
	free(cwd);
	free(host);
	return rc;
}

const char *ry_track__settle(const struct ry_track__end *e, bool interrupted, bool *has_exit, int *code, int *shell)
{
	*has_exit = !e->signaled;
	*code = e->code;
	*shell = e->signaled ? 128 + e->code : e->code;
	if (e->signaled || interrupted)
		return "killed";
	return e->code == 0 ? "finished" : "failed";
}

/* One tracked run from start to settle. */
struct session {
	ry_store *st;
	const ry_track_options *o;
	ry_track_result *res;
	struct run_files f;
	struct tracker t;
	struct stream streams[2];
	struct ry_track__chan chans[2];
	struct ry_track__proc proc;
	struct saved_signals sv;
	char *patterns;
	int keeper_log;          /* the keeper's O_APPEND description of the log, until handed over */
	int wstatus, forwarded_sig;
	bool exited, keeper_lost;
};

/* Provenance describes the code as it was at launch: read it first.  The
 * run matters more than its provenance: a failure is said and tracking
 * goes on. */
static void record_provenance(ry_store *st, int64_t run_id)
{
	ry_gitprov *gp = NULL;
	char *cwd = getcwd(NULL, 0);
	int rc = cwd ? ry_gitprov_read(&gp, cwd, 0) : 0;
	if (!rc && gp)
		rc = ry_gitprov_record(st, run_id, gp);
	if (rc)
		fprintf(stderr, "runyard: git provenance not saved: %s\n", ry_error_last());
	free(cwd);
	ry_gitprov_free(gp);
}

/* Open the run's files and its ingest, then start the command through its
 * keeper.  0, or an RY_E* code with nothing started. */
static int track_setup(struct session *x)
{
	ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
	const ry_track_options *o = x->o;
	struct tracker *t = &x->t;
	int rc;

	/* Two descriptions of the log: runyard's own writes at its offset (a
	 * file opened O_APPEND cannot be spliced into), the keeper's appends
	 * (it writes only once runyard is gone). */
	if ((t->log_fd = open(x->f.log, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    (x->keeper_log = open(x->f.log, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0 ||
	    (t->metrics_fd = open(x->f.metrics, O_RDONLY | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		return ry_error_set(RY_EIO, "cannot create the run's files in %s: %s", x->f.dir, strerror(errno));
	}
	t->log_off = lseek(t->log_fd, 0, SEEK_END);
	if (t->log_off < 0)
		t->log_off = 0;
	{
		/* the experiment's saved settings, the config's and the command line's */
		ry_run *r = NULL;
		char *warning = NULL;
		int64_t exp = ry_run_get(&r, x->st, x->res->run_id) == 0 ? r->experiment_id : 0;
		ry_run_free(r);
		io.scalars = o->capture;
		io.patterns = o->patterns;
		ry_ingest_options_for_run(&io, &x->patterns, &warning, x->st, exp, o->cfg);
		if (warning)
			fprintf(stderr, "runyard: %s\n", warning);
		free(warning);
	}
	io.keep_offsets = true;
	if ((rc = ry_ingest_new(&t->in, x->st, x->res->run_id, &io)))
		return rc;
	/* The capture settings are stored before the command can print, so a
	 * later start can go on if runyard dies (reconcile). */
	flush(t, false);
	/* Each chunk is read, written twice and scanned: at 256 KiB it is still
	 * in the CPU's cache for the last three (1 MiB was 15% slower a GiB). */
	t->bufsz = 256 << 10;
	t->buf = ry_xmalloc(t->bufsz);
	/* The private pipe pipe output is tee'd into (pump_pipe); without it,
	 * output is read as from a pty. */
	if (pipe2(t->dup, O_CLOEXEC | O_NONBLOCK) == 0)
		fcntl(t->dup[0], F_SETPIPE_SZ, (int)t->bufsz);
	else
		t->dup[0] = t->dup[1] = -1;

	if ((rc = ry_track__chan_open(&x->chans[0], o->out_fd)) || (rc = ry_track__chan_open(&x->chans[1], o->err_fd)))
		return rc;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return ry_error_set(RY_ERROR, "cannot create a pipe: %s", strerror(errno));
	install_signals(&x->sv);
	{
		int mine[] = { sig_pipe[0], sig_pipe[1], t->metrics_fd, t->log_fd, t->dup[0], t->dup[1] };
		struct ry_track__spawn sp = { o->argv, x->f.metrics, x->f.artifacts, x->res->uuid, x->keeper_log,
		                              x->f.exit, x->f.keeper, mine, sizeof mine / sizeof mine[0] };
		rc = ry_track__start(&x->proc, &sp, x->chans);
	}
	close(x->keeper_log); /* the keeper's now */
	x->keeper_log = -1;
	unblock_signals(&x->sv);
	if (rc) {
		restore_signals(&x->sv);
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
		return rc;
	}
	for (int i = 0; i < 2; i++) {
		x->streams[i].fd = x->chans[i].rd;
		x->streams[i].pty = x->chans[i].pty;
		x->chans[i].rd = -1; /* the streams own them now */
		set_nonblock(x->streams[i].fd);
	}
	return 0;
}

/* The command's pid and identity (the keeper read it before it could reap
 * the command, so a command that ended at once still has one).  Nothing
 * depends on this write: the run's directory already says who keeps it. */
static void record_pid(struct session *x)
{
	int pid = 0;
	char *ident = ry_track__keeper_child(x->f.keeper, &pid);
	ry_fault("track-started");
	if (ry_store_begin(x->st) == 0) {
		if (ry_run_set_int(x->st, x->res->run_id, "pid", x->proc.child) ||
		    ry_run_set_text(x->st, x->res->run_id, "pid_start", pid == x->proc.child ? ident : NULL))
			ry_store_rollback(x->st);
		else
			ry_store_commit(x->st);
	}
	free(ident);
}

/* A signal for runyard while the command runs: pass it on as a shell would. */
static void on_user_signal(struct session *x, int sig, int *nint)
{
	const ry_track_options *o = x->o;
	pid_t group = x->proc.child;
	if (sig == SIGCHLD || x->exited)
		return; /* the keeper's end shows on its events pipe */
	if (sig == SIGTSTP) {
		suspend(group);
	} else if (sig == SIGCONT) {
		kill(-group, SIGCONT); /* runyard was stopped some other way */
	} else if (sig == SIGWINCH) {
		/* the pty has no session to signal: runyard does */
		for (int c = 0; c < 2; c++)
			if (x->streams[c].pty)
				ry_track__pty_resize(x->streams[c].fd, c ? o->err_fd : o->out_fd);
		if (x->streams[0].pty || x->streams[1].pty)
			kill(-group, SIGWINCH);
	} else if (sig == SIGINT && ++*nint >= 2) {
		kill(-group, SIGKILL);
		x->forwarded_sig = sig;
		fprintf(stderr, "\nrunyard: second interrupt: killed the run's processes\n");
	} else {
		kill(-group, sig);
		x->forwarded_sig = sig;
		if (sig == SIGINT)
			fprintf(stderr, "\nrunyard: interrupt passed to the run; press Ctrl-C again to kill it\n");
	}
}

/* Pass the output on, log and ingest it, until the command has ended and
 * its output is drained (or a grandchild holding it open had its grace). */
static void track_loop(struct session *x)
{
	struct stream *streams = x->streams;
	double last_flush = ry_monotonic(), exit_time = 0;
	int nint = 0;

	while (streams[0].fd >= 0 || streams[1].fd >= 0 || !x->exited) {
		struct pollfd pf[4];
		int np = 0, idx[2] = { -1, -1 }, iev = -1;
		double now = ry_monotonic();
		int timeout = (int)((last_flush + FLUSH_INTERVAL - now) * 1000) + 1;
		if (timeout < 0)
			timeout = 0;
		/* A grandchild holds the output open: stop waiting for it.  Not when
		 * the keeper is gone: then the output ending is all we can know. */
		if (x->exited && !x->keeper_lost && now - exit_time > RY_TRACK__DRAIN_GRACE)
			break;
		pf[np].fd = sig_pipe[0];
		pf[np].events = POLLIN;
		np++;
		if (x->proc.events >= 0) {
			iev = np;
			pf[np].fd = x->proc.events;
			pf[np].events = POLLIN;
			np++;
		}
		for (int i = 0; i < 2; i++) {
			if (streams[i].fd >= 0) {
				idx[i] = np;
				pf[np].fd = streams[i].fd;
				pf[np].events = POLLIN;
				np++;
			}
		}
		if (poll(pf, (nfds_t)np, timeout) < 0 && errno != EINTR)
			break;
		if (pf[0].revents & POLLIN) {
			unsigned char sigs[64];
			ssize_t n = read(sig_pipe[0], sigs, sizeof sigs);
			for (ssize_t i = 0; i < n; i++)
				on_user_signal(x, sigs[i], &nint);
		}
		if (iev >= 0 && (pf[iev].revents & (POLLIN | POLLHUP | POLLERR))) {
			int ev = ry_track__read_event(&x->proc, &x->wstatus);
			if (ev != 0 && !x->exited) {
				x->exited = true;
				x->keeper_lost = ev < 0;
				exit_time = ry_monotonic();
			}
		}
		size_t got = 0;
		for (int i = 0; i < 2; i++) {
			if (idx[i] >= 0 && (pf[idx[i]].revents & (POLLIN | POLLHUP | POLLERR))) {
				if (!pump(&x->t, &streams[i], &got)) {
					close(streams[i].fd);
					streams[i].fd = -1;
				}
			}
		}
		if (ry_monotonic() - last_flush >= FLUSH_INTERVAL) {
			flush(&x->t, false);
			last_flush = ry_monotonic();
		}
		if (got > 0 && got < 65536 && !x->exited) {
			/* A job writing line by line would wake us per line; letting
			 * its output gather for 2 ms costs nothing anyone can see and
			 * turns thousands of wakeups into one read. */
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (streams[i].fd >= 0)
			close(streams[i].fd);
		streams[i].fd = -1;
	}
	restore_signals(&x->sv);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

/* Record how the run ended, then let the keeper go. */
static int track_settle(struct session *x)
{
	ry_track_result *res = x->res;
	bool has_exit = false;
	int code = 0, rc;

	flush(&x->t, true);
	if (x->proc.exec_errno) {
		res->exec_failed = true;
		res->status = "failed";
		res->exit_status = x->proc.exec_errno == ENOENT ? 127 : 126;
		fprintf(stderr, "runyard: cannot run '%s': %s\n", x->o->argv[0], strerror(x->proc.exec_errno));
	} else if (x->keeper_lost) {
		res->status = "lost";
		res->exit_status = 128 + SIGKILL; /* what is known: something killed the keeper */
		fprintf(stderr, "runyard: the run's keeper process died; how the command ended is unknown\n");
	} else {
		int w = x->wstatus;
		struct ry_track__end e = { WIFSIGNALED(w), WIFSIGNALED(w) ? WTERMSIG(w) : WEXITSTATUS(w), 0 };
		res->status = ry_track__settle(&e, x->forwarded_sig != 0, &has_exit, &code, &res->exit_status);
	}
	ry_fault("track-settle");
	ry_track__record_artifacts(x->st, res->run_id, x->f.artifacts, "", &res->artifacts, false);
	res->points = ry_ingest_points(x->t.in);
	res->malformed = ry_ingest_malformed(x->t.in);
	rc = ry_run_finish(x->st, res->run_id, res->status, ry_now(), has_exit, code);
	/* only now: were runyard to die before this, the keeper would still
	 * leave the exit status for the next start */
	ry_track__release(&x->proc);
	unlink(x->f.keeper);
	unlink(x->f.tracker);
	return rc;
}

int ry_track_run(ry_store *st, const ry_track_options *o, ry_track_result *res)
{
	struct session x = {
		.st = st, .o = o, .res = res,
		.t = { .st = st, .log_fd = -1, .metrics_fd = -1, .dup = { -1, -1 } },
		.streams = { { -1, o->out_fd, false }, { -1, o->err_fd, false } },
		.chans = { RY_TRACK__CHAN_INIT, RY_TRACK__CHAN_INIT },
		.proc = { -1, -1, -1, -1, 0 },
		.keeper_log = -1,
	};
	int rc;

	memset(res, 0, sizeof *res);
	if (!o->argv || !o->argv[0] || !o->argv[0][0])
		return ry_error_set(RY_EINVAL, "no command to run; give it after '--', e.g. runyard run -- python train.py");
	if (o->capture && o->patterns && (rc = ry_ingest_check_patterns(o->patterns)))
		return rc;
	if ((rc = create_run(st, o, res, &x.f))) {
		run_files_free(&x.f);
		return rc;
	}
	ry_fault("track-created");
	x.t.run_id = res->run_id;
	record_provenance(st, res->run_id);
	if ((rc = track_setup(&x)) == 0) {
		record_pid(&x);
		if (o->on_start)
			o->on_start(o->payload, res->run_id, res->uuid, x.proc.child);
		track_loop(&x);
		rc = track_settle(&x);
	} else {
		int saved = ry_error_code();
		char *msg = ry_xstrdup(ry_error_last());
		ry_run_finish(st, res->run_id, "failed", ry_now(), false, 0);
		unlink(x.f.tracker);
		ry_error_set(saved ? saved : rc, "%s", msg);
		free(msg);
	}
	for (int i = 0; i < 2; i++)
		ry_track__chan_close(&x.chans[i]);
	if (x.t.log_fd >= 0)
		close(x.t.log_fd);
	if (x.t.metrics_fd >= 0)
		close(x.t.metrics_fd);
	for (int i = 0; i < 2; i++)
		if (x.t.dup[i] >= 0)
			close(x.t.dup[i]);
	if (x.keeper_log >= 0)
		close(x.keeper_log);
	ry_ingest_free(x.t.in);
	free(x.t.buf);
	free(x.patterns);
	run_files_free(&x.f);
	return rc;
}
