#!/bin/sh
# vdso_used.sh - a program's clock_gettime, gettimeofday, time and getcpu
# go through the vDSO: the guest's `vdso calls` makes 500 of them through
# its C library, and --strace must show not one as a system call (it
# would, each of them, without a vDSO).  Also checks that the program saw
# AT_SYSINFO_EHDR.
#
# usage: vdso_used.sh LSTAR PROGRAM
set -u
lstar=$1 prog=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
st=$tmp/strace.txt
out=$("$lstar" run --strace "$prog" calls 2>"$st") || { echo "run failed"; cat "$st"; exit 1; }
echo "$out"
case $out in
*"vdso: present"*) ;;
*) echo "FAIL: the program found no vDSO in its auxiliary vector"; exit 1 ;;
esac
n=$(grep -cE '^(\[pid +[0-9]+\] )?(clock_gettime|gettimeofday|time|getcpu)\(' "$st")
if [ "$n" -ne 0 ]; then
	echo "FAIL: $n clock system calls in --strace (the vDSO should have answered):"
	grep -E '(clock_gettime|gettimeofday|time|getcpu)\(' "$st" | head -5
	exit 1
fi
echo "ok: no clock system call ($(wc -l < "$st") lines of strace)"
