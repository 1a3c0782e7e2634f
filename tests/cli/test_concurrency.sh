#!/bin/bash
# Many processes on one workspace at once: 8 writers (`runyard run` tracking
# commands that print many points, then `tag` and `note` on their run), the
# full-screen app (headless, polling and redrawing all along), and CLI
# readers in a loop (`runs --json`, `show`, `metrics --json`).  No one is
# ever told the workspace is busy or locked -- not on any stderr, not on the
# app's screen or in its message log -- every command succeeds, and in the
# end every run has exactly the points its command printed, its tag and
# its note.  RY_CONC_ROUNDS (runs per writer, default 3) and
# RY_CONC_POINTS (points per run, default 4000) scale it; `make soak` runs
# a bigger version.
. "$(dirname "$0")/lib.sh"
export RUNYARD_DB="$T_TMP/ws.db"
export TERM=xterm-256color RUNYARD_TUI_SIZE=120x40 XDG_CONFIG_HOME="$T_TMP/home/.config"
ROUNDS=${RY_CONC_ROUNDS:-3}
M=${RY_CONC_POINTS:-4000}
WRITERS=8
q() { sqlite3 -cmd '.timeout 10000' "$RUNYARD_DB" "$1"; }
PIDS=""
trap 'for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$T_TMP"' EXIT


# a command printing M points of two metrics, in bursts, over a second or so
PRINTER="awk 'BEGIN { for (i = 1; i <= $M; i++) { print \"step=\" i \" loss=\" 1 / i \" acc=\" i / $M; if (i % 100 == 0) { fflush(); system(\"sleep 0.05\") } } }'"
# (in the writers' experiment, so a reader's `runs -e conc` never asks too early)
"$RUNYARD" run -q -e conc --name base -- sh -c 'echo "step=1 loss=0.5"' >/dev/null 2>"$T_TMP/base.err" ||
	{ echo "Bail out! the first run failed: $(cat "$T_TMP/base.err")"; exit 1; }

# ---- the app, headless, fed from a pipe: poll, move, redraw, save ------------
mkfifo "$T_TMP/tui.fifo"
RUNYARD_TUI_SCRIPT="$T_TMP/tui.fifo" "$RUNYARD" >"$T_TMP/tui.out" 2>"$T_TMP/tui.err" &
TUI=$!
PIDS="$PIDS $TUI"
exec 7>"$T_TMP/tui.fifo"
# If the app stops reading (it quit or died), a write to the pipe must fail
# and be reported below with the app's stderr, not kill this script.
trap '' PIPE
TUI_GONE=""
tui() { printf '%s\n' "$@" >&7 2>/dev/null || TUI_GONE=${TUI_GONE:-"$(date +%T)"}; }

# ---- the writers --------------------------------------------------------------
writer() { # W
	local r name rc=0
	for r in $(seq "$ROUNDS"); do
		name=w$1-$r
		"$RUNYARD" run -q -e conc --name "$name" -- sh -c "$PRINTER" >/dev/null 2>>"$T_TMP/writer$1.err" || rc=1
		"$RUNYARD" tag "$name" "writer=$1" "round=$r" >/dev/null 2>>"$T_TMP/writer$1.err" || rc=1
		"$RUNYARD" note "$name" "written by writer $1 in round $r" >/dev/null 2>>"$T_TMP/writer$1.err" || rc=1
	done
	return $rc
}
reader() { # R: until the writers are done; every command must succeed
	local rc=0
	while [ ! -e "$T_TMP/stop" ]; do
		"$RUNYARD" runs --json >/dev/null 2>>"$T_TMP/reader$1.err" || { rc=1; echo "runs --json failed" >>"$T_TMP/reader$1.err"; }
		"$RUNYARD" show base >/dev/null 2>>"$T_TMP/reader$1.err" || { rc=1; echo "show failed" >>"$T_TMP/reader$1.err"; }
		"$RUNYARD" metrics base --json >/dev/null 2>>"$T_TMP/reader$1.err" || { rc=1; echo "metrics failed" >>"$T_TMP/reader$1.err"; }
		"$RUNYARD" runs -e conc >/dev/null 2>>"$T_TMP/reader$1.err" || { rc=1; echo "runs -e failed" >>"$T_TMP/reader$1.err"; }
	done
	return $rc
}
t0=$(date +%s)
WP=""
for w in $(seq $WRITERS); do writer "$w" & WP="$WP $!"; done
reader 1 & R1=$!
reader 2 & R2=$!
PIDS="$PIDS $WP $R1 $R2"
# the app polls and redraws while they write, saving its screen now and then
n=0
while kill -0 $WP 2>/dev/null; do
	n=$((n + 1))
	tui poll j poll k ":save-display $T_TMP/screen-$n"
	sleep 0.2
