#!/bin/sh
# run.sh LSTAR KERNEL_ELF SCRIPT [LSTAR ARGS...] - one gdb test.
#
# Starts `LSTAR run --gdb 127.0.0.1:0 ARGS...` (the kernel picks a free
# port, lstar prints it), runs real gdb in batch mode on SCRIPT against it,
# then checks the expectations written in SCRIPT as comments:
#   #expect REGEX        gdb's output has a line matching REGEX (in order)
#   #reject REGEX        no line of gdb's output matches REGEX
#   #status N            lstar's exit status
#   #stdout TEXT         lstar's standard output is exactly TEXT (one line)
# @KERNEL@ in SCRIPT is replaced by KERNEL_ELF.  Everything has a timeout,
# so a broken stub fails the test instead of hanging it.
set -u
LSTAR=$1 KERNEL=$2 SCRIPT=$3
shift 3
GDB=${GDB:-gdb}
T=$(mktemp -d)
trap 'kill $LPID 2>/dev/null; rm -rf "$T"' EXIT
command -v "$GDB" >/dev/null 2>&1 || { echo "SKIP: no gdb"; exit 77; }

# A script's shell commands can watch the guest's output in $GDBT_OUT.
GDBT_OUT=$T/out
export GDBT_OUT
timeout 120 "$LSTAR" run --gdb 127.0.0.1:0 "$@" >"$T/out" 2>"$T/err" &
LPID=$!
PORT=
for i in $(seq 1 600); do   # up to 30 s: sanitizer builds boot slowly
	PORT=$(sed -n 's/^lstar: gdb: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/err")
	[ -n "$PORT" ] && break
	kill -0 $LPID 2>/dev/null || break
	sleep 0.05
done
if [ -z "$PORT" ]; then
	echo "FAIL: lstar did not start listening"; cat "$T/err"; exit 1
fi
sed "s|@KERNEL@|$KERNEL|g" "$SCRIPT" >"$T/script.gdb"
PROG=
for a in "$@"; do case $a in -*) ;; *) PROG=$a; break ;; esac; done
timeout 90 "$GDB" -nx -q -batch -ex "set pagination off" -ex "set confirm off" \
	-ex "target remote 127.0.0.1:$PORT" -x "$T/script.gdb" $PROG >"$T/gdb" 2>&1
GRC=$?
# lstar ends when gdb detaches, kills or disconnects
for i in $(seq 1 200); do kill -0 $LPID 2>/dev/null || break; sleep 0.05; done
wait $LPID
LRC=$?
cat "$T/gdb"
echo "---- lstar stderr"; cat "$T/err"
echo "---- lstar stdout"; cat "$T/out"
fail=0
[ $GRC -eq 124 ] && { echo "FAIL: gdb timed out"; fail=1; }
# ordered expectations
cp "$T/gdb" "$T/rest"
grep '^#expect ' "$SCRIPT" | sed 's/^#expect //' >"$T/exp"
while IFS= read -r re; do
	n=$(grep -n -E -m1 -- "$re" "$T/rest" | cut -d: -f1)
	if [ -z "$n" ]; then
		echo "FAIL: expected (in order): $re"; fail=1; break
	fi
	tail -n +$((n + 1)) "$T/rest" >"$T/rest2"; mv "$T/rest2" "$T/rest"
done <"$T/exp"
grep '^#reject ' "$SCRIPT" | sed 's/^#reject //' | while IFS= read -r re; do
	if grep -q -E -- "$re" "$T/gdb"; then echo "FAIL: unexpected: $re"; exit 1; fi
done || fail=1
want=$(sed -n 's/^#status //p' "$SCRIPT")
if [ -n "$want" ] && [ "$want" != "$LRC" ]; then
	echo "FAIL: lstar exit status $LRC, expected $want"; fail=1
fi
if grep -q '^#stdout ' "$SCRIPT"; then
	# compared without trailing newlines
	[ "$(sed -n 's/^#stdout //p' "$SCRIPT")" = "$(cat "$T/out")" ] ||
		{ echo "FAIL: lstar stdout differs"; fail=1; }
fi
[ $fail -eq 0 ] && echo PASS
exit $fail
