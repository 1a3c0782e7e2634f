#!/bin/sh
# The registry screen and the promote dialog in a real terminal: R lists
# the models, Enter shows versions with aliases, h the audit trail, r jumps
# to the source run; P on a run promotes it to a new model with an alias
# (checked through the CLI's JSON), a gate that the candidate does not beat
# shows both values side by side and is refused, and a run without
# artifacts says so.
. "$(dirname "$0")/lib.sh"

MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
[ -x "$MKRUN" ] || { echo "Bail out! $MKRUN is not built (make check builds it)"; exit 1; }
W="$T_TMP/files"
mkdir -p "$W"
mk() { "$MKRUN" "$DB" "$@" >/dev/null || { echo "Bail out! mkrun failed"; exit 1; }; }
ryc() { "$RUNYARD" "$@" --db "$DB"; }
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>&1; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }

printf 'weights A' >"$W/a.pt"
printf 'weights B' >"$W/b.pt"
printf 'weights C' >"$W/c.pt"
mk -e mnist -n run-a -p lr=0.1 -m val_acc=0.5,0.8 -a "$W/a.pt=model.pt"
mk -e mnist -n run-b -p lr=0.01 -m val_acc=0.6,0.9 -a "$W/b.pt=model.pt"
mk -e mnist -n run-c -p lr=0.05 -m val_acc=0.7,0.85 -a "$W/c.pt=model.pt"
mk -e mnist -n run-none -m val_acc=0.99
ryc promote run-a --model churn --alias champion --note "first baseline" >/dev/null 2>&1 &&
	ryc promote run-b --model churn --alias champion --note "better val_acc" >/dev/null 2>&1 ||
	{ echo "Bail out! runyard promote failed"; exit 1; }

tui_start
expect_screen "4 runs" "the main screen opens"

# ---- the registry screen
send R
expect_screen "VERSIONS" "R opens the registry"
expect_screen "@champion=v2" "the model list shows the alias and its version"
send Enter
expect_screen "Model churn  2 versions" "Enter opens the model"
expect_screen "@champion" "the versions show their aliases"
expect_screen "run-a" "the versions show their source runs"
send H
expect_screen "alias.set" "H shows the history"
expect_screen "@champion v1 -> v2" "the history shows the alias move from -> to"
expect_screen "better val_acc" "the history shows why"
# A trail longer than the pane: the newest events show, Tab moves the keys
# to the history and g scrolls to the oldest.
i=0
while [ $i -lt 15 ]; do
	ryc alias churn champion 1 >/dev/null 2>&1 && ryc alias churn champion 2 >/dev/null 2>&1 ||
		{ echo "Bail out! runyard alias failed"; exit 1; }
	i=$((i + 1))
done
send C-l
expect_screen "History: 35 events" "the history counts every event"
expect_no_screen "model.create" "a long trail shows its newest events, not the oldest"
send Tab
expect_screen "Tab back to versions" "Tab gives the keys to the history"
send g
expect_screen "model.create" "g scrolls the history to its oldest event"
send G
expect_no_screen "model.create" "G goes back to the newest"
send Tab
expect_screen "version 1/2" "Tab gives the keys back to the versions"
send ?
expect_screen "goto-run" "? lists the registry's bindings"
send q
expect_screen "Model churn" "q leaves the help"
send r
expect_screen "Params" "r opens the source run's detail"
expect_screen "run-b" "the jump lands on the version's source run"
send q
expect_screen "Model churn" "q goes back to the model"
send q
expect_screen "VERSIONS" "q goes back to the model list"
send q
expect_screen "Experiments" "q goes back to the runs"

# ---- a run without artifacts
send f
type_text "run-none"
send Enter
send P
expect_screen "has no artifacts to promote" "P on a run without artifacts says so"

# ---- promote run-c to a new model with alias staging
send f
send C-u
type_text "run-c"
send Enter
send P
expect_screen "Promote run run-c" "P opens the promote dialog"
expect_screen "model.pt" "the only artifact is preselected"
send Enter
expect_screen "+ new model name" "Enter on Model offers the models and a new name"
send G Enter
expect_screen "new model:" "a new model name is asked for"
type_text "fraud"
send Enter
send j j Enter
expect_screen "alias:" "Enter on Alias asks for it"
type_text "staging"
send Enter
expect_screen "@staging now holds unset" "the preview says the alias is unset"
send P
expect_screen "registered fraud version 1" "P promotes and shows the new version"
expect_screen "@staging set -> v1" "the result shows the alias set"
ryc model fraud --json >"$T_TMP/out" 2>&1
expect_eq "$(json "len(d['versions']), d['versions'][0]['version'], d['versions'][0]['aliases'], d['versions'][0]['run']['name']")" \
	"1 1 ['staging'] run-c" "the CLI sees the version and the alias"
send q
expect_screen "Experiments" "q closes the dialog"

# ---- a gate the candidate does not beat: refused, both values shown
send P
expect_screen "Promote run run-c" "the dialog opens again"
send Enter
expect_screen "+ new model name" "the model picker lists the models"
send g Enter
send j j Enter
send C-u
type_text "champion"
send Enter
send j Enter
expect_screen "gate:" "Enter on Gate asks for METRIC:max|min"
type_text "val_acc:max"
send Enter
expect_screen "val_acc (max)            0.85                     0.9" "the gate shows candidate and holder side by side"
expect_screen "would refuse" "the preview says the gate would refuse"
send P
expect_screen "@champion not moved: val_acc max candidate 0.85 vs holder v2 0.9" "P is refused with both values"
ryc model churn@champion --json >"$T_TMP/out" 2>&1
expect_eq "$(json "d['versions'][0]['version']")" "2" "the refused gate left @champion on v2"
send Enter
expect_screen "gate:" "the gate can be edited again"
send C-u
type_text "val_acc:best"
send Enter
expect_screen "gate 'val_acc:best' is not METRIC:max or METRIC:min" "a malformed gate is reported, not a crash"
send q
expect_screen "Experiments" "back on the runs after a refusal"
send q
wait_for "RUNYARD-EXITED"
expect_eq "$(cat "$T_TMP/exit_status" 2>/dev/null)" "0" "runyard exits cleanly"
t_end
