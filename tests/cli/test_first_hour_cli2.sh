#!/bin/bash
# Issue 13, the command line, second part: compare selecting runs with runs'
# --filter/--sort/--limit, sync --json's structured errors, launch
# --estimate --json's nulls, and one convention for times in every --json
# (Unix seconds plus a NAME_iso string).
. "$(dirname "$0")/lib.sh"

DB="$T_TMP/ws.db"
export RUNYARD_DB="$DB"
ry demo --db "$DB"
[ "$RC" -eq 0 ] && ok "demo workspace" || fail "demo workspace"

# ---- compare --filter/--sort/--limit ---------------------------------------
want=$("$RUNYARD" runs -q -s val_acc:desc -n 3 | tr '\n' ' ')
ry compare --sort val_acc:desc --limit 3 --json
expect_rc 0 "compare --sort --limit works"
got=$(jq -r '[.runs[].id] | map(tostring) | join(" ")' "$T_TMP/out" 2>/dev/null)
[ "$got " = "$want" ] && ok "compare --sort --limit picks runs' runs in runs' order" \
	|| fail "compare --sort --limit picks runs' runs in runs' order (got '$got', want '$want')"
want=$("$RUNYARD" runs -q -f 'status = finished and experiment = cifar10-resnet' | sort -n | tr '\n' ' ')
ry compare -f 'status = finished and experiment = cifar10-resnet' --json
got=$(jq -r '[.runs[].id] | sort | map(tostring) | join(" ")' "$T_TMP/out" 2>/dev/null)
[ -n "$got" ] && [ "$got " = "$want" ] && ok "compare --filter compares the runs the filter selects" \
	|| fail "compare --filter compares the runs the filter selects (got '$got', want '$want')"
ry compare --filter 'val_acc > 2'
expect_rc 1 "compare selecting no run exits 1"
expect_err_has "compare needs at least two" "compare selecting no run says why"
ry compare --filter 'bogus <'
expect_rc 2 "compare with a bad filter is a usage error"
expect_err_has "unknown field 'bogus'" "compare with a bad filter says why"
ry compare --limit 0
expect_rc 2 "compare --limit 0 is an error"
expect_err_has "option '--limit' needs a whole number from 1, not '0'" "compare --limit 0 says why"
ry compare 1 2 --filter 'status = finished'
expect_rc 2 "compare with runs and --filter is an error"
ry compare --help
expect_out_has "--filter EXPR" "compare --help lists --filter"
expect_out_has "--limit N" "compare --help lists --limit"

# ---- sync --json: errors as {run, host, kind, message} ---------------------
# The demo's hosts do not resolve; unmark them simulated so sync tries them.
cp "$DB" "$T_TMP/real.db"
sqlite3 "$T_TMP/real.db" "UPDATE hosts SET simulated = 0"
ry sync --db "$T_TMP/real.db" --timeout 2 --json
expect_rc 1 "sync --json with unreachable hosts exits 1"
n=$(jq '.unreachable' "$T_TMP/out" 2>/dev/null)
if jq -e --argjson n "${n:-0}" '(.errors | type == "array") and (.errors | length == $n) and $n > 0
	and all(.errors[]; (.run | type == "number") and (.host | type == "string") and .kind == "dns"
	        and (.message | test("cannot resolve")))' "$T_TMP/out" >/dev/null 2>&1; then
	ok "sync --json errors: one {run, host, kind, message} per unreachable run"
else
	fail "sync --json errors: one {run, host, kind, message} per unreachable run"
fi
run=$(jq '.errors[0].run' "$T_TMP/out" 2>/dev/null)
host=$(sqlite3 "$T_TMP/real.db" "SELECT host FROM runs WHERE id = ${run:-0}")
[ -n "$host" ] && [ "$(jq -r '.errors[0].host' "$T_TMP/out")" = "$host" ] \
	&& ok "sync --json error names the run's id and host" || fail "sync --json error names the run's id and host"
ry sync --json
if jq -e '.errors == []' "$T_TMP/out" >/dev/null 2>&1; then ok "sync --json without failures: errors is []"; \
	else fail "sync --json without failures: errors is []"; fi

# ---- launch --estimate --json: null for what is not known ------------------
ry launch -e brand-new --host a100-box-1 --estimate --json -- python new.py
expect_rc 0 "launch --estimate --json on a demo host works"
if jq -e '.time_limit_seconds == null and .budget_message == null and .expected_seconds == null
	and .expected_cost == null and .max_cost == null and (has("budget_message"))' "$T_TMP/out" >/dev/null 2>&1; then
	ok "launch --estimate --json: no time limit, no budget message, no history are null"
else
	fail "launch --estimate --json: no time limit, no budget message, no history are null"
fi
ry launch -e brand-new --host a100-box-1 --time-limit 1h --estimate --json -- python new.py
if jq -e '.time_limit_seconds == 3600 and (.max_cost | type == "number")' "$T_TMP/out" >/dev/null 2>&1; then
	ok "launch --estimate --json: a time limit is its seconds"
else
	fail "launch --estimate --json: a time limit is its seconds"
fi

# ---- one shape for times: Unix seconds plus NAME_iso -----------------------
# time_ok JQ-PATHS: every time field the paths reach is a number and its
# _iso twin is that time in ISO 8601 UTC (both null when unknown).
time_ok() {
	jq -e "[$1] | length > 0 and all(.[]; .t as \$t | .iso as \$i |
		(\$t == null and \$i == null) or ((\$t | type == \"number\") and (\$i | type == \"string\")
		and ((\$t | floor | todate) == \$i)))" "$T_TMP/out" >/dev/null 2>&1
}
pairs() { # pairs OBJ-PATH NAME...: {t, iso} for each NAME of each object
	local p=$1 q= n; shift
	for n in "$@"; do q="$q${q:+, }($p | {t: .$n, iso: .${n}_iso})"; done
	echo "$q"
}
ry runs --json
time_ok "$(pairs '.[]' created started ended)" && ok "runs --json: created/started/ended with _iso" \
	|| fail "runs --json: created/started/ended with _iso"
ry show 1 --json
time_ok "$(pairs '.' created started ended)" && ok "show --json: times with _iso" || fail "show --json: times with _iso"
ry jobs --json
time_ok "$(pairs '.jobs[]' created started ended)" && ok "jobs --json: times with _iso" || fail "jobs --json: times with _iso"
ry compare 1 2 --json
time_ok "$(pairs '.runs[]' created started ended)" && ok "compare --json: times with _iso" \
	|| fail "compare --json: times with _iso"
# (experiments --json had this shape already: created and created_iso)
ry models --json
time_ok "$(pairs '.models[]' created updated)" && ok "models --json: numbers plus _iso" \
	|| fail "models --json: numbers plus _iso"
model=$(jq -r '.models[0].name' "$T_TMP/out")
ry model "$model" --json
time_ok "$(pairs '.model' created), $(pairs '.versions[]' created)" && ok "model --json: numbers plus _iso" \
	|| fail "model --json: numbers plus _iso"
ry model "$model" --history --json
time_ok "$(pairs '.history[]' ts)" && ok "model --history --json: ts plus ts_iso" \
	|| fail "model --history --json: ts plus ts_iso"
# a deployment as the deploy verb records one (no serving target needed)
sqlite3 "$DB" "INSERT INTO deployments(model, version, target, kind, status, created, updated)
	VALUES ('$model', 1, 'prod', 'http', 'ready', 1795399508.5, 1795399600)"
ry deployments --json
time_ok "$(pairs '.[]' created updated)" && ok "deployments --json: numbers plus _iso" \
	|| fail "deployments --json: numbers plus _iso"
t_end
