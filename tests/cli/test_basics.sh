#!/bin/bash
# The listing commands on a real demo workspace: experiments, runs, show and
# compare, in text and --json, checked against the sqlite3 shell's own view
# of the same file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/workspace.sh"

WS="$T_TMP/ws.db"
make_demo "$WS"
NRUNS=$(sq "$WS" "SELECT count(*) FROM runs")
NEXP=$(sq "$WS" "SELECT count(*) FROM experiments")

# ---- top level -----------------------------------------------------------
ry --version
expect_rc 0 "--version succeeds"
expect_out_has "runyard" "--version names the program"

ry --help
expect_rc 0 "--help succeeds"
for cmd in demo experiments runs show compare bench; do
	expect_out_has "  $cmd " "--help lists $cmd"
done

for cmd in experiments runs show compare; do
	ry "$cmd" --help
	expect_rc 0 "$cmd --help succeeds"
	expect_out_has "usage: runyard $cmd" "$cmd --help has a synopsis"
	expect_out_has "Exit status" "$cmd --help states the exit status"
done
ry runs --help
for opt in --experiment --filter --sort --columns --limit --json --db; do
	expect_out_has "$opt" "runs --help documents $opt"
done

# ---- experiments ---------------------------------------------------------
ry --db "$WS" experiments
expect_rc 0 "experiments succeeds"
expect_out_has "name" "experiments prints a header"
expect_out_has "running" "experiments has a running column"
[ "$NEXP" -ge 3 ] && ok "demo has at least 3 experiments" || fail "demo has $NEXP experiments"
for name in $(sq "$WS" "SELECT name FROM experiments"); do
	expect_out_has "$name" "experiments lists $name"
done
expect_eq "$(($(wc -l <"$T_TMP/out") - 1))" "$NEXP" "experiments prints one row per experiment"

ry experiments --json --db "$WS"
expect_rc 0 "experiments --json (with --db after the command) succeeds"
expect_json "len(d) == $NEXP" "experiments --json has every experiment" \
	"sum(e['runs'] for e in d) == $NRUNS" "experiments --json run counts add up to all runs" \
	"all(isinstance(e['cost'], (int, float)) and isinstance(e['running'], int) for e in d)" \
	"experiments --json numbers are numbers"
FIRST=$(sq "$WS" "SELECT name FROM experiments ORDER BY name LIMIT 1")
FIRST_N=$(sq "$WS" "SELECT count(*) FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.name = '$FIRST'")
expect_json "[e['runs'] for e in d if e['name'] == '$FIRST'] == [$FIRST_N]" "experiments --json counts runs per experiment"

# ---- runs ----------------------------------------------------------------
ry --db "$WS" runs
expect_rc 0 "runs succeeds"
for h in id name experiment status host created duration cost; do
	expect_out_has "$h" "runs header has $h"
done
expect_eq "$(($(wc -l <"$T_TMP/out") - 1))" "$NRUNS" "runs lists every run"

ry runs --db "$WS" --json
expect_rc 0 "runs --json succeeds"
expect_json "len(d) == $NRUNS" "runs --json has every run" \
	"all(isinstance(r['id'], int) and isinstance(r['params'], dict) and isinstance(r['metrics'], dict) for r in d)" \
	"runs --json objects carry id, params and metrics" \
	"all(isinstance(v, (int, float)) for r in d for k, v in r['params'].items() if k in ('lr', 'batch_size'))" \
	"runs --json numeric params are numbers" \
	"all(set(m) >= {'last', 'min', 'max', 'n'} for r in d for m in r['metrics'].values())" \
	"runs --json metric summaries have last/min/max/n" \
	"[r['created'] for r in d] == sorted([r['created'] for r in d], reverse=True)" \
	"runs are newest first by default"
IDS=$(sq "$WS" "SELECT id FROM runs ORDER BY id" | tr '\n' ' ')
expect_json "sorted(r['id'] for r in d) == [int(x) for x in '$IDS'.split()]" "runs --json ids match the database"

ry --db "$WS" runs --limit 5
expect_rc 0 "runs --limit succeeds"
expect_eq "$(($(wc -l <"$T_TMP/out") - 1))" 5 "runs --limit 5 prints 5 rows"

ry --db "$WS" runs -e "$FIRST" --json
expect_rc 0 "runs -e EXP succeeds"
expect_json "len(d) == $FIRST_N and all(r['experiment'] == '$FIRST' for r in d)" "runs -e keeps only that experiment"

ry --db "$WS" runs --columns params.lr,val_acc --limit 3
expect_rc 0 "runs --columns succeeds"
expect_out_has "lr" "runs --columns adds a param column"
expect_out_has "val_acc" "runs --columns adds a metric column"

