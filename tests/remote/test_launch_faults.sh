#!/bin/bash
# Launch-path faults against a real sshd (issue 15's three bugs): a launch
# killed after the job started, or before it reached the host, is settled
# from the host's run directory, never left queued or mislabelled; cancel,
# the time limit and a job's own end stop the whole process group, a child
# that ignores TERM included, and check it is gone; a job killed without an
# exit code ends at the time the host saw it end, not at the next sync.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
export RUNYARD_DB=$T_TMP/ws.db

# wait_file PATH [SECONDS]: until PATH exists (deadline, default 30 s)
wait_file() {
	local i
	for i in $(seq 1 $((${2:-30} * 10))); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}
wait_group_gone() {
	local i
	for i in $(seq 1 $((${2:-10} * 10))); do group_alive "$1" || return 0; sleep 0.1; done
	return 1
}
newest_id() { sql "SELECT max(id) FROM runs"; }
# near A B SLACK: |A - B| <= SLACK
near() { python3 -c "import sys; sys.exit(0 if abs($1 - ($2)) <= $3 else 1)"; }

R=$T_TMP/repo
rt_repo "$R"

# ---- the launch is killed after the job started ---------------------------
RUNYARD_FAULT=launch-started:kill "$RUNYARD" launch -e exp --host gpu2 --gpus 1 --yes --json \
	-- sh -c 'echo "loss=0.5"; sleep 1.5; echo "loss=0.25"' > "$T_TMP/out" 2> "$T_TMP/err"
rc=$?
[ $rc -eq 137 ] && ok "the launcher died at the fault point" || fail "the launcher died at the fault point (status $rc)"
id1=$(newest_id)
D1=$(sql "SELECT remote_dir FROM runs WHERE id = $id1")
[ "$(status_of "$id1")" = queued ] && ok "its run is queued, not failed" || fail "its run is queued, not failed ($(status_of "$id1"))"
wait_file "$D1/pid" && ok "the job did start on the host" || fail "the job did start on the host"
if wait_status "$id1" finished; then ok "sync settles the orphaned launch: finished"; else
	fail "sync settles the orphaned launch: finished (status $(status_of "$id1"))"; fi
near "$(sql "SELECT started FROM runs WHERE id = $id1")" "$(cat "$D1/started")" 0.01 \
	&& ok "its start is the host's" || fail "its start is the host's"
[ "$(sql "SELECT cost_total > 0 FROM runs WHERE id = $id1")" = 1 ] && ok "it is billed (cost > 0)" ||
	fail "it is billed (cost $(sql "SELECT cost_total FROM runs WHERE id = $id1"))"
ry logs "$id1"
expect_out_has "loss=0.25" "its log was pulled"

# ---- the launch is killed before it reached the host -----------------------
RUNYARD_FAULT=launch-created:kill "$RUNYARD" launch -e exp --host cpubox --yes -- true >/dev/null 2>&1
id2=$(newest_id)
[ "$(status_of "$id2")" = queued ] && ok "a launch killed early leaves its run queued" || fail "a launch killed early leaves its run queued"
ry sync
[ "$(status_of "$id2")" = failed ] && ok "sync settles it: failed" || fail "sync settles it: failed ($(status_of "$id2"))"
ry show "$id2"
expect_out_has "nothing ran" "and its note says nothing ran"

# ---- a queued run whose launcher died is cancelled ------------------------
RUNYARD_FAULT=launch-created:kill "$RUNYARD" launch -e exp --host cpubox --yes -- true >/dev/null 2>&1
id3=$(newest_id)
ry cancel "$id3"
expect_rc 0 "cancelling a queued run whose launch died"
[ "$(status_of "$id3")" = killed ] && ok "it is killed, not left queued" || fail "it is killed, not left queued ($(status_of "$id3"))"

# ---- cancel stops a child that ignores TERM, and checks -------------------
ry launch -e exp --host cpubox --yes --json -- sh -c '(trap "" TERM; exec sleep 300) & echo started; sleep 300'
idc=$(json "d['id']"); pidc=$(json "d['pid']"); Dc=$(sql "SELECT remote_dir FROM runs WHERE id = $idc")
for i in $(seq 1 50); do grep -q started "$Dc/log" 2>/dev/null && break; sleep 0.1; done
ry cancel "$idc"
expect_rc 0 "cancel"
expect_out_has "(status killed)" "the cancelled run is killed"
if group_alive "$pidc"; then fail "no process of the job's group survives cancel"; else ok "no process of the job's group survives cancel"; fi

# ---- the job's own end stops what it left behind ---------------------------
ry launch -e exp --host cpubox --yes --json -- sh -c '(trap "" TERM; exec sleep 300) & echo done'
idn=$(json "d['id']"); pidn=$(json "d['pid']")
if wait_status "$idn" finished; then ok "a job whose main process ended is finished"; else fail "a job whose main process ended is finished"; fi
if wait_group_gone "$pidn" 10; then ok "its TERM-ignoring child was stopped with it"; else fail "its TERM-ignoring child was stopped with it"; fi

