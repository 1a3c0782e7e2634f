#!/bin/bash
# Hostile input everywhere (issue 16), on the real binary: the corpus of
# tests/helpers/hostile.sh (escape sequences, OSC 0 and 52, C1 controls raw
# and as UTF-8, bidi controls, invalid UTF-8, NUL where it can travel, a
# 10 MB line) goes in through every door outside text has -- run and
# experiment names, params, tags, notes, metric keys, log lines, model
# version notes, descriptions and tags, ssh_config host names and values,
# an exec plugin's runs, params, log messages, errors and stderr, an MLflow
# mlruns/ store, and the input an error message quotes -- and every
# command's text and --json output is checked: nothing a terminal acts on
# comes out raw (hx_clean), every --json parses as strict UTF-8 JSON with
# the hostile strings kept as escaped data, and no command hangs on the
# 10 MB line (each runs under a deadline).  metrics --csv and logs --raw
# (and runs --csv) write stored bytes as they are to a file or a pipe, by
# design; at a terminal they are sanitised, so they are checked under a pty
# (script).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not found"; exit 77; }
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/helpers/hostile.sh"
. "$SRC/tests/helpers/plugins.sh"
export RUNYARD_DB="$T_TMP/ws.db" RUNYARD_PLUGIN_TIMEOUT=20
BIN="$T_TMP/bin"
mkdir -p "$BIN" "$HOME/.ssh"
export PATH="$BIN:$PATH"
DEADLINE=${RUNYARD_HOSTILE_DEADLINE:-30}
# fail, with the output's lines cut short: one of them is 10 MB
fail() {
	T_COUNT=$((T_COUNT + 1)); T_FAILS=$((T_FAILS + 1)); echo "not ok $T_COUNT - $1" | cut -c1-400
	echo "# status=${RC-}"; echo "# stdout:"; head -c 4000 "$T_TMP/out" | cut -c1-300 | cat -v | sed 's/^/#   /' | head -20
	echo "# stderr:"; head -c 4000 "$T_TMP/err" | cut -c1-300 | cat -v | sed 's/^/#   /' | head -20
}

# rq ARGS...: ry under the deadline (a hang is a failure, not a stuck suite)
rq() { ry_t "$DEADLINE" "$@"; }
ry_t() {
	local t=$1
	shift
	timeout -k 5 "$t" "$RUNYARD" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
}
# clean WHAT [--json]: stdout and stderr of the last command are clean
clean() {
	local what=$1 o= e=
	shift
	if [ "$RC" -ge 124 ] && [ "$RC" -le 137 ]; then fail "$what: ran past ${DEADLINE}s or was killed (status $RC)"; return; fi
	o=$(hx_clean "$T_TMP/out" "$@") && e=$(hx_clean "$T_TMP/err") &&
		{ ok "$what: clean"; return; }
	fail "$what: raw control bytes: stdout: $o stderr: $e"
}

# ---- in: a local run ---------------------------------------------------------
cat >"$T_TMP/train.sh" <<'SH'
printf 'loss=0.5\n%s\n' "$HXLINE"
printf 'nul\000in\000the\000log\n'
printf '{"step": 1, "key\\u001b[2J\\u0000nul\\u202e": 0.25}\n' >>"$RUNYARD_METRICS"
python3 - "$HXLINE" <<'PY'
import os, sys
hx = os.fsencode(sys.argv[1])
sys.stdout.buffer.write(hx + b"y" * (10 << 20) + hx + b"\n")
PY
printf 'weights' >"$RUNYARD_ARTIFACTS/model.pt"
SH
HXLINE=$HX ry_t 120 run -q -e "$(hx exp)" --name "$(hx run)" --tag "$(hx tk)=$(hx tv)" \
	--param "$(hx pk)=$(hx pv)" -- env "HXLINE=$HX" sh "$T_TMP/train.sh" "--$(hx arg)" "$(hx argv)"
expect_rc 0 "a run with hostile name, experiment, tag, params, log lines and metric keys is recorded"
ID=$(sqlite3 "$RUNYARD_DB" "select id from runs order by id desc limit 1" 2>/dev/null || echo 1)
# notes: two hostile lines, then a 10 MB one
{ printf '%s\n%s\n' "$(hx note)" "$(hx note2)"; hx_big_line /dev/stdout; } | "$RUNYARD" note "$ID" - >/dev/null 2>&1
"$RUNYARD" tag "$ID" "$(hx tag2)=$(hx tv2)" >/dev/null 2>&1
rq run -q --name plain -- sh -c 'echo loss=1' && rq run -q --name other -- sh -c 'echo loss=2'
rq promote "$ID" --model hmodel --note "$(hx vnote)"
expect_rc 0 "promote with a hostile note"
rq model hmodel --describe "$(hx desc)"
expect_rc 0 "a hostile model description is set"
rq model hmodel@1 --describe "$(hx vdesc)" && rq model hmodel --tags "team=$(hx mtag)"
rq goal "$(hx goalkey)" max -e "$(hx exp)"

