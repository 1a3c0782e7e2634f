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
# srv_cpu: CPU seconds the server (gunicorn's master and workers) has used
srv_cpu() {
	python3 - "$KIT_PID" <<'EOF'
import os, sys
hz, root, total = os.sysconf("SC_CLK_TCK"), int(sys.argv[1]), 0
kids = {}
for p in filter(str.isdigit, os.listdir("/proc")):
    try:
        f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        continue
    kids.setdefault(int(f[1]), []).append((int(p), f))
todo = [root]
f = open(f"/proc/{root}/stat").read().rsplit(")", 1)[1].split()
total = sum(int(x) for x in f[11:15])
while todo:
    for pid, f in kids.get(todo.pop(), []):
        total += sum(int(x) for x in f[11:15])
        todo.append(pid)
print("%.2f" % (total / hz))
EOF
}
# per_pt SECONDS: microseconds per point
per_pt() { echo "scale=1; 1000000 * $1 / $POINTS" | bc; }
POINTS=$((RUNS * METRICS * STEPS))

echo "server: MLflow 2.10.2, sqlite store, $MLFLOW_KIT_WORKERS gunicorn workers; $(nproc) CPUs"
echo "data: $RUNS runs x $METRICS metrics x $STEPS steps = $((RUNS * METRICS * STEPS)) points"
t=$(now); $MLFLOW_PY "$HERE/bench_mlflow.py" populate "$URL" "$RUNS" "$METRICS" "$STEPS" 8 || exit 1
echo "populate (REST log-batch, 8 threads): $(secs "$t" "$(now)") s"

c0=$(srv_cpu)
/usr/bin/time -f "%U %S" -o "$TMP/pytime" $MLFLOW_PY "$HERE/bench_mlflow.py" read "$URL" >"$TMP/pyout" 2>/dev/null
read -r PY_S PY_POINTS <"$TMP/pyout"
PY_CPU=$(tail -1 "$TMP/pytime" | awk '{ print $1 + $2 }')
PY_SRV=$(echo "$(srv_cpu) - $c0" | bc)
echo "MLflow Python client (search_runs + get_metric_history): $PY_S s, $PY_POINTS points"
echo "  CPU: client $PY_CPU s ($(per_pt "$PY_CPU") us/point), server $PY_SRV s ($(per_pt "$PY_SRV") us/point)"

export RUNYARD_DB=$TMP/ws.db RUNYARD_MLFLOW_STATS=1
c0=$(srv_cpu)
t=$(now); /usr/bin/time -f "%U %S" -o "$TMP/rytime" "$RUNYARD" import mlflow "$URL" >"$TMP/out1" 2>"$TMP/err1" ||
	{ cat "$TMP/err1"; exit 1; }
RY_S=$(secs "$t" "$(now)")
RY_CPU=$(tail -1 "$TMP/rytime" | awk '{ print $1 + $2 }')
RY_SRV=$(echo "$(srv_cpu) - $c0" | bc)
WAIT=$(sed -n 's/.*mlflow: \([0-9.]*\) s waiting on the server.*/\1/p' "$TMP/err1" | tail -1)
cat "$TMP/out1"
echo "runyard import: $RY_S s, of which $WAIT s waiting on the server ($(echo "scale=0; 100 * $WAIT / $RY_S" | bc)%)"
echo "  CPU: runyard $RY_CPU s ($(per_pt "$RY_CPU") us/point), server $RY_SRV s ($(per_pt "$RY_SRV") us/point)"
echo "ratio (MLflow client / runyard): $(echo "scale=1; $PY_S / $RY_S" | bc)x"
# What bounds it, measured rather than guessed: the client asks one request
# at a time, so it takes at least its own CPU plus the server's for its
# requests; runyard's requests run in parallel, so it takes at least the
# server's CPU for them spread over the CPUs here (or its own CPU, if more).
PY_FLOOR=$(echo "$PY_CPU + $PY_SRV" | bc)
RY_FLOOR=$(echo "scale=2; f = $RY_SRV / $(nproc); if ($RY_CPU > f) f = $RY_CPU; f" | bc)
echo "floors on this machine's $(nproc) CPUs: client >= $PY_FLOOR s (its CPU + the server's for it), runyard >= $RY_FLOOR s (the server's CPU for it / $(nproc)): ratio <= $(echo "scale=1; $PY_FLOOR / $RY_FLOOR" | bc)x"
t=$(now); "$RUNYARD" import mlflow "$URL" >"$TMP/out2" 2>"$TMP/err2" || { cat "$TMP/err2"; exit 1; }
cat "$TMP/out2"
echo "second import (unchanged): $(secs "$t" "$(now)") s"
