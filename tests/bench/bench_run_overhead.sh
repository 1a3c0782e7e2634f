#!/bin/bash
# The wall-time overhead `runyard run` adds to a command that prints a lot:
# the same command bare and under runyard, with its stdout going to
# /dev/null, to a file and into a pipe (`| cat >/dev/null`).  Under runyard
# the output is also appended to the run's log and scanned for metrics.  Not
# part of `make check`: it writes BENCH_BYTES (default 1 GiB) to a log in a
# temp workspace.  Each case runs BENCH_REPS times (the best wall time is
# kept, which is fairest on a shared machine), and the load average is
# printed with every line because on a busy machine wall time measures the
# neighbours as much as runyard.  runyard's own CPU time per GiB (not its
# children's) is printed too: with perf it is exact (perf stat --no-inherit),
# without it sampled from /proc.  So is the cost of a pipe alone (the
# command piped into cat): whatever reads a command's output pays it, and on
# a small virtual machine it can be most of runyard's overhead.
#
#   RUNYARD_BIN=./runyard BENCH_BYTES=1G BENCH_PY_BYTES=200M tests/bench/bench_run_overhead.sh
set -u
RUNYARD=${RUNYARD_BIN:-./runyard}
BYTES=${BENCH_BYTES:-1G}
REPS=${BENCH_REPS:-3}
DESTS=${BENCH_DESTS:-"null file pipe"}
TMP=$(mktemp -d /tmp/runyard-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export RUNYARD_DB="$TMP/ws.db"

NBYTES=$(numfmt --from=iec "$BYTES")
PYBYTES=${BENCH_PY_BYTES:-$BYTES}     # the Python producer is slow: allow less
NPYBYTES=$(numfmt --from=iec "$PYBYTES")

load() { cut -d' ' -f1-3 /proc/loadavg; }

# run "$@" with stdout to destination $1 (null, file, pipe); prints wall seconds
timed() {
	local dest=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	case $dest in
	null) "$@" >/dev/null 2>&1 ;;
	file) "$@" >"$TMP/out" 2>/dev/null ;;
	pipe) "$@" 2>/dev/null | cat >/dev/null ;;
	esac
	t1=$(date +%s.%N)
	rm -rf "$TMP/out" "$TMP"/ws.db*
	echo "$t1 - $t0" | bc
}

best() { # best wall seconds of REPS runs: best DEST CMD...
	local b="" d
	for _ in $(seq "$REPS"); do
		d=$(timed "$@")
		if [ -z "$b" ] || [ "$(echo "$d < $b" | bc)" = 1 ]; then b=$d; fi
	done
	echo "$b"
}

# CPU seconds runyard itself (not the command) spends per GiB of output:
# cpu_per_gib CMD BYTES
cpu_per_gib() {
	local cmd=$1 nbytes=$2 secs
	if perf stat -e task-clock -x, -i -o "$TMP/perf" true 2>/dev/null; then
		perf stat -e task-clock -x, -i -o "$TMP/perf" "$RUNYARD" run -q -- sh -c "$cmd" >/dev/null 2>&1
		secs=$(awk -F, '$3 == "task-clock" { print $1 / 1000 }' "$TMP/perf")
	else
		"$RUNYARD" run -q -- sh -c "$cmd" >/dev/null 2>&1 &
		local pid=$! ticks=0 t
		while kill -0 $pid 2>/dev/null; do
			t=$(awk '{print $14 + $15}' /proc/$pid/stat 2>/dev/null) && ticks=$t
			sleep 0.05
		done
		wait $pid
		secs=$(echo "$ticks / $(getconf CLK_TCK)" | bc -l)
	fi
	rm -rf "$TMP"/ws.db*
	echo "$secs * 1073741824 / $nbytes" | bc -l
}

report() { # name command bytes [env for the bare baseline]
	local name=$1 cmd=$2 nbytes=$3 bare tracked dest
	for dest in $DESTS; do
		bare=$(best "$dest" env ${4:-} sh -c "$cmd")
		tracked=$(best "$dest" "$RUNYARD" run -q -- sh -c "$cmd")
		printf '%s, stdout to %s: bare %.2f s, under runyard run %.2f s, overhead %.1f%% (load %s)\n' \
			"$name" "$dest" "$bare" "$tracked" "$(echo "($tracked - $bare) * 100 / $bare" | bc -l)" "$(load)"
	done
	# The floor for anything that reads the output: the same command piped
	# into cat, which does nothing with it.
	bare=$(best null env ${4:-} sh -c "$cmd")
	tracked=$(best null env ${4:-} sh -c "$cmd | cat")
	printf '%s, piped into cat instead (the cost of the pipe alone): bare %.2f s, | cat %.2f s, %.1f%% (load %s)\n' \
		"$name" "$bare" "$tracked" "$(echo "($tracked - $bare) * 100 / $bare" | bc -l)" "$(load)"
	printf '%s: runyard CPU per GiB of output: %.2f s (load %s)\n' "$name" "$(cpu_per_gib "$cmd" "$nbytes")" "$(load)"
}

LINE='INFO 2026-11-23 01:02:03 worker 3: processed batch of 512 examples, prefetch queue depth 4'
# A job's chatter: log lines without metrics.
report "$BYTES of log lines from yes (no metrics)" "yes '$LINE' | head -c $NBYTES" "$NBYTES"
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
report "$PYBYTES from python print (1 in 50 lines with metrics)" "python3 -c \"$PY\"" "$NPYBYTES" PYTHONUNBUFFERED=1
