#!/bin/bash
# The model registry end to end through the real binary on a real workspace:
# promote, re-promote, gates, alias moves and history, export with checksum,
# corruption, concurrent alias moves from two processes, the model card,
# deleting source runs, JSON shapes and bad input.
. "$(dirname "$0")/lib.sh"

MKRUN=${RUNYARD_MKRUN:-$(dirname "$RUNYARD")/tests/helpers/mkrun}
export RUNYARD_DB="$T_TMP/ws.db"
W="$T_TMP/files"
mkdir -p "$W"

mk() { "$MKRUN" "$RUNYARD_DB" "$@" || { echo "Bail out! mkrun failed"; exit 1; }; }
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>&1; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi; }

printf 'weights A' >"$W/a.pt"
printf 'weights B' >"$W/b.pt"
printf 'weights C' >"$W/c.pt"
printf 'weights D' >"$W/d.pt"
printf '{"layers": 3}' >"$W/config.json"
mk -e mnist -n run-a -g 0123456789abcdef0123456789abcdef01234567 -b main \
	-p lr=0.1 -p dataset=s3://bucket/mnist-train.csv -m val_acc=0.5,0.8 -m loss=1.0,0.4 -a "$W/a.pt=model.pt" >/dev/null
mk -e mnist -n run-b -p lr=0.01 -m val_acc=0.6,0.9 -a "$W/b.pt=model.pt" >/dev/null
mk -e mnist -n run-c -p lr=0.05 -m val_acc=0.7,0.85 -a "$W/c.pt=model.pt" >/dev/null
mk -e mnist -n run-two -m val_acc=0.95 -a "$W/d.pt=ckpt/model.pt" -a "$W/config.json" >/dev/null
mk -e mnist -n run-none -m val_acc=0.99 >/dev/null

# ---- promote and re-promote
ry promote run-a --model churn --alias champion --note "first baseline"
expect_rc 0 "promote registers a version"
expect_out_has "registered churn version 1 from run run-a (id 1, model.pt, sha256 " "promote names version, run and artifact"
expect_out_has "set @champion -> version 1" "promote sets the alias"
ry promote run-a --model churn
expect_rc 0 "re-promoting the same artifact succeeds"
expect_out_has "already registered: churn version 1 has this artifact" "re-promote gives the existing version"
ry models --json
expect_eq "$(json "d['models'][0]['versions'], d['models'][0]['aliases']")" "1 {'champion': 1}" \
	"no duplicate version after re-promote"

# ---- gate pass and gate refuse
ry promote run-b --model churn --alias champion --if-better val_acc:max
expect_rc 0 "gate pass promotes"
expect_out_has "candidate 0.9  holder 0.8 (version 1)" "gate pass prints both values"
expect_out_has "moved @champion: version 1 -> 2" "gate pass moves the alias"
ry promote run-c --model churn --alias champion --if-better val_acc:max
expect_rc 1 "gate refuse exits 1"
expect_out_has "candidate 0.85  holder 0.9 (version 2)" "gate refuse prints both values"
expect_err_has "not promoted" "gate refuse says why"
ry model churn@champion --json
expect_eq "$(json "d['versions'][0]['version'], len(d['versions'])")" "2 1" "refused gate left @champion on 2"
ry model churn --json
expect_eq "$(json "len(d['versions'])")" "2" "refused gate registered no version"
ry promote run-c --model churn --alias champion --if-better loss:min
expect_rc 1 "gate on a metric the candidate lacks is refused"
expect_err_has "its metrics: val_acc" "missing gate metric lists the run's metrics"

# ---- alias moves with history
ry alias churn staging 1 --note canary
expect_rc 0 "alias sets a new alias"
expect_out_has "@staging of churn -> version 1" "alias reports the new holder"
ry alias churn @champion v1 --note "rollback: drift"
expect_rc 0 "alias moves an alias back"
expect_out_has "@champion of churn: version 2 -> 1" "alias reports from and to"
ry alias churn champion 7
expect_rc 1 "alias to a missing version fails"
expect_err_has "no version 7" "missing version is named"
ry alias --delete churn staging
expect_rc 0 "alias --delete removes it"
ry alias --delete churn staging
expect_rc 1 "deleting an unset alias fails"
ry model churn --history
expect_rc 0 "history prints"
expect_out_has "rollback: drift" "history has the why"
expect_out_has "v2 -> v1" "history has from -> to of the rollback"
expect_out_has "v1 -> unset" "history has from -> to of the delete"
expect_out_has "alias.refused" "history has the refused gate attempt"
expect_out_has "alias.delete" "history has the delete"
ry model churn --history --json
expect_eq "$(json "[e['kind'] for e in d['history']].count('alias.set'), d['history'][0]['actor'] != ''")" \
	"4 True" "history JSON: four alias moves, with actors"

