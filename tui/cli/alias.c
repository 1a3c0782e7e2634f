/*
 * `runyard alias NAME ALIAS VERSION` and `runyard alias --delete NAME ALIAS`:
 * point an alias of a registered model at a version, or remove it.  The
 * move is a compare-and-set in core: of two concurrent moves from the same
 * state exactly one wins, and both attempts land in the audit trail.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"

static const char help[] =
	"usage: runyard alias NAME ALIAS VERSION [--expect VERSION|none] [--note TEXT]\n"
	"       runyard alias --delete NAME ALIAS [--note TEXT]\n"
	"\n"
	"Point ALIAS (e.g. staging, champion; a leading @ is fine) of model NAME at\n"
	"VERSION (a number, or v3), or remove it with --delete.  One version holds an\n"
	"alias at a time.  The version's artifact is re-hashed first; a corrupt one\n"
	"is refused.  Every move is recorded in the audit trail\n"
	"('runyard model NAME --history').\n"
	"\n"
	"The move is a compare-and-set: it happens only if the alias still points\n"
	"where this command saw it when it started (or at --expect's version), so\n"
	"when two people move the same alias at once, one wins and the other is told.\n"
	"\n"
	"Options:\n"
	"  --expect VERSION  move only if the alias points at VERSION now ('none':\n"
	"                    only if it is unset)\n"
	"  --note TEXT       why, for the audit trail\n"
	"  --delete          remove the alias\n"
	"  --json            print the outcome as JSON (docs/registry.md)\n"
	"  --db PATH         workspace file\n"
	"  -h, --help        print this help\n"
	"\n"
	"Exit status: 0 done, 1 refused or failed (e.g. moved by someone else,\n"
	"corrupt artifact, unknown model or version), 2 bad usage.\n";

static int print_result(bool json, const char *model, const char *alias, int64_t from, int64_t to)
{
	if (json) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "model", model);
		cJSON_AddStringToObject(d, "alias", alias);
		cJSON_AddNumberToObject(d, "from", (double)from);
		if (to)
			cJSON_AddNumberToObject(d, "to", (double)to);
		else
			cJSON_AddNullToObject(d, "to");
		return cli_json_print(d);
	}
	printf("@%s of ", alias);
	cli_put_safe(stdout, model);
	if (!to)
		printf(" removed (was version %lld)\n", (long long)from);
	else if (from == to)
		printf(" already points at version %lld\n", (long long)to);
	else if (from)
		printf(": version %lld -> %lld\n", (long long)from, (long long)to);
	else
		printf(" -> version %lld\n", (long long)to);
	return 0;
}

int cli_alias(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "delete", no_argument, NULL, 'd' },
		{ "expect", required_argument, NULL, 'x' },
		{ "note", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTIONS_END,
	};
	bool del = false, json = false, have_expect = false;
	const char *note = NULL, *model, *alias;
	int64_t expect = RY_ALIAS_ANY, version = 0, from = 0;
	struct cli_getopt go = CLI_GETOPT_INIT("alias", help, g);
	ry_store *st;
	int c, rc, npos;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'd': del = true; break;
		case 'x':
			if (!cli_reg_parse_version(optarg, true, &expect))
				return cli_bad_value("alias", "--expect", optarg, "a version number or 'none'");
			have_expect = true;
			break;
		case 'n': note = optarg; break;
		case 'j': json = true; break;
		default: return go.status;
		}
	}
	npos = argc - optind;
	if (del && npos != 2)
		return cli_usage("alias", "--delete takes NAME ALIAS");
	if (del && have_expect)
		return cli_usage("alias", "--expect applies to moves, not --delete");
	if (!del && npos != 3)
		return cli_usage("alias", "expected NAME ALIAS VERSION");
	model = argv[optind];
	alias = argv[optind + 1][0] == '@' ? argv[optind + 1] + 1 : argv[optind + 1];
	if (!del && !cli_reg_parse_version(argv[optind + 2], false, &version))
		return cli_usage("alias", "'%s' is not a version number", argv[optind + 2]);
	if ((rc = ry_registry_check_model_name(model)) || (rc = ry_registry_check_alias_name(alias)))
		return cli_fail(rc);
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if (del) {
		if ((rc = ry_registry_alias_get(st, model, alias, &from)) ||
		    (rc = ry_registry_alias_delete(st, model, alias, note)))
			return cli_reg_fail(st, rc);
		rc = print_result(json, model, alias, from, 0);
		ry_store_close(st);
		return rc;
	}
	/* Without --expect, expect what is there now: a move that races another
	 * one between this read and the write is refused, not lost. */
	if (!have_expect && (rc = ry_registry_alias_get(st, model, alias, &expect)))
		return cli_reg_fail(st, rc);
	if ((rc = ry_registry_alias_set(st, model, alias, version, expect, note, &from)))
		return cli_reg_fail(st, rc);
	rc = print_result(json, model, alias, from, version);
	ry_store_close(st);
	return rc;
}
