#!/bin/bash
# Crash loop (d'), push: `runyard push mlflow URL RUN` to the real MLflow
# server of the kit (tests/mlflow/kit.sh) is killed -9 SOAK_N times, each
# on a run of its own with 1,200 points (two log-batches), at a random
# moment of the push.  After each kill the workspace passes
# integrity_check and the same push again succeeds; in the end the server
# holds each run once, with all its points once and its final status.
# Skips without the kit.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/soak_lib.sh"
. "$(dirname "$0")/../mlflow/kit.sh"
kit_find || { echo "1..0 # SKIP the MLflow kit is absent (set MLFLOW_KIT)"; exit 77; }
trap 'soak_cleanup; kit_server_stop; rm -rf "$T_TMP"' EXIT
kit_server_start "$T_TMP/mlflow" || { echo "Bail out! the MLflow server did not start"; exit 1; }
URL=$KIT_URL

M=600
PRINTER="awk 'BEGIN { for (i = 1; i <= $M; i++) print \"step=\" i \" loss=\" 1 / i \" acc=\" i / $M }'"
mkrun() { "$RUNYARD" run -q -e pushsoak --name "$1" -- sh -c "$PRINTER" >/dev/null 2>&1; }
push() { exec "$RUNYARD" push mlflow "$URL" "$1"; }
mkrun measure
DUR=$(measure_ms push measure)
echo "# one push of $((2 * M)) points takes ${DUR} ms here; kills drawn from 0..$((DUR * 12 / 10)) ms"

for i in $(seq "$SOAK_N"); do
	name=p$i why=""
	mkrun "$name" || { soak_fail "push kill $i: the run to push failed"; continue; }
	kill_point "$DUR"
	push "$name" >/dev/null 2>&1 &
	p=$!
	PIDS="$p"
	kill_after "$KILL_MS" "$p"
	integrity || why="$why integrity_check after the kill: $(q 'PRAGMA integrity_check' | head -3);"
	(push "$name") >/dev/null 2>"$T_TMP/err" || why="$why the push after the kill failed: $(head -2 "$T_TMP/err");"
	echo "$KILL_MS${why:+ $why}" > "$T_TMP/how-$i"
done

# what the server holds, run by run: how many runs of that name, points of each key, status
$MLFLOW_PY - "$URL" "$SOAK_N" >"$T_TMP/server" 2>"$T_TMP/server.err" <<'PY'
import sys
from mlflow.tracking import MlflowClient
url, n = sys.argv[1], int(sys.argv[2])
c = MlflowClient(url)
e = c.get_experiment_by_name("pushsoak")
runs = {}
for r in c.search_runs([e.experiment_id], max_results=50000):
    runs.setdefault(r.info.run_name, []).append(r)
for i in range(1, n + 1):
    rs = runs.get("p%d" % i, [])
    if len(rs) != 1:
        print("p%d %d - - -" % (i, len(rs)))
        continue
    rid = rs[0].info.run_id
    print("p%d 1 %d %d %s" % (i, len(c.get_metric_history(rid, "loss")), len(c.get_metric_history(rid, "acc")),
                              rs[0].info.status))
PY
[ -s "$T_TMP/server" ] || echo "Bail out! reading the server failed: $(tail -3 "$T_TMP/server.err")"
bad=0
for i in $(seq "$SOAK_N"); do
	read -r ms why < "$T_TMP/how-$i"
	read -r _ nruns nloss nacc status < <(grep "^p$i " "$T_TMP/server")
	[ "${nruns:-0}" = 1 ] || why="$why ${nruns:-0} runs on the server;"
	[ "${nruns:-0}" = 1 ] && { [ "$nloss" = $M ] && [ "$nacc" = $M ] || why="$why $nloss loss and $nacc acc points of $M each on the server;"; }
	[ "${nruns:-0}" = 1 ] && [ "$status" != FINISHED ] && why="$why status $status on the server;"
	if [ -z "$why" ]; then soak_ok "push kill $i ($ms ms): pushed again, once on the server with its $((2 * M)) points"
	else bad=$((bad + 1)); soak_fail "push kill $i ($ms ms):$why"; fi
done
echo "# push soak: $SOAK_N kills, $bad bad"
t_end
