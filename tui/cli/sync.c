/*
 * `runyard sync`: settle every running remote run and pull what it wrote
 * since the last sync (log, metrics, artifacts at the end).  Hosts that
 * cannot be reached keep their runs running for the next sync.
 */
#include <cJSON.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"

static const char help[] =
	"usage: runyard sync [--json] [--timeout SECS]\n"
	"\n"
	"Bring every running remote run up to date: pull new log bytes and metric\n"
	"lines from where the last sync stopped, settle runs that ended (finished,\n"
	"failed, killed, or lost when the host says the process is gone without an\n"
	"exit code) and fetch their artifacts into the workspace's store (sha256\n"
	"checked).  Runs on hosts that cannot be reached stay running and are\n"
	"retried next time; nothing they wrote is lost.  Exit status 1 when some run\n"
	"could not be checked.\n"
	"\n"
	"  --json          a summary as one JSON document; errors as an array of\n"
	"                  {run, host, kind, message} (docs/remote.md)\n"
	"  --timeout SECS  per-host SSH deadline (default 20)\n"
	"  --db PATH       workspace file\n"
	"  -h, --help      print this help\n"
	"\n"
	"Exit status: 0 every run checked, 1 some run could not be checked or the\n"
	"workspace could not be read, 2 bad usage.\n";

/* One object per run that could not be checked (docs/remote.md). */
static cJSON *errors_json(const ry_sync_report *rep)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < rep->nerrs; i++) {
		const ry_sync_error *e = &rep->errs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "run", (double)e->run);
		cJSON_AddStringToObject(o, "host", e->host);
		cJSON_AddStringToObject(o, "kind", e->kind);
		cJSON_AddStringToObject(o, "message", e->message);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

int cli_sync(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("sync", help, g);
	bool json = false;
	double timeout = 20;
	struct cli_remote r;
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	ry_sync_report rep;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 't':
			if (!ry_parse_duration(optarg, &timeout) || timeout <= 0)
				return cli_bad_value("sync", "--timeout", optarg, "a positive number of seconds");
			break;
		default: return go.status;
		}
	}
	if (optind < argc)
		return cli_extra_arg("sync", argv[optind], NULL);
	if ((rc = cli_remote_open(&r, g, true)))
		return rc;
	o.sshcfg = r.sshcfg;
	o.passphrase = cli_passphrase;
	o.timeout_ms = (int)(timeout * 1000);
	if ((rc = ry_remote_sync(r.st, r.inv, 0, &o, &rep))) {
		rc = cli_fail(rc);
		cli_remote_close(&r);
		return rc;
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "runs", rep.runs);
		cJSON_AddNumberToObject(j, "settled", rep.settled);
		cJSON_AddNumberToObject(j, "unreachable", rep.unreachable);
		cJSON_AddNumberToObject(j, "simulated", rep.simulated);
		cJSON_AddNumberToObject(j, "log_bytes", (double)rep.log_bytes);
		cJSON_AddNumberToObject(j, "metric_bytes", (double)rep.metric_bytes);
		cJSON_AddNumberToObject(j, "artifacts", (double)rep.artifacts);
		cJSON_AddItemToObject(j, "errors", errors_json(&rep));
		rc = cli_json_print(j);
	} else {
		printf("synced %d running remote run%s: %d settled, %d unreachable, %lld log bytes, "
		       "%lld metric bytes, %lld artifacts\n", rep.runs, rep.runs == 1 ? "" : "s", rep.settled,
		       rep.unreachable, (long long)rep.log_bytes, (long long)rep.metric_bytes, (long long)rep.artifacts);
		if (rep.simulated)
			printf("%d run%s on simulated demo hosts left running (never connected to; each settles at "
			       "its planned end)\n", rep.simulated, rep.simulated == 1 ? "" : "s");
	}
	if (rep.errors) {
		fprintf(stderr, "runyard: some runs could not be checked (they stay running; run 'runyard sync' "
		        "again later):\n");
		cli_put_lines(stderr, "  ", rep.errors);
	}
	if (rep.unreachable)
		rc = 1;
	ry_sync_report_clear(&rep);
	cli_remote_close(&r);
	return rc;
}
