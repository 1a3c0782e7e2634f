#!/bin/bash
# `:import` in the full-screen app (issue 12): the real binary in tmux
# imports a Lightning CSVLogger save_dir through the shipped exec plugin
# while the screen stays live, then shows the imported runs' source in the
# table and a Source block in the run detail.  A plugin that hangs mid-run
# shows its progress while keys keep working, and Esc cancels it cleanly:
# no half-imported run, the plugin stopped, the app still usable.  A
# failing plugin's error reaches the screen sanitised.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not found"; exit 77; }
. "$SRCDIR/tests/helpers/plugins.sh"
BIN="$T_TMP/bin"
mkdir -p "$BIN"
export PATH="$BIN:$SRCDIR/plugins/lightning-csv:$PATH"
# A cancel must not wait for this: it is the plugin's silence timeout.
export RUNYARD_PLUGIN_TIMEOUT=60
lightning_logs "$T_TMP/logs"

write_plugin "$BIN" "$T_TMP" slow 'send({"id": rid, "event": "run_begin", "run_id": "a", "experiment": "slow", "name": "slow-a"})
send({"id": rid, "event": "run_end", "status": "finished"})
send({"id": rid, "event": "progress", "done": 1, "total": 3})
send({"id": rid, "event": "run_begin", "run_id": "b", "experiment": "slow", "name": "slow-b"})
send({"id": rid, "event": "metric", "key": "loss", "points": [[0, None, 2.0]]})
time.sleep(600)'
write_plugin "$BIN" "$T_TMP" crash 'sys.stderr.write("Traceback: boom\x1b[2J\x07 red\n"); sys.stderr.flush()
os._exit(3)'

count() {
	"$RUNYARD" --db "$DB" runs --json --filter "$1" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
# command TEXT: type a `:` command line and run it
command() { send ':'; type_text "$1"; send Enter; }

tui_start
expect_screen "No runs yet" "the app opens on an empty workspace"

# ---- a real import: the runs arrive, with their source -------------------
command "import lightning-csv $T_TMP/logs"
expect_screen "Imported 2 runs (2 new, 0 updated, 0 unchanged), 16 points" "the message line says what the import did"
expect_screen "plugin:lightning-csv" "the runs table shows where the runs came from"
expect_screen "version_1" "the imported runs are listed"
[ "$(count 'source = "plugin:lightning-csv"')" = 2 ] && ok "filtering by source finds them" || fail "source filter"
send '/'; type_text 'source = "plugin:lightning-csv" and name = version_0'; send Enter
expect_screen "1/1 run" "the filter bar filters by source"
send Enter
expect_screen "Source" "the run detail has a Source block"
expect_screen "lightning-csv.run_id" "with the origin tags"
expect_screen "plugin                   lightning-csv" "naming the plugin"
send q
send '/'; send C-u; send Enter

# ---- a plugin that hangs: progress, live keys, a clean cancel ------------
command "import slow src"
expect_screen "1/3 runs" "the bar shows runs done of the total"
expect_screen "Esc cancels" "and how to stop it"
send '?'
expect_screen "Keys of the runs screen" "keys still work while it runs (help opens)"
send q
expect_screen "slow-a" "runs finished so far already show in the list"
T0=$(date +%s)
send Escape
expect_screen "import cancelled; before that: 1 new runs" "Esc cancels the import"
[ $(( $(date +%s) - T0 )) -lt 10 ] && ok "the cancel is prompt (not the plugin's timeout)" || fail "cancel took too long"
expect_no_screen "Esc cancels" "the bar goes away"
[ "$(count 'tags."slow.run_id" = b')" = 0 ] && ok "no half-imported run" || fail "the run in progress was kept"
[ "$(count 'tags."slow.run_id" = a')" = 1 ] && ok "the finished run stays" || fail "run a missing"
! kill -0 "$(cat "$T_TMP/pid-slow")" 2>/dev/null && ok "the hung plugin was stopped" || fail "plugin still runs"
send j
expect_screen "runs" "the app is still usable"

# ---- a failing plugin: its error, sanitised ------------------------------
command "import crash src"
expect_screen "import failed: plugin crash" "a failing plugin's error is on the screen"
expect_screen "stopped before it answered" "saying what went wrong"
command "messages"
expect_screen "exited with status 3" ":messages has the whole error"
expect_screen "Traceback: boom^[[2J^G red" "its stderr shows in :messages, escapes made visible"
if tmux -S "$SOCK" capture-pane -p -e | grep -q $'\e\[2J'; then fail "a raw escape reached the terminal"; else ok "no raw escape reached the terminal"; fi
send q
command "import"
expect_screen ":import needs PLUGIN SOURCE" "usage without arguments"

# ---- leaving while an import runs ----------------------------------------
command "import slow src"
expect_screen "1/3 runs" "a second slow import runs"
send Q
if wait_for "RUNYARD-EXITED"; then ok "quitting during an import exits"; else fail "did not exit"; fi
[ "$(cat "$T_TMP/exit_status" 2>/dev/null)" = 0 ] && ok "exit status 0" || fail "exit status $(cat "$T_TMP/exit_status" 2>/dev/null)"
grep -q -- ' icanon' "$T_TMP/stty_after" && grep -q -- ' echo ' "$T_TMP/stty_after" && ok "the terminal is back in cooked mode" ||
	fail "terminal left raw: $(cat "$T_TMP/stty_after")"
[ "$(count 'tags."slow.run_id" = b')" = 0 ] && ok "quitting left no half-imported run" || fail "half run after quit"

t_end
