#!/bin/bash
# Hostile input on every screen (issue 16), in the real binary at a real
# terminal (tmux): a workspace whose run names, experiment, params, tags,
# notes, log lines (one of them 10 MB), metric keys, model version notes,
# ssh_config host names and a plugin's error and stderr hold the corpus of
# tests/helpers/hostile.sh.  On each screen -- runs table, detail with its
# log (wrapped, raw), the run's charts, compare, the metric and column
# pickers, the registry and a model's versions and history, hosts,
# :messages, help, the : line, the filter's error, the promote and launch
# dialogs, the deploy picker and confirm and the deployments pane (with a
# remote job, a queued run and a deployment planted with the corpus) -- nothing the corpus holds reaches the terminal: the pane holds
# no control, C1 or bidi character and none of the corpus's colour (capture-pane -e), the title
# (OSC 0) and the clipboard (OSC 52) are untouched, the table's columns stay
# aligned and each screen keeps its frame; the app answers promptly with
# the 10 MB line on screen, and leaves the terminal as it found it.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not found"; exit 77; }
. "$SRCDIR/tests/helpers/hostile.sh"
. "$SRCDIR/tests/helpers/plugins.sh"
BIN="$T_TMP/bin"
mkdir -p "$BIN" "$HOME/.ssh"
export PATH="$BIN:$PATH" RUNYARD_PLUGIN_TIMEOUT=20

# ---- the workspace ---------------------------------------------------------
cat >"$T_TMP/train.sh" <<'SH'
printf 'loss=0.5\n%s\n' "$HXLINE"
printf 'nul\000in\000the\000log\n'
python3 - "$HXLINE" <<'PY'
import os, sys
hx = os.fsencode(sys.argv[1])
sys.stdout.buffer.write(hx + b"y" * (10 << 20) + hx + b"\n")
PY
printf 'loss=0.25\n'
printf 'weights' >"$RUNYARD_ARTIFACTS/model.pt"
SH
rycli() { timeout -k 5 120 "$RUNYARD" --db "$DB" "$@" >>"$T_TMP/seed.log" 2>&1; }
rycli run -q -e "$(hx exp)" --name "$(hx run)" --tag "$(hx tk)=$(hx tv)" --param "$(hx pk)=$(hx pv)" \
	-- env "HXLINE=$HX" sh "$T_TMP/train.sh" "--$(hx arg)" "$(hx argv)" ||
	{ echo "Bail out! cannot record the hostile run: $(tail -c 300 "$T_TMP/seed.log")"; exit 1; }
rycli run -q -e "$(hx exp)" --name "plain-b" --param "$(hx pk)=1" -- sh -c 'echo loss=0.75; echo loss=0.5'
printf '%s\n%s\n' "$(hx note)" "$(hx note2)" | rycli note 1 -
rycli promote 1 --model hmodel --note "$(hx vnote)"
rycli model hmodel --describe "$(hx desc)"
HXJ=$(python3 -c 'import json,os,sys; print(json.dumps(os.fsencode(sys.argv[1]).decode("utf-8","replace")))' "$HX")
HXK=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "k<$HX_BIDI>k")
write_plugin "$BIN" "$T_TMP" hostile "hx = $HXJ
send({'id': rid, 'event': 'run_begin', 'run_id': 'p1', 'experiment': 'pexp ' + hx, 'name': 'prun ' + hx, 'started': 1700000000})
send({'id': rid, 'event': 'metric', 'key': 'pm ' + $HXK, 'points': [[0, None, 1.0], [1, None, 0.5]]})
send({'id': rid, 'event': 'run_end', 'status': 'finished', 'ended': 1700000001})
send({'id': rid, 'ok': True})"
write_plugin "$BIN" "$T_TMP" hostilerr "hx = $HXJ
sys.stderr.write('stderr ' + hx + '\n'); sys.stderr.flush()
send({'id': rid, 'error': {'code': 'EINVAL', 'message': 'error ' + hx}})"
rycli import hostile src
printf 'Host %s\n  HostName %s\n  User %s\n  Port 2\n' "$(hx host)" "$(hx hostname)" "$(hx user)" >"$HOME/.ssh/config"
# a job on a remote host, a queued sweep run and a failed deployment, their
# text from outside; and a serving target whose url holds the corpus (the
# config file is a door too)
hx_plant_remote "$DB" || { echo "Bail out! cannot plant the remote rows"; exit 1; }
export RUNYARD_CONFIG="$T_TMP/runyard.conf"
printf '[target hxt]\nkind = http\nurl = http://127.0.0.1:9/%s\n' "$(hx turl)" >"$RUNYARD_CONFIG"

