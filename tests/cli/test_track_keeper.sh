#!/bin/bash
# runyard killed with SIGKILL while its command runs: the command lives on
# (its keeper drains the output into the run's log), and the next runyard
# start settles the run from the exit status the keeper left; `lost` only
# when the keeper died too and the command's process is gone.
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$T_TMP/ws.db"
q() { sqlite3 "$RUNYARD_DB" "$1"; }
PIDS=""
RC=0
cleanup_pids() { for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done; }
trap 'cleanup_pids; rm -rf "$T_TMP"' EXIT

# alive PID: running or sleeping, not a zombie nobody reaped yet
alive() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^[ZX]'; }
gone() { ! alive "$1"; }
rundir() { echo "$RUNYARD_DB.runs/$(q "select uuid from runs where name = '$1'")"; }
logsize() { stat -c %s "$(rundir "$1")/log" 2>/dev/null || echo 0; }

# ---- a job printing every 50 ms outlives runyard, and ends with its status
"$RUNYARD" run -q --name survivor -- sh -c "echo \$\$ > '$T_TMP/child.pid'; i=1; \
while [ \$i -le 60 ]; do echo \"line \$i loss=0.\$i\"; i=\$((i+1)); sleep 0.05; done; exit 3" \
	>/dev/null 2>&1 &
RY_PID=$!
PIDS="$RY_PID"
wait_until 10 test -s "$T_TMP/child.pid" || fail "the job starts"
CHILD=$(cat "$T_TMP/child.pid")
PIDS="$PIDS $CHILD"
wait_until 10 grep -q "^line 3 " "$(rundir survivor)/log" || fail "the job's first lines reach the log"
KEEPER=$(head -n1 "$(rundir survivor)/keeper" | cut -d' ' -f1 2>/dev/null)
PIDS="$PIDS $KEEPER"
kill -KILL "$RY_PID"
wait "$RY_PID" 2>/dev/null
S1=$(logsize survivor)
grew() { [ "$(logsize survivor)" -gt "$S1" ]; }
wait_until 10 grew && ok "its log keeps growing" || fail "its log keeps growing ($S1 bytes, still)"
alive "$CHILD" && ok "the job outlives runyard" || fail "the job outlives runyard"
ry runs
expect_rc 0 "a runyard start while the job runs"
[ "$(q "select status from runs where name = 'survivor'")" = running ] && ok "the run stays running" \
	|| fail "the run stays running: $(q "select status from runs where name = 'survivor'")"
wait_until 20 gone "$CHILD" && ok "the job ends on its own" || fail "the job ends on its own"
wait_until 10 test -e "$(rundir survivor)/exit" && ok "the keeper leaves the exit status" \
	|| fail "the keeper leaves the exit status"
wait_until 10 gone "$KEEPER" && ok "the keeper is gone after the job" || fail "the keeper is gone after the job"
ry runs
[ "$(q "select status || ' ' || exit_code from runs where name = 'survivor'")" = "failed 3" ] \
	&& ok "the next start settles it failed with exit code 3" \
	|| fail "the next start settles it failed with exit code 3: $(q "select status, exit_code from runs where name = 'survivor'")"
LOG="$(rundir survivor)/log"
[ "$(grep -c '^line ' "$LOG")" = 60 ] && [ "$(tail -1 "$LOG")" = "line 60 loss=0.60" ] \
	&& ok "the log has all 60 lines, in order" || fail "the log has all 60 lines: $(grep -c '^line ' "$LOG"), last '$(tail -1 "$LOG")'"
[ "$(seq 60 | sed 's/.*/line & loss=0.&/')" = "$(cat "$LOG")" ] && ok "no line lost or doubled at the takeover" \
	|| fail "no line lost or doubled at the takeover"
ended=$(q "select ended > started from runs where name = 'survivor'")
[ "$ended" = 1 ] && ok "the end time is recorded" || fail "the end time is recorded"

# ---- metrics printed and written after runyard died are caught up: each
# point once, with the steps live tracking gives (compared with a run that
# tracked the same output live), by whichever start comes next
rm -f "$T_TMP/child.pid"
"$RUNYARD" run -q --name catchup -- sh -c "echo \$\$ > '$T_TMP/child.pid'; i=1; \
while [ \$i -le 60 ]; do echo \"step=\$i loss=0.\$i\"; echo \"acc=1.\$i\"; echo \"acc=2.\$i\"; \
echo \"{\\\"step\\\": \$i, \\\"jl\\\": \$i}\" >> \"\$RUNYARD_METRICS\"; \
echo \"{\\\"jc\\\": 3.\$i}\" >> \"\$RUNYARD_METRICS\"; i=\$((i+1)); sleep 0.05; done; printf 'loss=9.5'" \
	>/dev/null 2>&1 &
