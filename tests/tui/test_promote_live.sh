#!/bin/sh
# Promoting a big artifact re-hashes it, seconds of work: the promote dialog
# runs it in the background, so the screen shows its progress and keys keep
# working meanwhile (a key redraws within a deadline while the hash runs),
# and the outcome shows once it is done.
. "$(dirname "$0")/lib.sh"

MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
[ -x "$MKRUN" ] || { echo "Bail out! $MKRUN is not built (make check builds it)"; exit 1; }
# Big enough that hashing takes seconds (about 300 MB/s here); sparse, so
# the file costs no disk until the store copies it.
MB=${RY_PROMOTE_MB:-800}
truncate -s "${MB}M" "$T_TMP/big.pt" || { echo "Bail out! truncate failed"; exit 1; }
"$MKRUN" "$DB" -e big -n big-run -m val_acc=0.5 -a "$T_TMP/big.pt=model.pt" >/dev/null ||
	{ echo "Bail out! mkrun failed"; exit 1; }
rm -f "$T_TMP/big.pt"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

tui_start
expect_screen "big-run" "the main screen opens"
send P
expect_screen "Promote run big-run" "P opens the promote dialog"
send Enter
expect_screen "new model:" "no models yet: a new name is asked for"
type_text "bigm"
send Enter
expect_screen "Model     bigm" "the model is filled in"
send P
expect_screen "promoting:" "P starts the promotion and shows its progress"
t0=$(now_ms)
send ?
if wait_for "Promote the run's artifact" 5; then
	dt=$(( $(now_ms) - t0 ))
	if [ "$dt" -le 1500 ]; then ok "a key redraws within 1.5 s while the artifact is hashed (${dt} ms)"
	else fail "a key took ${dt} ms to redraw while the artifact was hashed"; fi
else
	fail "help never opened while promoting"
fi
# The key must have been answered while the hash still ran: the version
# does not exist yet.
if "$RUNYARD" model bigm --json --db "$DB" >/dev/null 2>&1; then
	fail "the promotion had already finished: the check proved nothing (raise RY_PROMOTE_MB)"
else
	ok "the key was answered before the promotion finished"
fi
send q
# the hash of a big artifact under a sanitizer on a loaded machine takes a while: its own deadline
if wait_for "registered bigm version 1" 90; then ok "the outcome shows once the hash is done"
else fail "the outcome shows once the hash is done (screen never showed 'registered bigm version 1')"; fi
"$RUNYARD" model bigm --json --db "$DB" >"$T_TMP/out" 2>&1
grep -q '"version":[[:space:]]*1,' "$T_TMP/out" && ok "the CLI sees the version" || fail "the CLI does not see the version: $(cat "$T_TMP/out")"
send q
expect_screen "Experiments" "q closes the dialog"
send q
wait_for "RUNYARD-EXITED" && ok "runyard exits" || fail "runyard did not exit"
t_end
