#!/bin/sh
# bench/view_bench.sh BUILD [N] - the trace viewer with a long trace
# (docs/performance.md, "The trace viewer"): traces two programs for at most
# N instructions (default 2,000,000) in JSON Lines -- guests/malloc-glibc (a
# real program, 23 system calls) and bench/getpid_loop (a system call every
# 100 instructions: 20,000 spans, 40,000 CPL changes) -- then times
# `lstar view` making the page and headless Chromium loading it
# (bench/view_bench.py).  Prints figures; asserts nothing.  REPS=3 runs each.
# Also: cmake --build build --target view_bench.
set -eu
build=$(cd "${1:-build}" && pwd)
n=${2:-2000000}
reps=${REPS:-3}
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d "${TMPDIR:-/tmp}/lstar-view-bench.XXXXXX")
trap 'rm -rf "$d"' EXIT
lstar=$build/lstar

bench() {   # bench NAME PROGRAM ARGS...
	name=$1
	shift
	"$lstar" run --max-insns "$n" --trace="$d/$name.jsonl" --trace-format jsonl "$@" >/dev/null 2>&1 || true
	lines=$(wc -l <"$d/$name.jsonl")
	bytes=$(wc -c <"$d/$name.jsonl")
	echo "== $name: $lines records, JSON Lines $((bytes / 1048576)) MiB"
	cat "$d/$name.jsonl" >/dev/null   # in the page cache, like a trace just written
	k=0
	while [ $k -lt "$reps" ]; do
		# wall time and CPU time (the CPU time does not depend on what
		# else the machine is doing)
		python3 -c 'import resource, subprocess, sys, time
t = time.time()
r = subprocess.run(sys.argv[1:])
w = time.time() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("lstar view: %.2f s wall, %.2f s CPU" % (w, u.ru_utime + u.ru_stime), end="")
sys.exit(r.returncode)' "$lstar" view -o "$d/$name.html" "$d/$name.jsonl"
		echo ", page $(($(wc -c <"$d/$name.html") / 1024)) KiB"
		k=$((k + 1))
	done
	python3 "$here/view_bench.py" "$d/$name.html" "$reps" || echo "(no browser figures)"
	rm -f "$d/$name.jsonl"
}
echo "lstar view, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
bench malloc-glibc "$build/guests/malloc-glibc"
bench getpid-loop "$build/bench/getpid_loop" 20000
