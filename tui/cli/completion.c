/*
 * Shell completion: `runyard completion bash|zsh|fish` prints a script, and
 * the hidden `runyard __complete KIND` prints the candidates the scripts ask
 * for, one a line, read from the workspace and the host inventory.  The
 * scripts know only which KIND an operand or option takes; the command list
 * comes from main.c's table and each command's options from its own --help
 * text, so neither can drift from the code.  Nothing here changes anything,
 * and an error (no workspace yet) just means no candidates.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char help[] =
	"usage: runyard completion bash|zsh|fish\n"
	"\n"
	"Print a completion script for the shell: it completes commands, options,\n"
	"run names, experiments, hosts and NAME@ALIAS of registered models.\n"
	"'make install' installs them; to try one in the current shell:\n"
	"  bash: source <(runyard completion bash)\n"
	"  zsh:  source <(runyard completion zsh)\n"
	"  fish: runyard completion fish | source\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file (ignored: the script asks the workspace of\n"
	"              the command line being completed)\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok, 2 an unknown shell or bad usage.\n";

/* What each word position takes, shared by the three scripts (as a shell
 * function body): $1 the command, $2 the previous word; prints a KIND for
 * `runyard __complete`, "options" or nothing. */
#define KIND_OF                                                                                        \
	"  case \"$2\" in\n"                                                                               \
	"  -e|--experiment) echo experiments; return;;\n"                                                  \
	"  --host) echo hosts; return;;\n"                                                                 \
	"  --model) echo models; return;;\n"                                                               \
	"  --db|--code-dir|--output|--artifact|--svg) echo files; return;;\n"                                    \
	"  esac\n"                                                                                         \
	"  case \"$1\" in\n"                                                                               \
	"  show|compare|logs|cancel|rm|tag|untag|rename|note|metrics|plot|promote|push) echo runs;;\n"          \
	"  model|export|deploy) echo models;;\n"                                                           \
	"  hosts) echo hosts;;\n"                                                                          \
	"  help) echo commands;;\n"                                                                        \
	"  completion) echo shells;;\n"                                                                    \
	"  esac\n"

static const char bash_script[] =
	"# bash completion for runyard (runyard completion bash)\n"
	"_runyard_kind() {\n" KIND_OF "}\n"
	"_runyard() {\n"
	"  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= db= i kind\n"
	"  for ((i = 1; i < COMP_CWORD; i++)); do\n"
	"    case ${COMP_WORDS[i]} in\n"
	"    --db) db=${COMP_WORDS[i+1]}; ((i++));;\n"
	"    --db=*) db=${COMP_WORDS[i]#--db=};;\n"
	"    --theme) ((i++));;\n"
	"    -*) ;;\n"
	"    *) [ -z \"$cmd\" ] && cmd=${COMP_WORDS[i]};;\n"
	"    esac\n"
	"  done\n"
	"  local ry=(\"${COMP_WORDS[0]}\")\n"
	"  [ -n \"$db\" ] && ry+=(--db \"$db\")\n"
	"  if [ -z \"$cmd\" ]; then\n"
	"    if [[ $cur == -* ]]; then\n"
	"      COMPREPLY=($(compgen -W '--db --theme --demo --version --help' -- \"$cur\"))\n"
	"    else\n"
	"      COMPREPLY=($(compgen -W \"$(\"${ry[@]}\" __complete commands 2>/dev/null)\" -- \"$cur\"))\n"
	"    fi\n"
	"    return\n"
	"  fi\n"
	"  if [[ $cur == -* ]]; then\n"
	"    COMPREPLY=($(compgen -W \"$(\"${ry[@]}\" __complete options \"$cmd\" 2>/dev/null)\" -- \"$cur\"))\n"
	"    return\n"
	"  fi\n"
	"  kind=$(_runyard_kind \"$cmd\" \"$prev\")\n"
	"  case $kind in\n"
	"  '') ;;\n"
	"  files) COMPREPLY=($(compgen -f -- \"$cur\"));;\n"
	"  *) local IFS=$'\\n'\n"
	"     COMPREPLY=($(compgen -W \"$(\"${ry[@]}\" __complete \"$kind\" 2>/dev/null)\" -- \"$cur\"));;\n"
	"  esac\n"
	"}\n"
	"complete -o default -F _runyard runyard\n";

