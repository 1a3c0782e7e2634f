#!/bin/sh
# First hour (issue 13), the screens: the experiments pane's counts and
# costs (never cut, "1 run", "-" where no run has a cost), the run
# detail's full command wrapped, TUI compare's metadata rows and absolute
# deltas, and the hosts screen's cursor with its actions (launch here,
# probe this host).  The real binary, in tmux, on `runyard demo`
# workspaces (their hosts are simulated: a canned probe, no network).
. "$(dirname "$0")/lib.sh"

# restart [ARGS...]: a fresh TUI session on $DB (the last one is closed).
restart() {
	send q
	wait_for "RUNYARD-EXITED" >/dev/null
	tui_start "$@"	# on a socket of its own (lib.sh)
}

# pane_lines: the experiments pane's summary lines ("  18 runs  $2.31|").
pane_lines() { screen | cut -c1-40 | grep -E '^   [0-9]+ runs?\b'; }

# pane_costs_whole: every summary line ends in a whole amount or "-" at
# the pane's border, and there is at least one.
pane_costs_whole() {
	[ -n "$(pane_lines)" ] &&
		! pane_lines | grep -vqE '(\$[0-9]+\.[0-9][0-9]|[^$]-)│'
}

seed 40 20
# A local run (no cost) with a command much wider than the screen, alone in
# its experiment; the newest run, so the cursor starts on it.
LONG="--data=/datasets/imagenet/train --val-data=/datasets/imagenet/val --epochs=90 --batch-size=256"
LONG="$LONG --lr=0.1 --momentum=0.9 --weight-decay=0.0001 --warmup-epochs=5 --label-smoothing=0.1"
LONG="$LONG --mixed-precision=bf16 --checkpoint-dir=/checkpoints/resnet50 --final-flag=TAILEND"
"$RUNYARD" run --db "$DB" -e localonly -- true $LONG >/dev/null 2>&1 ||
	{ echo "Bail out! cannot track the local run"; exit 1; }

# -- the CLI's experiments table: "-" for an experiment whose runs have no cost
if "$RUNYARD" experiments --db "$DB" | grep -qE '^localonly +1 +0 +- '; then
	ok "runyard experiments shows - for an experiment without costs"
else
	fail "runyard experiments shows - for an experiment without costs ($("$RUNYARD" experiments --db "$DB" | grep localonly))"
fi

# -- the experiments pane: costs whole, plural right, "-" without costs
tui_start
expect_screen "localonly" "the main screen opens with the experiments pane"
if wait_until pane_costs_whole; then
	ok "every cost in the experiments pane is whole, at the pane's edge"
else
	fail "every cost in the experiments pane is whole, at the pane's edge"
fi
if screen | grep -qE '^   1 run +-│'; then
	ok "one run reads '1 run' and no cost reads '-'"
else
	fail "one run reads '1 run' and no cost reads '-'"
fi
if screen | grep -qE '^   [0-9]+ runs'; then
	ok "more runs read 'N runs'"
else
	fail "more runs read 'N runs'"
fi

# -- the run detail wraps the full command instead of cutting it
send Enter
expect_screen "Run" "Enter opens the newest run's detail"
expect_screen "--final-flag=TAILEND" "the command's end is on screen: it wraps, not cut at the edge"
if screen | grep -qE '^   command +true --data='; then
	ok "the command starts on its key's line"
else
	fail "the command starts on its key's line"
fi
send q

# -- compare: what the runs are above params and metrics, absolute deltas too
expect_screen "localonly" "back on the main screen"
send Tab j j Tab	# the experiment cifar10-resnet: runs with the same metrics
expect_screen "exp: cifar10-resnet" "the experiment is chosen"
send Space Space Space c
expect_screen "comparing 3 runs" "c compares the three marked runs"
for row in experiment status host duration cost; do
	if screen | grep -qE "^  $row +"; then ok "compare has the $row row"; else fail "compare has the $row row"; fi
done
if screen | grep -qE '^  experiment +cifar10-resnet +cifar10-resnet +cifar10-resnet' &&
   screen | grep -qE '^  cost +(\$[0-9]+\.[0-9][0-9]|-) +'; then
	ok "the metadata rows hold each run's experiment and cost"
else
	fail "the metadata rows hold each run's experiment and cost"
fi
send b G	# the first run is the baseline; the metric rows are at the end
expect_no_screen "baseline: none" "b makes the run under the cursor the baseline"
has_abs_delta() { screen | grep -E '^  (val_)?(acc|loss) ' | grep -qE ' [+-][0-9.e-]+ \([+-][0-9.]+%\)'; }
if wait_until has_abs_delta; then
	ok "deltas against the baseline are absolute as well as per cent"
else
	fail "deltas against the baseline are absolute as well as per cent"
fi
send q

# -- the hosts screen: a cursor on one host, launch here, probe that host
expect_screen "exp: cifar10-resnet" "back on the runs screen"
send H
expect_screen "6 hosts, 6 reachable" "H opens the hosts screen on the demo's simulated hosts"
expect_screen "host 1/6: a100-box-1" "the cursor starts on the first host (the status line names it)"
send j
expect_screen "host 2/6: a100-box-2" "j moves the cursor to the next host"
send Down
expect_screen "host 3/6: cpu-highmem" "Down moves it too"
send k
expect_screen "host 2/6: a100-box-2" "k moves it back"
send G
expect_screen "host 6/6: t4-spot-3" "G moves to the last host"
send g
expect_screen "host 1/6: a100-box-1" "g moves to the first host"
send j
expect_screen "L launch here" "the hint bar shows launch here"
expect_screen "p probe host" "the hint bar shows probe host"
send p
expect_screen "probed a100-box-2: simulated" "p probes the host under the cursor and says what it found"
expect_screen "6 hosts, 6 reachable  host 2/6: a100-box-2" "the other hosts stay, the cursor stays on its host"
send '?'
expect_screen "Probe the host under the cursor again" "help lists probe-host"
send q
expect_screen "host 2/6: a100-box-2" "back on the hosts screen"
send L
expect_screen "Launch in experiment cifar10-resnet" "L opens the launch dialog from the runs screen's template"
if screen | grep -qE '^  host +a100-box-2'; then
	ok "the launch dialog has the host under the cursor chosen"
else
	fail "the launch dialog has the host under the cursor chosen"
fi
send q
expect_screen "host 2/6: a100-box-2" "closing the dialog goes back to the hosts screen"
# On a short screen the page follows the cursor's host (not the line count).
tmux -S "$SOCK" resize-window -x 120 -y 20
send j
expect_screen "host 3/6: cpu-highmem" "the cursor moves on the short screen"
expect_screen "● cpu-highmem  simulated" "the page scrolls to show the host under the cursor"
send G
expect_screen "● t4-spot-3  simulated" "G shows the last host"
send g
expect_screen "● a100-box-1  simulated" "g shows the first host again"
tmux -S "$SOCK" resize-window -x 120 -y 40
send q
expect_screen "exp: cifar10-resnet" "q goes back to the runs screen"
# q quits with status 0 (a sanitizer's report, a leak too, would change it)
send q
if wait_for "RUNYARD-EXITED" && [ "$(cat "$T_TMP/exit_status")" = 0 ]; then ok "q quits with status 0"
else fail "q quits with status 0 (got $(cat "$T_TMP/exit_status" 2>/dev/null))"; fi

t_end
