/*
 * Entry point: global options, then dispatch to a subcommand, or open the
 * full-screen app when there is none.  The table below is the command-line
 * contract of DESIGN.md; `runyard --help` is generated from it.
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/keymap.h"
#include "cli/cli.h"
#include "plugin/plugin_host.h"
#include "plugins/builtin.h"

const struct cli_command cli_commands[] = {
	{ "demo", cli_demo, "[--db PATH] [--runs N] [--steps N] [--seed N]",
	  "seed a workspace with realistic demo data" },
	{ "experiments", cli_experiments, "[--json]", "list experiments with run counts and cost" },
	{ "runs", cli_runs, "[-e EXP] [--filter EXPR] [--sort KEY[:desc]] [--columns K,K] [--limit N] [--json]",
	  "list runs, filtered and sorted" },
	{ "show", cli_show, "RUN [--json]", "show one run: params, metrics, provenance" },
	{ "compare", cli_compare, "RUN RUN... [--diff-only] [--json] | --code RUN RUN", "compare runs side by side" },
	{ "run", cli_run, "[-e EXP] [--name NAME] [--tag K=V]... [--param K=V]... [--no-capture] -- CMD ARG...",
	  "run and track a local command" },
	{ "metrics", cli_metrics, "RUN [KEY...] [--json|--csv]", "print full metric histories" },
	{ "plot", cli_plot, "RUN... --metric KEY --svg FILE [--x step|epoch|wall|relative|METRIC]",
	  "write a metric's chart of runs as SVG (what :export FILE.svg writes)" },
	{ "models", cli_models, "[--json]", "list registered models with their aliases" },
	{ "model", cli_model, "NAME[@ALIAS|@VERSION] [--json] [--history] [--card [--output FILE]]",
	  "show a model's versions and lineage, its audit trail, or its model card" },
	{ "promote", cli_promote, "RUN --model NAME [--artifact PATH] [--alias ALIAS] "
	  "[--if-better METRIC:max|min] [--note TEXT]",
	  "register a run's artifact as a model version, move an alias" },
	{ "alias", cli_alias, "NAME ALIAS VERSION | --delete NAME ALIAS",
	  "point a model alias at a version, or remove it" },
	{ "export", cli_export, "NAME@ALIAS|NAME@VERSION DIR", "copy a model version's artifact out, verified" },
	{ "rm", cli_rm, "RUN [--force]", "delete a run (refused if it has registered versions)" },
	{ "hosts", cli_hosts, "[--probe] [--json] [NAME...]", "list SSH hosts; --probe shows live GPUs, load, disk" },
	{ "launch", cli_launch,
	  "-e EXP --host HOST [--name NAME] [--gpus N|--gpu-ids 0,2] [--time-limit DUR] [--estimate] [--yes] -- CMD ARG...",
	  "ship the code and start a job on an SSH host, with a cost estimate" },
	{ "jobs", cli_jobs, "[--json]", "list remote jobs and their state" },
	{ "logs", cli_logs, "RUN [-f] | --deployment ID", "print a remote run's log (-f follows it) or a deployment's" },
	{ "cancel", cli_cancel, "RUN", "kill a remote run's process group" },
	{ "sweep", cli_sweep,
	  "-e EXP [--grid K=V,V]... [--random K=DIST(A,B)]... --host H,H|any [--gpus-per-run N] [--max-parallel N] "
	  "[--estimate] [--yes] -- CMD {K}...",
	  "run a grid or random sweep on free GPUs across hosts; the rest queue" },
	{ "parallel", cli_parallel, "[-e EXP] [--params K,K] [--metric M] [--filter EXPR] --svg FILE",
	  "write a parallel-coordinates plot of the runs (params and a metric) as SVG" },
	{ "importance", cli_importance, "[-e EXP] [--metric M] [--params K,K] [--filter EXPR] [--json]",
	  "rank params by how they correlate with a metric (Pearson, Spearman, Kruskal-Wallis)" },
	{ "queue", cli_queue, "[--json] | cancel RUN | --drain [--interval SECS] [--once]",
	  "list queued runs, take one out, or start them as GPUs free" },
	{ "sync", cli_sync, "[--json]", "settle remote runs and pull their logs, metrics and artifacts" },
	{ "plugins", cli_plugins, "[--json]", "list plugins found, their kind, protocol and handshake" },
	{ "import", cli_import, "PLUGIN [SOURCE] [--experiment NAME]... [--watch [SECS]] [--full] [--json]",
	  "import runs (and a registry) through a tracker plugin" },
	{ "push", cli_push, "PLUGIN DEST RUN... | --model NAME@ALIAS", "send runs or a model version to a tracker" },
	{ "deploy", cli_deploy, "NAME@ALIAS|NAME@VERSION --target NAME [--yes] [--json]",
	  "deploy a model version to a serving target ([target NAME] in the config)" },
	{ "deployments", cli_deployments, "[--all] [--json]", "list deployments with their live status" },
	{ "undeploy", cli_undeploy, "ID [--yes]", "stop a deployment" },
	{ "bench", cli_bench, "[--runs N] [--points N]", "print performance figures" },
	{ "tag", cli_tag, "RUN K=V...", "set tags on a run" },
	{ "untag", cli_untag, "RUN K...", "remove tags from a run" },
	{ "rename", cli_rename, "RUN NAME", "give a run a new name" },
	{ "note", cli_note, "RUN TEXT|-", "set a run's notes (- reads them from stdin)" },
	{ "set", cli_set, "KEY VALUE [-e EXP]", "change a workspace or experiment setting (metric goals, code dir)" },
	{ "goal", cli_goal, "[KEY [max|min|none|--unset]] [-e EXP]",
	  "say whether higher or lower is better for a metric, or neither" },
	{ "completion", cli_completion, "bash|zsh|fish", "print a shell completion script" },
	{ "help", cli_help_cmd, "[COMMAND]", "describe runyard or one command" },
	{ "version", cli_version, "", "print the version" },
	{ NULL, NULL, NULL, NULL },
};

/* `runyard __keys`: the built-in key bindings, one "MAP KEY ACTION" line
 * each, so a test can hold the man page's KEYS section to them. */
