#!/bin/bash
# The hosts screen (H) against a real sshd (tests/remote/sshd_lib.sh): a
# 2-GPU host, an 8-GPU host with a busy GPU, a CPU host, a refused port and
# a host that accepts TCP but never speaks SSH (so probing visibly takes a
# while).  The UI must answer keys while probing, show every GPU with its
# memory and the busy GPU's user, say why the bad hosts are unreachable, and
# leave the screen at once even mid-probe (the probe thread is cancelled).
. "$(dirname "$0")/lib.sh"
export RUNYARD_SRCDIR=$SRCDIR
. "$SRCDIR/tests/remote/sshd_lib.sh"
command -v python3 >/dev/null 2>&1 || rt_skip "no python3 for the silent host"
rt_setup
SILENT_PID=
trap 'kill $SILENT_PID 2>/dev/null; tmux -S "$SOCK" kill-server 2>/dev/null; rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT

# A host that accepts the connection and then says nothing: the probe
# waits for its banner until the timeout.
SILENT_PORT=$(rt_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SILENT_PORT)); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
" &
SILENT_PID=$!
for i in $(seq 1 100); do
	(exec 3<>/dev/tcp/127.0.0.1/$SILENT_PORT) 2>/dev/null && break
	sleep 0.05
done
DEAD_PORT=$(rt_port)
{ cat <<CONF
Host deadport
	HostName 127.0.0.1
	Port $DEAD_PORT
Host silent
	HostName 127.0.0.1
	Port $SILENT_PORT
CONF
cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"

seed 5 5
# the demo's simulated hosts (a screenful of canned GPUs) would push the real
# sshd hosts this test is about off the screen
sqlite3 "$DB" "DELETE FROM hosts WHERE simulated = 1"
# The code a launch ships: a tiny git repository, the app's working directory.
mkdir -p "$T_TMP/proj" && cd "$T_TMP/proj" && git init -q && echo 'print(1)' > train.py &&
	git add train.py && git -c user.name=t -c user.email=t@t commit -qm init || { echo "Bail out! git"; exit 1; }
tui_start
expect_screen "Experiments" "the main screen opens"

send H
expect_screen "probing" "H opens the hosts screen and probes in the background"
# Keys work while the probe runs: help opens and closes.
send '?'
expect_screen "probe again" "help opens while probing (the UI is not frozen)"
send q
expect_screen "probing" "back on the hosts screen, still probing"

expect_screen "gpu2  ok" "the 2-GPU host is reachable"
expect_screen "unreachable (refused)" "a refused port says why"
expect_screen "2 GPUs, 2 free" "the 2-GPU host counts its free GPUs"
expect_screen "8 GPUs, 7 free" "the 8-GPU host counts its free GPUs"
expect_screen "CPU host" "the CPU host is a CPU host"
expect_screen "61234/81920 MiB" "the busy GPU's memory used/total"
expect_screen "busy: root (1 process)" "the busy GPU names who is on it"
expect_screen "NVIDIA GeForce RTX 3090" "GPU names are shown"
if [ "$(screen | grep -c '/24576 MiB')" -eq 2 ]; then ok "both GPUs of the 2-GPU host have a memory line"; else fail "both GPUs of the 2-GPU host have a memory line"; fi
expect_screen "\$0.50/h + \$1.25/GPU-h" "the price is shown"
expect_screen "unreachable (timeout)" "a silent host times out with the reason"
expect_screen "probed " "the probe finished"

# Probe again, and leave mid-probe: the screen closes at once (cancelled).
send r
expect_screen "probing" "r probes again"
start=$(date +%s%N)
send q
if wait_gone "probing" 5; then
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	ok "leaving mid-probe cancels it without a wait (${ms} ms)"
else
	fail "leaving mid-probe cancels it without a wait"
fi
expect_screen "Experiments" "back on the main screen"

# Launch dialog from the run under the cursor (its command as template).
send L
expect_screen "Launch in experiment" "L opens the launch dialog"
exp=$(screen | sed -n 's/.*Launch in experiment \([^ ]*\).*/\1/p' | head -1)
send Enter C-u; type_text "sleep 60"; send Enter
send j Enter '/'; type_text gpu2; send Enter Enter
send j Enter C-u; type_text 1; send Enter
send j Enter C-u; type_text 2h; send Enter
expect_screen "host        gpu2" "the host is picked from the inventory"
expect_screen "rate           \$1.75/h  (\$0.50/h + 1 x \$1.25/GPU-h)" "the estimate shows the rate before confirming"
"$RUNYARD" launch --db "$DB" --estimate --host gpu2 --gpus 1 --time-limit 2h --experiment "$exp" -- sleep 60 > "$T_TMP/est" 2>&1
same=0
for key in "rate " "expected time" "expected cost" "max cost" "this month"; do
	line=$(grep -F "$key" "$T_TMP/est" | sed 's/ *$//')
	if [ -n "$line" ] && screen | sed 's/ *$//' | grep -qxF -- "$line"; then same=$((same + 1)); else echo "# differs: '$line'"; fi
done
if [ $same -eq 5 ]; then ok "the dialog's estimate equals runyard launch --estimate"; else fail "the dialog's estimate equals runyard launch --estimate"; fi
send j j Enter
expect_screen "launched run" "confirm launches in the background and reports the run"
send g
if wait_for "gpu2  " && screen | grep -q "●.*gpu2 "; then ok "the new run appears in the runs table as running"; else fail "the new run appears in the runs table as running"; fi
newid=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute(\"select id from runs where source='ssh' order by id desc limit 1\").fetchone()[0])" 2>/dev/null)
st() { python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute('select status from runs where id=?', ($newid,)).fetchone()[0])" 2>/dev/null; }
if [ "$(st)" = running ]; then ok "the launched run is recorded as running"; else fail "the launched run is recorded as running ($(st))"; fi

# Cancel it with K and a y/N confirm.
send K
expect_screen "cancel run" "K asks before cancelling"
type_text y; send Enter
expect_screen "cancelled run $newid" "the run is cancelled"
if [ "$(st)" = killed ]; then ok "its status becomes killed"; else fail "its status becomes killed ($(st))"; fi

send Q
expect_screen "RUNYARD-EXITED" "runyard quits"
if [ "$(cat "$T_TMP/exit_status" 2>/dev/null)" = 0 ]; then ok "exit status 0"; else fail "exit status 0"; fi

# ---- A passphrase-protected key, no agent: the TUI asks (masked) --------
# A second session of the app, with a host "lockbox" that logs in only with
# an encrypted ed25519 key, and without the slow hosts.  Every screen seen
# is kept in screens.log, to check the passphrase never reached it.
tmux -S "$SOCK" kill-server 2>/dev/null
unset SSH_AUTH_SOCK
PASS='secret words'
ssh-keygen -q -t ed25519 -N "$PASS" -C rt-locked -f "$HOME/.ssh/id_locked"
cat "$HOME/.ssh/id_locked.pub" >> "$RT/authorized_keys"
{ printf 'Host lockbox\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/id_locked\n' "$RT_PORT2"
  sed '/^Host deadport/,/^Host gpu2/{/^Host gpu2/!d}' "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
printf '[host lockbox]\nprice_per_hour = 0.25\ngpu_price_per_hour = 1\nworkdir = %s/lockbox\n' "$RT_WORK" >> "$RUNYARD_CONFIG"
SHOTS="$T_TMP/screens.log"
: > "$SHOTS"
snap() { screen >> "$SHOTS"; }
# answer [TEXT]: wait for the passphrase prompt, type TEXT, check it is
# masked (one * per character, the text itself nowhere), press Enter.
answer() {
	local stars
	stars=$(printf '%*s' "${#1}" '' | tr ' ' '*')
	wait_for "Passphrase for ~/.ssh/id_locked" || return 1
	type_text "$1"
	wait_for "(Esc skips): $stars" || return 1
	snap
	screen | grep -qF -- "$1" && return 1
	send Enter
	wait_gone "Passphrase for" || return 1
	snap
}

tui_start
expect_screen "Experiments" "a second session opens"
send H
expect_screen "Passphrase for ~/.ssh/id_locked (Esc skips):" "the hosts probe asks for the key's passphrase, naming the key file"
snap
if screen | grep -q "lockbox  ok"; then fail "the probe waits for the answer"; else ok "the probe waits for the answer"; fi
if answer "wrong words"; then ok "a wrong passphrase is typed masked"; else fail "a wrong passphrase is typed masked"; fi
expect_screen "lockbox  unreachable (auth)" "a wrong passphrase: the host shows an auth error"
expect_screen "id_locked (wrong passphrase)" "the error names the key and says the passphrase was wrong"
snap
expect_screen "not by itself" "after asking, the screen stops probing by itself"

send r
if answer "$PASS"; then ok "r asks again; the right passphrase is typed masked"; else fail "r asks again; the right passphrase is typed masked"; fi
expect_screen "lockbox  ok" "with the right passphrase the host is reachable"
expect_screen "gpu2  ok" "the hosts with plain keys are reachable too"
snap

# Launch on lockbox: the launch job asks, then the background sync of the
# running run asks too (each connection needs the key).
send q
expect_screen "Experiments" "back on the runs screen"
send L
expect_screen "Launch in experiment" "L opens the launch dialog"
send Enter C-u; type_text "sleep 60"; send Enter
send j Enter '/'; type_text lockbox; send Enter Enter
send j Enter C-u; type_text 1; send Enter
send j Enter C-u; type_text 2h; send Enter
expect_screen "host        lockbox" "the lockbox host is picked"
send j j Enter
if answer "$PASS"; then ok "the launch asks for the passphrase"; else fail "the launch asks for the passphrase"; fi
expect_screen "launched run" "the launch with the encrypted key succeeds"
snap
newid=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute(\"select id from runs where host='lockbox' order by id desc limit 1\").fetchone()[0])" 2>/dev/null)
if [ "$(st)" = running ]; then ok "the run on lockbox is running"; else fail "the run on lockbox is running ($(st))"; fi
if answer "$PASS"; then ok "the background sync of the running run asks too"; else fail "the background sync of the running run asks too"; fi
send g
if wait_for "lockbox" && screen | grep -q "●.*lockbox"; then ok "the run shows as running on lockbox"; else fail "the run shows as running on lockbox"; fi
send K
expect_screen "cancel run" "K asks before cancelling"
type_text y; send Enter
if answer "$PASS"; then ok "the cancel asks for the passphrase"; else fail "the cancel asks for the passphrase"; fi
expect_screen "cancelled run $newid" "the run on lockbox is cancelled"
if [ "$(st)" = killed ]; then ok "its status becomes killed"; else fail "its status becomes killed ($(st))"; fi

# Esc: the key is skipped, and not asked for again in this session.
send H
expect_screen "Passphrase for ~/.ssh/id_locked" "the hosts screen asks again (nothing was remembered)"
send Escape
expect_screen "id_locked (encrypted, no passphrase given)" "Esc: the host shows the no-passphrase auth error"
snap
# Watch the whole next probe (from "probing" to "probed") for a question.
send r
asked=0 seen=0
deadline=$(( $(date +%s) + T_WAIT ))
while [ "$(date +%s)" -le "$deadline" ]; do
	sc=$(screen)
	case $sc in *"Passphrase for"*) asked=1; break;; esac
	case $sc in *probing*) seen=1;; *"probed "*) [ $seen = 1 ] && break;; esac
	sleep 0.02
