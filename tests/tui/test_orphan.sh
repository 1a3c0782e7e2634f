#!/bin/sh
# A run whose runyard was SIGKILLed goes on under its keeper.  With the app
# open, the background pass keeps catching up what the job prints and
# settles the run when it ends, without a restart: every point arrives
# once and the status and exit code are the job's.  (The checks read the
# workspace with sqlite3: any runyard command would reconcile by itself.)
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$DB" "$1"; }
wait_sql() { # wait_sql QUERY EXPECTED: poll the workspace until it says so
	local deadline=$(( $(date +%s) + T_WAIT + 10 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(sql "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

"$RUNYARD" run --db "$DB" -q -e orphans --name orphan -- sh -c \
	'i=1; while [ $i -le 40 ]; do echo "step=$i loss=0.$i"; i=$((i+1)); sleep 0.1; done; exit 3' \
	>/dev/null 2>&1 &
RY=$!
for i in $(seq 1 100); do
	[ "$(sql "SELECT count(*) FROM metric_summary" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
kill -KILL "$RY"
wait "$RY" 2>/dev/null
[ "$(sql "SELECT status FROM runs WHERE name = 'orphan'")" = running ] &&
	ok "the run is left running when its runyard is killed" ||
	fail "the run is left running when its runyard is killed"

tui_start
expect_screen "orphan" "the app lists the orphaned run"
if wait_sql "SELECT status || ' ' || exit_code FROM runs WHERE name = 'orphan'" "failed 3"; then
	ok "the open app settles the run when the job ends, with its exit code"
else
	fail "the open app settles the run when the job ends (status: $(sql "SELECT status || ' ' || coalesce(exit_code, '-') FROM runs WHERE name = 'orphan'"))"
fi
got=$(sql "SELECT n || ' ' || last_step FROM metric_summary WHERE key = 'loss'")
[ "$got" = "40 40" ] && ok "every point the job printed arrived, once" ||
	fail "every point the job printed arrived, once (n, last step: $got)"
expect_screen "✗ orphan" "the runs table shows the new status (✗ failed)"
send q
t_end
