/*
 * `runyard logs RUN [-f] [--raw]`: print a run's log from the workspace; for
 * a remote run first pull what is new from the host, and with -f keep
 * pulling (once a second) until the run ends.  The log is shown as a
 * terminal would have shown it (text/logtext: progress bars' carriage
 * returns and backspaces overwrite, colour kept only for a terminal that
 * wants it); --raw prints the stored bytes as they are (escaped on a
 * terminal, so they cannot drive it).  The stored log is never changed.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "text/logtext.h"
#include "text/text.h"

static const char help[] =
	"usage: runyard logs RUN [-f] [--raw]\n"
	"       runyard logs --deployment ID [--tail BYTES]\n"
	"\n"
	"Print the run's log (stdout and stderr of its command) as a terminal would\n"
	"have shown it: a progress bar redrawn with carriage returns or backspaces\n"
	"(tqdm, Keras, Lightning) shows its last state, colour is kept only when\n"
	"stdout is a terminal (and NO_COLOR is unset), other escape sequences are\n"
	"dropped and control bytes shown inert.  For a run on an SSH host, new bytes\n"
	"are pulled from the host first (from where the last pull stopped).  RUN is\n"
	"an id, a uuid prefix or a unique name.\n"
	"\n"
	"  -f, --follow   keep printing new output until the run ends; a line being\n"
	"                 redrawn is printed once finished (redrawn in place on a\n"
	"                 terminal)\n"
	"  --raw          the stored bytes as they are (on a terminal escaped, \\r \\e\n"
	"                 and so on, so they cannot drive it)\n"
	"\n"
	"With --deployment, the end of deployment ID's log instead (from 'runyard\n"
	"deployments'), as its serving target keeps it: the serve command's output\n"
	"on an ssh target, logs_url's answer on an http one.\n"
	"\n"
	"  --deployment ID  a deployment's log, not a run's\n"
	"  --tail BYTES     at most this much of its end (default 65536)\n"
	"  --db PATH        workspace file\n"
	"  -h, --help       print this help\n"
	"\n"
	"Exit status: 0 ok, 1 no such run or deployment, or the host could not be\n"
	"reached (what the workspace already holds is still printed), 2 bad usage.\n";

/* How the log reaches stdout: rendered (lines through lt) or raw. */
struct out {
	tui_logtext *lt;      /* NULL: --raw */
	bool tty, sgr;
	bool partial_shown;   /* a tty shows the line being redrawn; it is erased first */
	ry_buf b;
};

static void out_lines(struct out *o)
{
	if (o->partial_shown)
		ry_buf_puts(&o->b, "\r\x1b[K");
	o->partial_shown = false;
	for (size_t i = 0; i < tui_logtext_count(o->lt); i++) {
		tui_logtext_put(&o->b, tui_logtext_line(o->lt, i), o->sgr);
		ry_buf_putc(&o->b, '\n');
	}
	tui_logtext_drop(o->lt);
}

/* On a terminal, the line a progress bar is redrawing, cut to the width so
 * "\r" finds its start again. */
static void out_partial(struct out *o)
{
	const struct tui_logtext_line *l = tui_logtext_partial(o->lt);
	struct winsize ws;
	int cols = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1 : 79;
	if (!l)
		return;
	char *fit = ry_xmalloc((size_t)cols * 4 + 64 + l->len);
	tui_text_fit(fit, (size_t)cols * 4 + 64 + l->len, l->text, cols, false, false, true);
	ry_buf_printf(&o->b, "%s", fit);
	free(fit);
	o->partial_shown = true;
}

static void out_feed(struct out *o, const char *buf, size_t n, bool follow)
{
	ry_buf_clear(&o->b);
	if (!o->lt) {
		if (o->tty)
			tui_logtext_escape(&o->b, buf, n);
		else
			ry_buf_put(&o->b, buf, n);
	} else {
		tui_logtext_feed(o->lt, buf, n);
		if (tui_logtext_count(o->lt) || !follow)
			out_lines(o);
		if (follow && o->tty) {
			if (o->partial_shown)
				ry_buf_puts(&o->b, "\r\x1b[K");
			o->partial_shown = false;
			out_partial(o);
		}
	}
	fwrite(o->b.ptr, 1, o->b.len, stdout);
}

/* The end of the log: the line not ended by a newline is printed too. */
static void out_end(struct out *o)
{
	if (o->lt) {
		ry_buf_clear(&o->b);
		tui_logtext_finish(o->lt);
		out_lines(o);
		fwrite(o->b.ptr, 1, o->b.len, stdout);
	}
	fflush(stdout);
}

