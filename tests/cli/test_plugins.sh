#!/bin/bash
# Exec plugins (issue 12): `runyard plugins` lists what it finds with its
# handshake; `runyard import` drives a tracker plugin.  Small Python plugins
# written here misbehave in every way the issue names (hang, crash, early
# exit, garbage, invalid UTF-8, a 100 MB line, another protocol): each gives
# an error that names the plugin and shows its stderr's end, sanitised, in
# bounded time, and leaves no half-imported run.  The shipped lightning-csv
# plugin imports a fixture in the exact format Lightning's CSVLogger writes,
# and importing it again updates or skips instead of duplicating.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not found"; exit 0; }
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN="$T_TMP/bin"
DB="$T_TMP/ws.db"
mkdir -p "$BIN"
export RUNYARD_PLUGIN_TIMEOUT=2
export PATH="$BIN:$PATH"

. "$SRC/tests/helpers/plugins.sh"
# plugin NAME BODY: an exec plugin in $BIN (write_plugin, tests/helpers/plugins.sh).
plugin() { write_plugin "$BIN" "$T_TMP" "$@"; }

RUN1='send({"id": rid, "event": "run_begin", "run_id": "a", "experiment": "x", "name": "first", "started": 1700000000})
send({"id": rid, "event": "param", "key": "lr", "value": 0.1})
send({"id": rid, "event": "metric", "key": "loss", "points": [[0, None, 1.0], [1, 1700000000.5, "NaN"]]})
send({"id": rid, "event": "run_end", "status": "finished", "ended": 1700000001})'
HALF='send({"id": rid, "event": "run_begin", "run_id": "b", "experiment": "x"})
send({"id": rid, "event": "metric", "key": "loss", "points": [[0, None, 2.0]]})'

