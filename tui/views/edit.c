/*
 * Changing a run from the screen: tags (a `key=value` prompt, a pick from
 * the run's tags to remove one), its name, and deleting it (a y/N confirm
 * that names the run, or says how many marked runs go).  The runs table and
 * the run's screen both come here, by key or by `:tag`, `:untag`,
 * `:rename`, `:delete`; each change is the core call `runyard tag`,
 * `untag`, `rename` and `rm` make, so a refusal reads as the command line
 * words it (core writes the message).  It never draws.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/editor.h"
#include "app/tui.h"
#include "text/text.h"
#include "views/edit.h"

/* The run's name for a question or a message, fitted. */
static void run_label(struct tui_ctx *c, int64_t id, char *out, size_t n)
{
	ry_run *r = NULL;
	if (ry_run_get(&r, c->st, id) == 0 && r->name && *r->name)
		tui_text_fit(out, n, r->name, 40, false, false, c->utf8);
	else
		snprintf(out, n, "#%lld", (long long)id);
	ry_run_free(r);
}

/* K=V: set one tag (K= an empty value), as `runyard tag RUN K=V`. */
static int tag_add(struct tui_ctx *c, int64_t id, const char *text)
{
	const char *eq = strchr(text, '=');
	if (!eq || eq == text) {
		tui_error(c, "a tag is key=value (key= for an empty value): '%s'", text);
		return TUI_REDRAW;
	}
	char *key = ry_xstrndup(text, (size_t)(eq - text));
	if (ry_run_set_tag(c->st, id, key, eq + 1) < 0)
		tui_error(c, "tag not set: %s", ry_error_last());
	else
		tui_msg(c, "tagged %s=%s", key, eq + 1);
	free(key);
	return TUI_RELOAD;
}

static int tag_remove(struct tui_ctx *c, int64_t id, const char *key)
{
	if (ry_run_unset_tag(c->st, id, key) < 0)
		tui_error(c, "tag not removed: %s", ry_error_last());
	else
		tui_msg(c, "removed tag %s", key);
	return TUI_RELOAD;
}

static int rename_run(struct tui_ctx *c, int64_t id, const char *name)
{
	if (ry_run_rename(c->st, id, name) < 0)
		tui_error(c, "not renamed: %s", ry_error_last());
	else
		tui_msg(c, "renamed to %s", name);
	return TUI_RELOAD;
}

static void untag_chosen(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	(void)owner;
	if (n < 1 || !c->edit_id)
		return;
	/* The items read key=value; a key never holds '=' (runyard tag splits there). */
	const char *eq = strchr(chosen[0], '=');
	char *key = eq ? ry_xstrndup(chosen[0], (size_t)(eq - chosen[0])) : ry_xstrdup(chosen[0]);
	c->dirty |= tag_remove(c, c->edit_id, key);
	free(key);
}

/* T: a pick from the run's tags. */
static int ask_untag(struct tui_view *v, struct tui_ctx *c, int64_t id)
{
	ry_run *r = NULL;
	if (ry_run_get(&r, c->st, id) < 0) {
		tui_error(c, "%s", ry_error_last());
		return TUI_REDRAW;
	}
	if (!r->ntags) {
		tui_error(c, "this run has no tags (t adds one)");
		ry_run_free(r);
		return TUI_REDRAW;
	}
	char **items = ry_xcalloc(r->ntags, sizeof *items);
	for (size_t i = 0; i < r->ntags; i++)
		items[i] = ry_xasprintf("%s=%s", r->tags[i].key, r->tags[i].value ? r->tags[i].value : "");
	struct tui_picker_arg a = {
		.title = "Remove which tag? Enter removes it, q keeps them all",
		.items = (const char *const *)items, .nitems = r->ntags, .done = untag_chosen, .owner = v,
	};
	c->edit_id = id;
	tui_view_push(c, &tui_view_picker, &a);
	ry_strings_free(items, r->ntags);
	ry_run_free(r);
	return TUI_REDRAW;
}