RY_PID=$!
PIDS="$PIDS $RY_PID"
wait_until 10 test -s "$T_TMP/child.pid" || fail "the catch-up job starts"
CHILD=$(cat "$T_TMP/child.pid")
PIDS="$PIDS $CHILD"
wait_until 10 grep -q "^step=15 " "$(rundir catchup)/log" || fail "the catch-up job's lines reach the log"
KEEPER=$(head -n1 "$(rundir catchup)/keeper" | cut -d' ' -f1 2>/dev/null)
PIDS="$PIDS $KEEPER"
kill -KILL "$RY_PID"; wait "$RY_PID" 2>/dev/null
n_kill=$(q "select coalesce(sum(n), 0) from metric_summary s join runs r on r.id = s.run_id where r.name = 'catchup'")
wait_until 10 grep -q "^step=30 " "$(rundir catchup)/log" || fail "the catch-up job goes on"
ry runs
n_mid=$(q "select coalesce(sum(n), 0) from metric_summary s join runs r on r.id = s.run_id where r.name = 'catchup'")
alive "$CHILD" && [ "$n_mid" -gt "$n_kill" ] && ok "a start while the job runs takes in what it wrote so far ($n_kill -> $n_mid points)" \
	|| fail "a start while the job runs takes in what it wrote so far ($n_kill -> $n_mid points, job alive: $(alive "$CHILD" && echo yes))"
wait_until 20 gone "$CHILD" || fail "the catch-up job ends"
wait_until 10 test -e "$(rundir catchup)/exit" || fail "the catch-up job's keeper leaves the exit status"
ry runs
[ "$(q "select status from runs where name = 'catchup'")" = finished ] && ok "the caught-up run is settled" \
	|| fail "the caught-up run is settled: $(q "select status from runs where name = 'catchup'")"
# the same output tracked live, for the steps it gives
D=$(rundir catchup)
ry run -q --name reference -- sh -c "cat '$D/log'; cat '$D/metrics.jsonl' > \"\$RUNYARD_METRICS\""
points() { "$RUNYARD" metrics "$1" --csv | tail -n +2 | cut -d, -f2,3,5; }
points reference >"$T_TMP/want"
points catchup >"$T_TMP/got"
[ "$(wc -l <"$T_TMP/want")" = 301 ] || fail "the reference run has 301 points: $(wc -l <"$T_TMP/want")"
cmp -s "$T_TMP/want" "$T_TMP/got" && ok "every point once, steps as live tracking numbers them" \
	|| fail "every point once, steps as live tracking numbers them: $(diff "$T_TMP/want" "$T_TMP/got" | head -5)"
grep -qx "loss,61,9.5" "$T_TMP/got" && ok "the last line without a newline is taken at the end" \
	|| fail "the last line without a newline is taken at the end"
[ "$(cut -d, -f1,2 "$T_TMP/got" | sort | uniq -d)" = "" ] && ok "no step twice for a key" || fail "no step twice for a key"
ry runs
points catchup >"$T_TMP/again"
cmp -s "$T_TMP/got" "$T_TMP/again" && ok "a second start adds nothing" || fail "a second start adds nothing"
[ "$(q "select log_offset = $(stat -c %s "$D/log") and metrics_offset = $(stat -c %s "$D/metrics.jsonl") from runs where name = 'catchup'")" = 1 ] \
	&& ok "the stored offsets are the files' ends" || fail "the stored offsets are the files' ends"

# ---- runyard stopped while the job ends, then killed: the keeper drains
# what runyard never read before it leaves the status
rm -f "$T_TMP/child.pid"
"$RUNYARD" run -q --name late -- sh -c "echo \$\$ > '$T_TMP/child.pid'; \
while [ ! -e '$T_TMP/go' ]; do sleep 0.05; done; seq 1 5000" >/dev/null 2>&1 &
RY_PID=$!
PIDS="$PIDS $RY_PID"
wait_until 10 test -s "$T_TMP/child.pid" || fail "the late job starts"
CHILD=$(cat "$T_TMP/child.pid")
PIDS="$PIDS $CHILD"
wait_until 10 test -s "$(rundir late)/keeper"
kill -STOP "$RY_PID"
touch "$T_TMP/go"
wait_until 10 gone "$CHILD"
sleep 1.5 # longer than the grace a keeper gives grandchildren
kill -KILL "$RY_PID"; wait "$RY_PID" 2>/dev/null
wait_until 10 test -e "$(rundir late)/exit"
ry runs
[ "$(q "select status || ' ' || exit_code from runs where name = 'late'")" = "finished 0" ] \
	&& ok "the late job is settled finished" || fail "the late job is settled finished"
