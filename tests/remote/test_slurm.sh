#!/bin/bash
# Launch on a real single-node Slurm (slurm_lib.sh) through its "login
# node", the loopback sshd: sbatch script and job id, GPUs scheduled by
# GRES (CUDA_VISIBLE_DEVICES is Slurm's), logs and metrics pulled from the
# run dir, the pending reason while GPUs are taken, the end state and exit
# code from the controller, cost from the partition's price, scancel of a
# pending and a running job, and hosts --probe showing partitions and jobs.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
. "$(dirname "$0")/slurm_lib.sh"
sl_need
export RT_SLURM_CONF=$T_TMP/slurm/slurm.conf
rt_setup
trap 'sl_stop; rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT
sl_setup "$T_TMP/slurm"
export RUNYARD_DB=$T_TMP/ws.db
cat >> "$RT/runyard.conf" <<CONF
[host slurm]
scheduler = slurm
workdir = $RT_WORK/slurm
price_per_hour = 0.5
gpu_price_per_hour = 9
partition = gpu
partition_price.gpu = 2.5
CONF

expect_json() { if [ "$(json "$1")" = True ]; then ok "$2"; else fail "$2 (false: $1)"; fi; }
tag() { sql "SELECT value FROM tags WHERE run_id = $1 AND key = '$2'"; }
# wait_for ID SQL-CONDITION: sync until it holds (30 s deadline)
wait_for() {
	local deadline=$((SECONDS + 30))
	while [ $SECONDS -lt $deadline ]; do
		"$RUNYARD" sync >/dev/null 2>&1
		[ "$(sql "SELECT count(*) FROM runs WHERE id = $1 AND ($2)")" = 1 ] && return 0
		sleep 0.2
	done
	return 1
}
# launch VAR ARGS...: launch on the Slurm host, the run's id into VAR
launch() {
	local var=$1; shift
	ry launch -e exp --host slurm --yes --json "$@"
	printf -v "$var" '%s' "$(json "d['id']")"
}

mkdir -p "$T_TMP/code"
cd "$T_TMP/code"
git init -q . && git config user.email t@example.org && git config user.name tester
cat > train.sh <<'S'
#!/bin/sh
echo "gpus=$CUDA_VISIBLE_DEVICES run=$RUNYARD_RUN_ID job=$SLURM_JOB_ID"
for i in 1 2 3; do
	echo "step=$i loss=0.$i"
	echo "{\"step\": $i, \"acc\": 0.$i}" >> "$RUNYARD_METRICS"
done
echo weights > "$RUNYARD_ARTIFACTS/model.bin"
exit "${1:-0}"
S
cat > hold.sh <<'S'
#!/bin/sh
echo holding
while [ ! -e "$RUNYARD_ARTIFACTS/../release" ]; do sleep 0.2; done
S
chmod +x train.sh hold.sh
git add . && git commit -qm init

# ---- the probe -----------------------------------------------------------
ry hosts --probe --json slurm
expect_rc 0 "hosts --probe of a Slurm login node"
expect_json "[p for p in d['hosts'][0]['slurm']['partitions'] if p['name'] == 'gpu'][0]['gpus'] == 4" "sinfo: the gpu partition has 4 GPUs"
expect_json "[p for p in d['hosts'][0]['slurm']['partitions'] if p['name'] == 'gpu'][0]['nodes_idle'] == 1" "sinfo: its node is idle"

# ---- a job that finishes -------------------------------------------------
ry launch -e exp --host slurm --gpus 2 --estimate -- ./train.sh 0
expect_out_has "\$5.50/h" "estimate: price_per_hour + 2 x the partition's GPU price"
launch A --gpus 2 --time-limit 90s -- ./train.sh 0
expect_rc 0 "launch on the Slurm host"
expect_json "d['slurm_job_id'].isdigit() and d['pid'] == 0" "sbatch gave a job id"
[ "$(sql "SELECT source || ' ' || status FROM runs WHERE id = $A")" = "slurm queued" ] &&
	ok "the run is a queued Slurm run" || fail "the run is a queued Slurm run ($(sql "SELECT source, status FROM runs WHERE id = $A"))"
D=$(sql "SELECT remote_dir FROM runs WHERE id = $A")
grep -q '^#SBATCH --gres=gpu:2$' "$D/job.sbatch" && grep -q '^#SBATCH --partition=gpu$' "$D/job.sbatch" &&
	grep -q '^#SBATCH --time=0:01:30$' "$D/job.sbatch" && grep -q "^#SBATCH --output=$D/slurm.out$" "$D/job.sbatch" &&
	ok "the sbatch script asks for the GPUs, partition, time limit and output" || { fail "sbatch script"; sed 's/^/# /' "$D/job.sbatch"; }
