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
for label in "metric ingest" "bytes per stored point" "first 50 rows x 5 metrics" "all rows x 5 metrics" \
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
assert all(k in f for k in ["ingest_points_per_s","bytes_per_point","list_first_screen_ms","list_all_rows_ms","filter_ms","history_ms"]); \
assert f["bytes_per_point"]["value"] > 0 and f["ingest_points_per_s"]["target_op"] == ">="' "$T_TMP/out"; then
	ok "bench --json has every figure"
else
	fail "bench --json has every figure"
fi

for bad in "--runs 0" "--points 10" "--runs 1000 --points 2000" "--points x" "--nope"; do
	# shellcheck disable=SC2086
	ry bench $bad
	expect_rc 2 "bench $bad is bad usage"
done
t_end
