/*
 * `runyard run`: track a local command as a run.  Parses the options, hands
 * the command to core's tracker and exits with the command's own status, so
 * `runyard run -- CMD` can stand in for CMD in scripts and CI.  The output
 * of the command itself is passed through untouched; runyard's own two
 * lines (start, end) go to stderr and can be silenced with --quiet.
 */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "metrics/ingest.h"
#include "track/track.h"

static const char run_help[] =
	"usage: runyard run [-e EXP] [--name NAME] [--tag K=V]... [--param K=V]...\n"
	"                   [--pattern 'NAME = REGEX']... [--save-patterns] [--no-capture]\n"
	"                   [--no-params] [-q] -- CMD ARG...\n"
	"\n"
	"Run CMD as a tracked run: its output goes to the terminal unchanged and to\n"
	"the run's log; metrics are captured from it; params are read from its\n"
	"arguments (--lr 0.01, --lr=0.01, lr=0.01, --flag); git provenance of the\n"
	"working directory is recorded.  The exit status is CMD's (128+N when it was\n"
	"killed by signal N; 127 when CMD cannot be found).  Params named like secrets\n"
	"(password, api_key, hf_token, ...; the config's [tracking] secret_params) are\n"
	"stored as ***, also in the stored command line; CMD gets the real values.\n"
	"\n"
	"Options:\n"
	"  -e, --experiment EXP  experiment of the run (created if new; default: default)\n"
	"  --name NAME           run name (default: a generated one like brave-otter-42)\n"
	"  --tag K=V             add a tag (repeatable; --tag K alone sets an empty value)\n"
	"  --param K=V           add or override a param (repeatable)\n"
	"  --pattern 'NAME = REGEX'\n"
	"                        extra capture pattern (POSIX ERE): group 1 is the value of\n"
	"                        metric NAME, or use (?<key>..) (?<value>..) (?<step>..) groups\n"
	"  --save-patterns       remember the --pattern lines (and --no-capture) as the\n"
	"                        experiment's defaults for later runs; the config file's\n"
	"                        [patterns] section (NAME = REGEX lines) applies to all runs\n"
	"  --no-capture          do not capture metrics from the output (JSON lines are\n"
	"                        still read)\n"
	"  --no-params           do not read params from CMD's arguments\n"
	"  -q, --quiet           no start/end lines from runyard on stderr\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"The command gets in its environment:\n"
	"  RUNYARD_METRICS    a file to append JSON lines to: {\"step\": 1, \"loss\": 0.3}\n"
	"  RUNYARD_ARTIFACTS  a directory; files left there are stored with the run\n"
	"  RUNYARD_RUN_ID     the run's uuid (also as RUNYARD_RUN_UUID), as for launch\n"
	"  PYTHONUNBUFFERED=1 (unless set) so Python output arrives live\n"
	"A stdlib-only Python helper, runyard.py (log, param, artifact), is installed\n"
	"in " RY_DATADIR "/python.\n"
	"\n"
	"At a terminal the command writes to a pseudo-terminal of its own (progress\n"
	"bars and colours work as without runyard); to a file or pipe, to a pipe.\n"
	"Ctrl-C is passed to the command; a second Ctrl-C kills it.  Ctrl-Z stops the\n"
	"command with runyard; fg continues both.  If runyard is killed, the command\n"
	"goes on and the next runyard start records how it ended.\n"
	"\n"
	"Exit status: CMD's own (see above); 2 bad usage, before CMD starts; 1 when\n"
	"the run could not be recorded.\n";

static int split_kv(const char *opt, const char *arg, ry_kv **v, size_t *n, size_t *cap, bool need_eq)
{
	const char *eq = strchr(arg, '=');
	if ((need_eq && !eq) || arg[0] == '=' || !arg[0])
		return cli_bad_value("run", opt, arg, "KEY=VALUE");
	*v = ry_xgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[*n].key = eq ? ry_xstrndup(arg, (size_t)(eq - arg)) : ry_xstrdup(arg);
	(*v)[*n].value = ry_xstrdup(eq ? eq + 1 : "");
	(*n)++;
	return 0;
}

/* What the start line needs: the store, and whether -e names an
 * experiment that this run creates (so a typo in -e shows at once). */
struct start_note {
	ry_store *st;
	bool new_experiment;
};

static void on_start(void *payload, int64_t run_id, const char *uuid, int pid)
{
	struct start_note *sn = payload;
	ry_run *r = NULL;
	(void)uuid;
	(void)pid;
	fprintf(stderr, "runyard: tracking run %lld", (long long)run_id);
	if (ry_run_get(&r, sn->st, run_id) == 0) {
		fputs(" ", stderr);
		cli_put_safe(stderr, r->name);
		fputs(" in experiment ", stderr);
		cli_put_safe(stderr, r->experiment);
		if (sn->new_experiment)
			fputs(" (new experiment)", stderr);
	}
	ry_run_free(r);
	fputc('\n', stderr);
}

/* Whether no experiment is named `name` yet (by name only: -e creates by
 * name, even where the name looks like another experiment's id). */
static bool experiment_is_new(ry_store *st, const char *name)
{
	ry_experiment *e = NULL;
	size_t n = 0;
	bool found = false;
	if (ry_experiments_list(st, &e, &n) < 0)
		return false;
	for (size_t k = 0; k < n && !found; k++)
		found = e[k].name && !strcmp(e[k].name, name);
	ry_experiments_free(e, n);
	return !found;
}

