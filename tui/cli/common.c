/*
 * Helpers shared by the subcommands: opening the workspace, reading options,
 * reporting errors in one voice, printing outside text safely.  Every
 * subcommand reads its options through cli_getopt (getopt_long underneath),
 * so a mistake made on one subcommand gets the same words as on any other:
 * the usage messages below are the only ones about options.  What each
 * option means stays with its subcommand.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "plugin/plugin.h"
#include "track/track.h"

int cli_fail(int code)
{
	const char *msg = ry_error_last();
	ry_buf b = RY_BUF_INIT;
	/* Messages quote outside text (run names, paths, filter input): keep the
	 * newlines of a multi-line filter error, escape everything else. */
	ry_sanitize(&b, *msg ? msg : "operation failed", *msg ? strlen(msg) : 16, true);
	fprintf(stderr, "runyard: %s\n", ry_buf_cstr(&b));
	ry_buf_free(&b);
	return ry_error_exit_status(code);
}

int cli_confirm(bool yes, const char *question, const char *refusal, const char *declined)
{
	char line[16];
	if (yes)
		return 0;
	if (!isatty(0)) {
		ry_error_set(RY_EINVAL, "%s", refusal);
		return cli_fail(RY_EINVAL);
	}
	fprintf(stderr, "%s [y/N] ", question);
	if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
		fprintf(stderr, "%s\n", declined);
		return 1;
	}
	return 0;
}

int cli_open_store(ry_store **st, const struct cli_global *g, unsigned flags)
{
	/* Every start settles runs whose tracker died (track.h). */
	int rc = ry_track_open_workspace(st, g->db_path, flags);
	if (rc)
		return cli_fail(rc);
	/* A mistyped --db must not pass silently as a workspace with no runs. */
	if (ry_store_created(*st)) {
		fputs("runyard: created a new workspace at ", stderr);
		cli_put_safe(stderr, ry_store_path(*st));
		fputc('\n', stderr);
	}
	return 0;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "runyard %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'runyard %s --help'\n", cmd);
	return 2;
}

/* "--name" as written (without any "=value"), sanitised. */
static char *long_as_written(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name = eq ? ry_xstrndup(arg, (size_t)(eq - arg)) : ry_xstrdup(arg);
	char *safe = ry_sanitize_dup(name);
	free(name);
	return safe;
}

/* The usage error for what getopt_long returned as c ('?' unknown option or
 * a value given to an option that takes none, ':' missing value); 2. */
static int getopt_error(const struct cli_getopt *go, int c, int argc, char **argv)
{
	/* The argument getopt was reading: it steps past a long option it
	 * rejects, and past a short one that lacks its value, but stays on a
	 * cluster ("-xq") whose first letter it rejects.  A short option is
	 * named by optopt, never by argv. */
	int at = optind > go->next_ ? optind - 1 : optind;
	const char *arg = at > 0 && at < argc ? argv[at] : "";
	bool is_long = !strncmp(arg, "--", 2);
	char *opt;
	int rc;
	if (is_long) {
		opt = long_as_written(arg);
	} else {
		char shortopt[3] = { '-', (char)optopt, '\0' };
		opt = ry_sanitize_dup(shortopt);
	}
	if (c == ':')
		rc = cli_usage(go->cmd, "option '%s' needs a value", opt);
	else if (is_long && optopt != 0)
		rc = cli_usage(go->cmd, "option '%s' takes no value", opt);
	else
		rc = cli_usage(go->cmd, "unknown option '%s'", opt);
	free(opt);
	return rc;
}

int cli_getopt(struct cli_getopt *go, int argc, char **argv, const char *shorts, const struct option *longs)
{
	char spec[64];
	bool in_order = shorts[0] == '+';
	int c;

	if (!go->started_) {
		/* Each subcommand scans its own argv from the start; getopt's own
		 * messages are replaced by the ones of getopt_error. */
		optind = 0;
		opterr = 0;
		go->started_ = true;
		go->next_ = 1;
	}
	/* ':' first (after '+'): a missing value is told apart from an unknown
	 * option. */
	snprintf(spec, sizeof spec, "%s:%s", in_order ? "+" : "", shorts + in_order);
	for (;;) {
		c = getopt_long(argc, argv, spec, longs, NULL);
		if (c == -1) {
			/* getopt steps over a "--" that ends the options; an operand
			 * that ends them leaves optind on itself. */
			go->dashdash = optind > go->next_ && !strcmp(argv[optind - 1], "--");
			return -1;
		}
		if (c == '?' || c == ':') {
			go->status = getopt_error(go, c, argc, argv);
			return CLI_GETOPT_EXIT;
		}
		go->next_ = optind;
		if (c == 'D' && go->g) {
			go->g->db_path = optarg;
			continue;
		}
		if (c == 'h' && go->help) {
			go->status = cli_help(go->help);
			return CLI_GETOPT_EXIT;
		}
		return c;
	}
}

int cli_bad_value(const char *cmd, const char *opt, const char *value, const char *want)
{
	char *safe = ry_sanitize_dup(value ? value : "");
	int rc = cli_usage(cmd, "option '%s' needs %s, not '%s'", opt, want, safe);
	free(safe);
	return rc;
}

int cli_extra_arg(const char *cmd, const char *arg, const char *hint)
{
	char *safe = ry_sanitize_dup(arg);
	int rc = hint ? cli_usage(cmd, "unexpected argument '%s' (%s)", safe, hint)
	              : cli_usage(cmd, "unexpected argument '%s'", safe);
	free(safe);
	return rc;
}

int cli_conflict(const char *cmd, const char *opt_a, const char *opt_b)
{
	return cli_usage(cmd, "options '%s' and '%s' cannot be used together", opt_a, opt_b);
}

int cli_parse_json_db(int argc, char **argv, struct cli_global *g, const char *cmd, const char *help,
                      bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT(cmd, help, g);
	int c;
	*json = false;
	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return go.status;
		*json = true;
	}
	return -1;
}

bool cli_parse_count(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;
	/* digits only: no sign, no blanks (strtoull would take " -1" as huge) */
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno == ERANGE || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int cli_parse_limit(const char *cmd, const char *arg, size_t *out)
{
	uint64_t limit;
	if (!cli_parse_count(arg, 0, SIZE_MAX, &limit))
		return cli_bad_value(cmd, "--limit", arg, "a whole number");
	if (limit == 0)
		return cli_bad_value(cmd, "--limit", arg, "a whole number from 1");
	*out = (size_t)limit;
	return 0;
}

void cli_put_safe(FILE *f, const char *s)
{
	ry_buf b = RY_BUF_INIT;
	if (!s)
		return;
	ry_sanitize(&b, s, strlen(s), false);
	fputs(ry_buf_cstr(&b), f);
	ry_buf_free(&b);
}

void cli_plugin_log(void *payload, const char *plugin, int level, const char *message)
{
	(void)payload;
	if (level == RY_PLUGIN_LOG_DEBUG)
		return;
	fprintf(stderr, "runyard: plugin %s: %s", plugin, level >= RY_PLUGIN_LOG_WARN ? "warning: " : "");
	cli_put_safe(stderr, message);
	fputc('\n', stderr);
}

void cli_put_lines(FILE *f, const char *prefix, const char *text)
{
	for (const char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		char *line;
		nl = strchr(p, '\n');
		line = nl ? ry_xstrndup(p, (size_t)(nl - p)) : ry_xstrdup(p);
		fputs(prefix, f);
		cli_put_safe(f, line);
		fputc('\n', f);
		free(line);
	}
}

int cli_help(const char *text)
{
	fputs(text, stdout);
	return 0;
}
