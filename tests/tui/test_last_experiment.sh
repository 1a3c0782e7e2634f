#!/bin/sh
# The runs screen starts on the experiment that was selected when runyard
# last quit (workspace setting tui.experiment, docs/tui.md), and on every
# experiment when that one is gone.
. "$(dirname "$0")/lib.sh"
seed 12 10

tui_start
expect_screen "exp: all" "a new workspace starts on every experiment"
send Tab j j Tab
expect_screen "exp: cifar10-resnet" "the experiments pane selects cifar10-resnet"
send q
wait_for "RUNYARD-EXITED" >/dev/null

tui_start
expect_screen "exp: cifar10-resnet" "the next session starts on the experiment selected at quit"
send q
wait_for "RUNYARD-EXITED" >/dev/null

sqlite3 "$DB" "UPDATE settings SET value = '999999' WHERE key = 'tui.experiment'"
tui_start
expect_screen "exp: all" "an experiment that is gone falls back to every experiment"
send q

t_end
