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

# The column picker: the chosen columns first, in their order; tags offered
# too; J/K reorder; the order is remembered and saved with :save-display.
header() { # the table's header line in a :save-display file
	grep -m1 "NAME\|name" "$1"
}
order_is() { # FILE A B C: the header names A, B, C in that order
	h=$(header "$1") || return 1
	shift
	rest=$h
	for w in "$@"; do
		case $rest in *"$w"*) rest=${rest#*"$w"} ;; *) return 1 ;; esac
	done
}
send :
type_text "columns params.epochs,params.eta"
send Enter
expect_screen "epochs" "two param columns chosen"
send C
expect_screen "[x] params.epochs" "the picker lists the chosen columns, checked"
line_of() { screen | grep -n -F -- "$1" | head -1 | cut -d: -f1; }
[ "$(line_of "[x] params.epochs")" -lt "$(line_of "[x] params.eta")" ] 2>/dev/null &&
	[ "$(line_of "[x] params.eta")" -lt "$(line_of "[ ] source")" ] 2>/dev/null &&
	ok "... first, in the table's order" || fail "... first, in the table's order"
expect_screen "J/K move" "the status line says how to reorder"
expect_screen "J move down  K move up" "the hint bar names the move keys"
# above(A, B): item A is listed above item B
above() { sh -c 'a=$(tmux -S "$1" capture-pane -p | grep -n -F -- "$2" | cut -d: -f1); b=$(tmux -S "$1" capture-pane -p | grep -n -F -- "$3" | cut -d: -f1); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]' _ "$SOCK" "$1" "$2"; }
send J
wait_until above "[x] params.eta" "[x] params.epochs" &&
	ok "J moves the column under the cursor down" || fail "J moves the column under the cursor down"
send G
expect_screen "[ ] tags.sweep" "the picker offers tag keys (after the params and metrics)"
send /
type_text "tags.sweep"
send Enter Space Enter
expect_no_screen "J/K move" "Enter applies"
expect_screen "tags.swe" "the tag is a column"
send C
expect_screen "[x] tags.sweep" "the chosen tag is listed with the chosen columns"
wait_until above "[x] params.epochs" "[x] tags.sweep" && ok "... after them, in the table's order" ||
	fail "... after them, in the table's order"
send j j K
wait_until above "[x] tags.sweep" "[x] params.epochs" && ok "K moves the item under the cursor up" ||
	fail "K moves the item under the cursor up"
send Enter
expect_no_screen "J/K move" "Enter applies"
# saved_in_order FILE WHAT: :save-display FILE shows eta, the tag, epochs in that order
saved_in_order() {
	send :
	type_text "save-display $1"
	send Enter
	wait_until test -s "$1"
	order_is "$1" eta tags.swe epochs && ok "$2" || { fail "$2"; header "$1" | sed 's/^/#   |/'; }
}
saved_in_order "$T_TMP/cols.txt" ":save-display shows the columns in the chosen order, the tag among them"
send Q
expect_screen "RUNYARD-EXITED" "Q quits"
tui_start
expect_screen "runs" "the app starts again"
saved_in_order "$T_TMP/cols2.txt" "the order is remembered"

# The launch dialog checks GPUs as `launch --estimate` does, in its words,
# before connecting: the demo's a100-box-2 is simulated (a canned probe:
# some of its GPUs busy, max_gpus 8).
est() { "$RUNYARD" --db "$DB" launch -e cifar10-resnet --host a100-box-2 --gpus "$1" --estimate --json -- sleep 60 2>/dev/null; }
FREE=$(est 1 | jq -r .free_gpus)
TOO_MANY=$((FREE + 1))
FACT=$(est "$TOO_MANY" | jq -r .gpu_check_message | sed 's/;.*//')
case $FACT in "only $FREE of the 8 GPUs on a100-box-2 are free, $TOO_MANY asked") ok "the CLI's verdict, for comparison" ;;
	*) fail "the CLI's verdict, for comparison (got '$FACT')" ;; esac
REFUSAL=$("$RUNYARD" --db "$DB" launch -e cifar10-resnet --host a100-box-2 --gpus 9 --estimate -- sleep 60 2>&1 >/dev/null | sed 's/^runyard: //')
send L
expect_screen "Launch in experiment" "L opens the launch dialog"
send Enter C-u; type_text "sleep 60"; send Enter
send j Enter '/'; type_text a100-box-2; send Enter Enter
expect_screen "host        a100-box-2" "the demo host is picked"
send j Enter C-u; type_text 2; send Enter
expect_screen "free GPUs on a100-box-2: $FREE" "enough free: the dialog says how many"
send Enter C-u; type_text "$TOO_MANY"; send Enter
expect_screen "warning: $FACT" "more than are free: warned, in the CLI's words"
if screen | grep -q -- " --[a-z]"; then fail "... with the dialog's remedy, no CLI flag"; else ok "... with the dialog's remedy, no CLI flag"; fi
send Enter C-u; type_text 9; send Enter
expect_screen "$REFUSAL" "more than max_gpus: refused, in the CLI's words"
send j j j Enter
expect_screen "cannot launch: $REFUSAL" "... and [ Launch ] does not start it"
t_end