# ---- the time limit: TERM, a grace, then KILL; the end is the host's -------
ry launch -e exp --host cpubox --time-limit 2s --yes --json -- sh -c 'trap "" TERM; echo start; sleep 300'
idt=$(json "d['id']"); pidt=$(json "d['pid']"); Dt=$(sql "SELECT remote_dir FROM runs WHERE id = $idt")
wait_file "$Dt/exit_code" 40 && ok "the time limit ends a job that ignores TERM" || fail "the time limit ends a job that ignores TERM"
if wait_group_gone "$pidt" 5; then ok "its whole group is gone"; else fail "its whole group is gone"; fi
# sync well after the end: the recorded end must still be the host's
end_t=$(cat "$Dt/ended")
for i in $(seq 1 100); do near "$(date +%s.%N)" "$end_t + 4" 0.5 && break; python3 -c 'import time; time.sleep(0.1)'; done
wait_status "$idt" killed && ok "the run is killed" || fail "the run is killed ($(status_of "$idt"))"
near "$(sql "SELECT ended FROM runs WHERE id = $idt")" "$end_t" 0.01 && ok "its end is when the host saw it end" ||
	fail "its end is when the host saw it end (recorded $(sql "SELECT ended FROM runs WHERE id = $idt"), host $end_t)"
dur=$(sql "SELECT ended - started FROM runs WHERE id = $idt")
near "$dur" 12 3 && ok "duration = limit + grace (${dur}s)" || fail "duration = limit + grace (${dur}s)"

# ---- killed from outside, no exit code: lost, ended when the host saw it ---
ry launch -e exp --host cpubox --yes --json -- sleep 300
idl=$(json "d['id']"); pidl=$(json "d['pid']"); Dl=$(sql "SELECT remote_dir FROM runs WHERE id = $idl")
wait_file "$Dl/started"
kill -KILL -- -"$pidl"
killed_at=$(date +%s.%N)
wait_file "$Dl/ended" 10 && ok "the watchdog records the end of a job killed with its wrapper" ||
	fail "the watchdog records the end of a job killed with its wrapper"
host_end=$(cat "$Dl/ended")
for i in $(seq 1 100); do near "$(date +%s.%N)" "$host_end + 4" 0.5 && break; python3 -c 'import time; time.sleep(0.1)'; done
synced_at=$(date +%s.%N)
wait_status "$idl" lost && ok "a job killed from outside is lost" || fail "a job killed from outside is lost ($(status_of "$idl"))"
rec=$(sql "SELECT ended FROM runs WHERE id = $idl")
near "$rec" "$host_end" 0.01 && python3 -c "import sys; sys.exit(0 if $killed_at - 0.5 <= $rec < $synced_at - 2 else 1)" \
	&& ok "its end is when the host saw the kill, not the sync" ||
	fail "its end is when the host saw the kill, not the sync (recorded $rec, host $host_end, killed $killed_at, synced $synced_at)"

# ---- a job that ends while sync reads its state is finished, not lost ----
# The status check read exit_code before asking whether the wrapper is
# alive: a job whose wrapper wrote exit_code and ended between the two was
# neither ended nor alive, so `lost` (seen in test_netfaults under load).
# A `cat` on the host ends the job right there, every time: when the check
# reads the pid of a run holding `end-on-status`, it opens the job's gate
# (the run directory's `gate`) and waits for the wrapper to be gone before
# answering.
cat > "$RT/cpu/cat" <<'HOOK'
#!/bin/sh
case $# in 1) case $1 in */pid)
	d=${1%/pid}
	if [ -e "$d/end-on-status" ]; then
		touch "$d/gate"; rm -f "$d/end-on-status"
		p=$(/bin/cat "$1") i=0
		while [ $i -lt 300 ]; do
			if [ -e "$d/exit_code" ] && { [ ! -e /proc/$p/stat ] || grep -q ') Z' /proc/$p/stat 2>/dev/null; }; then break; fi
			sleep 0.05; i=$((i + 1))
		done
	fi;;
esac;; esac
exec /bin/cat "$@"
HOOK
chmod 755 "$RT/cpu/cat"
ry launch -e exp --host cpubox --yes --json -- sh -c 'echo up; while [ ! -e "${RUNYARD_METRICS%/*}/gate" ]; do sleep 0.1; done; echo down'
ide=$(json "d['id']"); De=$(sql "SELECT remote_dir FROM runs WHERE id = $ide")
: > "$De/end-on-status"
ry sync
[ ! -e "$De/end-on-status" ] && ok "the job ended while sync checked it" || fail "the job ended while sync checked it"
[ "$(status_of "$ide")" = finished ] && ok "a job that ends while sync reads its state is finished" ||
	fail "a job that ends while sync reads its state is finished ($(status_of "$ide"))"
rm -f "$RT/cpu/cat"

# ---- the GPU checked is the GPU used ---------------------------------------
ry launch -e exp --host gpu2 --gpus 1 --yes --json -- sh -c 'echo "order=$CUDA_DEVICE_ORDER devices=$CUDA_VISIBLE_DEVICES"'
idg=$(json "d['id']")
wait_status "$idg" finished
ry logs "$idg"
expect_out_has "order=PCI_BUS_ID devices=" "CUDA_DEVICE_ORDER=PCI_BUS_ID with CUDA_VISIBLE_DEVICES"
t_end
