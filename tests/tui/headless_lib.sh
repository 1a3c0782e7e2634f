# The scripted headless mode's test setup (tig's approach: RUNYARD_TUI_SCRIPT
# feeds keys and commands to a screen drawn on /dev/null, `:save-display`
# writes it), shared by the headless tests.  Set T_SIZE (COLSxROWS) before
# sourcing it to change the screen; it defines RUNYARD, SRCDIR, T_TMP, DB and
# the ok / fail / has / lacks checks.
set -u
RUNYARD=${RUNYARD_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/runyard}
SRCDIR=${RUNYARD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T_TMP=$(mktemp -d /tmp/runyard-tuih-XXXXXX)
trap 'rm -rf "$T_TMP"' EXIT
export HOME="$T_TMP/home" XDG_DATA_HOME="$T_TMP/home/.local/share" XDG_CONFIG_HOME="$T_TMP/home/.config"
export TZ=UTC LANG=C.UTF-8 TERM=xterm-256color RUNYARD_THEMES="$SRCDIR/themes" RUNYARD_TUI_SIZE=${T_SIZE:-100x30}
unset RUNYARD_DB NO_COLOR
mkdir -p "$HOME"
DB="$T_TMP/ws.db"
N=0; FAILS=0
ok()   { N=$((N + 1)); echo "ok $N - $1"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $1"; [ -f "${2:-/dev/null}" ] && sed 's/^/#   |/' "$2"; }
has()  { if grep -qF -- "$2" "$1"; then ok "$3"; else fail "$3 (no '$2')" "$1"; fi; }
lacks(){ if grep -qF -- "$2" "$1"; then fail "$3 (has '$2')" "$1"; else ok "$3"; fi; }
