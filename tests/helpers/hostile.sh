# The hostile-string corpus (issue 16), one home for every test that feeds
# outside text to runyard: source it; it defines variables and functions only.
#
# Each piece is something a terminal would act on or that would break a
# layout if it reached the screen raw.  HX is all of them in one string, with
# a plain-text marker on each side so a test can find where it landed.
#   HX_CSI    clear screen, cursor home and a cursor move (CSI ... J / H)
#   HX_SGR    a colour no theme uses (38;5;201), to spot in capture-pane -e
#   HX_OSC0   OSC 0: set the window title to HXTITLE, BEL-terminated
#   HX_OSC52  OSC 52: write "pwned!" to the clipboard, ST-terminated
#   HX_C1RAW  C1 controls as raw bytes (0x9b CSI, 0x9d OSC, 0x9c ST, 0x85 NEL):
#             not UTF-8, but an 8-bit terminal acts on them
#   HX_C1UTF  the same C1 controls as UTF-8 (U+009B, U+009D, U+009C, U+0085)
#   HX_BIDI   bidi overrides and isolates: U+202E, U+2066..U+2069
#   HX_BAD    invalid UTF-8: a lone 0xff, an overlong '/', a surrogate, a cut sequence
#   HX_CTRL   BEL, backspace, carriage return, DEL
# NUL cannot travel in an argument; tests put it where it can be carried (a
# log line, plugin output, JSON \u0000) with hx_nul_line.
HX_CSI=$'\e[2J\e[H\e[5;5H'
HX_SGR=$'\e[38;5;201mPINK\e[0m'
HX_OSC0=$'\e]0;HXTITLE\a'
HX_OSC52=$'\e]52;c;cHduZWQh\e\\'
HX_C1RAW=$'\x9b2J\x9d0;HXTITLE\x9c\x85'
HX_C1UTF=$'\xc2\x9b2J\xc2\x9d0;HXTITLE\xc2\x9c\xc2\x85'
HX_BIDI=$'\xe2\x80\xaeevil\xe2\x81\xa6a\xe2\x81\xa9\xe2\x81\xa7b\xe2\x81\xa9\xe2\x81\xa8c\xe2\x81\xa9'
HX_BAD=$'\xff\xc0\xaf\xed\xa0\x80\xe6\x97'
HX_CTRL=$'\a\b\r\x7f'
HX="hx<${HX_CSI}${HX_SGR}${HX_OSC0}${HX_OSC52}${HX_C1RAW}${HX_C1UTF}${HX_BIDI}${HX_BAD}${HX_CTRL}>xh"

# hx NAME: the corpus string with a tag, for a distinct name ("hx-NAME<...>xh").
hx() { printf '%s' "hx-$1<${HX#hx<}"; }

# hx_big_line FILE [MB]: append one line of MB (default 10) megabytes, the
# corpus at its start and end, to FILE.
hx_big_line() {
	python3 - "$1" "${2:-10}" "$HX" <<'PY'
import os, sys
hx = os.fsencode(sys.argv[3])
with open(sys.argv[1], "ab") as f:
    f.write(hx + b"y" * (int(sys.argv[2]) << 20) + hx + b"\n")
PY
}

# hx_clean FILE [--json] [--sgr-ok]: FILE holds nothing a terminal would act
# on: no C0 control but newline and tab, no DEL, no C1 (raw byte or UTF-8), no
# bidi control, no NUL, no invalid UTF-8; with --json it must also be one
# strict UTF-8 JSON document; --sgr-ok allows colour (SGR) sequences.
# Prints what it found, with offsets, and fails.
hx_clean() {
	python3 - "$@" <<'PY'
import json, sys
import re
data = open(sys.argv[1], "rb").read()
if "--sgr-ok" in sys.argv[2:]:
    data = re.sub(rb"\x1b\[[0-9;]*m", b"", data)
bad = []
text = data.decode("utf-8", "surrogateescape")
for i, ch in enumerate(text):
    c = ord(ch)
    if (c < 0x20 and ch not in "\n\t") or c == 0x7f or 0x80 <= c < 0xa0 \
       or 0xdc80 <= c <= 0xdcff or 0x202a <= c <= 0x202e or 0x2066 <= c <= 0x2069 \
       or c in (0x200e, 0x200f, 0x061c):
        bad.append("U+%04X@%d" % (c if c < 0xdc00 else c - 0xdc00, i))
if "--json" in sys.argv[2:]:
    try:
        json.loads(data.decode("utf-8"))
    except Exception as e:
        bad.append("not strict UTF-8 JSON: %s" % str(e)[:80])
if bad:
    print(" ".join(bad[:8]) + (" (+%d more)" % (len(bad) - 8) if len(bad) > 8 else ""))
    sys.exit(1)
PY
}

# hx_plant_remote DB: the rows only a remote host, the queue or a serving
# target fill, holding the corpus -- a running job launched over SSH (its
# host, command, GPUs' text and remote dir), a queued sweep run (the hosts
# it waits for, its sweep and its last error) and a failed deployment of
# hmodel (target, alias, handle, endpoint and the target's detail) -- as
# the text those outsiders would send.  Written with SQLite directly into
# an existing workspace, because no real host here sends such bytes.
hx_plant_remote() {
	python3 - "$1" "$HX" <<'PY'
import os, sqlite3, sys, time
hx = os.fsencode(sys.argv[2])
def t(name):
    return b"hx-" + name.encode() + b"<" + hx[len(b"hx<"):]
db = sqlite3.connect(sys.argv[1], timeout=30)
now = time.time()
exp = db.execute("SELECT min(id) FROM experiments").fetchone()[0]
T = "CAST(? AS TEXT)"
db.execute("INSERT INTO runs(uuid, experiment_id, name, status, command, host, gpus, started, created, source, "
           f"remote_dir) VALUES ('hxjob0000', ?, {T}, 'running', {T}, {T}, '0', ?, ?, 'ssh', {T})",
           (exp, t("job"), t("jobcmd"), t("jobhost"), now - 60, now - 60, t("jobdir")))
cur = db.execute("INSERT INTO runs(uuid, experiment_id, name, status, command, created, source) "
                 f"VALUES ('hxqueued00', ?, {T}, 'queued', {T}, ?, 'queue')", (exp, t("queued"), t("qcmd"), now))
db.execute("INSERT INTO queue(run_id, sweep, hosts, gpus, argv, pack, queued, tries, last_error) "
           f"VALUES (?, {T}, {T}, 1, ?, 'hxpack', ?, 1, {T})",
           (cur.lastrowid, t("sweep"), t("qhosts"), t("argv") + b"\0" + t("argv2") + b"\0", now, t("qerr")))
db.execute("INSERT INTO deployments(model, version, alias, target, kind, handle, endpoint, status, created, "
           f"updated, detail) VALUES ('hmodel', 1, {T}, {T}, 'http', {T}, {T}, 'failed', ?, ?, {T})",
           (t("dalias"), t("dtarget"), t("dhandle"), t("dendpoint"), now, now, t("ddetail")))
db.commit()
PY
}
