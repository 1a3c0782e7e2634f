#!/bin/bash
# Crash loop (b), launch over SSH: `runyard launch` to the real loopback
# sshd of the remote tests is killed -9 SOAK_N times, before or after the
# job started on the host (a random moment of the launch, or the fault
# points launch-created / launch-started).  After each kill the workspace
# passes integrity_check; then sync settles every run, and each run's
# status is the truth the host's run directory tells: finished with all 20
# points its job printed (none twice) where the job ran, failed where
# nothing ran; a job that ran always has its run, and no launch leaves two.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../remote/sshd_lib.sh"
. "$(dirname "$0")/soak_lib.sh"
rt_setup
trap 'soak_cleanup; rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT
R=$T_TMP/repo
rt_repo "$R"

# the job: marks that it ran (on the "host", as the login user), then 20 points
job() { echo ": > '$RT_WORK/ran-$1'; i=1; while [ \$i -le 20 ]; do echo \"step=\$i loss=0.\$i\"; i=\$((i+1)); sleep 0.01; done"; }
# (exec: a kill must reach runyard itself, not a subshell around it)
launch() { exec "$RUNYARD" launch -e soak --name "$1" --host cpubox --yes -- sh -c "$(job "$1")"; }
(launch warm) >/dev/null 2>&1
DUR=$(measure_ms launch measure)
echo "# one launch takes ${DUR} ms here; kills drawn from 0..$((DUR * 12 / 10)) ms or a fault point"

for i in $(seq "$SOAK_N"); do
	kill_point "$DUR" launch-created launch-started
	RUNYARD_FAULT=$KILL_FAULT launch "k$i" >/dev/null 2>&1 &
	p=$!
	PIDS="$p"
	if [ -n "$KILL_FAULT" ]; then wait "$p" 2>/dev/null; else kill_after "$KILL_MS" "$p"; fi
	echo "${KILL_FAULT:-${KILL_MS} ms}" > "$T_TMP/how-$i"
	integrity || echo "integrity_check after the launch's kill: $(q 'PRAGMA integrity_check' | head -3)" > "$T_TMP/bad-$i"
done

# every run settles: sync until none is queued or running (a launch killed
# before its launcher file or its job started waits out the 30 s a start
# script is given)
unsettled() { q "select count(*) from runs where status in ('queued', 'running')"; }
settle() { "$RUNYARD" sync >/dev/null 2>>"$T_TMP/sync.err"; [ "$(unsettled)" = 0 ]; }
wait_until 120 settle || echo "# $(unsettled) runs still unsettled after 120 s of sync"
integrity && ok "integrity_check after the syncs" || fail "integrity_check after the syncs"

finished=0 failed=0 bad=0
for i in $(seq "$SOAK_N"); do
	name=k$i how=$(cat "$T_TMP/how-$i") why=""
	[ -e "$T_TMP/bad-$i" ] && why=" $(cat "$T_TMP/bad-$i");"
	n=$(q "select count(*) from runs where name = '$name'")
	st=$(q "select status from runs where name = '$name'")
	dir=$(q "select coalesce(remote_dir, '') from runs where name = '$name'")
	if [ "$n" = 0 ]; then
		[ -e "$RT_WORK/ran-$name" ] && why="$why its job ran but there is no run;"
	elif [ "$n" != 1 ]; then
		why="$why $n runs for one launch;"
	elif [ -n "$dir" ] && [ -e "$dir/exit_code" ]; then
		code=$(cat "$dir/exit_code")
		if [ "$code" = 0 ] && [ "$st" = finished ]; then
			finished=$((finished + 1))
			c=$(points "$name" | grep -c '^loss,')
			[ "$c" = 20 ] || why="$why $c of 20 points;"
			d=$(dup_points "$name")
			[ "$d" = 0 ] || why="$why $d points twice;"
		else
			why="$why status $st, the host says exit $code;"
		fi
	elif [ "$st" = failed ]; then
		failed=$((failed + 1))
		[ -e "$RT_WORK/ran-$name" ] && why="$why failed, yet its job ran;"
		[ -n "$dir" ] && [ -e "$dir/pid" ] && why="$why failed, yet the host has its pid;"
	else
		why="$why status '$st' (remote dir '${dir}');"
	fi
	if [ -z "$why" ]; then soak_ok "launch kill $i ($how): ${st:-no run}, integrity ok"
	else bad=$((bad + 1)); soak_fail "launch kill $i ($how):$why"; fi
done
if [ -s "$T_TMP/sync.err" ] && grep -qiE 'busy|locked' "$T_TMP/sync.err"; then
	fail "sync said busy or locked: $(grep -iE 'busy|locked' "$T_TMP/sync.err" | head -3)"
else ok "no sync said busy or locked"; fi
echo "# launch soak: $SOAK_N kills; $finished finished with 20/20 points, $failed failed (nothing ran), $(q "select count(*) from runs where name glob 'k[0-9]*'") runs, $bad bad"
t_end
