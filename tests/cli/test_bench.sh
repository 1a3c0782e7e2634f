#!/bin/bash
# `runyard bench` at a small size: every figure printed, JSON well formed,
# temp workspace removed, bad options refused.
. "$(dirname "$0")/lib.sh"
export TMPDIR="$T_TMP/tmp"
mkdir -p "$TMPDIR"

ry bench --help
expect_rc 0 "bench --help succeeds"
expect_out_has "--points N" "bench --help lists --points"

ry bench --runs 300 --points 20000
expect_rc 0 "a small bench runs"
for label in "metric ingest" "bytes per stored point" "10 runs x 2000 points" "bytes per stored point, 10 runs" \
             "first 50 rows x 5 metrics" "all rows x 5 metrics" \
             "compound expression" "metric history" "capture recall" "capture precision" \
             "capture step agreement"; do
	expect_out_has "$label" "bench prints '$label'"
done
expect_out_has "target" "bench prints targets"
[ -z "$(ls -A "$TMPDIR")" ] && ok "bench removed its temp workspace" || fail "bench removed its temp workspace"

ry bench --runs 100 --points 5000 --json
expect_rc 0 "bench --json runs"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f={x["name"]: x for x in d["figures"]}; \
assert d["runs"] == 100 and d["points"] == 5000; \
assert all(k in f for k in ["ingest_points_per_s","bytes_per_point","list_first_screen_ms","list_all_rows_ms","filter_ms","history_ms", \
                            "ingest_few_runs_points_per_s","bytes_per_point_few_runs"]); \
assert f["bytes_per_point"]["value"] > 0 and f["ingest_points_per_s"]["target_op"] == ">="' "$T_TMP/out"; then
	ok "bench --json has every figure"
else
	fail "bench --json has every figure"
fi

# --scale at sizes a test affords (RUNYARD_BENCH_SCALE is for tests only):
# one column per size, every figure a row, the JSON an object per size.
ry bench --help
expect_out_has "--scale" "bench --help lists --scale"
RUNYARD_BENCH_SCALE=60,120 ry bench --scale
expect_rc 0 "bench --scale runs"
expect_out_has "60 runs" "bench --scale has a column for the first size"
expect_out_has "120 runs" "bench --scale has a column for the second size"
for label in "metric ingest, points spread over every run" "bytes per stored point (metric chunks)" \
             "metric ingest, 10 runs, long series" "open + list by val_acc, all rows"; do
	expect_out_has "$label" "bench --scale has the row '$label'"
done
if echo "$OUT" | grep -q "capture recall"; then fail "bench --scale leaves capture out"; else ok "bench --scale leaves capture out"; fi
[ -z "$(ls -A "$TMPDIR")" ] && ok "bench --scale removed its temp workspaces" || fail "bench --scale removed its temp workspaces"
RUNYARD_BENCH_SCALE=50,70 ry bench --scale --json
expect_rc 0 "bench --scale --json runs"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["scale"]; \
assert [x["runs"] for x in s] == [50, 70] and [x["points"] for x in s] == [101000, 101400]; \
assert all("bytes_per_point" in {f["name"] for f in x["figures"]} for x in s)' "$T_TMP/out"; then
	ok "bench --scale --json has an object per size"
else
	fail "bench --scale --json has an object per size"
fi
for bad in "--scale --runs 1000" "--scale --points 100000" "--scale extra"; do
	# shellcheck disable=SC2086
	RUNYARD_BENCH_SCALE=50 ry bench $bad
	expect_rc 2 "bench $bad is bad usage"
done
for env in "x" "0" "50,,60" "2000000"; do
	RUNYARD_BENCH_SCALE=$env ry bench --scale
	expect_rc 2 "bench --scale with RUNYARD_BENCH_SCALE=$env is bad usage"
done

for bad in "--runs 0" "--points 10" "--runs 1000 --points 2000" "--points x" "--nope"; do
	# shellcheck disable=SC2086
	ry bench $bad
	expect_rc 2 "bench $bad is bad usage"
done
t_end
