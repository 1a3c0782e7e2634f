/*
 * The full-screen app: start-up (workspace, config, keymaps, theme,
 * terminal), the view stack, the main loop, the prompt and the `:` command
 * line, the title and status bars, and clean-up.  The loop waits for a key
 * with a 500 ms timeout and polls the workspace's data version on every
 * tick, so running runs and new metric points appear without keypresses;
 * on the same tick it opens the masked passphrase prompt when a background
 * thread waits for a key's passphrase (askpass.h).
 *
 * Screens are views (view.h); this file knows none of their insides.  It
 * also runs the headless script mode used by tests: RUNYARD_TUI_SCRIPT=FILE
 * feeds keys and commands to a screen drawn on /dev/null (tig's approach).
 */
#include <curses.h>
#include <errno.h>
#include <ftw.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/app.h"
#include "work/askpass.h"
#include "app/cmdline.h"
#include "app/draw.h"
#include "app/deploy_slot.h"
#include "app/hints.h"
#include "app/import_bar.h"
#include "app/mouse.h"
#include "work/job.h"
#include "work/listing.h"
#include "app/screen.h"
#include "text/text.h"
#include "app/tui.h"
#include "work/remote_sync.h"

/* ---- messages, marks, prompt ------------------------------------------ */

void tui_msg(struct tui_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
	c->msg_error = false;
}

void tui_error(struct tui_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
	/* Core messages may span lines (a caret under a filter); keep the first. */
	char *nl = strchr(c->msg, '\n');
	if (nl)
		*nl = '\0';
	c->msg_error = true;
}

bool tui_field_move(int *cur, int n, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_MOVE_DOWN: case TUI_ACT_FOCUS_NEXT: *cur = (*cur + 1) % n; return true;
	case TUI_ACT_MOVE_UP: *cur = (*cur + n - 1) % n; return true;
	case TUI_ACT_FIRST: *cur = 0; return true;
	case TUI_ACT_LAST: *cur = n - 1; return true;
	default: return false;
	}
}

bool tui_list_action(struct tui_list *l, enum tui_action a, size_t page)
{
	enum tui_list_step s;
	switch (a) {
	case TUI_ACT_MOVE_DOWN: s = TUI_LIST_DOWN; break;
	case TUI_ACT_MOVE_UP: s = TUI_LIST_UP; break;
	case TUI_ACT_HALF_DOWN: s = TUI_LIST_HALF_DOWN; break;
	case TUI_ACT_HALF_UP: s = TUI_LIST_HALF_UP; break;
	case TUI_ACT_PAGE_DOWN: s = TUI_LIST_PAGE_DOWN; break;
	case TUI_ACT_PAGE_UP: s = TUI_LIST_PAGE_UP; break;
	case TUI_ACT_FIRST: s = TUI_LIST_FIRST; break;
	case TUI_ACT_LAST: s = TUI_LIST_LAST; break;
	default: return false;
	}
	tui_list_move(l, s, page);
	return true;
}

bool tui_marked(const struct tui_ctx *c, int64_t id)
{
	for (size_t i = 0; i < c->nmarked; i++)
		if (c->marked[i] == id)
			return true;
	return false;
}

void tui_mark_toggle(struct tui_ctx *c, int64_t id)
{
	for (size_t i = 0; i < c->nmarked; i++) {
		if (c->marked[i] == id) {
			memmove(c->marked + i, c->marked + i + 1, (c->nmarked - i - 1) * sizeof *c->marked);
			c->nmarked--;
			return;
		}
	}
	c->marked = ry_xgrow(c->marked, &c->capmarked, c->nmarked + 1, sizeof *c->marked);
	c->marked[c->nmarked++] = id;
}

