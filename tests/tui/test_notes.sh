#!/bin/sh
# Run detail in a real terminal: open it, scroll, jump sections, edit the
# notes in place and find them saved in the workspace; search the page.
. "$(dirname "$0")/lib.sh"
seed 20 30
# The one-line notes prompt: what `e` offers when no editor can be run
# (the editor itself: test_first_hour_mouse.sh).
export VISUAL= EDITOR=runyard-no-such-editor

tui_start
expect_screen "1/20 runs" "the main screen opens"
send Enter
expect_screen "Params" "Enter opens the run detail"
expect_screen "Metrics" "the detail lists metrics"
send e
expect_screen "notes:" "e opens the notes editor"
send C-u
type_text "needs a rerun with seed 7 — ünïcode ok"
send Enter
expect_screen "notes saved" "Enter saves the notes"
expect_screen "needs a rerun with seed 7" "the saved notes are shown"
ID=$(screen | sed -n 's/.*run #\([0-9]*\).*/\1/p' | head -1)
send /
type_text "commit"
send Enter
expect_screen "commit " "search jumps to a match in the page"
send Tab
expect_screen "line " "Tab jumps between sections"
send q
expect_screen "Experiments" "q goes back to the runs"
send q
wait_for "RUNYARD-EXITED"

if "$RUNYARD" show --db "$DB" "$ID" >"$T_TMP/show" 2>/dev/null; then
	if grep -qF "needs a rerun with seed 7 — ünïcode ok" "$T_TMP/show"; then
		ok "runyard show prints the saved notes"
	else
		fail "runyard show prints the saved notes"; sed 's/^/#   /' "$T_TMP/show"
	fi
else
	notes=$(sqlite3 "$DB" "SELECT notes FROM runs WHERE id = $ID")
	if [ "$notes" = "needs a rerun with seed 7 — ünïcode ok" ]; then
		ok "the notes are stored in the workspace"
	else
		fail "the notes are stored in the workspace (got '$notes')"
	fi
fi
t_end
