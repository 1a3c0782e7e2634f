/*
 * Run edits from the screen (tags, name, delete), shared by the runs table
 * and the run's screen: the same core calls as `runyard tag`, `untag`,
 * `rename`, `note` and `rm`.  Handlers open prompts and pickers; they never draw.
 */
#ifndef TUI_VIEWS_EDIT_H
#define TUI_VIEWS_EDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "app/keymap.h"

struct tui_ctx;
struct tui_view;

/* edit-notes, tag-add, tag-remove, rename or delete-run on run id (0: none under the
 * cursor), the prompt or picker owned by v; marks: delete-run takes the
 * marked runs when there are some; pop: v closes once its run is deleted.
 * Reaction bits; TUI_UNHANDLED for any other action. */
int tui_edit_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a, int64_t id, bool marks, bool pop);

/* edit-notes: run id's notes in $VISUAL/$EDITOR, else a one-line prompt
 * owned by v. */
int tui_edit_notes(struct tui_view *v, struct tui_ctx *c, int64_t id);

/* The owner's prompt callback for TUI_PROMPT_NOTES, _TAG, _RENAME and _DELETE;
 * TUI_UNHANDLED for other kinds. */
int tui_edit_prompt(struct tui_ctx *c, int kind, const char *text, bool final, bool cancel);

/* `:tag K=V...`, `:untag K...`, `:rename NAME`, `:delete` on run id (with
 * no argument: the key's prompt); TUI_UNHANDLED for other commands. */
int tui_edit_command(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg, int64_t id, bool marks,
                     bool pop);

#endif