# ---- in: ssh_config host names and values ------------------------------------
printf 'Host %s\n  HostName %s\n  User %s\n  Port 2\n' "$(hx host)" "$(hx hostname)" "$(hx user)" >"$HOME/.ssh/config"

# ---- in: an exec plugin ------------------------------------------------------
# keys (params, tags, metrics) refuse C0 and C1 controls at the door: they get bidi controls
HXK=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "k<$HX_BIDI>k")
HXJ=$(python3 -c 'import json,os,sys; print(json.dumps(os.fsdecode(os.fsencode(sys.argv[1])).encode("utf-8","surrogateescape").decode("utf-8","replace")))' "$HX")
write_plugin "$BIN" "$T_TMP" hostile "hx = $HXJ
hk = $HXK
sys.stderr.write('stderr ' + hx + '\n'); sys.stderr.flush()
send({'id': rid, 'event': 'log', 'message': 'log ' + hx})
send({'id': rid, 'event': 'run_begin', 'run_id': 'p1', 'experiment': 'pexp ' + hx, 'name': 'prun ' + hx, 'started': 1700000000})
send({'id': rid, 'event': 'param', 'key': 'pk ' + hk, 'value': 'pv ' + hx})
send({'id': rid, 'event': 'tag', 'key': 'ptk ' + hk, 'value': 'ptv ' + hx})
send({'id': rid, 'event': 'metric', 'key': 'pm ' + hk, 'points': [[0, None, 1.0]]})
send({'id': rid, 'event': 'run_end', 'status': 'finished', 'ended': 1700000001})
send({'id': rid, 'ok': True})"
write_plugin "$BIN" "$T_TMP" hostilerr "hx = $HXJ
sys.stderr.write('stderr ' + hx + '\n'); sys.stderr.flush()
send({'id': rid, 'error': {'code': 'EINVAL', 'message': 'error ' + hx}})"
write_plugin "$BIN" "$T_TMP" hostilenul "send({'id': rid, 'event': 'run_begin', 'run_id': 'n1', 'experiment': 'x', 'name': 'a\u0000b'})"
write_plugin "$BIN" "$T_TMP" hostilecrash "hx = $HXJ
sys.stderr.write('dying ' + hx + '\n' + 'z' * (10 << 20) + hx + '\n'); sys.stderr.flush()
os._exit(3)"
rq import hostile src
expect_rc 0 "an exec plugin's hostile runs import"
clean "import from a hostile plugin"
rq plugins
clean "plugins"
rq plugins --json
clean "plugins --json" --json
for p in hostilerr hostilenul hostilecrash; do
	rq import "$p" src
	[ "$RC" -ne 0 ] && ok "import $p fails" || fail "import $p fails"
	clean "import $p: the error"
done

# ---- in: an MLflow file store ------------------------------------------------
ML="$T_TMP/mlruns"
mkdir -p "$ML/1/r1/params" "$ML/1/r1/tags" "$ML/1/r1/metrics"
yq() { python3 -c 'import json,os,sys; print(json.dumps(os.fsencode(sys.argv[1]).decode("utf-8","replace")))' "$1"; }
printf 'artifact_location: file:///x\nexperiment_id: "1"\nlifecycle_stage: active\nname: %s\n' "$(yq "$(hx mlexp)")" >"$ML/1/meta.yaml"
printf 'artifact_uri: file:///x/r1\nend_time: 1700000001000\nexperiment_id: "1"\nlifecycle_stage: active\nrun_id: r1\nrun_name: %s\nrun_uuid: r1\nstart_time: 1700000000000\nstatus: 3\nuser_id: %s\n' \
	"$(yq "$(hx mlrun)")" "$(yq "$(hx mluser)")" >"$ML/1/r1/meta.yaml"
yu() { python3 -c 'import os,sys; sys.stdout.write(os.fsencode(sys.argv[1]).decode("utf-8","replace"))' "$1"; }
# values must be UTF-8 at the plugin door: the invalid bytes arrive as U+FFFD
yu "$(hx mlpv)" >"$ML/1/r1/params/mlpk$HX_BIDI"
yu "$(hx mltv)" >"$ML/1/r1/tags/mltk$HX_BIDI"
printf '1700000000000 0.5 0\n' >"$ML/1/r1/metrics/mlm$HX_BIDI"
rq import mlflow "$ML"
expect_rc 0 "an MLflow file store with hostile names imports"
clean "import mlflow"

