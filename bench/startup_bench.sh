#!/bin/sh
# bench/startup_bench.sh [BUILD_DIR] [RUNS]: what it costs to start a
# program and have it exit at once - a dynamic /bin/true (the kernel loads
# ld.so, which maps libc.so.6), a static one (busybox true, static glibc)
# and the smallest static musl program (guests/exitcode 0) - under lstar
# in guest instructions (exact, `lstar run --stats`) and in milliseconds
# of wall time (per run, boot included: best of 3 batches of RUNS runs
# from this shell, fork and exec included), beside the same
# program run natively and under qemu-x86_64 (user-mode emulation) when
# it is installed.  Prints, asserts nothing; record the figures in
# docs/performance.md ("Starting a program").
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-21}
lstar=$build/lstar
[ -x "$lstar" ] || { echo "startup_bench: $lstar not built" >&2; exit 1; }
qemu=$(command -v qemu-x86_64 || true)

now() { date +%s%N; }
# wall time per run of "$@" in ms: $runs runs back to back, timed
# together (so that starting `date` is not counted), best of 3 batches
per_run_ms() {
	for b in 1 2 3; do
		t0=$(now)
		i=0
		while [ $i -lt "$runs" ]; do
			"$@" >/dev/null 2>&1 || true
			i=$((i + 1))
		done
		t1=$(now)
		echo $((t1 - t0))
	done | sort -n | awk -v r="$runs" 'NR == 1 { printf "%.2f", $1 / r / 1e6 }'
}

echo "host: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  commit: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall times: best of 3 batches of $runs runs, per run"
[ -n "$qemu" ] || echo "qemu-x86_64: not installed, its column is left empty"
echo
printf '| program | guest insns (user + kernel) | syscalls | page faults | lstar ms | native ms | qemu-x86_64 ms |\n'
printf '|---|---|---|---|---|---|---|\n'

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
row() {
	name=$1; shift
	[ -x "$1" ] || { echo "| $name | (not installed) | | | | | |"; return; }
	"$lstar" run --stats "$@" >/dev/null 2>"$tmp" || true
	total=$(awk '/instructions retired/ { print $3; exit }' "$tmp")
	user=$(awk '/at CPL 3/ { print $NF; exit }' "$tmp")
	kern=$(awk '/at CPL 0/ { print $NF; exit }' "$tmp")
	sc=$(awk '/^  system calls/ { print $3; exit }' "$tmp")
	pf=$(awk '/#PF/ { print $NF; exit }' "$tmp")
	l=$(per_run_ms "$lstar" run "$@")
	n=$(per_run_ms "$@")
	q=
	[ -z "$qemu" ] || q=$(per_run_ms "$qemu" "$@")
	printf '| %s | %s (%s + %s) | %s | %s | %s | %s | %s |\n' "$name" "$total" "$user" "$kern" "$sc" "${pf:-0}" "$l" "$n" "$q"
}
row "dynamic /bin/true (glibc)" /bin/true
if [ -x /bin/busybox ] && ! readelf -l /bin/busybox 2>/dev/null | grep -q INTERP; then
	row "static busybox true (glibc)" /bin/busybox true
else
	echo "| static busybox true | (no static /bin/busybox) | | | | | |"
fi
row "static musl exitcode 0" "$build/guests/exitcode" 0
