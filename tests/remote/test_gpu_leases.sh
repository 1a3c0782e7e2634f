#!/bin/bash
# GPU leases against a real sshd: launches at the same moment never get the
# same GPU, even when the job has not touched it (nvidia-smi — here the test
# double printing the real tool's CSV, there is no GPU — shows no process);
# `hosts --probe` names who holds a GPU; a lease comes back when the job
# ends, is cancelled or is killed, and a dead holder's lease is taken over.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
export RUNYARD_DB=$T_TMP/ws.db
LD=$RT_WORK/leases

# wait_no_lease GPU_UUID: until nobody's lease file names that GPU (10 s)
wait_no_lease() {
	local i
	for i in $(seq 1 100); do [ -e "$LD/$1" ] || return 0; sleep 0.1; done
	return 1
}
G0=GPU-1a2b3c4d-0000-4000-8000-000000000000
G1=GPU-1a2b3c4d-0000-4000-8000-000000000001

R=$T_TMP/repo
rt_repo "$R"

# ---- three launches at once on a host with two free GPUs ------------------
pids=
for k in 1 2 3; do
	"$RUNYARD" launch -e exp --host gpu2 --gpus 1 --yes --json -- sh -c 'echo "cuda=$CUDA_VISIBLE_DEVICES"; sleep 300' \
		> "$T_TMP/l$k.out" 2> "$T_TMP/l$k.err" &
	pids="$pids $!"
done
nok=0; nfail=0
for p in $pids; do if wait "$p"; then nok=$((nok + 1)); else nfail=$((nfail + 1)); fi; done
[ $nok -eq 2 ] && [ $nfail -eq 1 ] && ok "two of three simultaneous launches start, one is refused" ||
	fail "two of three simultaneous launches start, one is refused ($nok started, $nfail refused)"
gpus=$(sql "SELECT gpus FROM runs WHERE status IN ('running', 'queued') ORDER BY gpus" | tr '\n' ' ')
[ "$gpus" = "0 1 " ] && ok "the two started ones got different GPUs" || fail "the two started ones got different GPUs (got: $gpus)"
cat "$T_TMP"/l*.err > "$T_TMP/errs"
if grep -qE "only 0 of the 2 GPUs on gpu2 are free|was just taken by run" "$T_TMP/errs"; then ok "the refused one says the GPUs are taken"
else fail "the refused one says the GPUs are taken ($(cat "$T_TMP/errs"))"; fi

# ---- who holds them --------------------------------------------------------
id0=$(sql "SELECT id FROM runs WHERE gpus = '0' AND status = 'running'")
u0=$(sql "SELECT uuid FROM runs WHERE id = $id0")
ry hosts --probe gpu2
expect_out_has "GPU 0" "the probe lists GPU 0"
expect_out_has "leased by run ${u0:0:8} ($RT_USER)" "and names the run and user holding it"
expect_out_has "2 GPUs, 0 free" "a leased GPU is not free, though no process shows on it"
ry hosts --probe gpu2 --json
printf '%s' "$OUT" | python3 -c "
import json,sys
d=json.load(sys.stdin); h=[h for h in d['hosts'] if h['name']=='gpu2'][0]
g=[g for g in h['gpus'] if g['index']==0][0]
sys.exit(0 if g['lease'] and g['lease']['run_uuid']=='$u0' and g['free'] is False else 1)" \
	&& ok "--json gives the lease (run_uuid, user)" || fail "--json gives the lease (run_uuid, user)"

# ---- GPUs named by the user are not swapped -------------------------------
ry launch -e exp --host gpu2 --gpu-ids 0 --yes -- true
expect_rc 1 "naming a leased GPU is refused"

# ---- cancel gives the lease back; the next launch gets that GPU -----------
ry cancel "$id0"
expect_rc 0 "cancel the run on GPU 0"
wait_no_lease "$G0" && ok "its lease is given back" || fail "its lease is given back"
ry launch -e exp --host gpu2 --gpus 1 --yes --json -- sh -c 'echo "cuda=$CUDA_VISIBLE_DEVICES"'
expect_rc 0 "a launch after the cancel starts"
idn=$(python3 -c "import json; print(json.load(open('$T_TMP/out'))['id'])" 2>/dev/null || printf '%s' "$OUT" | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
[ "$(sql "SELECT gpus FROM runs WHERE id = $idn")" = 0 ] && ok "on the GPU given back" || fail "on the GPU given back"
wait_status "$idn" finished && ok "and finishes" || fail "and finishes"
wait_no_lease "$G0" && ok "a finished job gives its lease back" || fail "a finished job gives its lease back"

# ---- killed with its watchdog: the lease is stale, taken over -------------
id1=$(sql "SELECT id FROM runs WHERE gpus = '1' AND status = 'running'")
D1=$(sql "SELECT remote_dir FROM runs WHERE id = $id1")
p1=$(cat "$D1/pid")
# the watchdog is in a session of its own: kill it first, then the job
pkill -KILL -f "watchdog $D1" 2>/dev/null
kill -KILL -- -"$p1"
[ -e "$LD/$G1" ] && ok "a job killed with its watchdog leaves its lease file" || fail "a job killed with its watchdog leaves its lease file"
ry launch -e exp --host gpu2 --gpu-ids 1 --yes -- true
expect_rc 0 "a lease whose holder died is taken over"

# ---- a lease taken a moment ago by a launch still starting its job --------
wait_no_lease "$G1"
printf 'feedfacefeedfacefeedfacefeedface %s\n' someone > "$LD/$G0"
ry launch -e exp --host gpu2 --gpu-ids 0 --yes -- true
expect_rc 1 "a fresh lease with no job yet is held (the launch is still starting)"
expect_err_has "GPU 0 on gpu2 was just taken by run feedface (launched by someone)" "and the refusal names it"
touch -d '-5 minutes' "$LD/$G0"
ry launch -e exp --host gpu2 --gpu-ids 0 --yes -- true
expect_rc 0 "one older than the start grace is stale and taken over"
t_end
