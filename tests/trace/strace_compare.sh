#!/bin/sh
# tests/trace/strace_compare.sh LSTAR WORKDIR NAME [--drop ERE]... -- PROGRAM [ARGS...]
#
# Runs PROGRAM under the real strace(1) and under `lstar run --strace`, in
# the same fresh directory, with the same small environment, standard
# input from /dev/null and standard output to /dev/null, and compares the
# two after normalizing what legitimately differs (docs/trace.md, "Checked
# against strace"):
#
#   addresses   hex numbers of five digits or more -> 0xADDR (lstar's kernel
#               lays out memory differently; small hex values are kept); on
#               such lines the padding before " = " is not compared (it
#               depends on the addresses' widths)
#   pids        getpid/gettid/set_tid_address results, kill/tkill/tgkill's
#               pid arguments, si_pid -> PID (lstar's program is pid 42)
#   times       the time left of an interrupted sleep -> TIME
#   randomness  getrandom's bytes -> "RANDOM"
#   vDSO        successful clock_gettime/clock_getres/gettimeofday/time/
#               getcpu lines are dropped from lstar's side: Linux answers
#               them in the vDSO, without a system call, so strace never
#               sees them (an invalid clock does reach the kernel)
#   host        uname's nodename -> NODE; the task name prctl(PR_GET_NAME)
#               reads -> NAME (lstar's kernel does not set it from the
#               program's file name as Linux does); sched_getaffinity's CPUs -> CPUS
#               (lstar's machine has one CPU); fcntl F_GETFL loses
#               O_LARGEFILE (Linux sets it on every file a 64-bit program
#               opens, lstar's kernel keeps the flags as given)
#   clocks      times()'s CPU times and result (ticks since boot) -> TIMES;
#               statfs's free blocks and inodes -> N (the disk is in use);
#               a pipe's f_fsid and f_flags (lstar's kernel has no pipefs
#               superblock and makes them up)
#   rseq        its result -> RSEQ: glibc registers an rseq area, Linux
#               accepts it, lstar's kernel answers ENOSYS
#   restarts    strace's "= ? ERESTART... (...)" for a call a signal cut
#               short -> "= -1 EINTR (Interrupted system call)": Linux keeps
#               a restart code internally and rt_sigreturn returns EINTR;
#               lstar's kernel returns EINTR from the call itself
#   fatal       the result of the call right before a fatal signal's
#               "--- SIG" line -> RESULT: Linux acts on the signal after the
#               call returned, lstar's kernel inside it (strace prints "= ?")
#   --drop ERE  lines matching ERE are dropped from both (a case's own
#               difference, explained where the case is declared)
#
# Exit status 0 when the normalized outputs are the same; otherwise the
# diff (< strace, > lstar) and 1.  77 when strace cannot trace here.
set -u
lstar=$1 work=$2 name=$3
shift 3
drops=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	--drop) drops="$drops
$2"; shift 2 ;;
	*) echo "strace_compare.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$1" = "--" ] && shift
command -v strace >/dev/null 2>&1 || { echo "no strace: skipped"; exit 77; }
w=$work/$name
rm -rf "$w"
mkdir -p "$w"
w=$(cd "$w" && pwd)
# the program's environment: small and the same for both
envs="PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC"

fresh() {
	rm -rf "$w/run"
	mkdir -p "$w/run/d"
	printf 'one\ntwo\nthree\n' >"$w/run/f.txt"
	: >"$w/run/d/a"
	: >"$w/run/d/b"
}

fresh
# (standard output to a file: /dev/null would accept a bad buffer that a
# file refuses, and lstar's kernel copies every buffer; descriptors the
# test runner left open are closed: the program would see them on Linux,
# never under lstar)
# shellcheck disable=SC2086
sh -c 'cd "$0/run" && exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- && exec env -i '"$envs"' strace -o "$0/strace.txt" "$@" </dev/null >"$0/out" 2>"$0/strace.err"' \
	"$w" "$@" 2>/dev/null
