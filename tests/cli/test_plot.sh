#!/bin/sh
# Issue 17, `runyard plot`: a metric's chart of runs as SVG on demo data:
# valid XML (python3's xml.etree reads it), one polyline per run holding
# every point of its history, the theme's series colours, a legend of run
# names, axes; the x axes and smoothing; long histories reduced per pixel
# column with their extremes kept; usage errors.
. "$(dirname "$0")/lib.sh"
DB="$T_TMP/ws.db"
"$RUNYARD" demo --db "$DB" --runs 12 --steps 40 >/dev/null 2>&1 || { echo "Bail out! demo failed"; exit 1; }
set -- $("$RUNYARD" runs --db "$DB" --filter 'status = finished and experiment = "cifar10-resnet"' -q)
A=$1 B=$2
[ -n "$B" ] || { echo "Bail out! the demo has fewer than two finished cifar runs"; exit 1; }

# svg_check FILE KEY AXIS RUN...: parse FILE; one polyline per RUN with as
# many points as its history of KEY holds; prints "ok" or what is wrong.
svg_check() {
	python3 - "$@" <<EOF2
import json, subprocess, sys, xml.etree.ElementTree as E
path, key, axis, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(path).getroot()
assert root.tag == ns + 'svg', root.tag
lines = [p for p in root.iter(ns + 'polyline')]
assert len(lines) == len(runs), 'polylines: %d for %d runs' % (len(lines), len(runs))
legend = [t.text for g in root.iter(ns + 'g') if g.get('class') == 'legend' for t in g.iter(ns + 'text')]
for line, run in zip(lines, runs):
    doc = json.loads(subprocess.run(['$RUNYARD', 'metrics', run, key, '--json', '--db', '$DB'],
                                    capture_output=True, text=True).stdout)
    n = len(doc['metrics'][key]['step'])
    got = len(line.get('points').split())
    # on another metric's axis points crowd into one pixel column (the
    # loss hardly moves late on) and are reduced there; elsewhere 40
    # points over 556 columns are all kept
    assert got == n or (axis not in ('step', 'relative time', 'wall time') and n / 2 < got < n), \
        'run %s: %d points, its history has %d' % (run, got, n)
    name = doc['run']['name']
    assert name in legend, 'legend lacks %s: %s' % (name, legend)
title = [t.text for t in root.iter(ns + 'text') if t.get('class') == 'title']
assert title and title[0].startswith(key), title
xl = [t.text for t in root.iter(ns + 'text') if t.get('class') == 'xlabel']
assert xl == [axis], xl
assert [g for g in root.iter(ns + 'g') if g.get('class') == 'xticks'][0].findall(ns + 'text'), 'no x ticks'
print('ok')
EOF2
}
check_svg() { if [ "$(svg_check "$@" 2>&1 | tail -1)" = ok ]; then ok "$1: valid, one polyline per run, every point"; else
	fail "$1: valid, one polyline per run, every point"; svg_check "$@" 2>&1 | sed 's/^/#   /'; fi; }

ry plot --db "$DB" "$A" "$B" --metric loss --svg "$T_TMP/loss.svg"
expect_rc 0 "plot writes the SVG"
check_svg "$T_TMP/loss.svg" loss step "$A" "$B"
grep -q 'stroke="#00afff"' "$T_TMP/loss.svg" && grep -q 'stroke="#ffaf00"' "$T_TMP/loss.svg" &&
	ok "the runs get the default theme's series-1 and series-2 colours" || fail "the series colours"
ry plot --db "$DB" "$A" "$B" --metric loss --svg "$T_TMP/loss2.svg"
cmp -s "$T_TMP/loss.svg" "$T_TMP/loss2.svg" && ok "the same plot twice is the same file" || fail "plot is stable"
ry plot --db "$DB" "$A" "$B" "$A" --metric val_acc --x loss --svg "$T_TMP/epoch.svg"
expect_rc 0 "--x METRIC (another metric of the runs)"
check_svg "$T_TMP/epoch.svg" val_acc loss "$A" "$B" "$A"
ry plot --db "$DB" "$A" --metric val_acc --x relative --smooth 0.6 --svg "$T_TMP/rel.svg"
expect_rc 0 "--x relative --smooth"
check_svg "$T_TMP/rel.svg" val_acc "relative time" "$A"
ry plot --db "$DB" "$A" --metric val_acc --x wall --log-y --svg -
expect_rc 0 "--svg - writes to stdout"
expect_out_has "<polyline" "stdout holds the SVG"

