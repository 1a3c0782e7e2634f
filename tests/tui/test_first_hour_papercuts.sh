#!/bin/sh
# First hour (issue 13), the papercuts: a mistyped --db or -e says it
# creates something new, K says why a run cannot be cancelled,
# :save-display says what it saved, GPU ids read as a count, and the "too
# small" message fits the smallest window, a vt100 and the Linux console
# get ASCII and a visible separator.  The real binary, in tmux and on the
# command line.
. "$(dirname "$0")/lib.sh"

# restart [ARGS...]: a fresh TUI session on $DB (the last one is closed).
restart() {
	send q
	wait_for "RUNYARD-EXITED" >/dev/null
	tui_start "$@"	# on a socket of its own (lib.sh)
}

# -- the command line: a new workspace and a new experiment are named as new
NEW="$T_TMP/typo.db"
"$RUNYARD" run --db "$NEW" -e NEWNAME -- true 2>"$T_TMP/run1.err" >/dev/null
if grep -qF "created a new workspace at $NEW" "$T_TMP/run1.err"; then
	ok "run --db on a missing file says it creates a workspace"
else
	fail "run --db on a missing file says it creates a workspace ($(cat "$T_TMP/run1.err"))"
fi
if grep -qF "in experiment NEWNAME (new experiment)" "$T_TMP/run1.err"; then
	ok "run -e NEWNAME says (new experiment)"
else
	fail "run -e NEWNAME says (new experiment) ($(cat "$T_TMP/run1.err"))"
fi
"$RUNYARD" run --db "$NEW" -e NEWNAME -- true 2>"$T_TMP/run2.err" >/dev/null
if grep -qF "in experiment NEWNAME" "$T_TMP/run2.err" && ! grep -qF "new experiment" "$T_TMP/run2.err" &&
   ! grep -qF "created a new workspace" "$T_TMP/run2.err"; then
	ok "a second run in the same experiment and workspace says neither"
else
	fail "a second run in the same experiment and workspace says neither ($(cat "$T_TMP/run2.err"))"
fi

# -- the TUI on a file that does not exist says it created one
DB="$T_TMP/typo2.db"
tui_start
expect_screen "created a new, empty workspace" "runyard --db on a missing file says it creates a workspace"

# -- K on a finished local run says why it cannot be cancelled
DB="$NEW"
restart
expect_screen "1/2 runs" "the main screen opens on the new workspace"
send K
expect_screen "cannot cancel: this run is finished, not running" "K on a finished run says why it cannot be cancelled"

# -- :save-display confirms what it saved
send :
type_text "save-display $T_TMP/shot.txt"
send Enter
expect_screen "saved the screen (120x40) to $T_TMP/" ":save-display confirms what it saved"
if [ -s "$T_TMP/shot.txt" ] && ! grep -qF "saved the screen" "$T_TMP/shot.txt"; then
	ok "the saved file holds the screen, not the confirmation"
else
	fail "the saved file holds the screen, not the confirmation"
fi

# -- GPU ids read as a count: "0" is "1 (id 0)", in `runyard show` and the detail
DB="$T_TMP/demo.db"
seed 10 5
"$RUNYARD" show --db "$DB" 1 >"$T_TMP/show1" 2>&1
if grep -qE '^  gpus +[0-9]+ \(ids? [0-9,]+\)$' "$T_TMP/show1"; then
	ok "runyard show gives the GPU count and ids"
else
	fail "runyard show gives the GPU count and ids ($(grep gpus "$T_TMP/show1"))"
fi
restart
expect_screen "1/10 runs" "the main screen opens on the demo"
send Enter
deadline=$(( $(date +%s) + T_WAIT ))
until screen | grep -qE 'GPUs +[0-9]+ \(ids? [0-9,]+\)' || [ "$(date +%s)" -gt "$deadline" ]; do sleep 0.05; done
if screen | grep -qE 'GPUs +[0-9]+ \(ids? [0-9,]+\)'; then
	ok "the run detail gives the GPU count and ids"
else
	fail "the run detail gives the GPU count and ids"
fi
send q q
wait_for "RUNYARD-EXITED" >/dev/null

