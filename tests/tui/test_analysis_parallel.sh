#!/bin/sh
# Issue 17, many runs in the terminal, on the demo workspace: parallel
# coordinates drawn in braille (ASCII on a vt100), the best runs marked by
# rank so the plot reads under NO_COLOR, brushing an axis narrows the runs
# table's filter to exactly what `runyard runs --filter` lists, typed
# bounds, moving and flipping an axis; the scatter's cursor names the run
# under it and Enter opens that run.
. "$(dirname "$0")/lib.sh"
seed 72 60

plot_braille() { screen | LC_ALL=C grep -q "$(printf '\342[\240-\243]')"; }
# the rank digits of the best runs where their lines meet an axis: a braille
# or axis row holding a digit 1-5 (the axes here have no digits in their
# values' names)
plot_ranks() { screen | sed -n '4,34p' | LC_ALL=C grep "$(printf '\342[\240-\243]')" | grep -q '[1-5]'; }
ascii_plot() { screen | sed -n '4,34p' | grep -q '|.*[.:+#]'; }
# the runs table's filter, from its status line
table_filter() { screen | sed -n 's/.*filter: \(.*\)  sort: .*/\1/p' | head -1; }
table_count() { screen | sed -n 's/.*  [0-9]*\/\([0-9]*\) runs.*/\1/p' | head -1; }

# forget_views: the brushes narrowed the table's filter, which the runs
# screen remembers (its automatic view, docs/tui.md); each session below
# starts from the demo's own view, on every experiment.
forget_views() {
	sqlite3 "$DB" "DELETE FROM settings WHERE key IN ('tui.view', 'tui.experiment');
		UPDATE experiments SET settings = json_remove(coalesce(settings, '{}'), '$.\"view\"')"
}
open_cifar() {
	expect_screen "1/72 runs" "the main screen opens"
	send Tab j j Tab
	expect_screen "exp: cifar10-resnet" "the experiments pane selects cifar10-resnet"
	expect_screen "1/36 runs" "36 runs in cifar10-resnet"
}

tui_start
open_cifar
send p
expect_screen "parallel coordinates: 36 runs, 36 in the brushes" "p opens parallel coordinates of the table's runs"
expect_screen "colour: val_acc, worst to best" "coloured by the experiment's main metric"
if wait_until plot_braille; then ok "the lines are drawn in braille"; else fail "the lines are drawn in braille"; fi
send q
expect_screen "1/36 runs" "q goes back to the runs"
send : "parallel lr optimizer batch_size" Enter
expect_screen ">lr (log)" "the asked axes, lr first and on a log axis (it spans decades)"
expect_screen "optimizer" "a text param gets its axis"
expect_screen "adamw" "its values are labelled"

# brush lr: its bottom end up ten twentieths
for i in 1 2 3 4 5 6 7 8 9 10; do send k; done
expect_screen "axis lr: params.lr >= " "the brush is a filter clause"
expect_no_screen "36 in the brushes" "the brush leaves runs out"
send q
expect_screen "filter: params.lr >= " "back on the runs, the table's filter is the brush"
# the whole status line, filter and sort, not a frame drawn half way
filter_read() { f=$(table_filter); [ -n "$f" ]; }
wait_until filter_read
want=$("$RUNYARD" --db "$DB" runs -e cifar10-resnet --filter "$f" -q | wc -l)
# the status shows the filter as soon as it is set; the count follows once
# the list is computed
count_is() { n=$(table_count); [ "$n" = "$1" ] && ! screen | grep -qE 'filtering|counting'; }
wait_until count_is "$want"
n=$(table_count)
if [ -n "$n" ] && [ "$n" -lt 36 ] && [ "$n" -eq "$want" ]; then
	ok "brushing narrowed the table to the runs the CLI lists for '$f' ($n)"
else
	fail "brushing narrowed the table to the runs the CLI lists for '$f' ($n, CLI $want)"
fi