/* D: one y/N question for the run, or for every marked run. */
static int ask_delete(struct tui_view *v, struct tui_ctx *c, int64_t id, bool marks, bool pop)
{
	char label[256], name[64];
	if (marks && c->nmarked) {
		snprintf(label, sizeof label, "delete the %zu marked run%s? (y/N) ", c->nmarked,
		         c->nmarked == 1 ? "" : "s");
		c->edit_id = 0;
	} else {
		run_label(c, id, name, sizeof name);
		snprintf(label, sizeof label, "delete run %s? (y/N) ", name);
		c->edit_id = id;
	}
	c->edit_pop = pop;
	tui_prompt_open(c, v, TUI_PROMPT_DELETE, label, "");
	return TUI_REDRAW;
}

/* Delete the run asked about, or the marked ones (edit_id 0), through the
 * call `runyard rm` makes (no --force): the first refusal stops there and
 * is shown as core words it. */
static int do_delete(struct tui_ctx *c)
{
	int64_t one = c->edit_id;
	size_t n = one ? 1 : c->nmarked, done = 0;
	int64_t *ids = ry_xcalloc(n ? n : 1, sizeof *ids);
	char name[64] = "";
	int r = TUI_RELOAD;
	if (one)
		ids[0] = one;
	else
		memcpy(ids, c->marked, n * sizeof *ids);
	for (size_t i = 0; i < n; i++) {
		run_label(c, ids[i], name, sizeof name);
		if (ry_registry_run_delete(c->st, ids[i], false) < 0) {
			if (done)
				tui_error(c, "deleted %zu run%s, then stopped: %s", done, done == 1 ? "" : "s", ry_error_last());
			else
				tui_error(c, "%s", ry_error_last());
			break;
		}
		if (tui_marked(c, ids[i]))
			tui_mark_toggle(c, ids[i]);
		done++;
	}
	if (done == n) {
		if (n == 1)
			tui_msg(c, "deleted run %s", name);
		else
			tui_msg(c, "deleted %zu runs", n);
		if (c->edit_pop)
			r |= TUI_POP;
	}
	free(ids);
	return r;
}

/* `e`: the notes in the user's editor, multi-line.  Saving the same text
 * changes nothing, an emptied file clears them, and an editor that fails
 * keeps them as they were; where no editor can run (none installed, a
 * script) the one-line prompt edits them instead. */
int tui_edit_notes(struct tui_view *v, struct tui_ctx *c, int64_t id)
{
	ry_run *r = NULL;
	char why[512], *text = NULL;
	if (!id) {
		tui_error(c, "no run under the cursor");
		return TUI_REDRAW;
	}
	if (ry_run_get(&r, c->st, id) < 0) {
		tui_error(c, "%s", ry_error_last());
		return TUI_REDRAW;
	}
	const char *old = r->notes ? r->notes : "";
	c->edit_id = id;
	switch (tui_edit_text(c, old, &text, why, sizeof why)) {
	case TUI_EDIT_NO_EDITOR:
		tui_prompt_open(c, v, TUI_PROMPT_NOTES, "notes: ", old);
		if (!c->headless)
			tui_error(c, "%s: edit the notes on one line", why);
		break;
	case TUI_EDIT_FAILED:
		tui_error(c, "notes kept as they were: %s", why);
		break;
	case TUI_EDIT_SAVED:
		if (!strcmp(text, old))
			tui_msg(c, "notes unchanged");
		else if (ry_run_set_notes(c->st, id, text) < 0)
			tui_error(c, "notes not saved: %s", ry_error_last());
		else
			tui_msg(c, *text ? "notes saved" : "notes cleared");
		break;
	}
	free(text);
	ry_run_free(r);
	return TUI_RELOAD;
}

