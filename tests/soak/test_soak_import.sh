#!/bin/bash
# Crash loop (d), import: `runyard import` is killed -9 SOAK_N times, taking
# turns between the shipped lightning-csv exec plugin on a CSVLogger
# save_dir of 12 versions x 300 rows and the built-in MLflow plugin on an
# mlruns/ folder written by MLflow's own client (tests/mlflow/make_fixtures.py,
# when the kit is there) -- at a random moment of the import or at the
# fault point import-run-written, at its Nth run (a run's points and import record
# written, not committed).  Each kill lands on a fresh workspace.  After
# each kill: integrity_check passes, and every run the killed import left
# is whole (its points exactly those of a clean import); after importing
# the same source again the workspace is exactly what one clean import
# gives: every run once, every point once, the registry once.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/soak_lib.sh"
. "$(dirname "$0")/../mlflow/kit.sh"
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
trap 'soak_cleanup; rm -rf "$T_TMP"' EXIT
export PATH="$SRC/plugins/lightning-csv:$PATH"

# ---- the sources ------------------------------------------------------------
python3 - "$T_TMP/logs/lightning_logs" <<'PY'
import math, os, sys
root = sys.argv[1]
for v in range(12):
    d = os.path.join(root, "version_%d" % v)
    os.makedirs(d)
    with open(os.path.join(d, "metrics.csv"), "w", newline="") as f:
        f.write("epoch,step,train_loss,val_loss\r\n")
        for r in range(300):
            val = "%.6f" % (1.0 / (r + 2)) if r % 5 == 4 else ""
            f.write("%d,%d,%.6f,%s\r\n" % (r // 50, r, 1.0 / (r + 1 + v), val))
    with open(os.path.join(d, "hparams.yaml"), "w") as f:
        f.write("lr: 0.00%d\nseed: %d\n" % (v + 1, v))
PY
SOURCES="lightning-csv:$T_TMP/logs"
if kit_find; then
	mkdir -p "$T_TMP/fx"
	if (cd "$T_TMP/fx" && $MLFLOW_PY "$SRC/tests/mlflow/make_fixtures.py" "file:$T_TMP/fx/mlruns") >"$T_TMP/fx.log" 2>&1; then
		SOURCES="$SOURCES mlflow:$T_TMP/fx/mlruns"
	else echo "# make_fixtures.py failed, lightning-csv only:"; sed 's/^/#   /' "$T_TMP/fx.log" | tail -5; fi
else echo "# no MLflow kit: the lightning-csv plugin only"; fi

# dump DB: the workspace as a user sees it, without its own ids and clock:
# each run (runs --json), its points (metrics --csv), the registry
dump() {
	"$RUNYARD" --db "$1" runs --json | python3 -c '
import json, sys
for r in sorted(json.load(sys.stdin), key=lambda r: (r["experiment"], r["name"])):
    print(json.dumps({k: v for k, v in r.items() if k not in ("id", "uuid", "experiment_id", "duration")}, sort_keys=True))'
	for n in $(q "select name from runs order by name" "$1"); do "$RUNYARD" --db "$1" metrics "$n" --csv; done
	"$RUNYARD" --db "$1" models --json 2>/dev/null | grep -vE '"(created|updated|id)":'
}
# run_points DB NAME: NAME's points, sorted
run_points() { "$RUNYARD" --db "$1" metrics "$2" --csv | sort; }

# a clean import of each source: the reference; its duration sets the kill range
i=0
for s in $SOURCES; do
	plugin=${s%%:*} path=${s#*:}
	ref=$T_TMP/ref-$plugin.db
	t0=$(now_ms)
	"$RUNYARD" --db "$ref" import "$plugin" "$path" >/dev/null 2>"$T_TMP/err" || { echo "Bail out! clean import $plugin: $(cat "$T_TMP/err")"; exit 1; }
	dur=$(( $(now_ms) - t0 ))
	eval "DUR_${plugin//-/_}=$dur"
	dump "$ref" > "$T_TMP/ref-$plugin.dump"
	echo "# $plugin: a clean import of $(q 'select count(*) from runs' "$ref") runs takes $dur ms here; kills drawn from 0..$((dur * 12 / 10)) ms or import-run-written"
done
read -r -a SRCS <<<"$SOURCES"
NSRC=${#SRCS[@]}

bad=0 partial=0
for i in $(seq "$SOAK_N"); do
	s=${SRCS[$(( (i - 1) % NSRC ))]}
	plugin=${s%%:*} path=${s#*:}
	ref=$T_TMP/ref-$plugin.db
	db=$T_TMP/k$i.db
	dv="DUR_${plugin//-/_}"
	kill_point "${!dv}" "import-run-written@$(q 'select count(*) from runs' "$ref")"
	RUNYARD_FAULT=$KILL_FAULT "$RUNYARD" --db "$db" import "$plugin" "$path" >/dev/null 2>&1 &
	p=$!
	PIDS="$p"
	if [ -n "$KILL_FAULT" ]; then wait "$p" 2>/dev/null; else kill_after "$KILL_MS" "$p"; fi
	how="$plugin, ${KILL_FAULT:-${KILL_MS} ms}"
	why=""
	left=0
	if [ -e "$db" ]; then
		integrity "$db" || why="$why integrity_check after the kill: $(q 'PRAGMA integrity_check' "$db" | head -3);"
		left=$(q "select count(*) from runs" "$db" 2>/dev/null || echo 0)
		for n in $(q "select name from runs" "$db" 2>/dev/null); do
			cmp -s <(run_points "$db" "$n") <(run_points "$ref" "$n") || why="$why run $n is not whole after the kill;"
		done
	fi
	[ "$left" -gt 0 ] && [ "$left" -lt "$(q 'select count(*) from runs' "$ref")" ] && partial=$((partial + 1))
	# the same import again: exactly one clean import's workspace
	"$RUNYARD" --db "$db" import "$plugin" "$path" >/dev/null 2>"$T_TMP/err" || why="$why the import after the kill failed: $(head -2 "$T_TMP/err");"
	integrity "$db" || why="$why integrity_check after the re-import;"
	dump "$db" > "$T_TMP/k.dump"
	if ! cmp -s "$T_TMP/k.dump" "$T_TMP/ref-$plugin.dump"; then
		why="$why after the re-import the workspace differs from a clean import: $(diff "$T_TMP/ref-$plugin.dump" "$T_TMP/k.dump" | head -4 | tr '\n' ' ');"
	fi
	d=$(q "select count(*) from (select plugin, ext_id from imports group by 1, 2 having count(*) > 1)" "$db")
	[ "$d" = 0 ] || why="$why $d import records twice;"
	if [ -z "$why" ]; then soak_ok "import kill $i ($how): $left runs left whole, re-import exact, integrity ok"
	else bad=$((bad + 1)); soak_fail "import kill $i ($how):$why"; fi
	rm -rf "$db" "$db"-* "$db.runs" "$db.artifacts"
done
echo "# import soak: $SOAK_N kills over $NSRC sources ($SOURCES), $partial left some runs whole and others not yet, $bad bad"
t_end
