#!/bin/bash
# Crash loop (a), local ingest: `runyard run -- CMD` tracking a command that
# prints 20 metric lines is killed -9 SOAK_N times, at a random moment of
# its run or at one of the tracker's fault points.  After each kill, once
# the keeper is done and a reader has reconciled: the workspace passes
# integrity_check; the run is settled (finished 0, or lost / failed only
# when its command never started); a finished run has all 20 points the command
# printed, none twice; a command that ran always has its run.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/soak_lib.sh"
trap 'soak_cleanup; rm -rf "$T_TMP"' EXIT

# the command: marks that it ran, then 20 points over ~0.2 s
job() { echo ": > '$T_TMP/ran-$1'; i=1; while [ \$i -le 20 ]; do echo \"step=\$i loss=0.\$i\"; i=\$((i+1)); sleep 0.01; done"; }
"$RUNYARD" run -q --name warm -- true >/dev/null 2>&1
DUR=$(measure_ms "$RUNYARD" run -q --name measure -- sh -c "$(job measure)")
echo "# one tracked run takes ${DUR} ms here; kills drawn from 0..$((DUR * 12 / 10)) ms or a fault point"
POINTS="track-created track-started track-pumped track-settle keeper-before-fork"

status_of() { q "select status || ' ' || coalesce(exit_code, '-') from runs where name = '$1'"; }
settled() { "$RUNYARD" runs >/dev/null 2>&1; ! q "select status from runs where name = '$1'" | grep -q running; }
lost=0 finished=0 bad=0
for i in $(seq "$SOAK_N"); do
	name=k$i
	# shellcheck disable=SC2086
	kill_point "$DUR" $POINTS
	RUNYARD_FAULT=$KILL_FAULT "$RUNYARD" run -q --name "$name" -- sh -c "$(job "$i")" >/dev/null 2>&1 &
	p=$!
	PIDS="$p"
	if [ -n "$KILL_FAULT" ]; then wait "$p" 2>/dev/null; else kill_after "$KILL_MS" "$p"; fi
	how=${KILL_FAULT:-${KILL_MS} ms}
	why=""
	# the keeper (if one started) ends with the command; a reader settles the run
	wait_until 30 settled "$name" || why="$why still running after 30 s;"
	integrity || why="$why integrity_check: $(q 'PRAGMA integrity_check' | head -3);"
	st=$(status_of "$name")
	if [ -z "$st" ]; then
		[ -e "$T_TMP/ran-$i" ] && why="$why its command ran but there is no run;"
	elif [ "$st" = "finished 0" ]; then
		finished=$((finished + 1))
		n=$(points "$name" | grep -c '^loss,')
		[ "$n" = 20 ] || why="$why $n of 20 points;"
		d=$(dup_points "$name")
		[ "$d" = 0 ] || why="$why $d points twice;"
	elif [ "$st" = "lost -" ] || [ "$st" = "failed -" ]; then
		# lost: runyard died before the command started; failed: runyard
		# lived and said the command could not start (its keeper was killed)
		lost=$((lost + 1))
		[ -e "$T_TMP/ran-$i" ] && why="$why ${st% -}, yet its command ran;"
	else
		why="$why status '$st';"
	fi
	if [ -z "$why" ]; then soak_ok "kill $i ($how): ${st:-no run}, integrity ok"
	else bad=$((bad + 1)); soak_fail "kill $i ($how):$why"; fi
done
runs=$(q "select count(*) from runs where name glob 'k[0-9]*'")
dups=$(q "select count(*) from (select name from runs group by name having count(*) > 1)")
[ "$dups" = 0 ] && ok "no run recorded twice" || fail "$dups runs recorded twice"
echo "# ingest soak: $SOAK_N kills, $runs runs ($finished finished with 20/20 points, $lost lost or failed before starting), $bad bad kills"
t_end
