#!/bin/sh
# Hostile text: a run named with raw escape sequences (clear screen, set the
# window title, bell) and a long CJK param must render as visible text and
# never reach the terminal.
. "$(dirname "$0")/lib.sh"
seed 10 10
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 is not installed"
	exit 77
fi
sqlite3 "$DB" "UPDATE runs SET name = char(27)||'[2J'||char(27)||']0;pwned'||char(7)||'evil',
                 created = strftime('%s','now') + 100
               WHERE id = (SELECT min(id) FROM runs);
               INSERT OR REPLACE INTO params(run_id, key, value)
                 SELECT min(id), 'note', '長い日本語のテキスト長い日本語のテキスト長い日本語のテキスト' FROM runs;" ||
	{ echo "Bail out! cannot edit the workspace with sqlite3"; exit 1; }
tmux_title_before=unset

tui_start
expect_screen "1/10 runs" "the main screen opens"
expect_screen "^[[2J^[]0;pwned" "escape sequences in a name are shown as visible text"
if tmux -S "$SOCK" display-message -p '#{pane_title}' | grep -q pwned; then
	fail "the window title was not changed"
else
	ok "the window title was not changed"
fi
expect_screen "Experiments" "the screen was not cleared"
send Enter
expect_screen "^[]0;pwned^Gevil" "the detail view shows the name safely"
expect_screen "長い日本語" "wide characters are shown"
send q q
wait_for "RUNYARD-EXITED"
if tmux -S "$SOCK" display-message -p '#{pane_title}' | grep -q pwned; then
	fail "the title is still untouched after exit"
else
	ok "the title is still untouched after exit"
fi
t_end