static const char zsh_script[] =
	"#compdef runyard\n"
	"# zsh completion for runyard (runyard completion zsh)\n"
	"_runyard_kind() {\n" KIND_OF "}\n"
	"_runyard() {\n"
	"  local cmd= db= i kind\n"
	"  local -a ry cands\n"
	"  for ((i = 2; i < CURRENT; i++)); do\n"
	"    case ${words[i]} in\n"
	"    --db) db=${words[i+1]}; ((i++));;\n"
	"    --db=*) db=${words[i]#--db=};;\n"
	"    --theme) ((i++));;\n"
	"    -*) ;;\n"
	"    *) [[ -z $cmd ]] && cmd=${words[i]};;\n"
	"    esac\n"
	"  done\n"
	"  ry=(${words[1]})\n"
	"  [[ -n $db ]] && ry+=(--db $db)\n"
	"  if [[ -z $cmd ]]; then\n"
	"    if [[ ${words[CURRENT]} == -* ]]; then\n"
	"      cands=(--db --theme --demo --version --help)\n"
	"    else\n"
	"      cands=(${(f)\"$($ry __complete commands 2>/dev/null)\"})\n"
	"    fi\n"
	"  elif [[ ${words[CURRENT]} == -* ]]; then\n"
	"    cands=(${(f)\"$($ry __complete options $cmd 2>/dev/null)\"})\n"
	"  else\n"
	"    kind=$(_runyard_kind $cmd ${words[CURRENT-1]})\n"
	"    case $kind in\n"
	"    '') return 1;;\n"
	"    files) _files; return;;\n"
	"    *) cands=(${(f)\"$($ry __complete $kind 2>/dev/null)\"});;\n"
	"    esac\n"
	"  fi\n"
	"  compadd -a cands\n"
	"}\n"
	"if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	"  _runyard \"$@\"\n"
	"else\n"
	"  compdef _runyard runyard\n"
	"fi\n";

static const char fish_script[] =
	"# fish completion for runyard (runyard completion fish)\n"
	"function __runyard_candidates\n"
	"    set -l words (commandline -opc)\n"
	"    set -l cur (commandline -ct)\n"
	"    set -l ry $words[1]\n"
	"    set -l cmd\n"
	"    set -l i 2\n"
	"    while test $i -le (count $words)\n"
	"        switch $words[$i]\n"
	"            case --db\n"
	"                set i (math $i + 1)\n"
	"                set ry $ry --db $words[$i]\n"
	"            case --theme\n"
	"                set i (math $i + 1)\n"
	"            case '-*'\n"
	"            case '*'\n"
	"                test -z \"$cmd\"; and set cmd $words[$i]\n"
	"        end\n"
	"        set i (math $i + 1)\n"
	"    end\n"
	"    if test -z \"$cmd\"\n"
	"        if string match -q -- '-*' $cur\n"
	"            printf '%s\\n' --db --theme --demo --version --help\n"
	"        else\n"
	"            $ry __complete commands 2>/dev/null\n"
	"        end\n"
	"        return\n"
	"    end\n"
	"    if string match -q -- '-*' $cur\n"
	"        $ry __complete options $cmd 2>/dev/null\n"
	"        return\n"
	"    end\n"
	"    set -l kind (__runyard_kind $cmd $words[-1])\n"
	"    switch \"$kind\"\n"
	"        case '' files\n"
	"            __fish_complete_path $cur\n"
	"        case '*'\n"
	"            $ry __complete $kind 2>/dev/null\n"
	"    end\n"
	"end\n"
	"function __runyard_kind\n"
	"    sh -c '_k() {\n" KIND_OF "}; _k \"$@\"' sh $argv\n"
	"end\n"
	"complete -c runyard -f -a '(__runyard_candidates)'\n";

int cli_completion(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = { CLI_OPTIONS_END };
	struct cli_getopt go = CLI_GETOPT_INIT("completion", help, g);
	const char *shell;

	if (cli_getopt(&go, argc, argv, "h", opts) != -1)
		return go.status;
	if (optind >= argc)
		return cli_usage("completion", "which shell? bash, zsh or fish");
	if (optind + 1 < argc)
		return cli_extra_arg("completion", argv[optind + 1], NULL);
	shell = argv[optind];
	if (!strcmp(shell, "bash"))
		fputs(bash_script, stdout);
	else if (!strcmp(shell, "zsh"))
		fputs(zsh_script, stdout);
	else if (!strcmp(shell, "fish"))
		fputs(fish_script, stdout);
	else
		return cli_bad_value("completion", "SHELL", shell, "bash, zsh or fish");
	return 0;
}

/* ---- __complete KIND: candidates, one a line --------------------------- */

static void put_line(const char *s)
{
	/* a name with a newline cannot be one candidate: leave it out */
	if (s && *s && !strchr(s, '\n'))
		printf("%s\n", s);
}

