#!/bin/sh
# root_confine.sh - `lstar run --root DIR`: the guest sees DIR as "/" and
# cannot leave it through "..", absolute paths or symlinks.
# usage: root_confine.sh LSTAR BUSYBOX
set -u
lstar=$1 bb=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lstar-root.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/sub" && echo inside >"$root/f.txt"
echo secret >"$tmp/outside.txt"
ln -s "$tmp/outside.txt" "$root/abs-link"
ln -s ../../outside.txt "$root/sub/rel-link"
ln -s ../.. "$root/sub/up"
fail=0

expect() {	# expect WANT PATH: cat PATH inside the root prints WANT (or fails if WANT is "-")
	got=$("$lstar" run --root "$root" "$bb" cat "$2" 2>/dev/null)
	if [ "$1" = - ]; then
		[ -z "$got" ] || { echo "ESCAPE: cat $2 printed '$got'"; fail=1; }
	else
		[ "$got" = "$1" ] || { echo "cat $2: want '$1', got '$got'"; fail=1; }
	fi
}
expect inside f.txt
expect inside /f.txt
expect inside sub/../f.txt
expect inside ../../../f.txt
if [ -n "${LSTAR_HOSTCALL_NO_OPENAT2:-}" ]; then
	expect - sub/up/f.txt		# the fallback refuses every symlink
else
	expect inside sub/up/f.txt	# openat2 resolves it inside the root
fi
expect - ../outside.txt
expect - "$tmp/outside.txt"
expect - abs-link
expect - sub/rel-link

# Writes stay inside too: create through "..", then look from outside.
"$lstar" run --root "$root" "$bb" mkdir /d
# (busybox sh runs only builtins here: there is no fork)
"$lstar" run --root "$root" "$bb" sh -c 'echo new > ../../made.txt; cd /d; pwd' >"$tmp/pwd.out" 2>&1
[ -f "$root/made.txt" ] || { echo "write through .. did not land in the root"; fail=1; }
[ ! -e "$tmp/made.txt" ] || { echo "ESCAPE: write landed outside the root"; fail=1; }
[ "$(cat "$tmp/pwd.out")" = /d ] || { echo "pwd: want /d, got '$(cat "$tmp/pwd.out")'"; fail=1; }

# The kernel's own /dev/null and /dev/zero exist inside any root, and
# programs inside the root can be exec'd by their guest path.
mkdir -p "$root/bin" && cp "$bb" "$root/bin/busybox"
out=$("$lstar" run --root "$root" "$bb" sh -c 'echo x > /dev/null && /bin/busybox head -c 3 /dev/zero | /bin/busybox wc -c' 2>&1)
[ "$out" = 3 ] || { echo "/dev inside the root: want 3, got '$out'"; fail=1; }
cp "$bb" "$tmp/outside-busybox"
out=$("$lstar" run --root "$root" "$bb" sh -c "$tmp/outside-busybox true" 2>&1)
[ -n "$out" ] || { echo "ESCAPE: exec of a host path outside the root worked"; fail=1; }

[ $fail = 0 ] && echo "ok: --root confinement holds"
exit $fail
