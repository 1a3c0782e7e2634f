/*
 * `runyard logs RUN [-f]`: print a run's log from the workspace; for a
 * remote run first pull what is new from the host, and with -f keep
 * pulling (once a second) until the run ends.  Output is sanitised.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char help[] =
	"usage: runyard logs RUN [-f]\n"
	"       runyard logs --deployment ID [--tail BYTES]\n"
	"\n"
	"Print the run's log (stdout and stderr of its command).  For a run on an SSH\n"
	"host, new bytes are pulled from the host first (from where the last pull\n"
	"stopped).  RUN is an id, a uuid prefix or a unique name.\n"
	"\n"
	"  -f, --follow   keep printing new output until the run ends\n"
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

/* Print the local log from *off on; returns false when it cannot be read. */
static bool print_from(const char *path, long *off)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	ry_buf b = RY_BUF_INIT;
	if (!f)
		return false;
	if (fseek(f, *off, SEEK_SET) != 0) {
		fclose(f);
		return false;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		ry_buf_clear(&b);
		ry_sanitize(&b, buf, n, true);
		fwrite(b.ptr, 1, b.len, stdout);
		*off += (long)n;
	}
	ry_buf_free(&b);
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
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("logs", help, g);
	const char *spec;
	bool follow = false;
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
	}
	if (deployment) {
		if (follow)
			return cli_usage("logs", "--follow is for runs; a deployment's log is shown once");
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
	dir = ry_remote_local_dir(r.st, run->uuid);
	path = ry_xasprintf("%s/log", dir);
	for (;;) {
		bool remote = run->source && !strcmp(run->source, "ssh") && run->remote_dir;
		bool running = !strcmp(run->status, "running");
		if (remote) {
			ry_sync_report rep;
			int src = ry_remote_sync(r.st, r.inv, id, &o, &rep);
			/* What was pulled before is still printed; the status says it
			 * may not be all there is. */
			unreachable = src != 0 || rep.errors;
			if (unreachable) {
				fprintf(stderr, "runyard: could not pull new output from the host; "
				        "showing what the workspace holds:\n");
				cli_put_lines(stderr, "  ", src ? ry_error_last() : rep.errors);
			}
			ry_sync_report_clear(&rep);
		}
		if (!print_from(path, &off) && !follow) {
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
	free(dir);
	free(path);
	ry_run_free(run);
	cli_remote_close(&r);
	return rc;
}
