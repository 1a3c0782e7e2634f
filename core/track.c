/*
 * Local run tracking: start a command (through its keeper, track_proc.c)
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
#include "track.h"
#include "alloc.h"
#include "artifact.h"
#include "buf.h"
#include "error.h"
#include "gitprov.h"
#include "ingest.h"
#include "redact.h"
#include "store_internal.h"
#include "track_internal.h"
#include "util.h"

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

static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("_@%+=:,./-", *s)))
			return false;
	return true;
}

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
		if (c.cut[i] != SIZE_MAX) {
			ry_buf_clear(&w);
			ry_buf_put(&w, argv[i], c.cut[i]);
			ry_buf_puts(&w, RY_REDACTED);
			word = ry_buf_cstr(&w);
		}
		if (i)
			ry_buf_putc(&b, ' ');
		if (shell_safe(word)) {
			ry_buf_puts(&b, word);
			continue;
		}
		ry_buf_putc(&b, '\'');
		for (const char *s = word; *s; s++) {
			if (*s == '\'')
				ry_buf_puts(&b, "'\\''");
			else
				ry_buf_putc(&b, *s);
		}
		ry_buf_putc(&b, '\'');
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

/* ---- process identity -------------------------------------------------- */

static char *boot_id(void)
{
	char buf[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return ry_xstrdup(buf[0] ? buf : "noboot");
}

char *ry_track_pid_identity(int pid)
{
	char path[64], buf[1024], *p, *boot, *id;
	unsigned long long start = 0;
	FILE *f;
	size_t n;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name (field 2) may hold spaces and ')': start after the last ')' */
	if (!(p = strrchr(buf, ')')))
		return NULL;
	p++;
	if (p[0] == ' ' && (p[1] == 'Z' || p[1] == 'X'))
		return NULL; /* a zombie nobody reaped: the process is gone */
	/* fields 3..22: skip 19 more, then read starttime */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p + 1, ' ');
	}
	if (!p || sscanf(p, " %llu", &start) != 1)
		return NULL;
	boot = boot_id();
	id = ry_xasprintf("%s:%llu", boot, start);
	free(boot);
	return id;
}

static char *host_name(void)
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
	int log_fd;
	int metrics_fd;
	char *buf;
	size_t bufsz;
	int flush_err;
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

/* Read what is there (adding the byte count to *got); false at EOF.  A
 * pty master gives EIO, not EOF, once the command and everything it left
 * behind have closed the slave, and only after every byte was read. */