plugin good "$RUN1
send({\"id\": rid, \"ok\": True})"
plugin hang "$HALF
time.sleep(600)"
plugin crash "$RUN1
$HALF
sys.stderr.write('Traceback: boom\x1b[2J\x07 red\n'); sys.stderr.flush()
os._exit(3)"
plugin segv "$HALF
import signal; os.kill(os.getpid(), signal.SIGSEGV)"
plugin early "sys.exit(0)"
plugin garbage "$HALF
print('hello world', flush=True)"
plugin badutf8 "$HALF
sys.stdout.buffer.write(b'{\"id\": %d, \"event\": \"log\", \"message\": \"\xff\xfe\"}\n' % rid); sys.stdout.flush()"
plugin huge "$HALF
sys.stderr.write('about to flood\n'); sys.stderr.flush()
chunk = b'x' * (1 << 20)
for _ in range(100): sys.stdout.buffer.write(chunk)
sys.stdout.flush(); time.sleep(600)"
plugin errcode 'send({"id": rid, "error": {"code": "ENOTFOUND", "message": "no such experiment \u001b[31m"}})'
cat >"$BIN/runyard-plugin-future" <<'EOF'
#!/usr/bin/env python3
import sys
sys.stdin.readline()
print('{"protocol": 2, "kinds": ["tracker"], "name": "future"}', flush=True)
sys.stdin.readline()
EOF
cat >"$BIN/runyard-plugin-mute" <<'EOF'
#!/usr/bin/env python3
import time
time.sleep(600)
EOF
chmod +x "$BIN"/runyard-plugin-*

nruns() {
	"$RUNYARD" --db "$DB" runs --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
# gone PID-FILE: the plugin recorded there no longer runs
gone() { ! kill -0 "$(cat "$T_TMP/pid-$1")" 2>/dev/null; }

# ---- runyard plugins -----------------------------------------------------
ry plugins --help
expect_rc 0 "plugins --help"
expect_out_has "runyard-plugin-NAME" "help says what an exec plugin is"
START=$(date +%s)
ry plugins --json
expect_rc 0 "plugins --json lists even when handshakes fail"
if python3 - "$T_TMP/out" "$BIN" <<'EOF'
import json, sys
v = {p["name"]: p for p in json.load(open(sys.argv[1]))}
g = v["good"]
assert g["ok"] and g["kinds"] == ["tracker"] and g["protocol"] == 1 and not g["builtin"], g
assert g["where"] == sys.argv[2] + "/runyard-plugin-good", g
assert not v["future"]["ok"] and "speaks protocol 2" in v["future"]["error"], v["future"]
assert not v["mute"]["ok"] and "sent nothing for 2 s" in v["mute"]["error"], v["mute"]
assert v["mute"]["error"].startswith("plugin mute (" + sys.argv[2]), v["mute"]
EOF
then ok "plugins --json: kind, protocol, where, handshake ok or why not"; else fail "plugins --json content"; fi
if [ $(( $(date +%s) - START )) -lt 20 ]; then ok "a silent plugin does not hold the list up"; else fail "plugins took too long"; fi
ry plugins
expect_out_has "good" "plugins table lists the good plugin"
expect_out_has "FAILED" "plugins table marks failed handshakes"

# ---- import: good, then each way of failing -----------------------------
ry --db "$DB" import good src
expect_rc 0 "import through a good exec plugin"
expect_out_has "1 new" "import counts the new run"
expect_out_has "2 points" "import counts the points"
ry --db "$DB" show first --json
if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["source"]=="plugin:good", r["source"]; \
assert r["tags"]["good.run_id"]=="a"; assert r["params"]["lr"] in (0.1, "0.1"), r["params"]' "$T_TMP/out" 2>/dev/null; then
	ok "imported run: source plugin:good, tag good.run_id, params"
else fail "imported run fields"; fi
ry --db "$DB" import good src
expect_out_has "1 unchanged" "a second import of the same data skips"
[ "$(nruns)" = 1 ] && ok "no duplicate run" || fail "runs duplicated: $(nruns)"

# runs_of PLUGIN RUN_ID: how many runs that plugin imported with that id
runs_of() {
	"$RUNYARD" --db "$DB" runs --json --filter "tags.\"$1.run_id\" = $2" 2>/dev/null |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
# expect_plugin_error NAME WHAT...: import fails with status 1, naming the plugin, and
# the half run "b" is not in the workspace.
expect_plugin_error() {
	local name=$1; shift
	local t0=$(date +%s)
	ry --db "$DB" import "$name" src
	expect_rc 1 "$name: import fails"
	expect_err_has "plugin $name ($BIN/runyard-plugin-$name)" "$name: the error names the plugin and its path"
	for w in "$@"; do expect_err_has "$w" "$name: error says '$w'"; done
	[ "$(runs_of "$name" b)" = 0 ] && ok "$name: no half-imported run" || fail "$name: half run b is there"
	[ $(( $(date +%s) - t0 )) -lt 20 ] && ok "$name: bounded time" || fail "$name: took too long"
}
expect_plugin_error hang "sent nothing for 2 s"
gone hang && ok "hang: the hung plugin was killed" || fail "hang: plugin still running"
expect_plugin_error crash "exited with status 3" "stderr ends with:" "Traceback: boom^[[2J^G red"
[ "$(runs_of crash a)" = 1 ] && ok "crash: the run it finished first stays" || fail "crash: run a missing"
if grep -q $'\e' "$T_TMP/err"; then fail "crash: raw escape reached stderr"; else ok "crash: stderr tail sanitised"; fi
expect_plugin_error segv "killed by signal 11"
expect_plugin_error early "stopped before it answered" "exited with status 0" "its stderr was empty"
expect_plugin_error garbage "not a JSON object: 'hello world'"
expect_plugin_error badutf8 "not valid UTF-8"
expect_plugin_error huge "longer than 8 MiB" "about to flood"
gone huge && ok "huge: the flooding plugin was killed" || fail "huge: plugin still running"
ry --db "$DB" import errcode src
expect_rc 1 "a plugin's own error fails the import"
expect_err_has "plugin errcode: no such experiment ^[[31m" "its message is shown, sanitised"
ry --db "$DB" import future src
expect_rc 1 "another protocol version is refused"
expect_err_has "speaks protocol 2; this runyard speaks protocol 1" "and says which"
ry --db "$DB" import nosuch src
expect_rc 1 "an unknown plugin"
expect_err_has "runyard-plugin-nosuch" "says what it looked for"
ry --db "$DB" import good
expect_rc 2 "import without SOURCE is bad usage"
[ "$(nruns)" = 2 ] && ok "the workspace holds the good and the crash plugin's finished run" || fail "runs now $(nruns)"

# ---- protocol 1's registry, artifact and git fields; export_run ----------
cat >"$BIN/runyard-plugin-reg" <<EOF
#!/usr/bin/env python3
import json, sys
def send(m):
    sys.stdout.write(json.dumps(m) + "\n"); sys.stdout.flush()
for line in sys.stdin:
    req = json.loads(line)
    if req.get("op") == "hello":
        send({"protocol": 1, "kinds": ["tracker"], "name": "reg", "ops": ["export_run", "export_model"]}); continue
    rid = req["id"]
    if req["op"] == "import_runs":
        open("$T_TMP/reg-experiments", "w").write(json.dumps(req["experiments"]))
        send({"id": rid, "event": "progress", "done": 0, "total": 1})
        send({"id": rid, "event": "run_begin", "run_id": "r9", "experiment": "x", "name": "regrun",
              "git_commit": "89abcdef0123456789abcdef0123456789abcdef", "fingerprint": "f1"})
        send({"id": rid, "event": "metric", "key": "loss", "points": [[0, None, 1.0], [1, None, "-Infinity"]]})
        send({"id": rid, "event": "artifact", "path": "model/m.pkl", "uri": "s3://b/r9/m.pkl", "size": 10})
        send({"id": rid, "event": "run_end", "status": "finished"})
        send({"id": rid, "event": "model", "name": "clf", "description": "a classifier", "tags": {"team": "ml"}})
        send({"id": rid, "event": "model_version", "model": "clf", "version": 2, "run_id": "r9",
              "source_uri": "runs:/r9/model"})
        send({"id": rid, "event": "alias", "model": "clf", "alias": "champion", "version": 2})
        send({"id": rid, "ok": True})
    elif req["op"] == "export_run":
        json.dump(req, open("$T_TMP/reg-export.json", "w"))
        send({"id": rid, "ok": True, "tags": {"reg.pushed_as": "there-" + req["run"]["name"]}})
    elif req["op"] == "export_model":
        json.dump(req, open("$T_TMP/reg-export-model.json", "w"))
        send({"id": rid, "ok": True, "tags": {"reg.model_pushed": req["model"]["name"]}})
EOF
chmod +x "$BIN/runyard-plugin-reg"
RDB="$T_TMP/reg.db"
ry --db "$RDB" import reg src --experiment x --experiment "y z" --json
expect_rc 0 "an exec plugin imports runs, then its registry"
if python3 - "$T_TMP/out" "$T_TMP/reg-experiments" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["runs_new"], d["registry_changes"]) == (1, 3), d
assert json.load(open(sys.argv[2])) == ["x", "y z"]
EOF
then ok "one run, model + version + alias; the --experiment names reach the plugin"; else fail "reg import counts"; fi
ry --db "$RDB" show regrun --json
if python3 - "$T_TMP/out" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["git"]["commit"].startswith("89abcdef"), r.get("git")
a = r["artifacts"]
assert len(a) == 1 and a[0]["path"] == "model/m.pkl", a
EOF
then ok "git provenance and an artifact that stays at its source"; else fail "reg run fields"; sed 's/^/# /' "$T_TMP/out" | head -40; fi
ry --db "$RDB" models --json
if python3 - "$T_TMP/out" <<'EOF'
import json, sys
m = [x for x in json.load(open(sys.argv[1]))["models"] if x["name"] == "clf"][0]
assert m["description"] == "a classifier" and m["latest"] == 2 and m["source"] == "plugin:reg", m
EOF
then ok "the imported model keeps the source's version number"; else fail "reg models"; sed 's/^/# /' "$T_TMP/out" | head -30; fi
ry --db "$RDB" import reg src --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["registry_changes"] == 0, d' "$T_TMP/out"; then
	ok "importing an unchanged registry again changes nothing"; else fail "registry re-import"; fi
ry --db "$RDB" push reg dest regrun
expect_rc 0 "push through an exec plugin that lists export_run"
if python3 - "$T_TMP/reg-export.json" <<'EOF'
import json, sys
q = json.load(open(sys.argv[1]))
r = q["run"]
assert q["dest"] == "dest"
assert r["name"] == "regrun" and r["metrics"]["loss"] == [[0, None, 1.0], [1, None, "-Infinity"]], r
assert r["git"]["commit"].startswith("89abcdef")
EOF
then ok "export_run gets the whole run, -Infinity spelt as the protocol says"; else fail "export_run request"; fi
ry --db "$RDB" show regrun --json
if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["tags"]["reg.pushed_as"]=="there-regrun"' "$T_TMP/out"; then
	ok "the tags the plugin answers are kept on the run"; else fail "export annotations"; fi
ry --db "$RDB" push reg dest --model clf@champion
expect_rc 0 "push a model version through an exec plugin that lists export_model"
if python3 - "$T_TMP/reg-export-model.json" <<'EOF'
import json, sys
q = json.load(open(sys.argv[1]))
m, r = q["model"], q["run"]
assert q["dest"] == "dest" and q["alias"] == "champion", q
assert (m["name"], m["version"], m["source_uri"], m["aliases"]) == ("clf", 2, "runs:/r9/model", ["champion"]), m
assert r["name"] == "regrun" and r["metrics"]["loss"][0] == [0, None, 1.0], r
EOF
then ok "export_model gets the version, its aliases and its whole run"; else fail "export_model request"; fi
ry --db "$RDB" show regrun --json
if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["tags"]["reg.model_pushed"]=="clf"' "$T_TMP/out"; then
	ok "the tags export_model answers are kept on the version's run"; else fail "export_model annotations"; fi
ry --db "$RDB" push good dest --model clf@champion
expect_rc 1 "a plugin that lists no export_model cannot push a model"
expect_err_has "cannot push models" "and says so"
ry --db "$RDB" push good dest regrun
expect_rc 1 "a plugin that lists no export_run cannot push"
expect_err_has "cannot push runs" "and says so"

# ---- lightning-csv on Lightning's exact format ----------------------------
# The fixture: tests/helpers/plugins.sh (Lightning's exact CSVLogger format).
export PATH="$SRC/plugins/lightning-csv:$PATH"
LL="$T_TMP/logs/lightning_logs"
lightning_logs "$T_TMP/logs"
LDB="$T_TMP/light.db"
ry --db "$LDB" import lightning-csv "$T_TMP/logs" --json
expect_rc 0 "lightning-csv imports a CSVLogger save_dir"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["runs_new"], d["points"]) == (2, 16), d' "$T_TMP/out"; then
	ok "two runs, 16 points"; else fail "lightning import counts"; fi
ry --db "$LDB" show version_0 --json
if python3 - "$T_TMP/out" "$LL" <<'EOF'
import json, math, sys
r = json.load(open(sys.argv[1]))
assert r["experiment"] == "lightning_logs" and r["source"] == "plugin:lightning-csv", r
# (show --json gives numeric text as numbers; the stored text is checked below)
assert r["params"] == {"batch_size": 32, "lr": 0.001, "model_name": "resnet18", "optimizer": "adam",
                       "seed": 42}, r["params"]
assert r["tags"]["lightning-csv.run_id"].endswith("/lightning_logs/version_0"), r["tags"]
assert r["tags"]["lightning.version"] in (0, "0")
EOF
then ok "run: experiment, params from hparams.yaml, run id tag"; else fail "lightning run fields"; fi
ry --db "$LDB" show version_0
expect_out_has "0042" "a quoted YAML string is kept as text"
ry --db "$LDB" metrics version_0 val_loss train_loss --json
if python3 - "$T_TMP/out" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
v, t = m["val_loss"], m["train_loss"]
assert v["step"] == [99, 199] and v["value"][0] == 0.55 and v["value"][1] is None, v
assert t["step"] == [49, 99, 149, 199] and t["value"][0] == 0.6931471805599453, t
EOF
then ok "metric histories: empty cells skipped, steps kept, nan kept"; else fail "lightning histories"; sed 's/^/# /' "$T_TMP/out" | head -30; fi
ry --db "$LDB" import lightning-csv "$T_TMP/logs"
expect_out_has "Imported 0 runs" "again: the cursor skips what did not change"
ry --db "$LDB" import lightning-csv "$T_TMP/logs" --full
expect_out_has "2 unchanged" "again with --full: nothing duplicated, nothing changed"
printf '2,249,0.3,,\r\n' >>"$LL/version_0/metrics.csv"
touch -d '+2 seconds' "$LL/version_0/metrics.csv"
ry --db "$LDB" import lightning-csv "$T_TMP/logs"
expect_out_has "1 updated" "a run with a new row is updated in place"
expect_out_has "2 points" "only the new points (epoch, train_loss) are added"
N=$("$RUNYARD" --db "$LDB" runs --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$N" = 2 ] && ok "still two runs" || fail "lightning runs now $N"
# ---- killed between a run's writes and its commit (issue 16) -------------
# import-run-written:kill@N dies at the Nth run, after its points and import
# record are written and before they commit: the runs before it stay whole,
# it leaves nothing, and the next import brings exactly the rest.
KDB="$T_TMP/killed.db"
{ RUNYARD_FAULT=import-run-written:kill "$RUNYARD" --db "$KDB" import lightning-csv "$T_TMP/logs"; } >/dev/null 2>&1
RC=$?
[ "$RC" = 137 ] && [ "$(sqlite3 "$KDB" 'select count(*) from runs')" = 0 ] &&
	ok "killed at the first run's commit: no run" || fail "killed at the first run's commit: status $RC, $(sqlite3 "$KDB" 'select count(*) from runs') runs"
{ RUNYARD_FAULT=import-run-written:kill@2 "$RUNYARD" --db "$KDB" import lightning-csv "$T_TMP/logs"; } >/dev/null 2>&1
RC=$?
[ "$RC" = 137 ] && [ "$(sqlite3 "$KDB" 'select count(*) from runs')" = 1 ] &&
	ok "killed at the second run's commit (kill@2): the first run only" ||
	fail "killed at the second run's commit: status $RC, $(sqlite3 "$KDB" 'select count(*) from runs') runs"
ry --db "$KDB" import lightning-csv "$T_TMP/logs" --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["runs_new"], d["runs_unchanged"]) == (1, 1), d' "$T_TMP/out" &&
   [ "$(sqlite3 "$KDB" 'select count(*) from runs')" = 2 ] &&
   [ "$("$RUNYARD" --db "$KDB" metrics version_0 --csv | sort)" = "$("$RUNYARD" --db "$LDB" metrics version_0 --csv | sort)" ]; then
	ok "the next import brings the rest, nothing twice"
else fail "the next import after the kill: $OUT"; fi

ry --db "$LDB" import lightning-csv "$T_TMP/nowhere"
expect_rc 1 "a missing source fails"
expect_err_has "plugin lightning-csv: " "naming the plugin"
expect_err_has "does not exist" "and saying why"

t_end
