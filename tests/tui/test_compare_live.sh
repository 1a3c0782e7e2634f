#!/bin/sh
# Compare while a run is live: its new points reach the chart (the series
# is extended with what is new, not rebuilt from the full histories), and
# the chart stays right after the axis or smoothing changes (a rebuild).
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$DB"
GATE="$T_TMP/gate"
"$RUNYARD" run -q -e live --name calm -- sh -c 'i=1; while [ $i -le 40 ]; do echo "step=$i loss=0.$i"; i=$((i+1)); done' \
	>/dev/null 2>&1
# The live run prints 40 small losses, waits for the gate, then one huge loss.
"$RUNYARD" run -q -e live --name spiky -- sh -c 'i=1; while [ $i -le 40 ]; do echo "step=$i loss=0.$i"; i=$((i+1)); done;
	while [ ! -e "$0" ]; do sleep 0.05; done; echo "step=41 loss=50000"; while [ ! -e "$0.end" ]; do sleep 0.05; done' "$GATE" \
	>/dev/null 2>&1 &
LIVE=$!
trap 'touch "$GATE" "$GATE.end"; kill $LIVE 2>/dev/null; cleanup' EXIT
# wait until the live run's 40 points are in
deadline=$(( $(date +%s) + 20 ))
until [ "$("$RUNYARD" runs -e live --filter 'loss > 0' --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null)" = 2 ] ||
	[ "$(date +%s)" -gt "$deadline" ]; do sleep 0.1; done

tui_start
expect_screen "runs" "the main screen opens"
send Tab
for _ in 1 2 3 4 5 6; do screen | grep -q "> *live" && break; send j; sleep 0.1; done
send Tab Space Space c
expect_screen "comparing 2 runs" "compare the live run with a finished one"
expect_screen "smoothing: off" "the chart is drawn"
# y labels are left of the plot: the biggest is below 10 before the spike
ylabels() { screen | sed -n 's/^ *\([0-9.]*[0-9][kM]\{0,1\}\) *[┤│┼].*/\1/p'; }
if ylabels | grep -q k; then fail "no thousands on the y axis before the spike"; else ok "no thousands on the y axis before the spike"; fi
touch "$GATE"
deadline=$(( $(date +%s) + 15 ))
until ylabels | grep -q k || [ "$(date +%s)" -gt "$deadline" ]; do sleep 0.1; done
if ylabels | grep -q k; then ok "the live run's new point reaches the chart"
else fail "the live run's new point reaches the chart: $(ylabels | tr '\n' ' ')"; fi
send "]"
expect_screen "smoothing: 0.3" "smoothing rebuilds the series"
send "["
expect_screen "smoothing: off" "and back"
if ylabels | grep -q k; then ok "the rebuilt chart keeps the point"; else fail "the rebuilt chart keeps the point"; fi
touch "$GATE.end"
send q q
t_end
