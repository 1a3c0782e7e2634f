#!/bin/sh
# Issue 14 in the TUI, headless: `:goal KEY max|min|none` sets a metric's
# goal (Tab completes the command), `:goal KEY` says it and where it comes
# from; a metric with goal none (lr, guessed) has no best in the detail
# screen and no best row, mark or verdict in compare; the column `lr` is the
# param even when capture made lr a metric too, which is headed metrics.lr.
T_SIZE=120x30
. "$(dirname "$0")/headless_lib.sh"

"$RUNYARD" --db "$DB" run -e sweep --name low --param lr=0.01 -- sh -c 'echo lr=0.01; echo loss=0.5; echo loss=0.4' \
	>/dev/null 2>&1 || { echo "Bail out! run failed"; exit 1; }
"$RUNYARD" --db "$DB" run -e sweep --name high --param lr=0.03 -- sh -c 'echo lr=0.03; echo loss=0.3' \
	>/dev/null 2>&1 || { echo "Bail out! run failed"; exit 1; }

# script FILE: run the TUI headless on $DB with the script in FILE; it must
# exit 0 with nothing on stderr (a sanitizer build reports there).
script() {
	RUNYARD_TUI_SCRIPT="$1" "$RUNYARD" --db "$DB" >"$T_TMP/out" 2>"$T_TMP/err"; RC=$?
	[ "$RC" -eq 0 ] && [ ! -s "$T_TMP/err" ] && ok "script $(basename "$1") runs cleanly" \
		|| fail "script $(basename "$1") runs cleanly (status $RC)" "$T_TMP/err"
}

# The runs table: lr is the param, the metric says metrics.lr.
cat >"$T_TMP/s1" <<EOF2
:columns lr,metrics.lr
:sort lr:desc
:save-display $T_TMP/cols
:goal lr
:save-display $T_TMP/said
:goal lr sideways
:save-display $T_TMP/bad
EOF2
script "$T_TMP/s1"
sed -n 2p "$T_TMP/cols" | grep -q ' lr. *metrics\.lr' && ok "the column lr is the param, the metric is headed metrics.lr" \
	|| fail "the column lr is the param, the metric is headed metrics.lr" "$T_TMP/cols"
lacks "$T_TMP/cols" "both a param and a metric" ":sort lr is no error"
grep -q 'high.*0\.03' "$T_TMP/cols" && [ "$(grep -n 'high\|low' "$T_TMP/cols" | head -1 | grep -c high)" = 1 ] \
	&& ok ":sort lr:desc puts lr=0.03 first" || fail ":sort lr:desc puts lr=0.03 first" "$T_TMP/cols"
has "$T_TMP/said" "goal of lr: none (guessed from the name)" ":goal KEY says the goal and its source"
has "$T_TMP/bad" "'sideways' is not max, min, none or unset" ":goal with another word says so"

# Detail: lr has no best.  Compare: no best row for lr, no mark.
cat >"$T_TMP/s2" <<EOF2
Enter
:save-display $T_TMP/detail
q
A c
:save-display $T_TMP/compare
EOF2
RUNYARD_TUI_SIZE=120x60 script "$T_TMP/s2"
grep -E '^ +lr +0\.0[13] +- ' "$T_TMP/detail" >/dev/null && ok "detail: lr (goal none) has no best" \
	|| fail "detail: lr (goal none) has no best" "$T_TMP/detail"
has "$T_TMP/compare" "comparing 2 runs" "compare opens"
has "$T_TMP/compare" "best (min)" "compare: loss has its best row"
[ "$(grep -c 'best (' "$T_TMP/compare")" = 1 ] && ok "compare: lr has no best row, loss's is the only one" \
	|| fail "compare: lr has no best row, loss's is the only one" "$T_TMP/compare"

# :goal lr max: the workspace's, stored where the CLI reads it; compare
# then shows a best row for lr.  Tab completes :go to :goal.
cat >"$T_TMP/s3" <<EOF2
type :go
Tab
type  lr max
Enter
:save-display $T_TMP/set
A c
:save-display $T_TMP/compare2
EOF2
script "$T_TMP/s3"
has "$T_TMP/set" "goal of lr: max" ":goal lr max (typed, Tab-completed) is said"
[ "$("$RUNYARD" --db "$DB" goal lr)" = "$(printf 'lr\tmax\tworkspace')" ] && ok ":goal saves the workspace's goal, as runyard goal does" \
	|| fail ":goal saves the workspace's goal, as runyard goal does"
has "$T_TMP/compare2" "best (max)" "compare: lr now has a best row"
printf ':goal lr unset\n:save-display %s\n' "$T_TMP/unset" >"$T_TMP/s4"
script "$T_TMP/s4"
has "$T_TMP/unset" "goal of lr: none (guessed from the name)" ":goal KEY unset forgets it"

echo "1..$N"
[ "$FAILS" -eq 0 ]
