#!/bin/sh
# Issue 13, first hour: the mouse (click a row to put the cursor there,
# click it again to open it, click a column header to sort by it, the wheel
# scrolls; `mouse = off` in the config leaves the mouse to the terminal),
# copying a run's id, uuid or command with OSC 52, and notes edited in
# $EDITOR.  The real binary in tmux, under TERM=xterm-256color: its
# terminfo has kmous=\E[< and XM, so curses asks for xterm's SGR (1006)
# mouse reports, which the tests type into the pane as a terminal would
# send them: ESC [ < BUTTON ; COLUMN ; ROW M (press) or m (release), 1-based.
. "$(dirname "$0")/lib.sh"
seed 20 30
T_TERM=xterm-256color

# click COL ROW: the first button pressed and released on that cell.
click() { type_text "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$1" "$2" "$1" "$2")"; }
# wheel down|up COL ROW: one notch (xterm sends a press only).
wheel() { type_text "$(printf '\033[<%d;%d;%dM' "$([ "$1" = down ] && echo 65 || echo 64)" "$2" "$3")"; }
# pane_flag NAME: what tmux knows of the mouse modes runyard asked for.
pane_flag() { tmux -S "$SOCK" display -p "#{$1}"; }
# expect_mouse 1|0 NAME: the pane's button and SGR mouse modes are both on, or both off.
expect_mouse() {
	local got="$(pane_flag mouse_standard_flag)$(pane_flag mouse_sgr_flag)"
	if [ "$got" = "$1$1" ]; then ok "$2"; else fail "$2 (standard, sgr: $got)"; fi
}
# quit_clean: Q leaves with status 0 (a sanitizer's report would change it).
quit_clean() {
	send Q
	if wait_for "RUNYARD-EXITED" && [ "$(cat "$T_TMP/exit_status")" = 0 ]; then ok "Q quits with status 0"
	else fail "Q quits with status 0 (got $(cat "$T_TMP/exit_status" 2>/dev/null))"; fi
}
# status_has TEXT: the status bar (or the key-hint bar under it) shows TEXT now.
status_has() { screen | tail -n 2 | grep -qF -- "$1"; }
expect_status() { if wait_until status_has "$1"; then ok "$2"; else fail "$2 (status never showed '$1')"; fi; }

# ---- the mouse -----------------------------------------------------------
# 120x40: the experiments pane is columns 1-30, the table's header is row
# 2 and its first run row 3 (1-based, as the reports count).
tui_start
expect_screen "1/20 runs" "the main screen opens"
expect_mouse 1 "runyard asks the terminal for SGR mouse reports (clicks and the wheel)"
click 60 6
expect_status "4/20 runs" "a click on the fourth run row puts the cursor there"
wheel down 60 10
expect_status "7/20 runs" "the wheel scrolls the runs list (three rows a notch)"
wheel up 60 10
expect_status "4/20 runs" "the wheel scrolls back up"
click 40 2
expect_status "sort: name:asc" "a click on the name header sorts by name"
click 40 2
expect_status "sort: name:desc" "a second click on the same header reverses the sort"
AT=$(screen | tail -n 2 | grep -o '[0-9]*/20 runs')
click 60 1
click 60 40
click 60 39
click 60 23
expect_status "sort: name:desc  $AT" "clicks on the title and status bars and below the rows do nothing"
click 5 5
expect_status "exp: churn-xgboost" "a click on an experiment in the pane selects it"
click 60 30
click 60 9
expect_status "1/5 runs" "a click below the last run of a short list moves nothing"
click 5 3
expect_status "exp: all" "a click on (all experiments) selects every run again"
click 60 3
click 60 3
expect_screen "Params" "a second click on the run under the cursor opens it (as Enter)"
wheel down 60 20
expect_status "line 4/" "the wheel scrolls the run detail"
send q
expect_screen "Experiments" "q goes back to the runs"

# A picker (the columns): a click selects an item, a second one toggles it.
send C
expect_status "Enter applies" "C opens the column picker"
# the picker's rows, not a half-drawn frame's: line 5 is an item
picker_row() { BEFORE=$(screen | sed -n 5p); case $BEFORE in *'['?']'*) return 0;; esac; return 1; }
wait_until picker_row
click 10 5
click 10 5
toggled() { [ "$(screen | sed -n 5p | cut -c1-6)" != "$(echo "$BEFORE" | cut -c1-6)" ]; }
if wait_until toggled; then ok "a double click on a picker item toggles it"
else fail "a double click on a picker item toggles it (was '$BEFORE')"; fi
send q
expect_screen "Experiments" "q closes the picker, nothing applied"

