/*
 * `runyard queue`: the waiting runs, `queue cancel RUN`, and `queue
 * --drain`, the foreground drainer (for tmux or a systemd user unit): sync
 * the running runs, start the queued ones that fit, wait, again, until the
 * queue is empty.  Ctrl-C or TERM stops it between steps; the queue is in
 * the workspace, so nothing is lost and a restart goes on.
 */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "remote/queue.h"

static const char help[] =
	"usage: runyard queue [--json]\n"
	"       runyard queue cancel RUN\n"
	"       runyard queue --drain [--interval SECS] [--once]\n"
	"\n"
	"The workspace's run queue: runs waiting for GPUs ('runyard sweep' queues its\n"
	"runs), in the order they start.  A queued run is a run (status queued), so\n"
	"'runyard runs' and the full-screen app show it too.\n"
	"\n"
	"  (no command)      list the waiting runs: position, run, experiment, sweep,\n"
	"                    GPUs, hosts, how long it has waited and why it has not\n"
	"                    started yet\n"
	"  cancel RUN        take RUN out of the queue; it becomes killed, never started\n"
	"  --drain           stay in the foreground: sync running remote runs, start\n"
	"                    the queued runs that fit (oldest first, on the first allowed\n"
	"                    host with enough free, unleased GPUs), wait, again, until\n"
	"                    the queue is empty; Ctrl-C stops it, and a restart goes on\n"
	"                    (one drainer per workspace: another waits its turn)\n"
	"  --interval SECS   seconds between drain passes (default 10)\n"
	"  --once            one pass, then exit\n"
	"  --json            the waiting runs as JSON (see docs/remote.md)\n"
	"  --db PATH         workspace file\n"
	"  -h, --help        print this help\n"
	"\n"
	"Exit status: 0 done (the queue listed, the run taken out, the queue empty),\n"
	"1 no such waiting run, or a pass failed, 130 the drain was stopped with runs\n"
	"still queued, 2 bad usage.\n";

static atomic_int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_flag, 1);
}

static int list(struct cli_remote *r, bool json)
{
	ry_queue_item *it;
	size_t n;
	int rc = ry_queue_list(r->st, &it, &n);
	if (rc)
		return cli_fail(rc);
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "position", it[i].position);
			cJSON_AddNumberToObject(o, "run", (double)it[i].run_id);
			cJSON_AddStringToObject(o, "name", it[i].run_name);
			cJSON_AddStringToObject(o, "experiment", it[i].experiment);
			cJSON_AddItemToObject(o, "sweep", it[i].sweep ? cJSON_CreateString(it[i].sweep) : cJSON_CreateNull());
			cJSON_AddStringToObject(o, "hosts", it[i].hosts);
			cJSON_AddNumberToObject(o, "gpus", it[i].gpus);
			cJSON_AddItemToObject(o, "max_parallel",
			                      it[i].max_parallel ? cJSON_CreateNumber(it[i].max_parallel) : cJSON_CreateNull());
			cli_json_add_time(o, "queued", it[i].queued);
			cJSON_AddItemToObject(o, "waiting_because",
			                      it[i].last_error ? cJSON_CreateString(it[i].last_error) : cJSON_CreateNull());
			cJSON_AddItemToArray(a, o);
		}
		ry_queue_items_free(it, n);
		return cli_json_print(a);
	}
	if (n == 0) {
		printf("the queue is empty\n");
	} else {
		static const char *const head[] = { "#", "run", "experiment", "sweep", "GPUs", "hosts", "waited", "why" };
		cli_table *t = cli_table_new(8);
		double now = ry_now();
		for (size_t k = 0; k < 8; k++)
			cli_table_column(t, k, head[k], k == 0 || k == 4 || k == 6, k == 7 ? 72 : 24);
		for (size_t i = 0; i < n; i++) {
			char waited[32];
			ry_format_duration(now - it[i].queued, waited, sizeof waited);
			cli_table_row(t);
			cli_table_cellf(t, 0, "%d", it[i].position);
			cli_table_cell(t, 1, it[i].run_name);
			cli_table_cell(t, 2, it[i].experiment);
			cli_table_cell(t, 3, it[i].sweep);
			cli_table_cellf(t, 4, "%d", it[i].gpus);
			cli_table_cell(t, 5, it[i].hosts);
			cli_table_cell(t, 6, waited);
			cli_table_cell(t, 7, it[i].last_error ? it[i].last_error : "not tried yet");
		}
		cli_table_print(t, stdout, true);
		cli_table_free(t);
	}
	ry_queue_items_free(it, n);
	return 0;
}

