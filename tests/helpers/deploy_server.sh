# Sourced by the http serving target's tests (CLI and TUI; POSIX sh): start
# tests/cli/deploy_server.py and describe the target that talks to it.
#   deploy_server_start SRCDIR DIR TOKEN   start it (its port file and
#                                   request log in DIR); sets DEPLOY_PID and
#                                   DEPLOY_URL; waits for it with a deadline
#   deploy_target_prod              print the [target prod] section for it
# The caller kills $DEPLOY_PID in its EXIT trap.
DEPLOY_PID= DEPLOY_URL=
deploy_server_start() {
	local src=$1 dir=$2 token=$3 deadline
	: >"$dir/requests"
	python3 "$src/tests/cli/deploy_server.py" "$dir/port" "$dir/requests" "$token" &
	DEPLOY_PID=$!
	deadline=$(( $(date +%s) + ${T_WAIT:-30} ))
	while [ ! -s "$dir/port" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.05; done
	[ -s "$dir/port" ] || return 1
	DEPLOY_URL=http://127.0.0.1:$(cat "$dir/port")
}
deploy_target_prod() {
	cat <<CONF
[target prod]
kind = http
url = $DEPLOY_URL/v1/deployments
status_url = $DEPLOY_URL/v1/deployments/{id}
undeploy_url = $DEPLOY_URL/v1/deployments/{id}
logs_url = $DEPLOY_URL/v1/deployments/{id}/logs
token_env = DEPLOY_TOKEN
timeout = 10
CONF
}
