#!/bin/sh
# Compare in a real terminal: mark three runs, compare, the chart draws in
# braille, switch metric and x axis, smoothing, baseline deltas, identical
# rows hidden, detail from compare.
. "$(dirname "$0")/lib.sh"
seed 40 60

tui_start
expect_screen "1/40 runs" "the main screen opens"
# Pick three runs of one experiment so they share metrics.
send Tab j j Tab
expect_screen "cifar10-resnet" "the experiments pane selects an experiment"
send c
expect_screen "· charts ·" "c without marks charts the run under the cursor (issue 13)"
send q
send Space Space Space
expect_screen "3 marked" "Space marks runs"
send c
expect_screen "comparing 3 runs" "c opens compare"
expect_screen "params" "compare lists params"
if wait_for "smoothing: off" && screen | LC_ALL=C grep -q "$(printf '\342[\240-\243]')"; then
	ok "the chart draws braille characters"
else
	fail "the chart draws braille characters"
fi
before=$(screen | grep "smoothing:" | sed 's/ x:.*//')
send m
if wait_gone "$before"; then ok "m switches the charted metric"; else fail "m switches the charted metric"; fi
# The time axes are labelled as times, not raw seconds: clock times for
# wall time, durations (45s, 1m30s, 2h) for relative time.
axis_has() { # REGEX: the chart's x-axis line (the one below the plot) matches
	local deadline=$(( $(date +%s) + T_WAIT ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		screen | grep -A1 -F "$(printf '\342\224\200\342\224\200\342\224\200')" | grep -qE -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
send x
expect_screen "x: wall time" "x switches the x axis to wall time"
if axis_has "(^| )[0-2][0-9]:[0-5][0-9]( |$)"; then ok "wall time is labelled with clock times"
else fail "wall time is labelled with clock times"; fi
send x
expect_screen "x: relative time" "x switches the x axis to relative time"
if axis_has "(^| )[0-9]+[smh]([0-9]+[smh])?( |$)"; then ok "relative time is labelled with durations"
else fail "relative time is labelled with durations"; fi
send "]" "]"
expect_screen "smoothing: 0.6" "] increases smoothing"
send "["
expect_screen "smoothing: 0.3" "[ decreases smoothing"
send y
expect_screen "y: log" "y switches to a log y axis"
send b
expect_screen "baseline: " "b sets a baseline"
send Right b
expect_screen "%" "deltas against the baseline are shown as percentages"
send i
expect_screen "identical rows: hidden" "i hides identical rows"
send M
expect_screen "Chart which metric?" "M opens the metric picker"
send G Enter
expect_screen "comparing 3 runs" "picking a metric returns to compare"
send "?"
expect_screen "Keys of the compare screen" "help shows the compare screen's keys"
expect_screen "x-axis" "compare help lists the x axis key"
send q q
expect_screen "3 marked" "q returns to the runs"
send q
if wait_for "RUNYARD-EXITED"; then ok "q quits"; else fail "q quits"; fi
t_end
