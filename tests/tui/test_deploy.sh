#!/bin/sh
# Deploying from the registry screen in a real terminal, to the http
# serving target backed by a real HTTP server (tests/cli/deploy_server.py):
# `d` on a version opens the target picker (name, kind, url), then a
# confirm naming model, version, alias, sha256 and target; Esc at the
# picker and at the confirm deploys nothing (the CLI's `deployments --json`
# and the server's request log both say so).  Confirming deploys in the
# background, the outcome on the message line; `D` shows the deployment
# ready, `L` its log, `U` stops it after a y/N question (n keeps it).  A
# second deployment that fails on the server afterwards turns failed in the
# open pane by itself (the background refresh), with the server's reason.
. "$(dirname "$0")/lib.sh"

MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
[ -x "$MKRUN" ] || { echo "Bail out! $MKRUN is not built (make check builds it)"; exit 1; }
ryc() { "$RUNYARD" "$@" --db "$DB"; }
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>&1; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }
posts() { grep -c '"method": "POST", "path": "/v1/deployments"' "$T_TMP/requests" 2>/dev/null; }
# until_json EXPR VALUE: poll `deployments --json --all` until EXPR over d is VALUE
until_json() {
	deadline=$(( $(date +%s) + T_WAIT ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		ryc deployments --json --all >"$T_TMP/out" 2>"$T_TMP/err"
		[ "$(json "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

TOKEN=tok-$$-s3cr3t
. "$SRCDIR/tests/helpers/deploy_server.sh"
deploy_server_start "$SRCDIR" "$T_TMP" "$TOKEN" || { echo "Bail out! the deploy server did not start"; exit 1; }
SRV=$DEPLOY_PID
trap 'kill $SRV 2>/dev/null; cleanup' EXIT
B=$DEPLOY_URL
export RUNYARD_CONFIG="$T_TMP/runyard.conf" DEPLOY_TOKEN="$TOKEN"
{ deploy_target_prod; cat <<CONF
[target spare]
kind = http
url = $B/refuse/deployments
CONF
} >"$RUNYARD_CONFIG"

mkdir -p "$T_TMP/files"
printf 'weights for the tui' >"$T_TMP/files/m.pt"
"$MKRUN" "$DB" -e churn -n run-a -m acc=0.8 -a "$T_TMP/files/m.pt=model.pt" >/dev/null ||
	{ echo "Bail out! mkrun failed"; exit 1; }
ryc promote run-a --model churn --alias champion >/dev/null 2>&1 || { echo "Bail out! promote failed"; exit 1; }
SHA=$(sha256sum "$T_TMP/files/m.pt" | cut -c1-12)

tui_start
expect_screen "run-a" "the main screen opens"
send R
expect_screen "@champion=v1" "R opens the registry"
send Enter
expect_screen "Model churn" "Enter opens the model"
expect_screen "d deploy" "the model page's hint names the deploy key"

# ---- Esc at the picker, Esc at the confirm: nothing is deployed
send d
expect_screen "Deploy churn@champion: to which target?" "d opens the target picker for the version's alias"
expect_screen "prod                     http         $B/v1/deployments" "the picker lists name, kind and url"
expect_screen "spare" "every configured target is listed"
send Escape
expect_screen "not deployed" "Esc at the picker cancels"
expect_screen "Model churn" "back on the model page"
send d
expect_screen "to which target?" "d again"
send Enter
expect_screen "Deploy this version?" "Enter on a target opens the confirm"
expect_screen "Model     churn" "the confirm names the model"
expect_screen "Version   v1" "the version"
expect_screen "Alias     @champion" "the alias"
expect_screen "sha256    $SHA" "the sha256's start"
expect_screen "Target    prod (http on $B/v1/deployments)" "and the target, its kind and url"
send Escape
expect_screen "not deployed" "Esc at the confirm cancels"
ryc deployments --json --all >"$T_TMP/out" 2>"$T_TMP/err"
expect_eq "$(json "d")" "[]" "after both Escs, deployments --json --all is empty"
expect_eq "$(posts)" 0 "and the server got no deploy request"

# ---- deploy through the picker and the confirm
send d
expect_screen "to which target?" "d a third time"
send Enter
expect_screen "Deploy this version?" "the confirm"
send Enter
expect_screen "deployment 1: churn v1 @champion to prod is ready" \
	"Enter deploys in the background; the outcome shows on the message line"
ryc deployments --json --all >"$T_TMP/out" 2>"$T_TMP/err"
expect_eq "$(json "[(x['id'], x['model'], x['version'], x['alias'], x['target'], x['status']) for x in d]")" \
	"[(1, 'churn', 1, 'champion', 'prod', 'ready')]" "the CLI sees the deployment ready"
expect_eq "$(posts)" 1 "one deploy request reached the server"

# ---- the deployments pane
send D
expect_screen "MODEL@VERSION (ALIAS)" "D opens the deployments pane"
expect_screen "churn@v1 (@champion)" "it lists the deployment's model, version and alias"
expect_screen "prod         ready    https://serve.example.org/dep-1" "with its target, status ready and endpoint"
expect_screen "status asked" "the pane asked the targets in the background"
send L
expect_screen "Log of deployment 1" "L fetches the log in the background and shows it"
expect_screen "loaded model for dep-1" "the server's log text"
send q
expect_screen "MODEL@VERSION (ALIAS)" "q goes back to the pane"
send U
expect_screen "stop deployment 1 (churn v1 on prod, ready)? (y/N)" "U asks before stopping"
type_text n
send Enter
expect_screen "not undeployed" "n keeps it"
ryc deployments --json --all >"$T_TMP/out" 2>"$T_TMP/err"
expect_eq "$(json "[x['status'] for x in d]")" "['ready']" "still ready after n"
send U
expect_screen "(y/N)" "U again"
type_text y
send Enter
expect_screen "deployment 1 stopped" "y stops it, in the background"
expect_screen "prod         stopped" "the pane shows it stopped"
if until_json "[x['status'] for x in d]" "['stopped']"; then ok "the CLI sees it stopped"
else fail "the CLI does not see it stopped: $(cat "$T_TMP/out")"; fi
grep -q '"method": "DELETE", "path": "/v1/deployments/dep-1"' "$T_TMP/requests" &&
	ok "the server got the DELETE" || fail "the server never got the DELETE"

# ---- live status: a deployment that fails on the server turns failed in the pane
send q
expect_screen "Model churn" "q back to the model page"
send d
expect_screen "to which target?" "d"
send Enter
expect_screen "Deploy this version?" "the confirm"
send Enter
expect_screen "deployment 2: churn v1 @champion to prod is ready" "the second deployment is ready"
send D
expect_screen "dep-2" "the pane lists it"
python3 -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('$B/admin/fail/dep-2', method='POST'))" ||
	fail "cannot tell the server to fail dep-2"
expect_screen "prod         failed" "the background refresh turns it failed without a key" 
expect_screen "#2: the model server crashed" "with the server's reason"
if until_json "[x['status'] for x in d]" "['failed', 'stopped']"; then ok "recorded failed in the workspace"
else fail "not recorded failed: $(cat "$T_TMP/out")"; fi

# ---- :messages keeps what the deploy said
type_text ":messages"
send Enter
expect_screen "Deploy messages" ":messages shows the deployments' messages"
expect_screen "deployment 2: churn v1 @champion to prod is ready" "with the last request's outcome"
send q
send q
send q
send q
send q
wait_for "RUNYARD-EXITED" && ok "runyard exits" || fail "runyard did not exit"
t_end
