#!/bin/bash
# `runyard run` and `runyard metrics` on the real binary: exit statuses,
# output passed through, params, capture, the Python helper from a real
# Python script, git provenance of a real repo, SIGINT through runyard,
# bad input.  runyard killed with SIGKILL: test_track_keeper.sh.
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$T_TMP/ws.db"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
q() { sqlite3 "$RUNYARD_DB" "$1"; }

# ---- help and bad input
ry run --help
expect_rc 0 "run --help"
expect_out_has "RUNYARD_METRICS" "run --help documents the environment"
ry metrics --help
expect_rc 0 "metrics --help"
expect_out_has "run,key,step,ts,value" "metrics --help documents the CSV columns"
ry run
expect_rc 2 "run without a command is bad usage"
expect_err_has "no command given" "run without a command says so"
ry run --param novalue -- true
expect_rc 2 "--param without = is bad usage"
ry run --pattern 'x = (?:a)(1)' -- true
expect_rc 2 "a PCRE-only pattern is refused"
expect_err_has "POSIX" "the pattern error names the syntax"
ry run --bogus -- true
expect_rc 2 "unknown option"

# ---- exit statuses
ry run -q -- true
expect_rc 0 "exit 0 passes through"
ry run -q -- sh -c 'exit 42'
expect_rc 42 "exit 42 passes through"
ry run -q -- sh -c 'kill -KILL $$'
expect_rc 137 "death by SIGKILL is 128+9"
ry run -q -- /no/such/program
expect_rc 127 "a missing program is 127"
expect_err_has "cannot run '/no/such/program'" "a missing program is explained"
[ "$(q "select status from runs order by id desc limit 1")" = failed ] && ok "missing program: run failed" \
	|| fail "missing program: run failed"
[ "$(q "select group_concat(status) from (select status from runs where id <= 3 order by id)")" = "finished,failed,killed" ] \
	&& ok "statuses finished, failed, killed" || fail "statuses finished, failed, killed"

# ---- output passthrough (stdout and stderr apart), params, capture, metrics
ry run -e cifar --name base-lr --tag team=vision -- sh -c \
	'echo "epoch 1 loss=0.5 acc=0.7"; echo "epoch 2 loss=0.4 acc=0.8" >&2; echo "Epoch 3/3 - loss: 0.3 - accuracy: 0.9"' \
	--lr 0.01 --flag
expect_rc 0 "tracked run succeeds"
expect_out_has "epoch 1 loss=0.5 acc=0.7" "stdout passed through"
expect_out_lacks "epoch 2 loss" "stderr not on stdout"
expect_err_has "epoch 2 loss=0.4 acc=0.8" "stderr passed through"
expect_err_has "tracking run" "start line on stderr"
[ "$(q "select group_concat(key || '=' || value) from (select * from params p join runs r on r.id = p.run_id where r.name = 'base-lr' order by key)")" = "flag=true,lr=0.01" ] \
	&& ok "params parsed from the command" || fail "params parsed from the command"
ry metrics base-lr --csv
expect_rc 0 "metrics --csv"
expect_out_has "run,key,step,ts,value" "CSV header"
expect_out_has "base-lr,loss,3," "Keras line: step 3 for loss"
expect_out_has "base-lr,accuracy,3,"  "Keras line: accuracy"
[ "$(printf '%s\n' "$OUT" | grep -c ',loss,')" = 3 ] && ok "three loss points" || fail "three loss points"
ry metrics base-lr loss --json
expect_rc 0 "metrics KEY --json"
expect_out_has '"loss": {"step": [' "JSON columns of steps"
expect_out_lacks '"acc"' "only the asked key"
ry metrics base-lr nosuch
expect_rc 1 "unknown metric key fails"
expect_err_has "it has: acc, accuracy, loss" "unknown key lists the known ones"
ry metrics base-lr
expect_rc 0 "metrics text"
expect_out_has "loss (3 points)" "text table per key"
ry metrics no-such-run
expect_rc 1 "metrics of an unknown run fails"

# ---- capture off, saved per experiment
ry run -q --no-capture -- sh -c 'echo loss=1'
[ "$(q "select count(*) from metric_summary m join runs r on r.id = m.run_id where r.id = (select max(id) from runs)")" = 0 ] \
	&& ok "--no-capture captures nothing" || fail "--no-capture captures nothing"
