/*
 * The command-line front end: one function per subcommand, all dispatched
 * from main.c's table.  Each prints plain text or one JSON document (--json)
 * on stdout, errors on stderr as "runyard: <what was wrong and what to do>",
 * and returns the exit status of the contract: 0 ok, 1 failed, 2 bad usage
 * or bad input.
 *
 * tui/ talks to core only through core's public headers: no SQLite, libssh2
 * or libgit2 here.
 */
#ifndef TUI_CLI_H
#define TUI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "runyard.h"

/* Options given before the subcommand (and --db after it, too). */
struct cli_global {
	const char *db_path; /* --db, else NULL: RUNYARD_DB or the default */
	const char *theme;   /* --theme */
};

typedef int (*cli_fn)(int argc, char **argv, struct cli_global *g);

struct cli_command {
	const char *name;
	cli_fn fn;
	const char *args;    /* one-line synopsis after the name */
	const char *summary; /* what it does, for `runyard --help` */
};

/* The table (main.c). */
extern const struct cli_command cli_commands[];

/* ---- subcommands ------------------------------------------------------- */
int cli_demo(int argc, char **argv, struct cli_global *g);
int cli_experiments(int argc, char **argv, struct cli_global *g);
int cli_runs(int argc, char **argv, struct cli_global *g);
int cli_show(int argc, char **argv, struct cli_global *g);
int cli_compare(int argc, char **argv, struct cli_global *g);
int cli_bench(int argc, char **argv, struct cli_global *g);
int cli_run(int argc, char **argv, struct cli_global *g);     /* cli/run.c (issue 4) */
int cli_metrics(int argc, char **argv, struct cli_global *g); /* cli/metrics.c (issue 4) */
/* `compare --code RUN RUN`: print the code diff between two runs' commits
 * (cli/codediff.c); returns the exit status. */
int cli_code_diff(ry_store *st, const char *run_a, const char *run_b);
/* registry (tui/cli/models.c, cli/promote.c, cli/alias.c, cli/export.c, cli/rm.c) */
int cli_models(int argc, char **argv, struct cli_global *g);
int cli_model(int argc, char **argv, struct cli_global *g);
int cli_promote(int argc, char **argv, struct cli_global *g);
int cli_alias(int argc, char **argv, struct cli_global *g);
int cli_export(int argc, char **argv, struct cli_global *g);
int cli_rm(int argc, char **argv, struct cli_global *g);
int cli_plot(int argc, char **argv, struct cli_global *g);
/* remote hosts and jobs (issue 5) */
int cli_hosts(int argc, char **argv, struct cli_global *g);
int cli_launch(int argc, char **argv, struct cli_global *g);
int cli_jobs(int argc, char **argv, struct cli_global *g);
int cli_logs(int argc, char **argv, struct cli_global *g);
int cli_cancel(int argc, char **argv, struct cli_global *g);
/* sweeps and the run queue (cli/sweep.c, cli/queue.c, issue 15) */
int cli_sweep(int argc, char **argv, struct cli_global *g);
int cli_queue(int argc, char **argv, struct cli_global *g);
int cli_sync(int argc, char **argv, struct cli_global *g);
/* many runs at once: parallel coordinates as SVG, param importance (cli/analysis.c, issue 17) */
int cli_parallel(int argc, char **argv, struct cli_global *g);
int cli_importance(int argc, char **argv, struct cli_global *g);
/* plugins (cli/plugins.c, issue 12) */
int cli_plugins(int argc, char **argv, struct cli_global *g);
int cli_import(int argc, char **argv, struct cli_global *g);
int cli_push(int argc, char **argv, struct cli_global *g);
/* serving targets (cli/deploy.c, issue 12) */
int cli_deploy(int argc, char **argv, struct cli_global *g);
int cli_deployments(int argc, char **argv, struct cli_global *g);
int cli_undeploy(int argc, char **argv, struct cli_global *g);
/* editing a run and settings (cli/edit.c, issue 13) */
int cli_tag(int argc, char **argv, struct cli_global *g);
int cli_untag(int argc, char **argv, struct cli_global *g);
int cli_rename(int argc, char **argv, struct cli_global *g);
int cli_note(int argc, char **argv, struct cli_global *g);
int cli_set(int argc, char **argv, struct cli_global *g);
int cli_goal(int argc, char **argv, struct cli_global *g);
/* `help [CMD]`, `version` (cli/help.c); `completion SHELL` and the hidden
 * `__complete KIND` the scripts call (cli/completion.c) */
int cli_help_cmd(int argc, char **argv, struct cli_global *g);
int cli_version(int argc, char **argv, struct cli_global *g);
int cli_completion(int argc, char **argv, struct cli_global *g);
int cli_complete(int argc, char **argv, struct cli_global *g);
/* `runyard --help`: the usage with every command of the table (main.c). */
void cli_usage_all(FILE *f);
/* `logs --deployment ID`: the end of a deployment's log; the exit status. */
int cli_deployment_logs(struct cli_global *g, const char *id, size_t max_bytes);

/* ---- shared helpers (cli/common.c) ------------------------------------- */

/* Open the workspace named by g (RY_STORE_* flags); on failure prints the
 * error and returns the exit status (non-zero), else 0. */
int cli_open_store(ry_store **st, const struct cli_global *g, unsigned flags);

/* Print "runyard: <ry_error_last()>" and return the exit status for code. */
int cli_fail(int code);

/* Ask `question` ("Deploy churn v3 to staging?") on the terminal unless
 * yes: 0 to go ahead; 1 after printing `declined` when the answer is not
 * y; without a terminal, `refusal` as the error ("... needs confirmation;
 * add --yes ...") and its exit status. */
