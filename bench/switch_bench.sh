#!/bin/sh
# bench/switch_bench.sh [BUILD_DIR] [N]: a context-switch round trip
# between two tasks, over pipes (two processes) and through a futex (two
# threads), under lstar and natively: nanoseconds of wall time per round,
# and under lstar the guest instructions per round in user and kernel mode
# (from --stats, exact and repeatable).  Prints, asserts nothing; record
# the figures in docs/performance.md.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-100000}
prog=$build/bench/pingpong
lstar=$build/lstar
[ -x "$prog" ] || { echo "switch_bench: $prog not built (needs musl-gcc)" >&2; exit 1; }

now() { date +%s%N; }
per() { echo "$1 $2" | awk '{ printf "%.0f", $1 / $2 }'; }
field() { sed -n "s/^ *$1 *\([0-9]*\).*/\1/p" "$2" | head -1; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in pipe futex; do
	t0=$(now); "$prog" $mode "$n" >/dev/null; t1=$(now)
	echo "$mode native: $(per $((t1 - t0)) "$n") ns per round ($n rounds)"
	t0=$(now); "$lstar" run --seed 1 "$prog" $mode "$n" >/dev/null; t1=$(now)
	echo "$mode lstar:  $(per $((t1 - t0)) "$n") ns per round ($n rounds, including boot)"
	# The same run counted: instructions per round in each mode, from two
	# runs that differ only in the number of rounds (boot and exit cancel).
	s=$(mktemp)
	"$lstar" run --seed 1 --stats "$prog" $mode 1000 >/dev/null 2>"$s"
	u1=$(field "at CPL 3 (user)" "$s"); k1=$(field "at CPL 0 (kernel)" "$s")
	"$lstar" run --seed 1 --stats "$prog" $mode 2000 >/dev/null 2>"$s"
	u2=$(field "at CPL 3 (user)" "$s"); k2=$(field "at CPL 0 (kernel)" "$s")
	rm -f "$s"
	echo "$mode lstar:  $(( (u2 - u1) / 1000 )) user + $(( (k2 - k1) / 1000 )) kernel guest instructions per round"
done
