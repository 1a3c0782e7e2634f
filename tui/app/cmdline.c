/*
 * Completion and history for the `:` line.  The command names are listed
 * here because the commands are spread over tui_command_run (app.c), the
 * import bar and the views' `command` callbacks: a command added there
 * is added to `commands` below too, or Tab does not know it.  It edits
 * the prompt's text through prompt.h and never draws; the candidates of
 * an ambiguous Tab go to the message line.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmdline.h"
#include "app/tui.h"
#include "base/url.h"
#include "plugin/plugin_host.h"

#define HISTORY_KEY "tui.command_history"
#define HISTORY_MAX 100

/* What the first argument of a command completes to. */
enum arg_kind { ARG_NONE, ARG_PLUGIN, ARG_METRIC };

static const struct { const char *name; enum arg_kind arg; } commands[] = {
	{ "sort", ARG_NONE },    { "filter", ARG_NONE },   { "columns", ARG_NONE },
	{ "import", ARG_PLUGIN }, { "messages", ARG_NONE }, { "theme", ARG_NONE },
	{ "save-display", ARG_NONE }, { "help", ARG_NONE }, { "quit", ARG_NONE },
	{ "goal", ARG_NONE },     { "sweep", ARG_NONE },    { "x", ARG_NONE },
	{ "parallel", ARG_METRIC }, { "scatter", ARG_NONE },
	{ "tag", ARG_NONE },      { "untag", ARG_NONE },    { "rename", ARG_NONE },
	{ "delete", ARG_NONE },   { "export", ARG_NONE },
	{ "group", ARG_NONE },    { "ungroup", ARG_NONE },  { "view", ARG_NONE },
};

struct tui_cmdline {
	char **lines;        /* oldest first; owned */
	size_t n, cap;
	size_t pos;          /* the line shown by Up/Down; n: the one being typed */
	char *draft;         /* what was typed before the first Up; owned */
};

static struct tui_cmdline *get(struct tui_ctx *c)
{
	if (c->cmdline)
		return c->cmdline;
	struct tui_cmdline *h = c->cmdline = ry_xcalloc(1, sizeof *h);
	char *saved = ry_store_setting_get(c->st, HISTORY_KEY), *save = NULL;
	for (char *l = saved ? strtok_r(saved, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		h->lines = ry_xgrow(h->lines, &h->cap, h->n + 1, sizeof *h->lines);
		h->lines[h->n++] = ry_xstrdup(l);
	}
	free(saved);
	h->pos = h->n;
	return h;
}

void tui_cmdline_open(struct tui_ctx *c)
{
	struct tui_cmdline *h = get(c);
	h->pos = h->n;
	free(h->draft);
	h->draft = NULL;
}

void tui_cmdline_remember(struct tui_ctx *c, const char *line)
{
	struct tui_cmdline *h = get(c);
	while (*line == ' ' || *line == ':')
		line++;
	if (!*line || strchr(line, '\n') || (h->n && !strcmp(h->lines[h->n - 1], line)))
		return;
	if (h->n == HISTORY_MAX) {
		free(h->lines[0]);
		memmove(h->lines, h->lines + 1, (h->n - 1) * sizeof *h->lines);
		h->n--;
	}
	h->lines = ry_xgrow(h->lines, &h->cap, h->n + 1, sizeof *h->lines);
	/* the history is written into the workspace: a URL typed with its
	 * user:password@ (`:import mlflow https://u:pw@host`) is kept without */
	h->lines[h->n] = ry_url_strip_credentials_in(line);
	if (!h->lines[h->n])
		h->lines[h->n] = ry_xstrdup(line);
	h->n++;
	if (ry_store_readonly(c->st))
		return; /* kept for this session */
	ry_buf b = RY_BUF_INIT;
	for (size_t i = 0; i < h->n; i++)
		ry_buf_printf(&b, "%s%s", i ? "\n" : "", h->lines[i]);
	if (ry_store_setting_set(c->st, HISTORY_KEY, ry_buf_cstr(&b)) < 0)
		tui_error(c, "command history not saved: %s", ry_error_last());
	ry_buf_free(&b);
}

void tui_cmdline_free(struct tui_ctx *c)
{
	struct tui_cmdline *h = c->cmdline;
	if (!h)
		return;
	ry_strings_free(h->lines, h->n);
	free(h->draft);
	free(h);
	c->cmdline = NULL;
}

/* Replace the prompt's text, keeping its label (tui_prompt_set copies the
 * label into itself otherwise). */
static void set_text(struct tui_ctx *c, const char *text)
{
	char label[sizeof c->prompt.label];
	memcpy(label, c->prompt.label, sizeof label);
	tui_prompt_set(&c->prompt, label, text);
}

static int walk(struct tui_ctx *c, int dir)
{
	struct tui_cmdline *h = get(c);
	if ((dir < 0 && h->pos == 0) || (dir > 0 && h->pos >= h->n))
		return TUI_REDRAW; /* at the end of the history: stay */
	if (h->pos == h->n) {
		free(h->draft);
		h->draft = ry_xstrdup(tui_prompt_text(&c->prompt));
	}
	h->pos = dir < 0 ? h->pos - 1 : h->pos + 1;
	set_text(c, h->pos < h->n ? h->lines[h->pos] : h->draft);
	return TUI_REDRAW;
}

/* The candidates for word `w` (a command's first argument when cmd is
 * not NULL), into a list the caller frees. */
static size_t candidates(struct tui_ctx *c, const char *cmd, const char *w, char ***out)
{
	size_t n = 0, cap = 0, len = strlen(w);
	*out = NULL;
	if (!cmd) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (!strncmp(commands[i].name, w, len)) {
				*out = ry_xgrow(*out, &cap, n + 1, sizeof **out);
				(*out)[n++] = ry_xstrdup(commands[i].name);
			}
		return n;
	}
	enum arg_kind kind = ARG_NONE;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, cmd))
			kind = commands[i].arg;
	if (kind == ARG_PLUGIN) {
		ry_plugin_info *pl = NULL;
		size_t np = 0;
		if (!strncmp("cancel", w, len)) {
			*out = ry_xgrow(*out, &cap, n + 1, sizeof **out);
			(*out)[n++] = ry_xstrdup("cancel");
		}
		if (ry_plugin_list(&pl, &np) == 0)
			for (size_t i = 0; i < np; i++)
				if ((!pl[i].kinds || pl[i].kinds & RY_PLUGIN_TRACKER) && !strncmp(pl[i].name, w, len)) {
					*out = ry_xgrow(*out, &cap, n + 1, sizeof **out);
					(*out)[n++] = ry_xstrdup(pl[i].name);
				}
		ry_plugin_infos_free(pl, np);
	}
	if (kind == ARG_METRIC) { /* `:parallel METRIC ...`: the metric keys the runs log */
		char **keys = NULL;
		size_t nk = 0;
		if (ry_metrics_keys(c->st, 0, &keys, &nk) == 0)
			for (size_t i = 0; i < nk; i++)
				if (!strncmp(keys[i], w, len)) {
					*out = ry_xgrow(*out, &cap, n + 1, sizeof **out);
					(*out)[n++] = ry_xstrdup(keys[i]);
				}
		ry_strings_free(keys, nk);
	}
	return n;
}

