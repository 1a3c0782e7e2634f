#!/bin/sh
# Issue 17, analysis in the terminal: a cursor on compare's chart whose
# legend reads every run's value there (nearest at or before) with its
# step, time and epoch, and the run's last, min and max; without the
# cursor the legend's last, min and max (last only below 80 columns);
# zoom and reset; :export FILE.svg of the zoomed range and of another axis;
# the x axis by key and by `:x NAME` (any metric, paired by step), named
# on the chart; small multiples (4 charts on screen, their titles' figures);
# the group chart over epochs; a run's charts with the cursor and a zoomed
# export; all without colour (NO_COLOR: the runs' letters) and in
# ASCII (vt100).  Two tracked runs log loss, tokens and an epoch, so every
# value on screen is known from `runyard metrics`.
. "$(dirname "$0")/lib.sh"
export NO_COLOR=1

# track NAME DIV: a run logging loss = DIV/i, tokens = 1000 i and the
# epoch at steps 10, 20, ... 60.
track() {
	"$RUNYARD" --db "$DB" run -q -e ana --name "$1" --pattern 'epoch = S(?<step>[0-9]+) ep=(?<value>[0-9]+)' -- \
		sh -c 'for i in 1 2 3 4 5 6; do
			echo "{\"step\": $((i*10)), \"loss\": $(('"$2"'/i)), \"tokens\": $((i*1000))}"
			echo "S$((i*10)) ep=$(( (i+1)/2 ))"
			sleep 0.02 # (points logged at distinct times: the time axes have a span)
		done' >/dev/null 2>"$T_TMP/track.err" ||
		{ echo "Bail out! cannot track a run: $(cat "$T_TMP/track.err")"; exit 1; }
}
track ep-a 60
track ep-b 120

# at KEY RUN STEP: the value (and step) of RUN's KEY at or before STEP,
# as "VALUE STEP", from the CLI.
at() {
	"$RUNYARD" --db "$DB" metrics "$2" "$1" --csv |
		awk -F, -v s="$3" -v k="$1" 'NR > 1 && $2 == k && $3 + 0 <= s + 0 { v = $5; st = $3 } END { print v, st }'
}
# cursor_step: the step the chart's title says the cursor is on.
cursor_step() { screen | sed -n 's/.*cursor step \([0-9]*\).*/\1/p' | head -1; }
# legend_row RUN: the legend row of RUN.
legend_row() { screen | grep -E "^ (■|#) [a-z] $1 " | head -1; }
# legend_reads RUN: RUN's legend row reads its loss at the cursor's step,
# with that point's step and epoch, and its last, min and max.
legend_reads() {
	local s v st e row
	s=$(cursor_step)
	[ -n "$s" ] || return 1
	set -- "$1" $(at loss "$1" "$s")
	v=$2 st=$3
	e=$(at epoch "$1" "$st" | cut -d' ' -f1)
	row=$(legend_row "$1")
	printf '%s\n' "$row" | grep -qF -- "$v @ step $st " &&
		printf '%s\n' "$row" | grep -qF -- "epoch $e" &&
		printf '%s\n' "$row" | grep -qF -- "last $LAST" &&
		printf '%s\n' "$row" | grep -qF -- "min $LAST" &&
		printf '%s\n' "$row" | grep -qF -- "max $MAX"
}
plot_rows() { screen | sed -n 's/^[^│|]*[│|]//p'; }
plot_braille() { plot_rows | LC_ALL=C grep -q "$(printf '\342[\240-\243]')"; }
cursor_drawn() { plot_rows | grep -qF -- "$1"; }
titles_with_values() { [ "$(screen | grep -oE '  a [0-9]+  b [0-9]+' | wc -l)" -ge 4 ]; }

tui_start
expect_screen "1/2 runs" "the main screen shows the two tracked runs"
send Space Space
expect_screen "2 marked" "both runs marked"
send c
expect_screen "comparing 2 runs" "c compares them"
expect_screen "loss  x: step" "the chart says its x axis: step"

# ---- the legend without the cursor: last, min and max ---------------------
# loss = 60/i and 120/i for i = 1..6
expect_screen "ep-a  last 10  min 10  max 60" "the legend gives ep-a's last, min and max loss"
expect_screen "ep-b  last 20  min 20  max 120" "and ep-b's"
tmux -S "$SOCK" resize-window -x 60 -y 40
expect_screen "ep-b  last 20" "60 columns: the legend still gives the last values"
expect_no_screen "min 10  max 60" "but not min and max (below 80 columns)"
tmux -S "$SOCK" resize-window -x 120 -y 40
expect_screen "ep-a  last 10  min 10  max 60" "120 columns again: last, min and max"

