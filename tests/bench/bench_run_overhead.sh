#!/bin/bash
# The wall-time overhead `runyard run` adds to a command that prints a lot:
# the same command with its output to /dev/null, bare and under runyard
# (output passed through to /dev/null, appended to the run's log, scanned
# for metrics).  Not part of `make check`: it writes BENCH_BYTES (default
# 1 GiB) to a log in a temp workspace.  Each case runs BENCH_REPS times (the
# best is kept, which is fairest on a shared machine).
#
#   RUNYARD_BIN=./runyard BENCH_BYTES=1G BENCH_PY_BYTES=200M tests/bench/bench_run_overhead.sh
set -u
RUNYARD=${RUNYARD_BIN:-./runyard}
BYTES=${BENCH_BYTES:-1G}
REPS=${BENCH_REPS:-3}
TMP=$(mktemp -d /tmp/runyard-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export RUNYARD_DB="$TMP/ws.db"

best() { # best wall seconds of REPS runs of "$@"
	local b="" t0 t1 d
	for _ in $(seq "$REPS"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s.%N)
		d=$(echo "$t1 - $t0" | bc)
		if [ -z "$b" ] || [ "$(echo "$d < $b" | bc)" = 1 ]; then b=$d; fi
		rm -rf "$TMP"/ws.db*
	done
	echo "$b"
}

NBYTES=$(numfmt --from=iec "$BYTES")
PYBYTES=${BENCH_PY_BYTES:-$BYTES}     # the Python producer is slow: allow less
NPYBYTES=$(numfmt --from=iec "$PYBYTES")

report() { # name command [env for the bare baseline]
	local name=$1 cmd=$2 bare tracked
	bare=$(best env ${3:-} sh -c "$cmd")
	tracked=$(best "$RUNYARD" run -q -- sh -c "$cmd")
	printf '%s: bare %.2f s, under runyard run %.2f s, overhead %.1f%%\n' "$name" "$bare" "$tracked" \
		"$(echo "($tracked - $bare) * 100 / $bare" | bc -l)"
}

# CPU seconds runyard itself spends per GiB (wall time on a busy machine
# measures the scheduler more than runyard).
cpu_per_gib() {
	local cmd=$1
	"$RUNYARD" run -q -- sh -c "$cmd" >/dev/null 2>&1 &
	local pid=$!
	local ticks=0 t
	while kill -0 $pid 2>/dev/null; do
		t=$(awk '{print $14 + $15}' /proc/$pid/stat 2>/dev/null) && ticks=$t
		sleep 0.05
	done
	wait $pid
	rm -rf "$TMP"/ws.db*
	echo "$ticks / $(getconf CLK_TCK) * 1073741824 / $NBYTES" | bc -l
}

LINE='INFO 2026-11-23 01:02:03 worker 3: processed batch of 512 examples, prefetch queue depth 4'
# A job's chatter: log lines without metrics.
report "$BYTES of log lines from yes (no metrics)" "yes '$LINE' | head -c $NBYTES"
printf 'runyard CPU per GiB of output: %.2f s\n' "$(cpu_per_gib "yes '$LINE' | head -c $NBYTES")"
# A realistic producer: Python printing lines, 1 in 50 with three metrics.
# Under runyard Python is unbuffered (PYTHONUNBUFFERED=1, so metrics arrive
# live), as it is line-buffered at a terminal; the baseline gets the same.
PY="import sys
w = sys.stdout.write
n = i = 0
while n < $NPYBYTES:
    i += 1
    s = 'step=%d loss=%.5f acc=%.4f\n' % (i, 1.0 / i, 1 - 1.0 / i) if i % 50 == 0 else '$LINE\n'
    w(s)
    n += len(s)"
report "$PYBYTES from python print (1 in 50 lines with metrics)" "python3 -c \"$PY\"" PYTHONUNBUFFERED=1
