#!/bin/bash
# Workspace files a user did not expect: a directory they cannot write
# (someone else's workspace, a read-only mount) still reads, and says why
# writing is refused; an empty file is not silently turned into a workspace
# by a command that only reads.
. "$(dirname "$0")/lib.sh"

# ---- an empty file
: > "$T_TMP/empty.db"
for cmd in runs experiments "show 1"; do
	# shellcheck disable=SC2086
	ry $cmd --db "$T_TMP/empty.db"
	expect_rc 1 "$cmd on an empty file fails"
	expect_err_has "is an empty file, not a runyard workspace yet" "$cmd says the file is empty, not a workspace"
	[ ! -s "$T_TMP/empty.db" ] && [ ! -e "$T_TMP/empty.db-wal" ] && ok "$cmd leaves the empty file as it was" \
		|| fail "$cmd leaves the empty file as it was ($(stat -c %s "$T_TMP/empty.db") bytes)"
done
# a command that writes may make it one (mktemp's file is explicitly new)
ry run -q --db "$T_TMP/empty.db" -- true
expect_rc 0 "runyard run makes an empty file a workspace"
ry runs --db "$T_TMP/empty.db"
expect_rc 0 "which then lists"

# ---- a workspace in a directory this user cannot write
if ! command -v setpriv >/dev/null || [ "$(id -u)" -ne 0 ]; then
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT - # SKIP read-only directory: needs root and setpriv to act as another user"
	t_end
	exit $?
fi
RO="$T_TMP/ro"
mkdir -p "$RO"
ry demo --db "$RO/ws.db" --runs 6 --steps 20
expect_rc 0 "seed a workspace"
chmod 755 "$T_TMP"
chmod 644 "$RO/ws.db"
chmod 555 "$RO"
before=$(sha256sum "$RO/ws.db" | cut -d' ' -f1)
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$T_TMP/nobody" "$RUNYARD" "$@" \
	>"$T_TMP/out" 2>"$T_TMP/err"; RC=$?; }
as_nobody runs --db "$RO/ws.db"
expect_rc 0 "runs reads a workspace in a read-only directory"
[ "$(grep -c . "$T_TMP/out")" = 7 ] && ok "and lists its 6 runs" || fail "and lists its 6 runs"
expect_out_lacks "readonly database" "no SQLite error in the listing"
as_nobody show 1 --db "$RO/ws.db" --json
expect_rc 0 "show --json reads it"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T_TMP/out" && ok "valid JSON" || fail "valid JSON"
as_nobody experiments --db "$RO/ws.db"
expect_rc 0 "experiments reads it"
as_nobody rm 1 --db "$RO/ws.db"
expect_rc 1 "rm is refused"
expect_err_has "is open read-only" "rm says the workspace is read-only"
expect_err_has "$RO" "and names what cannot be written"
as_nobody run -q --db "$RO/ws.db" -- touch "$T_TMP/nobody-ran"
expect_rc 1 "run is refused"
[ ! -e "$T_TMP/nobody-ran" ] && ok "and its command did not run" || fail "its command ran"
[ "$(sha256sum "$RO/ws.db" | cut -d' ' -f1)" = "$before" ] && ok "the workspace file is unchanged" \
	|| fail "the workspace file is unchanged"
chmod 755 "$RO"
ry runs --db "$RO/ws.db"
expect_rc 0 "its owner still reads and writes it"

t_end
