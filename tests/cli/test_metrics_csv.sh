#!/bin/bash
# `metrics RUN --csv` is data to a file or pipe and text to a terminal: piped,
# every name comes back byte for byte through Python's csv module (RFC 4180
# quoting of commas, quotes, CR and LF); at a terminal (script(1) gives
# runyard a pty) no control sequence in a run or metric name reaches it.
. "$(dirname "$0")/lib.sh"

DB="$T_TMP/ws.db"
# A run name that clears the screen and holds a raw 8-bit CSI (0x9B, not
# UTF-8), and metric keys that write the clipboard (OSC 52), ring the bell,
# move the cursor, or carry CSV's special characters.  Ingest refuses keys
# with control characters, but a workspace can still hold them (an older
# runyard, an import): the points arrive under plain keys as JSON lines,
# then the keys are renamed in the workspace itself.
NAME=$'a,b "q"\nline\r\e[2J\x9b end'
KEYS=($'k\e]52;c;aGVsbG8\a' $'say "hi", then\ngo' $'\e[1;1H\xc2\x9b' ' spaced ' 'plain')
python3 - "$T_TMP/points.jsonl" "${#KEYS[@]}" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for step, v in enumerate([0.5, 0.25]):
        f.write(json.dumps({"step": step, **{"key%d" % i: v for i in range(int(sys.argv[2]))}}) + "\n")
EOF
"$RUNYARD" run -q --db "$DB" --name "$NAME" --no-capture --no-params \
	-- sh -c 'cat "$0" >>"$RUNYARD_METRICS"' "$T_TMP/points.jsonl" >/dev/null 2>&1
RC=$?
python3 - "$DB" "${KEYS[@]}" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for i, k in enumerate(sys.argv[2:]):
    for table in ("metric_keys", "metric_summary"):
        con.execute("UPDATE %s SET key = ? WHERE key = ?" % table, (k, "key%d" % i))
con.commit()
EOF
expect_rc 0 "a run with hostile names is recorded"

# ---- to a pipe: exact bytes, valid CSV ----------------------------------
ry --db "$DB" metrics 1 --csv
expect_rc 0 "metrics --csv to a pipe"
if python3 - "$T_TMP/out" "$NAME" "${KEYS[@]}" <<'EOF'
import csv, os, sys
path, name, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
    rows = list(csv.reader(f))
assert rows[0] == ["run", "key", "step", "ts", "value"], rows[0]
body = rows[1:]
assert len(body) == 2 * len(keys), body
assert all(r[0] == name for r in body), [r[0] for r in body]
assert sorted({r[1] for r in body}) == sorted(keys), [r[1] for r in body]
assert all(len(r) == 5 for r in body), body
for k in keys:
    assert [float(r[4]) for r in body if r[1] == k] == [0.5, 0.25], k
EOF
then ok "piped CSV reads back the exact names through Python's csv"
else fail "piped CSV reads back the exact names through Python's csv"; fi

# ---- to a terminal: sanitised like every other output -------------------
cmd=$(printf '%q ' "$RUNYARD" metrics 1 --csv --db "$DB")
script -qec "$cmd" /dev/null </dev/null >"$T_TMP/out" 2>"$T_TMP/err"
RC=$?
expect_rc 0 "metrics --csv at a terminal"
# The pty turns each \n into \r\n; any other byte that is not printable ASCII
# (ESC, BEL, a bare CR, C1 controls as UTF-8 or as raw 8-bit bytes) would be the
# names acting on the terminal: these names have no other non-ASCII text.
if LC_ALL=C tr -d '\r\n' <"$T_TMP/out" | LC_ALL=C grep -q $'[^\x20-\x7e]'; then
	fail "no control byte reaches the terminal"
else
	ok "no control byte reaches the terminal"
fi
expect_out_has '^[]52;c;aGVsbG8^G' "the OSC 52 write is shown, not sent"
expect_out_has 'line^M^[[2J' "the screen clear and the bare CR are shown, not sent"
expect_out_has '^[[1;1H\u009B' "a C1 CSI in UTF-8 is shown, not sent"
expect_out_has '^[[2J\x9B end' "a raw 8-bit CSI is shown, not sent"
# Sanitised fields are still quoted by the same rule: one header and two rows
# a key, however the names look.
rows=$(tr -d '\r' <"$T_TMP/out" | wc -l)
if [ "$rows" -eq $((1 + 2 * ${#KEYS[@]})) ]; then ok "one terminal line a row"; \
else fail "one terminal line a row (got $rows lines)"; fi
expect_out_has '"say ""hi"", then^Jgo"' "a sanitised field with a comma and quotes is still quoted"

t_end
