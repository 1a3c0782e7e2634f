#!/bin/sh
# Issue 13, charts: without colour (NO_COLOR) every compared run is told
# apart by its letter, in the legend and on its curve; twelve runs at 200
# columns all make the legend; `c` with one or no marked run charts the
# run under the cursor, its metrics several at once.
. "$(dirname "$0")/lib.sh"
seed 48 60
# The private tmux server takes this environment: no colour at all.
export NO_COLOR=1

# plot_rows: the plot areas of the screen, right of the y axis.
plot_rows() { screen | sed -n 's/^[^│]*│//p'; }
# legend_rows: the rows between the chart's title and its plot.
legend_rows() { screen | sed -n '/smoothing:/,/│/p' | sed '1d;$d'; }

legend_has() { legend_rows | grep -qF -- "$1"; }
plot_has() { plot_rows | grep -qF -- "$1"; }
plot_braille() { plot_rows | LC_ALL=C grep -q "$(printf '\342[\240-\243]')"; }

tui_start
expect_screen "1/48 runs" "the main screen opens"
send Tab j j Tab
expect_screen "cifar10-resnet" "the experiments pane selects cifar10-resnet"
send Space Space Space
expect_screen "3 marked" "three runs marked"
send c
expect_screen "comparing 3 runs" "c compares them"
for l in a b c; do
	if wait_until legend_has "■ $l "; then ok "NO_COLOR: the legend names run $l by its letter"
	else fail "NO_COLOR: the legend names run $l by its letter"; fi
	if wait_until plot_has "$l"; then ok "NO_COLOR: letter $l is drawn on the plot"
	else fail "NO_COLOR: letter $l is drawn on the plot"; fi
done
send q u
expect_no_screen "marked" "marks cleared"

# Twelve runs at 200 columns: every name in the legend.
tmux -S "$SOCK" resize-window -x 200 -y 50
send g Tab g j Tab
expect_screen "churn-xgboost" "the experiments pane selects churn-xgboost"
expect_screen "1/12 runs" "twelve runs in churn-xgboost"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do send Space; done
expect_screen "12 marked" "twelve runs marked"
send c
expect_screen "comparing 12 runs" "c compares twelve runs"
names=$("$RUNYARD" --db "$DB" runs -e churn-xgboost | awk 'NR > 1 { print $2 }')
[ "$(echo "$names" | wc -l)" -eq 12 ] || echo "Bail out! expected 12 runs in churn-xgboost"
missing=""
for n in $names; do
	wait_until legend_has "$n" || missing="$missing $n"
done
if [ -z "$missing" ]; then ok "all 12 runs are in the legend at 200 columns"
else fail "all 12 runs are in the legend at 200 columns (missing:$missing)"; fi
if wait_until legend_has "■ l "; then ok "the 12th run has letter l"; else fail "the 12th run has letter l"; fi
send q u
expect_no_screen "marked" "marks cleared again"

# `c` with no run marked charts the run under the cursor: its metrics,
# several at once; with one marked, too.
tmux -S "$SOCK" resize-window -x 120 -y 40
send g Tab g j j Tab
expect_screen "cifar10-resnet" "back on cifar10-resnet"
send c
expect_screen "· charts ·" "c with no marks opens the charts of the run under the cursor"
expect_screen "of 5 metrics" "the charts count the run's metrics"
for m in loss val_loss val_acc; do
	expect_screen " $m  last " "the run's $m is charted"
done
if wait_until plot_braille; then ok "the charts draw their curves"
else fail "the charts draw their curves"; fi
send M
expect_screen "Chart which metrics?" "M picks the charted metrics"
send Escape
expect_screen "· charts ·" "the picker returns to the charts"
send q Space k c
expect_screen "· charts ·" "c with one run marked charts the run under the cursor"
send q u Enter
expect_screen "Metrics (c charts them)" "Enter opens the run's detail, which names the chart key"
send c
expect_screen "· charts ·" "c in the detail charts the run's metrics"
send "?"
expect_screen "Keys of the charts screen" "help lists the charts screen's keys"
expect_screen "metric-pick" "charts help names the metric picker"
send q q q
expect_screen "runs" "q goes back to the runs"
send q
if wait_for "RUNYARD-EXITED"; then ok "q quits"; else fail "q quits"; fi
# non-zero under the sanitizers when anything leaked or went wrong
if [ "$(cat "$T_TMP/exit_status" 2>/dev/null)" = 0 ]; then ok "runyard exits with status 0"
else fail "runyard exits with status 0"; fi
t_end
