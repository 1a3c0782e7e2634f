#!/bin/sh
# Ctrl-S and Ctrl-Q are keys, not flow control: while runyard runs the
# terminal has IXON off (a Ctrl-S would otherwise freeze every redraw until
# Ctrl-Q), and the shell gets its own settings back on the way out and
# while runyard is suspended with Ctrl-Z; `fg` brings the app's back.
. "$(dirname "$0")/lib.sh"
seed 10 10

tty_flags() { stty -F "$(tmux -S "$SOCK" display-message -p '#{pane_tty}')" -a 2>&1; }
# wait_normal_screen: poll until the pane has left the alternate screen.
wait_normal_screen() {
	deadline=$(( $(date +%s) + T_WAIT ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(tmux -S "$SOCK" display-message -p '#{alternate_on}')" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}
# has_flag FLAG: the pane's terminal has FLAG on (stty's "-FLAG" is off).
has_flag() { tty_flags | tr ' ' '\n' | grep -qx -- "$1"; }

tui_start
expect_screen "1/10 runs" "the main screen opens"
has_flag -ixon && ok "flow control is off while runyard runs" ||
	fail "flow control is off while runyard runs: $(tty_flags | grep -o -- '-*ixon')"
has_flag isig && ok "Ctrl-C and Ctrl-Z stay signals (isig)" || fail "Ctrl-C and Ctrl-Z stay signals (isig)"
send C-s
send '?'
expect_screen "Keys of the runs screen" "after Ctrl-S the next key still changes the screen"
send q
expect_no_screen "Keys of the runs screen" "q closes help"
send C-q
send '?'
expect_screen "Keys of the runs screen" "Ctrl-Q is an ordinary (unbound) key"
send q Q
expect_screen "RUNYARD-EXITED" "Q quits"
grep -qw -- "-ixon" "$T_TMP/stty_after" && fail "flow control is back on after quitting" ||
	ok "flow control is back on after quitting"
tmux -S "$SOCK" kill-server 2>/dev/null

# Ctrl-Z needs a shell with job control: an interactive bash in the pane.
SOCK="$T_TMP/tmux-suspend.sock"
tmux -S "$SOCK" -f /dev/null new-session -d -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
	-e HOME="$HOME" -e TZ=UTC -e RUNYARD_THEMES="$RUNYARD_THEMES" -e PS1='$ ' \
	-e XDG_DATA_HOME="$XDG_DATA_HOME" -e XDG_CONFIG_HOME="$XDG_CONFIG_HOME" "bash --norc --noprofile -i"
# (the typed command shows "READY-$((6*7))", only its output "READY-42")
type_text 'echo READY-$((6*7))'
send Enter
expect_screen "READY-42" "an interactive shell starts"
type_text "'$RUNYARD' --db '$DB'"
send Enter
expect_screen "1/10 runs" "runyard starts from the shell"
send C-z
expect_screen "Stopped" "Ctrl-Z suspends runyard"
wait_normal_screen && ok "suspended: the normal screen is back" || fail "suspended: the normal screen is back"
has_flag ixon && ok "the shell has flow control back while runyard is suspended" ||
	fail "the shell has flow control back while runyard is suspended"
type_text "fg"
send Enter
expect_screen "1/10 runs" "fg resumes runyard"
has_flag -ixon && ok "after fg flow control is off again" || fail "after fg flow control is off again"
send C-s
send '?'
expect_screen "Keys of the runs screen" "after fg, Ctrl-S is still an ordinary key"
send q Q
wait_normal_screen && ok "runyard quits after a suspend" || fail "runyard quits after a suspend"
# stty as a command sees the settings the shell's commands get (readline
# has its own while it reads a line, so not from outside)
type_text "echo EXIT-\$?; stty -a >'$T_TMP/stty_after'; echo DONE-\$((6*7))"
send Enter
expect_screen "EXIT-0" "the exit status after a suspend is 0"
expect_screen "DONE-42" "stty ran in the shell"
for flag in ixon icanon echo; do
	tr ' ' '\n' <"$T_TMP/stty_after" | grep -qx -- "$flag" && ok "$flag is on in the shell after quitting" ||
		fail "$flag is on in the shell after quitting: $(cat "$T_TMP/stty_after")"
done
t_end