static int save_patterns(ry_store *st, const char *exp, const char *patterns, bool capture)
{
	int64_t id;
	int rc = ry_experiment_ensure(st, exp ? exp : "default", &id);
	if (!rc)
		rc = ry_experiment_setting_set(st, id, "patterns", patterns && *patterns ? patterns : NULL);
	if (!rc)
		rc = ry_experiment_setting_set(st, id, "capture", capture ? NULL : "off");
	return rc;
}

/* Runyard's config, for its [patterns] (the run's capture settings are
 * core's: ry_ingest_options_for_run).  A config that cannot be read is
 * reported and skipped: it should not keep a training job from starting. */
static ry_config *load_config(void)
{
	ry_config *cfg = NULL;
	if (ry_config_load(&cfg, NULL)) {
		fprintf(stderr, "runyard: config not read, its [patterns] are not used: %s\n", ry_error_last());
		ry_error_clear();
		return NULL;
	}
	return cfg;
}

int cli_run(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "tag", required_argument, NULL, 't' },
		{ "param", required_argument, NULL, 'p' },
		{ "pattern", required_argument, NULL, 'r' },
		{ "save-patterns", no_argument, NULL, 'S' },
		{ "no-capture", no_argument, NULL, 'C' },
		{ "no-params", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("run", run_help, g);
	ry_track_options o = RY_TRACK_OPTIONS_INIT;
	ry_track_result res;
	ry_kv *params = NULL, *tags = NULL;
	size_t np = 0, nt = 0, capp = 0, capt = 0;
	ry_buf patterns = RY_BUF_INIT;
	bool quiet = false, save = false;
	ry_config *cfg = NULL;
	ry_store *st = NULL;
	struct start_note sn = { NULL, false };
	int c, i, rc = 0, status;

	while ((c = cli_getopt(&go, argc, argv, "+e:qh", opts)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'C': o.capture = false; break;
		case 'P': o.parse_params = false; break;
		case 'S': save = true; break;
		case 'e':
			if (!*optarg) {
				rc = cli_usage("run", "the experiment name is empty");
				goto out;
			}
			o.experiment = optarg;
			break;
		case 'n':
			if (!*optarg) {
				rc = cli_usage("run", "the run name is empty");
				goto out;
			}
			o.name = optarg;
			break;
		case 't':
			if ((rc = split_kv("--tag", optarg, &tags, &nt, &capt, false)))
				goto out;
			break;
		case 'p':
			if ((rc = split_kv("--param", optarg, &params, &np, &capp, true)))
				goto out;
			break;
		case 'r':
			ry_buf_puts(&patterns, optarg);
			ry_buf_putc(&patterns, '\n');
			break;
		default:
			rc = go.status;
			goto out;
		}
	}
	i = optind; /* the command starts here, after "--" or at the first operand */
	if (i >= argc && !save) {
		rc = cli_usage("run", "no command given; e.g. runyard run -- python train.py --lr 0.01");
		goto out;
	}
	if (patterns.len && (rc = ry_ingest_check_patterns(patterns.ptr))) {
		rc = cli_fail(rc);
		goto out;
	}
	if ((rc = cli_open_store(&st, g, RY_STORE_CREATE)))
		goto out;
	sn.st = st;
	sn.new_experiment = experiment_is_new(st, o.experiment ? o.experiment : "default");
	if (save) {
		if ((rc = save_patterns(st, o.experiment, patterns.ptr, o.capture))) {
			rc = cli_fail(rc);
			goto out;
		}
		if (!quiet) {
			fputs("runyard: capture settings saved for experiment ", stderr);
			cli_put_safe(stderr, o.experiment ? o.experiment : "default");
			fputc('\n', stderr);
		}
		if (i >= argc)
			goto out;
	}
	if (o.capture)
		o.cfg = cfg = load_config();
	o.argv = argv + i;
	o.params = params;
	o.nparams = np;
	o.tags = tags;
	o.ntags = nt;
	o.patterns = patterns.ptr;
	if (!quiet) {
		o.on_start = on_start;
		o.payload = &sn;
	}
	if ((status = ry_track_run(st, &o, &res))) {
		rc = cli_fail(status);
		goto out;
	}
	if (!quiet) {
		ry_run *r = NULL;
		fprintf(stderr, "runyard: run %lld ", (long long)res.run_id);
		if (ry_run_get(&r, st, res.run_id) == 0 && r->name) {
			cli_put_safe(stderr, r->name);
			fputc(' ', stderr);
		}
		ry_run_free(r);
		fprintf(stderr, "%s (exit %d): %lld metric points", res.status, res.exit_status, (long long)res.points);
		if (res.malformed)
			fprintf(stderr, ", %lld malformed metric lines skipped", (long long)res.malformed);
		if (res.artifacts)
			fprintf(stderr, ", %lld artifacts", (long long)res.artifacts);
		fputc('\n', stderr);
	}
	rc = res.exit_status;
out:
	ry_store_close(st);
	ry_config_free(cfg);
	ry_track_kv_free(params, np);
	ry_track_kv_free(tags, nt);
	ry_buf_free(&patterns);
	return rc;
}
