#!/bin/bash
# --json output is valid UTF-8 whatever bytes a run was given (docs/json.md):
# an argument that is not UTF-8 is stored as given, but every JSON document
# replaces each invalid part (Unicode's maximal subpart, as Python's
# decode(errors="replace") does) with U+FFFD, while valid non-ASCII text
# (café, 日本) comes out unchanged.  Python's json reads it back from the raw bytes
# (sys.stdin would hide the problem: it decodes with surrogateescape).
. "$(dirname "$0")/lib.sh"

SRC=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DB="$T_TMP/ws.db"
R=$'\xef\xbf\xbd' # U+FFFD as UTF-8, for the expected values below

# Hostile bytes of every kind: a lone Latin-1 byte (\xe9), a byte that is never
# UTF-8 (\xff), a surrogate (ED A0 80), overlong '/' in two and three bytes
# (C0 AF, E0 80 AF), a code point past U+10FFFF (F4 90 80 80), and a sequence
# cut short at the end of its string (E6 97 of 日).
"$RUNYARD" run -q --db "$DB" -e $'ex\xff' --name $'bad\xe9name' --tag $'t=su\xed\xa0\x80r' \
	--tag $'big=\xf4\x90\x80\x80' --pattern $'lo\xc0\xafss = loss=([0-9.]+)' \
	--pattern $'ov\xe0\x80\xafer = loss=([0-9.]+)' \
	-- sh -c 'echo loss=0.5; echo loss=0.25' --data $'/data/caf\xe9' --trunc $'\xe6\x97' >/dev/null 2>&1
RC=$?
expect_rc 0 "a run with hostile bytes is recorded"
"$RUNYARD" run -q --db "$DB" -e ok --name 'café-日本' --tag 'city=日本' \
	-- sh -c 'echo loss=0.3' --data /data/café --city 日本 >/dev/null 2>&1
RC=$?
expect_rc 0 "a run with valid non-ASCII text is recorded"

# valid_json WHAT ARGS...: the output of runyard ARGS parses as strict UTF-8
# JSON; EXPR (a Python expression over d) may add a check and must be true.
valid_json() {
	local what=$1 expr=$2
	shift 2
	ry --db "$DB" "$@"
	if [ "$RC" -ne 0 ]; then
		fail "$what: exit status 0"
		return
	fi
	if python3 -c '
import json, sys
R = "\ufffd"
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$T_TMP/out" "$expr" 2>"$T_TMP/py"; then
		ok "$what"
	else
		fail "$what ($(tail -1 "$T_TMP/py"))"
	fi
}

valid_json "experiments --json is valid UTF-8" \
	'sorted(e["name"] for e in d) == sorted(["ex" + R, "ok"])' experiments --json
valid_json "runs --json is valid UTF-8, invalid bytes become U+FFFD" \
	'{r["name"] for r in d} == {"bad" + R + "name", "café-日本"}' runs --json
valid_json "show --json of the hostile run: param, tags, command, metric keys" \
	'd["params"]["data"] == "/data/caf" + R and d["params"]["trunc"] == R
	 and d["tags"]["t"] == "su" + R * 3 + "r" and d["tags"]["big"] == R * 4
	 and "/data/caf" + R in d["command"]
	 and set(d["metrics"]) == {"loss", "lo" + R + R + "ss", "ov" + R * 3 + "er"}' show 1 --json
valid_json "show --json keeps valid non-ASCII unchanged" \
	'd["name"] == "café-日本" and d["params"]["data"] == "/data/café"
	 and d["params"]["city"] == "日本" and d["tags"]["city"] == "日本"
	 and "/data/café" in d["command"] and "--city" in d["command"] and "日本" in d["command"]' show 2 --json
valid_json "compare --json of both runs is valid UTF-8" 'True' compare 1 2 --json
valid_json "metrics --json (written by hand, not by cJSON) is valid UTF-8" \
	'd["run"]["name"] == "bad" + R + "name" and "lo" + R + R + "ss" in d["metrics"]' metrics 1 --json
valid_json "metrics --json keeps valid non-ASCII unchanged" \
	'd["run"]["name"] == "café-日本"' metrics 2 --json

# The registry and the hosts list print through the same door: a version note
# and an ssh_config host name with a Latin-1 byte.
"$RUNYARD" run -q --db "$DB" --name art -- sh -c 'echo w >"$RUNYARD_ARTIFACTS/model.pt"' >/dev/null 2>&1
valid_json "promote --json with a hostile note is valid UTF-8" 'd["version"] == 1' \
	promote art --model m --note $'n\xe9te' --json
valid_json "models --json is valid UTF-8" 'd["models"][0]["name"] == "m"' models --json
valid_json "model --json shows the note with U+FFFD" \
	'"n" + R + "te" in json.dumps(d, ensure_ascii=False)' model m --json
mkdir -p "$HOME/.ssh"
printf 'Host caf\xe9\n  HostName 127.0.0.1\n' >"$HOME/.ssh/config"
valid_json "hosts --json is valid UTF-8" '"caf" + R in [h["name"] for h in d["hosts"]]' hosts --json

# The stored bytes stay exact: only what is printed as JSON is replaced.
ry --db "$DB" metrics 1 --csv
if grep -q $'bad\xe9name' "$T_TMP/out"; then ok "the store keeps the bytes as given"; \
else fail "the store keeps the bytes as given"; fi

# One door: JSON text leaves the CLI only through cli_json_write (tui/cli/table.c),
# so no subcommand can print a cJSON document of its own past the check.
others=$(cd "$SRC/tui" && grep -l 'cJSON_Print' ./*.c | grep -v '^\./cli_table\.c$')
if [ -z "$others" ]; then ok "only cli/table.c prints cJSON documents"; \
else RC=0; fail "only cli/table.c prints cJSON documents (also: $others)"; fi

t_end
