#!/bin/bash
# `runyard run` at a real terminal (tmux, an interactive bash with job
# control): the command gets a pseudo-terminal for stdout and stderr (it
# sees a terminal, its window size and size changes; its bytes reach the
# terminal and the log unchanged), pipes when runyard's output is a file,
# and Ctrl-Z stops it with runyard until `fg`.
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$DB"
q() { sqlite3 "$DB" "$1"; }
rundir() { echo "$DB.runs/$(q "select uuid from runs where name = '$1'")"; }
# state PID: the process state letter from /proc (R, S, T, Z, ...)
state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1; }
wait_state() { # PID LETTER
	for _ in $(seq 200); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.05; done
	return 1
}

# An interactive bash in a 100x30 window: job control, a plain prompt.
printf "PS1='ry> '\n" >"$T_TMP/bashrc"
tmux -S "$SOCK" -f /dev/null new-session -d -x 100 -y 30 -e LANG=C.UTF-8 -e TERM=xterm-256color \
	-e HOME="$HOME" -e RUNYARD_DB="$DB" "bash --noprofile --rcfile '$T_TMP/bashrc' -i"
tmux -S "$SOCK" set-option -g status off >/dev/null
run_cmd() { type_text "$1"; send Enter; }
prompt() { screen | grep -v '^$' | tail -1 | grep -qx 'ry>'; }
wait_prompt() { for _ in $(seq 300); do prompt && return 0; sleep 0.05; done; return 1; }
wait_prompt || { echo "Bail out! no shell prompt in tmux"; exit 1; }

# ---- stdout and stderr at the terminal: two pseudo-terminals
cat >"$T_TMP/child.py" <<'EOF'
import os, signal, sys, time
def size():
    s = os.get_terminal_size(1)
    return "%dx%d" % (s.columns, s.lines)
print("TTY1=%s TTY2=%s SIZE=%s" % (os.isatty(1), os.isatty(2), size()), flush=True)
print("\x1b[31mRED\x1b[0m line\r\nCRLF-kept", flush=True)
sys.stderr.write("ERR-LINE\n")
sys.stderr.flush()
got = []
signal.signal(signal.SIGWINCH, lambda *a: got.append(size()))
for _ in range(300):
    if got:
        break
    time.sleep(0.05)
print("RESIZED=%s" % (got[-1] if got else "never"), flush=True)
EOF
WANT=$(tmux -S "$SOCK" display-message -p '#{pane_width}x#{pane_height}')
run_cmd "'$RUNYARD' run -q --name tty -- python3 '$T_TMP/child.py'"
expect_screen "TTY1=True TTY2=True" "stdout and stderr are terminals for the command"
expect_screen "SIZE=$WANT" "the command sees the window size ($WANT)"
tmux -S "$SOCK" resize-window -x 90 -y 20
WANT2=$(tmux -S "$SOCK" display-message -p '#{pane_width}x#{pane_height}')
expect_screen "RESIZED=$WANT2" "a window size change reaches the command ($WANT2)"
expect_screen "ERR-LINE" "stderr reaches the terminal"
wait_prompt
[ "$(q "select status from runs where name = 'tty'")" = finished ] && ok "the tty run finished" \
	|| fail "the tty run finished: $(q "select status from runs where name = 'tty'")"
LOG="$(rundir tty)/log"
if grep -q "TTY1=True TTY2=True SIZE=$WANT" "$LOG" && grep -q "RESIZED=$WANT2" "$LOG"; then
	ok "the log has the command's lines"
else
	fail "the log has the command's lines: $(cat -A "$LOG" | head -5)"
fi
# bytes unchanged: "\n" not turned into "\r\n", the colour and the "\r\n" the command wrote kept
if [ "$(grep -c $'\r' "$LOG")" = 1 ] && grep -q $'\x1b\\[31mRED\x1b\\[0m line\r$' "$LOG"; then
	ok "the log has the bytes as written (no newline translation, escapes kept)"
else
	fail "the log has the bytes as written: $(cat -A "$LOG" | head -5)"
fi
expect_screen "CRLF-kept" "the terminal shows the output"

# ---- output to a file: a pipe for stdout; stderr still at the terminal
run_cmd "clear; '$RUNYARD' run -q --name tofile -- sh -c '[ -t 1 ] && echo out-tty || echo out-pipe; [ -t 2 ] && echo err-tty >&2 || echo err-pipe >&2' >'$T_TMP/out.txt'"
expect_screen "err-tty" "stderr at the terminal stays a terminal"
wait_prompt
for _ in $(seq 100); do [ -s "$T_TMP/out.txt" ] && break; sleep 0.05; done
[ "$(cat "$T_TMP/out.txt")" = out-pipe ] && ok "stdout to a file is a pipe" \
	|| fail "stdout to a file is a pipe: '$(cat "$T_TMP/out.txt")'"
run_cmd "clear; '$RUNYARD' run -q --name errfile -- sh -c '[ -t 1 ] && echo out-tty || echo out-pipe; [ -t 2 ] && echo err-tty >&2 || echo err-pipe >&2' 2>'$T_TMP/err.txt'"
expect_screen "out-tty" "stdout at the terminal is a terminal"
for _ in $(seq 100); do [ -s "$T_TMP/err.txt" ] && break; sleep 0.05; done
[ "$(cat "$T_TMP/err.txt")" = err-pipe ] && ok "stderr to a file is a pipe" \
	|| fail "stderr to a file is a pipe: '$(cat "$T_TMP/err.txt")'"

# ---- Ctrl-Z stops the command with runyard; fg continues both
run_cmd "clear; '$RUNYARD' run -q --name ctrlz -- sh -c 'echo \$\$ >$T_TMP/z.pid; i=0; while [ \$i -lt 30 ]; do echo tick \$i; i=\$((i+1)); sleep 0.1; done'"
expect_screen "tick 3" "the ticking job runs"
CHILD=$(cat "$T_TMP/z.pid")
send C-z
expect_screen "Stopped" "Ctrl-Z stops runyard (the shell says Stopped)"
if wait_state "$CHILD" T; then ok "the command is stopped too (state T)"; else fail "the command is stopped too (state $(state "$CHILD"))"; fi
LOG="$(rundir ctrlz)/log"
N1=$(grep -c tick "$LOG")
sleep 0.5
N2=$(grep -c tick "$LOG")
[ "$N1" = "$N2" ] && ok "nothing is printed while stopped" || fail "nothing is printed while stopped ($N1 then $N2)"
[ "$(q "select status from runs where name = 'ctrlz'")" = running ] && ok "the stopped run stays running" \
	|| fail "the stopped run stays running"
run_cmd "fg"
expect_screen "tick 29" "fg continues the command"
wait_prompt
for _ in $(seq 100); do [ "$(q "select status from runs where name = 'ctrlz'")" = running ] || break; sleep 0.05; done
[ "$(q "select status || ' ' || exit_code from runs where name = 'ctrlz'")" = "finished 0" ] \
	&& ok "the run finishes after fg" || fail "the run finishes after fg: $(q "select status, exit_code from runs where name = 'ctrlz'")"
[ "$(grep -c tick "$LOG")" = 30 ] && ok "every tick is in the log" || fail "every tick is in the log: $(grep -c tick "$LOG")"

t_end