int cli_confirm(bool yes, const char *question, const char *refusal, const char *declined);

/* Print "runyard CMD: <message>" plus a hint to run --help; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- options (cli/common.c): getopt_long for every subcommand ---------- */

struct option; /* <getopt.h> */

/* The options every subcommand takes, meaning the same everywhere: end each
 * option table with it (and put 'h' in the short options). */
#define CLI_OPTIONS_END                                                                                \
	{ "db", required_argument, NULL, 'D' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }

/* One subcommand's scan of its argv. */
struct cli_getopt {
	const char *cmd;        /* the subcommand, for "runyard CMD: ..." */
	const char *help;       /* printed by -h/--help; NULL: 'h' is returned */
	struct cli_global *g;   /* --db (val 'D') lands in g->db_path; NULL: 'D' is returned */
	int status;             /* after CLI_GETOPT_EXIT: the exit status to return */
	bool dashdash;          /* after -1: the options ended at "--" (in '+' mode, the command follows) */
	bool started_;          /* private */
	int next_;              /* private: optind after the last option */
};
#define CLI_GETOPT_INIT(cmd, help, g) { (cmd), (help), (g), 0, false, false, 0 }
#define CLI_GETOPT_EXIT (-2)

/* The next option, as getopt_long returns it for `shorts` (without the
 * leading ':'; a leading '+' stops at the first operand, for commands whose
 * operands are a command line) and `longs`; -1 when the options end, with
 * optind at the first operand.  --db and --help are handled here; so are an
 * unknown option and a missing value, reported in the one format of
 * the usage errors below.  CLI_GETOPT_EXIT: return go->status at once (0 after
 * --help, 2 after a usage error).  The first call starts a fresh scan. */
int cli_getopt(struct cli_getopt *go, int argc, char **argv, const char *shorts, const struct option *longs);

/* The usage errors about options, one format each; all return 2:
 *   unknown option:   "unknown option '--bogus'" / "unknown option '-x'"
 *   missing value:    "option '--sort' needs a value"
 *   bad value:        "option '--limit' needs a whole number, not 'many'"
 *   extra operand:    "unexpected argument 'x'" [" (hint)"]
 * (the first two from cli_getopt).  Outside text in them is sanitised. */
int cli_bad_value(const char *cmd, const char *opt, const char *value, const char *want);
int cli_extra_arg(const char *cmd, const char *arg, const char *hint); /* hint may be NULL */
/*   two options that exclude each other: "options '--csv' and '--json' cannot be used together" */
int cli_conflict(const char *cmd, const char *opt_a, const char *opt_b);

/* Parse the options of a subcommand that takes only --json, --db and
 * --help (they may come anywhere; optind is left at the first operand).
 * Returns -1 to go on, else the exit status to return at once. */
int cli_parse_json_db(int argc, char **argv, struct cli_global *g, const char *cmd, const char *help,
                      bool *json);

/* A count given to an option: decimal digits only, from lo to hi.  False if
 * it is not one. */
bool cli_parse_count(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* The --limit N of commands that select runs (runs, compare): N from 1,
 * since 0 reads as "no runs", which nobody means.  Returns 0 with *out set,
 * or 2 after printing the usage error. */
int cli_parse_limit(const char *cmd, const char *arg, size_t *out);

/* The --filter lines of the help of commands that select runs with the
 * query language (runs, compare), so both describe it the same way. */
#define CLI_HELP_FILTER \
	"  -f, --filter EXPR     only runs matching EXPR, e.g.\n" \
	"                          'lr < 0.01 and val_acc > 0.9 and status = finished'\n" \
	"                          'optimizer = adam or name ~ \"resnet*\"'\n" \
	"                          'duration > 2h and created < 7d'\n" \
	"                        fields: name status host experiment created duration\n" \
	"                        cost, params.KEY, metrics.KEY[.min|.max|.best|.n],\n" \
	"                        tags.KEY, or a bare KEY naming one param or metric;\n" \
	"                        operators = != < <= > >= ~, and or not ( )\n"

/* Print a multi-line message (outside text) one line at a time, each
 * sanitised and prefixed with `prefix`: a newline inside a message is never
 * shown as ^J. */
void cli_put_lines(FILE *f, const char *prefix, const char *text);

/* Print outside text sanitised for a terminal. */
void cli_put_safe(FILE *f, const char *s);

/* A plugin's log lines (the log member of its host options), sanitised on
 * stderr and named by the plugin; debug lines dropped. */
void cli_plugin_log(void *payload, const char *plugin, int level, const char *message);

/* Print the help text of a subcommand (from its static help string). */
int cli_help(const char *text);

/* ---- shared by the remote subcommands (cli/hosts.c) --------------------- */

/* What hosts/launch/jobs/logs/cancel/sync need: the workspace (NULL when
 * !need_store and there is none yet) and the host inventory (owned; release
 * with cli_remote_close), with its config, ssh config and hosts at hand
 * (lent from inv). */
struct cli_remote {
	ry_inventory *inv;
	const ry_config *cfg;
	const ry_sshconfig *sshcfg;
	ry_store *st;
	ry_host *hosts;
	size_t nhosts;
};

/* 0, or the exit status after printing the error. */
int cli_remote_open(struct cli_remote *r, const struct cli_global *g, bool need_store);
void cli_remote_close(struct cli_remote *r);
/* Ask for a key's passphrase on /dev/tty without echo (ry_ssh_passphrase_fn);
 * non-zero (skip the key) when there is no terminal. */
int cli_passphrase(const char *keyfile, char *buf, size_t size, void *payload);
/* A host by name (lent), or NULL with an RY_ENOTFOUND error listing hosts. */
ry_host *cli_remote_host(struct cli_remote *r, const char *name);

#endif
