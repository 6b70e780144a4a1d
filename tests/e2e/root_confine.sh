#!/bin/sh
# root_confine.sh - `lstar run --root DIR`: the guest sees DIR as "/" and
# cannot leave it through "..", absolute paths or symlinks.
# usage: root_confine.sh LSTAR BUSYBOX [NET]
#   NET: guests/net (AF_UNIX socket paths are confined too)
set -u
lstar=$1 bb=$2 net=${3:-}
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

# AF_UNIX socket paths: bind creates the socket inside the root, and a
# connect through "..", an absolute host path or a symlink does not reach
# a socket listening outside it (python3 makes that one).
if [ -n "$net" ] && [ -x "$net" ] && command -v python3 >/dev/null; then
	python3 -c "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(20)" "$tmp/outside.sock" &
	py=$!
	i=0
	while [ ! -S "$tmp/outside.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	ln -s "$tmp/outside.sock" "$root/sock-link"
	ln -s ../../outside.sock "$root/sub/sock-rel"
	out=$("$lstar" run --root "$root" "$net" bind=/sub/in.sock connect=/sub/in.sock 2>&1)
	[ -S "$root/sub/in.sock" ] || { echo "bind under --root: no socket in the root ($out)"; fail=1; }
	echo "$out" | grep -q "connect=/sub/in.sock: -1 ECONNREFUSED" ||
		{ echo "connect to an unlistened socket inside the root: '$out'"; fail=1; }
	for p in "$tmp/outside.sock" ../outside.sock /sock-link /sub/sock-rel; do
		out=$("$lstar" run --root "$root" "$net" "connect=$p" 2>&1)
		case $out in
		*": 0") echo "ESCAPE: connect to $p reached the socket outside: $out"; fail=1 ;;
		*ENOENT*|*ELOOP*) ;;
		*) echo "connect to $p: want ENOENT (or ELOOP), got '$out'"; fail=1 ;;
		esac
	done
	kill $py 2>/dev/null
	wait $py 2>/dev/null
fi

[ $fail = 0 ] && echo "ok: --root confinement holds"
exit $fail