# ---- the cursor and the legend's readings ----------------------------------
send '>'
expect_screen "cursor step" "> shows the cursor, and the title says where"
LAST=10 MAX=60
if wait_until legend_reads ep-a; then ok "at the right edge the legend reads ep-a's last loss, step and epoch; last, min, max"
else fail "at the right edge the legend reads ep-a's last loss, step and epoch; last, min, max"; fi
LAST=20 MAX=120
if wait_until legend_reads ep-b; then ok "and ep-b's"
else fail "and ep-b's"; fi
if wait_until cursor_drawn "┊"; then ok "the cursor is drawn on the plot"; else fail "the cursor is drawn on the plot"; fi
before=$(cursor_step)
send H H
if wait_until sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p | sed -n 's/.*cursor step \([0-9]*\).*/\1/p' | head -1)\" -lt $before ]"
then ok "H moves the cursor back a quarter of the plot"; else fail "H moves the cursor back a quarter of the plot"; fi
LAST=10 MAX=60
if wait_until legend_reads ep-a; then ok "the legend reads ep-a's value at the moved cursor (at or before it)"
else fail "the legend reads ep-a's value at the moved cursor (at or before it)"; fi
send '<'
LAST=20 MAX=120
if wait_until legend_reads ep-b; then ok "< moves a column; ep-b's reading follows"
else fail "< moves a column; ep-b's reading follows"; fi

# ---- zoom and reset -----------------------------------------------------------
send z
expect_screen "mark step" "z marks a zoom's start"
send H
send z
expect_screen "x: step  zoom " "z again zooms to the marked range"
expect_no_screen "mark step" "the mark is gone once zoomed"
send Z
expect_no_screen "x: step  zoom " "Z shows everything again"
send +
expect_screen "x: step  zoom " "+ zooms in around the cursor"
# :export FILE.svg writes what the screen shows: the zoomed range only, on
# an x axis spanning the zoom.
ZOOM=$(screen | sed -n 's/.*x: step  zoom \([0-9.]*\)-\([0-9.]*\).*/\1 \2/p' | head -1)
send :
type_text "export $T_TMP/zoom.svg"
send Enter
# svg_axis FILE: "XLABEL|POINTS POINTS|TICK TICK ..." of an exported chart.
svg_axis() {
	python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as E
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(sys.argv[1]).getroot()
xl = [t.text for t in root.iter(ns + 'text') if t.get('class') == 'xlabel'][0]
pts = [str(len(l.get('points').split())) for l in root.iter(ns + 'polyline')]
ticks = [t.text for g in root.iter(ns + 'g') if g.get('class') == 'xticks' for t in g.iter(ns + 'text')]
print('%s|%s|%s' % (xl, ' '.join(pts), ' '.join(ticks)))
PY
}
zoom_svg() {
	[ -s "$T_TMP/zoom.svg" ] || return 1
	set -- $ZOOM "$(svg_axis "$T_TMP/zoom.svg")"
	python3 -c "
lo, hi, got = float('$1'), float('$2'), '$3'.split('|')
pts, ticks = [int(n) for n in got[1].split()], [float(t) for t in got[2].split()]
assert got[0] == 'step' and len(pts) == 2 and all(0 < n < 6 for n in pts), got
assert ticks and all(lo <= t <= hi for t in ticks) and ticks[-1] - ticks[0] >= (hi - lo) / 2, (lo, hi, ticks)
"
}
if [ -n "$ZOOM" ] && wait_until zoom_svg; then ok ":export while zoomed: the zoom's points on an axis spanning it ($ZOOM)"
else fail ":export while zoomed: the zoom's points on an axis spanning it ('$ZOOM': $(svg_axis "$T_TMP/zoom.svg" 2>&1))"; fi
send -
expect_no_screen "x: step  zoom " "- zooms out, to everything"

# ---- the x axis ---------------------------------------------------------------
send x
expect_screen "loss  x: epoch" "x: the runs log an epoch, so it comes next"
send x
expect_screen "loss  x: wall time" "x: wall time"
send x
expect_screen "loss  x: relative time" "x: relative time"
send :
type_text "export $T_TMP/rel.svg"
send Enter
# (the runs log their points within milliseconds: several share a pixel column)
rel_svg() { [ -s "$T_TMP/rel.svg" ] && svg_axis "$T_TMP/rel.svg" | grep -qE '^relative time\|[1-6] [1-6]\|0 [0-9.]+s( |$)'; }
if wait_until rel_svg; then ok ":export on relative time: its axis named, durations from 0"
else fail ":export on relative time: its axis named, durations from 0 ($(svg_axis "$T_TMP/rel.svg" 2>&1))"; fi
send x
expect_screen "loss  x: step" "x: back to step"
send :
type_text "x tokens"
send Enter
expect_screen "loss  x: tokens" ":x tokens charts loss against tokens seen (paired by step)"
send '>'
expect_screen "cursor tokens 6" "the cursor is read in tokens"
send :
type_text "x nosuch"
send Enter
expect_screen "not an x axis here" ":x with an unknown name says so"
send :
type_text "x step"
send Enter
expect_screen "loss  x: step" ":x step goes back"

