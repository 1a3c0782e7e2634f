#!/bin/sh
# Run libFuzzer targets, JOBS at a time, each for SECONDS (or RUNS
# executions when RUNS is set), and print one TAP line per target:
#   ok 3 - fuzz_query: 1234567 runs in 30 s
#   not ok 4 - fuzz_config: crash (fuzz-build/artifacts/config/crash-...)
# New inputs a run finds go to OUT/corpus/NAME (the seeds in
# SRC/corpus/NAME are read only); crashes, leaks and timeouts to
# OUT/artifacts/NAME/.  Exit status 1 when any target failed.
#
#   run.sh OUT SRC SECONDS JOBS RUNS NAME...
set -u
out=$1 src=$2 secs=$3 jobs=$4 runs=$5
shift 5
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
echo "1..$#"

one() { # one N NAME: run target NAME, write its TAP line to OUT/NAME.tap
	n=$1 name=$2
	rm -rf "$out/artifacts/$name" "$out/$name.tap"
	mkdir -p "$out/corpus/$name" "$out/artifacts/$name"
	set -- -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name/"
	if [ -n "$runs" ]; then set -- "$@" -runs="$runs"; else set -- "$@" -max_total_time="$secs"; fi
	[ -f "$src/fuzz_$name.dict" ] && set -- "$@" -dict="$src/fuzz_$name.dict"
	# fuzz_NAME.options: more libFuzzer flags for one target, on one line
	[ -f "$src/fuzz_$name.options" ] && set -- "$@" $(cat "$src/fuzz_$name.options")
	start=$(date +%s)
	LSAN_OPTIONS=suppressions=$src/lsan.supp:print_suppressions=0 \
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$out/fuzz_$name" "$@" "$out/corpus/$name" $( [ -d "$src/corpus/$name" ] && echo "$src/corpus/$name") >"$out/$name.log" 2>&1
	rc=$?
	t=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - fuzz_$name: ${execs:-?} runs in $t s" >"$out/$name.tap"
	else
		what=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error|SUMMARY: [A-Za-z]+: [a-z-]+' "$out/$name.log" | head -n 1)
		art=$(ls "$out/artifacts/$name" 2>/dev/null | head -n 1)
		echo "not ok $n - fuzz_$name: ${what:-exit $rc} ($out/artifacts/$name/$art; log $out/$name.log)" >"$out/$name.tap"
	fi
}

n=0 status=0
pids=""
for name in "$@"; do
	n=$((n + 1))
	one "$n" "$name" &
	pids="$pids $!"
	if [ "$(echo $pids | wc -w)" -ge "$jobs" ]; then
		wait $pids
		pids=""
	fi
done
wait $pids
n=0
for name in "$@"; do
	n=$((n + 1))
	cat "$out/$name.tap"
	grep -q '^not ok' "$out/$name.tap" && { status=1; tail -n 40 "$out/$name.log"; }
done
exit "$status"