# ---- export with checksum verified
ry export churn@champion "$T_TMP/deploy"
expect_rc 0 "export succeeds"
expect_out_has "sha256" "export reports the checksum"
want=$(sha256sum "$W/a.pt" | cut -d' ' -f1)
got=$(sha256sum "$T_TMP/deploy/model.pt" 2>/dev/null | cut -d' ' -f1)
expect_eq "$got" "$want" "exported bytes match the registered sha256"
ry export churn@champion "$T_TMP/deploy"
expect_rc 1 "export never overwrites"
ry export churn@nosuch "$T_TMP/deploy2"
expect_rc 1 "export of an unknown alias fails"
expect_err_has "its aliases: @champion" "unknown alias lists the aliases"

# ---- several artifacts, none
ry promote run-two --model multi
expect_rc 2 "a run with two artifacts needs --artifact"
expect_err_has "config.json" "the choices are listed"
ry promote run-two --model multi --artifact model.pt --alias staging
expect_rc 0 "--artifact by file name picks one"
ry promote run-none --model multi
expect_rc 2 "a run without artifacts cannot be promoted"

# ---- concurrent alias moves from two processes: exactly one wins
for round in 1 2 3; do
	"$RUNYARD" alias churn "race$round" 1 --expect none >"$T_TMP/r1" 2>&1 & p1=$!
	"$RUNYARD" alias churn "race$round" 2 --expect none >"$T_TMP/r2" 2>&1 & p2=$!
	wait $p1; s1=$?
	wait $p2; s2=$?
	RC=$((s1 + s2))
	if { [ $s1 -eq 0 ] && [ $s2 -eq 1 ]; } || { [ $s1 -eq 1 ] && [ $s2 -eq 0 ]; }; then
		ok "round $round: exactly one concurrent move wins"
	else
		fail "round $round: exactly one concurrent move wins (statuses $s1 $s2)"
	fi
	if grep -q "changed by someone else" "$T_TMP/r1" "$T_TMP/r2"; then
		ok "round $round: the loser is told clearly"
	else
		fail "round $round: the loser is told clearly"; cat "$T_TMP/r1" "$T_TMP/r2" | sed 's/^/# /'
	fi
done
# Two promotions racing for one alias of a new model: one registers and wins,
# the other registers nothing.
"$RUNYARD" promote run-b --model racey --alias champion --expect none >"$T_TMP/r1" 2>&1 & p1=$!
"$RUNYARD" promote run-c --model racey --alias champion --expect none >"$T_TMP/r2" 2>&1 & p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
expect_eq "$((s1 + s2)):$((s1 * s2))" "1:0" "two concurrent promotions: exactly one wins"
ry model racey --json
expect_eq "$(json "d['model']['versions'], list(d['model']['aliases'])")" "1 ['champion']" \
	"the loser registered no version"
ry model churn --history --json
expect_eq "$(json "sum(1 for e in d['history'] if (e['alias'] or '').startswith('race') and e['kind'] == 'alias.set'), sum(1 for e in d['history'] if (e['alias'] or '').startswith('race') and e['kind'] == 'alias.refused')")" \
	"3 3" "events record both attempts of every race"

# ---- model card
ry model churn@champion --card --output "$T_TMP/card.md"
expect_rc 0 "card is written to a file"
cp "$T_TMP/card.md" "$T_TMP/out"
expect_out_has "# Model card: churn@champion (version 1)" "card title"
expect_out_has "| Source run | run-a |" "card lineage names the run"
expect_out_has "| Experiment | mnist |" "card lineage names the experiment"
expect_out_has "0123456789abcdef0123456789abcdef01234567" "card has the git commit"
expect_out_has "s3://bucket/mnist-train.csv" "card has data provenance"
expect_out_has "| lr | 0.1 |" "card has params"
expect_out_has "| val_acc | 0.8 | 0.5 | 0.8 | 2 |" "card has metric summaries"
expect_out_has "rollback: drift" "card has the promotion history"
expect_out_has "| v2 -> v1 | rollback: drift |" "card words the alias move as the history does"
expect_out_has "verified" "card states artifact integrity"
ry model churn --card
expect_rc 0 "card of the latest version to stdout"
expect_out_has "(version 2)" "bare NAME means the latest version"

# ---- descriptions and tags
ry model churn --describe "Predicts churn from usage" --tags team=growth
expect_rc 0 "model --describe updates the model"
ry model churn@champion --describe "rolled back after drift" --tags stage=prod
expect_rc 0 "model NAME@ALIAS --describe updates the version"
ry model churn@1
expect_out_has "Predicts churn from usage" "model description is shown"
expect_out_has "tags        stage=prod" "version tags are shown"
ry model churn --history
expect_out_has "version.update" "updates are audited"
ry model nosuch --describe x
expect_rc 1 "describing an unknown model fails"

# ---- lineage view
ry model churn
expect_rc 0 "model shows versions"
expect_out_has "source run  run-b" "lineage names the source run"
expect_out_has "git commit  0123456789abcdef0123456789abcdef01234567 (main)" "lineage has the commit"
expect_out_has "val_acc=0.8" "lineage has metric summaries"
ry model churn --json
expect_eq "$(json "d['versions'][1]['run']['params']['lr'], d['versions'][1]['run']['metrics']['val_acc']['last'], d['versions'][1]['artifact']['sha256'] == '$want'")" \
	"0.1 0.8 True" "model JSON carries lineage"

