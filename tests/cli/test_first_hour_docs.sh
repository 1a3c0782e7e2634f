#!/bin/bash
# Issue 13, the docs: the man page's KEYS section says exactly what the
# built-in bindings are (as `runyard __keys` prints them from the keymap, so
# a key added without its line in the man page fails here by name), SEE ALSO
# names every doc, and every doc a --help points at exists and, where the
# help points at it for JSON, really holds that command's JSON shape.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAN="$SRC/docs/runyard.1"

# man_section NAME: the lines of one .SH section of the man page.
man_section() {
	awk -v s="$1" '$0 == ".SH " s { on = 1; next } on && /^\.SH / { exit } on' "$MAN"
}

# ---- KEYS against the keymap ------------------------------------------------
# Each binding in KEYS is `.TP`, `.B "KEY, KEY"`, then a line starting with
# the action and a colon, under a `.SS "Title (KEYMAP)"`; the output is one
# "KEYMAP<TAB>KEY<TAB>ACTION" line per key, as `runyard __keys` prints.
man_keys() {
	man_section KEYS | awk '
		/^\.SS / { map = $0; sub(/.*\(/, "", map); sub(/\).*/, "", map); next }
		/^\.TP/ { tp = 1; next }
		tp == 1 && /^\.B / { keys = $0; sub(/^\.B "/, "", keys); sub(/"$/, "", keys); tp = 2; next }
		tp == 2 { act = $0; sub(/:.*/, "", act); tp = 0
		          n = split(keys, k, ", ")
		          for (i = 1; i <= n; i++) printf "%s\t%s\t%s\n", map, k[i], act }' |
		sed -e 's/\\-/-/g' -e 's/\\e/\\/g'
}

ry __keys
expect_rc 0 "runyard __keys prints the built-in bindings"
[ "$(wc -l <"$T_TMP/out")" -gt 50 ] && ok "__keys lists the bindings" || fail "__keys lists the bindings"
sort -u "$T_TMP/out" >"$T_TMP/keys.bin"
man_keys | sort -u >"$T_TMP/keys.man"
: >"$T_TMP/out" # a failure below need not print every binding
[ -s "$T_TMP/keys.man" ] && ok "the man page has a KEYS section" || fail "the man page has a KEYS section"
missing=$(comm -23 "$T_TMP/keys.bin" "$T_TMP/keys.man")
extra=$(comm -13 "$T_TMP/keys.bin" "$T_TMP/keys.man")
if [ -z "$missing" ]; then
	ok "every built-in binding is in the man page's KEYS"
else
	while IFS=$'\t' read -r map key act; do
		fail "KEYS lacks key '$key' ($act) of keymap '$map': add it to docs/runyard.1"
	done <<<"$missing"
fi
if [ -z "$extra" ]; then
	ok "KEYS lists no binding the keymap lacks"
else
	while IFS=$'\t' read -r map key act; do
		fail "KEYS lists key '$key' ($act) in '$map', which the keymap does not bind"
	done <<<"$extra"
fi
# every keymap has its section, so a new screen's keys have a place to go
for map in $(cut -f1 "$T_TMP/keys.bin" | sort -u); do
	man_section KEYS | grep -q "^\.SS .*($map)\"$" && ok "KEYS has a section for '$map'" \
		|| fail "KEYS has a section for '$map'"
done

# ---- SEE ALSO names every doc, and only docs that exist ---------------------
see=$(man_section "SEE ALSO" | sed 's/\\-/-/g')
for f in "$SRC"/docs/*.md; do
	d=$(basename "$f")
	grep -qxF ".I $d" <<<"$see" && ok "SEE ALSO names $d" || fail "SEE ALSO names $d"
done
for d in $(grep -oE '[a-z-]+\.md' <<<"$see"); do
	[ -f "$SRC/docs/$d" ] && ok "SEE ALSO's $d exists" || fail "SEE ALSO's $d exists in docs/"
done

# ---- every doc a --help names exists and holds what it is named for ---------
cmds=$("$RUNYARD" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] && ok "runyard --help lists the commands" || fail "runyard --help lists the commands"
for c in $cmds; do
	"$RUNYARD" "$c" --help >"$T_TMP/help" 2>&1
	# a doc named for JSON (on its line or the line before) holds `runyard CMD ... --json`
	awk '{ if (match($0, /docs\/[a-z-]+\.md/)) { d = substr($0, RSTART, RLENGTH)
	        j = (tolower($0 prev) ~ /json/) ? "json" : "-"; print d, j }
	      prev = $0 }' "$T_TMP/help" | sort -u >"$T_TMP/named"
	while read -r d why; do
		if [ ! -f "$SRC/$d" ]; then
			fail "runyard $c --help names $d, which does not exist"
			continue
		fi
		ok "runyard $c --help names $d, which exists"
		if [ "$why" = json ]; then
			grep -qE "runyard $c( [^\`]*)? --json" "$SRC/$d" \
				&& ok "$d holds the shape of 'runyard $c --json' that $c --help sends you to" \
				|| fail "$d holds the shape of 'runyard $c --json' that $c --help sends you to"
		fi
	done <"$T_TMP/named"
done

# ---- the guide's and json.md's examples are what `runyard demo` gives ----------
export RUNYARD_DB="$T_TMP/demo.db"
ry demo
expect_rc 0 "a fresh demo workspace"
# every command of the guide's ```sh blocks runs on it (up to a pipe into python)
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on && /^runyard / { print }' "$SRC/docs/guide.md" |
	sed -e 's/ *#.*$//' -e 's/ *|.*$//' >"$T_TMP/guide-cmds"
[ -s "$T_TMP/guide-cmds" ] && ok "the guide has commands to try" || fail "the guide has commands to try"
while read -r line; do
	[ "${line#runyard demo}" != "$line" ] && continue # made above; its --db is a path of the reader's
	eval "ry ${line#runyard }"
	expect_rc 0 "the guide's '$line' works on the demo"
done <"$T_TMP/guide-cmds"
# the runs the docs show by id and name are the demo's
for doc in guide.md json.md; do
	grep -oE '#[0-9]+ [a-z]+-[a-z]+|"id": [0-9]+, "uuid": "[^"]*", "name": "[^"]*"' "$SRC/docs/$doc" |
		sed -E 's/^#([0-9]+) /\1 /; s/^"id": ([0-9]+), "uuid": "[^"]*", "name": "([^"]*)"/\1 \2/' |
		while read -r id name; do
			got=$("$RUNYARD" show "$id" --json | jq -r .name)
			[ "$got" = "$name" ] && echo "ok - $doc: run $id is $name" || echo "not ok - $doc: run $id is $name (the demo's is '$got')"
		done >"$T_TMP/names"
	[ -s "$T_TMP/names" ] && ! grep -q '^not ok' "$T_TMP/names" && ok "$doc names the demo's runs by their ids" \
		|| { cat "$T_TMP/names"; fail "$doc names the demo's runs by their ids"; }
done
# json.md's compare shape: the keys it shows are the keys compare prints
ry compare 9 10 --json
[ "$(jq -c '[keys, (.metrics[0] | keys), (.params[0] | keys)]' "$T_TMP/out")" = \
  '[["metrics","params","runs"],["best_last_run","best_run","goal","key","values"],["differs","key","values"]]' ] \
	&& ok "compare --json has the keys json.md shows" || fail "compare --json has the keys json.md shows"

t_end
