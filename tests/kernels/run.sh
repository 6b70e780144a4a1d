#!/bin/sh
# run.sh LSTAR KERNEL VENDOR [--min-ms N] [LSTAR-OPTIONS...] - boots KERNEL
# with `lstar run --vendor VENDOR [OPTIONS] --kernel KERNEL`, shows its
# console, and passes when the exit status is 0 and the console says PASS
# (and, with --min-ms, when the run took at least N ms of wall-clock time:
# a lower bound, never an upper one).
lstar=$1 kernel=$2 vendor=$3
shift 3
min=
if [ "${1:-}" = "--min-ms" ]; then
	min=$2
	shift 2
fi
t0=$(date +%s%N)
out=$("$lstar" run --vendor "$vendor" "$@" --kernel "$kernel" 2>&1 </dev/null)
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf '%s\n' "$out"
echo "exit status: $st, $ms ms"
[ "$st" = 0 ] && printf '%s\n' "$out" | grep -q "PASS" || exit 1
if [ -n "$min" ] && [ "$ms" -lt "$min" ]; then
	echo "FAIL: took $ms ms, expected at least $min ms"
	exit 1
fi
exit 0
