#!/bin/sh
# tests/trace/strace_compare.sh LSTAR WORKDIR NAME [--tasks] [--drop ERE]... -- PROGRAM [ARGS...]
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
# --tasks: a program of several tasks.  The real strace runs with -f (and
# -o: every line starts with its pid), lstar's lines have strace -f's
# "[pid N] " once more than one task is alive (the others belong to the
# only one alive).  How the tasks' lines interleave differs from run to
# run even natively, so what is compared is each task's own sequence:
#
#   tasks       named by who made them: the first "1", the k-th child (or
#               thread) that task N's fork/vfork/clone/clone3 returned
#               "N.k"; the sequences are compared task by task
#   resumed     a call cut by another task's line ("read(3,  <unfinished
#               ...>" ... "<... read resumed>..."), joined into one line
#   padding     spaces before " = " (the pid prefixes move the column)
#   pids        fork/clone/wait4 results, wait4's pid, parent_tid=[N] -> PID
#   CPU times   a SIGCHLD's si_utime and si_stime -> N (lstar's kernel
#               counts instructions, Linux clock ticks)
#   SIGCHLD     where a parent's "--- SIGCHLD" (and the rt_sigreturn of
#               its handler) falls in its sequence depends on when the
#               child ended: these lines are compared as a sorted list at
#               the end of the parent's sequence, each once (children that
#               end before their parent runs again make one SIGCHLD: a
#               signal pending twice is delivered once)
#
# Exit status 0 when the normalized outputs are the same; otherwise the
# diff (< strace, > lstar) and 1.  77 when strace cannot trace here.
set -u
lstar=$1 work=$2 name=$3
shift 3
drops=
tasks=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	--drop) drops="$drops
$2"; shift 2 ;;
	--tasks) tasks=-f; shift ;;
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
sh -c 'cd "$0/run" && exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- && exec env -i '"$envs"' strace '"$tasks"' -o "$0/strace.txt" "$@" </dev/null >"$0/out" 2>"$0/strace.err"' \
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

# split FILE [FIRST]: the tasks' lines of a strace -f output, "NAME<TAB>LINE"
# in the order of the file (see --tasks above).  strace -f -o's lines start
# with "PID "; lstar's with "[pid N] " or, while one task is alive, nothing
# (the first task is then pid FIRST, 42 under lstar's kernel).
split_tasks() {
	awk -v OFS='\t' -v first="${2:-}" '
	BEGIN { if (first != "") alive[first] = 1 }
	function owner(line,   p) {
		if (match(line, /^\[pid +[0-9]+\] /)) {
			pid = substr(line, 6, RLENGTH - 7) + 0
			rest = substr(line, RLENGTH + 1)
		} else if (match(line, /^[0-9]+ +/)) {
			pid = substr(line, 1, RLENGTH) + 0
			rest = substr(line, RLENGTH + 1)
		} else {
			pid = ""
			for (p in alive)
				pid = pid == "" ? p : "?"
			if (pid == "" || pid == "?")
				pid = first == "" ? "?" : first
			rest = line
		}
		if (first == "")
			first = pid
		alive[pid] = 1
	}
	# a fork-like call that returned a pid: that task made it
	function forked(pid, rest,   n) {
		if (rest ~ /^(<\.\.\. (v?fork|clone3?) resumed>.*|(v?fork|clone3?)\(.*)\) += [1-9][0-9]*$/) {
			n = rest
			sub(/.* = /, "", n)
			if (!(n in parent)) {
				parent[n] = pid
				nth[n] = ++kids[pid]
			}
			alive[n] = 1
		}
	}
	function name(pid) {
		if (pid == first || !(pid in parent))
			return pid == first ? "1" : "?" pid
		return name(parent[pid]) "." nth[pid]
	}
	FNR == 1 && pass++ == 1 {
		delete alive
		if (first != "")
			alive[first] = 1
	}
	{
		owner($0)
		if (pass == 1) {
			forked(pid, rest)
			if (rest ~ /^\+\+\+ (exited|killed)/)
				delete alive[pid]
			next
		}
		if (rest ~ /^\+\+\+ (exited|killed)/)
			delete alive[pid]
		# a call cut short, and its rest
		if (rest ~ / <unfinished \.\.\.>$/ && rest !~ /^<\.\.\./) {
			sub(/ <unfinished \.\.\.>$/, "", rest)
			cut[pid] = rest
			next
		}
		if ((pid in cut) && match(rest, /^<\.\.\. [a-z0-9_]+ resumed>/)) {
			rest = cut[pid] substr(rest, RLENGTH + 1)
			delete cut[pid]
		}
		print name(pid), rest
	}
	END { for (p in cut) print name(p), cut[p] " <unfinished ...>" }
	' "$1" "$1"
}

# compare_tasks FILE OUT [FIRST]: each task'"'"'s lines normalized, "== NAME" before them
compare_tasks() {
	split_tasks "$1" "${3:-}" >"$2.split"
	rm -rf "$2.d"
	mkdir -p "$2.d"
	for t in $(cut -f1 "$2.split" | sort -u); do
		awk -F'\t' -v t="$t" '$1 == t { sub(/^[^\t]*\t/, ""); print }' "$2.split" |
			sed -E -e 's/^(.*[^ ]) +(= [^=]*)$/\1 \2/' \
				-e 's/^((v?fork|clone3?)\(.*\) = )[0-9]+$/\1PID/' \
				-e 's/^(wait4\()[0-9]+,/\1PID,/' -e 's/^(wait4\(.*\) = )[0-9]+$/\1PID/' \
				-e 's/parent_tid=\[[0-9]+\]/parent_tid=[PID]/g' \
				-e 's/(si_[us]time)=[0-9]+( \/\* [^*]* \*\/)?/\1=N/g' |
			norm | awk '
			# SIGCHLD and the return from its handler: at the end, sorted
			/^--- SIGCHLD / { chld[++n] = $0; ret = 1; next }
			ret && /^rt_sigreturn\(/ { sub(/ = .*/, " = ..."); chld[++n] = $0; ret = 0; next }
			{ ret = 0; print }
			END { for (i = 1; i <= n; i++) print chld[i] | "sort -u"; }' >"$2.d/$t"
		printf '== task %s\n' "$t"
		cat "$2.d/$t"
	done >"$2"
}

if [ -n "$tasks" ]; then
	compare_tasks "$w/strace.txt" "$w/strace.norm"
	grep -Eva '^(\[pid +[0-9]+\] )?(clock_gettime|clock_getres|gettimeofday|time|getcpu)\(.*\) += [0-9]' "$w/lstar.txt" >"$w/lstar.vdso"
	compare_tasks "$w/lstar.vdso" "$w/lstar.norm" 42
else
	norm <"$w/strace.txt" >"$w/strace.norm"
	grep -Eva '^(clock_gettime|clock_getres|gettimeofday|time|getcpu)\(.*\) += [0-9]' "$w/lstar.txt" |
		norm >"$w/lstar.norm"
fi
if cmp -s "$w/strace.norm" "$w/lstar.norm"; then
	echo "PASS: $(wc -l <"$w/strace.norm") lines the same"
	exit 0
fi
echo "FAIL ($name): the strace views differ (< strace, > lstar), normalized:"
diff "$w/strace.norm" "$w/lstar.norm" | head -60
echo "--- lstar's standard error:"
head -5 "$w/lstar.err"
exit 1
