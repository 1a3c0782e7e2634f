#!/bin/bash
# One run, one JSON shape: `runs --json`, `show --json`, `compare --json` and
# `jobs --json` print a run through the same object (tui/cli/json.c,
# docs/json.md "The run object"), so its metric summaries, params and tags
# have the same keys, values and types wherever they appear.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/workspace.sh"

DB="$T_TMP/ws.db"
make_demo "$DB" --runs 6 --steps 20

# A tracked run whose last loss is NaN and whose grad is infinite, with
# numeric and text params and a tag.
cat >"$T_TMP/job.sh" <<'EOF'
printf '{"step": 1, "loss": 0.5, "grad": 1.25}\n{"step": 2, "loss": NaN, "grad": Infinity}\n' >>"$RUNYARD_METRICS"
EOF
ry --db "$DB" run -q --name odd --param lr=0.001 --param opt=adam --tag sweep=v1 --no-params -- sh "$T_TMP/job.sh"
expect_rc 0 "a tracked run with NaN and inf metrics"
ODD=$(sq "$DB" "SELECT id FROM runs WHERE name = 'odd'")
DEMO=$(sq "$DB" "SELECT id FROM runs WHERE status = 'finished' AND name <> 'odd' ORDER BY id LIMIT 1")

"$RUNYARD" --db "$DB" runs --json --columns val_acc.max,params.lr >"$T_TMP/runs.json"
"$RUNYARD" --db "$DB" show "$ODD" --json >"$T_TMP/show_odd.json"
"$RUNYARD" --db "$DB" show "$DEMO" --json >"$T_TMP/show_demo.json"
"$RUNYARD" --db "$DB" compare "$ODD" "$DEMO" --json >"$T_TMP/compare.json"

while IFS= read -r line; do
	case $line in
	"PASS "*) ok "${line#PASS }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	*) echo "# $line" ;;
	esac
done < <("$PY" - "$T_TMP" "$ODD" "$DEMO" <<'EOF'
import json, sys
tmp, odd, demo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load = lambda name: json.load(open(f"{tmp}/{name}.json"))
runs = {r["id"]: r for r in load("runs")}
show = {odd: load("show_odd"), demo: load("show_demo")}
cmp_runs = {r["id"]: r for r in load("compare")["runs"]}

def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what)

def typed(v):
    # the same value and the same JSON type (1 and 1.0 are one number)
    return ("number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__, v)

def same(a, b, keys):
    return all(typed(a.get(k, "<absent>")) == typed(b.get(k, "<absent>")) for k in keys)

SHOW_ONLY = {"git", "notes", "artifacts"}
for rid in (odd, demo):
    s, r, c = show[rid], runs[rid], cmp_runs[rid]
    check(s["metrics"] == r["metrics"], f"run {rid}: runs --json and show --json give the same summaries object")
    check(s["metrics"] == c["metrics"], f"run {rid}: compare --json gives the same summaries object")
    check(all(set(m) == {"last", "min", "max", "n", "last_step", "goal"} for m in r["metrics"].values()),
          f"run {rid}: every summary has last, min, max, n, last_step, goal")
    common = set(s) - SHOW_ONLY
    check(common <= set(r) and common <= set(c), f"run {rid}: runs and compare have every key of the run object")
    # duration and cost of a finished run do not depend on when they are asked
    check(same(s, r, common), f"run {rid}: runs --json agrees with show --json on every key, value and type")
    check(same(s, c, common), f"run {rid}: compare --json agrees with show --json on every key, value and type")
    check(not (SHOW_ONLY & set(r)), f"run {rid}: git, notes and artifacts are show's only")

o = runs[odd]
check(o["metrics"]["loss"]["last"] is None, "a NaN last value is null")
check(o["metrics"]["grad"]["last"] is None, "an infinite last value is null")
check(o["metrics"]["loss"]["min"] == 0.5 and o["metrics"]["loss"]["n"] == 2, "min over finite values, n counts all")
check(o["params"] == {"lr": 0.001, "opt": "adam"}, "params typed: numbers as numbers, text as strings")
check(o["tags"] == {"sweep": "v1"}, "tags as an object")
check(o["lr"] == 0.001, "a --columns param keeps its column key")
check("val_acc.max" in runs[demo], "an aggregate column keeps its column key")
EOF
)

# jobs prints the same object for remote runs: make one remote-looking run.
sqlite3 "$DB" "UPDATE runs SET source = 'ssh', host = 'box', remote_dir = '/r' WHERE id = $ODD"
ry --db "$DB" jobs --json
J="[j for j in d['jobs'] if j['id'] == $ODD]"
expect_json "len($J) == 1" "jobs lists the remote run" \
	"$J[0]['metrics'] == json.load(open('$T_TMP/show_odd.json'))['metrics']" \
	"jobs --json gives the same summaries object" \
	"$J[0]['params'] == {'lr': 0.001, 'opt': 'adam'}" "jobs --json types params the same way"
t_end