# ---- in: errors that quote their input --------------------------------------
for args in "show $(hx nope)" "runs --filter $(hx filter)" "runs --sort $(hx sort)" "model $(hx model)" \
	"promote $ID --model $(hx model)" "logs $(hx nope)" "hosts $(hx nohost)" "import $(hx plugin)" \
	"$(hx cmd)" "runs --limit $(hx limit)" "runs -e $(hx noexp)" "deploy hmodel@1 --target $(hx target)" \
	"--$(hx option)" "alias hmodel $(hx alias) 1"; do
	# word-split on purpose: each piece of $args is one argument, the corpus has no space
	# shellcheck disable=SC2086
	rq $args
	[ "$RC" -ne 0 ] && ok "refused: ${args%%<*}" || fail "refused: ${args%%<*}"
	clean "the error of ${args%%<*}"
done

# ---- in: a remote job, a queued run and a deployment ------------------------
hx_plant_remote "$RUNYARD_DB"
for args in "jobs:hx-job<" "queue:hx-queued<" "queue:hx-qerr<" "deployments --all:hx-dtarget<" \
	"deployments --all:hx-dendpoint<"; do
	rq ${args%%:*}
	expect_out_has "${args#*:}" "${args%%:*} lists the planted row (${args#*:}...)"
	clean "${args%%:*} with a hostile row"
	rq ${args%%:*} --json
	expect_out_has "${args#*:}" "${args%%:*} --json lists the planted row (${args#*:}...)"
	clean "${args%%:*} --json with a hostile row" --json
done

# ---- out: every command, text and --json ------------------------------------
RUNS=$(sqlite3 "$RUNYARD_DB" "select id from runs" | tr '\n' ' ')
for args in "runs" "runs --columns $(hx pk),tags.$(hx tk),tags.$(hx tag2)" "show $ID" "compare $RUNS" "compare $RUNS --diff-only" \
	"experiments" "metrics $ID" "models" "model hmodel" "model hmodel@1" "model hmodel --history" \
	"model hmodel --card" "logs $ID" "hosts" "hosts $(hx host)" "jobs" "queue" "plugins" "deployments --all" \
	"goal -e $(hx exp)"; do
	# shellcheck disable=SC2086
	rq $args
	[ "$RC" -eq 0 ] && clean "${args%%<*}" || fail "${args%%<*}: status $RC"
done
for args in "runs" "show $ID" "compare $RUNS" "experiments" "metrics $ID" "models" "model hmodel" \
	"model hmodel --history" "hosts" "jobs" "queue" "plugins" "deployments --all"; do
	# shellcheck disable=SC2086
	rq $args --json
	[ "$RC" -eq 0 ] && clean "${args%%<*} --json" --json || fail "${args%%<*} --json: status $RC"
done
for r in $RUNS; do
	rq show "$r" --json
	clean "show $r --json" --json
	rq metrics "$r"
	clean "metrics $r"
	rq metrics "$r" --json
	clean "metrics $r --json" --json
done

# the hostile strings survive as data: escaped in JSON, decoded back exactly
rq show "$ID" --json
if python3 - "$T_TMP/out" "$HX" <<'PY'
import json, os, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
hx = os.fsencode(sys.argv[2]).decode("utf-8", "replace")
ok = d["name"] == hx.replace("hx<", "hx-run<", 1) and d["experiment"] == hx.replace("hx<", "hx-exp<", 1)
ok = ok and "\u202e" in d["notes"] and "\u009b" in d["name"] and "\x1b]0;HXTITLE\x07" in d["name"]
sys.exit(0 if ok else 1)
PY
then ok "show --json keeps the hostile strings as escaped data"; else fail "show --json keeps the hostile strings as escaped data"; fi

# ---- out: at a terminal, metrics --csv and logs (--raw) sanitise too ----------
# tty ARGS...: runyard ARGS at a pseudo-terminal (no \n -> \r\n translation)
tty_run() {
	local cmd="stty -onlcr; exec '$RUNYARD'"
	for a in "$@"; do cmd="$cmd '$a'"; done
	timeout -k 5 "$DEADLINE" script -qec "$cmd" /dev/null </dev/null >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
}
if command -v script >/dev/null; then
	for args in "metrics $ID --csv" "runs --csv" "logs $ID" "logs $ID --raw" "show $ID" "runs"; do
		# shellcheck disable=SC2086
		tty_run $args
		# logs keep a log's colours at a terminal (SGR only, by design)
		clean "$args at a terminal" --sgr-ok
	done
else
	ok "# SKIP script(1) is not installed: no pty checks"
fi

# ---- the 10 MB line: bounded, and not lost ---------------------------------
rq logs "$ID"
[ "$RC" -eq 0 ] && [ "$(wc -c <"$T_TMP/out")" -gt $((10 << 20)) ] && ok "logs prints the 10 MB line in bounded time" ||
	fail "logs prints the 10 MB line in bounded time (status $RC, $(wc -c <"$T_TMP/out") bytes)"
t_end