wait_for "$A" "status = 'finished'" && ok "sync settles the finished job" ||
	fail "sync settles the finished job ($(sql "SELECT status, notes FROM runs WHERE id = $A"))"
[ "$(sql "SELECT exit_code FROM runs WHERE id = $A")" = 0 ] && ok "exit code 0" || fail "exit code 0"
[ "$(tag "$A" slurm_state)" = COMPLETED ] && ok "slurm_state COMPLETED" || fail "slurm_state ($(tag "$A" slurm_state))"
[ "$(tag "$A" slurm_state_source)" = scontrol ] && ok "no accounting here: the state came from scontrol" ||
	fail "state source ($(tag "$A" slurm_state_source))"
uuid=$(sql "SELECT uuid FROM runs WHERE id = $A")
grep -q "^gpus=0,1 run=$uuid job=$(tag "$A" slurm_job_id)$" "$RUNYARD_DB.runs/$uuid/log" &&
	ok "the job saw Slurm's CUDA_VISIBLE_DEVICES and runyard's environment" ||
	{ fail "job environment"; sed 's/^/# /' "$RUNYARD_DB.runs/$uuid/log"; }
ry metrics "$A" --csv
expect_out_has ",acc,3," "metrics.jsonl ingested"
[ "$(sql "SELECT count(*) FROM artifacts WHERE run_id = $A AND path = 'model.bin'")" = 1 ] && ok "artifact fetched" || fail "artifact fetched"
python3 - "$RUNYARD_DB" "$A" <<'PY' && ok "cost = 2 GPUs x 2.5 + 0.5 per hour x elapsed" || fail "cost ($(sql "SELECT cost_rate, cost_total, ended - started FROM runs WHERE id = $A"))"
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT cost_rate, cost_total, ended - started FROM runs WHERE id = ?", (sys.argv[2],)).fetchone()
sys.exit(0 if r[0] == 5.5 and r[2] >= 0 and abs(r[1] - 5.5 * r[2] / 3600) < 1e-9 else 1)
PY

# ---- a failing job -------------------------------------------------------
launch F --gpus 0 -- ./train.sh 3
wait_for "$F" "status = 'failed'" && ok "exit 3: failed" || fail "exit 3: failed ($(sql "SELECT status FROM runs WHERE id = $F"))"
[ "$(sql "SELECT exit_code FROM runs WHERE id = $F") $(tag "$F" slurm_state)" = "3 FAILED" ] && ok "exit code 3, FAILED" ||
	fail "exit code and state ($(sql "SELECT exit_code FROM runs WHERE id = $F") $(tag "$F" slurm_state))"
grep -q '^#SBATCH --gres' "$(sql "SELECT remote_dir FROM runs WHERE id = $F")/job.sbatch" && fail "--gpus 0 asks for no GRES" || ok "--gpus 0 asks for no GRES"

# ---- pending on Resources, then cancelled --------------------------------
launch H --gpus 4 -- ./hold.sh
wait_for "$H" "status = 'running'" && ok "a job holding all 4 GPUs runs" || fail "holding job runs"
launch P --gpus 1 -- ./train.sh 0
wait_for "$P" "id IN (SELECT run_id FROM tags WHERE key = 'slurm_reason' AND value = 'Resources')" &&
	ok "the next one is pending on Resources" || fail "pending reason ($(tag "$P" slurm_reason) $(sql "SELECT status FROM runs WHERE id = $P"))"
[ "$(sql "SELECT status FROM runs WHERE id = $P")" = queued ] && ok "pending: queued" || fail "pending: queued"
ry hosts --probe --json slurm
expect_json "[p for p in d['hosts'][0]['slurm']['partitions'] if p['name'] == 'gpu'][0]['gpus_allocated'] == 4" "sinfo: 4 GPUs allocated"
expect_json "sorted(j['state'] for j in d['hosts'][0]['slurm']['jobs']) == ['PENDING', 'RUNNING']" "squeue: your pending and running jobs"
ry hosts --probe slurm
expect_out_has "Resources" "the hosts list names the pending reason"
ry cancel "$P"
expect_rc 0 "cancel the pending job"
[ "$(sql "SELECT status, coalesce(cost_total, 0) FROM runs WHERE id = $P")" = "killed|0" ] && ok "cancelled while pending: killed, nothing billed" ||
	fail "pending cancel ($(sql "SELECT status, cost_total, notes FROM runs WHERE id = $P"))"
[ "$(tag "$P" slurm_reason)" = "" ] && ok "the pending reason is gone once settled" || fail "stale slurm_reason"
ry cancel "$H"
expect_rc 0 "cancel the running job"
[ "$(sql "SELECT status FROM runs WHERE id = $H") $(tag "$H" stopped_by) $(tag "$H" slurm_state)" = "killed cancelled CANCELLED" ] &&
	ok "scancel: killed, stopped_by cancelled" || fail "running cancel ($(sql "SELECT status, notes FROM runs WHERE id = $H") $(tag "$H" slurm_state))"
