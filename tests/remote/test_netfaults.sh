#!/bin/bash
# Link faults (issue 16): the host sits in a network namespace of its own,
# behind a router namespace whose link the test cuts or makes lossy while
# runyard (in a third namespace) launches, syncs and follows.  Whatever the
# link does: the job goes on on the host, no runyard command outlives its
# deadline (each runs under `timeout`, and each on a dead link must return
# within the host's ConnectTimeout -- the deadline of a connect and of any
# stalled read or write -- plus closing, plus slack for a loaded machine),
# and the first sync after the link is back brings every log line and
# metric point the job wrote, each exactly once.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
RT_NET_TIMEOUT=3
rt_setup
rt_netns_setup
export RUNYARD_DB=$T_TMP/ws.db

T=$RT_NET_TIMEOUT
# The most one command may take on a dead link: one deadline, ~1 s to
# close, 3 s of slack for a machine shared with other test suites.  A
# command that waited once per run or once per file would take 2T and more.
BOUND=$((T + 4))
LONGEST=0

# tm LIMIT CMD...: CMD under timeout LIMIT, output in out/err; RC and TOOK
tm() {
	local lim=$1 t0; shift
	t0=$(date +%s.%N)
	timeout -k 2 "$lim" "$@" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	TOOK=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}
# dead_ok WHAT: the command just run (tm, on a dead link) returned by itself,
# within BOUND; LONGEST keeps the longest
dead_ok() {
	LONGEST=$(awk -v a="$LONGEST" -v b="$TOOK" 'BEGIN { print (b > a ? b : a) }')
	if [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && awk -v t="$TOOK" -v b="$BOUND" 'BEGIN { exit !(t <= b) }'; then
		ok "$1 returns on a dead link in ${TOOK}s (deadline ${T}s, bound ${BOUND}s)"
	else
		fail "$1 returns on a dead link in ${TOOK}s (status $RC, deadline ${T}s, bound ${BOUND}s)"
		sed 's/^/#   /' "$T_TMP/err" | head -8
	fi
}
stopped() { [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = T ]; }
ticks() { local n; n=$(grep -c '^tick' "$1" 2>/dev/null); echo "${n:-0}"; }
has_ticks() { [ "$(ticks "$1")" -ge "$2" ]; }
rdir() { sql "SELECT remote_dir FROM runs WHERE id = $1"; }
ldir() { echo "$RUNYARD_DB.runs/$(sql "SELECT uuid FROM runs WHERE id = $1")"; }
newest_id() { sql "SELECT max(id) FROM runs"; }
host_pid() { cat "$(rdir "$1")/pid" 2>/dev/null; }
# exact ID WHAT: the workspace holds the host's log byte for byte, and each
# metric point the job wrote once, with its value
exact() {
	local D L n
	D=$(rdir "$1"); L=$(ldir "$1"); n=$(ticks "$D/log")
	if [ "$n" -gt 0 ] && cmp -s "$D/log" "$L/log"; then
		ok "$2: all $n log lines recovered, each once"
	else
		fail "$2: all $n log lines recovered, each once (host $n, here $(ticks "$L/log"))"
	fi
	"$RT_RUNYARD_REAL" metrics "$1" m --csv > "$T_TMP/m.csv" 2>/dev/null
	if python3 - "$D/metrics.jsonl" "$T_TMP/m.csv" > "$T_TMP/mcount" <<'PY'
import csv, json, sys
want = sorted((int(d["step"]), float(d["m"])) for d in map(json.loads, open(sys.argv[1])))
got = sorted((int(r[2]), float(r[4])) for r in csv.reader(open(sys.argv[2])) if len(r) > 4 and r[1] == "m")
print(len(want), len(got))
sys.exit(0 if want == got and want else 1)
PY
	then ok "$2: all $(cut -d' ' -f1 "$T_TMP/mcount") metric points recovered, each once, values equal"
	else fail "$2: all metric points recovered, each once (written, recovered: $(cat "$T_TMP/mcount"))"; fi
}

R=$T_TMP/repo
rt_repo "$R"
# The job ticks every 0.2 s (a log line and a metric point) until its gate
# exists and it has ticked MIN times.
JOB='i=0; while [ ! -e "$1" ] || [ $i -lt "$2" ]; do i=$((i + 1)); echo "tick $i"
	echo "{\"step\": $i, \"m\": $i.5}" >> "$RUNYARD_METRICS"; sleep 0.2; done'
launch_bg() { # GATE MIN: a launch in the background, under timeout; LPID
	timeout -k 2 60 "$RUNYARD" launch -e net --host nethost --yes --json -- sh -c "$JOB" sh "$1" "$2" \
		> "$T_TMP/lout" 2> "$T_TMP/lerr" &
	LPID=$!
}
# lid: the id launch_bg's launch printed
lid() { python3 -c "import json; print(json.load(open('$T_TMP/lout'))['id'])" 2>/dev/null; }
# the runyard under the timeout of launch_bg, once it stopped at its fault point
fault_stopped() { RYPID=$(ps -o pid= --ppid "$LPID" | tr -d ' '); [ -n "$RYPID" ] && stopped "$RYPID"; }

# ---- link down mid-launch, before the start is sent -------------------------
RUNYARD_FAULT=launch-created:stop launch_bg "$T_TMP/g0" 1
wait_until 30 fault_stopped && ok "a launch stopped after creating its run" || fail "a launch stopped after creating its run"
rt_link_down
t0=$(date +%s.%N)
kill -CONT "$RYPID"
wait "$LPID"; RC=$?
TOOK=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
cp "$T_TMP/lerr" "$T_TMP/err"
[ $RC -ne 0 ] && ok "the launch fails when the link dies before the start" || fail "the launch fails when the link dies before the start"
dead_ok "launch (link cut before the start)"
id0=$(newest_id)
[ "$(status_of "$id0")" = failed ] && ok "its run is failed, not left queued" || fail "its run is failed, not left queued ($(status_of "$id0"))"
[ ! -e "$RT_WORK/net/runs/$(sql "SELECT uuid FROM runs WHERE id = $id0")/pid" ] &&
	ok "and nothing started on the host" || fail "and nothing started on the host"
rt_link_up || fail "the host answers once the link is back"

# ---- link down mid-launch, after the start is sent; mid-job -----------------
RUNYARD_FAULT=launch-started:stop launch_bg "$T_TMP/g1" 20
wait_until 30 fault_stopped && ok "a launch stopped once its job started" ||
	{ fail "a launch stopped once its job started"; sed 's/^/#   /' "$T_TMP/lerr"; }
rt_link_down
t0=$(date +%s.%N)
kill -CONT "$RYPID"
wait "$LPID"; RC=$?
TOOK=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
cp "$T_TMP/lerr" "$T_TMP/err"
[ $RC -eq 0 ] && ok "the launch that had started its job succeeds" || fail "the launch that had started its job succeeds (status $RC)"
dead_ok "launch (link cut after the start)"
id1=$(newest_id)
[ "$(status_of "$id1")" = running ] && ok "its run is running" || fail "its run is running ($(status_of "$id1"))"
D1=$(rdir "$id1")
wait_until 20 has_ticks "$D1/log" 8 && ok "the job goes on on the host while the link is down" ||
	fail "the job goes on on the host while the link is down ($(ticks "$D1/log") ticks)"
group_alive "$(host_pid "$id1")" && ok "its process is alive on the host" || fail "its process is alive on the host"
tm 30 "$RUNYARD" sync --json
[ "$RC" -eq 1 ] && ok "sync on a dead link says the run could not be checked (status 1)" || fail "sync on a dead link: status 1 (got $RC)"
dead_ok "sync"
[ "$(json "d['unreachable']")" = 1 ] && ok "one run unreachable" || fail "one run unreachable ($(json "d['unreachable']"))"
tm 30 "$RUNYARD" logs "$id1"
dead_ok "logs"
tm 30 "$RUNYARD" cancel "$id1"
[ "$RC" -ne 0 ] && ok "cancel on a dead link fails" || fail "cancel on a dead link fails"
dead_ok "cancel"
[ "$(status_of "$id1")" = running ] && group_alive "$(host_pid "$id1")" &&
	ok "a failed cancel leaves the run running, on the host too" || fail "a failed cancel leaves the run running, on the host too"
rt_link_up || fail "the host answers once the link is back"

# ---- link down during logs -f -------------------------------------------------
"$RUNYARD" logs "$id1" -f > "$T_TMP/fout" 2> "$T_TMP/ferr" &
follower=$!
wait_until 30 has_ticks "$T_TMP/fout" 9 && ok "logs -f prints what the job wrote meanwhile" ||
	fail "logs -f prints what the job wrote meanwhile"
rt_link_down
t0=$(date +%s.%N)
got_err() { grep -qF "could not pull new output" "$T_TMP/ferr"; }
wait_until 30 got_err
TOOK=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'); RC=0
# it retries every second: one more second for the round in flight
BOUND=$((BOUND + 1)) dead_ok "logs -f's pull (the outage said)"
rt_link_up || fail "the host answers once the link is back"
back() { grep -qF "host is back" "$T_TMP/ferr"; }
wait_until 30 back && ok "logs -f says when the host is back" || fail "logs -f says when the host is back"
touch "$T_TMP/g1"
follower_gone() { ! kill -0 "$follower" 2>/dev/null; }
if wait_until 40 follower_gone; then
	wait "$follower"; rc=$?
	[ $rc -eq 0 ] && ok "logs -f ends with the run" || fail "logs -f ends with the run (status $rc)"
else
	kill "$follower"; fail "logs -f ends with the run"
fi
cmp -s "$D1/log" "$T_TMP/fout" && ok "logs -f printed every line once, across both outages ($(ticks "$T_TMP/fout") lines)" ||
	fail "logs -f printed every line once ($(ticks "$T_TMP/fout") printed, $(ticks "$D1/log") written)"
[ "$(status_of "$id1")" = finished ] && ok "the run is finished" || fail "the run is finished ($(status_of "$id1"))"
exact "$id1" "launch cut after the start"

# ---- link down mid-sync, with bytes in flight -----------------------------------
# Three runs on the host; the first has about 700 kB of log and metrics to pull
# over a 1 Mbit/s link, cut while they flow.  Sync must give up on the
# host once, not once per run.
BIG='awk -v m="$RUNYARD_METRICS" '\''BEGIN { for (i = 1; i <= 20000; i++) { print "tick " i
	printf "{\"step\": %d, \"m\": %d.5}\n", i, i > m } }'\''; while [ ! -e "$1" ]; do sleep 0.2; done'
ry launch -e net --host nethost --yes --json -- sh -c "$BIG" sh "$T_TMP/g2"
id2=$(json "d['id']")
launch_bg "$T_TMP/g3" 5; wait "$LPID"; id3=$(lid)
launch_bg "$T_TMP/g3" 5; wait "$LPID"; id4=$(lid)
[ -n "$id2" ] && [ -n "$id3" ] && [ -n "$id4" ] && ok "three runs launched" || fail "three runs launched ($id2 $id3 $id4)"
wait_until 20 has_ticks "$(rdir "$id2")/log" 20000 || fail "the big job wrote its log"
rt_link_slow
sent() { ip netns exec "$RT_NS_R" tc -s class show dev rc classid 1:1 | sed -n 's/.*Sent \([0-9]*\) bytes.*/\1/p'; }
flowing() { [ "$(sent)" -gt 150000 ]; }
t0=$(date +%s.%N)
timeout -k 2 60 "$RUNYARD" sync > "$T_TMP/sout" 2> "$T_TMP/serr" &
spid=$!
wait_until 30 flowing && ok "sync is pulling the big log" || fail "sync is pulling the big log ($(sent) bytes)"
rt_link_down
t0=$(date +%s.%N)
wait "$spid"; RC=$?
TOOK=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
cp "$T_TMP/serr" "$T_TMP/err"
[ "$RC" -eq 1 ] && ok "a sync cut mid-transfer fails (status 1)" || fail "a sync cut mid-transfer fails (status $RC)"
dead_ok "sync cut mid-transfer, with 3 runs on the host"
rt_link_clean
rt_link_up || fail "the host answers once the link is back"
for id in $id2 $id3 $id4; do group_alive "$(host_pid "$id")" || fail "run $id's job is alive on the host"; done
touch "$T_TMP/g2" "$T_TMP/g3"
for id in $id2 $id3 $id4; do wait_status "$id" finished || fail "run $id settles once the link is back ($(status_of "$id"))"; done
exact "$id2" "sync cut mid-transfer"
exact "$id3" "a run synced after it"

# ---- packet loss during a job and its syncs -----------------------------------
launch_bg "$T_TMP/g5" 25; wait "$LPID"; id5=$(lid)
[ -n "$id5" ] && ok "a job launched" || fail "a job launched"
D5=$(rdir "$id5")
rt_link_lossy
# syncs while the job runs: each may time out (a 3 s deadline over this
# link is tight), none may hang
nsync=0 nok=0 slowest=0
while ! has_ticks "$D5/log" 25 || [ $nsync -lt 3 ]; do
	tm 60 "$RUNYARD" sync
	nsync=$((nsync + 1)); [ "$RC" -eq 0 ] && nok=$((nok + 1))
	slowest=$(awk -v a="$slowest" -v b="$TOOK" 'BEGIN { print (b > a ? b : a) }')
	[ "$RC" -eq 124 ] || [ "$RC" -eq 137 ] && break
	[ $nsync -ge 20 ] && break
done
echo "# $nsync syncs over the lossy link, $nok of them complete, the slowest ${slowest}s; $(rt_link_dropped) packets dropped"
[ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && ok "no sync over the lossy link hangs" || fail "no sync over the lossy link hangs (${TOOK}s)"
[ "$(rt_link_dropped)" -gt 0 ] && ok "the link dropped packets" || fail "the link dropped packets"
group_alive "$(host_pid "$id5")" && ok "the job is alive on the host" || fail "the job is alive on the host"
touch "$T_TMP/g5"
# the run settles over the lossy link (40 s deadline)
settled=false end=$((SECONDS + 40))
while [ $SECONDS -lt $end ]; do
	tm 60 "$RUNYARD" sync
	[ "$(status_of "$id5")" = finished ] && { settled=true; break; }
	[ "$RC" -eq 124 ] || [ "$RC" -eq 137 ] && break
	sleep 0.25
done
$settled && ok "a sync gets through the lossy link and settles the run" ||
	fail "a sync gets through the lossy link and settles the run ($(status_of "$id5"))"
rt_link_clean
wait_status "$id5" finished
exact "$id5" "packet loss"

echo "# longest runyard command on a dead link: ${LONGEST}s (deadline ${T}s)"
t_end
