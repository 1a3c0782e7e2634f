#!/bin/sh
# First hour (issue 13), the papercuts: a mistyped --db or -e says it
# creates something new, K says why a run cannot be cancelled, and
# :save-display says what it saved.  The real binary, in tmux and on the
# command line.
. "$(dirname "$0")/lib.sh"

# restart [ARGS...]: a fresh TUI session on $DB (the last one is closed).
restart() {
	send q
	wait_for "RUNYARD-EXITED" >/dev/null
	tmux -S "$SOCK" kill-server 2>/dev/null
	tui_start "$@"
}

# -- the command line: a new workspace and a new experiment are named as new
NEW="$T_TMP/typo.db"
"$RUNYARD" run --db "$NEW" -e NEWNAME -- true 2>"$T_TMP/run1.err" >/dev/null
if grep -qF "created a new workspace at $NEW" "$T_TMP/run1.err"; then
	ok "run --db on a missing file says it creates a workspace"
else
	fail "run --db on a missing file says it creates a workspace ($(cat "$T_TMP/run1.err"))"
fi
if grep -qF "in experiment NEWNAME (new experiment)" "$T_TMP/run1.err"; then
	ok "run -e NEWNAME says (new experiment)"
else
	fail "run -e NEWNAME says (new experiment) ($(cat "$T_TMP/run1.err"))"
fi
"$RUNYARD" run --db "$NEW" -e NEWNAME -- true 2>"$T_TMP/run2.err" >/dev/null
if grep -qF "in experiment NEWNAME" "$T_TMP/run2.err" && ! grep -qF "new experiment" "$T_TMP/run2.err" &&
   ! grep -qF "created a new workspace" "$T_TMP/run2.err"; then
	ok "a second run in the same experiment and workspace says neither"
else
	fail "a second run in the same experiment and workspace says neither ($(cat "$T_TMP/run2.err"))"
fi

# -- the TUI on a file that does not exist says it created one
DB="$T_TMP/typo2.db"
tui_start
expect_screen "created a new, empty workspace" "runyard --db on a missing file says it creates a workspace"

# -- K on a finished local run says why it cannot be cancelled
DB="$NEW"
restart
expect_screen "1/2 runs" "the main screen opens on the new workspace"
send K
expect_screen "cannot cancel: this run is finished, not running" "K on a finished run says why it cannot be cancelled"

# -- :save-display confirms what it saved
send :
type_text "save-display $T_TMP/shot.txt"
send Enter
expect_screen "saved the screen (120x40) to $T_TMP/" ":save-display confirms what it saved"
if [ -s "$T_TMP/shot.txt" ] && ! grep -qF "saved the screen" "$T_TMP/shot.txt"; then
	ok "the saved file holds the screen, not the confirmation"
else
	fail "the saved file holds the screen, not the confirmation"
fi
send q
wait_for "RUNYARD-EXITED" >/dev/null
t_end
