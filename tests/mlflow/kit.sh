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