/* Print the local log from *off on; returns false when it cannot be read. */
static bool print_from(struct out *o, const char *path, long *off, bool follow)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	if (!f)
		return false;
	if (fseek(f, *off, SEEK_SET) != 0) {
		fclose(f);
		return false;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		out_feed(o, buf, n, follow);
		*off += (long)n;
	}
	fclose(f);
	fflush(stdout);
	return true;
}

int cli_logs(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "deployment", required_argument, NULL, 'd' },
		{ "tail", required_argument, NULL, 't' },
		{ "raw", no_argument, NULL, 'r' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("logs", help, g);
	const char *spec;
	bool follow = false, raw = false;
	struct out out = { NULL, isatty(STDOUT_FILENO), false, false, RY_BUF_INIT };
	struct cli_remote r;
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	ry_run *run = NULL;
	char *dir = NULL, *path = NULL;
	long off = 0;
	int64_t id;
	int c, rc;

	const char *deployment = NULL;
	uint64_t tail = 65536;
	bool unreachable = false;
	while ((c = cli_getopt(&go, argc, argv, "fh", opts)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return go.status;
		if (c == 'd')
			deployment = optarg;
		else if (c == 't' && !cli_parse_count(optarg, 1, 64u << 20, &tail))
			return cli_bad_value("logs", "--tail", optarg, "a number of bytes from 1 to 67108864");
		else if (c == 'f')
			follow = true;
		else if (c == 'r')
			raw = true;
	}
	if (deployment) {
		if (follow)
			return cli_usage("logs", "--follow is for runs; a deployment's log is shown once");
		if (raw)
			return cli_usage("logs", "--raw is for runs; a deployment's log is shown as its target keeps it");
		if (optind < argc)
			return cli_extra_arg("logs", argv[optind], "--deployment names the deployment");
		return cli_deployment_logs(g, deployment, (size_t)tail);
	}
	if (optind >= argc)
		return cli_usage("logs", "which run? give its id, uuid prefix or name");
	if (optind + 1 < argc)
		return cli_extra_arg("logs", argv[optind + 1], NULL);
	spec = argv[optind];
	if ((rc = cli_remote_open(&r, g, false)))
		return rc;
	if (!r.st) {
		ry_error_set(RY_ENOTFOUND, "no workspace yet, so no run '%s'", spec);
		rc = cli_fail(RY_ENOTFOUND);
		goto out;
	}
	o.sshcfg = r.sshcfg;
	o.passphrase = cli_passphrase;
	if ((rc = ry_run_resolve(&id, r.st, spec)) || (rc = ry_run_get(&run, r.st, id))) {
		rc = cli_fail(rc);
		goto out;
	}
	if (!raw) {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
		out.lt = tui_logtext_new();
		out.sgr = out.tty && !(nc && *nc) && term && strcmp(term, "dumb");
	}
	dir = ry_remote_local_dir(r.st, run->uuid);
	path = ry_xasprintf("%s/log", dir);
	for (;;) {
		bool remote = ry_remote_owns(run) && run->remote_dir;
		bool running = !strcmp(run->status, "running");
		if (remote) {
			ry_sync_report rep;
			int src = ry_remote_sync(r.st, r.inv, id, &o, &rep);
			/* What was pulled before is still printed; the status says it
			 * may not be all there is. */
			bool was = unreachable;
			unreachable = src != 0 || rep.errors;
			/* An outage while following is said once, not every
			 * second: the error, that it is retrying, then that the
			 * host is back. */
			if (unreachable && !was) {
				fprintf(stderr, "runyard: could not pull new output from the host; "
				        "showing what the workspace holds:\n");
				cli_put_lines(stderr, "  ", src ? ry_error_last() : rep.errors);
				if (follow && running)
					fprintf(stderr, "runyard: retrying every second; this says when the host is back\n");
			} else if (!unreachable && was) {
				fprintf(stderr, "runyard: the host is back; following the log again\n");
			}
			ry_sync_report_clear(&rep);
		}
		if (!print_from(&out, path, &off, follow) && !follow) {
			if (remote)
				break; /* nothing logged yet */
			ry_error_set(RY_ENOTFOUND, "run %s has no log in this workspace", run->name);
			rc = cli_fail(RY_ENOTFOUND);
			goto out;
		}
		if (!follow || !running)
			break;
		sleep(1);
		ry_run_free(run);
		run = NULL;
		if ((rc = ry_run_get(&run, r.st, id))) {
			rc = cli_fail(rc);
			goto out;
		}
		if (strcmp(run->status, "running")) {
			/* ended since: one last pull, then print the rest */
			running = false;
			follow = false;
			continue;
		}
	}
	rc = unreachable ? 1 : 0;
out:
	out_end(&out);
	tui_logtext_free(out.lt);
	ry_buf_free(&out.b);
	free(dir);
	free(path);
	ry_run_free(run);
	cli_remote_close(&r);
	return rc;
}
