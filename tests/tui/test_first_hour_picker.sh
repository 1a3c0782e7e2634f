#!/bin/sh
# Issue 13, first hour: nested tqdm bars (which redraw their rows with
# "\x1b[A") read as a terminal showed them, in `runyard logs` and the detail
# screen; the column picker offers tags and reorders the chosen columns; the
# launch dialog checks free GPUs before it connects.
. "$(dirname "$0")/lib.sh"
seed 10 10

# A run whose log is tqdm's nested bars, byte for byte.
cp "$SRCDIR/tests/helpers/train_nested.sh" "$T_TMP/nested.sh"
cd "$T_TMP" || exit 1 # outside any git checkout: no stored diff on the page
"$RUNYARD" --db "$DB" run -q -e logs --name nested -- "$T_TMP/nested.sh" >/dev/null 2>&1 ||
	{ echo "Bail out! cannot record the nested run"; exit 1; }
LOG="$DB.runs/$(sqlite3 "$DB" "SELECT uuid FROM runs WHERE name = 'nested'")/log"
"$T_TMP/nested.sh" >"$T_TMP/nested.expected"
cmp -s "$LOG" "$T_TMP/nested.expected" && ok "the stored log is byte-exact" || fail "the stored log is byte-exact"
FINAL="epoch: 100%|██████████| 2/2 [00:00<00:00,  3.30it/s, loss=0.213]"
"$RUNYARD" --db "$DB" logs nested >"$T_TMP/logs.out" 2>&1
printf '%s\ndone\n' "$FINAL" | cmp -s - "$T_TMP/logs.out" &&
	ok "runyard logs: the outer bar's last state, then the next line, nothing else" ||
	{ fail "runyard logs: the outer bar's last state, then the next line, nothing else"; sed 's/^/#   |/' "$T_TMP/logs.out"; }

tui_start
expect_screen "runs" "the main screen opens"
send /
type_text "name = nested"
send Enter
expect_screen "filter: name = nested" "the nested run is found"
send Enter
expect_screen "run #" "its detail opens"
send G
expect_screen "$FINAL" "the detail shows the outer bar's last state"
expect_screen "done" "... and the line after it"
if screen | grep -qF "batch:"; then fail "no inner bar is left over (leave=False cleared it)"; else ok "no inner bar is left over (leave=False cleared it)"; fi
if screen | grep -qF " 50%|"; then fail "no earlier redraw is left over"; else ok "no earlier redraw is left over"; fi
if screen | grep -qF "^[" || screen | grep -qF "[A"; then fail "no raw cursor-up on the screen"; else ok "no raw cursor-up on the screen"; fi
send r
expect_screen '\e[A' "r shows the raw bytes, cursor-up escaped"
send r Escape Escape
expect_screen "filter: (none)" "back on the runs screen"
t_end
