#!/bin/bash
# The secrets scan (issue 16): use every secret runyard is handed -- params
# named like secrets, a URL with user:password@ in a command's arguments, an
# API key only in the environment, MLflow's MLFLOW_TRACKING_TOKEN,
# MLFLOW_TRACKING_USERNAME/PASSWORD and a tracking URL with credentials
# (against a small server that records the Authorization header), a
# serving target's token_env, and a tracking URL with credentials typed on
# the TUI's : line (its history is kept in the workspace) -- then scan
# every file the workspace owns (the .db, its -wal and -shm, kept while a
# run is live, the run and artifact directories, the logs), runyard's data,
# config and state directories and every output, for each secret raw and
# base64-encoded (alone and as basic auth's user:password): nothing found.
# RUNYARD_SECRETS_PLANT=1 plants one in a run's log: the scan must say so.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not found"; exit 77; }
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
export RUNYARD_DB="$T_TMP/ws/ws.db" RUNYARD_CONFIG="$T_TMP/home/.config/runyard/config"
export XDG_CONFIG_HOME="$T_TMP/home/.config" XDG_STATE_HOME="$T_TMP/home/.local/state" XDG_CACHE_HOME="$T_TMP/home/.cache"
unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD DEPLOY_TOKEN
# what the test itself keeps (servers' logs, scripts) lives apart from what is scanned
TST="$T_TMP/test"
mkdir -p "$TST" "$T_TMP/ws" "$XDG_CONFIG_HOME/runyard"
: >"$RUNYARD_CONFIG"
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$T_TMP"' EXIT

# each secret, and who is its user for basic auth
S_PARAM=pw-SCAN-param-1 S_KEY=key-SCAN-arg-2 S_URL=pw-SCAN-url-3 S_ENV=key-SCAN-env-4
S_TOKEN=tok-SCAN-mlflow-5 S_PASS=pw-SCAN-mlflow-6 S_MLURL=pw-SCAN-mlurl-7 S_DEPLOY=tok-SCAN-deploy-8
S_TUI=pw-SCAN-tui-9 S_QUERY=tok-SCAN-query-10
SECRETS="$S_PARAM $S_KEY $S_URL $S_ENV $S_TOKEN $S_PASS $S_MLURL $S_DEPLOY $S_TUI $S_QUERY"
# needles: each secret raw, base64 alone and as ada:SECRET (basic auth), at
# each of base64's three alignments inside a longer text
python3 - "$TST/needles" ada $SECRETS <<'PY'
import base64, sys
out, user, secrets = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "w") as f:
    for s in secrets:
        f.write(s + "\n")
        for text in (s, user + ":" + s):
            for pad in range(3):
                b = base64.b64encode(b"x" * pad + text.encode())[4 if pad else 0:]
                f.write(b[:len(b) - 4].decode() + "\n")  # the stable middle, without padding
PY

# scan WHAT: no needle in any file under the workspace's folder, runyard's
# home folders, or the outputs so far
scan() {
	local found
	found=$(find "$T_TMP" -path "$TST" -prune -o -type f -print0 | xargs -0 grep -aloF -f "$TST/needles" 2>/dev/null | sed "s|$T_TMP/||" | sort -u | tr '\n' ' ')
	if [ -z "$found" ]; then ok "$1: no secret in the workspace, its home folders or the output"
	else fail "$1: a secret landed in: $found ($(find "$T_TMP" -path "$TST" -prune -o -type f -print0 | xargs -0 grep -ahoF -f "$TST/needles" | sort -u | head -3 | tr '\n' ' '))"; fi
}
out_to() { cp "$T_TMP/out" "$T_TMP/ws/out-$1"; cp "$T_TMP/err" "$T_TMP/ws/err-$1"; }

# ---- a local run: secret params, a URL with user:password@, a key in the environment
cat >"$TST/train.sh" <<'SH'
# the WAL (and -shm) as they are while the run is live
for f in "$RUNYARD_DB-wal" "$RUNYARD_DB-shm"; do [ -e "$f" ] && cp "$f" "$LIVE.${f##*-}"; done
echo "loss=0.5"
[ -n "${PLANT:-}" ] && echo "oops: $PLANT"
echo w >"$RUNYARD_ARTIFACTS/model.pt"
SH
LIVE="$T_TMP/ws/live" WANDB_API_KEY=$S_ENV PLANT=${RUNYARD_SECRETS_PLANT:+$S_KEY} \
	ry run -q -e scan --name local --param "db.password=$S_PARAM" -- sh "$TST/train.sh" \
	--api-key "$S_KEY" --data "https://ada:$S_URL@data.example.com/set?access_token=$S_QUERY&v=2"
expect_rc 0 "a run given secrets"
out_to run
[ -e "$T_TMP/ws/live.wal" ] && ok "the WAL was copied while the run was live" || fail "the WAL was copied while the run was live"
for c in "show local" "show local --json" "runs --json" "logs local" "metrics local --csv"; do
	# shellcheck disable=SC2086
	ry $c
	[ "$RC" -eq 0 ] || fail "$c: status $RC"
	out_to "${c// /_}"