void tui_mark_clear(struct tui_ctx *c)
{
	c->nmarked = 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

void tui_mark_add(struct tui_ctx *c, const int64_t *ids, size_t n)
{
	size_t had = c->nmarked;
	int64_t *sorted = ry_xmalloc((had ? had : 1) * sizeof *sorted);
	if (had) /* c->marked is NULL before the first mark */
		memcpy(sorted, c->marked, had * sizeof *sorted);
	qsort(sorted, had, sizeof *sorted, cmp_id);
	c->marked = ry_xgrow(c->marked, &c->capmarked, had + n, sizeof *c->marked);
	for (size_t i = 0; i < n; i++)
		if (!bsearch(&ids[i], sorted, had, sizeof *sorted, cmp_id))
			c->marked[c->nmarked++] = ids[i];
	free(sorted);
}

void tui_prompt_open(struct tui_ctx *c, struct tui_view *owner, int kind, const char *label,
                     const char *initial)
{
	tui_prompt_set(&c->prompt, label, initial);
	c->prompt_kind = kind;
	c->prompt_owner = owner;
	c->prompt_error[0] = '\0';
	c->prompt_error_col = 0;
	curs_set(1);
}

void tui_prompt_close(struct tui_ctx *c)
{
	if (c->prompt.secret)
		tui_prompt_wipe(&c->prompt);
	c->prompt_deferred = false;
	c->prompt_kind = TUI_PROMPT_NONE;
	c->prompt_owner = NULL;
	c->prompt_error[0] = '\0';
	c->prompt_error_col = 0;
	curs_set(0);
}

/* ---- views --------------------------------------------------------------- */

struct tui_view *tui_view_push(struct tui_ctx *c, const struct tui_view_ops *ops, void *arg)
{
	if (c->nviews >= TUI_MAX_VIEWS) {
		tui_error(c, "too many screens open; press q to go back");
		return NULL;
	}
	struct tui_view *v = ry_xcalloc(1, sizeof *v);
	v->ops = ops;
	v->rows = c->rows - 2;
	if (ops->open && ops->open(v, c, arg) < 0) {
		if (ops->done)
			ops->done(v, c);
		free(v);
		return NULL;
	}
	c->views[c->nviews++] = v;
	c->dirty |= TUI_REDRAW;
	return v;
}

static void view_free(struct tui_ctx *c, struct tui_view *v)
{
	if (c->prompt_owner == v)
		tui_prompt_close(c);
	if (v->ops->done)
		v->ops->done(v, c);
	free(v);
}

void tui_view_pop(struct tui_ctx *c)
{
	if (c->nviews <= 1)
		return;
	view_free(c, c->views[--c->nviews]);
	c->dirty |= TUI_REDRAW;
}

static struct tui_view *top(struct tui_ctx *c)
{
	return c->views[c->nviews - 1];
}

void tui_app_reload(struct tui_ctx *c)
{
	for (int i = 0; i < c->nviews; i++)
		if (c->views[i]->ops->reload)
			c->views[i]->ops->reload(c->views[i], c);
	c->dirty |= TUI_REDRAW;
}

/* ---- themes and commands ------------------------------------------------- */

bool tui_theme_apply(struct tui_ctx *c, const char *name)
{
	char err[512];
	struct tui_theme t;
	if (tui_theme_load(&t, name, err, sizeof err) < 0) {
		tui_error(c, "kept the %s theme: %s", c->theme.name[0] ? c->theme.name : "current", err);
		return false;
	}
	c->theme = t;
	tui_screen_colors(c);
	c->dirty |= TUI_REDRAW;
	return true;
}

/* `:messages`: what the last import and the last deployment work said, in
 * a pager. */
static int show_messages(struct tui_ctx *c)
{
	char *imp = tui_import_bar_log(c), *dep = tui_deploy_slot_log(c);
	if (!imp && !dep) {
		tui_msg(c, "no messages yet");
		return TUI_REDRAW;
	}
	char *text = ry_xasprintf("%s%s%s", imp ? imp : "", imp && dep ? "\nDeployments:\n" : "", dep ? dep : "");
	struct tui_messages_arg a = { imp && dep ? "Messages" : imp ? "Import messages" : "Deploy messages", text };
	tui_view_push(c, &tui_view_messages, &a);
	free(text);
	free(imp);
	free(dep);
	return TUI_REDRAW;
}

static const char command_help[] =
	"commands: sort KEY[:desc], filter EXPR, columns a,b,c, goal KEY max|min|none, sweep [ID], "
	"import PLUGIN SOURCE, messages, theme NAME, save-display FILE, x AXIS (on a chart), "
	"parallel [METRIC] [PARAM,...] and scatter [PARAM [METRIC]] (on the runs), quit";

/* `:goal KEY max|min|none|unset` sets (or forgets) the workspace's goal of
 * a metric, `:goal KEY` says it and where it comes from -- the setting
 * `runyard goal` changes, through the same core call.  The word is the
 * last one, so a key may hold spaces ("valid_0's auc"). */
/* Whether some run logged metric key. */
static bool metric_known(struct tui_ctx *c, const char *key)
{
	char **keys = NULL;
	size_t n = 0;
	bool found = false;
	if (ry_metrics_keys(c->st, 0, &keys, &n) == 0)
		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(keys[i], key);
	ry_strings_free(keys, n);
	return found;
}

static int goal_command(struct tui_ctx *c, const char *arg)
{
	char *key = ry_xstrdup(arg), *word = NULL;
	int goal;
	for (size_t n = strlen(key); n && key[n - 1] == ' '; n--)
		key[n - 1] = '\0';
	char *sp = strrchr(key, ' ');
	if (sp && (ry_metric_goal_parse(sp + 1, &goal) || !strcmp(sp + 1, "unset"))) {
		word = sp + 1;
		for (*sp = '\0'; sp > key && sp[-1] == ' '; sp--)
			sp[-1] = '\0';
	}
	if (!*key) {
		tui_error(c, ":goal needs a metric: :goal KEY max|min|none (or unset)");
	} else if (!word && sp && !metric_known(c, key)) {
		tui_error(c, ":goal %s: '%s' is not max, min, none or unset", key, sp + 1);
	} else if (!word) {
		ry_goal_source src;
		goal = ry_metric_goal_source(c->st, 0, key, &src);
		tui_msg(c, "goal of %s: %s (%s); :goal %s max|min|none changes it", key, ry_metric_goal_name(goal),
		        ry_metric_goal_source_name(src), key);
	} else if (ry_store_readonly(c->st)) {
		tui_error(c, "the workspace is read-only: the goal of %s is not changed", key);
	} else if (ry_metric_goal_save(c->st, 0, key, strcmp(word, "unset") ? word : NULL) < 0) {
		tui_error(c, "%s", ry_error_last());
	} else {
		goal = ry_metric_goal(c->st, key);
		tui_msg(c, "goal of %s: %s%s", key, ry_metric_goal_name(goal),
		        strcmp(word, "unset") ? "" : " (guessed from the name)");
		free(key);
		return TUI_RELOAD | TUI_REDRAW; /* the best marks and verdicts change */
	}
	free(key);
	return TUI_REDRAW;
}

int tui_command_run(struct tui_ctx *c, const char *line)
{
	char name[64];
	const char *p = line;
	size_t n = 0;
	while (*p == ' ' || *p == ':')
		p++;
	while (*p && *p != ' ' && n + 1 < sizeof name)
		name[n++] = *p++;
	name[n] = '\0';
	while (*p == ' ')
		p++;
	const char *arg = p;
	if (!n)
		return TUI_REDRAW;
	if (!strcmp(name, "q") || !strcmp(name, "quit") || !strcmp(name, "qa")) {
		c->quit = true;
		return TUI_QUIT;
	}
	if (!strcmp(name, "theme")) {
		if (!*arg) {
			tui_error(c, ":theme needs a name: default, light, solarized-dark, high-contrast, monochrome");
			return TUI_REDRAW;
		}
		if (tui_theme_apply(c, arg))
			tui_msg(c, "theme %s", c->theme.name[0] ? c->theme.name : arg);
		return TUI_REDRAW;
	}
	if (!strcmp(name, "save-display")) {
		tui_app_draw(c);
		if (!*arg || tui_screen_save(c, arg) < 0) {
			tui_error(c, "cannot write the screen to '%s': %s", arg, *arg ? strerror(errno) : "no file named");
			return 0;
		}
		/* Said after the save, so the file holds the screen, not this. */
		tui_msg(c, "saved the screen (%dx%d) to %s", c->cols, c->rows, arg);
		return TUI_REDRAW;
	}
	if (!strcmp(name, "help")) {
		tui_view_push(c, &tui_view_help, top(c));
		return TUI_REDRAW;
	}
	if (!strcmp(name, "import"))
		return tui_import_bar_command(c, arg);
	if (!strcmp(name, "goal"))
		return goal_command(c, arg);
	if (!strcmp(name, "messages"))
		return show_messages(c);
	/* The top view first, then the main screen (`:sort` from compare still
	 * means the runs table). */
	for (int i = c->nviews - 1; i >= 0; i--) {
		struct tui_view *v = c->views[i];
		if (i != c->nviews - 1 && i != 0)
			continue;
		if (v->ops->command) {
			int r = v->ops->command(v, c, name, arg);
			if (!(r & TUI_UNHANDLED))
				return r | TUI_REDRAW;
		}
	}
	tui_error(c, "unknown command ':%s'; %s", name, command_help);
	return TUI_REDRAW;
}

/* ---- drawing ------------------------------------------------------------ */

static void draw_title(struct tui_ctx *c, struct tui_view *v)
{
	char left[512], keys[64], right[128];
	const char *path = ry_store_path(c->st);
	tui_draw_fill(c, 0, 0, c->cols, TUI_COLOR_TITLE);
	snprintf(left, sizeof left, " runyard \xc2\xb7 %s \xc2\xb7 %s", v->ops->name, path ? path : "");
	if (!c->utf8)
		snprintf(left, sizeof left, " runyard - %s - %s", v->ops->name, path ? path : "");
	tui_keymap_keys_for(c->km, v->ops->keymap, TUI_ACT_HELP, true, keys, sizeof keys);
	char *comma = strchr(keys, ',');
	if (comma)
		*comma = '\0';
	char back[32];
	tui_keymap_keys_for(c->km, v->ops->keymap, TUI_ACT_BACK, true, back, sizeof back);
	comma = strchr(back, ',');
	if (comma)
		*comma = '\0';
	snprintf(right, sizeof right, "%s help  %s %s ", keys, back, c->nviews > 1 ? "back" : "quit");
	int rw = tui_text_width(right);
	tui_draw_text(c, 0, 0, c->cols - rw, left, TUI_COLOR_TITLE);
	tui_draw_text(c, 0, c->cols - rw, rw, right, TUI_COLOR_TITLE);
}

static void draw_status(struct tui_ctx *c, struct tui_view *v, int y)
{
	char st[1024] = "";
	if (v->ops->status)
		v->ops->status(v, c, st, sizeof st);
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_STATUSBAR);
	if (c->msg[0] && !c->msg_error) {
		int mw = tui_text_width(c->msg);
		int avail = c->cols / 2;
		if (mw > avail)
			mw = avail;
		tui_draw_text(c, y, 0, c->cols - mw - 2, st, TUI_COLOR_STATUSBAR);
		tui_draw_text_right(c, y, c->cols - mw - 1, mw, c->msg, TUI_COLOR_STATUSBAR);
	} else {
		tui_draw_text(c, y, 0, c->cols, st, TUI_COLOR_STATUSBAR);
	}
}

