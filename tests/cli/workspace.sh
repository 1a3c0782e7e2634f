# Shared by the CLI tests of the listing commands (sourced after lib.sh):
# a demo workspace made by the real `runyard demo`, an independent view of it
# through the sqlite3 shell, and small JSON helpers in python3.

# make_demo PATH [ARGS...]: seed a demo workspace at PATH or fail the test.
make_demo() {
	local path=$1
	shift
	if ! "$RUNYARD" demo --db "$path" "$@" >"$T_TMP/demo.out" 2>"$T_TMP/demo.err"; then
		echo "# runyard demo failed:"; sed 's/^/#   /' "$T_TMP/demo.err"
		echo "Bail out! cannot build the demo workspace"
		exit 1
	fi
}

# sq PATH SQL: the sqlite3 shell's answer, read-only (the independent oracle).
sq() {
	sqlite3 -readonly -batch -noheader "$1" "$2"
}

# The system python when there is one: a version manager's shim can take a
# second to start on a loaded machine, and the tests need only the stdlib.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# pyjson 'EXPR': evaluate a python3 expression over `d`, the JSON document on
# stdout of the last `ry`; prints the result.
pyjson() {
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(r if not isinstance(r, bool) else ("yes" if r else "no"))' "$T_TMP/out" "$1"
}

# expect_eq ACTUAL EXPECTED DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else fail "$3 (got '$1', expected '$2')"; fi
}

# expect_json EXPR DESCRIPTION [EXPR DESCRIPTION]...: each python expression
# over `d`, the JSON document the last `ry` printed, must be true.  One
# python process checks them all.
expect_json() {
	local line
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		esac
	done < <("$PY" -c '
import json, sys
args = sys.argv[2:]
try:
    d = json.load(open(sys.argv[1]))
    bad = None
except Exception as e:
    bad = "stdout is not one JSON document: %s" % e
for i in range(0, len(args) - 1, 2):
    expr, desc = args[i], args[i + 1]
    if bad:
        print("FAIL %s (%s)" % (desc, bad))
        continue
    try:
        r = eval(expr)
    except Exception as e:
        print("FAIL %s (%s: %s)" % (desc, type(e).__name__, e))
        continue
    if r is True:
        print("PASS " + desc)
    else:
        print("FAIL %s (%s -> %r)" % (desc, expr.replace("\n", " "), r))
' "$T_TMP/out" "$@")
}

# expect_err_lines N DESCRIPTION: stderr has exactly N lines.
expect_err_lines() {
	local n
	n=$(wc -l <"$T_TMP/err")
	if [ "$n" -eq "$1" ]; then ok "$2"; else fail "$2 (stderr has $n lines, expected $1)"; fi
}

# expect_no_escape DESCRIPTION: stdout and stderr hold no ESC or other C0
# control byte except newline and tab.
expect_no_control() {
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T_TMP/out" "$T_TMP/err"; then
		fail "$1 (raw control bytes reached the terminal)"
	else
		ok "$1"
	fi
}

# hash FILE: sha256 of a file's contents.
hash() {
	sha256sum "$1" | cut -d' ' -f1
}

# expect_unique_keys DESCRIPTION: no JSON object in the last stdout repeats a
# key (python's json module would silently keep the last one).
expect_unique_keys() {
	if "$PY" -c '
import json, sys
def hook(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted(set(k for k in keys if keys.count(k) > 1))
    if dup:
        sys.exit("duplicate keys: %s" % dup)
    return dict(pairs)
json.load(open(sys.argv[1]), object_pairs_hook=hook)' "$T_TMP/out" 2>"$T_TMP/pyerr"; then
		ok "$1"
	else
		fail "$1 ($(cat "$T_TMP/pyerr"))"
	fi
}
