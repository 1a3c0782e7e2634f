#!/bin/bash
# Issue 14, goals and shadowed params: a run with param lr=0.01 whose log
# also printed "lr=0.01" has both a param and a metric named lr.  The bare
# name is the param in --filter and --sort and never an error;
# param(s).KEY and metric(s).KEY pick either.  The goal of a metric is
# guessed (lr: none, loss: min), set with `runyard goal` (or `set
# metric.KEY.goal`, the same setting) for the workspace or one experiment,
# and a metric with goal none has no best in show, compare and --json.
. "$(dirname "$0")/lib.sh"

DB="$T_TMP/ws.db"
export RUNYARD_DB="$DB"
ry run -e sweep --param lr=0.01 -- sh -c 'echo "lr=0.01"; echo "loss=0.5"; echo "loss=0.4"'
expect_rc 0 "run 1: param lr=0.01, its log echoes lr=0.01"
ry run -e sweep --param lr=0.03 -- sh -c 'echo "lr=0.03"; echo "loss=0.3"'
expect_rc 0 "run 2: param lr=0.03"
ry run -e other --param lr=0.05 -- sh -c 'echo "loss=0.2"'
expect_rc 0 "run 3: another experiment"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM metric_summary WHERE key = 'lr'")" -ge 1 ] \
	&& ok "capture made lr a metric too (the case to handle)" || fail "capture made lr a metric too"

# ---- the bare name is the param ----------------------------------------------
ry runs -q --filter 'lr < 0.02'
expect_rc 0 "--filter 'lr < 0.02' is no error although lr is a param and a metric"
[ "$OUT" = 1 ] && ok "lr < 0.02 reads the param: run 1 only" || fail "lr < 0.02 reads the param: run 1 only"
ry runs -q --sort lr:desc
expect_rc 0 "--sort lr is no error"
[ "$(echo $OUT)" = "3 2 1" ] && ok "--sort lr sorts by the param (run 3 has no lr metric)" \
	|| fail "--sort lr sorts by the param"
ry runs -q --filter 'params.lr > 0.02 and param.lr < 0.04'
expect_rc 0 "params.KEY and param.KEY"
[ "$OUT" = 2 ] && ok "params.lr / param.lr are the param" || fail "params.lr / param.lr are the param"
ry runs -q --filter 'metric.lr < 1' --sort id
expect_rc 0 "--filter 'metric.lr < 1'"
[ "$(echo $OUT)" = "1 2" ] && ok "metric.lr is the metric: runs 1 and 2 logged it" \
	|| fail "metric.lr is the metric: runs 1 and 2 logged it"
ry runs -q --filter 'metrics.lr >= 0.03'
[ "$OUT" = 2 ] && ok "metrics.KEY spelling too" || fail "metrics.KEY spelling too"
ry runs --sort metric.lr --columns lr,metrics.lr -e sweep
expect_rc 0 "--sort metric.lr"
expect_out_has "metrics.lr" "a metric shadowed by a param is headed metrics.lr, the param lr"

# ---- guessed goals, and none -------------------------------------------------
ry goal
expect_rc 0 "goal lists the metrics"
grep -qP '^loss\tmin\tguessed' "$T_TMP/out" && ok "loss: min, guessed" || fail "loss: min, guessed"
grep -qP '^lr\tnone\tguessed' "$T_TMP/out" && ok "lr: none, guessed" || fail "lr: none, guessed"
ry show 1 --json
expect_out_has '"lr":	{' "show --json has the lr metric"
grep -A7 '"lr":	{' "$T_TMP/out" | grep -q '"goal":	"none"' && ok "--json goal of lr is none" \
	|| fail "--json goal of lr is none"
ry compare 1 2 --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = {x["key"]: x for x in d["metrics"]}
lr = m["lr"]
assert lr["goal"] == "none", lr
assert lr["best_run"] is None and lr["best_last_run"] is None, lr
assert all(v["best"] is None for v in lr["values"]), lr
assert m["loss"]["goal"] == "min" and m["loss"]["best_run"] == 2, m["loss"]
' "$T_TMP/out" && ok "compare --json: lr has no best run, loss's is run 2" \
	|| fail "compare --json: lr has no best run, loss's is run 2"
