#!/bin/sh
# The scripted headless mode (tig's approach): RUNYARD_TUI_SCRIPT feeds keys
# and commands to a screen drawn on /dev/null; `:save-display` writes it.
# Exact screen checks without a terminal: user key bindings from the config
# file, the minimum size message, the column picker remembered per
# experiment, :sort/:columns errors, --demo cleaning up after itself.
T_SIZE=100x30
. "$(dirname "$0")/headless_lib.sh"

"$RUNYARD" demo --db "$DB" --runs 30 --steps 20 >/dev/null || { echo "Bail out! demo failed"; exit 1; }

# script FILE: run the TUI headless on $DB with the script in FILE.
script() { RUNYARD_TUI_SCRIPT="$1" "$RUNYARD" --db "$DB" >"$T_TMP/out" 2>"$T_TMP/err"; RC=$?; }

cat >"$T_TMP/s1" <<EOF2
:save-display $T_TMP/d1
j j
:save-display $T_TMP/d2
resize 12 50
:save-display $T_TMP/small
resize 30 100
:sort no_such_field
:save-display $T_TMP/badsort
:columns params.lr,metrics.acc
:save-display $T_TMP/cols
EOF2
script "$T_TMP/s1"
[ "$RC" -eq 0 ] && ok "a script runs to its end and exits 0" || fail "a script runs to its end and exits 0 (status $RC)" "$T_TMP/err"
has "$T_TMP/d1" "1/30 runs" "the first frame shows the run count"
has "$T_TMP/d2" "3/30 runs" "keys from the script move the cursor"
has "$T_TMP/small" "needs at least 60x15" "below the minimum size a message is shown"
has "$T_TMP/badsort" "no_such_field" "a bad :sort names the unknown field"
has "$T_TMP/cols" "columns: params.lr,metrics.acc" ":columns sets the columns"
[ "$(sed -n 2p "$T_TMP/cols" | grep -c 'lr.*acc')" = 1 ] && ok "the table shows the chosen columns in order" ||
	fail "the table shows the chosen columns in order" "$T_TMP/cols"

# The columns are remembered for the workspace's "all experiments" view.
printf ':save-display %s\n' "$T_TMP/cols2" >"$T_TMP/s2"
script "$T_TMP/s2"
[ "$(sed -n 2p "$T_TMP/cols2" | grep -c 'lr.*acc')" = 1 ] && ok "chosen columns are remembered" ||
	fail "chosen columns are remembered" "$T_TMP/cols2"

# User bindings from the config file go through the same path as defaults.
mkdir -p "$XDG_CONFIG_HOME/runyard"
cat >"$XDG_CONFIG_HOME/runyard/config" <<EOF2
[keys]
J = page-down
[keys main]
x = compare
EOF2
printf 'J\n:save-display %s\n?\n:save-display %s\n' "$T_TMP/k1" "$T_TMP/k2" >"$T_TMP/s3"
script "$T_TMP/s3"
lacks "$T_TMP/k1" " 1/30 runs" "a user binding (J = page-down) works"
has "$T_TMP/k2" "c, x" "help lists a user binding next to the default"
cat >"$XDG_CONFIG_HOME/runyard/config" <<EOF2
[keys]
j = no-such-action
EOF2
printf ':save-display %s\n' "$T_TMP/k3" >"$T_TMP/s4"
script "$T_TMP/s4"
has "$T_TMP/k3" "unknown action 'no-such-action'" "a bad binding is reported on screen"
# The config's theme is used (and a missing one reported).
printf 'theme = no-such-theme\n' >"$XDG_CONFIG_HOME/runyard/config"
printf ':save-display %s\n' "$T_TMP/k4" >"$T_TMP/s4b"
script "$T_TMP/s4b"
has "$T_TMP/k4" "theme 'no-such-theme' not found" "the config file's theme is applied"
rm -f "$XDG_CONFIG_HOME/runyard/config"

# A theme file with an error: file, line, and the default kept.
printf 'title = purple-ish on black\n' >"$T_TMP/bad.theme"
printf ':save-display %s\n' "$T_TMP/t1" >"$T_TMP/s5"
RUNYARD_TUI_SCRIPT="$T_TMP/s5" "$RUNYARD" --db "$DB" --theme "$T_TMP/bad.theme" >/dev/null 2>&1
has "$T_TMP/t1" "bad.theme:1" "a broken theme file is named with its line"

# NO_COLOR and ASCII fallback still draw the screen.
printf ':save-display %s\n' "$T_TMP/nc" >"$T_TMP/s6"
NO_COLOR=1 LANG=C LC_ALL=C RUNYARD_TUI_SCRIPT="$T_TMP/s6" "$RUNYARD" --db "$DB" >/dev/null 2>&1
has "$T_TMP/nc" "1/30 runs" "NO_COLOR and a non-UTF-8 locale still draw"
if LC_ALL=C grep -q "$(printf '\342')" "$T_TMP/nc"; then fail "no UTF-8 in the ASCII fallback" "$T_TMP/nc"; else ok "no UTF-8 in the ASCII fallback"; fi

