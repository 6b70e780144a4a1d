#!/bin/sh
# rsp.sh LSTAR CLIENT PROGRAM - malformed packets and Ctrl-C (rsp_client.c)
# against `lstar run --gdb 127.0.0.1:0 PROGRAM`; lstar must answer every
# packet and end with status 137 when killed.
set -u
LSTAR=$1 CLIENT=$2 PROG=$3
T=$(mktemp -d)
trap 'kill $LPID 2>/dev/null; rm -rf "$T"' EXIT
timeout 60 "$LSTAR" run --gdb 127.0.0.1:0 "$PROG" >"$T/out" 2>"$T/err" &
LPID=$!
PORT=
for i in $(seq 1 600); do   # up to 30 s: sanitizer builds boot slowly
	PORT=$(sed -n 's/^lstar: gdb: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/err")
	[ -n "$PORT" ] && break
	sleep 0.05
done
[ -n "$PORT" ] || { echo "FAIL: lstar did not start listening"; cat "$T/err"; exit 1; }
timeout 60 "$CLIENT" "$PORT"
CRC=$?
for i in $(seq 1 200); do kill -0 $LPID 2>/dev/null || break; sleep 0.05; done
wait $LPID
LRC=$?
echo "---- lstar stderr"; cat "$T/err"
[ $CRC -eq 0 ] || { echo "FAIL: client status $CRC"; exit 1; }
[ $LRC -eq 137 ] || { echo "FAIL: lstar status $LRC, expected 137"; exit 1; }
echo PASS
