#!/bin/sh
# First hour (issue 13), the promote dialog: after a promote the gate
# preview shows the real candidate and holder values (not "(none)"), a run
# name cut to its column ends in "…", and the next P starts from the last
# model, alias and gate (a workspace setting: also after a restart).  On
# a model's page a moves an alias and x deletes one (each asks y/N: n keeps,
# y acts, checked through the CLI's JSON), e exports the version's artifact
# (the file's sha256 matches) and E sets the model's description.
. "$(dirname "$0")/lib.sh"

MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
[ -x "$MKRUN" ] || { echo "Bail out! $MKRUN is not built (make check builds it)"; exit 1; }
W="$T_TMP/files"
mkdir -p "$W"
mk() { "$MKRUN" "$DB" "$@" >/dev/null || { echo "Bail out! mkrun failed"; exit 1; }; }
ryc() { "$RUNYARD" "$@" --db "$DB"; }

LONG=a-rather-long-candidate-run-name-42
printf 'weights A' >"$W/a.pt"
printf 'weights B' >"$W/b.pt"
mk -e mnist -n run-a -m val_acc=0.5,0.8 -a "$W/a.pt=model.pt"
mk -e mnist -n "$LONG" -m val_acc=0.6,0.9 -a "$W/b.pt=model.pt"
ryc promote run-a --model churn --alias champion >/dev/null 2>&1 ||
	{ echo "Bail out! runyard promote failed"; exit 1; }

tui_start
expect_screen "2 runs" "the main screen opens"
send f
type_text "$LONG"
send Enter
send P
expect_screen "Promote run $LONG" "P opens the promote dialog"
send Enter
expect_screen "+ new model name" "the model picker opens"
send g Enter
send j j Enter
expect_screen "alias:" "Enter on Alias asks for it"
type_text "champion"
send Enter
send j Enter
expect_screen "gate:" "Enter on Gate asks for it"
type_text "val_acc:max"
send Enter
expect_screen "would move" "the gate would move the alias"
expect_screen "a-rather-long-candidate…" "a run name cut to its column ends in …"
send P
expect_screen "@champion moved v1 -> v2" "P promotes and moves the alias"
expect_screen "val_acc (max)            0.9                      0.9" \
	"after the promote the preview shows the real values, not (none)"
expect_no_screen "(none)" "no (none) in the preview after a promote"
send q
expect_screen "Experiments" "q closes the dialog"

# The remembered model, alias and gate: on the next P, and after a restart.
send P
expect_screen "Model     churn" "the next P starts from the last model"
expect_screen "Alias     champion" "... and the last alias"
expect_screen "Gate      val_acc:max" "... and the last gate"
send q
expect_screen "Experiments" "q closes the dialog again"
send q
wait_for "RUNYARD-EXITED" || fail "runyard quits"
tmux -S "$SOCK" kill-server 2>/dev/null
tui_start
expect_screen "2 runs" "runyard starts again"
send P
expect_screen "Model     churn" "after a restart P still starts from the last model"
send q
expect_screen "Experiments" "q closes the dialog after the restart"

# ---- the model page: move and delete an alias (each asks), export, describe
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>&1; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }
champion() { ryc model churn --json >"$T_TMP/out" 2>&1; json "[v['version'] for v in d['versions'] if 'champion' in v['aliases']]"; }
send R
expect_screen "@champion=v2" "the registry lists the model"
send Enter
expect_screen "Model churn  2 versions" "Enter opens the model"
send G
expect_screen "version 2/2" "G goes to v1"
send a
expect_screen "move which alias to v1:" "a asks which alias to move"
type_text "champion"
send Enter
expect_screen "move @champion from v2 to v1? (y/N)" "the move asks first, naming both versions"
type_text "n"
send Enter
expect_screen "@champion not moved" "n keeps the alias"
expect_eq "$(champion)" "[2]" "after n the CLI still sees @champion on v2"
send a
type_text "champion"
send Enter
expect_screen "move @champion from v2 to v1? (y/N)" "the move asks again"
type_text "y"
send Enter
expect_screen "@champion moved v2 -> v1" "y moves the alias"
expect_eq "$(champion)" "[1]" "the CLI sees @champion on v1"
send x
expect_screen "delete which alias of v1: champion" "x offers the version's alias"
send Enter
expect_screen "delete @champion (on v1)? (y/N)" "the delete asks first"
type_text "n"
send Enter
expect_screen "@champion not deleted" "n keeps the alias"
expect_eq "$(champion)" "[1]" "after n the CLI still sees @champion on v1"
send x
send Enter
expect_screen "delete @champion (on v1)? (y/N)" "the delete asks again"
type_text "y"
send Enter
expect_screen "@champion deleted (was on v1)" "y deletes the alias"
expect_eq "$(champion)" "[]" "the CLI sees no @champion"
send e
expect_screen "export v1 to directory: ." "e asks for a directory"
send C-u
type_text "$T_TMP/export"
send Enter
expect_screen "exported churn v1 to" "the export reports the file written"
if [ -f "$T_TMP/export/model.pt" ]; then ok "the artifact is in the directory"; else fail "no $T_TMP/export/model.pt"; fi
expect_eq "$(sha256sum <"$T_TMP/export/model.pt" 2>&1 | cut -d' ' -f1)" "$(sha256sum <"$W/a.pt" | cut -d' ' -f1)" \
	"the exported file's sha256 matches v1's artifact"
send E
expect_screen "description:" "E asks for the description"
type_text "weekly churn scores"
send Enter
expect_screen "description of churn saved" "the description is saved"
expect_screen "Model churn  2 versions  weekly churn scores" "the model page shows it"
ryc models --json >"$T_TMP/out" 2>&1
expect_eq "$(json "[m['description'] for m in d['models']]")" "['weekly churn scores']" \
	"runyard models shows the description"
send q
send q
send q
t_end
