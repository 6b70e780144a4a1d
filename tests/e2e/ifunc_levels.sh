#!/bin/sh
# ifunc_levels.sh LSTAR PROGRAM - a static glibc program picks its string
# functions by CPU (glibc's ifuncs read CPUID and XCR0): under
# --cpu x86-64-v3 the AVX2 versions, under --cpu x86-64-v2 the SSE2/SSE4
# ones.  Checks that both runs print the same thing and that the v3 run
# retires clearly fewer user-mode instructions (the AVX2 loops take 32
# bytes a step, the SSE2 ones 16), printing both counts.
set -u
lstar=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for lv in x86-64-v2 x86-64-v3; do
	if ! "$lstar" run --cpu "$lv" --stats "$prog" >"$tmp/$lv.out" 2>"$tmp/$lv.err"; then
		echo "FAIL: $prog under --cpu $lv exited with an error:"
		cat "$tmp/$lv.err"
		exit 1
	fi
done
if ! cmp -s "$tmp/x86-64-v2.out" "$tmp/x86-64-v3.out"; then
	echo "FAIL: different output at the two levels"
	diff "$tmp/x86-64-v2.out" "$tmp/x86-64-v3.out"
	exit 1
fi
v2=$(sed -n 's/^ *at CPL 3 (user) *\([0-9]*\).*/\1/p' "$tmp/x86-64-v2.err")
v3=$(sed -n 's/^ *at CPL 3 (user) *\([0-9]*\).*/\1/p' "$tmp/x86-64-v3.err")
if [ -z "$v2" ] || [ -z "$v3" ]; then
	echo "FAIL: no user instruction count in --stats"
	exit 1
fi
echo "user-mode instructions: x86-64-v2 $v2, x86-64-v3 $v3"
if [ $((v3 * 4)) -ge $((v2 * 3)) ]; then
	echo "FAIL: the v3 run is not using wider string functions (expected < 3/4 of the v2 count)"
	exit 1
fi
echo "ok"
