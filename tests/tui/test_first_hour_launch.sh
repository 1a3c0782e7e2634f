#!/bin/bash
# The launch dialog (issue 13): over budget, its remedy names the dialog's
# own fields ('time limit', 'GPUs'), never the CLI's flags.  The estimate
# needs no reachable host: gpubox is only a [host] section of the config.
. "$(dirname "$0")/lib.sh"
seed 5 5
mkdir -p "$XDG_CONFIG_HOME/runyard"
printf 'budget_per_run = 1\n[host gpubox]\nprice_per_hour = 10\n' > "$XDG_CONFIG_HOME/runyard/config"
tui_start
expect_screen "runs" "the app starts"
send L
expect_screen "Launch in experiment" "L opens the launch dialog"
send Enter C-u; type_text "sleep 60"; send Enter
send j Enter '/'; type_text gpubox; send Enter Enter
send j j Enter C-u; type_text 2h; send Enter
expect_screen "exceeds budget_per_run 1.00" "over budget, the dialog says so"
expect_screen "to fit the budget: set a shorter 'time limit' or fewer 'GPUs'" "and names its own fields as the remedy"
if screen | grep -q -- " --[a-z]"; then fail "no CLI flag in the dialog"; else ok "no CLI flag in the dialog"; fi
t_end
