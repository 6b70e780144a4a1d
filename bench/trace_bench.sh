#!/bin/bash
# bench/trace_bench.sh [BUILD_DIR] [INSNS] [OUT_DIR]: guest instructions per
# second with the observation hooks off and on (docs/trace.md, "Speed").
#
# Runs bench/bench_kernel.c (the CPU-bound kernel of bench/run.sh) for INSNS
# instructions (default 20 million) with: no option (the run loop's fast
# path, no hooks), --stats (hooks, no trace), --strace, and --trace=FILE in
# each format, writing into OUT_DIR (default /tmp).  Prints wall-clock
# and CPU-time (user + system) rates: on a shared machine the CPU-time
# rate is the one to compare.  Never a timed assertion.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-20000000}
out=${3:-${TMPDIR:-/tmp}}
lstar=$build/lstar
kernel=$build/bench/bench_kernel.elf
if [ ! -x "$lstar" ] || [ ! -f "$kernel" ]; then
	cmake --build "$build" -j2 --target lstar_cli bench_kernel >/dev/null
fi
echo "host: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "instructions per run: $n"
printf '%-22s %10s %10s %12s %12s %s\n' "mode" "wall s" "cpu s" "M insn/s" "M insn/cpu-s" "bytes"
run() {
	local name=$1
	shift
	rm -f "$out"/lstar-bench-trace.*
	local TIMEFORMAT='%R %U %S'
	local t
	t=$( { time "$lstar" run --max-insns "$n" "$@" --kernel "$kernel" >/dev/null 2>/dev/null; } 2>&1 | tail -1) || true
	local real user sys bytes
	read -r real user sys <<<"$t"
	bytes=$(cat "$out"/lstar-bench-trace.* 2>/dev/null | wc -c)
	awk -v n="$n" -v r="$real" -v u="$user" -v s="$sys" -v name="$name" -v b="$bytes" 'BEGIN {
		c = u + s; if (c <= 0) c = 0.001; if (r <= 0) r = 0.001;
		printf "%-22s %10.2f %10.2f %12.1f %12.1f %s\n", name, r, c, n / r / 1e6, n / c / 1e6, b }'
	rm -f "$out"/lstar-bench-trace.*
}
run "no hooks"
run "--stats" --stats
run "--strace" --strace
run "--trace text" --trace="$out/lstar-bench-trace.text"
run "--trace jsonl" --trace="$out/lstar-bench-trace.jsonl" --trace-format jsonl
run "--trace tenet" --trace="$out/lstar-bench-trace.tenet" --trace-format tenet
run "--trace text, user" --trace="$out/lstar-bench-trace.text" --trace-cpl user