# --demo: seeds a temporary workspace and removes it on exit.
mkdir -p "$T_TMP/tmp"
printf ':save-display %s\n' "$T_TMP/demo" >"$T_TMP/s7"
TMPDIR="$T_TMP/tmp" RUNYARD_TUI_SCRIPT="$T_TMP/s7" "$RUNYARD" --demo >/dev/null 2>"$T_TMP/err"
has "$T_TMP/demo" "runs" "--demo opens on a seeded workspace"
[ -z "$(ls -A "$T_TMP/tmp")" ] && ok "--demo removes its workspace on exit" || fail "--demo removes its workspace on exit"

# Every screen and most actions in one script: under the sanitizer build
# any memory error or leak makes the exit status non-zero or writes stderr.
cat >"$T_TMP/s8" <<EOF2
Space Space Space u Space Space Space
c
m m p x x x RBracket RBracket LBracket l b Right b i i M j Enter
Right Enter e
type  edited in a script
Enter
F F Tab Tab G g / commit
type commit
Enter
n N q
C-d C-u PgDn PgUp End Home j k q
?
f
type sort
Enter
n q
C
Space j Space Enter
Tab j j Enter h h l l s S
/
type status = running or
C-u
type status = finished
Enter
f
type a
Enter
n N
:sort duration:desc
:filter cost > 1
:filter
:columns
C-l
:save-display $T_TMP/all
:nosuch
Q
EOF2
script "$T_TMP/s8"
[ "$RC" -eq 0 ] && ok "a script through every screen exits 0" || fail "a script through every screen exits 0 (status $RC)" "$T_TMP/err"
[ ! -s "$T_TMP/err" ] && ok "... and writes nothing to stderr" || fail "... and writes nothing to stderr" "$T_TMP/err"
has "$T_TMP/all" "sort: duration:desc" "commands from a script apply"

# A run tracked by `runyard run`: its log and captured metrics in the detail.
if "$RUNYARD" --db "$T_TMP/tracked.db" run --name logged -- sh -c 'echo hello-from-log; echo "loss: 0.5"; echo "loss: 0.25"' \
	>/dev/null 2>&1; then
	printf 'Enter\nF\n:save-display %s\n' "$T_TMP/log" >"$T_TMP/s10"
	RUNYARD_TUI_SCRIPT="$T_TMP/s10" "$RUNYARD" --db "$T_TMP/tracked.db" >/dev/null 2>&1
	has "$T_TMP/log" "hello-from-log" "the detail shows the run's log"
	has "$T_TMP/log" "following the log" "F follows the log"
else
	fail "runyard run tracks a command for the log test"
fi

# An empty new workspace, and a file that is not a workspace.
printf ':save-display %s\n' "$T_TMP/empty" >"$T_TMP/s9"
RUNYARD_TUI_SCRIPT="$T_TMP/s9" "$RUNYARD" --db "$T_TMP/new.db" >/dev/null 2>"$T_TMP/err"; RC=$?
[ "$RC" -eq 0 ] && ok "a new workspace opens" || fail "a new workspace opens (status $RC)" "$T_TMP/err"
has "$T_TMP/empty" "No runs yet" "an empty workspace says how to get runs"
echo "not a database" >"$T_TMP/text.db"
RUNYARD_TUI_SCRIPT="$T_TMP/s9" "$RUNYARD" --db "$T_TMP/text.db" >/dev/null 2>"$T_TMP/err"; RC=$?
[ "$RC" -ne 0 ] && grep -q "runyard:" "$T_TMP/err" && ok "a file that is not a workspace is refused before drawing" ||
	fail "a file that is not a workspace is refused before drawing (status $RC)" "$T_TMP/err"
[ "$(cat "$T_TMP/text.db")" = "not a database" ] && ok "... and left untouched" || fail "... and left untouched"

# Without a terminal (a pipe, cron) the app says what to use instead.
"$RUNYARD" --db "$DB" </dev/null >"$T_TMP/out" 2>"$T_TMP/err"; RC=$?
[ "$RC" -eq 1 ] && grep -q "needs a terminal" "$T_TMP/err" && ok "without a terminal the app explains itself" ||
	fail "without a terminal the app explains itself (status $RC)" "$T_TMP/err"

# A missing script is a clear error.
RUNYARD_TUI_SCRIPT="$T_TMP/nope" "$RUNYARD" --db "$DB" >/dev/null 2>"$T_TMP/err"; RC=$?
[ "$RC" -eq 2 ] && grep -q "cannot read the script" "$T_TMP/err" && ok "a missing script is reported" ||
	fail "a missing script is reported" "$T_TMP/err"

echo "1..$N"
[ "$FAILS" -eq 0 ]
