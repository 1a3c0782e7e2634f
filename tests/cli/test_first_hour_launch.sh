#!/bin/bash
# The launch estimate checks the host (issue 13): fewer free GPUs than asked
# is a warning in the estimate and a refusal before the launch prompt; the
# expected duration comes from comparable runs with the same epochs (else
# scaled by them) and says so; both budgets are checked, each on its own.
# No estimate here needs a reachable host: the demo's hosts are simulated
# and gpubox points at a closed port.
. "$(dirname "$0")/lib.sh"
DB=$T_TMP/demo.db
sql() { sqlite3 "$DB" "$1"; }
ry --db "$DB" demo
expect_rc 0 "runyard demo builds the workspace"

# ---- free GPUs, from the host's probe (the demo's is canned) -------------
busy=$(sql "SELECT count(*) FROM runs WHERE host = 'a100-box-1' AND status = 'running'")
[ "$busy" -gt 0 ] && ok "the demo has running runs on a100-box-1" || fail "the demo has running runs on a100-box-1"
ry --db "$DB" launch -e cifar10-resnet --host a100-box-1 --gpus 6 --estimate -- python train.py
expect_rc 0 "an estimate for more GPUs than are free is still shown"
expect_out_has "Estimate for a100-box-1 with 6 GPUs" "with its figures"
expect_err_has "warning: only 4 of the 8 GPUs on a100-box-1 are free, 6 asked" "and warns that too few are free"
ry --db "$DB" launch -e cifar10-resnet --host a100-box-1 --gpus 6 --yes -- python train.py
expect_rc 1 "a launch for more GPUs than are free is refused, --yes or not"
expect_err_has "only 4 of the 8 GPUs on a100-box-1 are free, 6 asked" "before connecting, saying why"
ry --db "$DB" launch -e cifar10-resnet --host a100-box-1 --gpus 4 --estimate -- python train.py
if grep -q "are free" "$T_TMP/err"; then fail "as many GPUs as are free: no warning"; else ok "as many GPUs as are free: no warning"; fi

# ---- a real host that cannot be reached: the estimate still works --------
cat > "$T_TMP/sshcfg" <<S
Host gpubox
  HostName 127.0.0.1
  Port 9
S
cat > "$T_TMP/runyard.conf" <<S
[host gpubox]
price_per_hour = 1
gpu_price_per_hour = 2
S
export RUNYARD_SSH_CONFIG=$T_TMP/sshcfg RUNYARD_CONFIG=$T_TMP/runyard.conf
t0=$(date +%s)
ry --db "$DB" launch -e exp --host gpubox --gpus 2 --time-limit 2h --estimate -- python train.py --epochs 30
expect_rc 0 "an estimate on an unreachable host"
[ $(($(date +%s) - t0)) -lt 10 ] && ok "does not wait long for it" || fail "does not wait long for it"
expect_err_has "free GPUs on gpubox unknown" "and says the free GPUs are unknown"

# ---- the expected duration: same epochs, else scaled by them -------------
now=$(date +%s)
seed() { sql "INSERT OR IGNORE INTO experiments(name, created) VALUES ('$1', $now);
              INSERT INTO runs(uuid, experiment_id, name, status, command, host, started, ended, created, source)
              VALUES (lower(hex(randomblob(16))), (SELECT id FROM experiments WHERE name = '$1'), 'h', 'finished',
                      '$2', 'gpubox', $now - 90000, $now - 90000 + $3, $now - 90000, 'ssh');"; }
seed exp "python train.py --epochs 10 --lr 0.1" 300
seed exp "python train.py --epochs 30 --lr 0.1" 900
seed exp "python train.py --epochs 30 --lr 0.3" 1100
seed exp "python train.py --epochs 30 --lr 0.2" 1000
seed exp "python train.py --epochs 10 --lr 0.2" 310
ry --db "$DB" launch -e exp --host gpubox --gpus 2 --estimate -- python train.py --epochs 30 --lr 0.05
expect_out_has "expected time  16m40s  (median of the last 3 comparable runs (with epochs=30," \
	"runs with the same epochs give the median, and the basis says so"
seed exp2 "python train.py --epochs=10" 300
seed exp2 "python train.py --epochs=10" 360
seed exp2 "python train.py --epochs=10" 420
ry --db "$DB" launch -e exp2 --host gpubox --gpus 0 --estimate -- python train.py --epochs=20
expect_out_has "expected time  12m00s  (scaled from the last 3 comparable runs (epochs=10 x2," \
	"with no run of the same epochs the others are scaled by the ratio, and the basis says so"

# ---- both budgets, each on its own --------------------------------------
{ printf 'budget_per_run = 5\nbudget_per_month = 8\n'; cat "$T_TMP/runyard.conf"; } > "$T_TMP/budget.conf"
export RUNYARD_CONFIG=$T_TMP/budget.conf
ry --db "$DB" launch -e exp --host gpubox --gpus 2 --time-limit 2h --estimate -- python train.py --epochs 30 --lr 1
expect_rc 0 "over budget in warn mode still estimates"
expect_err_has "exceeds budget_per_run 5.00" "the per-run budget is checked"
expect_err_has "exceeds budget_per_month 8.00" "and the monthly one too, though the per-run one failed"
expect_err_has "set a shorter --time-limit or fewer --gpus" "the CLI's remedy names its flags"
t_end
