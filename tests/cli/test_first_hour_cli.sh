#!/bin/bash
# Issue 13, the command line: what a new user types in the first hour.  The
# same help shape everywhere, help/version verbs, --limit 0 and --csv --json
# refused, multi-line errors without ^J, logs/cancel exit statuses, jobs in
# the runs table style, the tag/untag/rename/note/set verbs, runs --csv/-q
# and bash completion driven through its function with COMP_WORDS set.
. "$(dirname "$0")/lib.sh"

DB="$T_TMP/ws.db"
export RUNYARD_DB="$DB"
ry demo --db "$DB"
[ "$RC" -eq 0 ] && ok "demo workspace" || fail "demo workspace"

# ---- every --help: -h, --db and the exit status ----------------------------
ry --help
COMMANDS=$(awk '/^Commands:/ { on = 1; next } /^Global options:/ { on = 0 } on && /^  [a-z]/ { print $1 }' "$T_TMP/out")
missing=
for c in $COMMANDS; do
	"$RUNYARD" "$c" --help >"$T_TMP/h" 2>&1
	grep -qF -- "-h, --help" "$T_TMP/h" && grep -qF -- "--db" "$T_TMP/h" && grep -q "^Exit status" "$T_TMP/h" \
		|| missing="$missing $c"
done
[ -z "$missing" ] && ok "every --help lists -h, --db and the exit status" \
	|| fail "every --help lists -h, --db and the exit status (not:$missing)"

ry help
expect_rc 0 "runyard help works"
expect_out_has "Commands:" "runyard help lists the commands"
ry help runs
expect_rc 0 "runyard help runs works"
expect_out_has "usage: runyard runs" "runyard help runs is the runs help"
ry help bogus
expect_rc 2 "runyard help bogus is a usage error"
ry version
expect_rc 0 "runyard version works"
expect_out_has "runyard " "runyard version prints the version"
[ "$OUT" = "$("$RUNYARD" --version)" ] && ok "version = --version" || fail "version = --version"

# ---- mistakes --------------------------------------------------------------
ry runs --limit 0
expect_rc 2 "runs --limit 0 is an error"
expect_err_has "option '--limit' needs a whole number from 1, not '0'" "runs --limit 0 says why"
ry runs --csv --json
expect_rc 2 "runs --csv --json is an error"
expect_err_has "options '--csv' and '--json' cannot be used together" "runs --csv --json says why"
ry metrics 1 --json --csv
expect_rc 2 "metrics --json --csv is an error"
expect_err_has "cannot be used together" "metrics --json --csv says why"

# ---- logs on an unreachable host, cancel on a local run --------------------
# The demo's remote runs name hosts that do not resolve; the demo marks them
# simulated (never connected to), so make them real hosts for this part.
sqlite3 "$DB" "UPDATE hosts SET simulated = 0"
remote=$(sqlite3 "$DB" "SELECT id FROM runs WHERE source = 'ssh' AND status = 'running' LIMIT 1")
ry logs "$remote"
expect_rc 1 "logs on an unreachable host exits 1"
if grep -qF '^J' "$T_TMP/err"; then fail "logs error has no ^J"; else ok "logs error has no ^J"; fi
local_run=$("$RUNYARD" run -q -- true >/dev/null 2>&1; sqlite3 "$DB" "SELECT id FROM runs WHERE source = 'local' ORDER BY id DESC LIMIT 1")
ry cancel "$local_run"
expect_rc 1 "cancel on a local run exits 1"
expect_err_has "is not a remote run" "cancel on a local run says why"

# sync's per-run errors: one line each, never joined by ^J
ry sync --timeout 2
expect_rc 1 "sync with unreachable hosts exits 1"
if grep -qF '^J' "$T_TMP/err"; then fail "sync errors have no ^J"; else ok "sync errors have no ^J"; fi

# ---- jobs: the runs table style --------------------------------------------
ry jobs
expect_rc 0 "jobs lists"
[ "$(sed -n 1p "$T_TMP/out" | awk '{print $1, $2, $3}')" = "id name status" ] \
	&& ok "jobs header is the runs table's (lower case)" || fail "jobs header is the runs table's (lower case)"
expect_out_has '$' "jobs prints costs as the runs table does"

