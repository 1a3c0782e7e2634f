#!/bin/bash
# Bad inputs to the listing commands: each gets one line on stderr saying what
# was wrong and what to do, the exit status of the contract (1 the operation
# failed, 2 bad usage or input), and the file on disk byte-for-byte as it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/workspace.sh"

GOOD="$T_TMP/good.db"
make_demo "$GOOD"

# refused WHAT RC NEEDLE ARGS...: run, expect status RC, one stderr line
# containing NEEDLE, nothing on stdout, no crash.
refused() {
	local what=$1 rc=$2 needle=$3
	shift 3
	ry "$@"
	expect_rc "$rc" "$what: exit status $rc"
	expect_err_has "$needle" "$what: the message says '$needle'"
	expect_err_lines 1 "$what: one line on stderr"
	[ -s "$T_TMP/out" ] && fail "$what: nothing on stdout" || ok "$what: nothing on stdout"
}

# unchanged WHAT FILE HASH: the file still hashes to HASH.
unchanged() {
	if [ "$(hash "$2")" = "$3" ]; then ok "$1: file unchanged"; else fail "$1: the file was modified"; fi
}

# ---- workspace paths -----------------------------------------------------
for cmd in experiments runs "show 1" "compare 1 2"; do
	# shellcheck disable=SC2086
	refused "missing workspace ($cmd)" 1 "no workspace at" --db "$T_TMP/no/such/dir/ws.db" $cmd
done
[ -e "$T_TMP/no" ] && fail "a read command created directories" || ok "a read command creates nothing"
RUNYARD_DB="$T_TMP/absent.db" refused "missing workspace via RUNYARD_DB" 1 "absent.db" runs
[ -e "$T_TMP/absent.db" ] && fail "RUNYARD_DB file was created" || ok "RUNYARD_DB file not created"

refused "a directory" 1 "is a directory" --db "$T_TMP" runs
mkfifo "$T_TMP/fifo"
refused "a fifo" 1 "not a regular file" --db "$T_TMP/fifo" experiments

NOTDB="$T_TMP/notes.txt"
printf 'dear diary,\ntoday I trained a model and it was not a database.\n%.0s' 1 2 3 4 5 6 7 8 >"$NOTDB"
H=$(hash "$NOTDB")
refused "a text file" 1 "not a runyard workspace" --db "$NOTDB" runs
unchanged "a text file" "$NOTDB" "$H"
refused "a text file (show)" 1 "not a runyard workspace" --db "$NOTDB" show 1
unchanged "a text file (show)" "$NOTDB" "$H"

OTHER="$T_TMP/other.db"
sqlite3 "$OTHER" "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices(total) VALUES (9.5);"
H=$(hash "$OTHER")
refused "another program's SQLite file" 1 "not a runyard workspace" --db "$OTHER" experiments
unchanged "another program's SQLite file" "$OTHER" "$H"

NEWER="$T_TMP/newer.db"
cp "$GOOD" "$NEWER"
sqlite3 "$NEWER" "PRAGMA user_version = 99"
H=$(hash "$NEWER")
refused "a newer schema" 1 "newer than this runyard" --db "$NEWER" runs
unchanged "a newer schema" "$NEWER" "$H"
refused "a newer schema (show --json)" 1 "upgrade runyard" --db "$NEWER" show 1 --json
unchanged "a newer schema (show --json)" "$NEWER" "$H"

# Garbage over every page after the first: the header still says SQLite.
CORRUPT="$T_TMP/corrupt.db"
cp "$GOOD" "$CORRUPT"
SIZE=$(stat -c %s "$CORRUPT")
python3 - "$CORRUPT" <<'EOF'
import random, sys
p = sys.argv[1]
data = bytearray(open(p, 'rb').read())
rnd = random.Random(7)
for i in range(4096, len(data)):
    data[i] = rnd.randrange(256)
open(p, 'wb').write(bytes(data))
EOF
H=$(hash "$CORRUPT")
for cmd in experiments runs "runs --json" "show 1"; do
	# shellcheck disable=SC2086
	ry --db "$CORRUPT" $cmd
	if [ "$RC" -eq 1 ]; then ok "corrupt ($cmd): exit status 1"; else fail "corrupt ($cmd): exit status 1"; fi
	if grep -qE 'corrupt|not a runyard workspace' "$T_TMP/err"; then
		ok "corrupt ($cmd): the message says the file is damaged"
	else
		fail "corrupt ($cmd): the message says the file is damaged"
	fi
	expect_err_lines 1 "corrupt ($cmd): one line on stderr"
	unchanged "corrupt ($cmd)" "$CORRUPT" "$H"
done
[ "$(stat -c %s "$CORRUPT")" = "$SIZE" ] && ok "corrupt: size unchanged" || fail "corrupt: size changed"

# ---- bad input on a good workspace ----------------------------------------
HGOOD=$(hash "$GOOD")
ry --db "$GOOD" runs --filter 'val_acc >'
expect_rc 2 "an invalid filter: exit status 2"
expect_err_has "expected" "an invalid filter: the message says what was expected"
expect_err_has "column" "an invalid filter: the message points at the column"
head -1 "$T_TMP/err" | grep -q '^runyard: ' && ok "an invalid filter: first line is the error" \
	|| fail "an invalid filter: first line is the error"

ry --db "$GOOD" runs --filter 'params.lr < 0.01 and (optimizer = adam'
expect_rc 2 "an unbalanced parenthesis: exit status 2"
expect_err_has "column" "an unbalanced parenthesis: the message points at the column"

