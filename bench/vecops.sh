#!/bin/sh
# bench/vecops.sh [BUILD_DIR] - per-instruction speed of the vector
# handlers beside the integer ALU: for each variant of bench/vecops.c
# (8 copies of one instruction in a 10 M-iteration loop), the best of 3
# wall-clock runs under `lstar run` and natively, as guest instructions
# per second and the ratio.  A benchmark, not a test: record the figures
# in docs/performance.md with the machine, the commit and the load.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cc=${CC:-gcc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$cc -O2 -static -o "$out/vecops" "$here/bench/vecops.c"
[ -x "$build/lstar" ] || { echo "no $build/lstar: build first"; exit 1; }
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
insns=$((10000000 * 10))
best() {   # best of 3 wall times in ms of the command
	b=
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || return 1
		t1=$(date +%s%N)
		t=$(( (t1 - t0) / 1000000 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "$b"
}
printf '%-22s %10s %12s %10s %8s\n' variant "lstar ms" "lstar M/s" "native ms" ratio
for v in $("$out/vecops" list); do
	if ! l=$(best "$build/lstar" run "$out/vecops" "$v"); then
		printf '%-22s %s\n' "$v" "(fails under lstar)"
		continue
	fi
	n=$(best "$out/vecops" "$v") || n=0
	[ "$l" -gt 0 ] || l=1
	[ "$n" -gt 0 ] || n=1
	printf '%-22s %10d %12d %10d %7dx\n' "$v" "$l" $((insns / 1000 / l)) "$n" $((l / n))
done
