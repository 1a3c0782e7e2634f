/*
 * The small verbs that change one thing a user reaches for from the shell:
 * `tag`, `untag`, `rename` and `note` on a run, `set` on a workspace or
 * experiment setting, `goal` on a metric (the same setting as `set
 * metric.KEY.goal`, through the same core call).  Each resolves its run or experiment the way every
 * command does (id, uuid prefix, unique name) and makes one core call; what
 * a setting means stays with the code that reads it (metrics/goal.c for
 * metric.KEY.goal, the launcher for code_dir).  The TUI's editors are not
 * here.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

static const char tag_help[] =
	"usage: runyard tag RUN K=V... [--db PATH]\n"
	"\n"
	"Set tags on run RUN (numeric id, uuid prefix or unique name): each K=V adds\n"
	"tag K or replaces its value; K= sets an empty value.  'runyard untag' removes\n"
	"them; tags are shown by 'runyard show' and filtered with tags.K.\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 tagged, 1 no such run or the workspace could not be written,\n"
	"2 bad usage (a tag without '=').\n";

static const char untag_help[] =
	"usage: runyard untag RUN K... [--db PATH]\n"
	"\n"
	"Remove tags K... from run RUN (numeric id, uuid prefix or unique name).\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 removed, 1 no such run, the run has no tag K (the tags\n"
	"before it are removed) or the workspace could not be written, 2 bad usage.\n";

static const char rename_help[] =
	"usage: runyard rename RUN NAME [--db PATH]\n"
	"\n"
	"Give run RUN (numeric id, uuid prefix or unique name) the name NAME.  A name\n"
	"another run has, or one made only of digits (it would read as an id), is\n"
	"refused.\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 renamed, 1 no such run, the name is taken or the workspace\n"
	"could not be written, 2 bad usage.\n";

static const char note_help[] =
	"usage: runyard note RUN TEXT [--db PATH]\n"
	"       runyard note RUN - [--db PATH]\n"
	"\n"
	"Set the notes of run RUN (numeric id, uuid prefix or unique name) to TEXT,\n"
	"or to what standard input holds with '-' (several lines are kept as they\n"
	"are).  An empty TEXT clears them.  'runyard show RUN' prints them.\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 saved, 1 no such run or the workspace could not be written,\n"
	"2 bad usage.\n";

static const char set_help[] =
	"usage: runyard set KEY VALUE [-e EXP] [--db PATH]\n"
	"       runyard set --unset KEY [-e EXP] [--db PATH]\n"
	"\n"
	"Change a setting kept in the workspace:\n"
	"  metric.KEY.goal max|min|none\n"
	"                           whether a higher or a lower value of metric KEY is\n"
	"                           better, or neither (best marks, compare); with -e\n"
	"                           for experiment EXP only; 'runyard goal' is the\n"
	"                           same setting\n"
	"  code_dir DIR             with -e: the directory 'runyard launch' ships for\n"
	"                           experiment EXP when not run inside a git repository\n"
	"\n"
	"Options:\n"
	"  -e, --experiment EXP  the experiment of an experiment setting (created if new)\n"
	"  --unset               remove the setting, back to its default\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: 0 saved, 1 the workspace could not be written, 2 bad usage (an\n"
	"unknown KEY, a bad VALUE, -e missing or not allowed).\n";

static const char goal_help[] =
	"usage: runyard goal KEY max|min|none [-e EXP] [--db PATH]\n"
	"       runyard goal KEY --unset [-e EXP] [--db PATH]\n"
	"       runyard goal [KEY] [-e EXP] [--db PATH]\n"
	"\n"
	"Say whether a higher (max) or a lower (min) value of metric KEY is better, or\n"
	"neither (none: a learning rate, an epoch, a speed).  The goal decides the best\n"
	"value and run in 'show', 'compare' and the TUI, and the .best of a filter; a\n"
	"metric with goal none has no best.  Without a setting the name decides: loss,\n"
	"error, perplexity, wer, mae... min; acc, auc, f1, map, bleu, reward... max;\n"
	"lr, learning_rate, grad_norm, epoch, *_runtime, *_per_second, time, mfu...\n"
	"none; any other name max.  An experiment's goal (-e) wins over the\n"
	"workspace's.  It is the setting 'runyard set metric.KEY.goal' changes.\n"
	"\n"
	"Without a goal word it prints the goal of KEY (or of every metric) and where\n"
	"it comes from: guessed, workspace or experiment.\n"
	"\n"
	"Options:\n"
	"  -e, --experiment EXP  the experiment's goal rather than the workspace's\n"
	"                        (created if new when setting)\n"
	"  --unset               forget the goal set here, back to the workspace's or\n"
	"                        the guess\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: 0 saved or printed, 1 no such experiment or the workspace could\n"
	"not be read or written, 2 bad usage (a goal word other than max, min, none).\n";

/* Options of a run verb: only --db and --help; 0 to go on with optind at
 * the first operand, else the exit status. */
