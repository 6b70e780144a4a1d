#!/bin/sh
# bench/syscall_bench.sh [BUILD_DIR] [N]: the cost of one system call round
# trip (user SYSCALL -> entry_SYSCALL_64 -> sys_getpid -> SYSRET), under
# lstar and natively, in nanoseconds of wall time and (under lstar) in
# guest instructions split between user and kernel mode.  Prints, asserts
# nothing; record the figures in docs/performance.md.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-2000000}
prog=$build/bench/getpid_loop
lstar=$build/lstar
[ -x "$prog" ] || { echo "syscall_bench: $prog not built (needs musl-gcc)" >&2; exit 1; }

now() { date +%s%N; }
per_call() { echo "$1 $2" | awk '{ printf "%.0f", $1 / $2 }'; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(now); "$prog" "$n" || true; t1=$(now)
echo "native: $(per_call $((t1 - t0)) "$n") ns per getpid round trip ($n calls)"
t0=$(now); "$lstar" run "$prog" "$n" || true; t1=$(now)
echo "lstar:  $(per_call $((t1 - t0)) "$n") ns per getpid round trip ($n calls, including boot)"
# Instruction counts are exact and deterministic: --stats on a short run.
"$lstar" run --stats "$prog" 10000 2>&1 | grep -E "getpid|at CPL" || true
