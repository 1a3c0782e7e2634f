#!/bin/bash
# Issue 13, the command line, third part: jobs in the runs table's style,
# multi-line errors without ^J, ties in compare not marked best (one rule
# with the TUI: ry_metric_best_index), launch --estimate --json with the
# free-GPU check, the same words for the same option mistake everywhere, and
# generated run names that never end in a number (which would read as
# another run's id).
. "$(dirname "$0")/lib.sh"

DB="$T_TMP/ws.db"
export RUNYARD_DB="$DB"
ry demo --db "$DB"
[ "$RC" -eq 0 ] && ok "demo workspace" || fail "demo workspace"

# ---- jobs: the runs table's columns and cells ------------------------------
ry jobs
expect_rc 0 "jobs lists"
sed -n 1p "$T_TMP/out" | grep -qw duration && ok "jobs calls the column duration, as runs does" \
	|| fail "jobs calls the column duration, as runs does"
queued=$(sqlite3 "$DB" "SELECT id FROM runs WHERE source = 'ssh' AND status = 'queued' LIMIT 1")
runs_cost=$("$RUNYARD" runs -f "id = $queued" | awk 'NR == 2 { print $NF }')
jobs_cost=$(awk -v id="$queued" '$1 == id { print $NF }' "$T_TMP/out")
[ -n "$runs_cost" ] && [ "$jobs_cost" = "$runs_cost" ] && ok "a queued job's cost reads as in runs ($runs_cost)" \
	|| fail "a queued job's cost reads as in runs (jobs '$jobs_cost', runs '$runs_cost')"
expect_out_has "(ids 0,1)" "jobs gives GPUs as a count with their ids"

# ---- errors are printed line by line, never joined by ^J --------------------
ry runs --filter 'lr <'
expect_rc 2 "a bad filter is a usage error"
if grep -qF '^J' "$T_TMP/err"; then fail "a filter error has no ^J"; else ok "a filter error has no ^J"; fi
[ "$(wc -l <"$T_TMP/err")" -ge 3 ] && grep -q '^ *\^$' "$T_TMP/err" && ok "the filter error's caret has its own line" \
	|| fail "the filter error's caret has its own line"

# ---- ties are not best -----------------------------------------------------
ids=
for v in 0.9 0.9 0.5; do
	"$RUNYARD" run -q -e ties -- sh -c "echo 'step=1 acc=$v'" >/dev/null 2>&1
	ids="$ids $(sqlite3 "$DB" "SELECT max(id) FROM runs")"
done
ry compare $ids
expect_rc 0 "compare three runs, two tied for best"
grep 'acc last' "$T_TMP/out" | grep -qF '*' && fail "a tie for the best acc is not marked best" \
	|| ok "a tie for the best acc is not marked best"
ry compare $ids --json
[ "$(jq -r '.metrics[] | select(.key == "acc") | "\(.best_last_run) \(.best_run)"' "$T_TMP/out")" = "null null" ] \
	&& ok "compare --json has no best run for a tie" || fail "compare --json has no best run for a tie"
"$RUNYARD" run -q -e ties -- sh -c "echo 'step=1 acc=0.95'" >/dev/null 2>&1
top=$(sqlite3 "$DB" "SELECT max(id) FROM runs")
ry compare $ids "$top" --json
[ "$(jq -r '.metrics[] | select(.key == "acc") | .best_run' "$T_TMP/out")" = "$top" ] \
	&& ok "a single best is still best" || fail "a single best is still best"

# ---- launch --estimate --json: the free-GPU check --------------------------
ry launch -e cifar10-resnet --host a100-box-1 --gpus 2 --estimate --json -- python train.py
expect_rc 0 "launch --estimate --json on a GPU host"
[ "$(jq -r '"\(.free_gpus) \(.gpu_check) \(.gpu_check_message)"' "$T_TMP/out")" = "4 ok null" ] \
	&& ok "the estimate carries free GPUs and the verdict" || fail "the estimate carries free GPUs and the verdict"
ry launch -e cifar10-resnet --host a100-box-1 --gpus 8 --estimate --json -- python train.py
[ "$(jq -r '.gpu_check' "$T_TMP/out")" = "too few free" ] && jq -r '.gpu_check_message' "$T_TMP/out" | grep -q "only 4 of the 8" \
	&& ok "too few free GPUs is the estimate's verdict, with the reason" \
	|| fail "too few free GPUs is the estimate's verdict, with the reason"
ry launch -e churn-xgboost --host cpu-highmem --estimate --json -- python train.py
[ "$(jq -c '[.free_gpus, .gpu_check, .gpu_check_message]' "$T_TMP/out")" = "[null,null,null]" ] \
	&& ok "no GPUs asked: the check is null, as unknowns are" || fail "no GPUs asked: the check is null, as unknowns are"

# ---- the same words for the same mistake ------------------------------------
"$RUNYARD" --help >"$T_TMP/help"
bad=
for c in $(awk '/^Commands:/ { on = 1; next } /^Global options:/ { on = 0 } on && /^  [a-z]/ { print $1 }' "$T_TMP/help"); do
	"$RUNYARD" "$c" --bogus >/dev/null 2>"$T_TMP/e"
	[ $? -eq 2 ] && [ "$(sed -n 1p "$T_TMP/e")" = "runyard $c: unknown option '--bogus'" ] \
		&& [ "$(sed -n 2p "$T_TMP/e")" = "see 'runyard $c --help'" ] || bad="$bad $c"
done
[ -z "$bad" ] && ok "every subcommand words an unknown option the same" \
	|| fail "every subcommand words an unknown option the same (not:$bad)"
bad=
for co in "runs --limit" "compare --limit" "demo --runs" "demo --steps" "hosts --timeout" "sync --timeout" \
          "bench --points" "logs --tail"; do
	set -- $co
	"$RUNYARD" "$1" "$2" >/dev/null 2>"$T_TMP/e"
	[ $? -eq 2 ] && [ "$(sed -n 1p "$T_TMP/e")" = "runyard $1: option '$2' needs a value" ] || bad="$bad [$co]"
	"$RUNYARD" "$1" "$2" many >/dev/null 2>"$T_TMP/e"
	[ $? -eq 2 ] && grep -q "^runyard $1: option '$2' needs a .*, not 'many'$" "$T_TMP/e" || bad="$bad [$co many]"
done
[ -z "$bad" ] && ok "a missing value and a bad number read the same on every subcommand" \
	|| fail "a missing value and a bad number read the same on every subcommand (not:$bad)"

# ---- generated names never end in a number ----------------------------------
n=$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE name GLOB '*[0-9]'")
[ "$n" = 0 ] && ok "no demo or generated run name ends in a number" \
	|| fail "no demo or generated run name ends in a number ($n do: $(sqlite3 "$DB" "SELECT name FROM runs WHERE name GLOB '*[0-9]' LIMIT 3" | tr '\n' ' '))"
# a second demo into the same workspace: its names are new ones, not clashing
ry demo --db "$DB"
[ "$(sqlite3 "$DB" "SELECT count(*) - count(DISTINCT name) FROM runs")" = 0 ] \
	&& ok "a second demo in the workspace adds no name twice" || fail "a second demo in the workspace adds no name twice"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE name GLOB '*[0-9]'")" = 0 ] \
	&& ok "nor a name ending in a number" || fail "nor a name ending in a number"

t_end
