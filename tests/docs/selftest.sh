#!/bin/sh
# tests/docs/selftest.sh - the ctest case docs_self_contained_selftest: the
# checker self_contained.sh really fails.  A small fixture repository passes
# as made, then each kind of breakage is added on its own and must be
# reported (exit 1): a broken link, a link out of the repository, an
# absolute link, a tracked file naming the parent's shared/ folder or the
# machine's work folder.  Once with git (tracked files) and once without.
set -eu
check=$(cd "$(dirname "$0")" && pwd -P)/self_contained.sh
w=$(mktemp -d "${TMPDIR:-/tmp}/lstar-docs.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

fixture() { # fixture DIR GIT(0/1)
	rm -rf "$1"; mkdir -p "$1/docs/spec" "$1/src"
	printf '# r\n\n[spec](docs/spec/c.md), [a](docs/a.md#x), [web](https://example.org/)\n' >"$1/README.md"
	printf '[back](../README.md) [code](../src/m.c) ![p](spec/)\n\n```\n[not a link](nowhere.md)\n```\n`[code](nowhere.md)`\n' >"$1/docs/a.md"
	printf '[a](../a.md)\n\n[ref]: ../../src/m.c\n' >"$1/docs/spec/c.md"
	echo 'int m;' >"$1/src/m.c"
	if [ "$2" = 1 ]; then (cd "$1" && git init -q && git add -A); fi
}
# expect STATUS DESCRIPTION [PATTERN]: run the checker on $r; its output
# must hold a line matching PATTERN (an ERE) when one is given
expect() {
	st=0; out=$(sh "$check" "$r" 2>&1) || st=$?
	[ "$st" = "$1" ] || { printf '%s\n' "$out"; fail "$2: status $st, expected $1"; }
	if [ $# -ge 3 ] && ! printf '%s\n' "$out" | grep -Eq "$3"; then
		printf '%s\n' "$out"; fail "$2: no line matching $3"
	fi
	echo "ok: $2 (status $st)"
}
# broken KIND GIT PATTERN EDIT: a fresh fixture, EDIT run inside it, must
# fail with a line matching PATTERN
broken() {
	fixture "$r" "$2"
	(cd "$r" && eval "$4" && if [ "$2" = 1 ]; then git add -A; fi)
	expect 1 "$1" "$3"
}

use_git="0"
command -v git >/dev/null 2>&1 && use_git="1 0"
for g in $use_git; do
	r=$w/repo$g
	fixture "$r" "$g"
	expect 0 "clean fixture (git=$g)"
	broken "broken link (git=$g)" "$g" '^FAIL: docs/a.md:7: broken link' "echo '[x](spec/gone.md)' >>docs/a.md"
	broken "broken reference link (git=$g)" "$g" '^FAIL: docs/spec/c.md:4: broken link' "echo '[y]: ../nope.c' >>docs/spec/c.md"
	broken "link out of the repository (git=$g)" "$g" 'leaves the repository' "echo '[z](../../../etc/passwd)' >>README.md"
	broken "absolute link (git=$g)" "$g" 'absolute link /etc/passwd' "echo '[z](/etc/passwd)' >>README.md"
	broken "parent shared/ folder (git=$g)" "$g" 'outside the repository: src/m.c:2:' "echo '/* see ../''shared/spec/x.md */' >>src/m.c"
	broken "work folder (git=$g)" "$g" 'outside the repository: src/run.sh:1:' "echo 'cd /wor''k/main' >src/run.sh"
done
[ "$use_git" != 0 ] || echo "note: git not installed, only the fallback without git was tried"
