#!/bin/sh
# man_options.sh LSTAR.1 LSTAR - the man page (made from docs/cli.md by
# scripts/md2man.sh) and `lstar --help` list the same options, so neither
# can gain or lose one alone; and groff reads the page without a warning.
set -u
page=$1 lstar=$2
[ -s "$page" ] || { echo "FAIL: no man page $page"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the tags of the OPTIONS section: the line after each .TP
awk '/^\.SH/ { on = ($2 == "OPTIONS") } on && prev == ".TP" { print } { prev = $0 }' "$page" |
	sed 's/\\f[BIRP]//g; s/\\-/-/g' | grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' |
	sed 's/^[ ,]*//' | sort -u >"$tmp/man"
# the option lines of --help: the words before the description
"$lstar" --help | sed -n 's/^  \(-.*\)/\1/p' | sed 's/  .*//' | tr ' ,' '\n\n' |
	grep -oE -- '^--?[a-z][a-z-]*' | sort -u >"$tmp/help"
[ "$(wc -l <"$tmp/help")" -ge 20 ] || { echo "FAIL: only $(wc -l <"$tmp/help") options in --help"; exit 1; }
if ! cmp -s "$tmp/man" "$tmp/help"; then
	echo "FAIL: the man page and --help list different options (< man page, > --help):"
	diff "$tmp/man" "$tmp/help"
	exit 1
fi
grep -q '^\.TH LSTAR 1 ' "$page" || { echo "FAIL: no .TH LSTAR 1"; exit 1; }
if command -v groff >/dev/null 2>&1; then
	w=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$w" ] || { echo "FAIL: groff warns: $w"; exit 1; }
fi
echo "PASS: $(wc -l <"$tmp/man") options in both"