static int print_keys(int argc, char **argv, struct cli_global *g)
{
	(void)argc, (void)argv, (void)g;
	tui_keymaps *km = tui_keymap_new();
	tui_keymap_print(km, stdout);
	tui_keymap_free(km);
	return 0;
}

/* `runyard __complete KIND`: hidden, for the completion scripts. */
static const struct cli_command hidden_commands[] = {
	{ "__complete", cli_complete, "KIND", "print completion candidates" },
	{ "__keys", print_keys, "", "print the built-in key bindings" },
	{ NULL, NULL, NULL, NULL },
};

void cli_usage_all(FILE *f)
{
	fprintf(f,
	        "usage: runyard [--db PATH] [--theme NAME]      open the TUI on a workspace\n"
	        "       runyard --demo                          open the TUI on a fresh demo workspace\n"
	        "       runyard [--db PATH] COMMAND [ARGS]      run a command\n"
	        "\n"
	        "Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
	{
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
		if (*c->args)
			fprintf(f, "  %-12s   %s\n", "", c->args);
	}
	fprintf(f,
	        "\n"
	        "Global options:\n"
	        "  --db PATH      workspace file (default: $RUNYARD_DB, else\n"
	        "                 $XDG_DATA_HOME/runyard/workspace.db)\n"
	        "  --theme NAME   colour theme for the TUI (default, light, solarized-dark,\n"
	        "                 high-contrast, monochrome, or a path to a theme file)\n"
	        "  --demo         open the TUI on a fresh demo workspace in a temp dir\n"
	        "  --version      print the version and exit\n"
	        "  -h, --help     print this help and exit\n"
	        "\n"
	        "'runyard COMMAND --help' describes each command.  Exit status: 0 ok,\n"
	        "1 the operation failed, 2 bad usage or bad input.  See runyard(1).\n");
}

/* Core knows no plugin by name: the binary hands it the built-in tables. */
static void register_builtins(void)
{
	for (const ry_tracker_ops *const *t = ry_builtin_trackers; *t; t++)
		if (ry_plugin_register_tracker(*t) != 0)
			fprintf(stderr, "runyard: %s\n", ry_error_last());
	for (const ry_serving_ops *const *s = ry_builtin_servings; *s; s++)
		if (ry_plugin_register_serving(*s) != 0)
			fprintf(stderr, "runyard: %s\n", ry_error_last());
}

/* An upgrade of the workspace's schema is said on stderr, where a person
 * is waiting (the TUI opens its workspace before it takes the screen). */
static void say_upgrade(const char *sentence)
{
	if (!isatty(STDERR_FILENO))
		return;
	fputs("runyard: ", stderr);
	cli_put_safe(stderr, sentence);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	struct cli_global g = { NULL, NULL };
	bool demo = false;
	int i;

	setlocale(LC_ALL, "");
	register_builtins();
	ry_store_set_upgrade_notice(say_upgrade);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			char *version_argv[] = { "version", NULL };
			return cli_version(1, version_argv, &g);
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_usage_all(stdout);
			return 0;
		} else if (!strcmp(a, "--demo")) {
			demo = true;
		} else if (!strcmp(a, "--db") || !strcmp(a, "--theme")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "runyard: %s needs a value; see 'runyard --help'\n", a); /* a is --db or --theme */
				return 2;
			}
			if (!strcmp(a, "--db"))
				g.db_path = argv[++i];
			else
				g.theme = argv[++i];
		} else if (!strncmp(a, "--db=", 5)) {
			g.db_path = a + 5;
		} else if (!strncmp(a, "--theme=", 8)) {
			g.theme = a + 8;
		} else if (a[0] == '-') {
			fputs("runyard: unknown option '", stderr);
			cli_put_safe(stderr, a);
			fputs("'; see 'runyard --help'\n", stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i == argc) {
		struct tui_app_options ao = { g.db_path, g.theme };
		return tui_app_run(&ao, demo);
	}
	if (demo) {
		fprintf(stderr, "runyard: --demo opens the TUI and takes no command; "
		        "to seed a workspace use 'runyard demo'\n");
		return 2;
	}
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (!strcmp(c->name, argv[i]))
			return c->fn(argc - i, argv + i, &g);
	}
	for (const struct cli_command *c = hidden_commands; c->name; c++) {
		if (!strcmp(c->name, argv[i]))
			return c->fn(argc - i, argv + i, &g);
	}
	fputs("runyard: unknown command '", stderr);
	cli_put_safe(stderr, argv[i]);
	fputs("'; see 'runyard --help' for the list\n", stderr);
	return 2;
}
