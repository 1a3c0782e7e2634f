/* Tracking with real child processes: params from argv, quoting, exit codes
 * and statuses, output tee + capture, JSONL with malformed lines, signal
 * forwarding (a child that traps SIGINT; a second SIGINT kills), reconcile
 * (lost only when the pid is really gone or reused). */
#include "testutil.h"
#include "track/track.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static void test_params__forms(void **state)
{
	char *argv[] = { "python3", "-u", "train.py", "--lr", "0.01", "--epochs=5", "--verbose", "--shift", "-3",
	                 "batch=32", "+model.depth=4", "-v", "data.csv", "--name", "x", "--name", "y", "-lr2", "2",
	                 NULL };
	ry_kv *kv;
	size_t n;
	const char *want[][2] = { { "batch", "32" }, { "epochs", "5" }, { "lr", "0.01" }, { "lr2", "2" },
	                          { "model.depth", "4" }, { "name", "y" }, { "shift", "-3" }, { "verbose", "true" } };
	(void)state;
	assert_int_equal(ry_track_parse_params(argv, &kv, &n), 0);
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(kv[i].key, want[i][0]);
		assert_string_equal(kv[i].value, want[i][1]);
	}
	ry_track_kv_free(kv, n);

	char *argv2[] = { "python", "-m", "pkg.train", "--lr", "1", NULL };
	assert_int_equal(ry_track_parse_params(argv2, &kv, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(kv[0].key, "lr");
	ry_track_kv_free(kv, n);

	char *argv3[] = { "./train", "--flag", NULL };
	assert_int_equal(ry_track_parse_params(argv3, &kv, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(kv[0].value, "true");
	ry_track_kv_free(kv, n);
}

static void test_join_argv__shell_quoting(void **state)
{
	char *argv[] = { "python", "train.py", "--msg", "it's a test", "a b", "", "x=1", NULL };
	char *s = ry_track_join_argv(argv);
	(void)state;
	assert_string_equal(s, "python train.py --msg 'it'\\''s a test' 'a b' '' x=1");
	free(s);
}

static void test_join_argv__secret_values_redacted(void **state)
{
	char *argv[] = { "python", "train.py", "--password=hunter2", "--api-key", "abc", "--hf_token", "xyz",
	                 "token=qq", "+db.passwd=p1", "-secret", "s1", "--max_tokens", "5", "--auth", "--lr", "0.1",
	                 "--tokenizer", "bpe", NULL };
	char *s = ry_track_join_argv(argv);
	(void)state;
	assert_string_equal(s, "python train.py '--password=***' --api-key '***' --hf_token '***' 'token=***' "
	                       "'+db.passwd=***' -secret '***' --max_tokens 5 --auth --lr 0.1 --tokenizer bpe");
	free(s);
	/* the same reading as the params: the script path is no value */
	char *argv2[] = { "python", "-W", "ignore", "token=1", "--token", "t", NULL };
	s = ry_track_join_argv(argv2);
	assert_string_equal(s, "python -W ignore token=1 --token '***'");
	free(s);
}

struct ctx {
	struct ry_test_ws ws;
	char *out;      /* file receiving the child's stdout and stderr */
	int out_fd;
};

static void ctx_open(struct ctx *c)
{
	ry_test_ws_open(&c->ws);
	c->out = ry_xasprintf("%s/out.txt", c->ws.dir);
	c->out_fd = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(c->out_fd >= 0);
}

static void ctx_close(struct ctx *c)
{
	close(c->out_fd);
	free(c->out);
	ry_test_ws_close(&c->ws);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ry_buf b = RY_BUF_INIT;
	char buf[4096];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		ry_buf_put(&b, buf, n);
	fclose(f);
	return b.ptr ? ry_buf_detach(&b) : ry_xstrdup("");
}

static int track(struct ctx *c, char **argv, ry_track_result *res, ry_track_options *base)
{
	ry_track_options o = RY_TRACK_OPTIONS_INIT;
	if (base)
		o = *base;
	o.argv = argv;
	o.out_fd = c->out_fd;
	o.err_fd = c->out_fd;
	return ry_track_run(c->ws.st, &o, res);
}

static void expect_run(struct ctx *c, int64_t id, const char *status, bool has_exit, int code)
{
	ry_run *r = NULL;
	assert_int_equal(ry_run_get(&r, c->ws.st, id), 0);
	assert_string_equal(r->status, status);
	assert_int_equal(r->has_exit_code, has_exit);
	if (has_exit)
		assert_int_equal(r->exit_code, code);
	assert_true(r->ended >= r->started);
	ry_run_free(r);
}

static void test_track__exit_codes_and_statuses(void **state)
{
	struct ctx c;
	ry_track_result res;
	char *ok[] = { "true", NULL };
	char *bad[] = { "sh", "-c", "exit 3", NULL };
	char *sig[] = { "sh", "-c", "kill -TERM $$", NULL };
	char *missing[] = { "no-such-command-runyard-test", NULL };
	char *empty[] = { NULL };
	(void)state;
	ctx_open(&c);
	assert_int_equal(track(&c, ok, &res, NULL), 0);
	assert_string_equal(res.status, "finished");
	assert_int_equal(res.exit_status, 0);
	expect_run(&c, res.run_id, "finished", true, 0);

	assert_int_equal(track(&c, bad, &res, NULL), 0);
	assert_string_equal(res.status, "failed");
	assert_int_equal(res.exit_status, 3);
	expect_run(&c, res.run_id, "failed", true, 3);

	assert_int_equal(track(&c, sig, &res, NULL), 0);
	assert_string_equal(res.status, "killed");
	assert_int_equal(res.exit_status, 128 + SIGTERM);
	expect_run(&c, res.run_id, "killed", false, 0);

	assert_int_equal(track(&c, missing, &res, NULL), 0);
	assert_true(res.exec_failed);
	assert_int_equal(res.exit_status, 127);
	expect_run(&c, res.run_id, "failed", false, 0);

	assert_int_equal(track(&c, empty, &res, NULL), RY_EINVAL);
	ctx_close(&c);
}

static void test_track__tee_capture_env_and_record(void **state)
{
	struct ctx c;
	ry_track_result res;
	ry_track_options o = RY_TRACK_OPTIONS_INIT;
	ry_kv tag = { "team", "vision" }, param = { "lr", "0.5" };
	char *argv[] = { "sh", "-c",
		"echo \"loss: 0.5\"; echo 'step=2 loss=0.25' >&2; "
		"printf '{\"step\": 7, \"acc\": 0.9}\\nnot json\\n{\"acc\": NaN}\\n' >> \"$RUNYARD_METRICS\"; "
		"echo \"id=$RUNYARD_RUN_ID\"; echo \"alias=$RUNYARD_RUN_UUID\"; test -d \"$RUNYARD_ARTIFACTS\" && echo has-artifacts-dir",
		"--lr", "0.01", NULL };
	ry_point *p;
	size_t n;
	ry_run *r = NULL;
	(void)state;
	ctx_open(&c);
	o.experiment = "unit";
	o.name = "first-try";
	o.tags = &tag;
	o.ntags = 1;
	o.params = &param;
	o.nparams = 1;
	assert_int_equal(track(&c, argv, &res, &o), 0);
	assert_string_equal(res.status, "finished");
	assert_int_equal(res.malformed, 1);

	char *out = slurp(c.out);
	assert_non_null(strstr(out, "loss: 0.5\n"));
	assert_non_null(strstr(out, "step=2 loss=0.25\n"));
	assert_non_null(strstr(out, res.uuid));
	assert_non_null(strstr(out, "has-artifacts-dir"));
	{
		/* the same names a remote launch sets (issue 13) */
		char want[64];
		snprintf(want, sizeof want, "id=%s\n", res.uuid);
		assert_non_null(strstr(out, want));
		snprintf(want, sizeof want, "alias=%s\n", res.uuid);
		assert_non_null(strstr(out, want));
	}
	free(out);

	assert_int_equal(ry_run_get(&r, c.ws.st, res.run_id), 0);
	char *logp = ry_track_log_path(c.ws.st, r);
	char *log = slurp(logp);
	assert_non_null(log);
	assert_non_null(strstr(log, "loss: 0.5\n"));
	assert_non_null(strstr(log, "step=2 loss=0.25\n"));
	free(log);
	free(logp);
	assert_string_equal(r->experiment, "unit");
	assert_string_equal(r->name, "first-try");
	assert_string_equal(r->source, "local");
	assert_non_null(r->host);
	assert_non_null(r->cwd);
	assert_true(r->pid > 0);
	assert_non_null(r->pid_start);
	assert_int_equal(r->malformed_lines, 1);
	assert_non_null(strstr(r->command, "sh -c 'echo"));
	assert_int_equal(r->nparams, 1);
	assert_string_equal(r->params[0].key, "lr");
	assert_string_equal(r->params[0].value, "0.5"); /* --param overrides the parsed 0.01 */
	assert_int_equal(r->ntags, 1);
	ry_run_free(r);

	assert_int_equal(ry_metrics_read(c.ws.st, res.run_id, "loss", &p, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].step, 0);
	assert_true(p[0].value == 0.5);
	assert_int_equal(p[1].step, 2);
	free(p);
	assert_int_equal(ry_metrics_read(c.ws.st, res.run_id, "acc", &p, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].step, 7);
	assert_int_equal(p[1].step, 8);
	assert_true(isnan(p[1].value));
	free(p);
	ctx_close(&c);
}

static void test_track__no_capture_keeps_jsonl(void **state)
{
	struct ctx c;
	ry_track_result res;
	ry_track_options o = RY_TRACK_OPTIONS_INIT;
	char *argv[] = { "sh", "-c", "echo loss=1; echo '{\"x\": 1}' >> \"$RUNYARD_METRICS\"", NULL };
	(void)state;
	ctx_open(&c);
	o.capture = false;
	assert_int_equal(track(&c, argv, &res, &o), 0);
	assert_int_equal(res.points, 1);
	ctx_close(&c);
}

/* A watcher process: waits for `file` to appear, then sends `sig` to the
 * tracker `times` times, 300 ms apart. */
static pid_t watcher(const char *file, int sig, int times)
{
	pid_t tracker = getpid(), w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		for (int i = 0; i < 500 && access(file, F_OK) != 0; i++)
			nanosleep(&ts, NULL);
		for (int i = 0; i < times; i++) {
			struct timespec gap = { 0, 300 * 1000 * 1000 };
			kill(tracker, sig);
			nanosleep(&gap, NULL);
		}
		_exit(0);
	}
	return w;
}

static void test_track__sigint_forwarded_to_trapping_child(void **state)
{
	struct ctx c;
	ry_track_result res;
	(void)state;
	ctx_open(&c);
	char *ready = ry_xasprintf("%s/ready", c.ws.dir);
	char *script = ry_xasprintf("trap 'echo caught-int; exit 7' INT; touch '%s'; "
	                            "i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; exit 0", ready);
	char *argv[] = { "sh", "-c", script, NULL };
	/* what the tracker found (SIG_IGN when the suite runs in the background) */
	struct sigaction before, sa;
	sigaction(SIGINT, NULL, &before);
	pid_t w = watcher(ready, SIGINT, 1);
	assert_int_equal(track(&c, argv, &res, NULL), 0);
	waitpid(w, NULL, 0);
	assert_string_equal(res.status, "killed");
	assert_int_equal(res.exit_status, 7);
	expect_run(&c, res.run_id, "killed", true, 7);
	char *out = slurp(c.out);
	assert_non_null(strstr(out, "caught-int"));
	free(out);
	/* the tracker's own disposition is back to what it was */
	sigaction(SIGINT, NULL, &sa);
	assert_true(sa.sa_handler == before.sa_handler);
	free(script);
	free(ready);
	ctx_close(&c);
}

static void test_track__second_sigint_kills(void **state)
{
	struct ctx c;
	ry_track_result res;
	(void)state;
	ctx_open(&c);
	char *ready = ry_xasprintf("%s/ready", c.ws.dir);
	char *script = ry_xasprintf("trap 'echo ignoring' INT; touch '%s'; "
	                            "i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; exit 0", ready);
	char *argv[] = { "sh", "-c", script, NULL };
	pid_t w = watcher(ready, SIGINT, 2);
	double t0 = ry_monotonic();
	assert_int_equal(track(&c, argv, &res, NULL), 0);
	waitpid(w, NULL, 0);
	assert_true(ry_monotonic() - t0 < 5);
	assert_string_equal(res.status, "killed");
	assert_int_equal(res.exit_status, 128 + SIGKILL);
	free(script);
	free(ready);
	ctx_close(&c);
}

static void test_track__sigterm_forwarded(void **state)
{
	struct ctx c;
	ry_track_result res;
	(void)state;
	ctx_open(&c);
	char *ready = ry_xasprintf("%s/ready", c.ws.dir);
	char *script = ry_xasprintf("touch '%s'; exec sleep 10", ready);
	char *argv[] = { "sh", "-c", script, NULL };
	pid_t w = watcher(ready, SIGTERM, 1);
	assert_int_equal(track(&c, argv, &res, NULL), 0);
	waitpid(w, NULL, 0);
	assert_string_equal(res.status, "killed");
	assert_int_equal(res.exit_status, 128 + SIGTERM);
	free(script);
	free(ready);
	ctx_close(&c);
}

/* The keeper killed under a live tracker: the command goes on, its output
 * is still tracked to the end, and the run is lost (its exit status went
 * with the keeper) without the tracker dying of SIGPIPE on the way out. */
static void test_track__keeper_killed_gives_lost(void **state)
{
	struct ctx c;
	ry_track_result res;
	(void)state;
	ctx_open(&c);
	char *ready = ry_xasprintf("%s/ready", c.ws.dir);
	char *script = ry_xasprintf("touch '%s'; i=0; while [ $i -lt 15 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done",
	                            ready);
	char *argv[] = { "sh", "-c", script, NULL };
	pid_t w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		/* kill whichever keeper this workspace's runs directory names */
		char *glob = ry_xasprintf("head -qn1 %s.runs/*/keeper 2>/dev/null | cut -d' ' -f1", ry_store_path(c.ws.st));
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		for (int i = 0; i < 500 && access(ready, F_OK) != 0; i++)
			nanosleep(&ts, NULL);
		for (int i = 0; i < 250; i++) {
			FILE *p = popen(glob, "r");
			int pid = 0;
			if (p && fscanf(p, "%d", &pid) == 1 && pid > 0) {
				pclose(p);
				kill(pid, SIGKILL);
				_exit(0);
			}
			if (p)
				pclose(p);
			nanosleep(&ts, NULL);
		}
		_exit(1);
	}
	assert_int_equal(track(&c, argv, &res, NULL), 0);
	int ws;
	waitpid(w, &ws, 0);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	assert_string_equal(res.status, "lost");
	expect_run(&c, res.run_id, "lost", false, 0);
	char *out = slurp(c.out);
	assert_non_null(strstr(out, "tick 14\n")); /* the output was followed to its end */
	free(out);
	free(script);
	free(ready);
	ctx_close(&c);
}

static int64_t running_run(struct ctx *c, int64_t pid, const char *ident)
{
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	char host[256];
	int64_t id;
	gethostname(host, sizeof host);
	host[sizeof host - 1] = '\0';
	spec.host = host;
	assert_int_equal(ry_run_create(c->ws.st, &spec, &id, NULL), 0);
	assert_int_equal(ry_run_set_int(c->ws.st, id, "pid", pid), 0);
	assert_int_equal(ry_run_set_text(c->ws.st, id, "pid_start", ident), 0);
	return id;
}

static void test_reconcile__lost_only_when_the_process_is_gone(void **state)
{
	struct ctx c;
	int nlost;
	(void)state;
	ctx_open(&c);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	char *ident = ry_track_pid_identity(child);
	assert_non_null(ident);
	int64_t alive = running_run(&c, child, ident);
	int64_t reused = running_run(&c, child, "some-boot:12345"); /* same pid, another process */
	int64_t gone = running_run(&c, 999999999, "x:1");

	assert_int_equal(ry_track_reconcile(c.ws.st, &nlost), 0);
	assert_int_equal(nlost, 2);
	expect_run(&c, reused, "lost", false, 0);
	expect_run(&c, gone, "lost", false, 0);
	ry_run *r = NULL;
	assert_int_equal(ry_run_get(&r, c.ws.st, alive), 0);
	assert_string_equal(r->status, "running");
	ry_run_free(r);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(ry_track_reconcile(c.ws.st, &nlost), 0);
	assert_int_equal(nlost, 1);
	expect_run(&c, alive, "lost", false, 0);
	free(ident);
	ctx_close(&c);
}

/* Opening a workspace to work on settles what a dead tracker left
 * running; a read-only open settles nothing. */
static void test_reconcile__open_workspace_settles(void **state)
{
	struct ctx c;
	ry_store *st = NULL;
	(void)state;
	ctx_open(&c);
	int64_t gone = running_run(&c, 999999999, "x:1");
	ry_store_close(c.ws.st);

	assert_int_equal(ry_track_open_workspace(&c.ws.st, c.ws.path, RY_STORE_READONLY), 0);
	ry_run *r = NULL;
	assert_int_equal(ry_run_get(&r, c.ws.st, gone), 0);
	assert_string_equal(r->status, "running");
	ry_run_free(r);
	ry_store_close(c.ws.st);

	assert_int_equal(ry_track_open_workspace(&st, c.ws.path, 0), 0);
	c.ws.st = st;
	expect_run(&c, gone, "lost", false, 0);
	assert_int_equal(ry_track_open_workspace(&st, "/nonexistent/dir/ws.db", 0), RY_ENOTFOUND);
	assert_null(st);
	ctx_close(&c);
}

/* A file in a running run's directory, written as the keeper would. */
static void run_file(struct ctx *c, int64_t id, const char *name, const char *text)
{
	ry_run *r = NULL;
	assert_int_equal(ry_run_get(&r, c->ws.st, id), 0);
	char *dir = ry_track_run_dir(c->ws.st, r->uuid), *path = ry_xasprintf("%s/%s", dir, name);
	assert_int_equal(ry_mkdir_p(dir), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
	free(dir);
	ry_run_free(r);
}

/* The keeper's exit file settles a run whose tracker died, with the
 * command's own status and end time; a live keeper keeps it running; an
 * unreadable exit file or a dead keeper makes it lost. */
/* ---- resumable ingest ------------------------------------------------- */

struct sink {
	char key[16][32];
	int64_t step[16];
	double value[16];
	size_t n;
};

static void sink_point(void *payload, const char *key, int64_t step, double ts, double value)
{
	struct sink *s = payload;
	(void)ts;
	assert_true(s->n < 16);
	snprintf(s->key[s->n], sizeof s->key[s->n], "%s", key);
	s->step[s->n] = step;
	s->value[s->n++] = value;
}

static int64_t run_int(ry_store *st, int64_t id, const char *what)
{
	ry_run *r = NULL;
	int64_t v;
	assert_int_equal(ry_run_get(&r, st, id), 0);
	v = !strcmp(what, "log") ? r->log_offset : r->metrics_offset;
	ry_run_free(r);
	return v;
}

static int64_t npoints(ry_store *st, int64_t id)
{
	ry_metric_summary *m = NULL;
	size_t n = 0;
	int64_t total = 0;
	assert_int_equal(ry_metrics_summaries(st, id, &m, &n), 0);
	for (size_t i = 0; i < n; i++)
		total += m[i].n;
	ry_metric_summaries_free(m, n);
	return total;
}

/* A tracker killed mid-run: the offsets it stored are those of the points it
 * stored (one transaction), and an ingest resumed from them gives the rest
 * the very steps one uninterrupted ingest gives: the per-key counters, the
 * step of an earlier "Epoch" line, an over-long line cut by the offset
 * (dropped whole), keys owned by JSON lines. */
static void test_ingest__resumed_from_stored_offsets(void **state)
{
	struct ry_test_ws ws;
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in = NULL, *ref = NULL;
	struct sink want = { .n = 0 };
	ry_buf log = RY_BUF_INIT;
	const char *jsonl = "{\"jc\": 1, \"jo\": 1}\n{\"step\": 5, \"jl\": 2}\n{\"jc\": 2, \"acc\": 7}\n";
	size_t cut_log, cut_met = 24, done_log;
	int64_t id, lo = -1, mo = -1;
	(void)state;

	ry_buf_puts(&log, "step=5 loss=0.5 acc=1\nacc=2\nEpoch 9/10\n");
	done_log = log.len;
	for (int i = 0; i < (3 << 19); i++)
		ry_buf_putc(&log, 'x');
	ry_buf_puts(&log, " loss=7\nloss: 0.4 - accuracy: 0.9\nacc=3 jo=5\nlast=1");
	cut_log = done_log + (5 << 18); /* inside the over-long line, past 1 MiB of it */

	ry_test_ws_open(&ws);
	assert_int_equal(ry_run_create(ws.st, &spec, &id, NULL), 0);
	io.keep_offsets = true;
	assert_int_equal(ry_ingest_new(&in, ws.st, id, &io), 0);
	ry_ingest_log(in, log.ptr, cut_log);
	ry_ingest_jsonl(in, jsonl, cut_met);
	assert_int_equal(ry_ingest_flush(in, false), 0);
	ry_ingest_free(in); /* the tracker dies here */
	assert_int_equal(run_int(ws.st, id, "log"), (int64_t)cut_log); /* the skip state goes with it */
	assert_int_equal(run_int(ws.st, id, "metrics"), 19);
	assert_int_equal(npoints(ws.st, id), 5);

	/* offsets and points are one transaction: rolled back together */
	assert_int_equal(ry_ingest_resume(&in, ws.st, id, &lo, &mo), 0);
	assert_non_null(in);
	assert_int_equal(lo, (int64_t)cut_log);
	assert_int_equal(mo, 19);
	assert_int_equal(ry_store_begin(ws.st), 0);
	ry_ingest_log(in, log.ptr + lo, log.len - (size_t)lo);
	ry_ingest_jsonl(in, jsonl + mo, strlen(jsonl) - (size_t)mo);
	assert_int_equal(ry_ingest_flush(in, true), 0);
	ry_store_rollback(ws.st);
	ry_ingest_free(in);
	assert_int_equal(run_int(ws.st, id, "log"), (int64_t)cut_log);
	assert_int_equal(run_int(ws.st, id, "metrics"), 19);
	assert_int_equal(npoints(ws.st, id), 5);

	assert_int_equal(ry_ingest_resume(&in, ws.st, id, &lo, &mo), 0);
	assert_non_null(in);
	ry_ingest_jsonl(in, jsonl + mo, strlen(jsonl) - (size_t)mo);
	ry_ingest_log(in, log.ptr + lo, log.len - (size_t)lo);
	assert_int_equal(ry_ingest_flush(in, true), 0);
	ry_ingest_free(in);
	assert_int_equal(run_int(ws.st, id, "log"), (int64_t)log.len);
	assert_int_equal(run_int(ws.st, id, "metrics"), (int64_t)strlen(jsonl));

	/* the same bytes in one go */
	io = (ry_ingest_options)RY_INGEST_OPTIONS_INIT;
	io.on_point = sink_point;
	io.payload = &want;
	assert_int_equal(ry_ingest_new(&ref, NULL, 0, &io), 0);
	ry_ingest_log(ref, log.ptr, cut_log);
	ry_ingest_jsonl(ref, jsonl, strlen(jsonl));
	ry_ingest_log(ref, log.ptr + cut_log, log.len - cut_log);
	assert_int_equal(ry_ingest_flush(ref, true), 0);
	ry_ingest_free(ref);
	assert_int_equal(want.n, 11);
	assert_int_equal(npoints(ws.st, id), (int64_t)want.n);
	for (size_t i = 0; i < want.n; i++) {
		ry_point *p = NULL;
		size_t n = 0, k = 0;
		assert_int_equal(ry_metrics_read(ws.st, id, want.key[i], &p, &n), 0);
		for (size_t j = 0; j < i; j++)
			k += !strcmp(want.key[j], want.key[i]); /* its place in the key's history */
		assert_true(k < n);
		if (p[k].step != want.step[i] || p[k].value != want.value[i])
			fail_msg("%s #%zu: step %lld value %g, want step %lld value %g", want.key[i], k,
			         (long long)p[k].step, p[k].value, (long long)want.step[i], want.value[i]);
		free(p);
	}
	ry_buf_free(&log);
	ry_test_ws_close(&ws);
}

static void test_reconcile__keeper_files_settle_the_run(void **state)
{
	struct ctx c;
	int n;
	ry_run *r = NULL;
	(void)state;
	ctx_open(&c);
	pid_t keeper = fork();
	assert_true(keeper >= 0);
	if (keeper == 0) {
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	char *kident = ry_track_pid_identity(keeper), *kline = ry_xasprintf("%d %s\n", (int)keeper, kident);
	int64_t failed = running_run(&c, 999999999, "x:1");
	int64_t killed = running_run(&c, 999999999, "x:1");
	int64_t draining = running_run(&c, 999999999, "x:1");
	int64_t garbage = running_run(&c, 999999999, "x:1");
	int64_t dead_keeper = running_run(&c, 999999999, "x:1");
	double end = floor(ry_now()) + 5.25;
	char *e1 = ry_xasprintf("exit 3 %.3f\n", end), *e2 = ry_xasprintf("signal 15 %.3f\n", end);
	run_file(&c, failed, "exit", e1);
	run_file(&c, killed, "exit", e2);
	free(e1);
	free(e2);
	run_file(&c, draining, "keeper", kline);
	run_file(&c, garbage, "exit", "exit three\n");
	run_file(&c, dead_keeper, "keeper", "999999999 x:1\n");

	assert_int_equal(ry_track_reconcile(c.ws.st, &n), 0);
	assert_int_equal(n, 4);
	expect_run(&c, failed, "failed", true, 3);
	assert_int_equal(ry_run_get(&r, c.ws.st, failed), 0);
	assert_true(fabs(r->ended - end) < 0.01); /* when the command ended, not when reconciled */
	ry_run_free(r);
	expect_run(&c, killed, "killed", false, 0);
	expect_run(&c, garbage, "lost", false, 0);
	expect_run(&c, dead_keeper, "lost", false, 0);
	assert_int_equal(ry_run_get(&r, c.ws.st, draining), 0);
	assert_string_equal(r->status, "running");
	ry_run_free(r);

	kill(keeper, SIGKILL);
	waitpid(keeper, NULL, 0);
	assert_int_equal(ry_track_reconcile(c.ws.st, &n), 0);
	assert_int_equal(n, 1);
	expect_run(&c, draining, "lost", false, 0);
	free(kline);
	free(kident);
	ctx_close(&c);
}

static void test_pid_identity__self_and_missing(void **state)
{
	char *a = ry_track_pid_identity(getpid()), *b = ry_track_pid_identity(getpid());
	(void)state;
	assert_non_null(a);
	assert_string_equal(a, b);
	assert_null(ry_track_pid_identity(999999999));
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params__forms),
		cmocka_unit_test(test_join_argv__shell_quoting),
		cmocka_unit_test(test_join_argv__secret_values_redacted),
		cmocka_unit_test(test_pid_identity__self_and_missing),
		cmocka_unit_test(test_track__exit_codes_and_statuses),
		cmocka_unit_test(test_track__tee_capture_env_and_record),
		cmocka_unit_test(test_track__no_capture_keeps_jsonl),
		cmocka_unit_test(test_track__sigint_forwarded_to_trapping_child),
		cmocka_unit_test(test_track__second_sigint_kills),
		cmocka_unit_test(test_track__sigterm_forwarded),
		cmocka_unit_test(test_track__keeper_killed_gives_lost),
		cmocka_unit_test(test_reconcile__lost_only_when_the_process_is_gone),
		cmocka_unit_test(test_reconcile__open_workspace_settles),
		cmocka_unit_test(test_reconcile__keeper_files_settle_the_run),
		cmocka_unit_test(test_ingest__resumed_from_stored_offsets),
	};
	ry_redact_configure(NULL); /* secret names: the built-in ones, not the user's config */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