[ "$(seq 1 5000)" = "$(cat "$(rundir late)/log")" ] && ok "the keeper drained what runyard never read" \
	|| fail "the keeper drained what runyard never read: $(wc -l <"$(rundir late)/log") lines"

# ---- a job killed after runyard died: killed, from the keeper's status
rm -f "$T_TMP/child.pid"
"$RUNYARD" run -q --name orphan -- sh -c "echo \$\$ > '$T_TMP/child.pid'; exec sleep 30" >/dev/null 2>&1 &
RY_PID=$!
PIDS="$PIDS $RY_PID"
wait_until 10 test -s "$T_TMP/child.pid" || fail "the second job starts"
CHILD=$(cat "$T_TMP/child.pid")
PIDS="$PIDS $CHILD"
wait_until 10 test -s "$(rundir orphan)/keeper"
kill -KILL "$RY_PID"; wait "$RY_PID" 2>/dev/null
ry metrics orphan        # any runyard start reconciles
[ "$(q "select status from runs where name = 'orphan'")" = running ] && ok "orphan still running while its process lives" \
	|| fail "orphan still running while its process lives"
kill -KILL "$CHILD"
wait_until 10 test -e "$(rundir orphan)/exit"
ry metrics orphan
[ "$(q "select status || ' ' || coalesce(exit_code, 'none') from runs where name = 'orphan'")" = "killed none" ] \
	&& ok "orphan killed by a signal is settled killed" \
	|| fail "orphan killed by a signal is settled killed: $(q "select status, exit_code from runs where name = 'orphan'")"

# ---- runyard and its keeper both killed: lost once the job's process is gone
rm -f "$T_TMP/child.pid"
"$RUNYARD" run -q --name lost-one -- sh -c "echo \$\$ > '$T_TMP/child.pid'; exec sleep 30" >/dev/null 2>&1 &
RY_PID=$!
PIDS="$PIDS $RY_PID"
wait_until 10 test -s "$T_TMP/child.pid" || fail "the third job starts"
CHILD=$(cat "$T_TMP/child.pid")
wait_until 10 test -s "$(rundir lost-one)/keeper"
KEEPER=$(head -n1 "$(rundir lost-one)/keeper" | cut -d' ' -f1)
PIDS="$PIDS $CHILD $KEEPER"
kill -KILL "$RY_PID" "$KEEPER"; wait "$RY_PID" 2>/dev/null
wait_until 10 gone "$KEEPER"
ry runs
[ "$(q "select status from runs where name = 'lost-one'")" = running ] && ok "without a keeper, still running while the process lives" \
	|| fail "without a keeper, still running while the process lives"
kill -KILL "$CHILD"
wait_until 10 gone "$CHILD"
ry runs
[ "$(q "select status from runs where name = 'lost-one'")" = lost ] && ok "without a keeper, lost once the process is gone" \
	|| fail "without a keeper, lost once the process is gone: $(q "select status from runs where name = 'lost-one'")"
[ ! -e "$(rundir lost-one)/exit" ] && ok "no exit status was invented" || fail "no exit status was invented"

# ---- a normal end leaves no keeper behind and no exit file
ry run -q --name plain -- sh -c 'echo hi'
expect_rc 0 "a plain run"
[ ! -e "$(rundir plain)/exit" ] && [ ! -e "$(rundir plain)/keeper" ] && ok "a normal end leaves no keeper files" \
	|| fail "a normal end leaves no keeper files: $(ls "$(rundir plain)")"
left=$(for p in $(pgrep -x runyard-keeper); do tr '\0' '\n' </proc/"$p"/environ 2>/dev/null |
	grep -qxF "RUNYARD_DB=$RUNYARD_DB" && echo "$p"; done)
[ -z "$left" ] && ok "no keeper of this workspace is left" || fail "no keeper of this workspace is left: $left"

t_end
