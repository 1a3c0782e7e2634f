#!/bin/sh
# Issue 17, many runs from the command line: `runyard importance` ranks the
# params (text and --json, the method line both ways), `runyard parallel
# --svg` writes valid SVG with one polyline per run it says it drew, and
# both are in `runyard --help` with their own --help and usage errors.
. "$(dirname "$0")/lib.sh"
DB="$T_TMP/ws.db"
"$RUNYARD" demo --db "$DB" >/dev/null 2>&1 || { echo "Bail out! cannot seed the demo"; exit 1; }

for c in parallel importance; do
	ry --help
	expect_out_has "  $c " "runyard --help lists $c"
	ry "$c" --help
	expect_rc 0 "$c --help"
	expect_out_has "usage: runyard $c" "$c --help has its usage"
done

ry --db "$DB" importance -e cifar10-resnet
expect_rc 0 "importance ranks the params"
expect_out_has "Against val_acc over 36 runs" "the default metric is the experiment's main one, and the method says so"
expect_out_has "Spearman rho (Pearson r of average ranks)" "the method line says how rho is computed"
expect_out_has "Kruskal-Wallis H" "and how text params are ranked"
expect_out_has "optimizer" "a text param is ranked"

ry --db "$DB" importance -e cifar10-resnet --metric val_loss --filter "status = finished" --json
expect_rc 0 "importance --json"
if python3 - "$T_TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["metric"] == "metrics.val_loss", d["metric"]
assert d["runs"] > 0 and "Kruskal-Wallis" in d["method"]
eff = [p["effect"] for p in d["params"] if p["effect"] is not None]
assert eff == sorted(eff, reverse=True), eff
kinds = {p["param"]: p["kind"] for p in d["params"]}
assert kinds["optimizer"] == "categorical" and kinds["lr"] == "numeric", kinds
for p in d["params"]:
    if p["kind"] == "numeric":
        assert p["spearman"] is None or abs(p["effect"] - abs(p["spearman"])) < 1e-9
        assert p["groups"] is None
    else:
        assert p["groups"] >= 2 and p["spearman"] is None
PY
then ok "the JSON holds the rows sorted by effect, numeric and categorical"; else fail "the JSON holds the rows sorted by effect, numeric and categorical"; fi

ry --db "$DB" parallel -e cifar10-resnet --params lr,optimizer,batch_size --svg "$T_TMP/p.svg"
expect_rc 0 "parallel writes an SVG"
drawn=$(sed -n 's/^\([0-9]*\) of \([0-9]*\) runs drawn.*/\1/p' "$T_TMP/out")
[ -n "$drawn" ] && [ "$drawn" -gt 0 ] && ok "parallel says how many runs it drew ($drawn)" || fail "parallel says how many runs it drew"
if python3 - "$T_TMP/p.svg" "$drawn" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg"
lines = root.findall(ns + "polyline")
assert len(lines) == int(sys.argv[2]), (len(lines), sys.argv[2])
for l in lines:
    assert len(l.get("points").split()) == 4   # three params and the metric
texts = [t.text for t in root.iter(ns + "text")]
for label in ("lr", "optimizer", "batch_size", "val_acc", "adam", "sgd", "log"):
    assert label in texts, (label, texts)
assert len(root.findall(ns + "line")) == 4    # an axis each
PY
then ok "the SVG parses: one polyline per run drawn, an axis and its labels each"; else fail "the SVG parses: one polyline per run drawn, an axis and its labels each"; fi

# the same filter as the runs table: a brush's clause narrows it
ry --db "$DB" parallel -e cifar10-resnet --params lr,optimizer --filter "params.lr >= 0.01" --svg -
expect_rc 0 "parallel --svg - writes to stdout"
n=$(grep -c "<polyline" "$T_TMP/out")
want=$("$RUNYARD" --db "$DB" runs -e cifar10-resnet --filter "params.lr >= 0.01" -q | wc -l)
[ "$n" -eq "$want" ] && ok "the filter selects the runs the runs table lists ($n)" || fail "the filter selects the runs the runs table lists ($n != $want)"

ry --db "$DB" parallel -e cifar10-resnet
expect_rc 2 "parallel without --svg is a usage error"
expect_err_has "--svg FILE is needed" "and says what is missing"
ry --db "$DB" importance -e cifar10-resnet --metric lr
expect_rc 2 "a param as the metric is refused"
expect_err_has "is not a metric" "and says why"
ry --db "$DB" importance -e cifar10-resnet --filter "lr <"
expect_rc 2 "a bad filter is a usage error"
ry --db "$DB" importance --svg x
expect_rc 2 "importance takes no --svg"
t_end
