#!/bin/bash
# MLflow's local stores read directly (issue 12): an mlruns/ file store and
# an mlflow.db SQLite store, both written by MLflow's own client with the
# same data (make_fixtures.py), imported with `runyard import mlflow PATH`,
# and a real tracking server filled by the same script: all three give the
# same runs, registry and fingerprints.
# What a user would notice: the runs, their params, tags, statuses, times
# and whole histories (NaN and +-Inf kept, nested keys, several values at a
# step), the registry; both stores give the same runs; importing again
# changes nothing; more points in one run update that run only; the SQLite
# file is never written; broken stores give an error naming the file and
# leave the workspace as it was.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/kit.sh"
kit_find || { echo "1..0 # SKIP the MLflow kit is absent (set MLFLOW_KIT)"; exit 77; }
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
FX="$T_TMP/fx"
MAKE_FIXTURES="$SRC/tests/mlflow/make_fixtures.py"
mkdir -p "$FX"

fixtures() { # URI [--more]
	(cd "$FX" && $MLFLOW_PY "$MAKE_FIXTURES" "$@") >"$T_TMP/fx.log" 2>&1 ||
		{ echo "# make_fixtures.py $* failed:"; sed 's/^/#   /' "$T_TMP/fx.log" | tail -20; exit 1; }
}
fixtures "file:$FX/mlruns"
fixtures "sqlite:///$FX/mlflow.db"