done
if [ $asked = 0 ] && [ $seen = 1 ] && screen | grep -q "probed "; then
	ok "after Esc the next probe does not ask again"
else
	fail "after Esc the next probe does not ask again (asked=$asked, saw the probe: $seen)"
fi
expect_screen "lockbox  unreachable (auth)" "the refused key still gives the auth error"
snap

# The passphrases never reached the screen, nor the workspace.
for p in "$PASS" "wrong words"; do
	if [ -s "$SHOTS" ] && ! grep -qF -- "$p" "$SHOTS"; then ok "'$p' never appeared on the screen"; else fail "'$p' never appeared on the screen"; fi
	n=$(cat "$DB" "$DB-wal" 2>/dev/null | grep -c -a -F -- "$p")
	if [ "$n" = 0 ]; then ok "'$p' is not in the workspace db or its WAL"; else fail "'$p' is in the workspace db ($n)"; fi
done
if grep -q '\*\*\*\*\*\*\*\*\*\*\*\*' "$SHOTS"; then ok "the typed passphrase showed as stars"; else fail "the typed passphrase showed as stars"; fi

send Q
expect_screen "RUNYARD-EXITED" "the second session quits"
if [ "$(cat "$T_TMP/exit_status" 2>/dev/null)" = 0 ]; then ok "exit status 0"; else fail "exit status 0"; fi

# A scripted (headless) session has no one to ask: the key is refused and
# nothing waits for an answer; leaving mid-probe is immediate.
printf 'H\npoll\n:save-display %s\n:quit\n' "$T_TMP/headless.txt" > "$T_TMP/script"
start=$(date +%s%N)
RUNYARD_TUI_SCRIPT="$T_TMP/script" timeout 20 "$RUNYARD" --db "$DB" > "$T_TMP/headless.out" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc = 0 ] && [ $ms -lt 5000 ] && grep -q "probing" "$T_TMP/headless.txt" &&
	! grep -q "Passphrase" "$T_TMP/headless.txt" "$T_TMP/headless.out"; then
	ok "a scripted session neither asks nor hangs (${ms} ms)"
else
	fail "a scripted session neither asks nor hangs (rc $rc, ${ms} ms)"
	sed 's/^/#   /' "$T_TMP/headless.txt" "$T_TMP/headless.out" 2>/dev/null
fi
t_end
