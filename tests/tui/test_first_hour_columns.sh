#!/bin/sh
# Issue 13, first hour: you can see what you sort and filter by (the sort's
# and the filter's keys become columns; the defaults are the params that
# vary and the main metrics; a remembered column that is gone is reported),
# h/l mean left/right on every screen, and a narrow terminal keeps the
# experiments pane a Tab away with the experiment named in the status line.
. "$(dirname "$0")/lib.sh"
seed 40 40

# header_has WORD: the table's header line (the second screen line) holds
# WORD as a whole word, within the deadline.
header_has() {
	local deadline=$(( $(date +%s) + T_WAIT ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		screen | sed -n 2p | grep -qw -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
expect_header()    { if header_has "$1"; then ok "$2"; else fail "$2 (no '$1' in the header)"; fi; }

# A remembered column whose key no run has any more is reported.
sqlite3 "$DB" "INSERT INTO settings(key, value) VALUES ('tui.columns', 'params.lr,params.gone_key')" ||
	{ echo "Bail out! cannot write the remembered columns"; exit 1; }
tui_start
expect_screen "1/40 runs" "the main screen opens"
expect_screen "params.gone_key no longer exists" "a remembered column that is gone is reported"
expect_header "lr" "the remembered columns that exist are shown"
send Q
wait_for "RUNYARD-EXITED" || fail "Q quits"
tmux -S "$SOCK" kill-server 2>/dev/null
sqlite3 "$DB" "DELETE FROM settings WHERE key = 'tui.columns'"

tui_start
expect_screen "1/40 runs" "the main screen opens with the default columns"
expect_screen "exp: all" "the status line names the experiment"

# The filter reads a param that is not a default column: it becomes one.
if screen | sed -n 2p | grep -qw lr; then
	fail "lr is not a default column of all experiments (the check below would prove nothing)"
fi
send /
type_text "lr > 0.01"
send Enter
expect_screen "filter: lr > 0.01" "the filter applies"
expect_header "lr" "a filter on a param shows that param as a column"
send :
type_text "filter"
send Enter
expect_screen "filter: (none)" "the filter is cleared"

# Sorting by a metric shows it.
send :
type_text "sort metrics.tokens_per_sec:desc"
send Enter
expect_screen "sort: metrics.tokens_per_sec:desc" "the sort applies"
expect_header "tokens_per_sec" "sorting by a metric shows that metric as a column"
send :
type_text "sort"
send Enter
expect_screen "sort: created:desc" "the sort is back to the default"

# llama-lora-sft: dataset has one value on every run, val_loss is main.
# Wide, so that the header is not what leaves a column out.
tmux -S "$SOCK" resize-window -t 0 -x 200 -y 40
send Tab j j j Tab
expect_screen "exp: llama-lora-sft" "the status line names the selected experiment"
expect_header "val_loss" "a main metric (val_*) is a default column"
expect_header "base_model" "a param that varies is a default column"
if screen | sed -n 2p | grep -qw dataset; then
	fail "a param with one value in the experiment is not a default column"
else
	ok "a param with one value in the experiment is not a default column"
fi

tmux -S "$SOCK" resize-window -t 0 -x 120 -y 40

# h/l are left/right in compare too; y is the log y axis.
send Tab k Tab
expect_screen "exp: cifar10-resnet" "back to cifar10-resnet"
send Space Space
expect_screen "2 marked" "two runs marked"
send c
expect_screen "comparing 2 runs" "compare opens"
expect_screen "y: linear" "the chart starts linear"
send l l y
expect_screen "y: log" "l moves right in compare (it does not toggle the axis); y toggles log y"
send h y
expect_screen "y: linear" "h moves left in compare; y toggles log y back"
send q
expect_screen "exp: cifar10-resnet" "back on the runs screen"
send u

# Narrow: the pane gives way, Tab brings it back over the table.
tmux -S "$SOCK" resize-window -t 0 -x 80 -y 30
expect_no_screen "Experiments" "at 80 columns the experiments pane gives way to the table"
expect_screen "exp: cifar10-resnet" "at 80 columns the status line still names the experiment"
send Tab
expect_screen "Experiments" "at 80 columns Tab shows the experiments pane over the table"
send k
expect_screen "exp: churn-xgboost" "the overlay selects an experiment"
send Enter
expect_no_screen "Experiments" "Enter closes the overlay"
send Tab
expect_screen "Experiments" "Tab shows the overlay again"
send Escape
expect_no_screen "Experiments" "Esc closes the overlay"
expect_screen "exp: churn-xgboost" "and the app is still running"
t_end
