#!/bin/bash
# The first hour on `runyard demo` (issue 13): every command of the README's
# Usage section, parsed out of README.md so this stays true, works as printed
# on a fresh demo and leaves no junk; the demo's hosts are simulated (a
# canned probe, no DNS errors), its running runs settle, and its registry has
# models whose cards and exports work.
. "$(dirname "$0")/lib.sh"
README=$(cd "$(dirname "$0")/../.." && pwd)/README.md
CWD=$T_TMP/cwd
mkdir -p "$CWD"
sql() { sqlite3 "$T_TMP/demo.db" "$1"; }

# The ```sh block under "## Usage": the commands before the "your own"
# comment run here; the ones after it need the reader's own script or host.
usage=$(awk '/^## Usage/ { u = 1 } u && /^```sh/ { b = 1; next } b && /^```/ { exit } b { print }' "$README")
[ -n "$usage" ] && ok "README.md has a Usage block" || fail "README.md has a Usage block"
mine=$(printf '%s\n' "$usage" | sed -n '/your own/,$p' | grep '^runyard')
demo=$(printf '%s\n' "$usage" | sed '/your own/,$d' | grep -E '^(runyard|export) ')
[ "$(printf '%s\n' "$demo" | wc -l)" -ge 10 ] && ok "the demo part of the Usage block has its commands" \
	|| fail "the demo part of the Usage block has its commands"
printf '%s\n' "$mine" | grep -q '^runyard launch' && ok "launch is marked as needing your own host" \
	|| fail "launch is marked as needing your own host"

cd "$CWD" || exit 1
printf ':save-display %s\n' "$T_TMP/screen" > "$T_TMP/quit.script"
n=0
while IFS= read -r line; do
	# the comment after two spaces is for the reader
	cmd=$(printf '%s' "$line" | sed -E 's/  +# .*$//; s|/tmp/demo\.db|'"$T_TMP"'/demo.db|g; s|/tmp/demo-export|'"$T_TMP"'/demo-export|g')
	n=$((n + 1))
	case $cmd in
	export*) eval "$cmd"; ok "README: $line"; continue ;;
	runyard) RUNYARD_TUI_SCRIPT=$T_TMP/quit.script "$RUNYARD" >"$T_TMP/out" 2>"$T_TMP/err"; RC=$? ;;
	*) eval "\"\$RUNYARD\" ${cmd#runyard }" >"$T_TMP/out" 2>"$T_TMP/err"; RC=$? ;;
	esac
	OUT=$(cat "$T_TMP/out")
	expect_rc 0 "README as printed: $line"
	case $cmd in
	"runyard hosts --probe"*)
		expect_out_has "NVIDIA A100 (simulated)" "hosts --probe shows the demo's simulated GPUs"
		expect_out_has "simulated  8 GPUs, 4 free" "the demo's running runs hold some of them"
		if grep -qi "resolve\|unreachable" "$T_TMP/out" "$T_TMP/err"; then fail "no DNS errors from the probe"
		else ok "no DNS errors from the probe"; fi ;;
	"runyard sync"*)
		if [ -s "$T_TMP/err" ]; then fail "sync on the demo reports no errors"; else ok "sync on the demo reports no errors"; fi
		expect_out_has "on simulated demo hosts left running" "sync says the simulated runs are left running" ;;
	"runyard models"*)
		expect_out_has "cifar10-classifier" "models lists the demo's image model"
		expect_out_has "churn-model" "models lists the demo's churn model" ;;
	"runyard model "*--history*)
		expect_out_has "@champion" "the model has a champion"
		expect_out_has "@challenger" "and a challenger"
		expect_out_has "v1 -> v3" "the history has a gated promotion that moved the champion"
		expect_out_has "alias.refused" "and a refused gated promotion" ;;
	"runyard promote"*)
		expect_out_has "@champion" "the README's gated promotion moves the champion" ;;
	"runyard export"*)
		expect_out_has "verified" "export verifies the artifact" ;;
	runyard)
		grep -q "runs" "$T_TMP/screen" 2>/dev/null && ok "the full-screen interface opens on the demo" \
			|| fail "the full-screen interface opens on the demo" ;;
	esac