# The registry and one model: a click selects, a click on the selection opens.
send R
expect_screen "cifar10-classifier" "R opens the registry"
click 10 3
click 10 3
expect_screen "VER" "a double click on a model opens it"
click 10 5
expect_status "version 2/" "a click on the second version selects it"
send q q

# Compare: a click in a run's column puts the column cursor on it, and a
# second click opens that run.
send Space Space
expect_status "2 marked" "two runs are marked"
send c
expect_screen "compare" "c compares them"
# the second run's name from the header row, once it is drawn
run_b() { B=$(screen | sed -n 2p | sed -n 's/.* b \([^ ]*\) *$/\1/p'); [ -n "$B" ]; }
wait_until run_b
# Two runs at 120 columns: the label column, then 30 columns a run; b is
# columns 54-83.
click 71 3
click 71 3
# The run's screen: its name on the third line, under the status.
opened_b() { screen | sed -n 1p | grep -qF "runyard · run ·" && screen | sed -n 3p | grep -qxF "  $B"; }
if wait_until opened_b; then ok "a double click in the second run's column opens that run ($B)"
else fail "a double click in the second run's column opens that run ($B)"; fi
send q q
wait_for "Experiments" >/dev/null
send ?
expect_screen "copy" "the help lists the copy action"
send G
expect_screen "Mouse (on; 'mouse = off' in the config leaves it to the terminal)" "the help has the mouse, on"
expect_screen "click a header" "the help says a header click sorts"
send q
wait_for "Experiments" >/dev/null
quit_clean
expect_mouse 0 "after quitting the terminal reports the mouse no more (the shell gets it back)"

# ---- copy with OSC 52: y opens the copy menu, Enter copies the row under
# the cursor; tmux (set-clipboard on) keeps what an OSC 52 copied as its
# newest paste buffer.
# A run whose command holds a newline: it must reach the clipboard inert.
"$RUNYARD" run --db "$DB" -e copytest --name two-lines -- echo "a
b" >/dev/null 2>&1 ||
	{ echo "Bail out! cannot track the two-line run"; exit 1; }
buffer() { tmux -S "$SOCK" show-buffer 2>/dev/null; }
# buffer_is TEXT: the newest paste buffer is exactly TEXT.
buffer_is() { [ "$(buffer)" = "$1" ]; }
expect_buffer() {
	if wait_until buffer_is "$1"; then ok "$2"; else fail "$2 (the buffer holds '$(buffer | od -c | head -3)', not '$1')"; fi
}
# The header click above sorted by name, and the runs screen remembers its
# sort (the automatic view, docs/tui.md): newest first again for the rows below.
sqlite3 "$DB" "DELETE FROM settings WHERE key = 'tui.view'"
tui_start
tmux -S "$SOCK" set-option -g set-clipboard on
expect_screen "1/21 runs" "the main screen opens (copy)"
ID=$("$RUNYARD" runs --db "$DB" --json 2>/dev/null | sed -n 's/.*"id": *\([0-9]*\).*"name": *"two-lines".*/\1/p' | head -1)
[ -n "$ID" ] || ID=$(sqlite3 "$DB" "SELECT id FROM runs WHERE name = 'two-lines'")
UUID=$(sqlite3 "$DB" "SELECT uuid FROM runs WHERE id = $ID")
send j k
if [ -z "$(tmux -S "$SOCK" list-buffers 2>/dev/null)" ]; then
	ok "nothing reaches the clipboard without the copy key"
else
	fail "nothing reaches the clipboard without the copy key ($(tmux -S "$SOCK" list-buffers))"
fi
send y
expect_screen "Copy to the clipboard" "y opens the copy menu"
expect_screen "uuid     $UUID" "the menu shows the run's uuid"
send Enter
expect_buffer "$ID" "Enter on the first row copies the run id"
expect_status "copied the run id to the clipboard: $ID" "the status says what was copied"
send y j Enter
expect_buffer "$UUID" "the second row copies the uuid"
send y j j Enter
expect_buffer "echo 'a^Jb'" "the command is copied with its newline shown as ^J, never raw"
send Enter
expect_screen "Params" "Enter opens the run"
send y G Enter
expect_buffer "echo 'a^Jb'" "y in the run detail copies too"
quit_clean

