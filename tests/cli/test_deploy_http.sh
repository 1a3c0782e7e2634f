#!/bin/bash
# The http serving target against a real HTTP server started here
# (tests/cli/deploy_server.py) that records every request: the JSON deploy
# request, the bearer token from token_env, the status poll until ready,
# undeploy and logs; 4xx/5xx give errors naming the URL, the status and the
# server's message; the token never lands in the workspace or its WAL.
. "$(dirname "$0")/lib.sh"
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
export RUNYARD_DB=$T_TMP/ws.db
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>&1; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }
sql() { sqlite3 "$RUNYARD_DB" "$1"; }
# the last request the server recorded, as Python expression $1 over r
req() { tail -1 "$T_TMP/requests" | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)" 2>&1; }

TOKEN=tok-$RANDOM$RANDOM-s3cr3t
. "$SRC/tests/helpers/deploy_server.sh"
deploy_server_start "$SRC" "$T_TMP" "$TOKEN" || { echo "Bail out! the deploy server did not start"; exit 1; }
SRV=$DEPLOY_PID
trap 'kill $SRV 2>/dev/null; rm -rf "$T_TMP"' EXIT
B=$DEPLOY_URL
export RUNYARD_CONFIG=$T_TMP/runyard.conf
{ deploy_target_prod; cat <<CONF
[target boom]
kind = http
url = $B/boom/deployments
status_url = $B/boom/deployments/{id}
[target refuse]
kind = http
url = $B/refuse/deployments
status_url = $B/refuse/deployments/{id}
CONF
} > "$RUNYARD_CONFIG"

mkdir -p "$T_TMP/files"
printf 'weights for http' >"$T_TMP/files/m.pt"
"$MKRUN" "$RUNYARD_DB" -e churn -n run-a -m acc=0.8 -a "$T_TMP/files/m.pt=model.pt" >/dev/null || { echo "Bail out! mkrun"; exit 1; }
ry promote run-a --model churn --alias champion
expect_rc 0 "promote churn@champion"
SHA=$(sha256sum "$T_TMP/files/m.pt" | cut -d' ' -f1)

# ---- the token comes from the environment ----------------------------------
unset DEPLOY_TOKEN
ry deploy churn@champion --target prod --yes
expect_rc 1 "token_env unset: the deploy fails"
expect_err_has "token_env = DEPLOY_TOKEN, but \$DEPLOY_TOKEN is not set" "says which variable is missing"
export DEPLOY_TOKEN=wrong
ry deploy churn@champion --target prod --yes
expect_rc 1 "a wrong token: refused"
expect_err_has "POST $B/v1/deployments: HTTP 401: bad or missing token" "the error names the URL, the status and the message"
export DEPLOY_TOKEN=$TOKEN

# ---- deploy ----------------------------------------------------------------
: >"$T_TMP/requests"
ry deploy churn@champion --target prod --yes --json
expect_rc 0 "deploy churn@champion to the http target"
expect_eq "$(json "d['status'], d['endpoint']")" "ready https://serve.example.org/dep-1" \
	"ready after the status poll, with the endpoint the server gave"
ID=$(json "d['id']")
first() { head -1 "$T_TMP/requests" | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)" 2>&1; }
expect_eq "$(first "r['method'], r['path'], r['content_type']")" "POST /v1/deployments application/json" \
	"a JSON POST to url"
expect_eq "$(first "json.loads(r['body']) == {'model': 'churn', 'version': 1, 'alias': 'champion', 'sha256': '$SHA', 'artifact_uri': None, 'artifact_path': 'model.pt', 'size': 16}")" \
	True "the request is {model, version, alias, sha256, artifact_uri, artifact_path, size}"
expect_eq "$(first "r['authorization']")" "Bearer $TOKEN" "the bearer token from \$DEPLOY_TOKEN"
expect_eq "$(req "r['method'], r['path']")" "GET /v1/deployments/dep-1" "status_url polled with the id"

ry deployments --json
expect_eq "$(json "[(x['id'], x['status'], x['kind']) for x in d]")" "[($ID, 'ready', 'http'), (2, 'failed', 'http'), (1, 'failed', 'http')]" \
	"deployments shows it ready (and the two refused ones failed)"
expect_eq "$(req "r['method'], r['path']")" "GET /v1/deployments/dep-1" "deployments asked the server"
ry logs --deployment "$ID"
expect_rc 0 "logs --deployment"
expect_out_has "loaded model for dep-1" "the logs_url's text"
ry undeploy "$ID" --yes
expect_rc 0 "undeploy"
expect_eq "$(req "r['method'], r['path'], r['authorization']")" "DELETE /v1/deployments/dep-1 Bearer $TOKEN" \
	"DELETE to undeploy_url, with the token"
expect_eq "$(sql "SELECT status FROM deployments WHERE id = $ID")" stopped "recorded stopped"
ry model churn --history --json
expect_eq "$(json "[e['kind'] for e in d['history'] if 'deploy' in e['kind']][-3:]")" \
	"['deploy.start', 'deploy.ready', 'undeploy']" "the audit trail has the deploy and the undeploy"

# ---- 4xx / 5xx -------------------------------------------------------------
ry deploy churn@champion --target boom --yes
expect_rc 1 "a 500: the deploy fails"
expect_err_has "POST $B/boom/deployments: HTTP 500: backend exploded" "names the URL, the status and the server's error"
expect_eq "$(sql "SELECT status FROM deployments ORDER BY id DESC LIMIT 1")" failed "recorded failed"
ry deploy churn@champion --target refuse --yes
expect_rc 2 "a 422: bad input"
expect_err_has "POST $B/refuse/deployments: HTTP 422: model too large for this cluster" "with the server's message"

# ---- the token is nowhere in the workspace ----------------------------------
found=$(grep -rlF -- "$TOKEN" "$T_TMP"/ws.db* "$RUNYARD_CONFIG" 2>/dev/null)
expect_eq "$found" "" "the token is not in the workspace file, its WAL or the config"
grep -qF -- "$TOKEN" "$T_TMP/out" "$T_TMP/err" && fail "the token is not printed" || ok "the token is not printed"

t_end