/* A passphrase: one '*' per character typed, and the text itself is
 * never copied, fitted or drawn. */
static void draw_secret_prompt(struct tui_ctx *c, int y)
{
	int lw = tui_draw_str(c, y, 0, c->cols > 24 ? c->cols - 12 : c->cols / 2, c->prompt.label, TUI_COLOR_KEY);
	int avail = c->cols - lw - 1, stars = 0, before = 0;
	for (size_t i = 0; i < c->prompt.text.len; i++) {
		if (((unsigned char)c->prompt.text.ptr[i] & 0xc0) == 0x80)
			continue;
		stars++;
		if (i < c->prompt.cursor)
			before++;
	}
	if (stars > avail)
		stars = avail;
	if (before > avail)
		before = avail;
	attrset((attr_t)c->attrs[TUI_COLOR_DEFAULT]);
	move(y, lw);
	for (int i = 0; i < stars; i++)
		addch('*');
	attrset(A_NORMAL);
	move(y, lw + before < c->cols ? lw + before : c->cols - 1);
}

static void draw_prompt(struct tui_ctx *c, int y)
{
	char fitted[4096];
	if (c->prompt.secret) {
		draw_secret_prompt(c, y);
		return;
	}
	const char *text = tui_prompt_text(&c->prompt);
	int lw = tui_draw_str(c, y, 0, c->cols, c->prompt.label, TUI_COLOR_KEY);
	int avail = c->cols - lw - 1;
	/* Columns before the cursor decide the horizontal scroll. */
	char *before = ry_xstrndup(text, c->prompt.cursor);
	int cw = tui_text_width(before);
	free(before);
	int skip_cols = cw >= avail ? cw - avail + 1 : 0;
	const char *shown = text;
	/* Drop whole characters from the left until skip_cols are gone. */
	while (skip_cols > 0 && *shown) {
		int len = 1;
		while ((shown[len] & 0xc0) == 0x80)
			len++;
		char one[8];
		memcpy(one, shown, (size_t)len);
		one[len] = '\0';
		skip_cols -= tui_text_width(one);
		shown += len;
	}
	tui_text_fit(fitted, sizeof fitted, shown, avail, true, false, c->utf8);
	attrset((attr_t)c->attrs[TUI_COLOR_DEFAULT]);
	mvaddstr(y, lw, fitted);
	if (c->prompt_error_col > 0 && shown == text) {
		int col = c->prompt_error_col - 1;
		if (col < avail)
			mvchgat(y, lw + col, 1, (attr_t)c->attrs[TUI_COLOR_ERROR] | A_REVERSE,
			        (short)PAIR_NUMBER((attr_t)c->attrs[TUI_COLOR_ERROR]), NULL);
	}
	attrset(A_NORMAL);
	char *upto = ry_xstrndup(shown, c->prompt.cursor - (size_t)(shown - text));
	int cx = lw + tui_text_width(upto);
	free(upto);
	move(y, cx < c->cols ? cx : c->cols - 1);
}

