#!/bin/sh
# tree_map_selftest.sh ROOT - tree_map.sh passes on a copy of the tree
# and fails on each kind of drift: a folder without a row, a path in the
# map that is gone, a function of the SYSCALL path renamed.
set -u
root=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
copy() {
	rm -rf "$tmp/t"
	mkdir "$tmp/t"
	(cd "$root" && git ls-files -z | xargs -0 tar cf - 2>/dev/null) | (cd "$tmp/t" && tar xf -)
}
expect() {	# expect pass|fail WHAT
	if sh "$here/tree_map.sh" "$tmp/t" >/dev/null 2>&1; then got=pass; else got=fail; fi
	[ "$got" = "$1" ] || { echo "selftest: $2: expected $1, got $got"; fail=1; }
}
copy; expect pass "the tree as it is"
copy; mkdir -p "$tmp/t/emu/newpart" && : > "$tmp/t/emu/newpart/x.c"; expect fail "a new folder without a row"
copy; rm "$tmp/t/cpu/bus.h"; expect fail "a file the map names is gone"
copy; sed -i 's/op_sysret/op_sysret_renamed/g' "$tmp/t/cpu/system.c"; expect fail "a SYSCALL-path function renamed"
[ $fail = 0 ] && echo "ok: the map check catches each kind of drift"
exit $fail