# on top of a filter: typed bounds on a text axis, then clearing it
send Escape
expect_screen "filter cleared" "Esc clears the filter"
send / ; type_text "status = finished"; send Enter
expect_screen "filter: status = finished" "a filter of the table's own"
send : "parallel lr optimizer batch_size" Enter
expect_screen ">lr (log)" "parallel again"
send l b
expect_screen "optimizer values a,b:" "b asks for the selected axis's bounds"
type_text "adam,adamw"; send Enter
expect_screen "filter: (status = finished) and (params.optimizer = adam or" "typed values join the table's filter"
expect_screen "axis optimizer: (params.optimizer = adam or params.optimizer = ad" "the axis's clause names both values"
send x
expect_screen "filter: status = finished" "x takes the brush off: the table's filter as it was"
send '>'
expect_screen ">optimizer" "the selected axis moved"
send v
expect_screen "(flipped)" "v flips it"
send q
expect_screen "filter: status = finished" "the runs keep their own filter"

# :parallel METRIC PARAM,PARAM: the first word is the metric, as the CLI's
# --metric and --params read them
send : "parallel val_ac" Tab
expect_screen ":parallel val_acc" "Tab after :parallel completes a metric name"
send Escape
send : "parallel val_loss lr,batch_size" Enter
expect_screen "colour: val_loss, worst to best" ":parallel METRIC colours by that metric"
expect_screen ">lr (log)" ":parallel METRIC PARAM,PARAM: the params' axes, lr first"
expect_screen "batch_size" "the second param's axis is labelled"
axis_row_has() { screen | sed -n 3p | grep -q "$1"; }
if wait_until axis_row_has val_loss; then ok "the metric's axis is labelled"; else fail "the metric's axis is labelled"; fi
expect_no_screen "optimizer" "only the params named get an axis"
# m: colour by the next metric the runs log (in key order, round to the
# first: cifar10-resnet logs acc, learning_rate, loss, val_acc, val_loss)
send m
expect_screen "colour: acc, worst to best" "m colours by the next metric, round to the first"
expect_no_screen "colour: val_loss" "the old metric is gone from the header"
if wait_until axis_row_has acc; then ok "the metric's axis follows"; else fail "the metric's axis follows"; fi
send m
expect_screen "colour: learning_rate" "m again: the one after"
send q
send "?"
send q

# NO_COLOR: the best runs carry their rank on every axis
send q
wait_for "RUNYARD-EXITED" >/dev/null
export NO_COLOR=1
forget_views
tui_start
open_cifar
send : "parallel lr optimizer batch_size" Enter
expect_screen "1-5: the best runs by val_acc" "the legend says what the digits are"
if wait_until plot_ranks; then ok "NO_COLOR: the best runs' ranks are drawn on the axes"
else fail "NO_COLOR: the best runs' ranks are drawn on the axes"; fi
send "?"
expect_screen "brush-bottom-up" "help lists the parallel screen's keys"
expect_screen "colour by the next metric" "help lists m, the metric key"
send q q

# scatter: the cursor names a run, Enter opens it
send x
expect_screen "Parameter importance" "x opens the scatter with the importance table"
expect_screen "Spearman rho" "the importance says how it is computed"
send q
send : "scatter lr" Enter
expect_screen "scatter: lr against val_acc over 36 runs   x: log" "the scatter of lr, on a log axis"
expect_screen "(the best)" "the cursor starts on the best run"
send h
expect_no_screen "(the best)" "h moves to another run"
id=$(screen | sed -n 's/.* run .* (id \([0-9]*\)): .*/\1/p' | head -1)
name=$(screen | sed -n 's/.* run \(.*\) (id [0-9]*): .*/\1/p' | head -1)
[ -n "$id" ] && ok "the cursor names the run under it ($name, id $id)" || fail "the cursor names the run under it"
send Enter
expect_screen "#$id " "Enter opens that run"
expect_screen "$name" "its detail names it"
send q
expect_screen "scatter: lr" "q goes back to the scatter"
send X
expect_screen "x: linear" "X turns the log axis off"
send q q
if wait_for "RUNYARD-EXITED"; then ok "q quits"; else fail "q quits"; fi
if [ "$(cat "$T_TMP/exit_status" 2>/dev/null)" = 0 ]; then ok "runyard exits with status 0"
else fail "runyard exits with status 0"; fi

