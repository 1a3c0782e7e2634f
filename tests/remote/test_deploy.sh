#!/bin/bash
# The ssh serving target against a real sshd on loopback, with a real HTTP
# model server (tests/remote/model_server.py) as the serve command: deploy a
# promoted version, the endpoint answers /predict from the model's bytes,
# deployments shows it ready, logs shows the server's log, undeploy stops it
# (port closed, process group gone), the audit trail and the model card show
# it all; a serve command that exits at once is recorded failed with its log
# tail; an artifact whose bytes changed is refused.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
export RUNYARD_DB=$T_TMP/ws.db
MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>&1; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }
# get URL: the body, or nothing when it does not answer
get() { python3 -c 'import sys, urllib.request as u
try: sys.stdout.write(u.urlopen(sys.argv[1], timeout=3).read().decode())
except Exception: pass' "$1"; }
# wait_closed PORT: until nothing listens there (5 s)
wait_closed() {
	local i
	for i in $(seq 1 50); do
		(exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# the model server lives where the host's user can read it
cp "$RUNYARD_SRCDIR/tests/remote/model_server.py" "$RT/model_server.py"
chmod a+rx "$RT/model_server.py"
PORT=$(rt_port)
DEP=$RT_WORK/deploy
cat >> "$RUNYARD_CONFIG" <<CONF
[target staging]
kind = ssh
host = cpubox
dir = $DEP
serve = python3 $RT/model_server.py --model {model_path} --port {port}
port = $PORT
health = http://127.0.0.1:{port}/health
timeout = 20
[target broken]
kind = ssh
host = cpubox
dir = $DEP
serve = python3 $RT/model_server.py --model {model_path} --port {port} --exit-at-once
port = $PORT
health = http://127.0.0.1:{port}/health
timeout = 20
CONF

W=$T_TMP/files
mkdir -p "$W"
printf 'weights-v1: the first model' >"$W/a.pt"
printf 'weights-v2: the second one' >"$W/b.pt"
"$MKRUN" "$RUNYARD_DB" -e churn -n run-a -m acc=0.8 -a "$W/a.pt=model.pt" >/dev/null || { echo "Bail out! mkrun"; exit 1; }
"$MKRUN" "$RUNYARD_DB" -e churn -n run-b -m acc=0.9 -a "$W/b.pt=model.pt" >/dev/null || { echo "Bail out! mkrun"; exit 1; }
ry promote run-a --model churn --alias champion
expect_rc 0 "promote run-a as churn@champion"
ry promote run-b --model churn
expect_rc 0 "promote run-b as churn v2"
SHA1=$(sha256sum "$W/a.pt" | cut -d' ' -f1)

# ---- confirmation -----------------------------------------------------------
ry deploy churn@champion --target staging </dev/null
expect_rc 2 "deploy without --yes and no terminal: refused"
expect_err_has "deploying needs confirmation; add --yes" "says to add --yes"
expect_eq "$(sql 'SELECT count(*) FROM deployments')" 0 "nothing recorded"
ry deploy churn@champion --target nowhere --yes
expect_rc 1 "an unknown target fails"
expect_err_has "no target 'nowhere'; configured targets: staging, broken" "names the targets configured"

# ---- deploy -----------------------------------------------------------------
ry deploy churn@champion --target staging --yes --json
expect_rc 0 "deploy churn@champion to staging"
expect_eq "$(json "d['status'], d['version'], d['alias'], d['endpoint']")" \
	"ready 1 champion http://127.0.0.1:$PORT" "ready, v1 via @champion, endpoint recorded"
ID=$(json "d['id']")
ANSWER=$(get "http://127.0.0.1:$PORT/predict")
expect_eq "$(echo "$ANSWER" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["sha256"], d["first"])' 2>&1)" \
	"$SHA1 weights-v1: the first model" "/predict answers from the deployed model file's bytes"
DDIR=$(ls -d "$DEP"/churn-v1-* 2>/dev/null | head -1)
[ -n "$DDIR" ] && [ "$(stat -c %U "$DDIR/model.pt")" = "$RT_USER" ] && ok "the artifact was copied as the host's user" \
	|| fail "the artifact was copied as the host's user"
ls "$DDIR" | grep -q '\.tmp$' && fail "no temporary upload left behind" || ok "no temporary upload left behind"
PGID=$(cat "$DDIR/pid")
[ "$(ps -o pgid= -p "$PGID" | tr -d ' ')" = "$PGID" ] && ok "the server leads its own process group" \
	|| fail "the server leads its own process group"

ry deployments --json
expect_rc 0 "deployments --json"
expect_eq "$(json "[(x['id'], x['status'], x['target']) for x in d]")" "[($ID, 'ready', 'staging')]" \
	"deployments shows it ready, status refreshed live"
ry deployments
expect_out_has "churn v1 @champion" "the table names the model, version and alias"

ry logs --deployment "$ID"
expect_rc 0 "logs --deployment"
expect_out_has "model_server: serving" "the server's own log"
expect_out_has '"GET /predict HTTP/1.1" 200' "with the request just made"
ry logs --deployment "$ID" --follow
expect_rc 2 "logs --deployment --follow: bad usage"

# ---- the process dies by itself: status refresh records failed ---------------
# (checked later on the second deployment; first, undeploy)
ry undeploy "$ID" </dev/null
expect_rc 2 "undeploy without --yes and no terminal: refused"
ry undeploy "$ID" --yes
expect_rc 0 "undeploy"
wait_closed "$PORT" && ok "the port no longer answers" || fail "the port no longer answers"
# (a zombie left where nothing reaps orphans is gone too)
[ -z "$(ps -eo pgid=,stat= | awk -v g="$PGID" '$1 == g && $2 !~ /^Z/')" ] && ok "the process group is gone" \
	|| fail "the process group is gone"
ry deployments --json
expect_eq "$(json "len(d)")" 0 "a stopped deployment leaves the live list"
ry deployments --all --json
expect_eq "$(json "d[0]['status']")" stopped "--all shows it stopped"
ry undeploy "$ID" --yes
expect_rc 2 "undeploy of a stopped deployment: bad input"

# ---- audit trail and model card ---------------------------------------------
ry model churn --history --json
expect_eq "$(json "[e['kind'] for e in d['history'] if e['kind'].startswith(('deploy', 'undeploy'))]")" \
	"['deploy.start', 'deploy.ready', 'undeploy']" "the audit trail has deploy.start, deploy.ready, undeploy"
ry model churn --history
expect_out_has "deployment $ID on staging at http://127.0.0.1:$PORT" "the history names deployment, target, endpoint"
ry model churn@champion --card
expect_out_has "## Deployments" "the model card has a Deployments section"
expect_out_has "| $ID | staging | stopped | http://127.0.0.1:$PORT |" "with the deployment, its target, state and endpoint"

# ---- a serve command that exits at once -------------------------------------
ry deploy churn@2 --target broken --yes
expect_rc 1 "deploy with a serve command that exits at once fails"
expect_err_has "the serve command exited before it became healthy" "says the command exited"
expect_err_has "refusing to start: --exit-at-once" "with the tail of its log"
FID=$(sql "SELECT max(id) FROM deployments")
expect_eq "$(sql "SELECT status FROM deployments WHERE id = $FID")" failed "recorded failed"
sql "SELECT detail FROM deployments WHERE id = $FID" | grep -qF "refusing to start" && ok "the detail keeps the log tail" \
	|| fail "the detail keeps the log tail"
ry logs --deployment "$FID"
expect_out_has "refusing to start" "its log is still readable"
ry model churn --history --json
expect_eq "$(json "[e['kind'] for e in d['history']][-1]")" deploy.failed "deploy.failed in the audit trail"

# ---- a server that dies later: deployments records it ------------------------
ry deploy churn@2 --target staging --yes --json
expect_rc 0 "deploy v2"
ID2=$(json "d['id']")
DDIR2=$(ls -d "$DEP"/churn-v2-* | while read -r d; do [ -e "$d/stopped" ] || echo "$d"; done | tail -1)
P2=$(cat "$DDIR2/pid")
kill -KILL -"$P2"
wait_closed "$PORT"
ry deployments --all --json
expect_eq "$(json "[x['status'] for x in d if x['id'] == $ID2]")" "['failed']" "a server that died is refreshed to failed"

# ---- changed bytes are refused ----------------------------------------------
OBJ="$RUNYARD_DB.artifacts/${SHA1:0:2}/$SHA1"
chmod u+w "$OBJ" 2>/dev/null
printf 'tampered' >"$OBJ"
N=$(sql 'SELECT count(*) FROM deployments')
ry deploy churn@champion --target staging --yes
expect_rc 1 "deploy of an artifact whose bytes changed fails"
expect_err_has "is corrupt: its bytes hash to" "the refusal says the bytes do not match the sha256"
expect_eq "$(sql 'SELECT count(*) FROM deployments')" "$N" "nothing recorded, nothing sent"

t_end