# ---- checks on each screen -------------------------------------------------
# pane_clean WHAT: what the terminal shows holds no trace of the corpus
# acting on it -- no control, C1 or bidi character in its cells, none of the
# corpus's colour, the title and the clipboard untouched
pane_clean() {
	local why=""
	tmux -S "$SOCK" capture-pane -p -e >"$T_TMP/pane" 2>/dev/null
	if ! r=$(hx_clean "$T_TMP/pane" --sgr-ok); then why="$why cells: $r;"; fi
	grep -qP '\x1b\[[0-9;]*38;5;201' "$T_TMP/pane" && why="$why the corpus's colour;"
	tmux -S "$SOCK" display-message -p '#{pane_title}' | grep -q HXTITLE && why="$why the title changed;"
	[ -n "$(tmux -S "$SOCK" list-buffers 2>/dev/null)" ] && why="$why the clipboard was written;"
	if [ -z "$why" ]; then ok "$1: nothing reached the terminal"; else fail "$1:$why"; fi
}
# framed WHAT TEXT: the screen still shows TEXT on its first or last line
# (a clear screen or cursor move would have torn the frame)
framed() {
	if screen | sed -n '1p;$p' | grep -qF -- "$2"; then ok "$1: the frame holds"; else fail "$1: the frame holds ('$2' not on the first or last line)"; fi
}
# aligned WHAT WORD: every line showing WORD shows it at the same column
aligned() {
	local cols
	cols=$(screen | python3 -c '
import sys
w = sys.argv[1]
print(" ".join(sorted({str(len(l[:l.index(w)])) for l in sys.stdin.read().split("\n") if w in l})))' "$2")
	case $cols in
	*" "*|"") fail "$1: the columns stay aligned ('$2' at columns '$cols')" ;;
	*) ok "$1: the columns stay aligned" ;;
	esac
}
# prompt WHAT: the app still answers a key within the deadline
command() { send ':'; type_text "$1"; send Enter; }

tui_start
tmux -S "$SOCK" set-option -g set-clipboard on >/dev/null
expect_screen "/5 runs" "the runs table opens"
expect_screen "hx-run<^[[2J^[[H" "a hostile name is shown as visible text"
pane_clean "runs table"
aligned "runs table" " ago "

send C
expect_screen "olumns" "the column picker opens"
pane_clean "column picker"
send Escape
expect_screen "/5 runs" "back on the runs table"

# the hostile run is the first by name? find it: filter on its plain marker
send /
type_text 'name ~ "hx-run"'
send Enter
expect_screen "1/1 run" "the filter finds the hostile run"
send Enter
expect_screen "Params" "the detail view opens"
pane_clean "detail"
send G
expect_screen "loss=0.25" "the log's end is on screen, past the 10 MB line"
expect_screen "<U+202E>evil" "bidi controls are shown as visible text"
pane_clean "detail: log at its end"
send w
pane_clean "detail: the log wrapped"
send r
expect_screen "raw bytes, escaped" "the raw log"
pane_clean "detail: the raw log"
send r w g
send c
expect_screen "loss" "the run's charts open"
pane_clean "charts"
send q
expect_screen "Params" "back on the detail"
send q
send /
send C-u
send Enter
expect_screen "/5 runs" "the filter is cleared"

send A
send c
expect_screen "plain-b" "compare opens"
pane_clean "compare"
send M
pane_clean "the metric picker"
send Escape
send q
expect_screen "/5 runs" "back on the runs table"
send u

# the dialogs: promote (the hostile run is the newest local run) and launch
send /
type_text 'name ~ "hx-run"'
send Enter
expect_screen "1/1 run" "the hostile run alone"
send P
expect_screen "Promote run hx-run<^[[2J" "the promote dialog names the run safely"
pane_clean "the promote dialog"
send Escape
wait_for "Experiments" 5 || send Escape
expect_screen "Experiments" "the promote dialog closes"
send L
expect_screen "Launch in experiment" "the launch dialog opens"
pane_clean "the launch dialog"
send Escape
wait_for "Experiments" 5 || send Escape
expect_screen "Experiments" "the launch dialog closes"
send /
send C-u
send Enter
expect_screen "/5 runs" "back on all the runs"

send R
expect_screen "hmodel" "the registry opens"
pane_clean "registry"
send Enter
expect_screen "hx-vnote<" "the model's versions show the hostile note"
pane_clean "the model's versions"
send d
expect_screen "to which target?" "the deploy picker opens"
expect_screen "hx-turl<" "it lists the target's hostile url as text"
pane_clean "the deploy picker"
send Enter
expect_screen "Deploy this version?" "the deploy confirm opens"
pane_clean "the deploy confirm"
send Escape
expect_screen "not deployed" "Esc at the confirm deploys nothing"
send D
expect_screen "hx-dtarget<" "the deployments pane lists the hostile deployment"
expect_screen "hx-dendpoint<" "with its endpoint as text"
pane_clean "the deployments pane"
send q
wait_gone "hx-dtarget<" 5 || send q
send H
expect_screen "model.create" "the history"
pane_clean "the model's history"
send q
send q
expect_screen "/5 runs" "back on the runs table"

send H
expect_screen "hx-host<" "hosts lists the hostile host"
pane_clean "hosts"
expect_screen "hx-queued<" "hosts shows the queued run's hostile name as text"
pane_clean "hosts with the queue"
framed "hosts" "q"
send q

command "import hostilerr src"
expect_screen "import failed" "a hostile plugin's error is on the screen"
pane_clean "the import error"
command "messages"
expect_screen "error hx<^[[2J" "its error shows in :messages, escapes made visible"
pane_clean ":messages"
send q

send ?
expect_screen "move-down" "help opens"
pane_clean "help"
send q

send :
type_text "$HX_BIDI$HX_C1UTF"
pane_clean "the : line with typed bidi and C1 characters"
send Enter
pane_clean "the : line's error"
send /
type_text "name = \"$HX_BIDI$HX_C1UTF\" and"
send Enter
pane_clean "the filter's error quoting its input"
send Escape

# the 10 MB line costs no responsiveness: a key is answered promptly
send j
expect_screen "runs" "the app still answers"
send Q
if wait_for "RUNYARD-EXITED"; then ok "the app exits"; else fail "the app exits"; fi
grep -q -- ' icanon' "$T_TMP/stty_after" && grep -q -- ' echo ' "$T_TMP/stty_after" &&
	ok "the terminal is back in cooked mode" || fail "the terminal is back in cooked mode"
pane_clean "after exit"
t_end