ry --db "$WS" runs --columns 'params.lr, val_acc.max' --json --limit 3
expect_json "all('lr' in r and 'val_acc.max' in r for r in d)" "runs --json carries requested columns by label" \
	"all(r['val_acc.max'] is None or r['val_acc.max'] == r['metrics']['val_acc']['max'] for r in d)" \
	"a metric column agrees with the run's metric summary"

ry --db "$WS" runs --columns uuid,started,id,tags.sweep --json --limit 3
expect_rc 0 "runs --columns naming fixed fields succeeds"
expect_unique_keys "runs --json never repeats a key"
expect_json "all(isinstance(r['params'], dict) and isinstance(r['metrics'], dict) for r in d)" \
	"params and metrics stay objects"

ry --db "$WS" runs --sort params.lr --json
expect_rc 0 "runs --sort params.lr succeeds"
expect_json "[r['lr'] for r in d if r['lr'] is not None] == sorted(r['lr'] for r in d if r['lr'] is not None)" \
	"runs --sort sorts numerically ascending and shows the sort column"

ry --db "$WS" runs --filter 'status = failed' --json
expect_rc 0 "runs --filter status succeeds"
NFAILED=$(sq "$WS" "SELECT count(*) FROM runs WHERE status = 'failed'")
expect_json "len(d) == $NFAILED and all(r['status'] == 'failed' for r in d)" "a status filter matches the database"

ry --db "$WS" runs --filter 'name = no-such-run-name'
expect_rc 0 "a filter matching nothing is not an error"
expect_out_has "No runs match" "an empty result says so"

# ---- show ----------------------------------------------------------------
RID=$(sq "$WS" "SELECT r.id FROM runs r WHERE EXISTS (SELECT 1 FROM metric_summary m WHERE m.run_id = r.id)
                AND EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id) ORDER BY r.id LIMIT 1")
RNAME=$(sq "$WS" "SELECT name FROM runs WHERE id = $RID")
RUUID=$(sq "$WS" "SELECT uuid FROM runs WHERE id = $RID")
SHA=$(printf 'weights' | sha256sum | cut -d' ' -f1)
# the demo may have given the run an artifact of its own: this one has exactly these two
sqlite3 "$WS" "DELETE FROM artifacts WHERE run_id = $RID; INSERT INTO artifacts(run_id, path, sha256, size) VALUES ($RID, 'model.pt', '$SHA', 7),
               ($RID, 'eval/confusion.png', '$SHA', 7)"
ry --db "$WS" show "$RID"
expect_rc 0 "show by id succeeds"
expect_out_has "artifacts: 2" "show counts the run's artifacts"
expect_out_has "eval/confusion.png" "show lists the artifacts"
for f in uuid experiment status command host created duration cost git params metrics; do
	expect_out_has "$f" "show prints $f"
done
expect_out_has "$RUUID" "show prints the uuid"
ry --db "$WS" show "${RUUID:0:8}"
expect_rc 0 "show by uuid prefix succeeds"
expect_out_has "run $RID " "a uuid prefix resolves to the right run"
if [ "$(sq "$WS" "SELECT count(*) FROM runs WHERE name = '$RNAME'")" = 1 ]; then
	ry --db "$WS" show "$RNAME"
	expect_rc 0 "show by name succeeds"
	expect_out_has "run $RID " "a unique name resolves to the right run"
fi

ry --db "$WS" show "$RID" --json
expect_rc 0 "show --json succeeds"
expect_json "d['id'] == $RID and d['uuid'] == '$RUUID'" "show --json identifies the run" \
	"sorted(a['path'] for a in d['artifacts']) == ['eval/confusion.png', 'model.pt']" "show --json lists artifacts" \
	"all(a['sha256'] == '$SHA' and a['size'] == 7 for a in d['artifacts'])" "show --json gives artifact hash and size"
checks=()
for k in name experiment status command cwd host gpus created started ended duration exit_code cost git params tags notes metrics artifacts; do
	checks+=("'$k' in d" "show --json has $k")
done
expect_json "${checks[@]}"
NPTS=$(sq "$WS" "SELECT key || '=' || n FROM metric_summary WHERE run_id = $RID ORDER BY key" | tr '\n' ' ')
expect_json "' '.join('%s=%d' % (k, m['n']) for k, m in sorted(d['metrics'].items())) + ' ' == '$NPTS'" \
	"show --json point counts match the database" \
	"all(m['min'] <= m['last'] <= m['max'] for m in d['metrics'].values() if None not in (m['min'], m['last'], m['max']))" \
	"show --json metric summaries are consistent"

