#!/bin/bash
# Option mistakes get the same words on every subcommand (one option parser,
# tui/cli/common.c): an unknown option, a missing option value, a bad value
# and an extra argument each have one message format, exit status 2, the
# hint to run --help, nothing on stdout, and nothing opened or created.
. "$(dirname "$0")/lib.sh"

DB="$T_TMP/ws.db" # never created: every mistake is caught before the workspace is opened

# The subcommands, from `runyard --help`, so that a new one cannot be left out.
ry --help
COMMANDS=$(awk '/^Commands:/ { on = 1; next } /^Global options:/ { on = 0 } on && /^  [a-z]/ { print $1 }' "$T_TMP/out")
[ "$(echo "$COMMANDS" | wc -w)" -ge 20 ] && ok "runyard --help lists the subcommands" \
	|| fail "runyard --help lists the subcommands"

# An option of each subcommand that takes a value (--db where it has one).
value_option() {
	case $1 in
	bench) echo --runs ;;
	runs) echo --sort ;;
	launch) echo --host ;;
	deploy) echo --target ;;
	hosts | sync) echo --timeout ;;
	promote) echo --model ;;
	run) echo --name ;;
	*) echo --db ;;
	esac
}

# usage_error WHAT CMD FIRST-LINE ARGS...: exit 2, exactly two lines on stderr,
# FIRST-LINE then the --help hint, nothing on stdout.
usage_error() {
	local what=$1 cmd=$2 first=$3
	shift 3
	ry "$@"
	expect_rc 2 "$what: exit status 2"
	if [ "$(sed -n 1p "$T_TMP/err")" = "$first" ]; then
		ok "$what: says \"$first\""
	else
		fail "$what: says \"$first\""
	fi
	if [ "$(sed -n 2p "$T_TMP/err")" = "see 'runyard $cmd --help'" ] && [ "$(wc -l <"$T_TMP/err")" -eq 2 ]; then
		ok "$what: then the --help hint, and nothing else"
	else
		fail "$what: then the --help hint, and nothing else"
	fi
	[ -s "$T_TMP/out" ] && fail "$what: nothing on stdout" || ok "$what: nothing on stdout"
}

for cmd in $COMMANDS; do
	usage_error "$cmd --no-such-option" "$cmd" "runyard $cmd: unknown option '--no-such-option'" \
		--db "$DB" "$cmd" --no-such-option
	usage_error "$cmd -Z" "$cmd" "runyard $cmd: unknown option '-Z'" --db "$DB" "$cmd" -Z
	usage_error "$cmd --no-such-option=1" "$cmd" "runyard $cmd: unknown option '--no-such-option'" \
		--db "$DB" "$cmd" --no-such-option=1
	opt=$(value_option "$cmd")
	usage_error "$cmd $opt without its value" "$cmd" "runyard $cmd: option '$opt' needs a value" \
		--db "$DB" "$cmd" "$opt"
	ry "$cmd" --help
	expect_rc 0 "$cmd --help: exit status 0"
	expect_out_has "usage: runyard $cmd" "$cmd --help prints its usage"
done

# A flag given a value, and an unknown short option inside a cluster.
usage_error "runs --json=1" runs "runyard runs: option '--json' takes no value" --db "$DB" runs --json=1
usage_error "logs -fZ" logs "runyard logs: unknown option '-Z'" --db "$DB" logs -fZ RUN
usage_error "runs --json -Zq" runs "runyard runs: unknown option '-Z'" --db "$DB" runs --json -Zq

# A bad value: "option '--X' needs WHAT, not 'VALUE'".
usage_error "runs --limit many" runs "runyard runs: option '--limit' needs a whole number, not 'many'" \
	--db "$DB" runs --limit many
usage_error "runs --limit -1" runs "runyard runs: option '--limit' needs a whole number, not '-1'" \
	--db "$DB" runs --limit -1
usage_error "demo --runs lots" demo \
	"runyard demo: option '--runs' needs a whole number from 0 to 10000000, not 'lots'" --db "$DB" demo --runs lots
usage_error "bench --points 5" bench \
	"runyard bench: option '--points' needs a whole number from 1000 to 100000000, not '5'" bench --points 5
usage_error "launch --gpus 1.5" launch "runyard launch: option '--gpus' needs a whole number of GPUs, not '1.5'" \
	--db "$DB" launch --host h --gpus 1.5 -- true
usage_error "launch --time-limit soon" launch \
	"runyard launch: option '--time-limit' needs a duration like 90s, 15m, 2h or 1h30m, not 'soon'" \
	--db "$DB" launch --host h --time-limit soon -- true
usage_error "hosts --timeout 0" hosts \
	"runyard hosts: option '--timeout' needs a positive number of seconds, not '0'" --db "$DB" hosts --timeout 0
usage_error "sync --timeout x" sync \
	"runyard sync: option '--timeout' needs a positive number of seconds, not 'x'" --db "$DB" sync --timeout x
usage_error "alias --expect x" alias "runyard alias: option '--expect' needs a version number or 'none', not 'x'" \
	--db "$DB" alias m a 1 --expect x
usage_error "run --param x" run "runyard run: option '--param' needs KEY=VALUE, not 'x'" \
	--db "$DB" run --param x -- true
usage_error "a bad value is sanitised" runs "runyard runs: option '--limit' needs a whole number, not '^[[2J'" \
	--db "$DB" runs --limit "$(printf '\033[2J')"

# An extra argument: "unexpected argument 'X'".
for cmd in experiments models jobs sync bench; do
	usage_error "$cmd extra" "$cmd" "runyard $cmd: unexpected argument 'extra'" --db "$DB" "$cmd" extra
done
usage_error "demo extra" demo "runyard demo: unexpected argument 'extra'" --db "$DB" demo extra
usage_error "cancel A B" cancel "runyard cancel: unexpected argument 'B'" --db "$DB" cancel A B
usage_error "logs A B" logs "runyard logs: unexpected argument 'B'" --db "$DB" logs A B
usage_error "promote A B" promote "runyard promote: unexpected argument 'B'" --db "$DB" promote A B --model m

# Options may follow the operands (except for run and launch, whose operands
# are a command line with options of its own).
ry --db "$DB" logs -f
expect_rc 2 "logs -f without a run: exit status 2"
expect_err_has "which run?" "logs -f without a run asks which run"

[ -e "$DB" ] && fail "a usage error created the workspace" || ok "no usage error created the workspace"
t_end