ry compare 1 2
expect_rc 0 "compare"
expect_out_lacks "lr best" "compare prints no best row for a metric with no goal"
grep 'lr last' "$T_TMP/out" | grep -qF '*' && fail "compare marks no lr value best" || ok "compare marks no lr value best"
ry runs --filter 'metric.lr.best > 0'
expect_rc 2 "a .best of a metric with no goal is refused"
expect_err_has "no goal" "... saying it has no goal"

# ---- setting it ----------------------------------------------------------------
ry goal lr sideways
expect_rc 2 "goal KEY with another word is a usage error"
expect_err_has "max, min or none" "... naming the words"
ry goal lr max
expect_rc 0 "goal lr max"
ry goal lr
[ "$OUT" = "$(printf 'lr\tmax\tworkspace')" ] && ok "goal lr: max, from the workspace" \
	|| fail "goal lr: max, from the workspace"
ry compare 1 2 --json
python3 -c '
import json, sys
m = {x["key"]: x for x in json.load(open(sys.argv[1]))["metrics"]}
assert m["lr"]["goal"] == "max" and m["lr"]["best_run"] == 2, m["lr"]
' "$T_TMP/out" && ok "with goal max, compare's best lr run is run 2" || fail "with goal max, compare's best lr run is run 2"
ry goal lr min -e sweep
expect_rc 0 "goal lr min -e sweep"
ry goal lr -e sweep
[ "$OUT" = "$(printf 'lr\tmin\texperiment')" ] && ok "the experiment's goal wins over the workspace's" \
	|| fail "the experiment's goal wins over the workspace's"
ry goal lr -e other
[ "$OUT" = "$(printf 'lr\tmax\tworkspace')" ] && ok "another experiment keeps the workspace's" \
	|| fail "another experiment keeps the workspace's"
ry show 1 --json
grep -A7 '"lr":	{' "$T_TMP/out" | grep -q '"goal":	"min"' && ok "show uses the run's experiment's goal" \
	|| fail "show uses the run's experiment's goal"
ry goal lr --unset -e sweep
expect_rc 0 "goal --unset -e"
ry goal lr -e sweep
[ "$OUT" = "$(printf 'lr\tmax\tworkspace')" ] && ok "unset: back to the workspace's" || fail "unset: back to the workspace's"
ry goal lr bogus --unset
expect_rc 2 "a goal and --unset together is a usage error"
ry goal lr -e nosuch
expect_rc 1 "goal of an unknown experiment is an error"

# ---- set metric.KEY.goal is the same setting -----------------------------------
ry set metric.lr.goal none
expect_rc 0 "set metric.lr.goal none"
ry goal lr
[ "$OUT" = "$(printf 'lr\tnone\tworkspace')" ] && ok "set and goal share the setting" || fail "set and goal share the setting"
ry set metric.lr.goal max -e sweep
expect_rc 0 "set metric.KEY.goal takes -e"
ry goal lr -e sweep
[ "$OUT" = "$(printf 'lr\tmax\texperiment')" ] && ok "set -e is goal -e" || fail "set -e is goal -e"
ry set metric.lr.goal upward
expect_rc 2 "set checks the goal word as goal does"
expect_err_has "max, min or none" "... with the same words"
ry set --unset metric.lr.goal
ry goal lr
[ "$OUT" = "$(printf 'lr\tnone\tguessed from the name')" ] && ok "set --unset forgets it" || fail "set --unset forgets it"

# ---- help, the command list, completion --------------------------------------
ry goal --help
expect_rc 0 "goal --help"
expect_out_has "usage: runyard goal KEY max|min|none" "goal --help's usage"
ry --help
expect_out_has "  goal " "runyard --help lists goal"
ry __complete options goal
expect_out_has "--unset" "completion knows goal's options"
expect_out_has "--experiment" "completion knows goal's -e"
ry __complete commands
grep -qx goal "$T_TMP/out" && ok "completion knows the goal command" || fail "completion knows the goal command"
grep -q "^\.SS \"runyard goal" "$(dirname "$0")/../../docs/runyard.1" && ok "the man page has goal" || fail "the man page has goal"

t_end