ry run -q -e quiet --save-patterns --pattern 'ppl = PPL ([0-9.]+)' -- true
expect_rc 0 "--save-patterns with a command"
ry run -q -e quiet -- sh -c 'echo PPL 12.5'
ry metrics "$(q "select max(id) from runs")" ppl --csv
expect_out_has ",ppl,0,"  "a saved experiment pattern applies to later runs"

printf '[patterns]\nbleu = BLEU score ([0-9.]+)\n' >"$T_TMP/config"
RUNYARD_CONFIG="$T_TMP/config" "$RUNYARD" run -q --name cfgpat -- sh -c 'echo BLEU score 27.5' >/dev/null 2>&1
ry metrics cfgpat bleu --csv
expect_out_has "cfgpat,bleu,0," "the config file's [patterns] apply"
printf '[patterns]\nbad = (?:x)(1)\n' >"$T_TMP/config"
RUNYARD_CONFIG="$T_TMP/config" ry run -q --name cfgbad -- sh -c 'echo loss=1'
expect_rc 0 "a bad config pattern does not stop the run"
expect_err_has "[patterns] are not used" "a bad config pattern is reported"

# ---- the Python helper from a real Python script
mkdir -p "$T_TMP/proj"
cat >"$T_TMP/proj/train.py" <<'EOF'
import sys
import runyard
runyard.param(optimizer="adam", layers=4)
for step in range(5):
    runyard.log(step=step, loss=1.0 / (step + 1), val_acc=0.5 + step / 10)
runyard.log(loss=float("nan"))
runyard.log(step=9, grad=float("inf"), note="not a number")
runyard.log(step=10.0, loss=0.1)  # an integral float is that step
for bad in (1.5, -1, True, 2 ** 53 + 1):
    try:
        runyard.log(step=bad, loss=9.0)
        print("accepted step", bad)
    except ValueError:
        pass
with open("model.bin", "wb") as f:
    f.write(b"\0weights" * 100)
print("saved to", runyard.artifact("model.bin"))
print("active", runyard.active())
EOF
(cd "$T_TMP/proj" && PYTHONPATH="$SRC/python" "$RUNYARD" run -q --name py -- python3 train.py --lr=0.003 \
	>"$T_TMP/out" 2>"$T_TMP/err"); RC=$?
expect_rc 0 "python script under runyard"
expect_out_has "active True" "the helper sees runyard"
expect_out_lacks "accepted step" "log() refuses a step runyard would not store (1.5, -1, True, > 2**53)"
[ "$(q "select group_concat(key || '=' || value) from (select p.* from params p join runs r on r.id = p.run_id where r.name = 'py' order by key)")" = "layers=4,lr=0.003,optimizer=adam" ] \
	&& ok "param() and argv params" || fail "param() and argv params: $(q "select group_concat(key || '=' || value) from params p join runs r on r.id = p.run_id where r.name = 'py'")"
ry metrics py --csv
expect_out_has "py,loss,4,"   "log(step=4, loss=...)"
expect_out_has "py,loss,5,"   "log() without step continues the key's count"
expect_out_has ",nan"          "NaN kept"
expect_out_has "py,grad,9,"   "inf stored at its step"
expect_out_has "py,loss,10,"  "log(step=10.0) is step 10"
grep -q '^py,loss,.*,9$' "$T_TMP/out" && fail "a refused step stored a point" || ok "no point of a refused step stored"
expect_out_lacks "note"        "non-numbers skipped"
[ "$(q "select a.path || ' ' || a.size || ' ' || length(a.sha256) from artifacts a join runs r on r.id = a.run_id where r.name = 'py'")" = "model.bin 800 64" ] \
	&& ok "artifact recorded with size and sha256" || fail "artifact recorded: $(q "select * from artifacts")"
SHA=$(q "select a.sha256 from artifacts a join runs r on r.id = a.run_id where r.name = 'py'")
[ "$SHA" = "$(sha256sum "$T_TMP/proj/model.bin" | cut -d' ' -f1)" ] && ok "artifact hash is the file's sha256" \
	|| fail "artifact hash is the file's sha256"