# ---- small multiples --------------------------------------------------------
send v
expect_screen "2 runs, 4 metrics" "v shows small multiples of the runs' 4 metrics"
# :x step hid the cursor: each small chart's title gives the runs' figures,
# last, min and max where they fit its width, else the last values only
expect_screen "ep  a last 3  min 1  max 3  b last 3  min 1  max 3" "a small chart's title: each run's last, min, max"
expect_screen "loss  a 20  b 10" "where those do not fit: each run's last value"
send '>'
if wait_until titles_with_values; then ok "4 small charts on screen, each reading both runs at the cursor"
else fail "4 small charts on screen, each reading both runs at the cursor"; fi
for l in a b; do
	if wait_until sh -c "tmux -S '$SOCK' capture-pane -p | sed -n 's/^[^│]*│//p' | grep -q '$l'"
	then ok "NO_COLOR: letter $l on the small charts"; else fail "NO_COLOR: letter $l on the small charts"; fi
done
if wait_until plot_braille; then ok "the small charts draw braille curves"; else fail "the small charts draw braille curves"; fi
send v
expect_screen "comparing 2 runs" "v goes back to the table and one chart"

# ---- the group chart on the epoch axis ---------------------------------------------
# Grouped by name, each run is a group: its mean curve is its own loss.
send q u
expect_no_screen "marked" "marks cleared"
send :
type_text "group name"
send Enter
expect_screen "grouped by name" ":group name"
send c
expect_screen "by name  mean over step" "c charts the groups over step"
send x
expect_screen "by name  mean over epoch" "x: the runs log an epoch, so the group chart goes over it next"
expect_screen "x: epoch" "and its title names the axis"
gticks() { screen | grep -A1 '──────────' | tail -1 | sed 's/  */ /g'; }
epoch_ticks() { gticks | grep -qE '^ 1 .* 3$'; }
if wait_until epoch_ticks; then ok "the x labels run over the epochs, 1 to 3 ('$(gticks)')"
else fail "the x labels run over the epochs, 1 to 3 ('$(gticks)')"; fi
send '>'
expect_screen "@ epoch 3" "the cursor reads each group at an epoch"
send q :
type_text "ungroup"
send Enter
expect_screen "   name  " ":ungroup: the runs table again"

# ---- a run's charts -------------------------------------------------------------
send c
expect_screen "· charts ·" "c charts the run under the cursor"
send Right
expect_screen "at cursor: " "Right shows the cursor on a run's charts: each reads its value"
send :
type_text "x epoch"
send Enter
expect_screen "x: epoch" ":x epoch on a run's charts"
send +
expect_screen "x: epoch  zoom " "+ zooms a run's charts"
send :
type_text "export $T_TMP/run.svg loss"
send Enter
# the run's loss over the zoomed epochs: fewer than its 6 points, on an
# epoch axis spanning the zoom's half of 1..3
run_svg() {
	[ -s "$T_TMP/run.svg" ] || return 1
	svg_axis "$T_TMP/run.svg" | python3 -c "
import sys
xl, pts, ticks = sys.stdin.read().strip().split('|')
t = [float(v) for v in ticks.split()]
assert xl == 'epoch' and 0 < int(pts) < 6 and t and t[-1] - t[0] <= 1.01, (xl, pts, t)"
}
if wait_until run_svg; then ok ":export FILE.svg KEY on a run's charts: the zoomed epochs"
else fail ":export FILE.svg KEY on a run's charts: the zoomed epochs ($(svg_axis "$T_TMP/run.svg" 2>&1))"; fi
send q

# ---- ASCII (vt100) ---------------------------------------------------------------
T_TERM=vt100 tui_start
expect_screen "1/2 runs" "vt100: the main screen"
send Space Space c
expect_screen "comparing 2 runs" "vt100: compare"
send '>'
if wait_until sh -c "tmux -S '$SOCK' capture-pane -p | grep -qE '^ # [ab] ep-a .* @ step '"
then ok "vt100: the legend reads the cursor, '#' before each run"; else fail "vt100: the legend reads the cursor, '#' before each run"; fi
if wait_until cursor_drawn ":"; then ok "vt100: the cursor is drawn in ASCII"; else fail "vt100: the cursor is drawn in ASCII"; fi
if plot_braille; then fail "vt100: no braille on the plot"; else ok "vt100: no braille on the plot"; fi
send v
expect_screen "2 runs, 4 metrics" "vt100: small multiples"
send q q
if wait_for "RUNYARD-EXITED"; then ok "q quits"; else fail "q quits"; fi
if [ "$(cat "$T_TMP/exit_status" 2>/dev/null)" = 0 ]; then ok "runyard exits with status 0"
else fail "runyard exits with status 0"; fi
t_end
