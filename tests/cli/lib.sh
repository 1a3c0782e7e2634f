# Shared by the shell tests: run the real binary on real workspace files.
# Each test sources this, calls `t_begin`, then `check`/`expect_*`, then `t_end`.
set -u
RUNYARD=${RUNYARD_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/runyard}
T_TMP=$(mktemp -d /tmp/runyard-cli-XXXXXX)
T_FAILS=0
T_COUNT=0
export HOME="$T_TMP/home" XDG_DATA_HOME="$T_TMP/home/.local/share" TZ=UTC LANG=C.UTF-8
unset RUNYARD_DB
mkdir -p "$HOME"
trap 'rm -rf "$T_TMP"' EXIT

# ry ARGS...: run runyard, capturing stdout/stderr/status in OUT/ERR/RC.
ry() {
	"$RUNYARD" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	ERR=$(cat "$T_TMP/err")
}

ok()   { T_COUNT=$((T_COUNT + 1)); echo "ok $T_COUNT - $1"; }
fail() { T_COUNT=$((T_COUNT + 1)); T_FAILS=$((T_FAILS + 1)); echo "not ok $T_COUNT - $1"; \
         echo "# status=${RC-(no command run yet)}"; echo "# stdout:"; sed 's/^/#   /' "$T_TMP/out" | head -40; \
         echo "# stderr:"; sed 's/^/#   /' "$T_TMP/err" | head -20; }

# wait_until SECONDS CMD...: run CMD every 20 ms until it succeeds (0) or
# SECONDS pass (1).  Tests wait for a condition this way, never a sleep.
wait_until() {
	local end=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	while [ "$(date +%s%N)" -lt "$end" ]; do "$@" && return 0; sleep 0.02; done
	return 1
}

expect_rc()       { if [ "$RC" -eq "$1" ]; then ok "$2"; else fail "$2 (expected status $1)"; fi; }
expect_out_has()  { if grep -qF -- "$1" "$T_TMP/out"; then ok "$2"; else fail "$2 (stdout lacks '$1')"; fi; }
expect_out_lacks(){ if grep -qF -- "$1" "$T_TMP/out"; then fail "$2 (stdout has '$1')"; else ok "$2"; fi; }
expect_err_has()  { if grep -qF -- "$1" "$T_TMP/err"; then ok "$2"; else fail "$2 (stderr lacks '$1')"; fi; }

t_end() {
	echo "1..$T_COUNT"
	[ "$T_FAILS" -eq 0 ]
}
