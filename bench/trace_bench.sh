#!/bin/bash
# bench/trace_bench.sh [BUILD_DIR] [INSNS] [OUT_DIR]: guest instructions per
# second with the observation hooks off and on (docs/trace.md, "Speed").
#
# Runs bench/bench_kernel.c (the CPU-bound kernel of bench/run.sh) for INSNS
# instructions (default 20 million) with: no option (the run loop's fast
# path, no hooks), --stats (hooks, no trace), --strace, and --trace in
# each format: to /dev/null (what the interpreter thread costs), and to a
# file in OUT_DIR (default /tmp) both the default way (O_DIRECT where the
# file system takes it) and through the page cache (LSTAR_TRACE_DIRECT=0).
# Each mode runs REPS times (environment, default 3), interleaved with the
# others, and the median wall time is reported with its run's CPU time
# (user + system, all threads).  Never a timed assertion.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-20000000}
out=${3:-${TMPDIR:-/tmp}}
reps=${REPS:-3}
lstar=$build/lstar
kernel=$build/bench/bench_kernel.elf
if [ ! -x "$lstar" ] || [ ! -f "$kernel" ]; then
	cmake --build "$build" -j2 --target lstar_cli bench_kernel >/dev/null
fi
f=$out/lstar-bench-trace
modes=(
	"no hooks|"
	"--stats|--stats"
	"--strace|--strace"
	"text, /dev/null|--trace=/dev/null"
	"text, file|--trace=$f"
	"text, page cache|DIRECT0 --trace=$f"
	"jsonl, /dev/null|--trace=/dev/null --trace-format jsonl"
	"jsonl, file|--trace=$f --trace-format jsonl"
	"tenet, file|--trace=$f --trace-format tenet"
	"text, --trace-cpl user|--trace=$f --trace-cpl user"
)
echo "host: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "instructions per run: $n, runs per mode: $reps (median shown), files in $out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$f" "$f".side.jsonl' EXIT
for r in $(seq "$reps"); do
	for k in "${!modes[@]}"; do
		IFS='|' read -r name args <<<"${modes[$k]}"
		env=()
		if [[ $args == DIRECT0* ]]; then
			env=(LSTAR_TRACE_DIRECT=0)
			args=${args#DIRECT0 }
		fi
		rm -f "$f" "$f".side.jsonl
		# shellcheck disable=SC2086
		t=$( { TIMEFORMAT='%R %U %S'; time env "${env[@]}" "$lstar" run --max-insns "$n" $args \
			--kernel "$kernel" >/dev/null 2>/dev/null; } 2>&1 | tail -1) || true
		bytes=$(cat "$f" "$f".side.jsonl 2>/dev/null | wc -c)
		echo "$t $bytes" >>"$tmp/$k"
	done
done
printf '%-24s %8s %8s %10s %12s %9s\n' "mode" "wall s" "cpu s" "M insn/s" "M insn/cpu-s" "B/insn"
for k in "${!modes[@]}"; do
	IFS='|' read -r name _ <<<"${modes[$k]}"
	sort -n "$tmp/$k" | sed -n "$(((reps + 1) / 2))p" | awk -v n="$n" -v name="$name" '{
		r = $1; c = $2 + $3; if (r <= 0) r = 0.001; if (c <= 0) c = 0.001;
		b = $4 > 0 ? sprintf("%.0f", $4 / n) : "-";
		printf "%-24s %8.2f %8.2f %10.1f %12.1f %9s\n", name, r, c, n / r / 1e6, n / c / 1e6, b }'
done
