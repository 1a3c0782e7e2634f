#!/bin/bash
# `runyard demo`: creates a workspace, says what it added, validates its options.
. "$(dirname "$0")/lib.sh"
DB="$T_TMP/demo.db"

ry demo --help
expect_rc 0 "demo --help succeeds"
expect_out_has "--runs N" "demo --help lists --runs"
expect_out_has "--steps N" "demo --help lists --steps"
expect_out_has "--seed N" "demo --help lists --seed"

ry demo --db "$DB"
expect_rc 0 "demo seeds a new workspace"
expect_out_has "added 72 runs in 3 experiments" "demo says what it added"
expect_out_has "metric points" "demo counts metric points"
[ -s "$DB" ] && ok "demo created the workspace file" || fail "demo created the workspace file"

runs=$(sqlite3 "$DB" "SELECT count(*) FROM runs")
[ "$runs" = 72 ] && ok "72 runs in the file" || fail "72 runs in the file (got $runs)"
statuses=$(sqlite3 "$DB" "SELECT group_concat(DISTINCT status) FROM (SELECT status FROM runs ORDER BY status)")
case "$statuses" in
*failed*killed*queued*running*) ok "statuses include failed, killed, queued, running" ;;
*) fail "statuses include failed, killed, queued, running (got $statuses)" ;;
esac

ry demo --db "$DB" --runs 10 --steps 5 --seed 3
expect_rc 0 "demo adds to an existing workspace"
runs=$(sqlite3 "$DB" "SELECT count(*) FROM runs")
[ "$runs" = 82 ] && ok "runs were added, nothing replaced" || fail "runs were added (got $runs)"

RUNYARD_DB="$T_TMP/env.db" ry demo --runs 4 --steps 3
expect_rc 0 "demo honours RUNYARD_DB"
[ -s "$T_TMP/env.db" ] && ok "RUNYARD_DB workspace created" || fail "RUNYARD_DB workspace created"

for bad in "--runs -1" "--runs abc" "--runs 99999999999" "--steps 1.5" "--seed x" "--bogus" "extra"; do
	# shellcheck disable=SC2086
	ry demo --db "$T_TMP/bad.db" $bad
	expect_rc 2 "demo $bad is bad usage"
	expect_err_has "runyard demo:" "demo $bad explains itself"
done
[ -e "$T_TMP/bad.db" ] && fail "bad usage created no workspace" || ok "bad usage created no workspace"
ry demo --db "$T_TMP/x.db" --runs
expect_rc 2 "demo --runs without a value is bad usage"

echo "not a database, just text" > "$T_TMP/notdb"
cp "$T_TMP/notdb" "$T_TMP/notdb.orig"
ry demo --db "$T_TMP/notdb"
expect_rc 1 "demo refuses a file that is not a workspace"
cmp -s "$T_TMP/notdb" "$T_TMP/notdb.orig" && ok "the file is unchanged" || fail "the file is unchanged"
t_end
