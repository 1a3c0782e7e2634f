#!/bin/bash
# Import from a real MLflow tracking server, beside MLflow's own Python
# client reading the same (issue 12).  Not part of `make check`; run
#   make bench-mlflow            (or: RUNYARD_BIN=./runyard tests/bench/bench_mlflow.sh)
# Scale: BENCH_RUNS (1000) x BENCH_METRICS (10) x BENCH_STEPS (1000);
# server workers: MLFLOW_KIT_WORKERS (4), the same server for both readers.
# Prints: populate time, MLflow client time, runyard's first import (and
# the share of it spent waiting on the server, measured inside
# curl_multi_poll), the ratio, and the second (unchanged) import.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../mlflow/kit.sh"
kit_find || { echo "bench_mlflow: no MLflow server kit" >&2; exit 77; }
RUNYARD=${RUNYARD_BIN:-$HERE/../../runyard}
RUNS=${BENCH_RUNS:-1000} METRICS=${BENCH_METRICS:-10} STEPS=${BENCH_STEPS:-1000}
export MLFLOW_KIT_WORKERS=${MLFLOW_KIT_WORKERS:-4}
TMP=$(mktemp -d /tmp/runyard-bench-mlflow-XXXXXX)
trap 'kit_server_stop; rm -rf "$TMP"' EXIT
kit_server_start "$TMP/srv" || exit 1
URL=$KIT_URL
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

echo "server: MLflow 2.10.2, sqlite store, $MLFLOW_KIT_WORKERS gunicorn workers; $(nproc) CPUs"
echo "data: $RUNS runs x $METRICS metrics x $STEPS steps = $((RUNS * METRICS * STEPS)) points"
t=$(now); $MLFLOW_PY "$HERE/bench_mlflow.py" populate "$URL" "$RUNS" "$METRICS" "$STEPS" 8 || exit 1
echo "populate (REST log-batch, 8 threads): $(secs "$t" "$(now)") s"

read -r PY_S PY_POINTS < <($MLFLOW_PY "$HERE/bench_mlflow.py" read "$URL" 2>/dev/null)
echo "MLflow Python client (search_runs + get_metric_history): $PY_S s, $PY_POINTS points"

export RUNYARD_DB=$TMP/ws.db RUNYARD_MLFLOW_STATS=1
t=$(now); "$RUNYARD" import mlflow "$URL" >"$TMP/out1" 2>"$TMP/err1" || { cat "$TMP/err1"; exit 1; }
RY_S=$(secs "$t" "$(now)")
WAIT=$(sed -n 's/.*mlflow: \([0-9.]*\) s waiting on the server.*/\1/p' "$TMP/err1" | tail -1)
cat "$TMP/out1"
echo "runyard import: $RY_S s, of which $WAIT s waiting on the server ($(echo "scale=0; 100 * $WAIT / $RY_S" | bc)%)"
echo "ratio (MLflow client / runyard): $(echo "scale=1; $PY_S / $RY_S" | bc)x"
t=$(now); "$RUNYARD" import mlflow "$URL" >"$TMP/out2" 2>"$TMP/err2" || { cat "$TMP/err2"; exit 1; }
cat "$TMP/out2"
echo "second import (unchanged): $(secs "$t" "$(now)") s"