/* Run names, newest first (ids complete by themselves: they are typed). */
static void complete_runs(ry_store *st)
{
	ry_runlist_options lo = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *list = NULL;
	ry_field *f = NULL;
	ry_cell *cells;
	size_t n;

	lo.limit = 1000;
	if (ry_runlist_open(&list, st, &lo) || ry_field_parse(&f, st, "name"))
		goto out;
	n = ry_runlist_count(list);
	cells = ry_xcalloc(n ? n : 1, sizeof *cells);
	if (ry_runlist_fetch(st, ry_runlist_ids(list), n, &f, 1, cells) == 0)
		for (size_t i = 0; i < n; i++)
			if (cells[i].type == RY_CELL_TEXT)
				put_line(cells[i].text);
	ry_cells_clear(cells, n);
	free(cells);
out:
	ry_field_free(f);
	ry_runlist_free(list);
}

static void complete_experiments(ry_store *st)
{
	ry_experiment *e;
	size_t n;
	if (ry_experiments_list(st, &e, &n))
		return;
	for (size_t i = 0; i < n; i++)
		put_line(e[i].name);
	ry_experiments_free(e, n);
}

/* NAME and NAME@ALIAS of every model. */
static void complete_models(ry_store *st)
{
	ry_model *m;
	size_t n;
	if (ry_registry_models(st, &m, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		put_line(m[i].name);
		for (size_t a = 0; a < m[i].naliases; a++)
			if (!strchr(m[i].name, '\n') && !strchr(m[i].aliases[a].alias, '\n'))
				printf("%s@%s\n", m[i].name, m[i].aliases[a].alias);
	}
	ry_models_free(m, n);
}

static void complete_hosts(struct cli_global *g)
{
	struct cli_remote r;
	if (cli_remote_open(&r, g, false))
		return;
	for (size_t i = 0; i < r.nhosts; i++)
		put_line(r.hosts[i].name);
	cli_remote_close(&r);
}

/* The long options a command's --help names (and -h): the help text is
 * where every command lists them, so completion cannot drift from it.  The
 * command writes its help to stdout: it goes through a pipe to ourselves. */
static void complete_options(const char *cmd, struct cli_global *g)
{
	char *sub_argv[3] = { (char *)cmd, "--help", NULL };
	const struct cli_command *c;
	char *text = NULL;
	size_t len = 0;
	FILE *mem, *saved;
	ry_buf seen = RY_BUF_INIT;

	for (c = cli_commands; c->name && strcmp(c->name, cmd); c++)
		;
	if (!c->name || !(mem = open_memstream(&text, &len)))
		return;
	/* glibc's stdout is an assignable FILE *: the help goes to memory. */
	ry_buf_putc(&seen, '\n');
	saved = stdout;
	stdout = mem;
	c->fn(2, sub_argv, g);
	fclose(mem);
	stdout = saved;
	for (const char *p = text; p && (p = strstr(p, "--"));) {
		size_t n = 2;
		while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '-')
			n++;
		/* "--" alone ends the options; each option once, in help order */
		if (n > 3 && n < 60) {
			char opt[64];
			snprintf(opt, sizeof opt, "\n%.*s\n", (int)n, p);
			if (!strstr(ry_buf_cstr(&seen), opt)) {
				fputs(opt + 1, stdout);
				ry_buf_puts(&seen, opt + 1);
				ry_buf_putc(&seen, '\n');
			}
		}
		p += n;
	}
	if (!strstr(ry_buf_cstr(&seen), "\n--help\n"))
		printf("--help\n");
	ry_buf_free(&seen);
	free(text);
}

int cli_complete(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = { CLI_OPTIONS_END };
	struct cli_getopt go = CLI_GETOPT_INIT("__complete", NULL, g);
	const char *kind;
	ry_store *st = NULL;

	if (cli_getopt(&go, argc, argv, "", opts) != -1)
		return go.status == 0 ? 2 : go.status;
	if (optind >= argc)
		return cli_usage("__complete", "which kind? commands, options CMD, runs, experiments, hosts, models, shells");
	kind = argv[optind];
	if (!strcmp(kind, "commands")) {
		for (const struct cli_command *c = cli_commands; c->name; c++)
			printf("%s\n", c->name);
	} else if (!strcmp(kind, "shells")) {
		printf("bash\nzsh\nfish\n");
	} else if (!strcmp(kind, "options")) {
		if (optind + 1 < argc)
			complete_options(argv[optind + 1], g);
	} else if (!strcmp(kind, "hosts")) {
		complete_hosts(g);
	} else if (!strcmp(kind, "runs") || !strcmp(kind, "experiments") || !strcmp(kind, "models")) {
		/* Read-only, never created: completing must not make a workspace. */
		if (ry_store_open(&st, g->db_path, RY_STORE_READONLY) != 0)
			return 0;
		if (kind[0] == 'r')
			complete_runs(st);
		else if (kind[0] == 'e')
			complete_experiments(st);
		else
			complete_models(st);
		ry_store_close(st);
	} else {
		return cli_bad_value("__complete", "KIND", kind, "commands, options, runs, experiments, hosts, models or shells");
	}
	return 0;
}