/* Tab: complete the word before the cursor (the line's end) -- the
 * command, or its first argument. */
static int complete(struct tui_ctx *c)
{
	const char *text = tui_prompt_text(&c->prompt);
	if (c->prompt.cursor != strlen(text))
		return TUI_REDRAW; /* only at the end: the rest of the line would be in the way */
	const char *sp = strchr(text, ' ');
	char cmd[64] = "";
	const char *w = text;
	if (sp) {
		snprintf(cmd, sizeof cmd, "%.*s", (int)(sp - text), text);
		w = sp + 1;
		if (strchr(w, ' '))
			return TUI_REDRAW; /* past the first argument */
	}
	char **cand = NULL;
	size_t n = candidates(c, sp ? cmd : NULL, w, &cand);
	if (!n) {
		if (!sp || !strcmp(cmd, "import") || !strcmp(cmd, "parallel"))
			tui_error(c, !sp ? "no command starts with '%s'" : !strcmp(cmd, "import") ? "no plugin name starts with '%s'"
			                                                                        : "no metric starts with '%s'",
			          w);
		return TUI_REDRAW;
	}
	/* The longest prefix the candidates share. */
	size_t common = strlen(cand[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < common && cand[i][k] == cand[0][k])
			k++;
		common = k;
	}
	ry_buf b = RY_BUF_INIT;
	ry_buf_printf(&b, "%.*s%.*s%s", (int)(w - text), text, (int)common, cand[0], n == 1 ? " " : "");
	set_text(c, ry_buf_cstr(&b));
	ry_buf_clear(&b);
	if (n > 1) {
		for (size_t i = 0; i < n; i++)
			ry_buf_printf(&b, "%s%s", i ? "  " : "", cand[i]);
		tui_msg(c, "%s", ry_buf_cstr(&b));
	}
	ry_buf_free(&b);
	ry_strings_free(cand, n);
	return TUI_REDRAW;
}

int tui_cmdline_key(struct tui_ctx *c, int key)
{
	switch (key) {
	case '\t': c->msg[0] = '\0'; return complete(c);
	case TUI_KEY_FN | KEY_UP: c->msg[0] = '\0'; return walk(c, -1);
	case TUI_KEY_FN | KEY_DOWN: c->msg[0] = '\0'; return walk(c, 1);
	default: return -1;
	}
}