[ -z "$(squeue -h -o %i)" ] && ok "Slurm has no job left" || fail "jobs left: $(squeue -h)"
ry logs "$H"
expect_out_has "holding" "logs streamed from the run dir"

# ---- a job array (ry_slurm_submit_array, what a sweep calls) ---------------
cat > task.sh <<'S'
#!/bin/sh
echo "lr=$1 task=$SLURM_ARRAY_TASK_ID gpus=$CUDA_VISIBLE_DEVICES"
echo "{\"step\": 1, \"lr\": $1}" >> "$RUNYARD_METRICS"
S
chmod +x task.sh
git add task.sh && git commit -qm task
"$RUNYARD_SLURM_ARRAY" "$RUNYARD_DB" slurm 1 1 ./task.sh 0.1 ::: ./task.sh 0.01 ::: ./task.sh 0.001 > "$T_TMP/array" 2> "$T_TMP/err"
RC=$?
expect_rc 0 "three commands submitted as one job array"
J=$(head -1 "$T_TMP/array")
mapfile -t AR < <(tail -n +2 "$T_TMP/array")
[ ${#AR[@]} = 3 ] && [ "$(tag "${AR[2]}" slurm_job_id)" = "${J}_2" ] && [ "$(tag "${AR[0]}" sweep)" = sw-test ] &&
	ok "one run per task, tagged with its array task id" || fail "array runs (${AR[*]}; $(tag "${AR[2]}" slurm_job_id))"
grep -q '^#SBATCH --array=0-2%1$' "$(sql "SELECT remote_dir FROM runs WHERE id = ${AR[0]}")/job.sbatch" &&
	ok "--array=0-2%1 (one task at a time)" || fail "--array line"
for i in 0 1 2; do
	wait_for "${AR[$i]}" "status = 'finished'" || fail "array task $i finished ($(sql "SELECT status, notes FROM runs WHERE id = ${AR[$i]}"))"
done
uuid=$(sql "SELECT uuid FROM runs WHERE id = ${AR[1]}")
grep -q "^lr=0.01 task=1 gpus=0$" "$RUNYARD_DB.runs/$uuid/log" && ok "task 1 ran its own command on a GPU Slurm gave it" ||
	{ fail "task 1 log"; sed 's/^/# /' "$RUNYARD_DB.runs/$uuid/log"; }
[ "$(sql "SELECT count(*) FROM runs WHERE id IN (${AR[0]}, ${AR[1]}, ${AR[2]}) AND status = 'finished' AND cost_rate = 3")" = 3 ] &&
	ok "every task settled, priced at 1 GPU in the partition" || fail "array tasks settled and priced"
python3 - "$RUNYARD_DB" "${AR[@]}" <<'PY' && ok "%1: the tasks ran one after another" || fail "tasks overlapped"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = sorted(db.execute("SELECT started, ended FROM runs WHERE id = ?", (i,)).fetchone() for i in sys.argv[2:])
sys.exit(0 if all(a[1] <= b[0] for a, b in zip(rows, rows[1:])) else 1)
PY

# ---- runyard sweep on a Slurm host: one job array ---------------------------
ry sweep -e swp --grid lr=0.5,0.05 --host slurm --gpus-per-run 1 --max-parallel 1 --yes -- ./task.sh {lr}
expect_rc 0 "a sweep on a Slurm host"
expect_out_has "as one Slurm job array on slurm" "the plan says Slurm schedules it"
expect_out_has "as Slurm job array" "it is submitted as one job array"
SW=$(sql "SELECT group_concat(r.id) FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.name = 'swp'")
[ "$(sql "SELECT count(DISTINCT substr(t.value, 1, instr(t.value, '_'))) FROM tags t WHERE t.key = 'slurm_job_id' AND t.run_id IN ($SW)")" = 1 ] &&
	ok "both runs are tasks of one array" || fail "both runs are tasks of one array ($SW)"
[ "$(sql "SELECT count(*) FROM params WHERE key = 'lr' AND run_id IN ($SW)")" = 2 ] && ok "each run carries its value as a param" ||
	fail "each run carries its value as a param"
[ "$(sql "SELECT count(*) FROM queue")" = 0 ] && ok "runyard's queue holds none of them: Slurm does" || fail "runyard's queue is empty"
for i in ${SW//,/ }; do
	wait_for "$i" "status = 'finished'" || fail "sweep task $i finished ($(sql "SELECT status, notes FROM runs WHERE id = $i"))"
done

t_end