ry --db "$GOOD" runs --filter 'nosuchfield_xyz > 1'
expect_rc 2 "an unknown field in a filter: exit status 2"
expect_err_has "nosuchfield_xyz" "an unknown field in a filter: the message names it"

# Pasted lists: a thousand `or` terms run (SQLite refuses an expression 1000
# deep; the filter must not compile that deep).  What is still too deep takes
# more than one argv string can hold; test_query proves it a usage error.
A=$(sq "$GOOD" "SELECT name FROM runs ORDER BY id LIMIT 1")
B=$(sq "$GOOD" "SELECT name FROM runs ORDER BY id DESC LIMIT 1")
F="name = \"$A\""
for i in $(seq 2 999); do F="$F or name = \"nope-$i\""; done
ry --db "$GOOD" runs --filter "$F or name = \"$B\""
expect_rc 0 "1000 name = terms joined by or: exit status 0"
expect_out_has "$A" "1000 name = terms: the first name is listed"
expect_out_has "$B" "1000 name = terms: the last name is listed"
F="name = \"$A\""
for i in $(seq 1 250); do F="$F or name ~ nope$i or id = $((i + 100000)) or batch_size = $i or status = queued"; done
ry --db "$GOOD" runs --filter "$F"
expect_rc 0 "1001 mixed-field terms joined by or: exit status 0"
expect_out_has "$A" "1001 mixed-field terms: the matching run is listed"

refused "an unknown column" 2 "nosuchcolumn_xyz" --db "$GOOD" runs --columns params.lr,nosuchcolumn_xyz
refused "an unknown sort key" 2 "nosuchkey_xyz" --db "$GOOD" runs --sort nosuchkey_xyz:desc
refused "an unknown experiment" 1 "no experiment" --db "$GOOD" runs -e no-such-experiment
refused "an unknown run id" 1 "no run" --db "$GOOD" show 999999
refused "an unknown run name" 1 "no-such-run-name" --db "$GOOD" show no-such-run-name
refused "an unknown run in compare" 1 "no-such-run-name" --db "$GOOD" compare 1 no-such-run-name
unchanged "bad input on a good workspace" "$GOOD" "$HGOOD"

# Two runs whose uuids share a prefix, and two runs with the same name.
AMB="$T_TMP/amb.db"
cp "$GOOD" "$AMB"
read -r R1 R2 <<<"$(sq "$AMB" "SELECT id FROM runs ORDER BY id LIMIT 2" | tr '\n' ' ')"
sqlite3 "$AMB" "UPDATE runs SET uuid = 'beef' || substr(uuid, 5) WHERE id IN ($R1, $R2);
                UPDATE runs SET name = 'twin' WHERE id IN ($R1, $R2);"
H=$(hash "$AMB")
refused "an ambiguous uuid prefix" 1 "matches 2 runs" --db "$AMB" show beef
expect_err_has "$R1 " "an ambiguous prefix lists the first candidate"
expect_err_has "$R2 " "an ambiguous prefix lists the second candidate"
refused "an ambiguous name" 1 "twin" --db "$AMB" compare twin "$R1"
ry --db "$AMB" show "$R1"
expect_rc 0 "the id still resolves an ambiguous run"
unchanged "ambiguous runs" "$AMB" "$H"

# Names with terminal escapes print visibly, never raw.
EVIL="$T_TMP/evil.db"
cp "$GOOD" "$EVIL"
sqlite3 "$EVIL" "UPDATE runs SET name = 'evil' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || 'x',
                 notes = 'line1' || char(10) || char(27) || '[31mred' WHERE id = $R1;
                 UPDATE params SET value = 'a' || char(27) || '[1mb' WHERE run_id = $R1 AND key = 'optimizer';"
ry --db "$EVIL" runs
expect_rc 0 "runs with a hostile name succeeds"
expect_no_control "runs escapes control characters"
expect_out_has "evil^[[2J" "runs shows the escape visibly"
ry --db "$EVIL" show "$R1"
expect_no_control "show escapes control characters"
ry --db "$EVIL" compare "$R1" "$R2"
expect_no_control "compare escapes control characters"
ry --db "$EVIL" show "$(printf 'no\033[2Jsuch')"
expect_rc 1 "an unknown hostile run spec: exit status 1"
expect_no_control "an error quoting outside text escapes it"
ry --db "$EVIL" show "$R1" --json
expect_json "d['name'].startswith('evil\x1b[2J')" "--json keeps the exact name (JSON-escaped)"
expect_no_control "--json output holds no raw control bytes"

# ---- usage ----------------------------------------------------------------
ry --db "$GOOD" runs --bogus
expect_rc 2 "an unknown option: exit status 2"
expect_err_has "--bogus" "an unknown option is named"
ry --db "$GOOD" runs --limit many
expect_rc 2 "a non-numeric --limit: exit status 2"
ry --db "$GOOD" runs --sort
expect_rc 2 "a missing option value: exit status 2"
expect_err_has "needs a value" "a missing option value says so"
ry --db "$GOOD" show
expect_rc 2 "show without a run: exit status 2"
ry --db "$GOOD" show 1 2
expect_rc 2 "show with two runs: exit status 2"
ry --db "$GOOD" compare 1
expect_rc 2 "compare with one run: exit status 2"
ry --db "$GOOD" experiments extra
expect_rc 2 "experiments with an argument: exit status 2"
ry --db "$GOOD" frobnicate
expect_rc 2 "an unknown command: exit status 2"
ry runs --db
expect_rc 2 "--db without a value: exit status 2"
unchanged "usage errors" "$GOOD" "$HGOOD"

t_end
