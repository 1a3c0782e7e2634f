#!/bin/sh
# The first hour (issue 13), keys and prompts of the full-screen app, in
# tmux on the real binary: the key-hint bar (from the live keymap, fitted
# to the width, `hints = off`, F2), find with an empty prompt, counts,
# highlights and wrap messages, the `:` line's Tab completion and its
# history across restarts, and range marking and mark-all-visible.
. "$(dirname "$0")/lib.sh"

seed 40 20
TOTAL=$("$RUNYARD" runs --db "$DB" --csv --limit 1000 | tail -n +2 | wc -l | tr -d ' ')
FINISHED=$("$RUNYARD" runs --db "$DB" --filter 'status = finished' --csv --limit 1000 | tail -n +2 | wc -l | tr -d ' ')
last_row() { screen | tail -1; }
# wait_last TEXT: poll until the bottom row shows TEXT.
wait_last() {
	local deadline=$(( $(date +%s) + T_WAIT ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		last_row | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
CONF="$XDG_CONFIG_HOME/runyard/config"
mkdir -p "$(dirname "$CONF")"

# -- the key-hint bar ----------------------------------------------------------
tui_start
wait_for "runs" && wait_for "1/40 runs" || { echo "Bail out! the app did not start"; exit 1; }
if wait_last "Space mark+down" && last_row | grep -qF "/ filter" && last_row | grep -qF "f find"; then
	ok "the bottom row hints the runs screen's keys, Space's mark+down among them"
else
	fail "the bottom row hints the runs screen's keys, Space's mark+down among them"
fi
if screen | tail -2 | head -1 | grep -qF "exp: all"; then ok "the status line keeps its row above the bar"
else fail "the status line keeps its row above the bar"; fi
send Enter
if wait_last "w wrap" && last_row | grep -qF " find" && ! last_row | grep -qF "mark+down"; then
	ok "the run detail has hints of its own"
else
	fail "the run detail has hints of its own"
fi
send q
wait_last "mark+down" >/dev/null
# Narrow: items are dropped whole, the most important kept.
tmux -S "$SOCK" resize-window -x 70 -y 40
ITEMS='? help|q quit|Enter open|/ filter|f find|Space mark+down|c compare|s sort|V range|A mark all|u unmark|C columns|: command|Tab pane|L launch|H hosts|R registry|P promote|F2 hide hints|t tag|E rename|e notes|D delete|X export'
narrow_ok() {
	row=$(last_row | sed 's/^ *//; s/ *$//')
	[ "${#row}" -le 70 ] || return 1
	echo "$row" | grep -qF "? help" || return 1
	echo "$row" | sed 's/  /\n/g' | while IFS= read -r item; do
		echo "$ITEMS" | tr '|' '\n' | grep -qxF -- "$item" || { echo "cut: $item" >&2; exit 1; }
	done
}
deadline=$(( $(date +%s) + T_WAIT ))
until narrow_ok 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; do sleep 0.05; done
if narrow_ok; then ok "at 70 columns the bar drops whole items, never a cut word"
else fail "at 70 columns the bar drops whole items, never a cut word"; fi
tmux -S "$SOCK" resize-window -x 120 -y 40
wait_last "u unmark" >/dev/null
# F2 hides and shows the bar.
send F2
if wait_for "key hints hidden" && ! last_row | grep -qF "mark+down"; then ok "F2 hides the bar"
else fail "F2 hides the bar"; fi
send F2
if wait_last "mark+down"; then ok "F2 shows it again"; else fail "F2 shows it again"; fi
send Q

# A rebound key shows under its new name; hints = off hides the bar.
printf '[keys main]\nSpace = none\nm = mark\n' >"$CONF"
tui_start
if wait_last "m mark+down" && ! last_row | grep -qF "Space mark+down"; then
	ok "a rebound key shows in the bar under its new name"
else
	fail "a rebound key shows in the bar under its new name"
fi
send Q
printf 'hints = off\n' >"$CONF"
tui_start
wait_for "exp: all" >/dev/null
if wait_gone "mark+down" && screen | tail -1 | grep -qF "exp: all"; then
	ok "hints = off in the config: no bar, the status line is the bottom row"
else
	fail "hints = off in the config: no bar, the status line is the bottom row"
fi
send Q
rm -f "$CONF"

# -- find ---------------------------------------------------------------------
tui_start
wait_for "exp: all" >/dev/null
send f; type_text "-"; send Enter
expect_screen "match 1/$TOTAL" "find counts the matches: the run under the cursor is match 1/N"
send n
expect_screen "match 2/$TOTAL" "n moves to the next match and counts it"
send N; send N
expect_screen "match $TOTAL/$TOTAL (search wrapped to bottom)" "N past the first match says it wrapped to the bottom"
send n
expect_screen "match 1/$TOTAL (search wrapped to top)" "n past the last match says it wrapped to the top"
if tmux -S "$SOCK" capture-pane -e -p | grep -q '48;5;220'; then ok "the matches are highlighted in the visible rows"
else fail "the matches are highlighted in the visible rows"; fi
# f_empty NAME: f opens a find prompt with nothing in it (capture-pane drops trailing blanks).
f_empty() {
	send f
	if wait_for "find:" && screen | grep -qx ' *find:'; then ok "$1"; else fail "$1"; fi
}
f_empty "find's prompt starts empty, not with the last text"
type_text "zzqx"; send Enter
expect_screen "no run name contains 'zzqx'" "a find without a match says so"
# The run detail: the same prompt, counts and words.
send Enter
wait_for "Params" >/dev/null
f_empty "the detail's find prompt starts empty too"
type_text "e"; send Enter
expect_screen "match 1/" "the detail's find counts its matches"
send q
send Q

# -- the : command line ----------------------------------------------------------
tui_start
wait_for "exp: all" >/dev/null
send :; type_text "so"; send Tab
expect_screen ":sort" "Tab completes a command name"
send C-u; type_text "s"; send Tab
expect_screen "sort  save-display" "an ambiguous Tab lists the candidates"
send C-u; type_text "import ml"; send Tab
expect_screen ":import mlflow" "Tab completes a plugin name after :import"
send C-u; type_text "sort name"; send Enter
wait_for "sort: name" >/dev/null
send :; send Up
expect_screen ":sort name" "Up brings back the last command"
send Down
if wait_gone ":sort name"; then ok "Down walks back to the line being typed"; else fail "Down walks back to the line being typed"; fi
send Escape
send Q
tui_start
wait_for "exp: all" >/dev/null
send :; send Up
expect_screen ":sort name" "the history is kept for the workspace across restarts"
send Escape
send Q

# -- range marks and mark-all-visible ------------------------------------------
tui_start
wait_for "exp: all" >/dev/null
send V; send j; send j; send V
expect_screen "3 marked" "V, two rows down, V marks the three runs of the range"
send A
expect_screen "$TOTAL marked" "A marks every run the list shows"
send u
expect_no_screen "$TOTAL marked" "u still unmarks them all"
send /; type_text "status = finished"; send Enter
wait_for "filter: status = finished" >/dev/null
send A
expect_screen "  $FINISHED marked" "with a filter, A marks the runs it shows, no others"
send ?
# (the generic keys follow the screen's own: toggle-hints is further down)
if wait_for "mark-range" && screen | grep -qF "mark-all" && send / && type_text "toggle-hints" && send Enter && wait_for "toggle-hints  "; then
	ok "the help lists the new bindings"
else
	fail "the help lists the new bindings"
fi
send Q

t_end
