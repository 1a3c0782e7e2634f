#!/bin/bash
# The foundation issue's acceptance check, verified independently: `runyard
# demo`, then a compound filter sorted by a metric, compared with the same
# question asked of the file through the sqlite3 shell.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/workspace.sh"

WS="$T_TMP/ws.db"
make_demo "$WS"

ry --db "$WS" runs --filter 'val_acc > 0.9 and optimizer = adam' --sort val_acc:desc --json
expect_rc 0 "the acceptance query succeeds"
expect_json "isinstance(d, list)" "it prints one JSON array"

# The oracle: last val_acc above 0.9 and param optimizer = adam.
WANT=$(sq "$WS" "SELECT r.id FROM runs r
                 JOIN params p ON p.run_id = r.id AND p.key = 'optimizer' AND p.value = 'adam'
                 JOIN metric_summary m ON m.run_id = r.id AND m.key = 'val_acc'
                 WHERE m.last > 0.9 ORDER BY r.id" | tr '\n' ' ')
NWANT=$(echo "$WANT" | wc -w)
[ "$NWANT" -ge 1 ] && ok "the demo has runs that match ($NWANT)" || fail "the demo has no matching run"
expect_json "sorted(r['id'] for r in d) == [int(x) for x in '$WANT'.split()]" \
	"exactly the runs the database says match" \
	"all(r['params']['optimizer'] == 'adam' for r in d)" "every run used adam" \
	"all(r['metrics']['val_acc']['last'] > 0.9 for r in d)" "every run has val_acc above 0.9" \
	"[r['val_acc'] for r in d] == sorted((r['val_acc'] for r in d), reverse=True)" \
	"sorted by val_acc, best first" \
	"all(r['val_acc'] == r['metrics']['val_acc']['last'] for r in d)" \
	"the val_acc column is the last value"

# The same question with explicit field names and a non-match around it.
ry --db "$WS" runs --filter 'metrics.val_acc > 0.9 and params.optimizer = adam' --json
expect_json "sorted(r['id'] for r in d) == [int(x) for x in '$WANT'.split()]" \
	"qualified field names give the same runs"
NOTADAM=$(sq "$WS" "SELECT count(*) FROM runs r JOIN params p ON p.run_id = r.id
                    AND p.key = 'optimizer' AND p.value != 'adam'")
ry --db "$WS" runs --filter 'not optimizer = adam' --json
expect_json "len(d) >= $NOTADAM and all(r['params'].get('optimizer') != 'adam' for r in d)" "not inverts a filter"

# Text mode prints the same runs in the same order.
ry --db "$WS" runs --filter 'val_acc > 0.9 and optimizer = adam' --sort val_acc:desc
expect_rc 0 "the acceptance query in text mode succeeds"
expect_eq "$(($(wc -l <"$T_TMP/out") - 1))" "$NWANT" "text mode prints one row per matching run"
expect_out_has "val_acc" "text mode shows the sort column"

t_end
