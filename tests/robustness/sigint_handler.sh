#!/bin/sh
# sigint_handler.sh LSTAR GUEST - Ctrl-C (SIGINT to lstar) reaches the
# guest's SIGINT handler, which exits 42; natively the same program exits
# 42 too.  Ctrl-C is sent only after the guest printed "ready".
set -u
lstar=$1 guest=$2
out=$(mktemp) && trap 'rm -f "$out"' EXIT
check() {   # check NAME COMMAND...: run it, wait for "ready", SIGINT, status
	name=$1; shift
	"$@" >"$out" 2>&1 &
	pid=$!
	n=0
	while ! grep -q ready "$out" 2>/dev/null; do
		n=$((n + 1))
		if [ $n -gt 200 ]; then echo "FAIL ($name): never ready"; kill $pid; exit 1; fi
		sleep 0.1
	done
	kill -INT $pid
	wait $pid
	st=$?
	if [ $st -ne 42 ]; then echo "FAIL ($name): status $st, expected 42"; cat "$out"; exit 1; fi
	echo "ok ($name): status 42"
}
check native "$guest"
check lstar "$lstar" run "$guest"