done
ry promote local --model scanned
out_to promote
scan "a local run"

# ---- MLflow: token, username/password, a URL with credentials ---------------
/usr/bin/python3 "$SRC/tests/mlflow/fake_server.py" "$TST/auth.port" "$TST/auth.log" auth &
PIDS="$PIDS $!"
deadline=$(( $(date +%s) + 30 ))
while [ ! -s "$TST/auth.port" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.05; done
ML=127.0.0.1:$(cat "$TST/auth.port")
MLFLOW_TRACKING_TOKEN=$S_TOKEN ry import mlflow "http://$ML"
expect_rc 0 "import with MLFLOW_TRACKING_TOKEN"
out_to ml-token
MLFLOW_TRACKING_USERNAME=ada MLFLOW_TRACKING_PASSWORD=$S_PASS ry import mlflow "http://$ML"
expect_rc 0 "import with MLFLOW_TRACKING_USERNAME/PASSWORD"
out_to ml-pass
ry import mlflow "http://ada:$S_MLURL@$ML/"
expect_rc 0 "import from a URL with user:password@"
out_to ml-url
MLFLOW_TRACKING_URI="http://ada:$S_MLURL@$ML" ry import mlflow
expect_rc 0 "import from MLFLOW_TRACKING_URI with user:password@"
out_to ml-env
grep -q "Bearer $S_TOKEN" "$TST/auth.log" && grep -q "Basic $(printf 'ada:%s' "$S_PASS" | base64)" "$TST/auth.log" &&
	grep -q "Basic $(printf 'ada:%s' "$S_MLURL" | base64)" "$TST/auth.log" &&
	ok "the server got each credential" || fail "the server got each credential: $(cat "$TST/auth.log")"
scan "MLflow imports with credentials"

# ---- a serving target's token -------------------------------------------------
. "$SRC/tests/helpers/deploy_server.sh"
if [ -x "$MKRUN" ] && deploy_server_start "$SRC" "$TST" "$S_DEPLOY"; then
	PIDS="$PIDS $DEPLOY_PID"
	deploy_target_prod >"$RUNYARD_CONFIG"
	DEPLOY_TOKEN=$S_DEPLOY ry deploy scanned@1 --target prod --yes
	expect_rc 0 "a deploy with token_env"
	out_to deploy
	DEPLOY_TOKEN=$S_DEPLOY ry deployments --json
	out_to deployments
	grep -q "$S_DEPLOY" "$TST/requests" && ok "the target got the token" || fail "the target got the token"
	scan "a deploy with a token"
else
	ok "# SKIP no deploy server or mkrun"
fi

# ---- the TUI's : line: a URL with credentials typed there ---------------------
if command -v tmux >/dev/null; then
	S="$TST/tmux.sock"
	tmux -S "$S" -f /dev/null new-session -d -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
		-e HOME="$HOME" -e XDG_DATA_HOME="$XDG_DATA_HOME" -e XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
		-e XDG_STATE_HOME="$XDG_STATE_HOME" -e RUNYARD_CONFIG="$RUNYARD_CONFIG" \
		"'$RUNYARD' --db '$RUNYARD_DB'; echo RUNYARD-EXITED; sleep 600"
	PIDS="$PIDS $(tmux -S "$S" list-panes -F '#{pane_pid}')"
	wait_screen() {
		local deadline=$(( $(date +%s) + 30 ))
		while [ "$(date +%s)" -le "$deadline" ]; do
			tmux -S "$S" capture-pane -p | grep -qF -- "$1" && return 0
			sleep 0.05
		done
		return 1
	}
	wait_screen "runs" && ok "the TUI opens" || fail "the TUI opens"
	tmux -S "$S" send-keys ':'
	tmux -S "$S" send-keys -l -- "import mlflow http://ada:$S_TUI@$ML"
	tmux -S "$S" send-keys Enter
	wait_screen "import" && ok "an import from the : line" || fail "an import from the : line"
	tmux -S "$S" send-keys Q
	wait_screen "RUNYARD-EXITED" && ok "the TUI exits" || fail "the TUI exits"
	tmux -S "$S" kill-server 2>/dev/null
	[ -n "$(sqlite3 "$RUNYARD_DB" "select value from settings where key = 'tui.command_history'" 2>/dev/null)" ] &&
		ok "the : line's history is kept" || ok "# SKIP the : line's history is not in settings"
	scan "a URL typed on the TUI's : line"
else
	ok "# SKIP tmux is not installed"
fi

# the end: every file once more, the workspace closed (the WAL checkpointed)
ls "$RUNYARD_DB".runs >/dev/null 2>&1 && ok "the run folders are there to scan" || fail "the run folders are there to scan"
scan "the workspace at the end"
t_end
