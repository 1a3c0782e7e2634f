#!/bin/sh
# Issue 17, editing and exporting from the screen, in a real terminal on
# demo data: a tag added with t lands in `runyard show --json`, T removes
# one picked from the run's tags, E renames (the table shows it), e edits
# the notes from the runs table, D deletes after a confirm naming the run
# (refused, in the CLI's words, for a run with a registered version; the
# marked runs with one confirm counting them); :export writes the table,
# the comparison and a chart in the very bytes `runyard runs --csv/--json`,
# `runyard compare --json` and `runyard plot --svg` write.
. "$(dirname "$0")/lib.sh"
ryc() { "$RUNYARD" "$@" --db "$DB"; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }
# same_file A B WHAT: byte for byte.
same_file() {
	if cmp -s "$1" "$2"; then ok "$3"; else fail "$3"; diff "$1" "$2" | head -20 | sed 's/^/#   /'; fi
}
# tag_of RUN KEY: the tag's value as `runyard show --json` gives it.
tag_of() {
	ryc show "$1" --json 2>/dev/null |
		python3 -c "import json,sys; print(json.load(sys.stdin)['tags'].get('$2', '<none>'))" 2>/dev/null
}
# cmd TEXT: a `:` command line.
cmd() { send :; type_text "$1"; send Enter; }

