/*
 * `runyard help [COMMAND]` and `runyard version`: the words people type
 * first, answered with what `--help` and `--version` already print (the
 * text of each command stays in its own file; this one only points at it).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char help_help[] =
	"usage: runyard help [COMMAND]\n"
	"\n"
	"Describe runyard and list its commands, or describe COMMAND (the same as\n"
	"'runyard COMMAND --help').\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file (ignored: help reads none)\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok, 2 an unknown COMMAND or bad usage.\n";

static const char version_help[] =
	"usage: runyard version\n"
	"\n"
	"Print runyard's version (the same as 'runyard --version').\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file (ignored: version reads none)\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok, 2 bad usage.\n";

int cli_help_cmd(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = { CLI_OPTIONS_END };
	struct cli_getopt go = CLI_GETOPT_INIT("help", help_help, g);
	char *sub_argv[3];

	if (cli_getopt(&go, argc, argv, "h", opts) != -1)
		return go.status;
	if (optind >= argc) {
		cli_usage_all(stdout);
		return 0;
	}
	if (optind + 1 < argc)
		return cli_extra_arg("help", argv[optind + 1], "one command at a time");
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (strcmp(c->name, argv[optind]))
			continue;
		sub_argv[0] = argv[optind];
		sub_argv[1] = "--help";
		sub_argv[2] = NULL;
		return c->fn(2, sub_argv, g);
	}
	{
		char *safe = ry_sanitize_dup(argv[optind]);
		int rc = cli_usage("help", "unknown command '%s'; 'runyard help' lists them", safe);
		free(safe);
		return rc;
	}
}

int cli_version(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = { CLI_OPTIONS_END };
	struct cli_getopt go = CLI_GETOPT_INIT("version", version_help, g);

	if (cli_getopt(&go, argc, argv, "h", opts) != -1)
		return go.status;
	if (optind < argc)
		return cli_extra_arg("version", argv[optind], NULL);
	printf("runyard %s\n", PACKAGE_VERSION);
	return 0;
}
