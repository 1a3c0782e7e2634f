#!/bin/sh
# The terminal is restored however runyard leaves: Ctrl-C, Ctrl-\ (SIGQUIT),
# SIGTERM, and a fatal signal (SIGSEGV) all leave the shell in the normal
# screen with echo, canonical input and flow control as they were.
. "$(dirname "$0")/lib.sh"
seed 10 10

# The settings the shell had before runyard, as stty names them.
sane() {
	for flag in icanon echo ixon; do
		grep -qw -- "$flag" "$T_TMP/stty_after" && ! grep -qw -- "-$flag" "$T_TMP/stty_after" || return 1
	done
}

# runyard_pid: the runyard process under the pane's shell.
runyard_pid() {
	local sh_pid
	sh_pid=$(tmux -S "$SOCK" display-message -p '#{pane_pid}')
	pgrep -P "$sh_pid" -x runyard | head -1
}

for how in C-c 'C-\' TERM SEGV; do
	tui_start	# a tmux server of its own per case (lib.sh)
	if ! wait_for "1/10 runs"; then fail "runyard starts ($how)"; continue; fi
	case $how in
	C-*) send "$how" ;;
	*) kill -"$how" "$(runyard_pid)" ;;
	esac
	if wait_for "RUNYARD-EXITED"; then ok "runyard exits on $how"; else fail "runyard exits on $how"; fi
	if sane; then ok "the terminal is sane after $how"; else fail "the terminal is sane after $how: $(cat "$T_TMP/stty_after")"; fi
	status=$(cat "$T_TMP/exit_status" 2>/dev/null)
	case $how in
	SEGV) [ "$status" = 139 ] && ok "a fatal signal still kills with that signal (status $status)" ||
		fail "a fatal signal still kills with that signal (status $status)" ;;
	*) [ "$status" = 0 ] && ok "$how quits cleanly (status $status)" || fail "$how quits cleanly (status $status)" ;;
	esac
	if [ "$(tmux -S "$SOCK" display-message -p '#{alternate_on}')" = 0 ]; then
		ok "the alternate screen was left after $how"
	else
		fail "the alternate screen was left after $how"
	fi
	tmux -S "$SOCK" kill-server 2>/dev/null
	rm -f "$T_TMP/stty_after" "$T_TMP/exit_status"
done
t_end
