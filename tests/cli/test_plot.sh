#!/bin/sh
# Issue 17, `runyard plot`: a metric's chart of runs as SVG on demo data:
# valid XML (python3's xml.etree reads it), one polyline per run holding
# every point of its history, the theme's series colours, a legend of run
# names, axes; the x axes and smoothing; usage errors.
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
    assert got == n, 'run %s: %d points, its history has %d' % (run, got, n)
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
ry --help
expect_out_has "  plot" "runyard --help lists plot"
ry completion bash
expect_out_has "plot" "the bash completion knows plot"
t_end
