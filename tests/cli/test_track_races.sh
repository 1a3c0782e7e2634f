#!/bin/bash
# Tracked runs are never stuck, never mislabelled and a new workspace is
# never refused, whatever moment runyard is killed at and however many
# processes write at once.  Each race is reproduced deterministically with
# a fault point (RUNYARD_FAULT, core/base/fault.h) and then by the statistical
# loop that first found it (RY_RACE_KILLS and RY_RACE_WRITER_ROUNDS scale
# the loops; make check runs a short version).
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$T_TMP/ws.db"
KILLS=${RY_RACE_KILLS:-10}          # random kills, each way (plain, under write contention)
WROUNDS=${RY_RACE_WRITER_ROUNDS:-2}  # rounds of 8 writers at once, each workspace kind
q() { sqlite3 -cmd '.timeout 5000' "$RUNYARD_DB" "$1"; }
PIDS=""
cleanup_pids() { for p in $PIDS; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done; }
trap 'cleanup_pids; rm -rf "$T_TMP"' EXIT

stopped() { [ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" | grep -q '^T'; }
gone() { ! [ -r "/proc/$1/stat" ] || sed 's/.*) //' "/proc/$1/stat" | grep -q '^[ZX]'; }
rundir() { echo "$RUNYARD_DB.runs/$(q "select uuid from runs where name = '$1'")"; }
status_of() { q "select status || ' ' || coalesce(exit_code, '-') from runs where name = '$1'"; }
# metric_count RUN: how many loss points the run has, as `metrics --json` says
metric_count() { "$RUNYARD" metrics "$1" loss --json 2>/dev/null |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["metrics"].get("loss", {}).get("step", [])))' 2>/dev/null || echo "?"; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }

JOB='i=1; while [ $i -le 20 ]; do echo "step=$i loss=0.$i"; i=$((i+1)); sleep 0.01; done'

# ---- 1. killed between starting the command and recording its pid
{ RUNYARD_FAULT=track-started:kill "$RUNYARD" run -q --name nopid -- sh -c "$JOB"; } >/dev/null 2>&1
RC=$?
[ "$RC" -eq 137 ] && ok "the fault point kills runyard after the start" || fail "the fault point kills runyard (status $RC)"
wait_until 20 test -e "$(rundir nopid)/exit" && ok "the keeper finishes the job alone" || fail "the keeper finishes the job alone"
ry runs
expect_rc 0 "the next command runs"
is_status nopid "finished 0" && ok "the run without a pid is settled finished 0" \
	|| fail "the run without a pid is settled finished 0: '$(status_of nopid)'"
n=$(metric_count nopid)
[ "$n" = 20 ] && ok "all 20 points it printed are in" || fail "all 20 points it printed are in: $n"

# ---- killed the moment it has taken output from the command's pipe: what
# it took is in the log all the same (the keeper drains the rest)
{ RUNYARD_FAULT=track-pumped:kill "$RUNYARD" run -q --name pumped -- sh -c "$JOB"; } >/dev/null 2>&1
wait_until 20 test -e "$(rundir pumped)/exit" && ok "the keeper finishes a job whose first output runyard took" \
	|| fail "the keeper finishes a job whose first output runyard took"
ry runs
is_status pumped "finished 0" && ok "it is settled finished 0" || fail "it is settled finished 0: '$(status_of pumped)'"
n=$(metric_count pumped)
[ "$n" = 20 ] && ok "no output lost at the kill: all 20 points" || fail "no output lost at the kill: $n points of 20"
[ "$(grep -c '^step=' "$(rundir pumped)/log")" = 20 ] && ok "and all 20 lines in its log" \
	|| fail "and all 20 lines in its log: $(grep -c '^step=' "$(rundir pumped)/log")"

# ---- killed after the run is created, before the command starts
{ RUNYARD_FAULT=track-created:kill "$RUNYARD" run -q --name never -- sh -c "echo ran > '$T_TMP/never-ran'"; } >/dev/null 2>&1
ry runs
is_status never "lost -" && ok "a run whose command never started is lost, not running" \
	|| fail "a run whose command never started is lost: '$(status_of never)'"
[ ! -e "$T_TMP/never-ran" ] && ok "and its command did not run behind runyard's back" || fail "its command ran"

# ---- 2. a reader deciding from a stale list never relabels a finished run
# The tracker stops itself once its command has ended, before it settles;
# a reader lists the run as running with its command gone, and stops; the
# tracker settles; only then does the reader go on.
RUNYARD_FAULT=track-settle:stop "$RUNYARD" run -q --name settled -- sh -c 'echo loss=0.5; exit 0' >/dev/null 2>&1 &
TR=$!
PIDS="$PIDS $TR"
wait_until 20 stopped "$TR" && ok "the tracker pauses before settling" || fail "the tracker pauses before settling"
RUNYARD_FAULT=reconcile-listed:stop "$RUNYARD" runs >/dev/null 2>&1 &
RD=$!
PIDS="$PIDS $RD"
wait_until 20 stopped "$RD" && ok "the reader pauses after listing running runs" || fail "the reader pauses after listing"
kill -CONT "$TR"
wait "$TR"
RC=$?
expect_rc 0 "the tracker settles its run"
is_status settled "finished 0" && ok "it is finished 0" || fail "it is finished 0: '$(status_of settled)'"
kill -CONT "$RD"
wait "$RD"
is_status settled "finished 0" && ok "the stale reader leaves it finished 0" \
	|| fail "the stale reader leaves it finished 0: '$(status_of settled)'"

# ---- 3. a reader paused inside the workspace check while another creates it
export RUNYARD_DB="$T_TMP/new.db"
RUNYARD_FAULT=store-check:stop "$RUNYARD" run -q --name first -- true >/dev/null 2>"$T_TMP/first.err" &
B=$!
PIDS="$PIDS $B"
wait_until 20 stopped "$B" && ok "the first creator pauses inside the check" || fail "the first creator pauses inside the check"
"$RUNYARD" run -q --name second -- true >/dev/null 2>"$T_TMP/second.err" &
A=$!
PIDS="$PIDS $A"
# The second either finishes or waits on the first's lock; give it 2 s.
wait_until 2 gone "$A"
kill -CONT "$B"
wait "$B"; RB=$?
wait "$A"; RA=$?
[ "$RA" -eq 0 ] && [ "$RB" -eq 0 ] && ok "both creators succeed" \
	|| fail "both creators succeed: $RA $RB: $(cat "$T_TMP/first.err" "$T_TMP/second.err")"
[ "$(q "select count(*) from runs where status = 'finished'")" = 2 ] && ok "both runs are in the new workspace" \
	|| fail "both runs are in the new workspace: $(q "select name, status from runs")"

# ---- the statistical loops: kill -9 at random moments in the first 50 ms,
# alone and while another connection holds the write lock most of the time
# (what made the pid's own transaction wait, and the run look pid-less)
random_kills() { # PREFIX
	for i in $(seq "$KILLS"); do
		"$RUNYARD" run -q --name "kill-$1$i" -- sh -c "$JOB" >/dev/null 2>&1 &
		local p=$!
		sleep "0.0$(( RANDOM % 5 ))$(( RANDOM % 10 ))"
		{ kill -KILL "$p"; wait "$p"; } 2>/dev/null
	done
}
hold_lock() { # SECONDS: hold BEGIN IMMEDIATE for 150 ms of every 200
	python3 - "$RUNYARD_DB" "$1" <<'PY'
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
end = time.time() + float(sys.argv[2])
while time.time() < end:
    con.execute("BEGIN IMMEDIATE"); time.sleep(0.15); con.execute("COMMIT"); time.sleep(0.05)
PY
}
export RUNYARD_DB="$T_TMP/kill.db"
"$RUNYARD" run -q -- true >/dev/null 2>&1
random_kills k
hold_lock 600 &
LOCKER=$!
PIDS="$PIDS $LOCKER"
random_kills c
kill "$LOCKER" 2>/dev/null
wait "$LOCKER" 2>/dev/null
# every keeper leaves its exit file; then any start settles the runs
all_settled() { "$RUNYARD" runs >/dev/null 2>&1; [ "$(q "select count(*) from runs where status = 'running'")" = 0 ]; }
wait_until 60 all_settled
total=$((2 * KILLS))
stuck=$(q "select count(*) from runs where status = 'running'")
bad=$(q "select count(*) from runs where name glob 'kill-*' and status not in ('finished', 'lost')")
[ "$stuck" = 0 ] && ok "$total random kills: 0 runs stuck running" || fail "$total random kills: $stuck stuck running"
[ "$bad" = 0 ] && ok "$total random kills: every run finished (or lost before its command started)" \
	|| fail "$total random kills: $bad mislabelled: $(q "select name, status, exit_code from runs where status not in ('finished', 'lost')")"
short=0 why=""
for name in $(q "select name from runs where name glob 'kill-*' and status = 'finished'"); do
	n=$(metric_count "$name")
	if [ "$n" != 20 ]; then
		short=$((short + 1))
		why="$why $name: $n points, $(grep -c '^step=' "$RUNYARD_DB.runs/$(q "select uuid from runs where name = '$name'")/log") lines in its log;"
	fi
done
[ "$short" = 0 ] && ok "$total random kills: every finished run has all 20 points" \
	|| fail "$total random kills: $short finished runs lack points:$why"
lostran=0
for name in $(q "select name from runs where status = 'lost'"); do
	[ -s "$RUNYARD_DB.runs/$(q "select uuid from runs where name = '$name'")/log" ] && lostran=$((lostran + 1))
done
[ "$lostran" = 0 ] && ok "$total random kills: no run whose command printed is lost" \
	|| fail "$total random kills: $lostran lost runs had output"
echo "# random kills: $total, finished $(q "select count(*) from runs where name glob 'kill-*' and status = 'finished'"), lost before starting $(q "select count(*) from runs where status = 'lost'")"

# ---- short runs while two readers reconcile in a loop: none relabelled
export RUNYARD_DB="$T_TMP/readers.db"
"$RUNYARD" run -q -- true >/dev/null 2>&1
SHORT=${RY_RACE_SHORT:-$((3 * KILLS))}
reader() { local end=$(( $(date +%s) + 300 )); while [ ! -e "$T_TMP/readers.stop" ] && [ "$(date +%s)" -lt "$end" ]; do
	"$RUNYARD" runs >/dev/null 2>&1; done; }
reader & R1=$!
reader & R2=$!
PIDS="$PIDS $R1 $R2"
for i in $(seq "$SHORT"); do "$RUNYARD" run -q --name "s$i" -- sh -c 'echo loss=0.5' >/dev/null 2>&1; done
touch "$T_TMP/readers.stop"
wait "$R1" "$R2"
relabelled=$(q "select count(*) from runs where name glob 's*' and not (status = 'finished' and exit_code = 0)")
[ "$relabelled" = 0 ] && ok "$SHORT short runs beside two reconciling readers: 0 relabelled" \
	|| fail "$SHORT short runs beside two reconciling readers: $relabelled relabelled: $(q "select name, status, exit_code from runs where name glob 's*' and status != 'finished'")"

# ---- 8 writers at once, on a new and on an existing workspace
for ws in fresh existing; do
	export RUNYARD_DB="$T_TMP/$ws.db"
	[ "$ws" = existing ] && "$RUNYARD" run -q -- true >/dev/null 2>&1
	failed=0
	for r in $(seq "$WROUNDS"); do
		[ "$ws" = fresh ] && rm -rf "$RUNYARD_DB" "$RUNYARD_DB"-* "$RUNYARD_DB.runs"
		pids=""
		for w in $(seq 8); do
			"$RUNYARD" run -q -e par -- sh -c 'echo loss=0.1; echo loss=0.2' >/dev/null 2>>"$T_TMP/writers.err" &
			pids="$pids $!"
		done
		for p in $pids; do wait "$p" || failed=$((failed + 1)); done
		n=$(q "select count(*) from runs r join experiments e on e.id = r.experiment_id where e.name = 'par' and status = 'finished'")
		[ "$ws" = fresh ] && [ "$n" != 8 ] && failed=$((failed + 1))
	done
	[ "$failed" = 0 ] && ok "8 writers x $WROUNDS on a $ws workspace: 0 failed" \
		|| fail "8 writers x $WROUNDS on a $ws workspace: $failed failed: $(sort -u "$T_TMP/writers.err" | head -5)"
done

t_end
