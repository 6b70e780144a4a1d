#!/bin/sh
# bench/run.sh [BUILD_DIR]: build and time the benchmark kernel; prints guest
# instructions per second for 3 runs and the best.  Record results in
# docs/performance.md.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target lstar_bench bench_kernel >/dev/null
echo "host: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  commit: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (figures are only comparable on an idle machine)"
"$build/bench/lstar_bench" "$build/bench/bench_kernel.elf" 3
