#!/bin/bash
# Remote sync reads a job's output in rounds; what numbers its points must
# carry from one round to the next as it does for a local run (issue 16):
# the last `Epoch N/M` gives step-less lines their step, and a key that came
# as a JSON line is not counted again from the log.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
export RUNYARD_DB=$T_TMP/ws.db


R=$T_TMP/repo
rt_repo "$R"

# Round one sees the epoch and a JSON point; the job then waits for the
# gate, so the lines after it can only come in a later round.
GATE=$T_TMP/gate
ry launch -e exp --host gpu2 --gpus 1 --yes --json -- sh -c "
	echo 'Epoch 1/3'; echo '{\"step\": 1, \"acc\": 0.9}' >> \"\$RUNYARD_METRICS\"
	while [ ! -e '$GATE' ]; do sleep 0.1; done
	echo 'loss: 0.5'; echo 'acc: 0.95'; echo 'Epoch 2/3'; echo 'loss: 0.4'"
expect_rc 0 "a job launched"
id=$(json "d['id']")
pulled() { [ "$(sql "SELECT count(*) FROM metric_summary WHERE run_id = $id AND key = 'acc'")" = 1 ] &&
	grep -q 'Epoch 1/3' "$RUNYARD_DB.runs/$(sql "SELECT uuid FROM runs WHERE id = $id")/log" 2>/dev/null; }
for i in $(seq 1 80); do "$RUNYARD" sync >/dev/null 2>&1; pulled && break; sleep 0.25; done
pulled && ok "a first round pulled the epoch line and the JSON point" || fail "a first round pulled the epoch line and the JSON point"
[ "$(sql "SELECT count(*) FROM metric_summary WHERE run_id = $id AND key = 'loss'")" = 0 ] &&
	ok "and nothing after the gate" || fail "and nothing after the gate"
touch "$GATE"
wait_status "$id" finished && ok "a later round settles the run" || fail "a later round settles the run"
ry metrics "$id" --csv
cp "$T_TMP/out" "$T_TMP/metrics.csv"
steps() { awk -F, -v k="$1" '$2 == k { printf "%s%s", s, $3; s = " " }' "$T_TMP/metrics.csv"; }
[ "$(steps loss)" = "1 2" ] && ok "step-less loss lines take the epoch, across rounds (steps 1 2)" ||
	fail "step-less loss lines take the epoch, across rounds (steps '$(steps loss)', want '1 2')"
[ "$(steps acc)" = "1" ] && ok "acc, from JSON, is not counted again from the log" ||
	fail "acc, from JSON, is not counted again from the log (steps '$(steps acc)', want '1')"
t_end
