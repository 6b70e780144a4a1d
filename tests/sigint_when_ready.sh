#!/bin/sh
# sigint_when_ready.sh MARKER -- COMMAND... - run COMMAND and send it
# SIGINT (what Ctrl-C sends) once a line of its output (standard output
# and error together) contains MARKER, rather than after a fixed sleep that
# a loaded machine may not honour.  Then print its output without the
# marker line (that line is the test's handshake, not what it checks) and
# exit with COMMAND's status.  Gives up waiting after 60 s or when COMMAND
# ends, and sends SIGINT anyway.
marker=$1
shift
[ "${1:-}" = "--" ] && shift
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT
"$@" >"$out" 2>&1 </dev/null &
pid=$!
n=0
until grep -q -- "$marker" "$out" 2>/dev/null; do
	n=$((n + 1))
	if [ $n -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
		echo "sigint_when_ready.sh: no \"$marker\" from the command" >&2
		break
	fi
	sleep 0.1
done
kill -INT $pid 2>/dev/null
wait $pid
st=$?
grep -v -- "$marker" "$out"
exit $st
