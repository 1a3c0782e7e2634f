#!/bin/bash
# The whole suite on a busy machine: `make check` ROUNDS times in a row
# (default 5) with BURNERS processes (default 2) spinning on the CPU beside
# it.  Tests must wait for conditions with deadlines, never for luck; this
# is where a test that leans on timing shows itself.  Run from a configured
# build tree:  tests/stress.sh [ROUNDS] [BURNERS]
# Prints each round's failing tests and ends with "N passed, N failed"
# (rounds).  The burners stop with the script, and on their own after an
# hour at most.
set -u
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
BURNERS=${2:-2}
[ -f Makefile ] || { echo "stress: run ./configure (or ./bootstrap.sh build) first" >&2; exit 2; }
make -j2 >/dev/null || { echo "stress: the build failed" >&2; exit 1; }

pids=""
stop() { [ -n "$pids" ] && kill $pids 2>/dev/null; wait 2>/dev/null; }
trap stop EXIT
for _ in $(seq "$BURNERS"); do
	timeout 3600 sh -c 'while :; do :; done' &
	pids="$pids $!"
done

passed=0 failed=0
for r in $(seq "$ROUNDS"); do
	start=$(date +%s)
	if make -j2 check >"stress-$r.log" 2>&1; then
		passed=$((passed + 1))
		echo "round $r: green ($(( $(date +%s) - start )) s)"
	else
		failed=$((failed + 1))
		echo "round $r: RED ($(( $(date +%s) - start )) s):"
		grep -E '^(FAIL|ERROR):' "stress-$r.log" | sed 's/^/  /'
		for f in $(grep -E '^(FAIL|ERROR):' "stress-$r.log" | sed 's/^[A-Z]*: //'); do
			[ -f "$f.log" ] && cp "$f.log" "stress-$r-$(echo "$f" | tr / _).log"
		done
	fi
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