done <<< "$demo"
cd "$T_TMP" || exit 1

# the registry works on the demo model: card, verify-on-export
ry --db "$T_TMP/demo.db" model churn-model@champion --card
expect_rc 0 "model card of the demo's churn champion"
expect_out_has "# Model card: churn-model@champion" "the card is the champion's"
ry --db "$T_TMP/demo.db" export churn-model@challenger "$T_TMP/demo-export/churn"
expect_rc 0 "export the churn challenger"
[ -s "$T_TMP/demo-export/churn/model.json" ] && ok "the exported artifact is there" || fail "the exported artifact is there"
ry --db "$T_TMP/demo.db" hosts --json
expect_rc 0 "hosts --json"
python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); h=d['hosts']; sys.exit(0 if h and all(x['simulated'] for x in h) else 1)" \
	&& ok "hosts --json marks every demo host simulated" || fail "hosts --json marks every demo host simulated"
ry --db "$T_TMP/demo.db" hosts
expect_out_has "simulated (a demo host: never connected to)" "hosts says which hosts are simulated"

# no junk: nothing new running, no run added, no stray files
[ "$(sql "SELECT count(*) FROM runs")" = 72 ] && ok "the README's commands add no run" || fail "the README's commands add no run"
[ "$(sql "SELECT count(*) FROM runs WHERE status = 'running' AND host NOT IN (SELECT name FROM hosts WHERE simulated = 1)")" = 0 ] \
	&& ok "nothing is left running but the demo's simulated runs" || fail "nothing is left running but the demo's simulated runs"
[ -z "$(ls -A "$CWD")" ] && ok "no stray files where the commands ran" || fail "no stray files where the commands ran: $(ls -A "$CWD")"
stray=$(cd "$T_TMP" && ls -A | grep -vxE 'cwd|home|out|err|screen|quit\.script|demo\.db(-wal|-shm)?|demo\.db\.artifacts|demo-export')
[ -z "$stray" ] && ok "no stray files next to the workspace" || fail "no stray files next to the workspace: $stray"

# a simulated run settles at its planned end, without connecting
id=$(sql "SELECT id FROM runs WHERE status = 'running' ORDER BY id LIMIT 1")
sql "UPDATE tags SET value = CAST(strftime('%s','now') - 60 AS TEXT) WHERE run_id = $id AND key = 'simulated'"
ry --db "$T_TMP/demo.db" sync
expect_rc 0 "sync settles a simulated run whose end has passed"
expect_out_has "1 settled" "one run settled"
[ "$(sql "SELECT status FROM runs WHERE id = $id")" = finished ] && ok "it is finished" || fail "it is finished"
# cancel on a simulated run: killed, no connection
id=$(sql "SELECT id FROM runs WHERE status = 'running' ORDER BY id LIMIT 1")
ry --db "$T_TMP/demo.db" cancel "$id"
expect_rc 0 "cancel a simulated run"
[ "$(sql "SELECT status FROM runs WHERE id = $id")" = killed ] && ok "it is killed" || fail "it is killed"
# a launch on a simulated host is refused before anything is packed or sent
ry --db "$T_TMP/demo.db" launch -e cifar10-resnet --host a100-box-2 --yes -- true
expect_rc 1 "launch on a simulated host is refused"
expect_err_has "simulated demo host" "and says why"
# the estimate checks the host: more GPUs than its max_gpus is refused
ry --db "$T_TMP/demo.db" launch -e cifar10-resnet --host rtx4090-ws --gpus 4 --estimate -- python train.py
expect_rc 1 "an estimate for more GPUs than max_gpus is refused"
expect_err_has "rtx4090-ws allows at most 2 GPUs per run (max_gpus), 4 asked" "and names max_gpus"
ry --db "$T_TMP/demo.db" launch -e cifar10-resnet --host rtx4090-ws --gpus 2 --estimate -- python train.py
expect_rc 0 "an estimate within max_gpus is shown"
t_end
