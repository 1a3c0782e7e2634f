#!/bin/bash
# Secrets kept out of the workspace, on the real binary: a tracked command
# given passwords and tokens in every form receives them, while params,
# the stored command, show/runs/compare (text and JSON), the database file
# and its WAL (copied while the run is live) hold only "***"; the config's
# [tracking] lists; a git remote with credentials in the URL.
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$T_TMP/ws.db"
export RUNYARD_CONFIG="$T_TMP/config"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
q() { sqlite3 "$RUNYARD_DB" "$1"; }
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>/dev/null; }
expect_json() { if [ "$(json "$1")" = True ]; then ok "$2"; else fail "$2 (false: $1)"; fi; }
# no_secret WHAT FILE...: none of the secret values is in the files
SECRETS='hunter2 abc-KEY-1 xyz-HF-2 qq-TOK-3 pw-PARAM-4 wb-CFG-5 TOKEN-URL-6 TOKEN-URL-7'
no_secret() {
	local what=$1 s f found=
	shift
	for s in $SECRETS; do
		for f in "$@"; do
			grep -qaF -- "$s" "$f" && found="$found $s($f)"
		done
	done
	if [ -z "$found" ]; then ok "$what holds no secret"; else fail "$what holds secrets:$found"; fi
}

cat > "$RUNYARD_CONFIG" <<'C'
[tracking]
secret_params = wandb_*
public_params = auth
C

# a git repository whose remote carries credentials in two places
R=$T_TMP/repo
mkdir -p "$R"
cd "$R"
git init -q -b main .
git config user.email t@example.org
git config user.name tester
git remote add origin 'HTTPS://TOKEN-URL-6@git.example.com/team/r.git?ref=main&access_token=TOKEN-URL-7'
cat > train.py <<'P'
import os, shutil, sys
# what the command really received, and the WAL as it is while the run is live
with open(os.environ["ARGS_OUT"], "w") as f:
    f.write(" ".join(sys.argv[1:]) + "\n")
wal = os.environ["RUNYARD_DB"] + "-wal"
if os.path.exists(wal):
    shutil.copy(wal, os.environ["ARGS_OUT"] + ".wal")
print("loss=0.5")
P
git add train.py
git commit -qm init

export ARGS_OUT=$T_TMP/args
ry run -q --name sec --param db.password=pw-PARAM-4 --param seed=7 -- python3 train.py \
	--password=hunter2 --api-key abc-KEY-1 --hf_token xyz-HF-2 token=qq-TOK-3 --wandb-key wb-CFG-5 \
	--auth basic --max_tokens 64 --tokenizer bpe
expect_rc 0 "the tracked run succeeds"
[ "$(cat "$ARGS_OUT")" = "--password=hunter2 --api-key abc-KEY-1 --hf_token xyz-HF-2 token=qq-TOK-3 --wandb-key wb-CFG-5 --auth basic --max_tokens 64 --tokenizer bpe" ] \
	&& ok "the command received the real values" || fail "the command received the real values: $(cat "$ARGS_OUT")"

[ "$(q "select group_concat(key || '=' || value, ' ') from (select p.* from params p join runs r on r.id = p.run_id where r.name = 'sec' order by key)")" \
	= "api-key=*** auth=basic db.password=*** hf_token=*** max_tokens=64 password=*** seed=7 token=*** tokenizer=bpe wandb-key=***" ] \
	&& ok "secret params stored as ***, others as given" \
	|| fail "params: $(q "select group_concat(key || '=' || value, ' ') from params")"
[ "$(q "select command from runs where name = 'sec'")" \
	= "python3 train.py '--password=***' --api-key '***' --hf_token '***' 'token=***' --wandb-key '***' --auth basic --max_tokens 64 --tokenizer bpe" ] \
	&& ok "the stored command has *** for each secret" || fail "stored command: $(q "select command from runs where name = 'sec'")"
[ "$(q "select git_remote from runs where name = 'sec'")" = "https://git.example.com/team/r.git?ref=main" ] \
	&& ok "the git remote is stored without its credentials" || fail "git remote: $(q "select git_remote from runs where name = 'sec'")"

ry show sec --json
expect_rc 0 "show --json"
expect_json "d['params']['password'] == '***' and d['params']['hf_token'] == '***' and d['params']['max_tokens'] == 64" \
	"show --json has the redacted params"
no_secret "show --json" "$T_TMP/out"
ry show sec
no_secret "show" "$T_TMP/out"
ry runs --json
no_secret "runs --json" "$T_TMP/out"
ry runs
no_secret "runs" "$T_TMP/out"
ry compare sec sec
no_secret "compare" "$T_TMP/out"

sqlite3 "$RUNYARD_DB" .dump > "$T_TMP/dump"
[ -s "$T_TMP/dump" ] && grep -q "INSERT INTO params" "$T_TMP/dump" && ok "the dump has the params" || fail "the dump has the params"
no_secret "the database dump" "$T_TMP/dump"
no_secret "the database file" "$RUNYARD_DB"
if [ -s "$ARGS_OUT.wal" ]; then
	grep -qaF "train.py" "$ARGS_OUT.wal" && ok "the live WAL has the run" || fail "the live WAL has the run"
	no_secret "the live WAL" "$ARGS_OUT.wal"
else
	fail "the WAL was there while the run was live"
fi
[ -e "$RUNYARD_DB-wal" ] && no_secret "the WAL left behind" "$RUNYARD_DB-wal"

# --no-params: nothing parsed, the stored command still redacted
ry run -q --name noparse --no-params -- python3 train.py --password hunter2
expect_rc 0 "run --no-params"
[ "$(q "select command from runs where name = 'noparse'")" = "python3 train.py --password '***'" ] \
	&& ok "--no-params still redacts the stored command" || fail "--no-params: $(q "select command from runs where name = 'noparse'")"

t_end
