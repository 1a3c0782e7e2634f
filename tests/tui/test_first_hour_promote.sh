#!/bin/sh
# First hour (issue 13), the promote dialog: after a promote the gate
# preview shows the real candidate and holder values (not "(none)"), a run
# name cut to its column ends in "…", and the next P starts from the last
# model, alias and gate (a workspace setting: also after a restart).
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
send q
t_end
