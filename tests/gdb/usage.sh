#!/bin/sh
# usage.sh LSTAR PROGRAM - bad --gdb values are usage errors (status 2,
# one line naming the problem), before anything listens.
LSTAR=$1 PROG=$2
fail=0
for a in 70000 foo:1 -1 "" "1.2.3.4.5:9" "127.0.0.1:" "12x"; do
	msg=$(timeout 10 "$LSTAR" run --gdb "$a" "$PROG" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 2 ] || ! printf '%s\n' "$msg" | head -1 | grep -q -- "--gdb"; then
		echo "FAIL: --gdb '$a': status $rc: $(printf '%s\n' "$msg" | head -1)"; fail=1
	else
		echo "ok   --gdb '$a': $(printf '%s\n' "$msg" | head -1)"
	fi
done
timeout 10 "$LSTAR" run --gdb 0 --stats "$PROG" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: --gdb with --stats: status $rc"; fail=1; }
exit $fail
