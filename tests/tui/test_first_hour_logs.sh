#!/bin/sh
# Issue 13, first hour: Esc never quits (it clears the prompt, then the
# filter, then the marks, and goes back one screen elsewhere); q on the runs
# screen quits, saying running runs keep running; the detail screen shows a
# log of tqdm and Keras progress bars as the terminal showed them, wrapped,
# cut and scrolled sideways with w and h/l, or raw with r.
. "$(dirname "$0")/lib.sh"
seed 10 10

# A finished run whose log has Keras' "\b" redraws, tqdm's "\r" ones and a
# line longer than the window, and a run that is still running.
cp "$SRCDIR/tests/helpers/train_progress.sh" "$T_TMP/train.sh"
# (outside any git checkout: a stored diff would put its own text on the page)
cd "$T_TMP" || exit 1
"$RUNYARD" --db "$DB" run -q -e logs --name progress -- "$T_TMP/train.sh" >/dev/null 2>&1 ||
	{ echo "Bail out! cannot record the progress run"; exit 1; }
"$RUNYARD" --db "$DB" run -q -e logs --name bgjob -- sh -c "while [ ! -e '$T_TMP/go' ]; do sleep 0.2; done" >/dev/null 2>&1 &
BG=$!
trap 'touch "$T_TMP/go"; wait $BG; cleanup' EXIT

tui_start
expect_screen "runs" "the main screen opens"
# Esc: the prompt, then the filter, then the marks; never out of the app.
send /
type_text "status = finished"
send Escape
expect_screen "filter: (none)" "Esc closes the filter prompt, the filter from before stays"
send /
type_text "status = finished"
send Enter
expect_screen "filter: status = finished" "a filter is applied"
send Space Space
expect_screen "2 marked" "two runs marked"
send Escape
expect_screen "filter: (none)" "Esc clears the filter"
expect_screen "2 marked" "... and keeps the marks"
send Escape
expect_no_screen "2 marked" "Esc again clears the marks"
send Escape
expect_screen "nothing to clear (q quits)" "Esc with nothing to clear says so"
send Escape Escape
if wait_for "RUNYARD-EXITED" 1; then fail "Esc never quits the app"; else ok "Esc never quits the app"; fi

# The progress run's log, as the terminal showed it.
send /
type_text "name = progress"
send Enter
expect_screen "filter: name = progress" "the progress run is found"
send Enter
expect_screen "run #" "its detail opens"
send G
expect_screen "2/2 [==============================] - 2s 1s/step - loss: 0.8000 - val_loss: 0.7500" "Keras' final line, whole"
expect_screen "100%|██████████| 2/2 [00:00<00:00, 9.9it/s, val_loss=0.431]" "tqdm's final line, whole"
if screen | grep -qF "^M" || screen | grep -qF "^H"; then fail "no ^M or ^H on the screen"; else ok "no ^M or ^H on the screen"; fi
if screen | grep -qF "1/2 ["; then fail "the earlier redraw is overwritten"; else ok "the earlier redraw is overwritten"; fi
expect_screen "TAILMARK" "a line longer than the window wraps by default"
send w
expect_screen "log: no wrap" "w cuts long lines at the edge"
expect_no_screen "TAILMARK" "the end of the long line is off screen"
send l l
expect_screen "TAILMARK" "l scrolls sideways to it"
send h
expect_no_screen "TAILMARK" "h scrolls back"
send h
expect_screen "log: no wrap, col 1" "... to the start"
send r
expect_screen "log: raw" "r shows the raw bytes"
expect_screen '\r100%|██████████|' "a carriage return is visible, escaped"
expect_screen '0.9000\b\b\b' "backspaces are visible, escaped"
send r
expect_no_screen "log: raw" "r again shows the log as rendered"
send Escape
expect_screen "filter: name = progress" "Esc on the detail goes back one screen"
if wait_for "RUNYARD-EXITED" 1; then fail "... and not out of the app"; else ok "... and not out of the app"; fi
send Escape
expect_screen "filter: (none)" "Esc clears that filter"

# q quits at once, with marks and a filter in view, and says the running run goes on.
send /
type_text "status = running"
send Enter Space
send q
expect_screen "RUNYARD-EXITED" "q on the runs screen quits, marks and filter notwithstanding"
expect_screen "still running and keep" "the exit message says the running runs go on"
[ "$(cat "$T_TMP/exit_status")" = 0 ] && ok "exit status 0" || fail "exit status 0"
kill -0 $BG 2>/dev/null && ok "the running run still runs" || fail "the running run still runs"
t_end
