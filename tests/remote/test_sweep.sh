#!/bin/bash
# Sweeps and the run queue against a real sshd (the GPU host's nvidia-smi is
# the test double printing the real tool's CSV: there is no GPU here).  A
# six-run grid on a two-GPU host: the plan says two start and four wait, with
# the cost of one run and of the whole sweep; two start on different GPUs,
# the rest are queued runs that `queue --drain` starts as GPUs free, never
# two on one GPU; every run carries its values and the sweep's id; a drainer
# killed and restarted duplicates and loses nothing; a queued run can be
# taken out.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
export RUNYARD_DB=$T_TMP/ws.db

jsonq() { printf '%s' "$OUT" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

R=$T_TMP/repo
mkdir -p "$R" && cd "$R" && git init -q . && git config user.email t@example.org && git config user.name tester
cat > train.sh <<'S'
#!/bin/sh
echo "lr=$1 bs=$2 gpu=$CUDA_VISIBLE_DEVICES"
# hold the GPU until the test lets this run go
while [ ! -e "$RELEASE/$RUNYARD_RUN_ID" ] && [ ! -e "$RELEASE/all" ]; do sleep 0.1; done
echo "val_loss: 0.5"
S
chmod +x train.sh && git add . && git commit -qm init
REL=$T_TMP/release
mkdir -p "$REL" && chmod 777 "$REL" "$T_TMP"

# ---- the plan -------------------------------------------------------------
ry sweep -e sw --grid lr=0.1,0.01,0.001 --grid bs=32,64 --host gpu2 --gpus-per-run 1 --time-limit 1h --estimate \
	-- env RELEASE="$REL" ./train.sh {lr} {bs}
expect_rc 0 "sweep --estimate"
expect_out_has "6 runs, grid lr x bs (3 x 2); 1 GPU each" "the plan counts the runs and names the axes"
expect_out_has "lr=0.1 bs=32  -> now on gpu2 (GPU 0)" "the first run starts now on GPU 0"
expect_out_has "lr=0.1 bs=64  -> now on gpu2 (GPU 1)" "the second on GPU 1"
expect_out_has "lr=0.01 bs=32  -> waits (queue 1)" "the third waits"
expect_out_has "2 start now, 4 wait for GPUs." "the plan's summary"
expect_out_has "rate           \$1.75/h" "the estimate of one run is shown"
expect_out_has "sweep total" "and the sweep's total"
expect_out_has "at most \$10.50 at the time limit" "6 x the maximum at the time limit"
[ "$(sql "SELECT count(*) FROM runs")" = 0 ] && ok "--estimate queues nothing" || fail "--estimate queues nothing"

# ---- bad input --------------------------------------------------------------
ry sweep -e sw --grid lr --host gpu2 --yes -- ./train.sh
expect_rc 2 "a grid axis without values is bad usage"
expect_err_has "expected KEY=V1,V2" "and says the form"
ry sweep -e sw --random 'wd=gauss(1,2)' --host gpu2 --yes -- ./train.sh
expect_rc 2 "an unknown distribution is bad usage"
ry sweep -e sw --grid lr=1,2 --host nosuch --yes -- ./train.sh
expect_rc 1 "an unknown host is refused"
ry sweep -e sw --grid lr=1,2 --host gpu2 --yes -- ./train.sh --api-key s3cr3t
expect_rc 2 "a command with a secret is refused"
expect_err_has "carries a secret (api-key)" "and says why"
[ "$(sql "SELECT count(*) FROM runs")" = 0 ] && ok "nothing was queued by refused sweeps" || fail "nothing was queued by refused sweeps"

# ---- queue it: two start, four wait ----------------------------------------
ry sweep -e sw --grid lr=0.1,0.01,0.001 --grid bs=32,64 --host gpu2 --gpus-per-run 1 --yes --seed 7 \
	-- env RELEASE="$REL" ./train.sh {lr} {bs}
expect_rc 0 "the sweep is queued"
expect_out_has "2 started, 4 waiting" "two started, four wait"
sweep=$(sql "SELECT DISTINCT value FROM tags WHERE key = 'sweep'")
[ "$(sql "SELECT count(*) FROM tags WHERE key = 'sweep' AND value = '$sweep'")" = 6 ] && ok "all six runs carry the sweep id" ||
	fail "all six runs carry the sweep id"
[ "$(sql "SELECT count(*) FROM params WHERE key IN ('lr', 'bs')")" = 12 ] && ok "and their values as params" ||
	fail "and their values as params"
[ "$(sql "SELECT group_concat(gpus, ' ') FROM (SELECT gpus FROM runs WHERE status = 'running' ORDER BY gpus)")" = "0 1" ] &&
	ok "the two running ones hold GPUs 0 and 1" || fail "the two running ones hold GPUs 0 and 1"
ry queue
expect_rc 0 "queue lists"
expect_out_has "$sweep" "the queue names the sweep"
expect_out_has "gpu2: 0 of 2 GPUs free" "and why its runs wait"
ry queue --json
[ "$(jsonq "len(d)")" = 4 ] && ok "queue --json has the four waiting runs" || fail "queue --json has the four waiting runs"
[ "$(jsonq "d[0]['position']")" = 1 ] && ok "in order" || fail "in order"

# ---- a queued run taken out -------------------------------------------------
last=$(jsonq "d[-1]['run']")
ry queue cancel "$last"
expect_rc 0 "queue cancel"
[ "$(sql "SELECT status FROM runs WHERE id = $last")" = killed ] && ok "the run taken out is killed" || fail "the run taken out is killed"
ry queue cancel "$last"
expect_rc 1 "taking it out again says it is not waiting"

# ---- drain: a killed drainer, then one that finishes the queue --------------
"$RUNYARD" queue --drain --interval 0.2 > "$T_TMP/drain1.out" 2>&1 &
d1=$!
first=$(sql "SELECT min(id) FROM runs WHERE status = 'running'")
touch "$REL/$(sql "SELECT uuid FROM runs WHERE id = $first")"
started_more() { [ "$(sql "SELECT count(*) FROM runs WHERE status IN ('running','finished')")" -ge 3 ]; }
for i in $(seq 1 200); do started_more && break; sleep 0.1; done
started_more && ok "the drainer starts a queued run when a GPU frees" || fail "the drainer starts a queued run when a GPU frees"
kill -KILL $d1 2>/dev/null; wait $d1 2>/dev/null
touch "$REL/all"
ry queue --drain --interval 0.2
expect_rc 0 "a new drainer empties the queue"
all_done() { "$RUNYARD" sync >/dev/null 2>&1; [ "$(sql "SELECT count(*) FROM runs WHERE status = 'running'")" = 0 ]; }
for i in $(seq 1 80); do all_done && break; sleep 0.25; done
[ "$(sql "SELECT count(*) FROM runs WHERE status = 'finished'")" = 5 ] && ok "the five runs all ran" ||
	fail "the five runs all ran ($(sql "SELECT status, count(*) FROM runs GROUP BY status" | tr '\n' ' '))"
[ "$(sql "SELECT count(*) FROM queue")" = 0 ] && ok "the queue is empty" || fail "the queue is empty"
dups=$(for d in "$RT_WORK"/gpu2/runs/*/; do basename "$d"; done | sort | uniq -d | wc -l)
[ "$(ls -d "$RT_WORK"/gpu2/runs/*/ | wc -l)" = 5 ] && [ "$dups" = 0 ] && ok "each run started once on the host" ||
	fail "each run started once on the host ($(ls -d "$RT_WORK"/gpu2/runs/*/ | wc -l) run dirs)"
# no two runs of the sweep overlapped on one GPU
overlap=$(sql "SELECT count(*) FROM runs a JOIN runs b ON a.id < b.id AND a.gpus = b.gpus AND a.started < b.ended AND b.started < a.ended
               WHERE a.status = 'finished' AND b.status = 'finished'")
[ "$overlap" = 0 ] && ok "no two runs held the same GPU at once" || fail "no two runs held the same GPU at once ($overlap overlaps)"
ry logs "$(sql "SELECT id FROM runs WHERE status = 'finished' ORDER BY id DESC LIMIT 1")"
expect_out_has "val_loss: 0.5" "a drained run's log is pulled"
ry runs --filter "tags.sweep = \"$sweep\"" --json
[ "$(jsonq "len(d['runs']) if isinstance(d, dict) else len(d)")" = 6 ] && ok "the sweep's runs are one filter away" ||
	fail "the sweep's runs are one filter away"

# ---- the full-screen app drains the queue while it is open ------------------
if command -v tmux >/dev/null 2>&1; then
	ry sweep -e sw2 --grid k=1,2,3,4 --host gpu2 --gpus-per-run 1 --yes -- env RELEASE="$REL" ./train.sh {k} 0
	expect_out_has "2 started, 2 waiting" "a second sweep: two start, two wait"
	SOCK=$T_TMP/tmux.sock
	tmux -S "$SOCK" -f /dev/null new-session -d -x 120 -y 40 "exec '$RUNYARD'"
	drained() { [ "$(sql "SELECT count(*) FROM runs r JOIN experiments e ON e.id = r.experiment_id
	                      WHERE e.name = 'sw2' AND r.status = 'queued'")" = 0 ]; }
	for i in $(seq 1 600); do drained && break; sleep 0.1; done
	drained && ok "with the TUI open, the queued runs start as GPUs free" ||
		fail "with the TUI open, the queued runs start as GPUs free ($(sql "SELECT status, count(*) FROM runs GROUP BY status" | tr '\n' ' '))"
	screen_has() { tmux -S "$SOCK" capture-pane -p 2>/dev/null | grep -qF -- "$1"; }
	wait_screen() { local i; for i in $(seq 1 200); do screen_has "$1" && return 0; sleep 0.1; done; return 1; }
	# one that cannot start: all 8 GPUs of gpu8, one of which is busy
	ry sweep -e sw3 --grid k=1 --host gpu8 --gpus-per-run 8 --yes -- ./train.sh {k} 0
	expect_out_has "0 started, 1 waiting" "a run needing more GPUs than are free waits"
	tmux -S "$SOCK" send-keys H
	wait_screen "Queue: 1 run waiting for GPUs" && ok "the hosts screen shows the queue" ||
		fail "the hosts screen shows the queue"
	wait_screen "gpu8: 7 of 8 GPUs free" && ok "and why the run waits" || fail "and why the run waits"
	tmux -S "$SOCK" send-keys q
	sweep2=$(sql "SELECT DISTINCT t.value FROM tags t JOIN runs r ON r.id = t.run_id JOIN experiments e
	              ON e.id = r.experiment_id WHERE t.key = 'sweep' AND e.name = 'sw2'")
	tmux -S "$SOCK" send-keys -l ":sweep $sweep2"
	tmux -S "$SOCK" send-keys Enter
	wait_screen "sweep $sweep2: 4 runs shown and marked" && ok ":sweep shows and marks a sweep's runs" ||
		fail ":sweep shows and marks a sweep's runs"
	tmux -S "$SOCK" send-keys c
	wait_screen "compare" && ok "c then compares them" || fail "c then compares them"
	tui_pid=$(tmux -S "$SOCK" list-panes -a -F '#{pane_pid}' 2>/dev/null)
	tmux -S "$SOCK" kill-server 2>/dev/null
	# made sure of: a runyard outliving its terminal must not spin on
	for i in $(seq 1 50); do kill -0 "$tui_pid" 2>/dev/null || break; sleep 0.1; done
	[ -n "$tui_pid" ] && kill -KILL "$tui_pid" 2>/dev/null
	ry queue cancel "$(sql "SELECT q.run_id FROM queue q JOIN runs r ON r.id = q.run_id WHERE r.status = 'queued' AND r.source = 'queue'")"
	expect_rc 0 "the waiting run is taken out ($(sql "SELECT r.status || ' ' || r.source || ' ' || coalesce(r.notes, '') FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.name = 'sw3'"))"
fi
t_end
