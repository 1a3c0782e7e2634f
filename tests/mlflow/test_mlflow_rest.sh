#!/bin/bash
# MLflow's tracking server, both ways (issue 12), against the real MLflow
# 2.10.2 server of the kit, filled by MLflow's own Python client
# (populate.py): `runyard import mlflow URL` brings experiments, runs
# (names, statuses, params, tags with spaces and slashes, nested metric
# keys, NaN and +-inf, several steps) and the registry (versions, alias,
# tags, descriptions; a name runyard rejects is skipped with a warning);
# importing again changes nothing; a run that changed at the server is
# exactly the one updated; --experiment filters.  Failures (nothing
# listening, 404, 500) name the URL and status and leave the workspace as
# it was; TLS is verified (a self-signed server refused unless trusted by
# MLFLOW_TRACKING_SERVER_CERT_PATH or MLFLOW_TRACKING_INSECURE_TLS);
# credentials are sent (basic, bearer: recorded by a small server)
# and never land in the workspace or its WAL; a 503 with Retry-After is
# retried.  Push: a local run arrives with its params, tags, histories and
# status, pushing again adds nothing, --model registers and sets the alias.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/kit.sh"

kit_find || { echo "1..0 # SKIP no MLflow server kit (tests/mlflow/kit.sh)"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
MKRUN=${RUNYARD_MKRUN:-$(cd "$HERE/../.." && pwd)/tests/helpers/mkrun}
POP="$MLFLOW_PY $HERE/populate.py"
export RUNYARD_DB=$T_TMP/ws.db
unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD
FAKE_PIDS=
cleanup() {
	kit_server_stop
	for p in $FAKE_PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap cleanup EXIT

kit_server_start "$T_TMP/mlflow" || { echo "Bail out! the MLflow server did not start"; exit 1; }
URL=$KIT_URL

# fake NAME MODE ARGS...: start fake_server.py; its URL in FAKE_URL
fake() {
	local name=$1; shift
	/usr/bin/python3 "$HERE/fake_server.py" "$T_TMP/$name.port" "$T_TMP/$name.log" "$@" &
	FAKE_PIDS="$FAKE_PIDS $!"
	local i=0
	while [ ! -s "$T_TMP/$name.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	FAKE_URL=http://127.0.0.1:$(cat "$T_TMP/$name.port")
}

# snapshot FILE: what a user would see of the workspace (but the duration
# of a live run, which grows with the clock)
snapshot() {
	{
		"$RUNYARD" runs --json
		for r in $("$RUNYARD" runs --json | /usr/bin/python3 -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin)))'); do
			"$RUNYARD" show --json "$r"
		done
		"$RUNYARD" models --json
	} 2>&1 | grep -v '"duration":' >"$1"
}

IDS=$($POP "$URL" fixture 2>/dev/null)
id_of() { echo "$IDS" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
FIN=$(id_of finished); LIVE=$(id_of running)

# ---- import ---------------------------------------------------------------
ry import mlflow "$URL"
expect_rc 0 "import from the tracking server"
expect_out_has "4 new" "four runs imported"
expect_err_has "registered model 'bad name!' skipped" "a model name runyard rejects is skipped with a warning"

ry runs --json
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print(($1))"; }
[ "$(j 'sorted((r["name"], r["status"]) for r in d)')" = "[('bert-live', 'running'), ('resnet-a', 'finished'), ('resnet-b', 'failed'), ('resnet-c', 'killed')]" ] \
	&& ok "names and statuses mapped (FINISHED/FAILED/KILLED/RUNNING)" || fail "names and statuses mapped"

ry show --json resnet-a
[ "$(j 'd["params"]["batch size"], d["params"]["opt/name"], d["tags"]["team tag"], d["tags"]["data/split"]')" = "(64, 'sgd', 'a b', 'train/val')" ] \
	&& ok "params and tags keep keys with spaces and slashes" || fail "params and tags keep keys with spaces and slashes"
[ "$(j 'd["tags"]["mlflow.run_id"], d["tags"]["mlflow.tracking_uri"], d["experiment"]')" = "('$FIN', '$URL', 'vision')" ] \
	&& ok "the MLflow run id, tracking URI and experiment are kept" || fail "the MLflow run id, tracking URI and experiment are kept"
[ "$(j 'd["metrics"]["final/score"]["n"], d["metrics"]["loss"]["n"], d["started"], d["ended"]')" = "(1, 3, 1700000000, 1700000010)" ] \
	&& ok "nested metric keys, whole histories, start and end times" || fail "nested metric keys, whole histories, start and end times"
ry metrics resnet-a weird
if echo "$OUT" | grep -q ' nan$' && echo "$OUT" | grep -q ' inf$' && echo "$OUT" | grep -q ' -inf$'; then
	ok "NaN, +inf and -inf are kept"; else fail "NaN, +inf and -inf are kept"; fi
ry models --json
[ "$(j '[(m["name"], m["versions"], m["aliases"], m["description"]) for m in d["models"]]')" = "[('resnet', 2, {'champion': 1}, 'image classifier')]" ] \
	&& ok "registry: model, versions, alias, description" || fail "registry: model, versions, alias, description"

snapshot "$T_TMP/snap1"
cp "$RUNYARD_DB" "$T_TMP/db1"
ry import mlflow "$URL"
expect_out_has "0 new, 0 updated, 4 unchanged" "importing again: nothing new or changed"
snapshot "$T_TMP/snap2"
cmp -s "$T_TMP/snap1" "$T_TMP/snap2" && ok "importing again leaves the workspace as it was" \
	|| { fail "importing again leaves the workspace as it was"; diff "$T_TMP/snap1" "$T_TMP/snap2" | head -20 | sed 's/^/# /'; }

$POP "$URL" more "$LIVE" 2>/dev/null
ry import mlflow "$URL"
expect_out_has "0 new, 1 updated, 3 unchanged" "a run changed at the server: exactly that one updated"
ry show --json bert-live
[ "$(j 'd["status"], d["metrics"]["loss"]["n"], d["metrics"]["loss"]["last"]')" = "('finished', 5, 0.6)" ] \
	&& ok "its new points and status arrived" || fail "its new points and status arrived"

RUNYARD_DB=$T_TMP/only.db ry import mlflow "$URL" --experiment nlp
RUNYARD_DB=$T_TMP/only.db ry runs --json
[ "$(j '[r["name"] for r in d]')" = "['bert-live']" ] && ok "--experiment imports only that experiment" \
	|| fail "--experiment imports only that experiment"

# ---- failures -------------------------------------------------------------
snapshot "$T_TMP/before"
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0
exec 9>"${TMPDIR:-/tmp}/runyard-test-ports.lock"; flock 9; DEAD=$(free_port); flock -u 9
ry import mlflow "http://127.0.0.1:$DEAD"
expect_rc 1 "nothing listening: the import fails"
expect_err_has "http://127.0.0.1:$DEAD" "the error names the URL"
fake e404 status 404
ry import mlflow "$FAKE_URL/prefix"
expect_rc 1 "a server answering 404 fails the import"
expect_err_has "$FAKE_URL/prefix" "the 404 error names the URL with its prefix"
expect_err_has "HTTP 404" "the 404 error names the status"
fake e500 status 500
ry import mlflow "$FAKE_URL"
expect_rc 1 "a server answering 500 fails the import"
expect_err_has "HTTP 500 INTERNAL_ERROR: boom" "the 500 error carries MLflow's error_code and message"
unset MLFLOW_HTTP_REQUEST_MAX_RETRIES
snapshot "$T_TMP/after"
cmp -s "$T_TMP/before" "$T_TMP/after" && ok "failed imports leave the workspace unchanged" || fail "failed imports leave the workspace unchanged"

# ---- credentials ----------------------------------------------------------
fake auth auth
MLFLOW_TRACKING_USERNAME=ada MLFLOW_TRACKING_PASSWORD=pw-S3CRET-basic ry import mlflow "$FAKE_URL"
expect_rc 0 "import with basic auth"
grep -qx "Basic $(printf 'ada:pw-S3CRET-basic' | base64)" "$T_TMP/auth.log" && ok "basic auth header sent" || fail "basic auth header sent"
: >"$T_TMP/auth.log"
MLFLOW_TRACKING_TOKEN=tok-S3CRET-bearer ry import mlflow "$FAKE_URL"
grep -qx "Bearer tok-S3CRET-bearer" "$T_TMP/auth.log" && ok "bearer token header sent" || fail "bearer token header sent"
MLFLOW_TRACKING_USERNAME=ada MLFLOW_TRACKING_PASSWORD=pw-S3CRET-basic MLFLOW_TRACKING_TOKEN=tok-S3CRET-bearer \
	RUNYARD_DB=$T_TMP/cred.db ry import mlflow "http://ada:pw-S3CRET-url@${URL#http://}"
expect_rc 0 "import from the real server with credentials set"
if grep -l -a "S3CRET" "$T_TMP"/cred.db* >/dev/null 2>&1 || echo "$OUT$ERR" | grep -q S3CRET; then
	fail "no credential in the workspace, its WAL or the output"; else ok "no credential in the workspace, its WAL or the output"; fi
RUNYARD_DB=$T_TMP/cred.db ry show --json resnet-a
[ "$(j 'd["tags"]["mlflow.tracking_uri"]')" = "$URL" ] && ok "the tracking URI is kept without its user:password" \
	|| fail "the tracking URI is kept without its user:password"

# ---- TLS: verified, as MLflow's client does it ------------------------------
# A self-signed certificate for 127.0.0.1: refused unless the user names it
# (MLFLOW_TRACKING_SERVER_CERT_PATH) or turns verification off.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$T_TMP/tls.key" -out "$T_TMP/tls.crt" >/dev/null 2>&1 || echo "Bail out! openssl could not make a certificate"
FAKE_TLS_CERT=$T_TMP/tls.crt FAKE_TLS_KEY=$T_TMP/tls.key fake tls auth
TLS_URL=https://${FAKE_URL#http://}
RUNYARD_DB=$T_TMP/tls.db ry import mlflow "$TLS_URL"
expect_rc 1 "a server whose certificate is not trusted is refused"
expect_err_has "$TLS_URL" "the TLS error names the URL"
expect_err_has "certificate" "and says it is about the certificate"
[ ! -s "$T_TMP/tls.log" ] && ok "nothing was sent to the untrusted server" || fail "a request reached the untrusted server"
MLFLOW_TRACKING_TOKEN=tok-tls RUNYARD_DB=$T_TMP/tls.db MLFLOW_TRACKING_SERVER_CERT_PATH=$T_TMP/tls.crt ry import mlflow "$TLS_URL"
expect_rc 0 "MLFLOW_TRACKING_SERVER_CERT_PATH trusts that certificate"
grep -qx "Bearer tok-tls" "$T_TMP/tls.log" && ok "  and the request went through TLS with its token" || fail "no request over TLS"
RUNYARD_DB=$T_TMP/tls.db MLFLOW_TRACKING_INSECURE_TLS=true ry import mlflow "$TLS_URL"
expect_rc 0 "MLFLOW_TRACKING_INSECURE_TLS=true turns verification off"

# ---- retry ------------------------------------------------------------------
fake retry retry "$URL"
RUNYARD_DB=$T_TMP/retry.db ry import mlflow "$FAKE_URL"
expect_rc 0 "a 503 with Retry-After is retried, then the import succeeds"
[ "$(head -1 "$T_TMP/retry.log")" = 503 ] && grep -q '^200$' "$T_TMP/retry.log" && ok "the server saw the 503, then answered" \
	|| fail "the server saw the 503, then answered"
expect_out_has "4 new" "everything arrived through the retrying server"

# ---- push -------------------------------------------------------------------
export RUNYARD_DB=$T_TMP/push.db
echo weights >"$T_TMP/m.pt"
"$MKRUN" "$RUNYARD_DB" -e pushexp -n local-a -s failed -g 0123456789abcdef0123456789abcdef01234567 -b main \
	-p lr=0.3 -p "batch size=8" -m loss=1,0.5,0.25 -m final/acc=0.1,0.2 -a "$T_TMP/m.pt=model.pt" >/dev/null
ry push mlflow "$URL" local-a
expect_rc 0 "push a local run"
ry show --json local-a
SRV_RUN=$(j 'd["tags"]["mlflow.run_id"]')
[ -n "$SRV_RUN" ] && [ "$(j 'd["tags"]["mlflow.tracking_uri"]')" = "$URL" ] && ok "the server's run id is kept on the local run" \
	|| fail "the server's run id is kept on the local run"
D=$($POP "$URL" dump "$SRV_RUN" 2>/dev/null)
echo "$D" >"$T_TMP/out"
[ "$(j 'd["experiment"], d["name"], d["status"], d["params"], d["tags"]["mlflow.source.git.commit"], d["tags"]["mlflow.source.git.branch"], [p[2] for p in d["metrics"]["loss"]], len(d["metrics"]["final/acc"])')" = \
  "('pushexp', 'local-a', 'FAILED', {'batch size': '8', 'lr': '0.3'}, '0123456789abcdef0123456789abcdef01234567', 'main', ['1.0', '0.5', '0.25'], 2)" ] \
	&& ok "params, git tags, histories and status arrived" || { fail "params, git tags, histories and status arrived"; echo "# $D"; }
ry push mlflow "$URL" local-a
expect_rc 0 "push again"
expect_err_has "0 params, 0 tags, 0 metric points sent" "pushing again sends nothing new"
[ "$($POP "$URL" find pushexp local-a 2>/dev/null | wc -l)" -eq 1 ] && ok "no duplicate run on the server" || fail "no duplicate run on the server"
[ "$($POP "$URL" dump "$SRV_RUN" 2>/dev/null)" = "$D" ] && ok "no duplicate points on the server" || fail "no duplicate points on the server"
# a push the server fails partway (after runs/create, at the first
# log-batch, no retries): the next push finds the run it created, never
# makes another
"$MKRUN" "$RUNYARD_DB" -e pushexp -n local-b -p lr=0.1 -m loss=1,0.5 >/dev/null
fake failonce failonce "$URL" log-batch
MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 ry push mlflow "$FAKE_URL" local-b
expect_rc 1 "a push the server fails partway fails"
grep -q '^500 .*log-batch' "$T_TMP/failonce.log" && ok "the server failed its first log-batch" || fail "the server failed its first log-batch"
ry push mlflow "$FAKE_URL" local-b
expect_rc 0 "pushing again succeeds"
[ "$($POP "$URL" find pushexp local-b 2>/dev/null | wc -l)" -eq 1 ] && ok "a push failed partway leaves no duplicate run on the server" ||
	fail "a push failed partway leaves no duplicate run on the server ($($POP "$URL" find pushexp local-b 2>/dev/null | wc -l) runs)"
ry show --json local-b
B_RUN=$(j 'd["tags"]["mlflow.run_id"]')
[ "$($POP "$URL" dump "$B_RUN" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print([p[2] for p in d["metrics"]["loss"]], d["params"])')" = "['1.0', '0.5'] {'lr': '0.1'}" ] &&
	ok "and that run has every point and param, once" || fail "the run after a failed push: $($POP "$URL" dump "$B_RUN" 2>&1 | head -3)"
# the server made the run but its answer to runs/create was lost: the
# next push finds that run by its runyard.uuid tag, never makes another
"$MKRUN" "$RUNYARD_DB" -e pushexp -n local-c -p lr=0.2 -m loss=3,2,1 >/dev/null
fake loseonce loseonce "$URL" runs/create
MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 ry push mlflow "$FAKE_URL" local-c
expect_rc 1 "a push whose runs/create answer was lost fails"
grep -q '^lost 200 .*runs/create' "$T_TMP/loseonce.log" && ok "the server made the run, its answer was lost" ||
	fail "the server made the run, its answer was lost: $(cat "$T_TMP/loseonce.log")"
ry push mlflow "$FAKE_URL" local-c
expect_rc 0 "pushing again succeeds"
[ "$($POP "$URL" find pushexp local-c 2>/dev/null | wc -l)" -eq 1 ] && ok "the run made before is found by its tag, not made again" ||
	fail "the run made before is found by its tag, not made again ($($POP "$URL" find pushexp local-c 2>/dev/null | wc -l) runs)"
ry show --json local-c
C_RUN=$(j 'd["tags"]["mlflow.run_id"]')
[ "$($POP "$URL" dump "$C_RUN" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print([p[2] for p in d["metrics"]["loss"]], d["status"])')" = "['3.0', '2.0', '1.0'] FINISHED" ] &&
	ok "and it has every point once, and its status" || fail "the run after a lost answer: $($POP "$URL" dump "$C_RUN" 2>&1 | head -3)"
ry promote local-a --model clf --artifact model.pt --alias prod
ry push mlflow "$URL" --model clf@prod
expect_rc 0 "push --model NAME@ALIAS"
ry push mlflow "$URL" --model clf@prod
M=$($POP "$URL" model clf 2>/dev/null)
echo "$M" >"$T_TMP/out"
[ "$(j 'd["aliases"], [(v[0], v[1], v[3]) for v in d["versions"]]')" = "({'prod': '1'}, [(1, '$SRV_RUN', 'READY')])" ] \
	&& ok "the version is registered once, from the pushed run, with its alias" || { fail "the version is registered once, from the pushed run, with its alias"; echo "# $M"; }

t_end