static bool pump(struct tracker *t, struct stream *s, size_t *got)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t r = read(s->fd, t->buf, t->bufsz);
		if (r < 0)
			return errno == EINTR || errno == EAGAIN;
		if (r == 0)
			return false;
		*got += (size_t)r;
		write_all(&s->out, t->buf, (size_t)r);
		write_all(&t->log_fd, t->buf, (size_t)r);
		ry_ingest_log(t->in, t->buf, (size_t)r);
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
static void record_artifacts(ry_store *st, int64_t run_id, const char *root, const char *rel, int64_t *count,
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
			record_artifacts(st, run_id, root, r, count, quiet);
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

static int create_run(ry_store *st, const ry_track_options *o, ry_track_result *res)
{
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	char *cmd = ry_track_join_argv(o->argv), *cwd = getcwd(NULL, 0), *host = host_name();
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
	if (rc)
		ry_store_rollback(st);
	else
		rc = ry_store_commit(st);
done:
	ry_track_kv_free(params, np);
	free(cmd);
	free(cwd);
	free(host);
	return rc;
}

static char *run_patterns(ry_store *st, const ry_track_options *o, int64_t run_id)
{
	/* the experiment's saved patterns, then the command line's */
	ry_run *r = NULL;
	ry_buf b = RY_BUF_INIT;
	if (ry_run_get(&r, st, run_id) == 0) {
		char *saved = ry_experiment_setting_get(st, r->experiment_id, "patterns");
		if (saved) {
			ry_buf_puts(&b, saved);
			ry_buf_putc(&b, '\n');
			free(saved);
		}
	}
	ry_run_free(r);
	if (o->patterns)
		ry_buf_puts(&b, o->patterns);
	return b.ptr ? ry_buf_detach(&b) : NULL;
}

/* A run's status from how its command ended; *has_exit and *code are what
 * the run records, *shell what a shell would report ($?). */
static const char *settle(const struct ry_track__end *e, bool interrupted, bool *has_exit, int *code, int *shell)
{
	*has_exit = !e->signaled;
	*code = e->code;
	*shell = e->signaled ? 128 + e->code : e->code;
	if (e->signaled || interrupted)
		return "killed";
	return e->code == 0 ? "finished" : "failed";
}

int ry_track_run(ry_store *st, const ry_track_options *o, ry_track_result *res)
{
	struct saved_signals sv;
	struct tracker t = { st, 0, NULL, -1, -1, NULL, 0, 0 };
	struct stream streams[2] = { { -1, o->out_fd, false }, { -1, o->err_fd, false } };
	struct ry_track__chan chans[2] = { RY_TRACK__CHAN_INIT, RY_TRACK__CHAN_INIT };
	struct ry_track__proc proc = { -1, -1, -1, -1, 0 };
	char *dir = NULL, *log = NULL, *metrics = NULL, *artifacts = NULL, *patterns = NULL, *ident = NULL;
	char *exit_path = NULL, *keeper_path = NULL, *tracker_path = NULL;
	ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
	ry_gitprov *gp = NULL;
	int rc, wstatus = 0, nint = 0, forwarded_sig = 0;
	bool exited = false, keeper_lost = false, has_pty;
	double last_flush, exit_time = 0;

	memset(res, 0, sizeof *res);
	if (!o->argv || !o->argv[0] || !o->argv[0][0])
		return ry_error_set(RY_EINVAL, "no command to run; give it after '--', e.g. runyard run -- python train.py");
	if (o->capture && o->patterns && (rc = ry_ingest_check_patterns(o->patterns)))
		return rc;
	if ((rc = create_run(st, o, res)))
		return rc;
	t.run_id = res->run_id;

	/* provenance first: it describes the code as it was at launch */
	{
		char *cwd = getcwd(NULL, 0);
		rc = cwd ? ry_gitprov_read(&gp, cwd, 0) : 0;
		if (!rc && gp)
			rc = ry_gitprov_record(st, res->run_id, gp);
		if (rc) /* the run matters more than its provenance: say so and go on */
			fprintf(stderr, "runyard: git provenance not saved: %s\n", ry_error_last());
		free(cwd);
		ry_gitprov_free(gp);
	}

	dir = ry_track_run_dir(st, res->uuid);
	log = ry_xasprintf("%s/log", dir);
	metrics = ry_xasprintf("%s/metrics.jsonl", dir);
	artifacts = ry_xasprintf("%s/artifacts", dir);
	exit_path = ry_xasprintf("%s/exit", dir);
	keeper_path = ry_xasprintf("%s/keeper", dir);
	tracker_path = ry_xasprintf("%s/tracker", dir);
	if ((rc = ry_mkdir_p(artifacts)))
		goto fail_early;
	if ((t.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0 ||
	    (t.metrics_fd = open(metrics, O_RDONLY | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		rc = ry_error_set(RY_EIO, "cannot create the run's files in %s: %s", dir, strerror(errno));
		goto fail_early;
	}
	patterns = o->capture ? run_patterns(st, o, res->run_id) : NULL;
	io.scalars = o->capture;
	io.patterns = patterns;
	io.keep_offsets = true;
	if ((rc = ry_ingest_new(&t.in, st, res->run_id, &io)))
		goto fail_early;
	/* The capture settings are stored before the command can print, and
	 * who ingests is known, so a later start can go on if runyard dies
	 * (reconcile). */
	flush(&t, false);
	if (ry_track__keeper_write(tracker_path, getpid()))
		fprintf(stderr, "runyard: %s; if runyard dies, the run's later output is not ingested\n",
		        ry_error_last());
	/* Each chunk is read, written twice and scanned: at 256 KiB it is still
	 * in the CPU's cache for the last three (1 MiB was 15% slower a GiB). */
	t.bufsz = 256 << 10;
	t.buf = ry_xmalloc(t.bufsz);

	if ((rc = ry_track__chan_open(&chans[0], o->out_fd)) || (rc = ry_track__chan_open(&chans[1], o->err_fd)))
		goto fail_early;
	has_pty = chans[0].pty || chans[1].pty;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		rc = ry_error_set(RY_ERROR, "cannot create a pipe: %s", strerror(errno));
		goto fail_early;
	}
	install_signals(&sv);
	{
		int mine[] = { sig_pipe[0], sig_pipe[1], t.metrics_fd };
		struct ry_track__spawn sp = { o->argv, metrics, artifacts, res->uuid, t.log_fd, exit_path,
		                              mine, sizeof mine / sizeof mine[0] };
		rc = ry_track__start(&proc, &sp, chans);
	}
	unblock_signals(&sv);
	if (rc) {
		restore_signals(&sv);
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
		goto fail_early;
	}
	for (int i = 0; i < 2; i++) {
		streams[i].fd = chans[i].rd;
		streams[i].pty = chans[i].pty;
		chans[i].rd = -1; /* the streams own them now */
		set_nonblock(streams[i].fd);
	}
	if (ry_track__keeper_write(keeper_path, proc.keeper))
		fprintf(stderr, "runyard: %s; if runyard dies, the run will be marked lost\n", ry_error_last());

	ident = ry_track_pid_identity(proc.child);
	if (ry_store_begin(st) == 0) {
		if (ry_run_set_int(st, res->run_id, "pid", proc.child) ||
		    ry_run_set_text(st, res->run_id, "pid_start", ident))
			ry_store_rollback(st);
		else
			ry_store_commit(st);
	}
	if (o->on_start)
		o->on_start(o->payload, res->run_id, res->uuid, proc.child);

	last_flush = ry_monotonic();
	while (streams[0].fd >= 0 || streams[1].fd >= 0 || !exited) {
		struct pollfd pf[4];
		int np = 0, idx[2] = { -1, -1 }, iev = -1;
		double now = ry_monotonic();
		int timeout = (int)((last_flush + FLUSH_INTERVAL - now) * 1000) + 1;
		if (timeout < 0)
			timeout = 0;
		/* A grandchild holds the output open: stop waiting for it.  Not when
		 * the keeper is gone: then the output ending is all we can know. */
		if (exited && !keeper_lost && now - exit_time > RY_TRACK__DRAIN_GRACE)
			break;
		pf[np].fd = sig_pipe[0];
		pf[np].events = POLLIN;
		np++;
		if (proc.events >= 0) {
			iev = np;
			pf[np].fd = proc.events;
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
			for (ssize_t i = 0; i < n; i++) {
				int sig = sigs[i];
				if (sig == SIGCHLD || exited)
					continue; /* the keeper's end shows on its events pipe */
				if (sig == SIGTSTP) {
					suspend(proc.child);
				} else if (sig == SIGCONT) {
					kill(-proc.child, SIGCONT); /* runyard was stopped some other way */
				} else if (sig == SIGWINCH) {
					/* the pty has no session to signal: runyard does */
					for (int c = 0; c < 2; c++)
						if (streams[c].pty)
							ry_track__pty_resize(streams[c].fd, c ? o->err_fd : o->out_fd);
					if (has_pty)
						kill(-proc.child, SIGWINCH);
				} else if (sig == SIGINT && ++nint >= 2) {
					kill(-proc.child, SIGKILL);
					forwarded_sig = sig;
					fprintf(stderr, "\nrunyard: second interrupt: killed the run's processes\n");
				} else {
					kill(-proc.child, sig);
					forwarded_sig = sig;
					if (sig == SIGINT)
						fprintf(stderr, "\nrunyard: interrupt passed to the run; press Ctrl-C again to kill it\n");
				}
			}
		}
		if (iev >= 0 && (pf[iev].revents & (POLLIN | POLLHUP | POLLERR))) {
			int ev = ry_track__read_event(&proc, &wstatus);
			if (ev != 0 && !exited) {
				exited = true;
				keeper_lost = ev < 0;
				exit_time = ry_monotonic();
			}
		}
		size_t got = 0;
		for (int i = 0; i < 2; i++) {
			if (idx[i] >= 0 && (pf[idx[i]].revents & (POLLIN | POLLHUP | POLLERR))) {
				if (!pump(&t, &streams[i], &got)) {
					close(streams[i].fd);
					streams[i].fd = -1;
				}
			}
		}
		if (ry_monotonic() - last_flush >= FLUSH_INTERVAL) {
			flush(&t, false);
			last_flush = ry_monotonic();
		}
		if (got > 0 && got < 65536 && !exited) {
			/* A job writing line by line would wake us per line; letting
			 * its output gather for 2 ms costs nothing anyone can see and
			 * turns thousands of wakeups into one read. */
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	for (int i = 0; i < 2; i++)
		if (streams[i].fd >= 0)
			close(streams[i].fd);
	restore_signals(&sv);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;

	flush(&t, true);
	bool has_exit = false;
	int code = 0;
	if (proc.exec_errno) {
		res->exec_failed = true;
		res->status = "failed";
		res->exit_status = proc.exec_errno == ENOENT ? 127 : 126;
		fprintf(stderr, "runyard: cannot run '%s': %s\n", o->argv[0], strerror(proc.exec_errno));
	} else if (keeper_lost) {
		res->status = "lost";
		res->exit_status = 128 + SIGKILL; /* what is known: something killed the keeper */
		fprintf(stderr, "runyard: the run's keeper process died; how the command ended is unknown\n");
	} else {
		struct ry_track__end e = { WIFSIGNALED(wstatus), WIFSIGNALED(wstatus) ? WTERMSIG(wstatus)
		                                                                     : WEXITSTATUS(wstatus), 0 };
		res->status = settle(&e, forwarded_sig != 0, &has_exit, &code, &res->exit_status);
	}
	record_artifacts(st, res->run_id, artifacts, "", &res->artifacts, false);
	res->points = ry_ingest_points(t.in);
	res->malformed = ry_ingest_malformed(t.in);
	rc = ry_run_finish(st, res->run_id, res->status, ry_now(), has_exit, code);
	/* only now: were runyard to die before this, the keeper would still
	 * leave the exit status for the next start */
	ry_track__release(&proc);
	unlink(keeper_path);
	unlink(tracker_path);
	goto done;

fail_early:
	{
		int saved = ry_error_code();
		char *msg = ry_xstrdup(ry_error_last());
		ry_run_finish(st, res->run_id, "failed", ry_now(), false, 0);
		if (tracker_path)
			unlink(tracker_path);
		ry_error_set(saved ? saved : rc, "%s", msg);
		free(msg);
	}
done:
	for (int i = 0; i < 2; i++)
		ry_track__chan_close(&chans[i]);
	if (t.log_fd >= 0)
		close(t.log_fd);
	if (t.metrics_fd >= 0)
		close(t.metrics_fd);
	ry_ingest_free(t.in);
	free(t.buf);
	free(ident);
	free(patterns);
	free(dir);
	free(log);
	free(metrics);
	free(artifacts);
	free(exit_path);
	free(keeper_path);
	free(tracker_path);
	return rc;
}

/* ---- reconcile -------------------------------------------------------- */

/* What one reconcile reads of runs' files at most, over all runs: about a
 * third of a second of scanning, so that a start never waits long on a
 * huge log; the next start goes on from where this one stopped. */
#define CATCHUP_BUDGET ((size_t)32 << 20)
#define CATCHUP_CHUNK ((size_t)1 << 20)

struct orphan {
	int64_t id;
	char *uuid;
	bool live; /* its command still runs */
};

/* Is the runyard that tracks the run in `dir` alive?  Then it ingests.
 * Without its file nobody can tell, and ingesting beside a live tracker
 * would double points: taken as alive. */
static bool tracker_alive(const char *dir)
{
	char *path = ry_xasprintf("%s/tracker", dir);
	bool alive = access(path, F_OK) != 0 || ry_track__keeper_alive(path);
	free(path);
	return alive;
}

/* Ingest what the run's command printed and wrote after its tracker died,
 * from the offsets the tracker's last batch stored, in the same way
 * (ingest.h, resumable ingest).  final: the files are complete, take their
 * last unfinished lines too.  Returns 1 when everything was read, 0 when
 * the budget ran out first, or an RY_E* code.  A run that kept no ingest
 * state (started by an older runyard) has nothing to catch up. */
static int catch_up(ry_store *st, int64_t id, const char *dir, bool final, size_t *budget)
{
	static const char *const names[2] = { "metrics.jsonl", "log" };
	ry_ingest *in = NULL;
	int64_t off[2];
	char *buf = NULL;
	bool all = true;
	int rc;

	/* One write transaction from reading the offsets to storing the new
	 * ones: two starts at the same moment cannot both take the same lines. */
	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = ry_ingest_resume(&in, st, id, &off[1], &off[0])) || !in) {
		ry_store_rollback(st);
		return rc ? rc : 1;
	}
	buf = ry_xmalloc(CATCHUP_CHUNK);
	/* JSON lines first: a key they own is then never taken from the log */
	for (int f = 0; f < 2 && !rc; f++) {
		char *path = ry_xasprintf("%s/%s", dir, names[f]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		while (fd >= 0) {
			size_t want = *budget < CATCHUP_CHUNK ? *budget : CATCHUP_CHUNK;
			ssize_t n;
			if (want == 0) {
				all = false;
				break;
			}
			n = pread(fd, buf, want, (off_t)off[f]);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				rc = ry_error_set(RY_EIO, "cannot read %s: %s; its lines are ingested at a later start",
				                  path, strerror(errno));
			if (n <= 0)
				break;
			if (f)
				ry_ingest_log(in, buf, (size_t)n);
			else
				ry_ingest_jsonl(in, buf, (size_t)n);
			off[f] += n;
			*budget -= (size_t)n;
		}
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (!rc)
		rc = ry_ingest_flush(in, final && all);
	if (!rc)
		rc = ry_store_commit(st);
	else
		ry_store_rollback(st);
	ry_ingest_free(in);
	free(buf);
	return rc ? rc : all;
}

/* Settle a run whose tracker died and whose command is gone: from the
 * exit status its keeper left, else as lost, unless the keeper still lives
 * (draining the last output, about to leave the status).  What the command
 * printed after the tracker died is ingested first; a run is settled only
 * once all of it is in.  Returns 1 when settled, 0 when left running, or
 * an RY_E* code. */
static int settle_orphan(ry_store *st, const struct orphan *o, size_t *budget)
{
	char *dir = ry_track_run_dir(st, o->uuid), *exit_path = ry_xasprintf("%s/exit", dir);
	char *keeper_path = ry_xasprintf("%s/keeper", dir), *artifacts = ry_xasprintf("%s/artifacts", dir);
	struct ry_track__end e;
	int rc = 1;
	if (ry_track__exit_read(exit_path, &e)) {
		bool has_exit;
		int code, shell;
		const char *status = settle(&e, false, &has_exit, &code, &shell);
		int64_t count = 0;
		if ((rc = catch_up(st, o->id, dir, true, budget)) <= 0)
			goto out;
		record_artifacts(st, o->id, artifacts, "", &count, true);
		if (!(rc = ry_run_finish(st, o->id, status, e.ended, has_exit, code)))
			rc = 1;
	} else if (ry_track__keeper_alive(keeper_path)) {
		rc = tracker_alive(dir) ? 0 : catch_up(st, o->id, dir, false, budget);
		if (rc > 0)
			rc = 0;
	} else {
		/* the tracker, if it lives, settles the run itself */
		if (!tracker_alive(dir) && (rc = catch_up(st, o->id, dir, true, budget)) <= 0)
			goto out;
		if (!(rc = ry_run_finish(st, o->id, "lost", ry_now(), false, 0)))
			rc = 1;
	}
out:
	free(dir);
	free(exit_path);
	free(keeper_path);
	free(artifacts);
	return rc;
}

int ry_track_reconcile(ry_store *st, int *nsettled)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT id, pid, pid_start, uuid FROM runs "
	                                     "WHERE status = 'running' AND source = 'local' AND host = ?");
	char *host = host_name();
	struct orphan *runs = NULL;
	size_t n = 0, cap = 0, budget = CATCHUP_BUDGET;
	int rc = 0, step;

	if (nsettled)
		*nsettled = 0;
	sqlite3_bind_text(s, 1, host, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0), pid = sqlite3_column_int64(s, 1);
		const char *want = (const char *)sqlite3_column_text(s, 2);
		const char *uuid = (const char *)sqlite3_column_text(s, 3);
		char *have;
		if (pid <= 0 || !uuid)
			continue; /* no pid recorded yet: a tracker between create and fork */
		have = ry_track_pid_identity((int)pid);
		runs = ry_xgrow(runs, &cap, n + 1, sizeof *runs);
		runs[n].id = id;
		runs[n].uuid = ry_xstrdup(uuid);
		runs[n++].live = have && (!want || !strcmp(have, want));
		free(have);
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "listing running runs");
	sqlite3_reset(s);
	free(host);
	for (size_t i = 0; i < n; i++) {
		int r = 0;
		if (rc) {
			/* an earlier error: only free the rest */
		} else if (!runs[i].live) {
			r = settle_orphan(st, &runs[i], &budget);
		} else {
			/* still running without its tracker: take in what it wrote so far */
			char *dir = ry_track_run_dir(st, runs[i].uuid);
			r = tracker_alive(dir) ? 0 : catch_up(st, runs[i].id, dir, false, &budget);
			free(dir);
			if (r > 0)
				r = 0;
		}
		if (r < 0)
			rc = r;
		else if (r > 0 && nsettled)
			(*nsettled)++;
		free(runs[i].uuid);
	}
	free(runs);
	return rc;
}
