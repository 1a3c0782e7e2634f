#!/bin/bash
# Following a remote run's log through an sshd outage (issue 16): `logs -f`
# says the error once, that it is retrying, and that the host is back --
# not the same error every second -- and prints the whole log at the end.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
export RUNYARD_DB=$T_TMP/ws.db

# wait_grep N TEXT FILE SECONDS: until FILE has N lines with TEXT (deadline)
wait_grep() {
	local i
	for i in $(seq 1 $(($4 * 10))); do
		[ "$(grep -cF -- "$2" "$3" 2>/dev/null)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

R=$T_TMP/repo
rt_repo "$R"

# The job runs until the test opens its gate, so the outage is mid-job.
GATE=$T_TMP/gate
ry launch -e exp --host gpu2 --gpus 1 --yes --json -- \
	sh -c "echo before; while [ ! -e '$GATE' ]; do sleep 0.1; done; echo after"
expect_rc 0 "a job launched"
id=$(json "d['id']")

"$RUNYARD" logs "$id" -f > "$T_TMP/fout" 2> "$T_TMP/ferr" &
follower=$!
wait_grep 1 before "$T_TMP/fout" 30 && ok "logs -f prints the job's first line" || fail "logs -f prints the job's first line"
rt_stop
wait_grep 1 "could not pull new output" "$T_TMP/ferr" 20 && ok "the outage is reported" || fail "the outage is reported"
# logs -f retries every second: over three more seconds the error must not
# come again (this waits for the failure, up to a deadline).
if wait_grep 2 "could not pull new output" "$T_TMP/ferr" 3; then
	fail "the outage is reported once, not every second ($(grep -cF 'could not pull' "$T_TMP/ferr") times)"
else
	ok "the outage is reported once, not every second"
fi
grep -qF "retrying" "$T_TMP/ferr" && ok "it says it is retrying" || fail "it says it is retrying"
rt_start
wait_grep 1 "host is back" "$T_TMP/ferr" 20 && ok "it says when the host is back" || fail "it says when the host is back"
touch "$GATE"
for i in $(seq 1 300); do kill -0 "$follower" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$follower" 2>/dev/null; then
	kill "$follower"; fail "logs -f ends with the run"
else
	wait "$follower"; rc=$?
	[ $rc -eq 0 ] && ok "logs -f ends with the run, status 0" || fail "logs -f ends with the run, status 0 (got $rc)"
fi
grep -qx after "$T_TMP/fout" && ok "the line after the outage is printed" || fail "the line after the outage is printed"
[ "$(grep -cx before "$T_TMP/fout")" = 1 ] && ok "the line before it, once" || fail "the line before it, once"
[ "$(grep -cF 'could not pull new output' "$T_TMP/ferr")" = 1 ] && ok "one error in all" ||
	fail "one error in all ($(grep -cF 'could not pull' "$T_TMP/ferr"))"
t_end
