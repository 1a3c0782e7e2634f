# Shared by the crash-loop soak tests (tests/soak/test_*.sh, `make soak`):
# kill -9 runyard at a random moment of an operation, SOAK_N times, and
# after each kill check what a user would lose.  Sourced after
# tests/cli/lib.sh.
#
# A kill moment is either one of the fault points (core/base/fault.h) that
# lie on the operation's path, or a random delay drawn from 0 to 1.2 times
# the operation's duration, measured on this machine just before the loop
# (so a loaded machine stretches the range with the operation).
SOAK_N=${SOAK_N:-100}
SOAK_FAILS=0
PIDS=""
export RUNYARD_DB=${RUNYARD_DB:-$T_TMP/ws.db}

q() { sqlite3 -cmd '.timeout 10000' "${2:-$RUNYARD_DB}" "$1"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }


# measure_ms COMMAND...: how long COMMAND takes, in ms (its output dropped)
measure_ms() {
	local t0
	t0=$(now_ms)
	( "$@" ) >/dev/null 2>&1
	echo $(( $(now_ms) - t0 ))
}

# kill_point DURATION_MS POINT...: sets KILL_FAULT (a RUNYARD_FAULT value
# or empty) and KILL_MS (a delay, 0 when a fault point does the killing):
# one time in three a fault point chosen from POINT..., else a delay in
# [0, 1.2 * DURATION_MS].  A POINT written NAME@K is killed at its Nth pass,
# N drawn from 1..K (a loop's Nth round).
kill_point() {
	local dur=$1
	shift
	KILL_FAULT= KILL_MS=0
	if [ $# -gt 0 ] && [ $((RANDOM % 3)) -eq 0 ]; then
		local pts=("$@")
		local pt=${pts[$((RANDOM % $#))]}
		case $pt in
		*@*) KILL_FAULT="${pt%@*}:kill@$((RANDOM % ${pt#*@} + 1))";;
		*) KILL_FAULT="$pt:kill";;
		esac
	else
		KILL_MS=$(( (RANDOM * 32768 + RANDOM) % (dur * 12 / 10 + 1) ))
	fi
}

# kill_after MS PID: SIGKILL PID after MS milliseconds (if still there);
# returns once it is gone
kill_after() {
	sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
	kill -KILL "$2" 2>/dev/null
	wait "$2" 2>/dev/null
	return 0
}

# integrity DB: PRAGMA integrity_check says ok
integrity() { [ "$(q 'PRAGMA integrity_check' "${1:-$RUNYARD_DB}")" = ok ]; }

# points RUN [DB]: every (key, step) of RUN, one a line, from `metrics --csv`
points() { "$RUNYARD" --db "${2:-$RUNYARD_DB}" metrics "$1" --csv 2>/dev/null | awk -F, 'NR > 1 { print $2 "," $3 }'; }
# dup_points RUN [DB]: how many (key, step) of RUN are stored twice
dup_points() { points "$@" | sort | uniq -d | wc -l; }

# soak_ok / soak_fail WHAT: one TAP line for one kill
soak_ok() { ok "$1"; }
soak_fail() { SOAK_FAILS=$((SOAK_FAILS + 1)); T_COUNT=$((T_COUNT + 1)); T_FAILS=$((T_FAILS + 1));
	echo "not ok $T_COUNT - $1"; }

soak_cleanup() { for p in $PIDS; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done; }