# 12 runs of 3,000 steps on an 800 px wide file (a 556 px plot): each
# polyline at most 4 points a pixel column, fewer than its history, and
# every run's lowest and highest value still where the full line puts
# them; the runs in the theme's 12 series colours, in order.
BIG="$T_TMP/big.db"
"$RUNYARD" demo --db "$BIG" --runs 36 --steps 3000 >/dev/null 2>&1 || { echo "Bail out! demo failed"; exit 1; }
set -- $("$RUNYARD" runs --db "$BIG" --filter 'experiment = "cifar10-resnet"' -q | head -12)
ry plot --db "$BIG" "$@" --metric loss --svg "$T_TMP/big.svg"
expect_rc 0 "plot of 12 runs x 3,000 steps"
big_check() {
	python3 - "$@" <<EOF2
import json, subprocess, sys, math, xml.etree.ElementTree as E
path, runs = sys.argv[1], sys.argv[2:]
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(path).getroot()
lines = [p for p in root.iter(ns + 'polyline')]
assert len(lines) == len(runs) == 12, 'polylines: %d for %d runs' % (len(lines), len(runs))
W, ML, MR, MT, MB, H = 800, 64, 180, 36, 48, 480
pw, ph = W - ML - MR, H - MT - MB
hist = []
for run in runs:
    doc = json.loads(subprocess.run(['$RUNYARD', 'metrics', run, 'loss', '--json', '--db', '$BIG'],
                                    capture_output=True, text=True).stdout)
    hist.append([v for v in doc['metrics']['loss']['value'] if v is not None and math.isfinite(v)])
lo, hi = min(min(h) for h in hist), max(max(h) for h in hist)
py = lambda v: MT + (hi - v) / (hi - lo) * ph
def rgb(c):
    lv = [0, 95, 135, 175, 215, 255]; i = c - 16
    return '#%02x%02x%02x' % (lv[i // 36], lv[(i // 6) % 6], lv[i % 6])
palette = [rgb(c) for c in (39, 214, 77, 204, 141, 44, 227, 167, 153, 106, 213, 180)]
long_ones = 0
for i, (line, h) in enumerate(zip(lines, hist)):
    pts = [tuple(map(float, p.split(','))) for p in line.get('points').split()]
    assert len(pts) <= 4 * (pw + 1), 'run %d: %d points for %d columns' % (i, len(pts), pw)
    if len(h) > 4 * (pw + 1):
        long_ones += 1
        assert len(pts) < len(h), 'run %d: not reduced (%d of %d)' % (i, len(pts), len(h))
    ys = [y for _, y in pts]
    for want in (py(min(h)), py(max(h))):
        assert min(abs(y - want) for y in ys) < 0.006, 'run %d: extreme at %.2f missing' % (i, want)
    assert line.get('stroke') == palette[i], 'run %d: %s, not %s' % (i, line.get('stroke'), palette[i])
assert long_ones >= 6, 'only %d runs longer than 4 points a column' % long_ones
ys = [float(p.split(',')[1]) for l in lines for p in l.get('points').split()]
assert min(ys) == MT and max(ys) == MT + ph, (min(ys), max(ys))
print('ok')
EOF2
}
if [ "$(big_check "$T_TMP/big.svg" "$@" 2>&1 | tail -1)" = ok ]; then
	ok "12 x 3,000 points: at most 4 a pixel column, the extremes kept, the palette's colours"
else
	fail "12 x 3,000 points: at most 4 a pixel column, the extremes kept, the palette's colours"
	big_check "$T_TMP/big.svg" "$@" 2>&1 | sed 's/^/#   /'
fi

# --x-range: the zoom of a screen.  From A's third logged step to its
# ninth: those 7 points, the first and last at the plot's edges.
set -- $("$RUNYARD" metrics --db "$DB" "$A" loss --csv | awk -F, 'NR == 4 || NR == 10 { print $3 }')
LO=$1 HI=$2
ry plot --db "$DB" "$A" --metric loss --x-range "$LO:$HI" --svg "$T_TMP/zoom.svg"
expect_rc 0 "--x-range LO:HI"
zoom_check() {
	python3 - "$1" <<'EOF2'
import sys, xml.etree.ElementTree as E
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(sys.argv[1]).getroot()
pts = [p.split(',') for p in next(root.iter(ns + 'polyline')).get('points').split()]
assert len(pts) == 7, pts
assert float(pts[0][0]) == 64 and float(pts[-1][0]) == 64 + 556, pts   # LO and HI at the plot's edges
print('ok')
EOF2
}
if [ -n "$HI" ] && [ "$(zoom_check "$T_TMP/zoom.svg" 2>&1 | tail -1)" = ok ]; then
	ok "--x-range: the points inside ($LO..$HI), the axis spanning it"
else
	fail "--x-range: the points inside ($LO..$HI), the axis spanning it"; zoom_check "$T_TMP/zoom.svg" 2>&1 | sed 's/^/#   /'
fi
ry plot --db "$DB" "$A" --metric loss --x-range 5:1 --svg "$T_TMP/x.svg"
expect_rc 2 "--x-range with LO above HI is bad usage"
ry plot --db "$DB" "$A" --metric loss --x-range 5 --svg "$T_TMP/x.svg"
expect_rc 2 "--x-range without a colon is bad usage"

ry plot --db "$DB" "$A" --svg "$T_TMP/x.svg"
expect_rc 2 "no --metric is bad usage"
ry plot --db "$DB" "$A" --metric loss
expect_rc 2 "no --svg is bad usage"
ry plot --db "$DB" "$A" --metric loss --smooth 2 --svg "$T_TMP/x.svg"
expect_rc 2 "--smooth out of range is bad usage"
ry plot --db "$DB" no-such-run --metric loss --svg "$T_TMP/x.svg"
expect_rc 1 "an unknown run fails"
ry plot --help
expect_rc 0 "plot --help"
expect_out_has "--metric KEY" "--help names --metric"
expect_out_has "--svg FILE" "--help names --svg"
expect_out_has "reduced per pixel column" "--help says lines are reduced per pixel column"
expect_out_has "--x-range LO:HI" "--help names --x-range"
ry --help
expect_out_has "  plot" "runyard --help lists plot"
ry completion bash
expect_out_has "plot" "the bash completion knows plot"
t_end