if ! [ -s "$w/strace.txt" ] || grep -q 'PTRACE_TRACEME\|Operation not permitted' "$w/strace.err"; then
	echo "strace cannot trace here: skipped"
	cat "$w/strace.err"
	exit 77
fi
fresh
# shellcheck disable=SC2086
sh -c 'cd "$0/run" && l=$1 && shift && exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- && exec env -i '"$envs"' "$l" run --strace-output "$0/lstar.txt" "$@" </dev/null >"$0/out" 2>"$0/lstar.err"' \
	"$w" "$lstar" "$@" 2>/dev/null

norm() {
	sed -E \
		-e 's/0x[0-9a-f]{5,}/0xADDR/g' \
		-e 's/^((getpid|gettid|getppid|set_tid_address)\(.*\) += )[0-9]+$/\1PID/' \
		-e 's/^(tkill|kill)\([0-9]+,/\1(PID,/' \
		-e 's/^tgkill\([0-9]+, [0-9]+,/tgkill(PID, PID,/' \
		-e 's/si_pid=[0-9]+/si_pid=PID/g' \
		-e 's/^((clock_)?nanosleep\(.*, )\{tv_sec=[0-9]+, tv_nsec=[0-9]+\}\)/\1TIME)/' \
		-e 's/^getrandom\("[^"]*"(\.\.\.)?/getrandom("RANDOM"/' \
		-e 's/^(rseq\(.*\) += ).*/\1RSEQ/' \
		-e 's/= \? ERESTART[A-Z_]* \([^)]*\)$/= -1 EINTR (Interrupted system call)/' \
		-e 's/nodename="[^"]*"/nodename=NODE/' \
		-e 's/^prctl\(PR_GET_NAME, "[^"]*"\)/prctl(PR_GET_NAME, NAME)/' \
		-e 's/^times\(.*/times(TIMES)/' \
		-e 's/(f_bfree|f_bavail|f_ffree)=[0-9]+/\1=N/g' \
		-e '/PIPEFS_MAGIC/{s/f_fsid=\{val=\[[^]]*\]\}/f_fsid=FSID/;s/f_flags=[A-Z_|0-9x]*/f_flags=FLAGS/;}' \
		-e 's/^(sched_getaffinity\([^,]*, [0-9]+, )\[[0-9 ]*\]\) += [0-9]+$/\1CPUS) = CPUS/' \
		-e '/^fcntl\([0-9]+, F_GETFL\)/{s/ = 0x[0-9a-f]+ / = FLAGS /;s/\|O_LARGEFILE//;}' \
		-e '/0xADDR|PID|TIME|RANDOM|RSEQ|NODE|CPUS|FLAGS|NAME/s/^(.*[^ ]) +(= [^=]*)$/\1 \2/' |
	awk '
	# the call before a fatal signal: its result is not compared
	{ line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if (i + 2 <= NR && line[i + 1] ~ /^--- SIG/ && line[i + 2] ~ /^\+\+\+ killed by/)
				sub(/ += [^=]*$/, " = RESULT", line[i])
			if (i + 1 <= NR && line[i + 1] ~ /^\+\+\+ killed by/ && line[i] !~ /^---/)
				sub(/ += [^=]*$/, " = RESULT", line[i])
			print line[i]
		}
	}' | {
		if [ -n "$drops" ]; then
			pat=$(printf '%s\n' "$drops" | sed '/^$/d' | paste -sd'|' -)
			grep -Ev -- "$pat"
		else
			cat
		fi
	}
}

norm <"$w/strace.txt" >"$w/strace.norm"
grep -Eva '^(clock_gettime|clock_getres|gettimeofday|time|getcpu)\(.*\) += [0-9]' "$w/lstar.txt" |
	norm >"$w/lstar.norm"
if cmp -s "$w/strace.norm" "$w/lstar.norm"; then
	echo "PASS: $(wc -l <"$w/strace.norm") lines the same"
	exit 0
fi
echo "FAIL ($name): the strace views differ (< strace, > lstar), normalized:"
diff "$w/strace.norm" "$w/lstar.norm" | head -60
echo "--- lstar's standard error:"
head -5 "$w/lstar.err"
exit 1