int tui_edit_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a, int64_t id, bool marks, bool pop)
{
	char label[256], name[64];
	ry_run *r = NULL;
	switch (a) {
	case TUI_ACT_EDIT_NOTES:
		return tui_edit_notes(v, c, id);
	case TUI_ACT_TAG_ADD: case TUI_ACT_TAG_REMOVE: case TUI_ACT_RENAME: case TUI_ACT_DELETE_RUN:
		break;
	default:
		return TUI_UNHANDLED;
	}
	if (a == TUI_ACT_DELETE_RUN && marks && c->nmarked)
		return ask_delete(v, c, 0, true, pop);
	if (!id) {
		tui_error(c, "no run under the cursor");
		return TUI_REDRAW;
	}
	switch (a) {
	case TUI_ACT_TAG_ADD:
		c->edit_id = id;
		tui_prompt_open(c, v, TUI_PROMPT_TAG, "tag (key=value): ", "");
		return TUI_REDRAW;
	case TUI_ACT_TAG_REMOVE:
		return ask_untag(v, c, id);
	case TUI_ACT_RENAME:
		if (ry_run_get(&r, c->st, id) < 0) {
			tui_error(c, "%s", ry_error_last());
			return TUI_REDRAW;
		}
		run_label(c, id, name, sizeof name);
		snprintf(label, sizeof label, "rename %s to: ", name);
		c->edit_id = id;
		tui_prompt_open(c, v, TUI_PROMPT_RENAME, label, r->name ? r->name : "");
		ry_run_free(r);
		return TUI_REDRAW;
	default:
		return ask_delete(v, c, id, false, pop);
	}
}

int tui_edit_prompt(struct tui_ctx *c, int kind, const char *text, bool final, bool cancel)
{
	if (kind != TUI_PROMPT_TAG && kind != TUI_PROMPT_RENAME && kind != TUI_PROMPT_DELETE &&
	    kind != TUI_PROMPT_NOTES)
		return TUI_UNHANDLED;
	if (!final || cancel) {
		if (cancel && kind == TUI_PROMPT_DELETE)
			tui_msg(c, "not deleted");
		return TUI_REDRAW;
	}
	switch (kind) {
	case TUI_PROMPT_NOTES:
		if (ry_run_set_notes(c->st, c->edit_id, text) < 0)
			tui_error(c, "notes not saved: %s", ry_error_last());
		else
			tui_msg(c, "notes saved");
		return TUI_RELOAD;
	case TUI_PROMPT_TAG:
		return tag_add(c, c->edit_id, text);
	case TUI_PROMPT_RENAME:
		return rename_run(c, c->edit_id, text);
	default:
		if (text[0] != 'y' && text[0] != 'Y') {
			tui_msg(c, "not deleted");
			return TUI_REDRAW;
		}
		return do_delete(c);
	}
}

int tui_edit_command(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg, int64_t id, bool marks,
                     bool pop)
{
	int r = 0;
	if (!strcmp(cmd, "delete"))
		return tui_edit_action(v, c, TUI_ACT_DELETE_RUN, id, marks, pop);
	if (strcmp(cmd, "tag") && strcmp(cmd, "untag") && strcmp(cmd, "rename"))
		return TUI_UNHANDLED;
	if (!*arg)
		return tui_edit_action(v, c, !strcmp(cmd, "tag") ? TUI_ACT_TAG_ADD
		                             : !strcmp(cmd, "untag") ? TUI_ACT_TAG_REMOVE : TUI_ACT_RENAME,
		                       id, marks, pop);
	if (!id) {
		tui_error(c, "no run under the cursor");
		return TUI_REDRAW;
	}
	if (!strcmp(cmd, "rename"))
		return rename_run(c, id, arg);
	/* :tag K=V K=V..., :untag K K...: words, as the command line takes them. */
	char *copy = ry_xstrdup(arg), *save = NULL;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		r |= !strcmp(cmd, "tag") ? tag_add(c, id, w) : tag_remove(c, id, w);
	free(copy);
	return r | TUI_REDRAW;
}