# ASCII on a vt100
unset NO_COLOR
forget_views
T_TERM=vt100 tui_start
open_cifar
send : "parallel lr optimizer batch_size" Enter
expect_screen "parallel coordinates: 36 runs" "vt100: parallel coordinates open"
if wait_until ascii_plot; then ok "vt100: ASCII lines and axes"; else fail "vt100: ASCII lines and axes"; fi
if plot_braille; then fail "vt100: no braille"; else ok "vt100: no braille"; fi
send q q
wait_for "RUNYARD-EXITED" >/dev/null

# The load runs in the background: a slowed one (the test hook makes each
# column read 700 ms) shows its progress, keeps the keys, and Esc leaves
# at once; the plot is drawn when the runs are in.
forget_views
export RUNYARD_TUI_LOAD_DELAY_MS=700
tui_start
open_cifar
send p
expect_screen "parallel coordinates: loading 36 runs" "p shows the load's progress at once"
expect_screen "Esc or q goes back at once" "the loading screen says how to leave"
expect_screen "colour: val_acc, worst to best" "the plot is drawn when the load is in"
if wait_until plot_braille; then ok "the loaded plot has its lines"; else fail "the loaded plot has its lines"; fi
send q
expect_screen "1/36 runs" "back on the runs"
send p
expect_screen "parallel coordinates: " "open again: loading"
t0=$(date +%s%N)
send Escape
if wait_for "1/36 runs" 2; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	ok "Esc during the load goes back to the runs at once (${ms} ms; the load takes seconds)"
else
	fail "Esc during the load goes back to the runs at once"
fi
expect_no_screen "parallel coordinates" "the loading screen is gone"
send : "parallel lr optimizer" Enter
expect_screen "colour: val_acc, worst to best" "a new load after a cancelled one draws"
send q q
wait_for "RUNYARD-EXITED" >/dev/null
unset RUNYARD_TUI_LOAD_DELAY_MS

# Density: past 2,000 lines each cell is shaded by the lines crossing it,
# with colour and under NO_COLOR; a brush keeps the brushed-out lines
# faintly behind.
DB="$T_TMP/big.db"
"$RUNYARD" demo --db "$DB" --runs 5000 --steps 5 >/dev/null 2>"$T_TMP/seed.err" ||
	{ echo "Bail out! cannot seed 5000 runs: $(cat "$T_TMP/seed.err")"; exit 1; }
shaded() { screen | sed -n '4,34p' | grep -q '[░▒▓█]'; }
faint() { screen | sed -n '4,34p' | grep -q '·'; }
brushed_some() { screen | grep -q 'density of [0-9]* lines ([1-9][0-9]* brushed out'; }
for mode in colour NO_COLOR; do
	[ "$mode" = NO_COLOR ] && export NO_COLOR=1
	forget_views
	tui_start
	expect_screen "/5000 runs" "$mode: 5000 runs"
	send : "parallel val_loss lr,optimizer,batch_size" Enter
	expect_screen "density of " "$mode: thousands of lines are drawn as density"
	if wait_until shaded; then ok "$mode: the cells are shaded by density"; else fail "$mode: the cells are shaded by density"; fi
	if screen | sed -n '4,34p' | LC_ALL=C grep -q "$(printf '\342[\240-\243]')"; then
		fail "$mode: no braille in a density plot"
	else
		ok "$mode: no braille in a density plot"
	fi
	for i in 1 2 3 4 5 6 7 8; do send k; done
	if wait_until brushed_some; then ok "$mode: the brush leaves lines out, counted"
	else fail "$mode: the brush leaves lines out, counted"; fi
	if wait_until faint; then ok "$mode: the brushed-out lines are drawn faintly (·)"
	else fail "$mode: the brushed-out lines are drawn faintly (·)"; fi
	send q q
	wait_for "RUNYARD-EXITED" >/dev/null
done
unset NO_COLOR
t_end