static int run_verb_options(int argc, char **argv, struct cli_global *g, const char *cmd, const char *help)
{
	static const struct option opts[] = { CLI_OPTIONS_END };
	struct cli_getopt go = CLI_GETOPT_INIT(cmd, help, g);
	if (cli_getopt(&go, argc, argv, "h", opts) != -1)
		return go.status;
	return -1;
}

/* Open the workspace and resolve RUN: 0, or the exit status after the
 * error (the store is then closed). */
static int open_run(ry_store **st, int64_t *id, struct cli_global *g, const char *spec)
{
	int rc;
	if ((rc = cli_open_store(st, g, 0)))
		return rc;
	if ((rc = ry_run_resolve(id, *st, spec))) {
		rc = cli_fail(rc);
		ry_store_close(*st);
	}
	return rc;
}

int cli_tag(int argc, char **argv, struct cli_global *g)
{
	ry_store *st;
	int64_t id;
	int rc;

	if ((rc = run_verb_options(argc, argv, g, "tag", tag_help)) >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage("tag", "which run? give its id, uuid prefix or name, then K=V");
	if (optind + 1 >= argc)
		return cli_usage("tag", "which tags? give K=V after the run");
	for (int i = optind + 1; i < argc; i++)
		if (!strchr(argv[i], '=') || argv[i][0] == '=')
			return cli_extra_arg("tag", argv[i], "a tag is K=V");
	if ((rc = open_run(&st, &id, g, argv[optind])))
		return rc;
	rc = ry_store_begin(st);
	for (int i = optind + 1; i < argc && !rc; i++) {
		char *eq = strchr(argv[i], '=');
		char *key = ry_xstrndup(argv[i], (size_t)(eq - argv[i]));
		rc = ry_run_set_tag(st, id, key, eq + 1);
		free(key);
	}
	if (!rc)
		rc = ry_store_commit(st);
	else
		ry_store_rollback(st);
	rc = rc ? cli_fail(rc) : 0;
	ry_store_close(st);
	return rc;
}

int cli_untag(int argc, char **argv, struct cli_global *g)
{
	ry_store *st;
	int64_t id;
	int rc = 0;

	if ((rc = run_verb_options(argc, argv, g, "untag", untag_help)) >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage("untag", "which run? give its id, uuid prefix or name, then the tag keys");
	if (optind + 1 >= argc)
		return cli_usage("untag", "which tags? give their keys after the run");
	if ((rc = open_run(&st, &id, g, argv[optind])))
		return rc;
	for (int i = optind + 1; i < argc && !rc; i++)
		rc = ry_run_unset_tag(st, id, argv[i]);
	rc = rc ? cli_fail(rc) : 0;
	ry_store_close(st);
	return rc;
}

int cli_rename(int argc, char **argv, struct cli_global *g)
{
	const char *name;
	ry_store *st;
	int64_t id;
	int rc;

	if ((rc = run_verb_options(argc, argv, g, "rename", rename_help)) >= 0)
		return rc;
	if (argc - optind < 2)
		return cli_usage("rename", "give the run and its new name: runyard rename RUN NAME");
	if (argc - optind > 2)
		return cli_extra_arg("rename", argv[optind + 2], "quote a name with spaces");
	name = argv[optind + 1];
	if (!*name || strspn(name, "0123456789") == strlen(name))
		return cli_bad_value("rename", "NAME", name, "a name that is not empty nor only digits");
	if ((rc = open_run(&st, &id, g, argv[optind])))
		return rc;
	rc = ry_run_rename(st, id, name);
	rc = rc ? cli_fail(rc) : 0;
	ry_store_close(st);
	return rc;
}

/* All of standard input, malloc'd. */
static char *read_stdin(void)
{
	ry_buf b = RY_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		ry_buf_put(&b, chunk, n);
	return b.len ? ry_buf_detach(&b) : ry_xstrdup("");
}

int cli_note(int argc, char **argv, struct cli_global *g)
{
	ry_store *st;
	char *text;
	int64_t id;
	int rc;

	if ((rc = run_verb_options(argc, argv, g, "note", note_help)) >= 0)
		return rc;
	if (argc - optind < 2)
		return cli_usage("note", "give the run and the text (or - to read it from stdin)");
	if (argc - optind > 2)
		return cli_extra_arg("note", argv[optind + 2], "quote the text");
	if ((rc = open_run(&st, &id, g, argv[optind])))
		return rc;
	text = strcmp(argv[optind + 1], "-") ? ry_xstrdup(argv[optind + 1]) : read_stdin();
	/* A trailing newline is the shell's (echo, heredoc), not the note's. */
	for (size_t len = strlen(text); len > 0 && text[len - 1] == '\n'; len--)
		text[len - 1] = '\0';
	rc = ry_run_set_notes(st, id, text);
	rc = rc ? cli_fail(rc) : 0;
	free(text);
	ry_store_close(st);
	return rc;
}

/* metric.KEY.goal's KEY, or NULL when name is another setting. */
static char *goal_setting_key(const char *name)
{
	size_t len = strlen(name);
	if (len > 12 && !strncmp(name, "metric.", 7) && !strcmp(name + len - 5, ".goal"))
		return ry_xstrndup(name + 7, len - 12);
	return NULL;
}

/* Save (or with word NULL forget) the goal of metric key, for experiment
 * exp or (NULL) the workspace: `goal` and `set metric.KEY.goal` both come
 * here, and core reads the word (label names it in the complaint).  The
 * exit status. */
static int goal_save(struct cli_global *g, const char *cmd, const char *label, const char *key, const char *word,
                     const char *exp)
{
	ry_store *st;
	int64_t eid = 0;
	int rc, dummy;
	if (word && !ry_metric_goal_parse(word, &dummy))
		return cli_bad_value(cmd, label, word, "max, min or none");
	if ((rc = cli_open_store(&st, g, RY_STORE_CREATE)))
		return rc;
	rc = exp ? ry_experiment_ensure(st, exp, &eid) : 0;
	if (!rc)
		rc = ry_metric_goal_save(st, eid, key, word);
	rc = rc ? cli_fail(rc) : 0;
	ry_store_close(st);
	return rc;
}

/* The settings `set` knows: where each lives and what it takes. */
enum set_scope { SET_WORKSPACE, SET_EXPERIMENT };

/* Check KEY and VALUE (NULL with --unset); 0, or the usage error's status. */
static int set_check(const char *key, const char *value, const char *exp, enum set_scope *scope)
{
	if (!strcmp(key, "code_dir")) {
		if (!exp)
			return cli_usage("set", "code_dir belongs to an experiment; add -e EXP");
		if (value && !*value)
			return cli_bad_value("set", key, value, "a directory");
		*scope = SET_EXPERIMENT;
		return 0;
	}
	{
		char *safe = ry_sanitize_dup(key);
		int rc = cli_usage("set", "unknown setting '%s'; known: metric.KEY.goal, code_dir", safe);
		free(safe);
		return rc;
	}
}

/* The options of the setting verbs (`set`, `goal`): -e EXP and --unset
 * besides --db and --help; -1 to go on with optind at the first operand,
 * else the exit status. */
static int setting_options(int argc, char **argv, struct cli_global *g, const char *cmd, const char *help,
                           const char **exp, bool *unset)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "unset", no_argument, NULL, 'u' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT(cmd, help, g);
	int c;
	*exp = NULL;
	*unset = false;
	while ((c = cli_getopt(&go, argc, argv, "e:h", opts)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return go.status;
		if (c == 'e')
			*exp = optarg;
		else if (c == 'u')
			*unset = true;
	}
	return -1;
}

int cli_set(int argc, char **argv, struct cli_global *g)
{
	const char *exp, *key, *value = NULL;
	bool unset;
	enum set_scope scope = SET_WORKSPACE;
	char *abs = NULL;
	ry_store *st;
	int rc;

	if ((rc = setting_options(argc, argv, g, "set", set_help, &exp, &unset)) >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage("set", "which setting? e.g. runyard set metric.val_loss.goal min");
	key = argv[optind];
	if (!unset && optind + 1 >= argc)
		return cli_usage("set", "%s needs a value (or --unset to remove it)", key);
	if (optind + 1 + !unset < argc)
		return cli_extra_arg("set", argv[optind + 1 + !unset], NULL);
	if (!unset)
		value = argv[optind + 1];
	char *metric = goal_setting_key(key);
	if (metric) {
		rc = goal_save(g, "set", key, metric, value, exp);
		free(metric);
		return rc;
	}
	if ((rc = set_check(key, value, exp, &scope)))
		return rc;
	/* The launcher reads code_dir from wherever it runs: keep it absolute. */
	if (value && !strcmp(key, "code_dir") && value[0] != '/') {
		char buf[PATH_MAX];
		if (!realpath(value, buf))
			return cli_bad_value("set", key, value, "a directory that exists");
		value = abs = ry_xstrdup(buf);
	}
	if ((rc = cli_open_store(&st, g, RY_STORE_CREATE))) {
		free(abs);
		return rc;
	}
	if (scope == SET_EXPERIMENT) {
		int64_t eid;
		rc = ry_experiment_ensure(st, exp, &eid);
		if (!rc)
			rc = ry_experiment_setting_set(st, eid, key, value);
	} else {
		rc = ry_store_setting_set(st, key, value);
	}
	rc = rc ? cli_fail(rc) : 0;
	free(abs);
	ry_store_close(st);
	return rc;
}

/* Print the goal of key (or of every metric of experiment eid, 0: the
 * workspace) and where it comes from.  The exit status. */
static int goal_print(struct cli_global *g, const char *key, const char *exp)
{
	ry_store *st;
	int64_t eid = 0;
	char **keys = NULL;
	size_t n = 0;
	int rc;
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if (exp && (rc = ry_experiment_find(st, exp, &eid))) {
		rc = cli_fail(rc);
		ry_store_close(st);
		return rc;
	}
	if (key) {
		keys = ry_xcalloc(1, sizeof *keys);
		keys[n++] = ry_xstrdup(key);
	} else if ((rc = ry_metrics_keys(st, eid, &keys, &n))) {
		rc = cli_fail(rc);
		ry_store_close(st);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		ry_goal_source src;
		int goal = ry_metric_goal_source(st, eid, keys[i], &src);
		char *safe = ry_sanitize_dup(keys[i]);
		printf("%s\t%s\t%s\n", safe, ry_metric_goal_name(goal), ry_metric_goal_source_name(src));
		free(safe);
	}
	ry_strings_free(keys, n);
	ry_store_close(st);
	return 0;
}

int cli_goal(int argc, char **argv, struct cli_global *g)
{
	const char *exp;
	bool unset;
	int rc;

	if ((rc = setting_options(argc, argv, g, "goal", goal_help, &exp, &unset)) >= 0)
		return rc;
	if (optind + 2 < argc)
		return cli_extra_arg("goal", argv[optind + 2], NULL);
	if (optind < argc && !*argv[optind])
		return cli_usage("goal", "which metric? give its key, e.g. runyard goal val_loss min");
	if (unset) {
		if (optind >= argc)
			return cli_usage("goal", "which metric's goal to forget? runyard goal KEY --unset");
		if (optind + 1 < argc)
			return cli_usage("goal", "give a goal or --unset, not both");
		return goal_save(g, "goal", "goal", argv[optind], NULL, exp);
	}
	if (optind + 1 < argc)
		return goal_save(g, "goal", "goal", argv[optind], argv[optind + 1], exp);
	return goal_print(g, optind < argc ? argv[optind] : NULL, exp);
}
