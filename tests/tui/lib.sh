# Shared by the TUI tests: drive the real binary in a private tmux server
# (one per test), poll the screen until the expected text appears, and
# print the screen when it does not.  Each test sources this, calls
# tui_start, then `send`/`wait_for`/`expect_*`, then t_end.
set -u
RUNYARD=${RUNYARD_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/runyard}
SRCDIR=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 77
fi
T_TMP=$(mktemp -d /tmp/runyard-tui-XXXXXX)
# Each tui_start gets a socket of its own: a server just killed may still be
# shutting down on the old one, and a new session there would die with it.
T_STARTS=0
SOCK="$T_TMP/tmux-0.sock"
T_FAILS=0
T_COUNT=0
# Deadlines are generous: the machine may be loaded by parallel builds.
T_WAIT=${RUNYARD_TUI_WAIT:-15}
export HOME="$T_TMP/home" XDG_DATA_HOME="$T_TMP/home/.local/share" XDG_CONFIG_HOME="$T_TMP/home/.config"
export TZ=UTC LANG=C.UTF-8 RUNYARD_THEMES="$SRCDIR/themes"
unset RUNYARD_DB RUNYARD_CONFIG NO_COLOR
mkdir -p "$HOME"
DB="$T_TMP/ws.db"

# stop_server SOCK: a tmux server and what its panes run, made sure of:
# a runyard that outlives its terminal (a sanitizer's exit-time leak check
# can stall once the pty is gone) must not spin on after the test.  Each
# pane's shell leads a process group that runyard is in.
stop_server() {
	local pids p i
	[ -S "$1" ] || return 0
	pids=$(tmux -S "$1" list-panes -a -F '#{pane_pid}' 2>/dev/null)
	tmux -S "$1" kill-server 2>/dev/null
	for p in $pids; do
		for i in $(seq 1 50); do kill -0 -- -"$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- -"$p" 2>/dev/null
	done
	return 0
}
cleanup() {
	for s in "$T_TMP"/tmux-*.sock; do
		stop_server "$s"
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT

ok()   { T_COUNT=$((T_COUNT + 1)); echo "ok $T_COUNT - $1"; }
fail() {
	T_COUNT=$((T_COUNT + 1)); T_FAILS=$((T_FAILS + 1))
	echo "not ok $T_COUNT - $1"
	echo "# screen:"
	screen | sed 's/^/#   |/'
}

# seed: a small deterministic demo workspace.
seed() {
	"$RUNYARD" demo --db "$DB" --runs "${1:-40}" --steps "${2:-60}" >/dev/null 2>"$T_TMP/seed.err" ||
		{ echo "Bail out! cannot seed the demo workspace: $(cat "$T_TMP/seed.err")"; exit 1; }
}

# tui_start [ARGS...]: start runyard on $DB in a 120x40 window, inside a
# shell that records the terminal state after runyard exits.
tui_start() {
	local args=""
	stop_server "$SOCK"
	T_STARTS=$((T_STARTS + 1))
	SOCK="$T_TMP/tmux-$T_STARTS.sock"
	for a in "$@"; do args="$args '$a'"; done
	# The shell survives Ctrl-C and Ctrl-\ (a trap, not an ignore, so runyard gets
	# the default disposition) to record what runyard left behind.
	cat >"$T_TMP/run.sh" <<EOS
trap 'true' INT QUIT
${T_TERM:+TERM=$T_TERM }"$RUNYARD" --db "$DB" $args
echo "\$?" >"$T_TMP/exit_status"
stty -a >"$T_TMP/stty_after" 2>&1
echo "RUNYARD-EXITED"
sleep 600
EOS
	tmux -S "$SOCK" -f /dev/null new-session -d -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
		-e HOME="$HOME" -e TZ=UTC -e RUNYARD_THEMES="$RUNYARD_THEMES" \
		-e XDG_DATA_HOME="$XDG_DATA_HOME" -e XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
		${RUNYARD_CONFIG:+-e RUNYARD_CONFIG="$RUNYARD_CONFIG"} "sh $T_TMP/run.sh"
	tmux -S "$SOCK" set-option -g remain-on-exit on >/dev/null
}

screen() { tmux -S "$SOCK" capture-pane -p 2>/dev/null; }
send()   { tmux -S "$SOCK" send-keys "$@"; }
# type TEXT: send literal text (no key-name lookup).
type_text() { tmux -S "$SOCK" send-keys -l -- "$1"; }

# wait_for TEXT [SECONDS]: poll every 50 ms until the screen shows TEXT.
wait_for() {
	local deadline=$(( $(date +%s) + ${2:-$T_WAIT} ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	return 1
}

# wait_gone TEXT [SECONDS]: poll until the screen no longer shows TEXT.
wait_gone() {
	local deadline=$(( $(date +%s) + ${2:-$T_WAIT} ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
	done
	return 1
}

# wait_until CMD...: run CMD every 50 ms until it succeeds or the deadline passes.
wait_until() {
	local deadline=$(( $(date +%s) + T_WAIT ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

expect_screen()    { if wait_for "$1"; then ok "$2"; else fail "$2 (screen never showed '$1')"; fi; }
expect_no_screen() { if wait_gone "$1"; then ok "$2"; else fail "$2 (screen still shows '$1')"; fi; }

t_end() {
	echo "1..$T_COUNT"
	[ "$T_FAILS" -eq 0 ]
}