seed 12 30
# the demo registers versions of some runs: those deletes are refused
VSRC=$(ryc models --json | python3 -c "
import json, subprocess, sys
ids = set()
for m in json.load(sys.stdin)['models']:
    d = json.loads(subprocess.run(['$RUNYARD', 'model', m['name'], '--json', '--db', '$DB'],
                                  capture_output=True, text=True).stdout)
    ids.update(str(v['run']['id']) for v in d['versions'] if v.get('run'))
print(' '.join(sorted(ids)))")
[ -n "$VSRC" ] || { echo "Bail out! the demo registered no model version"; exit 1; }
KEEP=${VSRC%% *}
KEEPNAME=$(ryc show "$KEEP" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['name'])")
ryc rm "$KEEP" 2>"$T_TMP/rm.err" && { echo "Bail out! rm of a version's run was not refused"; exit 1; }
REFUSAL=$(sed 's/^runyard: //' "$T_TMP/rm.err" | cut -c1-60)

# the runs edited: finished demo runs without versions, by name, so nothing
# moves under them
NOTV=$(for v in $VSRC; do printf ' and id != %s' "$v"; done)
set -- $(ryc runs --filter "status = finished$NOTV" --sort name -q)
T1=$1 T2=$2 T3=$3 T4=$4
NAME1=$(ryc show "$T1" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['name'])")
export VISUAL= EDITOR=runyard-no-such-editor

tui_start
expect_screen "runs" "the runs screen opens"
cmd "filter id = $T1"
expect_screen "$NAME1" "the filter shows the run to edit"

# ---- tags ---------------------------------------------------------------
send t
expect_screen "tag (key=value):" "t asks for key=value"
type_text "owner=ana"
send Enter
expect_screen "tagged owner=ana" "Enter sets the tag"
wait_until [ "$(tag_of "$T1" owner)" = "ana" ] && ok "the tag shows in runyard show --json" ||
	fail "the tag shows in runyard show --json (got '$(tag_of "$T1" owner)')"
cmd "tag team=vision"
expect_screen "tagged team=vision" ":tag K=V sets a tag"
send T
expect_screen "Remove which tag?" "T lists the run's tags"
expect_screen "owner=ana" "the list shows key=value"
send /
type_text "team="
send Enter
send Enter
expect_screen "removed tag team" "Enter removes the tag picked"
wait_until [ "$(tag_of "$T1" team)" = "<none>" ] && ok "the tag is gone from runyard show --json" ||
	fail "the tag is gone from runyard show --json (got '$(tag_of "$T1" team)')"
expect_eq "$(tag_of "$T1" owner)" "ana" "the other tag stays"
cmd "untag owner"
expect_screen "removed tag owner" ":untag K removes a tag"

# ---- rename and notes -----------------------------------------------------
send E
expect_screen "rename $NAME1 to:" "E asks for the new name"
send C-u
type_text "renamed-in-tui"
send Enter
expect_screen "renamed to renamed-in-tui" "Enter renames"
cmd "filter id = $T1"
expect_screen "renamed-in-tui" "the table shows the new name"
cmd "rename 42"
expect_screen "not empty nor only digits" "a name of digits is refused as the CLI refuses it"
send e
expect_screen "notes:" "e on the runs table edits the notes"
send C-u
type_text "from the table"
send Enter
expect_screen "notes saved" "the notes are saved"
wait_until sh -c "'$RUNYARD' show '$T1' --db '$DB' | grep -q 'from the table'" &&
	ok "runyard show prints the notes" || fail "runyard show prints the notes"

# ---- export: the table ------------------------------------------------------
cmd "filter status = finished"
cmd "sort name"
cmd "columns lr,val_acc"
cmd "export $T_TMP/tui.csv"
expect_screen "exported" ":export FILE.csv writes the table"
ryc runs --filter 'status = finished' --sort name --columns lr,val_acc --csv >"$T_TMP/cli.csv"
same_file "$T_TMP/tui.csv" "$T_TMP/cli.csv" "the CSV is the bytes runyard runs --csv writes"
send X
expect_screen "export to" "X asks for the file"
type_text "$T_TMP/tui.json"
send Enter
expect_screen "tui.json" "Enter writes it"
wait_until [ -s "$T_TMP/tui.json" ]
ryc runs --filter 'status = finished' --sort name --columns lr,val_acc --json >"$T_TMP/cli.json"
same_file "$T_TMP/tui.json" "$T_TMP/cli.json" "the JSON is the bytes runyard runs --json writes"
cmd "export $T_TMP/tui.svg"
expect_screen "exports as FILE.csv or FILE.json" "the table refuses .svg, saying what it takes"

# ---- export: the comparison and its chart ------------------------------------
cmd "filter id = $T2 or id = $T3"
expect_screen "/2 runs" "the filter shows the two runs to compare"
send g
send Space
send Space
send c
expect_screen "compare" "c compares the two marked runs"
cmd "export $T_TMP/cmp.json"
expect_screen "exported the comparison" ":export FILE.json writes the comparison"
ryc compare "$T3" "$T2" --json >"$T_TMP/cli-cmp-a.json"
ryc compare "$T2" "$T3" --json >"$T_TMP/cli-cmp-b.json"
if cmp -s "$T_TMP/cmp.json" "$T_TMP/cli-cmp-a.json" || cmp -s "$T_TMP/cmp.json" "$T_TMP/cli-cmp-b.json"; then
	ok "the comparison is the bytes runyard compare --json writes"
else
	fail "the comparison is the bytes runyard compare --json writes"
fi
cmd "export $T_TMP/cmp.csv"
expect_screen "exported the comparison" ":export FILE.csv writes the comparison"
ryc compare "$T3" "$T2" --csv >"$T_TMP/cli-cmp-a.csv"
ryc compare "$T2" "$T3" --csv >"$T_TMP/cli-cmp-b.csv"
if cmp -s "$T_TMP/cmp.csv" "$T_TMP/cli-cmp-a.csv" || cmp -s "$T_TMP/cmp.csv" "$T_TMP/cli-cmp-b.csv"; then
	ok "the comparison's CSV is the bytes runyard compare --csv writes"
else
	fail "the comparison's CSV is the bytes runyard compare --csv writes"
fi
cmd "delete"
expect_screen ":delete works on the runs table and on a run's screen" "compare refuses :delete (the runs behind it are not what it shows)"
cmd "export $T_TMP/chart.svg"
expect_screen "chart of 2 runs" ":export FILE.svg writes the chart"
wait_until [ -s "$T_TMP/chart.svg" ]
KEY=$(python3 -c "
import xml.etree.ElementTree as E
t = E.parse('$T_TMP/chart.svg').getroot()
print([x for x in t.iter('{http://www.w3.org/2000/svg}text') if x.get('class') == 'title'][0].text)" 2>&1)
ORDER=$(python3 -c "import json; print(' '.join(str(r['id']) for r in json.load(open('$T_TMP/cmp.json'))['runs']))")
ryc plot $ORDER --metric "$KEY" --svg "$T_TMP/cli.svg"
same_file "$T_TMP/chart.svg" "$T_TMP/cli.svg" "the chart's SVG is the file runyard plot --svg writes"
python3 - "$T_TMP/chart.svg" "$KEY" $ORDER >"$T_TMP/svgcheck" 2>&1 <<EOF
import sys, json, subprocess, xml.etree.ElementTree as E
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(sys.argv[1]).getroot()
lines = list(root.iter(ns + 'polyline'))
assert len(lines) == len(sys.argv[3:]), 'polylines %d' % len(lines)
for line, run in zip(lines, sys.argv[3:]):
    out = subprocess.run(['$RUNYARD', 'metrics', run, sys.argv[2], '--json', '--db', '$DB'],
                         capture_output=True, text=True).stdout
    doc = json.loads(out)
    pts = doc['metrics'][sys.argv[2]]['step']
    assert len(line.get('points').split()) == len(pts), 'points %d vs %d' % (len(line.get('points').split()), len(pts))
print('ok')
EOF
grep -qx ok "$T_TMP/svgcheck" && ok "one polyline per run, with every point of its history" ||
	{ fail "one polyline per run, with every point of its history"; sed 's/^/#   /' "$T_TMP/svgcheck"; }
send q
expect_screen "Experiments" "q goes back to the runs"

# ---- delete -------------------------------------------------------------------
send u
cmd "filter id = $KEEP"
expect_screen "$KEEPNAME" "the run with a registered version is shown"
send D
expect_screen "delete run $KEEPNAME? (y/N)" "D asks, naming the run"
type_text y
send Enter
expect_screen "$REFUSAL" "deleting it is refused with the CLI's words"
ryc show "$KEEP" >/dev/null 2>&1 && ok "the refused run is still there" || fail "the refused run is still there"
cmd "filter id = $T1"
expect_screen "renamed-in-tui" "the run to delete is shown"
send D
expect_screen "delete run renamed-in-tui? (y/N)" "D names the run"
send Enter
expect_screen "not deleted" "anything but y keeps it"
send D
type_text y
send Enter
expect_screen "deleted run renamed-in-tui" "y deletes it"
wait_until sh -c "! '$RUNYARD' show '$T1' --db '$DB' >/dev/null 2>&1" && ok "runyard show no longer finds it" ||
	fail "runyard show no longer finds it"
cmd "filter id = $T3 or id = $T4"
expect_screen "/2 runs" "the filter shows the two runs to delete"
send g
send Space
send Space
send D
expect_screen "delete the 2 marked runs? (y/N)" "with marks, D says how many"
type_text y
send Enter
expect_screen "deleted 2 runs" "y deletes every marked run"
wait_until sh -c "! '$RUNYARD' show '$T4' --db '$DB' >/dev/null 2>&1" && ok "the marked runs are gone" ||
	fail "the marked runs are gone"

# ---- a run's charts, and editing from the run's screen -------------------
cmd "filter id = $T2"
expect_screen "/1 run" "the filter shows one run"
send c
expect_screen "metrics  x: step" "c with nothing marked charts the run"
cmd "export $T_TMP/one.svg val_acc"
expect_screen "exported the val_acc chart of 1 run" ":export FILE.svg KEY on a run's charts"
ryc plot "$T2" --metric val_acc --svg "$T_TMP/one-cli.svg"
same_file "$T_TMP/one.svg" "$T_TMP/one-cli.svg" "the run's chart is the file runyard plot --svg writes"
send q
expect_screen "Experiments" "q goes back to the runs"
send Enter
expect_screen "Params" "Enter opens the run"
send t
expect_screen "tag (key=value):" "t on the run's screen asks for a tag"
type_text "from=detail"
send Enter
wait_until [ "$(tag_of "$T2" from)" = "detail" ] && ok "the tag set on the run's screen is saved" ||
	fail "the tag set on the run's screen is saved"
send D
expect_screen "delete run " "D on the run's screen asks"
type_text y
send Enter
expect_screen "Experiments" "deleting the run closes its screen"
expect_screen "deleted run" "and says so"
wait_until sh -c "! '$RUNYARD' show '$T2' --db '$DB' >/dev/null 2>&1" && ok "the run is gone" || fail "the run is gone"
send q
wait_for "RUNYARD-EXITED"
t_end