py() { /usr/bin/python3 -c "$@"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
# dump DB: every run as a user sees it (runs --json and every history),
# without what differs by store (ids, the source's URIs) or by the clock
dump() {
	"$RUNYARD" --db "$1" runs --json | py '
import json, sys
drop = {"id", "uuid", "experiment_id", "duration"}
src = {"mlflow.run_id", "mlflow.tracking_uri", "mlflow.artifact_uri", "mlflow.experiment_id"}
for r in sorted(json.load(sys.stdin), key=lambda r: (r["experiment"], r["name"])):
    r = {k: v for k, v in r.items() if k not in drop}
    r["tags"] = {k: v for k, v in r["tags"].items() if k not in src}
    print(json.dumps(r, sort_keys=True))'
	for n in alpha beta gamma delta; do "$RUNYARD" --db "$1" metrics "$n" --csv; done
}
# raw DB: what the workspace holds, ids included (a live run's duration
# grows with the clock: left out)
raw() {
	"$RUNYARD" --db "$1" runs --json | grep -v '"duration":'
	for n in alpha beta gamma delta; do "$RUNYARD" --db "$1" metrics "$n" --csv; done
	"$RUNYARD" --db "$1" models --json
}
count() { py 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

DBSUM=$(sum "$FX/mlflow.db")
WF="$T_TMP/files.db"
WS="$T_TMP/sqlite.db"

# ---- the file store ---------------------------------------------------------
ry --db "$WF" import mlflow "$FX/mlruns" --json
expect_rc 0 "the file store imports"
[ "$(echo "$OUT" | count runs_new)" = 4 ] && ok "4 runs: the deleted run and the deleted experiment's are skipped" || fail "runs_new is not 4"
ry --db "$WF" runs --json
expect_out_has '"name":	"alpha"' "alpha is listed"
expect_out_lacks 'deleted-run' "the deleted run is not imported"
expect_out_lacks 'in-deleted-experiment' "a deleted experiment's run is not imported"
expect_out_has '"experiment":	"vision baseline"' "an experiment name with spaces is kept"
for s in alpha:finished beta:failed gamma:killed delta:running; do
	py 'import json,sys; r={x["name"]: x for x in json.load(open(sys.argv[1]))}; n,s=sys.argv[2].split(":"); sys.exit(r[n]["status"] != s)' "$T_TMP/out" "$s" &&
		ok "status ${s#*:} of ${s%%:*}" || fail "status of ${s%%:*} is not ${s#*:}"
done
ry --db "$WF" show alpha --json
expect_out_has '"batch size":	32' "a param key with a space"
expect_out_has '"optim/name":	"adam"' "a param key with a slash"
expect_out_has '"team name":	"vision & co"' "a tag key with a space"
expect_out_has '"data/source":	"s3://bucket/x"' "a tag key with a slash"
expect_out_has '"mlflow.run_id":' "the MLflow run id is kept"
expect_out_has '"started":	1700000001' "the start time"
expect_out_has '"ended":	1700000010' "the end time"
ry --db "$WF" metrics alpha --csv
expect_out_has 'alpha,odd,0,1700000000.100,nan' "NaN kept"
expect_out_has 'alpha,odd,1,1700000000.200,inf' "+Inf kept"
expect_out_has 'alpha,odd,2,1700000000.300,-inf' "-Inf kept"
expect_out_has 'alpha,final/score,0,1700000009.000,0.91' "a nested key"
[ "$(grep -c '^alpha,loss,' "$T_TMP/out")" = 400 ] && ok "400 steps of loss" || fail "loss lacks points"
ry --db "$WF" metrics beta acc --csv
[ "$(cut -d, -f3 "$T_TMP/out" | tail -n +2 | tr '\n' ' ')" = "0 3 5 5 5 7 " ] &&
	ok "out-of-order steps in step order, three values at step 5" || fail "acc's steps"
ry --db "$WF" models --json
expect_out_has '"name":	"fixture-model"' "the registered model"
expect_out_has '"champion":	1' "its alias"
expect_out_has '"versions":	2' "its two versions"
expect_out_has '"description":	"The fixture'"'"'s model."' "its description"
ry --db "$WF" model fixture-model --json
expect_out_has '"validated=no"' "a version's tag"
expect_out_has '"source_uri":	"runs:/' "a version's source"
py 'import json,sys; v={x["version"]: x for x in json.load(open(sys.argv[1]))["versions"]}; sys.exit(v[1]["run"]["name"] != "alpha" or v[2]["run"]["name"] != "beta")' "$T_TMP/out" &&
	ok "versions linked to the runs they came from" || fail "version lineage"

# ---- the SQLite store: the same ----------------------------------------------
ry --db "$WS" import mlflow "sqlite:///$FX/mlflow.db" --json
expect_rc 0 "the SQLite store imports"
[ "$(echo "$OUT" | count runs_new)" = 4 ] && ok "4 runs from SQLite" || fail "runs_new is not 4"
dump "$WF" >"$T_TMP/dump.files"
dump "$WS" >"$T_TMP/dump.sqlite"
if diff "$T_TMP/dump.files" "$T_TMP/dump.sqlite" >"$T_TMP/diff"; then ok "the file store and the SQLite store give the same runs"
else fail "stores differ"; sed 's/^/#   /' "$T_TMP/diff" | head -20; fi
# (the registry's times are MLflow's clock when the fixture was written)
"$RUNYARD" --db "$WF" models --json | grep -vE '"(created|updated)(_iso)?":' >"$T_TMP/models.files"
"$RUNYARD" --db "$WS" models --json | grep -vE '"(created|updated)(_iso)?":' >"$T_TMP/models.sqlite"
diff "$T_TMP/models.files" "$T_TMP/models.sqlite" >/dev/null && ok "and the same registry" || fail "registries differ"
fps() { py 'import sqlite3,sys; c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True); print(sorted(r[0] for r in c.execute("select fingerprint from imports")))' "$1"; }
[ "$(fps "$WF")" = "$(fps "$WS")" ] && ok "the same fingerprints from both stores" || fail "fingerprints differ"
ry --db "$WS" import mlflow "$FX/mlflow.db"
expect_rc 0 "a plain path to mlflow.db is an SQLite store"
[ "$(sum "$FX/mlflow.db")" = "$DBSUM" ] && ok "mlflow.db is byte-identical after import" || fail "mlflow.db changed"
ls "$FX" | grep -qE 'mlflow\.db-(wal|shm|journal)' && fail "a -wal/-shm/-journal was left" || ok "no -wal/-shm/-journal left"

# ---- the tracking server: the same again ------------------------------------
# The third kind of source, filled by the same script through MLflow's
# client over REST: what a user gets must not depend on where MLflow kept it.
kit_server_start "$T_TMP/server" || { echo "Bail out! the MLflow server did not start"; exit 1; }
trap 'kit_server_stop; rm -rf "$T_TMP"' EXIT
fixtures "$KIT_URL"
WR="$T_TMP/server.db"
ry --db "$WR" import mlflow "$KIT_URL" --json
expect_rc 0 "the tracking server imports"
[ "$(echo "$OUT" | count runs_new)" = 4 ] && ok "4 runs from the server" || fail "runs_new is not 4"
dump "$WR" >"$T_TMP/dump.server"
if diff "$T_TMP/dump.files" "$T_TMP/dump.server" >"$T_TMP/diff"; then ok "the server gives the same runs as the file store"
else fail "server and file store differ"; sed 's/^/#   /' "$T_TMP/diff" | head -20; fi
"$RUNYARD" --db "$WR" models --json | grep -vE '"(created|updated)(_iso)?":' >"$T_TMP/models.server"
diff "$T_TMP/models.files" "$T_TMP/models.server" >/dev/null && ok "and the same registry" || fail "registries differ (server)"
[ "$(fps "$WF")" = "$(fps "$WR")" ] && ok "the same fingerprints from the server" || fail "fingerprints differ (server)"
kit_server_stop

# a WAL-mode database with no -wal file: read as it is, nothing created
cp "$FX/mlflow.db" "$T_TMP/wal.db"
py 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma journal_mode=wal"); c.close()' "$T_TMP/wal.db"
WALSUM=$(sum "$T_TMP/wal.db")
ry --db "$T_TMP/w.db" import mlflow "$T_TMP/wal.db" --json
expect_rc 0 "a WAL-mode store imports"
[ "$(sum "$T_TMP/wal.db")" = "$WALSUM" ] && [ ! -e "$T_TMP/wal.db-wal" ] && [ ! -e "$T_TMP/wal.db-shm" ] &&
	ok "the WAL-mode store is untouched, no -wal/-shm created" || fail "the WAL-mode store was touched"

# ---- again: nothing changes ----------------------------------------------------
for w in "$WF:$FX/mlruns" "$WS:sqlite:///$FX/mlflow.db"; do
	db=${w%%:*} src=${w#*:}
	raw "$db" >"$T_TMP/before"
	ry --db "$db" import mlflow "$src" --json
	[ "$(echo "$OUT" | count runs_unchanged)" = 4 ] && [ "$(echo "$OUT" | count points)" = 0 ] &&
		ok "importing $src again: 4 unchanged, no points" || fail "second import of $src changed something"
	raw "$db" >"$T_TMP/after"
	diff "$T_TMP/before" "$T_TMP/after" >/dev/null && ok "  and the workspace shows the same" || fail "workspace changed"
done

# ---- more points in one run: exactly that run updated --------------------------
fixtures "file:$FX/mlruns" --more
fixtures "sqlite:///$FX/mlflow.db" --more
for w in "$WF:$FX/mlruns" "$WS:sqlite:///$FX/mlflow.db"; do
	db=${w%%:*} src=${w#*:}
	dump "$db" | grep -v '"name": "alpha"' | grep -v '^alpha,' >"$T_TMP/before"
	ry --db "$db" import mlflow "$src" --json
	[ "$(echo "$OUT" | count runs_updated)" = 1 ] && [ "$(echo "$OUT" | count runs_unchanged)" = 3 ] &&
		[ "$(echo "$OUT" | count points)" = 11 ] && ok "after --more: alpha alone updated, 11 points" ||
		fail "the update of $src"
	dump "$db" | grep -v '"name": "alpha"' | grep -v '^alpha,' >"$T_TMP/after"
	diff "$T_TMP/before" "$T_TMP/after" >/dev/null && ok "  the other runs are as they were" || fail "other runs changed"
	ry --db "$db" metrics alpha --csv
	[ "$(grep -c '^alpha,loss,' "$T_TMP/out")" = 410 ] && grep -q '^alpha,extra,0,' "$T_TMP/out" &&
		ok "  alpha has the new points and metric" || fail "alpha lacks the new points"
done
dump "$WF" >"$T_TMP/dump.files"
dump "$WS" >"$T_TMP/dump.sqlite"
diff "$T_TMP/dump.files" "$T_TMP/dump.sqlite" >/dev/null && ok "both stores still agree" || fail "stores differ after --more"

# ---- --experiment and file:// --------------------------------------------------
ry --db "$T_TMP/e.db" import mlflow "file://$FX/mlruns" --experiment nlp --json
expect_rc 0 "file:///path is a file store"
[ "$(echo "$OUT" | count runs_new)" = 2 ] && ok "--experiment nlp imports nlp's 2 runs only" || fail "--experiment"

# ---- bad stores: a clear error naming the file; the workspace unchanged --------
bad() { # WHAT SOURCE WANT...
	local what=$1 src=$2
	shift 2
	raw "$WF" >"$T_TMP/before"
	ry --db "$WF" import mlflow "$src"
	[ "$RC" -ne 0 ] && ok "$what: refused" || fail "$what: not refused"
	for w in "$@"; do expect_err_has "$w" "$what: the error says '$w'"; done
	raw "$WF" >"$T_TMP/after"
	diff "$T_TMP/before" "$T_TMP/after" >/dev/null && ok "$what: the workspace is unchanged" || fail "$what: workspace changed"
}
mkdir -p "$T_TMP/empty" "$T_TMP/notmlruns/sub"
echo hello >"$T_TMP/notmlruns/readme.txt"
bad "an empty directory" "$T_TMP/empty" "$T_TMP/empty" "not an MLflow file store"
bad "a directory that is not mlruns" "$T_TMP/notmlruns" "$T_TMP/notmlruns" "not an MLflow file store"

# corrupt one run's meta.yaml, after giving another run new points: neither comes in
cp -r "$FX/mlruns" "$T_TMP/corrupt"
gamma=$(grep -l 'run_name: gamma' "$T_TMP"/corrupt/*/*/meta.yaml)
echo "1700000099000 9.0 999" >>"$(dirname "$gamma")/metrics/loss"
alpha=$(grep -l 'run_name: alpha' "$T_TMP"/corrupt/*/*/meta.yaml)
printf 'artifact_uri: [broken\nrun_id: x\n' >"$alpha"
bad "a corrupt meta.yaml" "$T_TMP/corrupt" "$alpha" "line 1"

cp -r "$FX/mlruns" "$T_TMP/truncated"
acc=$(dirname "$(grep -l 'run_name: beta' "$T_TMP"/truncated/*/*/meta.yaml)")/metrics/acc
head -c -12 "$acc" >"$acc.cut" && mv "$acc.cut" "$acc"
bad "a truncated metrics line" "$T_TMP/truncated" "$acc" "line 6" "not 'timestamp value [step]'"

py 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()' "$T_TMP/other.db"
bad "an SQLite file that is not MLflow's" "$T_TMP/other.db" "$T_TMP/other.db" "not an MLflow database"
cp "$FX/mlflow.db" "$T_TMP/newer.db"
py 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update alembic_version set version_num=?", ("ffffffffffff",)); c.commit()' "$T_TMP/newer.db"
bad "a newer schema" "$T_TMP/newer.db" "$T_TMP/newer.db" "ffffffffffff" "not one runyard knows"
cp "$FX/mlflow.db" "$T_TMP/older.db"
py 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update alembic_version set version_num=?", ("89d4b8295536",)); c.commit()' "$T_TMP/older.db"
bad "an older schema" "$T_TMP/older.db" "$T_TMP/older.db" "older than" "mlflow db upgrade"

t_end
