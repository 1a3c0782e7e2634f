# Sourced by the MLflow tests: find the MLflow 2.10.2 server kit and say how
# to run MLflow's own Python client from it.
#   MLFLOW_KIT     the kit's directory (start.sh, stop.sh, mlflow-src/, vendor/)
#   MLFLOW_PY      the interpreter with the kit's modules on its path: "$MLFLOW_PY script.py"
# Where it looks: $MLFLOW_KIT, then ../shared/mlflow-kit beside the source
# tree (how the project's machines lay it out), then /work/shared/mlflow-kit.
# A test skips (exit 77) only when no kit is found.
kit_find() {
	local here d
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	for d in "${MLFLOW_KIT:-}" "$here/../shared/mlflow-kit" /work/shared/mlflow-kit; do
		if [ -n "$d" ] && [ -x "$d/start.sh" ] && [ -d "$d/mlflow-src" ]; then
			MLFLOW_KIT=$(cd "$d" && pwd)
			export MLFLOW_KIT
			MLFLOW_PY="env PYTHONPATH=$MLFLOW_KIT/mlflow-src:$MLFLOW_KIT/vendor ${MLFLOW_KIT_PYTHON:-/usr/bin/python3}"
			export MLFLOW_PY
			return 0
		fi
	done
	return 1
}

# kit_server_start DIR: start the kit's server on a fresh free port, storing
# under DIR; sets KIT_PID and KIT_URL (stop it with kit_server_stop, e.g. in
# the test's EXIT trap).  The port is chosen below the ephemeral range under
# the suites' shared lock until the server holds it, so two tests never race
# for one port, and a port is never reused from a server that may be dying.
KIT_PID= KIT_URL=
kit_server_start() {
	local p lock=${TMPDIR:-/tmp}/runyard-test-ports.lock
	exec 9>"$lock"
	flock 9
	while :; do
		p=$(( (RANDOM % 12000) + 20000 ))
		(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || break
	done
	KIT_PID=$("$MLFLOW_KIT/start.sh" "$p" "$1")
	local rc=$?
	flock -u 9
	exec 9>&-
	[ $rc -eq 0 ] && [ -n "$KIT_PID" ] || return 1
	KIT_URL=http://127.0.0.1:$p
}
kit_server_stop() {
	[ -n "$KIT_PID" ] && "$MLFLOW_KIT/stop.sh" "$KIT_PID"
	KIT_PID=
}