# ---- compare -------------------------------------------------------------
read -r A B C <<<"$(sq "$WS" "SELECT id FROM runs r WHERE EXISTS (SELECT 1 FROM metric_summary m WHERE m.run_id = r.id)
                            ORDER BY id LIMIT 3" | tr '\n' ' ')"
ry --db "$WS" compare "$A" "$B" "$C"
expect_rc 0 "compare three runs succeeds"
expect_out_has "#$A " "compare heads a column per run"
expect_out_has "#$C " "compare heads every run"
expect_out_has "params" "compare has a params section"
expect_out_has "metrics" "compare has a metrics section"
expect_out_has "last" "compare shows last values"
expect_out_has "best" "compare shows best values"
expect_out_has "*" "compare marks differing rows or best values"

ry --db "$WS" compare "$A" "$B" --json
expect_rc 0 "compare --json succeeds"
expect_json "[r['id'] for r in d['runs']] == [$A, $B]" "compare --json keeps the order of the runs" \
	"all(len(p['values']) == 2 and p['differs'] == (p['values'][0] != p['values'][1]) for p in d['params'])" \
	"compare --json marks exactly the differing params" \
	"all(m['goal'] in ('max', 'min', 'none') and len(m['values']) == 2 for m in d['metrics'])" \
	"compare --json has per-run metric summaries" \
	"all(m['best_run'] in ($A, $B) for m in d['metrics'] if m['best_run'] is not None)" \
	"compare --json names the best run per metric"
NSAME=$(pyjson "sum(1 for p in d['params'] if not p['differs'])")

ry --db "$WS" compare "$A" "$B" --json --diff-only
expect_json "all(p['differs'] for p in d['params'])" "compare --diff-only keeps only differing params"
if [ "$NSAME" -gt 0 ]; then
	ry --db "$WS" compare "$A" "$B" --diff-only
	expect_out_has "identical param" "compare --diff-only says how many rows it hid"
fi

# compare --csv: the same comparison, one column per run, quoted as runs
# --csv quotes (RFC 4180); checked against --json.
sqlite3 "$WS" "INSERT OR REPLACE INTO params(run_id, key, value) VALUES ($A, 'zz_note', 'a, \"b\"')"
ry --db "$WS" compare "$A" "$B" --json
cp "$T_TMP/out" "$T_TMP/cmp.json"
ry --db "$WS" compare "$A" "$B" --csv
expect_rc 0 "compare --csv succeeds"
expect_out_has 'param,zz_note,"a, ""b""",' "compare --csv quotes a comma and doubles a quote"
python3 - "$T_TMP/out" "$T_TMP/cmp.json" >"$T_TMP/csvcheck" 2>&1 <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
d = json.load(open(sys.argv[2]))
assert rows[0] == ['kind', 'key'] + [r['name'] or r['uuid'] for r in d['runs']], rows[0]
params = [r for r in rows[1:] if r[0] == 'param']
assert [r[1] for r in params] == [p['key'] for p in d['params']], 'param rows'
assert all(len(r) == 2 + len(d['runs']) for r in rows), 'a column per run'
for m in d['metrics']:
    for stat in ('last', 'best', 'min', 'max', 'n'):
        row = [r for r in rows if r[0] == stat and r[1] == m['key']]
        assert len(row) == 1, (stat, m['key'])
        for cell, v in zip(row[0][2:], m['values']):
            want = None if v is None else v[stat]
            assert (cell == '') == (want is None), (stat, m['key'], cell, want)
            if want is not None:
                assert abs(float(cell) - want) <= 1e-9 * max(1, abs(want)), (cell, want)
print('ok')
PY
grep -qx ok "$T_TMP/csvcheck" && ok "compare --csv holds the --json comparison, a header row and a column per run" ||
	{ fail "compare --csv holds the --json comparison, a header row and a column per run"; sed 's/^/#   /' "$T_TMP/csvcheck"; }
ry --db "$WS" compare "$A" "$B" --csv --json
expect_rc 2 "compare --csv --json is refused"

# ---- where the workspace comes from ---------------------------------------
RUNYARD_DB="$WS" ry experiments --json
expect_rc 0 "RUNYARD_DB names the workspace"
expect_json "len(d) == $NEXP" "RUNYARD_DB is used"
mkdir -p "$XDG_DATA_HOME/runyard"
cp "$WS" "$XDG_DATA_HOME/runyard/workspace.db"
ry runs --json --limit 2
expect_rc 0 "the default workspace is under XDG_DATA_HOME"
expect_json "len(d) == 2" "the default workspace is read"
OTHER="$T_TMP/other.db"
RUNYARD_DB="$OTHER" ry --db "$WS" experiments --json
expect_rc 0 "--db wins over RUNYARD_DB"

t_end
