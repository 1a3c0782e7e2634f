#!/bin/bash
# An exec serving target: runyard-plugin-dirserve (tests/helpers, Python,
# stdlib only) deploys a registered version by copying the stored artifact
# and starting a real HTTP model server; status, logs and undeploy go through
# the same plugin.  Broken serving plugins (a tracker only, no handle, an
# event that is not a serving one, a hang) give errors that name the plugin,
# record the deployment failed and never hang runyard.
. "$(dirname "$0")/lib.sh"
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
. "$SRC/tests/helpers/plugins.sh"
export RUNYARD_DB=$T_TMP/ws.db XDG_DATA_HOME=$T_TMP/xdg
BIN=$T_TMP/bin
mkdir -p "$BIN"
cp "$SRC/tests/helpers/runyard-plugin-dirserve" "$BIN/"
export PATH=$BIN:$PATH
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>&1; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }
sql() { sqlite3 "$RUNYARD_DB" "$1"; }
HOME_DIR=$T_TMP/served
# the last request dirserve recorded, as Python expression $1 over r
req() { tail -1 "$HOME_DIR/requests.jsonl" | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)" 2>&1; }
# the deploy request
dreq() { grep '"op": "deploy"' "$HOME_DIR/requests.jsonl" | tail -1 | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)" 2>&1; }
server_pids() { cat "$HOME_DIR"/*/pid 2>/dev/null; }
[ -n "${KEEP:-}" ] || trap 'for p in $(server_pids); do kill -- -"$p" 2>/dev/null; done; rm -rf "$T_TMP"' EXIT

write_plugin "$BIN" "$T_TMP" trackeronly 'send({"id": rid, "ok": True})'
write_plugin "$BIN" "$T_TMP" nohandle 'send({"id": rid, "ok": True, "endpoint": "http://x"})' '"serving"'
write_plugin "$BIN" "$T_TMP" runevent 'send({"id": rid, "event": "run_begin", "run_id": "r1"})' '"serving"'
write_plugin "$BIN" "$T_TMP" hang 'time.sleep(600)' '"serving"'
export RUNYARD_CONFIG=$T_TMP/runyard.conf
cat >"$RUNYARD_CONFIG" <<CONF
[target local]
kind = dirserve
dir = $HOME_DIR
flavor = torch
[target notserving]
kind = trackeronly
[target nohandle]
kind = nohandle
[target runevent]
kind = runevent
[target hang]
kind = hang
CONF

mkdir -p "$T_TMP/files"
printf 'weights for exec' >"$T_TMP/files/m.pt"
"$MKRUN" "$RUNYARD_DB" -e churn -n run-a -m acc=0.8 -a "$T_TMP/files/m.pt=model.pt" >/dev/null || { echo "Bail out! mkrun"; exit 1; }
ry promote run-a --model churn --alias champion
expect_rc 0 "promote churn@champion"
SHA=$(sha256sum "$T_TMP/files/m.pt" | cut -d' ' -f1)

ry plugins --json
expect_eq "$(json "[(p['kinds'], p['ok']) for p in d if p['name'] == 'dirserve']")" "[(['serving'], True)]" \
	"plugins lists dirserve as a serving target whose handshake works"

# ---- deploy, status, logs, undeploy --------------------------------------
ry deploy churn@champion --target local --yes --json
expect_rc 0 "deploy churn@champion through the exec plugin"
expect_eq "$(json "d['status'], d['kind'], d['endpoint'].startswith('http://127.0.0.1:')")" "ready dirserve True" \
	"ready, with the endpoint the plugin gave"
ID=$(json "d['id']")
EP=$(json "d['endpoint']")
expect_eq "$(curl -s --max-time 10 "$EP")" "weights for exec" "the model server it started serves the registered bytes"
expect_eq "$(dreq "r['op'], r['target'], r['options'] == {'kind': 'dirserve', 'dir': '$HOME_DIR', 'flavor': 'torch'}")" \
	"deploy local True" "the request carries the target's name and every option of [target local]"
expect_eq "$(dreq "r['model'], r['version'], r['alias'], r['sha256'] == '$SHA', r['artifact_path'], r['size']")" \
	"churn 1 champion True model.pt 16" "and the version: model, number, alias, sha256, path, size"
AF=$(dreq "r['artifact_file']")
expect_eq "$(sha256sum "$AF" | cut -d' ' -f1)" "$SHA" "artifact_file is a readable copy-free path to the registered bytes"
expect_eq "$(sql "SELECT status, handle LIKE 'churn-v1-%' FROM deployments WHERE id = $ID")" "ready|1" \
	"the plugin's handle is recorded"

ry deployments --json
expect_eq "$(json "[(x['id'], x['status']) for x in d]")" "[($ID, 'ready')]" "deployments asks the plugin: ready"
expect_eq "$(req "r['op'], r['handle'].startswith('churn-v1-')")" "status True" "with the handle it gave"
ry logs --deployment "$ID"
expect_rc 0 "logs --deployment"
expect_out_has "loaded model, 16 bytes" "the model server's log, through the plugin"

PID=$(server_pids)
ry undeploy "$ID" --yes
expect_rc 0 "undeploy"
gone=no
for _ in $(seq 1 200); do kill -0 "$PID" 2>/dev/null || { gone=yes; break; }; sleep 0.05; done
expect_eq "$gone" yes "the model server is stopped"
expect_eq "$(sql "SELECT status FROM deployments WHERE id = $ID")" stopped "recorded stopped"
ry model churn --history --json
expect_eq "$(json "[e['kind'] for e in d['history'] if 'deploy' in e['kind']][-3:]")" \
	"['deploy.start', 'deploy.ready', 'undeploy']" "the audit trail has the deploy and the undeploy"

# ---- broken serving plugins ----------------------------------------------
ry deploy churn@champion --target notserving --yes
expect_rc 1 "a tracker-only plugin as a target: refused"
expect_err_has "plugin trackeronly ($BIN/runyard-plugin-trackeronly) is not a serving target (its hello lists no \"serving\")" \
	"says the plugin is not a serving target"
ry deploy churn@champion --target nohandle --yes
expect_rc 1 "a deploy answered without a handle fails"
expect_err_has "plugin nohandle ($BIN/runyard-plugin-nohandle) answered 'deploy' without a \"handle\" string" \
	"names the plugin and what its answer lacked"
expect_eq "$(sql "SELECT status FROM deployments ORDER BY id DESC LIMIT 1")" failed "recorded failed"
ry deploy churn@champion --target runevent --yes
expect_rc 1 "a run event in a deploy fails"
expect_err_has "sent a 'run_begin' event to a serving request" "says which event does not belong"
expect_eq "$(sql "SELECT count(*) FROM runs")" 1 "and no run was created"
export RUNYARD_PLUGIN_TIMEOUT=2
start=$(date +%s)
ry deploy churn@champion --target hang --yes
took=$(( $(date +%s) - start ))
expect_rc 1 "a hanging plugin: the deploy fails"
expect_err_has "plugin hang ($BIN/runyard-plugin-hang) sent nothing for 2 s and was stopped" "after the timeout, naming it"
[ "$took" -lt 30 ] && ok "runyard did not hang (${took}s)" || fail "runyard waited ${took}s"
expect_eq "$(sql "SELECT status FROM deployments ORDER BY id DESC LIMIT 1")" failed "recorded failed"
unset RUNYARD_PLUGIN_TIMEOUT
hp=$(cat "$T_TMP/pid-hang" 2>/dev/null)
[ -n "$hp" ] && ! kill -0 "$hp" 2>/dev/null && ok "the hung plugin was stopped" || fail "the hung plugin was stopped"

t_end
