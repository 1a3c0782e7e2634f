#!/bin/sh
# The live filter of a big workspace (issue 18) in a real terminal: the
# list is computed in the background and the screen says so.  The test
# hook RUNYARD_TEST_LISTING_DELAY_MS makes every background evaluation of
# this small workspace take 1.5 s (before it starts, and again between
# its first rows and the whole list), so that each state is on screen
# long enough to see: "filtering…" over the old rows, then the first rows
# with "counting…", then the final count.  A filter replaced while its
# evaluation waits is cancelled: the screen ends on the last filter's
# runs and stays there.  The trace hook RUNYARD_TEST_LISTING_TRACE says
# when the worker takes a request and when it is done with one, so the
# test waits for those rather than sleeping.
. "$(dirname "$0")/lib.sh"
seed 120 3
count() {
	"$RUNYARD" --db "$DB" runs --json --filter "$1" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not found"; exit 77; }
adam=$(count 'optimizer = adam')
sgd=$(count 'optimizer = sgd')
[ "$adam" -gt 0 ] && [ "$sgd" -gt 0 ] && [ "$adam" != "$sgd" ] ||
	{ echo "Bail out! the demo workspace lacks adam/sgd runs ($adam, $sgd)"; exit 1; }

export RUNYARD_TEST_LISTING_DELAY_MS=1500
TRACE="$T_TMP/listing.trace"
: >"$TRACE"
export RUNYARD_TEST_LISTING_TRACE="$TRACE"
traced() { grep -qxF -- "$1" "$TRACE"; }
# Every evaluation the worker started has ended, the last with this result.
settled() {
	[ "$(grep -c '^start ' "$TRACE")" = "$(grep -c '^end ' "$TRACE")" ] && [ "$(tail -n 1 "$TRACE")" = "$1" ]
}
tui_start
expect_screen "1/120 runs" "the runs screen opens with every run"

send '/'
type_text 'optimizer = adam'
expect_screen "filtering… (120 runs shown until it is done)" "typing shows 'filtering…' over the old rows"
expect_screen "counting…" "then the first rows come with 'counting…'"
expect_screen "/$adam runs" "then the final count"
expect_no_screen "counting…" "and the indication goes"

# Replace the filter while its evaluation still waits: the stale one is
# dropped, the screen shows the last filter's result.
send C-u
type_text 'optimizer = adam and lr > 0'
# Once the worker has taken that request (it then waits in the hook),
# the next one replaces a running evaluation, not a queued one.
if wait_until traced "start optimizer = adam and lr > 0"; then
	ok "the worker takes the second filter"
else
	fail "the worker never took 'optimizer = adam and lr > 0'"
fi
send C-u
type_text 'optimizer = sgd'
expect_screen "/$sgd runs" "the last filter's count shows"
send Enter
# Nothing may change after this: once the stale evaluation has ended
# (dropped) and the worker has nothing left, no result can still come.
if wait_until traced "end dropped optimizer = adam and lr > 0" && wait_until settled "end kept optimizer = sgd"; then
	ok "the stale evaluation is dropped and the last filter's kept"
else
	fail "the worker's evaluations did not end as expected: $(tr '\n' '|' <"$TRACE")"
fi
if screen | grep -qF "/$sgd runs" && ! screen | grep -qF "filtering"; then
	ok "no stale result replaces it afterwards"
else
	fail "a stale result replaced the last filter's"
fi
if screen | grep -qF "filter: optimizer = sgd"; then
	ok "the status names the last filter"
else
	fail "the status names the last filter"
fi

# `G` on the first rows (while the rest is counted) ends on the whole
# list's last run.
send '/'; send C-u; send Enter
expect_screen "first " "clearing the filter shows the first rows first"
send G
expect_screen "120/120 runs" "G pressed meanwhile goes to the end of the whole list"

# A sort goes to the background too and says so.
send S
expect_screen "sorting…" "a sort says 'sorting…' while it runs"
expect_screen "sort: name:desc  " "and the sorted list comes"
expect_no_screen "sorting…" "and the indication goes"

send q
wait_for "RUNYARD-EXITED" && ok "quits cleanly" || fail "did not exit"
t_end
