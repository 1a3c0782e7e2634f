#!/bin/bash
# Crash loop (c), `runyard sync`: a job launched over SSH to the loopback
# sshd prints 30 points; `runyard sync` is killed -9 SOAK_N times, while the
# job runs (a partial pull) or after it ended (the final pull and the
# settle), at a random moment of the sync or at the fault points
# sync-pulled (the log written past the stored offset, nothing committed)
# and sync-ingested (points and offsets written, not committed).  After
# each kill the workspace passes integrity_check; the sync after it settles
# the run finished with exactly the 30 points the host's log holds, none
# twice, and a log byte for byte the host's.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../remote/sshd_lib.sh"
. "$(dirname "$0")/soak_lib.sh"
rt_setup
trap 'soak_cleanup; rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT
R=$T_TMP/repo
rt_repo "$R"

JOB='i=1; while [ $i -le 30 ]; do echo "step=$i loss=0.$i acc=0.$i"; i=$((i+1)); sleep 0.02; done'
launch() { "$RUNYARD" launch -e soak --name "$1" --host cpubox --yes -- sh -c "$JOB" >/dev/null 2>"$T_TMP/launch.err"; }
dir_of() { q "select remote_dir from runs where name = '$1'"; }
ended() { [ -e "$(dir_of "$1")/exit_code" ]; }
settle() { "$RUNYARD" sync >/dev/null 2>>"$T_TMP/sync.err"; [ "$(q "select status from runs where name = '$1'")" = finished ]; }
launch warm && wait_until 20 ended warm && settle warm
launch measure
wait_until 20 ended measure
DUR=$(measure_ms "$RUNYARD" sync)
echo "# one sync takes ${DUR} ms here; kills drawn from 0..$((DUR * 12 / 10)) ms or a fault point"

bad=0
for i in $(seq "$SOAK_N"); do
	name=k$i why=""
	launch "$name" || { soak_fail "launch $i: $(cat "$T_TMP/launch.err")"; continue; }
	phase=running
	if [ $((i % 2)) -eq 0 ]; then phase=ended; wait_until 20 ended "$name" || why="$why the job did not end;"; fi
	kill_point "$DUR" sync-pulled sync-ingested
	RUNYARD_FAULT=$KILL_FAULT "$RUNYARD" sync >/dev/null 2>&1 &
	p=$!
	PIDS="$p"
	if [ -n "$KILL_FAULT" ]; then wait "$p" 2>/dev/null; else kill_after "$KILL_MS" "$p"; fi
	how="${KILL_FAULT:-${KILL_MS} ms}, job $phase"
	integrity || why="$why integrity_check after the kill: $(q 'PRAGMA integrity_check' | head -3);"
	wait_until 20 ended "$name" || why="$why the job did not end;"
	wait_until 30 settle "$name" || why="$why status $(q "select status from runs where name = '$name'") after 30 s of sync;"
	integrity || why="$why integrity_check after the sync: $(q 'PRAGMA integrity_check' | head -3);"
	c=$(points "$name" | grep -c '^loss,')
	[ "$c" = 30 ] || why="$why $c of 30 loss points;"
	c=$(points "$name" | grep -c '^acc,')
	[ "$c" = 30 ] || why="$why $c of 30 acc points;"
	d=$(dup_points "$name")
	[ "$d" = 0 ] || why="$why $d points twice;"
	local_log="$RUNYARD_DB.runs/$(q "select uuid from runs where name = '$name'")/log"
	cmp -s "$local_log" "$(dir_of "$name")/log" || why="$why the local log differs from the host's;"
	if [ -z "$why" ]; then soak_ok "sync kill $i ($how): finished, 30/30 points, integrity ok"
	else bad=$((bad + 1)); soak_fail "sync kill $i ($how):$why"; fi
done
if [ -s "$T_TMP/sync.err" ] && grep -qiE 'busy|locked' "$T_TMP/sync.err"; then
	fail "sync said busy or locked: $(grep -iE 'busy|locked' "$T_TMP/sync.err" | head -3)"
else ok "no sync said busy or locked"; fi
echo "# sync soak: $SOAK_N kills, $bad bad"
t_end
