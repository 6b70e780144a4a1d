#!/bin/sh
# bench/ratios.sh [BUILD_DIR] [RUNS]: lstar against native on the five
# workloads of issue 17, as ratios of wall time (lstar / native), the
# median of RUNS (default 5) runs of each, native and lstar interleaved
# so that both see the same load:
#   int     bench/intloop.c (static musl): xorshift fill, FNV-1a, a
#           multiply mix and a sieve -- integer ALU, loads and stores
#   mem     bench/memstr.c (static glibc): memset/memcpy/strlen/memcmp/
#           memchr on 4-64 KiB buffers -- the C library's SSE2 routines
#   getpid  bench/getpid_loop.c (static musl): raw getpid SYSCALLs, one
#           round trip through the guest kernel each
#   sha256  busybox sha256sum of a 32 MiB file
#   gzip    busybox gzip -c of 16 MiB of text
# Builds the guests and the data files it needs under BUILD_DIR/bench/
# ratios.  lstar's times include its boot and the guest kernel's start
# (some 20-30 ms).  A benchmark: prints figures, asserts nothing; record
# them in docs/performance.md.  ONLY=int,mem limits the workloads.
# BASE=/path/to/an/older/lstar adds that binary to the interleaved runs
# (its own column and ratio): on a shared machine whose load moves
# between runs, a before/after comparison is fair only within one run.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
runs=${2:-5}
only=${ONLY:-int,mem,getpid,sha256,gzip}
lstar=$build/lstar
work=$build/bench/ratios
[ -x "$lstar" ] || { echo "ratios: $lstar not built" >&2; exit 1; }
mkdir -p "$work"

# ---- what the workloads need --------------------------------------------
musl=$(command -v musl-gcc || true)
bb=$(command -v busybox || true)
[ -n "$musl" ] || echo "ratios: musl-gcc not found: int and getpid skipped" >&2
[ -n "$bb" ] || echo "ratios: busybox not found: sha256 and gzip skipped" >&2
build_if_old() {  # OUT SRC CC FLAGS...
	out=$1 src=$2; shift 2
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		"$@" -o "$out" "$src"
	fi
}
[ -z "$musl" ] || build_if_old "$work/intloop" "$here/bench/intloop.c" "$musl" -static -O2
[ -z "$musl" ] || build_if_old "$work/getpid_loop" "$here/bench/getpid_loop.c" "$musl" -static -O2
build_if_old "$work/memstr" "$here/bench/memstr.c" cc -static -O2
# 16 MiB of text: the repository's own sources and documents, repeated
text=$work/text16m
if [ ! -f "$text" ]; then
	( cd "$here" && git ls-files -- '*.c' '*.h' '*.md' '*.S' | xargs cat ) > "$work/seed.txt"
	: > "$text"
	while [ "$(wc -c < "$text")" -lt $((16 << 20)) ]; do cat "$work/seed.txt" >> "$text"; done
	head -c $((16 << 20)) "$text" > "$text.tmp" && mv "$text.tmp" "$text"
fi
data=$work/data32m
[ -f "$data" ] || cat "$text" "$text" > "$data"

# ---- timing ----------------------------------------------------------------
now() { date +%s%N; }
# ns of wall time for one run of "$@", output thrown away
once() {
	t0=$(now)
	"$@" >/dev/null 2>&1 || true
	t1=$(now)
	echo $((t1 - t0))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(uname -sr)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  commit: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$here" diff --quiet 2>/dev/null || echo ' (modified)')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs: $runs of each, native and lstar interleaved, medians"
echo
base=${BASE:-}
if [ -n "$base" ]; then
	echo "base: $base"
	printf '| workload | native ms | base lstar ms | base ratio | lstar ms | ratio | target |\n|---|---|---|---|---|---|---|\n'
else
	printf '| workload | native ms | lstar ms | ratio | target |\n|---|---|---|---|---|\n'
fi

row() {  # NAME TARGET PROGRAM ARGS...
	name=$1 target=$2; shift 2
	case ",$only," in *",$name,"*) ;; *) return ;; esac
	[ -x "$1" ] || { printf '| %s | (not built) | | | %s |\n' "$name" "$target"; return; }
	nf=$work/$name.native lf=$work/$name.lstar bf=$work/$name.base
	: > "$nf"; : > "$lf"; : > "$bf"
	k=0
	while [ $k -lt "$runs" ]; do
		once "$@" >> "$nf"
		[ -z "$base" ] || once "$base" run "$@" >> "$bf"
		once "$lstar" run "$@" >> "$lf"
		k=$((k + 1))
	done
	n=$(median < "$nf") l=$(median < "$lf")
	if [ -n "$base" ]; then
		b=$(median < "$bf")
		awk -v name="$name" -v n="$n" -v b="$b" -v l="$l" -v t="$target" \
			'BEGIN { printf "| %s | %.1f | %.1f | %.1f× | %.1f | %.1f× | ≤ %s× |\n", name, n / 1e6, b / 1e6, b / n, l / 1e6, l / n, t }'
	else
		awk -v name="$name" -v n="$n" -v l="$l" -v t="$target" \
			'BEGIN { printf "| %s | %.1f | %.1f | %.1f× | ≤ %s× |\n", name, n / 1e6, l / 1e6, l / n, t }'
	fi
}

row int 16 "$work/intloop" 16
row mem 40 "$work/memstr" 10000
row getpid 2.5 "$work/getpid_loop" 2000000
[ -z "$bb" ] || row sha256 20 "$bb" sha256sum "$data"
[ -z "$bb" ] || row gzip 10 "$bb" gzip -c "$text"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