# ---- new verbs --------------------------------------------------------------
ry tag 1 owner=dana stage=try
expect_rc 0 "tag RUN K=V K=V"
ry untag 1 stage
expect_rc 0 "untag RUN K"
ry show 1 --json
expect_out_has '"owner":	"dana"' "the tag is set"
expect_out_lacks '"stage"' "the untagged key is gone"
ry untag 1 nope
expect_rc 1 "untag of a missing tag exits 1"
ry tag 1 novalue
expect_rc 2 "tag without = is a usage error"
ry rename 1 my-baseline
expect_rc 0 "rename RUN NAME"
ry show my-baseline --json
expect_out_has '"id":	1,' "the run is found by its new name"
ry rename 2 my-baseline
expect_rc 1 "rename to a taken name exits 1"
ry rename 2 123
expect_rc 2 "rename to digits only is refused"
ry note 1 "first note"
expect_rc 0 "note RUN TEXT"
printf 'line one\nline two\n' | "$RUNYARD" note 1 - >"$T_TMP/out" 2>"$T_TMP/err"
RC=$?
expect_rc 0 "note RUN - reads stdin"
ry show 1 --json
expect_out_has '"notes":	"line one\nline two"' "the notes are stdin's, newline kept"
ry set metric.acc.goal min
expect_rc 0 "set metric.KEY.goal"
[ "$(sqlite3 "$DB" "SELECT value FROM settings WHERE key = 'metric.acc.goal'")" = min ] \
	&& ok "the goal is stored where goal.c reads it" || fail "the goal is stored where goal.c reads it"
ry set code_dir "$T_TMP" -e cifar10-resnet
expect_rc 0 "set code_dir -e EXP"
ry set code_dir "$T_TMP"
expect_rc 2 "set code_dir without -e is a usage error"
ry set bogus 1
expect_rc 2 "set of an unknown key is a usage error"

ry runs -q -n 3
expect_rc 0 "runs -q"
[ "$(wc -l <"$T_TMP/out")" -eq 3 ] && ! grep -qv '^[0-9]*$' "$T_TMP/out" \
	&& ok "runs -q prints ids only, one a line" || fail "runs -q prints ids only, one a line"
"$RUNYARD" compare $("$RUNYARD" runs -q -n 2) >"$T_TMP/out" 2>"$T_TMP/err"
RC=$?
expect_rc 0 "runs -q pipes into compare"
ry runs --csv -n 2 -c lr
expect_rc 0 "runs --csv"
expect_out_has "id,name,experiment,status,host,created,duration,cost,lr" "runs --csv header"
[ "$(wc -l <"$T_TMP/out")" -eq 3 ] && ok "runs --csv: header and 2 rows" || fail "runs --csv: header and 2 rows"

# ---- completion --------------------------------------------------------------
ry completion bash
expect_rc 0 "completion bash"
cp "$T_TMP/out" "$T_TMP/comp.bash"
for sh in zsh fish; do
	ry completion $sh
	expect_rc 0 "completion $sh"
done
ry completion tcsh
expect_rc 2 "completion of an unknown shell is a usage error"
# complete WORD...: the candidates bash would offer for the command line.
complete_words() {
	bash -c '
		complete() { :; }
		compgen() { builtin compgen "$@"; }
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_runyard
		printf "%s\n" "${COMPREPLY[@]}"' sh "$T_TMP/comp.bash" "$RUNYARD" "$@"
}
c=$(complete_words "")
echo "$c" | grep -qx runs && echo "$c" | grep -qx completion && ok "completes subcommands" \
	|| fail "completes subcommands ($c)"
c=$(complete_words runs --li)
[ "$c" = "--limit" ] && ok "completes options" || fail "completes options ($c)"
c=$(complete_words show my-b)
[ "$c" = "my-baseline" ] && ok "completes run names" || fail "completes run names ($c)"
c=$(complete_words runs -e cif)
[ "$c" = "cifar10-resnet" ] && ok "completes experiments" || fail "completes experiments ($c)"
printf 'Host gpu-box\n  HostName 192.0.2.1\n' >"$T_TMP/sshcfg"
c=$(RUNYARD_SSH_CONFIG="$T_TMP/sshcfg" complete_words launch --host gpu)
[ "$c" = "gpu-box" ] && ok "completes hosts" || fail "completes hosts ($c)"
sqlite3 "$DB" "INSERT INTO models(name, created) VALUES ('churn', 0);" 2>/dev/null
sqlite3 "$DB" "INSERT INTO aliases(model, alias, version) VALUES ('churn', 'prod', 1);" 2>/dev/null
c=$("$RUNYARD" __complete models)
echo "$c" | grep -qx "churn@prod" && ok "completes model@alias" || fail "completes model@alias ($c)"
ls "$T_TMP" >/dev/null
t_end
