#!/bin/sh
# Issue 17, analysis in the terminal: grouped runs and saved views, on the
# real binary in tmux with demo data.  `:group optimizer` shows one row per
# optimizer with the same counts and mean ± std as `runyard runs --group
# optimizer --json`; c charts the groups' means with a band (':' under
# vt100, letters under NO_COLOR), each group's last, min and max, compare's
# zoom and x axes (wall, relative time, :x METRIC) and :export FILE.svg of
# what is shown; Enter filters to a group; config groups; a view saved
# by name and the automatic one come back after quitting and starting
# again; `runyard runs --view` applies the saved one.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 is not installed"; exit 77; }
seed 40 40

# What the CLI says each group's row should read: "VALUE N MEAN ± STD".
"$RUNYARD" --db "$DB" runs -e cifar10-resnet --group optimizer -c val_acc --json >"$T_TMP/groups.json" ||
	{ echo "Bail out! runs --group --json failed"; exit 1; }
python3 - "$T_TMP/groups.json" >"$T_TMP/expect" <<'PY'
import json, sys
for g in json.load(open(sys.argv[1])):
    s = g["columns"]["val_acc"]
    cell = "-" if s["n"] == 0 else ("%.4g" % s["mean"]) if s["std"] is None else "%.4g ± %.4g" % (s["mean"], s["std"])
    print("%s|%d|%s" % (g["group"] if g["group"] is not None else "(none)", g["runs"], cell))
PY
[ -s "$T_TMP/expect" ] || { echo "Bail out! no groups in the CLI's JSON"; exit 1; }

# row_matches VALUE N CELL: a screen line holds the group's value, its
# count and its cell, in that order.
row_matches() {
	screen | grep -E -- "(^| )$1 +$2 +$(printf '%s' "$3" | sed 's/[.+]/\\&/g')( |$)" >/dev/null
}

tui_start
expect_screen "1/40 runs" "the main screen opens"
send Tab j j Tab
expect_screen "exp: cifar10-resnet" "cifar10-resnet selected"
send :
type_text "columns val_acc,loss"
send Enter
expect_screen "columns: val_acc,loss" "the metric columns are set"
send :
type_text "group optimizer"
send Enter
expect_screen "grouped by optimizer" "grouping says what it did"
expect_screen "groups of 20 runs" "the status line counts groups and runs"
while IFS='|' read -r value n cell; do
	if wait_until row_matches "$value" "$n" "$cell"; then
		ok "group row '$value': $n runs, val_acc $cell as runs --group --json says"
	else
		fail "group row '$value': $n runs, val_acc $cell as runs --group --json says"
	fi
done <"$T_TMP/expect"