static int cancel(struct cli_remote *r, const char *spec)
{
	int64_t id;
	int rc;
	if ((rc = ry_run_resolve(&id, r->st, spec)) || (rc = ry_queue_cancel(r->st, id)))
		return cli_fail(rc);
	printf("took run ");
	cli_put_safe(stdout, spec);
	printf(" out of the queue (status killed)\n");
	return 0;
}

/* Sleep up to secs, waking early when asked to stop. */
static void nap(double secs)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	for (double t = 0; t < secs && !atomic_load(&stop_flag); t += 0.1)
		nanosleep(&ts, NULL);
}

static void print_lines(FILE *f, const char *prefix, char *text)
{
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		fprintf(f, "%s", prefix);
		cli_put_safe(f, l);
		fprintf(f, "\n");
	}
}

static int drain(struct cli_remote *r, double interval, bool once)
{
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	struct sigaction sa;
	int rc = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o.sshcfg = r->sshcfg;
	o.passphrase = cli_passphrase;
	o.cancel = &stop_flag;
	for (;;) {
		ry_sync_report srep;
		ry_queue_report rep;
		/* settled runs free their sweep's --max-parallel slots */
		if (ry_remote_sync(r->st, r->inv, 0, &o, &srep) == 0)
			ry_sync_report_clear(&srep);
		if ((rc = ry_queue_drain(r->st, r->inv, &o, &rep)))
			return cli_fail(rc);
		if (rep.busy)
			printf("another runyard is draining this queue; waiting\n");
		if (rep.log)
			print_lines(stdout, "started ", rep.log);
		if (rep.errors)
			print_lines(stderr, "runyard: ", rep.errors);
		if (!rep.busy && rep.waiting == 0) {
			printf("the queue is empty\n");
			ry_queue_report_clear(&rep);
			return 0;
		}
		if (once || atomic_load(&stop_flag)) {
			printf("%d run%s still queued\n", rep.waiting, rep.waiting == 1 ? "" : "s");
			ry_queue_report_clear(&rep);
			return once ? 0 : 130;
		}
		fflush(stdout);
		ry_queue_report_clear(&rep);
		nap(interval);
		if (atomic_load(&stop_flag)) {
			printf("stopped; the queue is kept in the workspace\n");
			return 130;
		}
	}
}

int cli_queue(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "drain", no_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("queue", help, g);
	struct cli_remote r;
	bool json = false, do_drain = false, once = false;
	double interval = 10;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'r': do_drain = true; break;
		case 'i':
			if (!ry_parse_number(optarg, &interval) || !(interval >= 0.1) || interval > 86400)
				return cli_bad_value("queue", "--interval", optarg, "seconds, from 0.1 to 86400");
			break;
		case '1': once = true; break;
		default: return go.status;
		}
	}
	if (optind < argc && strcmp(argv[optind], "cancel"))
		return cli_usage("queue", "unknown command '%s': the queue takes 'cancel RUN' or --drain", argv[optind]);
	if (optind < argc && optind + 2 != argc)
		return cli_usage("queue", "queue cancel takes one run: runyard queue cancel RUN");
	if ((once || interval != 10) && !do_drain)
		return cli_usage("queue", "--once and --interval go with --drain");
	if (do_drain && (json || optind < argc))
		return cli_usage("queue", "--drain takes no other command and no --json");
	if ((rc = cli_remote_open(&r, g, true)))
		return rc;
	if (optind < argc)
		rc = cancel(&r, argv[optind + 1]);
	else if (do_drain)
		rc = drain(&r, interval, once);
	else
		rc = list(&r, json);
	cli_remote_close(&r);
	return rc;
}