[ -z "$(ls -A "$RUNYARD_DB.runs/$(q "select uuid from runs where name = 'py'")/artifacts")" ] \
	&& ok "artifact outbox emptied" || fail "artifact outbox emptied"
(cd "$T_TMP/proj" && PYTHONPATH="$SRC/python" "$RUNYARD" run -q --name py2 -- python3 -c \
	'import runyard; runyard.artifact("model.bin", "ckpt/final.bin"); open("other", "w").write("x"); runyard.artifact("other")' \
	>"$T_TMP/out" 2>"$T_TMP/err"); RC=$?
expect_rc 0 "second run with the same artifact content"
[ "$(q "select group_concat(a.path) from (select a.path from artifacts a join runs r on r.id = a.run_id where r.name = 'py2' order by a.path) a")" = "ckpt/final.bin,other" ] \
	&& ok "nested artifact path kept" || fail "nested artifact path kept: $(q "select * from artifacts")"
[ "$(find "$RUNYARD_DB.artifacts" -type f | wc -l)" = 2 ] && ok "same content stored once (2 objects for 3 records)" \
	|| fail "same content stored once: $(find "$RUNYARD_DB.artifacts" -type f)"
(cd "$T_TMP/proj" && PYTHONPATH="$SRC/python" python3 train.py >"$T_TMP/out" 2>"$T_TMP/err"); RC=$?
expect_rc 0 "the same script runs without runyard"
expect_out_has "active False" "the helper is inert outside runyard"

# ---- git provenance from a real repository
G="$T_TMP/repo"
mkdir -p "$G" && (cd "$G" && git init -q -b main . && git config user.email t@e.x && git config user.name T \
	&& echo 'lr = 0.1' > cfg.py && git add cfg.py && git commit -q -m one \
	&& git remote add origin https://bob:tok@example.com/r.git && echo 'lr = 0.2' > cfg.py)
(cd "$G" && "$RUNYARD" run -q --name gitrun -- true) ; RC=$?
expect_rc 0 "run inside a repo"
[ "$(q "select git_branch || ' ' || git_dirty || ' ' || git_remote || ' ' || length(git_commit) from runs where name = 'gitrun'")" = "main 1 https://example.com/r.git 40" ] \
	&& ok "branch, dirty, stripped remote, commit" || fail "provenance: $(q "select git_branch, git_dirty, git_remote, git_commit from runs where name = 'gitrun'")"
q "select git_diff from runs where name = 'gitrun'" | grep -q '^+lr = 0.2' && ok "dirty diff stored" || fail "dirty diff stored"
(cd "$G" && git commit -qam two && "$RUNYARD" run -q --name gitrun2 -- true); RC=$?
ry compare --code gitrun gitrun2
expect_rc 0 "compare --code"
expect_out_has "+lr = 0.2" "the code diff between the two runs' commits"
expect_out_has "also had uncommitted changes" "the dirty first run is noted"
(cd "$T_TMP/proj" && "$RUNYARD" run -q --name nogit -- true); RC=$?
expect_rc 0 "outside a repo nothing fails"
[ -z "$(q "select git_commit from runs where name = 'nogit'")" ] && ok "no provenance outside a repo" || fail "no provenance outside a repo"
ry compare --code gitrun nogit
expect_rc 1 "compare --code with a run without a commit fails"
expect_err_has "no recorded git commit" "and says why"
ry compare --code gitrun
expect_rc 2 "compare --code needs two runs"

# ---- SIGINT to runyard reaches a child that traps it
rm -f "$T_TMP/ready"
"$RUNYARD" run -q --name trapped -- sh -c "trap 'echo caught; exit 5' INT; touch '$T_TMP/ready'; i=0; while [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done" \
	>"$T_TMP/out" 2>"$T_TMP/err" &
RY_PID=$!
for i in $(seq 100); do [ -e "$T_TMP/ready" ] && break; sleep 0.05; done
kill -INT $RY_PID
wait $RY_PID; RC=$?
expect_rc 5 "runyard exits with the child's status after SIGINT"
expect_out_has "caught" "the child's trap ran"
[ "$(q "select status from runs where name = 'trapped'")" = killed ] && ok "interrupted run is killed" || fail "interrupted run is killed"

t_end