# ---- notes in $EDITOR: e on the run detail opens the editor on a file
# holding the note, with the terminal the editor's (echo, line editing, no
# mouse reports) and the screen back afterwards; what it saves is the note.
EDIT_MODE="$T_TMP/edit_mode"
notes_of() { "$RUNYARD" show --db "$DB" --json "$1" 2>/dev/null | sed -n 's/^[[:space:]]*"notes":[[:space:]]*\(.*\),$/\1/p'; }
export VISUAL= EDITOR="$T_TMP/editor.sh"
tui_start
cat >"$EDITOR" <<EOS
#!/bin/sh
cp "\$1" "$T_TMP/seen"
stty -a >"$T_TMP/stty_in_editor"
tmux -S "$SOCK" display -p '#{mouse_any_flag}' >"$T_TMP/mouse_in_editor"
case \$(cat "$EDIT_MODE") in
write) printf 'first line\nsecond line, longer\n\n' >"\$1" ;;
same) ;;
fail) printf 'not this\n' >"\$1"; exit 3 ;;
empty) : >"\$1" ;;
esac
EOS
chmod +x "$EDITOR"
expect_screen "1/21 runs" "the main screen opens (notes)"
send j
send Enter
expect_screen "Params" "Enter opens a run"
RID=$(screen | sed -n 's/.*#\([0-9][0-9]*\)  [0-9a-f-]\{36\}.*/\1/p' | head -1)
echo write >"$EDIT_MODE"
send e
expect_status "notes saved" "e runs the editor and saves what it wrote"
expect_screen "second line, longer" "the detail shows the multi-line note"
if [ "$(notes_of "$RID")" = '"first line\nsecond line, longer"' ]; then
	ok "the CLI sees the two-line note (trailing blank lines dropped)"
else
	fail "the CLI sees the two-line note (got $(notes_of "$RID"))"
fi
if grep -q ' icanon' "$T_TMP/stty_in_editor" && grep -q ' echo ' "$T_TMP/stty_in_editor" &&
   [ "$(cat "$T_TMP/mouse_in_editor")" = 0 ]; then
	ok "the editor gets the terminal back as the shell had it: line editing, echo, no mouse reports"
else
	fail "the editor gets the terminal back as the shell had it (mouse=$(cat "$T_TMP/mouse_in_editor"); $(head -c 300 "$T_TMP/stty_in_editor"))"
fi
if [ "$(pane_flag mouse_any_flag)" = 1 ]; then
	ok "after the editor the app asks for the mouse again"
else
	fail "after the editor the app asks for the mouse again"
fi
echo same >"$EDIT_MODE"
send e
expect_status "notes unchanged" "saving the same text changes nothing"
if [ "$(printf 'first line\nsecond line, longer\n')" = "$(cat "$T_TMP/seen")" ]; then
	ok "the editor's file holds the current note"
else
	fail "the editor's file holds the current note (got '$(cat "$T_TMP/seen")')"
fi
echo fail >"$EDIT_MODE"
send e
expect_screen "notes kept as they were: the editor '$EDITOR' exited with status 3" "an editor exiting non-zero keeps the note and says so"
if [ "$(notes_of "$RID")" = '"first line\nsecond line, longer"' ]; then
	ok "the note is unchanged after the failed edit"
else
	fail "the note is unchanged after the failed edit (got $(notes_of "$RID"))"
fi
echo empty >"$EDIT_MODE"
send e
expect_status "notes cleared" "an emptied file clears the note"
expect_screen "no notes; press e" "the detail says there are no notes"
case $(notes_of "$RID") in '""'|null|'') cleared=yes ;; *) cleared=no ;; esac
if [ "$cleared" = yes ]; then
	ok "the CLI sees the note cleared"
else
	fail "the CLI sees the note cleared (got $(notes_of "$RID"))"
fi
quit_clean

# No editor can be run: the one-line prompt edits the note instead.
export EDITOR=runyard-no-such-editor
tui_start
expect_screen "1/21 runs" "the main screen opens (no editor)"
send Enter
expect_screen "Params" "Enter opens a run (no editor)"
send e
expect_screen "cannot run the editor 'runyard-no-such-editor'" "without an editor e says so"
expect_screen "notes:" "and opens the one-line prompt"
send Escape
wait_gone "notes:" >/dev/null
quit_clean
unset EDITOR VISUAL

# ---- mouse = off: the mouse stays the terminal's (its own selection works)
export RUNYARD_CONFIG="$T_TMP/runyard.conf"
printf 'mouse = off\n' >"$RUNYARD_CONFIG"
tui_start
expect_screen "1/21 runs" "the main screen opens with mouse = off"
expect_mouse 0 "with mouse = off runyard never asks the terminal for mouse reports"
send ?
send G
expect_screen "Mouse (off" "the help says the mouse is off"
send q
quit_clean

# A value that is neither on nor off is said, and the mouse stays on.
printf 'mouse = sometimes\n' >"$RUNYARD_CONFIG"
tui_start
expect_screen "config: mouse = sometimes: use on or off (the mouse stays on)" "a bad mouse value is reported"
expect_mouse 1 "and the mouse stays on"
quit_clean
unset RUNYARD_CONFIG

t_end