# ---- deleting a source run
ry rm run-a
expect_rc 1 "deleting a run with registered versions is refused"
expect_err_has "--force" "refusal says how to force"
ry rm run-a --force
expect_rc 0 "rm --force deletes it"
ry model churn@1
expect_out_has "source run  (deleted)" "the version keeps going without its run"
ry export churn@1 "$T_TMP/after-rm"
expect_rc 0 "the artifact was kept"
ry rm run-none
expect_rc 0 "a run without versions is deleted"

# ---- corrupt artifact: reported, never exported or promoted
printf 'weights E' >"$W/e.pt"
mk -n run-e -m val_acc=0.97 -a "$W/e.pt=model.pt" >/dev/null
ry promote run-e --model fragile
expect_rc 0 "promote a model to corrupt"
sha=$(sha256sum "$W/e.pt" | cut -d' ' -f1)
obj="$RUNYARD_DB.artifacts/${sha:0:2}/$sha"
chmod u+w "$obj" && printf 'X' | dd of="$obj" bs=1 seek=3 conv=notrunc 2>/dev/null
ry export fragile@1 "$T_TMP/bad"
expect_rc 1 "export of a corrupt artifact fails"
expect_err_has "corrupt" "export says corrupt"
if [ -e "$T_TMP/bad/model.pt" ]; then fail "no corrupt copy is left behind"; else ok "no corrupt copy is left behind"; fi
ry promote run-e --model fragile --alias champion
expect_rc 1 "promoting a corrupt artifact fails"
expect_err_has "corrupt" "promote says corrupt"
ry alias fragile champion 1
expect_rc 1 "aliasing a corrupt version fails"
ry model fragile --card
expect_out_has "CORRUPT" "card flags the corrupt artifact"
ry model fragile --history
expect_out_has "promote.refused" "the refused promotion is in the trail"

# ---- outside text never reaches the terminal raw
printf 'weights F' >"$W/f.pt"
evil=$(mk -n $'evil\e]0;pwned\a' -p $'k=\e[31mred' -a "$W/f.pt=model.pt")
ry promote "$evil" --model safe
expect_rc 0 "a run with a hostile name can be promoted"
ry model safe
expect_rc 0 "and shown"
if grep -q $'\e' "$T_TMP/out"; then fail "escape sequences are sanitised"; else ok "escape sequences are sanitised"; fi
expect_out_has "evil^[]0;pwned^G" "the run name is shown visibly"

# ---- with the tracker: a run made by `runyard run` is promoted and exported
if "$RUNYARD" run --help >/dev/null 2>&1; then
	ry run -q -e real --name tracked -- sh -c \
		'echo "val_acc: 0.91"; mkdir -p "$RUNYARD_ARTIFACTS/out"; printf real-model >"$RUNYARD_ARTIFACTS/out/model.bin"'
	expect_rc 0 "a tracked run writes an artifact"
	ry promote tracked --model real --alias champion --if-better val_acc:max
	expect_rc 0 "the tracked run's artifact is promoted"
	ry export real@champion "$T_TMP/real"
	expect_rc 0 "and exported"
	expect_eq "$(cat "$T_TMP/real/model.bin" 2>/dev/null)" "real-model" "exported bytes are the run's"
	ry model real --json
	expect_eq "$(json "d['versions'][0]['run']['metrics']['val_acc']['last'], d['versions'][0]['artifact']['path']")" \
		"0.91 out/model.bin" "lineage has the captured metric and the artifact path"
else
	ok "promote a run made by 'runyard run' # SKIP runyard run is not in this build"
fi

# ---- bad input
ry promote run-b
expect_rc 2 "promote without --model is bad usage"
ry promote run-b --model churn --if-better val_acc
expect_rc 2 "--if-better without a direction is bad usage"
ry promote run-b --model churn --if-better val_acc:max
expect_rc 2 "--if-better without --alias is bad usage"
ry promote run-b --model 'bad name'
expect_rc 2 "invalid model name is bad input"
ry promote nosuchrun --model churn
expect_rc 1 "unknown run fails"
ry alias churn champion notanumber
expect_rc 2 "alias with a non-number version is bad usage"
ry alias churn 42 1
expect_rc 2 "an all-digit alias is refused"
ry model nosuch
expect_rc 1 "unknown model fails"
expect_err_has "registered models: churn" "unknown model lists the models"
ry model churn --output x.md
expect_rc 2 "--output without --card is bad usage"
ry export churn@champion
expect_rc 2 "export without DIR is bad usage"
for c in models model promote alias export rm; do
	ry "$c" --help
	expect_rc 0 "$c --help"
	expect_out_has "usage: runyard $c" "$c --help shows usage"
done
ry models
expect_out_has "@champion=1" "models lists aliases"
t_end