# -- a vt100 and the Linux console get the ASCII fallback whatever the locale
# (LANG is C.UTF-8 here), and the separator is not black on black
for term in vt100 linux; do
	T_TERM=$term restart
	expect_screen "runyard - runs - " "TERM=$term: the title uses ASCII"
	sep=$(screen | sed -n 2p)
	case "$sep" in
	*"Experiments"*" | "*) ok "TERM=$term: the separator is ASCII" ;;
	*) fail "TERM=$term: the separator is ASCII" ;;
	esac
	# the SGR before the separator on the header line: no black foreground
	if tmux -S "$SOCK" capture-pane -p -e | sed -n 2p | sed 's/|.*//' | grep -q '\[30m'; then
		fail "TERM=$term: the separator is not black on black"
	else
		ok "TERM=$term: the separator is not black on black"
	fi
done
send q
wait_for "RUNYARD-EXITED" >/dev/null

# -- ties are not "best" in compare: two runs with the same loss, neither
# in the best colour (the default theme's 120)
DB="$T_TMP/tie.db"
for i in 1 2; do
	"$RUNYARD" run --db "$DB" -q -- sh -c 'echo "{\"step\": 1, \"loss\": 0.5}" >>"$RUNYARD_METRICS"' ||
		{ echo "Bail out! cannot track a run"; exit 1; }
done
restart
expect_screen "1/2 runs" "the main screen opens on two tied runs"
send Space Space c
expect_screen "comparing 2 runs" "c compares the two"
wait_for "best (min)" >/dev/null
if tmux -S "$SOCK" capture-pane -p -e | grep -F "loss" | grep -qF "38;5;120"; then
	fail "a tie on loss marks no run best"
else
	ok "a tie on loss marks no run best"
fi
send q q
wait_for "RUNYARD-EXITED" >/dev/null

# -- the "too small" message is whole on the smallest window (headless, 20x5)
printf 'resize 5 20\n:save-display %s\n' "$T_TMP/small" >"$T_TMP/small.script"
RUNYARD_TUI_SCRIPT="$T_TMP/small.script" "$RUNYARD" --db "$DB" >/dev/null 2>&1
small=$(tr '\n' ' ' <"$T_TMP/small" | tr -s ' ')
case "$small" in
*"runyard needs at least 60x15; the window is 20x5. Enlarge the window, or press Q to quit."*)
	ok "the too-small message fits 20x5 whole" ;;
*)	fail "the too-small message fits 20x5 whole (got: $small)" ;;
esac

# -- --theme light works from the build tree and from an install laid out as
# `make install DESTDIR=...` lays it out (bin/ and share/runyard/themes/),
# with no RUNYARD_THEMES to point at the themes
theme_ok() { # BINARY: light is applied, headless
	printf ':save-display %s\n' "$T_TMP/theme" >"$T_TMP/theme.script"
	env -u RUNYARD_THEMES RUNYARD_TUI_SCRIPT="$T_TMP/theme.script" "$1" --db "$DB" --theme light >/dev/null 2>&1 &&
		! grep -qF "not found" "$T_TMP/theme"
}
if theme_ok "$RUNYARD"; then ok "--theme light works from the build tree"; else fail "--theme light works from the build tree ($(tail -1 "$T_TMP/theme"))"; fi
mkdir -p "$T_TMP/inst/usr/bin" "$T_TMP/inst/usr/share/runyard/themes"
cp "$RUNYARD" "$T_TMP/inst/usr/bin/runyard"
cp "$SRCDIR"/themes/*.theme "$T_TMP/inst/usr/share/runyard/themes/"
if theme_ok "$T_TMP/inst/usr/bin/runyard"; then ok "--theme light works when installed"; else fail "--theme light works when installed ($(tail -1 "$T_TMP/theme"))"; fi

# -- the README names no file of this tree that does not exist (its docs
# and the .md files it names; install paths and example scripts aside)
missing=$(grep -oE '(docs/)?[A-Za-z0-9_-]+\.md|docs/[A-Za-z0-9_.-]+' "$SRCDIR/README.md" | sort -u |
	while read -r f; do [ -e "$SRCDIR/$f" ] || [ -e "$SRCDIR/docs/$f" ] || echo "$f"; done)
if [ -z "$missing" ]; then ok "the README names only files that exist"; else fail "the README names missing files: $missing"; fi
t_end
