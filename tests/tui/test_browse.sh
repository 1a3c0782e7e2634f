#!/bin/sh
# The main screen in a real terminal (tmux): open, move, sort, live filter
# (good and bad), search, help, column cursor, resize, theme switch, and a
# clean terminal after quitting.
. "$(dirname "$0")/lib.sh"
seed 40 40

tui_start
expect_screen "Experiments" "the main screen opens"
expect_screen "1/40 runs" "the status bar counts the runs"
expect_screen "sort: created:desc" "the status bar shows the default sort"

# Live: another process changes the workspace; the screen follows, no key pressed.
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$DB" "UPDATE runs SET name = 'renamed-live' WHERE id =
	                 (SELECT id FROM runs ORDER BY created DESC LIMIT 1)"
	expect_screen "renamed-live" "a change by another process appears without a keypress"
fi
"$RUNYARD" demo --db "$DB" --runs 5 --steps 5 --seed 7 >/dev/null 2>&1 &
expect_screen "/45 runs" "runs added by another process appear without a keypress"
wait
# A running run's elapsed time moves with the clock.
running=$(screen | grep "●" | head -1)
if [ -n "$running" ] && wait_gone "$running" 10; then
	ok "a running run's duration updates by itself"
else
	fail "a running run's duration updates by itself (line: '$running')"
fi

send j j j
expect_screen "4/45 runs" "j moves the cursor down"
send k
expect_screen "3/45 runs" "k moves the cursor up"
send G
expect_screen "45/45 runs" "G jumps to the last run"
send g
expect_screen "1/45 runs" "g jumps to the first run"

# Column cursor starts on name; s sorts by it.
send s
expect_screen "sort: name:asc" "s sorts by the column under the cursor"
send l l l S
expect_screen "sort: host:desc" "l moves the column cursor, S sorts descending"

# Live filter: applied as typed; a bad one keeps the last good result.
send /
type_text "status = failed"
expect_screen "filter: status = failed" "the filter applies while typing"
if screen | grep -q "✓"; then fail "only failed runs are listed"; else ok "only failed runs are listed"; fi
type_text " and"
expect_screen "expected" "an incomplete filter shows its parse error inline"
if screen | grep -q "filter: status = failed "; then ok "the table keeps the last good filter"; else fail "the table keeps the last good filter"; fi
send Escape
expect_screen "filter: (none)" "Esc restores the filter from before"
send /
type_text "params.lr < 0.001"
send Enter
expect_screen "filter: params.lr < 0.001" "Enter keeps a valid filter"
send : 
type_text "filter"
send Enter
expect_screen "filter: (none)" ":filter with nothing clears the filter"

# Plain-text search.
NAME=$("$RUNYARD" runs --db "$DB" --sort created:asc --limit 1 2>/dev/null | awk 'NR==2 {print $2}')
send f
type_text "zzz-no-such-run"
send Enter
expect_screen "no run name contains" "a search without a match says so"

send "?"
expect_screen "Keys of the runs screen" "? opens help for this screen"
expect_screen "sort-asc" "help lists the screen's bindings"
expect_screen "move-down" "help lists the generic bindings"
send q
expect_screen "Experiments" "q goes back from help"

tmux -S "$SOCK" resize-window -x 70 -y 20
expect_screen "filter:" "the screen redraws after a resize"
tmux -S "$SOCK" resize-window -x 50 -y 10
expect_screen "needs at least" "a too-small window shows a clear message"
tmux -S "$SOCK" resize-window -x 120 -y 40
expect_screen "Experiments" "the full screen comes back when enlarged"

send :
type_text "theme light"
send Enter
expect_screen "theme light" ":theme switches the theme"
send :
type_text "theme no-such-theme"
send Enter
expect_screen "kept the light theme" "a missing theme is reported and the current one kept"

send q
if wait_for "RUNYARD-EXITED"; then ok "q quits"; else fail "q quits"; fi
if [ "$(cat "$T_TMP/exit_status" 2>/dev/null)" = 0 ]; then ok "exit status 0"; else fail "exit status 0"; fi
if grep -qw -- "icanon" "$T_TMP/stty_after" && grep -qw -- "echo" "$T_TMP/stty_after" &&
   ! grep -qw -- "-icanon" "$T_TMP/stty_after" && ! grep -qw -- "-echo" "$T_TMP/stty_after"; then
	ok "the terminal is sane after quitting (icanon echo)"
else
	fail "the terminal is sane after quitting (icanon echo)"
	sed 's/^/#   /' "$T_TMP/stty_after"
fi
if [ "$(tmux -S "$SOCK" display-message -p '#{alternate_on}')" = 0 ]; then
	ok "the alternate screen was left"
else
	fail "the alternate screen was left"
fi
t_end