# s on val_acc sorts the groups by its mean, best first with S.
send l l S
expect_screen "sort: val_acc:desc" "S on a group's metric sorts by it"
best=$(python3 -c '
import json,sys
g=[x for x in json.load(open(sys.argv[1])) if x["columns"]["val_acc"]["n"]]
print(max(g,key=lambda x:x["columns"]["val_acc"]["mean"])["group"])' "$T_TMP/groups.json")
first_group() { screen | sed -n 3p | grep -q -- "$best"; }
if wait_until first_group; then ok "the group with the best mean val_acc ($best) comes first"; else fail "the group with the best mean val_acc ($best) comes first"; fi

# c while grouped: each group's mean curve with a band.
send c
expect_screen "by optimizer  mean over step, band: min-max" "c charts the groups: mean curves with a min-max band"
expect_screen "a optimizer = adam" "the legend gives each group a letter"
# Without the cursor each group's row gives its mean curve's last, min, max.
legend_stats() {
	screen | python3 -c "
import re, sys
rows = [m for m in (re.search(r'optimizer = .* runs  last (\S+)  min (\S+)  max (\S+)', l) for l in sys.stdin) if m]
assert len(rows) == 3, len(rows)
assert all(float(mn) <= float(last) <= float(mx) for last, mn, mx in (r.groups() for r in rows))
print('ok')" 2>&1 | grep -qx ok
}
if wait_until legend_stats; then ok "each group's row: last, min and max of its mean curve"
else fail "each group's row: last, min and max of its mean curve"; fi
# The chart cursor, as compare's: > shows it at the latest step, < moves it;
# the legend reads each group's mean and band there.
cursor_step() { screen | sed -n 's/.* optimizer = .*@ step \([0-9]*\).*/\1/p' | sort -n | tail -1; }
send '>'
expect_screen "@ step" "> shows the chart cursor; the legend reads each group's mean and band at its step"
S1=$(cursor_step)
screen | python3 -c "
import re, sys
rows = [m for m in (re.search(r'mean (\S+)  band (\S+)\.\.(\S+) @ step', l) for l in sys.stdin) if m]
assert len(rows) == 3, len(rows)
assert all(float(lo) <= float(mean) <= float(hi) for mean, lo, hi in (r.groups() for r in rows))
print('ok')" >"$T_TMP/legend" 2>&1
grep -qx ok "$T_TMP/legend" && ok "every group's row reads a mean inside its band" ||
	{ fail "every group's row reads a mean inside its band"; sed 's/^/#   /' "$T_TMP/legend"; }
send '<' '<' '<' '<' '<' '<' '<' '<'
step_moved() { s=$(cursor_step); [ -n "$S1" ] && [ -n "$s" ] && [ "$s" -lt "$S1" ]; }
if wait_until step_moved; then ok "< moves the cursor back to an earlier step"; else fail "< moves the cursor back to an earlier step (step '$S1' -> '$(cursor_step)')"; fi
send B
expect_screen "band: mean ± std" "B switches the band to mean ± std"

# Zoom and the x axis, as on compare; :export FILE.svg writes what is shown.
# xticks: the labels under the plot's axis line.
xticks() { screen | grep -A1 '──────────' | tail -1 | sed 's/  */ /g'; }
# svg_series FILE: "POLYLINES POLYGONS XLABEL POINTS..." of an exported chart.
svg_series() {
	python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as E
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(sys.argv[1]).getroot()
lines = list(root.iter(ns + 'polyline'))
bands = [p for p in root.iter(ns + 'polygon') if p.get('class') == 'band']
xl = [t.text for t in root.iter(ns + 'text') if t.get('class') == 'xlabel']
print(len(lines), len(bands), '"%s"' % xl[0], *[len(l.get('points').split()) for l in lines])
PY
}
T0=$(xticks)
send :
type_text "export $T_TMP/groups-all.svg"
send Enter
expect_screen "exported the loss chart of 3 groups" ":export FILE.svg on the group chart"
send +
expect_screen "x: step  zoom " "+ zooms the group chart in"
zoomed_ticks() { t=$(xticks); [ -n "$t" ] && [ "$t" != "$T0" ]; }
if wait_until zoomed_ticks; then ok "zoomed, the x axis' labels change ('$T0' -> '$(xticks)')"
else fail "zoomed, the x axis' labels change (still '$T0')"; fi
send :
type_text "export $T_TMP/groups-zoom.svg"
send Enter
if wait_until test -s "$T_TMP/groups-zoom.svg"; then ok ":export while zoomed"; else fail ":export while zoomed"; fi
set -- $(svg_series "$T_TMP/groups-all.svg")
all_n=$4
[ "$1 $2 $3" = '3 3 "step"' ] && ok "the SVG: 3 mean lines, 3 bands, x: step" || fail "the SVG: 3 mean lines, 3 bands, x: step ($*)"
set -- $(svg_series "$T_TMP/groups-zoom.svg")
[ "$1 $2" = "3 3" ] && [ "$4" -lt "$all_n" ] && ok "the zoomed export holds the zoomed range only ($4 of $all_n points)" ||
	fail "the zoomed export holds the zoomed range only ($*; all: $all_n)"
send Z
expect_no_screen "x: step  zoom " "Z shows all the steps again"
same_ticks() { [ "$(xticks)" = "$T0" ]; }
if wait_until same_ticks; then ok "and the labels are those of all the data"; else fail "and the labels are those of all the data ('$(xticks)')"; fi
send x
expect_screen "mean over wall time" "x: the group chart's means over wall-clock time"
send x
expect_screen "mean over relative time" "x again: over the time since each run's start"
dur_ticks() { xticks | grep -qE '(^| )[0-9]+[hm]( |$)'; }
if wait_until dur_ticks; then ok "the x labels are durations ('$(xticks)')"; else fail "the x labels are durations ('$(xticks)')"; fi
send :
type_text "export $T_TMP/groups-rel.svg"
send Enter
if wait_until test -s "$T_TMP/groups-rel.svg"; then ok ":export on relative time"; else fail ":export on relative time"; fi
set -- $(svg_series "$T_TMP/groups-rel.svg")
[ "$1 $2 $3 $4" = '3 3 "relative time"' ] && ok "its SVG names the axis: relative time" ||
	fail "its SVG names the axis: relative time ($*)"
send :
type_text "x acc"
send Enter
expect_screen "mean over acc" ":x acc: the means over another metric of the runs"
send :
type_text "x step"
send Enter
expect_screen "mean over step" ":x step goes back"
send B q
expect_screen "group: optimizer" "q goes back to the group rows"

# The automatic view is saved as it changes; a named one on request.
send :
type_text "view save by-opt"
send Enter
expect_screen "view by-opt saved" "a view is saved by name"
send Q
wait_for "RUNYARD-EXITED" || fail "Q quits"

# Each session below starts on every experiment and selects one itself, so
# the experiment remembered at quit (tui.experiment) is forgotten first.
forget_experiment() { sqlite3 "$DB" "DELETE FROM settings WHERE key = 'tui.experiment'"; }
forget_experiment
tui_start
expect_screen "exp: all" "started again"
send Tab j j Tab
expect_screen "group: optimizer" "reopened, the experiment is grouped again (its automatic view)"
expect_screen "sort: val_acc:desc" "and sorted as it was"

# Enter on a group: its runs, by a filter.
send g Enter
expect_screen "filter: params.optimizer = \"$best\"" "Enter on a group filters the table to it"
n_best=$(grep "^$best|" "$T_TMP/expect" | cut -d'|' -f2)
expect_screen "/$n_best runs" "and shows the group's $n_best runs"
send Escape
expect_screen "filter: (none)" "Esc clears that filter"

# The named view comes back wherever it is asked for.
send :
type_text "view"
send Enter
expect_screen "views: by-opt" ":view lists the saved views"
send :
type_text "view by-opt"
send Enter
expect_screen "group: optimizer" ":view NAME brings back the grouping"
send :
type_text "ungroup"
send Enter
expect_no_screen "group: optimizer" ":ungroup ends it"

# Seeds of one config collapse: every group's runs differ only in seed.
send :
type_text "group config"
send Enter
expect_screen "grouped by config" "grouped by config"
send Q
wait_for "RUNYARD-EXITED" || fail "Q quits"

# ASCII and no colour: the band is ':' fill, the groups are letters on the
# lines and in the legend.
export NO_COLOR=1
forget_experiment
T_TERM=vt100 tui_start
expect_screen "exp: all" "vt100 + NO_COLOR: started"
send Tab j j Tab
expect_screen "exp: cifar10-resnet" "vt100: cifar10-resnet"
send :
type_text "view by-opt"
send Enter
expect_screen "group: optimizer" "vt100: grouped by the saved view"
send c
expect_screen "# a optimizer = adam" "vt100: the legend has '#' and the letters"
# val_acc: runs that diverged leave a wide min-max band
title_changed() { [ "$(screen | sed -n 2p)" != "$before" ]; }
for i in 1 2 3 4 5 6 7 8; do
	screen | grep -q "val_acc by optimizer" && break
	before=$(screen | sed -n 2p)
	send m
	wait_until title_changed
done
expect_screen "val_acc by optimizer" "vt100: m charts the next metric (val_acc)"
band_fill() { [ "$(screen | sed -n '6,34p' | tr -cd ':' | wc -c)" -gt 20 ]; }
if wait_until band_fill; then ok "vt100: the band is drawn as ':' fill"; else fail "vt100: the band is drawn as ':' fill"; fi
letters_on_chart() { screen | sed -n '6,36p' | grep -q '[abc]'; }
if wait_until letters_on_chart; then ok "NO_COLOR: the groups' letters are on the chart"; else fail "NO_COLOR: the groups' letters are on the chart"; fi
send q Q
unset NO_COLOR
wait_for "RUNYARD-EXITED" || fail "Q quits"

out=$("$RUNYARD" --db "$DB" runs -e cifar10-resnet --view by-opt 2>&1)
if printf '%s\n' "$out" | head -1 | grep -q '^optimizer  *runs'; then
	ok "runyard runs --view by-opt prints the grouped table"
else
	fail "runyard runs --view by-opt prints the grouped table (got: $out)"
fi
cfg=$("$RUNYARD" --db "$DB" runs -e cifar10-resnet --group config --json | python3 -c '
import json,sys
print(all("seed=" not in (g["group"] or "") for g in json.load(sys.stdin)))')
if [ "$cfg" = True ]; then ok "a config group leaves the seed out of its value"; else fail "a config group leaves the seed out of its value"; fi
t_end
