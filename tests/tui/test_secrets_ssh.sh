#!/bin/bash
# The secrets scan for an ssh key's passphrase (issue 16), against a real
# sshd (tests/remote/sshd_lib.sh): a host whose key is passphrase-protected
# is probed from the hosts screen, the passphrase typed at the askpass
# prompt, and again by `runyard hosts --probe`, a launch and the syncs
# that settle it at a terminal (script(1)); then every file the workspace owns (the .db, its -wal and -shm, the run
# folders), runyard's data, config and state folders and the screen are
# scanned for the passphrase, raw and base64: nothing found
# (RUNYARD_SECRETS_PLANT=1 plants it in the workspace: the scan must fail).
. "$(dirname "$0")/lib.sh"
export RUNYARD_SRCDIR=$SRCDIR
. "$SRCDIR/tests/remote/sshd_lib.sh"
command -v script >/dev/null || rt_skip "no script(1) for the CLI's passphrase prompt"
rt_setup
trap 'stop_server "$SOCK"; rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT
PASS="pp-SCAN-$RANDOM-horse"
ssh-keygen -q -t ed25519 -N "$PASS" -C rt-enc -f "$HOME/.ssh/enc_key"
cat "$HOME/.ssh/enc_key.pub" >>"$RT/authorized_keys"
{ printf 'Host enckey\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/enc_key\n\tIdentitiesOnly yes\n' "$RT_PORT2"
  cat "$HOME/.ssh/config"; } >"$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
NEEDLES="$RT/needles"
python3 - "$PASS" >"$NEEDLES" <<'PY'
import base64, sys
s = sys.argv[1]
print(s)
for pad in range(3):
    b = base64.b64encode(b"x" * pad + s.encode())[4 if pad else 0:]
    print(b[:len(b) - 4].decode())
PY
# scan WHAT: the passphrase is in no file but the test's own (the sshd's folder)
scan() {
	local found
	found=$(find "$T_TMP" -path "$RT" -prune -o -type f -print0 | xargs -0 grep -aloF -f "$NEEDLES" 2>/dev/null | sed "s|$T_TMP/||" | tr '\n' ' ')
	if [ -z "$found" ]; then ok "$1: the passphrase is nowhere"; else fail "$1: the passphrase landed in: $found"; fi
}

seed 3 3
tui_start
expect_screen "Experiments" "the main screen opens"
send H
expect_screen "Passphrase for" "probing the host asks for its key's passphrase"
type_text "$PASS"
send Enter
expect_screen "enckey  ok" "the passphrase opens the host"
tmux -S "$SOCK" capture-pane -p >"$T_TMP/screen"
grep -qF "$PASS" "$T_TMP/screen" && fail "the passphrase is not on the screen" || ok "the passphrase is not on the screen"
send q
send Q
wait_for "RUNYARD-EXITED" && ok "the app exits" || fail "the app exits"
scan "after the TUI's askpass"

# the CLI asks on its terminal
timeout -k 5 60 script -qec "'$RUNYARD' --db '$DB' hosts --probe enckey" /dev/null \
	< <(deadline=$(( $(date +%s) + 30 )); while [ "$(date +%s)" -le "$deadline" ]; do
		grep -q "Passphrase for" "$T_TMP/cli.out" 2>/dev/null && break; sleep 0.05; done; printf '%s\n' "$PASS"; sleep 5) \
	>"$T_TMP/cli.out" 2>&1
grep -q "enckey" "$T_TMP/cli.out" && ! grep -qi "wrong passphrase\|unreachable" "$T_TMP/cli.out" &&
	ok "hosts --probe opens the host with the passphrase" || fail "hosts --probe opens the host with the passphrase: $(tail -c 400 "$T_TMP/cli.out")"
scan "after the CLI's passphrase prompt"

# a launch and a sync through the same key: the passphrase typed at each
# prompt, the job's run folder, log and metrics then in the workspace
printf '[host enckey]\nworkdir = %s\nlease_dir = %s\n' "$RT_WORK/enc" "$RT_WORK/leases" >>"$RUNYARD_CONFIG"
# cli_pass CMD...: CMD at a terminal (script), the passphrase typed when it
# asks; the terminal's input stays open until CMD is done
CLI_N=0
cli_pass() {
	local cmd="'$RUNYARD' --db '$DB'" a fin
	for a in "$@"; do cmd="$cmd '$a'"; done
	CLI_N=$((CLI_N + 1)); fin="$T_TMP/cli.done.$CLI_N"
	: >"$T_TMP/cli.out"
	timeout -k 5 90 script -qec "$cmd" /dev/null \
		< <(typed=; deadline=$(( $(date +%s) + 90 )); while [ "$(date +%s)" -le "$deadline" ] && [ ! -e "$fin" ]; do
			if [ -z "$typed" ] && grep -q "Passphrase for" "$T_TMP/cli.out" 2>/dev/null; then
				printf '%s\n' "$PASS"; typed=1
			fi
			sleep 0.05; done) \
		>"$T_TMP/cli.out" 2>&1
	CLI_RC=$?
	touch "$fin"
}
rt_repo "$T_TMP/repo"
cli_pass launch -e secrets --host enckey --gpus 1 --yes -- sh -c 'echo "loss=0.5"; echo "loss=0.25"'
cd "$T_TMP" || exit 1
grep -q "Passphrase for" "$T_TMP/cli.out" && [ "$CLI_RC" = 0 ] && ok "launch opens the host with the passphrase" ||
	fail "launch opens the host with the passphrase (status $CLI_RC): $(tail -c 400 "$T_TMP/cli.out")"
LID=$(sqlite3 "$DB" "SELECT max(id) FROM runs WHERE host = 'enckey'")
# settled: the run is finished and its points came (a sync per try, each asking)
settled() {
	cli_pass sync
	[ "$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT status FROM runs WHERE id = ${LID:-0}")" = finished ]
}
wait_settled() {
	local deadline=$(( $(date +%s) + 90 ))
	while [ "$(date +%s)" -le "$deadline" ]; do settled && return 0; done
	return 1
}
wait_settled && ok "sync settles the launched run with the passphrase" ||
	fail "sync settles the launched run: $(tail -c 400 "$T_TMP/cli.out")"
# RUNYARD_SECRETS_PLANT=1 proves the scan sees a passphrase that did land
[ -n "${RUNYARD_SECRETS_PLANT:-}" ] && sqlite3 "$DB" "INSERT OR REPLACE INTO settings(key, value) VALUES ('planted', '$PASS')"
scan "after a launch and a sync with the passphrase"
t_end