/* The bytes of ASCII `p` that fit a line of `width`: up to the last space
 * that fits, or cut where a word is longer than the line. */
static int wrap_take(const char *p, int width)
{
	int take = (int)strlen(p);
	if (take <= width)
		return take;
	take = width;
	while (take > 0 && p[take] != ' ')
		take--;
	return take ? take : width;
}

/* Word-wrap `text` to `width` columns from row *y on, in `color` (draw =
 * false only counts); *y moves past the lines. */
static void draw_wrapped(struct tui_ctx *c, int *y, const char *text, int width, int color, bool draw)
{
	for (const char *p = text; *p;) {
		int take = wrap_take(p, width);
		if (draw && *y >= 0 && *y < c->rows) {
			char line[256];
			snprintf(line, sizeof line, "%.*s", take, p);
			tui_draw_text(c, *y, 0, width, line, color);
		}
		(*y)++;
		p += take;
		while (*p == ' ')
			p++;
	}
}

void tui_app_draw(struct tui_ctx *c)
{
	struct tui_view *v = top(c);
	erase();
	if (c->rows < TUI_MIN_ROWS || c->cols < TUI_MIN_COLS) {
		/* Wrapped, so it is whole even on the smallest window (20x5). */
		char m[128];
		const char *hint = "Enlarge the window, or press Q to quit.";
		snprintf(m, sizeof m, "runyard needs at least %dx%d; the window is %dx%d.",
		         TUI_MIN_COLS, TUI_MIN_ROWS, c->cols, c->rows);
		int w = c->cols > 0 ? c->cols : 1;
		int lines = 0;
		draw_wrapped(c, &lines, m, w, TUI_COLOR_ERROR, false);
		draw_wrapped(c, &lines, hint, w, TUI_COLOR_DEFAULT, false);
		int y = lines < c->rows ? (c->rows - lines) / 2 : 0;
		draw_wrapped(c, &y, m, w, TUI_COLOR_ERROR, true);
		draw_wrapped(c, &y, hint, w, TUI_COLOR_DEFAULT, true);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	bool prompting = c->prompt_kind != TUI_PROMPT_NONE;
	bool perr = prompting && c->prompt_error[0];
	/* Errors get a line of their own above the status bar, which keeps
	 * showing the filter and sort; they last until the next key. */
	bool merr = c->msg[0] && c->msg_error;
	int bar = tui_import_bar_rows(c), hints = c->hints_off ? 0 : 1;
	int h = c->rows - 2 - (prompting ? 1 : 0) - (perr || merr ? 1 : 0) - bar - hints;
	draw_title(c, v);
	v->rows = h;
	v->ops->draw(v, c, 1, h);
	int y = 1 + h;
	if (bar)
		tui_import_bar_draw(c, y++);
	if (perr || merr)
		tui_draw_text(c, y++, 0, c->cols, perr ? c->prompt_error : c->msg, TUI_COLOR_ERROR);
	draw_status(c, v, y++);
	/* The bar first: the prompt leaves the cursor where typing goes. */
	if (hints)
		tui_hints_draw(c, c->rows - 1);
	if (prompting)
		draw_prompt(c, y);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- keys --------------------------------------------------------------- */

static int prompt_key(struct tui_ctx *c, int key)
{
	int own = c->prompt_kind == TUI_PROMPT_COMMAND ? tui_cmdline_key(c, key) : -1;
	if (own >= 0)
		return own;
	enum tui_prompt_event ev = tui_prompt_key(&c->prompt, key);
	int kind = c->prompt_kind, r = TUI_REDRAW;
	struct tui_view *owner = c->prompt_owner;
	if (ev == TUI_PROMPT_IGNORED)
		return 0;
	if (ev == TUI_PROMPT_MOVED)
		return TUI_REDRAW;
	bool final = ev == TUI_PROMPT_DONE, cancel = ev == TUI_PROMPT_CANCEL;
	if (kind == TUI_PROMPT_PASSPHRASE) {
		if (final || cancel) {
			/* The answer is copied into the waiting threads' buffers;
			 * closing wipes ours. */
			tui_askpass_answer(c->askpass, c->askpass_id, final ? tui_prompt_text(&c->prompt) : NULL);
			c->askpass_id = 0;
			tui_prompt_close(c);
			if (cancel)
				tui_msg(c, "key skipped for this session (ssh-add it to use it)");
		}
		return r;
	}
	if (kind == TUI_PROMPT_COMMAND) {
		if (final || cancel) {
			char *line = ry_xstrdup(tui_prompt_text(&c->prompt));
			tui_prompt_close(c);
			if (final) {
				tui_cmdline_remember(c, line); /* first: `:quit` is remembered too */
				r |= tui_command_run(c, line);
			}
			free(line);
		}
		return r;
	}
	/* Live prompts (the filter) query the store on every edit; while more
	 * keys are already waiting, only the text is redrawn and the query runs
	 * once the typing pauses, so a fast typist never waits for the
	 * intermediate results. */
	if (!final && !cancel && !c->headless && tui_screen_key_pending()) {
		c->prompt_deferred = true;
		return TUI_REDRAW;
	}
	c->prompt_deferred = false;
	if (owner && owner->ops->prompt)
		r |= owner->ops->prompt(owner, c, kind, tui_prompt_text(&c->prompt), final, cancel);
	if (final || cancel)
		tui_prompt_close(c);
	return r;
}

/* Apply an edit that prompt_key put off while keys were queued. */
static int prompt_catch_up(struct tui_ctx *c)
{
	struct tui_view *owner = c->prompt_owner;
	if (!c->prompt_deferred || tui_screen_key_pending())
		return 0;
	c->prompt_deferred = false;
	if (c->prompt_kind == TUI_PROMPT_NONE || !owner || !owner->ops->prompt)
		return 0;
	return owner->ops->prompt(owner, c, c->prompt_kind, tui_prompt_text(&c->prompt), false, false);
}

int tui_app_key(struct tui_ctx *c, int key)
{
	if (c->prompt_kind != TUI_PROMPT_NONE)
		return prompt_key(c, key);
	struct tui_view *v = top(c);
	enum tui_action a = tui_keymap_lookup(c->km, v->ops->keymap, key);
	if (c->rows < TUI_MIN_ROWS || c->cols < TUI_MIN_COLS) {
		/* Too small to show anything: only leaving is meaningful. */
		if (a == TUI_ACT_QUIT || a == TUI_ACT_BACK)
			c->quit = true;
		return TUI_REDRAW;
	}
	if (a == TUI_ACT_NONE)
		return 0;
	c->msg[0] = '\0'; /* a message lasts until the next key */
	/* On the runs screen, while an import runs, Esc (and q) stop the
	 * import first (every other screen keeps them for going back). */
	if ((a == TUI_ACT_BACK || a == TUI_ACT_ESCAPE) && c->nviews == 1 && tui_import_bar_cancel(c))
		return TUI_REDRAW;
	int r = v->ops->action ? v->ops->action(v, c, a) : TUI_UNHANDLED;
	if (!(r & TUI_UNHANDLED))
		return r;
	switch (a) {
	case TUI_ACT_HELP:
		tui_view_push(c, &tui_view_help, v);
		return TUI_REDRAW;
	case TUI_ACT_COMMAND:
		tui_prompt_open(c, v, TUI_PROMPT_COMMAND, ":", "");
		tui_cmdline_open(c);
		return TUI_REDRAW;
	case TUI_ACT_QUIT:
		return TUI_QUIT;
	case TUI_ACT_BACK:
		return c->nviews > 1 ? TUI_POP : TUI_QUIT;
	case TUI_ACT_ESCAPE:
		/* Esc goes back one screen and never out of the app: a key people
		 * press to cancel must not lose their place. */
		if (c->nviews > 1)
			return TUI_POP;
		tui_msg(c, "nothing to clear (q quits)");
		return TUI_REDRAW;
	case TUI_ACT_TOGGLE_HINTS: {
		char k[64];
		c->hints_off = !c->hints_off;
		tui_keymap_keys_for(c->km, v->ops->keymap, TUI_ACT_TOGGLE_HINTS, true, k, sizeof k);
		tui_msg(c, c->hints_off ? "key hints hidden (%s shows them; 'hints = off' in the config keeps them off)"
		                        : "key hints shown (%s hides them)", k);
		return TUI_REDRAW;
	}
	case TUI_ACT_REFRESH:
		clearok(curscr, TRUE);
		c->msg[0] = '\0';
		return TUI_RELOAD;
	default:
		return 0;
	}
}

static void react(struct tui_ctx *c, int r)
{
	if (r & TUI_QUIT)
		c->quit = true;
	if (r & TUI_POP)
		tui_view_pop(c);
	c->dirty |= r & (TUI_REDRAW | TUI_RELOAD);
}

/* ---- data changes -------------------------------------------------------- */

/* A background launch/cancel: its progress in the message line, its
 * result when done (the worker wrote to the store: reload). */
static void poll_job(struct tui_ctx *c)
{
	char progress[128], result[512];
	int rc;
	if (!c->job)
		return;
	if (tui_job_poll(c->job, progress, sizeof progress, result, sizeof result, &rc)) {
		tui_job_free(c->job);
		c->job = NULL;
		if (rc)
			tui_error(c, "%s", result);
		else
			tui_msg(c, "%s", result);
		c->dirty |= TUI_RELOAD;
	} else if (*progress) {
		tui_msg(c, "%s: %s", tui_job_what(c->job), progress);
		c->dirty |= TUI_REDRAW;
	}
}

/* "~/.ssh/id_ed25519" for a key under $HOME. */
static void short_key_path(char *out, size_t n, const char *path)
{
	const char *home = getenv("HOME");
	size_t hl = home ? strlen(home) : 0;
	if (hl > 1 && !strncmp(path, home, hl) && path[hl] == '/')
		snprintf(out, n, "~%s", path + hl);
	else
		snprintf(out, n, "%s", path);
}

/* A background thread waits for a key's passphrase: open the masked prompt
 * when no other prompt is in use, and close it if the thread gave up. */
static void poll_askpass(struct tui_ctx *c)
{
	char key[1024], shown[1024], *label;
	unsigned long id = tui_askpass_pending(c->askpass, key, sizeof key);
	if (c->prompt_kind == TUI_PROMPT_PASSPHRASE) {
		if (id != c->askpass_id) {
			c->askpass_id = 0;
			tui_prompt_close(c);
			tui_msg(c, "the passphrase is no longer needed");
			c->dirty |= TUI_REDRAW;
		}
		return;
	}
	if (!id || c->prompt_kind != TUI_PROMPT_NONE)
		return;
	short_key_path(shown, sizeof shown, key);
	label = ry_xasprintf("Passphrase for %s (Esc skips): ", shown);
	tui_prompt_set_secret(&c->prompt, label); /* a long path is cut when drawn */
	free(label);
	c->prompt_kind = TUI_PROMPT_PASSPHRASE;
	c->prompt_owner = NULL;
	c->prompt_error[0] = '\0';
	c->prompt_error_col = 0;
	c->askpass_id = id;
	curs_set(1);
	c->dirty |= TUI_REDRAW;
}

static void poll_store(struct tui_ctx *c)
{
	poll_askpass(c);
	poll_job(c);
	c->dirty |= tui_import_bar_poll(c);
	c->dirty |= tui_deploy_slot_poll(c);
	int64_t dv = ry_store_data_version(c->st);
	if (dv != c->data_version) {
		c->data_version = dv;
		c->dirty |= TUI_RELOAD;
	}
	struct tui_view *v = top(c);
	if (v->ops->tick)
		c->dirty |= v->ops->tick(v, c);
}

static void flush_dirty(struct tui_ctx *c)
{
	if (c->dirty & TUI_RELOAD)
		tui_app_reload(c);
	if (c->dirty)
		tui_app_draw(c);
	c->dirty = 0;
}

void tui_app_idle(struct tui_ctx *c)
{
	struct tui_view *v = top(c);
	if (v->ops->idle)
		v->ops->idle(v, c);
}

/* ---- headless scripts ---------------------------------------------------- */

/* One script line: ":cmd" runs a command, "type TEXT" types text,
 * "resize ROWS COLS", "poll" checks the store for changes, "#..." is a
 * comment; anything else is whitespace-separated key names. */
static void script_line(struct tui_ctx *c, char *line)
{
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (!len || line[0] == '#')
		return;
	if (line[0] == ':') {
		react(c, tui_command_run(c, line + 1));
	} else if (!strncmp(line, "type ", 5)) {
		const char *s = line + 5;
		mbstate_t ps;
		memset(&ps, 0, sizeof ps);
		while (*s) {
			wchar_t wc;
			size_t m = mbrtowc(&wc, s, strlen(s), &ps);
			if (m == 0 || m == (size_t)-1 || m == (size_t)-2)
				break;
			react(c, tui_app_key(c, (int)wc));
			flush_dirty(c);
			s += m;
		}
	} else if (!strncmp(line, "resize ", 7)) {
		int r = 0, k = 0;
		if (sscanf(line + 7, "%d %d", &r, &k) == 2) {
			tui_screen_resize(c, r, k);
			c->dirty |= TUI_REDRAW;
		}
	} else if (!strcmp(line, "poll")) {
		poll_store(c);
	} else {
		char *save = NULL;
		for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			int key = tui_key_parse(tok);
			if (key < 0) {
				tui_error(c, "script: unknown key '%s'", tok);
				continue;
			}
			react(c, tui_app_key(c, key));
			flush_dirty(c);
			if (c->quit)
				return;
		}
	}
	flush_dirty(c);
}

/* ---- start and stop ------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

static void parse_size(const char *s, int *rows, int *cols)
{
	int w = 0, h = 0;
	if (s && sscanf(s, "%dx%d", &w, &h) == 2 && w > 0 && h > 0) {
		*cols = w;
		*rows = h;
	}
}

/* What tui_app_run opened besides the context, for the tear-down. */
struct app_run {
	FILE *sf;                     /* the headless script, or NULL */
	char *demo_dir, *db_path;     /* a throwaway demo workspace, or NULL */
	struct tui_syncer *syncer;
};

/* Stage 1: the script, the config and the workspace (a seeded demo one or
 * the user's, reconciled).  0, or the exit status with the message on
 * stderr. */
static int open_workspace(struct tui_ctx *c, struct app_run *ar, const struct tui_app_options *g, bool demo)
{
	const char *script = getenv("RUNYARD_TUI_SCRIPT");
	if (script && *script) {
		c->script = true;
		ar->sf = fopen(script, "r");
		if (!ar->sf) {
			fprintf(stderr, "runyard: cannot read the script '%s': %s\n", script, strerror(errno));
			return 2;
		}
	}
	if (ry_config_load(&c->cfg, NULL) < 0) {
		fprintf(stderr, "runyard: %s\n", ry_error_last());
		return 2;
	}
	if (demo) {
		const char *tmp = getenv("TMPDIR");
		ar->demo_dir = ry_xasprintf("%s/runyard-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(ar->demo_dir)) {
			free(ar->demo_dir);
			ar->demo_dir = NULL;
			fprintf(stderr, "runyard: cannot create a temporary directory for the demo: %s\n",
			        strerror(errno));
			return 1;
		}
		ar->db_path = ry_xasprintf("%s/workspace.db", ar->demo_dir);
		if (!ar->sf && isatty(STDERR_FILENO))
			fprintf(stderr, "runyard: seeding a demo workspace in %s ...\n", ar->demo_dir);
		int e = ry_store_open(&c->st, ar->db_path, RY_STORE_CREATE);
		ry_demo_options o = RY_DEMO_OPTIONS_INIT;
		if (e == 0)
			e = ry_demo_seed(c->st, &o);
		if (e < 0) {
			fprintf(stderr, "runyard: %s\n", ry_error_last());
			return 1;
		}
		return 0;
	}
	/* Like every start: settle runs whose tracker died. */
	int e = ry_track_open_workspace(&c->st, g->db_path, RY_STORE_CREATE);
	if (e < 0) {
		fprintf(stderr, "runyard: %s\n", ry_error_last());
		return ry_error_exit_status(e);
	}
	return 0;
}

/* Terminals whose fonts lack the box and symbol glyphs whatever the
 * locale says (a vt100, the Linux console): they get the ASCII fallback. */
static bool ascii_only_term(const char *term)
{
	return term && (!strncmp(term, "vt1", 3) || !strncmp(term, "vt2", 3) || !strncmp(term, "linux", 5));
}

bool tui_config_on(struct tui_ctx *c, const char *key, const char *what)
{
	const char *v = c->cfg ? ry_config_get(c->cfg, "", key) : NULL;
	if (!v)
		return true;
	if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		return false;
	if (strcasecmp(v, "on") && strcasecmp(v, "yes") && strcasecmp(v, "true") && strcmp(v, "1"))
		tui_error(c, "config: %s = %s: use on or off (%s stays on)", key, v, what);
	return true;
}

/* `hints = on|off` in the config: the key-hint bar at the bottom. */
static void config_hints(struct tui_ctx *c)
{
	c->hints_off = !tui_config_on(c, "hints", "the key-hint bar");
}

/* Stage 2: keys, locale, theme, the passphrase broker, the screen and the
 * runs view, drawn once; then the remote syncer.  0, or the exit status
 * (the screen is already ended when it fails after starting). */
static int set_up_screen(struct tui_ctx *c, struct app_run *ar, const struct tui_app_options *g)
{
	c->km = tui_keymap_new();
	char kerr[256] = "";
	int bad_keys = c->cfg ? tui_keymap_apply_config(c->km, c->cfg, kerr, sizeof kerr) : 0;

	const char *cs = nl_langinfo(CODESET);
	c->utf8 = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8")) && !ascii_only_term(getenv("TERM"));

	int hrows = 40, hcols = 120;
	parse_size(getenv("RUNYARD_TUI_SIZE"), &hrows, &hcols);
	tui_theme_default(&c->theme);
	/* A script has no one to type a passphrase: its questions are refused. */
	c->askpass = tui_askpass_new(ar->sf == NULL);
	if (tui_screen_init(c, ar->sf != NULL, hrows, hcols) < 0)
		return 1;
	tui_mouse_start(c);
	const char *theme = g->theme;
	if (!theme && c->cfg)
		theme = ry_config_get(c->cfg, "", "theme");
	if (theme && *theme)
		tui_theme_apply(c, theme);
	if (bad_keys)
		tui_error(c, "config: %s", kerr);
	config_hints(c);
	c->data_version = ry_store_data_version(c->st);

	if (!tui_view_push(c, &tui_view_main, NULL)) {
		char m[sizeof c->msg];
		memcpy(m, c->msg, sizeof m);
		tui_screen_end(c);
		fprintf(stderr, "runyard: %s\n", m);
		return 1;
	}
	if (ry_store_readonly(c->st))
		tui_msg(c, "read-only workspace (%s): browsing works, changes are refused",
		        ry_store_readonly_why(c->st) ? ry_store_readonly_why(c->st) : "opened read-only");
	/* A mistyped --db would otherwise look like a workspace with no runs. */
	if (!ar->demo_dir && ry_store_created(c->st))
		tui_msg(c, "created a new, empty workspace: there was none at this path (above)");
	tui_app_draw(c);
	/* Remote jobs keep streaming while the app is open (not in scripted
	 * runs: those must be deterministic). */
	if (!ar->sf && !getenv("RUNYARD_NO_REMOTE_SYNC"))
		ar->syncer = tui_syncer_start(ry_store_path(c->st), 5, c->askpass);
	return 0;
}

/* Stage 3: keys (or script lines), store polling and drawing until quit.
 * 0, or 1 when the script could not be read to its end (the reason on
 * stderr): a test feeding the app through a pipe must learn that the app
 * stopped listening, not see it quit as if asked to. */
static int run_loop(struct tui_ctx *c, FILE *sf)
{
	double last_poll = ry_monotonic();
	char line[4096];
	while (!c->quit) {
		if (tui_screen_quit_requested())
			break;
		if (sf) {
			tui_app_idle(c);
			flush_dirty(c);
			errno = 0;
			if (!fgets(line, sizeof line, sf)) {
				if (!ferror(sf))
					break; /* the end of the script */
				if (errno == EINTR) {
					clearerr(sf);
					continue;
				}
				fprintf(stderr, "runyard: reading the script failed: %s\n", strerror(errno));
				return 1;
			}
			script_line(c, line);
			continue;
		}
		tui_app_idle(c);
		flush_dirty(c);
		int key = tui_screen_getkey(c);
		if (key == (TUI_KEY_FN | KEY_RESIZE)) {
			tui_screen_resize(c, 0, 0);
			c->dirty |= TUI_REDRAW;
		} else if (key == (TUI_KEY_FN | KEY_MOUSE)) {
			react(c, tui_mouse_event(c));
		} else if (key >= 0) {
			react(c, tui_app_key(c, key));
		}
		react(c, prompt_catch_up(c));
		double now = ry_monotonic();
		if (key < 0 || now - last_poll >= 0.5) {
			last_poll = now;
			poll_store(c);
		}
		flush_dirty(c);
	}
	return 0;
}

/* Stage 4a: the views and the job, then the screen. */
static void close_screen(struct tui_ctx *c)
{
	/* Threads waiting for a passphrase get a refusal, so the joins below
	 * never wait on a question no one will answer. */
	tui_askpass_shutdown(c->askpass);
	while (c->nviews > 0)
		view_free(c, c->views[--c->nviews]);
	tui_job_free(c->job); /* cancels a job still running and waits for it */
	c->job = NULL;
	tui_import_bar_close(c); /* the same for an import: its run in progress is rolled back */
	tui_deploy_slot_close(c); /* waits for a deploy still running (at most its target's timeout) */
	tui_screen_end(c);
}

/* Stage 4b: everything else, whatever stage was reached. */
static void tear_down(struct tui_ctx *c, struct app_run *ar)
{
	if (ar->sf)
		fclose(ar->sf);
	tui_prompt_free(&c->prompt);
	tui_cmdline_free(c);
	ry_view_clear(&c->chart);
	free(c->marked);
	tui_keymap_free(c->km);
	ry_config_free(c->cfg);
	tui_askpass_shutdown(c->askpass);
	tui_syncer_stop(ar->syncer);
	tui_askpass_free(c->askpass); /* after every thread that could ask */
	ry_store_close(c->st);
	if (ar->demo_dir) {
		/* The demo workspace is throwaway: remove it and its WAL files. */
		nftw(ar->demo_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(ar->demo_dir);
	}
	free(ar->db_path);
}

/* Stage 4a': quitting stops no run, so the last word says so when some
 * are still running (the demo's are make-believe and go with it). */
static void quit_note(struct tui_ctx *c, const struct app_run *ar, char *out, size_t n)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l = NULL;
	out[0] = '\0';
	if (ar->sf || ar->demo_dir)
		return;
	o.filter = "status = running";
	if (ry_runlist_open(&l, c->st, &o) == 0 && ry_runlist_count(l)) {
		size_t k = ry_runlist_count(l);
		snprintf(out, n, "runyard: %zu run%s still running and keep%s running (quitting stops none); "
		         "'runyard logs -f RUN' follows one", k, k == 1 ? "" : "s", k == 1 ? "s" : "");
	}
	ry_runlist_free(l);
}

int tui_app_run(const struct tui_app_options *g, bool demo)
{
	struct tui_ctx ctx;
	struct app_run ar = { 0 };
	char note[256] = "";
	tui_listing_malloc_init();
	memset(&ctx, 0, sizeof ctx);
	ctx.chart.grid = -1; /* RY_VIEW_INIT: nothing chosen yet */
	int rc = open_workspace(&ctx, &ar, g, demo);
	if (rc == 0)
		rc = set_up_screen(&ctx, &ar, g);
	if (rc == 0) {
		rc = run_loop(&ctx, ar.sf);
		quit_note(&ctx, &ar, note, sizeof note);
		close_screen(&ctx);
	}
	tear_down(&ctx, &ar);
	if (note[0])
		fprintf(stderr, "%s\n", note);
	return rc;
}
