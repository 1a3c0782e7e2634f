#!/bin/bash
# `runyard logs` shows a run's log as a terminal would have (issue 13):
# tqdm's "\r" redraws and Keras' "\b" runs overwrite, colour and other
# escapes never reach a pipe, control bytes are inert; --raw gives the stored
# bytes as they are; -f prints a redrawn line once it is finished; the stored
# log stays byte-exact.
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$T_TMP/ws.db"
q() { sqlite3 "$RUNYARD_DB" "$1"; }
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$T_TMP" || exit 1 # runs recorded outside any git checkout

cp "$SRC/tests/helpers/train_progress.sh" "$T_TMP/train.sh" # Keras, tqdm, colour, a long line
ry run -q -e logs --name progress -- "$T_TMP/train.sh"
expect_rc 0 "a run that draws progress bars"
LOG="$RUNYARD_DB.runs/$(q "SELECT uuid FROM runs WHERE name = 'progress'")/log"
"$T_TMP/train.sh" >"$T_TMP/expected.log"
cmp -s "$LOG" "$T_TMP/expected.log" && ok "the stored log is byte-exact" || fail "the stored log is byte-exact"

ry logs progress
expect_rc 0 "logs prints the rendered log"
expect_out_has "2/2 [==============================] - 2s 1s/step - loss: 0.8000 - val_loss: 0.7500" "Keras' last redraw, whole"
expect_out_lacks "1/2 [" "Keras' earlier redraw is overwritten"
expect_out_has "100%|██████████| 2/2 [00:00<00:00, 9.9it/s, val_loss=0.431]" "tqdm's last redraw, whole"
expect_out_lacks " 50%|" "tqdm's earlier redraws are overwritten"
expect_out_has "red bell^G end" "colour and the title sequence are dropped, BEL is inert"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 5 ] && ok "one line a line the terminal showed" || fail "one line a line the terminal showed"
if LC_ALL=C grep -q "$(printf '[\r\b\033]')" "$T_TMP/out"; then fail "no raw carriage return, backspace or ESC in the output"; else ok "no raw carriage return, backspace or ESC in the output"; fi
expect_out_lacks "^M" "no literal ^M"

ry logs --raw progress
expect_rc 0 "logs --raw"
cmp -s "$T_TMP/out" "$T_TMP/expected.log" && ok "--raw prints the stored bytes as they are" || fail "--raw prints the stored bytes as they are"

ry logs --help
expect_out_has "--raw" "--help names --raw"
ry logs --deployment 1 --raw
expect_rc 2 "--raw is for runs"

# -f on a run still drawing: a line being redrawn is printed once finished.
cat >"$T_TMP/slow.sh" <<'SH'
#!/bin/sh
printf 'start\n'
for i in 1 2 3; do printf '\r step %s/3' "$i"; sleep 0.3; done
printf '\n'
for i in 1 2 3; do [ -e "$1" ] && break; sleep 1; done
printf 'val_loss: 0.25\n'
SH
chmod +x "$T_TMP/slow.sh"
"$RUNYARD" run -q -e logs --name slow -- "$T_TMP/slow.sh" "$T_TMP/go" >/dev/null 2>&1 &
RUN_PID=$!
deadline=$((SECONDS + 20))
until [ "$(q "SELECT status FROM runs WHERE name = 'slow'" 2>/dev/null)" = running ] || [ $SECONDS -gt $deadline ]; do sleep 0.1; done
"$RUNYARD" logs -f slow >"$T_TMP/follow" 2>"$T_TMP/follow.err" &
FOLLOW_PID=$!
deadline=$((SECONDS + 20))
until grep -q "step 3/3" "$T_TMP/follow" 2>/dev/null || [ $SECONDS -gt $deadline ]; do sleep 0.1; done
touch "$T_TMP/go"
wait "$RUN_PID"
deadline=$((SECONDS + 20))
while kill -0 "$FOLLOW_PID" 2>/dev/null && [ $SECONDS -le $deadline ]; do sleep 0.1; done
wait "$FOLLOW_PID"
RC=$?
cp "$T_TMP/follow" "$T_TMP/out"; cp "$T_TMP/follow.err" "$T_TMP/err"
expect_rc 0 "logs -f follows to the end"
[ "$(cat "$T_TMP/follow")" = "$(printf 'start\n step 3/3\nval_loss: 0.25')" ] \
	&& ok "logs -f prints each redrawn line once, finished" || fail "logs -f prints each redrawn line once, finished"
t_end