done 2>/dev/null
wfail=0
for p in $WP; do wait "$p" || wfail=$((wfail + 1)); done
touch "$T_TMP/stop"
rfail=0
wait "$R1" || rfail=$((rfail + 1))
wait "$R2" || rfail=$((rfail + 1))
tui poll ":save-display $T_TMP/screen-last" ":messages" ":save-display $T_TMP/messages" q q q
exec 7>&-
wait_until 30 test -e "$T_TMP/messages" || true
if wait_until 60 sh -c "! kill -0 $TUI 2>/dev/null"; then
	wait "$TUI"
	trc=$?
else
	kill -KILL "$TUI" 2>/dev/null
	wait "$TUI" 2>/dev/null
	trc="still running 60 s after its last command (killed)"
fi
[ -z "$TUI_GONE" ] || trc="$trc; it stopped reading its commands at $TUI_GONE"
echo "# $WRITERS writers x $ROUNDS runs x $M points, 2 readers, the app: $(( $(date +%s) - t0 )) s, $n screens saved"

[ "$wfail" = 0 ] && ok "every writer's run, tag and note succeeded" ||
	fail "$wfail writers had a command fail: $(cat "$T_TMP"/writer*.err | sort | uniq -c | head -5)"
[ "$rfail" = 0 ] && ok "every reader's command succeeded" ||
	fail "$rfail readers had a command fail: $(cat "$T_TMP"/reader*.err | sort | uniq -c | head -5)"
[ "$trc" = 0 ] && ok "the app ran and quit cleanly" || fail "the app ended with status $trc: $(head -5 "$T_TMP/tui.err")"
busy=$(cat "$T_TMP"/*.err | grep -iE 'busy|locked' | sort | uniq -c | head -5)
[ -z "$busy" ] && ok "no stderr says busy or locked" || fail "stderr says busy or locked: $busy"
[ -s "$T_TMP/messages" ] && [ -s "$T_TMP/screen-last" ] && ok "the app saved its screen and its message log" ||
	fail "the app saved its screen and its message log"
busy=$(cat "$T_TMP"/screen-* "$T_TMP/messages" 2>/dev/null | grep -iE 'busy|locked' | sort -u | head -5)
[ -z "$busy" ] && ok "no screen of the app nor its message log says busy or locked" ||
	fail "the app said busy or locked: $busy"

runs=$(q "select count(*) from runs r join experiments e on e.id = r.experiment_id where e.name = 'conc' and r.name != 'base' and r.status = 'finished' and r.exit_code = 0")
[ "$runs" = $((WRITERS * ROUNDS)) ] && ok "all $runs runs finished 0" ||
	fail "$runs of $((WRITERS * ROUNDS)) runs finished 0: $(q "select name, status, exit_code from runs where status != 'finished'")"
short=""
for w in $(seq $WRITERS); do for r in $(seq "$ROUNDS"); do
	name=w$w-$r
	"$RUNYARD" metrics "$name" --csv >"$T_TMP/pts" 2>/dev/null
	nl=$(grep -c "^$name,loss," "$T_TMP/pts")
	na=$(grep -c "^$name,acc," "$T_TMP/pts")
	nd=$(awk -F, 'NR > 1 { print $2 "," $3 }' "$T_TMP/pts" | sort | uniq -d | wc -l)
	[ "$nl" = "$M" ] && [ "$na" = "$M" ] && [ "$nd" = 0 ] || short="$short $name: $nl loss, $na acc, $nd twice;"
	[ "$(q "select value from tags t join runs r on r.id = t.run_id where r.name = '$name' and t.key = 'writer'")" = "$w" ] ||
		short="$short $name: no writer tag;"
	[ "$(q "select notes from runs where name = '$name'")" = "written by writer $w in round $r" ] || short="$short $name: no note;"
done; done
[ -z "$short" ] && ok "every run has exactly its $M + $M points, its tag and its note" || fail "runs are short:$short"
[ "$(q 'PRAGMA integrity_check')" = ok ] && ok "integrity_check" || fail "integrity_check"
t_end
